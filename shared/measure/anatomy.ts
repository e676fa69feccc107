/**
 * The anatomy of one cable pull, from what the tester captured (its own port and the switch's port mirrors), the
 * probe's records and the link driver's instants: carrier off → last reply before → the host's MII down → the
 * bond's first reaction on the wire inside the outage → first reply after; which slave carried the replies (and
 * received the requests) before and after; where each lost probe went; whether the outage ended by the bond's own
 * announcement, by the tester re-asking for the bond's MAC, or by the bond simply ceasing to use the dead slave.
 *
 * Times are ms relative to carrier off (negative = before), from libpcap's kernel timestamps on the tester and the
 * link driver's own instant for carrier off. Pure.
 *
 * Sources: Documentation/networking/bonding.rst ("Link Monitoring", "Bonding Driver Options": num_grat_arp,
 * balance-tlb/balance-alb), drivers/net/bonding/bond_alb.c (learning frames: ETH_P_LOOP, source = destination;
 * receive load balancing re-points peers with ARP replies), RFC 6413 §4.1 (loss-derived convergence time).
 */
import type { CapturedFrame } from '../run/samples.js';
import type { EchoRecord } from './echo.js';
import { failoverTime } from './failover.js';

/** What the link driver says about the pull, on the capture's clock (ms since the epoch). */
export interface PullInstants {
  /** The instant the host's NIC lost carrier, best estimate (for the lab: the middle of the QMP set_link call). */
  carrierOffMs: number;
  /** ± this many ms (half the span the driver's action took); 0 when the instant is exact. */
  carrierOffUncertaintyMs?: number;
  /**
   * When the cable went out, when that was before the host's NIC reported it (the PHY's link-fail time: the lab's
   * linkDownMs). From then on, what the host sends on the slave is lost on the dead cable.
   */
  cableOutMs?: number;
  /** The first reading of the host that showed the pull (MII down, or carrier 0 without monitoring): an upper bound. */
  confirmedMs?: number;
  confirmedBy?: 'mii' | 'carrier';
}

export interface AnatomyInput extends PullInstants {
  /** The slave pulled. */
  slave: string;
  intervalMs: number;
  bondIp: string;
  /** The tester port's name (its frames are the peer's view) and the switch's port mirrors (slave → port). */
  testerPort: string;
  mirrors?: Record<string, string>;
  /** Every MAC the host owns (slaves' current and permanent, the bond's): frames from these are the bond's. */
  hostMacs: readonly string[];
  /** The tester's own MAC (its ARP requests are its re-asks). */
  testerMac?: string;
  /**
   * How long after carrier off (± its uncertainty) the pull may still start losses, ms: the bond acts on a pull
   * when its monitor notices it (miimon + downdelay), and what it does then — balance-alb's MAC swap strands a
   * peer that sent to the pulled slave's MAC — is the pull's outage too, even after replies came back for a while.
   * Default: max(100, 10 probe intervals).
   */
  reachMs?: number;
}

export type ReactionKind =
  | 'gratuitous-arp'
  /** An ARP reply for the bond's address nobody asked for in the outage (alb's receive load balancing). */
  | 'arp-announce'
  /** The bond's ARP reply to the tester's own request. */
  | 'arp-answer'
  | 'unsolicited-na'
  | 'learning'
  | 'lacpdu';

export interface AnatomyEvent {
  /** ms relative to carrier off. */
  atMs: number;
  /** Where it was seen first (tester port or mirror). */
  port: string;
  /** 1-based frame number in that port's pcapng. */
  frame: number;
}

export interface BondReaction extends AnatomyEvent {
  kind: ReactionKind;
  srcMac: string;
  /** For ARP: the MAC it says the bond's address is at, and whom it was sent to. */
  arpMac?: string;
  targetIp?: string;
  /**
   * Seen after the first reply (by at most {@link REACTION_TRAIL_MS}), from the MAC that reply came from: the act
   * that let the replies through (the bond moving its MAC onto a live slave) sends its frames through the same
   * transmit queue as the replies it enabled, and they can leave behind them. The driver acted before the first
   * reply; when exactly is not known, so no detection time is derived from it.
   */
  afterFirstReply?: true;
}

