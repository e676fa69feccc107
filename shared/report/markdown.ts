/**
 * Markdown for pasting into a ticket or a wiki (GitHub-flavoured tables): the facts, the matrix with verdict
 * marks, the verdicts' reasons, failover statistics and warnings. Plots stay in the HTML report. Every value is
 * escaped (mdText, mdCode): a run folder's text never becomes markup. Pure.
 */
import type { Language } from '../api.js';
import { t } from '../i18n/catalogue.js';
import { MATRIX_COLUMNS } from '../run/model.js';
import { bootVia, modeLabel } from './build.js';
import { mdCode, mdText } from './escape.js';
import {
  bondText,
  duration,
  evidenceText,
  instant,
  ms,
  num,
  pullCells,
  pullHeaders,
  pullProbeText,
  repetitionText,
  VERDICT_MARK,
} from './format.js';
import type { ReportModel } from './model.js';

/** Markdown a caller built from escaped parts, kept as it is in a table cell. */
export interface MdMarkup {
  md: string;
}

/** A table cell: plain text escaped (mdText, lines joined with <br>), or markup kept. */
export function mdCell(text: string | MdMarkup): string {
  if (typeof text !== 'string') return text.md;
  return text
    .split(/\r\n?|\n/)
    .map((line) => mdText(line))
    .join('<br>');
}

/** A GFM table; every plain-text cell is escaped. */
export function mdTable(
  header: readonly string[],
  rows: readonly (readonly (string | MdMarkup)[])[],
  numeric: readonly number[] = [],
): string {
  const line = (cells: readonly (string | MdMarkup)[]) => `| ${cells.map(mdCell).join(' | ')} |`;
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
  const showPoint = model.matrix.some((r) => r.point !== undefined);
  const header = [
    ...(showPoint ? [t(L, 'sweep.point')] : []),
    t(L, 'matrix.column.mode'),
    ...(showRep ? [t(L, 'matrix.column.repetition')] : []),
    ...model.columns.map((c) => c.title),
    t(L, 'matrix.column.notes'),
  ];
  const rows = model.matrix.map((r) => [
    ...(showPoint ? [r.point ?? ''] : []),
    r.modeLabel,
    ...(showRep ? [repetitionText(L, r.repetition)] : []),
    ...MATRIX_COLUMNS.map((column) => {
      const cell = r.cells.find((c) => c.column === column);
      return cell ? `${cell.text} ${VERDICT_MARK[cell.verdict]}` : '–';
    }),
    r.notes.join('; '),
  ]);
  return mdTable(header, rows, showRep ? [showPoint ? 2 : 1] : []);
}

/** Every pull's outage per mode, as a list (the HTML report plots them): the mode's figures, then each pull. */
export function outagesMarkdown(model: ReportModel): string[] {
  const L = model.language;
  if (model.outages.length === 0) return [];
  const out = [`### ${mdText(t(L, 'failover.repeat.plot'))}`, ''];
  for (const s of model.outages) {
    const name = s.point === null ? s.modeLabel : `${s.point} ${s.modeLabel}`;
    const figures = [
      t(L, 'failover.repeat.text', { median: num(s.medianMs), p95: num(s.p95Ms) }),
      t(L, 'failover.repeat.spread', { min: num(s.minMs), max: num(s.maxMs), pulls: s.pulls.length }),
    ].join(t(L, 'failover.separator'));
    out.push(`- **${mdText(name)}**: ${mdText(figures)}`);
    for (const p of s.pulls) {
      const dot = t(L, 'failover.repeat.dot', {
        mode: s.modeLabel,
        repetition: p.repetition,
        slave: p.slave,
        step: p.step,
        value: num(p.outageMs),
        verdict: t(L, `verdict.${p.verdict}`),
      });
      out.push(`  - ${VERDICT_MARK[p.verdict]} ${mdText(`${dot}; ${p.endedBy}`)}`);
    }
  }
  out.push('');
  return out;
}

/** A sweep's figures per mode and point (the HTML report plots them). */
export function sweepMarkdown(model: ReportModel): string {
  const sweep = model.sweep;
  if (!sweep) return '';
  const L = model.language;
  const v = (x: number | undefined) => (x === undefined ? '–' : num(x));
  const rows = sweep.series.flatMap((s) =>
    s.cells.map((c) => [
      modeLabel(L, s.mode),
      sweep.points[c.point]?.label ?? String(c.point),
      `${c.pulls} (${c.measured})`,
      v(c.failoverMedianMs),
      v(c.failoverP95Ms),
      v(c.failoverMaxMs),
      v(c.lostMedian),
    ]),
  );
  const option = sweep.axes.map((a) => a.option).join(' × ');
  return [
    `## ${mdText(t(L, 'sweep.section', { option }))}`,
    '',
    mdText(t(L, 'sweep.explain', { repeat: model.plan.repeat })),
    '',
    mdTable(
      [
        t(L, 'matrix.column.mode'),
        t(L, 'sweep.point'),
        t(L, 'sweep.pulls'),
        t(L, 'sweep.median'),
        t(L, 'sweep.p95'),
        t(L, 'sweep.max'),
        t(L, 'sweep.lost'),
      ],
      rows,
      [3, 4, 5, 6],
    ),
    '',
  ].join('\n');
}

