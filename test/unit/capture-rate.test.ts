/**
 * The capture path at a rate above the old limit (256 k frames/s, where the writer began to drop): the tester
 * agent captures a flood on a veth port of a namespace of its own (bench/load.ts, as bench:capture), with the
 * engine's settings (decoded delivery, live view sampling), and the pcapng must hold every frame its counters say
 * libpcap delivered — checked against tshark — while every frame that reached the port is either in the file or
 * counted as a kernel drop. Not timed: the machine's load decides the achieved rate, the accounting must hold at
 * any rate. Needs root (namespace, capture), as CI runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPTURE_DEV, LoadNamespace, MAX_COPIES } from '../../bench/load.js';
import { TesterClient } from '../../main/tester/client.js';
import { buildIcmpEcho } from '../../shared/wire/build.js';
import { tsharkFields } from './pcapng-tshark.js';

const RATE = 480_000;

describe.skipIf(process.getuid?.() !== 0)('capture at a flood rate', { timeout: 180_000 }, () => {
  let load: LoadNamespace;
  let client: TesterClient;
  let dir: string;

  beforeAll(async () => {
    load = LoadNamespace.create(`bondbench-caprate-${process.pid}`);
    client = await TesterClient.start({ netns: load.name, log: () => undefined });
    dir = await mkdtemp(join(tmpdir(), 'bondbench-caprate-'));
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    load?.delete();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('writes every frame libpcap delivers to the pcapng, and accounts for every frame that arrived', async () => {
    const file = join(dir, 'flood.pcapng');
    let delivered = 0;
    let sampledInBatches = 0;
    client.onFrames('flood', (frames, sampled) => {
      delivered += frames.length;
      sampledInBatches += sampled;
    });
    await client.startCapture({ id: 'flood', device: CAPTURE_DEV, filter: '', pcapng: { path: file } });
    const template = buildIcmpEcho({
      srcMac: '02:00:00:00:00:01',
      dstMac: '02:00:00:00:00:02',
      srcIp: '10.99.0.1',
      dstIp: '10.99.0.2',
      identifier: 0xbe,
      sequence: 1,
      data: new Uint8Array(56),
    });
    // Half a second's worth; the most copies per sent frame, so a busy machine still paces the sender (5 k/s).
    const offered = await load.offer(template, RATE, RATE / 2, MAX_COPIES);
    await client.mark({ label: 'flood sent' });
    // Let the agent take what the kernel still holds (blocks are handed over at most 10 ms late).
    let previous = -1;
    for (let i = 0; i < 40; i++) {
      const c = await client.counters('flood');
      const accounted = c.received + (c.kernel?.dropped ?? 0);
      if (accounted >= offered.arrived || c.received === previous) break;
      previous = c.received;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const { counters, pcapng } = await client.stopCapture('flood');
    const kernelDropped = counters.kernel?.dropped ?? 0;
    console.log(
      `flood: ${offered.arrived} frames reached the port at ${(offered.arrived / offered.seconds).toFixed(0)}/s ` +
        `(${offered.copies} copies); agent received ${counters.received}, wrote ${counters.written}, ` +
        `kernel dropped ${kernelDropped}, live view got ${delivered} (sampled ${counters.sampled})`,
    );
    expect(offered.arrived).toBeGreaterThan((RATE / 2) * 0.9);
    // Every frame that arrived: delivered by libpcap, or dropped by the kernel and counted.
    expect(counters.received + kernelDropped).toBe(offered.arrived);
    // Every frame libpcap delivered is in the file.
    expect(counters.writerDropped).toBe(0);
    expect(counters.written).toBe(counters.received);
    expect(pcapng).toMatchObject({ packets: counters.received, closed: true });
    const { rows, warnings } = tsharkFields(file, ['frame.len']);
    expect(warnings).toEqual([]);
    expect(rows).toHaveLength(counters.received);
    expect(rows.every((r) => r[0] === String(template.length))).toBe(true);
    // The live view: what it got plus what it skipped is everything, and it said how much it skipped.
    expect(counters.sampled).toBeGreaterThan(0);
    expect(delivered + counters.sampled + counters.queueDropped).toBe(counters.received);
    expect(sampledInBatches).toBe(counters.sampled);
  });
});
