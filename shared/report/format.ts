/** Small formatting helpers every renderer shares: numbers, dates, durations, frame lists, evidence. Pure. */
import type { Language } from '../api.js';
import { t } from '../i18n/catalogue.js';
import { ALL_REPETITIONS, type Evidence, type Verdict } from '../run/model.js';
import type { PlanFacts, PullRow } from './model.js';

/** A number for reading: integers as they are, others to at most `digits` decimals. */
export function num(value: number, digits = 1): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(digits)));
}

export function ms(language: Language, value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : t(language, 'report.units.ms', { value: num(value) });
}

/** A matrix row's repetition: its number, or "all" for the mode's pooled row. */
export function repetitionText(language: Language, repetition: number): string {
  return repetition === ALL_REPETITIONS ? t(language, 'failover.repeat.row') : String(repetition);
}

/** An ISO instant as `YYYY-MM-DD HH:MM:SS UTC`: the same on every machine that renders the report. */
export function instant(iso: string | null | undefined): string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function duration(language: Language, valueMs: number | null | undefined): string {
  if (valueMs === null || valueMs === undefined) return '–';
  if (valueMs < 1000) return ms(language, Math.round(valueMs));
  const seconds = valueMs / 1000;
  if (seconds < 120) return t(language, 'report.units.s', { value: num(seconds) });
  const minutes = Math.floor(seconds / 60);
  return t(language, 'report.units.minutes', { min: minutes, s: Math.round(seconds - minutes * 60) });
}

/** [3, 4, 5, 9] → "3–5, 9". */
export function frameList(frames: readonly number[]): string {
  const sorted = [...new Set(frames)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i ? `${sorted[i]}–${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return parts.join(', ');
}

/** Evidence as one line: capture file, frame numbers, steps, host readings. */
export function evidenceText(language: Language, evidence: Evidence): string {
  const parts: string[] = [];
  if (evidence.pcapng) parts.push(t(language, 'report.evidence.pcapng', { file: evidence.pcapng }));
  if (evidence.frames?.length)
    parts.push(t(language, 'report.evidence.frames', { frames: frameList(evidence.frames) }));
  if (evidence.steps?.length) parts.push(t(language, 'report.evidence.steps', { steps: frameList(evidence.steps) }));
  if (evidence.readings?.length) {
    parts.push(t(language, 'report.evidence.readings', { readings: evidence.readings.join(', ') }));
  }
  return parts.length > 0 ? parts.join('; ') : t(language, 'report.evidence.none');
}

/** A mark that survives black-and-white printing. */
export const VERDICT_MARK: Record<Verdict, string> = {
  expected: '✓',
  unexpected: '✗',
  'not-measurable': '?',
};

export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

export { escapeHtml } from './escape.js';

/** "bond0 of eth1, eth2, 10.77.1.253/24, probed from 10.77.1.252". */
export function bondText(language: Language, plan: PlanFacts): string {
  const { name, slaves, address, peer } = plan.bond;
  return t(language, 'report.fact.bondValue', { name, slaves: slaves.join(', '), address, peer });
}

/** The pulls' probe: rate and resolution, and the ARP policy that decides part of what a pull measures. */
export function pullProbeText(language: Language, plan: PlanFacts): string {
  return t(language, 'failover.fact.pullProbeValue', {
    rate: plan.pullRate,
    interval: num(1000 / plan.pullRate),
    policy:
      plan.arpPolicy === 'passive'
        ? t(language, 'failover.fact.passive')
        : t(language, 'failover.fact.osLike', { after: plan.reaskAfterMs ?? 1000 }),
  });
}

const PULL_COLUMNS = [
  'pull',
  'carrierOff',
  'lastBefore',
  'confirmed',
  'reaction',
  'reask',
  'firstAfter',
  'replies',
  'requests',
  'gap',
  'loss',
  'endedBy',
  'lostPaths',
] as const;

/** The pull anatomy table's headers (HTML and Markdown share them). */
export function pullHeaders(language: Language): string[] {
  return [t(language, 'matrix.column.mode'), ...PULL_COLUMNS.map((c) => t(language, `failover.anatomy.${c}`))];
}

/** One pull's anatomy as table cells: instants in ms after carrier off, the loss said as partial where it was. */
export function pullCells(language: Language, row: PullRow, modeText: string): string[] {
  const at = (v: number | null) => (v === null ? '–' : t(language, 'failover.anatomy.at', { value: num(v) }));
  const loss = row.partial
    ? t(language, 'failover.partial', { lost: row.lost, sent: row.sentInOutage, span: num(row.lossSpanMs) })
    : t(language, 'failover.anatomy.lost', { lost: row.lost, rate: row.rate });
  return [
    modeText,
    `${row.slave} (${t(language, 'failover.anatomy.step', { step: row.step })})`,
    `0 ± ${num(row.carrierOffUncertaintyMs, 2)}${
      row.cableOutMs === null || row.cableOutMs === undefined
        ? ''
        : ` (${t(language, 'failover.anatomy.cableOut', { value: num(-row.cableOutMs) })})`
    }`,
    at(row.lastReplyBeforeMs),
    row.confirmedMs === null
      ? '–'
      : `≤ ${at(row.confirmedMs)} (${t(language, `failover.anatomy.by.${row.confirmedBy ?? 'mii'}`)})`,
    row.reaction === null ? '–' : `${at(row.reactionMs)}: ${row.reaction}`,
    at(row.reaskMs),
    at(row.firstReplyAfterMs),
    row.replyPorts,
    row.requestPorts,
    `${ms(language, row.gapMs)} / ${ms(language, row.lossDerivedMs)}`,
    loss,
    row.endedBy,
    row.lostPaths,
  ];
}
