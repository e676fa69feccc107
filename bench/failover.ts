/**
 * npm run bench:failover — how close is each pull's outage, as the bench reports it, to the outage an independent
 * `tcpdump -w` of the tester port shows? On the virtual lab: active-backup and balance-alb, each slave pulled in
 * turn (≥ 10 pulls a mode) with the probe at 1000 requests/s, while tcpdump captures the tester port beside the
 * bench's own capture. For each pull the reference is computed from tcpdump's file alone, the way the anatomy
 * defines it: the requests sent from the pull until the cable went back that never got a reply are the outage's;
 * the last reply before is the reply to the last answered request sent before the first lost one, the first reply
 * after the earliest reply to a request sent after the last lost one. The bench's figure is the step record's
 * anatomy (`outageMs`, last reply before → first reply after). Prints |bench − tcpdump| p50/p95/max per mode and
 * overall (target ≤ 1 ms p95), and the machine's load. Under each of the probe sender's ARP policies in turn
 * (`os-like`, then `passive`: one run and one tcpdump file each), since the policy decides how a balance-alb
 * outage ends; `--policy` picks one.
 *
 *   npx tsx bench/failover.ts [--instance NAME] [--cycles 6] [--policy both|os-like|passive] [--keep]
 * (root; brings the lab instance up when it is not, and down again after)
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startRun } from '../main/engine/session.js';
import { VirtualLab } from '../main/lab/lab.js';
import { LAB_NETWORK, namespaceName } from '../shared/lab/topology.js';
import type { PullAnatomy } from '../shared/measure/anatomy.js';
import { type ArpPolicy, defaultLabPlan, type ModeName, type StepSpec } from '../shared/plan/plan.js';
import { logText } from '../shared/run/log.js';
import { percentile, spread } from '../shared/run/stats.js';
import type { FilePacket } from '../shared/wire/capture-file.js';
import { decodeFrame } from '../shared/wire/decode.js';
import { readPackets, startTcpdump } from './tcpdump.js';

const MODES: ModeName[] = ['active-backup', 'balance-alb'];
/** Longer than balance-alb's longest wait for its ARP update (miimon + ALB tick + RLB_UPDATE_DELAY). */
const HOLD_SECONDS = 3;
const SETTLE_SECONDS = 2;

interface Echo {
  key: string;
  atMs: number;
}

/**
 * The probe's echo requests and the bond's replies on the tester port, by identifier:sequence, times in ms, and
 * the median round trip.
 */
function echoes(packets: readonly FilePacket[], testerIp: string, bondIp: string) {
  const requests: Echo[] = [];
  const replies: Echo[] = [];
  for (const p of packets) {
    const f = decodeFrame(p.data);
    const echo = f.icmp?.echo;
    if (!echo || !f.ipv4) continue;
    const atMs = p.time.sec * 1000 + p.time.nsec / 1e6;
    const key = `${echo.identifier}:${echo.sequence}`;
    if (echo.kind === 'request' && f.ipv4.src === testerIp && f.ipv4.dst === bondIp) requests.push({ key, atMs });
    if (echo.kind === 'reply' && f.ipv4.src === bondIp && f.ipv4.dst === testerIp) replies.push({ key, atMs });
  }
  const sent = new Map(requests.map((q) => [q.key, q.atMs]));
  const rtts = replies.flatMap((r) => (sent.has(r.key) ? [r.atMs - sent.get(r.key)!] : []));
  return { requests, replies, rttMedianMs: spread(rtts)?.median ?? 0 };
}

interface Reference {
  lost: number;
  lastBeforeMs: number;
  firstAfterMs: number;
  outageMs: number;
}

/**
 * The outage of a pull from tcpdump's frames alone: requests sent in the window (ms since the epoch: from one
 * round trip before the pull, less its uncertainty — a request whose reply was due before that was not the
 * pull's — until the cable went back) that got no reply; undefined when none was lost.
 */
