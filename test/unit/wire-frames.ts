/**
 * Crafted frames for the decoder tests: the bench's own builders for what it sends, and byte-level crafting
 * (per the standards) for what only the host sends — LACPDUs, neighbour advertisements, learning frames.
 */

import { buildArp, buildEthernetFrame, buildIcmpEcho } from '../../shared/wire/build.js';
import { internetChecksum, parseMac, writeU16 } from '../../shared/wire/bytes.js';
import { ETHERTYPE } from '../../shared/wire/decode.js';

export const TESTER_MAC = '00:e0:6f:08:53:9a';
export const ETH1_MAC = '00:e0:4c:83:07:9c';
export const ETH2_MAC = '00:e0:4c:e2:57:8d';
export const TESTER_IP = '10.77.1.252';
export const BOND_IP = '10.77.1.253';

function ipv6Bytes(text: string): Uint8Array {
  const [head, tail] = text.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = text.includes('::') ? [...h, ...new Array(8 - h.length - t.length).fill(0), ...t] : h;
  const out = new Uint8Array(16);
  for (const [i, g] of all.entries()) writeU16(out, 2 * i, g);
  return out;
}

export interface LacpPartySpec {
  systemPriority: number;
  system: string;
  key: number;
  portPriority: number;
  port: number;
  state: number;
}

/** IEEE 802.1AX LACPDU (110 bytes after the ethertype) to the slow-protocols multicast address. */
export function craftLacpdu(src: string, actor: LacpPartySpec, partner: LacpPartySpec): Uint8Array {
  const p = new Uint8Array(110);
  p[0] = 1; // subtype LACP
  p[1] = 1; // version
  const party = (at: number, type: number, x: LacpPartySpec) => {
    p[at] = type;
    p[at + 1] = 20;
    writeU16(p, at + 2, x.systemPriority);
    p.set(parseMac(x.system), at + 4);
    writeU16(p, at + 10, x.key);
    writeU16(p, at + 12, x.portPriority);
    writeU16(p, at + 14, x.port);
    p[at + 16] = x.state;
  };
  party(2, 1, actor);
  party(22, 2, partner);
  p[42] = 3;
  p[43] = 16;
  writeU16(p, 44, 0);
  return buildEthernetFrame({ dst: '01:80:c2:00:00:02', src, ethertype: ETHERTYPE.slowProtocols, payload: p });
}

/** A neighbour advertisement (RFC 4861 §4.4) with a target link-layer address option. */
export function craftNeighbourAdvertisement(spec: {
  srcMac: string;
  src: string;
  dst: string;
  target: string;
  solicited: boolean;
  override?: boolean;
  router?: boolean;
}): Uint8Array {
  const icmp = new Uint8Array(32);
  icmp[0] = 136;
  icmp[4] = (spec.router ? 0x80 : 0) | (spec.solicited ? 0x40 : 0) | (spec.override === false ? 0 : 0x20);
  icmp.set(ipv6Bytes(spec.target), 8);
  icmp[24] = 2;
  icmp[25] = 1;
  icmp.set(parseMac(spec.srcMac), 26);
  const ip = new Uint8Array(40 + icmp.length);
  ip[0] = 0x60;
  writeU16(ip, 4, icmp.length);
  ip[6] = 58;
  ip[7] = 255;
  ip.set(ipv6Bytes(spec.src), 8);
  ip.set(ipv6Bytes(spec.dst), 24);
  // Checksum over the pseudo-header (addresses, length, next header) and the message.
  const pseudo = new Uint8Array(40 + icmp.length);
  pseudo.set(ip.subarray(8, 40), 0);
  pseudo[34] = icmp.length >>> 8;
  pseudo[35] = icmp.length & 0xff;
  pseudo[39] = 58;
  pseudo.set(icmp, 40);
  writeU16(icmp, 2, internetChecksum(pseudo));
  ip.set(icmp, 40);
  const dstMac = spec.dst === 'ff02::1' ? '33:33:00:00:00:01' : TESTER_MAC;
  return buildEthernetFrame({ dst: dstMac, src: spec.srcMac, ethertype: ETHERTYPE.ipv6, payload: ip });
}

/** bonding's alb_send_lp_vid: source = destination = the MAC being taught, ethertype 0x9000, zero padding. */
export function craftLearningFrame(mac: string, vlan?: number): Uint8Array {
  return buildEthernetFrame({ dst: mac, src: mac, ethertype: ETHERTYPE.learning, vlan, payload: new Uint8Array(0) });
}

/** One crafted frame of every class the decoders know, with what Wireshark calls it. */
export function everyClass(): { name: string; bytes: Uint8Array }[] {
  return [
    {
      name: 'arp request',
      bytes: buildArp({ opcode: 'request', senderMac: TESTER_MAC, senderIp: TESTER_IP, targetIp: BOND_IP }),
    },
    {
      name: 'arp reply',
      bytes: buildArp({
        opcode: 'reply',
        senderMac: ETH1_MAC,
        senderIp: BOND_IP,
        targetMac: TESTER_MAC,
        targetIp: TESTER_IP,
      }),
    },
    {
      name: 'arp probe',
      bytes: buildArp({ opcode: 'request', senderMac: ETH1_MAC, senderIp: '0.0.0.0', targetIp: BOND_IP }),
    },
    {
      name: 'gratuitous arp request',
      bytes: buildArp({ opcode: 'request', senderMac: ETH1_MAC, senderIp: BOND_IP, targetIp: BOND_IP }),
    },
    {
      name: 'gratuitous arp reply',
      bytes: buildArp({
        opcode: 'reply',
        senderMac: ETH1_MAC,
        senderIp: BOND_IP,
        targetMac: 'ff:ff:ff:ff:ff:ff',
        targetIp: BOND_IP,
        dst: 'ff:ff:ff:ff:ff:ff',
      }),
    },
    {
      name: 'echo request',
      bytes: buildIcmpEcho({
        srcMac: TESTER_MAC,
        dstMac: ETH1_MAC,
        srcIp: TESTER_IP,
        dstIp: BOND_IP,
        identifier: 0x1234,
        sequence: 7,
      }),
    },
    {
      name: 'echo reply',
      bytes: buildIcmpEcho({
        kind: 'reply',
        srcMac: ETH1_MAC,
        dstMac: TESTER_MAC,
        srcIp: BOND_IP,
        dstIp: TESTER_IP,
        identifier: 0x1234,
        sequence: 7,
      }),
    },
    {
      name: 'unsolicited neighbour advertisement',
      bytes: craftNeighbourAdvertisement({
        srcMac: ETH2_MAC,
        src: 'fe80::2e0:4cff:fe83:79c',
        dst: 'ff02::1',
        target: 'fe80::2e0:4cff:fe83:79c',
        solicited: false,
      }),
    },
    {
      name: 'lacpdu',
      bytes: craftLacpdu(
        ETH1_MAC,
        { systemPriority: 65535, system: ETH1_MAC, key: 9, portPriority: 255, port: 1, state: 0x4f },
        { systemPriority: 65535, system: '00:00:00:00:00:00', key: 1, portPriority: 255, port: 1, state: 0x02 },
      ),
    },
    { name: 'learning frame', bytes: craftLearningFrame(ETH1_MAC) },
  ];
}

/** mulberry32, seeded: the same values on every run, so a failing case reproduces. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
