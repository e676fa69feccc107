import { describe, expect, it } from 'vitest';
import { arpCounts, sourceMacsFor, type TimedFrame } from '../../shared/measure/arp.js';
import { distribution, EchoLog, type EchoRecord, echoSamples, echoStats } from '../../shared/measure/echo.js';
import { failoverPhases, failoverSignal, failoverTime } from '../../shared/measure/failover.js';
import { txShareFromCaptures, txShareFromCounters } from '../../shared/measure/share.js';
import type { EchoEvent } from '../../shared/tester/protocol.js';
import { buildArp, buildIcmpEcho } from '../../shared/wire/build.js';
import { decodeFrame } from '../../shared/wire/decode.js';
import {
  BOND_IP,
  craftLearningFrame,
  craftNeighbourAdvertisement,
  ETH1_MAC,
  ETH2_MAC,
  TESTER_IP,
  TESTER_MAC,
} from './wire-frames.js';

const at = (timeMs: number, bytes: Uint8Array): TimedFrame => ({ ...decodeFrame(bytes), timeMs });
const probe = (mac: string) => buildArp({ opcode: 'request', senderMac: mac, senderIp: '0.0.0.0', targetIp: BOND_IP });
const gratuitous = (mac: string) =>
  buildArp({ opcode: 'request', senderMac: mac, senderIp: BOND_IP, targetIp: BOND_IP });
const request = buildArp({ opcode: 'request', senderMac: ETH1_MAC, senderIp: BOND_IP, targetIp: TESTER_IP });
const reply = (mac: string) =>
  buildArp({ opcode: 'reply', senderMac: mac, senderIp: BOND_IP, targetMac: TESTER_MAC, targetIp: TESTER_IP });
const echoReply = (mac: string, seq: number) =>
  buildIcmpEcho({
    kind: 'reply',
    srcMac: mac,
    dstMac: TESTER_MAC,
    srcIp: BOND_IP,
    dstIp: TESTER_IP,
    identifier: 1,
    sequence: seq,
  });

describe('ARP counts', () => {
  it('counts by class and by sending MAC, inside the window only', () => {
    const frames = [
      at(1000, probe(ETH1_MAC)),
      at(2000, probe(ETH1_MAC)),
      at(2000, probe(ETH2_MAC)),
      at(2500, gratuitous(ETH2_MAC)),
      at(3000, request),
      at(3100, reply(ETH1_MAC)),
      at(9000, probe(ETH1_MAC)), // outside
      at(1500, echoReply(ETH1_MAC, 1)), // not ARP
    ];
    const counts = arpCounts(frames, { fromMs: 0, toMs: 5000 });
    expect(counts.total).toBe(6);
    expect(counts.byClass).toEqual({ probe: 3, gratuitous: 1, request: 1, reply: 1, other: 0 });
    expect(counts.bySourceMac[ETH1_MAC]).toEqual({ probe: 2, gratuitous: 0, request: 1, reply: 1, other: 0 });
    expect(counts.bySourceMac[ETH2_MAC]).toEqual({ probe: 1, gratuitous: 1, request: 0, reply: 0, other: 0 });
  });

  it('lists the MACs seen speaking for the bond address, in order of first sighting (tlb/alb swap)', () => {
    const frames = [
      at(10, echoReply(ETH1_MAC, 1)),
      at(20, echoReply(ETH2_MAC, 2)),
      at(30, echoReply(ETH1_MAC, 3)),
      at(40, reply(ETH2_MAC)),
      at(50, probe(ETH2_MAC)), // sender 0.0.0.0: not speaking for the bond address
      at(60, craftLearningFrame(ETH2_MAC)),
    ];
    expect(sourceMacsFor(frames, BOND_IP)).toEqual([
      { mac: ETH1_MAC, frames: 2, firstMs: 10, lastMs: 30 },
      { mac: ETH2_MAC, frames: 2, firstMs: 20, lastMs: 40 },
    ]);
    expect(sourceMacsFor(frames, BOND_IP, { fromMs: 25 })).toHaveLength(2);
    expect(sourceMacsFor(frames, BOND_IP, { fromMs: 41 })).toEqual([]);
  });
});

