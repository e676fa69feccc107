/**
 * The desktop shell's security settings, read from the code that creates windows and wires IPC (Electron cannot
 * run on these machines): Electron's security checklist, item by item.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiChannel, EVENT_CHANNEL, SHELL_CHANNELS } from '../../main/electron/channels.js';
import { type IpcMainLike, registerBenchIpc } from '../../main/electron/ipc.js';
import { type Encryptor, SecretStore } from '../../main/electron/secrets.js';
import {
  APP_ENTRY,
  appFilePath,
  assertTrustedSender,
  isAppUrl,
  SHELL_CSP,
  UntrustedSenderError,
  windowOptions,
  withContentSecurityPolicy,
} from '../../main/electron/window.js';
import { API_METHODS, type BenchClient, type BenchEvent } from '../../shared/api.js';
import { SHELL_METHODS } from '../../shared/shell.js';

// The preload runs `contextBridge.exposeInMainWorld` when loaded: give it Electron's two objects to talk to.
const exposed = vi.hoisted(() => ({
  worlds: new Map<string, unknown>(),
  invoked: [] as unknown[][],
  handlers: new Map<string, Set<(...a: unknown[]) => void>>(),
}));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.worlds.set(key, api) },
  ipcRenderer: {
    invoke: async (...args: unknown[]) => {
      exposed.invoked.push(args);
      return `answer to ${String(args[0])}`;
    },
    on: (channel: string, handler: (...a: unknown[]) => void) => {
      const set = exposed.handlers.get(channel) ?? new Set();
      set.add(handler);
      exposed.handlers.set(channel, set);
    },
    removeListener: (channel: string, handler: (...a: unknown[]) => void) =>
      exposed.handlers.get(channel)?.delete(handler),
    send: () => {
      throw new Error('the preload must not use ipcRenderer.send');
    },
  },
}));

describe('window options', () => {
  const options = windowOptions({ preload: '/app/out/preload/index.cjs' });
  const web = options.webPreferences!;

  it('isolates and sandboxes the page, with no Node in it', () => {
    expect(web.contextIsolation).toBe(true);
    expect(web.sandbox).toBe(true);
    expect(web.nodeIntegration).toBe(false);
    expect(web.nodeIntegrationInWorker).toBe(false);
    expect(web.nodeIntegrationInSubFrames).toBe(false);
    expect(web.preload).toBe('/app/out/preload/index.cjs');
  });

  it('keeps web security on and the risky features off', () => {
    expect(web.webSecurity).toBe(true);
    expect(web.allowRunningInsecureContent).toBe(false);
    expect(web.experimentalFeatures).toBe(false);
    expect(web.webviewTag).toBe(false);
    expect(web.navigateOnDragDrop).toBe(false);
    expect(web.devTools).toBe(false);
    expect(windowOptions({ preload: 'p', devTools: true }).webPreferences!.devTools).toBe(true);
  });

  it('is what the shell passes to every window it creates', () => {
    const main = readFileSync(join(import.meta.dirname, '../../main/electron/main.ts'), 'utf8');
    const windows = [...main.matchAll(/new BrowserWindow\(([^)]*)\)/g)].map((m) => m[1]);
    expect(windows).toEqual(['windowOptions({ preload, devTools: !app.isPackaged }']);
    expect(main).toContain("setWindowOpenHandler(() => ({ action: 'deny' }))");
    expect(main).toContain("contents.on('will-navigate', (event) => event.preventDefault())");
    expect(main).toContain('webRequest.onHeadersReceived');
    expect(main).toContain('setPermissionRequestHandler((_contents, _permission, callback) => callback(false))');
    expect(main).toContain('app.enableSandbox()');
  });
});

describe('content security policy', () => {
  it('allows only the app’s own scripts and styles and no connections beyond IPC', () => {
    const directives = Object.fromEntries(
      SHELL_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]),
    );
    expect(directives).toEqual({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' data:",
      'font-src': "'self'",
      'connect-src': "'self'",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
      'object-src': "'none'",
    });
    expect(SHELL_CSP).not.toMatch(/unsafe-(inline|eval)|\*/);
  });

  it('replaces whatever policy a response brought', () => {
    const headers = withContentSecurityPolicy({
      'content-security-policy': ['default-src *'],
      'Content-Type': 'text/html',
    });
    expect(headers).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [SHELL_CSP],
      'X-Content-Type-Options': ['nosniff'],
    });
  });
});

