import { describe, expect, it } from 'vitest';
import type { Comparison } from '../../shared/api.js';
import { comparisonHtml, comparisonMarkdown, comparisonText } from '../../shared/report/compare-render.js';
import { compareRuns, failoverDiffers } from '../../shared/run/compare.js';
import type { StepRecord } from '../../shared/run/model.js';
import type { FailoverStat } from '../../shared/run/stats.js';
import { fixtureNames, loadFixture } from './report-fixtures.js';

/**
 * The cells that differ between the two recorded runs, read off their folders by hand (mode/column: change).
 * Keyed by "A|B" fixture names.
 */
const EXPECTED_DIFFERENCES: Record<string, string[]> = {
  // miimon 100, all eight rows, vs miimon 500 with four modes (lab, runtime changes, one repetition each).
  'lab-miimon100|lab-miimon500': [
    // balance-tlb: pulls took 110 and 110 ms, then 320 and 270 ms. active-backup (10, 60 → 100, 60), balance-xor
    // (10, 0 → 10, 0) and broadcast (0, 490 → 0, 20) have ranges that overlap within a probe interval.
    'balance-tlb/failoverMs: changed',
    // broadcast: the 490 ms pull at miimon 100 is beyond what the driver allows (these runs' lab pull left the
    // switch port up; the port mirror shows the requests going to the dead port), 20 ms at miimon 500 is not.
    'broadcast/failoverMs: changed',
    // Modes the second run did not run; standalone has no failover cell (replies never came back after a pull).
    'standalone/eth1Mac: only-a',
    'standalone/eth2Mac: only-a',
    'standalone/arpAtBoot: only-a',
    'standalone/loadBalancing: only-a',
    'standalone/faultTolerance: only-a',
    'balance-rr/eth1Mac: only-a',
    'balance-rr/eth2Mac: only-a',
    'balance-rr/arpAtBoot: only-a',
    'balance-rr/loadBalancing: only-a',
    'balance-rr/faultTolerance: only-a',
    'balance-rr/failoverMs: only-a',
    '802.3ad/eth1Mac: only-a',
    '802.3ad/eth2Mac: only-a',
    '802.3ad/arpAtBoot: only-a',
    '802.3ad/loadBalancing: only-a',
    '802.3ad/faultTolerance: only-a',
    '802.3ad/failoverMs: only-a',
    'balance-alb/eth1Mac: only-a',
    'balance-alb/eth2Mac: only-a',
    'balance-alb/arpAtBoot: only-a',
    'balance-alb/loadBalancing: only-a',
    'balance-alb/faultTolerance: only-a',
    'balance-alb/failoverMs: only-a',
  ],
};

const differences = (c: Comparison) =>
  c.cells.filter((x) => x.change !== 'same').map((x) => `${x.mode}/${x.column}: ${x.change}`);

/** Run A: the first recorded run with miimon 100; run B: the first other one. */
async function pair() {
  const names = fixtureNames();
  const runs = await Promise.all(names.map(async (name) => ({ name, run: await loadFixture(name) })));
  const a = runs.find((r) => r.run.plan.bond.options.miimon === 100) ?? runs[0]!;
  const b = runs.find((r) => r !== a)!;
  return { a, b };
}

