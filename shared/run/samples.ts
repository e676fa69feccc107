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
