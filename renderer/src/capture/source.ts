/**
 * What the capture list shows rows from: the live run's frames, all in the page (capture/store.ts), or a recorded
 * run's capture file, fetched from the bench a window at a time (capture/recorded.ts). The list asks for rows by
 * position; a source that does not have a row yet answers undefined and fetches it, then notifies.
 */
import type { ListedFrame, ParsedFilter } from '../../../shared/wire/filter.js';

export interface FrameSource {
  subscribe(listener: () => void): () => void;
  /** Bumped on every change: a snapshot for useSyncExternalStore. */
  getVersion(): number;
  /** Rows the display filter lets through. */
  readonly count: number;
  /** The row at `index` (0-based among the filtered rows), or undefined while it is being fetched. */
  row(index: number): ListedFrame | undefined;
  /** Where a row is in the filtered list, or -1. */
  indexOf(frame: ListedFrame): number;
  /** Applies a display filter; returns the parse error at once if it does not parse. */
  setFilter(expression: string): ParsedFilter;
  /** A live source grows while the run goes on, and the list can follow its newest row. */
  readonly live: boolean;
  /** Frames in all (before the filter, including those trimmed from a live list's front). */
  readonly total: number;
  /** Frames the bench or the transport could not deliver, and frames trimmed from the front. */
  readonly dropped: number;
  /** Frames the tester's live view skipped under overload (sampled; the capture files have them). */
  readonly sampled?: number;
  readonly trimmed: number;
  /** Rows are being fetched (a recorded file being indexed or filtered). */
  readonly loading?: boolean;
  /** The bench could not give the rows. */
  readonly error?: string;
}
