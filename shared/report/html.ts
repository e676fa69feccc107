/**
 * The HTML report: one self-contained page (inline CSS and SVG, no script, no external reference; its Content
 * Security Policy forbids loading anything), readable on screen and printable (A4, page numbers, tables and
 * plots kept whole where they fit). Headless Chromium turns the same page into the PDF. Pure.
 */
import type { Language } from '../api.js';
import { t } from '../i18n/catalogue.js';
import { MATRIX_COLUMNS, type Verdict } from '../run/model.js';
import { bootVia, modeLabel, stepText } from './build.js';
import {
  bondText,
  duration,
  escapeHtml as e,
  evidenceText,
  frameList,
  instant,
  ms,
  num,
  percent,
  pullCells,
  pullHeaders,
  pullProbeText,
  repetitionText,
  VERDICT_MARK,
} from './format.js';
import type { ReportModel, ReportRow, Timeline } from './model.js';
import { outageSvg, PLOT_CSS, shareSvg, sweepSvg, timelineSvg } from './svg.js';

const CSS = `
:root { --ink: #1b1f24; --muted: #5b6570; --line: #c9d1d9; --head: #eef2f6;
  --ok: #1a7f37; --ok-bg: #e6f4ea; --bad: #b42318; --bad-bg: #fdecea; --nm: #7a5b00; --nm-bg: #fff6d6; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 1120px; padding: 24px 28px 40px; color: var(--ink);
  font: 14px/1.45 "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, "Noto Sans CJK SC", "WenQuanYi Micro Hei",
  "Microsoft YaHei", "PingFang SC", sans-serif; }
html[lang="zh-CN"] body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC",
  "Noto Sans", "DejaVu Sans", sans-serif; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 8px; }
.subtitle, .muted, figcaption, footer { color: var(--muted); }
table { border-collapse: collapse; margin: 8px 0 12px; }
table.keep { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid var(--line); padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: var(--head); font-weight: 600; white-space: nowrap; }
td.verdict { white-space: nowrap; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.facts th { width: 14em; background: none; border-color: transparent; padding-left: 0; }
.facts td { border-color: transparent; }
.facts { margin-top: 0; }
code, pre, .mac { font-family: "DejaVu Sans Mono", "Liberation Mono", Consolas, monospace; font-size: 12px; }
pre { background: #f6f8fa; border: 1px solid var(--line); padding: 10px; white-space: pre-wrap; word-break: break-word; }
.matrix { width: 100%; }
.matrix td { white-space: nowrap; }
.matrix td.mode { font-weight: 600; white-space: normal; }
.matrix-notes { font-size: 13px; color: var(--muted); padding-left: 1.2em; }
.matrix-notes strong { color: var(--ink); font-weight: 600; }
.v-expected { background: var(--ok-bg); }
.v-unexpected { background: var(--bad-bg); }
.v-not-measurable { background: var(--nm-bg); }
.mark { font-weight: 700; margin-left: 4px; }
.v-expected .mark, .mark.v-expected { color: var(--ok); background: none; }
.v-unexpected .mark, .mark.v-unexpected { color: var(--bad); background: none; }
.v-not-measurable .mark, .mark.v-not-measurable { color: var(--nm); background: none; }
.legend { font-size: 12px; color: var(--muted); }
.verdicts td.reason { max-width: 34em; }
.verdicts td.evidence { font-size: 12px; color: var(--muted); max-width: 22em; }
tr.all td { font-weight: 600; }
.warnings li { margin: 2px 0; }
.warnings { color: var(--bad); }
.none { color: var(--muted); font-style: italic; }
figure { margin: 10px 0 16px; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-size: 12px; margin-top: 2px; }
figcaption strong { color: var(--ink); }
${PLOT_CSS}
.timelines { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 0 24px; }
footer { margin-top: 32px; font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@page { size: A4; margin: 14mm 12mm 16mm 12mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; color: #5b6570; } }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  h2 { break-after: avoid; page-break-after: avoid; margin-top: 18px; }
  h3 { break-after: avoid; page-break-after: avoid; }
  .timelines { display: block; }
  svg.timeline { width: 100%; }
  th, td { padding: 3px 5px; }
  pre { font-size: 8pt; }
}
`;

