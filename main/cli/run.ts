/** `bondbench run`, `bondbench runs`, `bondbench plan init|check`. */

import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BenchEvent } from '../../shared/api.js';
import { failoverWarnings, sayReason } from '../../shared/oracle/failover.js';
import { defaultLabPlan, MODE_NAMES, type ModeName, type Plan } from '../../shared/plan/plan.js';
import { loadPlan, parsePlan, planToYaml, type Segment } from '../../shared/plan/plan-file.js';
import { pointLabel, sweepPoints } from '../../shared/plan/sweep.js';
import { columnLabel } from '../../shared/report/build.js';
import { terminalText } from '../../shared/report/escape.js';
import { VERDICT_MARK } from '../../shared/report/format.js';
import { junitInputOf, runExitStatus, runToJunit } from '../../shared/report/junit.js';
import { textLine } from '../../shared/run/log.js';
import {
  ALL_REPETITIONS,
  MATRIX_COLUMNS,
  type MatrixRow,
  type ReasonPart,
  type StepRecord,
} from '../../shared/run/model.js';
import { sweepSeries } from '../../shared/run/stats.js';
import { installFatalHandler } from '../engine/fatal.js';
import { startRun } from '../engine/session.js';
import { defaultRunsDir, listRuns, readRunFolder, resolveRun } from '../engine/store.js';
import { VirtualLab } from '../lab/lab.js';
import { exportReport } from '../report/export.js';
import { cliLanguage, cliLog, parseCommandLine, UsageError } from './usage.js';

const RUN_USAGE = `usage: bondbench run [plan.yaml] [--lab] [--instance NAME] [--keep-lab] [--out DIR] [--repeat N] [--modes a,b,…] [--resume RUN] [--junit FILE]

  Runs a plan (the write-up's experiment when none is given) and prints the matrix with verdicts.
  --lab        bring the virtual lab up first (and down again afterwards unless --keep-lab)
  --out DIR    where run folders go (default ${defaultRunsDir()})
  --repeat N   repeat every mode N times; --modes picks modes (${MODE_NAMES.join(', ')})
  --resume RUN continue an interrupted run: modes it completed are skipped
  --junit FILE also write the result as JUnit XML (a test case per matrix cell) for Jenkins, GitLab and other CI
  exit status: 0 every cell as expected, 1 some cell unexpected or a step failed, 2 the run failed or was stopped`;

const PLAN_USAGE = `usage: bondbench plan init [FILE] [--instance NAME]   write the default plan (the write-up's experiment) to edit
       bondbench plan check FILE [--lang en|zh-CN]     validate a plan; errors point at the line`;

/** The write-up's table, measured, with a verdict mark in every cell. */
export function matrixText(rows: MatrixRow[], slaves: string[] = ['eth1', 'eth2'], plan?: Plan): string {
  const titles = MATRIX_COLUMNS.map((c) => columnLabel('en', c, slaves));
  const repeated = new Set(rows.map((r) => r.repetition)).size > 1;
  const labels = new Map(plan ? sweepPoints(plan).map((p) => [p.index, pointLabel(p)]) : []);
  const table = rows.map((row) => [
    `${row.point !== undefined ? `${labels.get(row.point) ?? row.point}  ` : ''}${repeated ? `${row.mode} #${row.repetition === ALL_REPETITIONS ? 'all' : row.repetition}` : row.mode}`,
    ...MATRIX_COLUMNS.map((c) => {
      const cell = row.cells[c];
      return cell ? `${VERDICT_MARK[cell.verdict]} ${cell.text}` : '–';
    }),
  ]);
  const header = ['mode', ...titles];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...table.map(line)];
  const notes = rows.flatMap((r) =>
    MATRIX_COLUMNS.flatMap((c) => {
      const cell = r.cells[c];
      return cell?.verdict === 'unexpected'
        ? [
            `✗ ${r.point !== undefined ? `${labels.get(r.point) ?? r.point} ` : ''}${r.mode} ${columnLabel('en', c, slaves)}: ${cell.reason}`,
          ]
        : [];
    }),
  );
  const special = rows.flatMap((r) =>
    r.notes
      .filter((n) => n.startsWith('no LACP') || n.startsWith('bring-up failed') || n.startsWith('after pulling'))
      .map((n) => `• ${r.mode}: ${n}`),
  );
  return [...out, '', '✓ as expected   ✗ unexpected   ? not measurable', ...notes, ...special].join('\n');
}

