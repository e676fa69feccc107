/**
 * The anatomy of a pull and its verdict, on recorded lab captures (test/fixtures/runs, tester port + port mirrors)
 * and on synthetic streams for what those runs did not show (partial loss at 1000 probes/s, the tester re-asking,
 * both slaves pulled, a bond without link monitoring).
 */
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { readRunFolder } from '../../main/engine/store.js';
import { packageRoot } from '../../main/paths.js';
import { type PullAnatomy, pullAnatomy } from '../../shared/measure/anatomy.js';
import type { EchoRecord } from '../../shared/measure/echo.js';
import { judgePull, linkMonitoring, sayReason } from '../../shared/oracle/failover.js';
import { judgePulls, judgeRun } from '../../shared/oracle/oracle.js';
import { defaultLabPlan } from '../../shared/plan/plan.js';
import { buildReport } from '../../shared/report/build.js';
import { renderHtml } from '../../shared/report/html.js';
import { renderJson } from '../../shared/report/json.js';
import { renderMarkdown } from '../../shared/report/markdown.js';
import { REPORT_SCHEMA } from '../../shared/report/schema.js';
import type { StepRecord } from '../../shared/run/model.js';
import type { CapturedFrame } from '../../shared/run/samples.js';
import { buildArp, buildArpRequest, buildIcmpEcho } from '../../shared/wire/build.js';
import { decodeFrame } from '../../shared/wire/decode.js';
import { pullMeasurements, rebuildAnatomy, withAnatomies } from './anatomy-fixtures.js';
import { BOND_IP, ETH1_MAC, ETH2_MAC, TESTER_IP, TESTER_MAC } from './wire-frames.js';

const dir100 = join(packageRoot, 'test/fixtures/runs/lab-miimon100');
const dir500 = join(packageRoot, 'test/fixtures/runs/lab-miimon500');
const run100 = await readRunFolder(dir100);
const run500 = await readRunFolder(dir500);
const pullOf = (steps: StepRecord[], mode: string, slave: string) =>
  steps.find((s) => s.mode === mode && s.kind === 'pull' && s.slave === slave)!;
const anatomyOf = (mode: string, slave: string) =>
  rebuildAnatomy(dir100, run100.plan, run100.steps, pullOf(run100.steps, mode, slave));

