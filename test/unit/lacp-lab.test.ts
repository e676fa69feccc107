/** The `lab up --lacp` wiring as data: the partner's NICs and QEMU command line, and the plain lab's left as it was. */
import { describe, expect, it } from 'vitest';
import type { GuestImage } from '../../main/lab/image.js';
import { HOST_GUEST, qemuArgs } from '../../main/lab/qemu.js';
import { LAB_NICS, LAB_PARTNER, LAB_PARTNER_NICS, partnerNicFor } from '../../shared/lab/topology.js';

const image = { kernel: '/img/vmlinuz', initrd: '/img/initrd.img' } as GuestImage;
const files = { pidFile: '/r/q.pid', qmpSocket: '/r/qmp.sock', consoleSocket: '/r/c.sock', consoleLog: '/r/c.log' };
const devices = (args: string[]) => args.filter((_, i) => args[i - 1] === '-device');
const append = (args: string[]) => args[args.indexOf('-append') + 1]!;

describe('the LACP partner’s NICs', () => {
  it('are locally administered, distinct from the host’s, with short tap names', () => {
    for (const nic of LAB_PARTNER_NICS) {
      expect(Number.parseInt(nic.mac.slice(0, 2), 16) & 0b11).toBe(0b10); // locally administered, unicast
      expect(LAB_NICS.map((n) => n.mac)).not.toContain(nic.mac);
      expect(LAB_NICS.map((n) => n.tap)).not.toContain(nic.tap);
      expect(nic.tap.length).toBeLessThanOrEqual(15);
    }
    expect(LAB_PARTNER.systemMac).toBe(LAB_PARTNER_NICS.find((n) => n.guestName === 'eth1')!.mac);
  });

  it('cable each host slave to the partner port of the same name', () => {
    expect(partnerNicFor('eth1').tap).toBe('tap-p1');
    expect(partnerNicFor('eth2').tap).toBe('tap-p2');
    expect(() => partnerNicFor('eth0')).toThrow(/not a lab slave port/);
  });
});

describe('QEMU command lines', () => {
  it('the plain lab: the /etc disk, the management address, its own NICs', () => {
    const args = qemuArgs(image, { ...files, disk: '/r/etc.img' }, 'tcg', 'bondbench-lab-x');
    expect(qemuArgs(image, { ...files, disk: '/r/etc.img' }, 'tcg', 'bondbench-lab-x', HOST_GUEST)).toEqual(args);
    expect(args).toContain('file=/r/etc.img,if=virtio,format=raw');
    expect(append(args)).toContain('bondbench.mgmt=10.77.0.2/24');
    expect(append(args)).not.toContain('bondbench.role');
    expect(args[args.indexOf('-m') + 1]).toBe('512');
    expect(devices(args).map((d) => d.split(',').slice(0, 4).join(','))).toEqual(
      LAB_NICS.map((n) => `virtio-net-pci,netdev=${n.netdevId},mac=${n.mac},addr=${n.pciAddr}`),
    );
    // The management NIC never gets a speed: it is no slave.
    expect(devices(args)[0]).toBe(`virtio-net-pci,netdev=net0,mac=${LAB_NICS[0]!.mac},addr=0x3`);
  });

  it('the partner: no disk, its role on the kernel command line, full-duplex slave NICs on its own taps', () => {
    const args = qemuArgs(image, files, 'tcg', 'bondbench-lab-x.partner', {
      role: 'partner',
      nics: LAB_PARTNER_NICS,
      memoryMiB: 256,
      slaveSpeedMbps: LAB_PARTNER.slaveSpeedMbps,
    });
    expect(args).not.toContain('-drive');
    expect(append(args)).toContain('bondbench.role=partner');
    expect(append(args)).not.toContain('bondbench.mgmt');
    expect(args).toContain('tap,id=net1,ifname=tap-p1,script=no,downscript=no');
    expect(devices(args)).toEqual([
      'virtio-net-pci,netdev=net0,mac=02:00:5e:10:00:00,addr=0x3',
      'virtio-net-pci,netdev=net1,mac=02:00:5e:10:00:01,addr=0x4,speed=1000,duplex=full',
      'virtio-net-pci,netdev=net2,mac=02:00:5e:10:00:02,addr=0x5,speed=1000,duplex=full',
    ]);
  });
});
