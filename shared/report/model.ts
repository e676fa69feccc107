/**
 * The report model: everything a report says about one run, built from the run folder alone (so it can be made
 * again later, elsewhere) and rendered to HTML, Markdown, CSV or JSON. Absent values are null, not missing, so the
 * JSON export has one fixed shape (REPORT_SCHEMA). Display texts are in the model's language; ids stay English.
 * Pure.
 */
import type { Language } from '../api.js';
import type { PulledOutage } from '../oracle/oracle.js';
import type { ModeName } from '../plan/plan.js';
import type {
  ArpCounts,
  BootWire,
  Evidence,
  MatrixColumn,
  RunStatus,
  SlaveReading,
  StepKind,
  Verdict,
} from '../run/model.js';
import type { FailoverStat, SweepSeries } from '../run/stats.js';

export const REPORT_VERSION = 1;

export interface NicRow {
  name: string;
  mac: string;
  permanentMac: string | null;
  driver: string | null;
  speedMbps: number | null;
}

export interface RunFacts {
  id: string;
  planName: string;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  benchVersion: string;
  host: { target: string; kernel: string; distribution: string } | null;
  nics: NicRow[];
  tester: { interface: string; address: string | null; mac: string | null; filter: string; timestamps: string } | null;
  restored: boolean | null;
  error: string | null;
  stepsDone: number;
  totalSteps: number;
}

export interface PlanFacts {
  name: string;
  target: string;
  bond: { name: string; slaves: string[]; address: string; peer: string };
  /** Bonding options as set by the plan, in the plan's order, values as text. */
  options: { name: string; value: string }[];
  modes: ModeName[];
  apply: { method: string; perMode: { mode: ModeName; method: string }[]; netifrcStyle: string };
  probeRate: number;
  /** Echo requests per second during pulls (as the pull steps recorded it), and the probe's ARP policy. */
  pullRate: number;
  arpPolicy: 'passive' | 'os-like';
  reaskAfterMs: number | null;
  steps: string[];
  repeat: number;
  /** Driver types; `switch` only when the plan has a switch driver. */
  drivers: { power: string; link: string; switch?: string };
  /** The plan as YAML, as `bondbench run` would read it again. */
  yaml: string;
}

export interface ReportCell {
  column: MatrixColumn;
  value: string | number | boolean | null;
  /** As shown in the table, in the report's language. */
  text: string;
  verdict: Verdict;
  verdictText: string;
  reason: string;
  evidence: Evidence;
}

export interface ReportRow {
  mode: ModeName;
  modeLabel: string;
  repetition: number;
  /** In a sweep's run: the point this row ran at, e.g. "miimon=50". */
  point?: string;
  /** The matrix's cells in column order; a cell that was not measured is left out. */
  cells: ReportCell[];
  notes: string[];
}

export interface ReportColumn {
  id: MatrixColumn;
  title: string;
}

/** One step's measurements, flat (a row of the steps CSV). */
export interface StepRow {
  index: number;
  repetition: number;
  mode: ModeName;
  kind: StepKind;
  slave: string | null;
  /** The engine's label, as recorded (other rows carry the step's name in the report's language). */
  label: string;
  status: 'ok' | 'failed';
  error: string | null;
  startedAt: string;
  durationMs: number;
  applyMethod: 'runtime' | 'netifrc' | null;
  rebootMs: number | null;
  pcapng: string | null;
  firstFrame: number | null;
  lastFrame: number | null;
  bondMode: string | null;
  bondMac: string | null;
  activeSlave: string | null;
  miimon: number | null;
  slaves: SlaveReading[];
  arpProbe: number | null;
  arpGratuitous: number | null;
  arpRequest: number | null;
  arpReply: number | null;
  learningFrames: number | null;
  unsolicitedNa: number | null;
  lacpdus: number | null;
  droppedFrames: number | null;
  probeRate: number | null;
  sent: number | null;
  received: number | null;
  lost: number | null;
  duplicates: number | null;
  reordered: number | null;
  rttMinMs: number | null;
  rttMedianMs: number | null;
  rttMaxMs: number | null;
  failoverMs: number | null;
  lossConvergenceMs: number | null;
  detectionMs: number | null;
  gapFrameBefore: number | null;
  gapFrameAfter: number | null;
  txShare: Record<string, number> | null;
  portShare: Record<string, number> | null;
}

/** Which step a row is about; `label` names the step in the report's language ("pull eth1"). */
export interface StepHead {
  step: number;
  repetition: number;
  mode: ModeName;
  kind: StepKind;
  label: string;
}

export interface Timeline extends StepHead {
  slave: string | null;
  caption: string;
  rate: number;
  sent: number;
  received: number;
  lost: number;
  duplicates: number;
  rttMs: { min: number; median: number; max: number } | null;
  failoverMs: number | null;
  gapFrames: [number, number] | null;
  pcapng: string | null;
  /** [ms since step start, RTT ms or null for a lost probe]. */
  samples: [number, number | null][];
  markers: { atMs: number; label: string }[];
}

