/**
 * Frame decoders for what a bonding bench sees on the wire: Ethernet (802.1Q/802.1ad tags), ARP classified the
 * way RFC 5227 and the bonding driver use it, IPv4 + ICMP echo (identifier, sequence), IPv6 neighbour
 * advertisements, LACPDUs, and balance-tlb/alb learning frames. Every read is bounds-checked: a malformed or
 * truncated frame yields a record with `error`, never an exception.
 */
import { decodeLacpPortState, lacpStateFlags } from '../bonding/lacp.js';
import { formatIPv4, formatIPv6, formatMac, internetChecksum, readU16, readU32 } from './bytes.js';
import type {
  ArpClass,
  ArpPacket,
  CookedHeader,
  DecodedFrame,
  DecodeLayer,
  EthernetHeader,
  IcmpMessage,
  Ipv4Header,
  LacpParty,
  LoopbackFrame,
  VlanTag,
} from './types.js';

/** pcap link types (tcpdump.org/linktypes.html) decodeFrame reads. */
export const LINKTYPE = { null: 0, ethernet: 1, loop: 108, linuxSll: 113, linuxSll2: 276 } as const;

export const ETHERTYPE = {
  ipv4: 0x0800,
  arp: 0x0806,
  vlan: 0x8100,
  qinq: 0x88a8,
  vlanLegacy: 0x9100,
  ipv6: 0x86dd,
  slowProtocols: 0x8809,
  /** ETH_P_LOOPBACK: what bonding's alb_send_lp_vid uses for learning frames. */
  learning: 0x9000,
} as const;

export const IP_PROTOCOL = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58 } as const;

const VLAN_TPIDS = new Set<number>([ETHERTYPE.vlan, ETHERTYPE.qinq, ETHERTYPE.vlanLegacy]);
const MAX_VLAN_TAGS = 4;
const ZERO_IP = '0.0.0.0';

function failed(frame: DecodedFrame, layer: DecodeLayer, reason: string): DecodedFrame {
  frame.error = { layer, reason };
  frame.info = `[Malformed ${frame.protocol}: ${reason}]`;
  return frame;
}

function short(what: string, have: number, need: number): string {
  return `truncated ${what} (${have} of ${need} bytes)`;
}

/**
 * Decodes one frame as libpcap delivers it (no FCS), by its capture's link type: Ethernet (1, the default), Linux
 * cooked capture v1 (113) and v2 (276), BSD NULL (0, host byte order) and OpenBSD LOOP (108, network order).
 * Any other link type is labelled as not decoded, never read as Ethernet.
 */
export function decodeFrame(bytes: Uint8Array, linkType: number = LINKTYPE.ethernet): DecodedFrame {
  const frame: DecodedFrame = { length: bytes.length, protocol: 'Ethernet', src: '', dst: '', info: '' };
  try {
    switch (linkType) {
      case LINKTYPE.ethernet:
        return decodeEthernet(bytes, frame);
      case LINKTYPE.linuxSll:
      case LINKTYPE.linuxSll2:
        return decodeCooked(bytes, frame, linkType === LINKTYPE.linuxSll ? 'sll' : 'sll2');
      case LINKTYPE.null:
      case LINKTYPE.loop:
        return decodeNull(bytes, frame, linkType === LINKTYPE.null ? 'null' : 'loop');
      default:
        frame.protocol = 'Unknown';
        frame.info = `Link type ${linkType}: not decoded (Ethernet, Linux cooked SLL/SLL2 and NULL/LOOP are)`;
        return frame;
    }
  } catch (error) {
    // Not reached by design (every read is checked); kept so a decoder bug can never stop a capture.
    return failed(frame, 'internal', `decoder error: ${(error as Error).message}`);
  }
}

