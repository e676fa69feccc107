import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TesterClient } from '../main/tester/client.js';
import { buildIcmpEcho } from '../shared/wire/build.js';
import { CAPTURE_DEV, LoadNamespace } from './load.js';
import { compareTimestamps, readPackets, startTcpdump, type TcpdumpStats } from './tcpdump.js';

// A namespace of this run's own: developers sharing a machine each get theirs (--name, and the PID).
let NETNS = `bondbench-bench-${process.pid}`;
let created: LoadNamespace | undefined;
const BUFFER_BYTES = 32 * 1024 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** user + system CPU seconds of a process so far (/proc/<pid>/stat fields 14 and 15). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size of a process, bytes. */
function rssBytes(pid: number): number {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Watches a process during one step: CPU share over the step and the highest RSS seen. */
function watch(pid: number): { stop(): { cpu: number; peakRss: number } } {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  let peakRss = rssBytes(pid);
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, rssBytes(pid));
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      peakRss = Math.max(peakRss, rssBytes(pid));
      return { cpu: (cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000), peakRss };
    },
  };
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface Step {
  rate: number;
  copies: number;
  /** Frames that arrived at the capture port. */
  sent: number;
  achievedRate: number;
  ours: {
    received: number;
    kernelDropped: number;
    writerDropped: number;
    written: number;
    ok: boolean;
    /** CPU share over the step (1 = one core) and peak RSS in MiB. */
    cpu: number;
    rssMiB: number;
  };
  tcpdump: TcpdumpStats & { ok: boolean; cpu: number };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '2' },
      from: { type: 'string', default: '4000' },
      max: { type: 'string', default: '2000000' },
      bytes: { type: 'string', default: '98' },
      name: { type: 'string' },
    },
  });
  if (values.name !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,16}$/.test(values.name)) throw new Error('--name: 1–16 letters, digits, "_" or "-"');
    NETNS = `bondbench-bench-${values.name}-${process.pid}`;
  }
  if (process.getuid?.() !== 0) throw new Error('the capture benchmark needs root (network namespace, capture)');
  const seconds = Number(values.seconds);
  const template = buildIcmpEcho({
    srcMac: '02:00:00:00:00:01',
    dstMac: '02:00:00:00:00:02',
    srcIp: '10.99.0.1',
    dstIp: '10.99.0.2',
    identifier: 0xbe,
    sequence: 1,
    data: new Uint8Array(Math.max(8, Number(values.bytes) - 42)),
  });
  const dir = await mkdtemp(join(tmpdir(), 'bondbench-capture-bench-'));
  const generator = LoadNamespace.create(NETNS);
  created = generator;
  const cleanup = () => generator.delete();
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  const client = await TesterClient.start({ netns: NETNS });
  const steps: Step[] = [];
  let timestamps: ReturnType<typeof compareTimestamps> | undefined;
  console.log(
    `capture benchmark: ${template.length}-byte frames on a veth pair in ${NETNS}, ${seconds} s per step, ` +
      `kernel buffer ${BUFFER_BYTES / 1024 / 1024} MiB each; bench = tester agent (libpcap → decode → pcapng file)`,
  );
  const loadBefore = load();
  console.log(`machine load (1, 5, 15 min) before: ${loadBefore} on ${availableParallelism()} cores`);
  console.log(
    '   rate/s copies  arrived  achieved/s |   bench: received  kdrop  wdrop ok   cpu rss MiB | tcpdump: captured  kdrop ok   cpu',
  );
  try {
    let failuresInARow = 0;
    for (let i = 0, rate = Number(values.from); rate <= Number(values.max); i++, rate = Math.round(rate * Math.SQRT2)) {
      const ours = join(dir, `bench-${i}.pcapng`);
      const reference = join(dir, `tcpdump-${i}.pcap`);
      const tcpdump = await startTcpdump({
        netns: NETNS,
        device: CAPTURE_DEV,
        file: reference,
        bufferKiB: BUFFER_BYTES / 1024,
      });
      await client.startCapture({
        id: `step${i}`,
        device: CAPTURE_DEV,
        filter: '',
        deliver: 'none',
        bufferBytes: BUFFER_BYTES,
        pcapng: { path: ours },
      });
      const agentWatch = watch(client.pid!);
      const tcpdumpWatch = watch(tcpdump.pid);
      const offered = await generator.offer(template, rate, Math.round(rate * seconds));
      const { copies } = offered;
      const sender = { ...offered, sent: offered.arrived };
      // Let both drain what the kernel still holds (tcpdump reads the ring in blocks, retired after its 1 s timeout).
      let previous = -1;
      for (let settle = 0; settle < 40; settle++) {
        const { received } = await client.counters(`step${i}`);
        if (received === sender.sent || received === previous) break;
        previous = received;
        await sleep(250);
      }
      const summary = await client.stopCapture(`step${i}`);
      const agentUse = agentWatch.stop();
      await sleep(1500);
      const tcpdumpUse = tcpdumpWatch.stop();
      const reference_ = await tcpdump.stop();
      const c = summary.counters;
      const step: Step = {
        rate,
        copies,
        sent: sender.sent,
        achievedRate: sender.sent / sender.seconds,
        ours: {
          received: c.received,
          kernelDropped: c.kernel?.dropped ?? 0,
          writerDropped: c.writerDropped,
          written: c.written,
          ok: c.received === sender.sent && c.writerDropped === 0 && (c.kernel?.dropped ?? 0) === 0,
          cpu: agentUse.cpu,
          rssMiB: agentUse.peakRss / 1024 / 1024,
        },
        tcpdump: {
          ...reference_,
          ok: reference_.captured === sender.sent && reference_.droppedByKernel === 0,
          cpu: tcpdumpUse.cpu,
        },
      };
      steps.push(step);
      if (!timestamps && step.ours.ok && step.tcpdump.ok) {
        timestamps = compareTimestamps(readPackets(ours), readPackets(reference));
      }
      await rm(ours, { force: true });
      await rm(reference, { force: true });
      console.log(
        `${String(rate).padStart(9)} ${String(copies).padStart(6)} ${String(step.sent).padStart(8)} ${step.achievedRate.toFixed(0).padStart(10)} | ` +
          `${String(step.ours.received).padStart(16)} ${String(step.ours.kernelDropped).padStart(6)} ${String(step.ours.writerDropped).padStart(6)} ${step.ours.ok ? 'ok' : '--'} ` +
          `${percent(step.ours.cpu)} ${step.ours.rssMiB.toFixed(0).padStart(7)} | ` +
          `${String(step.tcpdump.captured).padStart(17)} ${String(step.tcpdump.droppedByKernel).padStart(6)} ${step.tcpdump.ok ? 'ok' : '--'} ` +
          percent(step.tcpdump.cpu),
      );
      if (sender.errors > 0) console.log(`          (the sender saw ${sender.errors} send errors)`);
      if (step.achievedRate < 0.8 * rate) {
        console.log(
          `          only ${step.achievedRate.toFixed(0)}/s arrived: the load generator is at its limit, stopping here`,
        );
        break;
      }
      failuresInARow = !step.ours.ok && !step.tcpdump.ok ? failuresInARow + 1 : 0;
      if (failuresInARow >= 2) break;
    }
  } finally {
    await client.close();
    cleanup();
    await rm(dir, { recursive: true, force: true });
  }
  // The highest rate below which every step was clean (a lucky step above a failure does not count).
  const highest = (ok: (s: Step) => boolean) => {
    let best = 0;
    let failed = false;
    for (const s of steps) {
      if (!ok(s)) {
        failed = true;
        break;
      }
      best = Math.max(best, s.achievedRate);
    }
    return { best, failed };
  };
  const ours = highest((s) => s.ours.ok);
  const reference = highest((s) => s.tcpdump.ok);
  const bound = (r: { failed: boolean }) => (r.failed ? '' : '≥ ');
  console.log(
    `\nhighest rate without a drop: bench ${bound(ours)}${ours.best.toFixed(0)} frames/s, ` +
      `tcpdump -w ${bound(reference)}${reference.best.toFixed(0)} frames/s` +
      (ours.failed && reference.failed ? '' : ' (≥: no drop up to the highest load offered)'),
  );
  const ratio = reference.best > 0 ? ours.best / reference.best : undefined;
  const relation = ours.failed === reference.failed ? (ours.failed ? '=' : '≈') : ours.failed ? '≤' : '≥';
  console.log(`ratio bench / tcpdump ${relation} ${ratio === undefined ? 'n/a' : ratio.toFixed(2)}`);
  const peakRss = Math.max(...steps.map((s) => s.ours.rssMiB));
  const top = steps.at(-1);
  console.log(
    `agent peak RSS ${peakRss.toFixed(0)} MiB (at the highest rate, ${top?.achievedRate.toFixed(0)}/s: ${top?.ours.rssMiB.toFixed(0)} MiB, ` +
      `CPU ${top ? percent(top.ours.cpu).trim() : 'n/a'}; tcpdump ${top ? percent(top.tcpdump.cpu).trim() : 'n/a'})`,
  );
  console.log(`machine load (1, 5, 15 min) before: ${loadBefore}, after: ${load()}`);
  if (timestamps?.absDeltaUs) {
    console.log(
      `timestamps vs tcpdump (${timestamps.matched} frames at ${steps[0]?.rate}/s): |Δ| median ${timestamps.absDeltaUs.median} µs, ` +
        `p99 ${timestamps.absDeltaUs.p99} µs, max ${timestamps.absDeltaUs.max} µs`,
    );
  }
  console.log(
    JSON.stringify({
      frameBytes: template.length,
      seconds,
      load: { before: loadBefore, after: load() },
      bench: ours,
      tcpdump: reference,
      ratio,
      relation,
      peakRssMiB: peakRss,
      steps,
    }),
  );
}

function percent(share: number): string {
  return `${(share * 100).toFixed(0)}%`.padStart(5);
}

main().catch((error: Error) => {
  console.error(`bench/capture: ${error.message}`);
  created?.delete();
  process.exit(1);
});
