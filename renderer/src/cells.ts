/**
 * The matrix in the reader's language. The oracle (shared/oracle/oracle.ts) writes each cell's text and each
 * row's mode summary in English; what they say is rebuilt from the cell's value and the step records, through
 * message keys: cells by shared/report/cell-text.ts (as the reports say them), the mode's summary with the bond's
 * options here. Numbers, MACs and shares read the same in every language and are shown as the oracle wrote them.
 */
import type { TFunction } from 'i18next';
import type { CheckItem } from '../../shared/api.js';
import { sayReasonWith } from '../../shared/oracle/failover.js';
import type { PlanError } from '../../shared/plan/plan-file.js';
import { sayCell, stepsByIndex } from '../../shared/report/cell-text.js';
import type { Cell, MatrixColumn, MatrixRow, ReasonPart, RunManifest, StepRecord } from '../../shared/run/model.js';

/** A cell's text in the UI's language (shared/report/cell-text.ts, the reports' own wording). */
export function cellText(column: MatrixColumn, cell: Cell, steps: readonly StepRecord[], t: TFunction): string {
  return sayCell((key, vars) => t(key, vars ?? {}), column, cell, stepsByIndex(steps));
}

/** Bond options the mode summaries name, read from the plan. */
export interface SummaryOptions {
  num_grat_arp?: string;
  xmit_hash_policy?: string;
}

/**
 * A row's notes in the UI's language: each note the oracle said in message parts (noteParts: the mode's summary
 * with the bond's options, LACP's reason, MAC moves, a bring-up that failed) is said again from them; a note
 * without parts (an LACP reason read before runs kept its parts) is shown as written. A row without parts has its
 * first note — always the mode's summary — said from the mode and `options`.
 */
export function rowNotes(row: MatrixRow, options: SummaryOptions, t: TFunction): string[] {
  const say = (parts: readonly ReasonPart[]) => sayReasonWith((key, vars) => t(key, vars ?? {}), parts);
  return row.notes.map((note, i) => {
    const parts = row.noteParts?.[i];
    if (parts) return say(parts);
    if (i > 0 || row.noteParts) return note;
    return t(`analysis.note.${row.mode.replaceAll('.', '')}`, {
      num_grat_arp: options.num_grat_arp ?? '1',
      xmit_hash_policy: options.xmit_hash_policy ?? 'layer2',
    });
  });
}

/** A plan check finding's message in the UI's language: from its parts (`planCheck.*`) when it has them, else as the check said it. */
export function planErrorText(error: PlanError, t: TFunction): string {
  return error.parts ? sayReasonWith((key, vars) => t(key, vars ?? {}), error.parts) : error.message;
}

/** A "Check everything" line in the UI's language: from its parts when the bench said them, else as sent. */
export function checkItemText(item: CheckItem, t: TFunction): { what: string; detail: string; fix?: string } {
  if (!item.parts) return { what: item.what, detail: item.detail, ...(item.fix ? { fix: item.fix } : {}) };
  const say = (part: ReasonPart) => sayReasonWith((key, vars) => t(key, vars ?? {}), [part]);
  const { what, detail, fix } = item.parts;
  return { what: say(what), detail: say(detail), ...(fix ? { fix: say(fix) } : {}) };
}

/**
 * An error from the bench in the UI's language: from the message parts the bench sent with it (the WebSocket
 * transport puts them on the Error as `parts`), else its message as it came.
 */
export function errorText(error: unknown, t: TFunction): string {
  const parts = (error as { parts?: unknown } | null)?.parts;
  if (Array.isArray(parts) && parts.length > 0)
    return sayReasonWith((key, vars) => t(key, vars ?? {}), parts as ReasonPart[]);
  return error instanceof Error ? error.message : String(error);
}

/** A run's error in the UI's language: from its parts when the run said it in its own words, else as recorded. */
export function runErrorText(manifest: RunManifest, t: TFunction): string | undefined {
  return manifest.errorParts ? sayReasonWith((key, vars) => t(key, vars ?? {}), manifest.errorParts) : manifest.error;
}