describe('the anatomy of a recorded pull', () => {
  it('balance-alb: the bond’s own ARP reply re-pointed the tester; the learning frames of the MAC swap were its first reaction', () => {
    const a = anatomyOf('balance-alb', 'eth2');
    expect(a.endedBy).toBe('bond-arp');
    expect(a.repoint).toMatchObject({ kind: 'arp-announce', arpMac: '00:e0:4c:83:07:9c', targetIp: '10.77.1.252' });
    expect(a.testerDstBefore).toBe('00:e0:4c:e2:57:8d');
    expect(a.testerDstAfter).toBe('00:e0:4c:83:07:9c');
    // The swap's learning frames come inside the outage; the periodic one a second later is not the reaction.
    expect(a.reaction?.kind).toBe('learning');
    expect(a.reaction!.atMs).toBeGreaterThan(a.lastReplyBefore!.atMs);
    expect(a.reaction!.atMs).toBeLessThan(100);
    expect(a.repoint!.atMs).toBeGreaterThan(700);
    expect(a.firstReplyAfter!.atMs - a.repoint!.atMs).toBeLessThan(5);
    // The requests reached the surviving slave, which could not take them: the host dropped them.
    expect(a.lostPaths.noReply).toBe(a.lost);
    expect(a.lost).toBe(62);
    expect(a.partial).toBe(false);
    expect(a.lossDerivedMs).toBe(620);
  });

  it('balance-rr: the one lost request went to the pulled port; replies moved to the other slave at once', () => {
    const a = anatomyOf('balance-rr', 'eth1');
    expect(a.lost).toBe(1);
    expect(a.lostPaths).toEqual({
      toPulledSlave: 1,
      noReply: 0,
      replyToPulledSlave: 0,
      replyNotDelivered: 0,
      unseen: 0,
    });
    expect(a.replyPortBefore).toBe('eth1');
    expect(a.replyPortAfter).toBe('eth2');
    expect(a.endedBy).toBe('bond-stopped-using-slave');
    expect(a.reaction).toBeUndefined();
  });

  it('active-backup: the new active slave’s gratuitous ARP, first seen on its port mirror, ended the outage', () => {
    const a = anatomyOf('active-backup', 'eth2');
    expect(a.endedBy).toBe('bond-announcement');
    expect(a.reaction).toMatchObject({ kind: 'gratuitous-arp', port: 'tap-eth1' });
    expect(a.detectionMs).toBeLessThan(100 + 50);
    expect(a.switchOverMs).toBeGreaterThan(0);
    expect(a.requestPortBefore).toBe('eth2');
    expect(a.requestPortAfter).toBe('eth1');
    expect(a.perSlave?.eth1?.replies).toBeGreaterThan(0);
  });

  it('never takes a frame that still reached the pulled slave’s port as the bond’s reaction', () => {
    const a = anatomyOf('balance-alb', 'eth1');
    expect(a.reaction?.port).not.toBe('tap-eth1');
  });

  it('balance-alb, the active slave pulled: the MAC swap let replies through 2.7 ms before its own learning frame left', async () => {
    // Recorded by a clean-clone CI (1000 probes/s, miimon 100): the switch flooded the tester's requests for the
    // bond's MAC to eth2 once eth1's port went down; the bond moved that MAC onto eth2 and answered, and the swap's
    // learning frame (alb_fasten_mac_swap) followed the first replies out of the guest.
    const dir = join(packageRoot, 'test/fixtures/pulls/lab-alb-swap');
    const swap = await readRunFolder(dir);
    const a = rebuildAnatomy(dir, swap.plan, swap.steps, pullOf(swap.steps, 'balance-alb', 'eth1'));
    expect(a.lost).toBeGreaterThan(80);
    expect(a.testerDstBefore).toBe(a.testerDstAfter);
    expect([a.requestPortBefore, a.requestPortAfter]).toEqual(['eth1', 'eth2']);
    expect(a.endedBy).toBe('bond-announcement');
    expect(a.reaction).toMatchObject({ kind: 'learning', port: 'tap-eth2', srcMac: '00:e0:4c:83:07:9c' });
    expect(a.reaction!.afterFirstReply).toBe(true);
    expect(a.reaction!.atMs - a.firstReplyAfter!.atMs).toBeCloseTo(2.7, 0);
    // When the driver acted is bounded by the first reply, not by the late frame: no detection time is claimed.
    expect(a.detectionMs).toBeUndefined();
    expect(a.switchOverMs).toBeUndefined();
    const verdict = judgePull({
      mode: 'balance-alb',
      anatomy: a,
      options: { miimon: 100 },
      slavesLeft: ['eth2'],
      holdSeconds: 3,
      physical: true,
      peer: '10.77.1.252',
    });
    expect(verdict.verdict).toBe('expected');
    expect(sayReason('en', verdict.reason)).toMatch(
      /^replies resumed 8\d ms after the pull once the bond moved 00:e0:4c:83:07:9c onto a live slave \(its learning frame left [23] ms after the first reply\); .*within the 152 ms the driver allows/,
    );
    expect(sayReason('zh-CN', verdict.reason)).toContain('bond 把 00:e0:4c:83:07:9c 移到仍在线的从属接口');
  });

  it('judges the recorded runs: the miimon 500 run has no ✗; miimon 100’s one ✗ is its lab’s dead-port forwarding', () => {
    for (const row of judgeRun(run500.plan, withAnatomies(dir500, run500.plan, run500.steps))) {
      expect(row.cells.faultTolerance?.verdict, row.mode).toBe('expected');
      expect(row.cells.failoverMs?.verdict, row.mode).toBe('expected');
      expect(row.cells.failoverMs?.reasonParts?.[0]?.key, row.mode).toMatch(/^failover\.ended\./);
    }
    const rows = judgeRun(run100.plan, withAnatomies(dir100, run100.plan, run100.steps));
    const wrong = rows.filter((r) => r.cells.failoverMs?.verdict === 'unexpected').map((r) => r.mode);
    expect(wrong).toEqual(['broadcast']);
    const broadcast = rows.find((r) => r.mode === 'broadcast')!.cells.failoverMs!;
    expect(broadcast.reasonParts!.map((p) => p.key)).toContain('failover.toDeadPort');
    const alb = rows.find((r) => r.mode === 'balance-alb')!.cells.failoverMs!;
    expect(alb.verdict).toBe('expected');
    expect(alb.reason).toContain('after the bond’s ARP reply re-pointing 10.77.1.252 to 00:e0:4c:83:07:9c');
    expect(sayReason('zh-CN', alb.reasonParts!)).toContain('重新指向 00:e0:4c:83:07:9c 的 ARP 应答');
  }, 60_000);
});

