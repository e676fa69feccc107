/**
 * The live capture list's memory: every frame the bench reported, in arrival order, and the ones the display
 * filter lets through — kept up to date incrementally, so a batch of a thousand frames costs a thousand filter
 * tests, not a re-filter of the whole run. Frame numbers restart with each capture file (one per mode and
 * repetition) and, with several capture ports, do not arrive in order; so the store labels each frame with the
 * mode and repetition it was captured in — provisionally from progress, exactly once the mode's bring-up step
 * reports its repetition — for evidence jumps (mode: rep: no:).
 */
import type { FrameSummary } from '../../../shared/api.js';
import { type ListedFrame, type ParsedFilter, parseFilter } from '../../../shared/wire/filter.js';
import type { FrameSource } from './source.js';

/** Beyond this the oldest frames leave the list (they stay in the run's pcapng files). */
export const MAX_LISTED_FRAMES = 250_000;

export class FrameStore implements FrameSource {
  readonly live = true;
  readonly all: ListedFrame[] = [];
  visible: ListedFrame[] = [];
  /** Frames the bench or the transport could not deliver, and frames trimmed from the front. */
  dropped = 0;
  /** Frames the tester's live view skipped under overload (sampled); the capture files have them. */
  sampled = 0;
  trimmed = 0;
  private filter: ParsedFilter = parseFilter('');
  private key = 1;
  private mode: string | undefined;
  private rep = 1;
  private filterText = '';
  private readonly seenFiles = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  /** Bumped on every change: a snapshot for useSyncExternalStore. */
  version = 0;

  constructor(private readonly limit = MAX_LISTED_FRAMES) {}

  get count(): number {
    return this.visible.length;
  }

  get total(): number {
    return this.all.length + this.trimmed;
  }

  row(index: number): ListedFrame | undefined {
    return this.visible[index];
  }

  indexOf(frame: ListedFrame): number {
    return this.visible.indexOf(frame);
  }

  /** The mode and repetition being captured now. */
  get current(): { mode?: string; repetition: number } {
    return { mode: this.mode, repetition: this.rep };
  }

  /** The key the next frame will get. */
  get nextKey(): number {
    return this.key;
  }

  /** The mode now being captured (from progress): a change of mode means a new capture file. */
  setMode(mode: string): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.rep = (this.seenFiles.get(mode) ?? 0) + 1;
    this.seenFiles.set(mode, this.rep);
  }

  /** The capture file that began with frame `fromKey` is this mode's `repetition`: relabels what came since. */
  fileStarted(fromKey: number, mode: string, repetition: number): void {
    this.mode = mode;
    this.rep = repetition;
    this.seenFiles.set(mode, Math.max(repetition, this.seenFiles.get(mode) ?? 0));
    let changed = false;
    for (let i = this.indexOfKey(fromKey); i < this.all.length; i++) {
      const frame = this.all[i]!;
      if (frame.mode !== mode || frame.rep !== repetition) {
        frame.mode = mode;
        frame.rep = repetition;
        changed = true;
      }
    }
    if (changed) this.setFilter(this.filterText);
  }

  add(frames: readonly FrameSummary[], dropped = 0, sampled = 0): void {
    const pass = this.filter.ok ? this.filter.test : () => false;
    for (const frame of frames) {
      const listed = frame as ListedFrame;
      listed.key = this.key++;
      listed.mode = this.mode;
      listed.rep = this.rep;
      this.all.push(listed);
      if (pass(listed)) this.visible.push(listed);
    }
    this.dropped += dropped;
    this.sampled += sampled;
    if (this.all.length > this.limit) this.trim();
    this.changed();
  }

  /** Sets the display filter; returns the parse error, if any (the list then shows nothing new). */
  setFilter(expression: string): ParsedFilter {
    const filter = parseFilter(expression);
    if (!filter.ok) return filter;
    this.filter = filter;
    this.filterText = expression;
    this.visible = filter.empty ? this.all.slice() : this.all.filter(filter.test);
    this.changed();
    return filter;
  }

  clear(): void {
    this.all.length = 0;
    this.visible = [];
    this.dropped = 0;
    this.sampled = 0;
    this.trimmed = 0;
    this.mode = undefined;
    this.rep = 1;
    this.seenFiles.clear();
    this.changed();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  /** The index in `all` of the first frame with key ≥ `key` (keys ascend). */
  private indexOfKey(key: number): number {
    let lo = 0;
    let hi = this.all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.all[mid]!.key < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private trim(): void {
    const cut = this.all.length - Math.floor(this.limit * 0.9);
    const firstKept = this.all[cut]!.key;
    this.all.splice(0, cut);
    this.trimmed += cut;
    let i = 0;
    while (i < this.visible.length && this.visible[i]!.key < firstKept) i++;
    if (i > 0) this.visible.splice(0, i);
  }

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}
