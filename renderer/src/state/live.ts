/**
 * What the run view shows, fed by the bench's events: progress, steps and the matrix, the host's readings,
 * probe samples and markers on one clock (ms since the run started), the log, and the capture list.
 * Events arrive in bursts (thousands of frames a second); the state is republished at most once per animation
 * frame so React renders once per frame, whatever the event rate, and new frames join the capture list — and new
 * probe samples the timeline — ten times a second (Wireshark's live list updates on a timer too): a list that
 * moves faster cannot be read, and each move costs the page a layout and a paint. Probes come 100 a second, so
 * publishing each frame's few samples re-rendered the whole run view 60 times a second for a line no eye reads
 * that fast (bench:ui's trace: 53 paints a second while following, with the list moving 10 times).
 */
import type { BenchEvent } from '../../../shared/api.js';
import type { HostReading, MatrixRow, ReasonPart, RunStatus, StepRecord } from '../../../shared/run/model.js';
import { FrameStore } from '../capture/store.js';

/** The timeline's lane of a mode's repetition: "active-backup#1". */
export const laneKey = (mode: string, repetition: number) => `${mode}#${repetition}`;

export interface TimelinePoint {
  /** ms since the run started. */
  atMs: number;
  rttMs: number | null;
  /** The mode and repetition it was measured in (laneKey). */
  lane?: string;
}

export interface TimelineMarker {
  atMs: number;
  label: string;
  lane?: string;
}

/** A finished step's span on the run's clock, for the timeline's step bands. */
export interface TimelineBand {
  lane: string;
  fromMs: number;
  toMs: number;
  kind: StepRecord['kind'];
  slave?: string;
  /** The step's index in the run. */
  step: number;
}

export interface LiveState {
  runId?: string;
  status: 'idle' | RunStatus;
  totalSteps: number;
  step: number;
  label?: string;
  /** The running step's kind, slave and sweep point (the progress line says them in the UI's language). */
  stepKind?: string;
  slave?: string;
  point?: string;
  mode?: string;
  etaMs?: number;
  /** Wall time the ETA was given at, to count it down between progress events. */
  etaAt?: number;
  steps: StepRecord[];
  matrix: MatrixRow[];
  reading?: HostReading;
  previousReading?: HostReading;
  /** Appended in place (a run at 100 probes/s makes many); sampleCount changes with it. */
  samples: TimelinePoint[];
  sampleCount: number;
  markers: TimelineMarker[];
  bands: TimelineBand[];
  /** The run log as it came: each line's parts (said in the UI's language) and its English. */
  log: LiveLogLine[];
  error?: string;
}

/** A line of the live run log (BenchEvent 'log'). */
export interface LiveLogLine {
  line: string;
  part?: ReasonPart;
}

const IDLE: LiveState = {
  status: 'idle',
  totalSteps: 0,
  step: 0,
  steps: [],
  matrix: [],
  samples: [],
  sampleCount: 0,
  markers: [],
  bands: [],
  log: [],
};
const MAX_LOG_LINES = 2000;
export const FRAME_LIST_INTERVAL_MS = 100;
const MAX_SAMPLES = 200_000;

type Schedule = (flush: () => void) => void;

const nextFrame: Schedule = (flush) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(flush);
  else setTimeout(flush, 16);
};

