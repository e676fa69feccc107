/**
 * Streams pcapng to a file as frames arrive: blocks are packed into large chunks (1 MiB) and handed to a
 * WriteStream, so a run of millions of frames never sits in memory and the disk sees few, large writes. A whole
 * batch from cap (one libpcap wakeup) is turned into Enhanced Packet Blocks in one tight loop over 32-bit words,
 * with no object per packet (writeBatch). The capture must never wait for the disk: when more than
 * maxPendingBytes are queued, packets are dropped and counted (dropped), and the file stays valid.
 *
 * Memory: at most maxPendingBytes queued plus one chunk being filled plus a pool of POOL_CHUNKS spare chunks.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import {
  encodeComment,
  encodeInterfaceDescription,
  encodeInterfaceStatistics,
  encodeSectionHeader,
  enhancedPacketLength,
  type InterfaceSpec,
  type InterfaceStatisticsSpec,
  type PcapTime,
  type SectionHeaderSpec,
  type TimestampResolution,
  timestampWords,
  writeEnhancedPacket,
} from '../../shared/wire/pcapng.js';
import { BATCH_HEADER, forEachPacket, LITTLE_ENDIAN, type PacketBatch } from './batch.js';

export interface PcapngWriterOptions {
  section?: SectionHeaderSpec;
  /** Bytes queued towards the file before packets are dropped (default 64 MiB). */
  maxPendingBytes?: number;
  /** Size of the chunks blocks are packed into (default 1 MiB). */
  chunkBytes?: number;
  /** A partly filled chunk is written after this long (default 250 ms), so the file follows the capture. */
  flushIntervalMs?: number;
}

export interface PcapngWriterStats {
  packets: number;
  dropped: number;
  bytes: number;
}

interface Interface {
  resolution: TimestampResolution;
  /** Step comment waiting for this interface's next packet. */
  pendingComment?: Uint8Array;
  /** The second whose timestamp words were computed last, and those words: packets of one second share them. */
  cachedSec: number;
  cachedHigh: number;
  cachedLow: number;
}

/** Spare chunks kept for reuse once the stream has written them (no allocation per chunk at a steady rate). */
const POOL_CHUNKS = 4;
const TWO_32 = 4294967296;
const EPB_TYPE = 6;
/** Frames up to this long are copied word by word in JavaScript; longer ones by Buffer.copy (a native call). */
const WORD_COPY_MAX = 256;

/** What writeBatch did with one batch. */
export interface BatchResult {
  written: number;
  dropped: number;
}

export class PcapngWriter {
  private chunk: Buffer;
  private chunkWords: Uint32Array;
  private used = 0;
  private readonly pool: Buffer[] = [];
  private readonly interfaces: Interface[] = [];
  private readonly maxPending: number;
  private readonly chunkBytes: number;
  private readonly timer: NodeJS.Timeout;
  private error: Error | undefined;
  private closing: Promise<PcapngWriterStats> | undefined;
  readonly stats: PcapngWriterStats = { packets: 0, dropped: 0, bytes: 0 };

  constructor(
    private readonly out: Writable,
    options: PcapngWriterOptions = {},
  ) {
    this.maxPending = options.maxPendingBytes ?? 64 * 1024 * 1024;
    this.chunkBytes = ((options.chunkBytes ?? 1024 * 1024) + 3) & ~3;
    this.chunk = this.newChunk(this.chunkBytes);
    this.chunkWords = words(this.chunk);
    out.on('error', (error) => {
      this.error ??= error;
    });
    this.timer = setInterval(() => this.flush(), options.flushIntervalMs ?? 250);
    this.timer.unref();
    this.writeBlock(encodeSectionHeader(options.section));
  }

  static toFile(path: string, options: PcapngWriterOptions = {}): PcapngWriter {
    return new PcapngWriter(createWriteStream(path), options);
  }

  /** Declares an interface (one per capture); returns its id for writePacket. */
  addInterface(spec: InterfaceSpec): number {
    this.writeBlock(encodeInterfaceDescription(spec));
    this.interfaces.push({ resolution: spec.resolution, cachedSec: -1, cachedHigh: 0, cachedLow: 0 });
    return this.interfaces.length - 1;
  }

