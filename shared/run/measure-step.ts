/**
 * One step's measurements from what the tester captured, the probe samples and the host's counters before and
 * after. Pure: the same inputs always give the same numbers, so a run folder can be re-judged later.
 */

import { type PullInstants, pullAnatomy } from '../measure/anatomy.js';
import { type EchoRecord, echoSamples, echoStats } from '../measure/echo.js';
import { failoverPhases, failoverSignal, failoverTime } from '../measure/failover.js';
import { loadSpread } from '../measure/load.js';
import { txShareFromCounters } from '../measure/share.js';
import { linkMonitoring, TIMER_SLACK_MS } from '../oracle/failover.js';
import { type ModeName, modeOptions, type Plan } from '../plan/plan.js';
import type { ArpCounts, HostReading, LoadRun, ProbeStats, StepMeasurements } from './model.js';
import type { CapturedFrame } from './samples.js';

export interface StepInput {
  plan: Plan;
  /** The mode the step ran in: its link monitoring bounds how late a pull may still cause losses. */
  mode?: ModeName;
  frames: CapturedFrame[];
  /** The probe's requests and replies, when the step probed. */
  echo?: EchoRecord[];
  rate: number;
  stepStartMs: number;
  /** The instant the pull was commanded (ms since the epoch), for pull steps. */
  pullAtMs?: number;
  /** For pull steps: the slave and the link driver's instants (carrier off, confirmation), for the anatomy. */
  pull?: { slave: string } & PullInstants;
  /** The tester's own MAC: its ARP requests are re-asks. */
  testerMac?: string;
  before?: HostReading;
  after?: HostReading;
  markers: { atMs: number; label: string }[];
  /** For load steps: the peers' addresses, what each flow sent and got back, and the step's length. */
  load?: LoadRun;
}

const emptyArp = (): ArpCounts => ({ probe: 0, gratuitous: 0, request: 0, reply: 0 });

/** The host's MACs: every slave's current and permanent MAC and the bond's. */
export function hostMacs(readings: (HostReading | undefined)[]): Set<string> {
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

/** Requests per second between the first and the last request that left (see ProbeStats.achievedRate). */
function achieved(echo: EchoRecord[]): { achievedRate?: number } {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let sent = 0;
  for (const record of echo) {
    if (!Number.isFinite(record.sentMs)) continue;
    sent++;
    if (record.sentMs < first) first = record.sentMs;
    if (record.sentMs > last) last = record.sentMs;
  }
  if (sent < 2 || last <= first) return {};
  return { achievedRate: Number((((sent - 1) * 1000) / (last - first)).toFixed(1)) };
}

/** Loss, duplicates, reordering, RTT and — around a pull — failover, from the probe's records (shared/measure). */
export function probeStats(
  echo: EchoRecord[],
  frames: CapturedFrame[],
  input: { rate: number; stepStartMs: number; pullAtMs?: number; bondIp: string },
): ProbeStats {
  const stats = echoStats(echo);
  const round = (v: number) => Number(v.toFixed(3));
  const result: ProbeStats = {
    rate: input.rate,
    sent: stats.sent,
    received: stats.answered,
    lost: stats.lost,
    duplicates: stats.duplicates,
    reordered: stats.reordered,
    rttMs: stats.rttMs
      ? { min: round(stats.rttMs.min), median: round(stats.rttMs.median), max: round(stats.rttMs.max) }
      : undefined,
    ...achieved(echo),
    samples: echoSamples(echo).map((s) => [
      Math.round(s.sentAtMs - input.stepStartMs),
      s.rttMs === null ? null : round(s.rttMs),
    ]),
    markers: [],
  };
  if (input.pullAtMs === undefined) return result;
  const estimate = failoverTime(echo, { pullAtMs: input.pullAtMs, intervalMs: 1000 / input.rate });
  result.failoverMs = Math.round(estimate.gapMs);
  result.lossConvergenceMs = Math.round(estimate.lossDerivedMs);
  const timed = frames.map((f) => ({ ...f.frame, timeMs: f.timeMs }));
  const signal = failoverSignal(timed, { afterMs: input.pullAtMs, bondIp: input.bondIp });
  const phases = failoverPhases({ carrierOffMs: input.pullAtMs, estimate, signal });
  if (phases.detectionMs !== undefined) result.detectionMs = Math.round(phases.detectionMs);
  // The replies either side of the gap, as frame numbers: the evidence a reader opens in Wireshark.
  const replyAt = (timeMs: number) =>
    frames.find(
      (f) =>
        f.frame.icmp?.echo?.kind === 'reply' &&
        f.frame.ipv4?.src === input.bondIp &&
        Math.abs(f.timeMs - timeMs) < 0.001,
    )?.no;
  const before = replyAt(estimate.gapStartMs);
  const after = replyAt(estimate.gapEndMs);
  if (before && after) result.gapFrames = [before, after];
  return result;
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
  const counters = (r: HostReading) => Object.fromEntries(r.slaves.map((s) => [s.name, { txPackets: s.txPackets }]));
  const share = txShareFromCounters(counters(before), counters(after));
  if (share.totalPackets === 0) return undefined;
  return Object.fromEntries(share.slaves.map((s) => [s.slave, Number(s.share.toFixed(3))]));
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
  if (input.load) {
    const spread = loadSpread(frames, {
      bondIp,
      peers: input.load.peerAddresses,
      mirrors: plan.tester.portMirrors ?? {},
    });
    if (spread) measurements.load = { ...input.load, ...spread };
  }
  if (input.echo) {
    const pullAtMs = input.pull?.carrierOffMs ?? input.pullAtMs;
    measurements.probe = probeStats(input.echo, testerPortFrames, {
      rate: input.rate,
      stepStartMs: input.stepStartMs,
      pullAtMs,
      bondIp,
    });
    measurements.probe.markers = input.markers;
    if (input.pull) {
      // The interval the tester actually kept: a tester that fell behind sent fewer probes than asked.
      const intervalMs = 1000 / Math.min(input.rate, measurements.probe.achievedRate ?? input.rate);
      // The bond acts on the pull when its monitor notices (miimon + downdelay): losses from then are the pull's.
      const detectionMs =
        input.mode && input.mode !== 'standalone'
          ? linkMonitoring(modeOptions(plan, input.mode)).detectionMs
          : Number.POSITIVE_INFINITY;
      const anatomy = pullAnatomy(input.echo, frames, {
        ...input.pull,
        intervalMs,
        ...(Number.isFinite(detectionMs)
          ? { reachMs: Math.max(100, 10 * intervalMs, detectionMs + TIMER_SLACK_MS) }
          : {}),
        bondIp,
        testerPort: plan.tester.interface,
        mirrors: plan.tester.portMirrors,
        hostMacs: [...macs],
        testerMac: input.testerMac,
      });
      measurements.probe.anatomy = anatomy;
      if (anatomy.detectionMs !== undefined) measurements.probe.detectionMs = Math.round(anatomy.detectionMs);
      else delete measurements.probe.detectionMs;
    }
  }
  return measurements;
}
