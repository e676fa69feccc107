/** An action against the bench: whether it is running, and what went wrong, for a button and its message. */
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from './cells.js';

export function useAction() {
  const [busy, setBusy] = useState(false);
  const { t } = useTranslation();
  const [error, setError] = useState<string>();
  /** Runs `work`; resolves to its result, or undefined when it failed (the error is kept to show). */
  const run = useCallback(
    async <T>(work: () => Promise<T>): Promise<T | undefined> => {
      setBusy(true);
      setError(undefined);
      try {
        return await work();
      } catch (e) {
        setError(errorText(e, t));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [t],
  );
  return { busy, error, run, setError };
}
