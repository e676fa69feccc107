/**
 * One run from start to finish: check the plan, connect the sides, save the host's original configuration, run,
 * and always restore the host and close the run folder with an honest status — after success, failure or cancel.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { BenchEvent } from '../../shared/api.js';
import { mapPartText, sayReason } from '../../shared/oracle/failover.js';
import { judgeRun } from '../../shared/oracle/oracle.js';
import type { Plan } from '../../shared/plan/plan.js';
import { planToYaml } from '../../shared/plan/plan-file.js';
import { planSecrets } from '../../shared/plan/secrets.js';
import { errorPart, joinParts } from '../../shared/run/failure.js';
import { logEvent, textLine } from '../../shared/run/log.js';
import type { MatrixRow, ReasonPart, RunStatus, StepRecord } from '../../shared/run/model.js';
import { SaidError } from '../../shared/run/said-error.js';
import type { LinkDriver } from '../drivers/types.js';
import { packageRoot } from '../paths.js';
import { acquireHostLock } from './host-lock.js';
import { completeSteps, countSteps, executeRun, RunCancelled } from './runner.js';
import { connectSides, type Sides } from './sides.js';
import { RunWriter, readRunFolder } from './store.js';

export interface RunHandle {
  id: string;
  dir: string;
  cancel(): void;
  /** Settles when the run is over and the host restored. */
  finished: Promise<RunOutcome>;
}

export interface RunOutcome {
  id: string;
  dir: string;
  status: RunStatus;
  steps: StepRecord[];
  matrix: MatrixRow[];
  restored: boolean;
  error?: string;
}

export async function benchVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export interface StartOptions {
  runsDir: string;
  emit?: (event: BenchEvent) => void;
  log?: (line: string) => void;
  /** Continue this run folder: modes it completed are skipped. */
  resumeDir?: string;
  /** Sides to use instead of connecting from the plan (the bench's own long-lived connections). */
  sides?: Sides;
  /** Where host locks live (default locksDir(): $BONDBENCH_LOCKS or the cache folder). */
  locksDir?: string;
}

/** Reaches every driver before the host is touched: a controller that cannot be reached fails the run here. */
async function preflight(plan: Plan, sides: Sides): Promise<void> {
  const checks: [string, () => Promise<unknown>][] = [
    [`drivers.power (${plan.drivers.power.type})`, () => sides.power.get()],
    [`drivers.link (${plan.drivers.link.type})`, () => sides.link.state(plan.bond.slaves[0]!)],
    ...(sides.switch && plan.drivers.switch
      ? [
          [`drivers.switch (${plan.drivers.switch.type})`, () => sides.switch!.check()] as [
            string,
            () => Promise<unknown>,
          ],
        ]
      : []),
  ];
  // Independent devices: asked at once; the first failing in the plan's order is the one reported.
  const results = await Promise.allSettled(checks.map(([, check]) => check()));
  results.forEach((result, i) => {
    if (result.status === 'rejected') {
      throw new SaidError('PreflightError', 'error.preflight', {
        driver: checks[i]![0],
        cause: errorPart(result.reason),
      });
    }
  });
}

/**
 * A run folder that cannot be written (full, quota, read-only), said as what it means for the user; undefined for
 * other errors. The tester agent's pcapng writer reports it as a message ("writing pcapng failed: ENOSPC …").
 */
export function folderProblem(dir: string, error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const text = `${code ?? ''} ${(error as Error | undefined)?.message ?? ''}`;
  if (/ENOSPC|EDQUOT|no space left|quota exceeded/i.test(text)) {
    return `the run folder's file system is full (${dir}): the steps written before it filled up are kept there; free some space or choose another --out and run again`;
  }
  if (/EROFS|read-only file system/i.test(text)) {
    return `the run folder's file system is read-only (${dir}): choose another --out and run again`;
  }
  return undefined;
}

