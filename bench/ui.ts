/**
 * npm run bench:ui — the UI in headless Chromium (Debian's, playwright-core) against the browser-mode server
 * (startBenchServer, what `bondbench serve` runs), with no lab:
 *  1. following: a synthetic run streams 10 000 frames/s (plus 100 probe samples/s) into the live view for 30 s
 *     with the capture list following; the page's requestAnimationFrame cadence (fps) and long tasks (> 50 ms,
 *     PerformanceObserver) are measured, beside the same page idle for 5 s as the reference (ratio = fps/idle),
 *     and beside the same stream with every row's detail layers in it (how live rows travelled before the bench
 *     kept the layers and the detail pane fetched them on select: main/engine/live-details.ts);
 *  2. open: a recorded run with a 1 000 000-frame capture file, written here, opened from History: time from the
 *     click to the first rows in the list — first open (a server that never saw the file scans it and keeps its
 *     index beside it), warm (indexed in memory), and reopened by a new server (from the kept index) — beside the
 *     same for the small recorded fixture as the reference. Before the first open and the reopen, the files are
 *     dropped from the OS page cache (that file only: evictFromPageCache), so they are read from the disk.
 * Targets (issue #17): ≥ 50 fps while following, < 1 s to a usable list. Prints the figures; exits 1 if a target
 * is missed. BONDBENCH_BENCH_FOLLOW_S shortens the 30 s stream for a quick look; BONDBENCH_BENCH_PROFILE=1 prints
 * the page's CPU profile while following (self time by function, with the bundle's line:column) and stops there.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { findRenderer } from '../main/cli/serve.js';
import { Bench } from '../main/engine/bench.js';
import { INDEX_SUFFIX } from '../main/engine/captures.js';
import { LiveFrameDetails } from '../main/engine/live-details.js';
import { findChromium } from '../main/report/pdf.js';
import { startBenchServer } from '../main/server/server.js';
import { API_METHODS, type BenchClient, type BenchEvent, type FrameSummary } from '../shared/api.js';
import { defaultLabPlan } from '../shared/plan/plan.js';
import { planToYaml } from '../shared/plan/plan-file.js';
import { RUN_FORMAT, type RunManifest, type StepRecord } from '../shared/run/model.js';
import { buildArpRequest, buildIcmpEcho } from '../shared/wire/build.js';
import { decodeFrame } from '../shared/wire/decode.js';
import {
  encodeInterfaceDescription,
  encodeSectionHeader,
  enhancedPacketLength,
  timestampWords,
  writeEnhancedPacket,
} from '../shared/wire/pcapng.js';
import { frameSummary } from '../shared/wire/summary.js';

const FRAMES_PER_SECOND = 10_000;
const FOLLOW_SECONDS = Number(process.env.BONDBENCH_BENCH_FOLLOW_S ?? 30);
const RECORDED_FRAMES = 1_000_000;
const BATCH_MS = 50;
/** BONDBENCH_BENCH_PROFILE: 1 (or cpu) for the CPU profile while following, trace for the main thread's trace. */
const PROFILE =
  { '': undefined, '0': undefined, trace: 'trace' as const }[process.env.BONDBENCH_BENCH_PROFILE ?? ''] ??
  (process.env.BONDBENCH_BENCH_PROFILE ? ('cpu' as const) : undefined);
const HOST = { mac: '00:e0:4c:83:07:9c', ip: '10.77.1.253' };
const TESTER = { mac: '00:e0:6f:08:53:9a', ip: '10.77.1.252' };

/** One frame of the probe's traffic (echo request or reply) or, now and then, an ARP request. */
function frameBytes(n: number): Uint8Array {
  if (n % 1000 === 999) return buildArpRequest({ senderMac: HOST.mac, senderIp: HOST.ip, targetIp: TESTER.ip });
  const reply = n % 2 === 1;
  return buildIcmpEcho({
    kind: reply ? 'reply' : 'request',
    srcMac: reply ? HOST.mac : TESTER.mac,
    dstMac: reply ? TESTER.mac : HOST.mac,
    srcIp: reply ? HOST.ip : TESTER.ip,
    dstIp: reply ? TESTER.ip : HOST.ip,
    identifier: 0x4242,
    sequence: Math.floor(n / 2) % 65536,
  });
}

