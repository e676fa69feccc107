/**
 * Sweeps: a plan that varies one or two bond options over values (`sweep: { miimon: [50, 100, 200] }`) runs every
 * combination — a sweep point — with its repetitions, in one run folder. A point is the plan with the swept values
 * laid over `bond.options`; everything else (modes, steps, per-mode settings) is the plan's. Pure.
 */
import { BOND_OPTION_SPECS, type BondOptionName, type BondOptions } from '../bonding/options.js';
import type { Plan } from './plan.js';

/** Options a sweep may vary: every scalar bond option (a list such as arp_ip_target is not a value on an axis). */
export type SweepOption = Exclude<BondOptionName, 'arp_ip_target'>;
export const SWEEP_OPTIONS = (Object.keys(BOND_OPTION_SPECS) as BondOptionName[]).filter(
  (name): name is SweepOption => name !== 'arp_ip_target',
);
export type SweepValue = string | number;
/** At most two options, each over at least two distinct values, in plan order (the first is the plot's x axis). */
export type SweepSpec = Partial<Record<SweepOption, SweepValue[]>>;

/** The plan schema of `sweep`, from each option's own schema. */
export const SWEEP_SCHEMA = {
  type: 'object',
  minProperties: 1,
  maxProperties: 2,
  additionalProperties: false,
  properties: Object.fromEntries(
    SWEEP_OPTIONS.map((name) => [
      name,
      { type: 'array', minItems: 2, maxItems: 20, uniqueItems: true, items: BOND_OPTION_SPECS[name].schema },
    ]),
  ),
} as const;

export interface SweepPoint {
  /** 0-based, in the order the run executes them (the last axis varies fastest). */
  index: number;
  values: Partial<Record<SweepOption, SweepValue>>;
}

/** The sweep's axes in plan order: [option, values]. */
export function sweepAxes(plan: Pick<Plan, 'sweep'>): [SweepOption, SweepValue[]][] {
  return Object.entries(plan.sweep ?? {}) as [SweepOption, SweepValue[]][];
}

/** Every combination of the axes; a plan without a sweep has no points. */
export function sweepPoints(plan: Pick<Plan, 'sweep'>): SweepPoint[] {
  const axes = sweepAxes(plan);
  if (axes.length === 0) return [];
  let combos: Partial<Record<SweepOption, SweepValue>>[] = [{}];
  for (const [option, values] of axes) {
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [option]: value })));
  }
  return combos.map((values, index) => ({ index, values }));
}

/** "miimon=50, lacp_rate=fast". */
export function pointLabel(point: SweepPoint): string {
  return Object.entries(point.values)
    .map(([option, value]) => `${option}=${value}`)
    .join(', ');
}

/** The plan one sweep point runs: the swept values laid over the common options, no sweep left. */
export function planAtPoint(plan: Plan, point: SweepPoint | undefined): Plan {
  if (!point) return plan;
  const { sweep: _sweep, ...rest } = plan;
  return { ...rest, bond: { ...plan.bond, options: { ...plan.bond.options, ...(point.values as BondOptions) } } };
}
