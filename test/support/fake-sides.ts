/**
 * Sides for engine tests that need no lab: a host whose bring-up result the test decides, a tester that captures
 * nothing and answers every probe, links that pull and plug at once. The engine, run folder, oracle and CLI
 * output around them are the real ones.
 */
import { writeFile } from 'node:fs/promises';
import type { HostSide, TesterSide } from '../../main/engine/ports.js';
import type { Sides } from '../../main/engine/sides.js';
import type { ModeName, Plan } from '../../shared/plan/plan.js';
import type { HostReading } from '../../shared/run/model.js';

export interface FakeHostLog {
  applied: { mode: ModeName; plan: Plan }[];
  booted: string[];
}

export function fakeSides(
  options: {
    failBringUp?: (mode: ModeName) => string | undefined;
    /** The tester's capture port goes away during this mode's first step (capture.failed from the agent). */
    captureGoneIn?: ModeName;
  } = {},
): Sides & {
  log: FakeHostLog;
} {
  const log: FakeHostLog = { applied: [], booted: [] };
  const host: HostSide = {
    facts: async () => ({ target: 'fake', kernel: '6.1.0-fake', distribution: 'fake', nics: [] }),
    saveOriginal: async () => undefined,
    apply: async (plan, mode) => {
      log.applied.push({ mode, plan });
      const failure = options.failBringUp?.(mode);
      if (failure) throw new Error(failure);
      return { verified: [`mode=${mode}`] };
    },
    boot: async (options) => {
      log.booted.push(options.via);
      return { via: options.via, bootMs: 1000, attempts: 1 };
    },
    persisted: async () => ({ matches: true, differences: [] }),
    read: async (plan): Promise<HostReading> => ({
      at: new Date().toISOString(),
      slaves: plan.bond.slaves.map((name) => ({ name, mac: '', mii: 'up', txPackets: 0, rxPackets: 0 })),
    }),
    miiStatus: async () => 'up',
    restore: async () => undefined,
    close: async () => undefined,
  };
  const tester: TesterSide = {
    facts: () => ({ interface: 'fake0', filter: '', timestamps: 'none' }),
    startCapture: async (file) => {
      await writeFile(file, '');
      const gone = options.captureGoneIn !== undefined && file.includes(`-${options.captureGoneIn}.pcapng`);
      return {
        onFrames: () => undefined,
        comment: async () => undefined,
        checkpoint: async () => [],
        failure: () => (gone ? { port: 'fake0', file, error: 'fake0: The interface disappeared' } : undefined),
        stop: async () => ({ frames: 0, files: [], sinceCheckpoint: [] }),
      };
    },
    startProbe: async () => ({ onSample: () => undefined, stop: async () => [] }),
    close: async () => undefined,
  };
  return {
    host,
    tester,
    link: {
      name: 'fake link',
      physical: true,
      pull: async () => undefined,
      plug: async () => undefined,
      state: async () => 'plugged',
    },
    power: {
      name: 'fake power',
      readable: true,
      set: async () => undefined,
      cycle: async () => undefined,
      get: async () => 'on',
    },
    close: async () => undefined,
    log,
  };
}