/** A probe at `rate` per second from t0: each request answered after rttMs unless `lost(seq)`. */
function stream(options: {
  count: number;
  rate: number;
  rttMs?: number;
  lost?: (seq: number) => boolean;
  duplicates?: (seq: number) => number;
  t0?: number;
}): EchoRecord[] {
  const interval = 1000 / options.rate;
  const t0 = options.t0 ?? 1_000_000;
  return Array.from({ length: options.count }, (_, seq) => {
    const sentMs = t0 + seq * interval;
    const replies = options.lost?.(seq)
      ? []
      : Array.from({ length: 1 + (options.duplicates?.(seq) ?? 0) }, (_, k) => ({
          atMs: sentMs + (options.rttMs ?? 2) + k * 0.05,
          srcMac: k === 0 ? ETH1_MAC : ETH2_MAC,
        }));
    return { seq, sentMs, replies };
  });
}

describe('echo statistics', () => {
  it('builds records from event batches in any order', () => {
    const log = new EchoLog();
    const events: EchoEvent[] = [
      { kind: 'sent', seq: 0, atMs: 100, clock: 'capture' },
      { kind: 'reply', seq: 1, atMs: 112, srcMac: ETH1_MAC, duplicate: false },
      { kind: 'sent', seq: 1, atMs: 110, clock: 'agent' },
      { kind: 'reply', seq: 0, atMs: 101.5, srcMac: ETH1_MAC, duplicate: false },
      { kind: 'reply', seq: 0, atMs: 101.6, srcMac: ETH2_MAC, duplicate: true },
      { kind: 'targetMac', atMs: 105, mac: ETH2_MAC, previous: ETH1_MAC },
      { kind: 'sent', seq: 2, atMs: 120, clock: 'capture' },
    ];
    log.add(events.slice(0, 3));
    log.add(events.slice(3));
    const records = log.records();
    expect(records.map((r) => [r.seq, r.sentMs, r.sentClock, r.replies.length])).toEqual([
      [0, 100, 'capture', 2],
      [1, 110, 'agent', 1],
      [2, 120, 'capture', 0],
    ]);
    expect(log.targetMacChanges).toEqual([{ atMs: 105, mac: ETH2_MAC, previous: ETH1_MAC }]);
    const stats = echoStats(records);
    expect(stats).toMatchObject({ sent: 3, answered: 2, lost: 1, duplicates: 1, reordered: 0 });
    expect(stats.rttMs?.min).toBeCloseTo(1.5);
    expect(stats.rttMs?.max).toBeCloseTo(2);
    expect(() => log.add([{ kind: 'sent', seq: -1, atMs: 0, clock: 'agent' }])).toThrow(/invalid sequence/);
  });

  it('counts broadcast duplicates, loss and balance-rr reordering', () => {
    const broadcast = stream({ count: 100, rate: 100, duplicates: () => 1 });
    expect(echoStats(broadcast)).toMatchObject({ sent: 100, answered: 100, lost: 0, duplicates: 100, reordered: 0 });
    const lossy = stream({ count: 100, rate: 100, lost: (s) => s % 10 === 0 });
    expect(echoStats(lossy)).toMatchObject({ lost: 10, lossRatio: 0.1 });
    // Striped over two slaves, every odd reply overtakes the even one before it.
    const striped = stream({ count: 10, rate: 1000 }).map((r) => ({
      ...r,
      replies: r.replies.map((x) => ({ ...x, atMs: x.atMs + (r.seq % 2 === 0 ? 1.5 : 0) })),
    }));
    expect(echoStats(striped).reordered).toBe(5);
    const samples = echoSamples(striped);
    expect(samples.filter((s) => s.reordered).map((s) => s.sequence)).toEqual([0, 2, 4, 6, 8]);
    expect(samples[0]).toMatchObject({ sequence: 0, rttMs: 3.5, duplicates: 0 });
    expect(echoSamples(lossy)[0]).toMatchObject({ sequence: 0, rttMs: null });
  });

  it('restricts statistics to requests sent in the window', () => {
    const records = stream({ count: 100, rate: 10, lost: (s) => s >= 50 });
    expect(echoStats(records, { toMs: 1_000_000 + 5000 })).toMatchObject({ sent: 50, lost: 0 });
    expect(echoStats(records, { fromMs: 1_000_000 + 5000 })).toMatchObject({ sent: 50, lost: 50 });
    expect(echoStats([])).toMatchObject({ sent: 0, lossRatio: 0, rttMs: undefined });
  });

  it('gives nearest-rank percentiles', () => {
    const d = distribution(Array.from({ length: 100 }, (_, i) => 100 - i));
    expect(d).toEqual({ count: 100, min: 1, mean: 50.5, median: 50, p99: 99, max: 100 });
    expect(distribution([])).toBeUndefined();
  });
});

