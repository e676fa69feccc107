/**
 * The shell's security settings as data, so a test can read exactly what the shell passes to Electron (Electron
 * itself cannot run on the build machines). Electron's security checklist, item by item:
 * https://www.electronjs.org/docs/latest/tutorial/security
 *   - only our own files are loaded, from a custom scheme (not file://): APP_ORIGIN;
 *   - contextIsolation on, sandbox on, nodeIntegration off (also in workers and subframes), webSecurity on,
 *     no insecure content, no experimental features, no <webview>;
 *   - a strict Content Security Policy on every response (contentSecurityPolicy());
 *   - navigation and new windows denied; permission requests denied;
 *   - every IPC message's sender checked: it must be a frame of our own origin.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { contentSecurityPolicy } from '../server/csp.js';

/** The renderer is served from bondbench://app/ (registered as a standard, secure scheme). */
export const APP_SCHEME = 'bondbench';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** The shell's pages talk to main over IPC only: no network connections at all. */
export const SHELL_CSP = contentSecurityPolicy();

export interface WindowOptionsInput {
  /** Absolute path of the built preload script. */
  preload: string;
  /** Developer tools: off in a packaged app. */
  devTools?: boolean;
}

export function windowOptions({ preload, devTools = false }: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    width: 1480,
    height: 920,
    minWidth: 1024,
    minHeight: 640,
    title: 'BondBench',
    backgroundColor: '#f6f7f9',
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools,
    },
  };
}

/**
 * Whether a URL is one of our pages: the app scheme and host, or — in development only — the electron-vite
 * dev server's exact origin. Compared by parts: URL.origin is "null" for custom schemes.
 */
export function isAppUrl(url: string | undefined, devServerUrl?: string): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST) return true;
  if (!devServerUrl) return false;
  const dev = new URL(devServerUrl);
  return (
    parsed.protocol === dev.protocol &&
    parsed.host === dev.host &&
    (dev.hostname === 'localhost' || dev.hostname === '127.0.0.1')
  );
}

/** What an IPC event tells about who sent it. */
export interface IpcSender {
  senderFrame: { url: string } | null;
}

export class UntrustedSenderError extends Error {
  constructor(url: string | undefined) {
    super(`IPC from ${url ?? 'a frame that is gone'} refused: only BondBench's own pages may call the bench`);
    this.name = 'UntrustedSenderError';
  }
}

export function assertTrustedSender(event: IpcSender, devServerUrl?: string): void {
  const url = event.senderFrame?.url;
  if (!isAppUrl(url, devServerUrl)) throw new UntrustedSenderError(url);
}

/** Response headers with our CSP in place of any the response brought. */
export function withContentSecurityPolicy(headers: Record<string, string[] | string> = {}): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'content-security-policy') continue;
    out[name] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [SHELL_CSP];
  out['X-Content-Type-Options'] = ['nosniff'];
  return out;
}

/**
 * A path under the renderer folder for a bondbench://app/ URL, or undefined for anything that would leave it.
 * Pure string work, so it can be tested without Electron.
 */
export function appFilePath(url: string, rendererDir: string, sep = '/'): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return undefined;
  }
  if (path === '/' || path === '') path = '/index.html';
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..' || p.includes('\\') || p.includes('\0'))) return undefined;
  return [rendererDir.replace(/[\\/]+$/, ''), ...parts].join(sep);
}
