/**
 * Where a run's time goes, for profiling (bench:matrix): with BONDBENCH_TRACE=<file>, each SSH command, tester
 * call and engine phase appends one line "<ISO start> <duration ms> <what>" to that file. Off (no cost beyond one
 * check) when the variable is unset. Lines are written synchronously so a trace survives a crash.
 */
import { appendFileSync } from 'node:fs';

const file = process.env.BONDBENCH_TRACE || undefined;

/** True when tracing is on. */
export const tracing = file !== undefined;

/**
 * Records that `what` ran from `startedAt` (performance.now(), ms) until now. `what` is flattened to one line
 * and cut to 160 characters (scripts are long).
 */
export function trace(what: string, startedAt: number): void {
  if (!file) return;
  const now = performance.now();
  const at = new Date(Date.now() - (now - startedAt)).toISOString();
  const line = what.replace(/\s*\n\s*/g, ' ⏎ ').slice(0, 160);
  try {
    appendFileSync(file, `${at} ${(now - startedAt).toFixed(1).padStart(8)} ${line}\n`);
  } catch {
    // A trace that cannot be written is no reason to fail a run.
  }
}

/** Awaits `work` and traces it under `what`. */
export async function traced<T>(what: string, work: Promise<T> | (() => Promise<T>)): Promise<T> {
  if (!file) return typeof work === 'function' ? work() : work;
  const started = performance.now();
  try {
    return await (typeof work === 'function' ? work() : work);
  } finally {
    trace(what, started);
  }
}
