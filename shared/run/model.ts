/**
 * What a run folder holds, as types. The engine writes it as it goes; reports, comparison and the UI read it.
 *
 *   run.json         RunManifest (rewritten atomically as the run advances)
 *   plan.yaml        the plan as run
 *   steps.jsonl      one StepRecord per finished step, appended
 *   capture/*.pcapng one file per repetition and mode, a comment block per step
 *   log.txt          what happened, line by line
 * Pure.
 */

import type { PullAnatomy } from '../measure/anatomy.js';
import type { LoadSpread } from '../measure/load.js';
import type { ModeName, StepSpec } from '../plan/plan.js';

export const RUN_FORMAT = 1;

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface NicFact {
  name: string;
  mac: string;
  permanentMac?: string;
  driver?: string;
  speedMbps?: number;
}

export interface HostFacts {
  target: string;
  kernel: string;
  distribution: string;
  nics: NicFact[];
}

export interface TesterFacts {
  interface: string;
  address?: string;
  mac?: string;
  filter: string;
  timestamps: string;
}

export interface RunManifest {
  format: typeof RUN_FORMAT;
  id: string;
  benchVersion: string;
  planName: string;
  startedAt: string;
  finishedAt?: string;
  status: RunStatus;
  host?: HostFacts;
  tester?: TesterFacts;
  /** Steps planned in all, for progress. */
  totalSteps: number;
  /** Whether the host's original configuration was put back at the end. */
  restored?: boolean;
  /** In English, as log.txt has them. */
  warnings: string[];
  /** The warnings in message parts (`runWarning.*`), index for index; null where a warning has none (said as written). */
  warningParts?: (ReasonPart[] | null)[];
  /** In English. */
  error?: string;
  /** The error in message parts, when the run said it in its own words (not a message caught from outside). */
  errorParts?: ReasonPart[];
}

export type StepKind = 'bring-up' | StepSpec['kind'];

export interface SlaveReading {
  name: string;
  mac: string;
  permanentMac?: string;
  mii: string;
  linkFailures?: number;
  aggregatorId?: number;
  txPackets: number;
  rxPackets: number;
}

/** The host as read after a step: what `ifconfig` and /proc/net/bonding/bond0 showed in the write-up. */
export interface HostReading {
  at: string;
  bondMode?: string;
  bondMac?: string;
  activeSlave?: string;
  miimon?: number;
  slaves: SlaveReading[];
  /** 802.3ad: the negotiation as judged from /proc/net/bonding (shared/oracle/lacp.ts). */
  lacp?: {
    partnerMac?: string;
    aggregators: number;
    lacpRate?: string;
    negotiated: boolean;
    outcome: string;
    reason: string;
    /** The reason in message keys (shared/oracle/lacp.ts); absent in runs recorded before it was kept. */
    reasonParts?: ReasonPart[];
  };
}

export interface ArpCounts {
  probe: number;
  gratuitous: number;
  request: number;
  reply: number;
}

export interface ProbeStats {
  /** The plan's rate, requests per second. */
  rate: number;
  /**
   * The rate the probe achieved: requests that left the tester per second, between the first and the last request
   * (libpcap's timestamps of the requests leaving; the agent's clock for any libpcap did not see). Below the plan's
   * rate by more than PROBE_RATE_TOLERANCE, the run says so (shared/run/capture-loss.ts probeFellShort).
   */
  achievedRate?: number;
  sent: number;
  received: number;
  lost: number;
  duplicates: number;
  reordered: number;
  rttMs?: { min: number; median: number; max: number };
  /** Longest gap in echo replies around a pull (ms), resolution 1/rate. */
  failoverMs?: number;
  /** RFC 6413 loss-derived convergence time: lost ÷ offered rate (ms). */
  lossConvergenceMs?: number;
  /** Carrier-off instant → first reply on the surviving slave, when the pull's instant is known. */
  detectionMs?: number;
  /** Frame numbers (in the step's pcapng) of the last reply before and first reply after the longest gap. */
  gapFrames?: [number, number];
  /** A pull's anatomy: instants, the bond's reaction, what ended the outage (shared/measure/anatomy.ts). */
  anatomy?: PullAnatomy;
  /** [ms since step start, rtt ms or null for a lost probe], for the timeline. */
  samples: [number, number | null][];
  /** Events on the same clock: pulls, plugs, reboots. */
  markers: { atMs: number; label: string }[];
}

