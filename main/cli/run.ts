/** `bondbench run`, `bondbench runs`, `bondbench plan init|check`. */

import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BenchEvent, Language } from '../../shared/api.js';
import { t } from '../../shared/i18n/catalogue.js';
import { failoverWarnings, sayReason } from '../../shared/oracle/failover.js';
import { defaultLabPlan, MODE_NAMES, type ModeName, type Plan } from '../../shared/plan/plan.js';
import { loadPlan, type PlanIssue, parsePlan, planToYaml } from '../../shared/plan/plan-file.js';
import { pointLabel, sweepPoints } from '../../shared/plan/sweep.js';
import { columnLabel, stepText } from '../../shared/report/build.js';
import { sayCell, stepsByIndex } from '../../shared/report/cell-text.js';
import { displayWidth } from '../../shared/report/compare-render.js';
import { terminalText } from '../../shared/report/escape.js';
import { VERDICT_MARK } from '../../shared/report/format.js';
import { junitInputOf, runExitStatus, runToJunit } from '../../shared/report/junit.js';
import { joinParts } from '../../shared/run/failure.js';
import { textLine } from '../../shared/run/log.js';
import {
  ALL_REPETITIONS,
  MATRIX_COLUMNS,
  type MatrixRow,
  type ReasonPart,
  type StepRecord,
} from '../../shared/run/model.js';
import { SaidError } from '../../shared/run/said-error.js';
import { sweepSeries } from '../../shared/run/stats.js';
import { installFatalHandler } from '../engine/fatal.js';
import { startRun } from '../engine/session.js';
import { defaultRunsDir, listRuns, readRunFolder, resolveRun } from '../engine/store.js';
import { VirtualLab } from '../lab/lab.js';
import { exportReport } from '../report/export.js';
import { cliLanguage, cliLog, errorText, parseCommandLine, say, type Usage, UsageError, usageText } from './usage.js';

/** The run usage, with its values: the runs folder and the modes. */
function runUsage(): Usage {
  return { key: 'cli.usage.run', vars: { runsDir: defaultRunsDir(), modes: MODE_NAMES.join(', ') } };
}

const PLAN_USAGE: Usage = { key: 'cli.usage.plan' };
const RUNS_USAGE: Usage = { key: 'cli.usage.runs' };

/** Findings one to a line (`cli.lines`), as the English always listed them. */
function joinLines(lines: readonly ReasonPart[]): ReasonPart {
  const [first, ...rest] = lines;
  return rest.length ? { key: 'cli.lines', vars: { a: first!, b: joinLines(rest) } } : first!;
}

/**
 * The write-up's table, measured, with a verdict mark in every cell, in `language`: column titles, cell texts
 * (re-said from `steps`, as the report does), the reasons for ✗ and the notes from their parts; modes, MACs and
 * numbers as values.
 */
