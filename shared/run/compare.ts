/**
 * Comparison of two runs, cell by cell: what changed (a MAC or another measured value, a verdict, a failover time
 * beyond the spread of its repetitions), what stayed, what one run has that the other lacks; and both runs'
 * facts side by side, so a new kernel, other NICs or another miimon shows next to the cells it changed. Pure.
 */

import type { Comparison, Language, RunSummary } from '../api.js';
import { t } from '../i18n/catalogue.js';
import { judgeRun } from '../oracle/oracle.js';
import { type ModeName, type Plan, stepLabel } from '../plan/plan.js';
import { planAtPoint, pointLabel, sweepPoints } from '../plan/sweep.js';
import { sayCell, stepsByIndex } from '../report/cell-text.js';
import { instant } from '../report/format.js';
import {
  ALL_REPETITIONS,
  type Cell,
  MATRIX_COLUMNS,
  type MatrixColumn,
  type MatrixRow,
  type RunManifest,
  type StepRecord,
} from './model.js';
import { SaidError } from './said-error.js';
import { type FailoverStat, failoverStats } from './stats.js';

/** A run folder's content, as main/engine/store.ts reads it. */
export interface RunContent {
  manifest: RunManifest;
  plan: Plan;
  steps: StepRecord[];
}

export type CellComparison = Comparison['cells'][number];
export type FactComparison = Comparison['facts'][number];

export function runSummary(run: RunContent): RunSummary {
  const ran = new Set(run.steps.map((s) => s.mode));
  const modes = [...run.plan.modes.filter((m) => ran.has(m)), ...[...ran].filter((m) => !run.plan.modes.includes(m))];
  return {
    id: run.manifest.id,
    startedAt: run.manifest.startedAt,
    status: run.manifest.status,
    planName: run.manifest.planName,
    host: run.manifest.host?.target ?? run.plan.host.target,
    kernel: run.manifest.host?.kernel,
    modes,
    steps: run.steps.length,
    totalSteps: run.manifest.totalSteps,
  };
}

/** Columns whose measured value is compared as well as the verdict; load shares vary run to run, so not them. */
const VALUE_COLUMNS: readonly MatrixColumn[] = ['eth1Mac', 'eth2Mac', 'arpAtBoot', 'faultTolerance'];

