/**
 * What the bonding driver does when a slave's cable is pulled, mode by mode, with the bond's own settings, and the
 * verdict on one pull's anatomy (shared/measure/anatomy.ts): which event ended the outage and whether its timing
 * fits what the driver allows. Every reason is a message key (namespace `failover.`) with its values. Pure.
 *
 * Sources: Documentation/networking/bonding.rst — "Link Monitoring" (MII monitor: miimon, downdelay; ARP monitor:
 * arp_interval, missed_max 2), "Bonding Driver Options" (num_grat_arp, lp_interval, lacp_rate, fail_over_mac), the
 * mode descriptions (balance-rr … balance-alb); drivers/net/bonding/bond_main.c and include/net/bonding.h
 * (bond_slave_can_tx(): a slave whose carrier is off is skipped at once by balance-rr, and by the xmit-hash modes
 * when the slave array is rebuilt on NETDEV_CHANGE); bond_alb.c (ALB_TIMER_TICKS_PER_SEC 10, RLB_UPDATE_DELAY 2 s,
 * learning frames at the MAC swap); IEEE 802.1AX-2014 §6.4.4 (short/long timeout: 3 missed LACPDUs, 3 s / 90 s).
 */
import type { Language } from '../api.js';
import { DRIVER_DEFAULTS } from '../bonding/options.js';
import { t } from '../i18n/catalogue.js';
import type { PullAnatomy, ReactionKind } from '../measure/anatomy.js';
import { type BondOptions, type ModeName, modeOptions, type Plan } from '../plan/plan.js';
import type { ReasonPart, Verdict } from '../run/model.js';

/** Scheduling of the driver's work items and the tester's own timing (a kernel under emulation is slower). */
export const TIMER_SLACK_MS = 50;
/** bond_alb.c: the ALB monitor runs ALB_TIMER_TICKS_PER_SEC = 10 times a second. */
export const ALB_TICK_MS = 100;
/** bond_alb.c RLB_UPDATE_DELAY: ARP updates wait 2 s after an ARP request passed through the bond. */
export const RLB_UPDATE_DELAY_MS = 2000;
/** bonding.rst "arp_missed_max": an ARP-monitored slave is down after this many intervals without traffic. */
const ARP_MISSED_MAX = 2;

export interface Monitoring {
  miimon: number;
  arpInterval: number;
  downdelay: number;
  /** False with miimon 0 and arp_interval 0: the driver never marks a slave down (bonding.rst "Link Monitoring"). */
  monitored: boolean;
  /** The longest the monitor may take to declare a pulled slave down, ms (Infinity when unmonitored). */
  detectionMs: number;
}

/** The bond's link monitoring as the plan sets it (miimon defaults to 100 ms, as the bench applies it). */
export function linkMonitoring(options: BondOptions): Monitoring {
  const arpInterval = options.arp_interval ?? 0;
  const miimon = options.miimon ?? (arpInterval > 0 ? 0 : DRIVER_DEFAULTS.miimon);
  const downdelay = options.downdelay ?? 0;
  const monitored = miimon > 0 || arpInterval > 0;
  const detectionMs = miimon > 0 ? miimon + downdelay : arpInterval > 0 ? arpInterval * (ARP_MISSED_MAX + 1) : Infinity;
  return { miimon, arpInterval, downdelay, monitored, detectionMs };
}

/** True when the bond will notice a dead slave by itself (MII or ARP monitoring). */
export function bondMonitors(options: BondOptions): boolean {
  return linkMonitoring(options).monitored;
}

/**
 * What a plan's bond options mean for failover that the user should hear before running it: a bond with neither
 * MII nor ARP monitoring never marks a slave down (bonding.rst "Link Monitoring"), so only balance-rr/xor and
 * broadcast, which skip a slave whose carrier is off, survive a pull.
 */
export function failoverWarnings(plan: Plan): ReasonPart[] {
  const unmonitored = plan.modes.filter(
    (mode) => mode !== 'standalone' && !linkMonitoring(modeOptions(plan, mode)).monitored,
  );
  return unmonitored.length ? [{ key: 'failover.warn.noMonitoring', vars: { modes: unmonitored.join(', ') } }] : [];
}

