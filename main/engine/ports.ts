/**
 * What the engine needs from the world, as small interfaces. Real implementations: the SSH host control
 * (main/host), the tester agent (main/tester), the power and link drivers (main/drivers).
 */
import type { BondingMode } from '../../shared/bonding/modes.js';
import type { EchoRecord } from '../../shared/measure/echo.js';
import type { ApplyMethod, ModeName, Plan } from '../../shared/plan/plan.js';
import type { CaptureLoss, HostFacts, HostReading, TesterFacts } from '../../shared/run/model.js';
import type { CapturedFrame } from '../../shared/run/samples.js';

export type { CapturedFrame, EchoRecord };

export interface HostSide {
  facts(): Promise<HostFacts>;
  /** Saves the host's original configuration (on the host and in the run folder) before anything changes. */
  saveOriginal(runDir: string): Promise<void>;
  /**
   * Brings the plan's bond up in a mode (or both NICs standalone); a netifrc apply reboots and says how long.
   * Every option is read back from the host (`verified`, as `name=value`); a mismatch throws, naming what differs.
   */
  apply(plan: Plan, mode: ModeName, method: ApplyMethod): Promise<{ rebootMs?: number; verified?: string[] }>;
  read(plan: Plan): Promise<HostReading>;
  /** The bonding driver's view of a slave, for the link driver to confirm a pull or plug. */
  miiStatus(slave: string): Promise<'up' | 'down' | 'unknown'>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export interface Capture {
  /** Decoded frames as they come; `skipped`: frames the live view did not get (sampled), which the files have. */
  onFrames(listener: (frames: CapturedFrame[], skipped: number) => void): void;
  /** A comment block in the pcapng at this point, e.g. "mode balance-alb: pull eth1". */
  comment(text: string): Promise<void>;
  /** Each capture file's counts since the previous checkpoint (or the start): one step's accounting. `file` is the path given to startCapture, or a port mirror's beside it. */
  checkpoint(): Promise<CaptureLoss[]>;
  /** Stops; `files`: each file's counts over the whole capture, `sinceCheckpoint`: after the last checkpoint. */
  stop(): Promise<{ frames: number; files: CaptureLoss[]; sinceCheckpoint: CaptureLoss[] }>;
}

export interface Probe {
  /** Each answered request as it comes, for the live timeline. */
  onSample(listener: (sample: { sentAtMs: number; rttMs: number }) => void): void;
  /** Stops sending and gives every request with its replies. */
  stop(): Promise<EchoRecord[]>;
}

export interface TesterSide {
  facts(): TesterFacts;
  startCapture(file: string): Promise<Capture>;
  /**
   * Starts the echo stream at `rate` per second; `reaskAfterMs` (0: never) is the probe's ARP policy: how long
   * replies may stay away before it asks for the target's MAC again (plan probe.arpPolicy).
   */
  startProbe(target: string, rate: number, options?: { reaskAfterMs: number }): Promise<Probe>;
  close(): Promise<void>;
}

export type { LinkDriver as LinkSide, PowerDriver as PowerSide } from '../drivers/types.js';

export type { BondingMode };
