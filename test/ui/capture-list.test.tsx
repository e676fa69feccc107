import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FrameStore } from '../../renderer/src/capture/store.js';
import { CaptureList, FrameDetail, ROW_HEIGHT } from '../../renderer/src/components/CaptureList.js';
import type { FrameSummary } from '../../shared/api.js';
import { frameNumbersTerm, type ListedFrame, parseFilter } from '../../shared/wire/filter.js';
import { renderIn } from './render.js';

const VIEWPORT = 440;

// jsdom lays nothing out and cannot scroll: give the list's scroller the height and scrolling a browser would.
let restore: () => void;
beforeAll(() => {
  const original = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight');
  const originalScrollHeight = Object.getOwnPropertyDescriptor(Element.prototype, 'scrollHeight');
  const originalScrollTo = Element.prototype.scrollTo;
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('capture-rows') ? VIEWPORT : 0;
    },
  });
  // The scroller's content is as tall as the list says it is.
  Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
    configurable: true,
    get(this: HTMLElement) {
      const inner = this.querySelector('tbody');
      return this.classList.contains('capture-rows') && inner ? Number.parseFloat(inner.style.height) || 0 : 0;
    },
  });
  Element.prototype.scrollTo = function (this: Element, options?: ScrollToOptions | number) {
    if (typeof options === 'object' && options.top !== undefined) this.scrollTop = options.top;
    this.dispatchEvent(new Event('scroll'));
  } as Element['scrollTo'];
  restore = () => {
    if (original) Object.defineProperty(HTMLElement.prototype, 'clientHeight', original);
    delete (HTMLElement.prototype as { scrollHeight?: number }).scrollHeight;
    if (originalScrollHeight) Object.defineProperty(Element.prototype, 'scrollHeight', originalScrollHeight);
    Element.prototype.scrollTo = originalScrollTo;
  };
});
afterAll(() => restore());

/** The write-up's ping exchange, repeated: ARP request/reply, echo request/reply, and a probe every 50 frames. */
function frames(count: number, from = 1): FrameSummary[] {
  return Array.from({ length: count }, (_, i) => {
    const no = from + i;
    const kind = no % 50 === 0 ? 'probe' : (['request', 'reply', 'echo-request', 'echo-reply'] as const)[no % 4]!;
    const arp = kind === 'probe' || kind === 'request' || kind === 'reply';
    return {
      no,
      time: no / 1000,
      source: kind === 'reply' || kind === 'echo-reply' || kind === 'probe' ? '00:e0:4c:83:07:9c' : '00:e0:6f:08:53:9a',
      destination: kind === 'probe' || kind === 'request' ? 'Broadcast' : '10.77.1.252',
      protocol: arp ? 'ARP' : 'ICMP',
      info: kind === 'probe' ? 'Who has 10.77.1.253? Tell 0.0.0.0' : `${kind} ${no}`,
      tag: kind,
      port: no % 2 ? 'tester0' : 'tap-eth1',
      detail: [['Frame', [['Number', String(no)]]]],
    };
  });
}

function Harness({ store, onSelect }: { store: FrameStore; onSelect?: (f: ListedFrame) => void }) {
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<ListedFrame>();
  return (
    <>
      <CaptureList
        store={store}
        filter={filter}
        onFilterChange={setFilter}
        selected={selected}
        onSelect={(f) => {
          setSelected(f);
          onSelect?.(f);
        }}
      />
      <FrameDetail frame={selected} />
    </>
  );
}

const rows = () => screen.getAllByRole('row').filter((r) => r.classList.contains('capture-row'));

