/**
 * One live capture inside the agent: libpcap → pcapng file, and decoded frames → the client. Frames arrive from
 * cap a whole libpcap wakeup at a time (main/tester/batch.ts); the file path comes first and touches no object per
 * packet (PcapngWriter.writeBatch), so neither decoding nor the client can hold it back. Only frames delivered to
 * the client are decoded: every frame the measurements need (shared/wire/classify.ts, "evidence"; up to
 * EVIDENCE_FRAMES_PER_SECOND, far above what a bond sends), and bulk traffic as long as the capture stays within
 * liveFramesPerSecond — beyond that frames are sampled for the live view and counted (`sampled`); the file still
 * has them. So decoding costs at most a bounded number of frames per second, whatever the load.
 *
 * Nothing ever waits: the file writer, the client queue and the backlog towards the client are bounded, and what
 * they cannot take is dropped and counted (writerDropped, queueDropped). cap reuses its batch buffer, so every
 * packet is consumed during the call and nothing keeps a view of that buffer.
 *
 * Memory per capture, at most: the kernel ring (bufferBytes, mapped into the agent), cap's batch buffer (4 MiB),
 * queueFrames decoded frames (≈ 1 KiB each), and — shared by the captures of one file — the writer's
 * maxPendingBytes (64 MiB) and chunks (5 MiB); the channel to the client holds at most clientBacklogBytes.
 */
import { errorPart } from '../../shared/run/failure.js';
import {
  agentLog,
  type CaptureCounters,
  type CapturedFrame,
  type CaptureSpec,
  type TesterEvent,
} from '../../shared/tester/protocol.js';
import { hex } from '../../shared/wire/bytes.js';
import { isEvidence } from '../../shared/wire/classify.js';
import { decodeFrame } from '../../shared/wire/decode.js';
import type { PcapTime } from '../../shared/wire/pcapng.js';
import { BATCH_HEADER, LITTLE_ENDIAN, type PacketBatch } from './batch.js';
import { DEFAULT_DELIVERY_MS, type PacketSource } from './cap.js';
import { msToPcapTime, pcapTimeToMs } from './clock.js';
import type { PcapngWriter } from './pcapng-writer.js';

export interface CaptureOutput {
  emit(event: TesterEvent): void;
  /** Bytes queued towards the client; frames wait (and then drop) while this is high. */
  backlogBytes(): number;
}

const BATCH_INTERVAL_MS = 50;
/** How often sync() looks whether libpcap has handed over what the kernel took. */
const SYNC_POLL_MS = 2;
/**
 * The longest sync() waits for the kernel's count to be reached (frames libpcap discards in user space never
 * arrive): the fixed wait the engine used before there was a sync.
 */
export const SYNC_MAX_WAIT_MS = 300;
const MAX_BATCH = 2000;
const DEFAULT_BACKLOG_LIMIT = 8 * 1024 * 1024;
/** Decoded frames waiting for the client, at most (≈ 1 KiB each). */
export const DEFAULT_QUEUE_FRAMES = 20_000;
/** Frames per second the live view takes before bulk traffic is sampled. */
export const DEFAULT_LIVE_FRAMES_PER_SECOND = 2000;
/**
 * Evidence frames decoded per second at most (ARP, LACPDUs … arrive a few per second; a storm of them must not
 * take the CPU the file path needs): beyond this even evidence is sampled, and counted the same way.
 */
export const EVIDENCE_FRAMES_PER_SECOND = 20_000;

export class LiveCapture {
  readonly counters: CaptureCounters = {
    received: 0,
    bytes: 0,
    queueDropped: 0,
    writerDropped: 0,
    sampled: 0,
    malformed: 0,
    written: 0,
  };
  private queue: CapturedFrame[] = [];
  private readonly queueLimit: number;
  private readonly backlogLimit: number;
  private readonly deliver: boolean;
  private readonly liveRate: number;
  /** Token bucket of the live view, refilled by packet time: bulk frames pass while a token is left. */
  private tokens: number;
  private tokensAt = 0;
  /** The same for evidence, at EVIDENCE_FRAMES_PER_SECOND. */
  private evidenceTokens = EVIDENCE_FRAMES_PER_SECOND;
  /** Bulk frames sampled out since the last batch sent to the client. */
  private sampledSinceBatch = 0;
  private readonly batchTimer: NodeJS.Timeout;
  private readonly countersTimer: NodeJS.Timeout;
  private writerFailed: string | undefined;
  private sourceFailed: string | undefined;
  stoppedMs: number | undefined;

