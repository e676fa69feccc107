/**
 * Fuzzing `bondbench serve` as it runs: the real CLI in its own process, the real Bench over a runs folder with
 * recorded runs, a planted symlink and a canary folder beside it. Random Host, Origin, cookies, methods, request
 * targets, header bytes and bodies over raw keep-alive sockets, then random WebSocket frames (JSON or not, API
 * calls with hostile run ids). Every request must be answered, the process must stay up, and nothing outside the
 * runs folder may change. Seeded: a failure names its seed (BONDBENCH_FUZZ_SEED repeats it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { packageRoot } from '../../main/paths.js';

const HTTP_REQUESTS = Number(process.env.BONDBENCH_FUZZ_HTTP ?? 100_000);
const WS_FRAMES = 20_000;
const CONNECTIONS = 8;
const SEED = Number(process.env.BONDBENCH_FUZZ_SEED ?? 0x15f0c) >>> 0;

/** mulberry32: small, seeded, good enough to pick fuzz cases. */
function prng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const bytes = (n: number, alphabet?: string) =>
    Array.from({ length: n }, () => (alphabet ? alphabet[int(alphabet.length)] : String.fromCharCode(int(256)))).join(
      '',
    );
  return { next, int, pick, bytes };
}

let scratch: string;
let runs: string;
let canary: string;
let child: ChildProcess;
let port: number;
let token: string;
let stderr = '';

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'bondbench-fuzz-'));
  runs = join(scratch, 'runs');
  canary = join(scratch, 'canary');
  await mkdir(canary);
  await writeFile(join(canary, 'run.json'), '{}');
  await writeFile(join(canary, 'keep.txt'), 'must survive');
  for (const name of ['lab-miimon100', 'lab-miimon500']) {
    await cp(join(packageRoot, 'test/fixtures/runs', name), join(runs, name), { recursive: true });
  }
  await symlink(canary, join(runs, 'planted'));
  const renderer = join(scratch, 'renderer');
  await mkdir(join(renderer, 'assets'), { recursive: true });
  await writeFile(join(renderer, 'index.html'), '<!doctype html><title>BondBench</title>');
  await writeFile(join(renderer, 'assets', 'app.js'), 'console.log(1)');

  const tsx = pathToFileURL(join(packageRoot, 'node_modules/tsx/dist/loader.mjs')).href;
  const entry = `import { main } from ${JSON.stringify(pathToFileURL(join(packageRoot, 'main/cli/main.ts')).href)};
process.exitCode = await main(process.argv.slice(1));`;
  child = spawn(
    process.execPath,
    ['--import', tsx, '--input-type=module', '-e', entry, 'serve', '--no-open', '--runs', runs, '--renderer', renderer],
    { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BONDBENCH_LAB_INSTANCE: 'fuzz' } },
  );
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const match = /serving on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
  });
  const parsed = new URL(url);
  port = Number(parsed.port);
  token = parsed.searchParams.get('token')!;
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  await rm(scratch, { recursive: true, force: true });
});

