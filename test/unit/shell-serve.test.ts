/**
 * Browser mode's server and the renderer's WebSocket transport, end to end over real sockets on loopback.
 * The bench behind them is a small Bench-shaped object: this test is about the transport and its guard.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  type BenchServer,
  hostAllowed,
  parseApiRequest,
  parseRequestTarget,
  startBenchServer,
} from '../../main/server/server.js';
import { errorText } from '../../renderer/src/cells.js';
import { apiUrl, connectWebSocket, type WsClient } from '../../renderer/src/transport/ws.js';
import { API_METHODS, API_PARAMS, type BenchClient, type BenchEvent } from '../../shared/api.js';
import { t } from '../../shared/i18n/catalogue.js';

/** Echoes its arguments, fails on demand, and emits whatever the test asks. */
function benchShaped() {
  const listeners = new Set<(event: BenchEvent) => void>();
  const calls: { method: string; args: unknown[] }[] = [];
  const api = Object.fromEntries(
    API_METHODS.map((method) => [
      method,
      async (...args: unknown[]) => {
        calls.push({ method, args });
        if (args[0] === 'fail') throw new Error(`${method} failed as asked`);
        return { method, args };
      },
    ]),
  );
  const bench = {
    ...api,
    onEvent(listener: (event: BenchEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as BenchClient;
  const emit = (event: BenchEvent) => {
    for (const listener of listeners) listener(event);
  };
  return { bench, calls, emit, listeners };
}

let dir: string;
let server: BenchServer;
let fake: ReturnType<typeof benchShaped>;
const clients: WsClient[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bondbench-serve-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>BondBench</title>');
  await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(tmpdir(), 'bondbench-outside.txt'), 'outside');
  fake = benchShaped();
  server = await startBenchServer({ bench: fake.bench, rendererDir: dir });
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method, headers: { host: `127.0.0.1:${server.port}`, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function upgrade(url: string, headers: Record<string, string> = {}): Promise<{ opened: boolean; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.on('unexpected-response', (_req, res) => resolve({ opened: false, status: res.statusCode }));
    ws.on('error', () => resolve({ opened: false }));
  });
}

async function client(): Promise<WsClient> {
  const url = apiUrl({ host: `127.0.0.1:${server.port}`, protocol: 'http:', search: `?token=${server.token}` });
  const c = await connectWebSocket(url, WebSocket as unknown as typeof globalThis.WebSocket);
  clients.push(c);
  return c;
}

describe('bondbench serve: the guard', () => {
  it('listens on loopback only, with a fresh random token in the address it prints', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const other = await startBenchServer({ bench: fake.bench, rendererDir: dir });
    try {
      expect(other.token).not.toBe(server.token);
      expect(other.port).not.toBe(server.port);
    } finally {
      await other.close();
    }
  });

  it('refuses pages and files without the token, or with a wrong one', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=nope')).status).toBe(401);
    expect((await get(`/?token=${server.token.slice(1)}x`)).status).toBe(401);
    expect((await get('/assets/app.js')).status).toBe(401);
    expect((await get('/assets/app.js', { cookie: `bondbench_${server.port}=wrong` })).status).toBe(401);
  });

  it('serves the page with the token, sets a strict CSP and a same-site cookie for the rest', async () => {
    const page = await get(`/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>BondBench</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${server.port};`);
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toContain(`bondbench_${server.port}=${server.token}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const asset = await get('/assets/app.js', { cookie: `other=1; bondbench_${server.port}=${server.token}` });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
  });

  it('refuses a foreign Host (DNS rebinding), other methods and paths outside the renderer', async () => {
    expect((await get(`/?token=${server.token}`, { host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get(`/?token=${server.token}`, { host: `127.0.0.1.evil.example:${server.port}` })).status).toBe(403);
    // Only the listening port: another port in Host is refused (a forward's port must be named, see below).
    expect((await get(`/?token=${server.token}`, { host: 'localhost:18080' })).status).toBe(403);
    expect((await get(`/?token=${server.token}`, { host: `localhost:${server.port}` })).status).toBe(200);
    expect((await get(`/?token=${server.token}`, {}, 'POST')).status).toBe(405);
    expect((await get(`/../bondbench-outside.txt?token=${server.token}`)).status).toBe(404);
    expect((await get(`/%2e%2e/bondbench-outside.txt?token=${server.token}`)).status).toBe(404);
    expect((await get(`/nothing-here.js?token=${server.token}`)).status).toBe(404);
  });

  it('answers a Host with an impossible port, or an unparsable target, without dying (the issue’s examples)', async () => {
    // Before: `Host: 127.0.0.1:99999` and the target `//[bad/` threw "Invalid URL" out of the handler.
    expect((await get('/', { host: '127.0.0.1:99999' })).status).toBe(403);
    expect((await get(`/?token=${server.token}`, { host: '127.0.0.1:99999' })).status).toBe(403);
    expect((await get('//[bad/')).status).toBe(400);
    expect((await get(`//evil.example/?token=${server.token}`)).status).toBe(400);
    expect((await get(`/\\evil.example/?token=${server.token}`)).status).toBe(400);
    expect(await upgrade(`ws://127.0.0.1:${server.port}//[bad/?token=${server.token}`)).toEqual({
      opened: false,
      status: 400,
    });
    expect((await get(`/?token=${server.token}`)).status).toBe(200);
  });

  it('accepts the port of an SSH forward only when it was named (--forwarded-port)', async () => {
    const other = await startBenchServer({ bench: fake.bench, rendererDir: dir, forwardedPorts: [18080] });
    try {
      const url = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request(
            { host: '127.0.0.1', port: other.port, path: `/?token=${other.token}`, headers: { host } },
            (res) => {
              res.resume();
              resolve(res.statusCode!);
            },
          );
          req.on('error', reject);
          req.end();
        });
      expect(await url('localhost:18080')).toBe(200);
      expect(await url('127.0.0.1:18080')).toBe(200);
      expect(await url('127.0.0.1:18081')).toBe(403);
      expect(await url(`127.0.0.1:${other.port}`)).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('refuses a WebSocket without the token, from another origin, or on another path', async () => {
    const base = `ws://127.0.0.1:${server.port}`;
    expect(await upgrade(`${base}/api`)).toEqual({ opened: false, status: 401 });
    expect(await upgrade(`${base}/api?token=wrong`)).toEqual({ opened: false, status: 401 });
    expect(await upgrade(`${base}/api?token=${server.token}`, { origin: 'https://evil.example' })).toEqual({
      opened: false,
      status: 403,
    });
    expect(await upgrade(`${base}/other?token=${server.token}`)).toEqual({ opened: false, status: 404 });
    expect(await upgrade(`${base}/api?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` })).toEqual({
      opened: true,
    });
    expect(await upgrade(`${base}/api`, { cookie: `bondbench_${server.port}=${server.token}` })).toEqual({
      opened: true,
    });
  });
});

describe('the WebSocket transport', () => {
  it('calls every API method with its arguments and returns the result', async () => {
    const c = await client();
    for (const method of API_METHODS) {
      const fn = c[method] as (...args: unknown[]) => Promise<unknown>;
      const args = API_PARAMS[method].map((type, i) =>
        type === 'string' ? `arg${i}` : type === 'integer' ? i : { n: i },
      );
      expect(await fn(...args)).toEqual({ method, args });
    }
  });

  it('refuses arguments the method does not take, answering the caller by its id', async () => {
    const c = await client();
    const before = fake.calls.length;
    await expect((c.getRun as (...a: unknown[]) => Promise<unknown>)(42)).rejects.toThrow('getRun takes (string)');
    await expect((c.deleteRun as (...a: unknown[]) => Promise<unknown>)()).rejects.toThrow('deleteRun takes (string)');
    await expect((c.compareRuns as (...a: unknown[]) => Promise<unknown>)('a', { b: 1 })).rejects.toThrow(
      'compareRuns takes (string, string, string)',
    );
    expect(fake.calls.length).toBe(before);
  });

  it('passes the bench’s error message back to the caller', async () => {
    const c = await client();
    await expect(c.startRun('fail')).rejects.toThrow('startRun failed as asked');
  });

  it('sends the error as message parts too, which the page says in its language (an errno cause here)', async () => {
    const c = await client();
    const error = await c.getRun('fail').catch((e: unknown) => e);
    expect((error as Error).message).toBe('getRun failed as asked');
    expect((error as { parts?: unknown }).parts).toEqual([
      { key: 'failure.cause.other', vars: { message: 'getRun failed as asked' } },
    ]);
    const said = (language: 'en' | 'zh-CN') =>
      errorText(error, ((key: string, vars?: Record<string, string | number>) => t(language, key, vars)) as never);
    expect(said('en')).toBe('getRun failed as asked');
    expect(said('zh-CN')).toBe('“getRun failed as asked”');
  });

  it('answers concurrent calls each to its own caller', async () => {
    const c = await client();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => c.getRun(`run-${i}`)));
    expect(answers.map((a) => (a as unknown as { args: string[] }).args[0])).toEqual(
      Array.from({ length: 50 }, (_, i) => `run-${i}`),
    );
  });

  it('pushes the bench’s events to every connected page, and unsubscribes a page that leaves', async () => {
    const a = await client();
    const b = await client();
    const seenA: BenchEvent[] = [];
    const seenB: BenchEvent[] = [];
    a.onEvent((e) => seenA.push(e));
    b.onEvent((e) => seenB.push(e));
    const before = fake.listeners.size;
    fake.emit({ type: 'log', runId: 'r1', line: 'hello' });
    await new Promise((r) => setTimeout(r, 100));
    expect(seenA).toEqual([{ type: 'log', runId: 'r1', line: 'hello' }]);
    expect(seenB).toEqual(seenA);
    b.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.listeners.size).toBe(before - 1);
  });

  it('fails pending and later calls with a clear message when the server stops', async () => {
    const other = await startBenchServer({ bench: fake.bench, rendererDir: dir });
    const c = await connectWebSocket(
      `ws://127.0.0.1:${other.port}/api?token=${other.token}`,
      WebSocket as unknown as typeof globalThis.WebSocket,
    );
    const closed = new Promise<string>((resolve) => c.onClose(resolve));
    await other.close();
    expect(await closed).toBe('BondBench stopped serving');
    await expect(c.listRuns()).rejects.toThrow('listRuns: BondBench stopped serving');
  });

  it('rejects connecting with a wrong token, saying what to check', async () => {
    await expect(
      connectWebSocket(
        `ws://127.0.0.1:${server.port}/api?token=wrong`,
        WebSocket as unknown as typeof globalThis.WebSocket,
      ),
    ).rejects.toThrow(/token/);
  });

  it('needs a token in the page address', () => {
    expect(() => apiUrl({ host: '127.0.0.1:1', protocol: 'http:', search: '' })).toThrow(
      'open the address "bondbench serve" printed',
    );
  });
});

