/**
 * The load step's pure parts: Jain's index, the spread of the bond's replies over the port mirrors (per flow, per
 * peer, moves in time), the verdict per mode and xmit_hash_policy, and the plan's `load` step and its refusals.
 */
import { describe, expect, it } from 'vitest';
import { jainIndex, type LoadSpread, loadSpread } from '../../shared/measure/load.js';
import { hashUnit, judgeLoad } from '../../shared/oracle/load.js';
import { judgeMode } from '../../shared/oracle/oracle.js';
import { defaultLabPlan, type Plan } from '../../shared/plan/plan.js';
import { checkPlan, loadPlan, parsePlan, planToYaml } from '../../shared/plan/plan-file.js';
import { readSteps, writeSteps } from '../../shared/plan/yaml-edit.js';
import type { HostReading, StepRecord } from '../../shared/run/model.js';
import type { CapturedFrame } from '../../shared/run/samples.js';
import type { DecodedFrame } from '../../shared/wire/types.js';
import { quietMeasurements } from './anatomy-fixtures.js';

const BOND = '10.77.1.253';
const MIRRORS = { eth1: 'tap-eth1', eth2: 'tap-eth2' };
const PEERS = ['10.77.1.101', '10.77.1.102'];

let no = 0;
function reply(port: string, dst: string, identifier: number, sequence: number, timeMs = no): CapturedFrame {
  no++;
  const frame = {
    ipv4: { src: BOND, dst },
    icmp: { type: 0, code: 0, echo: { kind: 'reply', identifier, sequence, dataLength: 56 } },
  } as unknown as DecodedFrame;
  return { no, port, timeMs, frame };
}

function spreadOf(frames: CapturedFrame[]): LoadSpread {
  return loadSpread(frames, { bondIp: BOND, peers: PEERS, mirrors: MIRRORS })!;
}

describe("Jain's fairness index", () => {
  it('is 1 for an even spread and 1/n when one carries all', () => {
    expect(jainIndex([50, 50])).toBe(1);
    expect(jainIndex([100, 0])).toBe(0.5);
    expect(jainIndex([100, 0, 0, 0])).toBe(0.25);
    expect(jainIndex([3, 1])).toBeCloseTo(16 / 20);
    expect(jainIndex([0, 0])).toBe(1);
  });
});

describe('load spread over the port mirrors', () => {
  it('counts replies to the peers per slave, flows and peers, and which were split', () => {
    const frames = [
      reply('tap-eth1', PEERS[0]!, 1, 1),
      reply('tap-eth1', PEERS[0]!, 1, 2),
      reply('tap-eth2', PEERS[0]!, 2, 1),
      reply('tap-eth2', PEERS[1]!, 3, 1),
      reply('tap-eth1', PEERS[1]!, 3, 2),
      // Not ours: the tester port, another destination, a request.
      reply('tester0', PEERS[0]!, 1, 3),
      reply('tap-eth1', '10.77.1.252', 9, 1),
    ];
    const spread = spreadOf(frames);
    expect(spread.replies).toEqual({ eth1: 3, eth2: 2 });
    expect(spread.share).toEqual({ eth1: 0.6, eth2: 0.4 });
    expect(spread).toMatchObject({ flows: 3, peers: 2, splitFlows: 1, splitPeers: 2, distinct: 5 });
    expect(spread.jain).toBeCloseTo(25 / 26);
  });

  it('counts how often a peer moved between slaves, in time order', () => {
    const frames = [
      reply('tap-eth2', PEERS[0]!, 1, 3, 30),
      reply('tap-eth1', PEERS[0]!, 1, 1, 10),
      reply('tap-eth1', PEERS[0]!, 1, 2, 20),
      reply('tap-eth1', PEERS[0]!, 1, 4, 40),
    ];
    expect(spreadOf(frames).maxPeerMoves).toBe(2);
  });

  it('is undefined when no reply reached a mirror', () => {
    expect(loadSpread([reply('tester0', PEERS[0]!, 1, 1)], { bondIp: BOND, peers: PEERS, mirrors: MIRRORS })).toBe(
      undefined,
    );
  });
});

