/**
 * A capture whose interface goes away (the fault suite's "capture interface removed", test/lab/faults.test.ts):
 * libpcap's error reaches the client once as capture.failed, and the capture still stops and closes its file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentLogLine } from '../../main/engine/tester-side.js';
import type { PacketBatch } from '../../main/tester/batch.js';
import type { PacketSource } from '../../main/tester/cap.js';
import { LiveCapture } from '../../main/tester/capture.js';
import { PcapngWriter } from '../../main/tester/pcapng-writer.js';
import { logText } from '../../shared/run/log.js';
import type { ReasonPart } from '../../shared/run/model.js';
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

describe('a capture whose file cannot be written', () => {
  it('says so once to the client as a run log line (its parts, said in the reader’s language), and goes on', () => {
    let deliver: ((batch: PacketBatch) => void) | undefined;
    const { source } = failingSource();
    source.onBatch = (listener) => {
      deliver = listener;
    };
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const writer = {
      writeBatch: () => {
        throw full;
      },
    } as unknown as PcapngWriter;
    const events: TesterEvent[] = [];
    const capture = new LiveCapture(
      { id: 'c2', device: 'tester0' },
      source,
      { emit: (e) => events.push(e), backlogBytes: () => 0 },
      Date.now(),
      { writer, interfaceId: 0, path: join(dir, 'full.pcapng') },
    );
    const empty = { buffer: Buffer.alloc(0), count: 0, bytes: 0 };
    deliver!(empty);
    deliver!(empty);
    const logs = events.filter((e) => e.type === 'log');
    expect(logs).toEqual([
      {
        type: 'log',
        level: 'warn',
        part: {
          key: 'log.agent.captureWriteFailed',
          vars: { capture: 'c2', error: { key: 'failure.cause.ENOSPC', vars: { message: full.message } } },
        },
      },
    ]);
    const part = (logs[0] as { part: ReasonPart }).part;
    expect(logText('en', part)).toBe('capture c2: ENOSPC: no space left on device, write');
    expect(logText('zh-CN', part)).toMatch(/^抓包 c2：.*“ENOSPC: no space left on device, write”/);
    // The bench puts it in the run log as the tester's.
    expect(logText('en', agentLogLine(logs[0]!)!)).toBe('tester: capture c2: ENOSPC: no space left on device, write');
    expect(logText('en', agentLogLine({ type: 'log', level: 'warn', message: 'from an older agent' })!)).toBe(
      'tester: from an older agent',
    );
    expect(agentLogLine({ type: 'capture.failed', captureId: 'c2', error: 'x' })).toBeUndefined();
    capture.stop(Date.now(), { sec: 1_795_000_001, nsec: 0 });
  });
});
