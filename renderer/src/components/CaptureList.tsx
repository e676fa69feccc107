/**
 * The capture list in Wireshark's manner: No., Time, Source, Destination, Protocol, Info, ARP classes coloured —
 * of the live run, or of a recorded run's capture file (rows fetched from the bench as they come into view). Only
 * the rows in view exist in the DOM — rows are all one height, so the window is computed from the scroll position
 * in constant time, however many frames there are (a general virtualiser re-measures every row whenever the
 * count changes, which at 10 000 frames a second is most of the page's time) — so it stays fluid at thousands of
 * frames a second and at a million recorded frames; a live list follows the newest frame while scrolled to the bottom, like
 * Wireshark's auto-scroll. Frames a matrix cell names are highlighted, and the list scrolls to them.
 */
import type { ReactNode } from 'react';
import { useCallback, useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import type { FrameLayers } from '../../../shared/api.js';
import type { FilterProblem, ListedFrame } from '../../../shared/wire/filter.js';
import type { FrameSource } from '../capture/source.js';
import { formatCaptureTime } from '../format.js';

export const ROW_HEIGHT = 22;
/** Rows drawn beyond each edge of the view, so a small scroll shows rows at once. */
const OVERSCAN = 20;

export interface CaptureListProps {
  store: FrameSource;
  filter: string;
  onFilterChange: (filter: string) => void;
  selected?: ListedFrame;
  onSelect: (frame: ListedFrame) => void;
  /** Frame numbers to highlight (the evidence of a matrix cell). */
  highlight?: ReadonlySet<number>;
  /** Scrolls so this row is in view; `seq` changes for each request, so the same row can be asked for again. */
  scrollTo?: { index: number; seq: number };
  /** Shown at the start of the toolbar (a recorded run's file picker). */
  toolbar?: ReactNode;
}

export function CaptureList({
  store,
  filter,
  onFilterChange,
  selected,
  onSelect,
  highlight,
  scrollTo,
  toolbar,
}: CaptureListProps) {
  const { t } = useTranslation();
  useSyncExternalStore(store.subscribe, store.getVersion);
  const [problem, setProblem] = useState<FilterProblem>();
  // Said at render, so the message follows the language.
  const error = problem ? t(problem.key, problem.vars ?? {}) : undefined;
  const [follow, setFollow] = useState(store.live);
  const scroller = useRef<HTMLDivElement>(null);
  const count = store.count;

  useEffect(() => {
    const parsed = store.setFilter(filter);
    setProblem(parsed.ok ? undefined : parsed.problem);
  }, [store, filter]);

  // The window: which rows are in view, from the scroll position and the list's height.
  const [view, setView] = useState({ top: 0, height: 0 });
  const measure = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    setView((v) =>
      v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight },
    );
  }, []);
  useLayoutEffect(() => {
    measure();
    const el = scroller.current;
    if (!el || typeof ResizeObserver !== 'function') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [measure]);

  // Following: one scroll write per update, after the list has its new height.
  // biome-ignore lint/correctness/useExhaustiveDependencies: count is the trigger
  useLayoutEffect(() => {
    const el = scroller.current;
    // The window below already shows the newest rows while following; the scroll event only confirms it.
    if (follow && store.live && el) el.scrollTop = el.scrollHeight;
  }, [follow, count, store.live, measure]);

  // Rows are all the same height: the row's place is exact, no measuring loop needed.
  // biome-ignore lint/correctness/useExhaustiveDependencies: seq is the trigger; count makes a not-yet-counted row reachable
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!scrollTo || !el || scrollTo.index < 0 || scrollTo.index >= count) return;
    setFollow(false);
    el.scrollTop = Math.max(0, ROW_HEIGHT + scrollTo.index * ROW_HEIGHT - el.clientHeight / 3);
    measure();
  }, [scrollTo?.seq, count > (scrollTo?.index ?? 0)]);

  // Following, the view is the list's end whatever the last scroll event said (it lags one update behind).
  const top = follow && store.live ? Math.max(0, (count + 1) * ROW_HEIGHT - view.height) : view.top;
  // Following, no one sees the rows above the view before scrolling (which stops following): each update lays out
  // only the rows in view, not 20 more that every update replaces.
  const following = follow && store.live;
  const firstRow = Math.max(0, Math.floor(top / ROW_HEIGHT) - (following ? 1 : OVERSCAN));
  const lastRow = Math.min(count, Math.ceil((top + view.height) / ROW_HEIGHT) + OVERSCAN);
  // A row's element is a slot, not its frame: when the window moves, rows still in it keep theirs and are left
  // alone, and the elements of rows that left are reused for those that came, with new text — instead of every row
  // unmounted and made anew each time the list follows (bench:ui's profile).
  const slotOf = useRef(new Map<number, number>());
  const slots = new Map<number, number>();
  const taken = new Set<number>();
  for (let index = firstRow; index < lastRow; index++) {
    const slot = slotOf.current.get(index);
    if (slot !== undefined) {
      slots.set(index, slot);
      taken.add(slot);
    }
  }
  for (let index = firstRow, free = 0; index < lastRow; index++) {
    if (slots.has(index)) continue;
    while (taken.has(free)) free++;
    slots.set(index, free);
    taken.add(free);
  }
  slotOf.current = slots;
  const scrollToRow = (index: number) => {
    const el = scroller.current;
    if (!el) return;
    const top = index * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + 2 * ROW_HEIGHT > el.scrollTop + el.clientHeight)
      el.scrollTop = top + 2 * ROW_HEIGHT - el.clientHeight;
    measure();
  };

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    measure();
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 2;
    if (atBottom !== follow) setFollow(atBottom);
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const at = selected ? store.indexOf(selected) : -1;
    const index = Math.min(count - 1, Math.max(0, at + (event.key === 'ArrowDown' ? 1 : -1)));
    const next = store.row(index);
    if (next) {
      onSelect(next);
      scrollToRow(index);
    }
  };

  return (
    <section className="capture" aria-label={t('ui.capture.title')}>
      <div className="capture-toolbar">
        {toolbar}
        <input
          className={`filter${error ? ' invalid' : filter.trim() ? ' valid' : ''}`}
          type="search"
          spellCheck={false}
          value={filter}
          placeholder={t('ui.capture.filterPlaceholder')}
          aria-label={t('ui.capture.filter')}
          aria-invalid={error ? true : undefined}
          title={t('ui.capture.filterHelp')}
          onChange={(event) => onFilterChange(event.target.value)}
        />
        {store.live ? (
          <label className="follow">
            <input type="checkbox" checked={follow} onChange={(event) => setFollow(event.target.checked)} />
            {t('ui.capture.follow')}
          </label>
        ) : null}
      </div>
      {error || store.error ? (
        <p className="filter-error" role="alert">
          {error ?? store.error}
        </p>
      ) : null}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the list takes focus so the arrow keys move the selection */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: same: the arrow keys move the selection */}
      <div className="capture-rows" ref={scroller} onScroll={onScroll} tabIndex={0} onKeyDown={onKeyDown}>
        <table className="capture-table" aria-label={t('ui.capture.frames')} aria-rowcount={count + 1}>
          <thead>
            <tr className="capture-head">
              <th scope="col">{t('ui.capture.no')}</th>
              <th scope="col">{t('ui.capture.time')}</th>
              <th scope="col">{t('ui.capture.source')}</th>
              <th scope="col">{t('ui.capture.destination')}</th>
              <th scope="col">{t('ui.capture.protocol')}</th>
              <th scope="col">{t('ui.capture.info')}</th>
            </tr>
          </thead>
          <tbody style={{ height: count * ROW_HEIGHT }}>
            {Array.from({ length: Math.max(0, lastRow - firstRow) }, (_, k) => {
              const index = firstRow + k;
              const frame = store.row(index);
              const style = { height: ROW_HEIGHT, transform: `translateY(${index * ROW_HEIGHT}px)` };
              if (!frame) {
                return (
                  <tr key={slots.get(index)} aria-rowindex={index + 2} className="capture-row loading" style={style}>
                    <td colSpan={6}>…</td>
                  </tr>
                );
              }
              const marked = highlight?.has(frame.no) ?? false;
              return (
                <tr
                  key={slots.get(index)}
                  aria-rowindex={index + 2}
                  aria-selected={frame === selected}
                  className={`capture-row${frame.tag ? ` tag-${frame.tag}` : ''}${frame === selected ? ' selected' : ''}${marked ? ' evidence' : ''}`}
                  style={style}
                  data-no={frame.no}
                  data-evidence={marked ? 'yes' : undefined}
                  onClick={() => onSelect(frame)}
                >
                  <td>{frame.no}</td>
                  <td>{formatCaptureTime(frame.time)}</td>
                  <td>{frame.source}</td>
                  <td>{frame.destination}</td>
                  <td>{frame.protocol}</td>
                  <td>{frame.info}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="capture-status">
        {store.loading ? `${t('analysis.capture.loading')} · ` : ''}
        {t('ui.capture.count', { shown: count, total: store.total })}
        {store.dropped > 0 ? ` · ${t('ui.capture.dropped', { count: store.dropped })}` : ''}
        {store.sampled ? ` · ${t('captureLoss.sampled', { count: store.sampled })}` : ''}
        {store.trimmed > 0 ? ` · ${t('ui.capture.trimmed', { count: store.trimmed })}` : ''}
      </p>
    </section>
  );
}

/**
 * The picked frame's layers. A recorded row carries them; a live row is fetched from the bench by `load` (the live
 * list's rows travel without them), and says so when the bench no longer keeps them.
 */
export function FrameDetail({
  frame,
  load,
}: {
  frame?: ListedFrame;
  load?: (frame: ListedFrame) => Promise<FrameLayers | null>;
}) {
  const { t } = useTranslation();
  const [fetched, setFetched] = useState<{ frame: ListedFrame; layers: FrameLayers | null | Error }>();
  useEffect(() => {
    if (!frame || frame.detail || !load) return;
    let current = true;
    load(frame).then(
      (layers) => current && setFetched({ frame, layers }),
      (error: Error) => current && setFetched({ frame, layers: error }),
    );
    return () => {
      current = false;
    };
  }, [frame, load]);
  if (!frame) return <section className="frame-detail empty">{t('ui.capture.pickFrame')}</section>;
  const answer = frame.detail ?? (fetched?.frame === frame ? fetched.layers : undefined);
  return (
    <section className="frame-detail" aria-label={t('ui.capture.detail')}>
      <h3>
        {t('ui.capture.frameTitle', { no: frame.no, port: frame.port })}
        {frame.mode ? ` · ${frame.mode}${frame.rep > 1 ? ` #${frame.rep}` : ''}` : ''}
      </h3>
      {answer === undefined ? <p className="subtle">{t('ui.capture.detailLoading')}</p> : null}
      {answer === null ? <p className="subtle">{t('ui.capture.detailGone')}</p> : null}
      {answer instanceof Error ? (
        <p className="error" role="alert">
          {answer.message}
        </p>
      ) : null}
      {Array.isArray(answer)
        ? answer.map(([layer, fields]) => (
            <details key={layer} open>
              <summary>{layer}</summary>
              <dl>
                {fields.map(([name, value], i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: fields repeat (VLAN tags) and never reorder
                  <div key={`${name}${i}`}>
                    <dt>{name}</dt>
                    <dd>{value}</dd>
                  </div>
                ))}
              </dl>
            </details>
          ))
        : null}
    </section>
  );
}
