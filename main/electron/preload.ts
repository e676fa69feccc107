/**
 * The preload: the only bridge between the sandboxed page and the shell. It exposes one function per API method
 * (each an `invoke` on its own channel), a listener for events that hands over the event alone (never the IPC
 * event object or ipcRenderer itself), and the shell's few extras. Built as CommonJS: sandboxed preloads cannot
 * be ES modules.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { API_METHODS, type ApiMethod, type BenchEvent } from '../../shared/api.js';
import type { ShellWire } from '../../shared/shell.js';
import { apiChannel, EVENT_CHANNEL, SHELL_CHANNELS } from './channels.js';

/** The bridge; API answers pass through as they came (a result or an IpcFailure: contextBridge keeps plain values). */
export function buildBridge(ipc: Pick<typeof ipcRenderer, 'invoke' | 'on' | 'removeListener'>): ShellWire {
  const api = Object.fromEntries(
    API_METHODS.map((method) => [method, (...args: unknown[]) => ipc.invoke(apiChannel(method), ...args)]),
  ) as unknown as Pick<ShellWire, ApiMethod>;
  return {
    ...api,
    onEvent(listener: (event: BenchEvent) => void) {
      const relay = (_ipcEvent: unknown, event: BenchEvent) => listener(event);
      ipc.on(EVENT_CHANNEL, relay);
      return () => {
        ipc.removeListener(EVENT_CHANNEL, relay);
      };
    },
    saveFile: (fileName: string, base64: string) => ipc.invoke(SHELL_CHANNELS.saveFile, fileName, base64),
    keepPlan: (yaml: string) => ipc.invoke(SHELL_CHANNELS.keepPlan, yaml),
    keptPlan: () => ipc.invoke(SHELL_CHANNELS.keptPlan),
  };
}

contextBridge.exposeInMainWorld('bondbench', buildBridge(ipcRenderer));
