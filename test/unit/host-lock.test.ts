/**
 * One run per host (main/engine/host-lock.ts) across real processes, and the process-level fatal handler that
 * restores a running run before the process leaves (main/engine/fatal.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireHostLock, HostBusyError, hostLockKey } from '../../main/engine/host-lock.js';
import { REPO } from './report-fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bondbench-locks-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tsx = pathToFileURL(join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;

describe('host locks', () => {
  it('names a host by what it is: lab instance, or SSH host and port', () => {
    expect(hostLockKey('lab:i15')).toBe('lab-i15');
    expect(hostLockKey('lab', 'i15')).toBe('lab-i15');
    expect(hostLockKey('root@Gentoo.lan')).toBe(hostLockKey('admin@gentoo.lan:22'));
    expect(hostLockKey('ssh://root@[fe80::1]:2222')).toBe('ssh-fe80__1-2222');
    expect(hostLockKey('root@../../x')).toBe('ssh-.._.._x-22');
  });

  it('lets one run at a time have a host, and frees it on release', async () => {
    const first = await acquireHostLock('lab:i15', 'run-a', dir);
    const busy = await acquireHostLock('root@10.0.0.1', 'run-b', dir);
    await expect(acquireHostLock('lab:i15', 'run-c', dir)).rejects.toThrow(HostBusyError);
    await first.rename('run-a2');
    await expect(acquireHostLock('lab:i15', 'run-c', dir)).rejects.toThrow(/in use by run run-a2 \(process /);
    await first.release();
    const again = await acquireHostLock('lab:i15', 'run-c', dir);
    await again.release();
    await busy.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over a lock a crashed process left behind (dead pid, or a pid now someone else’s)', async () => {
    // A real process that took the lock and died without releasing it.
    const script = `import { acquireHostLock } from ${JSON.stringify(pathToFileURL(join(REPO, 'main/engine/host-lock.ts')).href)};
await acquireHostLock('lab:i15', 'crashed', ${JSON.stringify(dir)});
process.exit(9);`;
    const crashed = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script]);
    expect(crashed.status).toBe(9);
    expect(await readFile(join(dir, 'lab-i15.lock'), 'utf8')).toContain('"crashed"');
    const taken = await acquireHostLock('lab:i15', 'next', dir);
    expect(await readFile(taken.path, 'utf8')).toContain('"next"');
    await taken.release();

    // Our own pid but another start time: the pid was reused, the owner is gone.
    await writeFile(
      join(dir, 'lab-i15.lock'),
      JSON.stringify({ pid: process.pid, started: 1, machine: hostname(), runId: 'old', target: 'lab:i15', since: '' }),
    );
    (await acquireHostLock('lab:i15', 'next', dir)).release();
    // A lock cut short while being written is not a lock.
    await writeFile(join(dir, 'lab-i15.lock'), '{"pid": 12');
    (await acquireHostLock('lab:i15', 'next', dir)).release();
  });

  it('holds against a live process, and lets exactly one of many racing processes win', async () => {
    const script = `import { acquireHostLock } from ${JSON.stringify(pathToFileURL(join(REPO, 'main/engine/host-lock.ts')).href)};
try { await acquireHostLock('lab:race', 'r' + process.pid, ${JSON.stringify(dir)}); console.log('won'); setTimeout(() => {}, 3000); }
catch (e) { console.log(e.name); }`;
    const children = Array.from({ length: 4 }, () =>
      spawn(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    const outputs = await Promise.all(
      children.map(
        (child) =>
          new Promise<string>((resolve) => {
            let out = '';
            child.stdout!.on('data', (d) => {
              out += d;
              if (out.includes('\n')) resolve(out.trim());
            });
          }),
      ),
    );
    expect(outputs.filter((o) => o === 'won')).toHaveLength(1);
    expect(outputs.filter((o) => o === 'HostBusyError')).toHaveLength(3);
    await expect(acquireHostLock('lab:race', 'me', dir)).rejects.toThrow(HostBusyError);
    for (const child of children) child.kill();
  }, 60_000);
});

describe('the fatal handler', () => {
  it('restores the running run, then exits, on an uncaught exception or an unhandled rejection', async () => {
    for (const fault of ['setTimeout(() => { throw new Error("boom"); }, 10);', 'Promise.reject(new Error("boom"));']) {
      const marker = join(dir, `restored-${Math.random()}`);
      const script = `import { installFatalHandler } from ${JSON.stringify(pathToFileURL(join(REPO, 'main/engine/fatal.ts')).href)};
import { writeFile } from 'node:fs/promises';
installFatalHandler({ restore: async () => { await new Promise((r) => setTimeout(r, 200)); await writeFile(${JSON.stringify(marker)}, 'restored'); } });
setInterval(() => {}, 1000);
${fault}`;
      const result = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.status, result.stderr).toBe(70);
      expect(result.stderr).toContain('fatal: Error: boom');
      expect(result.stderr).toContain('hosts restored; exiting');
      expect(await readFile(marker, 'utf8')).toBe('restored');
    }
  }, 60_000);
});
