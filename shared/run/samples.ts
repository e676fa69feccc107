/** What the tester hands the engine: decoded frames with their capture port and time, and probe samples. Pure. */
import type { DecodedFrame } from '../wire/types.js';

export interface CapturedFrame {
  /** 1-based frame number in this capture's pcapng. */
  no: number;
  /** The capture port (tester interface or a switch port mirror). */
  port: string;
  /** Wall-clock time of the frame, ms since the epoch (from libpcap's header timestamp). */
  timeMs: number;
  frame: DecodedFrame;
}

export interface ProbeSample {
  sequence: number;
  sentAtMs: number;
  /** Null for a probe that got no reply. */
  rttMs: number | null;
  /** Replies beyond the first (broadcast mode sends each twice). */
  duplicates: number;
  /** Arrival of the first reply, ms since the epoch. */
  receivedAtMs?: number;
  /** Arrived after a later sequence's reply. */
  reordered?: boolean;
}