/**
 * How long after the first reply a frame of the bond's own reaction is still taken as that reaction, ms. Seen on
 * the lab: balance-alb's learning frame for the swapped MAC (alb_fasten_mac_swap, drivers/net/bonding/bond_alb.c)
 * 2.7 ms after the first reply it enabled, under emulation.
 */
export const REACTION_TRAIL_MS = 10;

/** Why the outage ended. */
export type OutageEnd =
  /** No probe was lost: nothing to end. */
  | 'no-outage'
  /** The tester's destination MAC changed after the bond's own ARP (gratuitous or unsolicited reply). */
  | 'bond-arp'
  /** The tester's destination MAC changed after its own ARP request was answered. */
  | 'tester-reask'
  /** Same destination MAC; the bond announced itself (gratuitous ARP, learning frame, NA, LACPDU) and the switch followed. */
  | 'bond-announcement'
  /** No announcement needed: the bond stopped sending on (or the switch stopped forwarding to) the dead slave. */
  | 'bond-stopped-using-slave'
  /** Replies never came back inside the step. */
  | 'not-recovered'
  /** A step recorded before anatomies existed: only the longest reply gap is known. */
  | 'unknown';

/** Where each lost probe went, from the port mirrors (`unseen` when there are no mirrors). */
export interface LostPaths {
  /** The switch forwarded the request to the pulled slave's port: lost on the dead cable. */
  toPulledSlave: number;
  /** The request reached a live slave and no reply appeared on any port (the host dropped it). */
  noReply: number;
  /**
   * The request reached a live slave and the host answered on the pulled slave after the cable went out (its NIC
   * still had carrier, so the bond still used it): the reply was lost on the dead cable. Seen only where the mirror
   * is the host's end of the cable (the lab's tap); a switch's mirror sees nothing of a dead cable (then noReply).
   */
  replyToPulledSlave: number;
  /**
   * A reply left the host on a live slave's port but never reached the tester (lost in the switch or the tester's
   * capture): counted over the whole step after the pull, and never part of the bond's outage.
   */
  replyNotDelivered: number;
  /**
   * The request was seen on no mirror: with mirrors, the switch forwarded it to no mirrored port (a bridge drops
   * a frame whose port is down, so requests for the pulled slave sent after carrier off land here); without
   * mirrors, where it went is unknown.
   */
  unseen: number;
}