/** The network layer named by an ethertype, for headers other than Ethernet's. */
function decodeByEthertype(protocol: number, payload: Uint8Array, frame: DecodedFrame): DecodedFrame {
  switch (protocol) {
    case ETHERTYPE.arp:
      return decodeArp(payload, frame);
    case ETHERTYPE.ipv4:
      return decodeIpv4(payload, frame);
    case ETHERTYPE.ipv6:
      return decodeIpv6(payload, frame);
    case ETHERTYPE.slowProtocols:
      return decodeSlowProtocols(payload, frame);
    case ETHERTYPE.learning:
      return decodeLoopback(payload, frame);
    default:
      frame.info = `Protocol 0x${protocol.toString(16).padStart(4, '0')}`;
      return frame;
  }
}

/** Linux cooked capture (SLL: 16-byte header; SLL2: 20 bytes), as `tcpdump -i any` writes. */
function decodeCooked(bytes: Uint8Array, frame: DecodedFrame, linkType: 'sll' | 'sll2'): DecodedFrame {
  frame.protocol = linkType === 'sll' ? 'SLL' : 'SLL2';
  const size = linkType === 'sll' ? 16 : 20;
  if (bytes.length < size)
    return failed(frame, 'ethernet', short(`Linux cooked (${linkType}) header`, bytes.length, size));
  const protocol = linkType === 'sll' ? readU16(bytes, 14) : readU16(bytes, 0);
  const packetType = linkType === 'sll' ? readU16(bytes, 0) : bytes[10]!;
  const addressLength = linkType === 'sll' ? readU16(bytes, 4) : bytes[11]!;
  const addressAt = linkType === 'sll' ? 6 : 12;
  const cooked: CookedHeader = { linkType, protocol, packetType };
  if (addressLength === 6) cooked.address = formatMac(bytes, addressAt);
  if (linkType === 'sll2') cooked.ifindex = readU32(bytes, 4);
  frame.cooked = cooked;
  frame.src = cooked.address ?? '';
  return decodeByEthertype(protocol, bytes.subarray(size), frame);
}

/** BSD loopback: a 4-byte address family (NULL: the capturing host's byte order; LOOP: network order). */
function decodeNull(bytes: Uint8Array, frame: DecodedFrame, linkType: 'null' | 'loop'): DecodedFrame {
  frame.protocol = linkType === 'null' ? 'NULL' : 'LOOP';
  if (bytes.length < 4) return failed(frame, 'ethernet', short('loopback header', bytes.length, 4));
  // Families are small numbers: a big-endian value has its two high bytes zero.
  const bigEndian = linkType === 'loop' || (bytes[0] === 0 && bytes[1] === 0);
  const family = bigEndian ? readU32(bytes, 0) : bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24);
  frame.cooked = { linkType, protocol: family };
  const payload = bytes.subarray(4);
  if (family === 2) return decodeIpv4(payload, frame);
  // AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (macOS).
  if (family === 24 || family === 28 || family === 30) return decodeIpv6(payload, frame);
  frame.info = `Address family ${family}: not decoded`;
  return frame;
}

