import { act } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { LiveRunLog } from '../../renderer/src/components/RunLog.js';
import { FRAME_LIST_INTERVAL_MS, LiveRun } from '../../renderer/src/state/live.js';
import type { BenchEvent, FrameSummary } from '../../shared/api.js';
import { logEvent } from '../../shared/run/log.js';
import { renderIn } from './render.js';

const frame = (no: number): FrameSummary => ({
  no,
  time: no / 10,
  source: '00:e0:4c:83:07:9c',
  destination: 'Broadcast',
  protocol: 'ARP',
  info: `frame ${no}`,
  port: 'tester0',
  detail: [],
});

/** A LiveRun whose clock and animation frames the test drives. */
function harness() {
  let now = 1_000;
  const frames: (() => void)[] = [];
  const run = new LiveRun(
    () => now,
    (flush) => frames.push(flush),
  );
  let renders = 0;
  run.subscribe(() => renders++);
  return {
    run,
    advance: (ms: number) => {
      now += ms;
    },
    nextFrame: () => {
      for (const flush of frames.splice(0)) flush();
    },
    renders: () => renders,
    send: (...events: BenchEvent[]) => {
      for (const event of events) run.handle(event);
    },
  };
}

describe('LiveRun', () => {
  it('publishes once per animation frame however many events arrive', () => {
    const h = harness();
    h.send({ type: 'run-started', runId: 'r1', totalSteps: 6 });
    for (let i = 0; i < 100; i++)
      h.send({ type: 'frames', runId: 'r1', frames: [frame(i + 1)], dropped: i === 50 ? 2 : 0 });
    expect(h.renders()).toBe(0);
    h.nextFrame();
    expect(h.renders()).toBe(1);
    expect(h.run.frames.all).toHaveLength(100);
    expect(h.run.frames.dropped).toBe(2);
    expect(h.run.getState()).toMatchObject({ runId: 'r1', status: 'running', totalSteps: 6 });
  });

  it('adds new frames to the list at most ten times a second', () => {
    const h = harness();
    h.send(
      { type: 'run-started', runId: 'r1', totalSteps: 1 },
      { type: 'frames', runId: 'r1', frames: [frame(1)], dropped: 0 },
    );
    h.nextFrame();
    expect(h.run.frames.all).toHaveLength(1);
    h.advance(16);
    h.send({ type: 'frames', runId: 'r1', frames: [frame(2)], dropped: 0 });
    h.nextFrame();
    expect(h.run.frames.all).toHaveLength(1);
    h.advance(FRAME_LIST_INTERVAL_MS);
    h.nextFrame();
    expect(h.run.frames.all).toHaveLength(2);
  });

  it('shows new probe samples at most ten times a second, without a render of their own in between', () => {
    const h = harness();
    h.send({ type: 'run-started', runId: 'r1', totalSteps: 1 });
    h.nextFrame();
    const probe = (atMs: number): BenchEvent => ({ type: 'probe', runId: 'r1', sample: { atMs, rttMs: 0.4 } });
    h.send(probe(0));
    h.nextFrame();
    expect(h.run.getState().sampleCount).toBe(1);
    const rendered = h.renders();
    // 100 probes a second, an animation frame every 16 ms: the timeline hears of them once per 100 ms.
    for (let ms = 10; ms < FRAME_LIST_INTERVAL_MS; ms += 10) {
      h.advance(10);
      h.send(probe(ms));
      if (ms % 20 === 0) h.nextFrame();
    }
    expect(h.renders()).toBe(rendered);
    expect(h.run.getState().sampleCount).toBe(1);
    h.advance(10);
    h.nextFrame();
    expect(h.renders()).toBe(rendered + 1);
    expect(h.run.getState().sampleCount).toBe(10);
    expect(h.run.getState().samples).toHaveLength(10);
    // Anything else still shows at the next animation frame, samples so far with it.
    h.send(probe(100), { type: 'log', runId: 'r1', line: 'now' });
    h.nextFrame();
    expect(h.run.getState().log).toEqual([{ line: 'now' }]);
    expect(h.run.getState().samples).toHaveLength(11);
  });

  it('lists frames still waiting under the mode they were captured in, when the next mode begins', () => {
    const h = harness();
    h.send(
      { type: 'run-started', runId: 'r1', totalSteps: 4 },
      { type: 'progress', runId: 'r1', step: 1, totalSteps: 4, label: 'mode balance-rr: bring-up', mode: 'balance-rr' },
      { type: 'frames', runId: 'r1', frames: [frame(1), frame(2), frame(3)], dropped: 0 },
      // The next mode's progress arrives before the animation frame that would have listed those three.
      {
        type: 'progress',
        runId: 'r1',
        step: 3,
        totalSteps: 4,
        label: 'mode active-backup: bring-up',
        mode: 'active-backup',
      },
      { type: 'frames', runId: 'r1', frames: [frame(1), frame(2)], dropped: 0 },
    );
    h.nextFrame();
    expect(h.run.frames.all.map((f) => `${f.mode}#${f.rep}:${f.no}`)).toEqual([
      'balance-rr#1:1',
      'balance-rr#1:2',
      'balance-rr#1:3',
      'active-backup#1:1',
      'active-backup#1:2',
    ]);
  });

  it('labels a capture file with the repetition its bring-up step reports', () => {
    const h = harness();
    const bringUp = (index: number, repetition: number): BenchEvent => ({
      type: 'step',
      runId: 'r1',
      matrix: [],
      step: {
        index,
        repetition,
        mode: 'balance-rr',
        kind: 'bring-up',
        label: 'bring-up',
        startedAt: '',
        durationMs: 1,
        status: 'ok',
      },
    });
    h.send(
      { type: 'run-started', runId: 'r1', totalSteps: 2 },
      { type: 'progress', runId: 'r1', step: 1, totalSteps: 2, label: 'mode balance-rr: bring-up', mode: 'balance-rr' },
      { type: 'frames', runId: 'r1', frames: [frame(1), frame(2)], dropped: 0 },
      bringUp(0, 1),
      { type: 'progress', runId: 'r1', step: 2, totalSteps: 2, label: 'mode balance-rr: bring-up', mode: 'balance-rr' },
      { type: 'frames', runId: 'r1', frames: [frame(1)], dropped: 0 },
      bringUp(1, 2),
      { type: 'frames', runId: 'r1', frames: [frame(2)], dropped: 0 },
    );
    h.nextFrame();
    expect(h.run.frames.all.map((f) => `${f.mode}#${f.rep}:${f.no}`)).toEqual([
      'balance-rr#1:1',
      'balance-rr#1:2',
      'balance-rr#2:1',
      'balance-rr#2:2',
    ]);
  });

  it('puts probe samples and markers on the run’s clock, each step’s offset added', () => {
    const h = harness();
    h.send({ type: 'run-started', runId: 'r1', totalSteps: 2 });
    h.advance(5_000);
    h.send(
      {
        type: 'progress',
        runId: 'r1',
        step: 2,
        totalSteps: 2,
        label: 'pull eth1',
        mode: 'active-backup',
        etaMs: 4_000,
      },
      { type: 'probe', runId: 'r1', sample: { atMs: 10, rttMs: 1.5 } },
      { type: 'probe', runId: 'r1', sample: { atMs: 20, rttMs: null } },
      { type: 'marker', runId: 'r1', atMs: 15, label: 'pull eth1' },
    );
    h.nextFrame();
    const state = h.run.getState();
    expect(state.samples).toEqual([
      { atMs: 5_010, rttMs: 1.5, lane: 'active-backup#1' },
      { atMs: 5_020, rttMs: null, lane: 'active-backup#1' },
    ]);
    expect(state.sampleCount).toBe(2);
    expect(state.markers).toEqual([{ atMs: 5_015, label: 'pull eth1', lane: 'active-backup#1' }]);
    expect(state).toMatchObject({ step: 2, label: 'pull eth1', etaMs: 4_000, etaAt: 6_000 });
  });

  it('ignores another run’s events, follows a new run from its start, and records how a run ended', () => {
    const h = harness();
    h.send(
      { type: 'run-started', runId: 'r1', totalSteps: 2 },
      { type: 'log', runId: 'other', line: 'not ours' },
      { type: 'log', runId: 'r1', line: 'ours' },
      { type: 'run-finished', runId: 'r1', status: 'cancelled' },
    );
    h.nextFrame();
    expect(h.run.getState()).toMatchObject({ runId: 'r1', status: 'cancelled', log: [{ line: 'ours' }] });
    h.send(
      { type: 'run-started', runId: 'r2', totalSteps: 3 },
      { type: 'frames', runId: 'r2', frames: [frame(1)], dropped: 0 },
    );
    h.nextFrame();
    expect(h.run.getState()).toMatchObject({ runId: 'r2', status: 'running', log: [], totalSteps: 3 });
    expect(h.run.frames.all).toHaveLength(1);
  });

  it('keeps each log line’s parts, said in the UI’s language by the log pane', () => {
    const h = harness();
    const part = { key: 'log.host.rebootSent', vars: { host: 'root@10.0.0.2' } };
    h.send({ type: 'run-started', runId: 'r1', totalSteps: 1 }, logEvent('r1', part), {
      type: 'log',
      runId: 'r1',
      line: 'from an older bench',
    });
    h.nextFrame();
    const { log } = h.run.getState();
    expect(log).toEqual([{ line: 'root@10.0.0.2: reboot sent', part }, { line: 'from an older bench' }]);
    const { container, i18n } = renderIn(<LiveRunLog lines={log} />, 'zh-CN');
    expect(container.querySelector('pre')?.textContent).toBe('root@10.0.0.2：已发送重启命令\nfrom an older bench');
    expect(container.querySelector('summary')?.textContent).toContain('2');
    act(() => void i18n.changeLanguage('en'));
    expect(container.querySelector('pre')?.textContent).toBe('root@10.0.0.2: reboot sent\nfrom an older bench');
  });
});
