/**
 * One pull, as the wire saw it: a lane per capture port (the tester port, then each slave's switch port mirror)
 * with a tick for every echo reply from the bond, the bond's reaction frames (gratuitous ARP, ARP reply,
 * unsolicited NA, learning frame) as diamonds on the port they left by, and the moments that make the outage —
 * the pull, both carriers off and the host seeing the slave down (MII status, from the pull's anatomy), the last
 * reply before the gap, the bond's reaction, the first reply after — as labelled lines, so the
 * outage is seen as well as read. Labels that would overlap are stacked; the shaded band is the gap the cell
 * reports. Read from the run's capture files through the API (pullTraffic).
 */
import type { TFunction } from 'i18next';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BenchApi, PullTraffic } from '../../../shared/api.js';
import { errorText } from '../cells.js';
import { labelWidth, stackLabels, tickStep } from '../chart.js';

const WIDTH = 600;
const LEFT = 110;
const RIGHT = 10;
const LANE = 30;
const LABEL_ROW = 12;
const LABEL_ROWS = 4;
const TOP = LABEL_ROW * LABEL_ROWS + 6;
const AXIS = 26;
interface Moment {
  atMs: number;
  label: string;
  className: string;
}

function laneName(lane: PullTraffic['lanes'][number], t: TFunction): string {
  return lane.slave
    ? t('analysis.chart.mirror', { slave: lane.slave, port: lane.port })
    : t('analysis.chart.tester', { port: lane.port });
}