const distinct = (values: string[]) => [...new Set(values)];
const sameSet = (a: string[], b: string[]) => {
  const x = distinct(a).sort();
  const y = distinct(b).sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

function failoverRange(language: Language, stat: FailoverStat): string {
  const key = stat.minMs === stat.maxMs ? 'report.compare.failoverValue' : 'report.compare.failoverRange';
  return t(language, key, { min: stat.minMs, max: stat.maxMs, count: stat.count });
}

/**
 * Failover changed when the two runs' ranges (min–max over every pull of the mode, widened by one probe interval,
 * the measurement's resolution) do not overlap.
 */
export function failoverDiffers(a: FailoverStat, b: FailoverStat): boolean {
  return a.maxMs + a.resolutionMs < b.minMs - b.resolutionMs || b.maxMs + b.resolutionMs < a.minMs - a.resolutionMs;
}

interface Side {
  rows: MatrixRow[];
  failover: FailoverStat[];
  ran: Set<ModeName>;
  stepAt: (index: number) => StepRecord | undefined;
}

/** One side's cells of one mode and column, with what saying them needs. */
interface Picked {
  cells: Cell[];
  stat?: FailoverStat;
  ran: boolean;
  stepAt: Side['stepAt'];
}

function side(run: RunContent): Side {
  const modes = [...run.plan.modes, ...new Set(run.steps.map((s) => s.mode))];
  return {
    // Pooled rows judge the same pulls again; the failover range below is taken over every pull.
    rows: judgeRun(run.plan, run.steps).filter((r) => r.repetition !== ALL_REPETITIONS),
    failover: failoverStats(run.steps, [...new Set(modes)]),
    ran: new Set(run.steps.map((s) => s.mode)),
    stepAt: stepsByIndex(run.steps),
  };
}

/** The cells' texts in `language`, as the matrix says them (shared/report/cell-text.ts). */
function texts(language: Language, column: MatrixColumn, cells: Cell[], stepAt: Side['stepAt']): string[] {
  return distinct(cells.map((c) => sayCell((key, vars) => t(language, key, vars), column, c, stepAt)));
}

function cellsText(language: Language, column: MatrixColumn, present: Picked): string {
  if (column === 'failoverMs' && present.stat) return failoverRange(language, present.stat);
  const verdicts = distinct(present.cells.map((c) => t(language, `verdict.${c.verdict}`)));
  return `${texts(language, column, present.cells, present.stepAt).join(' / ')} (${verdicts.join(' / ')})`;
}

function compareCell(
  language: Language,
  mode: ModeName,
  column: MatrixColumn,
  a: Picked,
  b: Picked,
): CellComparison | undefined {
  if (a.cells.length === 0 && b.cells.length === 0) return undefined;
  const base = { mode, column };
  if (a.cells.length === 0 || b.cells.length === 0) {
    const onlyA = b.cells.length === 0;
    const missing = onlyA ? 'B' : 'A';
    const present = onlyA ? a : b;
    return {
      ...base,
      change: onlyA ? 'only-a' : 'only-b',
      [onlyA ? 'a' : 'b']: cellsText(language, column, present),
      note: t(language, (onlyA ? b : a).ran ? 'report.compare.notMeasured' : 'report.compare.notRun', { run: missing }),
    };
  }
  const notes: string[] = [];
  if (VALUE_COLUMNS.includes(column)) {
    const va = a.cells.map((c) => String(c.value));
    const vb = b.cells.map((c) => String(c.value));
    if (!sameSet(va, vb)) {
      notes.push(
        t(language, 'report.compare.value', {
          from: texts(language, column, a.cells, a.stepAt).join(' / '),
          to: texts(language, column, b.cells, b.stepAt).join(' / '),
        }),
      );
    }
  }
  const verdictsA = a.cells.map((c) => c.verdict);
  const verdictsB = b.cells.map((c) => c.verdict);
  if (!sameSet(verdictsA, verdictsB)) {
    const say = (vs: string[]) => distinct(vs.map((v) => t(language, `verdict.${v}`))).join(' / ');
    notes.push(t(language, 'report.compare.verdict', { from: say(verdictsA), to: say(verdictsB) }));
  }
  let within: string | undefined;
  if (column === 'failoverMs' && a.stat && b.stat) {
    const vars = { a: failoverRange(language, a.stat), b: failoverRange(language, b.stat) };
    if (failoverDiffers(a.stat, b.stat)) notes.push(t(language, 'report.compare.failoverBeyond', vars));
    else within = t(language, 'report.compare.failoverWithin', vars);
  }
  return {
    ...base,
    change: notes.length > 0 ? 'changed' : 'same',
    a: cellsText(language, column, a),
    b: cellsText(language, column, b),
    ...(notes.length > 0 ? { note: notes.join('; ') } : within ? { note: within } : {}),
  };
}

function facts(language: Language, a: RunContent, b: RunContent): FactComparison[] {
  const list: FactComparison[] = [];
  const fact = (name: string, va: string | undefined, vb: string | undefined) =>
    list.push({ name, a: va, b: vb, changed: va !== vb });
  const f = (key: string) => t(language, `report.fact.${key}`);
  const both = <T>(get: (run: RunContent) => T) => [get(a), get(b)] as const;
  const pair = (name: string, get: (run: RunContent) => string | number | undefined) => {
    const [va, vb] = both(get);
    fact(name, va === undefined ? undefined : String(va), vb === undefined ? undefined : String(vb));
  };
  pair(f('runId'), (r) => r.manifest.id);
  pair(f('startedAt'), (r) => instant(r.manifest.startedAt));
  pair(f('status'), (r) => r.manifest.status);
  pair(f('benchVersion'), (r) => r.manifest.benchVersion);
  pair(f('planName'), (r) => r.manifest.planName);
  pair(f('target'), (r) => r.manifest.host?.target ?? r.plan.host.target);
  pair(f('kernel'), (r) => r.manifest.host?.kernel);
  pair(f('distribution'), (r) => r.manifest.host?.distribution);
  const nicNames = distinct([...(a.manifest.host?.nics ?? []), ...(b.manifest.host?.nics ?? [])].map((n) => n.name));
  for (const name of nicNames) {
    pair(t(language, 'report.compare.nic', { name }), (r) => {
      const nic = r.manifest.host?.nics.find((n) => n.name === name);
      if (!nic) return undefined;
      return [
        nic.permanentMac ?? nic.mac,
        nic.driver,
        nic.speedMbps === undefined ? undefined : `${nic.speedMbps} Mb/s`,
      ]
        .filter(Boolean)
        .join(' ');
    });
  }
  pair(f('tester'), (r) => r.manifest.tester?.interface ?? r.plan.tester.interface);
  pair(f('filter'), (r) => r.manifest.tester?.filter);
  pair(f('modes'), (r) => r.plan.modes.join(', '));
  pair(
    f('bond'),
    (r) => `${r.plan.bond.name}: ${r.plan.bond.slaves.join(', ')}, ${r.plan.bond.address}, peer ${r.plan.bond.peer}`,
  );
  const optionNames = distinct([...Object.keys(a.plan.bond.options), ...Object.keys(b.plan.bond.options)]);
  for (const name of optionNames) {
    pair(t(language, 'report.compare.option', { name }), (r) => {
      const v = r.plan.bond.options[name as keyof Plan['bond']['options']];
      return v === undefined ? undefined : Array.isArray(v) ? v.join(' ') : String(v);
    });
  }
  pair(f('apply'), (r) => r.plan.apply.method);
  pair(t(language, 'report.compare.perMode'), (r) =>
    Object.entries(r.plan.apply.perMode ?? {})
      .map(([m, method]) => `${m}: ${method}`)
      .join(', '),
  );
  pair(f('probeRate'), (r) => r.plan.probe.rate);
  pair(f('stepList'), (r) => r.plan.steps.map(stepLabel).join(' → '));
  pair(f('repeat'), (r) => r.plan.repeat);
  pair(t(language, 'report.compare.driverPower'), (r) => r.plan.drivers.power.type);
  pair(t(language, 'report.compare.driverLink'), (r) => r.plan.drivers.link.type);
  return list;
}

/** Run A against run B: every cell of either matrix, and the facts of both. */
export function compareRuns(a: RunContent, b: RunContent, language: Language = 'en'): Comparison {
  const sa = side(a);
  const sb = side(b);
  const modes = distinct([...a.plan.modes, ...b.plan.modes, ...sa.ran, ...sb.ran]) as ModeName[];
  const cells: CellComparison[] = [];
  for (const mode of modes) {
    for (const column of MATRIX_COLUMNS) {
      const pick = (s: Side) => ({
        cells: s.rows.filter((r) => r.mode === mode).flatMap((r) => (r.cells[column] ? [r.cells[column]] : [])),
        stat: s.failover.find((f) => f.mode === mode && f.slave === null),
        ran: s.ran.has(mode),
        stepAt: s.stepAt,
      });
      const entry = compareCell(language, mode, column, pick(sa), pick(sb));
      if (entry) cells.push(entry);
    }
  }
  return { a: runSummary(a), b: runSummary(b), cells, facts: facts(language, a, b), slaves: [...a.plan.bond.slaves] };
}

/**
 * One point of a sweep's run as a run of its own (the point's plan, its steps with the point dropped, the id
 * suffixed `@miimon=50`), so two points of one run, or a point and another run, compare like two runs.
 * `selector` is the point's index or its values as `option=value[,option=value]`; throws when it names none.
 */
export function sweepPointRun(run: RunContent, selector: string): RunContent {
  const points = sweepPoints(run.plan);
  if (points.length === 0)
    throw new SaidError('SweepPointError', 'error.sweepPoint.notSweep', { run: run.manifest.id });
  const wanted = selector.trim();
  const point = /^\d+$/.test(wanted)
    ? points[Number(wanted)]
    : points.find((p) => {
        const pairs = wanted.split(',').map((pair) => pair.trim().split('='));
        return (
          pairs.length === Object.keys(p.values).length &&
          pairs.every(([k, v]) => k !== undefined && String(p.values[k as keyof typeof p.values]) === v)
        );
      });
  if (!point) {
    throw new SaidError('SweepPointError', 'error.sweepPoint.none', {
      run: run.manifest.id,
      point: JSON.stringify(selector),
      points: points.map((p) => `${p.index} (${pointLabel(p)})`).join(', '),
    });
  }
  return {
    manifest: { ...run.manifest, id: `${run.manifest.id}@${pointLabel(point).replaceAll(', ', ',')}` },
    plan: planAtPoint(run.plan, point),
    steps: run.steps.filter((s) => s.point === point.index).map(({ point: _point, ...step }) => step),
  };
}
