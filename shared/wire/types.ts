/** What the decoders make of a frame: one record per frame, layers filled as far as the bytes allow. */
import type { LacpPortState } from '../bonding/lacp.js';

export interface VlanTag {
  /** 0x8100 (802.1Q), 0x88a8 (802.1ad) or 0x9100. */
  tpid: number;
  id: number;
  priority: number;
  dei: boolean;
}

export interface EthernetHeader {
  dst: string;
  src: string;
  /** The ethertype after any VLAN tags; ≤ 1500 is an 802.3 length (LLC follows). */
  ethertype: number;
  vlans: VlanTag[];
  /** Bytes before the payload: 14, plus 4 per VLAN tag. */
  headerLength: number;
}

/**
 * probe: duplicate-address detection (request, sender IP 0.0.0.0, RFC 5227);
 * gratuitous: sender IP == target IP, request or reply (peer notification, e.g. at active-backup failover);
 * request / reply: ordinary resolution; other: any other opcode (RARP, InARP …).
 */
export type ArpClass = 'probe' | 'gratuitous' | 'request' | 'reply' | 'other';

export interface ArpPacket {
  opcode: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
  class: ArpClass;
}

export interface Ipv4Header {
  src: string;
  dst: string;
  protocol: number;
  ttl: number;
  identification: number;
  headerLength: number;
  totalLength: number;
  dontFragment: boolean;
  moreFragments: boolean;
  /** In bytes. */
  fragmentOffset: number;
  checksumValid: boolean;
  /** The capture holds fewer bytes than totalLength. */
  truncated: boolean;
}

export interface IcmpEcho {
  kind: 'request' | 'reply';
  identifier: number;
  sequence: number;
  /** The echo data after the 8-byte ICMP header, as far as captured. */
  dataLength: number;
}

export interface IcmpMessage {
  type: number;
  code: number;
  /**
   * Undefined when the checksum cannot be checked: the message is truncated, or it is the first fragment of a
   * fragmented datagram (the checksum covers data the other fragments carry).
   */
  checksumValid?: boolean;
  /** The first fragment of a fragmented datagram (IPv4 MF set, offset 0): the checksum is unverified. */
  fragment?: boolean;
  echo?: IcmpEcho;
}

export interface Ipv6Header {
  src: string;
  dst: string;
  nextHeader: number;
  hopLimit: number;
  payloadLength: number;
}

export interface Icmpv6Message {
  type: number;
  code: number;
}

export interface NeighbourAdvertisement {
  target: string;
  router: boolean;
  solicited: boolean;
  override: boolean;
  /** Not solicited: a peer notification (bonding's num_unsol_na), not an answer. */
  unsolicited: boolean;
  /** The target link-layer address option, when present. */
  targetMac?: string;
}

export interface LacpParty {
  systemPriority: number;
  system: string;
  key: number;
  portPriority: number;
  port: number;
  state: LacpPortState;
}

export interface Lacpdu {
  version: number;
  actor: LacpParty;
  partner: LacpParty;
  collectorMaxDelay: number;
}

/** A slow-protocols frame that is not a LACPDU (Marker, OAM …). */
export interface SlowProtocolFrame {
  subtype: number;
}

/**
 * balance-tlb/alb teach the switch where a MAC lives: ethertype 0x9000 (ETH_P_LOOP), source == destination == that
 * MAC, and an all-zero payload (bond_alb.c alb_send_lp_vid pads a bare header to ETH_ZLEN).
 */
export interface LearningFrame {
  mac: string;
}

/**
 * The Ethernet Configuration Testing Protocol ("loopback", ethertype 0x9000; Ethernet v2.0 spec §7, ECTP):
 * switches (Cisco's keepalives on every port) send these with source == destination, a skip count, then a
 * function: 1 = reply (with a receipt number), 2 = forward data (with the forward address).
 */
export interface LoopbackFrame {
  skipCount: number;
  function: 'reply' | 'forward' | number;
  receiptNumber?: number;
  forwardAddress?: string;
}

/** A non-Ethernet link header (pcap LINKTYPE_LINUX_SLL / _SLL2 / _NULL / _LOOP) the frame was decoded from. */
export interface CookedHeader {
  linkType: 'sll' | 'sll2' | 'null' | 'loop';
  /** The protocol it names: an ethertype (SLL, SLL2), or an address family (NULL, LOOP). */
  protocol: number;
  /** SLL/SLL2: the packet type (0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us). */
  packetType?: number;
  /** SLL/SLL2: the link-layer source address, when it has one. */
  address?: string;
  /** SLL2: the capturing interface's index. */
  ifindex?: number;
}

export type DecodeLayer =
  | 'ethernet'
  | 'vlan'
  | 'arp'
  | 'ipv4'
  | 'icmp'
  | 'ipv6'
  | 'icmpv6'
  | 'lacp'
  | 'slow'
  | 'learning'
  | 'internal';

export interface DecodeError {
  layer: DecodeLayer;
  reason: string;
}

export interface DecodedFrame {
  /** Bytes that were decoded (the captured length). */
  length: number;
  /** Wireshark's Protocol column: the highest layer understood. */
  protocol: string;
  /** Wireshark's Source/Destination columns: IP addresses where there are any, else MACs. */
  src: string;
  dst: string;
  /** One line, as Wireshark's Info column. */
  info: string;
  eth?: EthernetHeader;
  arp?: ArpPacket;
  ipv4?: Ipv4Header;
  icmp?: IcmpMessage;
  ipv6?: Ipv6Header;
  icmpv6?: Icmpv6Message;
  neighbourAdvertisement?: NeighbourAdvertisement;
  lacp?: Lacpdu;
  slow?: SlowProtocolFrame;
  learning?: LearningFrame;
  loopback?: LoopbackFrame;
  /** Set when the frame came with a Linux cooked or NULL/loopback header instead of Ethernet's. */
  cooked?: CookedHeader;
  /** Set when a layer is malformed or truncated; the layers above it are absent. */
  error?: DecodeError;
}
