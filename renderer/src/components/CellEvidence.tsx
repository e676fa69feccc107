/**
 * Why a matrix cell says what it says: the verdict and the oracle's reason, the rule in words and where it comes
 * from (bonding.rst, the driver's source), the host readings the cell was judged from, and the frames it names —
 * each a button that shows the frame in the capture list. For a failover cell, the chart of its pull sits below
 * (FailoverChart), drawn from the run's capture files.
 */
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { modeKey } from '../../../shared/i18n/catalogue.js';
import { sayReasonWith } from '../../../shared/oracle/failover.js';
import { RULE_SOURCES } from '../../../shared/oracle/rules.js';
import {
  ALL_REPETITIONS,
  type Cell,
  type HostReading,
  type MatrixColumn,
  type StepRecord,
} from '../../../shared/run/model.js';
import { cellText } from '../cells.js';
import type { CellRef } from './ResultMatrix.js';

export interface CellEvidenceProps {
  cellRef: CellRef;
  cell: Cell;
  /** The run's steps (to show the readings the cell used). */
  steps: readonly StepRecord[];
  /** The bond's slaves, for the MAC columns' names. */
  slaves: readonly string[];
  onShowFrame?: (no: number) => void;
  onClose: () => void;
  children?: React.ReactNode;
}

const MAX_FRAME_BUTTONS = 60;

/** A step in the reader's language (the step record's own label is the engine's English log line). */
export function stepText(step: Pick<StepRecord, 'kind' | 'mode' | 'slave'>, t: TFunction): string {
  return t(`analysis.step.${step.kind}`, { mode: t(modeKey(step.mode)), slave: step.slave ?? '' });
}

function ReadingTable({ reading }: { reading: HostReading }) {
  const { t } = useTranslation();
  return (
    <>
      {reading.bondMode ? (
        <p className="subtle">
          {t('analysis.evidence.bond', {
            mode: reading.bondMode,
            mac: reading.bondMac ?? '–',
            active: reading.activeSlave ?? '–',
          })}
        </p>
      ) : null}
      <table className="reading">
        <thead>
          <tr>
            <th scope="col">{t('analysis.evidence.slave')}</th>
            <th scope="col">{t('analysis.evidence.mac')}</th>
            <th scope="col">{t('analysis.evidence.permanentMac')}</th>
            <th scope="col">{t('analysis.evidence.mii')}</th>
            <th scope="col">{t('analysis.evidence.failures')}</th>
          </tr>
        </thead>
        <tbody>
          {reading.slaves.map((s) => (
            <tr key={s.name}>
              <th scope="row">{s.name}</th>
              <td className="mono">{s.mac}</td>
              <td className="mono">{s.permanentMac ?? '–'}</td>
              <td>{s.mii}</td>
              <td>{s.linkFailures ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function CellEvidence({ cellRef, cell, steps, slaves, onShowFrame, onClose, children }: CellEvidenceProps) {
  const { t } = useTranslation();
  const column: MatrixColumn = cellRef.column;
  const columnName = t(`matrix.column.${column}`, {
    slave: column === 'eth2Mac' ? (slaves[1] ?? 'eth2') : (slaves[0] ?? 'eth1'),
  });
  const evidence = cell.evidence;
  const text = cellText(column, cell, steps, t);
  const frames = evidence.frames ?? [];
  // The readings the cell was judged from: the steps it names that have one.
  const used = (evidence.steps ?? [])
    .map((index) => steps.find((s) => s.index === index))
    .filter((s): s is StepRecord => !!s?.reading);
  const showReadings = column === 'eth1Mac' || column === 'eth2Mac' || (evidence.readings?.length ?? 0) > 0;

  return (
    <section className="evidence" aria-label={t('analysis.evidence.title', { mode: '', column: columnName, text })}>
      <h3>
        {t('analysis.evidence.title', {
          mode: `${t(modeKey(cellRef.mode))}${cellRef.repetition === ALL_REPETITIONS ? ` #${t('failover.repeat.row')}` : cellRef.repetition > 1 ? ` #${cellRef.repetition}` : ''}`,
          column: columnName,
          text,
        })}{' '}
        <button type="button" className="link" onClick={onClose}>
          {t('analysis.evidence.close')}
        </button>
      </h3>
      <dl className="evidence-facts">
        <div>
          <dt>{t('analysis.evidence.verdict')}</dt>
          <dd>
            <span className={`verdict-badge verdict-${cell.verdict}`} data-verdict={cell.verdict}>
              {t(`verdict.${cell.verdict}`)}
            </span>
          </dd>
        </div>
        <div>
          <dt>{t('analysis.evidence.reason')}</dt>
          <dd className="evidence-reason">
            {cell.reasonParts ? sayReasonWith((key, vars) => t(key, vars ?? {}), cell.reasonParts) : cell.reason}
          </dd>
        </div>
        <div>
          <dt>{t('analysis.evidence.rule')}</dt>
          <dd>{t(`analysis.rule.${column}`)}</dd>
        </div>
        <div>
          <dt>{t('analysis.evidence.source')}</dt>
          <dd className="source">{RULE_SOURCES[column]}</dd>
        </div>
        {evidence.steps?.length ? (
          <div>
            <dt>{t('analysis.evidence.steps')}</dt>
            <dd>
              {evidence.steps
                .map((index) => {
                  const step = steps.find((s) => s.index === index);
                  return step ? `#${index} ${stepText(step, t)}` : `#${index}`;
                })
                .join(' · ')}
            </dd>
          </div>
        ) : null}
      </dl>
      {frames.length > 0 ? (
        <div className="evidence-frames">
          <h4>{t('analysis.evidence.frames', { count: frames.length, file: evidence.pcapng ?? '' })}</h4>
          <p>
            {frames.slice(0, MAX_FRAME_BUTTONS).map((no) => (
              <button
                key={no}
                type="button"
                className="frame-ref"
                data-frame={no}
                aria-label={t('analysis.evidence.showFrame', { no })}
                onClick={() => onShowFrame?.(no)}
                disabled={!onShowFrame}
              >
                {no}
              </button>
            ))}
            {frames.length > MAX_FRAME_BUTTONS ? ` … (${frames.length})` : ''}
          </p>
        </div>
      ) : (
        <p className="subtle">{t('analysis.evidence.noFrames')}</p>
      )}
      {showReadings && used.length > 0 ? (
        <div className="evidence-readings">
          <h4>{t('analysis.evidence.readings')}</h4>
          {used.map((step) => (
            <div key={step.index}>
              <p>{t('analysis.evidence.readingOf', { step: step.index, label: stepText(step, t) })}</p>
              <ReadingTable reading={step.reading!} />
            </div>
          ))}
        </div>
      ) : null}
      {children}
    </section>
  );
}
