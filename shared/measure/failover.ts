/**
 * Failover around a cable pull, two ways, so they can be compared:
 * - the longest gap in echo replies around the pull (its resolution is the probe interval: probe fast) — the one
 *   where requests were lost, since a busy host (or an emulator) can hold replies back without losing any;
 * - RFC 6413's loss-derived convergence time: packets lost ÷ offered rate.
 * With the carrier-off instant and the bond's first visible reaction (gratuitous ARP, unsolicited NA, learning
 * frame), the outage splits into detection (miimon) and switch-over.
 */
import type { TimedFrame } from './arp.js';
import type { EchoRecord } from './echo.js';

export interface FailoverOptions {
  /** The pull (carrier-off) instant, ms since the epoch. */
  pullAtMs: number;
  /** Probe interval, ms (1000 / rate). */
  intervalMs: number;
  /** How far around the pull to look, ms (default 10 000). */
  windowMs?: number;
}

export interface FailoverEstimate {
  /**
   * The gap between consecutive replies that ends after the pull and holds the most lost requests (the longest
   * of those), ms. Normal spacing is intervalMs.
   */
  gapMs: number;
  /** Last reply before the gap and first after it. */
  gapStartMs: number;
  gapEndMs: number;
  /** The gap is only known to ± one probe interval. */
  resolutionMs: number;
  /** False when no reply came after the pull inside the window: gapMs is then a lower bound. */
  recovered: boolean;
  /** Requests sent inside the window that got no reply. */
  lost: number;
  offeredRatePerSec: number;
  /** RFC 6413 §4.1 loss-derived convergence time: lost ÷ offered rate, ms. */
  lossDerivedMs: number;
}

export function failoverTime(records: readonly EchoRecord[], options: FailoverOptions): FailoverEstimate {
  const { pullAtMs, intervalMs } = options;
  if (!(intervalMs > 0)) throw new Error(`probe interval ${intervalMs} ms must be positive`);
  const windowMs = options.windowMs ?? 10_000;
  const from = pullAtMs - windowMs;
  const to = pullAtMs + windowMs;
  const arrivals: number[] = [];
  const lostSent: number[] = [];
  let lastSentMs = Number.NEGATIVE_INFINITY;
  for (const record of records) {
    if (!Number.isNaN(record.sentMs) && record.sentMs >= from && record.sentMs < to) {
      if (record.replies.length === 0) lostSent.push(record.sentMs);
      lastSentMs = Math.max(lastSentMs, record.sentMs);
    }
    for (const reply of record.replies) if (reply.atMs >= from && reply.atMs < to) arrivals.push(reply.atMs);
  }
  arrivals.sort((a, b) => a - b);
  type Gap = { start: number; end: number; recovered: boolean; lost: number };
  // Requests lost inside a gap mark it as the outage: a host that merely stalls delays its replies, loses none.
  const lostIn = (start: number, end: number) => lostSent.filter((t) => t >= start - intervalMs && t < end).length;
  const better = (a: Gap, b: Gap | undefined) =>
    !b || a.lost > b.lost || (a.lost === b.lost && a.end - a.start > b.end - b.start);
  let best: Gap | undefined;
  for (let i = 1; i < arrivals.length; i++) {
    const start = arrivals[i - 1]!;
    const end = arrivals[i]!;
    if (end <= pullAtMs) continue;
    const gap = { start, end, recovered: true, lost: lostIn(start, end) };
    if (better(gap, best)) best = gap;
  }
  // Requests still unanswered after the last reply: an outage that had not ended (a lower bound).
  const lastArrival = arrivals.at(-1) ?? from;
  if (Number.isFinite(lastSentMs) && lastSentMs > lastArrival && lastSentMs > pullAtMs) {
    const open = { start: lastArrival, end: lastSentMs, recovered: false, lost: lostIn(lastArrival, lastSentMs + 1) };
    if (better(open, best)) best = open;
  }
  best ??= { start: lastArrival, end: lastArrival, recovered: true, lost: 0 };
  const lost = lostSent.length;
  return {
    gapMs: best.end - best.start,
    gapStartMs: best.start,
    gapEndMs: best.end,
    resolutionMs: intervalMs,
    recovered: best.recovered,
    lost,
    offeredRatePerSec: 1000 / intervalMs,
    lossDerivedMs: lost * intervalMs,
  };
}

export type FailoverSignalKind = 'gratuitous-arp' | 'arp-reply' | 'unsolicited-na' | 'learning';

export interface FailoverSignal {
  kind: FailoverSignalKind;
  timeMs: number;
  srcMac: string;
}

/**
 * The bond's first visible reaction after the carrier went off: a gratuitous ARP for its address or an
 * unsolicited neighbour advertisement (active-backup's peer notification), a learning frame (tlb/alb) or, in alb,
 * an ARP reply it volunteers to a peer.
 */
export function failoverSignal(
  frames: Iterable<TimedFrame>,
  options: { afterMs: number; bondIp: string; untilMs?: number },
): FailoverSignal | undefined {
  let first: FailoverSignal | undefined;
  for (const frame of frames) {
    if (frame.timeMs < options.afterMs || (options.untilMs !== undefined && frame.timeMs >= options.untilMs)) continue;
    if (first && frame.timeMs >= first.timeMs) continue;
    const srcMac = frame.eth?.src ?? '';
    let kind: FailoverSignalKind | undefined;
    if (frame.arp?.class === 'gratuitous' && frame.arp.senderIp === options.bondIp) kind = 'gratuitous-arp';
    else if (frame.arp?.class === 'reply' && frame.arp.senderIp === options.bondIp) kind = 'arp-reply';
    else if (frame.neighbourAdvertisement?.unsolicited) kind = 'unsolicited-na';
    else if (frame.learning) kind = 'learning';
    if (kind) first = { kind, timeMs: frame.timeMs, srcMac };
  }
  return first;
}

export interface FailoverPhases {
  /** Carrier off → first reply after the gap: what the peer suffered, ms. */
  outageMs: number;
  /** Carrier off → the bond's first reaction on the wire (≈ miimon), when one was seen. */
  detectionMs?: number;
  /** The bond's reaction → first reply: switch-over and path re-learning, when a reaction was seen. */
  switchOverMs?: number;
  /** Last reply before the gap came this long before carrier off (≤ one interval if the pull caused the gap). */
  lastReplyBeforePullMs: number;
}

export function failoverPhases(input: {
  carrierOffMs: number;
  estimate: FailoverEstimate;
  signal?: FailoverSignal;
}): FailoverPhases {
  const { carrierOffMs, estimate, signal } = input;
  const phases: FailoverPhases = {
    outageMs: estimate.gapEndMs - carrierOffMs,
    lastReplyBeforePullMs: carrierOffMs - estimate.gapStartMs,
  };
  if (signal) {
    phases.detectionMs = signal.timeMs - carrierOffMs;
    phases.switchOverMs = estimate.gapEndMs - signal.timeMs;
  }
  return phases;
}