/** One pull's anatomy (shared/measure/anatomy.ts) as the report shows it: instants in ms after carrier off. */
export interface PullRow extends StepHead {
  slave: string;
  pcapng: string | null;
  rate: number;
  carrierOffUncertaintyMs: number;
  /** When the cable went out, ms after carrier off (negative: the NIC reported it later; see PullAnatomy). */
  cableOutMs: number | null;
  confirmedMs: number | null;
  confirmedBy: 'mii' | 'carrier' | null;
  lastReplyBeforeMs: number | null;
  reactionMs: number | null;
  /** The reaction's kind and frame, in the report's language. */
  reaction: string | null;
  reaskMs: number | null;
  firstReplyAfterMs: number | null;
  /** Slave carrying replies (requests) before → after, from the port mirrors. */
  replyPorts: string;
  requestPorts: string;
  gapMs: number;
  lossDerivedMs: number;
  lost: number;
  sentInOutage: number;
  /** First lost request → last lost request + one interval, ms. */
  lossSpanMs: number;
  partial: boolean;
  /** What ended the outage, in the report's language. */
  endedBy: string;
  /** Where the lost probes went, in the report's language. */
  lostPaths: string;
}

export interface ArpRow extends StepHead, ArpCounts {
  pcapng: string | null;
  frames: number[];
  bySource: ({ mac: string } & ArpCounts)[];
}

/** A boot the run went through (netifrc bring-up, reboot or power-cycle step), with what it measured. */
export interface BootRow extends StepHead {
  status: 'ok' | 'failed';
  /** `watchdog`: a power-cycle of a host that stopped answering SSH mid-step, which no plan step asked for. */
  via: 'reboot' | 'power-cycle' | 'watchdog';
  /** The power driver, for a power-cycle or a watchdog's. */
  driver: string | null;
  offSeconds: number | null;
  /** Reboot command or power-on → SSH answered on the new boot, ms. */
  bootMs: number | null;
  /** The bond came up as persisted (null: not checked). */
  persisted: boolean | null;
  differences: string[];
  /** Each slave's link failure count after the boot (/proc/net/bonding). */
  linkFailures: { slave: string; count: number }[];
  /** Watchdog power-cycles this boot needed. */
  recoveries: number;
  /** What the host sent from power-on until the bond was up, per capture port. */
  wire: BootWire[];
  pcapng: string | null;
}

export interface ShareRow extends StepHead {
  /** Host counters before/after the step, or echo replies seen on each switch port. */
  source: 'host-counters' | 'switch-ports';
  shares: { slave: string; share: number }[];
}

export type WarningKind =
  | 'status'
  | 'incomplete'
  | 'not-restored'
  | 'run'
  | 'error'
  | 'step-failed'
  | 'dropped-frames'
  | 'probe-rate';

export interface ReportWarning {
  kind: WarningKind;
  step: number | null;
  text: string;
}

/**
 * One mode's failover outages over every repetition (shared/oracle/oracle.ts outageDistribution), per sweep point
 * in a sweep's run: what the pooled failover cell says, and every pull for the report's plot.
 */
export interface OutageSeries {
  mode: ModeName;
  modeLabel: string;
  /** The sweep point's label, null outside a sweep. */
  point: string | null;
  medianMs: number;
  /** Nearest-rank 95th percentile. */
  p95Ms: number;
  minMs: number;
  maxMs: number;
  /** Probe interval (ms): the resolution of every value. */
  resolutionMs: number;
  /** The oracle's pulls (PulledOutage) with what ended each outage in the report's language. */
  pulls: (Pick<PulledOutage, 'step' | 'repetition' | 'slave' | 'outageMs' | 'partial' | 'verdict'> & {
    endedBy: string;
  })[];
  /** Pull steps left out (the last slave up, not recovered, held too short, no aggregate). */
  excluded: number[];
}

/** A sweep's figures against its points, per mode (shared/run/stats.ts sweepSeries). */
export interface SweepReport {
  /** The swept options with their values, in plan order. */
  axes: { option: string; values: (string | number)[] }[];
  points: { index: number; label: string }[];
  series: SweepSeries[];
}

export interface ReportModel {
  kind: 'bondbench-report';
  version: typeof REPORT_VERSION;
  language: Language;
  title: string;
  run: RunFacts;
  plan: PlanFacts;
  columns: ReportColumn[];
  matrix: ReportRow[];
  failover: FailoverStat[];
  /** Every pull's outage per mode (and sweep point). */
  outages: OutageSeries[];
  pulls: PullRow[];
  timelines: Timeline[];
  arp: ArpRow[];
  boots: BootRow[];
  share: ShareRow[];
  steps: StepRow[];
  warnings: ReportWarning[];
  /** Present for a sweep's run. */
  sweep?: SweepReport;
}
