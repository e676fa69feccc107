/**
 * tcpdump as the reference: run `tcpdump -w` inside a network namespace beside the bench's own capture, then
 * match the frames both saw and compare their timestamps. Used by the benchmarks and the lab tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { distribution } from '../shared/measure/echo.js';
import { hex } from '../shared/wire/bytes.js';
import { type FilePacket, readCaptureFile } from '../shared/wire/capture-file.js';

export interface TcpdumpStats {
  captured: number;
  receivedByFilter: number;
  droppedByKernel: number;
}

export interface TcpdumpRun {
  readonly pid: number;
  stop(): Promise<TcpdumpStats>;
}

export interface TcpdumpOptions {
  netns: string;
  device: string;
  file: string;
  filter?: string;
  /** Kernel buffer, KiB (tcpdump -B). */
  bufferKiB?: number;
}

/** Starts tcpdump and resolves once it is listening (so no frame is missed from the start). */
export function startTcpdump(options: TcpdumpOptions): Promise<TcpdumpRun> {
  const args = [
    'netns',
    'exec',
    options.netns,
    'tcpdump',
    '-i',
    options.device,
    '-w',
    options.file,
    '-n',
    '-Z',
    'root',
    '--time-stamp-precision=nano',
    '-B',
    String(options.bufferKiB ?? 32 * 1024),
    ...(options.filter ? [options.filter] : []),
  ];
  const child: ChildProcess = spawn('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tcpdump did not start listening: ${stderr.trim()}`));
    }, 10_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run tcpdump (${error.message}): install it (scripts/setup.sh)`));
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      stderr += text;
      if (/listening on/.test(stderr)) {
        clearTimeout(timer);
        resolve({
          pid: child.pid!,
          stop: () =>
            new Promise<TcpdumpStats>((done, fail) => {
              child.once('exit', () => {
                const number = (what: string) =>
                  Number(stderr.match(new RegExp(`(\\d+) packets? ${what}`))?.[1] ?? Number.NaN);
                const stats = {
                  captured: number('captured'),
                  receivedByFilter: number('received by filter'),
                  droppedByKernel: number('dropped by kernel'),
                };
                if (Number.isNaN(stats.captured)) fail(new Error(`tcpdump ended without its counts: ${stderr.trim()}`));
                else done(stats);
              });
              // Our own child, by PID: `ip netns exec` execs tcpdump in place.
              process.kill(child.pid!, 'SIGINT');
            }),
        });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!/listening on/.test(stderr)) reject(new Error(`tcpdump exited (${code}): ${stderr.trim()}`));
    });
  });
}

export interface TimestampComparison {
  matched: number;
  /** Frames only one side has (drops, or frames outside the other's run). */
  onlyOurs: number;
  onlyReference: number;
  /** |ours − reference| in microseconds. */
  absDeltaUs?: { median: number; p99: number; max: number; mean: number };
  /** ours − reference, signed, microseconds: a steady offset shows here. */
  meanSignedDeltaUs?: number;
}

function nanoseconds(p: FilePacket): bigint {
  return BigInt(p.time.sec) * 1_000_000_000n + BigInt(p.time.nsec);
}

/** Matches frames by their bytes (the n-th copy of identical bytes with the n-th), then compares times. */
export function compareTimestamps(ours: readonly FilePacket[], reference: readonly FilePacket[]): TimestampComparison {
  const byContent = new Map<string, FilePacket[]>();
  for (const p of reference) {
    const key = hex(p.data);
    const list = byContent.get(key) ?? [];
    list.push(p);
    byContent.set(key, list);
  }
  const deltas: number[] = [];
  let signed = 0;
  let onlyOurs = 0;
  for (const p of ours) {
    const match = byContent.get(hex(p.data))?.shift();
    if (!match) {
      onlyOurs++;
      continue;
    }
    const delta = Number(nanoseconds(p) - nanoseconds(match)) / 1000;
    deltas.push(Math.abs(delta));
    signed += delta;
  }
  const onlyReference = [...byContent.values()].reduce((n, list) => n + list.length, 0);
  const d = distribution(deltas);
  return {
    matched: deltas.length,
    onlyOurs,
    onlyReference,
    ...(d ? { absDeltaUs: { median: d.median, p99: d.p99, max: d.max, mean: d.mean } } : {}),
    ...(deltas.length ? { meanSignedDeltaUs: signed / deltas.length } : {}),
  };
}

export function readPackets(file: string, interfaceName?: string): FilePacket[] {
  const capture = readCaptureFile(readFileSync(file));
  if (interfaceName === undefined) return capture.packets;
  const ids = new Set(capture.interfaces.flatMap((iface, i) => (iface.name === interfaceName ? [i] : [])));
  return capture.packets.filter((p) => ids.has(p.interfaceId));
}
