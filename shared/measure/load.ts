/**
 * A load step's spread: K peers × F flows of echo requests to the bond, and which slave each of the bond's replies
 * left by, as the switch's port mirrors saw them. A flow is one peer address and one ICMP identifier (one `ping`).
 * Pure.
 */
import type { CapturedFrame } from '../run/samples.js';

export interface LoadSpread {
  /** Echo replies from the bond to the peers seen on each slave's port mirror. */
  replies: Record<string, number>;
  /** Each slave's part of those replies (0–1; sums to 1). */
  share: Record<string, number>;
  /**
   * Jain's fairness index of the per-slave reply counts, (Σx)² / (n·Σx²) (R. Jain, D. Chiu, W. Hawe, DEC-TR-301,
   * 1984): 1 when every slave carries the same, 1/n when one carries all.
   */
  jain: number;
  /** Distinct replies (peer, identifier, sequence): broadcast sends each on every slave. */
  distinct: number;
  /** Flows (peer, identifier) and peers that answered at all. */
  flows: number;
  peers: number;
  /** Flows and peers whose replies left by more than one slave. */
  splitFlows: number;
  splitPeers: number;
  /** The most times one peer's replies changed slave, in time order (tlb/alb's rebalancing moves a peer). */
  maxPeerMoves: number;
}

/** Jain's fairness index of non-negative amounts; 1 for an empty or all-zero list (nothing is unfair). */
export function jainIndex(values: readonly number[]): number {
  const sum = values.reduce((a, b) => a + b, 0);
  const squares = values.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}

/**
 * The spread of the bond's echo replies to `peers` over the slaves' port mirrors (`mirrors`: slave → capture
 * port). Frames on other ports (the tester's own) are ignored. Undefined when no reply was seen on any mirror.
 */
export function loadSpread(
  frames: readonly CapturedFrame[],
  options: { bondIp: string; peers: readonly string[]; mirrors: Readonly<Record<string, string>> },
): LoadSpread | undefined {
  const slaveOf = new Map(Object.entries(options.mirrors).map(([slave, port]) => [port, slave]));
  const peers = new Set(options.peers);
  const replies: Record<string, number> = Object.fromEntries(Object.keys(options.mirrors).map((s) => [s, 0]));
  const flowSlaves = new Map<string, Set<string>>();
  const peerSlaves = new Map<string, Set<string>>();
  const peerTrail = new Map<string, { timeMs: number; slave: string }[]>();
  const distinct = new Set<string>();
  for (const f of frames) {
    const slave = slaveOf.get(f.port);
    const echo = f.frame.icmp?.echo;
    const ip = f.frame.ipv4;
    if (!slave || echo?.kind !== 'reply' || ip?.src !== options.bondIp || !peers.has(ip.dst)) continue;
    replies[slave] = (replies[slave] ?? 0) + 1;
    const flow = `${ip.dst}/${echo.identifier}`;
    distinct.add(`${flow}/${echo.sequence}`);
    for (const [map, key] of [
      [flowSlaves, flow],
      [peerSlaves, ip.dst],
    ] as const) {
      const set = map.get(key) ?? new Set<string>();
      set.add(slave);
      map.set(key, set);
    }
    const trail = peerTrail.get(ip.dst) ?? [];
    trail.push({ timeMs: f.timeMs, slave });
    peerTrail.set(ip.dst, trail);
  }
  const counts = Object.values(replies);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  let maxPeerMoves = 0;
  for (const trail of peerTrail.values()) {
    trail.sort((a, b) => a.timeMs - b.timeMs);
    const moves = trail.filter((t, i) => i > 0 && t.slave !== trail[i - 1]!.slave).length;
    maxPeerMoves = Math.max(maxPeerMoves, moves);
  }
  return {
    replies,
    share: Object.fromEntries(Object.entries(replies).map(([s, n]) => [s, n / total])),
    jain: jainIndex(counts),
    distinct: distinct.size,
    flows: flowSlaves.size,
    peers: peerSlaves.size,
    splitFlows: [...flowSlaves.values()].filter((s) => s.size > 1).length,
    splitPeers: [...peerSlaves.values()].filter((s) => s.size > 1).length,
    maxPeerMoves,
  };
}
