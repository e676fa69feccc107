/**
 * Earlier runs: open one, delete one (after asking), compare two cell by cell, export a report in any format
 * and either language.
 */
import type { TFunction } from 'i18next';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Comparison, Language, ReportFormat, RunSummary } from '../../../shared/api.js';
import { sayReasonWith } from '../../../shared/oracle/failover.js';
import { columnLabel } from '../../../shared/report/build.js';
import { errorText } from '../cells.js';
import { formatDateTime } from '../format.js';
import { isLanguage, uiLanguage } from '../i18n.js';
import type { Connection } from '../transport/bridge.js';
import { useAction } from '../useAction.js';

const FORMATS: readonly ReportFormat[] = ['html', 'pdf', 'csv', 'json', 'md', 'zip'];

export interface HistoryViewProps {
  connection: Connection;
  onOpen: (runId: string) => void;
  /** Bumped when a run finished, to list it. */
  refreshKey?: unknown;
}

function summaryLine(run: RunSummary, t: TFunction): string {
  // A folder that could not be read says why (file and line); it can only be deleted.
  if (run.unreadable) {
    const why = run.unreadableParts
      ? sayReasonWith((key, vars) => t(key, vars ?? {}), run.unreadableParts)
      : run.unreadable;
    return `${t('report.status.unreadable')}: ${why}`;
  }
  return t('ui.history.summary', {
    status: t(`report.status.${run.status}`),
    steps: run.steps,
    total: run.totalSteps,
    plan: run.planName,
  });
}

