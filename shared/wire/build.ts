/**
 * Frames the bench itself sends (ARP to resolve the bond's MAC, ICMP echo requests), built byte for byte as a
 * host's stack would. Pure: values in, Uint8Array out. Ethernet frames are padded to the 60-byte minimum (the
 * NIC adds the FCS).
 */
import { internetChecksum, parseIPv4, parseMac, writeU16 } from './bytes.js';
import { ETHERTYPE, IP_PROTOCOL } from './decode.js';

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
const MIN_FRAME = 60;

export interface EthernetFrameSpec {
  dst: string;
  src: string;
  ethertype: number;
  /** 802.1Q VLAN id, if the frame is tagged. */
  vlan?: number;
  payload: Uint8Array;
}

export function buildEthernetFrame(spec: EthernetFrameSpec): Uint8Array {
  const header = spec.vlan === undefined ? 14 : 18;
  const frame = new Uint8Array(Math.max(MIN_FRAME, header + spec.payload.length));
  frame.set(parseMac(spec.dst), 0);
  frame.set(parseMac(spec.src), 6);
  if (spec.vlan !== undefined) {
    if (!Number.isInteger(spec.vlan) || spec.vlan < 0 || spec.vlan > 4095) {
      throw new Error(`VLAN id ${spec.vlan} is outside 0–4095`);
    }
    writeU16(frame, 12, ETHERTYPE.vlan);
    writeU16(frame, 14, spec.vlan);
  }
  writeU16(frame, header - 2, spec.ethertype);
  frame.set(spec.payload, header);
  return frame;
}

export interface ArpSpec {
  opcode: 'request' | 'reply';
  senderMac: string;
  senderIp: string;
  /** 00:00:00:00:00:00 in a request. */
  targetMac?: string;
  targetIp: string;
  /** Ethernet destination; broadcast by default for requests, the target MAC for replies. */
  dst?: string;
}

/** An Ethernet/IPv4 ARP frame (RFC 826); probes and gratuitous ARP are requests with particular addresses. */
export function buildArp(spec: ArpSpec): Uint8Array {
  const arp = new Uint8Array(28);
  writeU16(arp, 0, 1);
  writeU16(arp, 2, ETHERTYPE.ipv4);
  arp[4] = 6;
  arp[5] = 4;
  writeU16(arp, 6, spec.opcode === 'request' ? 1 : 2);
  arp.set(parseMac(spec.senderMac), 8);
  arp.set(parseIPv4(spec.senderIp), 14);
  arp.set(parseMac(spec.targetMac ?? '00:00:00:00:00:00'), 18);
  arp.set(parseIPv4(spec.targetIp), 24);
  const dst = spec.dst ?? (spec.opcode === 'request' ? BROADCAST_MAC : spec.targetMac);
  if (!dst) throw new Error('an ARP reply needs targetMac (or dst)');
  return buildEthernetFrame({ dst, src: spec.senderMac, ethertype: ETHERTYPE.arp, payload: arp });
}

/** What a host sends to learn who has targetIp. */
export function buildArpRequest(spec: { senderMac: string; senderIp: string; targetIp: string }): Uint8Array {
  return buildArp({ opcode: 'request', ...spec });
}

export interface Ipv4PacketSpec {
  src: string;
  dst: string;
  protocol: number;
  ttl?: number;
  identification?: number;
  dontFragment?: boolean;
  payload: Uint8Array;
}

export function buildIpv4Packet(spec: Ipv4PacketSpec): Uint8Array {
  const total = 20 + spec.payload.length;
  if (total > 0xffff) throw new Error(`IPv4 packet of ${total} bytes exceeds 65535`);
  const packet = new Uint8Array(total);
  packet[0] = 0x45;
  writeU16(packet, 2, total);
  writeU16(packet, 4, spec.identification ?? 0);
  writeU16(packet, 6, spec.dontFragment === false ? 0 : 0x4000);
  packet[8] = spec.ttl ?? 64;
  packet[9] = spec.protocol;
  packet.set(parseIPv4(spec.src), 12);
  packet.set(parseIPv4(spec.dst), 16);
  writeU16(packet, 10, internetChecksum(packet, 0, 20));
  packet.set(spec.payload, 20);
  return packet;
}

export interface IcmpEchoSpec {
  kind?: 'request' | 'reply';
  srcMac: string;
  dstMac: string;
  srcIp: string;
  dstIp: string;
  identifier: number;
  sequence: number;
  /** Echo data (ping sends 56 bytes by default). */
  data?: Uint8Array;
  ttl?: number;
  ipIdentification?: number;
}

/** An ICMP echo request (or reply) in IPv4 in Ethernet. */
export function buildIcmpEcho(spec: IcmpEchoSpec): Uint8Array {
  for (const [name, value] of [
    ['identifier', spec.identifier],
    ['sequence', spec.sequence],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff)
      throw new Error(`ICMP ${name} ${value} is not 0–65535`);
  }
  const data = spec.data ?? new Uint8Array(56);
  const icmp = new Uint8Array(8 + data.length);
  icmp[0] = spec.kind === 'reply' ? 0 : 8;
  writeU16(icmp, 4, spec.identifier);
  writeU16(icmp, 6, spec.sequence);
  icmp.set(data, 8);
  writeU16(icmp, 2, internetChecksum(icmp));
  const ip = buildIpv4Packet({
    src: spec.srcIp,
    dst: spec.dstIp,
    protocol: IP_PROTOCOL.icmp,
    ttl: spec.ttl,
    identification: spec.ipIdentification,
    payload: icmp,
  });
  return buildEthernetFrame({ dst: spec.dstMac, src: spec.srcMac, ethertype: ETHERTYPE.ipv4, payload: ip });
}
