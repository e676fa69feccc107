/**
 * What the desktop shell's preload puts on `window.bondbench` (as a ShellWire: failures come as values, see
 * IpcFailure): the typed API (one function per method), its events, and the few things only the shell can do (a native save dialog, the OS key store). Shared because two
 * layers meet here: main/electron/preload.ts builds it, renderer/src/transport reads it. Browser mode has no bridge.
 * Pure.
 */
import type { ApiMethod, BenchApi, BenchClient } from './api.js';
import { errorPart } from './run/failure.js';
import type { ReasonPart } from './run/model.js';

export interface ShellBridge extends BenchClient {
  /** Asks where to save and writes the file; resolves to the path, or null when the user cancelled. */
  saveFile(fileName: string, base64: string): Promise<string | null>;
  /** Keeps the plan being edited for next time, encrypted by the OS; false where the OS has no key store. */
  keepPlan(yaml: string): Promise<boolean>;
  /** The plan kept last time, if any. */
  keptPlan(): Promise<string | null>;
}

/** The bridge's extra methods, beside API_METHODS and onEvent. */
export const SHELL_METHODS = ['saveFile', 'keepPlan', 'keptPlan'] as const satisfies readonly (keyof ShellBridge)[];

/**
 * An API call's failure as the desktop shell's IPC carries it. Electron's `ipcMain.handle` rejects the page's
 * `invoke` with the thrown error's message only, and contextBridge copies an Error without its own fields: the
 * `parts` that say it in the UI's language (shared/run/failure.ts) would be lost. So the main process answers a
 * failure as this value, and the page throws it again (ipcAnswer) as browser mode's WebSocket client does.
 */
export interface IpcFailure {
  bondbenchError: { message: string; parts: ReasonPart[] };
}

/** A thrown error as an IpcFailure: its English message and its parts (errorPart). Structured-clone safe. */
export function ipcFailure(error: unknown): IpcFailure {
  const message = error instanceof Error ? error.message : String(error);
  // Through JSON: only plain data crosses IPC (a part's vars are strings, numbers and parts).
  return { bondbenchError: { message, parts: JSON.parse(JSON.stringify([errorPart(error)])) as ReasonPart[] } };
}

function isIpcFailure(value: unknown): value is IpcFailure {
  const said = (value as IpcFailure | null)?.bondbenchError;
  return typeof said === 'object' && said !== null && typeof said.message === 'string' && Array.isArray(said.parts);
}

/** What an API call answered over IPC: its result, or its failure thrown as an Error carrying `parts`. */
export function ipcAnswer<T>(value: T | IpcFailure): T {
  if (!isIpcFailure(value)) return value;
  throw Object.assign(new Error(value.bondbenchError.message), { parts: value.bondbenchError.parts });
}

/** What the preload exposes: the bridge, each API method answering its result or an IpcFailure (see ipcAnswer). */
export type ShellWire = Omit<ShellBridge, ApiMethod> & {
  [M in ApiMethod]: (...args: Parameters<BenchApi[M]>) => Promise<Awaited<ReturnType<BenchApi[M]>> | IpcFailure>;
};