export class LiveRun {
  readonly frames = new FrameStore();
  private state: LiveState = IDLE;
  private draft: LiveState = IDLE;
  private pendingFrames: Extract<BenchEvent, { type: 'frames' }>[] = [];
  /** Probe samples appended to the draft's samples since the timeline last saw them (their count since the start). */
  private pendingSamples = false;
  private samplesSeen = 0;
  private scheduled = false;
  private framesAddedAt = Number.NEGATIVE_INFINITY;
  private runStartedAt = 0;
  private stepStartedAt = 0;
  /** The first frame key of each step (by step number), to label a capture file once its bring-up reports. */
  private readonly stepFirstKey = new Map<number, number>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly now: () => number = () => Date.now(),
    private readonly schedule: Schedule = nextFrame,
  ) {}

  getState = (): LiveState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Follows `runId` from now on (startRun's answer may come after the run's first events). */
  follow(runId: string): void {
    if (this.draft.runId === runId) return;
    this.reset(runId, 0);
  }

  handle = (event: BenchEvent): void => {
    if (event.type === 'run-started') {
      this.reset(event.runId, event.totalSteps);
      return;
    }
    if (event.runId !== this.draft.runId) return;
    const d = this.draft;
    switch (event.type) {
      case 'progress':
        this.stepStartedAt = this.now() - this.runStartedAt;
        // Frames still waiting for the next animation frame were captured before this step: list them under the
        // mode they belong to before the next mode's capture file begins.
        this.addPendingFrames();
        this.frames.setMode(event.mode);
        this.stepFirstKey.set(event.step, this.frames.nextKey);
        this.update({
          step: event.step,
          totalSteps: event.totalSteps,
          label: event.label,
          mode: event.mode,
          stepKind: event.stepKind,
          slave: event.slave,
          point: event.point,
          etaMs: event.etaMs,
          etaAt: this.now(),
        });
        break;
      case 'step': {
        const record = event.step;
        // A mode's bring-up opens its capture file: now the repetition of the frames since is known.
        const firstKey = this.stepFirstKey.get(record.index + 1);
        if (record.kind === 'bring-up' && firstKey !== undefined) {
          this.addPendingFrames();
          this.frames.fileStarted(firstKey, record.mode, record.repetition);
        }
        const band: TimelineBand = {
          lane: laneKey(record.mode, record.repetition),
          fromMs: this.stepStartedAt,
          toMs: this.now() - this.runStartedAt,
          kind: record.kind,
          slave: record.slave,
          step: record.index,
        };
        this.update({ steps: [...d.steps, record], matrix: event.matrix, bands: [...d.bands, band] });
        break;
      }
      case 'frames':
        this.pendingFrames.push(event);
        this.scheduleFlush();
        break;
      case 'host':
        this.update({ previousReading: d.reading, reading: event.reading });
        break;
      case 'probe': {
        if (d.samples.length >= MAX_SAMPLES) d.samples.splice(0, MAX_SAMPLES / 2);
        d.samples.push({ atMs: this.stepStartedAt + event.sample.atMs, rttMs: event.sample.rttMs, lane: this.lane() });
        // Published with the next batch of frames (see flush), not on its own.
        this.samplesSeen++;
        this.pendingSamples = true;
        this.scheduleFlush();
        break;
      }
      case 'marker':
        this.update({
          markers: [...d.markers, { atMs: this.stepStartedAt + event.atMs, label: event.label, lane: this.lane() }],
        });
        break;
      case 'log': {
        const log = d.log.length >= MAX_LOG_LINES ? d.log.slice(-MAX_LOG_LINES / 2) : d.log.slice();
        log.push(event.part ? { line: event.line, part: event.part } : { line: event.line });
        this.update({ log });
        break;
      }
      case 'run-finished':
        this.update({ status: event.status, error: event.error, etaMs: undefined, label: undefined });
        break;
    }
  };

  /** The lane of what is being measured now (the capture list knows the mode and repetition). */
  private lane(): string | undefined {
    const { mode, repetition } = this.frames.current;
    return mode ? laneKey(mode, repetition) : undefined;
  }

  private reset(runId: string, totalSteps: number): void {
    this.runStartedAt = this.now();
    this.stepStartedAt = 0;
    this.stepFirstKey.clear();
    this.pendingFrames = [];
    this.pendingSamples = false;
    this.samplesSeen = 0;
    this.frames.clear();
    this.draft = { ...IDLE, runId, status: 'running', totalSteps, samples: [], log: [], bands: [] };
    this.scheduleFlush();
  }

  private update(patch: Partial<LiveState>): void {
    this.draft = { ...this.draft, ...patch };
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  private addPendingFrames(): void {
    if (!this.pendingFrames.length) return;
    const batch = this.pendingFrames;
    this.pendingFrames = [];
    const frames = batch.flatMap((b) => b.frames);
    const dropped = batch.reduce((sum, b) => sum + b.dropped, 0);
    const sampled = batch.reduce((sum, b) => sum + (b.sampled ?? 0), 0);
    this.frames.add(frames, dropped, sampled);
  }

  /** Publishes everything gathered since the last frame; public for tests and for the end of a run. */
  flush(): void {
    this.scheduled = false;
    if (this.pendingFrames.length || this.pendingSamples) {
      const now = this.now();
      if (now - this.framesAddedAt >= FRAME_LIST_INTERVAL_MS) {
        this.addPendingFrames();
        if (this.pendingSamples) this.draft = { ...this.draft, sampleCount: this.samplesSeen };
        this.pendingSamples = false;
        this.framesAddedAt = now;
      } else this.scheduleFlush();
    }
    if (this.state !== this.draft) {
      this.state = this.draft;
      for (const listener of this.listeners) listener();
    }
  }
}
