/**
 * The run engine: the write-up's afternoon of manual steps, end to end. For each repetition and mode: capture,
 * bring the bond up (runtime or netifrc + reboot), read the MACs, probe, pull and plug each slave, measure,
 * judge — writing every step to the run folder as it finishes. The host is restored at the end, whatever happens.
 */
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { relative } from 'node:path';
import type { BenchEvent } from '../../shared/api.js';
import type { PullInstants } from '../../shared/measure/anatomy.js';
import { judgeRun } from '../../shared/oracle/oracle.js';
import {
  applyMethodFor,
  type BootMethod,
  DEFAULT_OFF_SECONDS,
  DEFAULT_POWER_CYCLES,
  DEFAULT_REBOOT_SECONDS,
  type ModeName,
  type Plan,
  type StepSpec,
} from '../../shared/plan/plan.js';
import { planAtPoint, pointLabel, type SweepPoint, sweepPoints } from '../../shared/plan/sweep.js';
import { bootWire } from '../../shared/run/boot-wire.js';
import { describeLoss, lossParts, missingFrames, probeFellShort, worthWarning } from '../../shared/run/capture-loss.js';
import { errorPart, joinParts } from '../../shared/run/failure.js';
import { logEvent, logText, stepPart, textLine } from '../../shared/run/log.js';
import { measureStep } from '../../shared/run/measure-step.js';
import {
  type BootRecord,
  type CaptureLoss,
  framesMissing,
  type HostReading,
  type ReasonPart,
  type RecoveryRecord,
  type StepKind,
  type StepRecord,
} from '../../shared/run/model.js';
import { frameSummary } from '../../shared/wire/summary.js';
import type { PullReceipt } from '../drivers/types.js';
import type { LoadOutcome } from '../lab/load.js';
import { trace, traced } from '../trace.js';
import { RunStopError, stopsRun } from './boot.js';
import type {
  BootOptions,
  CapturedFrame,
  EchoRecord,
  HostSide,
  LinkSide,
  LoadSide,
  PowerSide,
  Probe,
  SwitchSide,
  TesterSide,
} from './ports.js';
import type { RunWriter } from './store.js';

export class RunCancelled extends Error {
  constructor() {
    super('the run was cancelled');
    this.name = 'RunCancelled';
  }
}

export interface RunContext {
  plan: Plan;
  host: HostSide;
  tester: TesterSide;
  link: LinkSide;
  /** Switches the host's power: power-cycle steps and bring-ups, and the watchdog. */
  power: PowerSide;
  /** The plan's switch driver: told each mode before its bring-up (bonding.rst §5 "Switch Configuration"). */
  switch?: SwitchSide;
  /** The tester as many peers, for load steps (the lab's namespace). */
  load?: LoadSide;
  writer: RunWriter;
  signal: AbortSignal;
  emit: (event: BenchEvent) => void;
  /** Steps already finished in this folder (a resumed run skips modes it completed). */
  done?: StepRecord[];
}

/** The os-like ARP policy's default silence before the tester re-asks (Linux/Windows retransmit timer, 1 s). */
const DEFAULT_REASK_MS = 1000;
/** How long the bring-up capture keeps listening after the bond is up, for ARP at boot. */
const BRING_UP_LISTEN_MS = 2500;
/**
 * How long an 802.3ad bond cabled to an LACP port-channel may take to negotiate before its steps are measured
 * anyway (and the oracle says what LACP showed): a partner at the slow rate sends every 30 s (IEEE 802.1AX
 * 6.4.16, slow_periodic_time), so one slow period and a margin.
 */
const LACP_NEGOTIATION_MS = 35_000;
const LACP_POLL_MS = 250;
/** The probe runs this long before a pull: the replies before it, and the port each came on. */
const PULL_LEAD_IN_MS = 500;

/** The steps of every (repetition, mode) that finished all its steps: what a resumed run keeps. */
export function completeSteps(plan: Plan, steps: StepRecord[]): StepRecord[] {
  const perMode = 1 + plan.steps.length;
  const ok = (s: StepRecord) => modeKey(s.point, s.repetition, s.mode);
  const counts = new Map<string, number>();
  for (const s of steps) if (s.status === 'ok') counts.set(ok(s), (counts.get(ok(s)) ?? 0) + 1);
  return steps.filter((s) => counts.get(ok(s)) === perMode);
}

export function countSteps(plan: Plan): number {
  return Math.max(1, sweepPoints(plan).length) * plan.repeat * plan.modes.length * (1 + plan.steps.length);
}

