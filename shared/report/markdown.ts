/**
 * Markdown for pasting into a ticket or a wiki (GitHub-flavoured tables): the facts, the matrix with verdict
 * marks, the verdicts' reasons, failover statistics and warnings. Plots stay in the HTML report. Pure.
 */
import type { Language } from '../api.js';
import { t } from '../i18n/catalogue.js';
import { MATRIX_COLUMNS } from '../run/model.js';
import { modeLabel } from './build.js';
import { bondText, duration, evidenceText, instant, ms, num, pullCells, pullHeaders, VERDICT_MARK } from './format.js';
import type { ReportModel } from './model.js';

/** A table cell: pipes escaped, line breaks as <br>. */
export function mdCell(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replace(/\r?\n/g, '<br>');
}

export function mdTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly number[] = [],
): string {
  const line = (cells: readonly string[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  const rule = `| ${header.map((_, i) => (numeric.includes(i) ? '---:' : '---')).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function mdLegend(language: Language): string {
  return (['expected', 'unexpected', 'not-measurable'] as const)
    .map((v) => `${VERDICT_MARK[v]} ${t(language, `verdict.${v}`)}`)
    .join(' · ');
}

/** The matrix as a Markdown table: one row per mode (and repetition), a cell as "text ✓". */
export function matrixMarkdown(model: ReportModel): string {
  const L = model.language;
  const showRep = model.plan.repeat > 1 || new Set(model.matrix.map((r) => r.repetition)).size > 1;
  const header = [
    t(L, 'matrix.column.mode'),
    ...(showRep ? [t(L, 'matrix.column.repetition')] : []),
    ...model.columns.map((c) => c.title),
    t(L, 'matrix.column.notes'),
  ];
  const rows = model.matrix.map((r) => [
    r.modeLabel,
    ...(showRep ? [String(r.repetition)] : []),
    ...MATRIX_COLUMNS.map((column) => {
      const cell = r.cells.find((c) => c.column === column);
      return cell ? `${cell.text} ${VERDICT_MARK[cell.verdict]}` : '–';
    }),
    r.notes.join('; '),
  ]);
  return mdTable(header, rows, showRep ? [1] : []);
}

export function renderMarkdown(model: ReportModel): string {
  const L = model.language;
  const r = model.run;
  const f = (key: string) => t(L, `report.fact.${key}`);
  const out: string[] = [];
  out.push(`# ${model.title}`, '', t(L, 'report.subtitle', { plan: r.planName, id: r.id }), '');
  const facts: [string, string][] = [
    [f('status'), t(L, `report.status.${r.status}`)],
    [f('startedAt'), instant(r.startedAt)],
    [f('duration'), duration(L, r.durationMs)],
    [f('steps'), t(L, 'report.fact.stepsValue', { done: r.stepsDone, total: r.totalSteps })],
    [f('benchVersion'), r.benchVersion],
    [f('target'), r.host?.target ?? model.plan.target],
  ];
  if (r.host) facts.push([f('kernel'), `\`${r.host.kernel}\``], [f('distribution'), r.host.distribution]);
  if (r.nics.length > 0) {
    facts.push([
      t(L, 'report.nic.name'),
      r.nics.map((n) => `${n.name} ${n.permanentMac ?? n.mac}${n.driver ? ` (${n.driver})` : ''}`).join(', '),
    ]);
  }
  if (r.tester) facts.push([f('tester'), `\`${r.tester.interface}\`${r.tester.address ? ` ${r.tester.address}` : ''}`]);
  const p = model.plan;
  facts.push(
    [f('bond'), bondText(L, p)],
    [f('options'), p.options.map((o) => `\`${o.name}=${o.value}\``).join(' ') || '–'],
    [f('probeRate'), t(L, 'report.fact.probeRateValue', { rate: p.probeRate, interval: num(1000 / p.probeRate) })],
    [f('repeat'), String(p.repeat)],
  );
  out.push(...facts.map(([k, v]) => `- **${k}**: ${v}`), '');

  out.push(`## ${t(L, 'report.section.matrix')}`, '', matrixMarkdown(model), '', mdLegend(L), '');

  out.push(`## ${t(L, 'report.section.warnings')}`, '');
  out.push(
    model.warnings.length === 0 ? t(L, 'report.warning.none') : model.warnings.map((w) => `- ${w.text}`).join('\n'),
    '',
  );

  out.push(`## ${t(L, 'report.section.verdicts')}`, '');
  const title = new Map(model.columns.map((c) => [c.id, c.title]));
  out.push(
    mdTable(
      [
        t(L, 'matrix.column.mode'),
        ...['cell', 'verdict', 'reason', 'evidence'].map((k) => t(L, `report.verdictTable.${k}`)),
      ],
      model.matrix.flatMap((row) =>
        row.cells.map((c) => [
          model.plan.repeat > 1 ? `${row.modeLabel} (${row.repetition})` : row.modeLabel,
          title.get(c.column) ?? c.column,
          `${VERDICT_MARK[c.verdict]} ${c.verdictText}`,
          c.reason,
          evidenceText(L, c.evidence),
        ]),
      ),
    ),
    '',
  );

  out.push(`## ${t(L, 'report.section.failover')}`, '');
  if (model.failover.length === 0) out.push(t(L, 'report.failover.none'), '');
  else {
    const h = (k: string) => t(L, `report.failover.${k}`);
    out.push(
      mdTable(
        [t(L, 'matrix.column.mode'), h('slave'), h('count'), h('min'), h('median'), h('max'), h('values')],
        model.failover.map((s) => [
          modeLabel(L, s.mode),
          s.slave ?? h('allPulls'),
          String(s.count),
          ms(L, s.minMs),
          ms(L, s.medianMs),
          ms(L, s.maxMs),
          s.valuesMs.map((v) => num(v)).join(', '),
        ]),
        [2, 3, 4, 5],
      ),
      '',
    );
  }
  if (model.pulls.length > 0) {
    out.push(
      `### ${t(L, 'failover.anatomy.title')}`,
      '',
      t(L, 'failover.anatomy.note'),
      '',
      mdTable(
        pullHeaders(L),
        model.pulls.map((row) => pullCells(L, row, modeLabel(L, row.mode))),
        [],
      ),
      '',
    );
  }
  out.push(`_${t(L, 'report.generatedBy', { version: r.benchVersion, id: r.id })}_`, '');
  return out.join('\n');
}
