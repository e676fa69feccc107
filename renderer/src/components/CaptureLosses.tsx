/**
 * Frames missing from a run's capture files, step by step and file by file (kernel, writer and interface drops),
 * and steps whose probe sent slower than planned, as the report words them: shown under the matrix while a run
 * goes and for a recorded run. Nothing when every frame is in the files and every probe kept its rate.
 */
import { useTranslation } from 'react-i18next';
import { stepNotes } from '../../../shared/run/capture-loss.js';
import type { StepRecord } from '../../../shared/run/model.js';

export function CaptureLosses({ steps }: { steps: readonly StepRecord[] }) {
  const { t } = useTranslation();
  const notes = steps.flatMap((step) =>
    stepNotes(step).map((note, i) => ({
      id: `${step.index}-${i}`,
      text: t(note.key, { step: step.index, mode: step.mode, label: step.label, ...note.vars }),
    })),
  );
  if (notes.length === 0) return null;
  return (
    <section className="capture-losses" aria-label={t('captureLoss.title')}>
      <h3>{t('captureLoss.title')}</h3>
      <ul>
        {notes.map((note) => (
          <li key={note.id} className="warning">
            {note.text}
          </li>
        ))}
      </ul>
    </section>
  );
}