/** One (sweep point, repetition, mode): the unit a resumed run keeps or runs again. */
function modeKey(point: number | undefined, repetition: number, mode: ModeName): string {
  return `${point ?? '-'}/${repetition}/${mode}`;
}

/** Every repetition of every mode, in run order. */
function repetitionsAndModes(plan: Plan): { repetition: number; mode: ModeName }[] {
  return Array.from({ length: plan.repeat }, (_, i) => plan.modes.map((mode) => ({ repetition: i + 1, mode }))).flat();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new RunCancelled());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RunCancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function captureName(point: SweepPoint | undefined, repetition: number, mode: ModeName): string {
  return `capture/${point ? `p${point.index}-` : ''}r${repetition}-${mode.replace(/[^A-Za-z0-9.-]/g, '_')}.pcapng`;
}

/** Steps in plan order, with the mode's bring-up first. */
function modeSteps(plan: Plan): ({ kind: 'bring-up' } | StepSpec)[] {
  return [{ kind: 'bring-up' }, ...plan.steps];
}

/** Polls the host until its 802.3ad bond negotiated, or LACP_NEGOTIATION_MS passed; the last judgement. */
async function waitForLacp(
  host: HostSide,
  plan: Plan,
  signal: AbortSignal,
): Promise<{ negotiated: boolean; reason: ReasonPart; atMs: number }> {
  const deadline = performance.now() + LACP_NEGOTIATION_MS;
  for (;;) {
    const lacp = (await host.read(plan)).lacp;
    const atMs = performance.now();
    const reason = () =>
      lacp?.reasonParts?.length
        ? joinParts(lacp.reasonParts)
        : lacp
          ? textLine(lacp.reason)
          : { key: 'log.step.noLacpState' };
    if (lacp?.negotiated) return { negotiated: true, reason: reason(), atMs };
    if (atMs > deadline) return { negotiated: false, reason: reason(), atMs };
    await sleep(LACP_POLL_MS, signal);
  }
}

