/**
 * A recorded run's capture file as a list source: the bench indexes the file once and decodes rows on demand
 * (readCapture), so only the windows the list shows are ever fetched — a million-frame file is usable as soon as
 * its first window arrives. Windows are kept in a small cache (most recently used); a display filter runs on the
 * bench, over the whole file, with the list's own filter syntax. Frame numbers are the file's (Wireshark's).
 */
import type { BenchApi, CaptureFileInfo, CapturePage, FrameSummary } from '../../../shared/api.js';
import { type ListedFrame, type ParsedFilter, parseFilter } from '../../../shared/wire/filter.js';
import type { FrameSource } from './source.js';

/** Rows per request: a screenful is ~40, so one window covers many scroll steps. */
export const WINDOW_ROWS = 500;
/** Windows kept in the page (~25 000 rows with their detail layers). */
const KEPT_WINDOWS = 50;

export class RecordedCapture implements FrameSource {
  readonly live = false;
  readonly dropped = 0;
  readonly trimmed = 0;
  count = 0;
  total = 0;
  loading = true;
  error: string | undefined;
  /** Milliseconds from the first request to the first window (index + first rows): the bench's "open" time. */
  openedInMs: number | undefined;
  private version = 0;
  private filterText = '';
  /** Bumped on each filter change: answers to an older filter are dropped. */
  private generation = 0;
  private readonly windows = new Map<number, ListedFrame[]>();
  private readonly requested = new Set<number>();
  private readonly listeners = new Set<() => void>();
  private readonly firstAsked = performance.now();

  constructor(
    private readonly client: Pick<BenchApi, 'readCapture'>,
    readonly runId: string,
    readonly info: CaptureFileInfo,
  ) {
    this.request(0);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  /** The filter now applied (as the bench sees it). */
  get filter(): string {
    return this.filterText;
  }

  row(index: number): ListedFrame | undefined {
    if (index < 0 || (index >= this.count && !this.loading)) return undefined;
    const number = Math.floor(index / WINDOW_ROWS);
    const window = this.windows.get(number);
    if (!window) {
      this.request(number);
      return undefined;
    }
    // Most recently used last.
    this.windows.delete(number);
    this.windows.set(number, window);
    return window[index - number * WINDOW_ROWS];
  }

  indexOf(frame: ListedFrame): number {
    // Unfiltered, row i is frame i + 1; filtered, only the rows fetched can be placed.
    if (!this.filterText.trim()) return frame.no - 1;
    for (const [number, window] of this.windows) {
      const at = window.findIndex((f) => f.no === frame.no);
      if (at >= 0) return number * WINDOW_ROWS + at;
    }
    return -1;
  }

  setFilter(expression: string): ParsedFilter {
    const parsed = parseFilter(expression);
    if (!parsed.ok || expression.trim() === this.filterText.trim()) return parsed;
    this.filterText = expression;
    this.generation++;
    this.windows.clear();
    this.requested.clear();
    this.loading = true;
    this.error = undefined;
    this.request(0);
    this.changed();
    return parsed;
  }

  private request(number: number): void {
    if (this.requested.has(number)) return;
    this.requested.add(number);
    const generation = this.generation;
    this.client
      .readCapture(this.runId, {
        file: this.info.file,
        offset: number * WINDOW_ROWS,
        limit: WINDOW_ROWS,
        filter: this.filterText,
      })
      .then(
        (page) => {
          if (generation !== this.generation) return;
          this.accept(number, page);
        },
        (error: Error) => {
          if (generation !== this.generation) return;
          this.requested.delete(number);
          this.loading = false;
          this.error = error.message;
          this.changed();
        },
      );
  }

  private accept(number: number, page: CapturePage): void {
    this.total = page.total;
    this.count = page.matching;
    this.loading = false;
    this.error = page.filterError;
    this.openedInMs ??= performance.now() - this.firstAsked;
    this.windows.set(
      number,
      page.frames.map((frame) => this.listed(frame)),
    );
    while (this.windows.size > KEPT_WINDOWS) {
      const oldest = this.windows.keys().next().value!;
      this.windows.delete(oldest);
      this.requested.delete(oldest);
    }
    this.changed();
  }

  private listed(frame: FrameSummary): ListedFrame {
    const listed = frame as ListedFrame;
    listed.key = frame.no;
    listed.mode = this.info.mode;
    listed.rep = this.info.repetition ?? 1;
    return listed;
  }

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}
