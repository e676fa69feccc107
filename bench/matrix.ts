/**
 * npm run bench:matrix — the full default matrix on the virtual lab: total time beside the sum of the waits no
 * bench can avoid (the probe windows, holding a pull, miimon detection, the netifrc reboot), and their ratio.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BRING_UP_LISTEN_MS } from '../main/engine/runner.js';
import { startRun } from '../main/engine/session.js';
import { VirtualLab } from '../main/lab/lab.js';
import { defaultLabPlan } from '../shared/plan/plan.js';

const instance = process.env.BONDBENCH_BENCH_INSTANCE ?? 'bench';
const lab = new VirtualLab(instance);
const wasUp = await lab.isUp();
if (!wasUp) await lab.up({ log: (line) => console.error(`lab: ${line}`) });
const runsDir = await mkdtemp(join(tmpdir(), 'bondbench-bench-'));
try {
  const plan = defaultLabPlan(instance);
  const started = performance.now();
  const handle = await startRun(plan, { runsDir });
  const outcome = await handle.finished;
  const totalMs = performance.now() - started;
  if (outcome.status !== 'completed') throw new Error(`the run ${outcome.status}: ${outcome.error ?? ''}`);
  const miimon = plan.bond.options.miimon ?? 0;
  let waitsMs = 0;
  for (const step of outcome.steps) {
    const spec = plan.steps.find((s) => step.kind === s.kind && (!('slave' in s) || s.slave === step.slave));
    if (step.kind === 'bring-up') waitsMs += BRING_UP_LISTEN_MS + (step.apply?.rebootMs ?? 0);
    else if (spec?.kind === 'probe') waitsMs += spec.seconds * 1000;
    else if (spec?.kind === 'pull') waitsMs += 500 + spec.holdSeconds * 1000 + miimon;
    else if (spec?.kind === 'plug') waitsMs += spec.settleSeconds * 1000 + miimon;
  }
  const failed = outcome.steps.filter((s) => s.status === 'failed').length;
  console.log(`full default matrix: ${plan.modes.length} modes, ${outcome.steps.length} steps (${failed} failed)`);
  console.log(`total:              ${(totalMs / 1000).toFixed(1)} s`);
  console.log(`unavoidable waits:  ${(waitsMs / 1000).toFixed(1)} s (probe windows, pull holds, miimon, reboot)`);
  console.log(`ratio total/waits:  ${(totalMs / waitsMs).toFixed(2)}`);
} finally {
  await rm(runsDir, { recursive: true, force: true });
  if (!wasUp) await lab.down();
}
