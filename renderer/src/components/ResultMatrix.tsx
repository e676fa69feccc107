/**
 * The write-up's result table, measured: one row per mode (and repetition), its columns eth1 MAC, eth2 MAC, ARP
 * at boot, load balancing, fault tolerance and failover time. Cells fill as steps finish; each is coloured by its
 * verdict, carries the oracle's reason and the evidence on hover, and jumps to its frames in the capture list.
 */
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { modeKey } from '../../../shared/i18n/catalogue.js';
import { sayReasonWith } from '../../../shared/oracle/failover.js';
import {
  ALL_REPETITIONS,
  type Cell,
  MATRIX_COLUMNS,
  type MatrixColumn,
  type MatrixRow,
  type StepRecord,
} from '../../../shared/run/model.js';
import { cellText, rowNotes, type SummaryOptions } from '../cells.js';

/** A cell of the matrix: its row (mode and repetition) and column. */
export interface CellRef {
  mode: string;
  repetition: number;
  column: MatrixColumn;
}

export interface FrameJump {
  mode: string;
  repetition: number;
  frames: number[];
}

export interface ResultMatrixProps {
  rows: readonly MatrixRow[];
  /** The plan's modes in order: rows not measured yet show as pending. */
  modes: readonly string[];
  /** The bond's slaves, for the two MAC columns' headings. */
  slaves?: readonly string[];
  onJump?: (jump: FrameJump) => void;
  /** Every cell becomes a button that opens its evidence. */
  onExplain?: (cell: CellRef) => void;
  /** The cell whose evidence is open. */
  explained?: CellRef;
  /** The run's steps, to say cells in the UI's language (cells.ts). */
  steps?: readonly StepRecord[];
  /** The bond options the mode summaries name. */
  summaryOptions?: SummaryOptions;
}

function evidenceText(cell: Cell, t: TFunction): string {
  const e = cell.evidence;
  const reason = cell.reasonParts ? sayReasonWith((key, vars) => t(key, vars ?? {}), cell.reasonParts) : cell.reason;
  const lines = [`${t(`verdict.${cell.verdict}`)}: ${reason}`];
  if (e.frames?.length) {
    lines.push(
      t('ui.matrix.evidenceFrames', {
        frames: e.frames.slice(0, 20).join(', ') + (e.frames.length > 20 ? ' …' : ''),
        file: e.pcapng ?? '',
      }),
    );
  }
  if (e.steps?.length) lines.push(t('ui.matrix.evidenceSteps', { steps: e.steps.join(', ') }));
  for (const reading of e.readings ?? []) lines.push(reading);
  return lines.join('\n');
}

export function ResultMatrix({
  rows,
  modes,
  slaves = ['eth1', 'eth2'],
  onJump,
  onExplain,
  explained,
  steps = [],
  summaryOptions = {},
}: ResultMatrixProps) {
  const { t } = useTranslation();
  const repeated = new Set(rows.map((r) => r.repetition)).size > 1;
  const measured = new Set(rows.map((r) => r.mode));
  const pending = modes.filter((m) => !measured.has(m as MatrixRow['mode']));
  const heading = (column: MatrixColumn, index: number) =>
    t(`matrix.column.${column}`, { slave: slaves[index] ?? `eth${index + 1}` });

  return (
    <table className="matrix" aria-label={t('ui.matrix.title')}>
      <thead>
        <tr>
          <th scope="col">{t('matrix.column.mode')}</th>
          {MATRIX_COLUMNS.map((column, index) => (
            <th scope="col" key={column}>
              {heading(column, index)}
            </th>
          ))}
          <th scope="col">{t('matrix.column.notes')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.mode}#${row.repetition}`} data-mode={row.mode}>
            <th scope="row">
              {t(modeKey(row.mode))}
              {repeated ? (
                <span className="repetition">
                  {' '}
                  #{row.repetition === ALL_REPETITIONS ? t('failover.repeat.row') : row.repetition}
                </span>
              ) : null}
            </th>
            {MATRIX_COLUMNS.map((column) => {
              const cell = row.cells[column];
              if (!cell) {
                return (
                  <td key={column} className="cell-empty">
                    –
                  </td>
                );
              }
              const frames = cell.evidence.frames ?? [];
              const text = cellText(column, cell, steps, t);
              const open =
                explained?.mode === row.mode && explained.repetition === row.repetition && explained.column === column;
              const jump = frames.length > 0 && onJump;
              const click = () => {
                onExplain?.({ mode: row.mode, repetition: row.repetition, column });
                if (jump) onJump({ mode: row.mode, repetition: row.repetition, frames });
              };
              return (
                <td
                  key={column}
                  className={`cell verdict-${cell.verdict}${open ? ' explained' : ''}`}
                  data-column={column}
                  data-verdict={cell.verdict}
                  data-frames={frames.length > 0 ? frames.length : undefined}
                  title={evidenceText(cell, t)}
                >
                  {jump || onExplain ? (
                    <button
                      type="button"
                      className="jump"
                      aria-pressed={onExplain ? open : undefined}
                      aria-label={
                        onExplain
                          ? t('analysis.matrix.explain', {
                              cell: text,
                              column: heading(column, MATRIX_COLUMNS.indexOf(column)),
                            })
                          : t('ui.matrix.jump', { count: frames.length, cell: text })
                      }
                      onClick={click}
                    >
                      {text}
                    </button>
                  ) : (
                    text
                  )}
                </td>
              );
            })}
            <td className="notes">{rowNotes(row, summaryOptions, t).join(t('analysis.cell.notesSeparator'))}</td>
          </tr>
        ))}
        {pending.map((mode) => (
          <tr key={mode} className="pending" data-mode={mode}>
            <th scope="row">{t(modeKey(mode))}</th>
            {MATRIX_COLUMNS.map((column) => (
              <td key={column} className="cell-pending">
                …
              </td>
            ))}
            <td className="notes">{t('ui.matrix.pending')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