export function HistoryView({ connection, onOpen, refreshKey }: HistoryViewProps) {
  const { t, i18n } = useTranslation();
  const { client } = connection;
  const [runs, setRuns] = useState<RunSummary[]>();
  const { error, setError, run: act } = useAction();
  const [confirming, setConfirming] = useState<string>();
  const [picked, setPicked] = useState<string[]>([]);
  const [comparison, setComparison] = useState<Comparison>();
  const [format, setFormat] = useState<ReportFormat>('html');
  const [language, setLanguage] = useState<Language>(uiLanguage(i18n.language));
  const [saved, setSaved] = useState<string>();

  const load = useCallback(() => {
    client.listRuns().then(
      (list) => {
        setRuns(list);
        setError(undefined);
      },
      (e: Error) => setError(errorText(e, t)),
    );
  }, [client, setError, t]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey is a trigger only
  useEffect(load, [load, refreshKey]);

  const remove = (id: string) =>
    act(async () => {
      await client.deleteRun(id);
      setConfirming(undefined);
      setPicked((p) => p.filter((x) => x !== id));
      load();
    });

  const exportRun = (id: string) =>
    act(async () => {
      const file = await client.exportReport(id, format, language);
      const where = await connection.saveFile(file.fileName, file.mime, file.base64);
      setSaved(where ? t('ui.history.saved', { where }) : t('ui.history.notSaved'));
    });

  // The comparison's cells and notes are worded on the bench: asked again in the UI's language when it changes.
  const shown = uiLanguage(i18n.language);
  const [compared, setCompared] = useState<[string, string]>();
  useEffect(() => {
    if (!compared) return setComparison(undefined);
    act(async () => setComparison(await client.compareRuns(compared[0], compared[1], shown)));
  }, [act, client, compared, shown]);
  const compare = () => {
    const [a, b] = picked;
    if (a && b) setCompared([a, b]);
  };

  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p.slice(-1), id]));

  return (
    <div className="history">
      <div className="row toolbar">
        <button type="button" onClick={load}>
          {t('ui.setup.refresh')}
        </button>
        <button type="button" onClick={compare} disabled={picked.length !== 2}>
          {t('ui.history.compare')}
        </button>
        <label>
          {t('ui.history.format')}
          <select value={format} onChange={(e) => setFormat(e.target.value as ReportFormat)}>
            {FORMATS.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('ui.history.reportLanguage')}
          <select value={language} onChange={(e) => isLanguage(e.target.value) && setLanguage(e.target.value)}>
            <option value="en">English</option>
            <option value="zh-CN">简体中文</option>
          </select>
        </label>
      </div>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {saved ? <p className="ok">{saved}</p> : null}
      {runs && runs.length === 0 ? <p className="subtle">{t('ui.history.empty')}</p> : null}
      {runs && runs.length > 0 ? (
        <table className="runs">
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">{t('ui.history.pick')}</span>
              </th>
              <th scope="col">{t('ui.history.date')}</th>
              <th scope="col">{t('ui.history.host')}</th>
              <th scope="col">{t('ui.history.modes')}</th>
              <th scope="col">{t('ui.history.result')}</th>
              <th scope="col">{t('ui.history.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} data-run={run.id} className={`status-${run.status}`}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={t('ui.history.pickRun', { id: run.id })}
                    checked={picked.includes(run.id)}
                    onChange={() => toggle(run.id)}
                  />
                </td>
                <td>{run.startedAt ? formatDateTime(run.startedAt, i18n.language) : '–'}</td>
                <td>
                  {run.host ?? '–'}
                  {run.kernel ? <div className="subtle">{run.kernel}</div> : null}
                </td>
                <td>{run.modes.join(', ')}</td>
                <td>{summaryLine(run, t)}</td>
                <td className="actions">
                  <button type="button" onClick={() => onOpen(run.id)} disabled={!!run.unreadable}>
                    {t('ui.history.open')}
                  </button>
                  <button type="button" onClick={() => exportRun(run.id)} disabled={!!run.unreadable}>
                    {t('ui.history.export', { format })}
                  </button>
                  {confirming === run.id ? (
                    <span
                      className="confirm"
                      role="alertdialog"
                      aria-label={t('ui.history.confirmDelete', { id: run.id })}
                    >
                      {t('ui.history.confirmDelete', { id: run.id })}{' '}
                      <button type="button" className="danger" onClick={() => remove(run.id)}>
                        {t('ui.history.deleteYes')}
                      </button>{' '}
                      <button type="button" onClick={() => setConfirming(undefined)}>
                        {t('ui.history.deleteNo')}
                      </button>
                    </span>
                  ) : (
                    <button
                      type="button"
                      className="danger"
                      onClick={() => setConfirming(run.id)}
                      disabled={run.status === 'running'}
                    >
                      {t('ui.history.delete')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {comparison ? <ComparisonTable comparison={comparison} onClose={() => setCompared(undefined)} /> : null}
    </div>
  );
}

function ComparisonTable({ comparison, onClose }: { comparison: Comparison; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const shown = uiLanguage(i18n.language);
  const changed = comparison.cells.filter((c) => c.change !== 'same');
  return (
    <section className="comparison" aria-label={t('ui.history.comparison')}>
      <h2>
        {t('ui.history.comparison')}: {comparison.a.id} ↔ {comparison.b.id}{' '}
        <button type="button" className="link" onClick={onClose}>
          {t('ui.history.close')}
        </button>
      </h2>
      {comparison.facts.some((f) => f.changed) ? (
        <ul>
          {comparison.facts
            .filter((f) => f.changed)
            .map((f) => (
              <li key={f.name}>
                <strong>{f.name}</strong>: {f.a ?? '–'} → {f.b ?? '–'}
              </li>
            ))}
        </ul>
      ) : null}
      <p>{t('ui.history.changedCells', { count: changed.length, total: comparison.cells.length })}</p>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('matrix.column.mode')}</th>
            <th scope="col">{t('ui.history.column')}</th>
            <th scope="col">A</th>
            <th scope="col">B</th>
            <th scope="col">{t('matrix.column.notes')}</th>
          </tr>
        </thead>
        <tbody>
          {comparison.cells.map((cell) => (
            <tr key={`${cell.mode}/${cell.column}`} className={`change-${cell.change}`}>
              <th scope="row">{cell.mode}</th>
              <td>{columnLabel(shown, cell.column, comparison.slaves)}</td>
              <td>{cell.a ?? '–'}</td>
              <td>{cell.b ?? '–'}</td>
              <td>{cell.note ?? (cell.change === 'same' ? '' : t(`report.compare.change.${cell.change}`))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
