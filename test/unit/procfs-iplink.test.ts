/** `ip -j -d link show` parser on outputs recorded in the lab guest, checked against /proc/net/bonding. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIpLinkJson } from '../../shared/bonding/iplink.js';
import { ParseError } from '../../shared/bonding/parse-error.js';
import { parseProcBonding } from '../../shared/bonding/procfs.js';
import { LAB_NICS } from '../../shared/lab/topology.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'procfs');
const read = (name: string) => readFileSync(join(dir, name), 'utf8');
const labMac = (name: string) => LAB_NICS.find((n) => n.guestName === name)!.mac;
const links = (name: string) => parseIpLinkJson(read(`linux-6.1-${name}.ip-link.json`), name);
const link = (name: string, iface: string) => {
  const found = links(name).find((l) => l.name === iface);
  if (!found) throw new Error(`no ${iface}`);
  return found;
};

describe('ip -j -d link show (kernel 6.1, iproute2 6.1)', () => {
  it('balance-rr: every slave carries eth1’s MAC, the permanent MACs stay known', () => {
    const all = links('balance-rr');
    expect(all.map((l) => l.name)).toEqual(['lo', 'eth0', 'eth1', 'eth2', 'bond0']);
    const eth2 = link('balance-rr', 'eth2');
    expect(eth2).toMatchObject({
      mac: labMac('eth1'),
      permanentMac: labMac('eth2'),
      master: 'bond0',
      up: true,
      carrier: true,
    });
    expect(eth2.bondSlave).toMatchObject({
      state: 'ACTIVE',
      miiStatus: 'UP',
      linkFailureCount: 0,
      permanentMac: labMac('eth2'),
      queueId: 0,
    });
    expect(link('balance-rr', 'eth1').permanentMac).toBe(labMac('eth1'));
    // eth0 is no slave and prints no permaddr: its permanent MAC is unknown to ip.
    expect(link('balance-rr', 'eth0')).toMatchObject({
      mac: labMac('eth0'),
      permanentMac: undefined,
      bondSlave: undefined,
    });
    const bond = link('balance-rr', 'bond0');
    expect(bond.kind).toBe('bond');
    expect(bond.bond).toMatchObject({
      mode: 'balance-rr',
      miimon: 100,
      updelay: 0,
      xmitHashPolicy: 'layer2',
      failOverMac: 'none',
      arpValidate: null,
    });
    // Recorded right after the tlb_dynamic_lb 0 capture: options of other modes survive a mode change.
    expect(bond.bond?.tlbDynamicLb).toBe(false);
    // `ip link` lists no addresses; `ip addr` does.
    expect(bond.addresses).toEqual([]);
    const withAddresses = parseIpLinkJson(read('linux-6.1-balance-rr.ip-addr.json'));
    expect(withAddresses.find((l) => l.name === 'bond0')?.addresses).toEqual([
      {
        family: 'inet',
        local: '10.77.1.253',
        prefixlen: 24,
        cidr: '10.77.1.253/24',
        scope: 'global',
        broadcast: '10.77.1.255',
      },
    ]);
    expect(withAddresses.find((l) => l.name === 'eth0')?.addresses.map((a) => a.cidr)).toEqual(['10.77.0.2/24']);
    expect(withAddresses.find((l) => l.name === 'bond0')?.bond?.tlbDynamicLb).toBe(true);
  });

  it('active-backup: the active slave, primary and fail_over_mac', () => {
    const bond = link('active-backup-primary', 'bond0').bond!;
    expect(bond).toMatchObject({
      mode: 'active-backup',
      activeSlave: 'eth2',
      primary: 'eth2',
      failOverMac: 'active',
      updelay: 200,
      downdelay: 300,
      numPeerNotif: 3,
    });
    expect(link('active-backup-primary', 'eth1').bondSlave?.state).toBe('BACKUP');
    expect(link('active-backup-eth1-pulled', 'eth1')).toMatchObject({
      carrier: false,
      bondSlave: { miiStatus: 'DOWN', linkFailureCount: 1 },
    });
  });

  it('802.3ad: aggregator ids and LACP port states agree with /proc/net/bonding', () => {
    const proc = parseProcBonding(read('linux-6.1-802.3ad.txt'));
    for (const name of ['eth1', 'eth2']) {
      const slave = link('802.3ad', name).bondSlave!;
      const fromProc = proc.slaves.find((s) => s.name === name)!;
      expect(slave.adAggregatorId).toBe(fromProc.ad?.aggregatorId);
      expect(slave.adActorOperPortState).toBe(fromProc.ad?.actor?.portState);
      expect(slave.adPartnerOperPortState).toBe(fromProc.ad?.partner?.portState);
      expect(slave.permanentMac).toBe(fromProc.permanentMac);
    }
    expect(link('802.3ad', 'bond0').bond).toMatchObject({
      mode: '802.3ad',
      lacpRate: 'fast',
      adSelect: 'stable',
      adInfo: { aggregator: 1, numPorts: 1, actorKey: 0, partnerKey: 1, partnerMac: '00:00:00:00:00:00' },
    });
  });

  it('balance-tlb: eth2 keeps its own MAC', () => {
    expect(link('balance-tlb', 'eth2')).toMatchObject({ mac: labMac('eth2'), permanentMac: labMac('eth2') });
    expect(link('balance-tlb', 'bond0').bond?.mode).toBe('balance-tlb');
  });
});

describe('malformed ip output', () => {
  const fails = (text: string, message: RegExp) => {
    let caught: unknown;
    try {
      parseIpLinkJson(text, 'test');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ParseError);
    expect((caught as Error).message).toMatch(message);
  };

  it('refuses what is not the list ip prints', () => {
    fails('', /not JSON/);
    fails('Object "link" is unknown, try "ip help".', /not JSON/);
    fails('{"ifname":"eth0"}', /expected a JSON list/);
    fails('[{"ifindex":1}]', /no "ifname" or "ifindex"/);
    fails('[{"ifindex":1,"ifname":"eth0","flags":"UP"}]', /"flags" should be a list/);
    fails('[{"ifindex":1,"ifname":"eth0","flags":[],"mtu":"big"}]', /"mtu" should be a number/);
    fails(
      '[{"ifindex":5,"ifname":"bond0","flags":[],"linkinfo":{"info_kind":"bond","info_data":{"mode":"turbo"}}}]',
      /unknown bond mode/,
    );
    fails(
      '[{"ifindex":3,"ifname":"eth1","flags":[],"linkinfo":{"info_slave_kind":"bond","info_slave_data":{}}}]',
      /without "state"/,
    );
  });
});