function decodeEthernet(bytes: Uint8Array, frame: DecodedFrame): DecodedFrame {
  if (bytes.length < 14) return failed(frame, 'ethernet', short('Ethernet header', bytes.length, 14));
  const eth: EthernetHeader = {
    dst: formatMac(bytes, 0),
    src: formatMac(bytes, 6),
    ethertype: readU16(bytes, 12),
    vlans: [],
    headerLength: 14,
  };
  frame.eth = eth;
  frame.src = eth.src;
  frame.dst = eth.dst;
  while (VLAN_TPIDS.has(eth.ethertype)) {
    if (eth.vlans.length >= MAX_VLAN_TAGS) return failed(frame, 'vlan', `more than ${MAX_VLAN_TAGS} VLAN tags`);
    frame.protocol = '802.1Q';
    const at = eth.headerLength;
    if (bytes.length < at + 4) return failed(frame, 'vlan', short('VLAN tag', bytes.length - at + 2, 6));
    const tci = readU16(bytes, at);
    const tag: VlanTag = { tpid: eth.ethertype, id: tci & 0x0fff, priority: tci >>> 13, dei: (tci & 0x1000) !== 0 };
    eth.vlans.push(tag);
    eth.ethertype = readU16(bytes, at + 2);
    eth.headerLength += 4;
  }
  const payload = bytes.subarray(eth.headerLength);
  switch (eth.ethertype) {
    case ETHERTYPE.arp:
      return decodeArp(payload, frame);
    case ETHERTYPE.ipv4:
      return decodeIpv4(payload, frame);
    case ETHERTYPE.ipv6:
      return decodeIpv6(payload, frame);
    case ETHERTYPE.slowProtocols:
      return decodeSlowProtocols(payload, frame);
    case ETHERTYPE.learning:
      return decodeLearning(payload, frame);
    default:
      if (eth.ethertype <= 1500) {
        frame.protocol = 'LLC';
        frame.info = `IEEE 802.3, length ${eth.ethertype}`;
      } else {
        frame.info = `Ethertype 0x${eth.ethertype.toString(16).padStart(4, '0')}`;
      }
      if (eth.vlans.length > 0) frame.info += `, VLAN ${eth.vlans.map((v) => v.id).join('/')}`;
      return frame;
  }
}

/** RFC 5227 / bonding's peer notification terms; see ArpClass. */
export function classifyArp(opcode: number, senderIp: string, targetIp: string): ArpClass {
  if (opcode !== 1 && opcode !== 2) return 'other';
  if (opcode === 1 && senderIp === ZERO_IP) return 'probe';
  if (senderIp === targetIp && senderIp !== ZERO_IP) return 'gratuitous';
  return opcode === 1 ? 'request' : 'reply';
}

function decodeArp(p: Uint8Array, frame: DecodedFrame): DecodedFrame {
  frame.protocol = 'ARP';
  if (p.length < 8) return failed(frame, 'arp', short('ARP header', p.length, 8));
  const hardwareType = readU16(p, 0);
  const protocolType = readU16(p, 2);
  const hardwareLength = p[4]!;
  const protocolLength = p[5]!;
  const opcode = readU16(p, 6);
  if (hardwareType !== 1 || protocolType !== ETHERTYPE.ipv4 || hardwareLength !== 6 || protocolLength !== 4) {
    frame.info = `ARP for hardware type ${hardwareType}, protocol 0x${protocolType.toString(16)} (not Ethernet/IPv4)`;
    return frame;
  }
  if (p.length < 28) return failed(frame, 'arp', short('ARP packet', p.length, 28));
  const senderIp = formatIPv4(p, 14);
  const targetIp = formatIPv4(p, 24);
  const arp: ArpPacket = {
    opcode,
    senderMac: formatMac(p, 8),
    senderIp,
    targetMac: formatMac(p, 18),
    targetIp,
    class: classifyArp(opcode, senderIp, targetIp),
  };
  frame.arp = arp;
  switch (arp.class) {
    case 'probe':
      frame.info = `Who has ${targetIp}? Tell ${senderIp} (ARP probe)`;
      break;
    case 'gratuitous':
      frame.info = `Gratuitous ARP for ${senderIp} (${opcode === 1 ? 'Request' : 'Reply'})`;
      break;
    case 'request':
      frame.info = `Who has ${targetIp}? Tell ${senderIp}`;
      break;
    case 'reply':
      frame.info = `${senderIp} is at ${arp.senderMac}`;
      break;
    default:
      frame.info = `ARP opcode ${opcode}`;
  }
  return frame;
}

