/**
 * Which captured frames the measurements need, read from the raw bytes without decoding: the capture path uses
 * it to decide what to decode and deliver when frames arrive faster than the live view can take them. Pure.
 *
 * Evidence (always decoded): everything that is not bulk IP traffic — ARP (gratuitous ARP, ARP monitor probes),
 * Slow Protocols (LACPDUs, IEEE 802.1AX clause 6.4), 0x9000 learning frames (bonding's tlb/alb), ICMPv6 (unsolicited
 * neighbour advertisements), any IPv4 ICMP other than echo, and the bench's own echo probe (its data starts with
 * PROBE_MAGIC). Bulk (may be sampled): other IPv4/IPv6 traffic, including echo floods that are not the probe's.
 */

/** "BondBnch": the first bytes of the echo data of the bench's probe (main/tester/probe.ts). */
export const PROBE_MAGIC: Uint8Array = Uint8Array.from([0x42, 0x6f, 0x6e, 0x64, 0x42, 0x6e, 0x63, 0x68]);

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;
const ICMP_ECHO_REPLY = 0;
const ICMP_ECHO_REQUEST = 8;

/**
 * True when the frame is evidence a measurement may need (see the module comment), false for bulk traffic.
 * Truncated or odd frames count as evidence: the decoder records what is wrong with them.
 */
export function isEvidence(frame: Uint8Array): boolean {
  let at = 12;
  if (frame.length < at + 2) return true;
  let type = (frame[at]! << 8) | frame[at + 1]!;
  // Up to two VLAN tags (802.1Q, 802.1ad QinQ).
  for (let tags = 0; tags < 2 && VLAN_TAGS.has(type); tags++) {
    at += 4;
    if (frame.length < at + 2) return true;
    type = (frame[at]! << 8) | frame[at + 1]!;
  }
  const ip = at + 2;
  if (type === ETHERTYPE_IPV6) return frame.length < ip + 40 || frame[ip + 6] === IPPROTO_ICMPV6;
  if (type !== ETHERTYPE_IPV4) return true;
  if (frame.length < ip + 20) return true;
  if (frame[ip + 9] !== IPPROTO_ICMP) return false;
  const icmp = ip + (frame[ip]! & 0x0f) * 4;
  if (frame.length < icmp + 8) return true;
  const kind = frame[icmp];
  if (kind !== ICMP_ECHO_REPLY && kind !== ICMP_ECHO_REQUEST) return true;
  const data = icmp + 8;
  if (frame.length < data + PROBE_MAGIC.length) return false;
  for (let i = 0; i < PROBE_MAGIC.length; i++) if (frame[data + i] !== PROBE_MAGIC[i]) return false;
  return true;
}