/** The page around a report or a comparison: language, title, the stylesheet, a policy that loads nothing. */
export function htmlPage(language: Language, title: string, body: string, generator: string): string {
  return [
    '<!DOCTYPE html>',
    `<html lang="${e(language)}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="${e(generator)}">`,
    `<title>${e(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function verdictMark(language: Language, verdict: Verdict): string {
  return `<span class="mark v-${e(verdict)}" title="${e(t(language, `verdict.${verdict}`))}">${e(VERDICT_MARK[verdict] ?? '?')}</span>`;
}

export function legendHtml(language: Language): string {
  const items = (['expected', 'unexpected', 'not-measurable'] as const).map(
    (v) => `${verdictMark(language, v)} ${e(t(language, `verdict.${v}`))}`,
  );
  return `<p class="legend">${items.join(' &nbsp;·&nbsp; ')}</p>`;
}

function factsTable(rows: [string, string][]): string {
  return `<table class="facts keep"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td>${v}</td></tr>`).join('')}</tbody></table>`;
}

function factsSection(model: ReportModel): string {
  const L = model.language;
  const f = (key: string) => t(L, `report.fact.${key}`);
  const r = model.run;
  const rows: [string, string][] = [
    [f('runId'), `<code>${e(r.id)}</code>`],
    [f('planName'), e(r.planName)],
    [f('status'), e(t(L, `report.status.${r.status}`))],
    [f('startedAt'), e(instant(r.startedAt))],
    [f('finishedAt'), e(instant(r.finishedAt))],
    [f('duration'), e(duration(L, r.durationMs))],
    [f('steps'), e(t(L, 'report.fact.stepsValue', { done: r.stepsDone, total: r.totalSteps }))],
    [f('benchVersion'), e(r.benchVersion)],
  ];
  if (r.restored !== null) rows.push([f('restored'), e(t(L, r.restored ? 'matrix.yes' : 'matrix.no'))]);
  if (r.error) rows.push([f('error'), e(r.error)]);
  const host: [string, string][] = r.host
    ? [
        [f('target'), e(r.host.target)],
        [f('kernel'), `<code>${e(r.host.kernel)}</code>`],
        [f('distribution'), e(r.host.distribution)],
      ]
    : [[f('target'), e(model.plan.target)]];
  if (r.tester) {
    host.push([f('tester'), `<code>${e(r.tester.interface)}</code>`]);
    if (r.tester.address) host.push([f('testerAddress'), e(r.tester.address)]);
    if (r.tester.mac) host.push([f('testerMac'), `<span class="mac">${e(r.tester.mac)}</span>`]);
    host.push([f('filter'), `<code>${e(r.tester.filter)}</code>`], [f('timestamps'), e(r.tester.timestamps)]);
  }
  const n = (key: string) => `<th>${e(t(L, `report.nic.${key}`))}</th>`;
  const nics =
    r.nics.length === 0
      ? ''
      : `<table class="nics keep"><thead><tr>${n('name')}${n('mac')}${n('permanentMac')}${n('driver')}${n('speed')}</tr></thead><tbody>${r.nics
          .map(
            (nic) =>
              `<tr><td><code>${e(nic.name)}</code></td><td class="mac">${e(nic.mac)}</td><td class="mac">${e(nic.permanentMac ?? '–')}</td><td>${e(nic.driver ?? '–')}</td><td class="num">${nic.speedMbps === null ? '–' : e(t(L, 'report.nic.speedValue', { speed: nic.speedMbps }))}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  return `<section id="facts"><h2>${e(t(L, 'report.section.facts'))}</h2>${factsTable(rows)}<h3>${e(t(L, 'report.section.host'))}</h3>${factsTable(host)}${nics}</section>`;
}

function matrixTable(model: ReportModel): string {
  const L = model.language;
  const showRep = model.plan.repeat > 1 || new Set(model.matrix.map((r) => r.repetition)).size > 1;
  const showPoint = model.matrix.some((r) => r.point !== undefined);
  const head = [
    showPoint ? `<th scope="col">${e(t(L, 'sweep.point'))}</th>` : '',
    `<th scope="col">${e(t(L, 'matrix.column.mode'))}</th>`,
    showRep ? `<th scope="col" class="num">${e(t(L, 'matrix.column.repetition'))}</th>` : '',
    ...model.columns.map((c) => `<th scope="col" data-column="${e(c.id)}">${e(c.title)}</th>`),
  ].join('');
  const row = (r: ReportRow) => {
    const cells = MATRIX_COLUMNS.map((column) => {
      const cell = r.cells.find((c) => c.column === column);
      if (!cell) return `<td class="empty" data-column="${e(column)}">–</td>`;
      const mac = column === 'eth1Mac' || column === 'eth2Mac' ? ' mac' : '';
      return `<td class="v-${e(cell.verdict)}${mac}" data-column="${e(column)}" data-verdict="${e(cell.verdict)}" title="${e(`${cell.verdictText}: ${cell.reason}`)}">${e(cell.text)}${verdictMark(L, cell.verdict)}</td>`;
    }).join('');
    return `<tr data-mode="${e(r.mode)}" data-repetition="${e(r.repetition)}"${r.point !== undefined ? ` data-point="${e(r.point)}"` : ''}>${showPoint ? `<td>${e(r.point ?? '')}</td>` : ''}<td class="mode">${e(r.modeLabel)}</td>${showRep ? `<td class="num">${e(repetitionText(L, r.repetition))}</td>` : ''}${cells}</tr>`;
  };
  return `<table id="matrix" class="matrix${keep(model.matrix.length)}"><thead><tr>${head}</tr></thead><tbody>${model.matrix.map(row).join('')}</tbody></table>`;
}

/** The matrix's notes under it, once per mode (repetitions repeat them), so the table stays the write-up's. */
function matrixNotes(model: ReportModel): string {
  const byMode = new Map<string, { label: string; notes: string[] }>();
  for (const row of model.matrix) {
    const entry = byMode.get(row.mode) ?? { label: row.modeLabel, notes: [] };
    for (const note of row.notes) if (!entry.notes.includes(note)) entry.notes.push(note);
    byMode.set(row.mode, entry);
  }
  const items = [...byMode.entries()]
    .filter(([, v]) => v.notes.length > 0)
    .map(([mode, v]) => `<li data-mode="${e(mode)}"><strong>${e(v.label)}</strong>: ${v.notes.map(e).join('; ')}</li>`);
  return items.length === 0
    ? ''
    : `<h3>${e(t(model.language, 'report.section.notes'))}</h3><ul class="matrix-notes">${items.join('')}</ul>`;
}

/** Short tables move whole to the next page rather than being cut; long ones break between rows. */
function keep(rows: number): string {
  return rows <= 30 ? ' keep' : '';
}

function verdictsTable(model: ReportModel): string {
  const L = model.language;
  const h = (key: string) => `<th scope="col">${e(t(L, `report.verdictTable.${key}`))}</th>`;
  const title = new Map(model.columns.map((c) => [c.id, c.title]));
  const rows = model.matrix.flatMap((r) =>
    r.cells.map(
      (c) =>
        `<tr><td>${e(r.modeLabel)}${model.plan.repeat > 1 ? ` (${e(repetitionText(L, r.repetition))})` : ''}</td><td>${e(title.get(c.column) ?? c.column)}</td><td class="verdict v-${e(c.verdict)}">${verdictMark(L, c.verdict)} ${e(c.verdictText)}</td><td class="reason">${e(c.reason)}</td><td class="evidence">${e(evidenceText(L, c.evidence))}</td></tr>`,
    ),
  );
  return `<table class="verdicts"><thead><tr><th scope="col">${e(t(L, 'matrix.column.mode'))}</th>${h('cell')}${h('verdict')}${h('reason')}${h('evidence')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function failoverTable(model: ReportModel): string {
  const L = model.language;
  if (model.failover.length === 0) return `<p class="none">${e(t(L, 'report.failover.none'))}</p>`;
  const h = (key: string, num = false) =>
    `<th scope="col"${num ? ' class="num"' : ''}>${e(t(L, `report.failover.${key}`))}</th>`;
  const rows = model.failover.map(
    (s) =>
      `<tr${s.slave === null ? ' class="all"' : ''}><td>${e(modeLabel(L, s.mode))}</td><td>${e(s.slave ?? t(L, 'report.failover.allPulls'))}</td><td class="num">${e(s.count)}${s.pulls !== s.count ? ` / ${e(s.pulls)}` : ''}</td><td class="num">${e(ms(L, s.minMs))}</td><td class="num">${e(ms(L, s.medianMs))}</td><td class="num">${e(ms(L, s.maxMs))}</td><td>${e(s.valuesMs.map((v) => num(v)).join(', '))}</td></tr>`,
  );
  return `<table class="failover${keep(model.failover.length)}"><thead><tr><th scope="col">${e(t(L, 'matrix.column.mode'))}</th>${h('slave')}${h('count', true)}${h('min', true)}${h('median', true)}${h('max', true)}${h('values')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Every pull's outage per mode, plotted (the pooled failover cells' distributions). */
function outagePlot(model: ReportModel): string {
  const L = model.language;
  if (model.outages.length === 0) return '';
  return `<h3>${e(t(L, 'failover.repeat.plot'))}</h3><p class="note">${e(t(L, 'failover.repeat.plotNote'))}</p><figure id="outages">${outageSvg(model.outages, L)}</figure>`;
}

/** Every pull's anatomy: what happened when, on which slave, and what ended the outage. */
function pullTable(model: ReportModel): string {
  const L = model.language;
  if (model.pulls.length === 0) return '';
  const heads = pullHeaders(L).map((h) => `<th scope="col">${e(h)}</th>`);
  const rows = model.pulls.map(
    (row) =>
      `<tr>${pullCells(L, row, modeLabel(L, row.mode))
        .map((c) => `<td>${e(c)}</td>`)
        .join('')}</tr>`,
  );
  return `<h3>${e(t(L, 'failover.anatomy.title'))}</h3><p class="note">${e(t(L, 'failover.anatomy.note'))}</p><table class="pulls${keep(model.pulls.length)}"><thead><tr>${heads.join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function timelineFigure(model: ReportModel, tl: Timeline): string {
  const L = model.language;
  const details = [t(L, 'report.timeline.summary', { sent: tl.sent, lost: tl.lost, duplicates: tl.duplicates })];
  if (tl.failoverMs !== null) {
    details.push(
      tl.gapFrames
        ? t(L, 'report.timeline.gap', { gap: num(tl.failoverMs), before: tl.gapFrames[0], after: tl.gapFrames[1] })
        : t(L, 'report.timeline.gapNoFrames', { gap: num(tl.failoverMs) }),
    );
  }
  if (tl.rttMs) {
    details.push(
      t(L, 'report.timeline.rtt', {
        median: num(tl.rttMs.median, 2),
        min: num(tl.rttMs.min, 2),
        max: num(tl.rttMs.max, 2),
      }),
    );
  }
  if (tl.pcapng) details.push(t(L, 'report.evidence.pcapng', { file: tl.pcapng }));
  return `<figure id="timeline-${e(tl.step)}" data-step="${e(tl.step)}">${timelineSvg(tl, L)}<figcaption><strong>${e(tl.caption)}</strong><br>${e(details.join('; '))}</figcaption></figure>`;
}

function arpTable(model: ReportModel): string {
  const L = model.language;
  if (model.arp.length === 0) return `<p class="none">${e(t(L, 'report.arp.none'))}</p>`;
  const h = (key: string, num = false) =>
    `<th scope="col"${num ? ' class="num"' : ''}>${e(t(L, `report.arp.${key}`))}</th>`;
  const rows = model.arp.map((a) => {
    const sources = a.bySource
      .map((s) => e(`${s.mac}: ${s.probe}/${s.gratuitous}/${s.request}/${s.reply}`))
      .join('<br>');
    return `<tr><td class="num">${e(a.step)}</td><td>${e(modeLabel(L, a.mode))}${model.plan.repeat > 1 ? ` (${e(a.repetition)})` : ''}</td><td>${e(a.label)}</td><td class="num">${e(a.probe)}</td><td class="num">${e(a.gratuitous)}</td><td class="num">${e(a.request)}</td><td class="num">${e(a.reply)}</td><td class="mac">${sources}</td><td>${e(frameList(a.frames))}</td></tr>`;
  });
  return `<p class="muted">${e(t(L, 'report.arp.explain'))}</p><table class="arp"><thead><tr>${h('step', true)}<th scope="col">${e(t(L, 'matrix.column.mode'))}</th><th scope="col">${e(t(L, 'report.steps.label'))}</th>${h('probe', true)}${h('gratuitous', true)}${h('request', true)}${h('reply', true)}<th scope="col">MAC: ${e([t(L, 'report.arp.probe'), t(L, 'report.arp.gratuitous'), t(L, 'report.arp.request'), t(L, 'report.arp.reply')].join('/'))}</th>${h('frames')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function bootsSection(model: ReportModel): string {
  const L = model.language;
  const title = `<h2>${e(t(L, 'power.report.title'))}</h2>`;
  if (model.boots.length === 0) {
    return `<section id="boots">${title}<p class="none">${e(t(L, 'power.report.none'))}</p></section>`;
  }
  const h = (key: string, num = false) =>
    `<th scope="col"${num ? ' class="num"' : ''}>${e(t(L, `power.report.${key}`))}</th>`;
  const rows = model.boots.map((b) => {
    const via = bootVia(L, b);
    const persisted =
      b.persisted === null
        ? '–'
        : b.persisted
          ? t(L, 'power.report.yes')
          : t(L, 'power.report.no', { differences: b.differences.join('; ') });
    const wire = b.wire
      .map(
        (w) =>
          `${w.port === 'tester' ? t(L, 'power.report.tester') : t(L, 'power.report.mirror', { slave: w.port })}: ${w.arpProbe}/${w.arpGratuitous}/${w.arpOther}, ${w.lacpdus}, ${w.learningFrames}`,
      )
      .map(e)
      .join('<br>');
    return `<tr class="${b.status === 'failed' ? 'v-unexpected' : ''}"><td class="num">${b.step}</td><td>${e(modeLabel(L, b.mode))}${model.plan.repeat > 1 ? ` (${b.repetition})` : ''}</td><td>${e(b.label)}</td><td>${e(via)}${b.driver ? ` <span class="muted">${e(b.driver)}</span>` : ''}</td><td class="num">${b.bootMs === null ? '–' : e(duration(L, b.bootMs))}</td><td>${e(persisted)}</td><td>${e(b.linkFailures.map((f) => `${f.slave} ${f.count}`).join(', '))}</td><td class="num">${b.recoveries}</td><td>${wire}</td></tr>`;
  });
  return `<section id="boots">${title}<p class="muted">${e(t(L, 'power.report.explain'))}</p><table class="boots"><thead><tr>${h('step', true)}<th scope="col">${e(t(L, 'matrix.column.mode'))}</th><th scope="col">${e(t(L, 'report.steps.label'))}</th>${h('via')}${h('bootMs', true)}${h('persisted')}${h('linkFailures')}${h('recoveries', true)}${h('wire')}</tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function shareTable(model: ReportModel): string {
  const L = model.language;
  if (model.share.length === 0) return `<p class="none">${e(t(L, 'report.share.none'))}</p>`;
  const rows = model.share.map(
    (s) =>
      `<tr><td class="num">${e(s.step)}</td><td>${e(modeLabel(L, s.mode))}${model.plan.repeat > 1 ? ` (${e(s.repetition)})` : ''}</td><td>${e(s.label)}</td><td>${e(t(L, s.source === 'host-counters' ? 'report.share.hostCounters' : 'report.share.switchPorts'))}</td><td>${e(s.shares.map((x) => `${x.slave} ${percent(x.share)}`).join(' / '))}</td><td>${shareSvg(s)}</td></tr>`,
  );
  return `<table class="share"><thead><tr><th scope="col" class="num">${e(t(L, 'report.share.step'))}</th><th scope="col">${e(t(L, 'matrix.column.mode'))}</th><th scope="col">${e(t(L, 'report.steps.label'))}</th><th scope="col">${e(t(L, 'report.share.source'))}</th><th scope="col" colspan="2">%</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function warningsSection(model: ReportModel): string {
  const L = model.language;
  const body =
    model.warnings.length === 0
      ? `<p class="none">${e(t(L, 'report.warning.none'))}</p>`
      : `<ul class="warnings">${model.warnings.map((w) => `<li data-kind="${e(w.kind)}">${e(w.text)}</li>`).join('')}</ul>`;
  return `<section id="warnings"><h2>${e(t(L, 'report.section.warnings'))}</h2>${body}</section>`;
}

function planSection(model: ReportModel): string {
  const L = model.language;
  const p = model.plan;
  const f = (key: string) => t(L, `report.fact.${key}`);
  const method = (m: string) => t(L, `report.apply.${m}`);
  const apply = [
    method(p.apply.method),
    ...p.apply.perMode.map((x) =>
      t(L, 'report.apply.perMode', { mode: modeLabel(L, x.mode), method: method(x.method) }),
    ),
  ];
  const rows: [string, string][] = [
    [f('planName'), e(p.name)],
    [f('target'), e(p.target)],
    [f('bond'), e(bondText(L, p))],
    [f('options'), p.options.map((o) => `<code>${e(o.name)}=${e(o.value)}</code>`).join(' ') || '–'],
    [f('modes'), e(p.modes.map((m) => modeLabel(L, m)).join(', '))],
    [f('apply'), e(apply.join('; '))],
    [f('probeRate'), e(t(L, 'report.fact.probeRateValue', { rate: p.probeRate, interval: num(1000 / p.probeRate) }))],
    [e(t(L, 'failover.fact.pullProbe')), e(pullProbeText(L, p))],
    [f('stepList'), e(p.steps.join(' → '))],
    [f('repeat'), e(p.repeat)],
    [f('drivers'), e([p.drivers.power, p.drivers.link, p.drivers.switch].filter(Boolean).join(' / '))],
  ];
  return `<section id="plan"><h2>${e(t(L, 'report.section.plan'))}</h2>${factsTable(rows)}<pre class="plan-yaml">${e(p.yaml)}</pre></section>`;
}

function stepsTable(model: ReportModel): string {
  const L = model.language;
  const h = (key: string, num = false) =>
    `<th scope="col"${num ? ' class="num"' : ''}>${e(t(L, `report.steps.${key}`))}</th>`;
  const rows = model.steps.map(
    (s) =>
      `<tr class="${s.status === 'failed' ? 'v-unexpected' : ''}"><td class="num">${e(s.index)}</td><td class="num">${e(s.repetition)}</td><td>${e(modeLabel(L, s.mode))}</td><td>${e(stepText(L, s))}${s.applyMethod ? ` <span class="muted">(${e(s.applyMethod)}${s.rebootMs !== null ? `, ${e(duration(L, s.rebootMs))}` : ''})</span>` : ''}</td><td>${e(t(L, `report.steps.${s.status}`))}${s.error ? `: ${e(s.error)}` : ''}</td><td class="num">${e(duration(L, s.durationMs))}</td><td>${s.firstFrame !== null && s.lastFrame !== null ? e(`${s.pcapng ?? ''} ${s.firstFrame}–${s.lastFrame}`) : ''}</td></tr>`,
  );
  return `<table class="steps"><thead><tr>${h('index', true)}${h('repetition', true)}${h('mode')}${h('label')}${h('status')}${h('duration', true)}<th scope="col">pcapng</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** A sweep: the figure against the swept values per mode, and the numbers behind each dot. */
function sweepSection(model: ReportModel): string {
  const sweep = model.sweep;
  if (!sweep) return '';
  const L = model.language;
  const option = sweep.axes.map((a) => a.option).join(' × ');
  const ms = (v: number | undefined) => (v === undefined ? '–' : String(v));
  const head = [
    `<th scope="col">${e(t(L, 'matrix.column.mode'))}</th>`,
    `<th scope="col">${e(t(L, 'sweep.point'))}</th>`,
    ...(['pulls', 'median', 'p95', 'max', 'lost'] as const).map(
      (k) => `<th scope="col" class="num">${e(t(L, `sweep.${k}`))}</th>`,
    ),
  ].join('');
  const rows = sweep.series.flatMap((s) =>
    s.cells.map(
      (c) =>
        `<tr data-mode="${e(s.mode)}" data-point="${c.point}"><td>${e(modeLabel(L, s.mode))}</td><td>${e(sweep.points[c.point]?.label ?? String(c.point))}</td><td class="num">${c.pulls} (${c.measured})</td><td class="num">${e(ms(c.failoverMedianMs))}</td><td class="num">${e(ms(c.failoverP95Ms))}</td><td class="num">${e(ms(c.failoverMaxMs))}</td><td class="num">${e(ms(c.lostMedian))}</td></tr>`,
    ),
  );
  return `<section id="sweep"><h2>${e(t(L, 'sweep.section', { option }))}</h2><p class="muted">${e(t(L, 'sweep.explain', { repeat: model.plan.repeat }))}</p>${sweepSvg(sweep, L)}<table class="sweep"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

export function renderHtml(model: ReportModel): string {
  const L = model.language;
  const sec = (id: string, key: string, content: string) =>
    `<section id="${id}"><h2>${e(t(L, `report.section.${key}`))}</h2>${content}</section>`;
  const timelines =
    model.timelines.length === 0
      ? `<p class="none">${e(t(L, 'report.timeline.none'))}</p>`
      : `<div class="timelines">${model.timelines.map((tl) => timelineFigure(model, tl)).join('')}</div>`;
  const body = [
    '<header>',
    `<h1>${e(model.title)}</h1>`,
    `<p class="subtitle">${e(t(L, 'report.subtitle', { plan: model.run.planName, id: model.run.id }))}</p>`,
    '</header>',
    '<main>',
    sec('results', 'matrix', matrixTable(model) + legendHtml(L) + matrixNotes(model)),
    sweepSection(model),
    warningsSection(model),
    factsSection(model),
    sec('verdicts', 'verdicts', verdictsTable(model)),
    sec('failover', 'failover', failoverTable(model) + outagePlot(model) + pullTable(model)),
    sec('timelines', 'timelines', timelines),
    sec('arp', 'arp', arpTable(model)),
    bootsSection(model),
    sec('share', 'share', shareTable(model)),
    sec('steps', 'steps', stepsTable(model)),
    planSection(model),
    '</main>',
    `<footer>${e(t(L, 'report.generatedBy', { version: model.run.benchVersion, id: model.run.id }))}</footer>`,
  ].join('\n');
  return htmlPage(
    L,
    `${model.title} — ${model.run.planName} — ${model.run.id}`,
    body,
    `BondBench ${model.run.benchVersion}`,
  );
}