describe('CaptureList', () => {
  it('renders only a window of a large capture, following the newest frame', async () => {
    const store = new FrameStore();
    store.setMode('balance-rr');
    store.add(frames(20_000));
    renderIn(<Harness store={store} />);
    const shown = rows();
    expect(shown.length).toBeGreaterThan(VIEWPORT / ROW_HEIGHT - 1);
    expect(shown.length).toBeLessThan(VIEWPORT / ROW_HEIGHT + 2 * 20 + 2);
    expect(screen.getByRole('table', { name: 'Captured frames' }).getAttribute('aria-rowcount')).toBe('20001');
    // Following the capture: the window moves to the newest frame.
    await waitFor(() => expect(rows().map((r) => Number(r.dataset.no))).toContain(20_000));
    expect(rows().length).toBeLessThan(VIEWPORT / ROW_HEIGHT + 2 * 20 + 2);
    expect(screen.getByText('20000 of 20000 frames shown')).toBeTruthy();
  });

  it('keeps up with batches as they arrive', async () => {
    const store = new FrameStore();
    store.setMode('balance-rr');
    renderIn(<Harness store={store} />);
    for (let batch = 0; batch < 10; batch++) act(() => store.add(frames(1000, batch * 1000 + 1)));
    expect(screen.getByText('10000 of 10000 frames shown')).toBeTruthy();
    await waitFor(() => expect(rows().map((r) => Number(r.dataset.no))).toContain(10_000));
    expect(rows().length).toBeLessThan(VIEWPORT / ROW_HEIGHT + 2 * 20 + 2);
    // Ten renders of a list in jsdom: seconds on a loaded 2-core machine.
  }, 20_000);

  it('following, draws only the rows in view and reuses row elements as the list moves', async () => {
    const store = new FrameStore();
    store.setMode('balance-rr');
    store.add(frames(5_000));
    renderIn(<Harness store={store} />);
    await waitFor(() => expect(rows().map((r) => Number(r.dataset.no))).toContain(5_000));
    // The view and one row above it: no overscan that every update would replace.
    expect(rows().length).toBeLessThanOrEqual(Math.ceil(VIEWPORT / ROW_HEIGHT) + 2);
    const before = new Set(rows());
    act(() => store.add(frames(1000, 5_001)));
    await waitFor(() => expect(rows().map((r) => Number(r.dataset.no))).toContain(6_000));
    // The same elements, with the new frames' text in them.
    expect(rows().filter((r) => before.has(r)).length).toBe(rows().length);
    expect(rows().map((r) => Number(r.dataset.no))).not.toContain(5_000);
    // Scrolled up (no longer following): rows beyond each edge are drawn again, for a smooth scroll.
    const scroller = document.querySelector('.capture-rows') as HTMLElement;
    act(() => {
      scroller.scrollTop = 3_000 * ROW_HEIGHT;
      scroller.dispatchEvent(new Event('scroll'));
    });
    await waitFor(() => expect(rows().map((r) => Number(r.dataset.no))).toContain(3_001));
    expect(rows().length).toBeGreaterThan(Math.ceil(VIEWPORT / ROW_HEIGHT) + 20);
    expect(rows().map((r) => Number(r.dataset.no))).toContain(2_990);
  });

  it('filters by tag, protocol, address, frame numbers and negation, and colours ARP classes', () => {
    const store = new FrameStore();
    store.setMode('active-backup');
    store.add(frames(1000));
    renderIn(<Harness store={store} />);
    const filter = screen.getByRole('searchbox', { name: 'Display filter' });

    fireEvent.change(filter, { target: { value: 'tag:probe' } });
    expect(screen.getByText('20 of 1000 frames shown')).toBeTruthy();
    expect(rows().every((r) => r.classList.contains('tag-probe'))).toBe(true);

    fireEvent.change(filter, { target: { value: 'proto:arp !tag:probe addr:00:e0:4c' } });
    expect(screen.getByText('250 of 1000 frames shown')).toBeTruthy();
    expect(rows().every((r) => r.classList.contains('tag-reply'))).toBe(true);

    fireEvent.change(filter, { target: { value: 'mode:active-backup rep:1 no:3,17,40-42' } });
    expect(rows().map((r) => Number(r.dataset.no))).toEqual([3, 17, 40, 41, 42]);

    fireEvent.change(filter, { target: { value: 'mode:balance-rr no:3' } });
    expect(rows()).toHaveLength(0);

    fireEvent.change(filter, { target: { value: 'Tell 0.0.0.0' } });
    expect(screen.getByText('20 of 1000 frames shown')).toBeTruthy();
  });

  it('says what is wrong with a bad filter and keeps the last good one', () => {
    const store = new FrameStore();
    store.add(frames(100));
    renderIn(<Harness store={store} />);
    const filter = screen.getByRole('searchbox', { name: 'Display filter' });
    fireEvent.change(filter, { target: { value: 'tag:probe' } });
    fireEvent.change(filter, { target: { value: 'tag:probe colour:red' } });
    expect(screen.getByRole('alert').textContent).toContain('unknown filter "colour:"');
    expect(filter.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('2 of 100 frames shown')).toBeTruthy();
    fireEvent.change(filter, { target: { value: 'no:9-3' } });
    expect(screen.getByRole('alert').textContent).toContain('runs backwards');
  });

  it('says a bad filter in Chinese in the Chinese UI', () => {
    const store = new FrameStore();
    store.add(frames(10));
    renderIn(<Harness store={store} />, 'zh-CN');
    const filter = screen.getByRole('searchbox');
    fireEvent.change(filter, { target: { value: 'no:9-3' } });
    expect(screen.getByRole('alert').textContent).toBe('no: 范围 9-3 的起止颠倒了');
    fireEvent.change(filter, { target: { value: 'colour:red' } });
    expect(screen.getByRole('alert').textContent).toMatch(/^未知的过滤键 "colour:"：请使用 proto: /);
  });

  it('shows a clicked frame’s decoded layers', () => {
    const store = new FrameStore();
    store.setMode('broadcast');
    store.add(frames(30));
    const onSelect = vi.fn();
    renderIn(<Harness store={store} onSelect={onSelect} />);
    fireEvent.change(screen.getByRole('searchbox'), { target: { value: 'no:25' } });
    fireEvent.click(rows()[0]!);
    expect(onSelect).toHaveBeenCalledWith(expect.objectContaining({ no: 25, mode: 'broadcast', rep: 1 }));
    expect(screen.getByRole('region', { name: 'Frame detail' }).textContent).toContain('Frame 25 on tester0');
    expect(rows()[0]!.getAttribute('aria-selected')).toBe('true');
  });
});