/** One raw HTTP/1.1 request, complete (so the server never waits for more), random in every part. */
function randomRequest(r: ReturnType<typeof prng>): string {
  const tokenChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!$&'()*+,;=:@%/?#[]";
  const host = r.pick([
    `127.0.0.1:${port}`,
    `localhost:${port}`,
    '127.0.0.1:99999',
    '127.0.0.1:0',
    '127.0.0.1:65536',
    `127.0.0.1:${port}0`,
    `127.0.0.1:0${port}`,
    '127.0.0.1',
    'localhost',
    '',
    'evil.example',
    `evil.example:${port}`,
    `127.0.0.1.evil.example:${port}`,
    `[::1]:${port}`,
    `127.0.0.1:${port}@evil`,
    `127.0.0.1:${r.int(100000)}`,
    r.bytes(r.int(40), tokenChars),
    r.bytes(r.int(12)),
  ]);
  const target = r.pick([
    '/',
    `/?token=${token}`,
    `/assets/app.js?token=${token}`,
    '//[bad/',
    `//[bad/?token=${token}`,
    '/%',
    '/%zz',
    '/%00',
    `/%2e%2e/%2e%2e/etc/passwd?token=${token}`,
    `/..%2f..%2fcanary/keep.txt?token=${token}`,
    `/\\\\evil/?token=${token}`,
    '*',
    'http://127.0.0.1/',
    `http://evil.example/?token=${token}`,
    `/api?token=${token}`,
    `/${'a'.repeat(r.int(9000))}`,
    `/${r.bytes(r.int(60), tokenChars)}`,
    `/${r.bytes(r.int(30))}`,
    r.bytes(r.int(30), tokenChars),
  ]);
  const method = r.pick([
    'GET',
    'GET',
    'GET',
    'HEAD',
    'POST',
    'PUT',
    'DELETE',
    'OPTIONS',
    'CONNECT',
    'TRACE',
    'PATCH',
    r.bytes(1 + r.int(8), tokenChars),
    r.bytes(3),
  ]);
  const version = r.pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', r.bytes(8)]);
  const headers: string[] = [];
  if (r.next() < 0.95) headers.push(`Host: ${host}`);
  if (r.next() < 0.1) headers.push(`Host: ${r.pick(['evil.example', `127.0.0.1:${port}`])}`);
  if (r.next() < 0.3)
    headers.push(`Origin: ${r.pick([`http://127.0.0.1:${port}`, 'https://evil.example', 'null', r.bytes(r.int(20))])}`);
  if (r.next() < 0.3)
    headers.push(
      `Cookie: ${r.pick([`bondbench_${port}=${token}`, `bondbench_${port}=x`, r.bytes(r.int(40), tokenChars)])}`,
    );
  if (r.next() < 0.15) {
    headers.push('Connection: Upgrade', `Upgrade: ${r.pick(['websocket', 'h2c', r.bytes(5, tokenChars)])}`);
    if (r.next() < 0.5)
      headers.push('Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${r.pick(['dGhlIHNhbXBsZSBub25jZQ==', 'x'])}`);
  }
  if (r.next() < 0.1) headers.push(`Expect: ${r.pick(['100-continue', 'x'])}`);
  for (let i = r.int(4); i > 0; i--) {
    headers.push(`${r.bytes(1 + r.int(12), tokenChars.slice(0, 64))}: ${r.bytes(r.int(40), `${tokenChars} \t`)}`);
  }
  if (r.next() < 0.05) headers.push(`X-Bytes: ${r.bytes(r.int(20))}`.replace(/[\r\n]/g, ''));
  let body = '';
  if (r.next() < 0.1) {
    body = r.bytes(r.int(200), tokenChars);
    headers.push(`Content-Length: ${Buffer.byteLength(body, 'latin1')}`);
  } else if (r.next() < 0.05) {
    headers.push('Transfer-Encoding: chunked');
    body = '5\r\nhello\r\n0\r\n\r\n';
  }
  const line = `${method} ${target} ${version}`.replace(/[\r\n]/g, '');
  return `${line}\r\n${headers.map((h) => h.replace(/[\r\n]/g, '')).join('\r\n')}\r\n\r\n${body}`;
}

/** Sends requests one at a time on one keep-alive socket; returns how many were answered and which were not. */
async function httpWorker(
  r: ReturnType<typeof prng>,
  count: number,
): Promise<{ answered: number; unanswered: string[] }> {
  let answered = 0;
  const unanswered: string[] = [];
  let socket: Socket | undefined;
  let buffer = Buffer.alloc(0);
  let waiting: ((outcome: 'answered' | 'closed' | 'timeout') => void) | undefined;
  let expectedHead = false;
  let lastHead = '';
  let used = false;

  const open = () =>
    new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      socket = s;
      lastHead = '';
      s.on('error', () => undefined);
      s.once('error', reject);
      buffer = Buffer.alloc(0);
      s.on('data', (d: Buffer) => {
        if (s !== socket) return;
        buffer = Buffer.concat([buffer, d]);
        if (waiting && complete()) {
          const done = waiting;
          waiting = undefined;
          done('answered');
        }
      });
      s.on('close', () => {
        // A socket this worker already left behind says nothing about the request in flight.
        if (s !== socket) return;
        socket = undefined;
        if (waiting) {
          const done = waiting;
          waiting = undefined;
          done(buffer.length > 0 ? 'answered' : 'closed');
        }
      });
    });

  /** A full response in the buffer (status line, headers, Content-Length body), which is then consumed. */
  const complete = (): boolean => {
    const end = buffer.indexOf('\r\n\r\n');
    if (end === -1) return false;
    const head = buffer.subarray(0, end).toString('latin1');
    if (!/^HTTP\/1\.[01] \d{3}/.test(head)) return true;
    if (/^HTTP\/1\.1 (101|100)/.test(head)) {
      if (head.startsWith('HTTP/1.1 100')) {
        buffer = buffer.subarray(end + 4);
        return complete();
      }
      return true;
    }
    lastHead = head;
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    const bodyLength = expectedHead ? 0 : length;
    if (buffer.length < end + 4 + bodyLength) return false;
    buffer = buffer.subarray(end + 4 + bodyLength);
    return true;
  };

  const send = async (request: string) => {
    if (!socket) {
      await open();
      used = false;
    }
    expectedHead = request.startsWith('HEAD ');
    lastHead = '';
    return new Promise<'answered' | 'closed' | 'timeout'>((resolve) => {
      const timer = setTimeout(() => {
        waiting = undefined;
        resolve('timeout');
      }, 5_000);
      waiting = (o) => {
        clearTimeout(timer);
        resolve(o);
      };
      socket!.write(Buffer.from(request, 'latin1'));
      used = true;
    });
  };

  for (let i = 0; i < count; i++) {
    const request = randomRequest(r);
    const reused = used && socket !== undefined;
    let outcome = await send(request);
    // A keep-alive connection the server was closing as we wrote: a client retries on a fresh one.
    if (outcome === 'closed' && reused) outcome = await send(request);
    if (outcome === 'answered') answered++;
    else unanswered.push(`${outcome}: ${JSON.stringify(request.slice(0, 200))}`);
    // After an upgrade, a response that closes, HTTP/1.0, or anything left over: a fresh socket.
    const keepAlive =
      outcome === 'answered' &&
      /^HTTP\/1\.1 (?!101)/.test(lastHead) &&
      !/\r\nconnection: *close/i.test(lastHead) &&
      / HTTP\/1\.1\r\n/.test(request.slice(0, request.indexOf('\r\n') + 2)) &&
      buffer.length === 0;
    if (!keepAlive) {
      socket?.destroy();
      socket = undefined;
    }
  }
  socket?.destroy();
  return { answered, unanswered };
}

