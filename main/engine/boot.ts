/**
 * Booting the host during a run, and the watchdog for a host that does not come back. A boot is `reboot` typed
 * over SSH or a power-cycle through the power driver (off, offSeconds, on); either way the bench waits for SSH on
 * a new boot id. When SSH stays silent for timeouts.rebootSeconds, the watchdog power-cycles the host through the
 * power driver, a bounded number of times, each try logged and kept in the step's record. The commit-confirmed
 * rollback (main/host/rollback.ts) works with it: the rollback boots the saved configuration, the power-cycle
 * gets a hung host to the point where it can.
 */

import { sayReason } from '../../shared/oracle/failover.js';
import type { BootMethod } from '../../shared/plan/plan.js';
import { errorPart } from '../../shared/run/failure.js';
import type { LogSink } from '../../shared/run/log.js';
import type { BootRecord, ReasonPart, RecoveryRecord } from '../../shared/run/model.js';
import type { PowerDriver } from '../drivers/types.js';
import type { HostControl } from '../host/control.js';
import { HostDidNotReturnError } from '../host/wait.js';

/** A fault that ends the run: the host cannot be reached or powered, so no later step can mean anything. */
export class RunStopError extends Error {
  readonly stopsRun = true;
  /** The watchdog's tries before it gave up, for the step's record. */
  recoveries?: RecoveryRecord[];
  /** The message as parts (`error.runStop.*`), when it was given so: its English is `message`. */
  readonly parts?: ReasonPart[];
  constructor(message: string | ReasonPart, options?: { cause?: unknown }) {
    const parts = typeof message === 'string' ? undefined : [message];
    super(parts ? sayReason('en', parts) : (message as string), options);
    this.name = 'RunStopError';
    if (parts) this.parts = parts;
  }
}

/** True for errors after which the run must stop (and say what to do) rather than go on to the next mode. */
export function stopsRun(error: unknown): boolean {
  return (error as { stopsRun?: unknown } | null)?.stopsRun === true;
}

