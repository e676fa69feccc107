/** The engine's verdict on a whole run, with fake sides: what the run folder and the CLI then say. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../main/engine/session.js';
import { readRunFolder } from '../../main/engine/store.js';
import { defaultLabPlan, type Plan } from '../../shared/plan/plan.js';
import { fakeSides } from '../support/fake-sides.js';

let runsDir: string;
beforeAll(async () => {
  runsDir = await mkdtemp(join(tmpdir(), 'bondbench-outcome-'));
});
afterAll(() => rm(runsDir, { recursive: true, force: true }));

const plan = (modes: Plan['modes']): Plan => ({
  ...defaultLabPlan('fake'),
  modes,
  steps: [],
  apply: { method: 'runtime', netifrcStyle: 'writeup' },
});

describe('a run in which no mode came up', () => {
  it('is failed, not completed, and says why', async () => {
    const sides = fakeSides({ failBringUp: () => 'fake: setting updelay=0 failed' });
    const handle = await startRun(plan(['balance-xor', 'broadcast']), { runsDir, sides, locksDir: runsDir });
    const outcome = await handle.finished;
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toBe('no mode came up: fake: setting updelay=0 failed');
    expect((await readRunFolder(outcome.dir)).manifest.status).toBe('failed');
  });

  it('one mode up is a completed run with a failed step', async () => {
    const sides = fakeSides({ failBringUp: (mode) => (mode === 'broadcast' ? 'fake failure' : undefined) });
    const outcome = await (await startRun(plan(['balance-xor', 'broadcast']), { runsDir, sides, locksDir: runsDir }))
      .finished;
    expect(outcome.status).toBe('completed');
    expect(outcome.steps.find((s) => s.mode === 'balance-xor')?.apply?.verified).toEqual(['mode=balance-xor']);
  });
});

describe('a run that stops while a cable is out', () => {
  it('plugs the slave back before restoring the host, and says so in log.txt', async () => {
    const sides = fakeSides();
    const calls: string[] = [];
    let pulled!: () => void;
    const pulledNow = new Promise<void>((resolve) => (pulled = resolve));
    sides.link = {
      ...sides.link,
      pull: async (slave) => {
        calls.push(`pull ${slave}`);
        pulled();
      },
      plug: async (slave) => {
        calls.push(`plug ${slave}`);
      },
    };
    const restore = sides.host.restore.bind(sides.host);
    sides.host.restore = async () => {
      calls.push('restore');
      await restore();
    };
    const handle = await startRun(
      {
        ...plan(['active-backup']),
        steps: [
          { kind: 'pull', slave: 'eth1', holdSeconds: 30 },
          { kind: 'plug', slave: 'eth1', settleSeconds: 1 },
        ],
      },
      { runsDir, sides, locksDir: runsDir },
    );
    await pulledNow;
    handle.cancel();
    const outcome = await handle.finished;
    expect(outcome.status).toBe('cancelled');
    expect(calls).toEqual(['pull eth1', 'plug eth1', 'restore']);
    const log = await readFile(join(outcome.dir, 'log.txt'), 'utf8');
    expect(log).toContain('eth1: cable plugged back in (the run stopped while it was pulled)');
  });
});

describe('a run whose capture port goes away', () => {
  it('fails the step it happened in, stops with one line naming the file that keeps the frames, restores the host', async () => {
    const sides = fakeSides({ captureGoneIn: 'broadcast' });
    let restored = 0;
    sides.host.restore = async () => {
      restored++;
    };
    const outcome = await (
      await startRun(
        { ...plan(['balance-xor', 'broadcast', 'balance-rr']), steps: [{ kind: 'read-macs' }] },
        {
          runsDir,
          sides,
          locksDir: runsDir,
        },
      )
    ).finished;
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toBe(
      "the tester's capture stopped (fake0: The interface disappeared): what it captured until then is kept in capture/r1-broadcast.pcapng; check the tester's network adapter (removed, disabled, its driver reset) and run the plan again",
    );
    expect(outcome.steps.map((s) => `${s.mode} ${s.kind} ${s.status}`)).toEqual([
      'balance-xor bring-up ok',
      'balance-xor read-macs ok',
      'broadcast bring-up failed',
    ]);
    expect(outcome.restored).toBe(true);
    expect(restored).toBe(1);
    expect(sides.log.applied.map((a) => a.mode)).toEqual(['balance-xor', 'broadcast']);
  });
});
