/**
 * Real libpcap on loopback: close() hands over what libpcap holds but has not delivered yet (the patch's drain).
 * Frames sent and the capture closed within one turn of the event loop were lost before: libuv never polled.
 */
import { describe, expect, it } from 'vitest';
import { openLive } from '../../main/tester/cap.js';

const ETHERTYPE = 0x88b5; // IEEE 802 local experimental: nothing else on lo carries it.

function frame(n: number): Uint8Array {
  const bytes = new Uint8Array(60);
  bytes.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ETHERTYPE >> 8, ETHERTYPE & 0xff]);
  new DataView(bytes.buffer).setUint32(14, n);
  return bytes;
}

describe.skipIf(process.getuid?.() !== 0)('cap on loopback (root)', () => {
  it('delivers, at close, frames that arrived since the last wakeup', () => {
    const source = openLive({
      device: 'lo',
      filter: `ether proto ${ETHERTYPE}`,
      immediate: true,
      snapLength: 128,
      bufferBytes: 1 << 20,
    });
    const seen: number[] = [];
    source.onPacket((data) => seen.push(new DataView(data.buffer, data.byteOffset).getUint32(14)));
    for (let n = 1; n <= 20; n++) source.send(frame(n));
    // Let the kernel loop them back into the ring while this thread never yields to libuv's poll.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    expect(seen).toEqual([]);
    source.close();
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
