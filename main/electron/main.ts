/**
 * The desktop shell's main process, kept thin: one window, the typed API over IPC (sender-checked), the app's
 * files from its own scheme with a strict CSP, navigation/new windows/permissions denied, a native save dialog
 * for reports, and the plan draft kept with safeStorage. Everything else is the engine's (main/engine/bench.ts).
 * Built by electron-vite (electron.vite.config.ts) to out/main/index.js.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, protocol, safeStorage, session } from 'electron';
import { Bench } from '../engine/bench.js';
import { defaultRunsDir } from '../engine/store.js';
import { SHELL_CHANNELS } from './channels.js';
import { registerBenchIpc } from './ipc.js';
import { ElectronPdfPrinter } from './pdf.js';
import { SecretStore } from './secrets.js';
import { rewritesResponseCsp, startShell } from './startup.js';
import {
  APP_ENTRY,
  APP_SCHEME,
  appFilePath,
  assertTrustedSender,
  type IpcSender,
  SHELL_CSP,
  windowOptions,
  withContentSecurityPolicy,
} from './window.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererDir = join(here, '..', 'renderer');
const preload = join(here, '..', 'preload', 'index.cjs');
/** Set by `electron-vite dev` only; a packaged app never has it. */
const devServer = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false } },
]);
app.enableSandbox();

const checkSender = (event: IpcSender) => assertTrustedSender(event, devServer);

// Every web contents, present and future: no navigation, no new windows, no <webview>.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

async function serveAppFile(request: Request): Promise<Response> {
  const file = appFilePath(request.url, rendererDir, sep);
  if (!file || !(await stat(file).catch(() => undefined))?.isFile()) return new Response('not found', { status: 404 });
  return new Response(await readFile(file), {
    headers: {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': SHELL_CSP,
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

function handleShell(channel: string, handler: (...args: unknown[]) => Promise<unknown>): void {
  ipcMain.handle(channel, (event, ...args) => {
    checkSender(event);
    return handler(...args);
  });
}

async function start(): Promise<void> {
  // The tester agent (libpcap) runs in a process of its own, never in a UI process; electron-vite builds it
  // beside this file.
  process.env.BONDBENCH_TESTER_AGENT ??= join(here, 'agent.js');
  // A real directory for it to run in: the package root is app.asar, inside which no process can start.
  process.env.BONDBENCH_TESTER_CWD ??= app.getPath('userData');
  // From a checkout (`npx electron .`, dev:desktop) node_modules holds cap built for Node, not for this Electron:
  // the agent runs under the system's node there. A packaged app's cap was rebuilt for Electron in the stage.
  if (!app.isPackaged) process.env.BONDBENCH_TESTER_NODE ??= process.platform === 'win32' ? 'node.exe' : 'node';
  const bench = new Bench({
    runsDir: defaultRunsDir(),
    labInstance: process.env.BONDBENCH_LAB_INSTANCE,
    printer: new ElectronPdfPrinter(),
  });
  const secrets = new SecretStore(join(app.getPath('userData'), 'secrets.json'), safeStorage);

  protocol.handle(APP_SCHEME, serveAppFile);
  const appSession = session.defaultSession;
  // Every response gets our CSP, except the dev server's (see rewritesResponseCsp).
  if (rewritesResponseCsp(devServer)) {
    appSession.webRequest.onHeadersReceived((details, callback) =>
      callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) }),
    );
  }
  appSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  appSession.setPermissionCheckHandler(() => false);

  registerBenchIpc(ipcMain, bench, checkSender, () => BrowserWindow.getAllWindows().map((w) => w.webContents));

  handleShell(SHELL_CHANNELS.saveFile, async (fileName, base64) => {
    if (typeof fileName !== 'string' || basename(fileName) !== fileName || !fileName) {
      throw new Error('saveFile: the report name must be a plain file name');
    }
    if (typeof base64 !== 'string') throw new Error('saveFile: the content must be base64 text');
    const window = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
    const options = { defaultPath: join(app.getPath('downloads'), fileName) };
    const choice = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
    if (choice.canceled || !choice.filePath) return null;
    await writeFile(choice.filePath, Buffer.from(base64, 'base64'));
    return choice.filePath;
  });
  handleShell(SHELL_CHANNELS.keepPlan, async (yaml) => {
    if (typeof yaml !== 'string' || yaml.length > 1024 * 1024)
      throw new Error('keepPlan: a plan is YAML text under 1 MiB');
    return secrets.set('plan-draft', yaml);
  });
  handleShell(SHELL_CHANNELS.keptPlan, async () => (await secrets.get('plan-draft')) ?? null);

  const window = new BrowserWindow(windowOptions({ preload, devTools: !app.isPackaged }));
  window.once('ready-to-show', () => window.show());
  await window.loadURL(devServer ?? APP_ENTRY);

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    // A run in progress is cancelled and its host restored before the app leaves.
    event.preventDefault();
    quitting = true;
    void bench.shutdown().finally(() => app.quit());
  });
}

app.on('window-all-closed', () => app.quit());
void startShell(app.whenReady(), start, (title, message) => {
  dialog.showErrorBox(title, message);
  app.quit();
});
