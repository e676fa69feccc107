/**
 * The run, side by side as at the write-up's bench: what the host says (ifconfig, /proc/net/bonding), what the
 * wire shows (the capture list and a frame's layers), and what it means (the result matrix), with the probe
 * timeline under it. Shows the live run, or a recorded one opened from History.
 */
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import type { BenchApi, RunView as RecordedRun } from '../../../shared/api.js';
import { readField, readList } from '../../../shared/plan/yaml-edit.js';
import type { RunManifest } from '../../../shared/run/model.js';
import type { ListedFrame } from '../../../shared/wire/filter.js';
import { frameNumbersTerm } from '../../../shared/wire/filter.js';
import { runErrorText } from '../cells.js';
import { CaptureList, FrameDetail } from '../components/CaptureList.js';
import { CaptureLosses } from '../components/CaptureLosses.js';
import { CellEvidence } from '../components/CellEvidence.js';
import { FailoverChart } from '../components/FailoverChart.js';
import { HostState } from '../components/HostState.js';
import { type CaptureFocus, RecordedCaptures } from '../components/RecordedCaptures.js';
import { type CellRef, type FrameJump, ResultMatrix } from '../components/ResultMatrix.js';
import { LiveRunLog, RecordedRunLog } from '../components/RunLog.js';
import { SweepPlot } from '../components/SweepPlot.js';
import { Timeline } from '../components/Timeline.js';
import { type LiveRun, laneKey, type TimelineBand, type TimelineMarker, type TimelinePoint } from '../state/live.js';

export interface RunViewProps {
  client: Pick<BenchApi, 'listCaptures' | 'readCapture' | 'pullTraffic' | 'frameDetail' | 'readRunLog'>;
  live: LiveRun;
  /** The plan the live run was started with. */
  livePlan: string;
  /** The live run's manifest once it finished (whether the host was restored). */
  liveManifest?: RunManifest;
  recorded?: RecordedRun;
  onCloseRecorded: () => void;
}

/** A recorded run's probe samples, markers and step bands on the run's clock (each step keeps its own). */
function recordedTimeline(run: RecordedRun): {
  samples: TimelinePoint[];
  markers: TimelineMarker[];
  bands: TimelineBand[];
} {
  const start = Date.parse(run.manifest.startedAt);
  const samples: TimelinePoint[] = [];
  const markers: TimelineMarker[] = [];
  const bands: TimelineBand[] = [];
  for (const step of run.steps) {
    const offset = Date.parse(step.startedAt) - start;
    const lane = laneKey(step.mode, step.repetition);
    bands.push({
      lane,
      fromMs: offset,
      toMs: offset + step.durationMs,
      kind: step.kind,
      slave: step.slave,
      step: step.index,
    });
    const probe = step.measurements?.probe;
    for (const [atMs, rttMs] of probe?.samples ?? []) samples.push({ atMs: offset + atMs, rttMs, lane });
    for (const marker of probe?.markers ?? []) markers.push({ atMs: offset + marker.atMs, label: marker.label, lane });
    if (step.apply?.method === 'netifrc') markers.push({ atMs: offset, label: 'reboot', lane });
    // A plug step sends no probes, so its moment is the step's start.
    if (step.kind === 'plug' && step.slave) markers.push({ atMs: offset, label: `plug ${step.slave}`, lane });
  }
  return { samples, markers, bands };
}

function RestoredBanner({ manifest }: { manifest?: RunManifest }) {
  const { t } = useTranslation();
  if (!manifest || manifest.status === 'running') return null;
  return (
    <p className={`banner status-${manifest.status}`} role="status" data-restored={manifest.restored ? 'yes' : 'no'}>
      {t(`report.status.${manifest.status}`)}
      {' · '}
      {manifest.restored ? t('ui.run.restored') : t('ui.run.notRestored')}
      {manifest.error ? ` · ${runErrorText(manifest, t)}` : ''}
    </p>
  );
}

