/**
 * A mode run `repeat` times: the pooled failover cell (median and p95 of every pull's outage, min–max in its
 * reason), its verdict judged pull by pull against the driver's model, and the report's plot/list of every pull,
 * on synthetic run results.
 */
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { readRunFolder } from '../../main/engine/store.js';
import { packageRoot } from '../../main/paths.js';
import type { PullAnatomy } from '../../shared/measure/anatomy.js';
import { judgeRun, outageDistribution } from '../../shared/oracle/oracle.js';
import { defaultLabPlan, type ModeName, type Plan } from '../../shared/plan/plan.js';
import { buildReport } from '../../shared/report/build.js';
import { matrixCsv } from '../../shared/report/csv.js';
import { renderHtml } from '../../shared/report/html.js';
import { renderJson } from '../../shared/report/json.js';
import { junitInputOf, runToJunit } from '../../shared/report/junit.js';
import { renderMarkdown } from '../../shared/report/markdown.js';
import { REPORT_SCHEMA } from '../../shared/report/schema.js';
import { ALL_REPETITIONS, type StepRecord } from '../../shared/run/model.js';
import { pullMeasurements } from './anatomy-fixtures.js';

const T0 = Date.parse('2026-11-29T20:00:00Z');
const fixture = await readRunFolder(join(packageRoot, 'test/fixtures/runs/lab-miimon100'));

/**
 * A pull at 1000 probes/s that lost every probe for `outageMs` and ended when the bond stopped using the slave; the
 * last lost probe left `outageMs - 1` ms after carrier off (what judgePull holds to miimon + downdelay + slack).
 */
function anatomy(slave: string, outageMs: number | null): PullAnatomy {
  const recovered = outageMs !== null;
  const lost = recovered ? outageMs : 3000;
  return {
    slave,
    intervalMs: 1,
    carrierOffAtMs: T0,
    carrierOffUncertaintyMs: 0,
    lastReplyBefore: { atMs: -0.5, port: 'tester0', frame: 10 },
    ...(recovered ? { firstReplyAfter: { atMs: outageMs - 0.5, port: 'tester0', frame: 11 } } : {}),
    endedBy: recovered ? 'bond-stopped-using-slave' : 'not-recovered',
    lost,
    sentInOutage: lost,
    lossSpanMs: lost,
    ...(recovered ? { lastLostSentMs: outageMs - 1, outageMs, recoveryMs: outageMs } : {}),
    partial: false,
    gapMs: lost,
    lossDerivedMs: lost,
    lostPaths: { toPulledSlave: 0, noReply: lost, replyToPulledSlave: 0, replyNotDelivered: 0, unseen: 0 },
  };
}

function record(index: number, repetition: number, mode: ModeName, kind: StepRecord['kind'], a?: PullAnatomy) {
  const step: StepRecord = {
    index,
    repetition,
    mode,
    kind,
    ...(a ? { slave: a.slave } : kind === 'plug' ? { slave: 'eth1' } : {}),
    label: kind,
    startedAt: new Date(T0 + index * 1000).toISOString(),
    durationMs: 3000,
    status: 'ok',
    pcapng: `capture/r${repetition}-${mode}.pcapng`,
  };
  if (a) step.measurements = pullMeasurements(a, { received: 3000 - a.lost, failoverMs: a.gapMs, gapFrames: [10, 11] });
  return step;
}

/** A plan pulling eth1 once per repetition; `outages[mode][r]` is repetition r+1's outage (null: not recovered). */
function runOf(outages: Partial<Record<ModeName, (number | null)[]>>, slave = 'eth1') {
  const plan: Plan = defaultLabPlan('i12');
  plan.modes = Object.keys(outages) as ModeName[];
  plan.steps = [
    { kind: 'pull', slave: 'eth1', holdSeconds: 3 },
    { kind: 'plug', slave: 'eth1', settleSeconds: 1 },
  ];
  plan.repeat = Math.max(...Object.values(outages).map((v) => v!.length));
  const steps: StepRecord[] = [];
  for (let r = 1; r <= plan.repeat; r++) {
    for (const mode of plan.modes) {
      const value = outages[mode]![r - 1];
      if (value === undefined) continue;
      steps.push(record(steps.length, r, mode, 'bring-up'));
      steps.push(record(steps.length, r, mode, 'pull', anatomy(slave, value)));
      steps.push(record(steps.length, r, mode, 'plug'));
    }
  }
  return { plan, steps };
}

const pooled = (plan: Plan, steps: StepRecord[], mode: ModeName) =>
  judgeRun(plan, steps).find((r) => r.mode === mode && r.repetition === ALL_REPETITIONS);

