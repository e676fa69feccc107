/** /proc/net/bonding parser on recorded outputs of several kernel generations (test/fixtures/procfs/SOURCES.md). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeLacpPortState } from '../../shared/bonding/lacp.js';
import { ParseError } from '../../shared/bonding/parse-error.js';
import { type ProcBondStatus, parseProcBonding } from '../../shared/bonding/procfs.js';
import { LAB_NICS } from '../../shared/lab/topology.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'procfs');
const fixture = (name: string) => readFileSync(join(dir, name), 'utf8');
const parse = (name: string) => parseProcBonding(fixture(name), name);
const slave = (status: ProcBondStatus, name: string) => {
  const found = status.slaves.find((s) => s.name === name);
  if (!found) throw new Error(`no slave ${name}`);
  return found;
};
const labMac = (name: string) => LAB_NICS.find((n) => n.guestName === name)!.mac;

describe('recorded /proc/net/bonding files', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt'));

  it('has outputs of old and new kernels to test on', () => {
    expect(files.filter((f) => f.startsWith('linux-6.1-'))).toHaveLength(12);
    expect(files.filter((f) => f.startsWith('driver-'))).toHaveLength(8);
  });

  it.each(files)('%s parses into a bond with slaves', (file) => {
    const status = parse(file);
    expect(status.slaves.length).toBeGreaterThan(0);
    expect(status.unknown).toEqual([]);
  });
});

describe('inputs from real hosts', () => {
  it('an IPoIB slave: its 20-byte permanent address kept as printed, not a MAC, the rest parsed', () => {
    const status = parse('issue-16-ipoib-balance-rr.txt');
    expect(status).toMatchObject({ mode: 'balance-rr', miiStatus: 'up', miimonMs: 100 });
    expect(status.slaves).toEqual([
      expect.objectContaining({
        name: 'ib0',
        miiStatus: 'up',
        permanentHwAddr: '80:00:00:6d:fe:80:00:00:00:00:00:00:00:02:55:00:70:33:cf:01',
      }),
    ]);
    expect(status.slaves[0]!.permanentMac).toBeUndefined();
  });
});

describe('kernel 6.1 (the lab guest)', () => {
  it('balance-rr: mode, monitor, slaves with the lab NICs’ permanent MACs, unknown virtio speed', () => {
    const s = parse('linux-6.1-balance-rr.txt');
    expect(s.driver).toEqual({ version: '6.1.0-56-amd64' });
    expect(s).toMatchObject({ mode: 'balance-rr', miiStatus: 'up', miimonMs: 100, upDelayMs: 0, downDelayMs: 0 });
    expect(s.peerNotificationDelayMs).toBe(0);
    expect(s.activeSlave).toBeUndefined();
    expect(s.transmitHashPolicy).toBeUndefined();
    expect(s.slaves.map((x) => [x.name, x.permanentMac])).toEqual([
      ['eth1', labMac('eth1')],
      ['eth2', labMac('eth2')],
    ]);
    expect(slave(s, 'eth1')).toMatchObject({
      miiStatus: 'up',
      speedMbps: null,
      duplex: null,
      linkFailureCount: 0,
      queueId: 0,
    });
  });

  it('active-backup with fail_over_mac, primary and delays', () => {
    const s = parse('linux-6.1-active-backup-primary.txt');
    expect(s).toMatchObject({
      mode: 'active-backup',
      failOverMac: 'active',
      primarySlave: 'eth2',
      primaryReselect: 'always',
      activeSlave: 'eth2',
      upDelayMs: 200,
      downDelayMs: 300,
    });
  });

  it('active-backup after pulling eth1: eth2 active, eth1 down with one link failure', () => {
    const s = parse('linux-6.1-active-backup-eth1-pulled.txt');
    expect(s.activeSlave).toBe('eth2');
    expect(s.primarySlave).toBeNull();
    expect(slave(s, 'eth1')).toMatchObject({ miiStatus: 'down', linkFailureCount: 1 });
    expect(slave(s, 'eth2')).toMatchObject({ miiStatus: 'up', linkFailureCount: 0 });
  });

  it('the ARP monitor: interval, missed max, targets, empty NS targets', () => {
    const s = parse('linux-6.1-active-backup-arp.txt');
    expect(s.miimonMs).toBe(0);
    expect(s.arp).toEqual({ intervalMs: 200, missedMax: 2, targets: ['10.77.1.252', '10.77.1.254'], nsTargets: [] });
  });

  it('balance-xor shows its transmit hash policy', () => {
    expect(parse('linux-6.1-balance-xor.txt').transmitHashPolicy).toEqual({ name: 'layer3+4', id: 1 });
  });

  it('balance-tlb shows a hash policy only without dynamic load balancing', () => {
    expect(parse('linux-6.1-balance-tlb.txt').transmitHashPolicy).toBeUndefined();
    expect(parse('linux-6.1-balance-tlb-static.txt').transmitHashPolicy).toEqual({ name: 'layer2', id: 0 });
    expect(parse('linux-6.1-balance-alb.txt')).toMatchObject({
      mode: 'balance-alb',
      activeSlave: 'eth1',
      primarySlave: null,
    });
  });

  it('802.3ad without a partner: system, active aggregator, per-port LACPDU details and decoded state bits', () => {
    const s = parse('linux-6.1-802.3ad.txt');
    expect(s.transmitHashPolicy).toEqual({ name: 'layer2+3', id: 2 });
    expect(s.ad).toEqual({
      lacpActive: true,
      lacpRate: 'fast',
      minLinks: 0,
      adSelect: 'stable',
      systemPriority: 65535,
      systemMac: labMac('eth1'),
      activeAggregator: { aggregatorId: 1, ports: 1, actorKey: 0, partnerKey: 1, partnerMac: '00:00:00:00:00:00' },
    });
    const eth1 = slave(s, 'eth1').ad!;
    expect(eth1).toMatchObject({
      aggregatorId: 1,
      actorChurnState: 'monitoring',
      partnerChurnState: 'monitoring',
      actorChurnedCount: 0,
      partnerChurnedCount: 0,
    });
    expect(eth1.actor).toMatchObject({
      systemPriority: 65535,
      systemMac: labMac('eth1'),
      key: 0,
      portPriority: 255,
      portNumber: 1,
      portState: 79,
    });
    // 79 = activity, short timeout, aggregation, in sync, defaulted: no partner, so never collecting/distributing.
    expect(eth1.actor?.portStateBits).toEqual({
      raw: 79,
      lacpActivity: true,
      lacpTimeout: 'short',
      aggregation: true,
      synchronization: true,
      collecting: false,
      distributing: false,
      defaulted: true,
      expired: false,
    });
    expect(eth1.partner).toMatchObject({ systemMac: '00:00:00:00:00:00', key: 1, portState: 0 });
    // Without a partner each slave sits in an aggregator of its own.
    expect(slave(s, 'eth2').ad).toMatchObject({
      aggregatorId: 2,
      actor: { portState: 71, portStateBits: { synchronization: false } },
    });
  });

  it('802.3ad read without CAP_NET_ADMIN: no system, aggregator or LACPDU details, yet churn state', () => {
    const s = parse('linux-6.1-802.3ad-unprivileged.txt');
    expect(s.ad?.systemPriority).toBeUndefined();
    expect(s.ad?.activeAggregator).toBeUndefined();
    expect(slave(s, 'eth1').ad).toEqual({
      aggregatorId: 1,
      actorChurnState: 'monitoring',
      partnerChurnState: 'monitoring',
      actorChurnedCount: 0,
      partnerChurnedCount: 0,
    });
  });
});

describe('older and other kernels', () => {
  it('bonding 2.6.1 (2004): dated banner, no blank line, no permanent MAC or speed', () => {
    const s = parse('driver-2.6.1-2004-balance-rr.txt');
    expect(s.driver).toEqual({ version: '2.6.1', date: 'October 29, 2004' });
    expect(s).toMatchObject({ mode: 'balance-rr', activeSlave: 'eth0', miimonMs: 1000 });
    expect(slave(s, 'eth1')).toEqual({ name: 'eth1', miiStatus: 'up', linkFailureCount: 1 });
  });

  it('v3.4.0 ARP targets separated by ", " and no Speed/Duplex', () => {
    const s = parse('driver-3.4.0-2008-active-backup-arp.txt');
    expect(s.arp).toEqual({ intervalMs: 1000, targets: ['169.254.144.20', '169.254.144.21'] });
    expect(s.peerNotificationDelayMs).toBeUndefined();
    expect(slave(s, 'eth0').speedMbps).toBeUndefined();
  });

  it('v3.4.0 802.3ad with an 8-space indented aggregator and two aggregators', () => {
    const s = parse('driver-3.4.0-2008-802.3ad-four-slaves.txt');
    expect(s.ad).toEqual({
      lacpRate: 'slow',
      activeAggregator: { aggregatorId: 3, ports: 2, actorKey: 17, partnerKey: 16385, partnerMac: '00:22:67:00:11:22' },
    });
    expect(s.slaves.map((x) => x.ad?.aggregatorId)).toEqual([2, 2, 3, 3]);
  });

  it('v3.2.4 (RHEL 5) and v3.7.1 (RHEL 7) formats', () => {
    expect(parse('driver-3.2.4-2008-802.3ad.txt')).toMatchObject({
      mode: '802.3ad',
      miimonMs: 500,
      transmitHashPolicy: { name: 'layer2', id: 0 },
    });
    expect(parse('driver-3.7.1-balance-xor.txt')).toMatchObject({
      mode: 'balance-xor',
      transmitHashPolicy: { name: 'layer2+3', id: 2 },
    });
  });

  it('"has no active aggregator" and "Aggregator ID: N/A" become null', () => {
    const s = parse('driver-3.5.0-2008-802.3ad-no-active-aggregator.txt');
    expect(s.ad?.activeAggregator).toBeNull();
    expect(s.ad?.adSelect).toBe('stable');
    expect(s.slaves.map((x) => x.ad?.aggregatorId)).toEqual([null, null]);
  });

  it('a blanked Permanent HW addr is absent, not garbage', () => {
    const s = parse('driver-3.6.0-2009-active-backup-blanked-mac.txt');
    expect(slave(s, 'eth3')).toMatchObject({ miiStatus: 'down', speedMbps: 1000, duplex: 'full', linkFailureCount: 2 });
    expect(slave(s, 'eth3').permanentMac).toBeUndefined();
    expect(s.primarySlave).toBe('eth2');
  });

  it('v3.7.1 churn and LACPDU details; partner state 1 = only LACP activity', () => {
    const s = parse('driver-3.7.1-rhel7-802.3ad-lacp-details.txt');
    const down = slave(s, 'enp1s0f0').ad!;
    expect(down).toMatchObject({
      aggregatorId: 1,
      actorChurnState: 'churned',
      actorChurnedCount: 1,
      partnerChurnedCount: 2,
    });
    expect(down.partner?.portStateBits).toEqual(decodeLacpPortState(1));
    expect(decodeLacpPortState(1)).toMatchObject({
      lacpActivity: true,
      lacpTimeout: 'long',
      aggregation: false,
      synchronization: false,
    });
    expect(down.actor?.portStateBits).toMatchObject({
      lacpActivity: true,
      lacpTimeout: 'short',
      synchronization: false,
      defaulted: true,
    });
    expect(() => decodeLacpPortState(256)).toThrow(RangeError);
  });

  it('5.15 with a real LACP partner: collecting and distributing', () => {
    const s = parse('linux-5.15-802.3ad-partner.txt');
    const port = slave(s, 'enp65s0f1').ad!;
    expect(port.actor?.portStateBits).toMatchObject({
      collecting: true,
      distributing: true,
      synchronization: true,
      defaulted: false,
    });
    // 61: the switch uses the long timeout.
    expect(port.partner).toMatchObject({
      systemPriority: 32768,
      key: 37,
      portNumber: 32778,
      portStateBits: { lacpTimeout: 'long', distributing: true },
    });
    expect(s.ad?.activeAggregator?.partnerMac).toBe('c2:d6:82:fb:f0:12');
  });

  it('5.15 BlueField read unprivileged and 6.8 balance-alb', () => {
    expect(parse('linux-5.15-bluefield-802.3ad-unprivileged.txt').slaves.map((x) => x.speedMbps)).toEqual([
      200000, 200000,
    ]);
    expect(parse('linux-6.8-balance-alb.txt')).toMatchObject({
      mode: 'balance-alb',
      activeSlave: 'eno1',
      driver: { version: '6.8.0-90-generic' },
    });
  });
});

describe('malformed input: a clear ParseError, never a crash or garbage', () => {
  const base = fixture('linux-6.1-active-backup.txt');
  const expectParseError = (text: string, message: RegExp) => {
    let caught: unknown;
    try {
      parseProcBonding(text, 'test input');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ParseError);
    expect((caught as Error).message).toMatch(message);
  };

  it('refuses redacted MACs, naming the line', () => {
    expectParseError(
      fixture('malformed/linux-5.10-balance-tlb-redacted-mac.txt'),
      /line 17\): Permanent HW addr must be a hardware address \(hex bytes separated by colons\): "Permanent HW addr: xx:xx/,
    );
  });

  it('refuses text that is not a bonding file', () => {
    expectParseError('', /no "Bonding Mode:" line/);
    expectParseError('<html><body>Not Found</body></html>', /line 1\): not a "Key: value" line/);
    expectParseError('\u0000\u0001\u0002', /not a "Key: value" line/);
    expectParseError('cat: /proc/net/bonding/bond0: No such file or directory', /no "Bonding Mode:" line/);
  });

  it('refuses bad values with the line they are on', () => {
    expectParseError(
      base.replace('Bonding Mode: fault-tolerance (active-backup)', 'Bonding Mode: quantum entanglement'),
      /line 3\): unknown bonding mode/,
    );
    expectParseError(
      base.replace('MII Polling Interval (ms): 100', 'MII Polling Interval (ms): fast'),
      /line 7\): MII Polling Interval \(ms\) must be a whole number/,
    );
    expectParseError(base.replace('Speed: Unknown', 'Speed: 1 Gbps'), /Speed must look like "1000 Mbps"/);
    expectParseError(
      base.replace('MII Status: up\nSpeed', 'MII Status: sideways\nSpeed'),
      /a slave’s MII Status must be one of/,
    );
    expectParseError(
      fixture('linux-6.1-802.3ad.txt').replace('port state: 79', 'port state: 300'),
      /port state must be an octet/,
    );
    expectParseError(base.replace('Slave Interface: eth2', 'Slave Interface: eth1'), /slave eth1 is listed twice/);
    expectParseError(base.replace('MII Status: up\nMII Polling', 'MII Polling'), /the bond has no "MII Status:" line/);
    expectParseError(`${base}\n802.3ad info\nLACP rate: slow\n`, /"802.3ad info" must follow the bond settings/);
    expectParseError(
      fixture('linux-6.1-balance-rr.txt').replace('Slave queue ID: 0\n\nSlave', 'Aggregator ID: 1\n\nSlave'),
      /Aggregator ID on a slave of a bond that is not 802.3ad/,
    );
    expectParseError(`${base}\n${base}`, /the driver banner must be the first line/);
  });

  it('keeps lines it does not know instead of dropping or misreading them', () => {
    const s = parseProcBonding(base.replace('MII Status: up\n', 'Use Carrier: 1\nMII Status: up\n'), 'vendor kernel');
    expect(s.unknown).toEqual([{ section: 'master', key: 'Use Carrier', value: '1', line: 6 }]);
  });

  it('every truncation of a real file either parses or throws a ParseError', () => {
    for (const file of [
      'linux-6.1-802.3ad.txt',
      'driver-3.7.1-rhel7-802.3ad-lacp-details.txt',
      'linux-6.1-active-backup-arp.txt',
    ]) {
      const text = fixture(file);
      for (let cut = 0; cut < text.length; cut += 7) {
        try {
          const s = parseProcBonding(text.slice(0, cut), file);
          expect(s.mode).toBeTruthy();
        } catch (error) {
          expect(error).toBeInstanceOf(ParseError);
        }
      }
    }
  });
});
