/**
 * Streams pcapng to a file as frames arrive: blocks are packed into large chunks and handed to a WriteStream, so a
 * run of millions of frames never sits in memory. The capture must never wait for the disk: when more than
 * maxPendingBytes are queued, packets are dropped and counted (dropped), and the file stays valid.
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

export interface PcapngWriterOptions {
  section?: SectionHeaderSpec;
  /** Bytes queued towards the file before packets are dropped (default 64 MiB). */
  maxPendingBytes?: number;
  /** Size of the chunks blocks are packed into (default 256 KiB). */
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
}

export class PcapngWriter {
  private chunk: Buffer;
  private used = 0;
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
    this.chunkBytes = options.chunkBytes ?? 256 * 1024;
    this.chunk = Buffer.allocUnsafe(this.chunkBytes);
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
    this.interfaces.push({ resolution: spec.resolution });
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
    if (this.used + length > this.chunk.length) {
      this.flush();
      if (length > this.chunk.length) this.chunk = Buffer.allocUnsafe(Math.max(this.chunkBytes, length));
    }
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
    if (this.used + block.length > this.chunk.length) this.flush();
    if (block.length > this.chunk.length) {
      this.out.write(block);
      this.stats.bytes += block.length;
      return;
    }
    this.chunk.set(block, this.used);
    this.used += block.length;
  }

  private flush(): void {
    if (this.used === 0 || this.error) return;
    // The stream keeps the chunk until written: hand it over and start a fresh one.
    const full = this.chunk.subarray(0, this.used);
    this.stats.bytes += this.used;
    this.out.write(full);
    this.chunk = Buffer.allocUnsafe(this.chunkBytes);
    this.used = 0;
  }
}
