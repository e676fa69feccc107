/** The agent's wall clock, for instants no packet carries (step marks, requests libpcap did not see leave). */
import type { PcapTime } from '../../shared/wire/pcapng.js';

/** Milliseconds since the epoch with sub-millisecond resolution (Date.now() has whole milliseconds only). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function msToPcapTime(ms: number): PcapTime {
  const sec = Math.floor(ms / 1000);
  const nsec = Math.min(999_999_999, Math.max(0, Math.round((ms - sec * 1000) * 1e6)));
  return { sec, nsec };
}

export function pcapTimeToMs(sec: number, nsec: number): number {
  return sec * 1000 + nsec / 1e6;
}