/** A recorded run folder with one capture file of `frames` frames (a probe at 10 000 frames/s). */
async function writeRecordedRun(root: string, id: string, frames: number): Promise<string> {
  const dir = join(root, id);
  const plan = { ...defaultLabPlan('bench'), name: 'bench:ui: one million frames', modes: ['balance-rr' as const] };
  const startedAt = new Date(Date.UTC(2026, 10, 29, 12, 0, 0));
  const manifest: RunManifest = {
    format: RUN_FORMAT,
    id,
    benchVersion: 'bench',
    planName: plan.name,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date(startedAt.getTime() + frames / 10).toISOString(),
    status: 'completed',
    totalSteps: 1,
    warnings: [],
    restored: true,
  };
  const step: StepRecord = {
    index: 0,
    repetition: 1,
    mode: 'balance-rr',
    kind: 'bring-up',
    label: 'mode balance-rr: bring-up',
    startedAt: startedAt.toISOString(),
    durationMs: frames / 10,
    status: 'ok',
    pcapng: 'capture/r1-balance-rr.pcapng',
    frames: { first: 1, last: frames },
  };
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(dir, 'capture'), { recursive: true });
  await writeFile(join(dir, 'run.json'), JSON.stringify(manifest, null, 2));
  await writeFile(join(dir, 'plan.yaml'), planToYaml(plan));
  await writeFile(join(dir, 'steps.jsonl'), `${JSON.stringify(step)}\n`);
  const fd = openSync(join(dir, 'capture', 'r1-balance-rr.pcapng'), 'w');
  try {
    writeSync(fd, encodeSectionHeader({ userAppl: 'bondbench bench:ui' }));
    writeSync(fd, encodeInterfaceDescription({ name: 'tester0', resolution: 'nano', snapLength: 262144 }));
    const templates = Array.from({ length: 2000 }, (_, n) => frameBytes(n));
    const chunk = new Uint8Array(4 * 1024 * 1024);
    let at = 0;
    for (let n = 0; n < frames; n++) {
      const data = templates[n % templates.length]!;
      if (at + enhancedPacketLength(data.length) > chunk.length) {
        writeSync(fd, chunk, 0, at);
        at = 0;
      }
      const ns = n * 100_000; // 10 000 frames/s
      const time = { sec: Math.floor(startedAt.getTime() / 1000) + Math.floor(ns / 1e9), nsec: ns % 1e9 };
      at = writeEnhancedPacket(chunk, at, 0, timestampWords(time, 'nano'), data, data.length);
    }
    writeSync(fd, chunk, 0, at);
  } finally {
    closeSync(fd);
  }
  return dir;
}