// Synthetic streams: 1000 probes/s from t0, replies 1 ms after each request unless lost.
const T0 = 1_800_000_000_000;
const PULL = T0 + 1000;
function stream(count: number, lost: (seq: number) => boolean, mac = (_seq: number) => ETH1_MAC): EchoRecord[] {
  return Array.from({ length: count }, (_, seq) => ({
    seq,
    sentMs: T0 + seq,
    sentClock: 'capture' as const,
    replies: lost(seq) ? [] : [{ atMs: T0 + seq + 1, srcMac: mac(seq) }],
  }));
}
const frame = (timeMs: number, bytes: Uint8Array, no = 1, port = 'tester0'): CapturedFrame => ({
  no,
  port,
  timeMs,
  frame: decodeFrame(bytes),
});
const base = {
  slave: 'eth1',
  carrierOffMs: PULL,
  intervalMs: 1,
  bondIp: BOND_IP,
  testerPort: 'tester0',
  hostMacs: [ETH1_MAC, ETH2_MAC],
  testerMac: TESTER_MAC,
};

/** The tester's echo request number `seq`, sent `seq` ms after T0 to `dst`, as captured on the tester port. */
const request = (seq: number, dst: string) =>
  frame(
    T0 + seq,
    buildIcmpEcho({
      kind: 'request',
      srcMac: TESTER_MAC,
      dstMac: dst,
      srcIp: TESTER_IP,
      dstIp: BOND_IP,
      identifier: 7,
      sequence: seq,
    }),
    seq,
  );

/** The verdict of a synthetic eth1 pull at miimon 100, eth2 still up. */
const judgeWithEth2Left = (mode: 'balance-xor' | 'balance-rr', anatomy: PullAnatomy) =>
  judgePull({
    mode,
    options: { miimon: 100 },
    anatomy,
    slavesLeft: ['eth2'],
    holdSeconds: 2,
    physical: true,
    peer: TESTER_IP,
  });

/** The bond's echo reply number `seq` from eth1's MAC, as bytes. */
const echoReply = (sequence: number) =>
  buildIcmpEcho({
    kind: 'reply',
    srcMac: ETH1_MAC,
    dstMac: TESTER_MAC,
    srcIp: BOND_IP,
    dstIp: TESTER_IP,
    identifier: 7,
    sequence,
  });

