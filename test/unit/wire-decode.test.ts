import { describe, expect, it } from 'vitest';
import { decodeLacpPortState, lacpStateFlags } from '../../shared/bonding/lacp.js';
import { buildArp, buildEthernetFrame, buildIcmpEcho, buildIpv4Packet } from '../../shared/wire/build.js';
import {
  formatIPv6,
  fromHex,
  hex,
  internetChecksum,
  ipv4InSubnet,
  parseIPv4,
  parseMac,
} from '../../shared/wire/bytes.js';
import { classifyArp, decodeFrame, ETHERTYPE } from '../../shared/wire/decode.js';
import {
  BOND_IP,
  craftLearningFrame,
  craftNeighbourAdvertisement,
  ETH1_MAC,
  ETH2_MAC,
  everyClass,
  TESTER_IP,
  TESTER_MAC,
} from './wire-frames.js';

function frameOf(name: string): Uint8Array {
  const found = everyClass().find((f) => f.name === name);
  if (!found) throw new Error(`no crafted frame ${name}`);
  return found.bytes;
}

describe('ARP', () => {
  it('classifies a probe (sender IP 0.0.0.0) as the write-up saw at boot', () => {
    const f = decodeFrame(frameOf('arp probe'));
    expect(f.protocol).toBe('ARP');
    expect(f.arp).toMatchObject({ class: 'probe', senderIp: '0.0.0.0', targetIp: BOND_IP, senderMac: ETH1_MAC });
    expect(f.info).toBe('Who has 10.77.1.253? Tell 0.0.0.0 (ARP probe)');
    expect(f.src).toBe(ETH1_MAC);
    expect(f.dst).toBe('ff:ff:ff:ff:ff:ff');
  });

  it('classifies gratuitous ARP as request and as reply', () => {
    const request = decodeFrame(frameOf('gratuitous arp request'));
    expect(request.arp?.class).toBe('gratuitous');
    expect(request.arp?.opcode).toBe(1);
    expect(request.info).toBe('Gratuitous ARP for 10.77.1.253 (Request)');
    const reply = decodeFrame(frameOf('gratuitous arp reply'));
    expect(reply.arp?.class).toBe('gratuitous');
    expect(reply.arp?.opcode).toBe(2);
    expect(reply.info).toBe('Gratuitous ARP for 10.77.1.253 (Reply)');
  });

  it('tells ordinary requests and replies apart, with Wireshark-like info', () => {
    const request = decodeFrame(frameOf('arp request'));
    expect(request.arp).toMatchObject({ class: 'request', senderMac: TESTER_MAC, targetMac: '00:00:00:00:00:00' });
    expect(request.info).toBe('Who has 10.77.1.253? Tell 10.77.1.252');
    const reply = decodeFrame(frameOf('arp reply'));
    expect(reply.arp).toMatchObject({ class: 'reply', senderIp: BOND_IP, targetIp: TESTER_IP, targetMac: TESTER_MAC });
    expect(reply.info).toBe('10.77.1.253 is at 00:e0:4c:83:07:9c');
  });

  it('knows the classification rules at their edges', () => {
    expect(classifyArp(1, '0.0.0.0', '0.0.0.0')).toBe('probe');
    expect(classifyArp(2, '0.0.0.0', '10.0.0.1')).toBe('reply');
    expect(classifyArp(2, '10.0.0.1', '10.0.0.1')).toBe('gratuitous');
    expect(classifyArp(3, '10.0.0.1', '10.0.0.2')).toBe('other');
  });

  it('reports ARP for other hardware and truncated ARP without throwing', () => {
    const arp = buildArp({ opcode: 'request', senderMac: TESTER_MAC, senderIp: TESTER_IP, targetIp: BOND_IP });
    const other = arp.slice();
    other[15] = 6; // hardware type 6 (IEEE 802)
    expect(decodeFrame(other).arp).toBeUndefined();
    expect(decodeFrame(other).error).toBeUndefined();
    expect(decodeFrame(other).info).toContain('hardware type 6');
    const short = decodeFrame(arp.subarray(0, 14 + 20));
    expect(short.error).toEqual({ layer: 'arp', reason: 'truncated ARP packet (20 of 28 bytes)' });
    expect(short.info).toBe('[Malformed ARP: truncated ARP packet (20 of 28 bytes)]');
  });
});

