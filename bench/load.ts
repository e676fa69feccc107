/**
 * The capture load generator shared by bench:capture and the high-rate capture test: a network namespace of its
 * own holding two veth pairs. A sender process paces ICMP echo frames (each numbered in its echo data) into the
 * first pair with libpcap; a tc mirred filter on that sender port copies every frame `copies` times onto the second
 * pair, whose far end (CAPTURE_DEV) is captured — the kernel amplifies, so the load is not capped by how fast one
 * JavaScript process can send. What counts as offered is what the capture port's own counter says arrived.
 * Needs root; touches no lab and no address outside the namespace.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { hex } from '../shared/wire/bytes.js';

export const SEND_DEV = 'bb-send';
const SINK_DEV = 'bb-sink';
const MIRROR_DEV = 'bb-mirror';
export const CAPTURE_DEV = 'bb-capture';
/** Frames one sender process paces reliably here; beyond it the kernel's mirror multiplies them. */
export const SENDER_RATE = 12_000;
/** tc allows 32 actions per filter; more copies take more filters. */
const ACTIONS_PER_FILTER = 32;
export const MAX_COPIES = 96;

// The load: paced bursts (every millisecond, what is due), each frame numbered in its echo data.
const SENDER = `
const { Cap } = require(process.argv[1]);
const [device, templateHex, rateText, countText] = process.argv.slice(2);
const cap = new Cap();
const keep = Buffer.alloc(2048);
cap.open(device, 'less 1', 1 << 20, keep);
const frame = Buffer.from(templateHex, 'hex');
const rate = Number(rateText), count = Number(countText);
const start = process.hrtime.bigint();
let sent = 0, errors = 0;
function tick() {
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const due = Math.min(count, Math.floor(elapsed * rate) + 1);
  while (sent < due) {
    frame.writeUInt32BE(sent, 50);
    try { cap.send(frame, frame.length); } catch { errors++; }
    sent++;
  }
  if (sent < count) { setTimeout(tick, 1); return; }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  cap.close();
  process.stdout.write(JSON.stringify({ sent, errors, seconds }) + '\\n');
}
tick();
`;

function sh(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function createNamespace(NETNS: string): void {
  sh('ip', ['netns', 'add', NETNS]);
  sh('ip', [
    'netns',
    'exec',
    NETNS,
    'sysctl',
    '-q',
    '-w',
    'net.ipv6.conf.all.disable_ipv6=1',
    'net.ipv6.conf.default.disable_ipv6=1',
  ]);
  sh('ip', ['-n', NETNS, 'link', 'add', SEND_DEV, 'type', 'veth', 'peer', 'name', SINK_DEV]);
  sh('ip', ['-n', NETNS, 'link', 'add', MIRROR_DEV, 'type', 'veth', 'peer', 'name', CAPTURE_DEV]);
  for (const dev of ['lo', SEND_DEV, SINK_DEV, MIRROR_DEV, CAPTURE_DEV])
    sh('ip', ['-n', NETNS, 'link', 'set', dev, 'up']);
  sh('ip', ['netns', 'exec', NETNS, 'tc', 'qdisc', 'add', 'dev', SEND_DEV, 'clsact']);
}

/**
 * Every frame leaving the sender port is copied `copies` times onto the capture pair: filters of at most
 * ACTIONS_PER_FILTER mirror actions each, all but the last ending in "continue" so the next filter sees the frame.
 */
function setCopies(NETNS: string, copies: number): void {
  try {
    sh('ip', ['netns', 'exec', NETNS, 'tc', 'filter', 'del', 'dev', SEND_DEV, 'egress']);
  } catch {
    // No filter yet.
  }
  for (let prio = 1, left = copies; left > 0; prio++, left -= ACTIONS_PER_FILTER) {
    const here = Math.min(ACTIONS_PER_FILTER, left);
    const last = left <= ACTIONS_PER_FILTER;
    const actions = Array.from({ length: here }, (_, i) => [
      'action',
      'mirred',
      'egress',
      'mirror',
      'dev',
      MIRROR_DEV,
      ...(i === here - 1 && !last ? ['continue'] : []),
    ]).flat();
    sh('ip', [
      'netns',
      'exec',
      NETNS,
      'tc',
      'filter',
      'add',
      'dev',
      SEND_DEV,
      'egress',
      'prio',
      String(prio),
      'protocol',
      'all',
      'u32',
      'match',
      'u32',
      '0',
      '0',
      'flowid',
      '1:1',
      ...actions,
    ]);
  }
}

/** Frames that reached the capture port (its receive counter). */
function arrived(NETNS: string): number {
  const [link] = JSON.parse(sh('ip', ['-n', NETNS, '-s', '-j', 'link', 'show', 'dev', CAPTURE_DEV])) as {
    stats64: { rx: { packets: number } };
  }[];
  return link!.stats64.rx.packets;
}

function deleteNamespace(NETNS: string): void {
  try {
    sh('ip', ['netns', 'delete', NETNS]);
  } catch {
    // Already gone.
  }
}

export interface SenderResult {
  sent: number;
  errors: number;
  seconds: number;
}

function runSender(NETNS: string, template: Uint8Array, rate: number, count: number): Promise<SenderResult> {
  const capPath = dirname(createRequire(import.meta.url).resolve('cap/package.json'));
  const child: ChildProcess = spawn(
    'ip',
    [
      'netns',
      'exec',
      NETNS,
      process.execPath,
      '-e',
      SENDER,
      capPath,
      SEND_DEV,
      hex(template),
      String(rate),
      String(count),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    for (const line of text.split('\n'))
      if (line && !/no IPv4 address assigned/.test(line)) process.stderr.write(`[sender] ${line}\n`);
  });
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => {
    out += text;
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the sender exited ${code}`));
      else resolve(JSON.parse(out) as SenderResult);
    });
  });
}

/** The load namespace: create, offer load, read what arrived, delete. */
export class LoadNamespace {
  private constructor(readonly name: string) {}

  /** Creates the namespace (a leftover of the same name is removed first). */
  static create(name: string): LoadNamespace {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$/.test(name)) throw new Error(`load namespace ${JSON.stringify(name)}`);
    deleteNamespace(name);
    createNamespace(name);
    return new LoadNamespace(name);
  }

  /** Frames that reached the capture port so far (its receive counter). */
  arrived(): number {
    return arrived(this.name);
  }

  /**
   * Offers `rate` frames/s for about `count` frames in all (the sender paces rate ÷ copies; the mirror copies) and
   * resolves with what the sender did and how many frames reached the capture port meanwhile.
   */
  async offer(
    template: Uint8Array,
    rate: number,
    count: number,
    /** How many copies each sent frame becomes (default: as few as the sender's pace allows). */
    copiesWanted?: number,
  ): Promise<SenderResult & { copies: number; arrived: number }> {
    const copies = Math.min(MAX_COPIES, Math.max(1, copiesWanted ?? Math.ceil(rate / SENDER_RATE)));
    setCopies(this.name, copies);
    const before = this.arrived();
    const sent = await runSender(this.name, template, rate / copies, Math.round(count / copies));
    return { ...sent, copies, arrived: this.arrived() - before };
  }

  delete(): void {
    deleteNamespace(this.name);
  }
}