describe('the anatomy of a synthetic pull', () => {
  it('reports partial loss as what it is: N of M replies lost over X ms', () => {
    // balance-xor-like: every other reply lost for 98 ms after the pull.
    const echo = stream(3000, (s) => s >= 1000 && s < 1098 && s % 2 === 0);
    const a = pullAnatomy(echo, [], base);
    expect(a).toMatchObject({ lost: 49, sentInOutage: 97, partial: true, lossSpanMs: 97 });
    const verdict = judgeWithEth2Left('balance-xor', a);
    expect(verdict.verdict).toBe('expected');
    expect(sayReason('en', verdict.reason)).toMatch(/^49 of 97 replies lost over 97 ms; /);
  });

  it('balance-alb: a blip at the pull and the MAC swap a miimon later are one outage, ended by the bond’s ARP', () => {
    // Seen by bench:failover against tcpdump: pulling the slave with the bond's MAC loses one request at carrier
    // off; replies come back; at MII detection (+36 ms) the surviving slave takes the bond's MAC and the tester,
    // sending to its old MAC, is stranded until the bond's ARP reply re-points it (+222 ms).
    const echo = stream(
      3000,
      (s) => s === 1001 || (s >= 1036 && s < 1223),
      (s) => (s < 1223 ? ETH2_MAC : ETH1_MAC),
    );
    const repoint = buildArp({
      opcode: 'reply',
      senderMac: ETH1_MAC,
      senderIp: BOND_IP,
      targetMac: TESTER_MAC,
      targetIp: TESTER_IP,
    });
    const frames = [request(1000, ETH2_MAC), frame(PULL + 222.5, repoint, 10), request(1223, ETH1_MAC)];
    // Within the bond's reach (miimon 100 + 50 ms): one outage of 188 lost, not partial.
    const a = pullAnatomy(echo, frames, { ...base, reachMs: 150 });
    expect(a).toMatchObject({ lost: 188, partial: false, endedBy: 'bond-arp' });
    expect(a.outageMs).toBeCloseTo(223, 6);
    expect(a.repoint).toMatchObject({ kind: 'arp-announce', arpMac: ETH1_MAC });
    // A loss that starts only after the bond's reach is something else: the blip alone.
    expect(pullAnatomy(echo, frames, { ...base, reachMs: 20 })).toMatchObject({ lost: 1 });
  });

  it('balance-rr with a PHY’s link-down time: the replies the bond sent onto the dead cable are its partial loss', () => {
    // The cable goes out 300 ms before the NIC reports it: rr keeps sending every other reply on eth1 (its port
    // is the host's end of the cable, so the lab's mirror sees them) until carrier off, then skips it at once.
    const deadShare = (s: number) => s >= 700 && s < 1000 && s % 2 === 1;
    const echo = stream(3000, deadShare);
    const reply = (seq: number, port: string) => frame(T0 + seq + 0.5, echoReply(seq), seq, port);
    const frames = Array.from({ length: 600 }, (_, i) => 600 + i).flatMap((seq) => [
      { ...request(seq, ETH1_MAC), port: 'tap-eth2' },
      reply(seq, deadShare(seq) || (seq < 700 && seq % 2 === 1) ? 'tap-eth1' : 'tap-eth2'),
    ]);
    const mirrors = { eth1: 'tap-eth1', eth2: 'tap-eth2' };
    const a = pullAnatomy(echo, frames, { ...base, mirrors, cableOutMs: PULL - 300 });
    expect(a).toMatchObject({ cableOutMs: -300, lost: 150, sentInOutage: 299, partial: true });
    expect(a.lostPaths).toMatchObject({ replyToPulledSlave: 150, noReply: 0, replyNotDelivered: 0 });
    expect(a.lastLostSentMs).toBe(-1);
    const verdict = judgeWithEth2Left('balance-rr', a);
    expect(verdict.verdict).toBe('expected');
    expect(sayReason('en', verdict.reason)).toMatch(
      /^150 of 299 replies lost over 299 ms; .*eth1’s NIC reported the pull 300 ms after the cable went out .*\(150 replies lost on the dead cable\)/,
    );
    expect(sayReason('zh-CN', verdict.reason)).toContain('网线拔出 300 毫秒后 eth1 的网卡才报告断链');
    // Not told when the cable went out, the same replies look delivered by the host: no loss is seen at all.
    expect(pullAnatomy(echo, frames, { ...base, mirrors }).lost).toBe(0);
  });

  it('narrows the driver’s carrier-off span by the last frame the host still put on the pulled slave’s port', () => {
    const reply = echoReply(1);
    const echo = stream(3000, (s) => s >= 1000 && s < 1050);
    const options = { ...base, carrierOffUncertaintyMs: 50, mirrors: { eth1: 'tap-eth1', eth2: 'tap-eth2' } };
    const a = pullAnatomy(
      echo,
      [frame(PULL + 30, reply, 5, 'tap-eth1'), frame(PULL + 45, reply, 6, 'tap-eth2')],
      options,
    );
    expect(a.carrierOffAtMs).toBeCloseTo(PULL + 40, 6);
    expect(a.carrierOffUncertaintyMs).toBeCloseTo(10, 6);
    // Without such a frame the span stays the driver's.
    expect(pullAnatomy(echo, [], options).carrierOffUncertaintyMs).toBe(50);
  });

  it('tells the tester’s re-ask from the bond’s announcement', () => {
    // All lost from the pull; the tester asks at +1000 ms, the bond answers with eth2's MAC at +1001 ms.
    const echo = stream(
      4000,
      (s) => s >= 1000 && s < 2003,
      (s) => (s < 2003 ? ETH1_MAC : ETH2_MAC),
    );
    const ask = buildArpRequest({ senderMac: TESTER_MAC, senderIp: TESTER_IP, targetIp: BOND_IP });
    const answer = buildArp({
      opcode: 'reply',
      senderMac: ETH2_MAC,
      senderIp: BOND_IP,
      targetMac: TESTER_MAC,
      targetIp: TESTER_IP,
    });
    // The tester's requests as captured: to eth1's MAC before, to eth2's after.
    const frames = [frame(PULL + 1000, ask, 10), frame(PULL + 1001, answer, 11)];
    const a = pullAnatomy(echo, frames, base);
    expect(a.testerReask?.atMs).toBe(1000);
    expect(a.reaction).toMatchObject({ kind: 'arp-answer', arpMac: ETH2_MAC });
    const seen = pullAnatomy(echo, [...frames, request(999, ETH1_MAC), request(2003, ETH2_MAC)], base);
    expect(seen.endedBy).toBe('tester-reask');
    expect(seen.testerDstBefore).toBe(ETH1_MAC);
    expect(seen.testerDstAfter).toBe(ETH2_MAC);
    const context = {
      options: { miimon: 100 },
      slavesLeft: ['eth2'],
      holdSeconds: 3,
      physical: true,
      peer: TESTER_IP,
    };
    // Without the echo frames the destination MAC change is unknown: the answer is only a reaction.
    expect(a.endedBy).toBe('bond-announcement');
    const ab = judgePull({ ...context, mode: 'active-backup', anatomy: a });
    expect(ab.verdict).toBe('unexpected');
    expect(sayReason('en', ab.reason)).toContain(
      'a probe sent 1002 ms after the pull was still lost (replies back at 1004 ms), beyond the 152 ms the driver allows',
    );
    // balance-alb: the tester asked before the bond's own update was due — expected, and said so.
    const alb = judgePull({ ...context, mode: 'balance-alb', anatomy: seen });
    expect(alb.verdict).toBe('expected');
    expect(alb.reason.map((p) => p.key)).toEqual([
      'failover.ended.testerReask',
      'failover.fit.within',
      'failover.rule.albRlb',
      'failover.reaskFirst',
    ]);
    expect(sayReason('en', alb.reason)).toContain('after the tester’s own ARP request, 1000 ms after the pull');
  });

  it('judges pulls in context: the last slave’s outage is expected, the first pull’s failover is shown', () => {
    const first = pullAnatomy(
      stream(3000, (s) => s >= 1000 && s < 1050),
      [],
      base,
    );
    const last = pullAnatomy(
      stream(3000, (s) => s >= 1000),
      [],
      { ...base, slave: 'eth2' },
    );
    expect(first.endedBy).toBe('bond-stopped-using-slave');
    expect(last.endedBy).toBe('not-recovered');
    const plan = structuredClone(run100.plan);
    plan.modes = ['balance-rr'];
    plan.steps = [
      { kind: 'pull', slave: 'eth1', holdSeconds: 2 },
      { kind: 'pull', slave: 'eth2', holdSeconds: 2 },
    ];
    const step = (index: number, slave: string, anatomy: typeof first): StepRecord => ({
      index,
      repetition: 1,
      mode: 'balance-rr',
      kind: 'pull',
      slave,
      label: `pull ${slave}`,
      startedAt: new Date(T0).toISOString(),
      durationMs: 3000,
      status: 'ok',
      measurements: pullMeasurements(anatomy),
    });
    const bringUp: StepRecord = {
      ...step(0, 'eth1', first),
      kind: 'bring-up',
      slave: undefined,
      measurements: undefined,
    };
    const [row] = judgeRun(plan, [bringUp, step(1, 'eth1', first), step(2, 'eth2', last)]);
    expect(row!.cells.faultTolerance).toMatchObject({ value: true, verdict: 'expected' });
    expect(row!.cells.failoverMs).toMatchObject({ value: 51, verdict: 'expected' });
    expect(row!.cells.failoverMs!.reasonParts!.map((p) => p.key)).toContain('failover.eachPull');

    // The same first pull on a bond without link monitoring that never recovers: not fault tolerant, and why.
    const dead = pullAnatomy(
      stream(3000, (s) => s >= 1000),
      [],
      base,
    );
    plan.bond.options = { miimon: 0 };
    plan.modes = ['active-backup'];
    const abSteps = [bringUp, step(1, 'eth1', dead)].map((s) => ({ ...s, mode: 'active-backup' as const }));
    const [ab] = judgeRun(plan, abSteps);
    expect(ab!.cells.faultTolerance).toMatchObject({ value: false, verdict: 'unexpected' });
    expect(ab!.cells.faultTolerance!.reason).toContain('the bond has no link monitoring (miimon 0, arp_interval 0)');
    expect(linkMonitoring({ miimon: 0 }).monitored).toBe(false);
    // A cable put back before the driver's own time was up cannot be judged: balance-alb may wait 2.2 s.
    const held = { options: { miimon: 100 }, slavesLeft: ['eth2'], holdSeconds: 2, physical: true, peer: TESTER_IP };
    const alb = judgePull({ ...held, mode: 'balance-alb', anatomy: dead });
    expect(alb).toMatchObject({ verdict: 'not-measurable', counts: false });
    expect(alb.reason[0]!.key).toBe('failover.holdTooShort');
    expect(judgePull({ ...held, mode: 'active-backup', anatomy: dead }).verdict).toBe('unexpected');
    expect(linkMonitoring({}).detectionMs).toBe(100);
    expect(linkMonitoring({ miimon: 0, arp_interval: 200 }).detectionMs).toBe(600);
  });
});

