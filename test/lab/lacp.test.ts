/**
 * 802.3ad against a real LACP partner (`lab up --lacp`: a second guest whose 802.3ad bond plays the switch), and
 * against none (the plain lab, whose bridge never forwards LACPDUs); a plan whose lab switch driver re-cables the
 * slaves per mode. This file brings up its own LACP lab instance beside the project's plain one and always takes
 * it down.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readPackets, startTcpdump } from '../../bench/tcpdump.js';
import { startRun } from '../../main/engine/session.js';
import { VirtualLab } from '../../main/lab/lab.js';
import type { SshSession } from '../../main/ssh/session.js';
import { parseProcBonding } from '../../shared/bonding/procfs.js';
import { LAB_NETWORK, LAB_NICS, LAB_PARTNER, LAB_SLAVES, labSlave } from '../../shared/lab/topology.js';
import type { TimedFrame } from '../../shared/measure/arp.js';
import { judgeLacp, type LacpJudgement, type LacpOutcome, lacpduRates } from '../../shared/oracle/lacp.js';
import { defaultLabPlan, type Plan } from '../../shared/plan/plan.js';
import { checkPlan } from '../../shared/plan/plan-file.js';
import { logText } from '../../shared/run/log.js';
import { decodeFrame } from '../../shared/wire/decode.js';
import { guest, setBondModeAtRuntime, testLab, until } from '../support/lab.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Instance names are at most 16 characters; namespace and tap names stay valid.
const lacpLab = new VirtualLab(`${inject('labInstance').slice(0, 11)}-lacp`);
const plainLab = testLab();
const BOND_IP = LAB_NETWORK.bondAddress.split('/')[0]!;
const HOST_SYSTEM = LAB_NICS.find((n) => n.guestName === 'eth1')!.mac;
/** Tester-side source addresses: one flow each, for xmit_hash_policy to spread. */
const SOURCES = ['10.77.1.11', '10.77.1.12', '10.77.1.13', '10.77.1.14', '10.77.1.15', '10.77.1.16'];

let session: SshSession;
let dir: string;
let labUpMs: number;

async function judge(s: SshSession): Promise<LacpJudgement> {
  return judgeLacp(parseProcBonding(await guest(s, 'cat /proc/net/bonding/bond0'), 'guest /proc/net/bonding/bond0'));
}

