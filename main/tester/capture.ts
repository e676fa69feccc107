/**
 * One live capture inside the agent: libpcap → pcapng file + decoder → batches for the client. The packet
 * callback never waits: the file writer and the client queue are bounded, and what they cannot take is dropped
 * and counted. cap reuses one buffer for every packet, so each packet is consumed during its callback — copied
 * into the pcapng chunk and decoded into plain values — and nothing keeps a view of that buffer.
 */
import type { CaptureCounters, CapturedFrame, CaptureSpec, TesterEvent } from '../../shared/tester/protocol.js';
import { hex } from '../../shared/wire/bytes.js';
import { decodeFrame } from '../../shared/wire/decode.js';
import type { PcapTime } from '../../shared/wire/pcapng.js';
import type { PacketSource } from './cap.js';
import { msToPcapTime, pcapTimeToMs } from './clock.js';
import type { PcapngWriter } from './pcapng-writer.js';

export interface CaptureOutput {
  emit(event: TesterEvent): void;
  /** Bytes queued towards the client; frames wait (and then drop) while this is high. */
  backlogBytes(): number;
}

const BATCH_INTERVAL_MS = 50;
const MAX_BATCH = 2000;
const DEFAULT_BACKLOG_LIMIT = 8 * 1024 * 1024;

export class LiveCapture {
  readonly counters: CaptureCounters = {
    received: 0,
    bytes: 0,
    queueDropped: 0,
    writerDropped: 0,
    malformed: 0,
    written: 0,
  };
  private queue: CapturedFrame[] = [];
  private readonly queueLimit: number;
  private readonly backlogLimit: number;
  private readonly deliver: boolean;
  private readonly batchTimer: NodeJS.Timeout;
  private readonly countersTimer: NodeJS.Timeout;
  private writerFailed: string | undefined;
  stoppedMs: number | undefined;

  constructor(
    readonly spec: CaptureSpec,
    readonly source: PacketSource,
    private readonly output: CaptureOutput,
    readonly startedMs: number,
    readonly file?: { writer: PcapngWriter; interfaceId: number; path: string },
  ) {
    this.queueLimit = spec.queueFrames ?? 100_000;
    this.backlogLimit = spec.clientBacklogBytes ?? DEFAULT_BACKLOG_LIMIT;
    this.deliver = (spec.deliver ?? 'decoded') === 'decoded';
    source.onPacket((data, sec, nsec, wireLength) => this.onPacket(data, sec, nsec, wireLength));
    this.batchTimer = setInterval(() => this.sendBatches(false), BATCH_INTERVAL_MS);
    this.countersTimer = setInterval(
      () => output.emit({ type: 'counters', captureId: spec.id, counters: this.snapshot() }),
      spec.countersIntervalMs ?? 1000,
    );
  }

  get id(): string {
    return this.spec.id;
  }

  private onPacket(data: Buffer, sec: number, nsec: number, wireLength: number): void {
    const number = ++this.counters.received;
    this.counters.bytes += wireLength;
    if (this.file && !this.writerFailed) {
      try {
        if (this.file.writer.writePacket(this.file.interfaceId, { sec, nsec }, data, wireLength))
          this.counters.written++;
        else this.counters.writerDropped++;
      } catch (error) {
        // A full disk must not end the capture: report once, keep decoding.
        this.writerFailed = (error as Error).message;
        this.output.emit({ type: 'log', level: 'warn', message: `capture ${this.id}: ${this.writerFailed}` });
      }
    } else if (this.file) {
      this.counters.writerDropped++;
    }
    const decoded = decodeFrame(data);
    if (decoded.error) this.counters.malformed++;
    if (!this.deliver) return;
    if (this.queue.length >= this.queueLimit) {
      this.counters.queueDropped++;
      return;
    }
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
      this.output.emit({ type: 'frames', captureId: this.id, frames });
    }
  }

  snapshot(): CaptureCounters {
    const kernel = this.source.stats();
    return {
      ...this.counters,
      ...(kernel ? { kernel } : this.counters.kernel ? { kernel: this.counters.kernel } : {}),
    };
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
    const counters = { ...this.counters };
    this.output.emit({ type: 'counters', captureId: this.id, counters });
    return counters;
  }

  get writerError(): string | undefined {
    return this.writerFailed;
  }
}