/** The real bench for everything but startRun, which streams synthetic frames for `seconds`. */
function syntheticBench(
  real: Bench,
  seconds: number,
): BenchClient & {
  streamed(): number;
  sendLayers(on: boolean): void;
  timeCalls(on: boolean): void;
  calls(): string[];
} {
  const listeners = new Set<(event: BenchEvent) => void>();
  const emit = (event: BenchEvent) => {
    for (const listener of listeners) listener(event);
  };
  const templates = Array.from({ length: 2000 }, (_, n) => decodeFrame(frameBytes(n)));
  // As Bench does: live rows go without their layers, which the detail pane fetches (frameDetail).
  const details = new LiveFrameDetails();
  let streamed = 0;
  let withLayers = false;
  let timing = false;
  const calls: string[] = [];
  const api = Object.fromEntries(
    API_METHODS.map((method) => [
      method,
      async (...args: unknown[]) => {
        const start = performance.now();
        try {
          return await (real[method] as (...a: unknown[]) => Promise<unknown>).apply(real, args);
        } finally {
          if (timing)
            calls.push(
              `${method}: ${(performance.now() - start).toFixed(0)} ms (from +${(start - timedFrom).toFixed(0)} ms)`,
            );
        }
      },
    ]),
  ) as unknown as BenchClient;
  let timedFrom = 0;
  return {
    ...api,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    streamed: () => streamed,
    sendLayers: (on) => {
      withLayers = on;
    },
    timeCalls: (on) => {
      timing = on;
      timedFrom = performance.now();
      calls.length = 0;
    },
    calls: () => calls,
    frameDetail: async (runId, ref) => details.get(runId, ref),
    async startRun() {
      const runId = `synthetic-${Date.now()}`;
      streamed = 0;
      setTimeout(() => {
        emit({ type: 'run-started', runId, totalSteps: 1 });
        emit({ type: 'progress', runId, step: 1, totalSteps: 1, label: 'mode balance-rr: probe', mode: 'balance-rr' });
        const started = performance.now();
        const perBatch = (FRAMES_PER_SECOND * BATCH_MS) / 1000;
        const timer = setInterval(() => {
          const elapsed = performance.now() - started;
          // Catch up to the schedule, so a late timer never lowers the offered rate.
          const due = Math.min(Math.floor((elapsed / 1000) * FRAMES_PER_SECOND), seconds * FRAMES_PER_SECOND);
          const frames: FrameSummary[] = [];
          while (streamed < due) {
            const n = streamed++;
            frames.push(frameSummary(templates[n % templates.length]!, n + 1, n / FRAMES_PER_SECOND, 'tester0'));
          }
          if (frames.length) {
            const event = { type: 'frames' as const, runId, frames, dropped: 0 };
            emit(withLayers ? event : details.keep(event));
          }
          for (let i = 0; i < perBatch / 100; i++)
            emit({ type: 'probe', runId, sample: { atMs: elapsed + i, rttMs: 0.3 + Math.random() * 0.2 } });
          if (elapsed >= seconds * 1000) {
            clearInterval(timer);
            emit({ type: 'run-finished', runId, status: 'completed' });
          }
        }, BATCH_MS);
      }, 50);
      return { runId };
    },
  };
}

