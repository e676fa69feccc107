/**
 * Pull anatomies rebuilt from a recorded run folder's captures (tester port + port mirrors) for the unit tests:
 * the probe's records from the tester port's echo frames, the pull instant from the step's marker.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PullAnatomy, pullAnatomy } from '../../shared/measure/anatomy.js';
import { echoRecordsFromFrames } from '../../shared/measure/echo.js';
import type { Plan } from '../../shared/plan/plan.js';
import type { StepMeasurements, StepRecord } from '../../shared/run/model.js';
import type { CapturedFrame } from '../../shared/run/samples.js';
import { readCaptureFile } from '../../shared/wire/capture-file.js';
import { decodeFrame } from '../../shared/wire/decode.js';

/** Every frame of a mode's captures (the tester port's file and each mirror's), with its port. */
export function modeFrames(runDir: string, plan: Plan, pcapng: string): CapturedFrame[] {
  const files: [string, string][] = [
    [plan.tester.interface, pcapng],
    // A mirror's file is named by its slave (r1-balance-alb-eth1), in older runs by its port (…-tap-eth1).
    ...Object.entries(plan.tester.portMirrors ?? {}).map(([slave, port]): [string, string] => {
      const bySlave = pcapng.replace(/\.pcapng$/, `-${slave}.pcapng`);
      return [port, existsSync(join(runDir, bySlave)) ? bySlave : pcapng.replace(/\.pcapng$/, `-${port}.pcapng`)];
    }),
  ];
  const frames: CapturedFrame[] = [];
  for (const [port, file] of files) {
    const capture = readCaptureFile(readFileSync(join(runDir, file)));
    capture.packets.forEach((p, i) => {
      frames.push({
        no: i + 1,
        port,
        timeMs: p.time.sec * 1000 + p.time.nsec / 1e6,
        frame: decodeFrame(p.data, capture.interfaces[p.interfaceId]?.linkType),
      });
    });
  }
  return frames;
}

/** The anatomy of a recorded pull step, and the step with it stored (as a run recorded today would have it). */
export function rebuildAnatomy(runDir: string, plan: Plan, steps: StepRecord[], step: StepRecord): PullAnatomy {
  const probe = step.measurements!.probe!;
  const start = Date.parse(step.startedAt);
  const end = start + step.durationMs;
  const frames = modeFrames(runDir, plan, step.pcapng!).filter((f) => f.timeMs >= start && f.timeMs <= end);
  const bondIp = plan.bond.address.split('/')[0]!;
  const echo = echoRecordsFromFrames(
    frames.filter((f) => f.port === plan.tester.interface),
    { bondIp },
  );
  const macs = new Set<string>();
  for (const s of steps)
    for (const slave of s.reading?.slaves ?? []) {
      macs.add(slave.mac);
      if (slave.permanentMac) macs.add(slave.permanentMac);
    }
  return pullAnatomy(echo, frames, {
    slave: step.slave!,
    carrierOffMs: start + probe.markers[0]!.atMs,
    intervalMs: 1000 / probe.rate,
    bondIp,
    testerPort: plan.tester.interface,
    mirrors: plan.tester.portMirrors,
    hostMacs: [...macs],
  });
}

/** A synthetic step's measurements with no frame counted: the base the other synthetic measurements extend. */
export function quietMeasurements(): StepMeasurements {
  return {
    arp: { probe: 0, gratuitous: 0, request: 0, reply: 0 },
    arpBySource: {},
    arpFrames: [],
    bondIpMacs: [],
    learningFrames: 0,
    unsolicitedNa: 0,
    lacpdus: 0,
    droppedFrames: 0,
  };
}

/** A synthetic pull step's measurements: nothing but the probe at 1000/s over 3 s, with its anatomy. */
export function pullMeasurements(
  anatomy: PullAnatomy,
  extra: Partial<NonNullable<StepMeasurements['probe']>> = {},
): StepMeasurements {
  return {
    ...quietMeasurements(),
    probe: {
      rate: 1000,
      sent: 3000,
      received: 0,
      lost: anatomy.lost,
      duplicates: 0,
      reordered: 0,
      samples: [],
      markers: [],
      anatomy,
      ...extra,
    },
  };
}

/** The run's steps with every pull's anatomy rebuilt from the captures. */
export function withAnatomies(runDir: string, plan: Plan, steps: StepRecord[]): StepRecord[] {
  return steps.map((s) =>
    s.kind === 'pull' && s.measurements?.probe
      ? {
          ...s,
          measurements: {
            ...s.measurements,
            probe: { ...s.measurements.probe, anatomy: rebuildAnatomy(runDir, plan, steps, s) },
          },
        }
      : s,
  );
}
