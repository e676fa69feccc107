/**
 * The typed API over Electron IPC: one `handle` per API method, each checking its sender first, and the bench's
 * events sent to every window. Written against the few Electron methods it uses, so a test can drive it.
 */
import { API_METHODS, type BenchClient, type BenchEvent, checkApiArguments } from '../../shared/api.js';
import { ipcFailure } from '../../shared/shell.js';
import { apiChannel, EVENT_CHANNEL } from './channels.js';
import type { IpcSender } from './window.js';

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSender, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface EventSink {
  send(channel: string, event: BenchEvent): void;
  isDestroyed(): boolean;
}

/**
 * Registers the API; returns a function that removes it again. A call that fails answers an IpcFailure (its
 * message and parts), which the page's transport throws again (renderer/src/transport/electron.ts).
 */
export function registerBenchIpc(
  ipc: IpcMainLike,
  bench: BenchClient,
  checkSender: (event: IpcSender) => void,
  sinks: () => Iterable<EventSink>,
): () => void {
  for (const method of API_METHODS) {
    ipc.handle(apiChannel(method), async (event, ...args) => {
      // A frame that is not ours gets no answer at all, only Electron's rejection.
      checkSender(event);
      try {
        checkApiArguments(method, args);
        const fn = bench[method] as (...params: unknown[]) => Promise<unknown>;
        return await fn.apply(bench, args);
      } catch (error) {
        // As a value: a rejection would reach the page as its message only (shared/shell.ts IpcFailure).
        return ipcFailure(error);
      }
    });
  }
  const unsubscribe = bench.onEvent((event) => {
    for (const sink of sinks()) if (!sink.isDestroyed()) sink.send(EVENT_CHANNEL, event);
  });
  return () => {
    unsubscribe();
    for (const method of API_METHODS) ipc.removeHandler(apiChannel(method));
  };
}
