/**
 * The browser-mode transport: the typed API over the WebSocket `bondbench serve` offers. Requests carry an id
 * and are answered in any order; events are pushed. When the socket closes, every pending call fails with a
 * message that says so (the server's token is per start: a restarted server needs its new address).
 */

import { API_METHODS, type ApiMethod, type BenchApi, type BenchClient, type BenchEvent } from '../../../shared/api.js';
import type { ReasonPart } from '../../../shared/run/model.js';

export interface WsClient extends BenchClient {
  onClose(listener: (reason: string) => void): () => void;
  close(): void;
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; method: string };

/** The API address for a page served by `bondbench serve` at `location`, with its token. */
export function apiUrl(location: { host: string; protocol: string; search: string }): string {
  const token = new URLSearchParams(location.search).get('token');
  if (!token) throw new Error('this address has no token: open the address "bondbench serve" printed');
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`;
}

export function connectWebSocket(url: string, WebSocketImpl: typeof WebSocket = WebSocket): Promise<WsClient> {
  return new Promise((resolveConnect, rejectConnect) => {
    const socket = new WebSocketImpl(url);
    const pending = new Map<number, Pending>();
    const eventListeners = new Set<(event: BenchEvent) => void>();
    const closeListeners = new Set<(reason: string) => void>();
    let nextId = 1;
    let closed: string | undefined;
    let opened = false;

    const call = (method: ApiMethod, params: unknown[]) =>
      new Promise<unknown>((resolve, reject) => {
        if (closed) {
          reject(new Error(`${method}: ${closed}`));
          return;
        }
        const id = nextId++;
        pending.set(id, { resolve, reject, method });
        socket.send(JSON.stringify({ id, method, params }));
      });

    socket.addEventListener('message', (message) => {
      let data: {
        id?: number | null;
        result?: unknown;
        error?: { message: string; parts?: ReasonPart[] };
        event?: BenchEvent;
      };
      try {
        data = JSON.parse(String(message.data));
      } catch {
        return;
      }
      if (data.event) {
        for (const listener of eventListeners) listener(data.event);
        return;
      }
      if (typeof data.id !== 'number') return;
      const waiting = pending.get(data.id);
      if (!waiting) return;
      pending.delete(data.id);
      // The bench's parts ride on the Error, for errorText() to say it in the UI's language.
      if (data.error) waiting.reject(Object.assign(new Error(data.error.message), { parts: data.error.parts }));
      else waiting.resolve(data.result);
    });

    socket.addEventListener('open', () => {
      opened = true;
      const api = Object.fromEntries(
        API_METHODS.map((method) => [method, (...params: unknown[]) => call(method, params)]),
      ) as unknown as BenchApi;
      resolveConnect({
        ...api,
        onEvent(listener) {
          eventListeners.add(listener);
          return () => eventListeners.delete(listener);
        },
        onClose(listener) {
          closeListeners.add(listener);
          return () => closeListeners.delete(listener);
        },
        close: () => socket.close(1000),
      });
    });

    // A failed handshake or a broken connection is followed by 'close', which says what happened.
    socket.addEventListener('error', () => undefined);

    socket.addEventListener('close', (event) => {
      closed =
        event.code === 1001
          ? 'BondBench stopped serving'
          : `the connection to BondBench closed (${event.code}${event.reason ? `: ${event.reason}` : ''})`;
      for (const waiting of pending.values()) waiting.reject(new Error(`${waiting.method}: ${closed}`));
      pending.clear();
      if (!opened) {
        rejectConnect(
          new Error(
            `cannot reach BondBench at this address (${event.code}): is "bondbench serve" running, and is the token the one it printed?`,
          ),
        );
        return;
      }
      for (const listener of closeListeners) listener(closed);
    });
  });
}