export function matrixText(
  rows: MatrixRow[],
  slaves: string[] = ['eth1', 'eth2'],
  plan?: Plan,
  language: Language = 'en',
  steps: readonly StepRecord[] = [],
): string {
  const stepAt = stepsByIndex(steps);
  const sayKey = (key: string, vars?: Record<string, string | number>) => t(language, key, vars);
  const titles = MATRIX_COLUMNS.map((c) => columnLabel(language, c, slaves));
  const repeated = new Set(rows.map((r) => r.repetition)).size > 1;
  const labels = new Map(plan ? sweepPoints(plan).map((p) => [p.index, pointLabel(p)]) : []);
  const table = rows.map((row) => [
    `${row.point !== undefined ? `${labels.get(row.point) ?? row.point}  ` : ''}${repeated ? `${row.mode} #${row.repetition === ALL_REPETITIONS ? say(language, 'matrix.all') : row.repetition}` : row.mode}`,
    ...MATRIX_COLUMNS.map((c) => {
      const cell = row.cells[c];
      return cell ? `${VERDICT_MARK[cell.verdict]} ${sayCell(sayKey, c, cell, stepAt)}` : '–';
    }),
  ]);
  const header = [say(language, 'matrix.mode'), ...titles];
  // Columns line up in a terminal: a CJK character takes two cells.
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...table.map((r) => displayWidth(r[i]!))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - displayWidth(c))))
      .join('  ')
      .trimEnd();
  const out = [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...table.map(line)];
  const colon = say(language, 'matrix.colon');
  const notes = rows.flatMap((r) =>
    MATRIX_COLUMNS.flatMap((c) => {
      const cell = r.cells[c];
      if (cell?.verdict !== 'unexpected') return [];
      const reason = cell.reasonParts ? sayReason(language, cell.reasonParts) : cell.reason;
      const point = r.point !== undefined ? `${labels.get(r.point) ?? r.point} ` : '';
      return [`✗ ${point}${r.mode} ${columnLabel(language, c, slaves)}${colon}${reason}`];
    }),
  );
  // The notes that explain a row (an LACP that never formed, a bring-up that failed, a pull's aftermath), chosen
  // by their English and said from their parts.
  const special = rows.flatMap((r) =>
    r.notes.flatMap((n, i) => {
      if (!(n.startsWith('no LACP') || n.startsWith('bring-up failed') || n.startsWith('after pulling'))) return [];
      const parts = r.noteParts?.[i];
      return [`• ${r.mode}${colon}${parts ? sayReason(language, parts) : n}`];
    }),
  );
  const legend = (['expected', 'unexpected', 'not-measurable'] as const)
    .map((v) => `${VERDICT_MARK[v]} ${t(language, `verdict.${v}`)}`)
    .join('   ');
  return [...out, '', legend, ...notes, ...special].join('\n');
}

/** A sweep's failover against its points, per mode: what the report plots. */
export function sweepText(plan: Plan, steps: StepRecord[], language: Language = 'en'): string {
  const points = sweepPoints(plan);
  const lines = [say(language, 'sweepHeader', { axes: Object.keys(plan.sweep ?? {}).join(' × ') })];
  for (const series of sweepSeries(
    steps,
    points.map((p) => p.index),
    plan.modes,
  )) {
    const cells = series.cells.map(
      (c) =>
        `${pointLabel(points[c.point]!)}: ${c.failoverMedianMs ?? '–'} / ${c.failoverP95Ms ?? '–'} (${c.measured}/${c.pulls})`,
    );
    lines.push(`  ${series.mode.padEnd(13)} ${cells.join('   ')}`);
  }
  return lines.join('\n');
}

/** Run log lines the terminal already shows: the step (the progress line) and its failure (the step's event). */
const SAID_BY_PROGRESS = new Set(['log.step.label', 'log.step.failed']);

/** `[3/20, about 5 min left] label`; in another language the step said from its kind and slave. */
function progressLine(event: Extract<BenchEvent, { type: 'progress' }>, language: Language): string {
  const eta =
    event.etaMs !== undefined ? say(language, 'progressEta', { minutes: Math.ceil(event.etaMs / 60_000) }) : '';
  const step = { kind: event.stepKind as StepRecord['kind'], slave: event.slave, label: event.label };
  const label =
    language !== 'en' && event.stepKind
      ? `${event.point ? `${event.point} ` : ''}${event.mode}${say(language, 'matrix.colon')}${stepText(language, step)}`
      : event.label;
  return `[${event.step}/${event.totalSteps}${eta}] ${label}`;
}

