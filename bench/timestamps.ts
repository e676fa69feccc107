/**
 * How trustworthy are the bench's packet timestamps? In the virtual lab, capture the tester port with the agent
 * (libpcap's header timestamps through the patched cap) while tcpdump -w captures the same port, with an echo
 * stream running; match the frames and report |Δ|. Beside it: what cap without the patch would give — the
 * JavaScript clock read in the 'packet' callback.
 *
 *   npx tsx bench/timestamps.ts [--instance NAME] [--rate 200] [--seconds 10]
 * (root; the lab instance must be up: npx bondbench lab up --instance NAME)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { VirtualLab } from '../main/lab/lab.js';
import { TesterClient } from '../main/tester/client.js';
import { LAB_NETWORK, namespaceName } from '../shared/lab/topology.js';
import type { FilePacket } from '../shared/wire/capture-file.js';
import { compareTimestamps, readPackets, startTcpdump, type TimestampComparison } from './tcpdump.js';

const FILTER = 'icmp or arp';

// cap as it ships: no timestamp, so the best a listener can do is read the clock when the event arrives.
const JS_CLOCK_CAPTURE = `
const { Cap } = require(process.argv[1]);
const cap = new Cap();
const buffer = Buffer.alloc(65535);
cap.open(process.argv[2], process.argv[3], 32 * 1024 * 1024, buffer);
const seen = [];
cap.on('packet', (n) => {
  const ms = performance.timeOrigin + performance.now();
  seen.push(buffer.toString('hex', 0, n) + ' ' + Math.round(ms * 1e6));
});
process.stdout.write('ready\\n');
process.stdin.on('data', () => {});
process.stdin.on('end', () => { cap.close(); process.stdout.write(seen.join('\\n') + '\\nend\\n'); });
`;

async function jsClockCapture(netns: string): Promise<{ stop(): Promise<FilePacket[]> }> {
  const capPath = dirname(createRequire(import.meta.url).resolve('cap/package.json'));
  const child = spawn(
    'ip',
    ['netns', 'exec', netns, process.execPath, '-e', JS_CLOCK_CAPTURE, capPath, LAB_NETWORK.testerPort, FILTER],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    out += text;
  });
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (out.startsWith('ready\n')) {
        clearInterval(check);
        resolve();
      }
    }, 20);
    child.on('exit', (code) => {
      clearInterval(check);
      reject(new Error(`the JavaScript-clock capture exited (${code})`));
    });
  });
  return {
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', () => {
          const lines = out.split('\n').slice(1, -2).filter(Boolean);
          resolve(
            lines.map((line) => {
              const [bytes, ns] = line.split(' ');
              const total = BigInt(ns!);
              return {
                interfaceId: 0,
                time: { sec: Number(total / 1_000_000_000n), nsec: Number(total % 1_000_000_000n) },
                data: Buffer.from(bytes!, 'hex'),
                originalLength: bytes!.length / 2,
              };
            }),
          );
        });
        child.stdin.end();
      }),
  };
}

function row(name: string, c: TimestampComparison): string {
  const d = c.absDeltaUs;
  const fmt = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(1).padStart(9));
  return `${name.padEnd(34)} ${String(c.matched).padStart(7)} ${fmt(d?.median)} ${fmt(d?.p99)} ${fmt(d?.max)} ${fmt(c.meanSignedDeltaUs)}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      instance: { type: 'string', default: process.env.BONDBENCH_LAB_INSTANCE ?? 'default' },
      rate: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '10' },
    },
  });
  const lab = new VirtualLab(values.instance);
  if (!(await lab.isUp())) {
    throw new Error(
      `lab "${values.instance}" is not up: start it with "npx bondbench lab up --instance ${values.instance}"`,
    );
  }
  const netns = namespaceName(values.instance);
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const dir = await mkdtemp(join(tmpdir(), 'bondbench-ts-'));
  const client = await TesterClient.start({ netns });
  try {
    const oursFile = join(dir, 'bench.pcapng');
    const referenceFile = join(dir, 'tcpdump.pcap');
    const tcpdump = await startTcpdump({ netns, device: LAB_NETWORK.testerPort, file: referenceFile, filter: FILTER });
    const jsClock = await jsClockCapture(netns);
    await client.startCapture({
      id: 'ts',
      device: LAB_NETWORK.testerPort,
      filter: FILTER,
      deliver: 'none',
      pcapng: { path: oursFile },
    });
    await client.startProbe({
      id: 'ts',
      device: LAB_NETWORK.testerPort,
      target: LAB_NETWORK.bondAddress.split('/')[0]!,
      rate,
    });
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const probe = await client.stopProbe('ts');
    const capture = await client.stopCapture('ts');
    const jsFrames = await jsClock.stop();
    // tcpdump reads the kernel ring in blocks retired after its 1 s timeout; on SIGINT it drops an unread block.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const reference = await tcpdump.stop();
    const ours = compareTimestamps(readPackets(oursFile), readPackets(referenceFile));
    const js = compareTimestamps(jsFrames, readPackets(referenceFile));
    console.log(
      `timestamps on ${LAB_NETWORK.testerPort} in lab "${values.instance}": echo ${rate}/s for ${seconds} s ` +
        `(${probe.sent} requests, ${probe.replies} replies); agent captured ${capture.counters.received} ` +
        `(kernel drops ${capture.counters.kernel?.dropped ?? '?'}), tcpdump ${reference.captured} (drops ${reference.droppedByKernel})`,
    );
    console.log(
      `${'|Δ| against tcpdump -w, µs'.padEnd(34)} ${'frames'.padStart(7)} ${'median'.padStart(9)} ${'p99'.padStart(9)} ${'max'.padStart(9)} ${'mean Δ'.padStart(9)}`,
    );
    console.log(row('libpcap timestamp (patched cap)', ours));
    console.log(row('JS clock in the callback (cap)', js));
    console.log(JSON.stringify({ rate, seconds, patched: ours, jsClock: js }));
  } finally {
    await client.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(`bench/timestamps: ${error.message}`);
  process.exit(1);
});
