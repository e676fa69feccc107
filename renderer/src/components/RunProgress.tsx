/** Progress and ETA of the current run, always in view, with Cancel (the bench stops and restores the host). */
import type { TFunction } from 'i18next';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { modeKey } from '../../../shared/i18n/catalogue.js';
import { formatDuration } from '../format.js';
import type { LiveState } from '../state/live.js';

export interface RunProgressProps {
  state: LiveState;
  onCancel: () => void;
  cancelling: boolean;
}

export function RunProgress({ state, onCancel, cancelling }: RunProgressProps) {
  const { t, i18n } = useTranslation();
  const [now, setNow] = useState(() => Date.now());
  const running = state.status === 'running';
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);

  if (state.status === 'idle') {
    return (
      <div className="run-progress idle" role="status">
        {t('ui.progress.idle')}
      </div>
    );
  }
  const done = running ? Math.max(0, state.step - 1) : state.steps.length;
  const percent = state.totalSteps ? Math.round((done / state.totalSteps) * 100) : 0;
  const eta =
    running && state.etaMs !== undefined && state.etaAt !== undefined
      ? formatDuration(state.etaMs - (now - state.etaAt))
      : undefined;
  return (
    <div className={`run-progress status-${state.status}`} role="status" aria-live="polite">
      <progress max={state.totalSteps || 1} value={done} aria-label={t('ui.progress.label')} />
      <span className="progress-text">
        {running
          ? t('ui.progress.running', { step: state.step, total: state.totalSteps, label: stepText(state, t, i18n) })
          : t(`report.status.${state.status}`)}
        {` · ${percent}%`}
        {eta ? ` · ${t('ui.progress.eta', { eta })}` : running ? ` · ${t('ui.progress.etaUnknown')}` : ''}
      </span>
      {running ? (
        <button type="button" className="danger" onClick={onCancel} disabled={cancelling}>
          {cancelling ? t('ui.progress.cancelling') : t('ui.progress.cancel')}
        </button>
      ) : null}
    </div>
  );
}

/**
 * The running step in the UI's language ("1 active-backup: pull eth1"), from its mode and kind; the engine's
 * English label when the kind has no words here (a kind newer than the catalogue).
 */
export function stepText(
  state: Pick<LiveState, 'label' | 'mode' | 'stepKind' | 'slave' | 'point'>,
  t: TFunction,
  i18n: { exists(key: string): boolean },
): string {
  const key = `analysis.timeline.band.${state.stepKind}`;
  if (!state.stepKind || !state.mode || !i18n.exists(key)) return state.label ?? '';
  const step = t('ui.progress.step', { mode: t(modeKey(state.mode)), step: t(key, { slave: state.slave ?? '' }) });
  return state.point ? `${state.point} · ${step}` : step;
}
