/** `bondbench host probe` against the lab guest: what it reports must match the lab's known wiring. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hostCommand } from '../../main/cli/host.js';
import { HostControl } from '../../main/host/control.js';
import type { HostProbe } from '../../main/host/system.js';
import { LAB_NETWORK, LAB_NICS, labNic } from '../../shared/lab/topology.js';
import { testLab, until } from '../support/lab.js';

let host: HostControl;
let probe: HostProbe;

beforeAll(async () => {
  host = await HostControl.open(`lab:${testLab().instance}`);
  probe = await host.probe();
});

afterAll(() => host.close());

describe('host probe on the lab guest', () => {
  it('kernel, distribution, bonding driver, tools, rollback mechanism', () => {
    expect(probe.kernel).toMatch(/^6\.1\.\d+-\d+-amd64$/);
    expect(probe.machine).toBe('x86_64');
    expect(probe.distribution).toMatchObject({ id: 'bondbench-lab', idLike: 'gentoo' });
    expect(probe.bonding).toEqual({ available: 'module', loaded: true, bondingMasters: ['bond0'] });
    expect(probe.tools).toMatchObject({ netifrc: true, confdNet: true, rcUpdate: '/sbin/rc-update' });
    expect(probe.tools.ifenslave).toBeUndefined();
    expect(probe.rollbackMechanism).toBe('local.d');
    expect(probe.defaultRunlevel).toEqual(['net.bond0', 'net.eth0']);
    expect(probe.bootId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('every NIC with the lab’s MACs; the write-up’s picture of balance-rr', () => {
    const iface = (name: string) => probe.interfaces.find((i) => i.name === name)!;
    for (const nic of LAB_NICS) {
      expect(iface(nic.guestName).permanentMac, nic.guestName).toBe(nic.mac);
      expect(iface(nic.guestName)).toMatchObject({ up: true, carrier: true });
    }
    // Speed and duplex as sysfs reports them agree with what the bonding driver saw (null where the NIC says nothing).
    for (const slave of probe.bonds[0]!.status.slaves) {
      expect(iface(slave.name).speedMbps, slave.name).toBe(slave.speedMbps ?? null);
      expect(iface(slave.name).duplex, slave.name).toBe(slave.duplex ?? null);
    }
    // Step 4 of the write-up: bond0 is MASTER with eth1's MAC, and eth2 has taken eth1's MAC too.
    expect(iface('bond0')).toMatchObject({
      kind: 'bond',
      mac: labNic('eth1').mac,
      addresses: [LAB_NETWORK.bondAddress],
    });
    expect(iface('eth2')).toMatchObject({ mac: labNic('eth1').mac, master: 'bond0', addresses: [] });
    expect(iface('eth0').addresses).toEqual([LAB_NETWORK.managementGuestAddress]);
    expect(probe.management).toEqual({
      clientAddress: '10.77.0.1',
      serverAddress: LAB_NETWORK.guestSshHost,
      interface: 'eth0',
      protectedInterfaces: ['eth0'],
    });
  });

  it('each bond: parsed /proc/net/bonding, netlink view and per-slave counters', () => {
    expect(probe.bonds).toHaveLength(1);
    const [bond] = probe.bonds;
    expect(bond!.status).toMatchObject({ mode: 'balance-rr', miiStatus: 'up', miimonMs: 100 });
    expect(bond!.status.slaves.map((s) => [s.name, s.permanentMac, s.miiStatus])).toEqual([
      ['eth1', labNic('eth1').mac, 'up'],
      ['eth2', labNic('eth2').mac, 'up'],
    ]);
    expect(bond!.link?.bond?.mode).toBe('balance-rr');
    for (const slave of bond!.slaves) {
      expect(Object.keys(slave.counters).sort()).toEqual([
        'rxBytes',
        'rxDropped',
        'rxErrors',
        'rxPackets',
        'txBytes',
        'txDropped',
        'txErrors',
        'txPackets',
      ]);
    }
  });

  it('a step’s one-command reading says what ip and /proc/net/bonding say, with a cable out too', async () => {
    const same = async () => {
      const snap = await host.snapshot('bond0', ['eth1', 'eth2']);
      const [links, status] = await Promise.all([host.links(), host.bondStatus('bond0')]);
      expect(snap.status).toEqual(status);
      for (const name of ['bond0', 'eth1', 'eth2']) {
        const link = links.find((l) => l.name === name)!;
        expect(snap.links.find((l) => l.name === name)).toEqual({ name, mac: link.mac, carrier: link.carrier });
      }
      expect(Object.keys(snap.counters)).toEqual(['eth1', 'eth2']);
      expect(Object.keys(snap.counters.eth1!)).toEqual(Object.keys((await host.counters(['eth1'])).eth1!));
      return snap;
    };
    expect((await same()).links.map((l) => l.carrier)).toEqual([true, true, true]);
    const lab = testLab();
    await lab.pull('eth2');
    try {
      await until('eth2 down in /proc/net/bonding', async () =>
        (await host.bondStatus('bond0')).slaves.find((s) => s.name === 'eth2')?.miiStatus === 'down' ? true : undefined,
      );
      const pulled = await same();
      expect(pulled.links.map((l) => [l.name, l.carrier])).toEqual([
        ['bond0', true],
        ['eth1', true],
        ['eth2', false],
      ]);
    } finally {
      await lab.plug('eth2');
      await until('eth2 up again', async () =>
        (await host.bondStatus('bond0')).slaves.find((s) => s.name === 'eth2')?.miiStatus === 'up' ? true : undefined,
      );
    }
    // No such bond: the status is absent and the links are ip's.
    const none = await host.snapshot('bond7', ['eth1', 'eth2']);
    expect(none.status).toBeUndefined();
    expect(none.links.map((l) => l.name)).toEqual((await host.links()).map((l) => l.name));
  });

  it('`bondbench host probe lab:<instance>` prints the same as JSON', async () => {
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    try {
      expect(await hostCommand(['probe', `lab:${testLab().instance}`])).toBe(0);
    } finally {
      log.mockRestore();
    }
    const json = JSON.parse(printed.join('\n')) as HostProbe;
    expect(json.target).toBe(`lab:${testLab().instance}`);
    expect(json.interfaces.map((i) => [i.name, i.permanentMac])).toEqual(
      probe.interfaces.map((i) => [i.name, i.permanentMac]),
    );
    expect(json.bonds[0]?.status.mode).toBe('balance-rr');
  });
});
