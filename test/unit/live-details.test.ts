/**
 * Live rows travel without their layers; the bench keeps the last frames' layers by `ref` for the detail pane,
 * and the rows' JSON (what the page parses at 10 000 frames/s) is a fraction of what it was.
 */
import { describe, expect, it } from 'vitest';
import { LiveFrameDetails } from '../../main/engine/live-details.js';
import type { BenchEvent, FrameSummary } from '../../shared/api.js';
import { buildIcmpEcho } from '../../shared/wire/build.js';
import { decodeFrame } from '../../shared/wire/decode.js';
import { frameSummary } from '../../shared/wire/summary.js';

const echo = (sequence: number) =>
  decodeFrame(
    buildIcmpEcho({
      kind: 'request',
      srcMac: '00:e0:6f:08:53:9a',
      dstMac: '00:e0:4c:83:07:9c',
      srcIp: '10.77.1.252',
      dstIp: '10.77.1.253',
      identifier: 0x4242,
      sequence,
    }),
  );
const batch = (runId: string, from: number, count: number): Extract<BenchEvent, { type: 'frames' }> => ({
  type: 'frames',
  runId,
  dropped: 0,
  frames: Array.from({ length: count }, (_, i) => frameSummary(echo(from + i), from + i, (from + i) / 1000, 'tester0')),
});

describe('LiveFrameDetails', () => {
  it('sends rows without layers, numbered by ref, and gives each frame’s layers back by ref', () => {
    const details = new LiveFrameDetails();
    const original = batch('r1', 1, 3);
    const sent = details.keep(original);
    expect(sent.frames.map((f) => f.ref)).toEqual([1, 2, 3]);
    expect(sent.frames.every((f) => f.detail === undefined)).toBe(true);
    expect(sent.frames[1]).toMatchObject({ no: 2, protocol: 'ICMP', port: 'tester0' });
    expect(details.get('r1', 2)).toEqual(original.frames[1]!.detail);
    expect(details.keep(batch('r1', 4, 2)).frames.map((f) => f.ref)).toEqual([4, 5]);
    expect(details.get('r1', 5)?.[0]).toEqual(['Frame', expect.arrayContaining([['Number', '5']])]);
    // Another run numbers its own frames; an unknown run or ref has none.
    expect(details.keep(batch('r2', 1, 1)).frames[0]!.ref).toBe(1);
    expect(details.get('r2', 1)).not.toBeNull();
    expect(details.get('nope', 1)).toBeNull();
    expect(details.get('r1', 99)).toBeNull();
    const json = (frames: FrameSummary[]) => JSON.stringify(frames).length;
    expect(json(sent.frames)).toBeLessThan(json(original.frames) / 2);
  });

  it('keeps the newest frames only, and the newest runs', () => {
    const details = new LiveFrameDetails(10);
    for (let from = 1; from <= 25; from += 5) details.keep(batch('r1', from, 5));
    expect(details.get('r1', 15)).toBeNull();
    expect(details.get('r1', 16)).not.toBeNull();
    expect(details.get('r1', 25)).not.toBeNull();
    for (const run of ['r2', 'r3', 'r4', 'r5']) details.keep(batch(run, 1, 1));
    expect(details.get('r1', 25)).toBeNull();
    expect(details.get('r5', 1)).not.toBeNull();
    expect(details.get('r2', 1)).not.toBeNull();
  });
});
