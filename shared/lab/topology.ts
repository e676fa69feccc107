/**
 * The virtual lab's wiring, mirroring the write-up (192.168.0.x management, 192.168.1.x bond subnet) in a
 * private range that exists only inside the lab's own network namespace. MACs are the write-up's own.
 */

export const LAB_SLAVES = ['eth1', 'eth2'] as const;
export type LabSlave = (typeof LAB_SLAVES)[number];

export interface LabNic {
  /** Name inside the guest. */
  guestName: 'eth0' | LabSlave;
  /** QEMU netdev id, used by QMP set_link. */
  netdevId: string;
  /** Tap inside the lab namespace. */
  tap: string;
  mac: string;
  pciAddr: string;
}

export const LAB_NICS: readonly LabNic[] = [
  { guestName: 'eth0', netdevId: 'net0', tap: 'tap-eth0', mac: '00:e0:4c:3a:8f:47', pciAddr: '0x3' },
  { guestName: 'eth1', netdevId: 'net1', tap: 'tap-eth1', mac: '00:e0:4c:83:07:9c', pciAddr: '0x4' },
  { guestName: 'eth2', netdevId: 'net2', tap: 'tap-eth2', mac: '00:e0:4c:e2:57:8d', pciAddr: '0x5' },
];

/**
 * The LACP partner of `lab up --lacp`: a second small guest whose 802.3ad bond (eth1 + eth2, lacp_rate fast) plays
 * an LACP switch and bridges the aggregate to the tester port through its eth0. Locally administered MACs, so no
 * vendor's address is borrowed; its bond (and so its LACP system MAC) takes eth1's.
 */
export const LAB_PARTNER_NICS: readonly LabNic[] = [
  { guestName: 'eth0', netdevId: 'net0', tap: 'tap-p0', mac: '02:00:5e:10:00:00', pciAddr: '0x3' },
  { guestName: 'eth1', netdevId: 'net1', tap: 'tap-p1', mac: '02:00:5e:10:00:01', pciAddr: '0x4' },
  { guestName: 'eth2', netdevId: 'net2', tap: 'tap-p2', mac: '02:00:5e:10:00:02', pciAddr: '0x5' },
];

export const LAB_PARTNER = {
  /** The partner bond's MAC: the LACP system the host's slaves should see as their partner. */
  systemMac: '02:00:5e:10:00:01',
  lacpRate: 'fast',
  /** virtio-net reports no speed or duplex unless told, and the bonding driver keeps LACP off on a port that is not full duplex. */
  slaveSpeedMbps: 1000,
} as const;

/** The partner's NIC cabled to a host slave (eth1 ↔ partner eth1, eth2 ↔ partner eth2). */
export function partnerNicFor(slave: string): LabNic {
  const host = labSlave(slave);
  const nic = LAB_PARTNER_NICS.find((n) => n.guestName === host.guestName);
  if (!nic) throw new Error(`the LACP partner has no port for ${slave}`);
  return nic;
}

export const LAB_NETWORK = {
  /** The Linux bridge that plays the switch. */
  bridge: 'sw0',
  /** Management: the namespace's end of the guest's eth0. */
  managementHostAddress: '10.77.0.1/24',
  managementGuestAddress: '10.77.0.2/24',
  guestSshHost: '10.77.0.2',
  guestSshPort: 22,
  /** The tester port on the switch, playing the write-up's Windows machine (192.168.1.252). */
  testerPort: 'tester0',
  testerSwitchPort: 'sw-tester',
  testerAddress: '10.77.1.252/24',
  testerMac: '00:e0:6f:08:53:9a',
  /** The bond's address (the write-up's 192.168.1.253). */
  bondAddress: '10.77.1.253/24',
  bondSubnet: '10.77.1.0/24',
} as const;

/**
 * The tester as K peers for a load step: peer i (1–32) is a macvlan on the tester port, inside the lab's
 * namespace, with its own locally administered MAC and an address on the bond's subnet (10.77.1.101 on).
 */
export const LAB_MAX_PEERS = 32;
export function labLoadPeer(i: number): { name: string; mac: string; address: string } {
  if (!Number.isInteger(i) || i < 1 || i > LAB_MAX_PEERS) throw new Error(`load peer ${i}: use 1–${LAB_MAX_PEERS}`);
  return { name: `peer${i}`, mac: `02:00:5e:20:00:${i.toString(16).padStart(2, '0')}`, address: `10.77.1.${100 + i}` };
}

export function labNic(name: string): LabNic {
  const nic = LAB_NICS.find((n) => n.guestName === name);
  if (!nic)
    throw new Error(
      `the lab has no NIC ${JSON.stringify(name)}: use one of ${LAB_NICS.map((n) => n.guestName).join(', ')}`,
    );
  return nic;
}

export function labSlave(name: string): LabNic {
  if (!(LAB_SLAVES as readonly string[]).includes(name)) {
    throw new Error(
      `${JSON.stringify(name)} is not a lab slave port: use ${LAB_SLAVES.join(' or ')} (eth0 is management)`,
    );
  }
  return labNic(name);
}

/** Lab instances are separate namespaces, so a test run can hold its own lab beside a user's. */
export function assertInstanceName(name: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,15}$/.test(name)) {
    throw new Error(`lab instance ${JSON.stringify(name)}: use 1–16 characters of a-z, 0-9 and "-"`);
  }
  return name;
}

export function namespaceName(instance: string): string {
  return `bondbench-${assertInstanceName(instance)}`;
}
