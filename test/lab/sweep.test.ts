/**
 * A sweep on the lab: active-backup at miimon 50, 100 and 200, three repetitions each (runtime bring-up, pull the
 * active slave, plug it back). One run folder holds every combination; the report, built as the CLI and the UI
 * build it, shows failover against miimon per point; every pull is judged by the oracle against the miimon of its
 * own point (detection within miimon + slack, bonding.rst "miimon").
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../main/engine/session.js';
import { readRunFolder } from '../../main/engine/store.js';
import { defaultLabPlan, type Plan } from '../../shared/plan/plan.js';
import { checkPlan } from '../../shared/plan/plan-file.js';
import { buildReport } from '../../shared/report/build.js';
import { renderHtml } from '../../shared/report/html.js';
import { renderMarkdown } from '../../shared/report/markdown.js';
import { ALL_REPETITIONS } from '../../shared/run/model.js';
import { testLab } from '../support/lab.js';

const lab = testLab();
const MIIMON = [50, 100, 200];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bondbench-sweep-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a miimon sweep on the lab', () => {
  it('runs 3 points × 3 repetitions in one folder and reports failover against miimon, judged per point', async () => {
    const plan: Plan = {
      ...defaultLabPlan(lab.instance),
      name: 'miimon sweep',
      modes: ['active-backup'],
      apply: { method: 'runtime', netifrcStyle: 'writeup' },
      probe: { rate: 100, pullRate: 500, arpPolicy: 'passive' },
      // The first slave enslaved is the active one: pulling it makes the bond fail over to eth2. No primary, so
      // plugging it back moves nothing. 1 s of hold is far beyond miimon 200 + its gratuitous ARP.
      steps: [
        { kind: 'pull', slave: 'eth1', holdSeconds: 1 },
        { kind: 'plug', slave: 'eth1', settleSeconds: 1 },
      ],
      repeat: 3,
      sweep: { miimon: MIIMON },
    };
    expect(checkPlan(plan)).toEqual([]);
    const started = performance.now();
    const outcome = await (await startRun(plan, { runsDir: dir })).finished;
    const seconds = (performance.now() - started) / 1000;
    console.log(`sweep run: ${outcome.steps.length} steps in ${seconds.toFixed(1)} s`);
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('completed');
    expect(outcome.restored).toBe(true);
    expect(outcome.steps.filter((s) => s.status === 'failed').map((s) => `${s.label}: ${s.error}`)).toEqual([]);

    // Every point × repetition, bring-up, pull and plug, in the one run folder.
    const run = await readRunFolder(outcome.dir);
    const combos = new Set(run.steps.map((s) => `${s.point}/${s.repetition}/${s.kind}`));
    for (const point of [0, 1, 2]) {
      for (const repetition of [1, 2, 3]) {
        for (const kind of ['bring-up', 'pull', 'plug']) expect(combos).toContain(`${point}/${repetition}/${kind}`);
      }
    }

    // The report as the CLI (main/report/export.ts) and the UI build it.
    const report = buildReport(run, 'en');
    expect(report.sweep?.axes).toEqual([{ option: 'miimon', values: MIIMON }]);
    expect(report.sweep?.points.map((p) => p.label)).toEqual(MIIMON.map((m) => `miimon=${m}`));
    const series = report.sweep?.series.find((s) => s.mode === 'active-backup');
    expect(series?.cells.map((c) => [c.point, c.pulls])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
    for (const cell of series!.cells) {
      console.log(
        `miimon=${MIIMON[cell.point]}: median ${cell.failoverMedianMs} ms, p95 ${cell.failoverP95Ms} ms, ` +
          `max ${cell.failoverMaxMs} ms, lost ${cell.lostMedian} (${cell.measured}/${cell.pulls}, ±${cell.resolutionMs} ms)`,
      );
      expect(cell.measured, `miimon=${MIIMON[cell.point]}`).toBe(3);
      expect(cell.failoverMedianMs).toBeGreaterThanOrEqual(0);
    }
    const html = renderHtml(report);
    expect(html).toContain('data-plot="sweep"');
    for (const [i, m] of MIIMON.entries()) {
      expect(html).toMatch(new RegExp(`<circle [^>]*data-mode="active-backup" data-point="${i}" data-median="\\d`));
      expect(html).toContain(`<tr data-mode="active-backup" data-point="${i}"><td>`);
      expect(html).toContain(`>miimon=${m}<`);
    }
    expect(renderMarkdown(report)).toMatch(/\| miimon=200 \| 3 \(3\) \|/);

    // The oracle, per point: each pull held to the miimon it ran with; the pooled cell of each point expected.
    for (const [i, m] of MIIMON.entries()) {
      const outages = report.outages.find((o) => o.mode === 'active-backup' && o.point === `miimon=${m}`);
      expect(outages?.pulls.map((p) => p.verdict)).toEqual(['expected', 'expected', 'expected']);
      const pooled = outcome.matrix.find((r) => r.point === i && r.repetition === ALL_REPETITIONS);
      expect(pooled?.cells.failoverMs?.verdict, pooled?.cells.failoverMs?.reason).toBe('expected');
      for (const step of outcome.steps.filter((s) => s.point === i && s.kind === 'pull')) {
        const a = step.measurements!.probe!.anatomy!;
        expect(a.confirmedBy, step.label).toBe('mii');
        // An announcement that trailed the first reply has no detection time of its own: that reply bounds it.
        if (a.endedBy === 'bond-announcement')
          expect(a.detectionMs ?? a.firstReplyAfter!.atMs, step.label).toBeLessThanOrEqual(m + 70);
      }
    }
  }, 600_000);
});