export interface PullContext {
  mode: ModeName;
  options: BondOptions;
  anatomy: PullAnatomy;
  /** Slaves still up after this pull (in plan order); for 802.3ad, those in the pulled slave's aggregator. */
  slavesLeft: string[];
  /** 802.3ad: slaves up (MII) but outside the pulled slave's aggregator when it was pulled (not yet re-aggregated). */
  unaggregated?: string[];
  /** How long the step held the cable out, s. */
  holdSeconds: number;
  /** False when the switch side keeps carrier (host-ifdown): an LACP partner then waits for its timeout. */
  physical: boolean;
  /** The tester's address, named when the bond re-points it. */
  peer: string;
  /** What the switch side of the mode was (the bring-up's switch driver record), when one was told. */
  switchChannel?: 'lacp' | 'static' | 'none';
}

export interface PullVerdict {
  verdict: Verdict;
  /** Why, as message parts (joined with "; "): the event that ended the outage, then the rule it was held to. */
  reason: ReasonPart[];
  /** What the rule allows for recovery after carrier off, ms. */
  boundMs?: number;
  /** The pull ended an outage the bond had to cover (not the last slave, not standalone). */
  counts: boolean;
  recovered: boolean;
}

const reactionKey = (kind: ReactionKind) => `failover.kind.${kind}`;
const ms = (v: number) => (Number.isFinite(v) ? Math.round(v) : '∞');

/** The rule a pull is held to: the bound on recovery and the message that says where it comes from. */
function rule(context: PullContext, monitoring: Monitoring): { boundMs: number; part: ReasonPart } {
  const { mode, options, anatomy } = context;
  const slack = TIMER_SLACK_MS + 2 * anatomy.intervalMs + anatomy.carrierOffUncertaintyMs;
  const vars = { miimon: monitoring.miimon, downdelay: monitoring.downdelay, slack: ms(slack) };
  const detect = monitoring.detectionMs;
  switch (mode) {
    case 'active-backup':
      return {
        boundMs: detect + slack,
        part: { key: 'failover.rule.activeBackup', vars: { ...vars, garp: options.num_grat_arp ?? 1 } },
      };
    case 'balance-rr':
    case 'balance-xor':
      // Carrier loss takes the slave out of transmission at once; the MII monitor is only the latest bound.
      return {
        boundMs: (monitoring.monitored ? detect : 0) + slack,
        part: { key: 'failover.rule.hash', vars: { ...vars, mode } },
      };
    case 'broadcast':
      return { boundMs: (monitoring.monitored ? detect : 0) + slack, part: { key: 'failover.rule.broadcast', vars } };
    case '802.3ad': {
      if (!context.physical) {
        const timeout = 3 * (options.lacp_rate === 'fast' ? 1000 : 30_000);
        return {
          boundMs: timeout + slack,
          part: { key: 'failover.rule.lacpTimeout', vars: { ...vars, timeout, rate: options.lacp_rate ?? 'slow' } },
        };
      }
      return { boundMs: detect + slack, part: { key: 'failover.rule.lacp', vars } };
    }
    case 'balance-tlb':
      return { boundMs: detect + slack, part: { key: 'failover.rule.tlb', vars: { ...vars, mode } } };
    case 'balance-alb':
      // An outage of unknown cause may be the receive path's: the ARP update's bound, the widest alb has.
      if (['bond-arp', 'tester-reask', 'unknown', 'not-recovered'].includes(anatomy.endedBy)) {
        return {
          boundMs: detect + ALB_TICK_MS + RLB_UPDATE_DELAY_MS + slack,
          part: { key: 'failover.rule.albRlb', vars: { ...vars, tick: ALB_TICK_MS, delay: RLB_UPDATE_DELAY_MS } },
        };
      }
      return { boundMs: detect + slack, part: { key: 'failover.rule.tlb', vars: { ...vars, mode } } };
    case 'standalone':
      return { boundMs: Infinity, part: { key: 'failover.standalone' } };
  }
}

