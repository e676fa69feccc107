/**
 * Reports as files, from a run folder alone: the one entry point for the CLI (`bondbench report`) and the API
 * (`exportReport`, `compareRuns`). PDF goes through a PdfPrinter (headless Chromium unless one is given).
 */
import type { Comparison, Language, ReportFormat } from '../../shared/api.js';
import { buildReport } from '../../shared/report/build.js';
import { renderCsv } from '../../shared/report/csv.js';
import { safeFileStem } from '../../shared/report/escape.js';
import { renderHtml } from '../../shared/report/html.js';
import { renderJson } from '../../shared/report/json.js';
import { renderMarkdown } from '../../shared/report/markdown.js';
import { compareRuns, type RunContent, sweepPointRun } from '../../shared/run/compare.js';
import { SaidError } from '../../shared/run/said-error.js';
import { readRunFolder } from '../engine/store.js';
import { buildBundle } from './bundle.js';
import { ChromiumPdfPrinter, type PdfPrinter } from './pdf.js';

export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'pdf', 'csv', 'json', 'md', 'zip'];

export const REPORT_MIME: Record<ReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
  md: 'text/markdown; charset=utf-8',
  zip: 'application/zip',
};

export interface ExportedReport {
  fileName: string;
  mime: string;
  data: Buffer;
}

export interface ExportOptions {
  printer?: PdfPrinter;
}

export function isReportFormat(value: unknown): value is ReportFormat {
  return typeof value === 'string' && (REPORT_FORMATS as readonly string[]).includes(value);
}

/** `bondbench-<id>[-<language>].<format>`, with the id through safeFileStem: never a path. */
export function reportFileName(runId: string, format: ReportFormat, language: Language): string {
  return `bondbench-${safeFileStem(runId)}${language === 'en' ? '' : `-${language}`}.${format}`;
}

/** A run folder's report in one format and language. */
export async function exportReport(
  runDir: string,
  format: ReportFormat,
  language: Language,
  options: ExportOptions = {},
): Promise<ExportedReport> {
  if (!isReportFormat(format)) {
    throw new SaidError('ReportFormatError', 'error.reportFormat', {
      format: String(JSON.stringify(format)),
      formats: REPORT_FORMATS.join(', '),
    });
  }
  const run = await readRunFolder(runDir);
  const model = buildReport(run, language);
  let data: Buffer;
  switch (format) {
    case 'html':
      data = Buffer.from(renderHtml(model));
      break;
    case 'pdf':
      data = await (options.printer ?? new ChromiumPdfPrinter()).print(renderHtml(model));
      break;
    case 'csv':
      data = Buffer.from(renderCsv(model));
      break;
    case 'json':
      data = Buffer.from(renderJson(model));
      break;
    case 'md':
      data = Buffer.from(renderMarkdown(model));
      break;
    case 'zip':
      data = await buildBundle(run, renderHtml(model));
      break;
  }
  return { fileName: reportFileName(run.manifest.id, format, language), mime: REPORT_MIME[format], data };
}

/** Two run folders compared cell by cell, with the MAC columns named after run A's slaves. */
export async function compareRunFolders(
  dirA: string,
  dirB: string,
  language: Language = 'en',
  pointA?: string,
  pointB?: string,
): Promise<{ comparison: Comparison; slaves: [string?, string?] }> {
  const [a, b] = await Promise.all([readPoint(dirA, pointA), readPoint(dirB, pointB)]);
  return { comparison: compareRuns(a, b, language), slaves: [a.plan.bond.slaves[0], a.plan.bond.slaves[1]] };
}

/** A run folder, or one sweep point of it (`point`: an index or `option=value[,…]`). */
async function readPoint(dir: string, point: string | undefined): Promise<RunContent> {
  const run = await readRunFolder(dir);
  return point === undefined ? run : sweepPointRun(run, point);
}
