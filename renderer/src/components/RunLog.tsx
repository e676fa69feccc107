/**
 * The run log in the UI's language: the live run's lines as they come (BenchEvent 'log'), or a recorded run's
 * (readRunLog: log.jsonl; a run recorded before it shows its log.txt lines as written). Each line is said from its
 * message parts (`log.*`, shared/run/log.ts) through the UI's i18next, so a language switch re-says it; a line
 * without parts (an older bench) is shown in the English it came in.
 */
import type { TFunction } from 'i18next';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BenchApi } from '../../../shared/api.js';
import { sayReasonWith } from '../../../shared/oracle/failover.js';
import type { LogRecord } from '../../../shared/run/log.js';
import type { ReasonPart } from '../../../shared/run/model.js';
import { errorText } from '../cells.js';
import type { LiveLogLine } from '../state/live.js';

/** Lines shown at most (the newest); the run folder's log.txt has them all. */
const SHOWN = 300;

/** One log line in the UI's language: from its parts, else as it came. */
export function logLineText(line: { line?: string; part?: ReasonPart }, t: TFunction): string {
  return line.part ? sayReasonWith((key, vars) => t(key, vars ?? {}), [line.part]) : (line.line ?? '');
}

function LogPane({ count, text }: { count: number; text: string }) {
  const { t } = useTranslation();
  return (
    <details className="log">
      <summary>{t('ui.run.log', { count })}</summary>
      <pre>{text}</pre>
    </details>
  );
}

export function LiveRunLog({ lines }: { lines: readonly LiveLogLine[] }) {
  const { t } = useTranslation();
  const text = lines
    .slice(-SHOWN)
    .map((line) => logLineText(line, t))
    .join('\n');
  return <LogPane count={lines.length} text={text} />;
}

/** A recorded run's log, read once per run; each line with its time (UTC, as log.txt has it). */
export function RecordedRunLog({ client, runId }: { client: Pick<BenchApi, 'readRunLog'>; runId: string }) {
  const { t } = useTranslation();
  const [records, setRecords] = useState<LogRecord[]>([]);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let current = true;
    client.readRunLog(runId).then(
      (read) => current && setRecords(read),
      (caught: unknown) => current && setError(caught),
    );
    return () => {
      current = false;
    };
  }, [client, runId]);
  const text = records
    .slice(-SHOWN)
    .map((record) => `${record.at.slice(11, 19)} ${logLineText({ part: record }, t)}`)
    .join('\n');
  return (
    <>
      <LogPane count={records.length} text={text} />
      {error !== undefined ? (
        <p className="error" role="alert">
          {errorText(error, t)}
        </p>
      ) : null}
    </>
  );
}