export async function executeRun(context: RunContext): Promise<StepRecord[]> {
  const { plan: runPlan, host, tester, link, writer, signal, emit } = context;
  const runId = writer.manifest.id;
  const records: StepRecord[] = [...(context.done ?? [])];
  const totalSteps = countSteps(runPlan);
  const started = performance.now();
  let executed = 0;
  let index = records.reduce((max, s) => Math.max(max, s.index + 1), 0);

  // A host that stops answering SSH mid-step is power-cycled like one that does not come back from a boot; its
  // power off/on go on the timeline of the step it happened in.
  let stepMarker: ((what: string) => void) | undefined;
  host.setWatchdog?.({
    marker: (what) => stepMarker?.(what),
    power: context.power,
    offSeconds: DEFAULT_OFF_SECONDS,
    timeoutMs: (runPlan.timeouts?.rebootSeconds ?? DEFAULT_REBOOT_SECONDS) * 1000,
    powerCycles: runPlan.timeouts?.powerCycles ?? DEFAULT_POWER_CYCLES,
    target: runPlan.host.target,
    log: (part) => emit(logEvent(runId, part)),
    signal,
  });
  const completeModes = new Set(completeSteps(runPlan, records).map((s) => modeKey(s.point, s.repetition, s.mode)));
  // A sweep runs the whole plan once per point, with the point's values laid over the bond's options.
  const points: (SweepPoint | undefined)[] = runPlan.sweep ? sweepPoints(runPlan) : [undefined];

  for (const point of points) {
    const plan = planAtPoint(runPlan, point);
    if (point) {
      await writer.log({
        key: 'log.run.sweepPoint',
        vars: { n: point.index + 1, of: points.length, point: pointLabel(point) },
      });
    }
    for (const { repetition, mode } of repetitionsAndModes(plan)) {
      if (completeModes.has(modeKey(point?.index, repetition, mode))) continue;
      const file = captureName(point, repetition, mode);
      // A capture left by an interrupted attempt at this mode is kept beside the new one, not overwritten.
      if (existsSync(writer.path(file))) {
        await rename(writer.path(file), writer.path(file.replace(/\.pcapng$/, `.interrupted-${Date.now()}.pcapng`)));
      }
      const capture = await tester.startCapture(writer.path(file));
      let stepFrames: CapturedFrame[] = [];
      let firstFrameNo = 1;
      let lastFrameNo = 0;
      const captureStartMs = Date.now();
      capture.onFrames((frames, skipped) => {
        stepFrames.push(...frames);
        for (const f of frames) if (f.no > lastFrameNo) lastFrameNo = f.no;
        emit({
          type: 'frames',
          runId,
          dropped: 0,
          ...(skipped > 0 ? { sampled: skipped } : {}),
          frames: frames.map((f) => frameSummary(f.frame, f.no, (f.timeMs - captureStartMs) / 1000, f.port)),
        });
      });
      // Capture files are named in the run folder's terms.
      const inRun = (losses: CaptureLoss[]) => losses.map((l) => ({ ...l, file: relative(writer.dir, l.file) }));
      /** Why the mode's remaining steps cannot mean anything (its bring-up failed, the host lost power). */
      let failedMode: string | undefined;
      try {
        for (const spec of modeSteps(plan)) {
          if (signal.aborted) throw new RunCancelled();
          const labelPart = stepPart(mode, spec, point ? pointLabel(point) : undefined);
          const label = logText('en', labelPart);
          const done = records.length - (context.done?.length ?? 0);
          const etaMs = done > 0 ? ((performance.now() - started) / done) * (totalSteps - records.length) : undefined;
          const slave = 'slave' in spec && typeof spec.slave === 'string' ? spec.slave : undefined;
          emit({
            type: 'progress',
            runId,
            step: records.length + 1,
            totalSteps,
            label,
            mode,
            stepKind: spec.kind,
            ...(slave ? { slave } : {}),
            ...(point ? { point: pointLabel(point) } : {}),
            etaMs,
          });
          const tStep = performance.now();
          await writer.log(labelPart);
          await capture.comment(label);
          trace(`engine ${label}: log + comment`, tStep);
          stepFrames = [];
          firstFrameNo = lastFrameNo + 1;
          const record: StepRecord = {
            index: index++,
            ...(point ? { point: point.index } : {}),
            repetition,
            mode,
            kind: spec.kind as StepKind,
            slave: 'slave' in spec ? spec.slave : undefined,
            label,
            startedAt: new Date().toISOString(),
            durationMs: 0,
            status: 'ok',
            pcapng: file,
          };
          const t0 = performance.now();
          const markers: { atMs: number; label: string }[] = [];
          const stepStartMs = Date.now();
          let echo: EchoRecord[] | undefined;
          let before: HostReading | undefined;
          let pullAtMs: number | undefined;
          let pull: ({ slave: string } & PullInstants) | undefined;
          let probe: Probe | undefined;
          let load: LoadOutcome | undefined;
          /** The step's end on the capture: every frame taken until then handed over, and counted. */
          let synced: Promise<CaptureLoss[] | undefined> | undefined;
          let fatal: unknown;
          let tAfter = 0;
          const mark = (what: string) => {
            const atMs = Date.now() - stepStartMs;
            markers.push({ atMs, label: what });
            emit({ type: 'marker', runId, atMs, label: what });
          };
          stepMarker = mark;
          const endOfStep = () =>
            capture.checkpoint().catch(async (error: Error) => {
              await writer.log({ key: 'log.step.countersUnread', vars: { step: labelPart, error: errorPart(error) } });
              return undefined;
            });
          const boot = (via: BootMethod, offSeconds: number): BootOptions => ({
            via,
            power: context.power,
            offSeconds,
            timeoutMs: (plan.timeouts?.rebootSeconds ?? DEFAULT_REBOOT_SECONDS) * 1000,
            powerCycles: plan.timeouts?.powerCycles ?? DEFAULT_POWER_CYCLES,
            target: plan.host.target,
            // The session's relay writes log events into log.txt.
            log: (part) => emit(logEvent(runId, part)),
            marker: mark,
            signal,
          });
          try {
            if (failedMode) throw new Error(`skipped: ${failedMode}`);
            switch (spec.kind) {
              case 'bring-up': {
                if (context.switch) {
                  const t = performance.now();
                  const receipt = await context.switch.setMode(mode, plan.bond.slaves);
                  record.switch = {
                    driver: context.switch.name,
                    channel: receipt.channel,
                    attachedTo: receipt.attachedTo,
                    ms: Math.round(performance.now() - t),
                  };
                  await writer.log({
                    key: 'log.step.switchPorts',
                    vars: { step: labelPart, channel: receipt.channel, attachedTo: receipt.attachedTo },
                  });
                }
                const method = applyMethodFor(plan, mode);
                const via = plan.apply.boot ?? 'reboot';
                // The listen counts from the bond coming up: the read-back that follows is SSH on the management
                // port, not traffic on the slaves, and goes on inside it.
                let upAt: number | undefined;
                const tApply = performance.now();
                const result = await host.apply(
                  plan,
                  mode,
                  method,
                  method === 'netifrc' ? boot(via, plan.apply.offSeconds ?? DEFAULT_OFF_SECONDS) : undefined,
                  () => {
                    upAt = performance.now();
                  },
                );
                trace(`engine ${label}: host.apply`, tApply);
                record.apply = { method, rebootMs: result.rebootMs, verified: result.verified };
                record.boot = result.boot;
                if (result.mismatch) throw new Error(result.mismatch);
                upAt ??= performance.now();
                await sleep(Math.max(0, BRING_UP_LISTEN_MS - (performance.now() - upAt)), signal);
                if (record.switch?.channel === 'lacp' && mode === '802.3ad') {
                  // Steps measure the aggregate, not its negotiation: wait until LACP agrees (or say it did not).
                  const lacp = await waitForLacp(host, plan, signal);
                  if (lacp.negotiated) record.switch.lacpMs = Math.round(lacp.atMs - upAt);
                  const { reason } = lacp;
                  await writer.log(
                    lacp.negotiated
                      ? { key: 'log.step.lacpUp', vars: { step: labelPart, ms: record.switch.lacpMs!, reason } }
                      : {
                          key: 'log.step.lacpNotUp',
                          vars: { step: labelPart, seconds: LACP_NEGOTIATION_MS / 1000, reason },
                        },
                  );
                }
                break;
              }
              case 'power-cycle':
              case 'reboot': {
                record.boot = await host.boot(
                  boot(spec.kind, spec.kind === 'power-cycle' ? spec.offSeconds : DEFAULT_OFF_SECONDS),
                );
                // Until the bond is up and its first frames are out: what it sends at boot.
                await sleep(BRING_UP_LISTEN_MS, signal);
                record.boot.persisted = await host.persisted(plan, mode);
                break;
              }
              case 'read-macs':
                break;
              case 'load': {
                if (!context.load) throw new Error('a load step needs the virtual lab’s tester (host.target lab)');
                before = await host.read(plan);
                mark(`load ${spec.peers} peers × ${spec.flows} flows`);
                load = await context.load.run(plan.bond.address.split('/')[0]!, spec);
                await writer.log({
                  key: 'log.step.loadSent',
                  vars: { step: labelPart, sent: load.sent, received: load.received },
                });
                break;
              }
              case 'probe': {
                // The counters start from the reading that ended the step before in this mode, taken moments ago
                // with no probe running since; read afresh where there is none (first step, a failed one).
                const last = records.at(-1);
                const sameMode =
                  last?.status === 'ok' &&
                  last.mode === mode &&
                  last.repetition === repetition &&
                  last.point === point?.index;
                before = sameMode && last.reading ? last.reading : await host.read(plan);
                probe = await startProbe(tester, plan, plan.probe.rate, runId, stepStartMs, emit);
                await sleep(spec.seconds * 1000, signal);
                echo = await probe.stop();
                probe = undefined;
                break;
              }
              case 'pull': {
                // The host is read while the probe's lead-in runs: the reading is not traffic on the bond's slaves.
                const reading = host.read(plan);
                // Awaited below; a probe that fails to start must not leave it unobserved.
                reading.catch(() => undefined);
                probe = await startProbe(tester, plan, plan.probe.pullRate, runId, stepStartMs, emit);
                [before] = await Promise.all([reading, sleep(PULL_LEAD_IN_MS, signal)]);
                pullAtMs = Date.now();
                // The link driver confirms the pull on the host (MII down, or carrier without monitoring) before
                // it returns, and says when the host's end of the cable lost carrier where it can tell.
                const receipt = (await traced(`engine ${label}: link.pull`, link.pull(spec.slave))) ?? {};
                pull = pullInstants(spec.slave, pullAtMs, receipt);
                markers.push({ atMs: pull.carrierOffMs - stepStartMs, label: `pull ${spec.slave}` });
                emit({ type: 'marker', runId, atMs: pull.carrierOffMs - stepStartMs, label: `pull ${spec.slave}` });
                // The cable stays out holdSeconds from the pull: the driver's confirmation is part of that time.
                await sleep(Math.max(0, spec.holdSeconds * 1000 - (Date.now() - pullAtMs)), signal);
                echo = await probe.stop();
                probe = undefined;
                break;
              }
              case 'plug': {
                markers.push({ atMs: Date.now() - stepStartMs, label: `plug ${spec.slave}` });
                emit({ type: 'marker', runId, atMs: Date.now() - stepStartMs, label: `plug ${spec.slave}` });
                const pluggedAt = performance.now();
                await traced(`engine ${label}: link.plug`, link.plug(spec.slave));
                await sleep(spec.settleSeconds * 1000, signal);
                const bringUp = records.filter((r) => r.kind === 'bring-up' && r.mode === mode).at(-1);
                if (mode === '802.3ad' && bringUp?.switch?.channel === 'lacp') {
                  // A plugged port carries traffic only once LACP has it collecting and distributing in the
                  // aggregator again (IEEE 802.1AX-2014 §6.4.15 Mux machine); a pull before that pulls the last
                  // aggregated slave, not a failover. So the plug waits for the aggregate, as the bring-up does.
                  const lacp = await waitForLacp(host, plan, signal);
                  const { reason } = lacp;
                  await writer.log(
                    lacp.negotiated
                      ? {
                          key: 'log.step.aggregateBack',
                          vars: { step: labelPart, slave: spec.slave, ms: Math.round(lacp.atMs - pluggedAt), reason },
                        }
                      : {
                          key: 'log.step.aggregateNotBack',
                          vars: { step: labelPart, slave: spec.slave, seconds: LACP_NEGOTIATION_MS / 1000, reason },
                        },
                  );
                }
                break;
              }
            }
            trace(`engine ${label}: body`, t0);
            // The frames captured until now reach us (they come in batches) while the host is read.
            const tRead = performance.now();
            synced = endOfStep();
            [record.reading] = await Promise.all([host.read(plan), synced]);
            trace(`engine ${label}: end read + capture sync`, tRead);
            emit({ type: 'host', runId, reading: record.reading });
          } catch (error) {
            if (probe) await probe.stop().catch(() => undefined);
            if (error instanceof RunCancelled) throw error;
            record.status = 'failed';
            record.error = (error as Error).message;
            record.errorParts = [errorPart(error)];
            await writer.log({ key: 'log.step.failed', vars: { step: labelPart, error: record.errorParts[0]! } });
            if (spec.kind === 'bring-up') failedMode ??= 'the mode’s bring-up failed';
            const powerCycled = error as { endsMode?: boolean; boot?: BootRecord };
            if (powerCycled.endsMode) {
              failedMode ??= 'the watchdog power-cycled the host, the mode’s runtime configuration is gone';
              // The watchdog's boot is this step's: its time and what the host sent while it booted.
              record.boot = powerCycled.boot;
            }
            if (stopsRun(error)) {
              // The host cannot be reached or powered: record what this step saw, then stop the run.
              fatal = error;
              const via =
                spec.kind === 'power-cycle' || spec.kind === 'reboot'
                  ? spec.kind
                  : spec.kind === 'bring-up' && applyMethodFor(plan, mode) === 'netifrc'
                    ? (plan.apply.boot ?? 'reboot')
                    : undefined;
              if (via) {
                record.boot ??= { via, offSeconds: spec.kind === 'power-cycle' ? spec.offSeconds : undefined };
                const recoveries = (error as { recoveries?: RecoveryRecord[] }).recoveries;
                if (recoveries) record.boot.recoveries = recoveries;
              }
            }
          } finally {
            // A step that failed before its reading still lets its last frames arrive.
            // What each capture file lost in this step, and where (kernel, interface, writer).
            const losses = await (synced ?? endOfStep());
            record.durationMs = Math.round(performance.now() - t0);
            tAfter = performance.now();
            record.frames = stepFrames.length ? { first: firstFrameNo, last: lastFrameNo } : undefined;
            if (losses) {
              record.capture = inRun(losses);
              for (const loss of record.capture)
                if (worthWarning(loss)) await writer.log(joinParts(lossParts(loss, labelPart)));
            }
            const lost = capture.failure?.();
            if (lost && !fatal) {
              // A capture port went away (adapter removed, driver reset): nothing later can be captured there, and
              // a step without its frames measures nothing. What came before is in the file; the run stops.
              const message = `the tester's capture stopped (${lost.error}): what it captured until then is kept in ${relative(writer.dir, lost.file)}; check the tester's network adapter (removed, disabled, its driver reset) and run the plan again`;
              if (record.status === 'ok') {
                record.status = 'failed';
                record.error = message;
                await writer.log({ key: 'log.step.failed', vars: { step: labelPart, error: textLine(message) } });
              }
              fatal = new RunStopError(message);
            }
            if (record.boot) {
              // From the last power-on (or the reboot command) on: what the host sent while it booted.
              const start = markers.filter((m) => m.label === 'power on' || m.label === 'reboot').at(-1);
              record.boot.wire = bootWire(plan, stepFrames, stepStartMs + (start?.atMs ?? 0), [
                records.at(-1)?.reading,
                record.reading,
              ]);
            }
            if (record.status === 'ok') {
              record.measurements = measureStep({
                plan,
                mode,
                frames: stepFrames,
                echo,
                rate: spec.kind === 'pull' ? plan.probe.pullRate : plan.probe.rate,
                stepStartMs,
                pullAtMs,
                pull,
                testerMac: tester.facts().mac,
                before,
                after: record.reading,
                markers,
                load,
              });
              record.measurements.droppedFrames = missingFrames(record.capture);
              const probe = record.measurements.probe;
              if (probeFellShort(probe)) {
                await writer.log({
                  key: 'log.step.probeShort',
                  vars: { step: labelPart, achieved: probe!.achievedRate!, rate: probe!.rate },
                });
              }
            }
          }
          trace(`engine ${label}: checkpoint + measure`, tAfter);
          const tWrite = performance.now();
          executed++;
          records.push(record);
          await writer.appendStep(record);
          emit({ type: 'step', runId, step: record, matrix: judgeRun(runPlan, records) });
          trace(`engine ${label}: record + judge`, tWrite);
          if (fatal) throw fatal;
        }
      } finally {
        const stats = await capture.stop().catch(async (error: Error) => {
          await writer.warn(`${file}: stopping the capture failed, its counts are unknown: ${error.message}`, [
            { key: 'runWarning.captureStop', vars: { file, error: error.message } },
          ]);
          return undefined;
        });
        // The run's warning: each file's losses over the whole mode (the steps' records say which step).
        for (const loss of inRun(stats?.files ?? []))
          if (worthWarning(loss)) {
            const where = { key: 'runWarning.where', vars: { mode, repetition } };
            await writer.warn(describeLoss(loss, where), lossParts(loss, where));
          }
        for (const loss of inRun(stats?.sinceCheckpoint ?? []))
          if (framesMissing(loss) > 0)
            await writer.log(joinParts(lossParts(loss, { key: 'log.step.afterLast', vars: { mode } })));
      }
    }
  }
  void executed;
  return records;
}