async function waitFor(s: SshSession, outcome: LacpOutcome, timeoutMs = 60_000): Promise<LacpJudgement> {
  let last: LacpJudgement | undefined;
  try {
    return await until(
      `802.3ad outcome ${outcome}`,
      async () => {
        last = await judge(s);
        return last.outcome === outcome ? last : undefined;
      },
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last: ${last?.outcome}: ${last?.reason}`);
  }
}

/** lacp_rate and xmit_hash_policy change only while the bond is down (the driver answers EBUSY otherwise). */
async function setBondOptions(s: SshSession, options: Record<string, string>) {
  const writes = Object.entries(options).map(
    ([option, value]) => `echo ${value} > /sys/class/net/bond0/bonding/${option}`,
  );
  await guest(s, ['set -e', 'ip link set bond0 down', ...writes, 'ip link set bond0 up'].join('\n'));
}

function inNamespace(lab: VirtualLab, args: string[]) {
  return run('ip', ['netns', 'exec', lab.namespace, ...args]);
}

/** Captures on the given taps (the switch's port mirrors) while `during` runs; frames decoded, per tap. */
async function capture(
  lab: VirtualLab,
  taps: string[],
  filter: string,
  during: () => Promise<void>,
): Promise<Record<string, TimedFrame[]>> {
  const runs = await Promise.all(
    taps.map((tap) =>
      startTcpdump({ netns: lab.namespace, device: tap, file: join(dir, `${lab.instance}-${tap}.pcap`), filter }),
    ),
  );
  try {
    await during();
    // tcpdump reads the kernel's ring in blocks (a timeout of up to 1 s) and drops a partial block when stopped.
    await sleep(1500);
  } finally {
    await Promise.all(runs.map((r) => r.stop()));
  }
  const frames: Record<string, TimedFrame[]> = {};
  for (const tap of taps) {
    frames[tap] = readPackets(join(dir, `${lab.instance}-${tap}.pcap`)).map((p) => ({
      ...decodeFrame(p.data),
      timeMs: p.time.sec * 1000 + p.time.nsec / 1e6,
    }));
  }
  return frames;
}

const repliesTo = (frames: TimedFrame[], dst: string) =>
  frames.filter((f) => f.icmp?.echo?.kind === 'reply' && f.ipv4?.src === BOND_IP && f.ipv4.dst === dst).length;

async function txPackets(s: SshSession): Promise<Record<string, number>> {
  const out = await guest(s, 'for s in eth1 eth2; do echo "$s $(cat /sys/class/net/$s/statistics/tx_packets)"; done');
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => [line.split(' ')[0]!, Number(line.split(' ')[1])]),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bondbench-lacp-'));
  const started = performance.now();
  await lacpLab.up({ lacp: true, log: (part) => console.log(`[lab ${lacpLab.instance}] ${logText('en', part)}`) });
  labUpMs = performance.now() - started;
  session = await lacpLab.ssh();
  for (const source of SOURCES) {
    await inNamespace(lacpLab, ['ip', 'addr', 'add', `${source}/24`, 'dev', LAB_NETWORK.testerPort]);
  }
});

afterAll(async () => {
  session?.close();
  await lacpLab.down((part) => console.log(`[lab ${lacpLab.instance}] ${logText('en', part)}`));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('802.3ad with the LACP partner (lab up --lacp)', () => {
  it('boots the partner beside the host, each slave cabled to one of its ports', async () => {
    const status = await lacpLab.status();
    expect(status.lacp?.partner).toMatchObject({ systemMac: LAB_PARTNER.systemMac, running: true });
    expect(status.links).toEqual([
      expect.objectContaining({ slave: 'eth1', tap: 'tap-eth1', partnerTap: 'tap-p1', switchCarrier: true }),
      expect.objectContaining({ slave: 'eth2', tap: 'tap-eth2', partnerTap: 'tap-p2', partnerCarrier: true }),
    ]);
    // The host's slave taps are cables to the partner now, not bridge ports.
    const { stdout } = await inNamespace(lacpLab, ['ip', '-j', 'link', 'show', 'master', LAB_NETWORK.bridge]);
    const ports = (JSON.parse(stdout) as { ifname: string }[]).map((l) => l.ifname).sort();
    expect(ports).toEqual(['sw-tester', 'tap-p0']);
    expect((await guest(session, 'cat /sys/class/net/bond0/bonding/mode')).trim()).toBe('802.3ad 4');
  });

  it('puts both slaves in one aggregator with the partner, collecting and distributing', async () => {
    const uptime = Number.parseFloat(await guest(session, 'cut -d" " -f1 /proc/uptime'));
    const negotiated = await waitFor(session, 'negotiated');
    const since = Number.parseFloat(await guest(session, 'cut -d" " -f1 /proc/uptime'));
    console.log(
      `lab up --lacp took ${(labUpMs / 1000).toFixed(1)} s (boot to SSH ${((await lacpLab.status()).bootMs! / 1000).toFixed(1)} s); ` +
        `negotiated at guest uptime ≤ ${since.toFixed(1)} s (first look at ${uptime.toFixed(1)} s)`,
    );
    expect(negotiated.negotiated).toBe(true);
    const { slaves, activeAggregator, aggregatorIds } = negotiated.evidence;
    expect(aggregatorIds).toHaveLength(1);
    expect(activeAggregator).toMatchObject({
      aggregatorId: aggregatorIds[0],
      ports: 2,
      partnerMac: LAB_PARTNER.systemMac,
    });
    for (const slave of slaves) {
      expect(slave).toMatchObject({ aggregatorId: aggregatorIds[0], partnerMac: LAB_PARTNER.systemMac });
      expect(slave.actorState).toMatchObject({ synchronization: true, collecting: true, distributing: true });
      expect(slave.partnerState).toMatchObject({ synchronization: true, collecting: true, distributing: true });
    }
    expect(negotiated.reason).toContain(LAB_PARTNER.systemMac);
  });

  it('spreads replies to several flows over both slaves (xmit_hash_policy layer2+3), one slave per flow', async () => {
    // layer2+3 hashes the peer's address only, so the spread is the same every run (layer3+4 also hashes the ICMP
    // identifier, which ping picks at random).
    await setBondOptions(session, { lacp_rate: 'fast', xmit_hash_policy: 'layer2+3' });
    await waitFor(session, 'negotiated');
    const before = await txPackets(session);
    const taps = LAB_SLAVES.map((s) => labSlave(s).tap);
    const frames = await capture(lacpLab, taps, 'icmp', async () => {
      for (const source of SOURCES) {
        const { stdout } = await inNamespace(lacpLab, [
          'ping',
          '-n',
          '-q',
          '-c',
          '5',
          '-i',
          '0.05',
          '-W',
          '2',
          '-I',
          source,
          BOND_IP,
        ]);
        expect(stdout).toContain('5 packets transmitted, 5 received');
      }
    });
    const after = await txPackets(session);
    const perFlow = SOURCES.map((source) => taps.map((tap) => repliesTo(frames[tap]!, source)));
    console.log(
      `echo replies per flow on ${taps.join('/')}: ${SOURCES.map((s, i) => `${s} ${perFlow[i]!.join('/')}`).join(', ')}`,
    );
    // Every reply seen once, on exactly one port: the hash keeps a flow on one slave.
    for (const counts of perFlow) {
      expect(counts.reduce((a, b) => a + b, 0)).toBe(5);
      expect(counts.filter((n) => n > 0)).toHaveLength(1);
    }
    // Several flows, both slaves used.
    for (const [i] of taps.entries()) expect(perFlow.filter((counts) => counts[i]! > 0).length).toBeGreaterThan(0);
    // The host's own counters agree that both slaves transmitted.
    for (const slave of LAB_SLAVES) expect(after[slave]! - before[slave]!).toBeGreaterThan(0);
  });

  it('sends LACPDUs about once a second per slave with lacp_rate fast, and the partner slows to 30 s for slow', async () => {
    const taps = LAB_SLAVES.map((s) => labSlave(s).tap);
    const window = async (ms: number) => {
      const from = Date.now();
      const frames = await capture(lacpLab, taps, 'ether proto 0x8809', () => sleep(ms));
      return lacpduRates(frames, { fromMs: from, toMs: Date.now() });
    };
    const fast = await window(6000);
    console.log(
      `lacp_rate fast: ${JSON.stringify(fast.map((r) => [r.slave, r.senders.map((s) => [s.system, s.count, s.medianIntervalMs])]))}`,
    );
    for (const { senders } of fast) {
      for (const system of [HOST_SYSTEM, LAB_PARTNER.systemMac]) {
        const sender = senders.find((s) => s.system === system);
        expect(sender, `LACPDUs from ${system}`).toMatchObject({ rate: 'fast', expected: 'fast', asExpected: true });
        expect(sender!.count).toBeGreaterThanOrEqual(4);
        expect(sender!.count).toBeLessThanOrEqual(9);
      }
    }

    // The partner sends at the rate the host asks for: slow once the host's lacp_rate is slow. The host keeps
    // sending fast, because the partner (lacp_rate fast) asks it to.
    await setBondOptions(session, { lacp_rate: 'slow' });
    await waitFor(session, 'negotiated');
    await sleep(1500);
    const slow = await window(6000);
    console.log(
      `lacp_rate slow: ${JSON.stringify(slow.map((r) => [r.slave, r.senders.map((s) => [s.system, s.count])]))}`,
    );
    for (const { senders } of slow) {
      expect(senders.find((s) => s.system === LAB_PARTNER.systemMac)).toMatchObject({
        rate: 'slow',
        expected: 'slow',
        asExpected: true,
      });
      expect(senders.find((s) => s.system === HOST_SYSTEM)).toMatchObject({ rate: 'fast', expected: 'fast' });
    }
    await setBondOptions(session, { lacp_rate: 'fast' });
    await waitFor(session, 'negotiated');
  });

  it('a passive bond (lacp_active off) still negotiates: the partner is active', async () => {
    await setBondOptions(session, { lacp_active: 'off' });
    const passive = await waitFor(session, 'negotiated');
    expect(passive.evidence.lacpActive).toBe(false);
    for (const slave of passive.evidence.slaves) {
      expect(slave.actorState?.lacpActivity).toBe(false);
      expect(slave.partnerState?.lacpActivity).toBe(true);
    }
    await setBondOptions(session, { lacp_active: 'on' });
    await waitFor(session, 'negotiated');
  });

  it('a pull keeps traffic flowing, the aggregate shrinks to one port, and a plug restores both', async () => {
    const pings = SOURCES.map((source) =>
      inNamespace(lacpLab, ['ping', '-D', '-n', '-i', '0.02', '-w', '8', '-I', source, BOND_IP]).catch(
        (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
      ),
    );
    await sleep(2000);
    const pulledAt = Date.now() / 1000;
    await lacpLab.pull('eth1');
    const shrunk = await waitFor(session, 'shrunk', 10_000);
    expect(shrunk.evidence.activeAggregator?.ports).toBe(1);
    expect(shrunk.reason).toMatch(/eth1 is down/);
    const link = (await lacpLab.status()).links?.find((l) => l.slave === 'eth1');
    expect(link).toMatchObject({ pulled: true, switchCarrier: false, partnerCarrier: false });
    const outputs = (await Promise.all(pings)).map((r) => r.stdout);
    for (const [i, output] of outputs.entries()) {
      const times = [...output.matchAll(/^\[(\d+\.\d+)\].*icmp_seq=/gm)].map((m) => Number(m[1]));
      const afterPull = times.filter((t) => t > pulledAt + 1);
      const gap = Math.max(
        ...times.slice(1).map((t, j) => (t > pulledAt && times[j]! < pulledAt + 3 ? t - times[j]! : 0)),
      );
      console.log(`${SOURCES[i]}: ${times.length} replies, longest gap around the pull ${(gap * 1000).toFixed(0)} ms`);
      // Traffic kept flowing over eth2 for every flow, including those hashed to eth1 before.
      expect(afterPull.length).toBeGreaterThan(50);
    }
    await lacpLab.plug('eth1');
    const restored = await waitFor(session, 'negotiated', 30_000);
    expect(restored.evidence.activeAggregator?.ports).toBe(2);
  });
});

describe('a plan with the lab switch driver (drivers.switch: lab)', () => {
  it('cables 802.3ad to the LACP partner and balance-xor to the bridge, and judges each', async () => {
    const plan: Plan = {
      ...defaultLabPlan(lacpLab.instance, { lacp: true }),
      name: 'switch side per mode',
      modes: ['802.3ad', 'balance-xor'],
      apply: { method: 'runtime', netifrcStyle: 'writeup' },
      steps: [
        { kind: 'read-macs' },
        { kind: 'probe', seconds: 2 },
        { kind: 'pull', slave: 'eth1', holdSeconds: 2 },
        { kind: 'plug', slave: 'eth1', settleSeconds: 1 },
      ],
    };
    expect(checkPlan(plan)).toEqual([]);
    const started = performance.now();
    const outcome = await (await startRun(plan, { runsDir: dir })).finished;
    console.log(`switch plan: 2 modes in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('completed');
    expect(outcome.restored).toBe(true);
    expect(outcome.steps.filter((s) => s.status === 'failed').map((s) => `${s.label}: ${s.error}`)).toEqual([]);

    const bringUp = (mode: string) => outcome.steps.find((s) => s.mode === mode && s.kind === 'bring-up')!;
    const lacp = bringUp('802.3ad');
    expect(lacp.switch).toMatchObject({ channel: 'lacp', attachedTo: expect.stringContaining(LAB_PARTNER.systemMac) });
    expect(lacp.switch?.lacpMs).toBeGreaterThanOrEqual(0);
    console.log(
      `802.3ad: re-cabled in ${lacp.switch?.ms} ms, LACP negotiated ${lacp.switch?.lacpMs} ms after bring-up`,
    );
    const xor = bringUp('balance-xor');
    expect(xor.switch).toMatchObject({ channel: 'static', attachedTo: expect.stringContaining('bridge sw0') });

    const row = (mode: string) => outcome.matrix.find((r) => r.mode === mode)!;
    const ad = row('802.3ad');
    console.log(
      `802.3ad row: ${JSON.stringify(Object.fromEntries(Object.entries(ad.cells).map(([k, c]) => [k, [c?.text, c?.verdict]])))}; notes ${ad.notes.join(' | ')}`,
    );
    // Measured against the partner, not "?": the aggregate, its partner system, and every cell judged.
    const note = ad.notes.find((n) => n.startsWith('LACP: '));
    expect(note).toMatch(/eth1 and eth2 in aggregator \d+ with partner 02:00:5e:10:00:01 key \d+/);
    expect(ad.notes.join(' ')).not.toMatch(/no LACP partner/);
    for (const column of ['eth1Mac', 'eth2Mac', 'loadBalancing', 'faultTolerance', 'failoverMs'] as const) {
      expect(ad.cells[column]?.verdict, `802.3ad ${column}: ${ad.cells[column]?.reason}`).toBe('expected');
    }
    const readMacs = outcome.steps.find((s) => s.mode === '802.3ad' && s.kind === 'read-macs')!;
    expect(readMacs.reading?.lacp).toMatchObject({
      negotiated: true,
      partnerMac: LAB_PARTNER.systemMac,
      aggregators: 1,
    });
    // balance-xor met plain bridge ports: no LACP, and its row judged too.
    const x = row('balance-xor');
    expect(x.cells.faultTolerance?.verdict).toBeDefined();
    expect(x.cells.eth1Mac?.verdict).toBe('expected');
    expect(
      outcome.steps.find((s) => s.mode === 'balance-xor' && s.kind === 'read-macs')?.reading?.lacp,
    ).toBeUndefined();

    // The cables are back where the run found them (the partner), and the host negotiates again.
    const status = await lacpLab.status();
    expect(status.links?.map((l) => l.cabledTo)).toEqual(['partner', 'partner']);
    await waitFor(session, 'negotiated');
  }, 180_000);
});

describe('802.3ad without a partner (the plain lab)', () => {
  let plain: SshSession;

  beforeAll(async () => {
    plain = await plainLab.ssh();
  });

  afterAll(async () => {
    // Back to the lab's boot configuration for the next test file: balance-rr, miimon 100.
    if (plain) await setBondModeAtRuntime(plain, 'balance-rr').catch(() => undefined);
    plain?.close();
  });

  it('names the missing partner: each slave is its own aggregator', async () => {
    await setBondModeAtRuntime(plain, '802.3ad');
    await sleep(3000);
    const verdict = await judge(plain);
    expect(verdict.negotiated).toBe(false);
    expect(verdict.outcome).toBe('no-partner');
    expect(verdict.reason).toMatch(/^no LACP partner: each slave is its own aggregator/);
    expect(verdict.evidence.aggregatorIds).toHaveLength(2);
  });
});
