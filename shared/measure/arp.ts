/** ARP and MAC observations per step: what the write-up's "ARP at boot" and MAC columns were read from. */
import type { ArpClass, DecodedFrame } from '../wire/types.js';

/** A decoded frame with its capture time; CapturedFrame fits. */
export type TimedFrame = DecodedFrame & { timeMs: number };

export interface TimeWindow {
  /** Inclusive start, ms since the epoch. */
  fromMs?: number;
  /** Exclusive end. */
  toMs?: number;
}

export function inWindow(timeMs: number, window: TimeWindow = {}): boolean {
  return (
    (window.fromMs === undefined || timeMs >= window.fromMs) && (window.toMs === undefined || timeMs < window.toMs)
  );
}

export type ArpClassCounts = Record<ArpClass, number>;

export interface ArpCounts {
  total: number;
  byClass: ArpClassCounts;
  /** Keyed by the Ethernet source MAC (which NIC sent it), then class. */
  bySourceMac: Record<string, ArpClassCounts>;
}

function zeroCounts(): ArpClassCounts {
  return { probe: 0, gratuitous: 0, request: 0, reply: 0, other: 0 };
}

/** ARP frames in the window by class (probe, gratuitous, request, reply) and by sending MAC. */
export function arpCounts(frames: Iterable<TimedFrame>, window: TimeWindow = {}): ArpCounts {
  const result: ArpCounts = { total: 0, byClass: zeroCounts(), bySourceMac: {} };
  for (const frame of frames) {
    if (!frame.arp || !frame.eth || !inWindow(frame.timeMs, window)) continue;
    result.total++;
    result.byClass[frame.arp.class]++;
    const perMac = result.bySourceMac[frame.eth.src] ?? zeroCounts();
    perMac[frame.arp.class]++;
    result.bySourceMac[frame.eth.src] = perMac;
  }
  return result;
}

export interface MacSighting {
  mac: string;
  frames: number;
  firstMs: number;
  lastMs: number;
}

/**
 * The Ethernet source MACs of frames that speak for `ip`: IPv4 from it, ARP with it as sender (tlb/alb show
 * more than one; after a failover the bond's MAC shows up on another slave). Ordered by first sighting.
 */
export function sourceMacsFor(frames: Iterable<TimedFrame>, ip: string, window: TimeWindow = {}): MacSighting[] {
  const seen = new Map<string, MacSighting>();
  for (const frame of frames) {
    if (!frame.eth || !inWindow(frame.timeMs, window)) continue;
    const speaksFor = frame.ipv4?.src === ip || frame.arp?.senderIp === ip;
    if (!speaksFor) continue;
    const sighting = seen.get(frame.eth.src);
    if (sighting) {
      sighting.frames++;
      sighting.firstMs = Math.min(sighting.firstMs, frame.timeMs);
      sighting.lastMs = Math.max(sighting.lastMs, frame.timeMs);
    } else {
      seen.set(frame.eth.src, { mac: frame.eth.src, frames: 1, firstMs: frame.timeMs, lastMs: frame.timeMs });
    }
  }
  return [...seen.values()].sort((a, b) => a.firstMs - b.firstMs);
}