  constructor(
    readonly spec: CaptureSpec,
    readonly source: PacketSource,
    private readonly output: CaptureOutput,
    readonly startedMs: number,
    readonly file?: { writer: PcapngWriter; interfaceId: number; path: string },
  ) {
    this.queueLimit = spec.queueFrames ?? DEFAULT_QUEUE_FRAMES;
    this.backlogLimit = spec.clientBacklogBytes ?? DEFAULT_BACKLOG_LIMIT;
    this.deliver = (spec.deliver ?? 'decoded') === 'decoded';
    this.liveRate = spec.liveFramesPerSecond ?? DEFAULT_LIVE_FRAMES_PER_SECOND;
    this.tokens = this.liveRate;
    source.onBatch((batch) => this.onBatch(batch));
    // The interface went away mid-capture: said once; what was captured stays in the file, closed at stop.
    source.onError?.((message) => {
      this.sourceFailed = message;
      output.emit({ type: 'capture.failed', captureId: spec.id, error: `${source.device}: ${message}` });
    });
    this.batchTimer = setInterval(() => this.sendBatches(false), BATCH_INTERVAL_MS);
    this.countersTimer = setInterval(
      () => output.emit({ type: 'counters', captureId: spec.id, counters: this.snapshot() }),
      spec.countersIntervalMs ?? 1000,
    );
  }

  get id(): string {
    return this.spec.id;
  }

  private onBatch(batch: PacketBatch): void {
    const first = this.counters.received + 1;
    this.writeFile(batch);
    const { buffer, count, bytes } = batch;
    let at = 0;
    for (let i = 0; i < count && at + BATCH_HEADER <= bytes; i++) {
      const captured = LITTLE_ENDIAN ? buffer.readUInt32LE(at) : buffer.readUInt32BE(at);
      const wireLength = LITTLE_ENDIAN ? buffer.readUInt32LE(at + 4) : buffer.readUInt32BE(at + 4);
      const start = at + BATCH_HEADER;
      this.counters.bytes += wireLength;
      if (this.deliver) {
        const sec = LITTLE_ENDIAN ? buffer.readUInt32LE(at + 8) : buffer.readUInt32BE(at + 8);
        const nsec = LITTLE_ENDIAN ? buffer.readUInt32LE(at + 12) : buffer.readUInt32BE(at + 12);
        this.offer(buffer.subarray(start, start + captured), first + i, sec, nsec, wireLength);
      }
      at = start + ((captured + 3) & ~3);
    }
    this.counters.received += count;
  }

  /** The file first: the whole batch in one pass, before anything else looks at it. */
  private writeFile(batch: PacketBatch): void {
    if (!this.file) return;
    if (this.writerFailed) {
      this.counters.writerDropped += batch.count;
      return;
    }
    try {
      const { written, dropped } = this.file.writer.writeBatch(this.file.interfaceId, batch);
      this.counters.written += written;
      this.counters.writerDropped += dropped;
    } catch (error) {
      // A full disk must not end the capture: report once, keep delivering to the client.
      this.writerFailed = (error as Error).message;
      this.counters.writerDropped += batch.count;
      this.output.emit(
        agentLog({ key: 'log.agent.captureWriteFailed', vars: { capture: this.id, error: errorPart(error) } }),
      );
    }
  }

  /** Decodes and queues a frame for the client if the live view takes it; counts it otherwise. */
  private offer(data: Buffer, number: number, sec: number, nsec: number, wireLength: number): void {
    const now = sec + nsec / 1e9;
    if (now > this.tokensAt) {
      const elapsed = now - this.tokensAt;
      this.tokens = Math.min(this.liveRate, this.tokens + elapsed * this.liveRate);
      this.evidenceTokens = Math.min(
        EVIDENCE_FRAMES_PER_SECOND,
        this.evidenceTokens + elapsed * EVIDENCE_FRAMES_PER_SECOND,
      );
      this.tokensAt = now;
    }
    const evidence = isEvidence(data);
    if (evidence ? this.evidenceTokens < 1 : this.tokens < 1) {
      this.counters.sampled++;
      this.sampledSinceBatch++;
      return;
    }
    if (evidence) this.evidenceTokens--;
    // Evidence passes within its own budget and uses up the live view's too (down to one second owed): bulk waits.
    this.tokens = Math.max(-this.liveRate, this.tokens - 1);
    if (this.queue.length >= this.queueLimit) {
      this.counters.queueDropped++;
      return;
    }
    const decoded = decodeFrame(data);
    if (decoded.error) this.counters.malformed++;
    const frame = decoded as CapturedFrame;
    frame.captureId = this.id;
    frame.number = number;
    frame.timeMs = pcapTimeToMs(sec, nsec);
    frame.wireLength = wireLength;
    if (this.spec.includeBytes) frame.bytes = hex(data);
    this.queue.push(frame);
  }

