/**
 * Probe RTT and loss over the run, one lane per mode (and repetition) on that mode's own clock, with the steps as
 * labelled bands (a label that does not fit its band is left to the band's tooltip, never drawn over another) and
 * markers for pulls, plugs and reboots — markers closer than a label's width collapse into one with a count and
 * every member in its tooltip. Clicking a band zooms to that step; the RTT line is drawn from per-pixel buckets
 * (max RTT and lost probes per column), so its cost stays the same at 100 probes a second for an hour.
 */
import type { TFunction } from 'i18next';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { modeKey } from '../../../shared/i18n/catalogue.js';
import { collapseLabels, labelWidth, tickStep } from '../chart.js';
import type { TimelineBand, TimelineMarker, TimelinePoint } from '../state/live.js';

const WIDTH = 640;
const PAD = { left: 34, right: 8 };
const BAND_H = 14;
const PLOT_H = 44;
const AXIS_H = 12;
const LANE_H = BAND_H + PLOT_H + AXIS_H + 8;
const ZOOM_PLOT_H = 150;

export interface TimelineProps {
  samples: readonly TimelinePoint[];
  /** Changes whenever samples grew (they are appended in place). */
  sampleCount?: number;
  markers: readonly TimelineMarker[];
  /** Finished steps' spans; lanes are the modes (and repetitions) they, the samples and the markers name. */
  bands?: readonly TimelineBand[];
}

interface Lane {
  key: string;
  mode: string;
  repetition: number;
  fromMs: number;
  toMs: number;
  samples: TimelinePoint[];
  markers: TimelineMarker[];
  bands: TimelineBand[];
}

function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((m) => m * power >= value) ?? 10) * power;
}

/** Groups everything by lane, in the order lanes first appear; each lane spans what it holds. */
function buildLanes(
  samples: readonly TimelinePoint[],
  markers: readonly TimelineMarker[],
  bands: readonly TimelineBand[],
): Lane[] {
  const lanes = new Map<string, Lane>();
  const laneOf = (key: string | undefined) => {
    const k = key ?? '';
    let lane = lanes.get(k);
    if (!lane) {
      const [mode = '', rep = '1'] = k.split('#');
      lane = {
        key: k,
        mode,
        repetition: Number(rep),
        fromMs: Number.POSITIVE_INFINITY,
        toMs: Number.NEGATIVE_INFINITY,
        samples: [],
        markers: [],
        bands: [],
      };
      lanes.set(k, lane);
    }
    return lane;
  };
  const span = (lane: Lane, from: number, to = from) => {
    if (from < lane.fromMs) lane.fromMs = from;
    if (to > lane.toMs) lane.toMs = to;
  };
  for (const band of bands) {
    const lane = laneOf(band.lane);
    lane.bands.push(band);
    span(lane, band.fromMs, band.toMs);
  }
  for (const sample of samples) {
    const lane = laneOf(sample.lane);
    lane.samples.push(sample);
    span(lane, sample.atMs);
  }
  for (const marker of markers) {
    const lane = laneOf(marker.lane);
    lane.markers.push(marker);
    span(lane, marker.atMs);
  }
  return [...lanes.values()]
    .map((lane) => ({ ...lane, toMs: Math.max(lane.toMs, lane.fromMs + 1000) }))
    .sort((a, b) => a.fromMs - b.fromMs);
}

/**
 * The engine's marker labels ("pull eth1", "plug eth1", "reboot", "power off", "power on", "load 4 peers × 2
 * flows") in the UI's language; another label as it came.
 */
export function markerLabel(label: string, t: TFunction): string {
  const link = /^(pull|plug) (\S+)$/.exec(label);
  if (link) return t(`analysis.timeline.band.${link[1]}`, { slave: link[2] });
  if (label === 'power off' || label === 'power on') return t(`log.driver.power.${label.slice(6)}`);
  const load = /^load (\d+) peers × (\d+) flows$/.exec(label);
  if (load) return t('log.marker.load', { peers: load[1], flows: load[2] });
  return label === 'reboot' ? t('analysis.timeline.reboot') : label;
}

function markerText(group: readonly TimelineMarker[], t: TFunction): string {
  const first = markerLabel(group[0]!.label, t);
  return group.length > 1 ? `${first} +${group.length - 1}` : first;
}