/** A sweep's failover against its points, per mode: what the report plots. */
export function sweepText(plan: Plan, steps: StepRecord[]): string {
  const points = sweepPoints(plan);
  const lines = [
    `failover (ms) against ${Object.keys(plan.sweep ?? {}).join(' × ')}: median / p95 over the pulls (measured/pulls)`,
  ];
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

function progressLine(event: Extract<BenchEvent, { type: 'progress' }>): string {
  const eta = event.etaMs !== undefined ? `, about ${Math.ceil(event.etaMs / 60_000)} min left` : '';
  return `[${event.step}/${event.totalSteps}${eta}] ${event.label}`;
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
  const { values, positionals } = parseCommandLine(args, RUN_OPTIONS, RUN_USAGE);
  if (values.help) {
    console.log(RUN_USAGE);
    return 0;
  }
  const junitFile = values.junit ? resolve(values.junit) : undefined;
  try {
    return await runPlan(values, positionals, junitFile);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // The run never started (a bad plan, the lab or host unreachable): CI sees a failed run, not a crash.
    console.error(`bondbench: ${(error as Error).message}`);
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
        throw new UsageError(`cannot read the plan ${file}`, RUN_USAGE);
      }),
      positionals[0],
    );
  } else {
    // The write-up's experiment, with the lab as the switch side: 802.3ad meets the LACP partner.
    plan = defaultLabPlan(instance, { lacp: true });
  }
  if (values.repeat) {
    const repeat = Number(values.repeat);
    if (!Number.isInteger(repeat) || repeat < 1) throw new UsageError('--repeat must be a whole number ≥ 1', RUN_USAGE);
    plan = { ...plan, repeat };
  }
  if (values.modes) {
    const modes = values.modes.split(',').map((m) => m.trim());
    const unknown = modes.filter((m) => !(MODE_NAMES as readonly string[]).includes(m));
    if (unknown.length)
      throw new UsageError(`--modes: unknown ${unknown.join(', ')}; use ${MODE_NAMES.join(', ')}`, RUN_USAGE);
    plan = { ...plan, modes: modes as ModeName[] };
  }
  // Everything about the plan is checked before the host is touched.
  const problems = parsePlan(planToYaml(plan)).errors;
  if (problems.length) {
    throw new Error(`the plan is not valid:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
  }

  const lab = values.lab ? new VirtualLab(instance) : undefined;
  let labStarted = false;
  if (lab) {
    if (!(await lab.isUp())) {
      // The lab switch re-cables the slaves to the LACP partner for 802.3ad: the lab needs the partner.
      const lacp = plan.drivers.switch?.type === 'lab';
      console.error(`run: bringing the virtual lab "${instance}" up${lacp ? ' with its LACP partner' : ''}`);
      await lab.up({ lacp, log: cliLog('lab') });
      labStarted = true;
    }
  }
  const tty = process.stderr.isTTY;
  const runLog = cliLog('run');
  const handle = await startRun(plan, {
    runsDir,
    resumeDir,
    emit: (event) => {
      if (event.type === 'progress') {
        if (tty) process.stderr.write(`\r\x1b[2K${progressLine(event)}`);
        else console.error(progressLine(event));
      } else if (event.type === 'step' && event.step.status === 'failed') {
        if (tty) process.stderr.write('\n');
        console.error(`run: ${event.step.label} failed: ${event.step.error}`);
      } else if (event.type === 'log') {
        if (tty) process.stderr.write('\n');
        runLog(event.part ?? textLine(event.line));
      }
    },
  });
  let interrupted = 0;
  const onSignal = () => {
    interrupted++;
    if (interrupted === 1) {
      console.error('\nrun: stopping after the current action and restoring the host (Ctrl-C again to leave at once)');
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
    console.log(matrixText(outcome.matrix, plan.bond.slaves, plan));
    if (plan.sweep) console.log(`\n${sweepText(plan, outcome.steps)}`);
    console.log('');
    console.log(
      `run ${outcome.status}: ${outcome.steps.length} steps, host ${outcome.restored ? 'restored' : 'NOT restored'}`,
    );
    if (outcome.error) console.log(`error: ${outcome.error}`);
    console.log(`results: ${outcome.dir}`);
    if (outcome.steps.length > 0) {
      // The run ends in a report a colleague can open; other formats come from "bondbench report".
      const report = await exportReport(outcome.dir, 'html', 'en');
      const file = join(outcome.dir, 'report.html');
      // A folder that could not be written (full disk) already failed the run, saying so: no second error here.
      const written = await writeFile(file, report.data).then(
        () => true,
        () => false,
      );
      console.log(
        written
          ? `report:  ${file}  (more: npx bondbench report ${outcome.dir} --format pdf|csv|json|md|zip [--lang zh-CN])`
          : `report:  not written into the run folder; make it elsewhere with: npx bondbench report ${outcome.dir} --out DIR`,
      );
    }
    if (junitFile) {
      const run = await readRunFolder(outcome.dir);
      await writeFile(junitFile, runToJunit(junitInputOf(run, outcome.matrix)));
      console.log(`junit:   ${junitFile}`);
    }
    return runExitStatus(outcome.status, outcome.matrix, outcome.steps);
  } finally {
    removeFatal();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (lab && labStarted && !values['keep-lab']) {
      console.error(`run: taking the virtual lab "${instance}" down (--keep-lab keeps it)`);
      await lab.down(cliLog('lab'));
    }
  }
}

export async function runsCommand(args: string[]): Promise<number> {
  const { values } = parseCommandLine(
    args,
    { out: { type: 'string' }, json: { type: 'boolean' } },
    'usage: bondbench runs [--out DIR] [--json]',
  );
  const runs = await listRuns(resolve(values.out ?? defaultRunsDir()));
  if (values.json) {
    console.log(JSON.stringify(runs, null, 2));
    return 0;
  }
  if (runs.length === 0) console.log('no runs yet: start one with "bondbench run --lab"');
  // Everything shown comes from run folders (maybe someone else's): no control characters reach the terminal.
  for (const run of runs) {
    const line = run.unreadable
      ? `${run.id}  unreadable  ${run.unreadable}`
      : `${run.id}  ${run.status.padEnd(11)} ${run.steps}/${run.totalSteps} steps  ${run.host ?? '?'} ${run.kernel ?? ''}  ${run.modes.join(',')}`;
    console.log(terminalText(line));
  }
  return 0;
}

/** A lab switch whose lab is up without the LACP partner cannot re-cable 802.3ad to it. */
async function liveSwitchErrors(plan: Plan): Promise<{ segments: Segment[]; message: string }[]> {
  const sw = plan.drivers.switch as { type: string; instance?: string } | undefined;
  if (sw?.type !== 'lab') return [];
  const target = plan.host.target.trim();
  const lab = new VirtualLab(sw.instance ?? (target.startsWith('lab:') ? target.slice(4) : undefined));
  const status = await lab.status().catch(() => undefined);
  if (!status?.up || status.lacp) return [];
  return [
    {
      segments: ['drivers', 'switch'],
      message: `lab "${lab.instance}" is up without its LACP partner, so 802.3ad could not be cabled to one: run "bondbench lab down${lab.instance === 'default' ? '' : ` --instance ${lab.instance}`}", then "bondbench lab up --lacp" (or run --lab, which brings it up so)`,
    },
  ];
}

export async function planCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseCommandLine(
    rest,
    { instance: { type: 'string' }, lang: { type: 'string' } },
    PLAN_USAGE,
  );
  switch (action) {
    case 'init': {
      const yaml = planToYaml(defaultLabPlan(values.instance ?? 'default', { lacp: true }));
      if (positionals[0]) {
        await writeFile(positionals[0], yaml, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'EEXIST') throw new Error(`${positionals[0]} exists: choose another name or remove it`);
          throw error;
        });
        console.error(`plan: wrote ${positionals[0]}; check it with "bondbench plan check ${positionals[0]}"`);
      } else process.stdout.write(yaml);
      return 0;
    }
    case 'check': {
      if (!positionals[0]) throw new UsageError('plan check needs a file', PLAN_USAGE);
      const language = cliLanguage(values.lang, PLAN_USAGE);
      const say = (parts: ReasonPart[]) => sayReason(language, parts);
      const text = await readFile(positionals[0], 'utf8');
      const first = parsePlan(text);
      // What the file cannot say: a lab switch needs its lab with the LACP partner (one that is down, run --lab
      // brings up with it).
      const live = first.plan ? await liveSwitchErrors(first.plan) : [];
      const { plan, errors } = live.length ? parsePlan(text, { more: () => live }) : first;
      for (const e of errors) {
        const message = language !== 'en' && e.parts ? say(e.parts) : e.message;
        console.error(
          `${positionals[0]}${e.line ? `:${e.line}:${e.column}` : ''}: ${e.path ? `${e.path}: ` : ''}${message}`,
        );
      }
      if (!plan) return 1;
      const points = plan.sweep ? sweepPoints(plan) : [];
      const valid = { modes: plan.modes.length, steps: plan.steps.length + 1, repeat: plan.repeat };
      console.log(
        `${positionals[0]}: ${say([
          points.length
            ? {
                key: 'cli.planValidSweep',
                vars: { ...valid, points: points.length, labels: points.map(pointLabel).join('; ') },
              }
            : { key: 'cli.planValid', vars: valid },
        ])}`,
      );
      for (const warning of failoverWarnings(plan))
        console.error(`${positionals[0]}: ${say([{ key: 'cli.warning', vars: { warning } }])}`);
      return 0;
    }
    default:
      throw new UsageError(
        action ? `unknown plan action ${JSON.stringify(action)}` : 'plan needs an action',
        PLAN_USAGE,
      );
  }
}
