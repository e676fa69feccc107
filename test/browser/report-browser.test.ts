/**
 * The HTML report in Debian's Chromium (playwright-core): nothing leaves the page, no console error, the matrix
 * and every plot drawn; and the PDF that headless Chromium prints from it, checked with poppler's tools.
 * Screenshots, the PDF and its first page as PNG are kept in test-artifacts/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromiumPdfPrinter, findChromium } from '../../main/report/pdf.js';
import type { Language } from '../../shared/api.js';
import { t } from '../../shared/i18n/catalogue.js';
import { buildReport } from '../../shared/report/build.js';
import { comparisonHtml } from '../../shared/report/compare-render.js';
import { renderHtml } from '../../shared/report/html.js';
import type { ReportModel } from '../../shared/report/model.js';
import { compareRuns } from '../../shared/run/compare.js';
import { CHROMIUM_ARGS } from '../support/chromium.js';
import { fixtureNames, loadFixture, REPO } from '../unit/report-fixtures.js';

const ARTIFACTS = join(REPO, 'test-artifacts');
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: await findChromium(),
    args: CHROMIUM_ARGS,
  });
});

afterAll(async () => {
  await browser?.close();
});

/** Opens a page from a file and records every request it makes and every console error. */
async function open(html: string, file: string) {
  const path = join(ARTIFACTS, file);
  writeFileSync(path, html);
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const requests: string[] = [];
  const refused: string[] = [];
  const errors: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    requests.push(url);
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    refused.push(url);
    return route.abort();
  });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`file://${path}`, { waitUntil: 'load' });
  return { page, path, requests, refused, errors };
}

const reports = (): [string, Language][] => {
  const [a, b] = fixtureNames();
  return [
    [a!, 'en'],
    [b!, 'zh-CN'],
  ];
};

describe.each(reports())('the HTML report of %s (%s) in Chromium', (name, language) => {
  let model: ReportModel;
  beforeAll(async () => {
    model = buildReport(await loadFixture(name), language);
  });

  it('loads nothing from anywhere, logs no error, and shows the matrix and every plot', async () => {
    const { page, path, requests, refused, errors } = await open(renderHtml(model), `report-${language}.html`);
    try {
      expect(refused).toEqual([]);
      expect(requests).toEqual([`file://${path}`]);
      expect(errors).toEqual([]);
      expect(await page.title()).toContain(model.run.id);
      const rows = page.locator('#matrix tbody tr');
      expect(await rows.count()).toBe(model.matrix.length);
      expect(await rows.first().locator('td').first().textContent()).toBe(model.matrix[0]!.modeLabel);
      const box = await page.locator('#matrix').boundingBox();
      expect(box!.width).toBeGreaterThan(400);
      const plots = page.locator('svg[data-plot="timeline"]');
      expect(await plots.count()).toBe(model.timelines.length);
      // Every plot is laid out and its RTT line drawn with a length, not just present in the markup.
      const drawn = await page.$$eval('svg[data-plot="timeline"]', (svgs) =>
        svgs.map((svg) => {
          const rect = svg.getBoundingClientRect();
          const path = svg.querySelector<SVGPathElement>('path.rtt');
          return { width: rect.width, height: rect.height, line: path ? path.getTotalLength() : 0 };
        }),
      );
      drawn.forEach((plot, i) => {
        expect(plot.width, `plot ${i}`).toBeGreaterThan(300);
        expect(plot.height, `plot ${i}`).toBeGreaterThan(80);
        if (model.timelines[i]!.received > 1) expect(plot.line, `plot ${i}`).toBeGreaterThan(0);
      });
      expect(await page.locator('svg[data-plot="share"]').count()).toBe(model.share.length);
      // Every pull's outage, a dot each, laid out inside its plot.
      const pulls = model.outages.reduce((n, s) => n + s.pulls.length, 0);
      expect(pulls).toBeGreaterThan(0);
      const dots = await page.$$eval('svg[data-plot="outages"] circle.dot', (circles) =>
        circles.map((c) => {
          const r = c.getBoundingClientRect();
          const plot = c.closest('svg')!.getBoundingClientRect();
          return r.width > 0 && r.left >= plot.left && r.right <= plot.right + 1;
        }),
      );
      expect(dots).toHaveLength(pulls);
      expect(dots.every(Boolean)).toBe(true);
      expect(await page.locator('h1').textContent()).toBe(t(language, 'report.title'));
      await page.screenshot({ path: join(ARTIFACTS, `report-${language}.png`), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('prints to a PDF whose first page holds the whole matrix', async () => {
    if (language === 'zh-CN') {
      const fonts = execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).trim();
      expect(fonts, 'no Chinese font: install fonts-wqy-microhei (scripts/setup.sh)').not.toBe('');
    }
    const pdf = await new ChromiumPdfPrinter().print(renderHtml(model));
    const file = join(ARTIFACTS, `report-${language}.pdf`);
    writeFileSync(file, pdf);
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
    expect(pages).toBeGreaterThan(1);
    expect(info).toMatch(/Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)/);
    const text = (first: number, last = first) =>
      execFileSync('pdftotext', ['-f', String(first), '-l', String(last), '-layout', file, '-'], { encoding: 'utf8' });
    const all = text(1, pages);
    expect(all).toContain(t(language, 'report.title'));
    expect(all).toContain(model.run.id);
    expect(all).toContain(t(language, 'report.section.timelines'));
    // Page numbers from the page's own CSS.
    expect(text(1)).toContain(`1 / ${pages}`);
    // The matrix is not cut: all its rows are on the first page, with the legend under them.
    const first = text(1);
    for (const row of model.matrix) expect(first).toContain(row.modeLabel);
    expect(first).toContain(t(language, 'verdict.not-measurable'));
    execFileSync('pdftoppm', [
      '-f',
      '1',
      '-l',
      '1',
      '-r',
      '80',
      '-png',
      '-singlefile',
      file,
      join(ARTIFACTS, `report-${language}-page1`),
    ]);
  });
});

describe('the comparison page in Chromium', () => {
  it('loads nothing and shows every compared cell', async () => {
    const [a, b] = fixtureNames();
    const comparison = compareRuns(await loadFixture(a!), await loadFixture(b!));
    const { page, refused, errors } = await open(comparisonHtml(comparison, { language: 'en' }), 'compare.html');
    try {
      expect(refused).toEqual([]);
      expect(errors).toEqual([]);
      expect(await page.locator('#comparison tbody tr').count()).toBe(comparison.cells.length);
      await page.screenshot({ path: join(ARTIFACTS, 'compare.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });
});
