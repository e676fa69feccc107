/**
 * The plan's YAML, validated as you type by the bench's own checker (the same one `bondbench plan check` uses):
 * every error says where (line:column, and the field) and what to fix; clicking one puts the caret there. The
 * gutter numbers the lines and marks each line an error points at (its message as the mark's tooltip).
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PlanError } from '../../../shared/plan/plan-file.js';
import { planErrorText } from '../cells.js';

export interface PlanEditorProps {
  value: string;
  onChange: (yaml: string) => void;
  check: (yaml: string) => Promise<PlanError[]>;
  /** Told the outcome of every check, for the Start button. */
  onChecked?: (errors: PlanError[]) => void;
  delayMs?: number;
}

/** The offset of line:column (both 1-based) in text. */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + column - 1);
}

export function PlanEditor({ value, onChange, check, onChecked, delayMs = 250 }: PlanEditorProps) {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<PlanError[]>([]);
  const [state, setState] = useState<'checking' | 'valid' | 'invalid' | 'failed'>('checking');
  const [failure, setFailure] = useState<string>();
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const latest = useRef(0);
  const checkRef = useRef(check);
  checkRef.current = check;
  const onCheckedRef = useRef(onChecked);
  onCheckedRef.current = onChecked;

  useEffect(() => {
    const ticket = ++latest.current;
    setState('checking');
    const timer = setTimeout(() => {
      checkRef.current(value).then(
        (found) => {
          // An answer for text that has since changed is stale.
          if (ticket !== latest.current) return;
          setErrors(found);
          setFailure(undefined);
          setState(found.length ? 'invalid' : 'valid');
          onCheckedRef.current?.(found);
        },
        (error: Error) => {
          if (ticket !== latest.current) return;
          setFailure(error.message);
          setState('failed');
        },
      );
    }, delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);

  const goTo = (error: PlanError) => {
    const el = area.current;
    if (!el || !error.line) return;
    const at = offsetOf(value, error.line, error.column ?? 1);
    el.focus();
    el.setSelectionRange(at, at);
    const lineHeight = el.scrollHeight / Math.max(1, value.split('\n').length);
    el.scrollTop = Math.max(0, (error.line - 3) * lineHeight);
  };

  const lineCount = value.split('\n').length;
  const byLine = new Map<number, string[]>();
  if (state === 'invalid') {
    for (const error of errors) {
      if (error.line)
        byLine.set(error.line, [
          ...(byLine.get(error.line) ?? []),
          error.path ? `${error.path}: ${planErrorText(error, t)}` : planErrorText(error, t),
        ]);
    }
  }

  return (
    <section className="plan-editor" aria-label={t('ui.plan.title')}>
      <h2>{t('ui.plan.title')}</h2>
      <div className="plan-text">
        <div className="plan-gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lineCount }, (_, i) => {
            const messages = byLine.get(i + 1);
            return (
              <div
                // biome-ignore lint/suspicious/noArrayIndexKey: a line is its number
                key={i}
                data-line={i + 1}
                className={messages ? 'line-error' : undefined}
                title={messages?.join('\n')}
              >
                {messages ? '✗ ' : ''}
                {i + 1}
              </div>
            );
          })}
        </div>
        <textarea
          ref={area}
          value={value}
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          wrap="off"
          rows={24}
          aria-label={t('ui.plan.editor')}
          aria-invalid={state === 'invalid' ? true : undefined}
          onChange={(event) => onChange(event.target.value)}
          onScroll={(event) => {
            if (gutter.current) gutter.current.scrollTop = event.currentTarget.scrollTop;
          }}
        />
      </div>
      <div className={`plan-status plan-${state}`} role="status" aria-live="polite">
        {state === 'checking'
          ? t('ui.plan.checking')
          : state === 'valid'
            ? t('ui.plan.valid')
            : state === 'failed'
              ? t('ui.plan.checkFailed', { message: failure ?? '' })
              : t('ui.plan.invalid', { count: errors.length })}
      </div>
      {state === 'invalid' ? (
        <ul className="plan-errors">
          {errors.map((error, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: one list per check, replaced whole
            <li key={i}>
              <button type="button" className="link" onClick={() => goTo(error)}>
                {error.line ? `${error.line}:${error.column ?? 1}` : t('ui.plan.noLine')}
              </button>{' '}
              {error.path ? <code>{error.path}</code> : null} {planErrorText(error, t)}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