export interface StepMeasurements {
  /** ARP frames from the host (bond or slave MACs), by class. */
  arp: ArpCounts;
  arpBySource: Record<string, ArpCounts>;
  /** Frame numbers of those ARP frames, the evidence. */
  arpFrames: number[];
  /** Source MACs the tester saw for frames from the bond's IP. */
  bondIpMacs: string[];
  /** Per-slave share of transmitted packets, from host counters before/after (0–1). */
  txShare?: Record<string, number>;
  /** Per-slave share of the echo replies seen on each switch port (port mirrors). */
  portShare?: Record<string, number>;
  /** tlb/alb learning frames (ethertype 0x9000) seen. */
  learningFrames: number;
  /** Unsolicited IPv6 neighbour advertisements seen. */
  unsolicitedNa: number;
  lacpdus: number;
  probe?: ProbeStats;
  /** Frames of this step missing from its capture files: kernel and writer drops of every CaptureLoss. */
  droppedFrames: number;
  /** A load step: what the peers sent and how the bond spread its replies over the slaves (port mirrors). */
  load?: LoadRun & LoadSpread;
}

/** What a load step ran: its peers' addresses, its length (s), and per flow what was sent and answered. */
export interface LoadRun {
  peerAddresses: string[];
  seconds: number;
  sent: number;
  received: number;
}

/**
 * What one capture file lost in one step (or, at a capture's end, over its whole run): frames the port carried
 * that are not in the file, and where they were lost. From libpcap's pcap_stats (Linux: the packet socket's
 * tp_drops and the interface's rx drop counter since the capture opened) and the agent's own writer counters,
 * read at the step's end, minus the same at the previous step's end.
 */
export interface CaptureLoss {
  /** The pcapng file, relative to the run folder, e.g. "capture/r1-active-backup-eth1.pcapng". */
  file: string;
  /** The capture device (the tester port or a switch port mirror). */
  port: string;
  /** Frames libpcap handed to the agent in the period. */
  received: number;
  /** Of those, frames written to the file. */
  written: number;
  /** Frames the kernel dropped before libpcap (its capture buffer was full: ps_drop). */
  kernelDropped: number;
  /**
   * The interface's own receive drops (ps_ifdrop; Linux, in promiscuous mode: /proc/net/dev "drop" since the
   * capture opened). The NIC or driver losing frames before any capture shows here; so, on Linux, do frames the
   * stack discarded after capture had them (a protocol nothing on the tester handles), which the file does have.
   * Reported beside the losses, not counted in them.
   */
  interfaceDropped: number;
  /** Frames libpcap delivered that are not in the file (the disk fell behind, or writing failed). */
  writerDropped: number;
  /** Frames the live view skipped (sampled under overload, or the client fell behind); the file has them. */
  liveSkipped: number;
  /** Why writing stopped, when it did (e.g. the disk is full). */
  writerError?: string;
}

/** Frames that reached the capture but are missing from its file: kernel and writer drops. */
export function framesMissing(loss: CaptureLoss): number {
  return loss.kernelDropped + loss.writerDropped;
}

/**
 * One boot of the host, as a step measured it. Times are wall-clock on the bench (performance.now(), ms
 * resolution) from the reboot command or the power-on to the first SSH login that read a new boot id
 * (/proc/sys/kernel/random/boot_id), so they include SSH's own handshake (tens of ms).
 */
export interface BootRecord {
  /** `reboot` typed over SSH, or the power driver's off, offSeconds, on. */
  via: 'reboot' | 'power-cycle';
  /**
   * The watchdog's power-cycle of a host that stopped answering SSH in the middle of a step (main/engine/boot.ts
   * recoverHost): no plan step asked for this boot.
   */
  watchdog?: boolean;
  /** The power driver's name (power-cycle only). */
  driver?: string;
  offSeconds?: number;
  /** Reboot command sent, or power switched back on → SSH answered on the new boot, ms. */
  bootMs?: number;
  /** SSH logins tried until one answered. */
  attempts?: number;
  bootId?: string;
  /**
   * The bond after the boot against the configuration on disk (the mode's netifrc bring-up): the differences
   * HostControl.verify found, [] when the bond came up as persisted; absent when not checked.
   */
  persisted?: PersistedCheck;
  /** What the host sent from the power-on (or reboot command) until the bond was up, per capture port. */
  wire?: BootWire[];
  /** Power-cycles the watchdog needed because SSH did not answer within timeouts.rebootSeconds. */
  recoveries?: RecoveryRecord[];
}

