import { describe, expect, it } from 'vitest';
import { mirrorTargets, testerInterface } from '../../main/engine/tester-side.js';
import { loadPlan } from '../../shared/plan/plan-file.js';
import {
  interfaceLabel,
  mergeInterfaces,
  prefixFromNetmask,
  resolveCaptureDevice,
} from '../../shared/tester/interfaces.js';
import {
  linuxOs,
  linuxPcap,
  MIRROR1_GUID,
  MIRROR2_GUID,
  TESTER_GUID,
  windowsOs,
  windowsPcap,
} from '../fixtures/platform/interfaces.js';

describe('netmask → prefix', () => {
  it('counts contiguous bits of IPv4 and IPv6 masks', () => {
    expect(prefixFromNetmask('255.255.255.0')).toBe(24);
    expect(prefixFromNetmask('255.255.255.252')).toBe(30);
    expect(prefixFromNetmask('0.0.0.0')).toBe(0);
    expect(prefixFromNetmask('255.255.255.255')).toBe(32);
    expect(prefixFromNetmask('ffff:ffff:ffff:ffff::')).toBe(64);
    expect(prefixFromNetmask('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(128);
    expect(prefixFromNetmask('ffff:ffff:ff80::')).toBe(41);
  });

  it('refuses masks that are not a prefix', () => {
    expect(prefixFromNetmask('255.0.255.0')).toBeUndefined();
    expect(prefixFromNetmask('255.255.256.0')).toBeUndefined();
    expect(prefixFromNetmask('ffff::ffff')).toBeUndefined();
    expect(prefixFromNetmask('bogus')).toBeUndefined();
  });
});

describe('capture devices joined with the OS interfaces', () => {
  it('Linux: by name, MAC from the OS, prefix from pcap', () => {
    const merged = mergeInterfaces(linuxPcap, linuxOs);
    const tester = merged.find((i) => i.name === 'tester0')!;
    expect(tester.mac).toBe('52:54:00:77:01:fc');
    expect(tester.friendlyName).toBeUndefined();
    expect(tester.addresses[0]).toEqual({
      family: 'IPv4',
      address: '10.77.1.252',
      netmask: '255.255.255.0',
      cidr: '10.77.1.252/24',
    });
    expect(tester.addresses[1]?.cidr).toBe('fe80::4c1e:9bff:fe77:1fc/64');
    expect(merged.find((i) => i.name === 'lo')?.loopback).toBe(true);
    expect(merged.find((i) => i.name === 'lo')?.mac).toBeUndefined();
    expect(merged.find((i) => i.name === 'tap-eth1')).toEqual({ name: 'tap-eth1', loopback: false, addresses: [] });
  });

  it('Windows: Npcap GUID paths matched by address to the friendly names, with MAC and prefix', () => {
    const merged = mergeInterfaces(windowsPcap, windowsOs);
    const tester = merged.find((i) => i.name === TESTER_GUID)!;
    expect(tester.friendlyName).toBe('Ethernet 2');
    expect(tester.mac).toBe('3c:52:82:11:22:33');
    expect(tester.description).toBe('Intel(R) Ethernet Connection (7) I219-LM');
    expect(tester.addresses.find((a) => a.family === 'IPv4')?.cidr).toBe('10.77.1.20/24');
    expect(merged.find((i) => i.description?.startsWith('Intel(R) Wi-Fi'))?.friendlyName).toBe('Wi-Fi');
    // Npcap's loopback adapter: loopback by pcap's flag; the mirror ports: no address, so no OS match.
    expect(merged.find((i) => i.name === '\\Device\\NPF_Loopback')?.loopback).toBe(true);
    expect(merged.find((i) => i.name === MIRROR1_GUID)).toEqual({
      name: MIRROR1_GUID,
      description: 'Realtek USB GbE Family Controller',
      loopback: false,
      addresses: [],
    });
    expect(interfaceLabel(tester)).toBe(`Ethernet 2 (${TESTER_GUID})`);
  });

  it("tester.interface auto finds the Windows tester port on the bond's subnet", () => {
    const merged = mergeInterfaces(windowsPcap, windowsOs);
    expect(testerInterface('auto', '10.77.1.0/24', merged).name).toBe(TESTER_GUID);
    expect(testerInterface('Ethernet 2', '10.77.1.0/24', merged).name).toBe(TESTER_GUID);
    expect(() => testerInterface('auto', '10.99.0.0/24', merged)).toThrow(
      /no interface of the tester is on .*Ethernet 2/,
    );
    expect(testerInterface('auto', '10.77.1.0/24', mergeInterfaces(linuxPcap, linuxOs)).name).toBe('tester0');
  });

  it('resolves a device by pcap name, friendly name or description, and says what there is', () => {
    const merged = mergeInterfaces(windowsPcap, windowsOs);
    expect(resolveCaptureDevice(merged, MIRROR2_GUID, 'x').name).toBe(MIRROR2_GUID);
    expect(resolveCaptureDevice(merged, 'ethernet 2', 'x').name).toBe(TESTER_GUID);
    expect(resolveCaptureDevice(merged, 'Realtek USB GbE Family Controller #2', 'x').name).toBe(MIRROR2_GUID);
    expect(() => resolveCaptureDevice(merged, 'Ethernet 9', 'tester.portMirrors.eth1')).toThrow(
      /tester.portMirrors.eth1: the tester has no capture device "Ethernet 9" \(it has .*"Ethernet 2"/,
    );
  });

  it('port mirrors: capture device names of the platform, files named by the slave', () => {
    const merged = mergeInterfaces(windowsPcap, windowsOs);
    const targets = mirrorTargets({ eth1: MIRROR1_GUID, eth2: 'Realtek USB GbE Family Controller #2' }, merged);
    expect(targets).toEqual([
      { port: MIRROR1_GUID, device: MIRROR1_GUID, slave: 'eth1' },
      { port: 'Realtek USB GbE Family Controller #2', device: MIRROR2_GUID, slave: 'eth2' },
    ]);
  });

  it('a plan accepts Npcap device paths and friendly names for the tester and its mirrors', () => {
    const plan = loadPlan(`version: 1
host: { target: root@192.168.0.253 }
tester:
  interface: Ethernet 2
  portMirrors: { eth1: '${MIRROR1_GUID}', eth2: Ethernet 3 }
bond: { slaves: [eth1, eth2], address: 10.77.1.253/24, peer: 10.77.1.20 }
modes: [active-backup]
`);
    expect(plan.tester).toEqual({ interface: 'Ethernet 2', portMirrors: { eth1: MIRROR1_GUID, eth2: 'Ethernet 3' } });
    expect(() =>
      loadPlan(`version: 1
host: { target: root@192.168.0.253 }
tester: { interface: "tester\\u0007" }
bond: { slaves: [eth1, eth2], address: 10.77.1.253/24, peer: 10.77.1.20 }
modes: [active-backup]
`),
    ).toThrow(/tester/);
  });
});
