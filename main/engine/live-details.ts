/**
 * The detail layers of a live run's frames, kept on the bench rather than sent: the live list's rows travel
 * without them (at 10 000 frames/s the layers were most of every `frames` event's JSON, and parsing them held the
 * page under 50 fps), and the detail pane asks for one frame's layers when the user picks it (`frameDetail`).
 * Each delivered row gets `ref`, its number among the run's delivered frames; the last `capacity` frames' layers
 * are kept (at 10 000 frames/s that is the last 5 s; at a probe's 100–1000/s, minutes), for the last few runs.
 * An older frame's layers are in the run's capture file (History → Open).
 */
import type { BenchEvent, FrameLayers, FrameSummary } from '../../shared/api.js';

/** Frames whose layers are kept per run (~1 kB each). */
export const LIVE_DETAIL_FRAMES = 50_000;
/** Runs whose frames are kept: those running at once (one per host) and the last ones finished, newest kept. */
const RUNS_KEPT = 4;

type FramesEvent = Extract<BenchEvent, { type: 'frames' }>;

export class LiveFrameDetails {
  private readonly runs = new Map<string, { next: number; kept: Map<number, FrameLayers> }>();

  constructor(private readonly capacity = LIVE_DETAIL_FRAMES) {}

  /** The event as it goes to the UI: rows without `detail`, each with its `ref`; the layers are kept here. */
  keep(event: FramesEvent): FramesEvent {
    let run = this.runs.get(event.runId);
    if (!run) {
      run = { next: 1, kept: new Map() };
      this.runs.set(event.runId, run);
      // A finished run's rows stay on screen until the next run starts, so its layers stay until then too.
      for (const runId of this.runs.keys()) if (this.runs.size > RUNS_KEPT) this.runs.delete(runId);
    }
    const { kept } = run;
    const frames = event.frames.map((frame): FrameSummary => {
      const ref = run.next++;
      const { detail, ...row } = frame;
      if (detail) kept.set(ref, detail);
      return { ...row, ref };
    });
    // Oldest first out: a Map iterates in insertion order.
    for (const ref of kept.keys()) {
      if (kept.size <= this.capacity) break;
      kept.delete(ref);
    }
    return { ...event, frames };
  }

  /** One frame's layers, or null when the run or the frame is no longer kept. */
  get(runId: string, ref: number): FrameLayers | null {
    return this.runs.get(runId)?.kept.get(ref) ?? null;
  }
}
