/**
 * The tester agent as a process on this machine (no lab): the client spawns it from the TypeScript sources,
 * it answers typed requests, captures loopback traffic into pcapng with decoded frames and counters, and says
 * clearly what is wrong with a bad request. Capturing needs root (CI and the lab run as root).
 */
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentCommand, TesterClient } from '../../main/tester/client.js';
import {
  type CapturedFrame,
  checkCaptureSpec,
  checkProbeSpec,
  defaultCaptureFilter,
  TESTER_PROTOCOL_VERSION,
} from '../../shared/tester/protocol.js';
import { tsharkFields } from './pcapng-tshark.js';

describe('tester protocol checks', () => {
  it('builds the default filter from the test subnet and the host MACs', () => {
    expect(defaultCaptureFilter('10.77.1.0/24', ['00:E0:4C:83:07:9C', '00:e0:4c:e2:57:8d'])).toBe(
      'net 10.77.1.0/24 or ether host 00:e0:4c:83:07:9c or ether host 00:e0:4c:e2:57:8d',
    );
    expect(defaultCaptureFilter(undefined)).toBe('');
    expect(() => defaultCaptureFilter('10.77.1.0')).toThrow(/must look like 10\.77\.1\.0\/24/);
  });

  it('refuses bad specs with a message that says what to fix', () => {
    expect(() => checkCaptureSpec({ id: 'x' })).toThrow(/give a device .* or the test subnet/);
    expect(() => checkCaptureSpec({ id: 'has space', device: 'eth0' })).toThrow(/id "has space"/);
    expect(() => checkCaptureSpec({ id: 'x', device: 'eth0', hostMacs: ['nope'] })).toThrow(/host MAC "nope"/);
    expect(() => checkCaptureSpec({ id: 'x', device: 'eth0', bufferBytes: 10 })).toThrow(
      /bufferBytes 10 must be a whole number from 65536/,
    );
    expect(checkCaptureSpec({ id: 'x', device: '\\Device\\NPF_{0A1B}' }).device).toBe('\\Device\\NPF_{0A1B}');
    expect(() => checkProbeSpec({ id: 'p', device: 'tester0', target: '10.77.1.300', rate: 10 })).toThrow(
      /target "10\.77\.1\.300"/,
    );
    expect(() => checkProbeSpec({ id: 'p', device: 'tester0', target: '10.77.1.253', rate: 0.5 })).toThrow(/1–1000/);
    expect(() => checkProbeSpec({ id: 'p', device: 'tester0', target: '10.77.1.253', rate: 10, dataBytes: 8 })).toThrow(
      /dataBytes 8/,
    );
  });

  it('runs the agent from source through tsx, and inside a namespace through ip netns exec', () => {
    const local = agentCommand();
    expect(local.command).toBe(process.execPath);
    expect(local.args[0]).toBe('--import');
    expect(local.args.at(-1)).toMatch(/main\/tester\/agent\.ts$/);
    const inLab = agentCommand('bondbench-test');
    expect(inLab.command).toBe('ip');
    expect(inLab.args.slice(0, 4)).toEqual(['netns', 'exec', 'bondbench-test', process.execPath]);
    expect(() => agentCommand('bad name; rm -rf /')).toThrow(/network namespace/);
  });
});