/** The event that ended the outage, as a message part. */
function ending(context: PullContext): ReasonPart {
  const a = context.anatomy;
  const after = a.firstReplyAfter?.atMs ?? 0;
  const since = (at: number) => ms(after - at);
  switch (a.endedBy) {
    case 'no-outage':
      return { key: 'failover.ended.noOutage', vars: { slave: a.slave } };
    case 'not-recovered':
      return { key: 'failover.ended.notRecovered', vars: { hold: context.holdSeconds } };
    case 'bond-arp':
      return {
        key: 'failover.ended.bondArp',
        vars: {
          after: since(a.repoint!.atMs),
          peer: a.repoint!.targetIp ?? context.peer,
          mac: a.repoint!.arpMac ?? '?',
          at: ms(a.repoint!.atMs),
        },
      };
    case 'tester-reask':
      return {
        key: 'failover.ended.testerReask',
        vars: { after: since(a.testerReask?.atMs ?? a.repoint!.atMs), at: ms(a.testerReask?.atMs ?? a.repoint!.atMs) },
      };
    case 'bond-announcement':
      if (a.reaction!.afterFirstReply)
        return {
          key: 'failover.ended.macMoved',
          vars: {
            at: ms(after),
            mac: a.reaction!.srcMac,
            kind: { key: reactionKey(a.reaction!.kind) },
            lag: ms(a.reaction!.atMs - after),
          },
        };
      return {
        key: 'failover.ended.announcement',
        vars: {
          after: since(a.reaction!.atMs),
          kind: { key: reactionKey(a.reaction!.kind) },
          at: ms(a.reaction!.atMs),
        },
      };
    case 'bond-stopped-using-slave':
      return { key: 'failover.ended.stoppedUsing', vars: { at: ms(after), slave: a.slave } };
    case 'unknown':
      return { key: 'failover.ended.unknown', vars: { gap: ms(a.gapMs) } };
  }
}

/**
 * Judges one pull against the driver's model for the mode and the bond's settings.
 * Pulling the last slave up is an expected outage; a bond without link monitoring that does not recover is
 * judged unexpected with that reason (it is not fault tolerant as configured).
 */
