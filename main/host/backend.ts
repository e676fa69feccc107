/** The one interface both configuration backends implement: plan → apply → verify → restore. */
import { type BondConfig, type BondRequest, mismatchPart, type OptionMismatch } from '../../shared/bonding/options.js';
import type { ProcBondStatus } from '../../shared/bonding/procfs.js';
import type { ConfStyle } from '../../shared/netifrc/editor.js';
import { sayReason } from '../../shared/oracle/failover.js';
import { joinParts } from '../../shared/run/failure.js';
import type { ReasonPart } from '../../shared/run/model.js';
import type { LiveBondState } from './system.js';

export type BackendKind = 'runtime' | 'netifrc';

/** A file the plan writes (text: /etc/conf.d/net is bash). */
export interface PlannedFile {
  path: string;
  /** undefined: the file does not exist yet. */
  before?: string;
  after: string;
}

/** A symlink the plan makes (net.bond0 → net.lo, the runlevel entry). */
export interface PlannedLink {
  path: string;
  target: string;
  /** What is there now: the link's target, or undefined if nothing. */
  current?: string;
}

export interface BondPlan {
  backend: BackendKind;
  /** The host, as its SSH label. */
  host: string;
  config: BondConfig;
  style?: ConfStyle;
  /** What the plan will do, one line per step, in words. */
  steps: string[];
  /** Adjustments and warnings (delays rounded to miimon, options without effect in this mode). */
  notes: string[];
  /** The bond and its neighbours when the plan was made. */
  before: LiveBondState;
  /** runtime: the script apply() runs (built from validated values only). */
  script?: string;
  /** netifrc: files and links apply() writes. */
  files?: PlannedFile[];
  links?: PlannedLink[];
  /** netifrc: takes effect at the next boot. */
  requiresReboot: boolean;
  createdAt: string;
}

export interface ApplyResult {
  /** The backup taken just before the change (what a rollback returns to). */
  backupId: string;
  hostBackupDir: string;
  localBackupDir?: string;
  /** The host's boot when it was applied (netifrc: verify the live bond only after another boot). */
  bootId: string;
  durationMs: number;
}

export interface VerifyResult {
  /** What was compared, e.g. "mode=active-backup". */
  checked: string[];
  /** The bond as the kernel reports it afterwards (runtime, or netifrc after a reboot). */
  status?: ProcBondStatus;
  /** netifrc before a reboot: the files are right, the running bond is not expected to match yet. */
  liveSkipped?: string;
}

export interface RestoreResult {
  backupId: string;
  files: string[];
  bondState: 'restored' | 'removed' | 'unchanged';
  source: 'host' | 'local';
}

export interface BondBackend {
  readonly kind: BackendKind;
  plan(request: BondRequest, options?: { style?: ConfStyle }): Promise<BondPlan>;
  /**
   * Applies a plan. `current`: the host's state read just before by the same caller (configure passes the plan's
   * own reading); read again when omitted, since the host may have changed since the plan was made.
   */
  apply(plan: BondPlan, options?: { runDir?: string; current?: LiveBondState }): Promise<ApplyResult>;
  verify(plan: BondPlan, options?: { live?: boolean }): Promise<VerifyResult>;
  restore(options?: { runDir?: string }): Promise<RestoreResult>;
}

/**
 * A plan the host control will not carry out. Given a `hostRefusal.*` key and values, the message is that key's
 * English and `parts` carry it to the UI and reports in their language; given a plain message, it is English only.
 */
export class PlanRefusedError extends Error {
  readonly parts?: ReasonPart[];
  constructor(message: string | { key: string; vars: Record<string, string | ReasonPart> }) {
    const parts = typeof message === 'string' ? undefined : [{ key: `hostRefusal.${message.key}`, vars: message.vars }];
    super(parts ? sayReason('en', parts) : (message as string));
    this.name = 'PlanRefusedError';
    if (parts) this.parts = parts;
  }
}

/** The plan would cut the branch BondBench sits on: the interface or route of its own SSH session. */
export class ManagementPathError extends PlanRefusedError {
  constructor(message: string | { key: string; vars: Record<string, string | ReasonPart> }) {
    super(message);
    this.name = 'ManagementPathError';
  }
}

export class VerifyError extends Error {
  constructor(
    readonly host: string,
    readonly mismatches: OptionMismatch[],
  ) {
    const parts = [{ key: 'hostRefusal.verify', vars: { host, mismatches: joinParts(mismatches.map(mismatchPart)) } }];
    super(sayReason('en', parts));
    this.name = 'VerifyError';
    this.parts = parts;
  }
  /** The message in parts (`hostRefusal.verify` with each mismatch's `persisted.*` part). */
  readonly parts: ReasonPart[];
}

/** A remote step failed; `option` names the bonding option when it was a sysfs write. */
export class ApplyError extends Error {
  constructor(
    readonly host: string,
    readonly step: string,
    readonly option: string | undefined,
    detail: string,
  ) {
    const what: ReasonPart = option
      ? { key: 'hostRefusal.setting', vars: { option } }
      : { key: 'hostRefusal.step', vars: { step } };
    const parts: ReasonPart[] = [
      detail
        ? { key: 'hostRefusal.applyFailedDetail', vars: { host, what, detail } }
        : { key: 'hostRefusal.applyFailed', vars: { host, what } },
    ];
    super(sayReason('en', parts));
    this.name = 'ApplyError';
    this.parts = parts;
  }
  /** The message in parts; the kernel's or the shell's own words (`detail`) stay a value. */
  readonly parts: ReasonPart[];
}
