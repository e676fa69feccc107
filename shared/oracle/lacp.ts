/**
 * The 802.3ad oracle: did LACP negotiate (one aggregator holding every slave, collecting and distributing, with a
 * real partner), and if not, why; and how often each side sends LACPDUs (IEEE 802.1AX: every 1 s when the partner
 * asked for a short timeout, lacp_rate fast; every 30 s otherwise). Pure.
 */
import type { LacpPortState } from '../bonding/lacp.js';
import type { ActiveAggregator, ProcBondStatus, SlaveMiiStatus } from '../bonding/procfs.js';
import type { TimedFrame, TimeWindow } from '../measure/arp.js';
import { inWindow } from '../measure/arp.js';
import type { ReasonPart } from '../run/model.js';
import { sayReason } from './failover.js';

export type LacpOutcome =
  /** One aggregator with every slave, all collecting and distributing, a real partner. */
  | 'negotiated'
  /** Every slave in one aggregator, but the kernel hid the LACP details (read without CAP_NET_ADMIN). */
  | 'aggregated-unverified'
  | 'not-802.3ad'
  | 'no-slaves'
  | 'slaves-down'
  /** No LACPDU from a partner: each slave is its own aggregator. */
  | 'no-partner'
  /** The bond is passive (lacp_active off) and heard no LACPDU: the partner is passive too, or absent. */
  | 'both-passive'
  /** Some slaves have a partner, others none (a cable to a port without LACP). */
  | 'partial-partner'
  /** The slaves reach different partner systems (different switches, or several port-channels). */
  | 'partner-mismatch'
  /** Same partner, but actor or partner keys differ, so the ports cannot share an aggregator. */
  | 'key-mismatch'
  /** The partner marks a port individual (its Aggregation bit is off). */
  | 'individual'
  /** One aggregator, but a port is not (yet) in sync, collecting and distributing. */
  | 'not-in-sync'
  /** Negotiated among the slaves that are up; others are down, so the aggregate is smaller than the bond. */
  | 'shrunk'
  /** The kernel hid what would tell (read without CAP_NET_ADMIN, or an old driver). */
  | 'unknown';

export interface LacpSlaveEvidence {
  name: string;
  miiStatus: SlaveMiiStatus;
  /** As the kernel printed them; null for "Unknown". LACP runs only on full-duplex ports. */
  speedMbps?: number | null;
  duplex?: 'full' | 'half' | null;
  /** null: "Aggregator ID: N/A". */
  aggregatorId: number | null;
  actorKey?: number;
  partnerKey?: number;
  partnerMac?: string;
  actorState?: LacpPortState;
  partnerState?: LacpPortState;
}

export interface LacpEvidence {
  lacpRate?: 'slow' | 'fast';
  lacpActive?: boolean;
  /** null: "has no active aggregator"; absent: not printed. */
  activeAggregator?: ActiveAggregator | null;
  /** Distinct aggregator IDs among the slaves. */
  aggregatorIds: number[];
  slaves: LacpSlaveEvidence[];
}

export interface LacpJudgement {
  negotiated: boolean;
  outcome: LacpOutcome;
  /** One sentence for the report: what was seen and why it means this (English). */
  reason: string;
  /** The same in message keys (`lacpJudge.*`), said in the reader's language by sayReason. */
  reasonParts: ReasonPart[];
  evidence: LacpEvidence;
}

const ZERO_MAC = '00:00:00:00:00:00';

function flags(state: LacpPortState | undefined): string {
  if (!state) return '?';
  const names: [keyof LacpPortState, string][] = [
    ['lacpActivity', 'active'],
    ['lacpTimeout', 'short-timeout'],
    ['aggregation', 'aggregatable'],
    ['synchronization', 'in-sync'],
    ['collecting', 'collecting'],
    ['distributing', 'distributing'],
    ['defaulted', 'defaulted'],
    ['expired', 'expired'],
  ];
  const on = names.filter(([bit]) => state[bit]).map(([, name]) => name);
  return on.length ? on.join(',') : 'none';
}

const operational = (state: LacpPortState | undefined) =>
  !!state && state.synchronization && state.collecting && state.distributing;

