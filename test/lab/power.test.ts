/**
 * The power driver in the run, on the lab: every mode applied the write-up's way (write /etc/conf.d/net, cut the
 * power, read what came up) and a power-cycle step after it, from the CLI, with boot times and ARP at boot in the
 * report; and the watchdog: a guest that hangs behind the bench's back right after a reboot is power-cycled back
 * and the run completes with the host restored.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../main/engine/session.js';
import { readRunFolder } from '../../main/engine/store.js';
import { packageRoot } from '../../main/paths.js';
import { judgeRun } from '../../shared/oracle/oracle.js';
import { defaultLabPlan, type Plan } from '../../shared/plan/plan.js';
import { planToYaml } from '../../shared/plan/plan-file.js';
import { buildReport } from '../../shared/report/build.js';
import { renderHtml } from '../../shared/report/html.js';
import { guest, testLab } from '../support/lab.js';

const lab = testLab();
let runsDir: string;
let originalConf: string;

async function hostState(): Promise<{ conf: string; mode: string; slaves: string }> {
  const session = await lab.ssh();
  try {
    return {
      conf: await guest(session, 'cat /etc/conf.d/net'),
      mode: (await guest(session, 'cat /sys/class/net/bond0/bonding/mode')).trim(),
      slaves: (await guest(session, 'cat /sys/class/net/bond0/bonding/slaves')).trim(),
    };
  } finally {
    session.close();
  }
}

function plan(overrides: Partial<Plan>): Plan {
  return { ...defaultLabPlan(lab.instance), ...overrides };
}

beforeAll(async () => {
  runsDir = await mkdtemp(join(tmpdir(), 'bondbench-power-'));
  originalConf = (await hostState()).conf;
});

afterAll(async () => {
  // Whatever happened in this file, the host is as it was found.
  expect((await hostState()).conf).toBe(originalConf);
});

describe('power steps', () => {
  it('applies each mode by power-cycle, power-cycles again, and reports boot times and ARP at boot (CLI)', async () => {
    const file = join(runsDir, 'power.yaml');
    await writeFile(
      file,
      planToYaml(
        plan({
          name: 'write-up way, by power',
          modes: ['active-backup', 'balance-tlb'],
          apply: { method: 'netifrc', netifrcStyle: 'writeup', boot: 'power-cycle', offSeconds: 1 },
          steps: [{ kind: 'read-macs' }, { kind: 'power-cycle', offSeconds: 2 }, { kind: 'probe', seconds: 1 }],
        }),
      ),
    );
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(packageRoot, 'test/support/cli.ts'), 'run', file, '--out', runsDir],
      { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (c) => {
      output += c;
    });
    child.stderr.on('data', (c) => {
      output += c;
    });
    expect(await new Promise<number | null>((resolve) => child.on('exit', resolve)), output).toBe(0);
    const folder = output.match(/results: (\S+)/)?.[1];
    expect(folder, output).toBeTruthy();
    const run = await readRunFolder(folder!);
    expect(run.manifest.status).toBe('completed');
    expect(run.manifest.restored).toBe(true);
    expect(run.steps.filter((s) => s.status === 'failed').map((s) => `${s.label}: ${s.error}`)).toEqual([]);

    const boots = run.steps.filter((s) => s.boot);
    expect(boots.map((s) => `${s.mode} ${s.kind} ${s.boot!.via}`)).toEqual([
      'active-backup bring-up power-cycle',
      'active-backup power-cycle power-cycle',
      'balance-tlb bring-up power-cycle',
      'balance-tlb power-cycle power-cycle',
    ]);
    for (const step of boots) {
      const boot = step.boot!;
      // Power-on to SSH on a new boot: a TCG guest takes seconds, never less than one.
      expect(boot.bootMs, step.label).toBeGreaterThan(1000);
      expect(boot.bootMs, step.label).toBeLessThan(180_000);
      expect(boot.driver).toMatch(/^lab ".+" power$/);
      expect(boot.recoveries).toBeUndefined();
      // The bond came up as /etc/conf.d/net persisted it, and is in the mode under test.
      expect(boot.persisted, step.label).toEqual({ matches: true, differences: [], differenceParts: [] });
      expect(step.reading?.bondMode, step.label).toBe(step.mode);
      // The link failure counters of the new boot are read (/proc/net/bonding).
      expect(step.reading?.slaves.map((s) => typeof s.linkFailures)).toEqual(['number', 'number']);
      // What crossed the wire is counted on the tester port and on each slave's port mirror.
      expect(boot.wire?.map((w) => w.port)).toEqual(['tester', 'eth1', 'eth2']);
      if (step.mode === 'balance-tlb') {
        // tlb's learning frames (ethertype 0x9000, bond_alb.c) leave on each slave at boot: the mirrors see them,
        // the tester's port does not (they are addressed to the bond's own MAC).
        for (const port of ['eth1', 'eth2']) {
          expect(boot.wire!.find((w) => w.port === port)!.learningFrames, `${step.label} ${port}`).toBeGreaterThan(0);
        }
      } else {
        // active-backup: the driver sends nothing at bring-up, and the guest's network scripts no ARP.
        expect(boot.wire!.find((w) => w.port === 'tester')!.arpGratuitous, step.label).toBe(0);
      }
    }
    expect(boots[1]!.boot!.offSeconds).toBe(2);

    // The matrix's ARP at boot comes from a real boot, and the report shows every boot.
    const report = buildReport(run, 'en');
    for (const mode of ['active-backup', 'balance-tlb']) {
      const cell = report.matrix.find((r) => r.mode === mode)!.cells.find((c) => c.column === 'arpAtBoot')!;
      const bringUp = boots.find((s) => s.mode === mode && s.kind === 'bring-up')!;
      expect(cell.evidence.steps).toEqual([bringUp.index]);
      // The oracle says which boot it was (the report renders reasons from their catalogue keys).
      const judged = judgeRun(run.plan, run.steps).find((r) => r.mode === mode)!.cells.arpAtBoot!;
      expect(judged.reason).toContain('measured across a power-cycle, SSH back after');
    }
    expect(report.boots).toHaveLength(4);
    const html = renderHtml(report);
    expect(html).toContain('<section id="boots"><h2>Boots</h2>');
    expect(html).toContain('power-cycle, 2 s off');
    const zh = renderHtml(buildReport(run, 'zh-CN'));
    expect(zh).toContain('断电重启，断电 2 秒');
    expect(await hostState()).toEqual({ conf: originalConf, mode: 'balance-rr 0', slaves: 'eth1 eth2' });
  }, 900_000);
});

describe('the watchdog', () => {
  it('power-cycles a guest that hangs after the reboot, then completes the run and restores the host', async () => {
    let hung = false;
    const hangs: Promise<void>[] = [];
    const handle = await startRun(
      plan({
        name: 'a host that hangs on reboot',
        modes: ['active-backup'],
        apply: { method: 'netifrc', netifrcStyle: 'writeup', boot: 'reboot' },
        steps: [{ kind: 'read-macs' }],
        timeouts: { pullSeconds: 5, rebootSeconds: 45, powerCycles: 2 },
      }),
      {
        runsDir,
        emit: (event) => {
          // Right after the reboot is sent, the guest locks up: SSH never answers, nothing reboots it.
          if (event.type === 'log' && event.line.endsWith(': reboot sent') && !hung) {
            hung = true;
            hangs.push(lab.hang());
          }
        },
      },
    );
    const outcome = await handle.finished;
    await Promise.all(hangs);
    expect(hung).toBe(true);
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('completed');
    expect(outcome.restored).toBe(true);
    const bringUp = outcome.steps.find((s) => s.kind === 'bring-up')!;
    expect(bringUp.status, bringUp.error).toBe('ok');
    expect(bringUp.boot?.via).toBe('reboot');
    expect(bringUp.boot?.recoveries).toEqual([
      {
        attempt: 1,
        at: expect.any(String),
        reason: expect.stringContaining('no SSH within 45 s after the reboot'),
        bootMs: expect.any(Number),
        outcome: 'back',
      },
    ]);
    expect(bringUp.boot?.persisted).toEqual({ matches: true, differences: [], differenceParts: [] });
    expect(bringUp.reading?.bondMode).toBe('active-backup');
    const log = await readFile(join(outcome.dir, 'log.txt'), 'utf8');
    expect(log).toMatch(/no SSH within 45 s after the reboot: watchdog power-cycle 1 of 2/);
    expect(log).toMatch(/back after watchdog power-cycle 1/);
    expect(await hostState()).toEqual({ conf: originalConf, mode: 'balance-rr 0', slaves: 'eth1 eth2' });
  }, 600_000);
});
