/** Sweeps: plan check at every point, the run over every combination, and the figure against the value. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../main/engine/session.js';
import { readRunFolder } from '../../main/engine/store.js';
import { judgeRun } from '../../shared/oracle/oracle.js';
import { defaultLabPlan, type Plan } from '../../shared/plan/plan.js';
import { loadPlan, parsePlan, planToYaml } from '../../shared/plan/plan-file.js';
import { planAtPoint, pointLabel, sweepPoints } from '../../shared/plan/sweep.js';
import { buildReport } from '../../shared/report/build.js';
import { renderHtml } from '../../shared/report/html.js';
import { renderJson } from '../../shared/report/json.js';
import { junitInputOf, runToJunit } from '../../shared/report/junit.js';
import { renderMarkdown } from '../../shared/report/markdown.js';
import { REPORT_SCHEMA } from '../../shared/report/schema.js';
import { compareRuns, sweepPointRun } from '../../shared/run/compare.js';
import { percentile, sweepSeries } from '../../shared/run/stats.js';
import { fakeSides } from '../support/fake-sides.js';
import { sweepPull } from '../support/sweep-steps.js';

const base = `version: 1
host:
  target: root@192.168.0.253
bond:
  slaves: [eth1, eth2]
  address: 192.168.1.253/24
  peer: 192.168.1.252
  options: { updelay: 200 }
modes: [balance-rr, 802.3ad]
repeat: 3
`;

describe('sweep plans', () => {
  it('every combination of one or two axes, the last varying fastest, laid over the common options', () => {
    const plan = loadPlan(`${base}sweep:\n  miimon: [50, 100, 200]\n  lacp_rate: [slow, fast]\n`);
    const points = sweepPoints(plan);
    expect(points.map(pointLabel)).toEqual([
      'miimon=50, lacp_rate=slow',
      'miimon=50, lacp_rate=fast',
      'miimon=100, lacp_rate=slow',
      'miimon=100, lacp_rate=fast',
      'miimon=200, lacp_rate=slow',
      'miimon=200, lacp_rate=fast',
    ]);
    const at = planAtPoint(plan, points[3]);
    expect(at.bond.options).toEqual({ updelay: 200, miimon: 100, lacp_rate: 'fast' });
    expect(at.sweep).toBeUndefined();
    expect(loadPlan(planToYaml(plan))).toEqual(plan);
  });

  it('checks the option rules at every point and points at the swept value that breaks them', () => {
    // updelay 200 with miimon 0: the driver refuses the delay; miimon 150 rounds it down (a note, not an error).
    const { errors } = parsePlan(`${base}sweep:\n  miimon: [0, 100, 150]\n`);
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'sweep.miimon[0]',
        line: 12,
        message: expect.stringMatching(/^at miimon=0: updelay: works only with miimon/),
      }),
    ]);
  });

  it('refuses three axes, a list option, one value, and a per-mode setting that hides the swept option', () => {
    expect(
      parsePlan(`${base}sweep: { miimon: [50, 100], downdelay: [0, 100], lacp_rate: [slow, fast] }\n`).errors[0],
    ).toMatchObject({
      path: 'sweep',
    });
    expect(parsePlan(`${base}sweep: { arp_ip_target: [[10.0.0.1], [10.0.0.2]] }\n`).errors[0]).toMatchObject({
      path: 'sweep.arp_ip_target',
    });
    expect(parsePlan(`${base}sweep: { miimon: [100] }\n`).errors[0]).toMatchObject({ path: 'sweep.miimon' });
    const hidden = parsePlan(
      `${base.replace(
        '  options: { updelay: 200 }',
        "  options: { updelay: 200 }\n  perMode:\n    '802.3ad': { lacp_rate: slow }",
      )}sweep: { lacp_rate: [slow, fast] }\n`,
    );
    expect(hidden.errors).toEqual([
      expect.objectContaining({ path: 'bond.perMode.802.3ad.lacp_rate', message: expect.stringMatching(/never see/) }),
    ]);
  });
});

describe('the figure against the value', () => {
  const pull = sweepPull;

  it('median, nearest-rank p95 and lost probes per mode and point; a point without a measured pull has none', () => {
    const steps = [
      pull(0, 'balance-rr', 120, 11),
      pull(0, 'balance-rr', 100, 9),
      pull(0, 'balance-rr', 140, 13),
      pull(1, 'balance-rr', 220, 21),
      pull(1, 'balance-rr', undefined, 150),
      pull(0, '802.3ad', 40, 3),
    ];
    const [rr, ad] = sweepSeries(steps, [0, 1], ['balance-rr', '802.3ad']);
    expect(rr!.cells).toEqual([
      {
        point: 0,
        pulls: 3,
        measured: 3,
        failoverMedianMs: 120,
        failoverP95Ms: 140,
        failoverMaxMs: 140,
        lostMedian: 11,
        resolutionMs: 10,
      },
      {
        point: 1,
        pulls: 2,
        measured: 1,
        failoverMedianMs: 220,
        failoverP95Ms: 220,
        failoverMaxMs: 220,
        lostMedian: 85.5,
        resolutionMs: 10,
      },
    ]);
    expect(ad!.cells[1]).toEqual({ point: 1, pulls: 0, measured: 0, resolutionMs: 0 });
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 95)).toBe(19);
  });
});

describe('a sweep run (fake host and tester)', () => {
  let runsDir: string;
  let sweepDir: string;
  beforeAll(async () => {
    runsDir = await mkdtemp(join(tmpdir(), 'bondbench-sweep-'));
  });
  afterAll(() => rm(runsDir, { recursive: true, force: true }));

  it('runs every point × repetition × mode with the point’s options, in one run folder, and reports per point', async () => {
    const plan: Plan = {
      ...defaultLabPlan('fake'),
      modes: ['balance-rr'],
      steps: [],
      repeat: 2,
      apply: { method: 'runtime', netifrcStyle: 'writeup' },
      sweep: { miimon: [50, 200] },
    };
    const sides = fakeSides();
    const outcome = await (await startRun(plan, { runsDir, sides, locksDir: runsDir })).finished;
    expect(outcome.status).toBe('completed');
    expect(sides.log.applied.map((a) => a.plan.bond.options.miimon)).toEqual([50, 50, 200, 200]);
    expect(outcome.steps.map((s) => [s.point, s.repetition])).toEqual([
      [0, 1],
      [0, 2],
      [1, 1],
      [1, 2],
    ]);
    expect(outcome.steps[2]!.label).toBe('miimon=200, mode balance-rr: bring-up');
    expect(outcome.steps[2]!.pcapng).toBe('capture/p1-r1-balance-rr.pcapng');
    const matrix = judgeRun(plan, outcome.steps);
    expect(matrix.map((r) => [r.point, r.repetition])).toEqual(outcome.steps.map((s) => [s.point, s.repetition]));

    const run = await readRunFolder(outcome.dir);
    sweepDir = outcome.dir;
    const report = buildReport(run, 'zh-CN');
    expect(report.sweep?.axes).toEqual([{ option: 'miimon', values: [50, 200] }]);
    expect(report.matrix.map((r) => r.point)).toEqual(['miimon=50', 'miimon=50', 'miimon=200', 'miimon=200']);
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(REPORT_SCHEMA);
    expect(validate(JSON.parse(renderJson(report))), JSON.stringify(validate.errors)).toBe(true);
    // JUnit: one suite per point, mode and repetition, named by the point; each with its own steps' time.
    const xml = runToJunit(junitInputOf(run, matrix));
    const suites = [...xml.matchAll(/<testsuite name="([^"]+)"[^>]* time="([\d.]+)"/g)];
    expect(suites.map((m) => m[1])).toEqual([
      'miimon=50 balance-rr #1',
      'miimon=50 balance-rr #2',
      'miimon=200 balance-rr #1',
      'miimon=200 balance-rr #2',
    ]);
    const stepSeconds = (i: number) => outcome.steps[i]!.durationMs / 1000;
    expect(Number(suites[2]![2])).toBeCloseTo(stepSeconds(2), 2);
    const md = renderMarkdown(report);
    expect(md).toContain('## 参数扫描：故障切换时间随 miimon 的变化');
    expect(md).toMatch(/\| miimon=200 \| 0 balance-rr[^|]* \| 2 \|/);
    // The sweep's table: no pull in this plan, so no time at either point.
    expect(md).toMatch(/\| 0 balance-rr[^|]* \| miimon=200 \| 0 \(0\) \| – \| – \| – \| – \|/);
    const html = renderHtml(report);
    expect(html).toContain('<section id="sweep"><h2>参数扫描：故障切换时间随 miimon 的变化</h2>');
    expect(html).toContain('data-plot="sweep"');
    expect(html).toContain(
      '<tr data-mode="balance-rr" data-repetition="1" data-point="miimon=200"><td>miimon=200</td>',
    );
  }, 60_000);

  it('compares across sweep points: a point is a run of its own', async () => {
    const run = await readRunFolder(sweepDir);
    const low = sweepPointRun(run, 'miimon=50');
    const high = sweepPointRun(run, '1');
    expect(low.manifest.id).toBe(`${run.manifest.id}@miimon=50`);
    expect(low.plan.sweep).toBeUndefined();
    expect(low.plan.bond.options.miimon).toBe(50);
    expect(high.steps.map((s) => s.repetition)).toEqual([1, 2]);
    expect(high.steps.every((s) => s.point === undefined)).toBe(true);
    const comparison = compareRuns(low, high);
    expect(comparison.a.id).toBe(low.manifest.id);
    expect(comparison.facts.find((f) => f.name.includes('miimon'))).toMatchObject({ a: '50', b: '200', changed: true });
    expect(() => sweepPointRun(run, 'miimon=75')).toThrow(
      /no sweep point "miimon=75": use one of 0 \(miimon=50\), 1 \(miimon=200\)/,
    );
  });
});
