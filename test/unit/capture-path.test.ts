/**
 * The libpcap → file path without libpcap: batches in cap's format (main/tester/batch.ts) built here, turned into
 * pcapng by the writer's batch path and checked byte for byte against the general encoder and by tshark; the
 * evidence classifier against every crafted frame class; a LiveCapture fed faster than its live view, which must
 * sample bulk traffic for the client, deliver every evidence frame, and still write every frame to the file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { BATCH_HEADER, forEachPacket, type PacketBatch } from '../../main/tester/batch.js';
import type { PacketSource } from '../../main/tester/cap.js';
import { LiveCapture } from '../../main/tester/capture.js';
import { PcapngWriter } from '../../main/tester/pcapng-writer.js';
import type { CapturedFrame, TesterEvent } from '../../shared/tester/protocol.js';
import { buildEthernetFrame, buildIcmpEcho } from '../../shared/wire/build.js';
import { readCaptureFile } from '../../shared/wire/capture-file.js';
import { isEvidence, PROBE_MAGIC } from '../../shared/wire/classify.js';
import type { PcapTime } from '../../shared/wire/pcapng.js';
import { epochNs, tsharkFields } from './pcapng-tshark.js';
import { StalledSink } from './sinks.js';
import { BOND_IP, ETH1_MAC, everyClass, seededRandom, TESTER_IP, TESTER_MAC } from './wire-frames.js';

const dir = mkdtempSync(join(tmpdir(), 'bondbench-capture-path-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Packet {
  data: Uint8Array;
  time: PcapTime;
  wire: number;
}

/** Packs packets as cap's batch mode does; the padding is left dirty (0xee), as cap leaves it. */
function batchOf(packets: readonly Packet[]): PacketBatch {
  const size = packets.reduce((n, p) => n + BATCH_HEADER + ((p.data.length + 3) & ~3), 0);
  const buffer = Buffer.alloc(size + 64, 0xee);
  let at = 0;
  for (const p of packets) {
    buffer.writeUInt32LE(p.data.length, at);
    buffer.writeUInt32LE(p.wire, at + 4);
    buffer.writeUInt32LE(p.time.sec, at + 8);
    buffer.writeUInt32LE(p.time.nsec, at + 12);
    buffer.set(p.data, at + BATCH_HEADER);
    at += BATCH_HEADER + ((p.data.length + 3) & ~3);
  }
  return { buffer, count: packets.length, bytes: at };
}

/** Keeps everything written, copied (the writer reuses chunks once written). */
class MemorySink extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    callback();
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function frameOfLength(length: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  return Uint8Array.from({ length }, () => Math.floor(random() * 256));
}

/** Packets of every length class: odd lengths (padding), short and long (the two copy paths), across seconds. */
function mixedPackets(count: number): Packet[] {
  const random = seededRandom(18);
  const lengths = [60, 61, 62, 63, 64, 98, 255, 256, 257, 258, 1514, 9000];
  return Array.from({ length: count }, (_, i) => {
    const length = lengths[i % lengths.length]!;
    // Crosses second boundaries and the low word's wrap (2^32 ns ≈ 4.29 s).
    const sec = 1_795_000_000 + Math.floor(i / 7);
    return {
      data: frameOfLength(length, i + 1),
      time: { sec, nsec: Math.floor(random() * 1e9) },
      wire: i % 5 === 0 ? length + 100 : length,
    };
  });
}

