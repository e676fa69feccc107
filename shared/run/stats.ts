/**
 * Statistics over repetitions: failover time (the longest reply gap around a pull) per mode and per pulled slave.
 * Under TCG a single pull's gap varies run to run, so it is judged over repetitions. Pure.
 */
import type { ModeName } from '../plan/plan.js';
import type { StepRecord } from './model.js';

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface FailoverStat {
  mode: ModeName;
  /** The pulled slave, or null for every pull of the mode together. */
  slave: string | null;
  /** Pulls that measured a failover time. */
  count: number;
  /** Pull steps with a probe, measured or not (a pull after which replies never came back has no gap). */
  pulls: number;
  minMs: number;
  medianMs: number;
  maxMs: number;
  /** The measured times in step order, and the steps they came from. */
  valuesMs: number[];
  steps: number[];
  /** Probe interval (ms): the resolution of every value. */
  resolutionMs: number;
}

/** min, median (mean of the middle two for an even count) and max; undefined for no values. */
export function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
}

function stat(mode: ModeName, slave: string | null, pulls: StepRecord[]): FailoverStat | undefined {
  const measured = pulls.filter((s) => s.measurements?.probe?.failoverMs !== undefined);
  const values = measured.map((s) => s.measurements!.probe!.failoverMs!);
  const s = spread(values);
  if (!s) return undefined;
  const rates = pulls.map((p) => p.measurements!.probe!.rate).filter((r) => r > 0);
  return {
    mode,
    slave,
    count: values.length,
    pulls: pulls.length,
    minMs: s.min,
    medianMs: s.median,
    maxMs: s.max,
    valuesMs: values,
    steps: measured.map((p) => p.index),
    resolutionMs: rates.length > 0 ? 1000 / Math.min(...rates) : 0,
  };
}

/**
 * For each mode (in the order given, else first seen): one entry per pulled slave, then one for all of the mode's
 * pulls. Only pulls that finished and probed count; a mode without a measured failover has no entry.
 */
export function failoverStats(steps: readonly StepRecord[], modeOrder?: readonly ModeName[]): FailoverStat[] {
  const pulls = steps.filter((s) => s.kind === 'pull' && s.status === 'ok' && s.measurements?.probe);
  const modes = modeOrder ?? [...new Set(steps.map((s) => s.mode))];
  const result: FailoverStat[] = [];
  for (const mode of modes) {
    const mine = pulls.filter((s) => s.mode === mode);
    const slaves = [...new Set(mine.map((s) => s.slave ?? '?'))];
    for (const slave of slaves) {
      const entry = stat(
        mode,
        slave,
        mine.filter((s) => (s.slave ?? '?') === slave),
      );
      if (entry) result.push(entry);
    }
    const all = stat(mode, null, mine);
    if (all) result.push(all);
  }
  return result;
}

/** The nearest-rank percentile (p in 0–100) of the values; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** One mode at one sweep point: the figures over every pull of every repetition there. */
export interface SweepCell {
  point: number;
  /** Pulls with a probe at this point, measured or not. */
  pulls: number;
  /** Pulls that measured a failover time (replies came back). */
  measured: number;
  failoverMedianMs?: number;
  /** Nearest-rank 95th percentile: with few pulls, the largest or close to it. */
  failoverP95Ms?: number;
  failoverMaxMs?: number;
  /** Echo requests lost around the pulls, median per pull. */
  lostMedian?: number;
  /** Probe interval (ms): the resolution of every time. */
  resolutionMs: number;
}

export interface SweepSeries {
  mode: ModeName;
  cells: SweepCell[];
}

/**
 * The figures of a sweep against its points, per mode (in the order given): what the report plots. A point
 * where a mode never measured a pull still has a cell, with counts and no times.
 */
export function sweepSeries(
  steps: readonly StepRecord[],
  points: readonly number[],
  modeOrder: readonly ModeName[],
): SweepSeries[] {
  const pulls = steps.filter((s) => s.kind === 'pull' && s.status === 'ok' && s.measurements?.probe);
  return modeOrder
    .filter((mode) => mode !== 'standalone' || pulls.some((s) => s.mode === mode))
    .map((mode) => ({
      mode,
      cells: points.map((point): SweepCell => {
        const mine = pulls.filter((s) => s.mode === mode && s.point === point);
        const times = mine.flatMap((s) =>
          s.measurements!.probe!.failoverMs === undefined ? [] : [s.measurements!.probe!.failoverMs],
        );
        const rates = mine.map((s) => s.measurements!.probe!.rate).filter((r) => r > 0);
        return {
          point,
          pulls: mine.length,
          measured: times.length,
          failoverMedianMs: spread(times)?.median,
          failoverP95Ms: percentile(times, 95),
          failoverMaxMs: spread(times)?.max,
          lostMedian: spread(mine.map((s) => s.measurements!.probe!.lost))?.median,
          resolutionMs: rates.length > 0 ? 1000 / Math.min(...rates) : 0,
        };
      }),
    }));
}
