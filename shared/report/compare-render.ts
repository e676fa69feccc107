/**
 * A comparison (shared/run/compare.ts) as terminal text, Markdown, JSON or a self-contained HTML page. Changed
 * cells and cells only one run has come first, then what stayed. Pure.
 */
import type { Comparison, Language } from '../api.js';
import { t } from '../i18n/catalogue.js';
import { columnLabel, modeLabel } from './build.js';
import { mdText, terminalText } from './escape.js';
import { escapeHtml as e, instant } from './format.js';
import { htmlPage } from './html.js';
import { mdTable } from './markdown.js';

export type ComparisonFormat = 'text' | 'md' | 'json' | 'html';
export const COMPARISON_FORMATS: readonly ComparisonFormat[] = ['text', 'md', 'json', 'html'];

type Change = Comparison['cells'][number]['change'];
const ORDER: readonly Change[] = ['changed', 'only-a', 'only-b', 'same'];

function ordered(comparison: Comparison): Comparison['cells'] {
  return ORDER.flatMap((change) => comparison.cells.filter((c) => c.change === change));
}

function summary(language: Language, comparison: Comparison): string {
  const n = (change: Change) => comparison.cells.filter((c) => c.change === change).length;
  return t(language, 'report.compare.summary', {
    changed: n('changed'),
    same: n('same'),
    onlyA: n('only-a'),
    onlyB: n('only-b'),
  });
}

function runLine(run: Comparison['a']): string {
  return `${run.id} (${run.planName}; ${instant(run.startedAt)}; ${run.host ?? '?'}${run.kernel ? `, ${run.kernel}` : ''}; ${run.status})`;
}

function cellRow(language: Language, c: Comparison['cells'][number], slaves: [string?, string?]): string[] {
  return [
    t(language, `report.compare.change.${c.change}`),
    modeLabel(language, c.mode),
    columnLabel(language, c.column, slaves),
    c.a ?? '–',
    c.b ?? '–',
    c.note ?? '',
  ];
}

function cellHeader(language: Language): string[] {
  return [
    t(language, 'report.compare.changed'),
    t(language, 'matrix.column.mode'),
    t(language, 'report.compare.column'),
    t(language, 'report.compare.runA'),
    t(language, 'report.compare.runB'),
    t(language, 'report.compare.note'),
  ];
}

function factHeader(language: Language): string[] {
  return [t(language, 'report.compare.fact'), t(language, 'report.compare.runA'), t(language, 'report.compare.runB')];
}

/** How many terminal cells a text takes: wide (CJK, fullwidth) characters two, others one. */
export function displayWidth(text: string): number {
  return [...text].reduce(
    (n, ch) =>
      n +
      (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch)
        ? 2
        : 1),
    0,
  );
}

/**
 * Columns padded to their widest cell; wide (CJK) characters count twice, as a terminal shows them. Cells are
 * cleared of control characters (terminalText): a run's name never reaches the terminal as an escape sequence.
 */
export function textTable(input: readonly (readonly string[])[]): string {
  const rows = input.map((row) => row.map((cell) => terminalText(cell)));
  const width = displayWidth;
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, width(cell));
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - width(cell))))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export interface ComparisonOptions {
  language: Language;
  /** Slave names for the MAC columns' titles (run A's plan), e.g. ['eth1', 'eth2']. */
  slaves?: [string?, string?];
}

export function comparisonText(
  comparison: Comparison,
  { language, slaves = ['eth1', 'eth2'] }: ComparisonOptions,
): string {
  const out = [
    t(language, 'report.compare.title'),
    terminalText(t(language, 'report.compare.runs', { a: runLine(comparison.a), b: runLine(comparison.b) }), true),
    '',
    t(language, 'report.compare.facts'),
    textTable([
      ['', ...factHeader(language)],
      ...comparison.facts.map((f) => [f.changed ? '*' : '', f.name, f.a ?? '–', f.b ?? '–']),
    ]),
    '',
    `${t(language, 'report.compare.cells')}: ${summary(language, comparison)}`,
    textTable([cellHeader(language), ...ordered(comparison).map((c) => cellRow(language, c, slaves))]),
    '',
  ];
  return out.join('\n');
}