describe('comparing two recorded runs', () => {
  it('names exactly the cells that differ', async () => {
    const { a, b } = await pair();
    const comparison = compareRuns(a.run, b.run);
    const key = `${a.name}|${b.name}`;
    expect(
      EXPECTED_DIFFERENCES[key],
      `no expected differences for ${key}; compare found:\n${differences(comparison).join('\n')}`,
    ).toBeDefined();
    expect(differences(comparison).sort()).toEqual([...EXPECTED_DIFFERENCES[key]!].sort());
    // Every cell of either matrix is accounted for, once.
    const keys = comparison.cells.map((c) => `${c.mode}/${c.column}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const c of comparison.cells.filter((x) => x.change === 'changed')) expect(c.note).toBeTruthy();
  });

  it('puts both runs’ facts side by side, the plan’s differences marked', async () => {
    const { a, b } = await pair();
    const comparison = compareRuns(a.run, b.run);
    const fact = (name: string) => comparison.facts.find((f) => f.name === name);
    expect(fact('run')).toMatchObject({ a: a.run.manifest.id, b: b.run.manifest.id, changed: true });
    expect(fact('kernel')).toMatchObject({ a: a.run.manifest.host?.kernel, b: b.run.manifest.host?.kernel });
    const miimonA = a.run.plan.bond.options.miimon;
    const miimonB = b.run.plan.bond.options.miimon;
    expect(fact('option miimon')).toMatchObject({
      a: String(miimonA),
      b: String(miimonB),
      changed: miimonA !== miimonB,
    });
    expect(fact('modes')?.changed).toBe(a.run.plan.modes.join() !== b.run.plan.modes.join());
    expect(comparison.a.id).toBe(a.run.manifest.id);
    expect(comparison.b.modes.length).toBeGreaterThan(0);
  });

  it('finds nothing changed between a run and itself', async () => {
    const { a } = await pair();
    const comparison = compareRuns(a.run, a.run);
    expect(differences(comparison)).toEqual([]);
    expect(comparison.facts.filter((f) => f.changed)).toEqual([]);
  });

  it('sees a moved MAC, a mode not run and a slower failover, and only those', async () => {
    const { a } = await pair();
    const run = a.run;
    const modes = [...new Set(run.steps.map((s) => s.mode))].filter((m) => m !== 'standalone');
    const [macMode, missingMode] = [modes[0]!, modes[1]!];
    const slowMode = modes.slice(2).find((m) => m === 'active-backup') ?? modes[2]!;
    const macStep = run.steps.find((s) => s.mode === macMode && s.kind === 'read-macs' && s.reading)!;
    const edited: StepRecord[] = run.steps
      .filter((s) => s.mode !== missingMode)
      .map((s) => {
        if (s === macStep) {
          const slaves = s.reading!.slaves.map((x, i) => (i === 1 ? { ...x, mac: '02:00:00:00:00:01' } : x));
          return { ...s, reading: { ...s.reading!, slaves } };
        }
        const probe = s.measurements?.probe;
        if (s.mode === slowMode && s.kind === 'pull' && probe?.failoverMs !== undefined) {
          return {
            ...s,
            measurements: { ...s.measurements!, probe: { ...probe, failoverMs: probe.failoverMs * 4 + 2000 } },
          };
        }
        return s;
      });
    const comparison = compareRuns(run, { ...run, steps: edited });
    const changed = differences(comparison);
    expect(changed).toContain(`${macMode}/eth2Mac: changed`);
    expect(changed).toContain(`${slowMode}/failoverMs: changed`);
    const onlyA = comparison.cells.filter((c) => c.change === 'only-a');
    expect(onlyA.length).toBeGreaterThan(0);
    expect(new Set(onlyA.map((c) => c.mode))).toEqual(new Set([missingMode]));
    expect(onlyA.every((c) => c.note === 'mode not run in B')).toBe(true);
    const explained = changed.filter(
      (c) =>
        c !== `${macMode}/eth2Mac: changed` &&
        c !== `${macMode}/eth1Mac: changed` &&
        c !== `${slowMode}/failoverMs: changed` &&
        !c.startsWith(`${missingMode}/`),
    );
    expect(explained).toEqual([]);
  });

  it('renders as text, Markdown and HTML, changed cells first', async () => {
    const { a, b } = await pair();
    const comparison = compareRuns(a.run, b.run);
    const text = comparisonText(comparison, { language: 'en' });
    const md = comparisonMarkdown(comparison, { language: 'zh-CN' });
    const html = comparisonHtml(comparison, { language: 'en' });
    const firstSame = text.indexOf('\nsame ');
    for (const c of comparison.cells.filter((x) => x.change === 'changed')) {
      expect(text.indexOf(c.note!)).toBeGreaterThan(0);
      expect(text.indexOf(c.note!)).toBeLessThan(firstSame < 0 ? Number.POSITIVE_INFINITY : firstSame);
    }
    expect(md).toContain('| 有变化 |');
    expect((html.match(/<tr[^>]*data-change=/g) ?? []).length).toBe(comparison.cells.length);
  });
});

describe('failover beyond the spread', () => {
  const stat = (min: number, max: number, resolutionMs = 10): FailoverStat => ({
    mode: 'active-backup',
    slave: null,
    count: 2,
    pulls: 2,
    minMs: min,
    medianMs: (min + max) / 2,
    maxMs: max,
    valuesMs: [min, max],
    steps: [1, 2],
    resolutionMs,
  });
  it('differs only when the ranges, widened by one probe interval, do not meet', () => {
    expect(failoverDiffers(stat(68, 201), stat(150, 420))).toBe(false);
    expect(failoverDiffers(stat(100, 120), stat(141, 160))).toBe(true);
    expect(failoverDiffers(stat(100, 120), stat(140, 160))).toBe(false);
    expect(failoverDiffers(stat(500, 600), stat(100, 200))).toBe(true);
  });
});
