import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { Language } from '../../shared/api.js';
import { buildReport } from '../../shared/report/build.js';
import {
  csvSlaves,
  matrixCsvHeader,
  renderCsv,
  STEP_CSV_FIELDS,
  STEP_CSV_SLAVE_FIELDS,
  slaveCsvValue,
} from '../../shared/report/csv.js';
import { evidenceText } from '../../shared/report/format.js';
import { renderHtml } from '../../shared/report/html.js';
import { renderJson } from '../../shared/report/json.js';
import { renderMarkdown } from '../../shared/report/markdown.js';
import type { ReportModel } from '../../shared/report/model.js';
import { REPORT_SCHEMA } from '../../shared/report/schema.js';
import { ticks } from '../../shared/report/svg.js';
import { MATRIX_COLUMNS } from '../../shared/run/model.js';
import { fixtureNames, loadFixture, parseCsv } from './report-fixtures.js';

const LANGUAGES: Language[] = ['en', 'zh-CN'];

/** The little of the DOM these checks read (jsdom ships no type declarations). */
interface Node {
  outerHTML: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): Node | null;
  querySelectorAll(selector: string): Iterable<Node> & { length: number };
}
interface Jsdom {
  JSDOM: new (
    html: string,
    options: { virtualConsole: unknown },
  ) => {
    window: { document: Node & { documentElement: { lang: string } } };
  };
  VirtualConsole: new () => unknown;
}
const { JSDOM, VirtualConsole } = createRequire(import.meta.url)('jsdom') as Jsdom;
const cases = fixtureNames().flatMap((name) => LANGUAGES.map((language) => [name, language] as const));

async function model(name: string, language: Language): Promise<ReportModel> {
  return buildReport(await loadFixture(name), language);
}

/** A CSV field read back as the type the model holds: empty is "not measured". */
function expectField(field: string | undefined, value: unknown, where: string): void {
  if (value === null || value === undefined) expect(field, where).toBe('');
  else if (typeof value === 'number') expect(Number(field), where).toBe(value);
  else if (typeof value === 'boolean') expect(field, where).toBe(String(value));
  else expect(field, where).toBe(value);
}

const validate = new Ajv2020({ allErrors: true, strict: true }).compile(REPORT_SCHEMA);