describe('IPC sender check', () => {
  it('accepts only frames of the app’s own origin', () => {
    expect(isAppUrl(APP_ENTRY)).toBe(true);
    expect(isAppUrl('bondbench://app/assets/index.js')).toBe(true);
    for (const url of [
      'bondbench://evil/index.html',
      'file:///app/out/renderer/index.html',
      'https://app/',
      'http://127.0.0.1:5173/',
      'about:blank',
      'not a url',
      undefined,
    ]) {
      expect(isAppUrl(url), String(url)).toBe(false);
    }
    expect(() => assertTrustedSender({ senderFrame: null })).toThrow(UntrustedSenderError);
    expect(() => assertTrustedSender({ senderFrame: { url: 'https://evil.example/' } })).toThrow(
      'IPC from https://evil.example/ refused',
    );
    expect(() => assertTrustedSender({ senderFrame: { url: APP_ENTRY } })).not.toThrow();
  });

  it('trusts the development server only when it is given, and only on loopback', () => {
    expect(isAppUrl('http://localhost:5173/src/main.tsx', 'http://localhost:5173')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
    expect(isAppUrl('http://dev.example:5173/', 'http://dev.example:5173')).toBe(false);
    expect(isAppUrl('http://localhost:5173/')).toBe(false);
  });

  it('guards every API channel: a foreign frame never reaches the bench', async () => {
    const handlers = new Map<string, (event: { senderFrame: { url: string } | null }, ...args: unknown[]) => unknown>();
    const ipc: IpcMainLike = { handle: (c, l) => handlers.set(c, l), removeHandler: (c) => handlers.delete(c) };
    const calls: string[] = [];
    const listeners = new Set<(e: BenchEvent) => void>();
    const bench = {
      ...Object.fromEntries(
        API_METHODS.map((m) => [
          m,
          async (...args: unknown[]) => {
            calls.push(`${m}(${args.join(',')})`);
            return m;
          },
        ]),
      ),
      onEvent: (l: (e: BenchEvent) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    } as unknown as BenchClient;
    const sent: unknown[] = [];
    const sinks = [
      { send: (c: string, e: BenchEvent) => sent.push([c, e]), isDestroyed: () => false },
      { send: () => sent.push('to a destroyed window'), isDestroyed: () => true },
    ];
    const remove = registerBenchIpc(
      ipc,
      bench,
      (e) => assertTrustedSender(e),
      () => sinks,
    );

    expect([...handlers.keys()].sort()).toEqual(API_METHODS.map(apiChannel).sort());
    const startRun = handlers.get(apiChannel('startRun'))!;
    await expect(async () => startRun({ senderFrame: { url: 'https://evil.example/' } }, 'plan')).rejects.toThrow(
      UntrustedSenderError,
    );
    await expect(async () => startRun({ senderFrame: null }, 'plan')).rejects.toThrow(UntrustedSenderError);
    expect(calls).toEqual([]);
    expect(await startRun({ senderFrame: { url: APP_ENTRY } }, 'plan')).toBe('startRun');
    expect(calls).toEqual(['startRun(plan)']);

    for (const l of listeners) l({ type: 'log', runId: 'r', line: 'x' });
    expect(sent).toEqual([[EVENT_CHANNEL, { type: 'log', runId: 'r', line: 'x' }]]);
    remove();
    expect(handlers.size).toBe(0);
    expect(listeners.size).toBe(0);
  });
});

describe('preload', () => {
  it('exposes one function per API method, onEvent and the shell’s extras — never ipcRenderer', async () => {
    await import('../../main/electron/preload.js');
    const bridge = exposed.worlds.get('bondbench') as Record<string, unknown>;
    expect([...exposed.worlds.keys()]).toEqual(['bondbench']);
    expect(Object.keys(bridge).sort()).toEqual([...API_METHODS, 'onEvent', ...SHELL_METHODS].sort());
    for (const value of Object.values(bridge)) expect(typeof value).toBe('function');

    const api = bridge as unknown as BenchClient & Record<string, (...a: unknown[]) => Promise<unknown>>;
    expect(await api.checkHost('lab:x')).toBe(`answer to ${apiChannel('checkHost')}`);
    expect(exposed.invoked.at(-1)).toEqual([apiChannel('checkHost'), 'lab:x']);
    await api.saveFile!('report.html', 'PGh0bWw+');
    expect(exposed.invoked.at(-1)).toEqual([SHELL_CHANNELS.saveFile, 'report.html', 'PGh0bWw+']);

    const seen: unknown[] = [];
    const off = api.onEvent((event) => seen.push(event));
    const [relay] = exposed.handlers.get(EVENT_CHANNEL)!;
    relay!({ sender: 'the IPC event object' }, { type: 'log', runId: 'r', line: 'y' });
    // The page gets the event alone, not Electron's IPC event (which carries `sender`).
    expect(seen).toEqual([{ type: 'log', runId: 'r', line: 'y' }]);
    off();
    expect(exposed.handlers.get(EVENT_CHANNEL)!.size).toBe(0);
  });
});

describe('app files', () => {
  it('maps bondbench://app/ URLs into the renderer folder and nothing outside it', () => {
    expect(appFilePath('bondbench://app/', '/r')).toBe('/r/index.html');
    expect(appFilePath('bondbench://app/assets/a.js', '/r/')).toBe('/r/assets/a.js');
    expect(appFilePath('bondbench://app/assets/..%2f..%2fetc/passwd', '/r')).toBeUndefined();
    expect(appFilePath('bondbench://app/a%5cb', '/r')).toBeUndefined();
    expect(appFilePath('bondbench://other/index.html', '/r')).toBeUndefined();
    expect(appFilePath('file:///etc/passwd', '/r')).toBeUndefined();
  });
});

/** A stand-in for safeStorage (the OS key store is not reachable here): reversible, but never the plain text. */
function encryptor(backend = 'gnome_libsecret', available = true): Encryptor {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (text) => Buffer.from(Buffer.from(text).map((b) => b ^ 0x5a)),
    decryptString: (data) => Buffer.from(data.map((b) => b ^ 0x5a)).toString(),
  };
}

describe('SecretStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bondbench-secrets-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps a value only encrypted, and gives it back', async () => {
    const store = new SecretStore(join(dir, 'secrets.json'), encryptor(), 'linux');
    expect(await store.set('plan-draft', 'community: s3cret')).toBe(true);
    expect(await readFile(join(dir, 'secrets.json'), 'utf8')).not.toContain('s3cret');
    expect(await store.get('plan-draft')).toBe('community: s3cret');
    await store.delete('plan-draft');
    expect(await store.get('plan-draft')).toBeUndefined();
  });

  it('keeps nothing where the OS has no real key store', async () => {
    for (const store of [
      new SecretStore(join(dir, 'a.json'), encryptor('basic_text'), 'linux'),
      new SecretStore(join(dir, 'b.json'), encryptor('gnome_libsecret', false), 'linux'),
    ]) {
      expect(store.available()).toBe(false);
      expect(await store.set('plan-draft', 'x')).toBe(false);
      expect(await store.get('plan-draft')).toBeUndefined();
    }
    expect(new SecretStore(join(dir, 'c.json'), encryptor('unknown'), 'win32').available()).toBe(true);
  });

  it('refuses names that could be anything', async () => {
    const store = new SecretStore(join(dir, 'secrets.json'), encryptor(), 'linux');
    await expect(store.set('../x', 'y')).rejects.toThrow('secret name');
  });
});