describe('parseApiRequest', () => {
  it('accepts only the API’s methods, with an id and an array of params', () => {
    expect(parseApiRequest('{"id":1,"method":"listRuns"}')).toEqual({ id: 1, method: 'listRuns', params: [] });
    expect(parseApiRequest('{"id":"x","method":"getRun","params":["r"]}')).toEqual({
      id: 'x',
      method: 'getRun',
      params: ['r'],
    });
    expect(() => parseApiRequest('[1]')).toThrow('must be an object');
    expect(() => parseApiRequest('{"id":1,"method":"getRun","params":[{"a":1}]}')).toThrow('getRun takes (string)');
    expect(() => parseApiRequest('nope')).toThrow('not JSON');
    expect(() => parseApiRequest('{"id":1,"method":"constructor"}')).toThrow('unknown method "constructor"');
    expect(() => parseApiRequest('{"id":1,"method":"__proto__"}')).toThrow('unknown method');
    expect(() => parseApiRequest('{"method":"listRuns"}')).toThrow('needs an id');
    expect(() => parseApiRequest('{"id":1,"method":"getRun","params":"x"}')).toThrow('params must be an array');
  });
});

describe('hostAllowed and parseRequestTarget', () => {
  it('accepts only loopback names with one of the server’s ports', () => {
    const ports = new Set([8123]);
    expect(hostAllowed('127.0.0.1:8123', ports)).toBe(true);
    expect(hostAllowed('localhost:8123', ports)).toBe(true);
    for (const host of [
      undefined,
      '',
      '127.0.0.1',
      '127.0.0.1:99999',
      '127.0.0.1:08123',
      '127.0.0.1:8124',
      'localhost:8123 ',
      'localhost:8123\u0000',
      '127.0.0.1.evil:8123',
      '[::1]:8123',
    ]) {
      expect(hostAllowed(host, ports), String(host)).toBe(false);
    }
    expect(hostAllowed('localhost', new Set([80]))).toBe(true);
  });

  it('takes the origin form only and never throws', () => {
    expect(parseRequestTarget('/assets/a.js?x=1')?.pathname).toBe('/assets/a.js');
    for (const target of [undefined, '', '*', 'http://127.0.0.1/', '//[bad/', '//evil/', '/\\evil/', '/\\\\x', 'x']) {
      expect(parseRequestTarget(target), String(target)).toBeUndefined();
    }
  });
});