function randomFrame(r: ReturnType<typeof prng>, id: number): string | Buffer {
  const ids = [
    'lab-miimon100',
    'lab-miimon500',
    'planted',
    '../canary',
    '..',
    '.',
    '',
    '/etc',
    join(scratch, 'canary'),
    '..%2fcanary',
    'x/../../canary',
    'lab-miimon100/../../canary',
    'constructor',
    '__proto__',
    r.bytes(r.int(20), 'abc./-_%\\'),
    r.bytes(r.int(10)),
  ];
  switch (r.int(10)) {
    case 0:
      return Buffer.from(r.bytes(r.int(50)), 'latin1');
    case 1:
      return r.bytes(r.int(80));
    case 2:
      return JSON.stringify(r.pick([null, 1, 'x', [], { id }, { id, method: 'nope' }, { id, method: 'constructor' }]));
    case 3:
      return JSON.stringify({ id, method: r.pick(['getRun', 'deleteRun', 'listRuns']), params: [r.int(5), { a: 1 }] });
    default: {
      const method = r.pick([
        'listRuns',
        'getRun',
        'deleteRun',
        'compareRuns',
        'exportReport',
        'checkPlan',
        'defaultPlan',
        'cancelRun',
      ]);
      const params: Record<string, unknown[]> = {
        listRuns: [],
        defaultPlan: [r.pick(['en', 'zh-CN', 'xx'])],
        getRun: [r.pick(ids)],
        deleteRun: [r.pick(ids)],
        cancelRun: [r.pick(ids)],
        compareRuns: [r.pick(ids), r.pick(ids), r.pick(['en', 'zh-CN', 'xx'])],
        exportReport: [
          r.pick(ids),
          r.pick(['html', 'csv', 'json', 'md', 'zip', 'exe', '../x']),
          r.pick(['en', 'zh-CN', 'xx']),
        ],
        checkPlan: [r.pick(['', 'version: 1', '{', 'a: [', `host: {target: "root@$(reboot)"}`, r.bytes(r.int(100))])],
      };
      return JSON.stringify({ id, method, params: params[method] });
    }
  }
}