describe('pcapng writer, batch path', () => {
  it('writes exactly the bytes the general encoder writes, comments, padding and timestamps included', async () => {
    const packets = mixedPackets(600);
    const general = new MemorySink();
    const fast = new MemorySink();
    const writers = [new PcapngWriter(general, { chunkBytes: 8192 }), new PcapngWriter(fast, { chunkBytes: 8192 })];
    for (const w of writers) {
      w.addInterface({ name: 'tester0', resolution: 'nano' });
      w.addInterface({ name: 'tap-eth1', resolution: 'micro' });
    }
    const [one, other] = writers as [PcapngWriter, PcapngWriter];
    for (let start = 0, b = 0; start < packets.length; b++) {
      const size = 1 + (b % 50);
      const slice = packets.slice(start, start + size);
      const iface = b % 3 === 0 ? 1 : 0;
      if (b === 4) for (const w of writers) w.mark('mode 802.3ad: pull eth1', slice[0]!.time, [iface]);
      for (const p of slice) expect(one.writePacket(iface, p.time, p.data, p.wire)).toBe(true);
      expect(other.writeBatch(iface, batchOf(slice))).toEqual({ written: slice.length, dropped: 0 });
      start += size;
    }
    const [a, b] = await Promise.all(writers.map((w) => w.close()));
    expect(b).toEqual(a);
    expect(fast.bytes().equals(general.bytes())).toBe(true);
  });

  it('gives tshark every frame with its exact timestamp and wire length', async () => {
    const packets = mixedPackets(240);
    const file = join(dir, 'batch.pcapng');
    const writer = PcapngWriter.toFile(file, { chunkBytes: 16 * 1024 });
    const id = writer.addInterface({ name: 'tester0', resolution: 'nano' });
    writer.mark('mode balance-rr: bring-up', packets[0]!.time, [id]);
    for (let i = 0; i < packets.length; i += 40) writer.writeBatch(id, batchOf(packets.slice(i, i + 40)));
    await writer.close();
    const { rows, warnings } = tsharkFields(file, ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.comment']);
    expect(warnings).toEqual([]);
    expect(rows).toHaveLength(packets.length);
    rows.forEach((row, i) => {
      const p = packets[i]!;
      expect(epochNs(row[0]!)).toBe(BigInt(p.time.sec) * 1_000_000_000n + BigInt(p.time.nsec));
      expect(Number(row[1])).toBe(p.wire);
      expect(Number(row[2])).toBe(p.data.length);
    });
    expect(rows[0]![3]).toBe('mode balance-rr: bring-up');
    const read = readCaptureFile(readFileSync(file));
    for (const [i, p] of read.packets.entries())
      expect(Buffer.from(p.data).equals(Buffer.from(packets[i]!.data))).toBe(true);
  }, 30_000);

  it('drops and counts what would pass the pending limit, and the file stays valid', async () => {
    const sink = new StalledSink();
    const writer = new PcapngWriter(sink, { maxPendingBytes: 128 * 1024, chunkBytes: 16 * 1024 });
    const id = writer.addInterface({ name: 'tester0', resolution: 'nano' });
    const frame = new Uint8Array(1000);
    const packets = Array.from({ length: 100 }, (_, i) => ({ data: frame, time: { sec: 1, nsec: i }, wire: 1000 }));
    let written = 0;
    let dropped = 0;
    for (let i = 0; i < 5; i++) {
      const result = writer.writeBatch(id, batchOf(packets));
      written += result.written;
      dropped += result.dropped;
    }
    expect(written + dropped).toBe(500);
    expect(written).toBeGreaterThan(100);
    expect(written).toBeLessThan(130);
    expect(writer.pendingBytes).toBeLessThanOrEqual(128 * 1024);
    expect(writer.stats).toMatchObject({ packets: written, dropped });
    sink.release();
    await writer.close();
    expect(readCaptureFile(Buffer.concat(sink.chunks)).packets).toHaveLength(written);
  });

  it('reads a batch back packet by packet as cap packed it', () => {
    const packets = mixedPackets(30);
    const seen: Packet[] = [];
    forEachPacket(batchOf(packets), (data, sec, nsec, wire) =>
      seen.push({ data: Uint8Array.from(data), time: { sec, nsec }, wire }),
    );
    expect(seen).toEqual(packets.map((p) => ({ ...p, data: Uint8Array.from(p.data) })));
  });
});

const probeEcho = (kind: 'request' | 'reply') => {
  const data = new Uint8Array(56);
  data.set(PROBE_MAGIC, 0);
  return buildIcmpEcho({
    kind,
    srcMac: kind === 'request' ? TESTER_MAC : ETH1_MAC,
    dstMac: kind === 'request' ? ETH1_MAC : TESTER_MAC,
    srcIp: kind === 'request' ? TESTER_IP : BOND_IP,
    dstIp: kind === 'request' ? BOND_IP : TESTER_IP,
    identifier: 7,
    sequence: 1,
    data,
  });
};

/** A UDP datagram: bulk load traffic. */
function udpFrame(vlan?: number): Uint8Array {
  const ip = new Uint8Array(20 + 8 + 18);
  ip[0] = 0x45;
  ip[9] = 17;
  return buildEthernetFrame({ src: TESTER_MAC, dst: ETH1_MAC, ethertype: 0x0800, payload: ip, vlan });
}

describe('evidence classifier', () => {
  it('keeps every class the measurements read, the probe’s echoes, and lets bulk traffic be sampled', () => {
    for (const { name, bytes } of everyClass()) {
      // The crafted echoes carry no probe data: someone else's ping, bulk like any flood.
      expect([name, isEvidence(bytes)]).toEqual([name, !name.startsWith('echo')]);
    }
    expect(isEvidence(probeEcho('request'))).toBe(true);
    expect(isEvidence(probeEcho('reply'))).toBe(true);
    expect(isEvidence(udpFrame())).toBe(false);
    expect(isEvidence(udpFrame(10))).toBe(false);
    // Truncated frames go to the decoder, which says what is wrong with them.
    expect(isEvidence(probeEcho('reply').subarray(0, 30))).toBe(true);
    expect(isEvidence(new Uint8Array(10))).toBe(true);
  });
});

/** A packet source fed by the test. */
class FakeSource implements PacketSource {
  readonly device = 'tester0';
  readonly filter = '';
  readonly linkType = 'ETHERNET';
  readonly timestampPrecision = 'nano' as const;
  private listener: ((batch: PacketBatch) => void) | undefined;
  closed = false;
  onPacket(): void {
    throw new Error('the capture must take batches');
  }
  onBatch(listener: (batch: PacketBatch) => void): void {
    this.listener = listener;
  }
  feed(batch: PacketBatch): void {
    this.listener!(batch);
  }
  send(): void {}
  stats() {
    return this.closed ? undefined : { received: 0, dropped: 0, ifDropped: 0 };
  }
  close(): void {
    this.closed = true;
  }
}

describe('live capture under overload', () => {
  it('samples bulk frames for the live view, delivers every evidence frame, and writes all to the file', async () => {
    const file = join(dir, 'overload.pcapng');
    const writer = PcapngWriter.toFile(file);
    const interfaceId = writer.addInterface({ name: 'tester0', resolution: 'nano' });
    const source = new FakeSource();
    const events: TesterEvent[] = [];
    const capture = new LiveCapture(
      { id: 'c', device: 'tester0', liveFramesPerSecond: 1000 },
      source,
      { emit: (e) => events.push(e), backlogBytes: () => 0 },
      Date.now(),
      { writer, interfaceId, path: file },
    );
    // 2 s of traffic at 50 000 frames/s, one batch per 10 ms; every 100th frame is the probe's echo.
    const bulk = udpFrame();
    const echo = probeEcho('reply');
    let total = 0;
    let evidence = 0;
    for (let b = 0; b < 200; b++) {
      const packets: Packet[] = [];
      for (let k = 0; k < 500; k++, total++) {
        const isProbe = total % 100 === 0;
        if (isProbe) evidence++;
        const t = 1_795_000_000_000_000_000n + BigInt(total) * 20_000n;
        packets.push({
          data: isProbe ? echo : bulk,
          time: { sec: Number(t / 1_000_000_000n), nsec: Number(t % 1_000_000_000n) },
          wire: (isProbe ? echo : bulk).length,
        });
      }
      source.feed(batchOf(packets));
    }
    const counters = capture.stop(Date.now(), { sec: 1_795_000_003, nsec: 0 });
    await writer.close();
    const frames = events.flatMap((e) => (e.type === 'frames' ? e.frames : [])) as CapturedFrame[];
    const sampledEvents = events.reduce((n, e) => n + (e.type === 'frames' ? (e.sampled ?? 0) : 0), 0);
    expect(counters).toMatchObject({ received: total, written: total, writerDropped: 0, queueDropped: 0 });
    // Every probe echo arrived; bulk only within the live budget (1000/s over 2 s, plus the first second's bucket).
    expect(frames.filter((f) => f.icmp?.echo).length).toBe(evidence);
    const bulkDelivered = frames.length - evidence;
    expect(bulkDelivered).toBeGreaterThan(0);
    expect(frames.length).toBeLessThanOrEqual(1000 * 3 + 1);
    expect(counters.sampled).toBe(total - frames.length);
    expect(sampledEvents).toBe(counters.sampled);
    // Frame numbers are positions in the file: the sampled ones leave gaps, never a shift.
    for (const f of frames) expect(f.icmp?.echo ? (f.number - 1) % 100 : -1).toBe(f.icmp?.echo ? 0 : -1);
    expect(readCaptureFile(readFileSync(file)).packets).toHaveLength(total);
  });

  it('bounds decoding in a storm of evidence frames too, and counts what it skipped', async () => {
    const file = join(dir, 'storm.pcapng');
    const writer = PcapngWriter.toFile(file);
    const interfaceId = writer.addInterface({ name: 'tester0', resolution: 'nano' });
    const source = new FakeSource();
    let delivered = 0;
    const capture = new LiveCapture(
      // A queue that holds the whole storm: only the evidence budget limits what is decoded here.
      { id: 'c', device: 'tester0', queueFrames: 100_000 },
      source,
      { emit: (e) => (delivered += e.type === 'frames' ? e.frames.length : 0), backlogBytes: () => 0 },
      Date.now(),
      { writer, interfaceId, path: file },
    );
    // Half a second of ARP at 100 000 frames/s: the evidence budget (20 000/s, one second banked) takes 30 000.
    const arp = everyClass().find((c) => c.name === 'gratuitous arp request')!.bytes;
    for (let b = 0; b < 50; b++) {
      source.feed(
        batchOf(
          Array.from({ length: 1000 }, (_, k) => ({
            data: arp,
            time: { sec: 1_795_000_000, nsec: (b * 1000 + k) * 10_000 },
            wire: arp.length,
          })),
        ),
      );
    }
    const counters = capture.stop(Date.now(), { sec: 1_795_000_001, nsec: 0 });
    await writer.close();
    expect(delivered).toBeGreaterThanOrEqual(29_990);
    expect(delivered).toBeLessThanOrEqual(30_001);
    expect(counters).toMatchObject({ received: 50_000, written: 50_000, sampled: 50_000 - delivered });
    expect(readCaptureFile(readFileSync(file)).packets).toHaveLength(50_000);
  });

  it('delivers everything while the rate stays within the live view', () => {
    const source = new FakeSource();
    const events: TesterEvent[] = [];
    const capture = new LiveCapture(
      { id: 'c', device: 'tester0', liveFramesPerSecond: 1000 },
      source,
      { emit: (e) => events.push(e), backlogBytes: () => 0 },
      Date.now(),
    );
    const bulk = udpFrame();
    for (let i = 0; i < 1500; i++)
      source.feed(
        batchOf([{ data: bulk, time: { sec: 1_795_000_000 + Math.floor(i / 500), nsec: (i % 500) * 2e6 }, wire: 60 }]),
      );
    const counters = capture.stop(Date.now(), { sec: 1_795_000_004, nsec: 0 });
    expect(counters).toMatchObject({ received: 1500, sampled: 0 });
    expect(events.flatMap((e) => (e.type === 'frames' ? e.frames : []))).toHaveLength(1500);
  });
});
