import { describe, expect, it } from 'vitest';
import { writeU16 } from '../../shared/wire/bytes.js';
import { decodeFrame } from '../../shared/wire/decode.js';
import type { DecodedFrame } from '../../shared/wire/types.js';
import { everyClass, seededRandom } from './wire-frames.js';

const ETHERTYPES = [0x0806, 0x0800, 0x86dd, 0x8809, 0x9000, 0x8100, 0x88a8, 0x9100, 0x0026, 0x88cc];

function randomFrame(random: () => number): Uint8Array {
  const length = Math.floor(random() * 140);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  // Mostly a known ethertype, so the random bytes reach the layers behind it.
  if (length >= 14 && random() < 0.8) writeU16(bytes, 12, ETHERTYPES[Math.floor(random() * ETHERTYPES.length)]!);
  if (length >= 15 && bytes[12] === 0x08 && bytes[13] === 0x00 && random() < 0.7) bytes[14] = 0x45;
  if (length >= 24 && bytes[12] === 0x08 && bytes[13] === 0x00 && random() < 0.5)
    bytes[23] = [1, 6, 17][Math.floor(random() * 3)]!;
  if (length >= 15 && bytes[12] === 0x86 && bytes[13] === 0xdd && random() < 0.7) bytes[14] = 0x60;
  if (length >= 15 && bytes[12] === 0x88 && bytes[13] === 0x09 && random() < 0.7)
    bytes[14] = [1, 1, 2, 3][Math.floor(random() * 4)]!;
  return bytes;
}

function mutate(source: Uint8Array, random: () => number): Uint8Array {
  let bytes = source.slice();
  const operations = 1 + Math.floor(random() * 4);
  for (let op = 0; op < operations; op++) {
    const choice = random();
    if (choice < 0.3 && bytes.length > 0) {
      bytes = bytes.slice(0, Math.floor(random() * bytes.length)); // truncate
    } else if (choice < 0.6 && bytes.length > 0) {
      const at = Math.floor(random() * bytes.length);
      bytes[at] = bytes[at]! ^ (1 << Math.floor(random() * 8)); // bit flip
    } else if (choice < 0.8 && bytes.length > 0) {
      bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256); // byte
    } else if (choice < 0.9 && bytes.length > 20) {
      // Length-ish fields: IPv4 IHL/total length, IPv6 payload length, TLV lengths, option lengths.
      const at = [14, 16, 17, 18, 19, 15, 23, 36, 56, 79][Math.floor(random() * 10)]!;
      if (at < bytes.length) bytes[at] = [0, 1, 0xff, 0x4f, 0x41, 20][Math.floor(random() * 6)]!;
    } else {
      const extra = new Uint8Array(Math.floor(random() * 16));
      for (let i = 0; i < extra.length; i++) extra[i] = Math.floor(random() * 256);
      const grown = new Uint8Array(bytes.length + extra.length); // trailing junk
      grown.set(bytes);
      grown.set(extra, bytes.length);
      bytes = grown;
    }
  }
  return bytes;
}

function checkRecord(frame: DecodedFrame, bytes: Uint8Array): void {
  if (frame.error?.layer === 'internal' || typeof frame.info !== 'string' || frame.length !== bytes.length) {
    throw new Error(`bad record for ${Buffer.from(bytes).toString('hex')}: ${JSON.stringify(frame)}`);
  }
}

describe('decoder fuzzing', () => {
  it('never throws, and never falls back to its internal-error net, on 30 000 random and mutated frames', () => {
    const random = seededRandom(0xb0d0);
    const seeds = everyClass().map((f) => f.bytes);
    const layersWithErrors = new Set<string>();
    const protocols = new Set<string>();
    for (let i = 0; i < 30_000; i++) {
      const bytes = i % 3 === 0 ? randomFrame(random) : mutate(seeds[i % seeds.length]!, random);
      let frame: DecodedFrame;
      try {
        frame = decodeFrame(bytes);
      } catch (error) {
        throw new Error(`decodeFrame threw on ${Buffer.from(bytes).toString('hex')}: ${(error as Error).message}`);
      }
      checkRecord(frame, bytes);
      if (frame.error) layersWithErrors.add(frame.error.layer);
      protocols.add(frame.protocol);
      // What the decoder said must survive the trip to the client.
      JSON.stringify(frame);
    }
    // The corpus reached every layer's error paths, not just the Ethernet header.
    for (const layer of ['ethernet', 'vlan', 'arp', 'ipv4', 'icmp', 'ipv6', 'icmpv6', 'lacp', 'slow']) {
      expect(layersWithErrors, layer).toContain(layer);
    }
    for (const protocol of ['ARP', 'ICMP', 'ICMPv6', 'LACP', 'Learning', 'LOOP', 'Marker', 'UDP', 'LLC']) {
      expect(protocols, protocol).toContain(protocol);
    }
  });

  it('decodes every truncation of every crafted frame without throwing', () => {
    for (const { name, bytes } of everyClass()) {
      for (let length = 0; length <= bytes.length; length++) {
        const frame = decodeFrame(bytes.subarray(0, length));
        checkRecord(frame, bytes.subarray(0, length));
        if (length < 14) expect(frame.error?.layer, `${name} at ${length}`).toBe('ethernet');
      }
    }
  });
});
