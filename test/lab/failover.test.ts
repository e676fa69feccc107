/**
 * Failover on the real bonding driver, at 1000 probes per second with the lab's two-sided pull: every pull gets an
 * anatomy and a verdict from the driver's model. Three short runs (each mode brought up at runtime):
 * - miimon 100, passive ARP policy: balance-rr, active-backup and balance-alb, each slave pulled alone and then both;
 * - miimon 500 (active-backup), balance-alb under the os-like ARP policy and balance-rr, with a PHY's link-fail
 *   time (the host's NIC keeps carrier 300 ms after the switch end goes dark);
 * - active-backup with no link monitoring (miimon 0).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../main/engine/session.js';
import type { PullAnatomy } from '../../shared/measure/anatomy.js';
import { defaultLabPlan, type Plan, type StepSpec } from '../../shared/plan/plan.js';
import type { MatrixRow, StepRecord } from '../../shared/run/model.js';
import { testLab } from '../support/lab.js';

const lab = testLab();
let runsDir: string;

// 3 s: longer than balance-alb's longest wait for its ARP update (miimon + ALB tick + RLB_UPDATE_DELAY).
const pull = (slave: string): StepSpec => ({ kind: 'pull', slave, holdSeconds: 3 });
const plug = (slave: string): StepSpec => ({ kind: 'plug', slave, settleSeconds: 2 });
// The link-down time of the second run's pulls, ms (a fast 1000BASE-T master PHY is 350 ms; shorter keeps it cheap).
const linkDownMs = 300;

async function run(overrides: Partial<Plan>): Promise<{ steps: StepRecord[]; matrix: MatrixRow[] }> {
  const plan = { ...defaultLabPlan(lab.instance), ...overrides };
  const handle = await startRun(plan, { runsDir, emit: () => undefined });
  const outcome = await handle.finished;
  expect(outcome.error).toBeUndefined();
  expect(outcome.restored).toBe(true);
  expect(outcome.steps.filter((s) => s.status === 'failed').map((s) => `${s.label}: ${s.error}`)).toEqual([]);
  return { steps: outcome.steps, matrix: outcome.matrix };
}

const pullsOf = (steps: StepRecord[], mode: string) =>
  steps.filter((s) => s.mode === mode && s.kind === 'pull').map((s) => s.measurements!.probe!.anatomy!);
const rowOf = (matrix: MatrixRow[], mode: string) => matrix.find((r) => r.mode === mode)!;
const keys = (row: MatrixRow, column: 'failoverMs' | 'faultTolerance') =>
  row.cells[column]?.reasonParts?.map((p) => p.key) ?? [];

beforeAll(async () => {
  runsDir = await mkdtemp(join(tmpdir(), 'bondbench-failover-'));
});

describe('failover at 1000 probes/s', () => {
  let first: { steps: StepRecord[]; matrix: MatrixRow[] };

  beforeAll(async () => {
    first = await run({
      modes: ['balance-rr', 'active-backup', 'balance-alb'],
      apply: { method: 'runtime', netifrcStyle: 'writeup' },
      probe: { rate: 100, pullRate: 1000, arpPolicy: 'passive' },
      // Each slave alone, then both: the second of the pair takes the last slave up.
      steps: [
        pull('eth1'),
        plug('eth1'),
        pull('eth2'),
        plug('eth2'),
        pull('eth1'),
        pull('eth2'),
        plug('eth1'),
        plug('eth2'),
      ],
    });
  }, 900_000);

  it('measures every pull to the millisecond, with the driver’s instant and the host’s confirmation', () => {
    for (const step of first.steps.filter((s) => s.kind === 'pull')) {
      const p = step.measurements!.probe!;
      expect(p.rate).toBe(1000);
      // What the tester achieved is recorded, and the anatomy's interval is the one it kept (a loaded tester
      // sends fewer than asked; the run then warns).
      expect(p.achievedRate, step.label).toBeGreaterThan(0);
      const a = p.anatomy!;
      expect(a.intervalMs).toBeCloseTo(1000 / Math.min(1000, p.achievedRate!), 6);
      expect(a.carrierOffUncertaintyMs, step.label).toBeGreaterThanOrEqual(0);
      expect(a.confirmedBy).toBe('mii');
      expect(a.confirmedMs, step.label).toBeGreaterThan(0);
    }
  });

  it('balance-rr, the NIC told at once: replies move to the other slave at once; the mirrors say where each lost probe went', () => {
    const [eth1, , both1] = pullsOf(first.steps, 'balance-rr') as PullAnatomy[];
    for (const a of [eth1!, both1!]) {
      expect(a.endedBy === 'no-outage' || a.endedBy === 'bond-stopped-using-slave', a.endedBy).toBe(true);
      expect(a.replyPortAfter).toBe('eth2');
      expect(a.cableOutMs).toBeUndefined();
      // Every probe of the outage has one place in the mirrors' account: out of the pulled slave's port, dropped
      // by the bridge before any mirror once that port was down (4 of 8 in one lab run), or reaching a live slave
      // whose reply round robin put on the dead one (2 of 2 in another). Replies lost beyond the bond are apart.
      const { replyNotDelivered: _beyond, ...paths } = a.lostPaths;
      expect(Object.values(paths).reduce((n, v) => n + v, 0)).toBe(a.lost);
    }
    const row = rowOf(first.matrix, 'balance-rr');
    expect(row.cells.failoverMs?.verdict).toBe('expected');
    const cell = row.cells.failoverMs!;
    // Partial loss is said as such, never as a short gap.
    if (cell.textParts?.[0]?.key === 'failover.partial') expect(cell.text).toMatch(/^\d+ of \d+ replies lost over/);
  });

  it('pulls in context: losing the last slave is an expected outage, the earlier pulls’ failover is shown', () => {
    for (const mode of ['balance-rr', 'active-backup', 'balance-alb']) {
      const row = rowOf(first.matrix, mode);
      const last = pullsOf(first.steps, mode)[3]!;
      expect(last.endedBy, mode).toBe('not-recovered');
      expect(row.cells.faultTolerance?.value, mode).toBe(true);
      expect(row.cells.faultTolerance?.verdict, mode).toBe('expected');
      expect(row.cells.failoverMs?.verdict, mode).toBe('expected');
      expect(keys(row, 'failoverMs')[0], mode).toMatch(/^failover\.(ended|partial)/);
    }
  });

  it('active-backup at miimon 100: the new active slave’s gratuitous ARP ends the outage within miimon', () => {
    const announced = pullsOf(first.steps, 'active-backup').filter((a) => a.endedBy === 'bond-announcement');
    expect(announced.length).toBeGreaterThan(0);
    for (const a of announced) {
      expect(a.reaction?.kind).toBe('gratuitous-arp');
      // The announcement may leave just behind the first replies it let through (same transmit queue): the
      // driver acted before that reply, so the reply bounds the detection.
      expect(a.detectionMs ?? a.firstReplyAfter!.atMs).toBeLessThanOrEqual(100 + 70);
    }
  });

  it('balance-alb, passive tester: the bond’s own ARP reply re-points it when its receive slave is pulled', () => {
    const receive = pullsOf(first.steps, 'balance-alb')
      .slice(0, 3)
      .filter((a) => a.requestPortBefore === a.slave && a.lost > 0);
    expect(receive.length).toBeGreaterThan(0);
    for (const a of receive) {
      expect(a.testerReask).toBeUndefined();
      expect(['bond-arp', 'bond-announcement']).toContain(a.endedBy);
    }
    expect(rowOf(first.matrix, 'balance-alb').cells.failoverMs?.verdict).toBe('expected');
  });
});

describe('failover with other settings', () => {
  it('follows miimon (500 ms in active-backup), judges balance-alb under the os-like ARP policy, and balance-rr loses the dead slave’s share while its NIC keeps carrier', async () => {
    const { steps, matrix } = await run({
      modes: ['balance-rr', 'active-backup', 'balance-alb'],
      bond: { ...defaultLabPlan(lab.instance).bond, perMode: { 'active-backup': { miimon: 500 } } },
      apply: { method: 'runtime', netifrcStyle: 'writeup' },
      probe: { rate: 100, pullRate: 1000, arpPolicy: 'os-like' },
      // A PHY's link-fail time: the switch end goes dark at once, the host's NIC keeps carrier this long.
      drivers: { ...defaultLabPlan(lab.instance).drivers, link: { type: 'lab', instance: lab.instance, linkDownMs } },
      steps: [pull('eth1'), plug('eth1'), pull('eth2'), plug('eth2')],
    });
    // balance-rr sends every other reply to the pulled slave until its NIC reports carrier loss; from then on
    // bond_slave_can_tx (include/net/bonding.h: carrier checked on every send) skips it, before miimon notices.
    const rr = pullsOf(steps, 'balance-rr');
    for (const a of rr) {
      // Cable out → the NIC's carrier off: the link-down time (plus QMP's and the timer's lateness under TCG).
      expect(a.cableOutMs!, a.slave).toBeLessThanOrEqual(-linkDownMs + 20);
      expect(a.cableOutMs!, a.slave).toBeGreaterThan(-linkDownMs - 150);
      expect(a.partial, a.slave).toBe(true);
      // About half the replies of the link-down time, every one of them accounted for by the port mirrors: the
      // host answered on the dead cable.
      expect(a.lost, a.slave).toBeGreaterThan(linkDownMs / 4);
      expect(a.lost, a.slave).toBeLessThan(a.sentInOutage);
      expect(a.lostPaths.replyToPulledSlave, a.slave).toBeGreaterThan(a.lost * 0.9);
      const { toPulledSlave, noReply, replyToPulledSlave, unseen } = a.lostPaths;
      expect(toPulledSlave + noReply + replyToPulledSlave + unseen, a.slave).toBe(a.lost);
      // Losses end where the NIC reported the pull, not a miimon later.
      expect(a.lastLostSentMs!, a.slave).toBeLessThanOrEqual(50);
    }
    const rrCell = rowOf(matrix, 'balance-rr').cells.failoverMs!;
    expect(rrCell.verdict).toBe('expected');
    expect(rrCell.textParts?.[0]?.key).toBe('failover.partial');
    expect(rrCell.text).toMatch(/^\d+ of \d+ replies lost over \d+ ms/);
    expect(keys(rowOf(matrix, 'balance-rr'), 'failoverMs')).toContain('failover.linkDown');
    const ab = pullsOf(steps, 'active-backup').filter((a) => a.endedBy === 'bond-announcement');
    expect(ab.length).toBeGreaterThan(0);
    // As at miimon 100: an announcement trailing the first reply it let through bounds detection by that reply.
    for (const a of ab) expect(a.detectionMs ?? a.firstReplyAfter!.atMs).toBeLessThanOrEqual(500 + 70);
    expect(rowOf(matrix, 'active-backup').cells.failoverMs?.verdict).toBe('expected');
    expect(rowOf(matrix, 'active-backup').cells.failoverMs?.reason).toContain('(500 + 0 ms)');
    for (const a of pullsOf(steps, 'balance-alb')) {
      expect(['no-outage', 'bond-arp', 'tester-reask', 'bond-announcement', 'bond-stopped-using-slave']).toContain(
        a.endedBy,
      );
    }
    expect(rowOf(matrix, 'balance-alb').cells.failoverMs?.verdict).toBe('expected');
  }, 900_000);

  it('without link monitoring: the pull is confirmed by carrier, nothing fails over, and the reason says why', async () => {
    const { steps, matrix } = await run({
      modes: ['active-backup'],
      bond: { ...defaultLabPlan(lab.instance).bond, options: { miimon: 0 } },
      apply: { method: 'runtime', netifrcStyle: 'writeup' },
      probe: { rate: 100, pullRate: 1000, arpPolicy: 'os-like' },
      steps: [pull('eth1'), plug('eth1'), pull('eth2'), plug('eth2')],
    });
    const pulls = pullsOf(steps, 'active-backup');
    for (const a of pulls) expect(a.confirmedBy).toBe('carrier');
    // The active slave's pull stops traffic for good; the other's costs nothing.
    expect(pulls.some((a) => a.endedBy === 'not-recovered')).toBe(true);
    const row = rowOf(matrix, 'active-backup');
    expect(row.cells.faultTolerance).toMatchObject({ value: false, verdict: 'unexpected' });
    expect(keys(row, 'faultTolerance')).toEqual(['failover.noMonitoring']);
  }, 600_000);
});