describe('Ethernet and VLAN', () => {
  it('decodes 802.1Q and 802.1ad tags and the ethertype behind them', () => {
    const arp = buildArp({ opcode: 'request', senderMac: TESTER_MAC, senderIp: TESTER_IP, targetIp: BOND_IP });
    const tagged = buildEthernetFrame({
      dst: 'ff:ff:ff:ff:ff:ff',
      src: TESTER_MAC,
      ethertype: ETHERTYPE.arp,
      vlan: 77,
      payload: arp.subarray(14, 42),
    });
    const f = decodeFrame(tagged);
    expect(f.eth?.vlans).toEqual([{ tpid: 0x8100, id: 77, priority: 0, dei: false }]);
    expect(f.eth?.headerLength).toBe(18);
    expect(f.arp?.class).toBe('request');
    // Q-in-Q: an outer 802.1ad tag (priority 5, DEI) around the 802.1Q one.
    const qinq = new Uint8Array(tagged.length + 4);
    qinq.set(tagged.subarray(0, 12), 0);
    qinq.set([0x88, 0xa8, 0xb0, 0x0a], 12);
    qinq.set(tagged.subarray(12), 16);
    const g = decodeFrame(qinq);
    expect(g.eth?.vlans.map((v) => [v.tpid, v.id, v.priority, v.dei])).toEqual([
      [0x88a8, 10, 5, true],
      [0x8100, 77, 0, false],
    ]);
    expect(g.arp?.targetIp).toBe(BOND_IP);
  });

  it('refuses endless VLAN stacks and truncated headers with an error record', () => {
    const stack = new Uint8Array(12 + 4 * 6 + 2);
    for (let i = 0; i < 6; i++) stack.set([0x81, 0x00, 0x00, 0x01], 12 + 4 * i);
    expect(decodeFrame(stack).error?.layer).toBe('vlan');
    expect(decodeFrame(new Uint8Array(13)).error).toEqual({
      layer: 'ethernet',
      reason: 'truncated Ethernet header (13 of 14 bytes)',
    });
    expect(decodeFrame(new Uint8Array(0)).error?.layer).toBe('ethernet');
    expect(decodeFrame(fromHex('ffffffffffff00e06f08539a8100')).error?.layer).toBe('vlan');
  });

  it('names unknown ethertypes and 802.3 length frames', () => {
    const lldp = buildEthernetFrame({
      dst: '01:80:c2:00:00:0e',
      src: ETH1_MAC,
      ethertype: 0x88cc,
      payload: new Uint8Array(10),
    });
    expect(decodeFrame(lldp).info).toBe('Ethertype 0x88cc');
    const llc = buildEthernetFrame({
      dst: '01:80:c2:00:00:00',
      src: ETH1_MAC,
      ethertype: 38,
      payload: new Uint8Array(38),
    });
    expect(decodeFrame(llc)).toMatchObject({ protocol: 'LLC', info: 'IEEE 802.3, length 38' });
  });
});

