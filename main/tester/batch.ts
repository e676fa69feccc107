/**
 * The batch cap hands over in batch mode (scripts/patches/cap+0.2.1.patch, setBatchMode): every packet of one
 * wakeup packed into one buffer, each as a 16-byte header — captured length, length on the wire, seconds,
 * nanoseconds, as native-endian 32-bit words — then the captured bytes padded to a multiple of 4. The buffer is
 * reused by the next wakeup: a batch is valid only during the listener's call.
 */

/** Whether this machine stores 32-bit words little-endian (cap writes batch headers in native order). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Bytes of the per-packet header in a batch. */
export const BATCH_HEADER = 16;

/** One wakeup's packets: `count` packets in the first `bytes` bytes of `buffer`. */
export interface PacketBatch {
  buffer: Buffer;
  count: number;
  bytes: number;
}

/** (captured bytes — a view valid only during the call —, time, length on the wire). */
export type PacketListener = (data: Buffer, sec: number, nsec: number, wireLength: number) => void;

/** Calls `listener` for each packet of the batch, in capture order. */
export function forEachPacket(batch: PacketBatch, listener: PacketListener): void {
  const { buffer, count, bytes } = batch;
  const le = LITTLE_ENDIAN;
  let at = 0;
  for (let i = 0; i < count && at + BATCH_HEADER <= bytes; i++) {
    const captured = le ? buffer.readUInt32LE(at) : buffer.readUInt32BE(at);
    const wire = le ? buffer.readUInt32LE(at + 4) : buffer.readUInt32BE(at + 4);
    const sec = le ? buffer.readUInt32LE(at + 8) : buffer.readUInt32BE(at + 8);
    const nsec = le ? buffer.readUInt32LE(at + 12) : buffer.readUInt32BE(at + 12);
    const start = at + BATCH_HEADER;
    listener(buffer.subarray(start, start + captured), sec, nsec, wire);
    at = start + ((captured + 3) & ~3);
  }
}