function decodeIpv4(p: Uint8Array, frame: DecodedFrame): DecodedFrame {
  frame.protocol = 'IPv4';
  if (p.length < 20) return failed(frame, 'ipv4', short('IPv4 header', p.length, 20));
  const version = p[0]! >>> 4;
  const headerLength = (p[0]! & 0x0f) * 4;
  if (version !== 4) return failed(frame, 'ipv4', `version ${version} in an IPv4 packet`);
  if (headerLength < 20) return failed(frame, 'ipv4', `header length ${headerLength} below 20`);
  if (p.length < headerLength) return failed(frame, 'ipv4', short('IPv4 header', p.length, headerLength));
  const totalLength = readU16(p, 2);
  if (totalLength < headerLength) {
    return failed(frame, 'ipv4', `total length ${totalLength} below header length ${headerLength}`);
  }
  const flags = readU16(p, 6);
  const ip: Ipv4Header = {
    src: formatIPv4(p, 12),
    dst: formatIPv4(p, 16),
    protocol: p[9]!,
    ttl: p[8]!,
    identification: readU16(p, 4),
    headerLength,
    totalLength,
    dontFragment: (flags & 0x4000) !== 0,
    moreFragments: (flags & 0x2000) !== 0,
    fragmentOffset: (flags & 0x1fff) * 8,
    checksumValid: internetChecksum(p, 0, headerLength) === 0,
    truncated: p.length < totalLength,
  };
  frame.ipv4 = ip;
  frame.src = ip.src;
  frame.dst = ip.dst;
  // Ethernet pads short packets to 60 bytes: the IP total length says where the packet ends.
  const payload = p.subarray(headerLength, Math.min(p.length, totalLength));
  if (ip.fragmentOffset > 0) {
    frame.info = `Fragmented IP protocol (proto=${ip.protocol}, off=${ip.fragmentOffset}, ID=${hex4(ip.identification)})`;
    return frame;
  }
  switch (ip.protocol) {
    case IP_PROTOCOL.icmp:
      return decodeIcmp(payload, frame, ip);
    case IP_PROTOCOL.tcp:
    case IP_PROTOCOL.udp: {
      frame.protocol = ip.protocol === IP_PROTOCOL.tcp ? 'TCP' : 'UDP';
      frame.info =
        payload.length >= 4
          ? `${readU16(payload, 0)} → ${readU16(payload, 2)}`
          : `${frame.protocol} (ports not captured)`;
      return frame;
    }
    default:
      frame.info = `IPv4 protocol ${ip.protocol}`;
      return frame;
  }
}

function hex4(value: number): string {
  return `0x${value.toString(16).padStart(4, '0')}`;
}

const ICMP_NAMES: Record<number, string> = {
  3: 'Destination unreachable',
  4: 'Source quench',
  5: 'Redirect',
  11: 'Time-to-live exceeded',
  12: 'Parameter problem',
  13: 'Timestamp request',
  14: 'Timestamp reply',
};

function decodeIcmp(p: Uint8Array, frame: DecodedFrame, ip: Ipv4Header): DecodedFrame {
  frame.protocol = 'ICMP';
  if (p.length < 8) return failed(frame, 'icmp', short('ICMP header', p.length, 8));
  const icmp: IcmpMessage = { type: p[0]!, code: p[1]! };
  // The first fragment holds only part of what the ICMP checksum covers: it cannot be checked here.
  if (ip.moreFragments) icmp.fragment = true;
  else if (!ip.truncated) icmp.checksumValid = internetChecksum(p, 0, p.length) === 0;
  frame.icmp = icmp;
  if ((icmp.type === 8 || icmp.type === 0) && icmp.code === 0) {
    icmp.echo = {
      kind: icmp.type === 8 ? 'request' : 'reply',
      identifier: readU16(p, 4),
      sequence: readU16(p, 6),
      dataLength: p.length - 8,
    };
    frame.info =
      `Echo (ping) ${icmp.echo.kind}  id=${hex4(icmp.echo.identifier)}, seq=${icmp.echo.sequence}, ttl=${ip.ttl}` +
      (icmp.fragment ? ' [checksum unverified (fragment)]' : icmp.checksumValid === false ? ' [bad checksum]' : '');
    return frame;
  }
  frame.info = `${ICMP_NAMES[icmp.type] ?? `ICMP type ${icmp.type}`} (code ${icmp.code})`;
  return frame;
}