async function wsWorker(r: ReturnType<typeof prng>, count: number): Promise<{ sent: number; answered: number }> {
  let sent = 0;
  let answered = 0;
  while (sent < count) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    // Answers per connection: one per frame (id or null), events aside.
    let pending = 0;
    let drained: (() => void) | undefined;
    let closed = '';
    const frames = new Map<number, string>();
    ws.on('close', (code, reason) => {
      closed = `closed ${code} ${reason}`;
    });
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: unknown; event?: unknown };
      if ('event' in message) return;
      if (typeof message.id === 'number') frames.delete(message.id);
      answered++;
      pending--;
      if (pending === 0) drained?.();
    });
    const batch = Math.min(count - sent, 200);
    for (let i = 0; i < batch; i++) {
      pending++;
      const frame = randomFrame(r, sent + i);
      frames.set(sent + i, String(frame).slice(0, 160));
      ws.send(frame);
    }
    sent += batch;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `${pending} frames unanswered after 60 s (${closed || 'open'}; server exit ${child.exitCode}; ${stderr.slice(0, 2000)}); some: ${JSON.stringify([...frames.values()].slice(0, 20))}`,
            ),
          ),
        60_000,
      );
      drained = () => {
        clearTimeout(timer);
        resolve();
      };
      if (pending === 0) drained();
    });
    ws.close();
  }
  return { sent, answered };
}

describe('bondbench serve under fuzzing', () => {
  it(`answers ${HTTP_REQUESTS} random HTTP requests and ${WS_FRAMES} random WebSocket frames, and stays up`, async () => {
    const workers = Array.from({ length: CONNECTIONS }, (_, i) =>
      httpWorker(prng(SEED + i), Math.ceil(HTTP_REQUESTS / CONNECTIONS)),
    );
    const http = await Promise.all(workers);
    const answered = http.reduce((n, w) => n + w.answered, 0);
    const unanswered = http.flatMap((w) => w.unanswered);
    expect(unanswered.slice(0, 5), `seed ${SEED}`).toEqual([]);
    expect(answered).toBeGreaterThanOrEqual(HTTP_REQUESTS);
    expect(child.exitCode, stderr).toBeNull();

    const ws = await Promise.all(Array.from({ length: 4 }, (_, i) => wsWorker(prng(SEED + 100 + i), WS_FRAMES / 4)));
    expect(ws.reduce((n, w) => n + w.answered, 0)).toBe(WS_FRAMES);
    expect(child.exitCode, stderr).toBeNull();

    // Still serving, and nothing outside the runs folder was touched.
    const page = await fetch(`http://127.0.0.1:${port}/?token=${token}`);
    expect(page.status).toBe(200);
    expect((await readdir(canary)).sort()).toEqual(['keep.txt', 'run.json']);
    console.log(`fuzz (seed ${SEED}): ${answered} HTTP requests and ${WS_FRAMES} WebSocket frames answered, server up`);
  }, 600_000);
});
