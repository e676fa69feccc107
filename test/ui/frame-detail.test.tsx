/**
 * The detail pane of a live row: its layers are fetched from the bench by the row's ref (live rows travel without
 * them); a row whose layers the bench no longer keeps says where they are; a recorded row shows its own.
 */
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { FrameDetail } from '../../renderer/src/components/CaptureList.js';
import type { FrameLayers } from '../../shared/api.js';
import type { ListedFrame } from '../../shared/wire/filter.js';
import { renderIn } from './render.js';

const layers: FrameLayers = [
  ['Frame', [['Number', '7']]],
  ['ICMP', [['Type', 'request']]],
];
const row = (extra: Partial<ListedFrame> = {}): ListedFrame => ({
  no: 7,
  time: 0.007,
  source: '10.77.1.252',
  destination: '10.77.1.253',
  protocol: 'ICMP',
  info: 'Echo request',
  port: 'tester0',
  key: 7,
  rep: 1,
  ref: 42,
  ...extra,
});

describe('FrameDetail', () => {
  it('fetches a live row’s layers by its ref', async () => {
    const load = vi.fn(async (frame: ListedFrame) => (frame.ref === 42 ? layers : null));
    renderIn(<FrameDetail frame={row()} load={load} />);
    await waitFor(() => expect(screen.getByText('ICMP')).toBeTruthy());
    expect(load).toHaveBeenCalledTimes(1);
    expect(screen.getByText('request')).toBeTruthy();
  });

  it('says where the layers are when the bench no longer keeps them, in Chinese too', async () => {
    const { unmount } = renderIn(<FrameDetail frame={row()} load={async () => null} />);
    await waitFor(() => expect(screen.getByText(/last 50 000 frames.*open the run from History/)).toBeTruthy());
    unmount();
    renderIn(<FrameDetail frame={row()} load={async () => null} />, 'zh-CN');
    await waitFor(() => expect(screen.getByText(/最近 50 000 帧/)).toBeTruthy());
  });

  it('shows a recorded row’s own layers without asking', () => {
    const load = vi.fn();
    renderIn(<FrameDetail frame={row({ detail: layers, ref: undefined })} load={load} />);
    expect(screen.getByText('ICMP')).toBeTruthy();
    expect(load).not.toHaveBeenCalled();
  });
});
