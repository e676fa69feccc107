/** The echo probe stream as records, and its loss, duplicates, reordering and round-trip times. */
import type { EchoEvent } from '../tester/protocol.js';
import type { DecodedFrame } from '../wire/types.js';
import type { TimeWindow } from './arp.js';
import { inWindow } from './arp.js';

export interface EchoReply {
  atMs: number;
  srcMac: string;
}

export interface EchoRecord {
  seq: number;
  /** NaN until the request's `sent` event arrived. */
  sentMs: number;
  sentClock?: 'capture' | 'agent';
  replies: EchoReply[];
}

export interface TargetMacChange {
  atMs: number;
  mac: string;
  previous: string;
}

/** Collects a probe's event batches into one record per request (seq is dense from 0). */
export class EchoLog {
  private readonly bySeq: EchoRecord[] = [];
  readonly targetMacChanges: TargetMacChange[] = [];
  /** When the probe re-resolved the target by ARP after replies stopped. */
  readonly rearps: number[] = [];

  add(events: Iterable<EchoEvent>): void {
    for (const event of events) {
      if (event.kind === 'targetMac') {
        this.targetMacChanges.push({ atMs: event.atMs, mac: event.mac, previous: event.previous });
        continue;
      }
      if (event.kind === 'rearp') {
        this.rearps.push(event.atMs);
        continue;
      }
      const record = this.record(event.seq);
      if (event.kind === 'sent') {
        record.sentMs = event.atMs;
        record.sentClock = event.clock;
      } else {
        record.replies.push({ atMs: event.atMs, srcMac: event.srcMac });
      }
    }
  }

  private record(seq: number): EchoRecord {
    if (!Number.isInteger(seq) || seq < 0) throw new Error(`echo event with invalid sequence ${seq}`);
    let record = this.bySeq[seq];
    if (!record) {
      record = { seq, sentMs: Number.NaN, replies: [] };
      this.bySeq[seq] = record;
    }
    return record;
  }

  /** Records in sequence order (requests never sent, e.g. a gap in the events, are absent). */
  records(): EchoRecord[] {
    return this.bySeq.filter((r) => r !== undefined);
  }
}

export interface Distribution {
  count: number;
  min: number;
  mean: number;
  median: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles over the values (sorted copy); undefined for none. */
export function distribution(values: readonly number[]): Distribution | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return {
    count: sorted.length,
    min: sorted[0]!,
    mean: sorted.reduce((s, v) => s + v, 0) / sorted.length,
    median: rank(0.5),
    p99: rank(0.99),
    max: sorted.at(-1)!,
  };
}

export interface EchoStats {
  sent: number;
  /** Requests with at least one reply. */
  answered: number;
  lost: number;
  lossRatio: number;
  /** Replies beyond the first for a request (broadcast mode answers every request twice). */
  duplicates: number;
  /** First replies that arrived after a reply to a later request (balance-rr stripes one flow over slaves). */
  reordered: number;
  /** First reply − request, ms. */
  rttMs?: Distribution;
}

/** First reply per answered request: arrival time. */
function firstReplies(records: readonly EchoRecord[]): Map<number, number> {
  const first = new Map<number, number>();
  for (const r of records) {
    for (const reply of r.replies) {
      const known = first.get(r.seq);
      if (known === undefined || reply.atMs < known) first.set(r.seq, reply.atMs);
    }
  }
  return first;
}

/** Sequences whose first reply arrived after the first reply to a later sequence. */
function reorderedSequences(first: ReadonlyMap<number, number>): Set<number> {
  const reordered = new Set<number>();
  let highest = -1;
  for (const [seq] of [...first].sort((a, b) => a[1] - b[1] || a[0] - b[0])) {
    if (seq < highest) reordered.add(seq);
    else highest = seq;
  }
  return reordered;
}

/** Statistics of the requests sent inside the window (by their sent time). */
export function echoStats(records: readonly EchoRecord[], window: TimeWindow = {}): EchoStats {
  const chosen = records.filter((r) => !Number.isNaN(r.sentMs) && inWindow(r.sentMs, window));
  const first = firstReplies(chosen);
  const rtts = chosen.filter((r) => first.has(r.seq)).map((r) => first.get(r.seq)! - r.sentMs);
  const duplicates = chosen.reduce((n, r) => n + Math.max(0, r.replies.length - 1), 0);
  const sent = chosen.length;
  const answered = first.size;
  return {
    sent,
    answered,
    lost: sent - answered,
    lossRatio: sent === 0 ? 0 : (sent - answered) / sent,
    duplicates,
    reordered: reorderedSequences(first).size,
    rttMs: distribution(rtts),
  };
}

/** One request as the engine's step measurements take it (shared/run/samples.ts ProbeSample). */
export interface EchoSample {
  sequence: number;
  sentAtMs: number;
  /** Null for a request that got no reply. */
  rttMs: number | null;
  duplicates: number;
  receivedAtMs?: number;
  reordered?: boolean;
}

/** Records → per-request samples, with reordering marked as in echoStats. Requests never seen sent are left out. */
export function echoSamples(records: readonly EchoRecord[]): EchoSample[] {
  const sent = records.filter((r) => !Number.isNaN(r.sentMs));
  const first = firstReplies(sent);
  const reordered = reorderedSequences(first);
  return sent.map((r) => {
    const at = first.get(r.seq);
    const sample: EchoSample = {
      sequence: r.seq,
      sentAtMs: r.sentMs,
      rttMs: at === undefined ? null : at - r.sentMs,
      duplicates: Math.max(0, r.replies.length - 1),
    };
    if (at !== undefined) sample.receivedAtMs = at;
    if (reordered.has(r.seq)) sample.reordered = true;
    return sample;
  });
}

/**
 * Echo records rebuilt from a capture of the tester port alone (re-judging a recorded run): each echo request the
 * tester sent to the bond and the replies to it, matched by ICMP identifier and 16-bit sequence (unwrapped in
 * send order). Times are the capture's.
 */
export function echoRecordsFromFrames(
  frames: Iterable<{ timeMs: number; frame: DecodedFrame }>,
  options: { bondIp: string },
): EchoRecord[] {
  const records: EchoRecord[] = [];
  const open = new Map<string, EchoRecord>();
  for (const { timeMs, frame } of frames) {
    const echo = frame.icmp?.echo;
    if (!echo || !frame.ipv4 || !frame.eth) continue;
    const key = `${echo.identifier}/${echo.sequence}`;
    if (echo.kind === 'request' && frame.ipv4.dst === options.bondIp) {
      const record: EchoRecord = { seq: records.length, sentMs: timeMs, sentClock: 'capture', replies: [] };
      records.push(record);
      open.set(key, record);
    } else if (echo.kind === 'reply' && frame.ipv4.src === options.bondIp) {
      open.get(key)?.replies.push({ atMs: timeMs, srcMac: frame.eth.src });
    }
  }
  return records;
}