  /**
   * Appends one packet (data is copied now, so cap's reused buffer may be passed). Returns false when the packet
   * was dropped because the disk is behind.
   */
  writePacket(interfaceId: number, time: PcapTime, data: Uint8Array, wireLength: number): boolean {
    const iface = this.interface(interfaceId);
    if (this.error || this.closing) throw this.failure();
    const comment = iface.pendingComment;
    const length = enhancedPacketLength(data.length, comment);
    if (this.out.writableLength + this.used + length > this.maxPending) {
      this.stats.dropped++;
      return false;
    }
    if (this.used + length > this.chunk.length) this.makeRoom(length);
    this.used = writeEnhancedPacket(
      this.chunk,
      this.used,
      interfaceId,
      timestampWords(time, iface.resolution),
      data,
      wireLength,
      comment,
    );
    iface.pendingComment = undefined;
    this.stats.packets++;
    return true;
  }

  /**
   * Appends every packet of one cap batch (main/tester/batch.ts) as Enhanced Packet Blocks. Nothing of the batch
   * is kept: it is copied now. Packets that would take the queue beyond maxPendingBytes are dropped and counted.
   */
  writeBatch(interfaceId: number, batch: PacketBatch): BatchResult {
    const iface = this.interface(interfaceId);
    if (this.error || this.closing) throw this.failure();
    const { buffer, count, bytes } = batch;
    if (!LITTLE_ENDIAN || buffer.byteOffset % 4 !== 0) return this.writeBatchSlowly(interfaceId, batch);
    const source = new Uint32Array(buffer.buffer, buffer.byteOffset, buffer.length >>> 2);
    const nano = iface.resolution === 'nano';
    let queued = this.out.writableLength;
    let written = 0;
    let dropped = 0;
    let at = 0;
    let i = 0;
    let first: BatchResult = { written: 0, dropped: 0 };
    if (iface.pendingComment && count > 0) {
      // The step's comment rides on the first packet: the general encoder handles the option.
      const captured = source[0]!;
      const ok = this.writePacket(
        interfaceId,
        { sec: source[2]!, nsec: source[3]! },
        buffer.subarray(BATCH_HEADER, BATCH_HEADER + captured),
        source[1]!,
      );
      first = { written: ok ? 1 : 0, dropped: ok ? 0 : 1 };
      at = BATCH_HEADER + ((captured + 3) & ~3);
      i = 1;
    }
    for (; i < count && at + BATCH_HEADER <= bytes; i++) {
      const w = at >>> 2;
      const captured = source[w]!;
      const padded = (captured + 3) & ~3;
      const length = 32 + padded;
      const next = at + BATCH_HEADER + padded;
      if (queued + this.used + length > this.maxPending) {
        dropped++;
        at = next;
        continue;
      }
      if (this.used + length > this.chunk.length) {
        this.makeRoom(length);
        queued = this.out.writableLength;
      }
      const sec = source[w + 2]!;
      const nsec = source[w + 3]!;
      if (sec !== iface.cachedSec) this.cacheSecond(iface, sec);
      let high = iface.cachedHigh;
      let low = iface.cachedLow + (nano ? nsec : Math.floor(nsec / 1000));
      if (low >= TWO_32) {
        low -= TWO_32;
        high++;
      }
      const o = this.used >>> 2;
      const out = this.chunkWords;
      out[o] = EPB_TYPE;
      out[o + 1] = length;
      out[o + 2] = interfaceId;
      out[o + 3] = high;
      out[o + 4] = low;
      out[o + 5] = captured;
      out[o + 6] = Math.max(source[w + 1]!, captured);
      const dataWords = padded >>> 2;
      if (captured <= WORD_COPY_MAX) {
        const from = w + 4;
        for (let k = 0; k < dataWords; k++) out[o + 7 + k] = source[from + k]!;
      } else {
        buffer.copy(this.chunk, this.used + 28, at + BATCH_HEADER, at + BATCH_HEADER + padded);
      }
      // cap leaves the padding as it found it; pcapng wants zeros.
      const rest = captured & 3;
      if (rest !== 0) out[o + 6 + dataWords] = out[o + 6 + dataWords]! & ((1 << (8 * rest)) - 1);
      out[o + 7 + dataWords] = length;
      this.used += length;
      written++;
      at = next;
    }
    // writePacket counted the first packet already.
    this.stats.packets += written;
    this.stats.dropped += dropped;
    return { written: written + first.written, dropped: dropped + first.dropped };
  }

