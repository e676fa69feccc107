/**
 * HTML → PDF by a real browser engine. The CLI uses headless Chromium; the app can hand in Electron's printToPDF
 * through the same small interface. The page sets its own paper (A4), margins and page numbers in CSS.
 */
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromiumCandidates } from '../../shared/platform/paths.js';
import { SaidError } from '../../shared/run/said-error.js';
import { CommandError, commandHint, run } from '../util/exec.js';

export interface PdfPrinter {
  print(html: string): Promise<Buffer>;
}

/** $BONDBENCH_CHROMIUM, else the first Chromium, Chrome or Edge found in the platform's usual places. */
export async function findChromium(): Promise<string> {
  const configured = process.env.BONDBENCH_CHROMIUM;
  const candidates = chromiumCandidates(process.platform, process.env);
  for (const path of candidates) {
    if (
      await access(path, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return path;
  }
  throw configured
    ? new SaidError('PdfError', 'error.pdf.notExecutable', { path: configured })
    : new SaidError('PdfError', 'error.pdf.noChromium', { paths: candidates.join(', ') });
}

/** Chromium's flags for a one-shot, offline print: no profile reuse, no background traffic, no first-run UI. */
export function chromiumPrintArgs(profileDir: string, pdfPath: string, htmlUrl: string): string[] {
  return [
    '--headless',
    // The page is ours: no script, and a Content Security Policy that loads nothing. Root cannot use the sandbox.
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-extensions',
    '--disable-default-apps',
    '--no-first-run',
    '--no-default-browser-check',
    `--user-data-dir=${profileDir}`,
    '--no-pdf-header-footer',
    `--print-to-pdf=${pdfPath}`,
    htmlUrl,
  ];
}

export class ChromiumPdfPrinter implements PdfPrinter {
  constructor(
    private readonly executable?: string,
    private readonly timeoutMs = 120_000,
  ) {}

  async print(html: string): Promise<Buffer> {
    const executable = this.executable ?? (await findChromium());
    const dir = await mkdtemp(join(tmpdir(), 'bondbench-pdf-'));
    try {
      const htmlPath = join(dir, 'report.html');
      const pdfPath = join(dir, 'report.pdf');
      await writeFile(htmlPath, html);
      const args = chromiumPrintArgs(join(dir, 'profile'), pdfPath, pathToFileURL(htmlPath).href);
      const result = await run(executable, args, { timeoutMs: this.timeoutMs });
      const pdf = await readFile(pdfPath).catch(() => undefined);
      if (!pdf || pdf.length === 0 || pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
        throw new CommandError([executable, ...args], result, commandHint('pdf'));
      }
      return pdf;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