/** requestAnimationFrame cadence and long tasks over `ms`, measured inside the page. */
function measureFrames(page: Page, ms: number): Promise<{ fps: number; longTasks: number; longestMs: number }> {
  return page.evaluate(
    (duration) =>
      new Promise<{ fps: number; longTasks: number; longestMs: number }>((resolve) => {
        const long: number[] = [];
        const observer = new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) long.push(entry.duration);
        });
        observer.observe({ type: 'longtask', buffered: false });
        let frames = 0;
        const start = performance.now();
        const tick = (now: number) => {
          frames++;
          if (now - start < duration) requestAnimationFrame(tick);
          else {
            observer.disconnect();
            resolve({
              fps: (frames * 1000) / (now - start),
              longTasks: long.length,
              longestMs: Math.round(Math.max(0, ...long)),
            });
          }
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
}

/** The page's CPU profile by self time, top 25, with the bundle's line:column. */
function printProfile(result: unknown): void {
  const { profile } = result as {
    profile: {
      nodes: {
        id: number;
        callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
      }[];
      samples: number[];
    };
  };
  const self = new Map<string, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const id of profile.samples) {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}:${f.columnNumber}`;
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  const total = profile.samples.length;
  for (const [key, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.log(`  ${((n / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}

/**
 * Records a Chromium performance trace (CDP Tracing, devtools.timeline) while `during` runs and prints the page's
 * main-thread time by trace event, self time (an event's duration less its nested events'), top 20, as a share of
 * the wall time: where a frame's time goes (script, style, layout, paint) beside how much the thread was idle.
 */
async function traceMainThread(page: Page, during: () => Promise<unknown>): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const events: {
    name: string;
    ph: string;
    ts: number;
    dur?: number;
    pid: number;
    tid: number;
    args?: { name?: string };
  }[] = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...(value as unknown as typeof events)));
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', {
    categories: 'devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,blink.user_timing',
    transferMode: 'ReportEvents',
  });
  const wallStart = performance.now();
  await during();
  const wallMs = performance.now() - wallStart;
  await cdp.send('Tracing.end');
  await complete;
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return console.log('  (no renderer main thread in the trace)');
  const mine = events
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const self = new Map<string, number>();
  const counts = new Map<string, number>();
  const stack: { end: number; name: string }[] = [];
  let busy = 0;
  for (const e of mine) {
    while (stack.length && stack[stack.length - 1]!.end <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - e.dur!);
    else busy += e.dur!;
    self.set(e.name, (self.get(e.name) ?? 0) + e.dur!);
    counts.set(e.name, (counts.get(e.name) ?? 0) + 1);
    stack.push({ end: e.ts + e.dur!, name: e.name });
  }
  const share = (us: number) => `${(us / 10 / wallMs).toFixed(1).padStart(5)}%`;
  console.log(`  main thread busy ${share(busy)} of ${(wallMs / 1000).toFixed(1)} s; self time by event:`);
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20))
    console.log(
      `  ${share(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name} ×${counts.get(name)} (${((counts.get(name)! * 1000) / wallMs).toFixed(1)}/s)`,
    );
}

/**
 * Drops `paths` from the OS page cache (written back first: coreutils sync FILE, then dd iflag=nocache, which
 * asks posix_fadvise(DONTNEED) for that file only — nothing else on the machine is touched), so an open reads
 * them from the disk, as a run recorded days ago would be. False when that could not be done.
 */
function evictFromPageCache(...paths: string[]): boolean {
  return paths.every(
    (path) =>
      spawnSync('sync', [path]).status === 0 &&
      spawnSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']).status === 0,
  );
}

/** Clicks History → Open for a run and measures, in the page, until its first rows are in the list. */
async function openRun(page: Page, runId: string): Promise<{ ms: number; status: string }> {
  await page.getByRole('button', { name: 'History', exact: true }).click();
  const open = page.locator(`tr[data-run="${runId}"]`).getByRole('button', { name: 'Open', exact: true });
  await open.waitFor();
  return open.evaluate(
    (button) =>
      new Promise<{ ms: number; status: string }>((resolve) => {
        const start = performance.now();
        (button as HTMLButtonElement).click();
        const poll = () => {
          const row = document.querySelector('.capture-row[data-no="1"]');
          const status = document.querySelector('.capture-status')?.textContent ?? '';
          if (row && /of \d+ frames/.test(status)) resolve({ ms: performance.now() - start, status });
          else requestAnimationFrame(poll);
        };
        poll();
      }),
  );
}

