/**
 * The runtime backend on the lab guest's real bonding driver: every mode and the options that matter, verified
 * by reading sysfs back and by what /proc/net/bonding and ip -d say. The lab's bond is put back afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VerifyError } from '../../main/host/backend.js';
import { HostControl } from '../../main/host/control.js';
import { BONDING_MODES } from '../../shared/bonding/modes.js';
import type { BondRequest } from '../../shared/bonding/options.js';
import { LAB_NETWORK, labNic } from '../../shared/lab/topology.js';
import { testLab, until } from '../support/lab.js';

const slaves = ['eth1', 'eth2'];
const runDir = mkdtempSync(join(tmpdir(), 'bondbench-host-runtime-'));
let host: HostControl;
let originalConf: Buffer | undefined;

beforeAll(async () => {
  host = await HostControl.open(`lab:${testLab().instance}`);
  originalConf = await host.remote.readFile('/etc/conf.d/net');
});

afterAll(async () => {
  const restored = await host.restore({ runDir });
  expect(restored.bondState).toBe('restored');
  const status = await host.bondStatus();
  expect(status).toMatchObject({ mode: 'balance-rr', miimonMs: 100 });
  expect(status.slaves.map((s) => s.name)).toEqual(slaves);
  expect((await host.remote.readFile('/etc/conf.d/net'))?.equals(originalConf!)).toBe(true);
  host.close();
  rmSync(runDir, { recursive: true, force: true });
});

async function configure(request: Omit<BondRequest, 'slaves'>) {
  const plan = await host.plan({ slaves, ...request });
  await host.apply(plan, { runDir });
  const verified = await host.verify(plan);
  return { plan, verified };
}

describe('runtime bonding on the lab guest', () => {
  it.each(BONDING_MODES)('%s: applied, read back, and the slaves’ MACs as the driver documents', async (mode) => {
    const { verified } = await configure({ mode });
    expect(verified.status?.mode).toBe(mode);
    expect(verified.status?.slaves.map((s) => [s.name, s.permanentMac])).toEqual(slaves.map((s) => [s, labNic(s).mac]));
    const links = await host.links();
    const mac = (name: string) => links.find((l) => l.name === name)?.mac;
    expect(mac('bond0')).toBe(labNic('eth1').mac);
    // tlb and alb keep each slave's own MAC; every other mode gives all slaves the bond's.
    expect(mac('eth2')).toBe(
      mode === 'balance-tlb' || mode === 'balance-alb' ? labNic('eth2').mac : labNic('eth1').mac,
    );
    expect(links.find((l) => l.name === 'bond0')?.addresses.map((a) => a.cidr)).toEqual([LAB_NETWORK.bondAddress]);
    if (mode === '802.3ad') {
      // No partner behind a Linux bridge: each slave in an aggregator of its own, defaulted.
      expect(verified.status?.ad?.activeAggregator?.partnerMac).toBe('00:00:00:00:00:00');
      expect(verified.status?.slaves.every((s) => s.ad?.actor?.portStateBits?.defaulted)).toBe(true);
    }
  });

  it('active-backup with primary, fail_over_mac, delays rounded to miimon and gratuitous ARPs', async () => {
    const { plan, verified } = await configure({
      mode: 'active-backup',
      primary: 'eth2',
      fail_over_mac: 'active',
      miimon: 100,
      updelay: 250,
      downdelay: 300,
      num_grat_arp: 3,
    });
    expect(plan.notes).toContain('updelay 250 ms rounded down to 200 ms, a multiple of miimon 100');
    expect(verified.status).toMatchObject({
      failOverMac: 'active',
      primarySlave: 'eth2',
      upDelayMs: 200,
      downDelayMs: 300,
    });
    // With the primary up, it becomes (and stays) the active slave once its updelay has passed.
    await until('eth2 active', async () => ((await host.bondStatus()).activeSlave === 'eth2' ? true : undefined));
    const bond = (await host.links()).find((l) => l.name === 'bond0')?.bond;
    expect(bond).toMatchObject({ primary: 'eth2', failOverMac: 'active', numPeerNotif: 3 });
  });

  it('the ARP monitor replaces miimon, then miimon replaces it again', async () => {
    const arp = await configure({ mode: 'active-backup', arp_interval: 200, arp_ip_target: ['10.77.1.252'] });
    expect(arp.verified.status).toMatchObject({ miimonMs: 0, arp: { intervalMs: 200, targets: ['10.77.1.252'] } });
    // 802.3ad forbids the ARP monitor: it must be stopped while the old mode still allows it.
    const lacp = await configure({ mode: '802.3ad', lacp_rate: 'fast', xmit_hash_policy: 'layer3+4' });
    expect(lacp.verified.status).toMatchObject({
      miimonMs: 100,
      ad: { lacpRate: 'fast' },
      transmitHashPolicy: { name: 'layer3+4' },
    });
    expect(lacp.verified.status?.arp).toBeUndefined();
  });

  it('balance-xor with a hash policy, balance-tlb without dynamic load balancing', async () => {
    expect(
      (await configure({ mode: 'balance-xor', xmit_hash_policy: 'layer2+3' })).verified.status?.transmitHashPolicy,
    ).toEqual({ name: 'layer2+3', id: 2 });
    const tlb = await configure({ mode: 'balance-tlb', tlb_dynamic_lb: 0 });
    expect(tlb.verified.status?.transmitHashPolicy).toEqual({ name: 'layer2', id: 0 });
    // Options of other modes do not leak: back to the defaults when not asked for.
    const rr = await configure({ mode: 'balance-rr' });
    expect(rr.verified.checked).toContain('xmit_hash_policy=layer2');
    expect((await host.links()).find((l) => l.name === 'bond0')?.bond?.tlbDynamicLb).toBe(true);
  });

  it('applies and reads back every option the plan accepts; writes no delay without miimon', async () => {
    const lacp = await configure({
      mode: '802.3ad',
      ad_select: 'bandwidth',
      min_links: 1,
      num_unsol_na: 2,
      lp_interval: 3,
    });
    expect(lacp.verified.checked).toEqual(
      expect.arrayContaining([
        'ad_select=bandwidth',
        'min_links=1',
        'num_unsol_na=2',
        'num_grat_arp=2',
        'lp_interval=3',
      ]),
    );
    // Not asked for in the next mode: put back to the driver's defaults, and verified to be so.
    const xor = await configure({ mode: 'balance-xor', miimon: 0 });
    expect(xor.verified.checked).toEqual(
      expect.arrayContaining(['miimon=0', 'updelay=0', 'ad_select=stable', 'min_links=0', 'lp_interval=1']),
    );
    expect(xor.plan.script).not.toMatch(/^w (updelay|downdelay)/m);
  });

  it('verification names the option that does not match', async () => {
    const { plan } = await configure({ mode: 'active-backup' });
    // Someone changes the bond behind the bench's back.
    await host.exec('echo 200 > /sys/class/net/bond0/bonding/miimon', { privileged: true });
    const error = await host.verify(plan).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyError);
    expect((error as VerifyError).mismatches).toEqual([{ option: 'miimon', expected: '100', actual: '200' }]);
    expect((error as Error).message).toMatch(/miimon is "200", expected "100"/);
  });

  it('reports per-slave counters for telling which slave sent what', async () => {
    const before = await host.counters(slaves);
    await host.exec(`ping -c 3 -W 1 ${LAB_NETWORK.testerAddress.split('/')[0]} >/dev/null 2>&1 || true`);
    const after = await host.counters(slaves);
    const sent = slaves.reduce((sum, s) => sum + (after[s]!.txPackets! - before[s]!.txPackets!), 0);
    expect(sent).toBeGreaterThanOrEqual(3);
  });
});