function referenceOutage(
  { requests, replies }: ReturnType<typeof echoes>,
  windowStartMs: number,
  windowEndMs: number,
): Reference | undefined {
  const replyAt = new Map<string, number>();
  for (const r of replies) if (!replyAt.has(r.key)) replyAt.set(r.key, r.atMs);
  const lost = requests.filter((q) => q.atMs >= windowStartMs && q.atMs <= windowEndMs && !replyAt.has(q.key));
  if (lost.length === 0) return undefined;
  const firstLost = Math.min(...lost.map((q) => q.atMs));
  const lastLost = Math.max(...lost.map((q) => q.atMs));
  const answeredBefore = requests.filter((q) => q.atMs < firstLost && replyAt.has(q.key)).at(-1);
  const answeredAfter = requests.filter((q) => q.atMs > lastLost && replyAt.has(q.key));
  if (!answeredBefore || answeredAfter.length === 0) return undefined;
  const lastBeforeMs = replyAt.get(answeredBefore.key)!;
  const firstAfterMs = Math.min(...answeredAfter.map((q) => replyAt.get(q.key)!));
  return { lost: lost.length, lastBeforeMs, firstAfterMs, outageMs: firstAfterMs - lastBeforeMs };
}

const f3 = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(3));
const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

const POLICIES: readonly ArpPolicy[] = ['os-like', 'passive'];

