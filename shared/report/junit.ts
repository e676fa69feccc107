/**
 * A run as JUnit XML, the test-report format Jenkins (junit step), GitLab (artifacts:reports:junit) and most CI
 * servers read: one <testsuite> per mode and repetition, one <testcase> per matrix cell (an unexpected verdict is a
 * <failure> with its reason, a cell that could not be measured is <skipped>), one <testcase> with an <error> per
 * failed step, and one for the run itself when it failed or was stopped. Element and attribute names follow the
 * Jenkins xunit plugin's JUnit schema (testsuites/testsuite/properties/testcase/failure|error|skipped/system-out).
 * Pure.
 */
import type { Plan } from '../plan/plan.js';
import { pointLabel, sweepPoints } from '../plan/sweep.js';
import {
  ALL_REPETITIONS,
  type Cell,
  MATRIX_COLUMNS,
  type MatrixRow,
  type RunManifest,
  type RunStatus,
  type StepRecord,
} from '../run/model.js';
import { columnLabel } from './build.js';

export interface JunitInput {
  runId: string;
  planName: string;
  slaves: readonly string[];
  status: RunStatus;
  /** Why the run failed, when it did. */
  error?: string;
  /** ISO 8601; the run's start. */
  startedAt: string;
  host?: string;
  kernel?: string;
  matrix: MatrixRow[];
  steps: StepRecord[];
  /** A sweep's point labels by index ("miimon=50"), to name each point's suites. */
  points?: Map<number, string>;
}

/**
 * XML 1.0 allows only #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]: anything else
 * (a control byte from a host's output, a lone surrogate) is replaced, then markup characters are escaped.
 */