export function FailoverChartView({ traffic }: { traffic: PullTraffic }) {
  const { t } = useTranslation();
  const [whole, setWhole] = useState(false);
  const kind = (k: string) => t(`analysis.chart.kind.${k}`);

  const view = useMemo(() => {
    const interesting = [
      0,
      traffic.firstReactionMs,
      traffic.firstReplyMs,
      traffic.lastReplyMs,
      traffic.confirmedMs,
    ].filter((v): v is number => v !== undefined);
    const from = whole ? traffic.fromMs : Math.max(traffic.fromMs, Math.min(-200, ...interesting) - 100);
    const to = whole ? traffic.toMs : Math.min(traffic.toMs, Math.max(400, ...interesting) + 200);
    const x = (ms: number) => LEFT + ((ms - from) / (to - from || 1)) * (WIDTH - LEFT - RIGHT);
    return { from, to, x };
  }, [traffic, whole]);

  const height = TOP + traffic.lanes.length * LANE + AXIS;
  const laneY = (i: number) => TOP + i * LANE;
  const firstReaction = traffic.reactions.find((r) => r.atMs === traffic.firstReactionMs);
  const moments: Moment[] = [
    { atMs: 0, label: t('analysis.chart.pull', { slave: traffic.slave ?? '' }), className: 'pull' },
  ];
  // The host's side of the pull, from its anatomy: both carriers off, then the slave seen down (MII, or carrier).
  if (traffic.carrierOffMs !== undefined && Math.abs(traffic.carrierOffMs) >= 1)
    moments.push({ atMs: traffic.carrierOffMs, label: t('analysis.chart.carrierOff'), className: 'carrier-off' });
  if (traffic.confirmedMs !== undefined)
    moments.push({
      atMs: traffic.confirmedMs,
      label: t(traffic.confirmedBy === 'carrier' ? 'analysis.chart.carrierDown' : 'analysis.chart.miiDown'),
      className: 'mii-down',
    });
  if (traffic.lastReplyMs !== undefined)
    moments.push({ atMs: traffic.lastReplyMs, label: t('analysis.chart.lastReply'), className: 'last-reply' });
  if (firstReaction)
    moments.push({
      atMs: firstReaction.atMs,
      label: t('analysis.chart.reaction', { kind: kind(firstReaction.kind) }),
      className: 'reaction',
    });
  if (traffic.firstReplyMs !== undefined)
    moments.push({ atMs: traffic.firstReplyMs, label: t('analysis.chart.firstReply'), className: 'first-reply' });
  const inView = (ms: number) => ms >= view.from && ms <= view.to;
  const labels = stackLabels(
    moments.filter((m) => inView(m.atMs)).map((m) => ({ ...m, x: view.x(m.atMs), width: labelWidth(m.label) })),
    LABEL_ROWS,
  );
  const span = view.to - view.from;
  const step = tickStep(span, 8, [10, 20, 50, 100, 200, 500, 1000, 2000, 5000]);
  const ticks: number[] = [];
  for (let ms = Math.ceil(view.from / step) * step; ms <= view.to; ms += step) ticks.push(ms);
  const replies = traffic.lanes.reduce((n, lane) => n + lane.replies.length, 0);

  return (
    <div className="failover-chart">
      <div className="chart-toolbar">
        <button type="button" aria-pressed={!whole} onClick={() => setWhole(false)}>
          {t('analysis.chart.around')}
        </button>
        <button type="button" aria-pressed={whole} onClick={() => setWhole(true)}>
          {t('analysis.chart.whole')}
        </button>
      </div>
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        role="img"
        aria-label={t('analysis.chart.summary', {
          replies,
          lanes: traffic.lanes.length,
          reaction: traffic.firstReactionMs ?? '–',
          first: traffic.firstReplyMs ?? '–',
        })}
      >
        {traffic.lastReplyMs !== undefined && traffic.firstReplyMs !== undefined ? (
          <g className="gap">
            <rect
              x={view.x(Math.max(view.from, traffic.lastReplyMs))}
              width={Math.max(
                1,
                view.x(Math.min(view.to, traffic.firstReplyMs)) - view.x(Math.max(view.from, traffic.lastReplyMs)),
              )}
              y={TOP}
              height={traffic.lanes.length * LANE}
            />
            <text
              x={(view.x(traffic.lastReplyMs) + view.x(traffic.firstReplyMs)) / 2}
              y={TOP + traffic.lanes.length * LANE - 3}
              textAnchor="middle"
            >
              {t('analysis.chart.outage', { ms: Math.round(traffic.firstReplyMs - traffic.lastReplyMs) })}
              {traffic.gapMs !== undefined ? ` · ${t('analysis.chart.measured', { ms: traffic.gapMs })}` : ''}
            </text>
          </g>
        ) : null}
        {traffic.lanes.map((lane, i) => (
          <g key={lane.file} className={`lane${lane.slave ? ' mirror' : ' tester'}`} data-port={lane.port}>
            <line
              className="lane-line"
              x1={LEFT}
              x2={WIDTH - RIGHT}
              y1={laneY(i) + LANE / 2}
              y2={laneY(i) + LANE / 2}
            />
            <text className="lane-name" x={LEFT - 6} y={laneY(i) + LANE / 2 + 3} textAnchor="end">
              {laneName(lane, t)}
            </text>
            {lane.replies.filter(inView).map((ms, k) => (
              <line
                // biome-ignore lint/suspicious/noArrayIndexKey: replies are a fixed list
                key={k}
                className="reply"
                x1={view.x(ms)}
                x2={view.x(ms)}
                y1={laneY(i) + 7}
                y2={laneY(i) + LANE - 7}
              />
            ))}
          </g>
        ))}
        {traffic.reactions
          .filter((r) => inView(r.atMs))
          .map((r) => {
            const lane = traffic.lanes.findIndex((l) => l.file === r.file);
            const cx = view.x(r.atMs);
            const cy = laneY(Math.max(0, lane)) + LANE / 2;
            return (
              <path
                key={`${r.file}#${r.no}`}
                className={`reaction-frame kind-${r.kind}`}
                d={`M${cx},${cy - 6}L${cx + 5},${cy}L${cx},${cy + 6}L${cx - 5},${cy}Z`}
              >
                <title>
                  {t('analysis.chart.reactionFrame', {
                    kind: kind(r.kind),
                    no: r.no,
                    port: r.port,
                    ms: r.atMs.toFixed(1),
                  })}
                </title>
              </path>
            );
          })}
        {traffic.namedFrames
          .filter((f) => inView(f.atMs))
          .map((f) => {
            const lane = Math.max(
              0,
              traffic.lanes.findIndex((l) => !l.slave),
            );
            const cx = view.x(f.atMs);
            const cy = laneY(lane) + LANE - 3;
            return (
              <g key={f.no} className="named-frame" data-frame={f.no}>
                <path d={`M${cx},${cy - 5}L${cx + 4},${cy + 2}L${cx - 4},${cy + 2}Z`} />
                <title>{t('analysis.chart.namedFrame', { no: f.no, ms: f.atMs.toFixed(1) })}</title>
              </g>
            );
          })}
        {labels.map((m) => (
          <g key={m.className} className={`moment moment-${m.className}`}>
            <line x1={m.x} x2={m.x} y1={(m.row + 1) * LABEL_ROW + 2} y2={TOP + traffic.lanes.length * LANE} />
            <text x={m.x + 2} y={(m.row + 1) * LABEL_ROW}>
              {m.label}
            </text>
            <title>{`${m.label}: ${m.atMs.toFixed(1)} ms`}</title>
          </g>
        ))}
        {ticks.map((ms) => (
          <text key={ms} className="tick" x={view.x(ms)} y={height - AXIS + 12} textAnchor="middle">
            {ms}
          </text>
        ))}
        <text className="tick axis-title" x={(LEFT + WIDTH - RIGHT) / 2} y={height - 3} textAnchor="middle">
          {t('analysis.chart.axis')}
        </text>
      </svg>
      {traffic.confirmedMs === undefined ? <p className="subtle chart-note">{t('analysis.chart.noMii')}</p> : null}
    </div>
  );
}