/** One run of both modes under one ARP policy, with its own tcpdump; prints its pulls, returns |Δ| per mode. */
async function benchPolicy(
  instance: string,
  cycles: number,
  policy: ArpPolicy,
  dir: string,
): Promise<{ errors: Map<ModeName, number[]>; skipped: string[] }> {
  const testerIp = LAB_NETWORK.testerAddress.split('/')[0]!;
  const bondIp = LAB_NETWORK.bondAddress.split('/')[0]!;
  const plan = defaultLabPlan(instance);
  plan.name = `bench:failover (${policy})`;
  plan.modes = MODES;
  plan.apply = { method: 'runtime', netifrcStyle: 'writeup' };
  plan.probe = { ...plan.probe, pullRate: 1000, arpPolicy: policy };
  const cycle: StepSpec[] = ['eth1', 'eth2'].flatMap((slave): StepSpec[] => [
    { kind: 'pull', slave, holdSeconds: HOLD_SECONDS },
    { kind: 'plug', slave, settleSeconds: SETTLE_SECONDS },
  ]);
  plan.steps = Array.from({ length: cycles }, () => cycle).flat();
  const loadBefore = load();
  const runsDir = join(dir, policy);
  await mkdir(runsDir, { recursive: true });
  const file = join(runsDir, 'tester0-tcpdump.pcap');
  const tcpdump = await startTcpdump({
    netns: namespaceName(instance),
    device: LAB_NETWORK.testerPort,
    file,
    filter: 'icmp or arp',
  });
  const started = performance.now();
  const handle = await startRun(plan, { runsDir });
  const outcome = await handle.finished;
  const wallMs = performance.now() - started;
  // tcpdump hands over the kernel ring in blocks retired by its 1 s timeout: let the last one retire.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const stats = await tcpdump.stop();
  if (outcome.status !== 'completed') throw new Error(`the run ${outcome.status}: ${outcome.error ?? ''}`);
  const reference = echoes(readPackets(file), testerIp, bondIp);

  console.log(
    `bench:failover on lab "${instance}": ${MODES.join(', ')}, ${cycles * 2} pulls each (hold ${HOLD_SECONDS} s), ` +
      `probe ${plan.probe.pullRate}/s, ARP policy ${plan.probe.arpPolicy}; run ${(wallMs / 1000).toFixed(0)} s`,
  );
  console.log(
    `tcpdump -w on ${LAB_NETWORK.testerPort}: ${stats.captured} frames, ${stats.droppedByKernel} dropped by the kernel; ` +
      `${reference.requests.length} requests, ${reference.replies.length} replies`,
  );
  console.log(`load average before: ${loadBefore}; after: ${load()}`);
  console.log('');
  console.log(
    `${'mode'.padEnd(14)} ${'step'.padStart(4)} ${'slave'.padEnd(5)} ${'rate/s'.padStart(6)} ${'lost'.padStart(5)} ${'ref lost'.padStart(8)} ${'bench ms'.padStart(10)} ${'tcpdump ms'.padStart(10)} ${'|Δ| ms'.padStart(8)}  ended by`,
  );
  const errors = new Map<ModeName, number[]>(MODES.map((m) => [m, []]));
  const skipped: string[] = [];
  for (const step of outcome.steps) {
    if (step.kind !== 'pull') continue;
    const probe = step.measurements?.probe;
    const a: PullAnatomy | undefined = probe?.anatomy;
    if (!probe || !a) {
      skipped.push(`${policy} step ${step.index} (${step.mode} ${step.slave}): no anatomy`);
      continue;
    }
    const pullMs = a.carrierOffAtMs;
    // From the cable out when the NIC reported it later (a link driver with a link-down time).
    const windowStart = pullMs + Math.min(-a.carrierOffUncertaintyMs, a.cableOutMs ?? 0) - reference.rttMedianMs;
    const ref = referenceOutage(reference, windowStart, pullMs + HOLD_SECONDS * 1000 - 50);
    const bench = a.endedBy === 'no-outage' ? undefined : a.outageMs;
    const error = bench !== undefined && ref ? Math.abs(bench - ref.outageMs) : undefined;
    if (error !== undefined) errors.get(step.mode)!.push(error);
    else if (bench !== undefined || ref)
      skipped.push(
        `${policy} step ${step.index} (${step.mode} ${step.slave}): ${bench === undefined ? 'the bench saw no outage' : 'tcpdump shows no outage'}`,
      );
    console.log(
      `${step.mode.padEnd(14)} ${String(step.index).padStart(4)} ${String(step.slave).padEnd(5)} ${String(Math.round(probe.achievedRate ?? probe.rate)).padStart(6)} ${String(a.lost).padStart(5)} ${String(ref?.lost ?? 0).padStart(8)} ${f3(bench).padStart(10)} ${f3(ref?.outageMs).padStart(10)} ${f3(error).padStart(8)}  ${a.endedBy}`,
    );
  }
  console.log('');
  return { errors, skipped };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      instance: { type: 'string', default: process.env.BONDBENCH_BENCH_INSTANCE ?? 'bench' },
      cycles: { type: 'string', default: '6' },
      policy: { type: 'string', default: 'both' },
      keep: { type: 'boolean', default: false },
    },
  });
  const instance = values.instance;
  const cycles = Number(values.cycles);
  if (!Number.isInteger(cycles) || cycles < 5) throw new Error('--cycles: a whole number ≥ 5 (2 pulls per cycle)');
  const policies = values.policy === 'both' ? POLICIES : POLICIES.filter((p) => p === values.policy);
  if (policies.length === 0) throw new Error(`--policy: both, ${POLICIES.join(' or ')}`);
  const lab = new VirtualLab(instance);
  const wasUp = await lab.isUp();
  if (!wasUp) await lab.up({ log: (part) => console.error(`lab: ${logText('en', part)}`) });
  const dir = await mkdtemp(join(tmpdir(), 'bondbench-bench-failover-'));
  try {
    const rows: [string, number[]][] = [];
    const skipped: string[] = [];
    for (const policy of policies) {
      const result = await benchPolicy(instance, cycles, policy, dir);
      for (const [mode, list] of result.errors) rows.push([`${mode} (${policy})`, list]);
      skipped.push(...result.skipped);
    }
    const all = rows.flatMap(([, list]) => list);
    console.log(
      `${'|bench − tcpdump| outage, ms'.padEnd(30)} ${'pulls'.padStart(5)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'max'.padStart(7)}`,
    );
    for (const [name, list] of [...rows, ['all', all] as [string, number[]]]) {
      console.log(
        `${name.padEnd(30)} ${String(list.length).padStart(5)} ${f3(spread(list)?.median).padStart(7)} ${f3(percentile(list, 95)).padStart(7)} ${f3(spread(list)?.max).padStart(7)}`,
      );
    }
    for (const line of skipped) console.log(`not compared: ${line}`);
    const p95 = percentile(all, 95);
    console.log(`target ≤ 1 ms p95: ${p95 !== undefined && p95 <= 1 ? 'met' : 'NOT met'}`);
    if (values.keep) console.log(`run folders and tcpdump files kept in ${dir}`);
  } finally {
    if (!values.keep) await rm(dir, { recursive: true, force: true });
    if (!wasUp) await lab.down();
  }
}

await main();