export interface BootRequest {
  via: BootMethod;
  /** What switches the host's power: the power-cycle itself, and the watchdog's. */
  power: PowerDriver;
  /** How long a power-cycle keeps the host off, s. */
  offSeconds: number;
  /** timeouts.rebootSeconds in ms: how long SSH may stay silent after a reboot or a power-on. */
  timeoutMs: number;
  /** How many watchdog power-cycles to try before giving up (timeouts.powerCycles). */
  powerCycles: number;
  /** Arm a commit-confirmed rollback to the last backup first (a netifrc apply): see HostControl.armRollback. */
  rollbackSeconds?: number;
  /** The host target as the user wrote it, for the restore command in messages. */
  target: string;
  log: LogSink;
  /** Marks the moments on the run's timeline: power off, power on, reboot sent. */
  marker?: (label: string) => void;
  signal?: AbortSignal;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** A message as a sentence: a full stop unless it ends in one already (or in ? or !). */
const sentence = (text: string) => (/[.?!]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

/** The command that puts a host back once it answers again. */
export function restoreCommand(target: string): string {
  return `bondbench host restore ${target}`;
}

/** Why the power driver cycles the host: said by `log.boot.why.*` (the log and RunStopError messages). */
const WHY = {
  planned: 'power-cycling it as the plan asks',
  stoppedAnswering: 'power-cycling it because it stopped answering SSH',
  didNotComeBack: 'power-cycling it because it did not come back',
} as const;

/** What a silence counts from: English in messages and recovery records; the log says `log.boot.since.*`. */
const SINCE = {
  reboot: 'the reboot',
  powerOn: 'power-on',
  connectionDropped: 'the connection dropped',
  lastPowerOn: 'the last power-on',
} as const;

/**
 * Off, offSeconds, on through the power driver. The returned time is when the power came back on (performance.now()
 * clock), from which the boot is timed. A driver failure becomes a RunStopError saying what to do by hand.
 */
async function powerCycle(
  request: BootRequest,
  label: string,
  reason: keyof typeof WHY,
): Promise<{ onAt: number; onDone: number; error?: undefined } | { error: RunStopError }> {
  const { power, offSeconds, log, marker } = request;
  try {
    log({
      key: 'log.boot.powerOff',
      vars: { host: label, driver: power.name, why: { key: `log.boot.why.${reason}` } },
    });
    marker?.('power off');
    await power.set('off');
    await sleep(offSeconds * 1000, request.signal);
    log({ key: 'log.boot.powerOn', vars: { host: label, driver: power.name, seconds: offSeconds } });
    marker?.('power on');
    const onAt = performance.now();
    await power.set('on');
    // Some outlets (the lab's QEMU) return only once the host is up: SSH gets its full timeout from here.
    return { onAt, onDone: performance.now() };
  } catch (error) {
    if (request.signal?.aborted) throw error;
    return {
      error: new RunStopError(
        {
          key: 'error.runStop.powerFailed',
          vars: {
            why: { key: `log.boot.why.${reason}` },
            cause: errorPart(error),
            // The English ends the driver's message with a full stop unless it has one (sentence()).
            stop: sentence((error as Error).message).slice((error as Error).message.trim().length),
            label,
            seconds: offSeconds,
            command: restoreCommand(request.target),
          },
        },
        { cause: error },
      ),
    };
  }
}

/**
 * Boots the host (reboot over SSH, or a power-cycle) and waits for SSH on a new boot, with the watchdog.
 * Returns the boot as measured; the control is switched to the new session.
 *
 * @throws RunStopError when the host stays silent after every watchdog power-cycle, or the power driver fails:
 *   the message says what happened and what to do (by hand, and `bondbench host restore <target>`).
 */
export async function bootHost(control: HostControl, request: BootRequest): Promise<BootRecord> {
  const { via } = request;
  const label = control.label;
  const previousBootId = await control.bootId();
  /** Where the boot time counts from (reboot sent, power on), and where the wait's deadline does. */
  let from: number;
  let waitFrom: number;
  if (via === 'reboot') {
    request.marker?.('reboot');
    const sent = await control.reboot({ wait: false, rollbackSeconds: request.rollbackSeconds, previousBootId });
    from = sent.sentAt;
    waitFrom = from;
  } else {
    if (request.rollbackSeconds !== undefined) await control.armRollback(request.rollbackSeconds);
    // The new /etc/conf.d/net must be on disk before the power goes: a power cut skips the shutdown's sync.
    await control.remote.runOk('flushing files to disk before the power-cycle', 'sync', { privileged: true });
    const cycled = await powerCycle(request, label, 'planned');
    if (cycled.error) throw cycled.error;
    from = cycled.onAt;
    waitFrom = cycled.onDone;
    // The old session died with the power; waitForHost replaces it.
  }
  return watch(control, request, {
    previousBootId,
    from,
    waitFrom,
    silentSince: via === 'reboot' ? 'reboot' : 'powerOn',
  });
}

/**
 * The watchdog for a host that stopped answering SSH in the middle of a step (its SSH server gone, a hang, a link
 * that did not come back), once the bench has tried for `silent.waitedMs` to connect again: it is power-cycled through
 * the power driver at once, up to timeouts.powerCycles times, each try in the returned record's recoveries. The
 * record says `via: 'power-cycle'` with `watchdog: true`: nothing the plan asked for booted it.
 *
 * @throws RunStopError when timeouts.powerCycles is 0, every power-cycle left it silent, or the power driver
 *   fails: the message says what happened, what to do by hand, and `bondbench host restore <target>`.
 */
export async function recoverHost(
  control: HostControl,
  request: Omit<BootRequest, 'via' | 'rollbackSeconds'>,
  silent: { error: HostDidNotReturnError; waitedMs: number },
): Promise<BootRecord> {
  return watch(control, { ...request, via: 'power-cycle' }, { silent, silentSince: 'connectionDropped' });
}

/**
 * Waits for SSH on a new boot, power-cycling the host through the power driver each time it stays silent for
 * timeouts.rebootSeconds, until it answers or the tries run out. `silent`: it is known to be silent already (the
 * first thing done is a power-cycle).
 */
async function watch(
  control: HostControl,
  request: BootRequest,
  start: {
    previousBootId?: string;
    from?: number;
    waitFrom?: number;
    silent?: { error: HostDidNotReturnError; waitedMs: number };
    /** What the first silence counts from, in messages: the reboot, power-on, the connection dropped. */
    silentSince: keyof typeof SINCE;
  },
): Promise<BootRecord> {
  const { via, power, log } = request;
  const label = control.label;
  const watchdog = start.silent !== undefined;
  let { from, waitFrom } = start;
  const recoveries: RecoveryRecord[] = [];
  for (;;) {
    try {
      if (start.silent && recoveries.length === 0) throw start.silent.error;
      const back = await control.waitForHost({
        timeoutMs: Math.max(1_000, request.timeoutMs - (performance.now() - (waitFrom ?? performance.now()))),
        previousBootId: start.previousBootId,
        sentAt: from,
      });
      const last = recoveries.at(-1);
      if (last) {
        last.outcome = 'back';
        last.bootMs = back.bootMs;
        log({ key: 'log.boot.back', vars: { host: label, attempt: last.attempt, ms: back.bootMs ?? '?' } });
      }
      return {
        via,
        ...(watchdog ? { watchdog: true } : {}),
        driver: via === 'power-cycle' || recoveries.length ? power.name : undefined,
        offSeconds: via === 'power-cycle' ? request.offSeconds : undefined,
        // After a watchdog power-cycle the boot that counts started at that power-on.
        bootMs: back.bootMs,
        attempts: back.attempts,
        bootId: back.bootId,
        recoveries: recoveries.length ? recoveries : undefined,
      };
    } catch (error) {
      if (!(error instanceof HostDidNotReturnError)) throw error;
      const silentPart: ReasonPart =
        start.silent && recoveries.length === 0
          ? {
              key: 'error.runStop.silentFor',
              vars: {
                seconds: Math.round(start.silent.waitedMs / 1000),
                since: { key: `log.boot.since.${start.silentSince}` },
              },
            }
          : {
              key: 'error.runStop.silentWithin',
              vars: {
                seconds: Math.round(request.timeoutMs / 1000),
                since: { key: `log.boot.since.${recoveries.length ? 'lastPowerOn' : start.silentSince}` },
              },
            };
      const silentFor = sayReason('en', [silentPart]);
      if (recoveries.length >= request.powerCycles) {
        const stop = new RunStopError(
          {
            key: 'error.runStop.gone',
            vars: {
              label,
              what: watchdog
                ? { key: 'error.runStop.stoppedAnswering' }
                : { key: 'error.runStop.notBack', vars: { via: { key: `error.runStop.via.${via}` } } },
              silent: silentPart,
              cycles: request.powerCycles
                ? { key: 'error.runStop.cycles', vars: { count: request.powerCycles, driver: power.name } }
                : { key: 'error.runStop.noCycles' },
              check: {
                key: watchdog ? 'error.runStop.checkSsh' : 'error.runStop.checkConsole',
                vars: { command: restoreCommand(request.target) },
              },
            },
          },
          { cause: error },
        );
        stop.recoveries = recoveries;
        throw stop;
      }
      const attempt: RecoveryRecord = {
        attempt: recoveries.length + 1,
        at: new Date().toISOString(),
        reason: `${silentFor} (${error.message})`,
        outcome: 'still-down',
      };
      recoveries.push(attempt);
      const since = { key: `log.boot.since.${recoveries.length > 1 ? 'lastPowerOn' : start.silentSince}` };
      log({
        key: 'log.boot.watchdog',
        vars: {
          host: label,
          silent:
            start.silent && recoveries.length === 1
              ? { key: 'log.boot.silentFor', vars: { seconds: Math.round(start.silent.waitedMs / 1000), since } }
              : { key: 'log.boot.silentWithin', vars: { seconds: Math.round(request.timeoutMs / 1000), since } },
          attempt: attempt.attempt,
          of: request.powerCycles,
        },
      });
      const cycled = await powerCycle(request, label, watchdog ? 'stoppedAnswering' : 'didNotComeBack');
      if (cycled.error) {
        attempt.outcome = 'power-failed';
        cycled.error.recoveries = recoveries;
        throw cycled.error;
      }
      from = cycled.onAt;
      waitFrom = cycled.onDone;
    }
  }
}
