/**
 * One decoded frame as the capture list shows it — Wireshark's columns, the tag the list colours by and the
 * layers of the detail pane. The one home for this: the live list (frames the tester streams during a run) and a
 * recorded run's list (frames read back from its pcapng files) both come through here, so they cannot differ.
 * Pure.
 */
import type { FrameSummary } from '../api.js';
import type { DecodedFrame } from './types.js';

/** ARP class, echo direction, LACP, learning frame or malformed: what the list colours a row by. */
export function frameTag(f: DecodedFrame): string | undefined {
  if (f.arp) return f.arp.class;
  if (f.icmp?.echo) return `echo-${f.icmp.echo.kind}`;
  if (f.lacp) return 'lacp';
  if (f.learning) return 'learning';
  if (f.error) return 'error';
  return undefined;
}

/** The detail pane's layers: [layer name, [field, value][]], outermost first, as Wireshark's tree. */
export function frameDetail(f: DecodedFrame, no: number, port: string): [string, [string, string][]][] {
  const layers: [string, [string, string][]][] = [];
  layers.push([
    'Frame',
    [
      ['Number', String(no)],
      ['Port', port],
      ['Length', String(f.length)],
    ],
  ]);
  if (f.eth) {
    layers.push([
      'Ethernet II',
      [
        ['Source', f.eth.src],
        ['Destination', f.eth.dst],
        ['Type', `0x${f.eth.ethertype.toString(16).padStart(4, '0')}`],
        ...f.eth.vlans.map((v): [string, string] => ['VLAN', `${v.id} (priority ${v.priority})`]),
      ],
    ]);
  }
  if (f.arp) {
    layers.push([
      'Address Resolution Protocol',
      [
        ['Opcode', f.arp.opcode === 1 ? 'request (1)' : f.arp.opcode === 2 ? 'reply (2)' : String(f.arp.opcode)],
        ['Class', f.arp.class],
        ['Sender MAC', f.arp.senderMac],
        ['Sender IP', f.arp.senderIp],
        ['Target MAC', f.arp.targetMac],
        ['Target IP', f.arp.targetIp],
      ],
    ]);
  }
  if (f.ipv4)
    layers.push([
      'Internet Protocol Version 4',
      [
        ['Source', f.ipv4.src],
        ['Destination', f.ipv4.dst],
        ['TTL', String(f.ipv4.ttl)],
        ['Identification', String(f.ipv4.identification)],
      ],
    ]);
  if (f.icmp?.echo)
    layers.push([
      'ICMP',
      [
        ['Type', f.icmp.echo.kind],
        ['Identifier', String(f.icmp.echo.identifier)],
        ['Sequence', String(f.icmp.echo.sequence)],
      ],
    ]);
  if (f.lacp) {
    const party = (p: typeof f.lacp.actor): [string, string][] => [
      ['System', `${p.systemPriority}/${p.system}`],
      ['Key', String(p.key)],
      ['Port', `${p.portPriority}/${p.port}`],
      ['State', `0x${p.state.raw.toString(16).padStart(2, '0')}`],
    ];
    layers.push(['LACP actor', party(f.lacp.actor)], ['LACP partner', party(f.lacp.partner)]);
  }
  if (f.learning) layers.push(['Bonding learning frame', [['MAC', f.learning.mac]]]);
  if (f.error)
    layers.push([
      'Malformed',
      [
        ['Layer', f.error.layer],
        ['Reason', f.error.reason],
      ],
    ]);
  return layers;
}

/**
 * A frame as a list row. `no` is its 1-based number in its capture file (Wireshark's), `time` seconds since the
 * capture began, `port` the capture interface.
 */
export function frameSummary(f: DecodedFrame, no: number, time: number, port: string): FrameSummary {
  const summary: FrameSummary = {
    no,
    time,
    source: f.src,
    destination: f.dst,
    protocol: f.protocol,
    info: f.info,
    port,
    detail: frameDetail(f, no, port),
  };
  const tag = frameTag(f);
  if (tag) summary.tag = tag;
  return summary;
}
