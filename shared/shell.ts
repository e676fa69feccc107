/**
 * What the desktop shell's preload puts on `window.bondbench`: the typed API (one function per method), its
 * events, and the few things only the shell can do (a native save dialog, the OS key store). Shared because two
 * layers meet here: main/electron/preload.ts builds it, renderer/src/transport reads it. Browser mode has no bridge.
 * Pure.
 */
import type { BenchClient } from './api.js';

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