describe('the anatomy in the report', () => {
  it('shows every pull, says what ended the outage in both languages, and validates against the schema', () => {
    const steps = withAnatomies(dir100, run100.plan, run100.steps);
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(REPORT_SCHEMA);
    for (const language of ['en', 'zh-CN'] as const) {
      const model = buildReport({ ...run100, steps }, language);
      expect(model.pulls).toHaveLength(steps.filter((s) => s.kind === 'pull').length);
      const alb = model.pulls.find((p) => p.mode === 'balance-alb' && p.slave === 'eth2')!;
      expect(alb.reactionMs).toBeCloseTo(84.53, 1);
      expect(alb.replyPorts).toBe('eth1 → eth1');
      expect(validate(JSON.parse(renderJson(model))), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
      const html = renderHtml(model);
      const md = renderMarkdown(model);
      const ended = language === 'en' ? 'the bond’s ARP re-pointing the tester' : 'bond 重新指向测试机的 ARP';
      expect(html).toContain(ended);
      expect(md).toContain(ended);
    }
  }, 60_000);
});

describe('plan check', () => {
  it('warns about a bond with neither MII nor ARP monitoring, and not about one with either', async () => {
    const { main } = await import('../../main/cli/main.js');
    const { mkdtemp, writeFile, readFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { vi } = await import('vitest');
    const dir = await mkdtemp(join(tmpdir(), 'bondbench-plan-'));
    const yaml = await readFile(join(dir100, 'plan.yaml'), 'utf8');
    const check = async (options: string) => {
      const file = join(dir, 'plan.yaml');
      await writeFile(file, yaml.replace('    miimon: 100', options));
      const errors: string[] = [];
      const err = vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
      const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        expect(await main(['plan', 'check', file])).toBe(0);
      } finally {
        err.mockRestore();
        log.mockRestore();
      }
      return errors.join('\n');
    };
    expect(await check('    miimon: 0')).toMatch(
      /warning: bond options for balance-rr, active-backup, .*: neither miimon nor arp_interval is above 0/,
    );
    expect(await check('    miimon: 100')).toBe('');
    const { failoverWarnings } = await import('../../shared/oracle/failover.js');
    const arp = structuredClone(run100.plan);
    arp.modes = ['active-backup'];
    arp.bond.options = { miimon: 0, arp_interval: 200, arp_ip_target: ['10.77.1.252'] };
    expect(failoverWarnings(arp)).toEqual([]);
  });
});

describe('load-balancing shares', () => {
  it('are whole percentages that add up to 100', async () => {
    const { wholePercentages } = await import('../../shared/measure/share.js');
    expect(wholePercentages([0.505, 0.495])).toEqual([51, 49]);
    expect(wholePercentages([0.5, 0.5])).toEqual([50, 50]);
    expect(wholePercentages([1 / 3, 1 / 3, 1 / 3])).toEqual([34, 33, 33]);
    expect(wholePercentages([0.2, 0.2])).toEqual([50, 50]);
    expect(wholePercentages([0, 0])).toEqual([0, 0]);
    const rows = judgeRun(run100.plan, run100.steps);
    for (const row of rows) {
      const text = row.cells.loadBalancing?.value;
      if (typeof text !== 'string' || row.mode === 'broadcast') continue;
      const [a, b] = text.split(' / ').map((p) => Number.parseInt(p, 10));
      expect(a! + b!, `${row.mode}: ${text}`).toBe(100);
    }
  });
});

describe('the probe during pulls', () => {
  it('is a plan setting: 1000/s and the os-like ARP policy by default, passive on request, nothing else', async () => {
    const { parsePlan, planToYaml, loadPlan } = await import('../../shared/plan/plan-file.js');
    const { readFile } = await import('node:fs/promises');
    const yaml = await readFile(join(dir100, 'plan.yaml'), 'utf8');
    const plain = loadPlan(yaml);
    expect(plain.probe).toEqual({ rate: 100, pullRate: 1000, arpPolicy: 'os-like' });
    const passive = loadPlan(yaml.replace('  rate: 100', '  rate: 100\n  pullRate: 500\n  arpPolicy: passive'));
    expect(passive.probe).toEqual({ rate: 100, pullRate: 500, arpPolicy: 'passive' });
    expect(loadPlan(planToYaml(passive)).probe).toEqual(passive.probe);
    const bad = parsePlan(yaml.replace('  rate: 100', '  rate: 100\n  arpPolicy: never'));
    expect(bad.plan).toBeUndefined();
    expect(bad.errors.map((e) => e.path).join()).toContain('probe.arpPolicy');
    expect(parsePlan(yaml.replace('  rate: 100', '  rate: 100\n  pullRate: 5000')).plan).toBeUndefined();
  });

  it('records the rate achieved, and the report says the pulls’ rate and ARP policy', async () => {
    const { probeStats } = await import('../../shared/run/measure-step.js');
    const achievedRate = (echo: EchoRecord[]) =>
      probeStats(echo, [], { rate: 1000, stepStartMs: T0, bondIp: BOND_IP }).achievedRate;
    expect(achievedRate(stream(1001, () => false))).toBeCloseTo(1000, 6);
    // A tester that sent every other request late: 1001 requests over 2 s.
    const slow = stream(1001, () => false).map((r) => ({ ...r, sentMs: T0 + r.seq * 2 }));
    expect(achievedRate(slow)).toBeCloseTo(500, 6);
    expect(achievedRate([])).toBeUndefined();
    const plan = structuredClone(run100.plan);
    plan.probe = { rate: 100, pullRate: 1000, arpPolicy: 'passive' };
    const model = buildReport({ ...run100, plan }, 'en');
    // This run's pulls probed at 100/s, whatever the plan now defaults to.
    expect(model.plan.pullRate).toBe(100);
    expect(renderHtml(model)).toContain('passive — keeps the bond’s MAC from the start');
    expect(renderMarkdown(buildReport(run100, 'zh-CN'))).toContain('os-like（类操作系统）');
  });
});

describe('802.3ad against an LACP partner', () => {
  // One pull as the lab recorded it (802.3ad, partner lacp_rate fast): most requests were lost before any host port.
  const anatomy: PullAnatomy = {
    slave: 'eth2',
    intervalMs: 1,
    carrierOffAtMs: 1_795_990_479_047,
    carrierOffUncertaintyMs: 0.245,
    endedBy: 'bond-announcement',
    lost: 497,
    sentInOutage: 497,
    lossSpanMs: 496,
    lastLostSentMs: 495,
    partial: false,
    gapMs: 498,
    lossDerivedMs: 497,
    lostPaths: { toPulledSlave: 0, noReply: 26, replyToPulledSlave: 0, replyNotDelivered: 0, unseen: 471 },
    mirrored: true,
    lastHostLossSentMs: 24,
    confirmedMs: 102,
    confirmedBy: 'mii',
    firstReplyAfter: { atMs: 498.8, port: 'tester0', frame: 6940 },
    reaction: { atMs: 393.9, port: 'tap-eth1', frame: 734, kind: 'lacpdu', srcMac: ETH1_MAC },
    recoveryMs: 498.8,
  };
  const context = {
    mode: '802.3ad' as const,
    options: { miimon: 100 },
    anatomy,
    slavesLeft: ['eth1'],
    holdSeconds: 2,
    physical: true,
    peer: TESTER_IP,
  };

  it('holds the bond to its own losses: the partner’s losses on the pulled link are its own failover', () => {
    const verdict = judgePull({ ...context, switchChannel: 'lacp' });
    expect(verdict.verdict).toBe('expected');
    expect(verdict.reason.map((p) => p.key)).toEqual([
      'failover.ended.announcement',
      'failover.partnerSide',
      'failover.fit.hostWithin',
      'failover.rule.lacp',
    ]);
    expect(sayReason('en', verdict.reason)).toContain(
      '471 of the 497 lost requests never reached a live slave: the LACP partner kept sending them to the pulled link until 495 ms after the pull',
    );
    expect(sayReason('zh-CN', verdict.reason)).toContain('LACP 对端直到拔线后 495 毫秒');
    // The bond's own late loss is still its own.
    const late = judgePull({ ...context, switchChannel: 'lacp', anatomy: { ...anatomy, lastHostLossSentMs: 300 } });
    expect(late.verdict).toBe('unexpected');
    expect(late.reason.map((p) => p.key)).toContain('failover.fit.hostBeyond');
  });

  it('a pull of the last aggregated slave (the other not yet taken back by LACP) is no failover', () => {
    const plan = defaultLabPlan('test', { lacp: true });
    const slaves = (eth1: number, eth2: number) => [
      { name: 'eth1', mac: ETH1_MAC, mii: 'up', linkFailures: 1, aggregatorId: eth1 },
      { name: 'eth2', mac: ETH1_MAC, mii: 'up', linkFailures: 0, aggregatorId: eth2 },
    ];
    const step = (index: number, kind: StepRecord['kind'], extra: Partial<StepRecord>): StepRecord =>
      ({
        index,
        repetition: 1,
        mode: '802.3ad',
        kind,
        label: `mode 802.3ad: ${kind}`,
        startedAt: '2026-11-29T22:14:30.000Z',
        durationMs: 1000,
        status: 'ok',
        ...extra,
      }) as StepRecord;
    const steps = [
      step(0, 'bring-up', {
        switch: { driver: 'lab', channel: 'lacp', attachedTo: 'partner', ms: 300 },
        reading: { at: '', slaves: slaves(1, 1) } as unknown as StepRecord['reading'],
      }),
      // As read after the plug's settle: eth1 up, but LACP has it in an aggregator of its own.
      step(1, 'plug', { slave: 'eth1', reading: { at: '', slaves: slaves(2, 1) } as unknown as StepRecord['reading'] }),
      step(2, 'pull', { slave: 'eth2', measurements: pullMeasurements({ ...anatomy, lastHostLossSentMs: 495 }) }),
    ];
    const [judged] = judgePulls(plan, '802.3ad', steps);
    expect(judged!.verdict).toMatchObject({ verdict: 'expected', counts: false });
    expect(sayReason('en', judged!.verdict.reason)).toContain(
      'pull of eth2, the last slave in the aggregate: eth1 was up but not in its aggregator',
    );
    // Read back in the aggregate, eth1 takes over: the same outage is then the bond's failover, and too long.
    steps[1] = step(1, 'plug', {
      slave: 'eth1',
      reading: { at: '', slaves: slaves(1, 1) } as unknown as StepRecord['reading'],
    });
    expect(judgePulls(plan, '802.3ad', steps)[0]!.verdict.verdict).toBe('unexpected');
  });

  it('without a partner (or without port mirrors) holds the bond to every loss', () => {
    expect(judgePull({ ...context, switchChannel: 'none' }).verdict).toBe('unexpected');
    expect(judgePull({ ...context, switchChannel: 'lacp', anatomy: { ...anatomy, mirrored: undefined } }).verdict).toBe(
      'unexpected',
    );
  });
});