describe('IPv4 and ICMP echo', () => {
  it('decodes echo request and reply with identifier and sequence', () => {
    const request = decodeFrame(frameOf('echo request'));
    expect(request.protocol).toBe('ICMP');
    expect(request.src).toBe(TESTER_IP);
    expect(request.dst).toBe(BOND_IP);
    expect(request.ipv4).toMatchObject({
      ttl: 64,
      protocol: 1,
      checksumValid: true,
      totalLength: 84,
      truncated: false,
    });
    expect(request.icmp).toEqual({
      type: 8,
      code: 0,
      checksumValid: true,
      echo: { kind: 'request', identifier: 0x1234, sequence: 7, dataLength: 56 },
    });
    expect(request.info).toBe('Echo (ping) request  id=0x1234, seq=7, ttl=64');
    const reply = decodeFrame(frameOf('echo reply'));
    expect(reply.icmp?.echo).toMatchObject({ kind: 'reply', identifier: 0x1234, sequence: 7 });
  });

  it('flags bad checksums and ignores Ethernet padding', () => {
    const frame = buildIcmpEcho({
      srcMac: TESTER_MAC,
      dstMac: ETH1_MAC,
      srcIp: TESTER_IP,
      dstIp: BOND_IP,
      identifier: 1,
      sequence: 2,
      data: new Uint8Array(4),
    });
    expect(frame.length).toBe(60); // 14 + 20 + 12, padded
    const ok = decodeFrame(frame);
    expect(ok.icmp?.checksumValid).toBe(true);
    expect(ok.icmp?.echo?.dataLength).toBe(4);
    const corrupt = frame.slice();
    corrupt[14 + 20 + 9] = corrupt[14 + 20 + 9]! ^ 0xff;
    expect(decodeFrame(corrupt).icmp?.checksumValid).toBe(false);
    expect(decodeFrame(corrupt).info).toContain('[bad checksum]');
    const badHeader = frame.slice();
    badHeader[14 + 8] = 1; // TTL changed, header checksum not
    expect(decodeFrame(badHeader).ipv4?.checksumValid).toBe(false);
  });

  it('marks a capture shorter than the IP packet as truncated and still reads the echo header', () => {
    const frame = frameOf('echo request');
    const f = decodeFrame(frame.subarray(0, 14 + 20 + 8));
    expect(f.ipv4?.truncated).toBe(true);
    expect(f.icmp?.checksumValid).toBeUndefined();
    expect(f.icmp?.echo?.sequence).toBe(7);
    expect(decodeFrame(frame.subarray(0, 14 + 20 + 5)).error).toEqual({
      layer: 'icmp',
      reason: 'truncated ICMP header (5 of 8 bytes)',
    });
  });

  it('rejects impossible IPv4 headers with an error record', () => {
    const frame = frameOf('echo request');
    const wrongVersion = frame.slice();
    wrongVersion[14] = 0x65;
    expect(decodeFrame(wrongVersion).error?.reason).toBe('version 6 in an IPv4 packet');
    const tinyIhl = frame.slice();
    tinyIhl[14] = 0x44;
    expect(decodeFrame(tinyIhl).error?.reason).toBe('header length 16 below 20');
    const tinyTotal = frame.slice();
    tinyTotal[16] = 0;
    tinyTotal[17] = 10;
    expect(decodeFrame(tinyTotal).error?.reason).toBe('total length 10 below header length 20');
  });

  it('describes fragments, UDP and TCP without decoding further', () => {
    const udp = new Uint8Array(8);
    udp.set([0x00, 0x44, 0x00, 0x43], 0);
    const packet = buildIpv4Packet({ src: TESTER_IP, dst: BOND_IP, protocol: 17, payload: udp });
    const frame = buildEthernetFrame({ dst: ETH1_MAC, src: TESTER_MAC, ethertype: ETHERTYPE.ipv4, payload: packet });
    expect(decodeFrame(frame)).toMatchObject({ protocol: 'UDP', info: '68 → 67' });
    const fragment = frame.slice();
    fragment[14 + 6] = 0x00;
    fragment[14 + 7] = 0x10; // offset 16 × 8
    expect(decodeFrame(fragment).info).toMatch(/^Fragmented IP protocol \(proto=17, off=128/);
  });
});

describe('IPv6 neighbour advertisements', () => {
  it('decodes an unsolicited NA with its target link-layer address', () => {
    const f = decodeFrame(frameOf('unsolicited neighbour advertisement'));
    expect(f.protocol).toBe('ICMPv6');
    expect(f.dst).toBe('ff02::1');
    expect(f.neighbourAdvertisement).toEqual({
      target: 'fe80::2e0:4cff:fe83:79c',
      router: false,
      solicited: false,
      override: true,
      unsolicited: true,
      targetMac: ETH2_MAC,
    });
    expect(f.info).toBe('Neighbor Advertisement fe80::2e0:4cff:fe83:79c (ovr) is at 00:e0:4c:e2:57:8d (unsolicited)');
  });

  it('tells a solicited NA apart and survives a zero-length option', () => {
    const bytes = craftNeighbourAdvertisement({
      srcMac: ETH1_MAC,
      src: 'fe80::1',
      dst: 'fe80::2',
      target: 'fe80::1',
      solicited: true,
      router: true,
    });
    const f = decodeFrame(bytes);
    expect(f.neighbourAdvertisement).toMatchObject({ solicited: true, unsolicited: false, router: true });
    const zeroOption = bytes.slice();
    zeroOption[14 + 40 + 25] = 0;
    expect(decodeFrame(zeroOption).error?.reason).toBe('neighbour discovery option of length 0');
  });

  it('formats IPv6 addresses as RFC 5952 does', () => {
    const b = new Uint8Array(16);
    expect(formatIPv6(b)).toBe('::');
    b[15] = 1;
    expect(formatIPv6(b)).toBe('::1');
    b.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(formatIPv6(b)).toBe('2001:db8:0:1::1');
  });
});

describe('LACPDU', () => {
  it('decodes actor and partner with every state bit', () => {
    const f = decodeFrame(frameOf('lacpdu'));
    expect(f.protocol).toBe('LACP');
    expect(f.lacp?.actor).toMatchObject({
      systemPriority: 65535,
      system: ETH1_MAC,
      key: 9,
      portPriority: 255,
      port: 1,
    });
    expect(f.lacp?.actor.state).toEqual({
      raw: 0x4f,
      lacpActivity: true,
      lacpTimeout: 'short',
      aggregation: true,
      synchronization: true,
      collecting: false,
      distributing: false,
      defaulted: true,
      expired: false,
    });
    expect(f.lacp?.partner).toMatchObject({ system: '00:00:00:00:00:00', key: 1 });
    expect(f.lacp?.partner.state.lacpTimeout).toBe('short');
    expect(f.info).toBe(
      'LACPDU v1 actor 00:e0:4c:83:07:9c key 9 port 1 [ATGS**F*], partner 00:00:00:00:00:00 key 1 port 1 [*T******]',
    );
  });

  it('names each state bit', () => {
    for (let bit = 0; bit < 8; bit++) {
      const flags = lacpStateFlags(decodeLacpPortState(1 << bit));
      expect(flags.replaceAll('*', '')).toBe('ATGSCDFE'[bit]);
    }
  });

  it('reports truncated LACPDUs, broken TLVs, and other slow protocols', () => {
    const good = frameOf('lacpdu');
    expect(decodeFrame(good.subarray(0, 40)).error?.layer).toBe('lacp');
    const badTlv = good.slice();
    badTlv[14 + 22] = 9;
    expect(decodeFrame(badTlv).error?.reason).toBe('TLV at 22: type 9 length 20, expected 2/20');
    const marker = good.slice();
    marker[14] = 2;
    expect(decodeFrame(marker)).toMatchObject({ protocol: 'Marker', slow: { subtype: 2 } });
    expect(decodeFrame(good.subarray(0, 14)).error?.layer).toBe('slow');
  });
});

describe('learning frames', () => {
  it('decodes bonding learning frames (tlb/alb), also on a VLAN', () => {
    const f = decodeFrame(frameOf('learning frame'));
    expect(f).toMatchObject({ protocol: 'Learning', learning: { mac: ETH1_MAC } });
    expect(f.info).toBe('Bonding learning frame for 00:e0:4c:83:07:9c');
    expect(decodeFrame(craftLearningFrame(ETH2_MAC, 5)).info).toBe(
      'Bonding learning frame for 00:e0:4c:e2:57:8d on VLAN 5',
    );
  });

  it('does not mistake configuration-test (loopback) frames for learning frames', () => {
    const loop = buildEthernetFrame({ dst: ETH2_MAC, src: ETH1_MAC, ethertype: 0x9000, payload: new Uint8Array(8) });
    expect(decodeFrame(loop)).toMatchObject({ protocol: 'LOOP' });
    expect(decodeFrame(loop).learning).toBeUndefined();
  });
});

describe('byte helpers and builders', () => {
  it('validates addresses with messages that say what to fix', () => {
    expect(() => parseMac('00:e0:4c:83:07')).toThrow(/is not a MAC address such as/);
    expect(() => parseIPv4('10.77.1.256')).toThrow(/is not an IPv4 address such as/);
    expect(() => ipv4InSubnet('10.77.1.1', '10.77.1.0')).toThrow(/is not a subnet/);
    expect(ipv4InSubnet('10.77.1.252', '10.77.1.0/24')).toBe(true);
    expect(ipv4InSubnet('10.77.0.2', '10.77.1.0/24')).toBe(false);
    expect(ipv4InSubnet('192.168.1.1', '0.0.0.0/0')).toBe(true);
    expect(() =>
      buildIcmpEcho({
        srcMac: TESTER_MAC,
        dstMac: ETH1_MAC,
        srcIp: TESTER_IP,
        dstIp: BOND_IP,
        identifier: 70000,
        sequence: 0,
      }),
    ).toThrow(/identifier 70000/);
  });

  it('builds ARP requests as a host stack does (RFC 826 layout, padded to 60 bytes)', () => {
    const frame = buildArp({ opcode: 'request', senderMac: TESTER_MAC, senderIp: TESTER_IP, targetIp: BOND_IP });
    expect(hex(frame)).toBe(
      `ffffffffffff00e06f08539a0806000108000604000100e06f08539a0a4d01fc0000000000000a4d01fd${'00'.repeat(18)}`,
    );
  });

  it('computes Internet checksums (RFC 1071 example)', () => {
    const data = fromHex('0001f203f4f5f6f7');
    expect(internetChecksum(data)).toBe(~0xddf2 & 0xffff);
  });
});
