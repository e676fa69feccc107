/**
 * The load step on the lab: the tester as 4 peers (macvlans in the lab's namespace, own MAC and address each) ×
 * 2 echo flows; the bond's replies counted per slave on the port mirrors, Jain's index, and the oracle's verdict
 * per mode and xmit_hash_policy. balance-rr spreads evenly; balance-xor with layer3+4 keeps each flow on one slave.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../main/engine/session.js';
import { defaultLabPlan, type Plan } from '../../shared/plan/plan.js';
import { checkPlan } from '../../shared/plan/plan-file.js';
import { testLab } from '../support/lab.js';

const run = promisify(execFile);
const lab = testLab();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bondbench-load-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('load step on the lab', () => {
  it('spreads 4 peers × 2 flows by mode: balance-rr evenly, balance-xor layer3+4 one slave per flow', async () => {
    const plan: Plan = {
      ...defaultLabPlan(lab.instance),
      name: 'load spread',
      modes: ['balance-rr', 'balance-xor'],
      bond: {
        ...defaultLabPlan(lab.instance).bond,
        perMode: { 'balance-xor': { xmit_hash_policy: 'layer3+4' } },
      },
      apply: { method: 'runtime', netifrcStyle: 'writeup' },
      steps: [{ kind: 'load', peers: 4, flows: 2, seconds: 3, rate: 20 }],
    };
    expect(checkPlan(plan)).toEqual([]);
    const outcome = await (await startRun(plan, { runsDir: dir })).finished;
    expect(outcome.error).toBeUndefined();
    expect(outcome.steps.filter((s) => s.status === 'failed').map((s) => `${s.label}: ${s.error}`)).toEqual([]);
    for (const mode of ['balance-rr', 'balance-xor'] as const) {
      const step = outcome.steps.find((s) => s.mode === mode && s.kind === 'load')!;
      const load = step.measurements?.load;
      const cell = outcome.matrix.find((r) => r.mode === mode)?.cells.loadBalancing;
      console.log(`${mode}: ${JSON.stringify(load)}; cell ${cell?.text} ${cell?.verdict}: ${cell?.reason}`);
      // 4 peers × 2 flows × 20/s × 3 s ≈ 480 requests, nearly all answered and seen on the mirrors.
      expect(load?.sent).toBeGreaterThan(300);
      expect(load?.received).toBeGreaterThan(0.9 * load!.sent);
      expect(load?.peers).toBe(4);
      expect(load?.flows).toBe(8);
      expect(load!.replies.eth1! + load!.replies.eth2!).toBeGreaterThan(0.9 * load!.received);
      expect(cell?.verdict, cell?.reason).toBe('expected');
      // The host's own counters saw both slaves send in balance-rr.
      if (mode === 'balance-rr') {
        expect(load!.jain).toBeGreaterThan(0.9);
        expect(step.measurements?.txShare?.eth1).toBeGreaterThan(0.3);
      } else {
        expect(load!.splitFlows).toBe(0);
      }
    }
    // The peers are gone again: only the lab's own links are left in its namespace.
    const { stdout } = await run('ip', ['-n', lab.namespace, '-br', 'link']);
    expect(stdout).not.toMatch(/^peer\d/m);
  }, 240_000);
});