describe('frameNumbersTerm', () => {
  it('folds evidence frame numbers into a no: term the filter reads back', () => {
    const term = frameNumbersTerm([9, 1, 2, 3, 3, 7]);
    expect(term).toBe('no:1-3,7,9');
    const filter = parseFilter(term);
    if (!filter.ok) throw new Error(filter.error);
    const store = new FrameStore();
    store.add(frames(10));
    expect(store.all.filter(filter.test).map((f) => f.no)).toEqual([1, 2, 3, 7, 9]);
  });
});

describe('FrameStore', () => {
  it('starts a new capture file when the mode changes, and counts repetitions per mode', () => {
    const store = new FrameStore();
    store.setMode('balance-rr');
    // Several capture ports: numbers of one file do not arrive in order.
    store.add([...frames(3, 4), ...frames(3)]);
    store.setMode('active-backup');
    store.add(frames(2));
    store.setMode('balance-rr');
    store.add(frames(1));
    expect(store.all.map((f) => `${f.mode}#${f.rep}:${f.no}`)).toEqual([
      'balance-rr#1:4',
      'balance-rr#1:5',
      'balance-rr#1:6',
      'balance-rr#1:1',
      'balance-rr#1:2',
      'balance-rr#1:3',
      'active-backup#1:1',
      'active-backup#1:2',
      'balance-rr#2:1',
    ]);
    expect(new Set(store.all.map((f) => f.key)).size).toBe(9);
  });

  it('relabels a capture file once its bring-up reports the repetition, and refilters', () => {
    const store = new FrameStore();
    store.setMode('broadcast');
    store.add(frames(2));
    const firstKey = store.nextKey;
    store.add(frames(3));
    store.setFilter('mode:broadcast rep:2');
    expect(store.visible).toHaveLength(0);
    // One mode repeated: no change of mode marks the second file; its bring-up record does.
    store.fileStarted(firstKey, 'broadcast', 2);
    expect(store.all.map((f) => f.rep)).toEqual([1, 1, 2, 2, 2]);
    expect(store.visible.map((f) => f.no)).toEqual([1, 2, 3]);
    store.add(frames(1, 4));
    expect(store.all.at(-1)).toMatchObject({ mode: 'broadcast', rep: 2, no: 4 });
    expect(store.visible).toHaveLength(4);
  });

  it('lets the oldest frames go past its limit and says how many', () => {
    const store = new FrameStore(1000);
    store.setFilter('tag:probe');
    store.add(frames(1500));
    expect(store.all.length).toBeLessThanOrEqual(1000);
    expect(store.all.at(-1)!.no).toBe(1500);
    expect(store.trimmed + store.all.length).toBe(1500);
    expect(store.visible.every((f) => f.key >= store.all[0]!.key)).toBe(true);
    expect(store.visible.map((f) => f.no)).toEqual(store.all.filter((f) => f.tag === 'probe').map((f) => f.no));
  });
});
