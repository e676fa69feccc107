/**
 * What the desktop shell's preload puts on `window.bondbench`: the typed API (one function per method), its
 * events, and the few things only the shell can do (a native save dialog). Browser mode has no bridge.
 */
import type { BenchClient } from '../../../shared/api.js';

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

/** Where the bench comes from, and how a file reaches the user's disk. */
export interface Connection {
  client: BenchClient;
  kind: 'electron' | 'browser';
  /** Saves a report; resolves to where it went (a path, or the download's name). */
  saveFile(fileName: string, mime: string, base64: string): Promise<string | null>;
  /** Called once if the bench goes away (browser mode: the server stopped). */
  onClose(listener: (reason: string) => void): () => void;
  /** The desktop shell keeps the plan being edited between sessions (it may hold SNMP secrets: encrypted). */
  planKeeper?: { keep(yaml: string): Promise<boolean>; kept(): Promise<string | null> };
}

declare global {
  interface Window {
    bondbench?: ShellBridge;
  }
}
