/** `bondbench report` and `bondbench compare`: files made from run folders alone. */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Language, ReportFormat } from '../../shared/api.js';
import { LANGUAGES } from '../../shared/i18n/catalogue.js';
import { COMPARISON_FORMATS, type ComparisonFormat, renderComparison } from '../../shared/report/compare-render.js';
import { defaultRunsDir, resolveRun } from '../engine/store.js';
import { compareRunFolders, exportReport, isReportFormat, REPORT_FORMATS } from '../report/export.js';
import { cliLanguage, parseCommandLine, say, type Usage, UsageError } from './usage.js';

const TEXT_FORMATS: readonly ReportFormat[] = ['csv', 'json', 'md'];

/** The report usage, with its values: formats, languages, the runs folder. */
export function reportUsage(): Usage {
  return {
    key: 'cli.usage.report',
    vars: { formats: REPORT_FORMATS.join('|'), languages: LANGUAGES.join('|'), runsDir: defaultRunsDir() },
  };
}

const COMPARE_USAGE: Usage = {
  key: 'cli.usage.compare',
  vars: { formats: COMPARISON_FORMATS.join('|'), languages: LANGUAGES.join('|') },
};

async function emit(data: Buffer | string, out: string | undefined, language: Language): Promise<void> {
  if (out === undefined || out === '-') {
    process.stdout.write(data);
    return;
  }
  const path = resolve(out);
  await writeFile(path, data);
  console.error(say(language, 'wrote', { path }));
}

/** `--format X: use one of …` */
function badFormat(format: string, formats: readonly string[]) {
  return { key: 'cli.badFormat', vars: { format: JSON.stringify(format), formats: formats.join(', ') } };
}

export async function reportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    { format: { type: 'string', short: 'f' }, lang: { type: 'string' }, out: { type: 'string', short: 'o' } },
    reportUsage(),
  );
  // The report's language and the CLI's are one: --lang, else BONDBENCH_LANG, else English.
  const lang = cliLanguage(values.lang, reportUsage());
  if (positionals.length !== 1) {
    throw new UsageError({ key: positionals.length === 0 ? 'cli.whichRun' : 'cli.oneRun' }, reportUsage());
  }
  const format = values.format ?? 'html';
  if (!isReportFormat(format)) throw new UsageError(badFormat(format, REPORT_FORMATS), reportUsage());
  const dir = await resolveRun(positionals[0]!);
  const report = await exportReport(dir, format, lang);
  const out = values.out ?? (TEXT_FORMATS.includes(format) ? undefined : report.fileName);
  await emit(report.data, out, lang);
  return 0;
}

export async function compareCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    { format: { type: 'string', short: 'f' }, lang: { type: 'string' }, out: { type: 'string', short: 'o' } },
    COMPARE_USAGE,
  );
  const lang = cliLanguage(values.lang, COMPARE_USAGE);
  if (positionals.length !== 2) throw new UsageError({ key: 'cli.twoRuns' }, COMPARE_USAGE);
  const format = (values.format ?? 'text') as ComparisonFormat;
  if (!COMPARISON_FORMATS.includes(format)) throw new UsageError(badFormat(format, COMPARISON_FORMATS), COMPARE_USAGE);
  // RUN@miimon=50 (or RUN@0) is one point of a sweep's run.
  const parsed = positionals.map((p) => {
    const at = p.lastIndexOf('@');
    return at > 0 && /^(\d+|[a-z_]+=[^@]+)$/.test(p.slice(at + 1))
      ? { run: p.slice(0, at), point: p.slice(at + 1) }
      : { run: p };
  });
  const [a, b] = await Promise.all(parsed.map((p) => resolveRun(p.run)));
  const { comparison, slaves } = await compareRunFolders(a!, b!, lang, parsed[0]!.point, parsed[1]!.point);
  await emit(renderComparison(comparison, format, { language: lang, slaves }), values.out, lang);
  return 0;
}
