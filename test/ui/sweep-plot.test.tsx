/**
 * A sweep run's view plots failover against the swept value per mode (the report's plot) with the figures behind
 * each dot, in English and Chinese; a run without a sweep shows nothing, a sweep before its first pull says so.
 */
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SweepPlot } from '../../renderer/src/components/SweepPlot.js';
import { defaultLabPlan, type ModeName } from '../../shared/plan/plan.js';
import { planToYaml } from '../../shared/plan/plan-file.js';
import { sweepPull } from '../support/sweep-steps.js';
import { renderIn } from './render.js';

const sweepYaml = planToYaml({
  ...defaultLabPlan('ui'),
  modes: ['balance-rr', 'active-backup'],
  apply: { method: 'runtime', netifrcStyle: 'writeup' },
  repeat: 3,
  sweep: { miimon: [50, 100, 200] },
});

let index = 0;
const pull = (point: number, mode: ModeName, failoverMs: number | undefined) =>
  sweepPull(point, mode, failoverMs, 100, 1000, index++);

// active-backup: 3 pulls at miimon 50 and 100, one of them unmeasured at 100; none yet at 200.
const steps = [
  pull(0, 'active-backup', 60),
  pull(0, 'active-backup', 80),
  pull(0, 'active-backup', 70),
  pull(1, 'active-backup', 130),
  pull(1, 'active-backup', undefined),
  pull(1, 'active-backup', 150),
  pull(0, 'balance-rr', 2),
];

describe('SweepPlot', () => {
  it('plots the median per point for each mode, and tabulates pulls, median, p95 and max', () => {
    const { container } = renderIn(<SweepPlot planYaml={sweepYaml} steps={steps} />);
    expect(screen.getByRole('heading', { name: 'Sweep: failover against miimon' })).toBeTruthy();
    const svg = container.querySelector('svg[data-plot="sweep"]');
    expect(svg).toBeTruthy();
    const dots = [...container.querySelectorAll('circle[data-mode="active-backup"]')].map((c) => [
      c.getAttribute('data-point'),
      c.getAttribute('data-median'),
    ]);
    expect(dots).toEqual([
      ['0', '70'],
      ['1', '140'],
    ]);
    // The report's plot styles come along, every rule scoped to this section (no other SVG of the app restyled).
    const sheet = container.querySelector('style')!.sheet!;
    const selectors = [...sheet.cssRules].map((r) => (r as CSSStyleRule).selectorText);
    expect(selectors).toContain('.sweep-plot svg .series-1');
    expect(selectors.filter((s) => !s.split(',').every((part) => part.trim().startsWith('.sweep-plot svg')))).toEqual(
      [],
    );
    // Higher median, higher dot (smaller y).
    const cy = (point: string) =>
      Number(container.querySelector(`circle[data-mode="active-backup"][data-point="${point}"]`)?.getAttribute('cy'));
    expect(cy('1')).toBeLessThan(cy('0'));
    const ticks = [...svg!.querySelectorAll('text.tick')].map((t) => t.textContent);
    expect(ticks).toEqual(expect.arrayContaining(['miimon=50', 'miimon=100', 'miimon=200']));
    const row = (mode: string, point: number) =>
      [...container.querySelectorAll(`tr[data-mode="${mode}"][data-point="${point}"] td`)].map((td) => td.textContent);
    expect(row('active-backup', 1)).toEqual(['1 active-backup', 'miimon=100', '3 (2)', '140 ms', '150 ms', '150 ms']);
    expect(row('active-backup', 2)).toEqual(['1 active-backup', 'miimon=200', '0 (0)', '–', '–', '–']);
    expect(row('balance-rr', 0)?.slice(1, 4)).toEqual(['miimon=50', '1 (1)', '2 ms']);
  });

  it('speaks Chinese, and says so before the first measured pull', () => {
    const { container } = renderIn(<SweepPlot planYaml={sweepYaml} steps={[]} />, 'zh-CN');
    expect(screen.getByRole('heading', { name: '参数扫描：故障切换时间随 miimon 的变化' })).toBeTruthy();
    expect(container.querySelector('svg')).toBeNull();
    expect(screen.getByText(/尚未在任何扫描点测得故障切换/)).toBeTruthy();
    expect(container.querySelector('thead')?.textContent).toContain('扫描点');
    expect(container.querySelectorAll('tbody tr')).toHaveLength(6);
  });

  it('shows nothing for a run without a sweep or a plan that does not parse', () => {
    const plain = renderIn(<SweepPlot planYaml={planToYaml(defaultLabPlan('ui'))} steps={steps} />);
    expect(plain.container.innerHTML).toBe('');
    plain.unmount();
    const broken = renderIn(<SweepPlot planYaml={'modes: [nonsense'} steps={steps} />);
    expect(broken.container.innerHTML).toBe('');
  });
});