function evidenceOf(status: ProcBondStatus): LacpEvidence {
  const slaves = status.slaves.map((slave): LacpSlaveEvidence => {
    const ad = slave.ad;
    const entry: LacpSlaveEvidence = {
      name: slave.name,
      miiStatus: slave.miiStatus,
      aggregatorId: ad?.aggregatorId ?? null,
    };
    if (slave.speedMbps !== undefined) entry.speedMbps = slave.speedMbps;
    if (slave.duplex !== undefined) entry.duplex = slave.duplex;
    if (ad?.actor?.key !== undefined) entry.actorKey = ad.actor.key;
    if (ad?.partner?.key !== undefined) entry.partnerKey = ad.partner.key;
    if (ad?.partner?.systemMac !== undefined) entry.partnerMac = ad.partner.systemMac;
    if (ad?.actor?.portStateBits) entry.actorState = ad.actor.portStateBits;
    if (ad?.partner?.portStateBits) entry.partnerState = ad.partner.portStateBits;
    return entry;
  });
  const aggregatorIds = [...new Set(slaves.map((s) => s.aggregatorId).filter((id): id is number => id !== null))].sort(
    (a, b) => a - b,
  );
  const evidence: LacpEvidence = { aggregatorIds, slaves };
  if (status.ad?.lacpRate) evidence.lacpRate = status.ad.lacpRate;
  if (status.ad?.lacpActive !== undefined) evidence.lacpActive = status.ad.lacpActive;
  if (status.ad && 'activeAggregator' in status.ad) evidence.activeAggregator = status.ad.activeAggregator;
  return evidence;
}

/** A message part of the LACP judge (catalogue `lacpJudge.*`). */
const part = (key: string, vars?: ReasonPart['vars']): ReasonPart => ({
  key: `lacpJudge.${key}`,
  ...(vars ? { vars } : {}),
});

/** "eth1", "eth1 and eth2", "eth1, eth2 and eth3" in the reader's language. */
function list(items: (string | ReasonPart)[]): string | ReasonPart {
  if (items.length <= 1) return items[0] ?? '';
  const head = items.slice(0, -1).reduce((a, b) => part('comma', { a, b }));
  return part('and', { head, last: items[items.length - 1]! });
}

/** "eth1 in 1, eth2 in 2": where each slave is. */
const whereOf = (slaves: LacpSlaveEvidence[]): string | ReasonPart =>
  slaves
    .map((s): string | ReasonPart => part('inAggregator', { slave: s.name, id: s.aggregatorId ?? 'N/A' }))
    .reduce((a, b) => part('comma', { a, b }));

/**
 * Judges 802.3ad negotiation from a parsed /proc/net/bonding/<bond>. The reason is English; `reasonParts` says the
 * same in message keys (`lacpJudge.*`), for the UI and reports in the reader's language.
 */