const RUN_OPTIONS = {
  lab: { type: 'boolean' },
  instance: { type: 'string' },
  'keep-lab': { type: 'boolean' },
  out: { type: 'string' },
  repeat: { type: 'string' },
  modes: { type: 'string' },
  resume: { type: 'string' },
  junit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `bondbench run`; the exit status is runExitStatus's (0/1/2), and 2 when the run could not start. */
export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, RUN_OPTIONS, runUsage());
  const language = cliLanguage(undefined, runUsage());
  if (values.help) {
    console.log(usageText(language, runUsage()));
    return 0;
  }
  const junitFile = values.junit ? resolve(values.junit) : undefined;
  try {
    return await runPlan(values, positionals, junitFile, language);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // The run never started (a bad plan, the lab or host unreachable): CI sees a failed run, not a crash. The
    // JUnit file keeps the English (CI's tools read it).
    console.error(
      `bondbench: ${language === 'en' ? (error as Error).message : terminalText(errorText(language, error), true)}`,
    );
    if (junitFile) {
      await writeFile(
        junitFile,
        runToJunit({
          runId: '-',
          planName: positionals[0] ?? 'default',
          slaves: [],
          status: 'failed',
          error: (error as Error).message,
          startedAt: new Date().toISOString(),
          matrix: [],
          steps: [],
        }),
      );
    }
    return 2;
  }
}