export interface PullAnatomy {
  slave: string;
  intervalMs: number;
  /** Absolute carrier-off instant (ms since the epoch) and its uncertainty. */
  carrierOffAtMs: number;
  carrierOffUncertaintyMs: number;
  /** When the cable went out, ms relative to carrier off (negative: the NIC reported the loss that much later). */
  cableOutMs?: number;
  /** ms relative to carrier off. */
  confirmedMs?: number;
  confirmedBy?: 'mii' | 'carrier';
  lastReplyBefore?: AnatomyEvent;
  firstReplyAfter?: AnatomyEvent;
  /** The bond's first reaction on the wire inside the outage it ends (none when nothing was lost). */
  reaction?: BondReaction;
  /** The tester's first ARP request for the bond's address inside the outage. */
  testerReask?: AnatomyEvent;
  /** The ARP (the bond's, or its answer to the tester) that changed the MAC the tester sends to, in the outage. */
  repoint?: BondReaction;
  endedBy: OutageEnd;
  /** Lost probes of the outage (the cluster that starts at the pull), and requests sent over the same span. */
  lost: number;
  sentInOutage: number;
  /** First lost request sent → last lost request sent + one interval, ms. */
  lossSpanMs: number;
  /**
   * When the last lost request of the outage was sent, ms after carrier off: the bond (or the switch) was still
   * losing frames then. Unlike the first reply after, it does not depend on how soon the tester sent again.
   */
  lastLostSentMs?: number;
  /**
   * Only some of the span's requests were lost, spread through it (frames hashed to the dead slave), not one
   * silence: some were answered, and no run of consecutive losses holds half of the lost or more.
   */
  partial: boolean;
  /** Longest reply gap holding lost requests (resolution: one interval), and RFC 6413 loss-derived time (lost × interval). */
  gapMs: number;
  lossDerivedMs: number;
  /** Last reply before → first reply after, ms (the peer's outage); undefined when not recovered. */
  outageMs?: number;
  /** Carrier off → the bond's reaction, and reaction → first reply after, ms. */
  detectionMs?: number;
  switchOverMs?: number;
  /** Carrier off → first reply after, ms. */
  recoveryMs?: number;
  /** Slave whose mirror carried the replies just before the pull / the first reply after; and the requests. */
  replyPortBefore?: string;
  replyPortAfter?: string;
  requestPortBefore?: string;
  requestPortAfter?: string;
  lostPaths: LostPaths;
  /** The slaves' port mirrors were captured: lostPaths can tell the switch's losses from the host's. */
  mirrored?: boolean;
  /**
   * When the last lost request that reached a live slave's port (lostPaths.noReply: the host's own loss) was sent,
   * ms after carrier off; absent when the host lost none. Requests lost before any host port are the switch's.
   */
  lastHostLossSentMs?: number;
  /** Replies and duplicate replies per slave (mirror), and first replies out of order, over the whole step. */
  perSlave?: Record<string, { replies: number; duplicates: number }>;
  /** The tester's destination MAC before and after the outage. */
  testerDstBefore?: string;
  testerDstAfter?: string;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

interface Echo {
  seq: number;
  kind: 'request' | 'reply';
  port: string;
  timeMs: number;
  no: number;
  dstMac: string;
}

/** The bench's own echo frames by (16-bit sequence, kind), per port, nearest in time wins. */
function echoIndex(frames: readonly CapturedFrame[], bondIp: string): Map<string, Echo[]> {
  const index = new Map<string, Echo[]>();
  for (const f of frames) {
    const echo = f.frame.icmp?.echo;
    const ip = f.frame.ipv4;
    if (!echo || !ip || !f.frame.eth) continue;
    if (echo.kind === 'request' ? ip.dst !== bondIp : ip.src !== bondIp) continue;
    const key = `${echo.kind}/${echo.sequence}`;
    const list = index.get(key) ?? [];
    index.set(key, list);
    list.push({
      seq: echo.sequence,
      kind: echo.kind,
      port: f.port,
      timeMs: f.timeMs,
      no: f.no,
      dstMac: f.frame.eth.dst,
    });
  }
  return index;
}

function nearest(
  list: Echo[] | undefined,
  port: (p: string) => boolean,
  nearMs: number,
  withinMs: number,
  skip?: (e: Echo) => boolean,
) {
  let best: Echo | undefined;
  for (const e of list ?? []) {
    if (!port(e.port) || Math.abs(e.timeMs - nearMs) > withinMs || skip?.(e)) continue;
    if (!best || Math.abs(e.timeMs - nearMs) < Math.abs(best.timeMs - nearMs)) best = e;
  }
  return best;
}

/**
 * Only some of the span's requests were lost, spread through it (the frames hashed to the dead slave), rather than
 * one silence: answered requests in the span, and no run of consecutive losses holding half of them or more.
 */
function isPartial(records: readonly EchoRecord[], lost: readonly EchoRecord[], span?: [number, number]): boolean {
  if (!span) return false;
  const lostSet = new Set(lost);
  let run = 0;
  let longest = 0;
  let answered = 0;
  for (const r of records) {
    if (r.sentMs < span[0] || r.sentMs > span[1]) continue;
    if (lostSet.has(r)) longest = Math.max(longest, ++run);
    else {
      run = 0;
      answered++;
    }
  }
  return answered > 0 && longest * 2 < lost.length;
}

/**
 * Builds the anatomy of one pull.
 * @param echo the probe's records (sent/reply times on libpcap's clock)
 * @param frames every frame captured during the step, tester port and mirrors, with their port
 */
export function pullAnatomy(
  echo: readonly EchoRecord[],
  frames: readonly CapturedFrame[],
  input: AnatomyInput,
): PullAnatomy {
  const { intervalMs, testerPort } = input;
  if (!(intervalMs > 0)) throw new Error(`probe interval ${intervalMs} ms must be positive`);
  const rel = (t: number) => round3(t - carrierOffMs);
  const mirrors = input.mirrors ?? {};
  const slaveOfPort = new Map(Object.entries(mirrors).map(([slave, port]) => [port, slave]));
  const pulledPort = mirrors[input.slave];
  const hostMacs = new Set(input.hostMacs.map((m) => m.toLowerCase()));
  // The driver gives a span; a frame the host still put on the pulled slave's wire inside it proves the carrier
  // was up then (QEMU, like a NIC, drops what it is given once the link is down): the span starts there.
  let low = input.carrierOffMs - (input.carrierOffUncertaintyMs ?? 0);
  const high = input.carrierOffMs + (input.carrierOffUncertaintyMs ?? 0);
  if (pulledPort !== undefined && high > low) {
    for (const f of frames) {
      const src = f.frame.eth?.src?.toLowerCase() ?? '';
      if (f.port === pulledPort && hostMacs.has(src) && f.timeMs > low && f.timeMs <= high) low = f.timeMs;
    }
  }
  const carrierOffMs = (low + high) / 2;
  const uncertaintyMs = (high - low) / 2;
  const index = echoIndex(frames, input.bondIp);
  const records = echo.filter((r) => !Number.isNaN(r.sentMs)).sort((a, b) => a.sentMs - b.sentMs);
  const firstReply = (r: EchoRecord) => (r.replies.length ? Math.min(...r.replies.map((x) => x.atMs)) : undefined);

  // In flight at carrier off: a request sent one round trip before it may have lost its reply to the pull.
  const rtts = records.flatMap((r) => {
    const at = firstReply(r);
    return at === undefined ? [] : [at - r.sentMs];
  });
  rtts.sort((a, b) => a - b);
  const rttMedian = rtts.length ? rtts[Math.floor(rtts.length / 2)]! : 0;
  // A cable out before the NIC said so loses from then on.
  const cableOutMs = input.cableOutMs !== undefined && input.cableOutMs < low ? input.cableOutMs : undefined;
  const from = Math.min(carrierOffMs - uncertaintyMs, cableOutMs ?? Number.POSITIVE_INFINITY) - rttMedian - intervalMs;
  // Losses closer than this to each other belong to the same outage (rr/xor lose every other probe).
  const joinMs = Math.max(10 * intervalMs, 20);
  // The last requests of the step may be unanswered only because the probe stopped: not losses.
  const lastSent = records.at(-1)?.sentMs ?? 0;
  const settled = (r: EchoRecord) => r.sentMs < lastSent - Math.max(3 * rttMedian, 5 * intervalMs, 20);
  // A reply the host did send (a port mirror saw it) that never reached the tester was lost beyond the bond —
  // in the switch or the tester's own capture — and is no part of the bond's outage.
  // A reply the host put on the pulled slave after the cable went out went nowhere.
  const cutAt = Math.min(cableOutMs ?? Number.POSITIVE_INFINITY, low);
  const deadEnd = (e: Echo) => e.port === pulledPort && e.timeMs >= cutAt;
  const replied = (r: EchoRecord) =>
    !!nearest(index.get(`reply/${r.seq & 0xffff}`), (p) => slaveOfPort.has(p), r.sentMs, 1000, deadEnd);
  // The pull's losses start at carrier off (frames for the dead slave are lost from then on) or when the bond
  // acts on it: a loss that only starts after that is something else.
  const latestStart = carrierOffMs + uncertaintyMs + (input.reachMs ?? Math.max(100, 10 * intervalMs));
  let beyondBond = 0;
  // Requests answered since the last loss: a run of them ends the outage (a tester that stalls sends none, and
  // a stall is no reason to split one outage in two).
  let answeredSince = 0;
  const lostRecords: EchoRecord[] = [];
  for (const r of records) {
    if (r.sentMs < from) continue;
    if (r.replies.length > 0) {
      answeredSince++;
      continue;
    }
    if (slaveOfPort.size > 0 && replied(r)) {
      beyondBond++;
      continue;
    }
    if (lostRecords.length === 0 && r.sentMs > latestStart) break;
    // Within the pull's reach every loss is the pull's: a first blip at carrier off and the bond's own action on
    // it a miimon later are one outage, whatever was answered between.
    if (
      lostRecords.length &&
      answeredSince >= 10 &&
      r.sentMs - lostRecords.at(-1)!.sentMs > joinMs &&
      r.sentMs > latestStart
    )
      break;
    answeredSince = 0;
    if (!settled(r) && lostRecords.length === 0) break;
    lostRecords.push(r);
  }
  const firstLost = lostRecords[0];
  const lastLost = lostRecords.at(-1);
  const span: [number, number] | undefined = firstLost && lastLost ? [firstLost.sentMs, lastLost.sentMs] : undefined;
  const sentInOutage = span ? records.filter((r) => r.sentMs >= span[0] && r.sentMs <= span[1]).length : 0;
  const estimate = failoverTime(echo, { pullAtMs: carrierOffMs, intervalMs });

  const replyEvent = (r: EchoRecord | undefined): AnatomyEvent | undefined => {
    const at = r && firstReply(r);
    if (!r || at === undefined) return undefined;
    const seen = nearest(index.get(`reply/${r.seq & 0xffff}`), (p) => p === testerPort, at, 1);
    return { atMs: rel(at), port: testerPort, frame: seen?.no ?? 0 };
  };
  const beforeRecords = records.filter((r) => r.replies.length > 0 && r.sentMs < (span ? span[0] : carrierOffMs));
  const afterRecords = records.filter((r) => r.replies.length > 0 && r.sentMs > (span ? span[1] : carrierOffMs));
  const lastBefore = beforeRecords.at(-1);
  const firstAfter = afterRecords[0];
  const lastReplyBefore = replyEvent(lastBefore);
  const firstReplyAfter = replyEvent(firstAfter);
  const recovered = !span || (!!firstAfter && records.some((r) => r.sentMs > span[1] && r.replies.length > 0));

  // Which slave's mirror carried a request or its reply.
  const portFor = (r: EchoRecord | undefined, kind: 'request' | 'reply'): string | undefined => {
    if (!r) return undefined;
    const near = kind === 'request' ? r.sentMs : (firstReply(r) ?? r.sentMs);
    const seen = nearest(index.get(`${kind}/${r.seq & 0xffff}`), (p) => slaveOfPort.has(p), near, 50);
    return seen ? slaveOfPort.get(seen.port) : undefined;
  };
  const testerDst = (r: EchoRecord | undefined) =>
    r ? nearest(index.get(`request/${r.seq & 0xffff}`), (p) => p === testerPort, r.sentMs, 1)?.dstMac : undefined;

  const lostPaths: LostPaths = {
    toPulledSlave: 0,
    noReply: 0,
    replyToPulledSlave: 0,
    replyNotDelivered: beyondBond,
    unseen: 0,
  };
  let lastHostLoss: number | undefined;
  for (const r of lostRecords) {
    const request = nearest(index.get(`request/${r.seq & 0xffff}`), (p) => slaveOfPort.has(p), r.sentMs, 50);
    if (!request) lostPaths.unseen++;
    else if (request.port === pulledPort) lostPaths.toPulledSlave++;
    else {
      const toDeadEnd = nearest(index.get(`reply/${r.seq & 0xffff}`), (p) => p === pulledPort, r.sentMs, 1000);
      if (toDeadEnd && deadEnd(toDeadEnd)) lostPaths.replyToPulledSlave++;
      else lostPaths.noReply++;
      // Either way the host lost it: dropped, or answered on the dead slave.
      lastHostLoss = Math.max(lastHostLoss ?? r.sentMs, r.sentMs);
    }
  }

  // The outage a reaction may end: carrier off (less its uncertainty) → the first reply after.
  const windowStart = carrierOffMs - uncertaintyMs;
  const windowEnd = span ? (firstAfter ? firstReply(firstAfter)! : Number.POSITIVE_INFINITY) : windowStart;
  // The MAC the first reply came from: a reaction trailing that reply must be from it (the MAC that moved).
  const firstAfterSrc = span ? firstAfter?.replies[0]?.srcMac.toLowerCase() : undefined;
  const reactions: BondReaction[] = [];
  const reasks: AnatomyEvent[] = [];
  const lastLacpState = new Map<string, number>();
  const sorted = [...frames].sort((a, b) => a.timeMs - b.timeMs);
  for (const f of sorted) {
    const src = f.frame.eth?.src?.toLowerCase() ?? '';
    const lacp = f.frame.lacp;
    if (lacp && hostMacs.has(src)) {
      // A LACPDU is a reaction only when the actor's state changed on that port (carrier-driven removal).
      const key = `${f.port}/${lacp.actor.port}`;
      const previous = lastLacpState.get(key);
      lastLacpState.set(key, lacp.actor.state.raw);
      if (previous === undefined || previous === lacp.actor.state.raw) continue;
    }
    const trailing = f.timeMs > windowEnd;
    if (f.timeMs < windowStart || f.timeMs > windowEnd + REACTION_TRAIL_MS) continue;
    const event = { atMs: rel(f.timeMs), port: f.port, frame: f.no };
    const arp = f.frame.arp;
    if (arp && arp.targetIp === input.bondIp && arp.opcode === 1 && arp.senderIp !== input.bondIp) {
      if (!input.testerMac || src === input.testerMac.toLowerCase()) reasks.push(event);
      continue;
    }
    // A frame that still made it onto the pulled slave's port was sent before its carrier went: not a reaction.
    if (!hostMacs.has(src) || (pulledPort !== undefined && f.port === pulledPort)) continue;
    let kind: ReactionKind | undefined;
    if (arp?.senderIp === input.bondIp && arp.class === 'gratuitous') kind = 'gratuitous-arp';
    else if (arp?.senderIp === input.bondIp && arp.opcode === 2)
      kind = reasks.some((q) => q.atMs <= event.atMs) ? 'arp-answer' : 'arp-announce';
    else if (f.frame.neighbourAdvertisement?.unsolicited) kind = 'unsolicited-na';
    else if (f.frame.learning) kind = 'learning';
    else if (lacp) kind = 'lacpdu';
    if (!kind) continue;
    // A trailing frame counts only when nothing came before it, and only the MAC move's own announcement.
    if (trailing && (reactions.length > 0 || kind === 'lacpdu' || !firstAfterSrc || src !== firstAfterSrc)) continue;
    const reaction: BondReaction = {
      ...event,
      kind,
      srcMac: src,
      ...(trailing ? { afterFirstReply: true as const } : {}),
    };
    if (arp) {
      reaction.arpMac = arp.senderMac;
      reaction.targetIp = arp.targetIp;
    }
    // The same frame on a mirror and then on the tester port: keep the first sighting.
    const twin = reactions.find(
      (r) => r.kind === kind && r.srcMac === src && Math.abs(r.atMs - event.atMs) < 1 && r.port !== f.port,
    );
    if (!twin) reactions.push(reaction);
  }

  const dstBefore = testerDst(lastBefore);
  const dstAfter = testerDst(firstAfter);
  const arps = reactions.filter((r) => r.arpMac !== undefined);
  const repoint = dstBefore && dstAfter && dstBefore !== dstAfter ? arps.find((r) => r.arpMac === dstAfter) : undefined;
  let endedBy: OutageEnd;
  if (!span) endedBy = 'no-outage';
  else if (!recovered) endedBy = 'not-recovered';
  else if (repoint) endedBy = repoint.kind === 'arp-answer' ? 'tester-reask' : 'bond-arp';
  else if (reactions.length > 0) endedBy = 'bond-announcement';
  else endedBy = 'bond-stopped-using-slave';

  const reaction = span ? reactions[0] : undefined;
  const anatomy: PullAnatomy = {
    slave: input.slave,
    intervalMs,
    carrierOffAtMs: round3(carrierOffMs),
    carrierOffUncertaintyMs: round3(uncertaintyMs),
    ...(cableOutMs !== undefined ? { cableOutMs: rel(cableOutMs) } : {}),
    endedBy,
    lost: lostRecords.length,
    sentInOutage,
    lossSpanMs: span ? round3(span[1] - span[0] + intervalMs) : 0,
    ...(span ? { lastLostSentMs: rel(span[1]) } : {}),
    ...(slaveOfPort.size > 0 ? { mirrored: true } : {}),
    ...(lastHostLoss !== undefined ? { lastHostLossSentMs: rel(lastHostLoss) } : {}),
    partial: isPartial(records, lostRecords, span),
    gapMs: round3(estimate.gapMs),
    lossDerivedMs: round3(lostRecords.length * intervalMs),
    lostPaths,
  };
  if (input.confirmedMs !== undefined) {
    anatomy.confirmedMs = rel(input.confirmedMs);
    anatomy.confirmedBy = input.confirmedBy ?? 'mii';
  }
  if (lastReplyBefore) anatomy.lastReplyBefore = lastReplyBefore;
  if (firstReplyAfter && span) anatomy.firstReplyAfter = firstReplyAfter;
  if (reaction) anatomy.reaction = reaction;
  const reask = span ? reasks[0] : undefined;
  if (reask) anatomy.testerReask = reask;
  if (repoint) anatomy.repoint = repoint;
  if (span && recovered && lastReplyBefore && firstReplyAfter) {
    anatomy.outageMs = round3(firstReplyAfter.atMs - lastReplyBefore.atMs);
    anatomy.recoveryMs = firstReplyAfter.atMs;
    if (reaction && !reaction.afterFirstReply) {
      anatomy.detectionMs = reaction.atMs;
      anatomy.switchOverMs = round3(firstReplyAfter.atMs - reaction.atMs);
    }
  }
  const set = (key: 'replyPortBefore' | 'replyPortAfter' | 'requestPortBefore' | 'requestPortAfter', v?: string) => {
    if (v) anatomy[key] = v;
  };
  set('replyPortBefore', portFor(lastBefore, 'reply'));
  set('replyPortAfter', portFor(firstAfter, 'reply'));
  set('requestPortBefore', portFor(lastBefore, 'request'));
  set('requestPortAfter', portFor(firstAfter, 'request'));
  if (dstBefore) anatomy.testerDstBefore = dstBefore;
  if (dstAfter) anatomy.testerDstAfter = dstAfter;
  if (slaveOfPort.size > 0) {
    const perSlave: Record<string, { replies: number; duplicates: number }> = {};
    for (const [slave] of Object.entries(mirrors)) perSlave[slave] = { replies: 0, duplicates: 0 };
    const seen = new Set<string>();
    for (const [key, list] of index) {
      if (!key.startsWith('reply/')) continue;
      for (const e of list) {
        const slave = slaveOfPort.get(e.port);
        if (!slave) continue;
        perSlave[slave]!.replies++;
        if (seen.has(key)) perSlave[slave]!.duplicates++;
        seen.add(key);
      }
    }
    anatomy.perSlave = perSlave;
  }
  return anatomy;
}