async function startProbe(
  tester: TesterSide,
  plan: Plan,
  rate: number,
  runId: string,
  stepStartMs: number,
  emit: (event: BenchEvent) => void,
): Promise<Probe> {
  const probe = await tester.startProbe(plan.bond.address.split('/')[0]!, rate, {
    reaskAfterMs: plan.probe.arpPolicy === 'passive' ? 0 : (plan.probe.reaskAfterMs ?? DEFAULT_REASK_MS),
  });
  probe.onSample((sample) =>
    emit({ type: 'probe', runId, sample: { atMs: sample.sentAtMs - stepStartMs, rttMs: sample.rttMs } }),
  );
  return probe;
}

/**
 * Where the pull took effect on the capture's clock: the middle of the link driver's command that cut the host's
 * end (± half its span), else the instant the pull was commanded (an early bound: the driver acts after it).
 */
export function pullInstants(
  slave: string,
  commandedMs: number,
  receipt: PullReceipt,
): { slave: string } & PullInstants {
  const host = receipt.hostCarrierOffMs;
  const instants: { slave: string } & PullInstants = host
    ? { slave, carrierOffMs: (host[0] + host[1]) / 2, carrierOffUncertaintyMs: (host[1] - host[0]) / 2 }
    : { slave, carrierOffMs: commandedMs, carrierOffUncertaintyMs: 0 };
  // The switch end went dark before the host's NIC reported it (a PHY's link-fail time): the cable was out then.
  const cut = receipt.switchCarrierOffMs;
  if (host && cut && cut[1] < host[0]) instants.cableOutMs = (cut[0] + cut[1]) / 2;
  if (receipt.confirmedMs !== undefined) {
    instants.confirmedMs = receipt.confirmedMs;
    instants.confirmedBy = receipt.confirmedBy ?? 'mii';
  }
  return instants;
}

export { BRING_UP_LISTEN_MS, PULL_LEAD_IN_MS };
