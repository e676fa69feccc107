import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find BondBench's package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

/** The checkout or installed package, whether running from TypeScript sources or from build/. */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** Long-lived cache: guest images and the lab's stable keys. */
export function cacheDir(): string {
  if (process.env.BONDBENCH_CACHE) return process.env.BONDBENCH_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'bondbench');
}

/** Run-time state of running labs (sockets, pid files, the guest's disk). Gone with `lab down`. */
export function runtimeDir(): string {
  return process.env.BONDBENCH_RUNTIME ?? '/run/bondbench';
}
