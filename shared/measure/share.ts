/**
 * Which slave carried the traffic. From the test machine every slave may show the same MAC, so the share comes
 * from the host's per-slave counters (/sys/class/net/ethX/statistics) before and after a step, or from captures
 * on each switch port (port mirroring; in the virtual lab, the taps).
 */
import type { TimedFrame, TimeWindow } from './arp.js';
import { inWindow } from './arp.js';

/** A slave's transmit counters at one instant. */
export interface SlaveTxCounters {
  txPackets: number;
  txBytes?: number;
}

export interface SlaveShare {
  slave: string;
  packets: number;
  bytes?: number;
  /** packets ÷ all slaves' packets (0 when nothing was sent). */
  share: number;
}

export interface TxShare {
  slaves: SlaveShare[];
  totalPackets: number;
  /** Slaves whose counter went backwards (reset: driver reload, reboot): their delta is unknown. */
  reset: string[];
  /** Slaves present only before or only after. */
  missing: string[];
}

function shares(entries: { slave: string; packets: number; bytes?: number }[]): SlaveShare[] {
  const total = entries.reduce((sum, e) => sum + e.packets, 0);
  return entries.map((e) => ({ ...e, share: total === 0 ? 0 : e.packets / total }));
}

export function txShareFromCounters(
  before: Readonly<Record<string, SlaveTxCounters>>,
  after: Readonly<Record<string, SlaveTxCounters>>,
): TxShare {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const entries: { slave: string; packets: number; bytes?: number }[] = [];
  const reset: string[] = [];
  const missing: string[] = [];
  for (const slave of names) {
    const b = before[slave];
    const a = after[slave];
    if (!a || !b) {
      missing.push(slave);
      continue;
    }
    if (a.txPackets < b.txPackets || (a.txBytes !== undefined && b.txBytes !== undefined && a.txBytes < b.txBytes)) {
      reset.push(slave);
      continue;
    }
    const entry: { slave: string; packets: number; bytes?: number } = { slave, packets: a.txPackets - b.txPackets };
    if (a.txBytes !== undefined && b.txBytes !== undefined) entry.bytes = a.txBytes - b.txBytes;
    entries.push(entry);
  }
  const slaves = shares(entries);
  return { slaves, totalPackets: slaves.reduce((s, e) => s + e.packets, 0), reset, missing };
}

/**
 * Frames the host sent on each switch port (captured there), counted by source MAC ∈ hostMacs so that what the
 * switch forwards towards the host on the same port is not counted.
 */
export function txShareFromCaptures(
  perPort: Readonly<Record<string, Iterable<TimedFrame>>>,
  options: { hostMacs: readonly string[]; window?: TimeWindow; include?: (frame: TimedFrame) => boolean },
): TxShare {
  const hostMacs = new Set(options.hostMacs.map((m) => m.toLowerCase()));
  const entries = Object.keys(perPort)
    .sort()
    .map((slave) => {
      let packets = 0;
      let bytes = 0;
      for (const frame of perPort[slave]!) {
        if (!frame.eth || !hostMacs.has(frame.eth.src) || !inWindow(frame.timeMs, options.window)) continue;
        if (options.include && !options.include(frame)) continue;
        packets++;
        bytes += frame.length;
      }
      return { slave, packets, bytes };
    });
  const slaves = shares(entries);
  return { slaves, totalPackets: slaves.reduce((s, e) => s + e.packets, 0), reset: [], missing: [] };
}

/**
 * Shares (0–1) as whole percentages that add up to exactly 100 (largest remainder, Hamilton's method): 0.505 and
 * 0.495 read "51% / 49%", never "51% / 50%". Shares that do not sum to 1 are scaled to it first; all zero → zeros.
 */
export function wholePercentages(shares: readonly number[]): number[] {
  const total = shares.reduce((s, v) => s + v, 0);
  if (!(total > 0)) return shares.map(() => 0);
  const exact = shares.map((v) => (v / total) * 100);
  const floors = exact.map(Math.floor);
  let left = 100 - floors.reduce((s, v) => s + v, 0);
  const order = exact.map((v, i) => ({ i, rest: v - floors[i]! })).sort((x, y) => y.rest - x.rest || x.i - y.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i]!++;
    left--;
  }
  return floors;
}
