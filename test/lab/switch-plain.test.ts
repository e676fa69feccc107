/**
 * A plan with the lab switch on a lab that was brought up without its LACP partner (the project's plain lab):
 * `plan check` refuses it at the field's line, and a run refuses it in its preflight, before the host is touched.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../main/engine/session.js';
import { packageRoot } from '../../main/paths.js';
import { defaultLabPlan } from '../../shared/plan/plan.js';
import { planToYaml } from '../../shared/plan/plan-file.js';
import { guest, testLab } from '../support/lab.js';

const lab = testLab();
let dir: string;

function cli(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(packageRoot, 'test/support/cli.ts'), ...args], {
      cwd: packageRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.on('close', (code) => resolve({ code, output }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bondbench-switch-plain-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the lab switch on a lab without its LACP partner', () => {
  const plan = () => ({ ...defaultLabPlan(lab.instance, { lacp: true }), modes: ['802.3ad' as const] });

  it('plan check refuses it at drivers.switch, saying how to bring the partner up', async () => {
    const file = join(dir, 'plan.yaml');
    await writeFile(file, planToYaml(plan()));
    const { code, output } = await cli(['plan', 'check', file]);
    expect(code).toBe(1);
    expect(output).toMatch(
      new RegExp(`plan\\.yaml:\\d+:\\d+: drivers\\.switch: lab "${lab.instance}" is up without its LACP partner`),
    );
    expect(output).toContain('lab up --lacp');
  }, 60_000);

  it('a run refuses it in its preflight, before the host is touched', async () => {
    const session = await lab.ssh();
    const before = (await guest(session, 'cat /sys/class/net/bond0/bonding/mode')).trim();
    const outcome = await (await startRun(plan(), { runsDir: dir })).finished;
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(
      /drivers\.switch \(lab\): .*up without its LACP partner.*nothing on the host was changed/,
    );
    expect(outcome.steps).toEqual([]);
    expect((await guest(session, 'cat /sys/class/net/bond0/bonding/mode')).trim()).toBe(before);
    session.close();
  }, 120_000);
});
