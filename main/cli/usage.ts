import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { Language } from '../../shared/api.js';
import { isLanguage, LANGUAGES } from '../../shared/i18n/catalogue.js';
import { terminalText } from '../../shared/report/escape.js';
import { type LogSink, logText } from '../../shared/run/log.js';

export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with its errors turned into a usage message. */
export function parseCommandLine<O extends Options>(args: string[], options: O, usage: string) {
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
export function cliLanguage(value: string | undefined, usage: string): Language {
  const chosen = value ?? process.env.BONDBENCH_LANG ?? 'en';
  if (!isLanguage(chosen)) {
    throw new UsageError(
      `${value === undefined ? 'BONDBENCH_LANG' : '--lang'} ${JSON.stringify(chosen)}: use ${LANGUAGES.join(' or ')}`,
      usage,
    );
  }
  return chosen;
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
  let chosen = language ?? 'en';
  if (!language) {
    try {
      chosen = cliLanguage(undefined, '');
    } catch {
      // English, as the rest of a command that refuses the language.
    }
  }
  return (part) => console.error(`${prefix}: ${terminalText(logText(chosen, part))}`);
}