const root = await mkdtemp(join(tmpdir(), 'bondbench-bench-ui-'));
const problems: string[] = [];
let failed = false;
try {
  console.log(
    `machine load before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const runs = join(root, 'runs');
  const written = performance.now();
  const bigDir = await writeRecordedRun(runs, 'bench-ui-1m', RECORDED_FRAMES);
  console.log(`wrote a ${RECORDED_FRAMES}-frame run in ${((performance.now() - written) / 1000).toFixed(1)} s`);
  const fixture = JSON.parse(
    readFileSync(new URL('../test/fixtures/runs/lab-miimon100/run.json', import.meta.url), 'utf8'),
  ) as RunManifest;
  cpSync(new URL('../test/fixtures/runs/lab-miimon100', import.meta.url), join(runs, fixture.id), { recursive: true });

  const bench = syntheticBench(new Bench({ runsDir: runs }), FOLLOW_SECONDS);
  const server = await startBenchServer({ bench, rendererDir: findRenderer() });
  const browser = await chromium.launch({
    executablePath: await findChromium(),
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1680, height: 1050 }, locale: 'en-US' });
    page.on('pageerror', (error) => problems.push(error.message));
    // tsx names the functions handed to page.evaluate with its __name helper; the page needs it too.
    await page.addInitScript('globalThis.__name = (f) => f;');
    await page.goto(server.url);

    // 1. Following a live run at 10 000 frames/s: rows as the bench sends them (without their layers, fetched on
    // select), beside the same stream with every row's layers in it (how rows travelled before) as the reference.
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const idle = await measureFrames(page, 5000);
    const follow = async (withLayers: boolean) => {
      bench.sendLayers(withLayers);
      await page.getByRole('button', { name: 'Setup', exact: true }).click();
      await page.getByRole('button', { name: 'Start run' }).click();
      await page.locator('.capture-row').first().waitFor();
      const cdp = PROFILE === 'cpu' && !withLayers ? await page.context().newCDPSession(page) : undefined;
      if (cdp) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.start');
      }
      let measured: Awaited<ReturnType<typeof measureFrames>> | undefined;
      const measure = async () => {
        measured = await measureFrames(page, FOLLOW_SECONDS * 1000 - 1000);
      };
      if (PROFILE === 'trace' && !withLayers) await traceMainThread(page, measure);
      else await measure();
      if (cdp) printProfile(await cdp.send('Profiler.stop'));
      await page.waitForTimeout(1500);
      const lastShown = await page
        .locator('.capture-row[data-no]')
        .evaluateAll((rows) => Math.max(...rows.map((r) => Number(r.getAttribute('data-no')))));
      const status = await page.locator('.capture-status').textContent();
      return { ...measured!, lastShown, status, sent: bench.streamed() };
    };
    const following = await follow(false);
    if (PROFILE) {
      console.log(
        `following: ${following.fps.toFixed(1)} fps, ${following.longTasks} long tasks; idle ${idle.fps.toFixed(1)}`,
      );
    }
    if (PROFILE === 'trace') {
      // The cold open: the page's main thread, and the bench's answers (what the server spent on each call).
      evictFromPageCache(join(bigDir, 'capture', 'r1-balance-rr.pcapng'));
      bench.timeCalls(true);
      let cold: { ms: number } | undefined;
      await traceMainThread(page, async () => {
        cold = await openRun(page, 'bench-ui-1m');
      });
      console.log(`cold open: ${cold!.ms.toFixed(0)} ms; the bench's calls meanwhile:`);
      for (const call of bench.calls()) console.log(`  ${call}`);
    }
    if (PROFILE) {
      await browser.close();
      await server.close();
      await rm(root, { recursive: true, force: true });
      process.exit(0);
    }
    const before = await follow(true);
    // A live row's layers come from the bench on select.
    const picked = await page.locator('.capture-row[data-no]').last().getAttribute('data-no');
    await page.locator(`.capture-row[data-no="${picked}"]`).click();
    await page.locator('.frame-detail details').first().waitFor({ timeout: 10_000 });
    const detailTitle = await page.locator('.frame-detail h3').textContent();
    const line = (label: string, m: typeof following) =>
      console.log(
        `  ${label} ${m.fps.toFixed(1)} fps, ${m.longTasks} long tasks (longest ${m.longestMs} ms); newest row ${m.lastShown} of ${m.sent} sent`,
      );
    console.log(`\nfollowing ${FRAMES_PER_SECOND} frames/s for ${FOLLOW_SECONDS} s:`);
    console.log(`  idle page (reference):           ${idle.fps.toFixed(1)} fps, ${idle.longTasks} long tasks`);
    line('rows with their layers (before):', before);
    line('rows without layers (now):      ', following);
    console.log(`  ratio now/idle:                  ${(following.fps / idle.fps).toFixed(2)}`);
    console.log(`  ratio now/before:                ${(following.fps / before.fps).toFixed(2)}`);
    console.log(`  list at the end:                 "${following.status}"`);
    console.log(`  picked row ${picked}: detail pane "${detailTitle}", its layers fetched from the bench`);
    if (following.fps < 50) failed = true;

    // 2. Opening recorded runs: the 1 M-frame one, cold (its first open ever: the server scans the file and keeps
    // its index beside it) then warm (indexed in memory), and the small fixture as the reference; at the end, a new
    // server (as after a restart: nothing in memory) reopens it from the index kept beside the file.
    const bigFile = join(bigDir, 'capture', 'r1-balance-rr.pcapng');
    const small = await openRun(page, fixture.id);
    const fromDisk = evictFromPageCache(bigFile);
    const cold = await openRun(page, 'bench-ui-1m');
    const warm = await openRun(page, 'bench-ui-1m');
    const kept = statSync(`${bigFile}${INDEX_SUFFIX}`, { throwIfNoEntry: false });
    console.log(`\nopen a recorded run from History to its first rows in the list:`);
    console.log(`  small fixture (reference):  ${small.ms.toFixed(0)} ms — "${small.status}"`);
    console.log(
      `  1 M frames, first open:     ${cold.ms.toFixed(0)} ms — "${cold.status}" (${(statSync(bigFile).size / 1e6).toFixed(0)} MB scanned, ${fromDisk ? 'read from the disk: the file was dropped from the page cache' : 'from the page cache: it could not be dropped'})`,
    );
    console.log(`  1 M frames, warm:           ${warm.ms.toFixed(0)} ms`);
    console.log(`  ratio first/reference:      ${(cold.ms / small.ms).toFixed(2)}`);
    if (cold.ms >= 1000) failed = true;
    // Scrolling to the middle of the million: rows arrive from the bench.
    const scrolled = await page.locator('.capture-rows').evaluate(
      (el) =>
        new Promise<number>((resolve) => {
          const start = performance.now();
          el.scrollTop = el.scrollHeight / 2;
          const poll = () => {
            const rows = [...el.querySelectorAll('.capture-row[data-no]')].map((r) =>
              Number(r.getAttribute('data-no')),
            );
            if (rows.some((n) => n > 400_000)) resolve(performance.now() - start);
            else requestAnimationFrame(poll);
          };
          requestAnimationFrame(poll);
        }),
    );
    console.log(`  jump to the middle:         ${scrolled.toFixed(0)} ms to rows around frame 500 000`);
    const restarted = await startBenchServer({ bench: new Bench({ runsDir: runs }), rendererDir: findRenderer() });
    try {
      const fresh = await browser.newPage({ viewport: { width: 1680, height: 1050 }, locale: 'en-US' });
      fresh.on('pageerror', (error) => problems.push(error.message));
      await fresh.addInitScript('globalThis.__name = (f) => f;');
      await fresh.goto(restarted.url);
      const reopenFromDisk = evictFromPageCache(bigFile, `${bigFile}${INDEX_SUFFIX}`);
      const reopened = await openRun(fresh, 'bench-ui-1m');
      console.log(
        `  1 M frames, new server:     ${reopened.ms.toFixed(0)} ms — from the index kept beside the file (${kept ? `${(kept.size / 1e6).toFixed(0)} MB` : 'MISSING'}, ${reopenFromDisk ? 'both read from the disk' : 'in the page cache'})`,
      );
      if (!kept || reopened.ms >= 1000) failed = true;
    } finally {
      await restarted.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(
    `\nmachine load after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (2 cores shared)`,
  );
  if (problems.length) {
    console.log(`page errors: ${problems.join('; ')}`);
    failed = true;
  }
  console.log(failed ? 'bench:ui: a target was missed (≥ 50 fps following, < 1 s open)' : 'bench:ui: targets met');
} finally {
  await rm(root, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
