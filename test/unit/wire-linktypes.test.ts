/**
 * Decoders that do not mislead the anatomy, on fixtures kept in test/fixtures/wire (each checked against tshark):
 * a switch's loopback keepalive is not a bonding learning frame, Simple Packet Blocks are refused rather than
 * dropped, the first fragment of an echo request has an unverified (not bad) checksum, and Linux cooked / NULL
 * captures decode by their link type.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../main/paths.js';
import { failoverSignal } from '../../shared/measure/failover.js';
import { CaptureFileError, PcapngIndex, readCaptureFile } from '../../shared/wire/capture-file.js';
import { decodeFrame, LINKTYPE } from '../../shared/wire/decode.js';
import { tsharkFields } from './pcapng-tshark.js';

const dir = join(packageRoot, 'test/fixtures/wire');
const load = (name: string) => readCaptureFile(readFileSync(join(dir, name)));
const decoded = (name: string) => {
  const file = load(name);
  return file.packets.map((p) => decodeFrame(p.data, file.interfaces[p.interfaceId]!.linkType));
};

describe('0x9000: loopback keepalive or learning frame', () => {
  it('shows a switch’s keepalive as the ECTP reply it is, and only the zero-padded frame as the bond’s', () => {
    const hex = readFileSync(join(dir, 'cisco-loopback-keepalive.hex'), 'utf8').trim();
    const keepalive = decodeFrame(Uint8Array.from(Buffer.from(hex, 'hex')));
    expect(keepalive.learning).toBeUndefined();
    expect(keepalive.loopback).toEqual({ skipCount: 0, function: 'reply', receiptNumber: 0 });
    expect(keepalive.protocol).toBe('LOOP');
    expect(keepalive.info).toBe('Loopback reply, receipt number 0 (switch keepalive)');
    const [fromFile, learning] = decoded('ethernet-0x9000-and-fragment.pcap');
    expect(fromFile).toEqual(keepalive);
    expect(learning!.learning).toEqual({ mac: '00:e0:4c:83:07:9c' });
    // tshark agrees: the first is an ECTP reply.
    const { rows } = tsharkFields(join(dir, 'ethernet-0x9000-and-fragment.pcap'), ['loop.function']);
    expect(rows[0]).toEqual(['1']);
    // A keepalive after a pull is never taken for the bond's reaction.
    const at = (timeMs: number, frame: ReturnType<typeof decodeFrame>) => ({ ...frame, timeMs });
    expect(failoverSignal([at(5, keepalive)], { afterMs: 0, bondIp: '10.77.1.253' })).toBeUndefined();
    expect(failoverSignal([at(5, learning!)], { afterMs: 0, bondIp: '10.77.1.253' })?.kind).toBe('learning');
  });
});

describe('pcapng Simple Packet Blocks', () => {
  it('refuses a file of SPBs (no timestamps) with what to do, instead of reading 0 packets', () => {
    const bytes = readFileSync(join(dir, 'simple-packet-blocks.pcapng'));
    expect(() => readCaptureFile(bytes)).toThrow(CaptureFileError);
    expect(() => readCaptureFile(bytes)).toThrow(/Simple Packet Block.*no timestamp.*editcap/);
    expect(() => PcapngIndex.build(bytes)).toThrow(/Simple Packet Block/);
    // tshark sees four packets there: they were never ours to drop.
    expect(tsharkFields(join(dir, 'simple-packet-blocks.pcapng'), ['frame.number']).rows).toHaveLength(4);
  });
});

describe('a fragmented echo request', () => {
  it('says its checksum is unverified (fragment), not bad', () => {
    const fragment = decoded('ethernet-0x9000-and-fragment.pcap')[2]!;
    expect(fragment.ipv4).toMatchObject({ moreFragments: true, fragmentOffset: 0 });
    expect(fragment.icmp).toMatchObject({ fragment: true, echo: { kind: 'request', sequence: 9 } });
    expect(fragment.icmp!.checksumValid).toBeUndefined();
    expect(fragment.info).toContain('[checksum unverified (fragment)]');
    expect(fragment.info).not.toContain('bad checksum');
  });
});

describe('link types', () => {
  const fields = ['ip.src', 'ip.dst', 'icmp.seq', 'arp.dst.proto_ipv4'];
  for (const [name, linkType, cooked] of [
    ['linux-sll.pcap', LINKTYPE.linuxSll, 'sll'],
    ['linux-sll2.pcap', LINKTYPE.linuxSll2, 'sll2'],
    ['null-loopback.pcap', LINKTYPE.null, 'null'],
  ] as const) {
    it(`decodes ${cooked} captures by their link type, as tshark does`, () => {
      const file = load(name);
      expect(file.interfaces[0]!.linkType).toBe(linkType);
      const frames = decoded(name);
      const { rows } = tsharkFields(join(dir, name), fields);
      frames.forEach((frame, i) => {
        expect(frame.cooked?.linkType).toBe(cooked);
        expect(frame.eth).toBeUndefined();
        expect(frame.error).toBeUndefined();
        const ours = [
          frame.ipv4?.src ?? '',
          frame.ipv4?.dst ?? '',
          frame.icmp?.echo ? String(frame.icmp.echo.sequence) : '',
          frame.arp?.targetIp ?? '',
        ];
        expect(ours, `${name} frame ${i + 1}`).toEqual(rows[i]!.concat(['', '', '', '']).slice(0, 4));
      });
      if (cooked !== 'null') expect(frames[0]!.cooked).toMatchObject({ address: '02:bb:00:00:00:01', packetType: 4 });
    });
  }

  it('labels a link type it does not decode instead of reading it as Ethernet', () => {
    const frame = decodeFrame(new Uint8Array(60), 147);
    expect(frame.eth).toBeUndefined();
    expect(frame.protocol).toBe('Unknown');
    expect(frame.info).toMatch(/^Link type 147: not decoded/);
  });
});
