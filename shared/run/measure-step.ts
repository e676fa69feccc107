/**
 * One step's measurements from what the tester captured, the probe samples and the host's counters before and
 * after. Pure: the same inputs always give the same numbers, so a run folder can be re-judged later.
 */
import type { Plan } from '../plan/plan.js';
import type { ArpCounts, HostReading, ProbeStats, StepMeasurements } from './model.js';
import type { CapturedFrame, ProbeSample } from './samples.js';

export interface StepInput {
  plan: Plan;
  frames: CapturedFrame[];
  samples?: ProbeSample[];
  rate: number;
  stepStartMs: number;
  /** The instant the pull was commanded (ms since the epoch), for pull steps. */
  pullAtMs?: number;
  before?: HostReading;
  after?: HostReading;
  markers: { atMs: number; label: string }[];
}

const emptyArp = (): ArpCounts => ({ probe: 0, gratuitous: 0, request: 0, reply: 0 });

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The host's MACs: every slave's current and permanent MAC and the bond's. */
function hostMacs(readings: (HostReading | undefined)[]): Set<string> {
  const macs = new Set<string>();
  for (const reading of readings) {
    if (!reading) continue;
    if (reading.bondMac) macs.add(reading.bondMac);
    for (const slave of reading.slaves) {
      macs.add(slave.mac);
      if (slave.permanentMac) macs.add(slave.permanentMac);
    }
  }
  return macs;
}

export function probeStats(samples: ProbeSample[], rate: number, stepStartMs: number, pullAtMs?: number): ProbeStats {
  const interval = 1000 / rate;
  const answered = samples.filter((s) => s.rttMs !== null);
  const rtts = answered.map((s) => s.rttMs!);
  const stats: ProbeStats = {
    rate,
    sent: samples.length,
    received: answered.length,
    lost: samples.length - answered.length,
    duplicates: samples.reduce((n, s) => n + s.duplicates, 0),
    reordered: samples.filter((s) => s.reordered).length,
    rttMs: rtts.length
      ? { min: Math.min(...rtts), median: Number(median(rtts).toFixed(3)), max: Math.max(...rtts) }
      : undefined,
    samples: samples.map((s) => [
      Math.round(s.sentAtMs - stepStartMs),
      s.rttMs === null ? null : Number(s.rttMs.toFixed(3)),
    ]),
    markers: [],
  };
  if (pullAtMs !== undefined) {
    // The longest run of unanswered probes sent after the pull, in probe intervals: the failover time.
    const after = samples.filter((s) => s.sentAtMs >= pullAtMs - interval);
    let longest = 0;
    let run = 0;
    let runStart = -1;
    let gap: [number, number] | undefined;
    after.forEach((s, i) => {
      if (s.rttMs === null) {
        if (run === 0) runStart = i;
        run++;
        if (run > longest) {
          longest = run;
          gap = [runStart, i];
        }
      } else run = 0;
    });
    const lostAfter = after.filter((s) => s.rttMs === null).length;
    stats.failoverMs = Math.round(longest * interval);
    stats.lossConvergenceMs = Math.round((lostAfter / rate) * 1000);
    if (gap) {
      const firstAnsweredAfter = after.slice(gap[1] + 1).find((s) => s.rttMs !== null);
      if (firstAnsweredAfter?.receivedAtMs !== undefined) {
        stats.detectionMs = Math.round(firstAnsweredAfter.receivedAtMs - pullAtMs);
      }
    }
  }
  return stats;
}

/** Echo replies from the bond, per switch port mirror, as shares of all replies seen on the mirrors. */
function portShare(plan: Plan, frames: CapturedFrame[], bondIp: string): Record<string, number> | undefined {
  const mirrors = plan.tester.portMirrors;
  if (!mirrors || Object.keys(mirrors).length === 0) return undefined;
  const bySlave: Record<string, number> = {};
  let total = 0;
  for (const [slave, port] of Object.entries(mirrors)) {
    const count = frames.filter(
      (f) => f.port === port && f.frame.icmp?.echo?.kind === 'reply' && f.frame.ipv4?.src === bondIp,
    ).length;
    bySlave[slave] = count;
    total += count;
  }
  if (total === 0) return undefined;
  return Object.fromEntries(Object.entries(bySlave).map(([slave, n]) => [slave, Number((n / total).toFixed(3))]));
}

