/**
 * What crossed the wire while the host booted: from the power-on (or the reboot command) until the bond was up,
 * the frames the host sent, per capture port — the tester's port and each switch port mirror — by class. The
 * write-up watched this on one Wireshark; the mirrors show which slave each frame left on. Pure.
 */
import type { Plan } from '../plan/plan.js';
import { hostMacs } from './measure-step.js';
import type { BootWire, HostReading } from './model.js';
import type { CapturedFrame } from './samples.js';

/**
 * Counts the host's frames at or after `fromMs` (ms since the epoch, the capture's clock), per port: `tester`
 * for the tester's own interface, the slave's name for its port mirror. Frames are the host's when their source
 * MAC is one the readings show (bond MAC, slave MACs, permanent MACs). ARP classes as shared/wire/decode.ts
 * names them (RFC 5227 probe, gratuitous = announcement or gratuitous reply).
 */
export function bootWire(
  plan: Plan,
  frames: readonly CapturedFrame[],
  fromMs: number,
  readings: (HostReading | undefined)[],
): BootWire[] {
  const macs = hostMacs(readings);
  const mirrors = Object.entries(plan.tester.portMirrors ?? {});
  const portName = (port: string) => mirrors.find(([, p]) => p === port)?.[0] ?? 'tester';
  const rows = new Map<string, BootWire>();
  const row = (port: string) => {
    let r = rows.get(port);
    if (!r) {
      r = { port, frames: 0, arpProbe: 0, arpGratuitous: 0, arpOther: 0, lacpdus: 0, learningFrames: 0 };
      rows.set(port, r);
    }
    return r;
  };
  row('tester');
  for (const [slave] of mirrors) row(slave);
  for (const { frame, port, timeMs } of frames) {
    const src = frame.eth?.src;
    if (timeMs < fromMs || !src || !macs.has(src)) continue;
    const r = row(portName(port));
    r.frames++;
    const arp = frame.arp?.class;
    if (arp === 'probe') r.arpProbe++;
    else if (arp === 'gratuitous') r.arpGratuitous++;
    else if (arp) r.arpOther++;
    if (frame.lacp) r.lacpdus++;
    if (frame.learning) r.learningFrames++;
  }
  return [...rows.values()];
}
