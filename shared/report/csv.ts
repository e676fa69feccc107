/**
 * CSV export (RFC 4180: CRLF line ends, fields with a comma, quote or line break quoted, quotes doubled). The
 * report's CSV holds two tables one after the other, each opening with its header row, separated by one empty
 * line: the matrix (a row per mode and repetition, a value/text/verdict/reason/evidence group per cell), then
 * the per-step measurements (a row per step). Headers are stable ids, the same in every language; empty means
 * "not measured". Text fields that start like a formula (`=`, `+`, `-`, `@`, tab, CR) get a leading `'`. Pure.
 */
import { ALL_REPETITIONS, MATRIX_COLUMNS } from '../run/model.js';
import { neutraliseFormula } from './escape.js';
import { evidenceText } from './format.js';
import type { ReportModel, StepRow } from './model.js';

export type CsvValue = string | number | boolean | null | undefined;

/** One field: quoted when needed (RFC 4180), a string a spreadsheet would run as a formula neutralised. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? neutraliseFormula(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRecord(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** The matrix's header: mode, repetition, then per cell column its value, text, verdict, reason and evidence. */
export function matrixCsvHeader(): string[] {
  return [
    'mode',
    'repetition',
    ...MATRIX_COLUMNS.flatMap((c) => [c, `${c}.text`, `${c}.verdict`, `${c}.reason`, `${c}.evidence`]),
    'notes',
  ];
}

export function matrixCsv(model: ReportModel): string {
  let out = csvRecord(matrixCsvHeader());
  for (const row of model.matrix) {
    const values: CsvValue[] = [row.mode, row.repetition === ALL_REPETITIONS ? 'all' : row.repetition];
    for (const column of MATRIX_COLUMNS) {
      const cell = row.cells.find((c) => c.column === column);
      values.push(
        cell?.value,
        cell?.text,
        cell?.verdict,
        cell?.reason,
        cell ? evidenceText(model.language, cell.evidence) : undefined,
      );
    }
    values.push(row.notes.join('\n'));
    out += csvRecord(values);
  }
  return out;
}

type ScalarKey = { [K in keyof StepRow]: StepRow[K] extends CsvValue ? K : never }[keyof StepRow];

/** The per-step table's fixed columns, in order (the StepRow fields that are single values). */
export const STEP_CSV_FIELDS: readonly ScalarKey[] = [
  'index',
  'repetition',
  'mode',
  'kind',
  'slave',
  'label',
  'status',
  'error',
  'startedAt',
  'durationMs',
  'applyMethod',
  'rebootMs',
  'pcapng',
  'firstFrame',
  'lastFrame',
  'bondMode',
  'bondMac',
  'activeSlave',
  'miimon',
  'arpProbe',
  'arpGratuitous',
  'arpRequest',
  'arpReply',
  'learningFrames',
  'unsolicitedNa',
  'lacpdus',
  'droppedFrames',
  'probeRate',
  'sent',
  'received',
  'lost',
  'duplicates',
  'reordered',
  'rttMinMs',
  'rttMedianMs',
  'rttMaxMs',
  'failoverMs',
  'lossConvergenceMs',
  'detectionMs',
  'gapFrameBefore',
  'gapFrameAfter',
];

/** Per-slave columns after the fixed ones: `<slave>.<field>`. */
export const STEP_CSV_SLAVE_FIELDS = ['mac', 'mii', 'txPackets', 'rxPackets', 'txShare', 'portShare'] as const;
export type SlaveCsvField = (typeof STEP_CSV_SLAVE_FIELDS)[number];

/** The plan's slaves first, then any other slave a step saw. */
export function csvSlaves(model: ReportModel): string[] {
  const names = [...model.plan.bond.slaves];
  for (const step of model.steps) {
    for (const name of [
      ...step.slaves.map((s) => s.name),
      ...Object.keys(step.txShare ?? {}),
      ...Object.keys(step.portShare ?? {}),
    ]) {
      if (!names.includes(name)) names.push(name);
    }
  }
  return names;
}

export function slaveCsvValue(step: StepRow, slave: string, field: SlaveCsvField): CsvValue {
  switch (field) {
    case 'txShare':
      return step.txShare?.[slave];
    case 'portShare':
      return step.portShare?.[slave];
    default:
      return step.slaves.find((s) => s.name === slave)?.[field];
  }
}

export function stepsCsv(model: ReportModel): string {
  const slaves = csvSlaves(model);
  let out = csvRecord([...STEP_CSV_FIELDS, ...slaves.flatMap((s) => STEP_CSV_SLAVE_FIELDS.map((f) => `${s}.${f}`))]);
  for (const step of model.steps) {
    out += csvRecord([
      ...STEP_CSV_FIELDS.map((field) => step[field]),
      ...slaves.flatMap((s) => STEP_CSV_SLAVE_FIELDS.map((f) => slaveCsvValue(step, s, f))),
    ]);
  }
  return out;
}

/** The matrix, an empty line, the per-step measurements. */
/**
 * Starts with a UTF-8 byte order mark: Excel opens a BOM-less .csv in the system's ANSI code page (GBK on a Chinese
 * Windows), which garbles every Chinese cell; with the BOM it reads UTF-8. LibreOffice, Python's csv with
 * encoding="utf-8-sig" and pandas read it either way.
 */
export function renderCsv(model: ReportModel): string {
  return `\uFEFF${matrixCsv(model)}\r\n${stepsCsv(model)}`;
}
