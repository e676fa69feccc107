/**
 * npm run bench:matrix — the full default matrix on the virtual lab: total time beside the sum of the waits no
 * bench can avoid (the probe windows, the lead-in and hold of a pull, miimon + updelay after a plug, the listen
 * after a bring-up, the netifrc reboot — its boot as measured, less the reboot command's own delay, which is the
 * bench's), their ratio, and where the rest went (each step kind's time beyond its waits, and the time between
 * steps: captures, bring-up commands, the run folder).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BRING_UP_LISTEN_MS, PULL_LEAD_IN_MS } from '../main/engine/runner.js';
import { startRun } from '../main/engine/session.js';
import { REBOOT_COMMAND_DELAY_S } from '../main/host/control.js';
import { VirtualLab } from '../main/lab/lab.js';
import { defaultLabPlan } from '../shared/plan/plan.js';
import { logText } from '../shared/run/log.js';

const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const instance = process.env.BONDBENCH_BENCH_INSTANCE ?? 'bench';
const lab = new VirtualLab(instance);
const wasUp = await lab.isUp();
if (!wasUp) await lab.up({ log: (part) => console.error(`lab: ${logText('en', part)}`) });
const runsDir = await mkdtemp(join(tmpdir(), 'bondbench-bench-'));
try {
  const plan = defaultLabPlan(instance);
  const loadBefore = load();
  const started = performance.now();
  const handle = await startRun(plan, { runsDir });
  const outcome = await handle.finished;
  const totalMs = performance.now() - started;
  if (outcome.status !== 'completed') throw new Error(`the run ${outcome.status}: ${outcome.error ?? ''}`);
  const miimon = plan.bond.options.miimon ?? 0;
  const updelay = plan.bond.options.updelay ?? 0;
  let waitsMs = 0;
  const kinds = new Map<string, { count: number; stepMs: number; waitMs: number }>();
  for (const step of outcome.steps) {
    const spec = plan.steps.find((s) => step.kind === s.kind && (!('slave' in s) || s.slave === step.slave));
    let wait = 0;
    if (step.kind === 'bring-up') {
      const boot = step.apply?.rebootMs;
      // The boot counts from the reboot command, which waits REBOOT_COMMAND_DELAY_S before rebooting.
      const delay = boot !== undefined && step.boot?.via === 'reboot' ? REBOOT_COMMAND_DELAY_S * 1000 : 0;
      wait = BRING_UP_LISTEN_MS + Math.max(0, (boot ?? 0) - delay);
    } else if (spec?.kind === 'probe') wait = spec.seconds * 1000;
    // The hold counts from the pull: the driver's confirmation (about miimon) is inside it.
    else if (spec?.kind === 'pull') wait = PULL_LEAD_IN_MS + spec.holdSeconds * 1000;
    else if (spec?.kind === 'plug') wait = spec.settleSeconds * 1000 + miimon + updelay;
    waitsMs += wait;
    const k = kinds.get(step.kind) ?? { count: 0, stepMs: 0, waitMs: 0 };
    k.count++;
    k.stepMs += step.durationMs;
    k.waitMs += wait;
    kinds.set(step.kind, k);
  }
  const stepsMs = [...kinds.values()].reduce((sum, k) => sum + k.stepMs, 0);
  const failed = outcome.steps.filter((s) => s.status === 'failed').length;
  console.log(`full default matrix: ${plan.modes.length} modes, ${outcome.steps.length} steps (${failed} failed)`);
  console.log(`total:              ${s(totalMs)}`);
  console.log(
    `unavoidable waits:  ${s(waitsMs)} (probe windows, pull lead-in + hold, plug settle + miimon + updelay, bring-up listen, reboot less the command's ${REBOOT_COMMAND_DELAY_S} s delay)`,
  );
  console.log(`ratio total/waits:  ${(totalMs / waitsMs).toFixed(2)}`);
  console.log(`load average before: ${loadBefore}; after: ${load()}`);
  console.log('');
  console.log(
    `${'step kind'.padEnd(12)} ${'steps'.padStart(5)} ${'time'.padStart(9)} ${'waits'.padStart(9)} ${'beyond'.padStart(9)} ${'per step'.padStart(9)}`,
  );
  for (const [kind, k] of kinds) {
    console.log(
      `${kind.padEnd(12)} ${String(k.count).padStart(5)} ${s(k.stepMs).padStart(9)} ${s(k.waitMs).padStart(9)} ${s(k.stepMs - k.waitMs).padStart(9)} ${s((k.stepMs - k.waitMs) / k.count).padStart(9)}`,
    );
  }
  console.log(
    `${'between steps'.padEnd(12)} ${''.padStart(5)} ${s(totalMs - stepsMs).padStart(9)}   (connecting, captures, run folder, restore)`,
  );
} finally {
  // BONDBENCH_BENCH_KEEP=1 keeps the run (log.txt, step records) for a per-phase profile.
  if (process.env.BONDBENCH_BENCH_KEEP) console.log(`run kept in ${runsDir}`);
  else await rm(runsDir, { recursive: true, force: true });
  if (!wasUp) await lab.down();
}
