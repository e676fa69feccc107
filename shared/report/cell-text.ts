/**
 * A matrix cell's text in a reader's language — one home for the matrix view, the evidence pane, every report
 * format and the comparison of two runs. The oracle (shared/oracle/oracle.ts) writes each cell's `text` in English;
 * what it says is said again here from the cell's value, its message parts and the step records it names: counts of
 * ARP frames at boot with plurals, yes/no, a failover time or its partial loss ("N of M replies lost over X ms").
 * Numbers, MACs and shares read the same in every language and stay as the oracle wrote them. Pure.
 */
import { sayReasonWith } from '../oracle/failover.js';
import type { Cell, MatrixColumn, StepRecord } from '../run/model.js';

/** A message function: the UI's i18next `t`, or the catalogue's `t` bound to a language. */
export type Say = (key: string, vars?: Record<string, string | number>) => string;

/**
 * `cell`'s text through `say` (`matrix.*` keys). `stepAt` finds a step record by its index (the cell's evidence
 * names the boot step whose ARP counts it shows); a cell whose data is missing keeps the oracle's English text.
 */
export function sayCell(
  say: Say,
  column: MatrixColumn,
  cell: Cell,
  stepAt: (index: number) => StepRecord | undefined,
): string {
  switch (column) {
    case 'faultTolerance':
      return typeof cell.value === 'boolean' ? say(cell.value ? 'matrix.yes' : 'matrix.no') : cell.text;
    case 'failoverMs':
      if (cell.textParts) return sayReasonWith(say, cell.textParts);
      return typeof cell.value === 'number' ? say('report.units.ms', { value: cell.value }) : cell.text;
    case 'arpAtBoot': {
      const first = cell.evidence.steps?.[0];
      const arp = first === undefined ? undefined : stepAt(first)?.measurements?.arp;
      if (!arp) return cell.text;
      return [
        say('matrix.arpProbes', { count: arp.probe }),
        say('matrix.arpGratuitous', { count: arp.gratuitous }),
      ].join(say('matrix.separator'));
    }
    default:
      return cell.text;
  }
}

/** A step lookup by index over `steps`, built once. */
export function stepsByIndex(steps: readonly StepRecord[]): (index: number) => StepRecord | undefined {
  const byIndex = new Map(steps.map((s) => [s.index, s]));
  return (index) => byIndex.get(index);
}
