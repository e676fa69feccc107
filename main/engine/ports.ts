/**
 * What the engine needs from the world, as small interfaces. Real implementations: the SSH host control
 * (main/host), the tester agent (main/tester), the power and link drivers (main/drivers).
 */
import type { BondingMode } from '../../shared/bonding/modes.js';
import type { EchoRecord } from '../../shared/measure/echo.js';
import type { ApplyMethod, ModeName, Plan } from '../../shared/plan/plan.js';
import type {
  BootRecord,
  CaptureLoss,
  HostFacts,
  HostReading,
  PersistedCheck,
  TesterFacts,
} from '../../shared/run/model.js';
import type { CapturedFrame } from '../../shared/run/samples.js';
import type { LoadOutcome, LoadRequest } from '../lab/load.js';
import type { BootRequest } from './boot.js';

export type { CapturedFrame, EchoRecord };

export interface HostSide {
  facts(): Promise<HostFacts>;
  /** Saves the host's original configuration (on the host and in the run folder) before anything changes. */
  saveOriginal(runDir: string): Promise<void>;
  /**
   * Brings the plan's bond up in a mode (or both NICs standalone); a netifrc apply boots the host as `boot`
   * says (reboot or power-cycle, with the watchdog) and returns the boot as measured. Every option is read back
   * from the host (`verified`, as `name=value`); a mismatch throws, naming what differs. `onUp` is called when
   * the bond is up (runtime: the configuration script returned; netifrc: the host answered SSH on the new boot),
   * before the read-back: what the host sends from then on is the bring-up's, whatever the bench still checks.
   */
  apply(plan: Plan, mode: ModeName, method: ApplyMethod, boot?: BootOptions, onUp?: () => void): Promise<ApplyOutcome>;
  /** Reboots or power-cycles the host and waits for SSH on a new boot, with the watchdog. */
  boot(options: BootOptions): Promise<BootRecord>;
  /** The running bond against the mode's persisted (netifrc) configuration. */
  persisted(plan: Plan, mode: ModeName): Promise<PersistedCheck>;
  read(plan: Plan): Promise<HostReading>;
  /** The bonding driver's view of a slave, for the link driver to confirm a pull or plug. */
  miiStatus(slave: string): Promise<'up' | 'down' | 'unknown'>;
  /**
   * How to power-cycle a host that stops answering SSH in the middle of the run (the watchdog, with the plan's
   * timeouts): a step it happens in fails, the run goes on with the next mode; without it such a host fails steps.
   */
  setWatchdog?(options: WatchdogOptions): void;
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** What the engine says about a boot: the host side adds the rollback. */
export type BootOptions = Omit<BootRequest, 'rollbackSeconds'>;

/** What the watchdog needs to power-cycle a host that stopped answering mid-run: a boot request without `via`. */
export type WatchdogOptions = Omit<BootOptions, 'via'>;

export interface ApplyOutcome {
  rebootMs?: number;
  /** The options read back from the host after the bring-up, as `name=value`. */
  verified?: string[];
  boot?: BootRecord;
  /** The bring-up's read-back after the boot found differences: the step fails with this. */
  mismatch?: string;
}

export interface Capture {
  /** Decoded frames as they come; `skipped`: frames the live view did not get (sampled), which the files have. */
  onFrames(listener: (frames: CapturedFrame[], skipped: number) => void): void;
  /** A comment block in the pcapng at this point, e.g. "mode balance-alb: pull eth1". */
  comment(text: string): Promise<void>;
  /**
   * The end of a step: every frame captured until now has reached the onFrames listeners when it resolves (the
   * tester hands over what the kernel holds, not a fixed wait), with each capture file's counts since the previous
   * checkpoint (or the start). `file` is the path given to startCapture, or a port mirror's beside it.
   */
  checkpoint(): Promise<CaptureLoss[]>;
  /**
   * The first capture port whose reading stopped for good (its interface removed or gone down), with the
   * tester's message; undefined while every port captures. Its file keeps what came before.
   */
  failure?(): { port: string; file: string; error: string } | undefined;
  /** Stops; `files`: each file's counts over the whole capture, `sinceCheckpoint`: after the last checkpoint. */
  stop(): Promise<{ frames: number; files: CaptureLoss[]; sinceCheckpoint: CaptureLoss[] }>;
}

export interface Probe {
  /** Each answered request as it comes, for the live timeline. */
  onSample(listener: (sample: { sentAtMs: number; rttMs: number }) => void): void;
  /** Stops sending and gives every request with its replies. */
  stop(): Promise<EchoRecord[]>;
}

/** The tester as many peers (a load step); the lab's is main/lab/load.ts. */
export interface LoadSide {
  /** Sends the step's flows to `target` and resolves when they have ended, the peers removed again. */
  run(target: string, request: LoadRequest): Promise<LoadOutcome>;
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

export type {
  LinkDriver as LinkSide,
  PowerDriver as PowerSide,
  SwitchDriver as SwitchSide,
} from '../drivers/types.js';

export type { BondingMode };
