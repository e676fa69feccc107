/**
 * Browser mode: the built renderer and the typed API over a WebSocket, on loopback only, behind a random token
 * made at each start. A request (HTTP or WebSocket) is served only with the token — in the URL, or in the
 * cookie the first page load sets — and only for the Host names of this server (no DNS rebinding) and, for the
 * WebSocket, only from this server's own page (no cross-site WebSocket hijacking).
 *
 * Protocol, JSON text frames: {id, method, params[]} → {id, result} | {id, error: {message, parts?}}; events
 * {event}. `parts`: the error as message parts (ReasonPart[]), for the page's language.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { API_METHODS, type ApiMethod, type BenchClient, type BenchEvent, checkApiArguments } from '../../shared/api.js';
import { errorPart } from '../../shared/run/failure.js';
import type { ReasonPart } from '../../shared/run/model.js';
import { SaidError } from '../../shared/run/said-error.js';
import { contentSecurityPolicy } from './csp.js';

export const LOOPBACK = '127.0.0.1';
export const API_PATH = '/api';

/** A client this far behind on the wire gets frame batches counted as dropped instead of queued. */
const FRAMES_HIGH_WATER = 4 * 1024 * 1024;
/** Plans are small; nothing a client sends is larger than this. */
const MAX_REQUEST_BYTES = 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ServeOptions {
  bench: BenchClient;
  /** The built renderer: a folder with index.html. */
  rendererDir: string;
  /** 0 (default) lets the system pick a free port. */
  port?: number;
  /**
   * Local ports of SSH forwards that arrive here (`ssh -L 8080:127.0.0.1:PORT` makes the browser send
   * `Host: 127.0.0.1:8080`). Only these and the listening port are accepted in Host.
   */
  forwardedPorts?: readonly number[];
}

export interface BenchServer {
  port: number;
  token: string;
  /** What to open: the page with the token. */
  url: string;
  /** Connected browser tabs. */
  clients(): number;
  close(): Promise<void>;
}

export interface ApiRequest {
  id: number | string;
  method: ApiMethod;
  params: unknown[];
}

/**
 * A request frame that cannot be called (`error.api.*`, or the parts of the argument check's error); `id` is the
 * request's when it had a usable one (the answer carries it).
 */
export class ApiRequestError extends SaidError {
  constructor(
    key: string,
    vars: ReasonPart['vars'] = {},
    readonly id: number | string | null = null,
  ) {
    super('ApiRequestError', key, vars);
  }
}

/** The answer's `error`: the English message and its parts, for the page's language. */
function errorReply(error: unknown): { message: string; parts: ReasonPart[] } {
  return { message: errorText(error), parts: [errorPart(error)] };
}

/** Reads one request frame; throws ApiRequestError with a message that says what is wrong with it. */
export function parseApiRequest(text: string): ApiRequest {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw new ApiRequestError('error.api.notJson');
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new ApiRequestError('error.api.notObject');
  }
  const { id, method, params = [] } = message as Record<string, unknown>;
  if (typeof id !== 'number' && typeof id !== 'string') {
    throw new ApiRequestError('error.api.noId');
  }
  if (typeof method !== 'string' || !(API_METHODS as readonly string[]).includes(method)) {
    throw new ApiRequestError(
      'error.api.unknownMethod',
      { method: String(JSON.stringify(method)), methods: API_METHODS.join(', ') },
      id,
    );
  }
  if (!Array.isArray(params)) throw new ApiRequestError('error.api.paramsNotArray', {}, id);
  try {
    checkApiArguments(method as ApiMethod, params);
  } catch (error) {
    const part = errorPart(error);
    throw new ApiRequestError(part.key, part.vars, id);
  }
  return { id, method: method as ApiMethod, params };
}

function errorText(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'unknown error';
  }
}

