/** `bondbench report` and `bondbench compare`: files made from run folders alone. */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Language, ReportFormat } from '../../shared/api.js';
import { isLanguage, LANGUAGES } from '../../shared/i18n/catalogue.js';
import { COMPARISON_FORMATS, type ComparisonFormat, renderComparison } from '../../shared/report/compare-render.js';
import { defaultRunsDir, resolveRun } from '../engine/store.js';
import { compareRunFolders, exportReport, isReportFormat, REPORT_FORMATS } from '../report/export.js';
import { parseCommandLine, UsageError } from './usage.js';

const TEXT_FORMATS: readonly ReportFormat[] = ['csv', 'json', 'md'];

export const REPORT_USAGE = `usage: bondbench report <run> [--format ${REPORT_FORMATS.join('|')}] [--lang ${LANGUAGES.join('|')}] [--out FILE]

  <run>      a run folder, or a run id from "bondbench runs" (in ${defaultRunsDir()})
  --format   html (default): one self-contained page; pdf: the same page printed by headless Chromium;
             csv: the matrix, then the per-step measurements; json: the report model (with its JSON Schema);
             md: Markdown for a ticket or a wiki; zip: the report, plan, host readings, log and pcapng files
  --lang     the report's language (default en)
  --out      where to write; "-" for standard output. Without it csv, json and md go to standard output and
             html, pdf and zip to a file named after the run in the current folder`;

export const COMPARE_USAGE = `usage: bondbench compare <runA> <runB> [--format ${COMPARISON_FORMATS.join('|')}] [--lang ${LANGUAGES.join('|')}] [--out FILE]

  Compares two runs cell by cell (a MAC, a verdict, a failover time beyond the spread of the repetitions), lists
  what stayed and what only one run has, and puts both runs' facts (kernel, NICs, plan options) side by side.
  --format   text (default), md, json or html; --out FILE writes it to a file instead of standard output
  A sweep's run compares point by point: RUN@miimon=50 RUN@miimon=200 (or RUN@0, by index; RUN@miimon=50,lacp_rate=fast
  for two axes); a point compares with another run too.`;

function language(value: string | undefined, usage: string): Language {
  const lang = value ?? 'en';
  if (!isLanguage(lang))
    throw new UsageError(`--lang ${JSON.stringify(lang)}: use one of ${LANGUAGES.join(', ')}`, usage);
  return lang;
}

async function emit(data: Buffer | string, out: string | undefined): Promise<void> {
  if (out === undefined || out === '-') {
    process.stdout.write(data);
    return;
  }
  const path = resolve(out);
  await writeFile(path, data);
  console.error(`wrote ${path}`);
}

export async function reportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    { format: { type: 'string', short: 'f' }, lang: { type: 'string' }, out: { type: 'string', short: 'o' } },
    REPORT_USAGE,
  );
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0 ? 'which run? give a run folder or id' : 'give one run',
      REPORT_USAGE,
    );
  }
  const format = values.format ?? 'html';
  if (!isReportFormat(format)) {
    throw new UsageError(`--format ${JSON.stringify(format)}: use one of ${REPORT_FORMATS.join(', ')}`, REPORT_USAGE);
  }
  const lang = language(values.lang, REPORT_USAGE);
  const dir = await resolveRun(positionals[0]!);
  const report = await exportReport(dir, format, lang);
  const out = values.out ?? (TEXT_FORMATS.includes(format) ? undefined : report.fileName);
  await emit(report.data, out);
  return 0;
}

export async function compareCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    { format: { type: 'string', short: 'f' }, lang: { type: 'string' }, out: { type: 'string', short: 'o' } },
    COMPARE_USAGE,
  );
  if (positionals.length !== 2) throw new UsageError('give two runs (folders or ids) to compare', COMPARE_USAGE);
  const format = (values.format ?? 'text') as ComparisonFormat;
  if (!COMPARISON_FORMATS.includes(format)) {
    throw new UsageError(
      `--format ${JSON.stringify(format)}: use one of ${COMPARISON_FORMATS.join(', ')}`,
      COMPARE_USAGE,
    );
  }
  const lang = language(values.lang, COMPARE_USAGE);
  // RUN@miimon=50 (or RUN@0) is one point of a sweep's run.
  const parsed = positionals.map((p) => {
    const at = p.lastIndexOf('@');
    return at > 0 && /^(\d+|[a-z_]+=[^@]+)$/.test(p.slice(at + 1))
      ? { run: p.slice(0, at), point: p.slice(at + 1) }
      : { run: p };
  });
  const [a, b] = await Promise.all(parsed.map((p) => resolveRun(p.run)));
  const { comparison, slaves } = await compareRunFolders(a!, b!, lang, parsed[0]!.point, parsed[1]!.point);
  await emit(renderComparison(comparison, format, { language: lang, slaves }), values.out);
  return 0;
}