export function comparisonMarkdown(
  comparison: Comparison,
  { language, slaves = ['eth1', 'eth2'] }: ComparisonOptions,
): string {
  const changedFacts = comparison.facts.map((f) => [
    f.changed ? { md: `**${mdText(f.name)}**` } : f.name,
    f.a ?? '–',
    f.b ?? '–',
  ]);
  return [
    `# ${mdText(t(language, 'report.compare.title'))}`,
    '',
    ...t(language, 'report.compare.runs', { a: runLine(comparison.a), b: runLine(comparison.b) })
      .split('\n')
      .map((line) => `- ${mdText(line)}`),
    '',
    `## ${mdText(t(language, 'report.compare.cells'))}`,
    '',
    mdText(summary(language, comparison)),
    '',
    mdTable(
      cellHeader(language),
      ordered(comparison).map((c) => cellRow(language, c, slaves)),
    ),
    '',
    `## ${mdText(t(language, 'report.compare.facts'))}`,
    '',
    mdTable(factHeader(language), changedFacts),
    '',
  ].join('\n');
}

export function comparisonJson(comparison: Comparison): string {
  return `${JSON.stringify(comparison, null, 2)}\n`;
}

export function comparisonHtml(
  comparison: Comparison,
  { language, slaves = ['eth1', 'eth2'] }: ComparisonOptions,
): string {
  const L = language;
  const th = (cells: string[]) => `<tr>${cells.map((c) => `<th scope="col">${e(c)}</th>`).join('')}</tr>`;
  const cellRows = ordered(comparison)
    .map((c) => {
      const [change, mode, column, a, b, note] = cellRow(L, c, slaves);
      const cls =
        c.change === 'same' ? '' : c.change === 'changed' ? ' class="v-unexpected"' : ' class="v-not-measurable"';
      return `<tr${cls} data-change="${e(c.change)}" data-mode="${e(c.mode)}" data-column="${e(c.column)}"><td>${e(change!)}</td><td>${e(mode!)}</td><td>${e(column!)}</td><td>${e(a!)}</td><td>${e(b!)}</td><td>${e(note!)}</td></tr>`;
    })
    .join('');
  const factRows = comparison.facts
    .map(
      (f) =>
        `<tr${f.changed ? ' class="v-not-measurable"' : ''} data-changed="${f.changed}"><td>${e(f.name)}</td><td>${e(f.a ?? '–')}</td><td>${e(f.b ?? '–')}</td></tr>`,
    )
    .join('');
  const body = [
    `<header><h1>${e(t(L, 'report.compare.title'))}</h1>`,
    ...t(L, 'report.compare.runs', { a: runLine(comparison.a), b: runLine(comparison.b) })
      .split('\n')
      .map((line) => `<p class="subtitle">${e(line)}</p>`),
    '</header><main>',
    `<section id="cells"><h2>${e(t(L, 'report.compare.cells'))}</h2><p>${e(summary(L, comparison))}</p>`,
    `<table id="comparison" class="comparison"><thead>${th(cellHeader(L))}</thead><tbody>${cellRows}</tbody></table></section>`,
    `<section id="facts"><h2>${e(t(L, 'report.compare.facts'))}</h2>`,
    `<table class="facts-compare"><thead>${th(factHeader(L))}</thead><tbody>${factRows}</tbody></table></section>`,
    '</main>',
  ].join('\n');
  return htmlPage(L, `${t(L, 'report.compare.title')}: ${comparison.a.id} / ${comparison.b.id}`, body, 'BondBench');
}

export function renderComparison(comparison: Comparison, format: ComparisonFormat, options: ComparisonOptions): string {
  switch (format) {
    case 'text':
      return comparisonText(comparison, options);
    case 'md':
      return comparisonMarkdown(comparison, options);
    case 'json':
      return comparisonJson(comparison);
    case 'html':
      return comparisonHtml(comparison, options);
  }
}