describe('the verdict per mode and xmit_hash_policy (bonding.rst)', () => {
  const spread = (over: Partial<LoadSpread>): LoadSpread => ({
    replies: { eth1: 50, eth2: 50 },
    share: { eth1: 0.5, eth2: 0.5 },
    jain: 1,
    distinct: 100,
    flows: 8,
    peers: 4,
    splitFlows: 0,
    splitPeers: 0,
    maxPeerMoves: 0,
    ...over,
  });

  it('balance-rr: even over the slaves', () => {
    expect(judgeLoad('balance-rr', {}, spread({}), 3).verdict).toBe('expected');
    const uneven = judgeLoad('balance-rr', {}, spread({ share: { eth1: 0.8, eth2: 0.2 }, jain: 0.74 }), 3);
    expect(uneven.verdict).toBe('unexpected');
    expect(uneven.parts[0]).toMatchObject({ key: 'oracle.load.rrUneven', vars: { min: 20, jain: '0.74' } });
  });

  it('broadcast: every reply on every slave; active-backup: one slave', () => {
    expect(judgeLoad('broadcast', {}, spread({ distinct: 50 }), 3).verdict).toBe('expected');
    expect(judgeLoad('broadcast', {}, spread({ distinct: 60 }), 3).verdict).toBe('unexpected');
    expect(judgeLoad('active-backup', {}, spread({ share: { eth1: 1, eth2: 0 } }), 3).verdict).toBe('expected');
    expect(judgeLoad('active-backup', {}, spread({}), 3).verdict).toBe('unexpected');
  });

  it('xor and 802.3ad: per peer for layer2/layer2+3, per flow for layer3+4, one slave for vlan+srcmac', () => {
    expect(hashUnit(undefined)).toBe('peer');
    expect(hashUnit('layer2+3')).toBe('peer');
    expect(hashUnit('layer3+4')).toBe('flow');
    expect(hashUnit('encap3+4')).toBe('flow');
    expect(hashUnit('vlan+srcmac')).toBe('bond');
    // layer3+4 may split a peer's flows over slaves, never a flow.
    const perFlow = spread({ splitPeers: 2 });
    expect(judgeLoad('balance-xor', { xmit_hash_policy: 'layer3+4' }, perFlow, 3).verdict).toBe('expected');
    expect(judgeLoad('balance-xor', {}, perFlow, 3)).toMatchObject({
      verdict: 'unexpected',
      parts: [{ key: 'oracle.load.hashPerPeerSplit', vars: { policy: 'layer2', split: 2 } }],
    });
    expect(judgeLoad('802.3ad', { xmit_hash_policy: 'layer3+4' }, spread({ splitFlows: 1 }), 3).verdict).toBe(
      'unexpected',
    );
    expect(judgeLoad('balance-xor', { xmit_hash_policy: 'vlan+srcmac' }, spread({}), 3).verdict).toBe('unexpected');
  });

  it('tlb/alb: a peer on one slave at a time, moved at most once per 10 s rebalance', () => {
    expect(judgeLoad('balance-tlb', {}, spread({ maxPeerMoves: 1 }), 3).verdict).toBe('expected');
    expect(judgeLoad('balance-alb', {}, spread({ maxPeerMoves: 2 }), 3).verdict).toBe('unexpected');
    expect(judgeLoad('balance-alb', {}, spread({ maxPeerMoves: 2 }), 15).verdict).toBe('expected');
    // tlb_dynamic_lb 0: tlb hashes as xor does.
    expect(judgeLoad('balance-tlb', { tlb_dynamic_lb: 0 }, spread({ splitPeers: 1 }), 3).verdict).toBe('unexpected');
  });
});