function sameSecret(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function refuseUpgrade(socket: Duplex, status: string): void {
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n`);
  }
  socket.destroy();
}

/** The base every request target is resolved against: a target that leaves it (`//host/`, `/\\host`) is refused. */
const TARGET_BASE = 'http://bondbench.invalid';

/**
 * A request target in origin form (RFC 9112 §3.2.1: an absolute path and an optional query), or undefined for
 * anything else — absolute or authority forms, `//x`, targets the WHATWG URL parser rejects or resolves to
 * another host. Never throws.
 */
export function parseRequestTarget(target: string | undefined): URL | undefined {
  if (typeof target !== 'string' || target[0] !== '/' || target.startsWith('//')) return undefined;
  try {
    const url = new URL(target, TARGET_BASE);
    return url.origin === TARGET_BASE ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a Host header names this server: `127.0.0.1` or `localhost` with exactly one of `ports` (RFC 9110
 * §7.2; a browser leaves the port out only for 80). Anything else — another name (DNS rebinding), another port,
 * a port out of range, trailing bytes — is refused.
 */
export function hostAllowed(host: string | undefined, ports: ReadonlySet<number>): boolean {
  const match = /^(?:127\.0\.0\.1|localhost)(?::([1-9]\d{0,4}))?$/.exec(host ?? '');
  if (!match) return false;
  return ports.has(match[1] === undefined ? 80 : Number(match[1]));
}

export async function startBenchServer(options: ServeOptions): Promise<BenchServer> {
  const root = resolve(options.rendererDir);
  const indexFile = join(root, 'index.html');
  if (!(await stat(indexFile).catch(() => undefined))?.isFile()) {
    throw new SaidError('ServeError', 'error.server.notBuilt', { file: indexFile });
  }
  const token = randomBytes(32).toString('base64url');
  const sockets = new Set<WebSocket>();
  let port = 0;
  let cookieName = '';

  const ports = new Set<number>();
  const allowedHost = (host: string | undefined) => hostAllowed(host, ports);
  // Browsers always send Origin on a WebSocket: it must be the page this server served.
  const allowedOrigin = (origin: string | undefined, host: string) =>
    origin === undefined || origin === `http://${host}`;
  const authorised = (req: IncomingMessage, url: URL) =>
    sameSecret(url.searchParams.get('token') ?? undefined, token) ||
    sameSecret(cookieValue(req.headers.cookie, cookieName), token);

  const send = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };

  async function serveFile(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, 'bad path');
    }
    if (path.includes('\0')) return send(res, 400, 'bad path');
    const file = path === '/' ? indexFile : join(root, normalize(path));
    if (file !== indexFile && !file.startsWith(root + sep)) return send(res, 404, 'not found');
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return send(res, 404, 'not found');
    const headers: Record<string, string | number> = {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      // Hashed asset names never change; the page itself must not be kept (it carries the token's session).
      'Cache-Control': file === indexFile ? 'no-store' : 'private, max-age=31536000, immutable',
    };
    if (url.searchParams.has('token')) {
      headers['Set-Cookie'] = `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  }

  function handle(req: IncomingMessage, res: ServerResponse) {
    const hostOk = allowedHost(req.headers.host);
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(hostOk ? [`ws://${req.headers.host}`] : []));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (!hostOk) return send(res, 403, 'wrong Host: open the address bondbench serve printed');
    const url = parseRequestTarget(req.url);
    if (!url) return send(res, 400, 'bad request target');
    if (!authorised(req, url)) {
      return send(res, 401, 'BondBench: open the address "bondbench serve" printed, with its token');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'method not allowed');
    }
    serveFile(req, res, url).catch((error: Error) => {
      if (!res.headersSent) send(res, 500, error.message);
      else res.destroy(error);
    });
  }

  const server: Server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch {
      // No request may end the process: whatever slipped through is this request's 500.
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    }
  });
  // CONNECT would otherwise be dropped without an answer; this server proxies nothing.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    refuseUpgrade(socket, '405 Method Not Allowed');
  });
  // Unparsable HTTP (bad request line, header bytes, oversize headers): 400 and close, as RFC 9112 §3 asks.
  server.on('clientError', (_error, socket: Duplex) => {
    if (socket.writable) {
      socket.end(
        'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n',
      );
    }
    socket.destroy();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      if (!allowedHost(req.headers.host)) return refuseUpgrade(socket, '403 Forbidden');
      const url = parseRequestTarget(req.url);
      if (!url) return refuseUpgrade(socket, '400 Bad Request');
      if (url.pathname !== API_PATH) return refuseUpgrade(socket, '404 Not Found');
      if (!authorised(req, url)) return refuseUpgrade(socket, '401 Unauthorized');
      if (!allowedOrigin(req.headers.origin, req.headers.host!)) return refuseUpgrade(socket, '403 Forbidden');
      wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
    } catch {
      refuseUpgrade(socket, '400 Bad Request');
    }
  });

  function attach(ws: WebSocket): void {
    sockets.add(ws);
    let droppedFrames = 0;
    let sampledFrames = 0;
    const push = (event: BenchEvent) => {
      if (ws.readyState !== ws.OPEN) return;
      if (event.type === 'frames') {
        // A tab that cannot keep up loses frame batches, counted, rather than growing an unbounded queue.
        if (ws.bufferedAmount > FRAMES_HIGH_WATER) {
          droppedFrames += event.frames.length + event.dropped;
          sampledFrames += event.sampled ?? 0;
          return;
        }
        if (droppedFrames > 0 || sampledFrames > 0) {
          event = { ...event, dropped: event.dropped + droppedFrames, sampled: (event.sampled ?? 0) + sampledFrames };
          droppedFrames = 0;
          sampledFrames = 0;
        }
      }
      ws.send(JSON.stringify({ event }));
    };
    const unsubscribe = options.bench.onEvent(push);
    ws.on('close', () => {
      unsubscribe();
      sockets.delete(ws);
    });
    ws.on('error', () => ws.terminate());
    // Every frame gets one answer; nothing a page sends (or a result that cannot be sent) may throw out of here.
    const reply = (message: {
      id: number | string | null;
      result?: unknown;
      error?: { message: string; parts?: ReasonPart[] };
    }) => {
      if (ws.readyState !== ws.OPEN) return;
      let text: string;
      try {
        text = JSON.stringify(message.error ? message : { id: message.id, result: message.result ?? null });
      } catch (error) {
        text = JSON.stringify({
          id: message.id,
          error: errorReply(new SaidError('ApiReplyError', 'error.api.notSent', { cause: errorPart(error) })),
        });
      }
      ws.send(text, () => undefined);
    };
    ws.on('message', (data, isBinary) => {
      if (isBinary) return reply({ id: null, error: errorReply(new SaidError('ApiRequestError', 'error.api.binary')) });
      let request: ApiRequest;
      try {
        request = parseApiRequest(String(data));
      } catch (error) {
        const id = error instanceof ApiRequestError ? error.id : null;
        return reply({ id, error: errorReply(error) });
      }
      call(request).then(
        (result) => reply({ id: request.id, result }),
        // The parts say what failed in the page's language (shared/run/failure.ts); the message stays English.
        (error: unknown) => reply({ id: request.id, error: errorReply(error) }),
      );
    });
  }

  function call({ method, params }: ApiRequest): Promise<unknown> {
    const fn = options.bench[method] as (...args: unknown[]) => Promise<unknown>;
    return Promise.resolve().then(() => fn.apply(options.bench, params));
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new SaidError('ServeError', 'error.server.portInUse', { port: String(options.port) }, { cause: error })
          : error,
      ),
    );
    server.listen(options.port ?? 0, LOOPBACK, () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  ports.add(port);
  for (const forwarded of options.forwardedPorts ?? []) ports.add(forwarded);
  cookieName = `bondbench_${port}`;

  return {
    port,
    token,
    url: `http://${LOOPBACK}:${port}/?token=${token}`,
    clients: () => sockets.size,
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const ws of sockets) ws.close(1001, 'BondBench is stopping');
        wss.close();
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
