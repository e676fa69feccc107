/**
 * How the renderer reaches the bench: a Connection over the desktop shell's bridge (its type lives in
 * shared/shell.ts, where the preload that builds it can see it too) or over browser mode's WebSocket.
 */
import type { BenchClient } from '../../../shared/api.js';
import type { ShellWire } from '../../../shared/shell.js';

export { SHELL_METHODS, type ShellBridge } from '../../../shared/shell.js';

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
    bondbench?: ShellWire;
  }
}
