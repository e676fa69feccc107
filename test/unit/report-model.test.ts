import { describe, expect, it } from 'vitest';
import { CATALOGUE, catalogueKeys, t } from '../../shared/i18n/catalogue.js';
import { judgeRun } from '../../shared/oracle/oracle.js';
import { buildReport, byMode, planHasSecrets, redactPlan } from '../../shared/report/build.js';
import { MATRIX_COLUMNS } from '../../shared/run/model.js';
import { failoverStats, spread } from '../../shared/run/stats.js';
import { fixtureNames, loadFixture } from './report-fixtures.js';

describe.each(fixtureNames())('report model of recorded run %s', (name) => {
  it('states the run facts from the run folder', async () => {
    const run = await loadFixture(name);
    const model = buildReport(run, 'en');
    expect(model.kind).toBe('bondbench-report');
    expect(model.run.id).toBe(run.manifest.id);
    expect(model.run.status).toBe(run.manifest.status);
    expect(model.run.benchVersion).toBe(run.manifest.benchVersion);
    expect(model.run.host?.kernel).toBe(run.manifest.host?.kernel);
    expect(model.run.host?.distribution).toBe(run.manifest.host?.distribution);
    expect(model.run.nics.map((n) => [n.name, n.mac, n.driver])).toEqual(
      (run.manifest.host?.nics ?? []).map((n) => [n.name, n.mac, n.driver ?? null]),
    );
    expect(model.run.tester?.interface).toBe(run.manifest.tester?.interface);
    expect(model.run.stepsDone).toBe(run.steps.length);
    expect(model.plan.modes).toEqual(run.plan.modes);
    expect(model.plan.bond.slaves).toEqual(run.plan.bond.slaves);
    expect(model.plan.options).toContainEqual({ name: 'miimon', value: String(run.plan.bond.options.miimon) });
    expect(model.plan.probeRate).toBe(run.plan.probe.rate);
  });

  it('carries every cell of the oracle’s matrix with its verdict, reason and evidence', async () => {
    const run = await loadFixture(name);
    const model = buildReport(run, 'en');
    const oracle = byMode(judgeRun(run.plan, run.steps), run.plan.modes);
    expect(oracle.length).toBe(judgeRun(run.plan, run.steps).length);
    expect(model.matrix.map((r) => [r.mode, r.repetition])).toEqual(oracle.map((r) => [r.mode, r.repetition]));
    expect(model.matrix.length).toBeGreaterThan(0);
    oracle.forEach((row, i) => {
      const mine = model.matrix[i]!;
      const present = MATRIX_COLUMNS.filter((c) => row.cells[c]);
      expect(mine.cells.map((c) => c.column)).toEqual(present);
      for (const cell of mine.cells) {
        const theirs = row.cells[cell.column]!;
        expect(cell.value).toEqual(theirs.value);
        expect(cell.verdict).toBe(theirs.verdict);
        expect(cell.reason).toBe(theirs.reason);
        expect(cell.evidence).toEqual(theirs.evidence);
        if (cell.column.endsWith('Mac')) expect(cell.text).toBe(theirs.text);
      }
      expect(mine.notes).toEqual(row.notes);
    });
    expect(model.columns.map((c) => c.title).slice(0, 2)).toEqual(
      run.plan.bond.slaves.slice(0, 2).map((s) => `${s} MAC`),
    );
  });

  it('keeps every step’s measurements, and a timeline for every step that probed', async () => {
    const run = await loadFixture(name);
    const model = buildReport(run, 'en');
    expect(model.steps.map((s) => s.index)).toEqual(run.steps.map((s) => s.index));
    for (const [i, step] of run.steps.entries()) {
      const row = model.steps[i]!;
      expect(row.failoverMs).toBe(step.measurements?.probe?.failoverMs ?? null);
      expect(row.lost).toBe(step.measurements?.probe?.lost ?? null);
      expect(row.arpGratuitous).toBe(step.measurements?.arp.gratuitous ?? null);
      expect(row.bondMac).toBe(step.reading?.bondMac ?? null);
    }
    const probed = run.steps.filter((s) => s.measurements?.probe);
    expect(probed.length).toBeGreaterThan(0);
    expect(model.timelines.map((tl) => tl.step)).toEqual(probed.map((s) => s.index));
    for (const tl of model.timelines) {
      const probe = run.steps.find((s) => s.index === tl.step)!.measurements!.probe!;
      expect(tl.samples).toEqual(probe.samples);
      expect(tl.markers).toEqual(probe.markers);
    }
    // The pulls are marked on their timelines.
    for (const tl of model.timelines.filter((x) => x.kind === 'pull')) expect(tl.markers.length).toBeGreaterThan(0);
  });

  it('counts ARP by class and transmit shares per step as recorded', async () => {
    const run = await loadFixture(name);
    const model = buildReport(run, 'en');
    const measured = run.steps.filter((s) => s.measurements);
    expect(model.arp.map((a) => a.step)).toEqual(measured.map((s) => s.index));
    for (const a of model.arp) {
      const m = run.steps.find((s) => s.index === a.step)!.measurements!;
      expect({ probe: a.probe, gratuitous: a.gratuitous, request: a.request, reply: a.reply }).toEqual(m.arp);
      expect(a.frames).toEqual(m.arpFrames);
    }
    for (const s of model.share) {
      const m = run.steps.find((x) => x.index === s.step)!.measurements!;
      const recorded = s.source === 'host-counters' ? m.txShare : m.portShare;
      expect(Object.fromEntries(s.shares.map((x) => [x.slave, x.share]))).toEqual(recorded);
    }
  });

  it('gives failover statistics per mode and pulled slave over every pull', async () => {
    const run = await loadFixture(name);
    const model = buildReport(run, 'en');
    for (const mode of run.plan.modes) {
      const pulls = run.steps.filter(
        (s) =>
          s.mode === mode && s.kind === 'pull' && s.status === 'ok' && s.measurements?.probe?.failoverMs !== undefined,
      );
      const all = model.failover.find((f) => f.mode === mode && f.slave === null);
      if (pulls.length === 0) {
        expect(all).toBeUndefined();
        continue;
      }
      const values = pulls.map((s) => s.measurements!.probe!.failoverMs!);
      expect(all?.valuesMs).toEqual(values);
      expect(all?.minMs).toBe(Math.min(...values));
      expect(all?.maxMs).toBe(Math.max(...values));
      for (const slave of new Set(pulls.map((s) => s.slave))) {
        const mine = pulls.filter((s) => s.slave === slave).map((s) => s.measurements!.probe!.failoverMs!);
        expect(model.failover.find((f) => f.mode === mode && f.slave === slave)?.valuesMs).toEqual(mine);
      }
    }
  });

  it('warns of failed steps, dropped frames and the manifest’s own warnings', async () => {
    const run = await loadFixture(name);
    const model = buildReport(run, 'en');
    const failed = run.steps.filter((s) => s.status === 'failed').map((s) => s.index);
    const dropped = run.steps.filter((s) => (s.measurements?.droppedFrames ?? 0) > 0).map((s) => s.index);
    expect(model.warnings.filter((w) => w.kind === 'step-failed').map((w) => w.step)).toEqual(failed);
    expect(model.warnings.filter((w) => w.kind === 'dropped-frames').map((w) => w.step)).toEqual(dropped);
    expect(model.warnings.filter((w) => w.kind === 'run').map((w) => w.text)).toEqual(run.manifest.warnings);
    expect(model.warnings.some((w) => w.kind === 'status')).toBe(run.manifest.status !== 'completed');
  });

  it('says the same in Simplified Chinese, ids unchanged', async () => {
    const run = await loadFixture(name);
    const en = buildReport(run, 'en');
    const zh = buildReport(run, 'zh-CN');
    expect(zh.language).toBe('zh-CN');
    expect(zh.title).toBe(CATALOGUE['zh-CN'].report.title);
    expect(zh.matrix.map((r) => r.cells.map((c) => [c.column, c.value, c.verdict]))).toEqual(
      en.matrix.map((r) => r.cells.map((c) => [c.column, c.value, c.verdict])),
    );
    for (const cell of zh.matrix.flatMap((r) => r.cells)) {
      expect(cell.verdictText).toBe(t('zh-CN', `verdict.${cell.verdict}`));
      if (cell.column === 'faultTolerance') expect(['是', '否']).toContain(cell.text);
    }
    expect(zh.matrix.map((r) => r.modeLabel)).not.toEqual(en.matrix.map((r) => r.modeLabel));
    expect(zh.steps).toEqual(en.steps);
  });
});

