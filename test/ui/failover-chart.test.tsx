/**
 * The failover chart marks the host's side of a pull when the run recorded its anatomy — both carriers off, then
 * MII down as the bond's monitor saw it — and says so when it did not.
 */
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FailoverChartView } from '../../renderer/src/components/FailoverChart.js';
import type { PullTraffic } from '../../shared/api.js';
import { renderIn } from './render.js';

const traffic: PullTraffic = {
  step: 3,
  slave: 'eth1',
  fromMs: -500,
  toMs: 2000,
  lanes: [{ port: 'tester0', file: 'capture/r1-active-backup.pcapng', replies: [-20, -10, -1, 180, 190] }],
  reactions: [{ atMs: 120, kind: 'gratuitous-arp', port: 'tester0', file: 'capture/r1-active-backup.pcapng', no: 9 }],
  firstReactionMs: 120,
  lastReplyMs: -1,
  firstReplyMs: 180,
  namedFrames: [],
  gapMs: 181,
};

describe('FailoverChartView', () => {
  it('marks carrier off and MII down from the pull’s anatomy', () => {
    const { container } = renderIn(
      <FailoverChartView
        traffic={{ ...traffic, carrierOffMs: 2.5, carrierOffUncertaintyMs: 0.5, confirmedMs: 100, confirmedBy: 'mii' }}
      />,
    );
    const mii = container.querySelector('.moment-mii-down');
    expect(mii?.querySelector('text')?.textContent).toBe('MII down (host)');
    expect(mii?.querySelector('title')?.textContent).toBe('MII down (host): 100.0 ms');
    expect(container.querySelector('.moment-carrier-off title')?.textContent).toBe('carrier off: 2.5 ms');
    // MII down comes after the pull and before the bond's reaction, left to right.
    const x = (selector: string) => Number(container.querySelector(`${selector} line`)?.getAttribute('x1'));
    expect(x('.moment-pull')).toBeLessThan(x('.moment-mii-down'));
    expect(x('.moment-mii-down')).toBeLessThan(x('.moment-reaction'));
    expect(screen.queryByText(/did not record when the host saw MII down/)).toBeNull();
  });

  it('says so when the run recorded no anatomy, and marks carrier-confirmed downs as such, in Chinese too', () => {
    const { container, unmount } = renderIn(<FailoverChartView traffic={traffic} />);
    expect(container.querySelector('.moment-mii-down')).toBeNull();
    expect(screen.getByText(/did not record when the host saw MII down/)).toBeTruthy();
    unmount();
    const zh = renderIn(
      <FailoverChartView traffic={{ ...traffic, carrierOffMs: 0, confirmedMs: 40, confirmedBy: 'carrier' }} />,
      'zh-CN',
    );
    expect(zh.container.querySelector('.moment-mii-down text')?.textContent).toBe('载波 down（主机）');
  });
});