function decodeIpv6(p: Uint8Array, frame: DecodedFrame): DecodedFrame {
  frame.protocol = 'IPv6';
  if (p.length < 40) return failed(frame, 'ipv6', short('IPv6 header', p.length, 40));
  const version = p[0]! >>> 4;
  if (version !== 6) return failed(frame, 'ipv6', `version ${version} in an IPv6 packet`);
  const ip = {
    src: formatIPv6(p, 8),
    dst: formatIPv6(p, 24),
    nextHeader: p[6]!,
    hopLimit: p[7]!,
    payloadLength: readU16(p, 4),
  };
  frame.ipv6 = ip;
  frame.src = ip.src;
  frame.dst = ip.dst;
  const payload = p.subarray(40, Math.min(p.length, 40 + ip.payloadLength));
  if (ip.nextHeader !== IP_PROTOCOL.icmpv6) {
    frame.info = `IPv6 next header ${ip.nextHeader}`;
    return frame;
  }
  frame.protocol = 'ICMPv6';
  if (payload.length < 4) return failed(frame, 'icmpv6', short('ICMPv6 header', payload.length, 4));
  frame.icmpv6 = { type: payload[0]!, code: payload[1]! };
  switch (frame.icmpv6.type) {
    case 135:
      if (payload.length < 24) return failed(frame, 'icmpv6', short('neighbour solicitation', payload.length, 24));
      frame.info = `Neighbor Solicitation for ${formatIPv6(payload, 8)}`;
      return frame;
    case 136:
      return decodeNeighbourAdvertisement(payload, frame);
    default:
      frame.info = `ICMPv6 type ${frame.icmpv6.type} (code ${frame.icmpv6.code})`;
      return frame;
  }
}

function decodeNeighbourAdvertisement(p: Uint8Array, frame: DecodedFrame): DecodedFrame {
  if (p.length < 24) return failed(frame, 'icmpv6', short('neighbour advertisement', p.length, 24));
  const flags = p[4]!;
  const na = {
    target: formatIPv6(p, 8),
    router: (flags & 0x80) !== 0,
    solicited: (flags & 0x40) !== 0,
    override: (flags & 0x20) !== 0,
    unsolicited: (flags & 0x40) === 0,
    targetMac: undefined as string | undefined,
  };
  // Options: type, length in units of 8 bytes; type 2 = target link-layer address.
  for (let at = 24; at + 2 <= p.length; ) {
    const type = p[at]!;
    const length = p[at + 1]! * 8;
    if (length === 0) return failed(frame, 'icmpv6', 'neighbour discovery option of length 0');
    if (at + length > p.length) break;
    if (type === 2 && length >= 8) na.targetMac = formatMac(p, at + 2);
    at += length;
  }
  if (na.targetMac === undefined) delete na.targetMac;
  frame.neighbourAdvertisement = na;
  const flagText = [na.router && 'rtr', na.solicited && 'sol', na.override && 'ovr'].filter(Boolean).join(', ');
  frame.info =
    `Neighbor Advertisement ${na.target}${flagText ? ` (${flagText})` : ''}` +
    (na.targetMac ? ` is at ${na.targetMac}` : '') +
    (na.unsolicited ? ' (unsolicited)' : '');
  return frame;
}

function lacpParty(p: Uint8Array, at: number): LacpParty {
  return {
    systemPriority: readU16(p, at),
    system: formatMac(p, at + 2),
    key: readU16(p, at + 8),
    portPriority: readU16(p, at + 10),
    port: readU16(p, at + 12),
    state: decodeLacpPortState(p[at + 14]!),
  };
}

