/**
 * A capture whose interface goes away (the fault suite's "capture interface removed", test/lab/faults.test.ts):
 * libpcap's error reaches the client once as capture.failed, and the capture still stops and closes its file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PacketSource } from '../../main/tester/cap.js';
import { LiveCapture } from '../../main/tester/capture.js';
import { PcapngWriter } from '../../main/tester/pcapng-writer.js';
import type { TesterEvent } from '../../shared/tester/protocol.js';
import { readCaptureFile } from '../../shared/wire/capture-file.js';

const dir = mkdtempSync(join(tmpdir(), 'bondbench-capture-failed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A source whose reading can be made to fail, as cap does when the interface disappears. */
function failingSource() {
  let fail: ((message: string) => void) | undefined;
  let closed = false;
  const source: PacketSource = {
    device: 'tester0',
    filter: '',
    linkType: 'ETHERNET',
    timestampPrecision: 'nano',
    onPacket: () => undefined,
    onBatch: () => undefined,
    send: () => undefined,
    stats: () => (closed ? undefined : { received: 3, dropped: 0, ifDropped: 0 }),
    onError: (listener) => {
      fail = listener;
    },
    close: () => {
      closed = true;
    },
  };
  return { source, fail: (message: string) => fail!(message), closed: () => closed };
}

describe('a capture whose interface goes away', () => {
  it('says so once as capture.failed, then stops and closes a readable file', async () => {
    const file = join(dir, 'gone.pcapng');
    const writer = PcapngWriter.toFile(file);
    const interfaceId = writer.addInterface({ name: 'tester0', resolution: 'nano' });
    const { source, fail, closed } = failingSource();
    const events: TesterEvent[] = [];
    const capture = new LiveCapture(
      { id: 'c1', device: 'tester0' },
      source,
      { emit: (e) => events.push(e), backlogBytes: () => 0 },
      Date.now(),
      { writer, interfaceId, path: file },
    );
    fail('The interface disappeared');
    expect(events.filter((e) => e.type === 'capture.failed')).toEqual([
      { type: 'capture.failed', captureId: 'c1', error: 'tester0: The interface disappeared' },
    ]);
    expect(capture.sourceError).toBe('The interface disappeared');
    capture.stop(Date.now(), { sec: 1_795_000_001, nsec: 0 });
    await writer.close();
    expect(closed()).toBe(true);
    const read = readCaptureFile(readFileSync(file));
    expect(read.interfaces).toHaveLength(1);
    expect(read.statistics).toHaveLength(1);
  });
});
