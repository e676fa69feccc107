/**
 * The typed API over Electron IPC: one `handle` per API method, each checking its sender first, and the bench's
 * events sent to every window. Written against the few Electron methods it uses, so a test can drive it.
 */
import { API_METHODS, type BenchClient, type BenchEvent, checkApiArguments } from '../../shared/api.js';
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

/** Registers the API; returns a function that removes it again. */
export function registerBenchIpc(
  ipc: IpcMainLike,
  bench: BenchClient,
  checkSender: (event: IpcSender) => void,
  sinks: () => Iterable<EventSink>,
): () => void {
  for (const method of API_METHODS) {
    ipc.handle(apiChannel(method), (event, ...args) => {
      checkSender(event);
      checkApiArguments(method, args);
      const fn = bench[method] as (...params: unknown[]) => Promise<unknown>;
      return fn.apply(bench, args);
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
