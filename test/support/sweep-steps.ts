/** A recorded pull step at a sweep point, with only what the sweep's figures read (tests of the figures and plots). */
import type { ModeName } from '../../shared/plan/plan.js';
import type { StepRecord } from '../../shared/run/model.js';

/** `rate` probes/s; `failoverMs` undefined for a pull whose replies never came back. */
export function sweepPull(
  point: number,
  mode: ModeName,
  failoverMs: number | undefined,
  lost: number,
  rate = 100,
  index = 0,
): StepRecord {
  return {
    index,
    point,
    repetition: 1,
    mode,
    kind: 'pull',
    slave: 'eth1',
    label: 'pull eth1',
    startedAt: '',
    durationMs: 1,
    status: 'ok',
    measurements: {
      probe: { rate, sent: 200, received: 200 - lost, lost, failoverMs, samples: [], markers: [] },
    },
  } as unknown as StepRecord;
}
