/**
 * Probe RTT and loss over the run, with markers for pulls, plugs and reboots — an SVG drawn from per-pixel
 * buckets (max RTT and lost probes per column), so its cost stays the same at 100 probes a second for an hour.
 */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { TimelineMarker, TimelinePoint } from '../state/live.js';

const WIDTH = 640;
const HEIGHT = 170;
const PAD = { left: 40, right: 8, top: 10, bottom: 34 };

export interface TimelineProps {
  samples: readonly TimelinePoint[];
  /** Changes whenever samples grew (they are appended in place). */
  sampleCount?: number;
  markers: readonly TimelineMarker[];
}

function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((m) => m * power >= value) ?? 10) * power;
}

export function Timeline({ samples, sampleCount, markers }: TimelineProps) {
  const { t } = useTranslation();
  const plot = useMemo(() => {
    void sampleCount;
    const columns = WIDTH - PAD.left - PAD.right;
    const endMs = Math.max(1000, ...markers.map((m) => m.atMs), samples.length ? samples[samples.length - 1]!.atMs : 0);
    const rtt = new Array<number>(columns).fill(-1);
    const lost = new Array<number>(columns).fill(0);
    let maxRtt = 0;
    let lostTotal = 0;
    for (const sample of samples) {
      const column = Math.min(columns - 1, Math.max(0, Math.floor((sample.atMs / endMs) * columns)));
      if (sample.rttMs === null) {
        lost[column]!++;
        lostTotal++;
      } else if (sample.rttMs > rtt[column]!) {
        rtt[column] = sample.rttMs;
        if (sample.rttMs > maxRtt) maxRtt = sample.rttMs;
      }
    }
    const top = niceCeiling(maxRtt);
    const plotHeight = HEIGHT - PAD.top - PAD.bottom;
    const y = (ms: number) => PAD.top + plotHeight - (ms / top) * plotHeight;
    let path = '';
    let pen = false;
    rtt.forEach((value, column) => {
      if (value < 0) {
        pen = false;
        return;
      }
      path += `${pen ? 'L' : 'M'}${PAD.left + column},${y(value).toFixed(1)}`;
      pen = true;
    });
    const x = (ms: number) => PAD.left + (ms / endMs) * columns;
    const lossColumns = lost.flatMap((count, column) => (count > 0 ? [column] : []));
    return { path, lossColumns, top, y, x, endMs, lostTotal, received: samples.length - lostTotal };
  }, [samples, sampleCount, markers]);

  const seconds = plot.endMs / 1000;
  const tickStep = niceCeiling(seconds / 6);
  const ticks = Array.from({ length: Math.floor(seconds / tickStep) + 1 }, (_, i) =>
    Number((i * tickStep).toPrecision(6)),
  );

  return (
    <section className="timeline" aria-label={t('ui.timeline.title')}>
      <h2>{t('ui.timeline.title')}</h2>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={t('ui.timeline.summary', { received: plot.received, lost: plot.lostTotal })}
      >
        <line className="axis" x1={PAD.left} x2={WIDTH - PAD.right} y1={plot.y(0)} y2={plot.y(0)} />
        <line className="axis" x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={plot.y(0)} />
        {[0, plot.top / 2, plot.top].map((ms) => (
          <text key={ms} className="tick" x={PAD.left - 4} y={plot.y(ms) + 3} textAnchor="end">
            {ms}
          </text>
        ))}
        <text className="tick" x={4} y={PAD.top + 8}>
          ms
        </text>
        {ticks.map((s) => (
          <text key={s} className="tick" x={plot.x(s * 1000)} y={plot.y(0) + 12} textAnchor="middle">
            {s}s
          </text>
        ))}
        {plot.lossColumns.map((column) => (
          <rect
            key={column}
            className="loss"
            x={PAD.left + column}
            y={PAD.top}
            width={1}
            height={plot.y(0) - PAD.top}
          />
        ))}
        <path className="rtt" d={plot.path} />
        {markers.map((marker, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: markers only grow
          <g key={i} className={`marker marker-${marker.label.split(' ')[0]}`}>
            <line x1={plot.x(marker.atMs)} x2={plot.x(marker.atMs)} y1={PAD.top} y2={plot.y(0)} />
            <text
              x={plot.x(marker.atMs) + (plot.x(marker.atMs) > WIDTH - 70 ? -2 : 2)}
              y={HEIGHT - 4 - (i % 2) * 10}
              textAnchor={plot.x(marker.atMs) > WIDTH - 70 ? 'end' : 'start'}
            >
              {marker.label}
            </text>
            <title>{`${marker.label} @ ${(marker.atMs / 1000).toFixed(2)} s`}</title>
          </g>
        ))}
      </svg>
      <p className="legend">
        <span className="swatch rtt" /> {t('ui.timeline.rtt')} <span className="swatch loss" /> {t('ui.timeline.loss')}{' '}
        <span className="swatch marker" /> {t('ui.timeline.markers')}
      </p>
    </section>
  );
}
