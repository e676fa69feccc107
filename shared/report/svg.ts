/**
 * Inline SVG plots for the HTML report, drawn by hand: a probe timeline is one line plot (RTT over time) with
 * shaded outages and vertical event markers, and a transmit share is one stacked bar, which needs no charting
 * library. Deterministic text, no DOM, no script, no external reference. Pure.
 */
import type { Language } from '../api.js';
import { t } from '../i18n/catalogue.js';
import { escapeHtml } from './format.js';
import type { OutageSeries, ShareRow, SweepReport, Timeline } from './model.js';

/** A round tick step (1, 2 or 5 × 10^k) giving about `count` ticks over `range`. */
export function tickStep(range: number, count: number): number {
  if (!(range > 0)) return 1;
  const raw = range / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
}

/** Round ticks covering [min, max]: the first ≤ min, the last ≥ max, at least two. */
export function ticks(max: number, count: number, min = 0): number[] {
  const step = tickStep(max - min, count);
  const bottom = Math.floor(min / step + 1e-9) * step;
  const top = Math.max(bottom + step, Math.ceil(max / step - 1e-9) * step);
  const list: number[] = [];
  for (let i = 0; bottom + i * step <= top + step / 2; i++) list.push(Number((bottom + i * step).toPrecision(12)));
  return list;
}

const fmt = (v: number) => String(Number(v.toFixed(1)));
const tickLabel = (v: number) => String(Number(v.toPrecision(6)));

const WIDTH = 720;
const HEIGHT = 190;
const PAD = { left: 52, right: 14, top: 22, bottom: 40 };

/** Runs of consecutive lost probes as [first sample index, last sample index]. */
function lostRuns(samples: Timeline['samples']): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  samples.forEach(([, rtt], i) => {
    if (rtt === null) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      runs.push([start, i - 1]);
      start = -1;
    }
  });
  if (start >= 0) runs.push([start, samples.length - 1]);
  return runs;
}

export function timelineSvg(timeline: Timeline, language: Language): string {
  const { samples, markers } = timeline;
  const interval = timeline.rate > 0 ? 1000 / timeline.rate : 0;
  // Probing starts a while into a step: the time axis spans the samples and markers, not the step from 0.
  const times = [...samples.map(([at]) => at), ...markers.map((m) => m.atMs)];
  const firstAt = times.length > 0 ? Math.min(...times) : 0;
  const lastAt = Math.max(firstAt + 1, ...samples.map(([at]) => at + interval), ...markers.map((m) => m.atMs));
  const rtts = samples.map(([, rtt]) => rtt).filter((r): r is number => r !== null);
  const xTicks = ticks(lastAt, 8, Math.max(0, firstAt));
  const yTicks = ticks(Math.max(1, ...rtts), 4);
  const xMin = xTicks[0]!;
  const xMax = xTicks[xTicks.length - 1]!;
  const yMax = yTicks[yTicks.length - 1]!;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (ms: number) => PAD.left + ((Math.min(Math.max(ms, xMin), xMax) - xMin) / (xMax - xMin)) * plotW;
  const y = (rtt: number) => PAD.top + plotH - (Math.min(rtt, yMax) / yMax) * plotH;
  const parts: string[] = [];
  const label = `${timeline.caption}. ${t(language, 'report.timeline.summary', {
    sent: timeline.sent,
    lost: timeline.lost,
    duplicates: timeline.duplicates,
  })}`;
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="plot timeline" data-plot="timeline" data-step="${escapeHtml(timeline.step)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(label)}">`,
    `<title>${escapeHtml(label)}</title>`,
    `<rect class="frame" x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}"/>`,
  );
  // Outages first, so the line and markers draw over them.
  for (const [first, last] of lostRuns(samples)) {
    const from = x(samples[first]![0]);
    const to = x(samples[last]![0] + interval);
    parts.push(
      `<rect class="lost" x="${fmt(from)}" y="${PAD.top}" width="${fmt(Math.max(1, to - from))}" height="${plotH}"><title>${escapeHtml(t(language, 'report.timeline.lost'))}: ${last - first + 1}</title></rect>`,
    );
  }
  for (const v of yTicks) {
    parts.push(
      `<line class="grid" x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${fmt(y(v))}" y2="${fmt(y(v))}"/>`,
      `<text class="tick" x="${PAD.left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${tickLabel(v)}</text>`,
    );
  }
  for (const v of xTicks) {
    parts.push(
      `<line class="tickmark" x1="${fmt(x(v))}" x2="${fmt(x(v))}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH + 4}"/>`,
      `<text class="tick" x="${fmt(x(v))}" y="${PAD.top + plotH + 16}" text-anchor="middle">${tickLabel(v)}</text>`,
    );
  }
  // RTT: one path, broken wherever a probe was lost; a lone reply between losses is a dot.
  let d = '';
  const dots: string[] = [];
  samples.forEach(([at, rtt], i) => {
    if (rtt === null) return;
    const prev = samples[i - 1]?.[1] ?? null;
    const next = samples[i + 1]?.[1] ?? null;
    if (prev === null && next === null)
      dots.push(`<circle class="rtt-dot" cx="${fmt(x(at))}" cy="${fmt(y(rtt))}" r="1.8"/>`);
    d += `${prev === null ? 'M' : 'L'}${fmt(x(at))} ${fmt(y(rtt))}`;
  });
  if (d) parts.push(`<path class="rtt" d="${d}"/>`);
  parts.push(...dots);
  markers.forEach((marker, i) => {
    const mx = fmt(x(marker.atMs));
    parts.push(
      `<line class="marker" x1="${mx}" x2="${mx}" y1="${PAD.top}" y2="${PAD.top + plotH}"/>`,
      `<text class="marker-label" x="${fmt(x(marker.atMs) + 3)}" y="${PAD.top - 6 + (i % 2) * 11}">${escapeHtml(marker.label)}</text>`,
    );
  });
  parts.push(
    `<text class="axis" x="${PAD.left + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle">${escapeHtml(t(language, 'report.timeline.axisTime'))}</text>`,
    `<text class="axis" transform="translate(12 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(t(language, 'report.timeline.axisRtt'))}</text>`,
    '</svg>',
  );
  return parts.join('');
}