  /** Sends queued frames while the client keeps up; at the end (final) everything goes. */
  private sendBatches(final: boolean): void {
    while (this.queue.length > 0 && (final || this.output.backlogBytes() < this.backlogLimit)) {
      const frames = this.queue.length <= MAX_BATCH ? this.queue : this.queue.slice(0, MAX_BATCH);
      this.queue = this.queue.length <= MAX_BATCH ? [] : this.queue.slice(MAX_BATCH);
      const sampled = this.sampledSinceBatch;
      this.sampledSinceBatch = 0;
      this.output.emit({ type: 'frames', captureId: this.id, frames, ...(sampled > 0 ? { sampled } : {}) });
    }
  }

  snapshot(): CaptureCounters {
    const kernel = this.source.stats();
    return {
      ...this.counters,
      ...(kernel ? { kernel } : this.counters.kernel ? { kernel: this.counters.kernel } : {}),
      ...(this.writerFailed ? { writerError: this.writerFailed } : {}),
    };
  }

  /**
   * Hands over every frame the kernel had taken when called, then sends it, and whatever is queued, to the
   * client. The kernel's count is pcap_stats' ps_recv less ps_drop (the kernel counts a frame it dropped for want
   * of ring space as received too: packet(7), PACKET_STATISTICS); frames taken reach us in blocks at most
   * DEFAULT_DELIVERY_MS after the first (TPACKET_V3). Polled every SYNC_POLL_MS until counters.received reaches
   * that count, for at most maxWaitMs; where the kernel gives no counts, 3 × DEFAULT_DELIVERY_MS. Resolves with
   * the counters once the frames are on their way to the client (before any answer sent after it).
   */
  async sync(maxWaitMs = SYNC_MAX_WAIT_MS): Promise<CaptureCounters> {
    const kernel = this.source.stats();
    const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    if (!kernel) await wait(3 * DEFAULT_DELIVERY_MS);
    else {
      const taken = kernel.received - kernel.dropped;
      const deadline = performance.now() + maxWaitMs;
      while (this.counters.received < taken && this.stoppedMs === undefined && performance.now() < deadline)
        await wait(SYNC_POLL_MS);
    }
    if (this.stoppedMs === undefined) this.sendBatches(true);
    return this.snapshot();
  }

  /** Statistics for a pcapng Interface Statistics Block. */
  isbCounters(): { ifRecv?: number; ifDrop?: number; osDrop: number; usrDeliv: number } {
    const counters = this.snapshot();
    return {
      ...(counters.kernel ? { ifRecv: counters.kernel.received, ifDrop: counters.kernel.ifDropped } : {}),
      osDrop: (counters.kernel?.dropped ?? 0) + counters.writerDropped,
      usrDeliv: counters.written,
    };
  }

  /** Stops capturing; remaining frames and final counters go to the client. */
  stop(stoppedMs: number, endTime: PcapTime): CaptureCounters {
    clearInterval(this.batchTimer);
    clearInterval(this.countersTimer);
    // Read libpcap's counters before closing the handle, which forgets them.
    const kernel = this.source.stats();
    if (kernel) this.counters.kernel = kernel;
    this.source.close();
    this.stoppedMs = stoppedMs;
    if (this.file && !this.writerFailed) {
      this.file.writer.writeStatistics({
        interfaceId: this.file.interfaceId,
        time: endTime,
        resolution: this.file.writer.resolution(this.file.interfaceId),
        startTime: msToPcapTime(this.startedMs),
        endTime,
        comment: 'capture ended',
        ...this.isbCounters(),
      });
    }
    this.sendBatches(true);
    if (this.sampledSinceBatch > 0) {
      this.output.emit({ type: 'frames', captureId: this.id, frames: [], sampled: this.sampledSinceBatch });
      this.sampledSinceBatch = 0;
    }
    const counters = { ...this.counters, ...(this.writerFailed ? { writerError: this.writerFailed } : {}) };
    this.output.emit({ type: 'counters', captureId: this.id, counters });
    return counters;
  }

  get writerError(): string | undefined {
    return this.writerFailed;
  }

  /** libpcap's message when reading stopped for good (the interface removed). */
  get sourceError(): string | undefined {
    return this.sourceFailed;
  }
}