/** IEEE 802.1AX LACPDU: subtype, version, then actor (TLV 1), partner (TLV 2), collector (TLV 3) of fixed size. */
function decodeSlowProtocols(p: Uint8Array, frame: DecodedFrame): DecodedFrame {
  frame.protocol = 'Slow Protocols';
  if (p.length < 1) return failed(frame, 'slow', short('slow protocols subtype', 0, 1));
  const subtype = p[0]!;
  if (subtype !== 1) {
    frame.slow = { subtype };
    if (subtype === 2) {
      frame.protocol = 'Marker';
      frame.info = p.length >= 3 && p[2] === 2 ? 'Marker Response' : 'Marker Information';
    } else {
      frame.info = subtype === 3 ? 'OAM' : `Slow protocols subtype ${subtype}`;
      if (subtype === 3) frame.protocol = 'OAM';
    }
    return frame;
  }
  frame.protocol = 'LACP';
  if (p.length < 2 + 20 + 20 + 16) return failed(frame, 'lacp', short('LACPDU', p.length, 58));
  const expect: [number, number, number][] = [
    [2, 1, 20],
    [22, 2, 20],
    [42, 3, 16],
  ];
  for (const [at, type, length] of expect) {
    if (p[at] !== type || p[at + 1] !== length) {
      return failed(frame, 'lacp', `TLV at ${at}: type ${p[at]} length ${p[at + 1]}, expected ${type}/${length}`);
    }
  }
  const lacp = {
    version: p[1]!,
    actor: lacpParty(p, 4),
    partner: lacpParty(p, 24),
    collectorMaxDelay: readU16(p, 44),
  };
  frame.lacp = lacp;
  const party = (x: LacpParty) => `${x.system} key ${x.key} port ${x.port} [${lacpStateFlags(x.state)}]`;
  frame.info = `LACPDU v${lacp.version} actor ${party(lacp.actor)}, partner ${party(lacp.partner)}`;
  return frame;
}

function decodeLoopback(p: Uint8Array, frame: DecodedFrame): DecodedFrame {
  frame.protocol = 'LOOP';
  // ECTP: skipCount (little-endian), then the function at 2 + skipCount, each 16 bits little-endian.
  if (p.length < 4) return failed(frame, 'learning', short('loopback header', p.length, 4));
  const le16 = (at: number) => p[at]! | (p[at + 1]! << 8);
  const skipCount = le16(0);
  const at = 2 + skipCount;
  if (skipCount % 2 !== 0 || p.length < at + 2) {
    frame.info = `Configuration test protocol (loopback), skip count ${skipCount}, ${p.length} bytes`;
    return frame;
  }
  const code = le16(at);
  const loopback: LoopbackFrame = { skipCount, function: code === 1 ? 'reply' : code === 2 ? 'forward' : code };
  if (code === 1 && p.length >= at + 4) loopback.receiptNumber = le16(at + 2);
  if (code === 2 && p.length >= at + 8) loopback.forwardAddress = formatMac(p, at + 2);
  frame.loopback = loopback;
  frame.info =
    code === 1
      ? `Loopback reply, receipt number ${loopback.receiptNumber ?? '?'} (switch keepalive)`
      : code === 2
        ? `Loopback forward data to ${loopback.forwardAddress ?? '?'}`
        : `Configuration test protocol (loopback), function ${code}`;
  return frame;
}

function decodeLearning(p: Uint8Array, frame: DecodedFrame): DecodedFrame {
  const eth = frame.eth!;
  // 0x9000 is also the configuration-test protocol (a switch's loopback keepalive, also sent to itself); the
  // bond's learning frame is a bare header padded with zeros.
  if (eth.src !== eth.dst || p.some((byte) => byte !== 0)) return decodeLoopback(p, frame);
  frame.protocol = 'Learning';
  frame.learning = { mac: eth.src };
  frame.info = `Bonding learning frame for ${eth.src}${eth.vlans.length ? ` on VLAN ${eth.vlans.at(-1)!.id}` : ''}`;
  return frame;
}