export async function startRun(plan: Plan, options: StartOptions): Promise<RunHandle> {
  let emit = options.emit ?? (() => undefined);
  const log = options.log ?? (() => undefined);
  let writer: RunWriter;
  let done: StepRecord[] = [];
  // One run per host: taken before the run folder exists, so a busy host leaves nothing behind.
  const lock = await acquireHostLock(
    plan.host.target,
    options.resumeDir ? basename(options.resumeDir) : '(starting)',
    options.locksDir,
  );
  try {
    if (options.resumeDir) {
      const previous = await readRunFolder(options.resumeDir);
      done = completeSteps(plan, previous.steps);
      if (done.length < previous.steps.length) {
        // The unfinished mode is run again; what it measured before stays beside the run, not in its matrix.
        const steps = join(options.resumeDir, 'steps.jsonl');
        await rename(steps, join(options.resumeDir, `steps.interrupted-${Date.now()}.jsonl`));
        await writeFile(steps, done.map((s) => `${JSON.stringify(s)}\n`).join(''));
      }
      writer = new RunWriter(options.resumeDir, {
        ...previous.manifest,
        status: 'running',
        pid: process.pid,
      } as RunWriter['manifest']);
      await writer.update({ status: 'running', finishedAt: undefined });
      await writer.keepTextLog();
      await writer.log({ key: 'log.run.resuming', vars: { count: done.length } });
    } else {
      writer = await RunWriter.create(options.runsDir, plan, planToYaml(plan), countSteps(plan), await benchVersion());
      await lock.rename(writer.manifest.id);
    }
  } catch (error) {
    await lock.release();
    throw error;
  }
  const controller = new AbortController();
  const runId = writer.manifest.id;
  // Credentials of the plan never reach the log, the run folder or the UI: every text written or sent is masked.
  writer.secrets = planSecrets(plan);
  const masked = (event: BenchEvent): BenchEvent => writer.maskEvent(event);
  const outer = emit;
  emit = (event: BenchEvent) => outer(masked(event));
  emit({ type: 'run-started', runId, totalSteps: countSteps(plan) });
  // Every line of the run log, the engine's own (steps, failures, warnings, the restore) and what the host
  // control, drivers and tester say, goes to the UI and the caller as the run folder gets it.
  writer.onLog = (part) => {
    const event = logEvent(runId, part);
    log(event.line);
    emit(event);
  };
  const relay = (event: BenchEvent) => {
    // A log line from the sides goes through the writer (log.txt, log.jsonl, then onLog); a folder that cannot
    // be written fails the run elsewhere, so a log line never throws.
    if (event.type === 'log') writer.log(event.part ?? textLine(event.line)).catch(() => undefined);
    else emit(event);
  };

  const finished = (async (): Promise<RunOutcome> => {
    let sides: Sides | undefined;
    let status: RunStatus = 'completed';
    let error: string | undefined;
    // The error in message parts when the run said it in its own words (set beside `error`, cleared with it).
    let errorParts: ReasonPart[] | undefined;
    /** The run's first problem said in its own words: English in `error`, parts beside it. */
    const failWith = (parts: ReasonPart[]) => {
      if (error !== undefined) return;
      error = sayReason('en', parts);
      errorParts = parts;
    };
    let steps: StepRecord[] = done;
    let restored = false;
    let originalSaved = false;
    let folderError: unknown;
    let link: TrackedLink | undefined;
    /** Writing the run folder must not hide what happened to the host: a failed write is noted, never thrown. */
    const keep = async (write: () => Promise<unknown>) => {
      try {
        await write();
      } catch (caught) {
        folderError ??= caught;
      }
    };
    try {
      sides = options.sides ?? (await connectSides(plan, (part) => relay(logEvent(runId, part))));
      // The host's facts are only read: asked while the drivers are checked (awaited below, never left unobserved).
      const factsRead = sides.host.facts();
      factsRead.catch(() => undefined);
      await preflight(plan, sides);
      const facts = await factsRead;
      await writer.update({ host: facts, tester: sides.tester.facts() });
      await sides.host.saveOriginal(writer.dir);
      originalSaved = true;
      link = trackPulls(sides.link);
      steps = await executeRun({
        plan,
        host: sides.host,
        tester: sides.tester,
        link,
        power: sides.power,
        switch: sides.switch,
        load: sides.load,
        writer,
        signal: controller.signal,
        emit: relay,
        done,
      });
      if (steps.some((s) => s.status === 'failed')) {
        const parts = [
          { key: 'runWarning.stepsFailed', vars: { count: steps.filter((s) => s.status === 'failed').length } },
        ];
        await writer.warn(sayReason('en', parts), parts);
      }
      // A run in which no mode came up measured nothing: it failed, whatever the steps say one by one.
      const bringUps = steps.filter((s) => s.kind === 'bring-up');
      if (bringUps.length > 0 && bringUps.every((s) => s.status === 'failed')) {
        status = 'failed';
        failWith([
          {
            key: 'runWarning.noModeUp',
            vars: {
              error: bringUps[0]!.errorParts
                ? joinParts(bringUps[0]!.errorParts)
                : (bringUps[0]!.error ?? { key: 'runWarning.bringUpFailed' }),
            },
          },
        ]);
        await writer.log({ key: 'log.run.failed', vars: { error: joinParts(errorParts!) } });
      }
    } catch (caught) {
      status = caught instanceof RunCancelled ? 'cancelled' : 'failed';
      const folder = caught instanceof RunCancelled ? undefined : folderProblem(writer.dir, caught);
      error = caught instanceof RunCancelled ? undefined : (folder ?? (caught as Error).message);
      // What failed and why, for the reader's language; its English is `error`.
      errorParts = error && !folder ? [{ key: 'failure.run', vars: { cause: errorPart(caught) } }] : undefined;
      if (error) {
        // The cause itself: `failure.run` would say "run failed" twice in Chinese.
        const said = folder ? textLine(folder) : errorPart(caught);
        await keep(() => writer.log({ key: 'log.run.failed', vars: { error: said } }));
      }
    } finally {
      // A run that stopped between a pull and its plug leaves no cable out: the slave goes back before the host's
      // configuration does, so the restored bond finds its slaves as the run found them.
      for (const slave of link?.pulled() ?? []) {
        try {
          await link!.plug(slave);
          await keep(() => writer.log({ key: 'log.run.pluggedBack', vars: { slave } }));
        } catch (caught) {
          const parts = [{ key: 'runWarning.plugBack', vars: { slave, error: errorPart(caught) } }];
          await keep(() => writer.warn(sayReason('en', parts), parts));
          failWith(parts);
        }
      }
      if (sides && originalSaved) {
        let restoreError: unknown;
        try {
          await sides.host.restore();
          restored = true;
        } catch (caught) {
          restoreError = caught;
        }
        if (restored) await keep(() => writer.log({ key: 'log.run.restored' }));
        else {
          const parts = [
            { key: 'runWarning.restore', vars: { error: errorPart(restoreError), target: plan.host.target } },
          ];
          await keep(() => writer.warn(sayReason('en', parts), parts));
          failWith(parts);
        }
        if (sides.switch) {
          // The switch as the run found it (the lab's cables back where they were), after the host is back.
          try {
            await sides.switch.restore();
          } catch (caught) {
            const parts = [{ key: 'runWarning.switchBack', vars: { error: errorPart(caught) } }];
            await keep(() => writer.warn(sayReason('en', parts), parts));
            failWith(parts);
          }
        }
      }
      if (sides && !options.sides) await sides.close().catch(() => undefined);
      // Steps written so far are the truth, also for a failed run.
      steps = (await readRunFolder(writer.dir).catch(() => undefined))?.steps ?? steps;
      await keep(() => writer.update({ status, finishedAt: new Date().toISOString(), restored, error, errorParts }));
      if (folderError && !error) {
        status = 'failed';
        error =
          folderProblem(writer.dir, folderError) ?? `cannot write ${writer.dir}: ${(folderError as Error).message}`;
      }
      await lock.release();
      emit({ type: 'run-finished', runId, status, error });
    }
    return {
      id: runId,
      dir: writer.dir,
      status,
      steps,
      matrix: judgeRun(plan, steps),
      restored,
      error: error === undefined ? undefined : writer.mask(error),
    };
  })();

  return { id: runId, dir: writer.dir, cancel: () => controller.abort(), finished };
}

/** A link driver that remembers which slaves it pulled and has not plugged back yet. */
interface TrackedLink extends LinkDriver {
  /** Slaves pulled through this driver and not plugged since, in pull order. */
  pulled(): string[];
}

function trackPulls(link: LinkDriver): TrackedLink {
  const out = new Set<string>();
  return {
    get name() {
      return link.name;
    },
    get physical() {
      return link.physical;
    },
    async pull(slave) {
      // Counted before the call: a pull that fails half-way may still have taken the cable out.
      out.add(slave);
      return link.pull(slave);
    },
    async plug(slave) {
      await link.plug(slave);
      out.delete(slave);
    },
    state: (slave) => link.state(slave),
    pulled: () => [...out],
  };
}