describe('the load step in a plan', () => {
  const withLoad = (step: Plan['steps'][number], over: Partial<Plan> = {}): Plan => ({
    ...defaultLabPlan('ci'),
    steps: [{ kind: 'read-macs' }, step],
    ...over,
  });

  it('reads `load` and `load: {…}` with defaults, and writes them back', () => {
    const plan = loadPlan(planToYaml(withLoad({ kind: 'load', peers: 4, flows: 2, seconds: 3, rate: 20 })));
    expect(plan.steps[1]).toEqual({ kind: 'load', peers: 4, flows: 2, seconds: 3, rate: 20 });
    expect(planToYaml(plan)).toMatch(/- load\n/);
    const yaml = planToYaml(withLoad({ kind: 'load', peers: 8, flows: 4, seconds: 5, rate: 10 }));
    expect(loadPlan(yaml).steps[1]).toEqual({ kind: 'load', peers: 8, flows: 4, seconds: 5, rate: 10 });
    const short = yaml.replace(/- load:\n(\s+\w+: \d+\n)+/, '- load: { peers: 6 }\n');
    expect(loadPlan(short).steps[1]).toEqual({ kind: 'load', peers: 6, flows: 2, seconds: 3, rate: 20 });
  });

  it('refuses a load step off the lab, without mirrors, or sending more than the tester can', () => {
    const load = { kind: 'load', peers: 4, flows: 2, seconds: 3, rate: 20 } as const;
    const messages = (plan: Plan) => checkPlan(plan).map((e) => `${e.path}: ${e.message}`);
    expect(messages(withLoad(load))).toEqual([]);
    expect(
      messages(
        withLoad(load, {
          host: { target: 'root@192.168.0.253' },
          drivers: { power: { type: 'lab' }, link: { type: 'lab' } },
        }),
      ),
    ).toEqual(
      expect.arrayContaining([expect.stringMatching(/^steps\[1\]: a load step makes its peers in the virtual lab/)]),
    );
    expect(messages(withLoad(load, { tester: { interface: 'tester0', portMirrors: { eth1: 'tap-eth1' } } }))).toEqual([
      expect.stringMatching(/^steps\[1\]: the spread is read from the slaves’ port mirrors, and .* none for eth2/),
    ]);
    expect(messages(withLoad({ ...load, peers: 32, flows: 4, rate: 10 }))).toEqual([
      expect.stringMatching(/32 peers × 4 flows is more than the 64 flows/),
      expect.stringMatching(/32 peers × 4 flows × 10\/s is more than the 800 requests\/s/),
    ]);
    expect(parsePlan(planToYaml(withLoad({ ...load, peers: 33 }))).errors[0]?.path).toMatch(/^steps/);
  });

  it('survives the plan form: its peers, flows and rate kept when its seconds are edited', () => {
    const yaml = planToYaml(withLoad({ kind: 'load', peers: 8, flows: 4, seconds: 5, rate: 10 }));
    const steps = readSteps(yaml)!.steps;
    expect(steps[1]).toEqual({ kind: 'load', seconds: '5', load: { peers: 8, flows: 4, rate: 10 } });
    const edited = writeSteps(yaml, [steps[0]!, { ...steps[1]!, seconds: '7' }]);
    expect(loadPlan(edited).steps[1]).toEqual({ kind: 'load', peers: 8, flows: 4, seconds: 7, rate: 10 });
    expect(readSteps(writeSteps(yaml, [{ kind: 'load' }]))!.steps).toEqual([{ kind: 'load' }]);
  });
});

describe('the matrix cell from a load step', () => {
  const plan = { ...defaultLabPlan('ci'), steps: [{ kind: 'load', peers: 4, flows: 2, seconds: 3, rate: 20 }] } as Plan;
  const load = {
    peerAddresses: PEERS,
    seconds: 3,
    sent: 480,
    received: 480,
    replies: { eth1: 240, eth2: 240 },
    share: { eth1: 0.5, eth2: 0.5 },
    jain: 1,
    distinct: 480,
    flows: 8,
    peers: 4,
    splitFlows: 8,
    splitPeers: 4,
    maxPeerMoves: 40,
  };
  const step = (mode: StepRecord['mode'], index: number, kind: StepRecord['kind'], more: Partial<StepRecord> = {}) =>
    ({
      index,
      repetition: 1,
      mode,
      kind,
      label: kind,
      startedAt: '',
      durationMs: 0,
      status: 'ok',
      ...more,
    }) as StepRecord;
  const measurements = { ...quietMeasurements(), load };

  it('says the spread and Jain’s index, judged by the mode', () => {
    const row = judgeMode(plan, 'balance-rr', 1, [
      step('balance-rr', 0, 'bring-up'),
      step('balance-rr', 1, 'load', { measurements }),
    ]);
    expect(row.cells.loadBalancing).toMatchObject({ text: '50% / 50% · J 1.00', verdict: 'expected' });
    expect(row.cells.loadBalancing?.reasonParts?.[0]?.key).toBe('oracle.load.rrEven');
    // layer2 hashes per peer: every peer split over both slaves is wrong for balance-xor.
    const xor = judgeMode(plan, 'balance-xor', 1, [
      step('balance-xor', 0, 'bring-up'),
      step('balance-xor', 1, 'load', { measurements }),
    ]);
    expect(xor.cells.loadBalancing?.verdict).toBe('unexpected');
  });

  it('is not measurable for 802.3ad without an LACP partner, naming why', () => {
    const reading = {
      at: '',
      slaves: [],
      lacp: {
        aggregators: 2,
        negotiated: false,
        outcome: 'no-partner',
        reason: 'no LACP partner: each slave is its own aggregator',
      },
    } as unknown as HostReading;
    const row = judgeMode(plan, '802.3ad', 1, [
      step('802.3ad', 0, 'bring-up', { reading }),
      step('802.3ad', 1, 'load', { measurements, reading }),
    ]);
    expect(row.cells.loadBalancing?.verdict).toBe('not-measurable');
    expect(row.cells.loadBalancing?.reason).toMatch(/no LACP partner/);
  });
});
