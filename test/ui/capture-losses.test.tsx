import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FrameStore } from '../../renderer/src/capture/store.js';
import { CaptureList } from '../../renderer/src/components/CaptureList.js';
import { CaptureLosses } from '../../renderer/src/components/CaptureLosses.js';
import type { StepRecord } from '../../shared/run/model.js';
import { renderIn } from './render.js';

const step = (index: number, capture: StepRecord['capture']): StepRecord => ({
  index,
  repetition: 1,
  mode: 'balance-rr',
  kind: 'pull',
  slave: 'eth1',
  label: 'mode balance-rr: pull eth1',
  startedAt: '2026-11-29T18:00:00.000Z',
  durationMs: 1000,
  status: 'ok',
  capture,
});

const loss = { received: 100, written: 100, kernelDropped: 0, interfaceDropped: 0, writerDropped: 0, liveSkipped: 0 };

describe('capture losses in the run view', () => {
  it('lists each file that lost frames in a step, and nothing when none did', () => {
    const { container, unmount } = renderIn(
      <CaptureLosses steps={[step(0, [{ ...loss, file: 'capture/a.pcapng', port: 'tester0' }])]} />,
    );
    expect(container.textContent).toBe('');
    unmount();
    renderIn(
      <CaptureLosses
        steps={[
          step(0, [{ ...loss, file: 'capture/a.pcapng', port: 'tester0' }]),
          step(1, [
            { ...loss, file: 'capture/a.pcapng', port: 'tester0', written: 90, kernelDropped: 4, writerDropped: 6 },
            { ...loss, file: 'capture/a-eth1.pcapng', port: 'tap-eth1', interfaceDropped: 3 },
          ]),
        ]}
      />,
      'zh-CN',
    );
    expect(screen.getByRole('region', { name: '抓包丢失' })).toBeTruthy();
    const items = screen.getAllByRole('listitem').map((li) => li.textContent);
    expect(items).toHaveLength(2);
    expect(items[0]).toContain('capture/a.pcapng（tester0）缺少 100 帧中的 10 帧：内核丢弃 4，写入器丢弃 6');
    expect(items[1]).toContain('tap-eth1 的丢包计数增加了 3');
  });

  it('says when the live list was sampled under overload', () => {
    const store = new FrameStore();
    store.add([], 0, 120_000);
    renderIn(<CaptureList store={store} filter="" onFilterChange={() => undefined} onSelect={() => undefined} />);
    expect(
      screen.getByText(
        /Traffic outran the live list: 120000 frames not shown \(sampled\); every frame is in the capture files\./,
      ),
    ).toBeTruthy();
  });
});