const SHARE_W = 220;
const SHARE_H = 16;

/** One stacked bar: each slave's share of transmitted packets, in the plan's slave order. */
export function shareSvg(row: ShareRow): string {
  const label = row.shares.map((s) => `${s.slave} ${Math.round(s.share * 100)}%`).join(', ');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="plot share" data-plot="share" data-step="${row.step}" viewBox="0 0 ${SHARE_W} ${SHARE_H}" width="${SHARE_W}" height="${SHARE_H}" role="img" aria-label="${escapeHtml(label)}">`,
    `<title>${escapeHtml(label)}</title>`,
    `<rect class="share-bg" x="0" y="0" width="${SHARE_W}" height="${SHARE_H}"/>`,
  ];
  let at = 0;
  row.shares.forEach((s, i) => {
    const w = Math.max(0, Math.min(1, s.share)) * SHARE_W;
    if (w > 0) parts.push(`<rect class="share-${i % 4}" x="${fmt(at)}" y="0" width="${fmt(w)}" height="${SHARE_H}"/>`);
    at += w;
  });
  parts.push('</svg>');
  return parts.join('');
}

/**
 * The plots' styles (classes the builders here write), one home for the report page and the UI, which scopes them
 * under its own container. Uses the page's --ink, --muted and --line colours.
 */
export const PLOT_CSS = `svg.plot { display: block; max-width: 100%; height: auto; font-family: inherit; }
svg .frame { fill: #fff; stroke: var(--line); }
svg .grid { stroke: #e3e8ee; stroke-width: 1; }
svg .tickmark { stroke: var(--muted); }
svg .tick { font-size: 10px; fill: var(--muted); }
svg .axis { font-size: 11px; fill: var(--muted); }
svg .rtt { fill: none; stroke: #1f6fb2; stroke-width: 1.4; stroke-linejoin: round; }
svg .rtt-dot { fill: #1f6fb2; }
svg .lost { fill: #d62728; fill-opacity: 0.18; }
svg .marker { stroke: #444; stroke-dasharray: 4 3; stroke-width: 1.2; }
svg .marker-label { font-size: 10px; fill: #222; }
svg.share { width: 220px; }
svg .share-bg { fill: #eef2f6; }
svg .dot.v-expected { fill: #2ca02c; } svg .dot.v-unexpected { fill: #d62728; } svg .dot.v-not-measurable { fill: #888; }
svg .median { stroke: #222; stroke-width: 2; } svg .p95 { stroke: #222; stroke-width: 1.2; }
svg .series-0 { stroke: #1f6fb2; fill: #1f6fb2; } svg .series-1 { stroke: #e3822b; fill: #e3822b; } svg .series-2 { stroke: #2ca02c; fill: #2ca02c; } svg .series-3 { stroke: #9467bd; fill: #9467bd; } svg .series-4 { stroke: #8c564b; fill: #8c564b; } svg .series-5 { stroke: #d62728; fill: #d62728; } svg .series-6 { stroke: #17becf; fill: #17becf; }
svg path[class^="series-"] { fill: none; stroke-width: 1.6; } svg .whisker { stroke-width: 1.2; } svg .legend { font-size: 11px; fill: var(--ink); }
svg .share-0 { fill: #1f6fb2; } svg .share-1 { fill: #e3822b; } svg .share-2 { fill: #2ca02c; } svg .share-3 { fill: #9467bd; }`;

const SWEEP_W = 720;
const SWEEP_H = 260;
const SWEEP_PAD = { left: 56, right: 150, top: 16, bottom: 46 };

/**
 * A sweep's failover against its points: one line per mode through the median of each point, a bar from the
 * median up to the 95th percentile, points on a categorical x axis in run order (first axis slowest). A point
 * where a mode measured nothing has no dot, and its line breaks there.
 */
export function sweepSvg(sweep: SweepReport, language: Language): string {
  const series = sweep.series.filter((s) => s.cells.some((c) => c.failoverMedianMs !== undefined));
  const top = Math.max(1, ...series.flatMap((s) => s.cells.map((c) => c.failoverP95Ms ?? c.failoverMedianMs ?? 0)));
  const yTicks = ticks(top, 5);
  const yMax = yTicks[yTicks.length - 1]!;
  const plotW = SWEEP_W - SWEEP_PAD.left - SWEEP_PAD.right;
  const plotH = SWEEP_H - SWEEP_PAD.top - SWEEP_PAD.bottom;
  const n = sweep.points.length;
  const xAt = (i: number) => SWEEP_PAD.left + (n === 1 ? plotW / 2 : (plotW * (i + 0.5)) / n);
  const y = (ms: number) => SWEEP_PAD.top + plotH - (ms / yMax) * plotH;
  const label = t(language, 'sweep.axis');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="plot sweep" data-plot="sweep" viewBox="0 0 ${SWEEP_W} ${SWEEP_H}" width="${SWEEP_W}" height="${SWEEP_H}" role="img" aria-label="${escapeHtml(label)}">`,
    `<title>${escapeHtml(label)}</title>`,
  ];
  for (const v of yTicks) {
    parts.push(
      `<line class="grid" x1="${SWEEP_PAD.left}" x2="${SWEEP_PAD.left + plotW}" y1="${fmt(y(v))}" y2="${fmt(y(v))}"/>`,
      `<text class="tick" x="${SWEEP_PAD.left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${tickLabel(v)}</text>`,
    );
  }
  sweep.points.forEach((p, i) => {
    parts.push(
      `<text class="tick" x="${fmt(xAt(i))}" y="${SWEEP_H - SWEEP_PAD.bottom + 16}" text-anchor="middle">${escapeHtml(p.label)}</text>`,
    );
  });
  parts.push(
    `<text class="axis" x="12" y="${fmt(SWEEP_PAD.top + plotH / 2)}" transform="rotate(-90 12 ${fmt(SWEEP_PAD.top + plotH / 2)})" text-anchor="middle">${escapeHtml(label)}</text>`,
  );
  series.forEach((s, k) => {
    const cls = `series-${k % 7}`;
    // Modes side by side around each point, so bars at one value do not hide each other.
    const x = (i: number) => xAt(i) + (k - (series.length - 1) / 2) * 7;
    let path = '';
    let pen = false;
    s.cells.forEach((c, i) => {
      if (c.failoverMedianMs === undefined) {
        pen = false;
        return;
      }
      path += `${pen ? 'L' : 'M'}${fmt(x(i))} ${fmt(y(c.failoverMedianMs))} `;
      pen = true;
    });
    if (path) parts.push(`<path class="${cls}" data-mode="${escapeHtml(s.mode)}" d="${path.trim()}" fill="none"/>`);
    s.cells.forEach((c, i) => {
      if (c.failoverMedianMs === undefined) return;
      const tip = `${s.mode} ${sweep.points[i]?.label ?? ''}: ${c.failoverMedianMs} ms (p95 ${c.failoverP95Ms ?? '–'} ms, ${c.measured}/${c.pulls})`;
      if (c.failoverP95Ms !== undefined && c.failoverP95Ms > c.failoverMedianMs) {
        parts.push(
          `<line class="${cls} whisker" x1="${fmt(x(i))}" x2="${fmt(x(i))}" y1="${fmt(y(c.failoverMedianMs))}" y2="${fmt(y(c.failoverP95Ms))}"/>`,
        );
      }
      parts.push(
        `<circle class="${cls}" data-mode="${escapeHtml(s.mode)}" data-point="${c.point}" data-median="${c.failoverMedianMs}" cx="${fmt(x(i))}" cy="${fmt(y(c.failoverMedianMs))}" r="3.5"><title>${escapeHtml(tip)}</title></circle>`,
      );
    });
    const ly = SWEEP_PAD.top + 12 + k * 16;
    const lx = SWEEP_W - SWEEP_PAD.right + 12;
    parts.push(
      `<line class="${cls}" x1="${lx}" x2="${lx + 16}" y1="${ly - 4}" y2="${ly - 4}"/>`,
      `<text class="legend" x="${lx + 22}" y="${ly}">${escapeHtml(s.mode)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

const STRIP_W = 720;
const STRIP_LANE = 34;
const STRIP_PAD = { left: 170, right: 16, top: 14, bottom: 38 };

/**
 * Every pull's outage per mode as a strip plot: one lane per mode (and sweep point), one dot per pull at its
 * outage, coloured by the pull's own verdict and spread over the lane in step order so equal values stay visible;
 * a bar at the median, a tick at the p95. Each dot and lane carries its figures as a tooltip.
 */
export function outageSvg(series: readonly OutageSeries[], language: Language): string {
  const top = Math.max(1, ...series.map((s) => s.maxMs));
  const xTicks = ticks(top, 6);
  const xMax = xTicks[xTicks.length - 1]!;
  const plotW = STRIP_W - STRIP_PAD.left - STRIP_PAD.right;
  const height = STRIP_PAD.top + series.length * STRIP_LANE + STRIP_PAD.bottom;
  const plotBottom = height - STRIP_PAD.bottom;
  const x = (ms: number) => STRIP_PAD.left + (ms / xMax) * plotW;
  const title = t(language, 'failover.repeat.plot');
  const axis = t(language, 'failover.repeat.plotAxis');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="plot outages" data-plot="outages" viewBox="0 0 ${STRIP_W} ${height}" width="${STRIP_W}" height="${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<title>${escapeHtml(title)}</title>`,
  ];
  for (const v of xTicks) {
    parts.push(
      `<line class="grid" x1="${fmt(x(v))}" x2="${fmt(x(v))}" y1="${STRIP_PAD.top}" y2="${plotBottom}"/>`,
      `<text class="tick" x="${fmt(x(v))}" y="${plotBottom + 14}" text-anchor="middle">${tickLabel(v)}</text>`,
    );
  }
  parts.push(
    `<text class="axis" x="${fmt(STRIP_PAD.left + plotW / 2)}" y="${height - 6}" text-anchor="middle">${escapeHtml(axis)}</text>`,
  );
  series.forEach((s, k) => {
    const y0 = STRIP_PAD.top + k * STRIP_LANE;
    const mid = y0 + STRIP_LANE / 2;
    const name = s.point === null ? s.modeLabel : `${s.point} ${s.modeLabel}`;
    const laneTip = `${name}: ${t(language, 'failover.repeat.text', { median: s.medianMs, p95: s.p95Ms })}; ${t(language, 'failover.repeat.spread', { min: s.minMs, max: s.maxMs, pulls: s.pulls.length })}`;
    parts.push(
      `<g class="lane" data-mode="${escapeHtml(s.mode)}"${s.point === null ? '' : ` data-point="${escapeHtml(s.point)}"`} data-median="${s.medianMs}" data-p95="${s.p95Ms}"><title>${escapeHtml(laneTip)}</title>`,
      `<line class="grid" x1="${STRIP_PAD.left}" x2="${STRIP_PAD.left + plotW}" y1="${fmt(y0 + STRIP_LANE)}" y2="${fmt(y0 + STRIP_LANE)}"/>`,
      `<text class="legend" x="${STRIP_PAD.left - 8}" y="${fmt(mid + 4)}" text-anchor="end">${escapeHtml(name)}</text>`,
      `<line class="median" x1="${fmt(x(s.medianMs))}" x2="${fmt(x(s.medianMs))}" y1="${fmt(y0 + 4)}" y2="${fmt(y0 + STRIP_LANE - 4)}"/>`,
      `<line class="p95" x1="${fmt(x(s.p95Ms))}" x2="${fmt(x(s.p95Ms))}" y1="${fmt(mid - 5)}" y2="${fmt(mid + 5)}"/>`,
    );
    const n = s.pulls.length;
    s.pulls.forEach((p, i) => {
      // Spread in step order over the lane's middle half.
      const y = n === 1 ? mid : y0 + STRIP_LANE / 4 + ((STRIP_LANE / 2) * i) / (n - 1);
      const tip = t(language, 'failover.repeat.dot', {
        mode: s.modeLabel,
        repetition: p.repetition,
        slave: p.slave,
        step: p.step,
        value: p.outageMs,
        verdict: t(language, `verdict.${p.verdict}`),
      });
      parts.push(
        `<circle class="dot v-${escapeHtml(p.verdict)}" data-step="${p.step}" data-outage="${p.outageMs}" cx="${fmt(x(p.outageMs))}" cy="${fmt(y)}" r="3"><title>${escapeHtml(`${tip}; ${p.endedBy}`)}</title></circle>`,
      );
    });
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('');
}
