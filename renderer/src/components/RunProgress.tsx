/** Progress and ETA of the current run, always in view, with Cancel (the bench stops and restores the host). */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDuration } from '../format.js';
import type { LiveState } from '../state/live.js';

export interface RunProgressProps {
  state: LiveState;
  onCancel: () => void;
  cancelling: boolean;
}

export function RunProgress({ state, onCancel, cancelling }: RunProgressProps) {
  const { t } = useTranslation();
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
          ? t('ui.progress.running', { step: state.step, total: state.totalSteps, label: state.label ?? '' })
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