export function renderMarkdown(model: ReportModel): string {
  const L = model.language;
  const r = model.run;
  const f = (key: string) => t(L, `report.fact.${key}`);
  const out: string[] = [];
  out.push(`# ${mdText(model.title)}`, '', mdText(t(L, 'report.subtitle', { plan: r.planName, id: r.id })), '');
  // Facts as [label, Markdown]: plain values through mdText, code through mdCode.
  const facts: [string, string][] = [
    [f('status'), mdText(t(L, `report.status.${r.status}`))],
    [f('startedAt'), mdText(instant(r.startedAt))],
    [f('duration'), mdText(duration(L, r.durationMs))],
    [f('steps'), mdText(t(L, 'report.fact.stepsValue', { done: r.stepsDone, total: r.totalSteps }))],
    [f('benchVersion'), mdText(r.benchVersion)],
    [f('target'), mdText(r.host?.target ?? model.plan.target)],
  ];
  if (r.host) facts.push([f('kernel'), mdCode(r.host.kernel)], [f('distribution'), mdText(r.host.distribution)]);
  if (r.nics.length > 0) {
    facts.push([
      t(L, 'report.nic.name'),
      mdText(r.nics.map((n) => `${n.name} ${n.permanentMac ?? n.mac}${n.driver ? ` (${n.driver})` : ''}`).join(', ')),
    ]);
  }
  if (r.tester) {
    facts.push([f('tester'), `${mdCode(r.tester.interface)}${r.tester.address ? ` ${mdText(r.tester.address)}` : ''}`]);
  }
  const p = model.plan;
  facts.push(
    [f('bond'), mdText(bondText(L, p))],
    [f('options'), p.options.map((o) => mdCode(`${o.name}=${o.value}`)).join(' ') || '–'],
    [
      f('probeRate'),
      mdText(t(L, 'report.fact.probeRateValue', { rate: p.probeRate, interval: num(1000 / p.probeRate) })),
    ],
    [mdText(t(L, 'failover.fact.pullProbe')), mdText(pullProbeText(L, p))],
    [f('repeat'), mdText(p.repeat)],
  );
  out.push(...facts.map(([k, v]) => `- **${mdText(k)}**: ${v}`), '');

  out.push(`## ${mdText(t(L, 'report.section.matrix'))}`, '', matrixMarkdown(model), '', mdText(mdLegend(L)), '');
  if (model.sweep) out.push(sweepMarkdown(model));

  out.push(`## ${mdText(t(L, 'report.section.warnings'))}`, '');
  out.push(
    model.warnings.length === 0
      ? mdText(t(L, 'report.warning.none'))
      : model.warnings.map((w) => `- ${mdText(w.text)}`).join('\n'),
    '',
  );

  out.push(`## ${mdText(t(L, 'report.section.verdicts'))}`, '');
  const title = new Map(model.columns.map((c) => [c.id, c.title]));
  out.push(
    mdTable(
      [
        t(L, 'matrix.column.mode'),
        ...['cell', 'verdict', 'reason', 'evidence'].map((k) => t(L, `report.verdictTable.${k}`)),
      ],
      model.matrix.flatMap((row) =>
        row.cells.map((c) => [
          model.plan.repeat > 1 ? `${row.modeLabel} (${repetitionText(L, row.repetition)})` : row.modeLabel,
          title.get(c.column) ?? c.column,
          `${VERDICT_MARK[c.verdict]} ${c.verdictText}`,
          c.reason,
          evidenceText(L, c.evidence),
        ]),
      ),
    ),
    '',
  );

  out.push(`## ${mdText(t(L, 'report.section.failover'))}`, '');
  if (model.failover.length === 0) out.push(mdText(t(L, 'report.failover.none')), '');
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
  out.push(...outagesMarkdown(model));
  if (model.pulls.length > 0) {
    out.push(
      `### ${mdText(t(L, 'failover.anatomy.title'))}`,
      '',
      mdText(t(L, 'failover.anatomy.note')),
      '',
      mdTable(
        pullHeaders(L),
        model.pulls.map((row) => pullCells(L, row, modeLabel(L, row.mode))),
        [],
      ),
      '',
    );
  }
  if (model.boots.length) {
    const h = (k: string) => t(L, `power.report.${k}`);
    out.push(`## ${mdText(h('title'))}`, '');
    out.push(
      mdTable(
        [
          h('step'),
          t(L, 'matrix.column.mode'),
          h('via'),
          h('bootMs'),
          h('persisted'),
          h('linkFailures'),
          h('recoveries'),
        ],
        model.boots.map((b) => [
          String(b.step),
          modeLabel(L, b.mode),
          bootVia(L, b),
          b.bootMs === null ? '–' : ms(L, b.bootMs),
          b.persisted === null
            ? '–'
            : b.persisted
              ? h('yes')
              : t(L, 'power.report.no', { differences: b.differences.join('; ') }),
          b.linkFailures.map((f) => `${f.slave} ${f.count}`).join(', '),
          String(b.recoveries),
        ]),
        [0, 3, 6],
      ),
      '',
    );
  }
  out.push(`_${mdText(t(L, 'report.generatedBy', { version: r.benchVersion, id: r.id }))}_`, '');
  return out.join('\n');
}