describe('failover', () => {
  const pullAtMs = 1_000_000 + 3000;

  it('finds the reply gap around a pull and the RFC 6413 loss-derived time beside it', () => {
    // 100 per second; requests sent 3.03 s … 3.14 s after t0 are lost (the first one just after the pull).
    const records = stream({ count: 600, rate: 100, lost: (s) => s >= 301 && s <= 314 });
    const estimate = failoverTime(records, { pullAtMs, intervalMs: 10 });
    expect(estimate.recovered).toBe(true);
    expect(estimate.lost).toBe(14);
    expect(estimate.lossDerivedMs).toBe(140);
    // Last reply to seq 300 (sent at 3.000 s), next to seq 315: 15 intervals.
    expect(estimate.gapMs).toBeCloseTo(150);
    expect(estimate.gapStartMs).toBeCloseTo(pullAtMs + 2);
    expect(estimate.resolutionMs).toBe(10);
    expect(estimate.offeredRatePerSec).toBe(100);
  });

  it('picks the gap where requests were lost over a longer stall that lost none', () => {
    // Failover: requests 301–304 lost. Later the host stalls 120 ms: replies to 400–411 arrive late, none lost.
    const records = stream({ count: 600, rate: 100, lost: (s) => s >= 301 && s <= 304 }).map((r) =>
      r.seq >= 400 && r.seq <= 411
        ? { ...r, replies: r.replies.map((x) => ({ ...x, atMs: 1_000_000 + 4122 + r.seq * 0.01 })) }
        : r,
    );
    const estimate = failoverTime(records, { pullAtMs, intervalMs: 10 });
    expect(estimate.gapMs).toBeCloseTo(50);
    expect(estimate.gapStartMs).toBeCloseTo(pullAtMs + 2);
    expect(estimate.lost).toBe(4);
    // Without any loss, the longest gap is the answer.
    const stallOnly = records.map((r) =>
      r.replies.length ? r : { ...r, replies: [{ atMs: r.sentMs + 2, srcMac: ETH1_MAC }] },
    );
    expect(failoverTime(stallOnly, { pullAtMs, intervalMs: 10 }).gapMs).toBeGreaterThan(100);
  });

  it('ignores gaps that ended before the pull and reports an unrecovered outage as a lower bound', () => {
    const early = stream({ count: 600, rate: 100, lost: (s) => (s >= 100 && s <= 150) || (s >= 301 && s <= 305) });
    expect(failoverTime(early, { pullAtMs, intervalMs: 10 }).gapMs).toBeCloseTo(60);
    const dead = stream({ count: 600, rate: 100, lost: (s) => s > 300 });
    const estimate = failoverTime(dead, { pullAtMs, intervalMs: 10 });
    expect(estimate.recovered).toBe(false);
    expect(estimate.gapStartMs).toBeCloseTo(pullAtMs + 2);
    expect(estimate.gapEndMs).toBeCloseTo(1_000_000 + 5990);
    expect(estimate.lost).toBe(299);
    expect(() => failoverTime(dead, { pullAtMs, intervalMs: 0 })).toThrow(/must be positive/);
  });

  it('finds the bond’s first reaction and splits the outage into detection and switch-over', () => {
    const frames = [
      at(pullAtMs - 50, gratuitous(ETH1_MAC)), // before the pull: not a reaction to it
      at(pullAtMs + 130, echoReply(ETH2_MAC, 1)),
      at(pullAtMs + 95, gratuitous(ETH1_MAC)),
      at(pullAtMs + 97, craftLearningFrame(ETH2_MAC)),
    ];
    const signal = failoverSignal(frames, { afterMs: pullAtMs, bondIp: BOND_IP });
    expect(signal).toEqual({ kind: 'gratuitous-arp', timeMs: pullAtMs + 95, srcMac: ETH1_MAC });
    const na = craftNeighbourAdvertisement({
      srcMac: ETH2_MAC,
      src: 'fe80::1',
      dst: 'ff02::1',
      target: 'fe80::1',
      solicited: false,
    });
    expect(failoverSignal([at(pullAtMs + 5, na)], { afterMs: pullAtMs, bondIp: BOND_IP })?.kind).toBe('unsolicited-na');
    expect(failoverSignal([at(pullAtMs + 5, reply(ETH2_MAC))], { afterMs: pullAtMs, bondIp: BOND_IP })?.kind).toBe(
      'arp-reply',
    );
    expect(failoverSignal(frames, { afterMs: pullAtMs, bondIp: BOND_IP, untilMs: pullAtMs + 90 })).toBeUndefined();

    const records = stream({ count: 600, rate: 100, lost: (s) => s >= 301 && s <= 312 });
    const estimate = failoverTime(records, { pullAtMs, intervalMs: 10 });
    const phases = failoverPhases({ carrierOffMs: pullAtMs, estimate, signal });
    expect(phases.detectionMs).toBeCloseTo(95);
    expect(phases.switchOverMs).toBeCloseTo(estimate.gapEndMs - (pullAtMs + 95));
    expect(phases.outageMs).toBeCloseTo(estimate.gapEndMs - pullAtMs);
    expect(phases.lastReplyBeforePullMs).toBeCloseTo(-2);
    expect(failoverPhases({ carrierOffMs: pullAtMs, estimate }).detectionMs).toBeUndefined();
  });
});

