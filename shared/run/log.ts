/**
 * The run log in message parts. Everything the engine, the host control, the drivers, SSH, the lab and the tester
 * say while they work is one `ReasonPart` under the catalogue's `log.` namespace (shared/i18n/en.ts), whose values
 * are what came from outside — a path, an argv, an interface name, an error (as `errorPart`, itself a part) — so the
 * UI and the CLI say the line in the reader's language, and its English (the catalogue's) is what log.txt and old
 * clients read. A run folder keeps both: `log.txt` (English, the technical record) and `log.jsonl` (one `LogRecord`
 * a line, validated on read by shared/run/schema.ts `parseLogRecord`). Pure.
 */
import type { BenchEvent, Language } from '../api.js';
import { sayReason } from '../oracle/failover.js';
import type { StepSpec } from '../plan/plan.js';
import type { ReasonPart } from './model.js';

/** Where code that works for a run says what it does: one log line as a message part. */
export type LogSink = (part: ReasonPart) => void;

/** One line of log.jsonl: when (ISO 8601, UTC) and what, as a message part. */
export interface LogRecord {
  at: string;
  key: string;
  vars?: ReasonPart['vars'];
}

/** A log line in a language: the part said through the catalogue (nested parts first). */
export function logText(language: Language, part: ReasonPart): string {
  return sayReason(language, [part]);
}

/** The API event of a log line: the part, and its English as `line` (what log.txt and older clients read). */
export function logEvent(runId: string, part: ReasonPart): Extract<BenchEvent, { type: 'log' }> {
  return { type: 'log', runId, line: logText('en', part), part };
}

/**
 * A line we did not word ourselves (a program's stderr, a line of an older log.txt): `log.text`, said as written
 * (in Chinese quoted, as an error's own text is).
 */
export function textLine(text: string): ReasonPart {
  return { key: 'log.text', vars: { text } };
}

/**
 * A step as the run log names it (`log.step.label`): "mode balance-rr: pull eth1", with the sweep point first
 * when there is one ("miimon=50, mode …"). The English is what the step record's `label` holds.
 */
export function stepPart(mode: string, spec: StepSpec | { kind: 'bring-up' }, point?: string): ReasonPart {
  const vars: Record<string, string | number> = {};
  if ('slave' in spec) vars.slave = spec.slave;
  if ('seconds' in spec) vars.seconds = spec.seconds;
  if ('offSeconds' in spec) vars.offSeconds = spec.offSeconds;
  if ('peers' in spec) {
    vars.peers = spec.peers;
    vars.flows = spec.flows;
  }
  const step = { key: `log.step.${spec.kind}`, vars };
  return point === undefined
    ? { key: 'log.step.label', vars: { mode, step } }
    : { key: 'log.step.labelAtPoint', vars: { point, mode, step } };
}
