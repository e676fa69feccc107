/**
 * Per-step capture accounting: a capture's counters (shared/tester/protocol.ts CaptureCounters, cumulative since
 * it started) turned into what one period — a step, or the whole capture — lost, and where. Pure.
 */

import { sayReason } from '../oracle/failover.js';
import type { CaptureCounters } from '../tester/protocol.js';
import { type CaptureLoss, framesMissing, type ProbeStats, type ReasonPart, type StepRecord } from './model.js';

/** How far below the plan's rate the probe may fall before the run says so (5 %: scheduling jitter stays under). */
export const PROBE_RATE_TOLERANCE = 0.05;

/** Whether a step's probe sent fewer requests per second than the plan asked, beyond the tolerance. */
export function probeFellShort(probe: ProbeStats | undefined): boolean {
  return probe?.achievedRate !== undefined && probe.achievedRate < probe.rate * (1 - PROBE_RATE_TOLERANCE);
}

const ZERO: CaptureCounters = {
  received: 0,
  bytes: 0,
  queueDropped: 0,
  sampled: 0,
  writerDropped: 0,
  malformed: 0,
  written: 0,
};

/**
 * The counts between two readings of one capture's counters (`before` undefined: since the capture started).
 * libpcap's kernel counters are 32-bit on some platforms and wrap; a reading lower than the one before counts from 0.
 */
export function lossBetween(
  file: string,
  port: string,
  before: CaptureCounters | undefined,
  after: CaptureCounters,
): CaptureLoss {
  const b = before ?? ZERO;
  const delta = (x: number | undefined, y: number | undefined) => {
    const now = x ?? 0;
    const then = y ?? 0;
    return now >= then ? now - then : now;
  };
  const loss: CaptureLoss = {
    file,
    port,
    received: delta(after.received, b.received),
    written: delta(after.written, b.written),
    kernelDropped: delta(after.kernel?.dropped, b.kernel?.dropped),
    interfaceDropped: delta(after.kernel?.ifDropped, b.kernel?.ifDropped),
    writerDropped: delta(after.writerDropped, b.writerDropped),
    liveSkipped: delta(after.sampled + after.queueDropped, (b.sampled ?? 0) + b.queueDropped),
  };
  if (after.writerError) loss.writerError = after.writerError;
  return loss;
}

/** Frames missing from the files of one step (what StepMeasurements.droppedFrames holds). */
export function missingFrames(losses: readonly CaptureLoss[] | undefined): number {
  return (losses ?? []).reduce((n, loss) => n + framesMissing(loss), 0);
}

/** Whether a loss is worth telling the user: frames missing from the file, or the interface dropping some. */
export function worthWarning(loss: CaptureLoss): boolean {
  return framesMissing(loss) > 0 || loss.interfaceDropped > 0 || loss.writerError !== undefined;
}

/** A message key of the `captureLoss` namespace (shared/i18n/catalogue.ts) with its variables. */
export interface LossNote {
  key: 'captureLoss.step' | 'captureLoss.interfaceOnly' | 'captureLoss.writerError' | 'captureLoss.probeShort';
  vars: Record<string, string | number>;
}

/** Everything a step's record says was not as planned on the tester: capture losses per file, a slow probe. */
export function stepNotes(step: StepRecord): LossNote[] {
  const notes = (step.capture ?? []).flatMap(lossNotes);
  const probe = step.measurements?.probe;
  if (probeFellShort(probe))
    notes.push({ key: 'captureLoss.probeShort', vars: { achieved: probe!.achievedRate!, planned: probe!.rate } });
  return notes;
}

/** A file's loss as the `captureLoss.*` and `runWarning.loss*` messages name it. */
function lossFigures(loss: CaptureLoss): Record<string, string | number> {
  const missing = framesMissing(loss);
  return {
    file: loss.file,
    port: loss.port,
    missing,
    total: loss.written + missing,
    kernel: loss.kernelDropped,
    writer: loss.writerDropped,
    interface: loss.interfaceDropped,
  };
}

/**
 * What the report and the UI say about one file's loss in a step (nothing when there is nothing to say). The
 * caller adds the step's own variables (step, mode, label) in its language.
 */
export function lossNotes(loss: CaptureLoss): LossNote[] {
  if (!worthWarning(loss)) return [];
  const notes: LossNote[] = [
    { key: framesMissing(loss) > 0 ? 'captureLoss.step' : 'captureLoss.interfaceOnly', vars: lossFigures(loss) },
  ];
  if (loss.writerError)
    notes.push({ key: 'captureLoss.writerError', vars: { file: loss.file, error: loss.writerError } });
  return notes;
}

/**
 * One line for the run's log and warnings (English, as the run log is), e.g.
 * "capture/r1-balance-rr.pcapng (tester0): 1 200 of 51 200 frames are not in the file — kernel dropped 1 000,
 * writer dropped 200; the interface dropped 0".
 */
export function describeLoss(loss: CaptureLoss, where: string | ReasonPart): string {
  return sayReason('en', lossParts(loss, where));
}

/** describeLoss as message parts (`runWarning.loss`, `runWarning.lossStopped`), for the run's warnings. */
export function lossParts(loss: CaptureLoss, where: string | ReasonPart): ReasonPart[] {
  const vars = { where, ...lossFigures(loss) };
  return loss.writerError
    ? [{ key: 'runWarning.lossStopped', vars: { ...vars, error: loss.writerError } }]
    : [{ key: 'runWarning.loss', vars }];
}