describe('TX share per slave', () => {
  it('from host counters before and after, noticing resets and missing slaves', () => {
    const share = txShareFromCounters(
      {
        eth1: { txPackets: 1000, txBytes: 100_000 },
        eth2: { txPackets: 500, txBytes: 40_000 },
        eth3: { txPackets: 7 },
      },
      {
        eth1: { txPackets: 1300, txBytes: 130_000 },
        eth2: { txPackets: 600, txBytes: 50_000 },
        eth3: { txPackets: 2 },
        eth4: { txPackets: 1 },
      },
    );
    expect(share.slaves).toEqual([
      { slave: 'eth1', packets: 300, bytes: 30_000, share: 0.75 },
      { slave: 'eth2', packets: 100, bytes: 10_000, share: 0.25 },
    ]);
    expect(share.totalPackets).toBe(400);
    expect(share.reset).toEqual(['eth3']);
    expect(share.missing).toEqual(['eth4']);
    expect(txShareFromCounters({ eth1: { txPackets: 5 } }, { eth1: { txPackets: 5 } }).slaves[0]?.share).toBe(0);
  });

  it('from per-port captures, counting only frames the host sent', () => {
    const port1 = [at(1, echoReply(ETH1_MAC, 1)), at(2, echoReply(ETH1_MAC, 3)), at(3, echoReply(ETH1_MAC, 5))];
    const port2 = [
      at(1, echoReply(ETH1_MAC, 2)), // balance-rr: eth2 sends with the bond's (eth1's) MAC
      at(
        2,
        buildIcmpEcho({
          srcMac: TESTER_MAC,
          dstMac: ETH1_MAC,
          srcIp: TESTER_IP,
          dstIp: BOND_IP,
          identifier: 1,
          sequence: 2,
        }),
      ),
    ];
    const share = txShareFromCaptures({ eth2: port2, eth1: port1 }, { hostMacs: [ETH1_MAC, ETH2_MAC.toUpperCase()] });
    expect(share.slaves.map((s) => [s.slave, s.packets, s.share])).toEqual([
      ['eth1', 3, 0.75],
      ['eth2', 1, 0.25],
    ]);
    const onlyAfter = txShareFromCaptures(
      { eth1: port1, eth2: port2 },
      { hostMacs: [ETH1_MAC], window: { fromMs: 2 } },
    );
    expect(onlyAfter.slaves.map((s) => s.packets)).toEqual([2, 0]);
    const onlyEcho = txShareFromCaptures(
      { eth1: [...port1, at(4, reply(ETH1_MAC))] },
      { hostMacs: [ETH1_MAC], include: (f) => f.icmp?.echo !== undefined },
    );
    expect(onlyEcho.totalPackets).toBe(3);
  });
});