  /** The general path (a big-endian machine, or an unaligned batch): one packet at a time. */
  private writeBatchSlowly(interfaceId: number, batch: PacketBatch): BatchResult {
    const result = { written: 0, dropped: 0 };
    forEachPacket(batch, (data, sec, nsec, wire) => {
      if (this.writePacket(interfaceId, { sec, nsec }, data, wire)) result.written++;
      else result.dropped++;
    });
    return result;
  }

  private cacheSecond(iface: Interface, sec: number): void {
    [iface.cachedHigh, iface.cachedLow] = timestampWords({ sec, nsec: 0 }, iface.resolution);
    iface.cachedSec = sec;
  }

  /**
   * A step comment: an Interface Statistics Block at the instant on each interface (with counters if given),
   * and the same text on each interface's next packet.
   */
  mark(
    label: string,
    time: PcapTime,
    interfaceIds: readonly number[],
    counters?: (id: number) => Partial<InterfaceStatisticsSpec>,
  ): void {
    const comment = encodeComment(label);
    for (const id of interfaceIds) {
      const iface = this.interface(id);
      this.writeStatistics({ ...counters?.(id), interfaceId: id, time, resolution: iface.resolution, comment: label });
      iface.pendingComment = comment;
    }
  }

  writeStatistics(spec: InterfaceStatisticsSpec): void {
    this.interface(spec.interfaceId);
    this.writeBlock(encodeInterfaceStatistics(spec));
  }

  resolution(interfaceId: number): TimestampResolution {
    return this.interface(interfaceId).resolution;
  }

  get pendingBytes(): number {
    return this.out.writableLength + this.used;
  }

  /** Writes what is buffered and ends the file; resolves when it is on disk. */
  close(): Promise<PcapngWriterStats> {
    this.closing ??= new Promise<PcapngWriterStats>((resolve, reject) => {
      clearInterval(this.timer);
      this.flush();
      if (this.error) {
        reject(this.failure());
        return;
      }
      this.out.once('error', (error) => reject(error));
      this.out.end(() => (this.error ? reject(this.failure()) : resolve({ ...this.stats })));
    });
    return this.closing;
  }

  private interface(id: number): Interface {
    const iface = this.interfaces[id];
    if (!iface) throw new Error(`pcapng: no interface ${id} (declare it with addInterface first)`);
    return iface;
  }

  private failure(): Error {
    return this.error
      ? new Error(`writing pcapng failed: ${this.error.message}`)
      : new Error('pcapng writer is closed');
  }

  /** Small blocks (headers, statistics) are never dropped: they go through the chunk like packets. */
  private writeBlock(block: Uint8Array): void {
    if (this.error) throw this.failure();
    if (this.used + block.length > this.chunk.length) this.makeRoom(block.length);
    this.chunk.set(block, this.used);
    this.used += block.length;
  }

  /** Hands the filled part of the chunk to the stream and takes a chunk with room for `length` bytes. */
  private makeRoom(length: number): void {
    this.flush();
    if (length > this.chunk.length) {
      this.chunk = this.newChunk(Math.max(this.chunkBytes, length));
      this.chunkWords = words(this.chunk);
    }
  }

  private newChunk(size: number): Buffer {
    // Its own memory, aligned for the 32-bit view (allocUnsafe may hand out a slice of a shared pool).
    return Buffer.allocUnsafeSlow(size);
  }

  private flush(): void {
    if (this.used === 0 || this.error) return;
    // The stream keeps the chunk until written: hand it over, take a spare one, and reuse it once written.
    const full = this.chunk;
    const reusable = full.length === this.chunkBytes;
    this.stats.bytes += this.used;
    this.out.write(full.subarray(0, this.used), () => {
      if (reusable && this.pool.length < POOL_CHUNKS) this.pool.push(full);
    });
    this.chunk = this.pool.pop() ?? this.newChunk(this.chunkBytes);
    this.chunkWords = words(this.chunk);
    this.used = 0;
  }
}

function words(chunk: Buffer): Uint32Array {
  return new Uint32Array(chunk.buffer, chunk.byteOffset, chunk.length >>> 2);
}