/** The host's frames on one capture port during a boot (see shared/run/boot-wire.ts). */
export interface BootWire {
  /** `tester`, or the slave whose switch port is mirrored. */
  port: string;
  frames: number;
  arpProbe: number;
  arpGratuitous: number;
  /** ARP requests and replies that are neither. */
  arpOther: number;
  lacpdus: number;
  learningFrames: number;
}

/** One watchdog power-cycle of a host that did not come back. */
export interface RecoveryRecord {
  /** 1-based try. */
  attempt: number;
  at: string;
  /** Why: what the wait for SSH last saw. */
  reason: string;
  /** Power back on → SSH answered, ms; absent when this try did not bring it back. */
  bootMs?: number;
  outcome: 'back' | 'still-down' | 'power-failed';
}

export interface StepRecord {
  index: number;
  /** The sweep point (index into sweepPoints(plan)) the step ran at, in a sweep's run. */
  point?: number;
  repetition: number;
  mode: ModeName;
  kind: StepKind;
  slave?: string;
  label: string;
  startedAt: string;
  durationMs: number;
  status: 'ok' | 'failed';
  error?: string;
  /** The error in message parts (shared/run/failure.ts errorPart), for the reader's language; English is `error`. */
  errorParts?: ReasonPart[];
  /** How the mode was brought up; `verified` lists the sysfs options read back from the host (`name=value`). */
  apply?: { method: 'runtime' | 'netifrc'; rebootMs?: number; verified?: string[] };
  /**
   * A bring-up's switch side (plan drivers.switch): what the mode asks of the switch (bonding.rst §5), where the
   * slaves ended, how long configuring took (ms), and for 802.3ad on an LACP port-channel how long after the bond
   * came up LACP negotiated (ms; absent when it did not within the bench's wait).
   */
  switch?: { driver: string; channel: 'lacp' | 'static' | 'none'; attachedTo: string; ms: number; lacpMs?: number };
  /** The boot this step went through (a netifrc bring-up, a reboot or a power-cycle step). */
  boot?: BootRecord;
  /** Relative to the run folder. */
  pcapng?: string;
  /** 1-based frame numbers of this step in that pcapng (tshark's numbering). */
  frames?: { first: number; last: number };
  /** Each capture file's counts for this step (files of the tester port and the port mirrors). */
  capture?: CaptureLoss[];
  reading?: HostReading;
  measurements?: StepMeasurements;
}

export type Verdict = 'expected' | 'unexpected' | 'not-measurable';

export interface Evidence {
  pcapng?: string;
  frames?: number[];
  steps?: number[];
  readings?: string[];
}

/** The running bond against the configuration on disk, after a boot (HostSide.persisted). */
export interface PersistedCheck {
  matches: boolean;
  /** In English, e.g. `mode is "balance-rr", expected "active-backup"`; [] when it came up as persisted. */
  differences: string[];
  /** The differences in message parts (`persisted.*`), index for index; absent in runs recorded before them. */
  differenceParts?: ReasonPart[];
}

/** One piece of a reason as a message key (shared/i18n/catalogue.ts) and its values; a value may be a part itself. */
export interface ReasonPart {
  key: string;
  vars?: Record<string, string | number | ReasonPart>;
}

export interface Cell<T = string | number | boolean | null> {
  value: T;
  /** Shown in the table, e.g. "83:07:9c" or "112 ms". */
  text: string;
  verdict: Verdict;
  /** In English; when reasonParts is set, the report says those in its own language instead. */
  reason: string;
  reasonParts?: ReasonPart[];
  /** The cell's text as message parts, when it is more than a value (e.g. partial loss). */
  textParts?: ReasonPart[];
  evidence: Evidence;
}

export const MATRIX_COLUMNS = [
  'eth1Mac',
  'eth2Mac',
  'arpAtBoot',
  'loadBalancing',
  'faultTolerance',
  'failoverMs',
] as const;
export type MatrixColumn = (typeof MATRIX_COLUMNS)[number];

/**
 * The repetition of a mode's pooled row (shared/oracle/oracle.ts pooledRow): the mode over every repetition of a run
 * with plan.repeat > 1, its failover and fault tolerance cells judged on the distribution.
 */
export const ALL_REPETITIONS = 0;

export interface MatrixRow {
  mode: ModeName;
  /** 1-based; ALL_REPETITIONS for the pooled row. */
  repetition: number;
  /** The sweep point (index into sweepPoints(plan)) in a sweep's run. */
  point?: number;
  cells: Partial<Record<MatrixColumn, Cell>>;
  /** In English. */
  notes: string[];
  /** The notes in message parts, index for index (undefined where a note has none: said as written). */
  noteParts?: (ReasonPart[] | undefined)[];
}