export function judgeLacp(status: ProcBondStatus): LacpJudgement {
  const evidence = evidenceOf(status);
  const verdict = (outcome: LacpOutcome, reason: ReasonPart): LacpJudgement => ({
    negotiated: outcome === 'negotiated' || outcome === 'aggregated-unverified',
    outcome,
    reason: sayReason('en', [reason]),
    reasonParts: [reason],
    evidence,
  });
  if (status.mode !== '802.3ad') return verdict('not-802.3ad', part('notMode', { mode: status.mode }));
  const slaves = evidence.slaves;
  if (slaves.length === 0) return verdict('no-slaves', part('noSlaves'));
  const up = slaves.filter((s) => s.miiStatus === 'up');
  const down = slaves.filter((s) => s.miiStatus !== 'up');
  if (up.length === 0) return verdict('slaves-down', part('allDown', { slaves: list(slaves.map((s) => s.name)) }));

  const hidden = up.every((s) => !s.partnerState && s.partnerMac === undefined);
  if (hidden) {
    // Without CAP_NET_ADMIN (and on old drivers) only the aggregator IDs show, perhaps the active aggregator.
    // Ports share an aggregator only with a partner that aggregates them, so one shared ID still means LACP
    // worked; the state bits cannot be checked.
    const ids = new Set(up.map((s) => s.aggregatorId));
    const where = whereOf(up);
    const hint = part('hint');
    if (evidence.activeAggregator?.partnerMac === ZERO_MAC) {
      return verdict('no-partner', part('hiddenZeroPartner', { zero: ZERO_MAC, where }));
    }
    if (ids.size === 1 && !ids.has(null) && up.length > 1 && down.length === 0) {
      return verdict(
        'aggregated-unverified',
        part('hiddenShared', { slaves: list(up.map((s) => s.name)), id: [...ids][0]!, hint }),
      );
    }
    if (ids.size === up.length && up.length > 1 && !ids.has(null)) {
      return verdict('no-partner', part('hiddenEachOwn', { where, hint }));
    }
    return verdict('unknown', part('hiddenUnknown', { where, hint }));
  }

  const noPartner = (s: LacpSlaveEvidence) =>
    !s.partnerMac || s.partnerMac === ZERO_MAC || s.actorState?.defaulted === true;
  const lonely = up.filter(noPartner);
  if (lonely.length === up.length) {
    // The driver runs LACP only on full-duplex ports (virtio without speed/duplex, a half-duplex link): such a
    // port sends no LACPDU either, which no partner could answer.
    const notFull = up.filter((s) => s.duplex !== undefined && s.duplex !== 'full');
    const silent = notFull.length
      ? part('notFull', {
          count: notFull.length,
          slaves: list(notFull.map((s) => s.name)),
          duplex: notFull[0]!.duplex ?? 'Unknown',
        })
      : '';
    const passive = evidence.lacpActive === false || up.every((s) => s.actorState && !s.actorState.lacpActivity);
    if (passive) return verdict('both-passive', part('bothPassive', { silent }));
    return verdict(
      'no-partner',
      up.length > 1
        ? part('noPartnerEach', { zero: ZERO_MAC, where: whereOf(up), silent })
        : part('noPartnerOne', { slave: up[0]!.name, zero: ZERO_MAC, silent }),
    );
  }
  if (lonely.length > 0) {
    const answered = up.filter((s) => !noPartner(s));
    return verdict(
      'partial-partner',
      part('partial', {
        count: lonely.length,
        lonely: list(lonely.map((s) => s.name)),
        answered: part('answered', {
          count: answered.length,
          slaves: list(answered.map((s) => `${s.name} (${s.partnerMac})`)),
        }),
      }),
    );
  }
  const systems = [...new Set(up.map((s) => s.partnerMac!))];
  if (systems.length > 1) {
    return verdict(
      'partner-mismatch',
      part('partnerMismatch', { systems: up.map((s) => `${s.name} ${s.partnerMac}`).join(', ') }),
    );
  }
  const individual = up.filter((s) => s.partnerState && !s.partnerState.aggregation);
  if (individual.length > 0) {
    return verdict('individual', part('individual', { slaves: list(individual.map((s) => s.name)) }));
  }
  const upIds = new Set(up.map((s) => s.aggregatorId));
  if (upIds.size > 1 || upIds.has(null)) {
    const where = whereOf(up);
    const actorKeys = new Set(up.map((s) => s.actorKey));
    const partnerKeys = new Set(up.map((s) => s.partnerKey));
    if (actorKeys.size > 1) {
      const keys = up.map((s) => `${s.name} ${s.actorKey}`).join(', ');
      return verdict('key-mismatch', part('actorKeys', { keys, where }));
    }
    if (partnerKeys.size > 1) {
      const keys = up.map((s) => `${s.name} ${s.partnerKey}`).join(', ');
      return verdict('key-mismatch', part('partnerKeys', { keys, where }));
    }
    return verdict('key-mismatch', part('differentAggregators', { where }));
  }
  const stuck = up.filter((s) => !operational(s.actorState) || !operational(s.partnerState));
  if (stuck.length > 0) {
    const ports = stuck.map((s) =>
      part('portState', { slave: s.name, actor: flags(s.actorState), partner: flags(s.partnerState) }),
    );
    return verdict('not-in-sync', part('notInSync', { ports: list(ports) }));
  }
  const aggregatorId = up[0]!.aggregatorId ?? 'N/A';
  const partner = part('partner', { mac: systems[0]!, key: up[0]!.partnerKey ?? '?' });
  if (down.length > 0) {
    return verdict(
      'shrunk',
      part('shrunk', {
        up: up.length,
        total: slaves.length,
        count: down.length,
        down: list(down.map((s) => s.name)),
        slaves: list(up.map((s) => s.name)),
        id: aggregatorId,
        partner,
      }),
    );
  }
  return verdict('negotiated', part('negotiated', { slaves: list(up.map((s) => s.name)), id: aggregatorId, partner }));
}

/** 802.1AX periodic times: fast 1 s, slow 30 s. */
export const LACP_FAST_PERIOD_MS = 1000;
export const LACP_SLOW_PERIOD_MS = 30_000;

export type LacpduRateClass = 'fast' | 'slow' | 'irregular' | 'unknown';