describe.skipIf(process.getuid?.() !== 0)('tester agent process on loopback', { timeout: 30_000 }, () => {
  let client: TesterClient;
  let dir: string;

  beforeAll(async () => {
    client = await TesterClient.start({ log: () => undefined });
    dir = await mkdtemp(join(tmpdir(), 'bondbench-agent-'));
  }, 30_000);

  afterAll(async () => {
    await client?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it('says hello with its protocol and nanosecond timestamps, and lists loopback', async () => {
    expect(client.hello).toMatchObject({
      protocol: TESTER_PROTOCOL_VERSION,
      timestampPrecision: 'nano',
      capVersion: '0.2.1',
    });
    const interfaces = await client.interfaces();
    expect(interfaces.find((i) => i.loopback)?.addresses).toContainEqual(
      expect.objectContaining({ address: '127.0.0.1' }),
    );
  });

  it('captures, decodes and writes pcapng; counts match the file', async () => {
    const file = join(dir, 'lo.pcapng');
    const frames: CapturedFrame[] = [];
    client.onFrames('lo', (batch) => frames.push(...batch));
    const started = await client.startCapture({
      id: 'lo',
      subnet: '127.0.0.0/8',
      filter: 'udp port 47999',
      pcapng: { path: file },
    });
    expect(started).toMatchObject({ device: 'lo', linkType: 'ETHERNET', timestampPrecision: 'nano' });
    const socket = createSocket('udp4');
    const before = Date.now();
    for (let i = 0; i < 50; i++)
      await new Promise<void>((done) => socket.send(`datagram ${i}`, 47999, '127.0.0.1', () => done()));
    socket.close();
    await client.mark({ label: 'after fifty datagrams' });
    const summary = await client.stopCapture('lo');
    expect(summary.counters).toMatchObject({
      received: 50,
      written: 50,
      malformed: 0,
      queueDropped: 0,
      writerDropped: 0,
    });
    expect(summary.counters.kernel?.dropped).toBe(0);
    expect(frames).toHaveLength(50);
    expect(frames.map((f) => f.number)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(frames[0]).toMatchObject({ protocol: 'UDP', src: '127.0.0.1', dst: '127.0.0.1', captureId: 'lo' });
    expect(frames[0]!.info).toMatch(/→ 47999$/);
    expect(frames[0]!.timeMs).toBeGreaterThanOrEqual(before - 5);
    expect(frames[0]!.timeMs).toBeLessThan(Date.now() + 5);
    const { rows, warnings } = tsharkFields(file, ['frame.number', 'udp.dstport']);
    expect(warnings).toEqual([]);
    expect(rows).toHaveLength(50);
    expect(summary.pcapng).toMatchObject({ path: file, packets: 50, closed: true });
  });

  it('sync hands over every frame the kernel took before it answers, then counts', async () => {
    const frames: CapturedFrame[] = [];
    client.onFrames('sync', (batch) => frames.push(...batch));
    await client.startCapture({ id: 'sync', subnet: '127.0.0.0/8', filter: 'udp port 47998' });
    const socket = createSocket('udp4');
    for (let round = 1; round <= 3; round++) {
      // The send callback runs once the kernel has the datagram: the capture's socket has taken it by then.
      for (let i = 0; i < 20; i++)
        await new Promise<void>((done) => socket.send(`datagram ${i}`, 47998, '127.0.0.1', () => done()));
      const [counters] = await client.sync(['sync']);
      // Without the sync these frames would still be in the kernel's block or the agent's queue (≤ 60 ms late).
      expect(frames).toHaveLength(20 * round);
      // (On loopback the kernel counts each datagram twice, out and in, and libpcap drops the outgoing copy: the
      // sync waits its longest there. The lab's ports count what libpcap hands over: tester-capture.test.ts.)
      expect(counters).toMatchObject({ received: 20 * round, written: 0 });
    }
    socket.close();
    await client.stopCapture('sync');
    await expect(client.sync(['sync'])).rejects.toThrow(/no running capture "sync"/);
  });

  it('answers bad requests with errors and keeps running', async () => {
    await expect(client.startCapture({ id: 'bad', device: 'lo', filter: 'not a filter at all' })).rejects.toThrow(
      /cannot capture on lo with filter "not a filter at all"/,
    );
    await expect(client.startCapture({ id: 'dev', device: 'no-such-nic0' })).rejects.toThrow(
      /cannot capture on no-such-nic0/,
    );
    await expect(client.stopCapture('never')).rejects.toThrow(/no running capture "never"/);
    await expect(client.counters('never')).rejects.toThrow(/no running capture/);
    expect((await client.interfaces()).length).toBeGreaterThan(0);
  });
});
