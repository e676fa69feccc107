/** A real pdudaemon (Debian's package) on 127.0.0.1 and a free port, for the pdudaemon driver's tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PduDaemon {
  url: string;
  dir: string;
  /** What the daemon logged so far. */
  log(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts pdudaemon with the PDUs (pdudaemon.conf "pdus") that pdusIn(dir) returns for its own scratch directory, and
 * waits until its HTTP listener accepts.
 */
export async function startPduDaemon(
  pdusIn: (dir: string) => Record<string, Record<string, unknown>>,
  cwd?: string,
): Promise<PduDaemon> {
  const dir = await mkdtemp(join(tmpdir(), 'bondbench-pdudaemon-'));
  const port = await freePort();
  const conf = join(dir, 'pdudaemon.conf');
  await writeFile(
    conf,
    JSON.stringify({
      daemon: { hostname: '127.0.0.1', port, logging_level: 'DEBUG', listener: 'http' },
      pdus: pdusIn(dir),
    }),
  );
  let output = '';
  let child: ChildProcess;
  try {
    child = spawn('pdudaemon', ['--conf', conf, '--logfile', '-'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    const failed = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(r, 100))]);
    if (failed) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`cannot start pdudaemon (${failed.message}): apt-get install pdudaemon`);
    }
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`pdudaemon exited with ${child.exitCode}:\n${output}`);
    }
    if (await accepts(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`pdudaemon did not listen on 127.0.0.1:${port} within 15 s:\n${output}`);
    }
  }
  return { url: `http://127.0.0.1:${port}`, dir, log: () => output, stop };
}
