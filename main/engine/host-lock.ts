/**
 * One run per host at a time, across every BondBench process of this machine: a lock file per host, created
 * exclusively (written whole, then link(2)ed into place) and holding the owner's pid, its start time (/proc/<pid>/stat field 22) and this machine's
 * name. A lock whose owner is gone — the pid is dead, or is now another process — is stale and taken over, so a
 * crashed bench never blocks the host for good.
 */
import { readFileSync } from 'node:fs';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SaidError } from '../../shared/run/said-error.js';
import { cacheDir } from '../paths.js';

export interface LockOwner {
  pid: number;
  /** The owner's start time in clock ticks since boot (Linux), to tell a reused pid from the owner. */
  started?: number;
  machine: string;
  runId: string;
  target: string;
  since: string;
}

/** Where host locks live: $BONDBENCH_LOCKS, or `locks/` in the cache folder. */
export function locksDir(): string {
  return process.env.BONDBENCH_LOCKS ?? join(cacheDir(), 'locks');
}

/**
 * The lock's name for a plan's host target: `lab:<instance>` and `lab` by instance, an SSH target by its host
 * and port (the user does not matter: it is the same machine). Characters outside `A-Za-z0-9.-` become "_".
 */
export function hostLockKey(
  target: string,
  defaultLabInstance = process.env.BONDBENCH_LAB_INSTANCE ?? 'default',
): string {
  const text = target.trim();
  if (text === 'lab') return `lab-${defaultLabInstance}`;
  if (text.startsWith('lab:')) return `lab-${text.slice(4)}`.replace(/[^A-Za-z0-9.-]/g, '_');
  let rest = text.replace(/^ssh:\/\//, '').replace(/\/$/, '');
  rest = rest.slice(rest.lastIndexOf('@') + 1);
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  let host = rest;
  let port = '22';
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2] ?? '22';
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    [host, port] = rest.split(':') as [string, string];
  }
  return `ssh-${host.toLowerCase()}-${port}`.replace(/[^A-Za-z0-9.-]/g, '_');
}

function processStart(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces and parentheses): state is field 3, starttime field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const value = Number(fields[19]);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function alive(owner: LockOwner): boolean {
  if (owner.machine !== hostname()) return true; // Another machine's process: we cannot tell, so it holds.
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const started = processStart(owner.pid);
  return owner.started === undefined || started === undefined || started === owner.started;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as LockOwner;
    return Number.isInteger(value.pid) && value.pid > 0 && typeof value.machine === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A held host lock; release() removes it if it is still ours. */
export interface HostLock {
  key: string;
  path: string;
  /** Records the run's id once its folder exists (the lock is taken before, so a busy host leaves no folder). */
  rename(runId: string): Promise<void>;
  release(): Promise<void>;
}

/** The host is already being run against; says by which run and process. */
export class HostBusyError extends SaidError {
  constructor(
    readonly target: string,
    readonly owner: LockOwner,
  ) {
    super('HostBusyError', 'error.hostBusy', {
      target,
      runId: owner.runId,
      pid: String(owner.pid),
      machine: owner.machine,
      since: owner.since,
    });
  }
}

/**
 * Takes the lock of `target` for run `runId`; throws HostBusyError when a live process holds it. A stale lock
 * (owner dead or its pid reused) is taken over.
 */
export async function acquireHostLock(target: string, runId: string, dir = locksDir()): Promise<HostLock> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const key = hostLockKey(target);
  const path = join(dir, `${key}.lock`);
  const me: LockOwner = {
    pid: process.pid,
    started: processStart(process.pid),
    machine: hostname(),
    runId,
    target,
    since: new Date().toISOString(),
  };
  let text = `${JSON.stringify(me)}\n`;
  // Written whole, then linked into place: link(2) fails if the lock exists, and nobody sees it half-written.
  const temp = `${path}.new-${process.pid}-${Date.now()}`;
  for (let attempt = 0; attempt < 5; attempt++) {
    await writeFile(temp, text, { mode: 0o600 });
    try {
      await link(temp, path);
      await unlink(temp).catch(() => undefined);
      return {
        key,
        path,
        async rename(id: string) {
          const next = `${JSON.stringify({ ...me, runId: id })}\n`;
          const now = await readFile(path, 'utf8').catch(() => '');
          if (now !== text) return;
          await writeFile(temp, next, { mode: 0o600 });
          await rename(temp, path);
          text = next;
        },
        release: async () => {
          const now = await readFile(path, 'utf8').catch(() => '');
          if (now === text) await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = await readFile(path, 'utf8').catch(() => undefined);
    if (held === undefined) continue; // Released meanwhile: try again.
    const owner = parseOwner(held);
    if (owner && alive(owner)) throw new HostBusyError(target, owner);
    // Stale (or unreadable, e.g. cut short by a crash while written): move it aside, but only if it is still
    // the file we judged — another process may have taken it over in between.
    const aside = `${path}.stale-${process.pid}-${attempt}`;
    await rename(path, aside).catch(() => undefined);
    const moved = await readFile(aside, 'utf8').catch(() => undefined);
    if (moved !== undefined && moved !== held) await rename(aside, path).catch(() => undefined);
    else await unlink(aside).catch(() => undefined);
  }
  throw new Error(`could not take the lock ${path}: it changes hands too often; try again`);
}