async function runPlan(
  values: ReturnType<typeof parseCommandLine<typeof RUN_OPTIONS>>['values'],
  positionals: string[],
  junitFile: string | undefined,
  language: Language,
): Promise<number> {
  const runsDir = resolve(values.out ?? defaultRunsDir());
  const instance = values.instance ?? process.env.BONDBENCH_LAB_INSTANCE ?? 'default';
  let resumeDir: string | undefined;
  let plan: Plan;
  if (values.resume) {
    resumeDir = await resolveRun(values.resume, runsDir);
    plan = loadPlan(await readFile(resolve(resumeDir, 'plan.yaml'), 'utf8'), resolve(resumeDir, 'plan.yaml'));
  } else if (positionals[0]) {
    const file = resolve(positionals[0]);
    plan = loadPlan(
      await readFile(file, 'utf8').catch(() => {
        throw new UsageError({ key: 'cli.cannotReadPlan', vars: { file } }, runUsage());
      }),
      positionals[0],
    );
  } else {
    // The write-up's experiment, with the lab as the switch side: 802.3ad meets the LACP partner.
    plan = defaultLabPlan(instance, { lacp: true });
  }
  if (values.repeat) {
    const repeat = Number(values.repeat);
    if (!Number.isInteger(repeat) || repeat < 1) throw new UsageError({ key: 'cli.badRepeat' }, runUsage());
    plan = { ...plan, repeat };
  }
  if (values.modes) {
    const modes = values.modes.split(',').map((m) => m.trim());
    const unknown = modes.filter((m) => !(MODE_NAMES as readonly string[]).includes(m));
    if (unknown.length)
      throw new UsageError(
        { key: 'cli.badModes', vars: { unknown: unknown.join(', '), modes: MODE_NAMES.join(', ') } },
        runUsage(),
      );
    plan = { ...plan, modes: modes as ModeName[] };
  }
  // Everything about the plan is checked before the host is touched.
  const problems = parsePlan(planToYaml(plan)).errors;
  if (problems.length) {
    const findings = problems.map(
      (p): ReasonPart => ({
        key: 'cli.finding',
        vars: {
          path: p.path,
          message: p.parts ? joinParts(p.parts) : { key: 'failure.cause.other', vars: { message: p.message } },
        },
      }),
    );
    throw new SaidError('PlanInvalidError', 'cli.planInvalid', { findings: joinLines(findings) });
  }

  const lab = values.lab ? new VirtualLab(instance) : undefined;
  let labStarted = false;
  if (lab) {
    if (!(await lab.isUp())) {
      // The lab switch re-cables the slaves to the LACP partner for 802.3ad: the lab needs the partner.
      const lacp = plan.drivers.switch?.type === 'lab';
      console.error(`run: ${say(language, lacp ? 'labUpPartner' : 'labUp', { instance })}`);
      await lab.up({ lacp, log: cliLog('lab', language) });
      labStarted = true;
    }
  }
  const tty = process.stderr.isTTY;
  const runLog = cliLog('run', language);
  const handle = await startRun(plan, {
    runsDir,
    resumeDir,
    emit: (event) => {
      if (event.type === 'progress') {
        if (tty) process.stderr.write(`\r\x1b[2K${progressLine(event, language)}`);
        else console.error(progressLine(event, language));
      } else if (event.type === 'step' && event.step.status === 'failed') {
        if (tty) process.stderr.write('\n');
        const { step } = event;
        const error = language !== 'en' && step.errorParts ? sayReason(language, step.errorParts) : step.error;
        const label =
          language === 'en' ? step.label : `${step.mode}${say(language, 'matrix.colon')}${stepText(language, step)}`;
        console.error(`run: ${say(language, 'stepFailed', { step: label, error: error ?? '' })}`);
      } else if (event.type === 'log' && !SAID_BY_PROGRESS.has(event.part?.key ?? '')) {
        if (tty) process.stderr.write('\n');
        runLog(event.part ?? textLine(event.line));
      }
    },
  });
  let interrupted = 0;
  const onSignal = () => {
    interrupted++;
    if (interrupted === 1) {
      console.error(`\nrun: ${say(language, 'stopping')}`);
      handle.cancel();
    } else process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const removeFatal = installFatalHandler({
    restore: async () => {
      handle.cancel();
      await handle.finished;
    },
  });
  try {
    const outcome = await handle.finished;
    if (tty) process.stderr.write('\n');
    console.log(matrixText(outcome.matrix, plan.bond.slaves, plan, language, outcome.steps));
    if (plan.sweep) console.log(`\n${sweepText(plan, outcome.steps, language)}`);
    console.log('');
    console.log(
      say(language, outcome.restored ? 'runEnded' : 'runEndedNotRestored', {
        status: { key: `report.status.${outcome.status}` },
        count: outcome.steps.length,
      }),
    );
    if (outcome.error) {
      // The run's own words (its parts, in run.json) where it said the error so.
      const parts =
        language === 'en' ? undefined : (await readRunFolder(outcome.dir).catch(() => undefined))?.manifest.errorParts;
      const error = parts ? sayReason(language, parts) : outcome.error;
      console.log(say(language, 'runError', { error }));
    }
    console.log(say(language, 'results', { dir: outcome.dir }));
    if (outcome.steps.length > 0) {
      // The run ends in a report a colleague can open (in the CLI's language); other formats come from
      // "bondbench report".
      const report = await exportReport(outcome.dir, 'html', language);
      const file = join(outcome.dir, 'report.html');
      // A folder that could not be written (full disk) already failed the run, saying so: no second error here.
      const written = await writeFile(file, report.data).then(
        () => true,
        () => false,
      );
      console.log(say(language, written ? 'reportWritten' : 'reportNotWritten', { file, dir: outcome.dir }));
    }
    if (junitFile) {
      const run = await readRunFolder(outcome.dir);
      await writeFile(junitFile, runToJunit(junitInputOf(run, outcome.matrix)));
      console.log(say(language, 'junitWritten', { file: junitFile }));
    }
    return runExitStatus(outcome.status, outcome.matrix, outcome.steps);
  } finally {
    removeFatal();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (lab && labStarted && !values['keep-lab']) {
      console.error(`run: ${say(language, 'labDown', { instance })}`);
      await lab.down(cliLog('lab', language));
    }
  }
}

/** `bondbench runs`: one line per run folder, newest first (--json: the list as the API gives it, unchanged). */
export async function runsCommand(args: string[]): Promise<number> {
  const { values } = parseCommandLine(args, { out: { type: 'string' }, json: { type: 'boolean' } }, RUNS_USAGE);
  const language = cliLanguage(undefined, RUNS_USAGE);
  const runs = await listRuns(resolve(values.out ?? defaultRunsDir()));
  if (values.json) {
    console.log(JSON.stringify(runs, null, 2));
    return 0;
  }
  if (runs.length === 0) console.log(say(language, 'noRuns'));
  const status = (run: (typeof runs)[number]) => t(language, `report.status.${run.status}`);
  const statusWidth = Math.max(11, ...runs.map((run) => displayWidth(status(run))));
  // Everything shown comes from run folders (maybe someone else's): no control characters reach the terminal.
  for (const run of runs) {
    const said = status(run);
    const line = run.unreadable
      ? `${run.id}  ${said}  ${run.unreadableParts ? sayReason(language, run.unreadableParts) : run.unreadable}`
      : `${run.id}  ${said}${' '.repeat(statusWidth - displayWidth(said))} ${say(language, 'runSteps', { done: run.steps, total: run.totalSteps })}  ${run.host ?? '?'} ${run.kernel ?? ''}  ${run.modes.join(',')}`;
    console.log(terminalText(line));
  }
  return 0;
}

/** A lab switch whose lab is up without the LACP partner cannot re-cable 802.3ad to it. */
async function liveSwitchErrors(plan: Plan): Promise<PlanIssue[]> {
  const sw = plan.drivers.switch as { type: string; instance?: string } | undefined;
  if (sw?.type !== 'lab') return [];
  const target = plan.host.target.trim();
  const lab = new VirtualLab(sw.instance ?? (target.startsWith('lab:') ? target.slice(4) : undefined));
  const status = await lab.status().catch(() => undefined);
  if (!status?.up || status.lacp) return [];
  const suffix = lab.instance === 'default' ? '' : ` --instance ${lab.instance}`;
  const parts = [
    {
      key: 'cli.labNoPartner',
      vars: { instance: lab.instance, down: `bondbench lab down${suffix}`, up: 'bondbench lab up --lacp' },
    },
  ];
  return [{ segments: ['drivers', 'switch'], message: sayReason('en', parts), parts }];
}

export async function planCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseCommandLine(
    rest,
    { instance: { type: 'string' }, lang: { type: 'string' } },
    PLAN_USAGE,
  );
  const language = cliLanguage(values.lang, PLAN_USAGE);
  switch (action) {
    case 'init': {
      const yaml = planToYaml(defaultLabPlan(values.instance ?? 'default', { lacp: true }));
      if (positionals[0]) {
        await writeFile(positionals[0], yaml, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'EEXIST')
            throw new SaidError('PlanExistsError', 'cli.planExists', { file: positionals[0]! });
          throw error;
        });
        console.error(`plan: ${say(language, 'planWritten', { file: positionals[0] })}`);
      } else process.stdout.write(yaml);
      return 0;
    }
    case 'check': {
      if (!positionals[0]) throw new UsageError({ key: 'cli.planCheckFile' }, PLAN_USAGE);
      const sayParts = (parts: ReasonPart[]) => sayReason(language, parts);
      const text = await readFile(positionals[0], 'utf8');
      const first = parsePlan(text);
      // What the file cannot say: a lab switch needs its lab with the LACP partner (one that is down, run --lab
      // brings up with it).
      const live = first.plan ? await liveSwitchErrors(first.plan) : [];
      const { plan, errors } = live.length ? parsePlan(text, { more: () => live }) : first;
      for (const e of errors) {
        const message = language !== 'en' && e.parts ? sayParts(e.parts) : e.message;
        console.error(
          `${positionals[0]}${e.line ? `:${e.line}:${e.column}` : ''}: ${e.path ? `${e.path}: ` : ''}${message}`,
        );
      }
      if (!plan) return 1;
      const points = plan.sweep ? sweepPoints(plan) : [];
      const valid = { modes: plan.modes.length, steps: plan.steps.length + 1, repeat: plan.repeat };
      console.log(
        `${positionals[0]}: ${sayParts([
          points.length
            ? {
                key: 'cli.planValidSweep',
                vars: { ...valid, points: points.length, labels: points.map(pointLabel).join('; ') },
              }
            : { key: 'cli.planValid', vars: valid },
        ])}`,
      );
      for (const warning of failoverWarnings(plan))
        console.error(`${positionals[0]}: ${say(language, 'warning', { warning })}`);
      return 0;
    }
    default:
      throw new UsageError(
        action
          ? { key: 'cli.unknownAction', vars: { action: JSON.stringify(action) } }
          : { key: 'cli.planNeedsAction' },
        PLAN_USAGE,
      );
  }
}