export function RunView({ client, live, livePlan, liveManifest, recorded, onCloseRecorded }: RunViewProps) {
  const { t } = useTranslation();
  const state = useSyncExternalStore(live.subscribe, live.getState);
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<ListedFrame>();
  const [explained, setExplained] = useState<CellRef>();
  const [focus, setFocus] = useState<CaptureFocus>();
  const [liveHighlight, setLiveHighlight] = useState<ReadonlySet<number>>();

  const runKey = recorded ? recorded.manifest.id : state.runId;
  const liveRunId = state.runId;
  const loadDetail = useCallback(
    (frame: ListedFrame) =>
      liveRunId && frame.ref !== undefined ? client.frameDetail(liveRunId, frame.ref) : Promise.resolve(null),
    [client, liveRunId],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: a different run closes the evidence of the last one
  useEffect(() => {
    setExplained(undefined);
    setFocus(undefined);
    setLiveHighlight(undefined);
  }, [runKey]);

  const matrix = recorded ? recorded.matrix : state.matrix;
  const steps = recorded ? recorded.steps : state.steps;
  const cell = explained
    ? matrix.find((r) => r.mode === explained.mode && r.repetition === explained.repetition)?.cells[explained.column]
    : undefined;

  const plan = recorded ? recorded.planYaml : livePlan;
  const modes = useMemo(() => readList(plan, ['modes']), [plan]);
  const slaves = useMemo(() => readList(plan, ['bond', 'slaves']), [plan]);
  const summaryOptions = useMemo(
    () => ({
      num_grat_arp: readField(plan, ['bond', 'options', 'num_grat_arp']),
      xmit_hash_policy: readField(plan, ['bond', 'options', 'xmit_hash_policy']),
    }),
    [plan],
  );
  const recordedLine = useMemo(() => (recorded ? recordedTimeline(recorded) : undefined), [recorded]);
  const readings = (recorded?.steps ?? []).flatMap((s) => (s.reading ? [s.reading] : []));

  const jump = (to: FrameJump) => {
    setFilter(`mode:${to.mode} rep:${to.repetition} ${frameNumbersTerm(to.frames)}`);
    setLiveHighlight(new Set(to.frames));
    setSelected(undefined);
  };

  // A recorded cell's frames: open its capture file, highlight them, scroll to the first (or the one asked for).
  const showFrames = (frames: readonly number[], first: number, file?: string) =>
    setFocus((previous) => ({ file, frames, first, seq: (previous?.seq ?? 0) + 1 }));

  const explain = (ref: CellRef) => {
    setExplained(ref);
    const picked = matrix.find((r) => r.mode === ref.mode && r.repetition === ref.repetition)?.cells[ref.column];
    const frames = picked?.evidence.frames ?? [];
    if (recorded && frames.length > 0) showFrames(frames, frames[0]!, picked?.evidence.pcapng);
  };

  // A failover cell's pulls, the worst (whose gap frames the cell names) first in view.
  const pulls = useMemo(() => {
    if (!cell || !explained || (explained.column !== 'failoverMs' && explained.column !== 'faultTolerance')) return [];
    return (cell.evidence.steps ?? []).flatMap((index) => {
      const step = steps.find((s) => s.index === index && s.kind === 'pull');
      return step ? [{ index, slave: step.slave }] : [];
    });
  }, [cell, explained, steps]);
  const worstPull = pulls.find((p) => {
    const gap = steps.find((s) => s.index === p.index)?.measurements?.probe?.gapFrames;
    return gap && gap[0] === cell?.evidence.frames?.[0] && gap[1] === cell?.evidence.frames?.[1];
  })?.index;

  const evidencePane =
    explained && cell ? (
      <CellEvidence
        cellRef={explained}
        cell={cell}
        steps={steps}
        slaves={slaves}
        onShowFrame={
          recorded
            ? (no) => showFrames(cell.evidence.frames ?? [no], no, cell.evidence.pcapng)
            : (no) => jump({ mode: explained.mode, repetition: explained.repetition, frames: [no] })
        }
        onClose={() => setExplained(undefined)}
      >
        {recorded && pulls.length > 0 ? (
          <FailoverChart client={client} runId={recorded.manifest.id} pulls={pulls} initial={worstPull} />
        ) : null}
      </CellEvidence>
    ) : (
      <p className="subtle evidence-hint">{t('analysis.evidence.pick')}</p>
    );

  return (
    <div className="run">
      {recorded ? (
        <div className="recorded-bar">
          <span>{t('ui.run.recorded', { id: recorded.manifest.id, plan: recorded.manifest.planName })}</span>
          <button type="button" className="link" onClick={onCloseRecorded}>
            {t('ui.run.backToLive')}
          </button>
        </div>
      ) : null}
      <RestoredBanner manifest={recorded ? recorded.manifest : liveManifest} />
      <div className="run-grid">
        <HostState
          reading={recorded ? readings.at(-1) : state.reading}
          previous={recorded ? readings.at(-2) : state.previousReading}
          host={recorded?.manifest.host?.target}
        />
        <div className="wire">
          {recorded ? (
            <RecordedCaptures client={client} runId={recorded.manifest.id} focus={focus}>
              {evidencePane}
            </RecordedCaptures>
          ) : (
            <>
              <CaptureList
                store={live.frames}
                filter={filter}
                onFilterChange={setFilter}
                selected={selected}
                onSelect={setSelected}
                highlight={liveHighlight}
              />
              {evidencePane}
              <FrameDetail frame={selected} load={loadDetail} />
            </>
          )}
        </div>
        <div className="meaning">
          <h2>{t('ui.matrix.title')}</h2>
          <ResultMatrix
            rows={matrix}
            modes={modes}
            slaves={slaves}
            onJump={recorded ? undefined : jump}
            onExplain={explain}
            explained={cell ? explained : undefined}
            steps={steps}
            summaryOptions={summaryOptions}
          />
          <p className="legend">
            <span className="swatch verdict-expected" /> {t('verdict.expected')}{' '}
            <span className="swatch verdict-unexpected" /> {t('verdict.unexpected')}{' '}
            <span className="swatch verdict-not-measurable" /> {t('verdict.not-measurable')}
          </p>
          <SweepPlot planYaml={plan} steps={steps} />
          <CaptureLosses steps={recorded ? recorded.steps : state.steps} />
          <Timeline
            samples={recordedLine ? recordedLine.samples : state.samples}
            sampleCount={recordedLine ? recordedLine.samples.length : state.sampleCount}
            markers={recordedLine ? recordedLine.markers : state.markers}
            bands={recordedLine ? recordedLine.bands : state.bands}
          />
        </div>
      </div>
      {recorded ? (
        <RecordedRunLog key={recorded.manifest.id} client={client} runId={recorded.manifest.id} />
      ) : (
        <LiveRunLog lines={state.log} />
      )}
    </div>
  );
}