export interface FailoverChartProps {
  client: Pick<BenchApi, 'pullTraffic'>;
  runId: string;
  /** The pull steps the cell was judged from: index and slave. */
  pulls: readonly { index: number; slave?: string }[];
  /** The one to show first (the cell's worst pull). */
  initial?: number;
}

/** The chart of one of a cell's pulls, with a picker when there are several. */
export function FailoverChart({ client, runId, pulls, initial }: FailoverChartProps) {
  const { t } = useTranslation();
  const [step, setStep] = useState(initial ?? pulls[0]?.index);
  const [traffic, setTraffic] = useState<PullTraffic>();
  // The error itself, said at render time in the UI's current language.
  const [error, setError] = useState<unknown>();

  useEffect(() => setStep(initial ?? pulls[0]?.index), [initial, pulls]);
  useEffect(() => {
    if (step === undefined) return;
    let current = true;
    setTraffic(undefined);
    setError(undefined);
    client.pullTraffic(runId, step).then(
      (answer) => current && setTraffic(answer),
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [client, runId, step]);

  return (
    <div className="evidence-chart">
      <h4>{t('analysis.chart.title')}</h4>
      {pulls.length > 1 ? (
        <fieldset className="pull-picker" aria-label={t('analysis.chart.pick')}>
          <div className="pull-picker-row">
            {pulls.map((p) => (
              <button key={p.index} type="button" aria-pressed={p.index === step} onClick={() => setStep(p.index)}>
                {t('analysis.chart.pull', { slave: p.slave ?? '' })}
              </button>
            ))}
          </div>
        </fieldset>
      ) : null}
      {error !== undefined ? (
        <p className="error" role="alert">
          {errorText(error, t)}
        </p>
      ) : traffic ? (
        <FailoverChartView traffic={traffic} />
      ) : (
        <p className="subtle">{t('analysis.chart.loading')}</p>
      )}
    </div>
  );
}
