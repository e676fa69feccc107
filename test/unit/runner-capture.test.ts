/**
 * The engine's capture accounting with the world faked (host, link, tester): each step's record says what each
 * capture file lost in that step, its droppedFrames adds up the frames missing from the files, the run's warnings
 * give each file's total for the mode, and the live frames events say when the tester's live view sampled.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Capture, HostSide, LinkSide, Probe, TesterSide } from '../../main/engine/ports.js';
import { executeRun } from '../../main/engine/runner.js';
import { RunWriter } from '../../main/engine/store.js';
import type { BenchEvent } from '../../shared/api.js';
import { defaultLabPlan, type Plan } from '../../shared/plan/plan.js';
import type { CaptureLoss, HostReading, StepRecord } from '../../shared/run/model.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const reading = (): HostReading => ({
  at: new Date().toISOString(),
  bondMode: 'balance-rr',
  slaves: [
    { name: 'eth1', mac: '00:e0:4c:83:07:9c', mii: 'up', txPackets: 0, rxPackets: 0 },
    { name: 'eth2', mac: '00:e0:4c:e2:57:8d', mii: 'up', txPackets: 0, rxPackets: 0 },
  ],
});

const host: HostSide = {
  facts: async () => ({}) as never,
  saveOriginal: async () => undefined,
  apply: async () => ({}),
  boot: async (options) => ({ via: options.via }),
  persisted: async () => ({ matches: true, differences: [] }),
  read: async () => reading(),
  miiStatus: async () => 'up',
  restore: async () => undefined,
  close: async () => undefined,
};

const link: LinkSide = {
  name: 'fake',
  physical: true,
  pull: async () => undefined,
  plug: async () => undefined,
  state: async () => 'plugged' as const,
};

const loss = (file: string, port: string, kernel: number, writer: number): CaptureLoss => ({
  file,
  port,
  received: 1000 - kernel,
  written: 1000 - kernel - writer,
  kernelDropped: kernel,
  interfaceDropped: 0,
  writerDropped: writer,
  liveSkipped: 0,
});

/** A tester whose capture loses frames in its second step only, and whose live view sampled. */
function fakeTester(): TesterSide {
  return {
    facts: () => ({ interface: 'tester0', filter: '', timestamps: 'fake' }),
    async startCapture(file: string): Promise<Capture> {
      const mirror = file.replace(/\.pcapng$/, '-eth1.pcapng');
      let checkpoints = 0;
      let listener: ((frames: never[], skipped: number) => void) | undefined;
      return {
        onFrames: (l) => {
          listener = l;
        },
        comment: async () => {
          listener?.([], 250);
        },
        checkpoint: async () => {
          checkpoints++;
          return checkpoints === 2
            ? [loss(file, 'tester0', 3, 4), loss(mirror, 'tap-eth1', 0, 5)]
            : [loss(file, 'tester0', 0, 0), loss(mirror, 'tap-eth1', 0, 0)];
        },
        stop: async () => ({
          frames: 2000,
          files: [loss(file, 'tester0', 3, 4), loss(mirror, 'tap-eth1', 0, 5)],
          sinceCheckpoint: [loss(file, 'tester0', 0, 0), loss(mirror, 'tap-eth1', 0, 0)],
        }),
      };
    },
    async startProbe(): Promise<Probe> {
      return { onSample: () => undefined, stop: async () => [] };
    },
    close: async () => undefined,
  };
}

describe('capture accounting in a run', () => {
  it('records each step’s losses per file, totals them, warns per file, and passes the live view’s sampling on', async () => {
    const root = await mkdtemp(join(tmpdir(), 'bondbench-runner-capture-'));
    dirs.push(root);
    const plan: Plan = {
      ...defaultLabPlan('i18'),
      modes: ['balance-rr'],
      steps: [{ kind: 'read-macs' }, { kind: 'plug', slave: 'eth1', settleSeconds: 0 }],
    };
    const writer = await RunWriter.create(root, plan, 'name: test\n', 3, 'test');
    const events: BenchEvent[] = [];
    const records: StepRecord[] = await executeRun({
      plan,
      host,
      tester: fakeTester(),
      link,
      power: {
        name: 'fake power',
        readable: false,
        set: async () => undefined,
        cycle: async () => undefined,
        get: async () => 'unknown',
      },
      writer,
      signal: new AbortController().signal,
      emit: (e) => events.push(e),
    });
    expect(records.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    expect(records[0]!.capture?.map((l) => l.file)).toEqual([
      'capture/r1-balance-rr.pcapng',
      'capture/r1-balance-rr-eth1.pcapng',
    ]);
    expect(records.map((r) => r.measurements?.droppedFrames)).toEqual([0, 12, 0]);
    expect(records[1]!.capture?.[1]).toMatchObject({ port: 'tap-eth1', writerDropped: 5, kernelDropped: 0 });
    expect(writer.manifest.warnings).toEqual([
      'mode balance-rr, repetition 1: capture/r1-balance-rr.pcapng (tester0): 7 of 1000 frames are not in the file — ' +
        "kernel dropped 3, writer dropped 4; the interface's own drop counter rose by 0",
      'mode balance-rr, repetition 1: capture/r1-balance-rr-eth1.pcapng (tap-eth1): 5 of 1000 frames are not in the file — ' +
        "kernel dropped 0, writer dropped 5; the interface's own drop counter rose by 0",
    ]);
    const steps = (await readFile(join(writer.dir, 'steps.jsonl'), 'utf8')).trim().split('\n');
    expect((JSON.parse(steps[1]!) as StepRecord).capture?.[0]).toMatchObject({ kernelDropped: 3, writerDropped: 4 });
    const sampled = events.flatMap((e) => (e.type === 'frames' ? [e.sampled] : []));
    expect(sampled).toEqual([250, 250, 250]);
  }, 30_000);
});