/** Share of packets each slave sent between two readings of the host's counters. */
export function txShare(before: HostReading, after: HostReading): Record<string, number> | undefined {
  const deltas: Record<string, number> = {};
  let total = 0;
  for (const slave of after.slaves) {
    const was = before.slaves.find((s) => s.name === slave.name);
    if (!was) continue;
    const delta = Math.max(0, slave.txPackets - was.txPackets);
    deltas[slave.name] = delta;
    total += delta;
  }
  if (total === 0) return undefined;
  return Object.fromEntries(Object.entries(deltas).map(([name, n]) => [name, Number((n / total).toFixed(3))]));
}

export function measureStep(input: StepInput): StepMeasurements {
  const { plan, frames } = input;
  const bondIp = plan.bond.address.split('/')[0]!;
  const testerPortFrames = frames.filter((f) => !Object.values(plan.tester.portMirrors ?? {}).includes(f.port));
  const macs = hostMacs([input.before, input.after]);
  const arp = emptyArp();
  const arpBySource: Record<string, ArpCounts> = {};
  const arpFrames: number[] = [];
  const bondIpMacs = new Set<string>();
  let learningFrames = 0;
  let unsolicitedNa = 0;
  let lacpdus = 0;
  for (const { frame, no } of testerPortFrames) {
    const src = frame.eth?.src;
    const arpClass = frame.arp?.class;
    if (arpClass && arpClass !== 'other' && src && macs.has(src)) {
      arp[arpClass]++;
      arpBySource[src] ??= emptyArp();
      arpBySource[src][arpClass]++;
      arpFrames.push(no);
    }
    if (src && (frame.ipv4?.src === bondIp || frame.arp?.senderIp === bondIp)) bondIpMacs.add(src);
    if (frame.learning) learningFrames++;
    if (frame.neighbourAdvertisement?.unsolicited) unsolicitedNa++;
    if (frame.lacp) lacpdus++;
  }
  const measurements: StepMeasurements = {
    arp,
    arpBySource,
    arpFrames,
    bondIpMacs: [...bondIpMacs].sort(),
    learningFrames,
    unsolicitedNa,
    lacpdus,
    droppedFrames: 0,
  };
  const ports = portShare(plan, frames, bondIp);
  if (ports) measurements.portShare = ports;
  if (input.before && input.after) {
    const share = txShare(input.before, input.after);
    if (share) measurements.txShare = share;
  }
  if (input.samples) {
    const probe = probeStats(input.samples, input.rate, input.stepStartMs, input.pullAtMs);
    probe.markers = input.markers;
    measurements.probe = probe;
    const failoverMs = probe.failoverMs;
    if (input.pullAtMs !== undefined && failoverMs !== undefined) {
      const answered = input.samples.filter((s) => s.rttMs !== null);
      const lastBefore = [...answered].reverse().find((s) => s.sentAtMs < input.pullAtMs!);
      const firstAfter = answered.find(
        (s) => s.sentAtMs > input.pullAtMs! && s.sentAtMs > (lastBefore?.sentAtMs ?? 0) + failoverMs,
      );
      const replyFrame = (s: ProbeSample | undefined) =>
        s &&
        testerPortFrames.find((f) => f.frame.icmp?.echo?.kind === 'reply' && f.frame.icmp.echo.sequence === s.sequence)
          ?.no;
      const a = replyFrame(lastBefore);
      const b = replyFrame(firstAfter);
      if (a && b) probe.gapFrames = [a, b];
    }
  }
  return measurements;
}
