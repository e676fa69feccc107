import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { Language } from '../../shared/api.js';
import { isLanguage, LANGUAGES } from '../../shared/i18n/catalogue.js';
import { sayReason } from '../../shared/oracle/failover.js';
import { terminalText } from '../../shared/report/escape.js';
import { errorPart } from '../../shared/run/failure.js';
import { type LogSink, logText } from '../../shared/run/log.js';
import type { ReasonPart } from '../../shared/run/model.js';
import { SaidError } from '../../shared/run/said-error.js';

/** A command's usage text: a `cli.usage.*` message (its English is what `--help` always printed). */
export type Usage = ReasonPart;

/**
 * A command line that cannot be run, with the usage to show. Its message is a `cli.*` part, or text from outside
 * (node:util parseArgs says what is wrong in English: kept, quoted in other languages).
 */
export class UsageError extends SaidError {
  constructor(
    message: string | ReasonPart,
    readonly usage: Usage,
  ) {
    const part = typeof message === 'string' ? { key: 'cli.usageSaid', vars: { message } } : message;
    super('UsageError', part.key, part.vars);
  }
}

/** `cli.<key>` in a language, vars that are parts said first: the CLI's own sentences. */
export function say(language: Language, key: string, vars?: ReasonPart['vars']): string {
  return sayReason(language, [{ key: `cli.${key}`, vars: vars ?? {} }]);
}

/**
 * What an error says, in a language: in English its own message (what the CLI always printed); in another, what
 * failed and why from its parts (shared/run/failure.ts errorPart).
 */
export function errorText(language: Language, error: unknown): string {
  if (language === 'en') return String((error as Error | null)?.message ?? error);
  return sayReason(language, [errorPart(error)]);
}

/** A usage in a language. */
export function usageText(language: Language, usage: Usage): string {
  return sayReason(language, [usage]);
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with its errors turned into a usage message. */
export function parseCommandLine<O extends Options>(args: string[], options: O, usage: Usage) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message, usage);
  }
}

/**
 * The language the CLI speaks in: `--lang` where a command takes it, else BONDBENCH_LANG, else English (never the
 * locale, so scripts and CI read the same text everywhere). Throws UsageError for a language we do not have.
 */
export function cliLanguage(value: string | undefined, usage: Usage): Language {
  const chosen = value ?? process.env.BONDBENCH_LANG ?? 'en';
  if (!isLanguage(chosen)) {
    throw new UsageError(
      {
        key: 'cli.badLanguage',
        vars: {
          source: value === undefined ? 'BONDBENCH_LANG' : '--lang',
          value: JSON.stringify(chosen),
          languages: LANGUAGES.join(', '),
        },
      },
      usage,
    );
  }
  return chosen;
}

/** The language for a command line's own words when its command is not known yet (English if unusable). */
export function cliLanguageOf(argv: readonly string[]): Language {
  try {
    return cliLanguage(langArgument(argv), { key: 'cli.usage.main' });
  } catch {
    return 'en';
  }
}

/** `--lang L` or `--lang=L` anywhere on a command line, for the error line main() prints whatever the command. */
export function langArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--lang') return argv[i + 1];
    if (argv[i]!.startsWith('--lang=')) return argv[i]!.slice('--lang='.length);
  }
  return undefined;
}

/**
 * Prints log lines (shared/run/log.ts) to stderr as `<prefix>: <line>`, in the CLI's language (BONDBENCH_LANG, as
 * cliLanguage; a language we do not have falls back to English here — the command says so itself), with control
 * characters removed: a line quotes what hosts and programs said.
 */
export function cliLog(prefix: string, language?: Language): LogSink {
  const chosen = language ?? cliLanguageOf([]);
  return (part) => console.error(`${prefix}: ${terminalText(logText(chosen, part))}`);
}