describe('statistics over repetitions', () => {
  it('takes min, median and max; the median of an even count is the mean of the middle two', () => {
    expect(spread([])).toBeUndefined();
    expect(spread([200])).toEqual({ min: 200, median: 200, max: 200 });
    expect(spread([160, 68, 201])).toEqual({ min: 68, median: 160, max: 201 });
    expect(spread([40, 10, 30, 20])).toEqual({ min: 10, median: 25, max: 40 });
  });

  it('leaves out failed pulls and pulls without a probe', async () => {
    const run = await loadFixture(fixtureNames()[0]!);
    const pull = run.steps.find((s) => s.kind === 'pull' && s.measurements?.probe?.failoverMs !== undefined)!;
    const withFailed = [...run.steps, { ...pull, index: 10_000, status: 'failed' as const }];
    const withoutProbe = [...run.steps, { ...pull, index: 10_001, measurements: undefined }];
    expect(failoverStats(withFailed)).toEqual(failoverStats(run.steps));
    expect(failoverStats(withoutProbe)).toEqual(failoverStats(run.steps));
  });
});

describe('credentials in plans', () => {
  it('never shows SNMP communities or passwords', async () => {
    const run = await loadFixture(fixtureNames()[0]!);
    const plan = {
      ...run.plan,
      drivers: {
        power: { type: 'snmp', host: 'pdu.example', community: 'private-write', outlet: 3 },
        link: {
          type: 'snmp',
          host: 'sw.example',
          version: '3',
          user: 'bench',
          auth: { protocol: 'sha', password: 'hunter2hunter2' },
        },
      },
    };
    expect(planHasSecrets(plan)).toBe(true);
    expect(planHasSecrets(run.plan)).toBe(false);
    const model = buildReport({ ...run, plan }, 'en');
    expect(model.plan.yaml).not.toMatch(/private-write|hunter2/);
    expect(model.plan.yaml).toContain('***');
    expect(JSON.stringify(redactPlan(plan))).toContain('pdu.example');
  });
});

describe('the catalogue', () => {
  it('has every key in both languages, with the same placeholders', () => {
    const en = catalogueKeys(CATALOGUE.en).sort();
    const zh = catalogueKeys(CATALOGUE['zh-CN']).sort();
    expect(zh).toEqual(en);
    const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
    for (const key of en.filter(
      (k) => k.startsWith('report.') || k.startsWith('matrix.') || k.startsWith('verdict.'),
    )) {
      const e = t('en', key);
      const z = t('zh-CN', key);
      expect(z.trim(), key).not.toBe('');
      expect(placeholders(z), key).toEqual(placeholders(e));
    }
  });
});