export interface LacpduSender {
  /** The actor system of the LACPDUs (a bond's MAC). */
  system: string;
  count: number;
  /** Times between consecutive LACPDUs, ms. */
  intervalsMs: number[];
  medianIntervalMs?: number;
  /** LACPDUs per second over the window (or over the span between first and last when no window is given). */
  perSecond?: number;
  rate: LacpduRateClass;
  /**
   * The rate the sender should use: fast when its partner asked for a short timeout (the Timeout bit of the
   * partner state the sender itself transmits; from the other side's LACPDUs when the sender was silent).
   */
  expected?: 'fast' | 'slow';
  /** rate agrees with expected; an irregular rate never does. Absent when either is unknown. */
  asExpected?: boolean;
}

export interface LacpduRate {
  slave: string;
  senders: LacpduSender[];
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function classify(medianMs: number | undefined, count: number, windowMs: number | undefined): LacpduRateClass {
  if (medianMs !== undefined) {
    if (medianMs >= LACP_FAST_PERIOD_MS / 2 && medianMs <= LACP_FAST_PERIOD_MS * 3) return 'fast';
    if (medianMs >= LACP_SLOW_PERIOD_MS / 2 && medianMs <= LACP_SLOW_PERIOD_MS * 1.5) return 'slow';
    return 'irregular';
  }
  // One LACPDU or none: a window of three fast periods without a second one rules fast out.
  if (windowMs !== undefined && windowMs >= 3 * LACP_FAST_PERIOD_MS && windowMs < 3 * LACP_SLOW_PERIOD_MS) {
    return count <= 1 ? 'slow' : 'unknown';
  }
  return 'unknown';
}

/**
 * LACPDU rate per slave and per sending system, from the frames captured on each slave's port (a switch port
 * mirror, or a capture on the slave). A partner named in the other side's LACPDUs but silent in the window is
 * listed with count 0.
 */
export function lacpduRates(
  framesBySlave: Readonly<Record<string, readonly TimedFrame[]>>,
  window: TimeWindow = {},
): LacpduRate[] {
  const windowMs =
    window.fromMs !== undefined && window.toMs !== undefined ? Math.max(0, window.toMs - window.fromMs) : undefined;
  return Object.entries(framesBySlave).map(([slave, frames]) => {
    const pdus = frames.filter((f) => f.lacp && inWindow(f.timeMs, window)).sort((a, b) => a.timeMs - b.timeMs);
    const bySystem = new Map<string, TimedFrame[]>();
    for (const pdu of pdus) {
      const system = pdu.lacp!.actor.system;
      bySystem.set(system, [...(bySystem.get(system) ?? []), pdu]);
    }
    // What each side asked the other for: a silent partner can still be judged against it.
    const askedOf = new Map<string, 'fast' | 'slow'>();
    for (const pdu of pdus) {
      const { actor, partner } = pdu.lacp!;
      if (partner.system !== ZERO_MAC)
        askedOf.set(partner.system, actor.state.lacpTimeout === 'short' ? 'fast' : 'slow');
    }
    const senders: LacpduSender[] = [...bySystem.entries()].map(([system, own]) => {
      const times = own.map((f) => f.timeMs);
      const intervalsMs = times.slice(1).map((t, i) => t - times[i]!);
      const medianIntervalMs = median(intervalsMs);
      const span = windowMs ?? (times.length > 1 ? times[times.length - 1]! - times[0]! : undefined);
      const last = own[own.length - 1]!.lacp!;
      const expected: 'fast' | 'slow' | undefined =
        last.partner.system === ZERO_MAC
          ? askedOf.get(system)
          : last.partner.state.lacpTimeout === 'short'
            ? 'fast'
            : 'slow';
      const sender: LacpduSender = {
        system,
        count: own.length,
        intervalsMs,
        rate: classify(medianIntervalMs, own.length, windowMs),
      };
      if (medianIntervalMs !== undefined) sender.medianIntervalMs = medianIntervalMs;
      if (span) sender.perSecond = ((windowMs !== undefined ? own.length : own.length - 1) * 1000) / span;
      if (expected) sender.expected = expected;
      if (expected && sender.rate !== 'unknown') sender.asExpected = sender.rate === expected;
      return sender;
    });
    for (const [system, expected] of askedOf) {
      if (bySystem.has(system)) continue;
      const rate = classify(undefined, 0, windowMs);
      const silent: LacpduSender = { system, count: 0, intervalsMs: [], rate, expected };
      if (windowMs) silent.perSecond = 0;
      if (rate !== 'unknown') silent.asExpected = rate === expected;
      senders.push(silent);
    }
    return { slave, senders };
  });
}