export function xmlText(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** An attribute value: as text, with line breaks kept as character references (attribute normalisation). */
function attr(value: string | number): string {
  return xmlText(String(value)).replaceAll('\n', '&#10;').replaceAll('\r', '&#13;').replaceAll('\t', '&#9;');
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** JUnit timestamps carry no zone (the schema's pattern): UTC, to the second. */
function timestamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '1970-01-01T00:00:00' : date.toISOString().slice(0, 19);
}

interface Case {
  name: string;
  classname: string;
  timeMs: number;
  outcome?: { kind: 'failure' | 'error' | 'skipped'; message: string; type?: string; detail?: string };
}

function cellCase(classname: string, name: string, cell: Cell | undefined, notRun?: string): Case {
  if (!cell) {
    return { name, classname, timeMs: 0, outcome: { kind: 'skipped', message: notRun ?? 'not measured' } };
  }
  const detail = `${cell.text}\n${cell.reason}`;
  switch (cell.verdict) {
    case 'expected':
      return { name, classname, timeMs: 0 };
    case 'unexpected':
      return {
        name,
        classname,
        timeMs: 0,
        outcome: { kind: 'failure', type: 'unexpected', message: `${cell.text}: ${cell.reason}`, detail },
      };
    default:
      return { name, classname, timeMs: 0, outcome: { kind: 'skipped', message: `not measurable: ${cell.reason}` } };
  }
}

function caseXml(c: Case): string {
  const head = `    <testcase name="${attr(c.name)}" classname="${attr(c.classname)}" time="${seconds(c.timeMs)}"`;
  if (!c.outcome) return `${head}/>`;
  const o = c.outcome;
  if (o.kind === 'skipped') return `${head}>\n      <skipped message="${attr(o.message)}"/>\n    </testcase>`;
  return `${head}>\n      <${o.kind} message="${attr(o.message)}" type="${attr(o.type ?? o.kind)}">${xmlText(o.detail ?? o.message)}</${o.kind}>\n    </testcase>`;
}

function suiteXml(name: string, cases: Case[], startedAt: string, properties: [string, string][]): string {
  const count = (kind: string) => cases.filter((c) => c.outcome?.kind === kind).length;
  const time = cases.reduce((sum, c) => sum + c.timeMs, 0);
  const props = properties.length
    ? `    <properties>\n${properties.map(([k, v]) => `      <property name="${attr(k)}" value="${attr(v)}"/>`).join('\n')}\n    </properties>\n`
    : '';
  return (
    `  <testsuite name="${attr(name)}" tests="${cases.length}" failures="${count('failure')}" errors="${count('error')}" ` +
    `skipped="${count('skipped')}" time="${seconds(time)}" timestamp="${timestamp(startedAt)}">\n` +
    `${props}${cases.map(caseXml).join('\n')}\n  </testsuite>`
  );
}

/** The run as a JUnit XML document (UTF-8). */
export function runToJunit(input: JunitInput): string {
  const suites: string[] = [];
  let totals = { tests: 0, failures: 0, errors: 0, skipped: 0, timeMs: 0 };
  const add = (name: string, cases: Case[], properties: [string, string][] = []) => {
    suites.push(suiteXml(name, cases, input.startedAt, properties));
    totals = {
      tests: totals.tests + cases.length,
      failures: totals.failures + cases.filter((c) => c.outcome?.kind === 'failure').length,
      errors: totals.errors + cases.filter((c) => c.outcome?.kind === 'error').length,
      skipped: totals.skipped + cases.filter((c) => c.outcome?.kind === 'skipped').length,
      timeMs: totals.timeMs + cases.reduce((sum, c) => sum + c.timeMs, 0),
    };
  };
  const repeated = new Set(input.matrix.map((r) => r.repetition)).size > 1;
  // A pooled row (ALL_REPETITIONS) judges the same pulls as its repetitions' rows: counting it would fail a
  // contradicting pull twice.
  for (const row of input.matrix.filter((r) => r.repetition !== ALL_REPETITIONS)) {
    const classname = `bondbench.${row.mode}`;
    const mine = input.steps.filter(
      (s) => s.mode === row.mode && s.repetition === row.repetition && s.point === row.point,
    );
    const point = row.point !== undefined ? (input.points?.get(row.point) ?? `point ${row.point}`) : undefined;
    const bringUp = mine.find((s) => s.kind === 'bring-up');
    const notRun = bringUp?.status === 'failed' ? 'not measured: the mode’s bring-up failed' : undefined;
    const cases: Case[] = MATRIX_COLUMNS.map((column) =>
      cellCase(classname, columnLabel('en', column, input.slaves), row.cells[column], notRun),
    );
    for (const step of mine.filter((s) => s.status === 'failed')) {
      cases.push({
        name: `step ${step.index}: ${step.label}`,
        classname,
        timeMs: step.durationMs,
        outcome: { kind: 'error', type: 'step-failed', message: step.error ?? 'failed', detail: step.error },
      });
    }
    // The cells take no time of their own: the mode's time is its steps'.
    const stepsMs = mine.reduce((sum, s) => sum + s.durationMs, 0);
    if (cases[0]) cases[0] = { ...cases[0], timeMs: cases[0].timeMs + stepsMs };
    const suite = repeated ? `${row.mode} #${row.repetition}` : row.mode;
    add(point ? `${point} ${suite}` : suite, cases, [
      ...(point ? [['sweep point', point] as [string, string]] : []),
      ['mode', row.mode],
      ['repetition', String(row.repetition)],
      ...row.notes.map((note): [string, string] => ['note', note]),
    ]);
  }
  if (input.status !== 'completed') {
    const message =
      input.status === 'cancelled'
        ? 'the run was stopped before it finished'
        : `the run ${input.status}${input.error ? `: ${input.error}` : ''}`;
    add('run', [
      {
        name: 'run',
        classname: 'bondbench',
        timeMs: 0,
        outcome: { kind: 'error', type: `run-${input.status}`, message, detail: input.error ?? message },
      },
    ]);
  }
  const properties: [string, string][] = [
    ['run', input.runId],
    ...(input.host ? [['host', input.host] as [string, string]] : []),
    ...(input.kernel ? [['kernel', input.kernel] as [string, string]] : []),
  ];
  const runProps = properties.map(([k, v]) => `${k}=${v}`).join(', ');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="${attr(`BondBench: ${input.planName} (${runProps})`)}" tests="${totals.tests}" ` +
    `failures="${totals.failures}" errors="${totals.errors}" time="${seconds(totals.timeMs)}">\n` +
    `${suites.join('\n')}\n</testsuites>\n`
  );
}

/**
 * The exit status of `bondbench run`: 0 every cell as expected and every step done, 1 some cell unexpected or a
 * step failed, 2 the run failed or was stopped.
 */
export function runExitStatus(status: RunStatus, matrix: MatrixRow[], steps: StepRecord[]): 0 | 1 | 2 {
  if (status !== 'completed') return 2;
  const unexpected = matrix.some((row) => Object.values(row.cells).some((cell) => cell?.verdict === 'unexpected'));
  return unexpected || steps.some((s) => s.status === 'failed') ? 1 : 0;
}

/** The JUnit input of a run folder's parts (the matrix judged from its steps, as the report does). */
export function junitInputOf(
  run: { manifest: RunManifest; plan: Plan; steps: StepRecord[] },
  matrix: MatrixRow[],
): JunitInput {
  return {
    runId: run.manifest.id,
    planName: run.plan.name,
    slaves: run.plan.bond.slaves,
    status: run.manifest.status,
    error: run.manifest.error,
    startedAt: run.manifest.startedAt,
    host: run.manifest.host?.target,
    kernel: run.manifest.host?.kernel,
    matrix,
    steps: run.steps,
    points: new Map(sweepPoints(run.plan).map((p) => [p.index, pointLabel(p)])),
  };
}