function bandText(band: TimelineBand, t: TFunction): string {
  return t(`analysis.timeline.band.${band.kind}`, { slave: band.slave ?? '' });
}

interface LaneProps {
  lane: Lane;
  from: number;
  to: number;
  plotHeight: number;
  label: string;
  onZoom?: (band: TimelineBand) => void;
  zoomedStep?: number;
}

function LanePlot({ lane, from, to, plotHeight, label, onZoom, zoomedStep }: LaneProps) {
  const { t } = useTranslation();
  const columns = WIDTH - PAD.left - PAD.right;
  const x = (ms: number) => PAD.left + ((ms - from) / (to - from || 1)) * columns;
  const plot = useMemo(() => {
    const rtt = new Array<number>(columns).fill(-1);
    const lost = new Array<number>(columns).fill(0);
    let maxRtt = 0;
    let lostTotal = 0;
    let received = 0;
    for (const sample of lane.samples) {
      if (sample.atMs < from || sample.atMs > to) continue;
      const column = Math.min(
        columns - 1,
        Math.max(0, Math.floor(((sample.atMs - from) / (to - from || 1)) * columns)),
      );
      if (sample.rttMs === null) {
        lost[column]!++;
        lostTotal++;
      } else {
        received++;
        if (sample.rttMs > rtt[column]!) rtt[column] = sample.rttMs;
        if (sample.rttMs > maxRtt) maxRtt = sample.rttMs;
      }
    }
    return { rtt, lost, top: niceCeiling(maxRtt), lostTotal, received };
  }, [lane.samples, from, to, columns]);

  const top = BAND_H + 2;
  const y = (ms: number) => top + plotHeight - (ms / plot.top) * plotHeight;
  let path = '';
  let pen = false;
  plot.rtt.forEach((value, column) => {
    if (value < 0) {
      pen = false;
      return;
    }
    path += `${pen ? 'L' : 'M'}${PAD.left + column},${y(value).toFixed(1)}`;
    pen = true;
  });
  const seconds = (to - from) / 1000;
  const step = tickStep(seconds, 6, [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600]);
  const ticks: number[] = [];
  for (let s = Math.ceil((from - lane.fromMs) / 1000 / step) * step; s <= (to - lane.fromMs) / 1000; s += step)
    ticks.push(Number(s.toPrecision(6)));
  const inView = lane.markers.filter((m) => m.atMs >= from && m.atMs <= to).map((m) => ({ ...m, x: x(m.atMs) }));
  // A marker that would print over the one before it joins it (the label then says how many).
  const groups = collapseLabels(inView, (group) => markerText(group, t), WIDTH - PAD.right);
  const height = top + plotHeight + AXIS_H + 4;

  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${height}`}
      role="img"
      className="timeline-lane"
      data-lane={lane.key}
      aria-label={`${label}: ${t('ui.timeline.summary', { received: plot.received, lost: plot.lostTotal })}`}
    >
      {lane.bands
        .filter((b) => b.toMs >= from && b.fromMs <= to)
        .map((band, i) => {
          const x1 = x(Math.max(from, band.fromMs));
          const x2 = x(Math.min(to, band.toMs));
          const text = bandText(band, t);
          const fits = labelWidth(text) + 4 <= x2 - x1;
          return (
            // biome-ignore lint/a11y/noStaticElementInteractions: the band is also reachable through its button below
            <g
              key={band.step}
              className={`band${i % 2 ? ' odd' : ''}${band.step === zoomedStep ? ' zoomed' : ''}`}
              data-step={band.step}
              onClick={onZoom ? () => onZoom(band) : undefined}
            >
              <rect x={x1} y={0} width={Math.max(1, x2 - x1)} height={top + plotHeight} />
              {fits ? (
                <text x={x1 + 2} y={10}>
                  {text}
                </text>
              ) : null}
              <title>{`${text}: ${((band.toMs - band.fromMs) / 1000).toFixed(1)} s`}</title>
            </g>
          );
        })}
      <line className="axis" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} />
      <text className="tick" x={PAD.left - 3} y={top + 8} textAnchor="end">
        {plot.top}
      </text>
      <text className="tick" x={PAD.left - 3} y={y(0)} textAnchor="end">
        0
      </text>
      {plot.lost.map((count, column) =>
        count > 0 ? (
          <rect
            // biome-ignore lint/suspicious/noArrayIndexKey: one column per pixel
            key={column}
            className="loss"
            x={PAD.left + column}
            y={top}
            width={1}
            height={plotHeight}
          />
        ) : null,
      )}
      <path className="rtt" d={path} />
      {groups.map(({ members, x: at, start }) => {
        const first = members[0]!;
        const kind = first.label.split(' ')[0];
        return (
          <g
            key={`${first.atMs}:${first.label}`}
            className={`marker marker-${kind}${members.length > 1 ? ' collapsed' : ''}`}
            data-count={members.length}
          >
            <line x1={at} x2={at} y1={top} y2={y(0)} />
            <text x={start} y={top + 9}>
              {markerText(members, t)}
            </text>
            <title>
              {members
                .map((m) => `${markerLabel(m.label, t)} @ ${((m.atMs - lane.fromMs) / 1000).toFixed(2)} s`)
                .join('\n')}
            </title>
          </g>
        );
      })}
      {ticks.map((s) => (
        <text key={s} className="tick" x={x(lane.fromMs + s * 1000)} y={height - 2} textAnchor="middle">
          {s}s
        </text>
      ))}
    </svg>
  );
}

export function Timeline({ samples, sampleCount, markers, bands = [] }: TimelineProps) {
  const { t } = useTranslation();
  const [zoom, setZoom] = useState<{ lane: string; band: TimelineBand }>();
  // biome-ignore lint/correctness/useExhaustiveDependencies: sampleCount says the samples grew in place
  const lanes = useMemo(() => buildLanes(samples, markers, bands), [samples, sampleCount, markers, bands]);
  const repeated = new Set(lanes.map((l) => l.repetition)).size > 1;
  const laneLabel = (lane: Lane) =>
    lane.mode ? `${t(modeKey(lane.mode))}${repeated ? ` #${lane.repetition}` : ''}` : t('ui.timeline.title');
  const zoomed = zoom ? lanes.find((l) => l.key === zoom.lane) : undefined;

  return (
    <section className="timeline" aria-label={t('ui.timeline.title')}>
      <h2>{t('ui.timeline.title')}</h2>
      {zoomed && zoom ? (
        <div className="timeline-zoom">
          <p className="timeline-lane-name">
            {laneLabel(zoomed)} · {bandText(zoom.band, t)}{' '}
            <button type="button" className="link" onClick={() => setZoom(undefined)}>
              {t('analysis.timeline.all')}
            </button>
          </p>
          <LanePlot
            lane={zoomed}
            from={zoom.band.fromMs}
            to={zoom.band.toMs}
            plotHeight={ZOOM_PLOT_H}
            label={laneLabel(zoomed)}
            zoomedStep={zoom.band.step}
          />
        </div>
      ) : (
        <div className="timeline-lanes" style={{ minHeight: Math.min(lanes.length, 3) * LANE_H }}>
          {lanes.map((lane) => (
            <div key={lane.key} className="timeline-row">
              <p className="timeline-lane-name">{laneLabel(lane)}</p>
              <LanePlot
                lane={lane}
                from={lane.fromMs}
                to={lane.toMs}
                plotHeight={PLOT_H}
                label={laneLabel(lane)}
                onZoom={(band) => setZoom({ lane: lane.key, band })}
              />
              {lane.bands.length > 0 ? (
                <p className="timeline-steps">
                  {lane.bands.map((band) => (
                    <button
                      key={band.step}
                      type="button"
                      className="link"
                      aria-label={t('analysis.timeline.zoom', { step: `${laneLabel(lane)} · ${bandText(band, t)}` })}
                      onClick={() => setZoom({ lane: lane.key, band })}
                    >
                      {bandText(band, t)}
                    </button>
                  ))}
                </p>
              ) : null}
            </div>
          ))}
        </div>
      )}
      <p className="legend">
        <span className="swatch rtt" /> {t('ui.timeline.rtt')} <span className="swatch loss" /> {t('ui.timeline.loss')}{' '}
        <span className="swatch marker" /> {t('ui.timeline.markers')} · {t('analysis.timeline.hint')}
      </p>
    </section>
  );
}