export function judgePull(context: PullContext): PullVerdict {
  const { anatomy: a, mode } = context;
  const monitoring = linkMonitoring(context.options);
  const recovered = a.endedBy !== 'not-recovered';
  const loss: ReasonPart[] = a.partial
    ? [{ key: 'failover.partial', vars: { lost: a.lost, sent: a.sentInOutage, span: ms(a.lossSpanMs) } }]
    : [];
  if (mode === 'standalone') {
    return { verdict: 'expected', reason: [ending(context), { key: 'failover.standalone' }], counts: false, recovered };
  }
  if (context.slavesLeft.length === 0) {
    return {
      verdict: 'expected',
      reason: [
        context.unaggregated?.length
          ? { key: 'failover.notAggregated', vars: { slave: a.slave, others: context.unaggregated.join(', ') } }
          : { key: 'failover.lastSlave', vars: { slave: a.slave } },
        ending(context),
      ],
      counts: false,
      recovered,
    };
  }
  const { boundMs, part } = rule(context, monitoring);
  if (!recovered) {
    // The cable went back before the driver's own time was up: the pull cannot say whether it would have recovered.
    if (monitoring.monitored && context.holdSeconds * 1000 < boundMs) {
      return {
        verdict: 'not-measurable',
        reason: [{ key: 'failover.holdTooShort', vars: { hold: context.holdSeconds, bound: ms(boundMs) } }, part],
        boundMs,
        counts: false,
        recovered,
      };
    }
    const key = monitoring.monitored ? 'failover.ended.notRecovered' : 'failover.noMonitoring';
    return { verdict: 'unexpected', reason: [{ key, vars: { hold: context.holdSeconds } }], counts: true, recovered };
  }
  if (a.endedBy === 'no-outage') {
    return { verdict: 'expected', reason: [ending(context), part], boundMs, counts: true, recovered };
  }
  // 802.3ad against an LACP partner: each system's Frame Distributor picks the link for the frames it sends
  // (IEEE 802.1AX-2014 §6.2.4), so requests the partner still sent to the pulled link were lost in the switch —
  // its failover, not the bond's. With the port mirrors to tell them apart, the bond is held to its own losses.
  const switchLost = a.lostPaths.unseen + a.lostPaths.toPulledSlave;
  const partnerSide =
    mode === '802.3ad' && context.physical && context.switchChannel === 'lacp' && !!a.mirrored && switchLost > 0;
  // The last probe lost says how long the bond kept losing; the first reply after also waits on the tester's
  // next send, which a loaded tester can delay.
  const lastLost = partnerSide ? (a.lastHostLossSentMs ?? 0) : (a.lastLostSentMs ?? a.recoveryMs ?? 0);
  const fits = lastLost <= boundMs;
  const fit: ReasonPart = {
    key: partnerSide
      ? a.lastHostLossSentMs === undefined
        ? 'failover.fit.hostNone'
        : fits
          ? 'failover.fit.hostWithin'
          : 'failover.fit.hostBeyond'
      : fits
        ? 'failover.fit.within'
        : 'failover.fit.beyond',
    vars: { lastLost: ms(lastLost), recovery: ms(a.recoveryMs ?? lastLost), bound: ms(boundMs) },
  };
  const reason = [...loss, ending(context), fit, part];
  if (partnerSide) {
    reason.splice(reason.indexOf(fit), 0, {
      key: 'failover.partnerSide',
      vars: { count: switchLost, lost: a.lost, until: ms(a.lastLostSentMs ?? 0) },
    });
  }
  // The port mirrors show the switch still forwarding to the dead port: the cable's far end kept its carrier.
  if (a.lostPaths.toPulledSlave > 0 && !fits && !partnerSide) {
    reason.push({
      key: 'failover.toDeadPort',
      vars: { count: a.lostPaths.toPulledSlave, lost: a.lost, slave: a.slave },
    });
  }
  // The NIC kept carrier after the cable went out (its PHY's link-fail time): losses before carrier off are the
  // cable's, which no bond setting can shorten; the rule's bound counts from carrier off.
  if (a.cableOutMs !== undefined && a.cableOutMs < 0) {
    reason.splice(reason.indexOf(fit), 0, {
      key: 'failover.linkDown',
      vars: { slave: a.slave, delay: ms(-a.cableOutMs), count: a.lostPaths.replyToPulledSlave ?? 0 },
    });
  }
  // alb: the tester re-asked before the bond's own update was due: the bond is not at fault for the wait.
  if (a.endedBy === 'tester-reask' && a.testerReask && a.testerReask.atMs <= boundMs) {
    reason.push({ key: 'failover.reaskFirst', vars: { bound: ms(boundMs) } });
  }
  return { verdict: fits ? 'expected' : 'unexpected', reason, boundMs, counts: true, recovered };
}

/** A reason's parts through a message function (the UI's i18next `t`), nested parts said first. */
export function sayReasonWith(
  translate: (key: string, vars?: Record<string, string | number>) => string,
  parts: readonly ReasonPart[],
): string {
  const say = (part: ReasonPart): string => {
    const vars: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(part.vars ?? {}))
      vars[name] = typeof value === 'object' ? say(value) : value;
    return translate(part.key, vars);
  };
  return parts.map(say).join(translate('failover.separator'));
}

/** The parts with every string value passed through `map` (e.g. masking credentials), nested parts too. */
export function mapPartText(parts: readonly ReasonPart[], map: (text: string) => string): ReasonPart[] {
  const each = (part: ReasonPart): ReasonPart => {
    if (!part.vars) return part;
    const vars: Record<string, string | number | ReasonPart> = {};
    for (const [name, value] of Object.entries(part.vars))
      vars[name] = typeof value === 'string' ? map(value) : typeof value === 'object' ? each(value) : value;
    return { ...part, vars };
  };
  return parts.map(each);
}

/** A reason's parts in a language, joined with the language's separator. */
export function sayReason(language: Language, parts: readonly ReasonPart[]): string {
  return sayReasonWith((key, vars) => t(language, key, vars), parts);
}