describe.each(cases)('report formats of %s in %s', (name, language) => {
  it('CSV parses back (with Python’s csv module) to the matrix and every step’s values', async () => {
    const m = await model(name, language);
    const text = renderCsv(m);
    expect(text.endsWith('\r\n')).toBe(true);
    // The UTF-8 BOM Excel needs to read Chinese cells as UTF-8 (csv.ts).
    expect(text.startsWith('\uFEFF')).toBe(true);
    const records = parseCsv(text);
    const gap = records.findIndex((r) => r.length === 0);
    const matrix = records.slice(0, gap);
    const steps = records.slice(gap + 1);
    expect(matrix[0]).toEqual(matrixCsvHeader());
    expect(matrix.length - 1).toBe(m.matrix.length);
    m.matrix.forEach((row, i) => {
      const record = Object.fromEntries(matrix[0]!.map((h, j) => [h, matrix[i + 1]![j]]));
      expect(record.mode).toBe(row.mode);
      expect(Number(record.repetition)).toBe(row.repetition);
      for (const column of MATRIX_COLUMNS) {
        const cell = row.cells.find((c) => c.column === column);
        const where = `${row.mode} ${column}`;
        expectField(record[column], cell?.value, where);
        expectField(record[`${column}.text`], cell?.text, where);
        expectField(record[`${column}.verdict`], cell?.verdict, where);
        expectField(record[`${column}.reason`], cell?.reason, where);
        expectField(record[`${column}.evidence`], cell && evidenceText(language, cell.evidence), where);
      }
      expect(record.notes).toBe(row.notes.join('\n'));
    });
    const slaves = csvSlaves(m);
    const header = [...STEP_CSV_FIELDS, ...slaves.flatMap((s) => STEP_CSV_SLAVE_FIELDS.map((f) => `${s}.${f}`))];
    expect(steps[0]).toEqual(header);
    expect(steps.length - 1).toBe(m.steps.length);
    m.steps.forEach((step, i) => {
      const record = steps[i + 1]!;
      expect(record.length).toBe(header.length);
      STEP_CSV_FIELDS.forEach((field, j) => {
        expectField(record[j], step[field], `step ${step.index} ${field}`);
      });
      let j = STEP_CSV_FIELDS.length;
      for (const slave of slaves) {
        for (const field of STEP_CSV_SLAVE_FIELDS) {
          expectField(record[j++], slaveCsvValue(step, slave, field), `step ${step.index} ${slave}.${field}`);
        }
      }
    });
  });

  it('JSON validates against the published schema and is the model', async () => {
    const m = await model(name, language);
    const json = JSON.parse(renderJson(m)) as Record<string, unknown>;
    expect(validate(json), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    const { $schema, ...rest } = json;
    expect($schema).toBe(REPORT_SCHEMA.$id);
    expect(rest).toEqual(JSON.parse(JSON.stringify(m)));
  });

  it('Markdown has the matrix as a table, a row per matrix row', async () => {
    const m = await model(name, language);
    const md = renderMarkdown(m);
    const lines = md.split('\n');
    const headerAt = lines.findIndex((l) => l.startsWith('| ') && l.includes(m.columns[0]!.title));
    expect(headerAt).toBeGreaterThan(0);
    const table: string[][] = [];
    for (const line of lines.slice(headerAt)) {
      if (!line.startsWith('|')) break;
      table.push(
        line
          .slice(2, -2)
          .split(/(?<!\\) \| /)
          .map((c) => c.replaceAll('\\|', '|')),
      );
    }
    const [header, rule, ...rows] = table;
    expect(header!.slice(-7, -1)).toEqual(m.columns.map((c) => c.title));
    expect(rule!.every((c) => /^-{3}:?$/.test(c))).toBe(true);
    expect(rows.length).toBe(m.matrix.length);
    rows.forEach((row, i) => {
      const mine = m.matrix[i]!;
      expect(row[0]).toBe(mine.modeLabel);
      expect(row.length).toBe(header!.length);
      MATRIX_COLUMNS.forEach((column, k) => {
        const cell = mine.cells.find((c) => c.column === column);
        const text = row[row.length - 7 + k]!;
        expect(text).toBe(
          cell ? `${cell.text} ${{ expected: '✓', unexpected: '✗', 'not-measurable': '?' }[cell.verdict]}` : '–',
        );
      });
    });
  });

  it('HTML is one page with nothing to load: the matrix, a plot per timeline, a bar per share', async () => {
    const m = await model(name, language);
    const html = renderHtml(m);
    // jsdom's CSS parser predates @page margin boxes; Chromium's test (test/lab/report-browser) reads the CSS.
    const { document } = new JSDOM(html, { virtualConsole: new VirtualConsole() }).window;
    expect(document.documentElement.lang).toBe(language);
    expect(document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content')).toContain(
      "default-src 'none'",
    );
    expect(document.querySelectorAll('script, link, img, iframe, object, embed').length).toBe(0);
    for (const el of document.querySelectorAll('[src], [href]')) expect(el.outerHTML).toBe('no external reference');
    expect(html).not.toMatch(/url\(|@import/);
    const rows = [...document.querySelectorAll('#matrix tbody tr')];
    expect(rows.map((r) => [r.getAttribute('data-mode'), Number(r.getAttribute('data-repetition'))])).toEqual(
      m.matrix.map((r) => [r.mode, r.repetition]),
    );
    rows.forEach((tr, i) => {
      for (const cell of m.matrix[i]!.cells) {
        const td = tr.querySelector(`td[data-column="${cell.column}"]`)!;
        expect(td.getAttribute('data-verdict')).toBe(cell.verdict);
        expect(td.textContent).toContain(cell.text);
      }
    });
    const plots = [...document.querySelectorAll('svg[data-plot="timeline"]')];
    expect(plots.map((p) => Number(p.getAttribute('data-step')))).toEqual(m.timelines.map((tl) => tl.step));
    for (const [i, plot] of plots.entries()) {
      const tl = m.timelines[i]!;
      if (tl.received > 0) expect(plot.querySelector('path.rtt')?.getAttribute('d')).toMatch(/^M/);
      expect(plot.querySelectorAll('line.marker').length).toBe(tl.markers.length);
      expect(plot.querySelectorAll('rect.lost').length > 0).toBe(tl.lost > 0);
    }
    expect(document.querySelectorAll('svg[data-plot="share"]').length).toBe(m.share.length);
    expect(document.querySelectorAll('#warnings li').length).toBe(m.warnings.length);
  });
});

describe('the JSON schema', () => {
  it('rejects what the model never has: an unknown field, a missing one, a verdict not in the list', async () => {
    const m = JSON.parse(renderJson(await model(fixtureNames()[0]!, 'en')));
    expect(validate({ ...m, extra: 1 })).toBe(false);
    const { matrix: _matrix, ...noMatrix } = m;
    expect(validate(noMatrix)).toBe(false);
    const broken = structuredClone(m);
    broken.matrix[0].cells[0].verdict = 'fine';
    expect(validate(broken)).toBe(false);
  });
});

describe('plot axes', () => {
  it('cover the data with round ticks', () => {
    expect(ticks(17.29, 4)).toEqual([0, 5, 10, 15, 20]);
    expect(ticks(1, 4)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    const x = ticks(5131, 8, 2169);
    expect(x[0]).toBeLessThanOrEqual(2169);
    expect(x[x.length - 1]).toBeGreaterThanOrEqual(5131);
    expect(x).toEqual([2000, 2500, 3000, 3500, 4000, 4500, 5000, 5500]);
  });
});