describe('a mode run repeat times', () => {
  it('shows the median and p95 of every pull’s outage, min–max in the reason, all pulls fitting the model', () => {
    // active-backup at miimon 100: the model allows 100 + 50 + 2 × 1 ms.
    const { plan, steps } = runOf({ 'active-backup': [101, 97, 120, 99, 103, 140, 98, 100, 102, 110] });
    const rows = judgeRun(plan, steps);
    expect(rows.filter((r) => r.repetition !== ALL_REPETITIONS)).toHaveLength(10);
    const row = pooled(plan, steps, 'active-backup')!;
    expect(row).toBeDefined();
    const cell = row.cells.failoverMs!;
    expect(cell.value).toBe(101.5);
    expect(cell.text).toBe('median 101.5 ms, p95 140 ms');
    expect(cell.verdict).toBe('expected');
    expect(cell.reason).toContain('each of the 10 pulls fits the driver’s model');
    expect(cell.reason).toContain('min–max 97–140 ms (pulls: 10)');
    expect(cell.reason).toContain('ended by the bond ceasing to use the slave in 10 of 10');
    expect(cell.evidence.steps).toHaveLength(10);
    expect(row.cells.faultTolerance).toMatchObject({ value: true, verdict: 'expected' });
    expect(row.cells.faultTolerance!.reason).toBe('replies resumed in 10 of 10 repetitions');
    // The pooled row comes after every repetition's.
    expect(rows.at(-1)).toBe(rows.find((r) => r.repetition === ALL_REPETITIONS));
    // No pooled row when the mode ran once.
    const once = runOf({ 'active-backup': [101] });
    expect(judgeRun(once.plan, once.steps).some((r) => r.repetition === ALL_REPETITIONS)).toBe(false);
  });

  it('is unexpected when any pull contradicts the model, naming those pulls, however good the median', () => {
    const { plan, steps } = runOf({ 'active-backup': [101, 99, 100, 480, 98, 102] });
    const d = outageDistribution(plan, 'active-backup', steps)!;
    expect(d.medianMs).toBe(100.5);
    expect(d.p95Ms).toBe(480);
    const wrong = d.pulls.filter((p) => p.verdict === 'unexpected');
    expect(wrong).toHaveLength(1);
    expect(wrong[0]).toMatchObject({ repetition: 4, slave: 'eth1', outageMs: 480 });
    const cell = pooled(plan, steps, 'active-backup')!.cells.failoverMs!;
    expect(cell.verdict).toBe('unexpected');
    expect(cell.reason).toContain(`1 of 6 pulls contradict the driver’s model: #4 eth1 (step ${wrong[0]!.step})`);
    // The contradicting pull's own reason follows, with the bound it broke.
    expect(cell.reason).toContain('beyond');
    expect(cell.evidence.steps).toEqual(d.pulls.map((p) => p.step));
    // In Chinese, from the same parts.
    const zh = buildReport({ manifest: fixture.manifest, plan, steps }, 'zh-CN');
    const zhCell = zh.matrix
      .find((r) => r.repetition === ALL_REPETITIONS)!
      .cells.find((c) => c.column === 'failoverMs')!;
    expect(zhCell.text).toBe('中位数 100.5 毫秒，p95 480 毫秒');
    expect(zhCell.reason).toContain('6 次拔线中有 1 次与驱动的模型不符');
  });

  it('leaves out pulls the bond did not have to cover or never recovered from, and says which', () => {
    const { plan, steps } = runOf({ 'active-backup': [101, null, 99] });
    const d = outageDistribution(plan, 'active-backup', steps)!;
    expect(d.pulls.map((p) => p.outageMs)).toEqual([101, 99]);
    const lost = steps.find((s) => s.repetition === 2 && s.kind === 'pull')!;
    expect(d.excluded).toEqual([lost.index]);
    const row = pooled(plan, steps, 'active-backup')!;
    expect(row.cells.faultTolerance).toMatchObject({ value: false, verdict: 'unexpected' });
    expect(row.cells.faultTolerance!.reason).toContain('replies resumed in 2 of 3 repetitions; not in #2');
    expect(row.cells.failoverMs!.reason).toContain('not in the distribution (the last slave up, not recovered');
    expect(row.cells.failoverMs!.reason).toContain(`steps ${lost.index}`);
  });

  it('the report plots every pull per mode (HTML), lists them (Markdown), escapes them, and keeps its schema', () => {
    const { plan, steps } = runOf(
      { 'active-backup': [101, 97, 480], 'balance-rr': [3, 2, 4] },
      'eth1<img src=x onerror=alert(1)>|*x*',
    );
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(REPORT_SCHEMA);
    for (const language of ['en', 'zh-CN'] as const) {
      const model = buildReport({ manifest: fixture.manifest, plan, steps }, language);
      expect(model.outages.map((s) => [s.mode, s.pulls.length])).toEqual([
        ['active-backup', 3],
        ['balance-rr', 3],
      ]);
      expect(validate(JSON.parse(renderJson(model))), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);

      const html = renderHtml(model);
      const plot = /<svg[^>]*data-plot="outages"[\s\S]*?<\/svg>/.exec(html)?.[0];
      expect(plot).toBeDefined();
      expect(plot!.match(/<circle class="dot v-expected"/g)).toHaveLength(5);
      expect(plot!.match(/<circle class="dot v-unexpected"/g)).toHaveLength(1);
      expect(plot).toContain('data-mode="active-backup" data-median="101" data-p95="480"');
      expect(html).not.toContain('<img');
      expect(html).toContain('eth1&lt;img src=x onerror=alert(1)&gt;');
      // The pooled row in the matrix, its min–max on hover.
      expect(html).toMatch(/<tr data-mode="active-backup" data-repetition="0">/);
      expect(html).toMatch(
        language === 'en' ? /title="[^"]*min–max 97–480 ms \(pulls: 3\)/ : /title="[^"]*最小–最大 97–480 毫秒/,
      );

      const md = renderMarkdown(model);
      const list = md.slice(md.indexOf(language === 'en' ? '### Every pull’s outage per mode' : '### 各模式每次拔线'));
      expect(list).toMatch(/^- \*\*/m);
      expect(list.match(/^ {2}- [✓✗]/gm)).toHaveLength(6);
      expect(md).not.toContain('<img');
      expect(md).not.toMatch(/onerror=alert\(1\)>\|\*x\*/);
    }
    const model = buildReport({ manifest: fixture.manifest, plan, steps }, 'en');
    // CSV says "all" for the pooled row; JUnit does not count its verdicts twice.
    expect(matrixCsv(model)).toMatch(/\r\nactive-backup,all,/);
    const junit = runToJunit(junitInputOf({ manifest: fixture.manifest, plan, steps }, judgeRun(plan, steps)));
    expect(junit).not.toContain('#0');
    expect(junit.match(/<failure/g)).toHaveLength(1);
  });
});
