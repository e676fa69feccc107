/**
 * The tester agent against the virtual lab: live capture on the tester port and on the switch ports (taps),
 * the echo probe, decoding, pcapng — during runtime mode changes and cable pulls, checked against what
 * shared/docs/virtual-lab.md reports (one gratuitous ARP at an active-backup failover; duplicates in broadcast).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareTimestamps, readPackets, startTcpdump } from '../../bench/tcpdump.js';
import type { SshSession } from '../../main/ssh/session.js';
import { TesterClient } from '../../main/tester/client.js';
import { nowMs } from '../../main/tester/clock.js';
import type { BondingMode } from '../../shared/bonding/modes.js';
import { LAB_NETWORK, LAB_NICS, namespaceName } from '../../shared/lab/topology.js';
import { arpCounts, sourceMacsFor, type TimedFrame } from '../../shared/measure/arp.js';
import { EchoLog, echoStats } from '../../shared/measure/echo.js';
import { failoverPhases, failoverSignal, failoverTime } from '../../shared/measure/failover.js';
import { txShareFromCaptures } from '../../shared/measure/share.js';
import type { CapturedFrame, CaptureSummary } from '../../shared/tester/protocol.js';
import { setBondModeAtRuntime, testLab, until } from '../support/lab.js';
import { tsharkFields } from '../unit/pcapng-tshark.js';

const lab = testLab();
const netns = namespaceName(lab.instance);
const BOND_IP = LAB_NETWORK.bondAddress.split('/')[0]!;
const ETH1_MAC = LAB_NICS.find((n) => n.guestName === 'eth1')!.mac;
const ETH2_MAC = LAB_NICS.find((n) => n.guestName === 'eth2')!.mac;
const HOST_MACS = [ETH1_MAC, ETH2_MAC];

let session: SshSession;
let client: TesterClient;
let dir: string;

const setModeAtRuntime = (mode: BondingMode) => setBondModeAtRuntime(session, mode, 100);

/** Frames a capture delivers, collected as they arrive. */
function collect(captureId: string): CapturedFrame[] {
  const frames: CapturedFrame[] = [];
  client.onFrames(captureId, (batch) => frames.push(...batch));
  return frames;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the echo stream has replies again after `sinceMs` (the bond is back after a change). */
function repliesAfter(log: EchoLog, sinceMs: number, timeoutMs = 20_000): Promise<true> {
  return until(
    `echo replies after ${new Date(sinceMs).toISOString()}`,
    async () => (log.records().some((r) => r.replies.some((x) => x.atMs > sinceMs)) ? true : undefined),
    timeoutMs,
  );
}

beforeAll(async () => {
  // Both cables in, whatever an earlier file left: the pulls below measure a failover from two live slaves.
  await lab.plug('eth1');
  await lab.plug('eth2');
  session = await lab.ssh();
  client = await TesterClient.start({ netns, log: (line) => console.error(`[tester agent] ${line}`) });
  dir = await mkdtemp(join(tmpdir(), 'bondbench-tester-'));
});

afterAll(async () => {
  await client?.close();
  // Leave the lab's bond as found: balance-rr, miimon 100, both cables in.
  await lab.plug('eth1').catch(() => undefined);
  await lab.plug('eth2').catch(() => undefined);
  if (session) {
    await setModeAtRuntime('balance-rr');
    session.close();
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('tester agent in the lab', () => {
  it('lists the lab’s interfaces with addresses and MACs, and has nanosecond timestamps', async () => {
    expect(client.hello.timestampPrecision).toBe('nano');
    const interfaces = await client.interfaces();
    const tester = interfaces.find((i) => i.name === LAB_NETWORK.testerPort);
    expect(tester?.mac).toBe(LAB_NETWORK.testerMac);
    expect(tester?.addresses).toContainEqual(
      expect.objectContaining({ family: 'IPv4', address: '10.77.1.252', cidr: LAB_NETWORK.testerAddress }),
    );
    expect(interfaces.map((i) => i.name)).toEqual(expect.arrayContaining(['tap-eth1', 'tap-eth2']));
    await expect(client.startCapture({ id: 'bad', device: 'tester0', filter: 'this is not bpf' })).rejects.toThrow(
      /capture.start: cannot capture on tester0 with filter "this is not bpf"/,
    );
    await expect(client.startCapture({ id: 'nowhere', subnet: '192.0.2.0/24' })).rejects.toThrow(
      /no interface has an address in 192\.0\.2\.0\/24/,
    );
    await expect(client.startProbe({ id: 'p', device: 'tester0', target: BOND_IP, rate: 5000 })).rejects.toThrow(
      /rate 5000 must be 1–1000/,
    );
  });

  it('follows a runtime change to active-backup and a pull: one gratuitous ARP, from eth2, and the reply gap', async () => {
    const file = join(dir, 'active-backup.pcapng');
    const tester = collect('tester');
    const port1 = collect('port-eth1');
    const port2 = collect('port-eth2');
    await client.startCapture({
      id: 'tester',
      subnet: LAB_NETWORK.bondSubnet,
      hostMacs: HOST_MACS,
      pcapng: { path: file, comment: 'BondBench lab test: active-backup failover' },
    });
    // The switch's port mirrors: every frame on each slave's cable.
    await client.startCapture({ id: 'port-eth1', device: 'tap-eth1', filter: '', pcapng: { path: file } });
    await client.startCapture({ id: 'port-eth2', device: 'tap-eth2', filter: '', pcapng: { path: file } });
    const log = new EchoLog();
    client.onEcho('ab', (events) => log.add(events));
    const probe = await client.startProbe({ id: 'ab', subnet: LAB_NETWORK.bondSubnet, target: BOND_IP, rate: 100 });
    expect(probe.targetMac).toBe(ETH1_MAC);

    await client.mark({ label: 'mode active-backup' });
    await setModeAtRuntime('active-backup');
    await repliesAfter(log, nowMs());
    await sleep(1500);
    const steadyFrom = nowMs() - 1000;

    // The carrier goes off somewhere between these two instants (QMP set_link, then the tap).
    const pullAtMs = nowMs();
    await client.mark({ label: 'mode active-backup: pull eth1', atMs: pullAtMs });
    await lab.pull('eth1');
    const pulledMs = nowMs();
    await repliesAfter(log, pullAtMs + 20);
    await sleep(2500);
    const plugAtMs = nowMs();
    await client.mark({ label: 'mode active-backup: plug eth1', atMs: plugAtMs });
    await lab.plug('eth1');
    await sleep(1000);
    const summary = await client.stopProbe('ab');
    // The end of a step: every frame the kernel took so far has reached the listeners when the sync answers.
    const synced = await client.sync(['tester', 'port-eth1', 'port-eth2']);
    for (const [i, frames] of [tester, port1, port2].entries()) {
      const taken = synced[i]!.received;
      expect(taken).toBeGreaterThan(0);
      expect(frames.filter((f) => f.number <= taken)).toHaveLength(taken);
    }
    const stopped: CaptureSummary[] = [];
    for (const id of ['tester', 'port-eth1', 'port-eth2']) stopped.push(await client.stopCapture(id));

    // One gratuitous ARP for the bond's address after the pull, sent by the new active slave (eth2's cable).
    const afterPull = { fromMs: pullAtMs, toMs: plugAtMs };
    const arp = arpCounts(tester, afterPull);
    expect(arp.byClass.gratuitous).toBe(1);
    const notification = tester.find((f) => f.arp?.class === 'gratuitous' && f.timeMs >= pullAtMs)!;
    expect(notification.arp?.senderIp).toBe(BOND_IP);
    expect(notification.eth?.src).toBe(ETH1_MAC); // fail_over_mac=none: the bond's MAC moves with it
    expect(port2.some((f) => f.arp?.class === 'gratuitous' && Math.abs(f.timeMs - notification.timeMs) < 50)).toBe(
      true,
    );
    expect(port1.some((f) => f.arp?.class === 'gratuitous' && f.timeMs >= pullAtMs)).toBe(false);

    // Failover: the reply gap, RFC 6413's loss-derived time beside it, and the bond's reaction in between.
    const records = log.records();
    const estimate = failoverTime(records, { pullAtMs, intervalMs: 10, windowMs: 1000 });
    const signal = failoverSignal(tester, { afterMs: pullAtMs, bondIp: BOND_IP, untilMs: plugAtMs });
    const phases = failoverPhases({ carrierOffMs: pullAtMs, estimate, signal });
    console.log(
      `active-backup pull: gap ${estimate.gapMs.toFixed(1)} ms (±${estimate.resolutionMs} ms), ` +
        `loss-derived ${estimate.lossDerivedMs} ms (${estimate.lost} lost), detection ${phases.detectionMs?.toFixed(1)} ms, ` +
        `switch-over ${phases.switchOverMs?.toFixed(1)} ms; the pull command took ${(pulledMs - pullAtMs).toFixed(1)} ms`,
    );
    expect(estimate.recovered).toBe(true);
    expect(estimate.gapMs).toBeGreaterThan(10);
    expect(estimate.gapMs).toBeLessThan(1000);
    // Requests lost around the pull fall inside the gap: RFC 6413's estimate cannot exceed it by much.
    expect(estimate.lossDerivedMs).toBeLessThanOrEqual(estimate.gapMs + 2 * estimate.resolutionMs);
    expect(signal?.kind).toBe('gratuitous-arp');
    expect(phases.detectionMs).toBeGreaterThan(0);
    expect(phases.detectionMs).toBeLessThan(estimate.gapEndMs - pullAtMs + 1);

    // Who sent the replies: eth1 alone while it was active, eth2 alone after the pull (port mirrors).
    const replies = (f: TimedFrame) => f.icmp?.echo?.kind === 'reply';
    const steady = txShareFromCaptures(
      { eth1: port1, eth2: port2 },
      { hostMacs: HOST_MACS, window: { fromMs: steadyFrom, toMs: pullAtMs }, include: replies },
    );
    expect(steady.slaves.find((s) => s.slave === 'eth1')?.share).toBe(1);
    const failedOver = txShareFromCaptures(
      { eth1: port1, eth2: port2 },
      { hostMacs: HOST_MACS, window: { fromMs: estimate.gapEndMs, toMs: plugAtMs }, include: replies },
    );
    expect(failedOver.slaves.find((s) => s.slave === 'eth2')?.share).toBe(1);
    expect(sourceMacsFor(tester, BOND_IP, afterPull).map((s) => s.mac)).toEqual([ETH1_MAC]);
    expect(echoStats(records, { fromMs: steadyFrom, toMs: pullAtMs })).toMatchObject({ lost: 0, duplicates: 0 });
    expect(summary.sendErrors).toBe(0);

    // The pcapng holds every frame of the three captures, with the step comments, and tshark reads it cleanly.
    for (const s of stopped) {
      expect(s.counters.kernel?.dropped).toBe(0);
      expect(s.counters.writerDropped).toBe(0);
      expect(s.counters.written).toBe(s.counters.received);
      expect(s.counters.queueDropped).toBe(0);
    }
    expect(tester.length).toBe(stopped[0]!.counters.received);
    const total = stopped.reduce((n, s) => n + s.counters.written, 0);
    expect(stopped.at(-1)?.pcapng?.closed).toBe(true);
    const { rows, warnings } = tsharkFields(file, ['frame.interface_id', 'frame.comment']);
    expect(warnings).toEqual([]);
    expect(rows).toHaveLength(total);
    for (const [i, s] of stopped.entries()) {
      expect(rows.filter((r) => r[0] === String(i))).toHaveLength(s.counters.written);
    }
    const comments = rows.filter((r) => r[1]).map((r) => r[1]);
    expect(comments).toEqual(
      expect.arrayContaining(['mode active-backup', 'mode active-backup: pull eth1', 'mode active-backup: plug eth1']),
    );
  });

  it('sees broadcast mode answer every echo twice, once through each switch port', async () => {
    const port1 = collect('b-eth1');
    const port2 = collect('b-eth2');
    await client.startCapture({ id: 'b-eth1', device: 'tap-eth1', filter: `icmp and host ${BOND_IP}` });
    await client.startCapture({ id: 'b-eth2', device: 'tap-eth2', filter: `icmp and host ${BOND_IP}` });
    const log = new EchoLog();
    client.onEcho('bc', (events) => log.add(events));
    await client.startProbe({ id: 'bc', device: LAB_NETWORK.testerPort, target: BOND_IP, rate: 50 });
    await setModeAtRuntime('broadcast');
    const changed = nowMs();
    await repliesAfter(log, changed);
    await sleep(500);
    const from = nowMs();
    await sleep(2000);
    const to = nowMs();
    await client.stopProbe('bc');
    await client.stopCapture('b-eth1');
    await client.stopCapture('b-eth2');
    const stats = echoStats(log.records(), { fromMs: from, toMs: to });
    expect(stats.sent).toBeGreaterThanOrEqual(90);
    expect(stats.lost).toBe(0);
    expect(stats.duplicates).toBe(stats.answered);
    // The replies to the window's requests only: a request sent after `to`, before the stop reached the agent, is
    // answered inside to + 100 ms too (once seen: 101 against 100).
    const counted = new Set(
      log
        .records()
        .filter((r) => r.sentMs >= from && r.sentMs <= to)
        .map((r) => r.seq & 0xffff),
    );
    const share = txShareFromCaptures(
      { eth1: port1, eth2: port2 },
      {
        hostMacs: HOST_MACS,
        window: { fromMs: from, toMs: to + 100 },
        include: (f) => f.icmp?.echo?.kind === 'reply' && counted.has(f.icmp.echo.sequence),
      },
    );
    expect(share.slaves.map((s) => s.packets)).toEqual([stats.answered, stats.answered]);
  });

  it('never stalls capture for a client that stops reading: frames are dropped and counted, the pcapng keeps all', async () => {
    const file = join(dir, 'slow-client.pcapng');
    const delivered = collect('slow');
    let lastCounters: number | undefined;
    client.onCounters('slow', (c) => {
      lastCounters = c.received;
    });
    await client.startCapture({
      id: 'slow',
      device: LAB_NETWORK.testerPort,
      filter: `icmp and host ${BOND_IP}`,
      includeBytes: true,
      queueFrames: 100,
      clientBacklogBytes: 16 * 1024,
      pcapng: { path: file },
    });
    await client.startProbe({ id: 'slow', device: LAB_NETWORK.testerPort, target: BOND_IP, rate: 500 });
    await sleep(300);
    client.pauseReading();
    await sleep(3000);
    client.resumeReading();
    await until('counters after the pause', async () =>
      lastCounters !== undefined && lastCounters > 2000 ? true : undefined,
    );
    await client.stopProbe('slow');
    const summary = await client.stopCapture('slow');
    const c = summary.counters;
    expect(c.kernel?.dropped).toBe(0);
    expect(c.received).toBeGreaterThan(2500);
    expect(c.queueDropped).toBeGreaterThan(0);
    expect(delivered.length + c.queueDropped).toBe(c.received);
    expect(c.written).toBe(c.received);
    // Delivered frames say which ones are missing: their numbers have gaps.
    expect(delivered.at(-1)!.number).toBe(c.received);
    expect(delivered[0]?.bytes).toMatch(/^[0-9a-f]+$/);
    const { rows } = tsharkFields(file, ['frame.number']);
    expect(rows).toHaveLength(c.received);
  });

  it('timestamps frames as tcpdump does (libpcap’s kernel timestamp, not a JavaScript clock)', async () => {
    const ours = join(dir, 'ts.pcapng');
    const reference = join(dir, 'ts.pcap');
    const tcpdump = await startTcpdump({
      netns,
      device: LAB_NETWORK.testerPort,
      file: reference,
      filter: 'icmp or arp',
    });
    await client.startCapture({
      id: 'ts',
      device: LAB_NETWORK.testerPort,
      filter: 'icmp or arp',
      deliver: 'none',
      pcapng: { path: ours },
    });
    await client.startProbe({ id: 'ts', device: LAB_NETWORK.testerPort, target: BOND_IP, rate: 200 });
    await sleep(3000);
    await client.stopProbe('ts');
    const summary = await client.stopCapture('ts');
    // tcpdump reads the kernel ring in blocks retired after its 1 s timeout; on SIGINT it drops an unread block.
    await sleep(1500);
    const stats = await tcpdump.stop();
    expect(stats.droppedByKernel).toBe(0);
    const comparison = compareTimestamps(readPackets(ours), readPackets(reference));
    console.log(`timestamps vs tcpdump: ${JSON.stringify(comparison)}`);
    expect(comparison.matched).toBe(summary.counters.received);
    expect(comparison.onlyOurs).toBe(0);
    expect(comparison.absDeltaUs!.p99).toBeLessThan(10);
  });
});
