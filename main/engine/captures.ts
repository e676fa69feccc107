/**
 * A recorded run's capture files, browsable: which files the run has (tester port and port mirrors, per mode and
 * repetition), and windows of any one file's rows through the same decoder and summary as the live list. A file is
 * indexed once (one pass over its bytes: where each packet's block starts, shared/wire/capture-file.ts
 * PcapngIndex, scanned in 1 MB reads without holding the file) and rows are read and decoded only when asked for,
 * so a million-frame file opens in well under a second; a display filter decodes the file once and keeps the
 * matching frame numbers while that filter stays.
 *
 * The index is kept beside its file (capture/<name>.pcapng.bbindex, ~14 bytes a frame: the zip bundle and the
 * capture list take *.pcapng only) once built, so the file's next open — by another process too — reads the index
 * instead of the file; it is used only while the file has the size and mtime it was built from, and is rebuilt
 * otherwise. A run folder that cannot be written (read-only media) is simply indexed on each open.
 *
 * Only files directly in the run folder's capture/ directory with plain names are ever read: a name with a path
 * in it, a symlink, or anything that is not a regular file is refused with a message that says so.
 */
import { constants } from 'node:fs';
import { type FileHandle, lstat, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CAPTURE_PAGE_LIMIT,
  type CaptureFileInfo,
  type CapturePage,
  type CaptureQuery,
  type FrameSummary,
  type PullTraffic,
} from '../../shared/api.js';
import { failoverSignal } from '../../shared/measure/failover.js';
import type { Plan } from '../../shared/plan/plan.js';
import type { ReasonPart, RunManifest, StepRecord } from '../../shared/run/model.js';
import { SaidError } from '../../shared/run/said-error.js';
import { type FilePacket, type FileWindow, PcapngIndex } from '../../shared/wire/capture-file.js';
import { decodeFrame } from '../../shared/wire/decode.js';
import { type ListedFrame, parseFilter } from '../../shared/wire/filter.js';
import type { PcapTime } from '../../shared/wire/pcapng.js';
import { frameSummary, frameTag } from '../../shared/wire/summary.js';

/** A capture file's name as the engine writes it: r<repetition>-<mode>[-<slave>][.interrupted-<ms>].pcapng. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.pcapng$/;

/** Files kept indexed at once (a million-frame file's index is ~14 MB). */
const OPEN_FILES = 8;
/** Bytes per read while indexing or filtering: small enough to stay in the CPU's cache. */
const READ_CHUNK = 1 << 20;
/** A persisted index's name, beside its capture file. */
export const INDEX_SUFFIX = '.bbindex';

interface OpenFile {
  key: string;
  path: string;
  index: PcapngIndex;
  start: PcapTime;
  info: CaptureFileInfo;
  /** The last filter's matching packet indexes. */
  filtered?: { text: string; rows: Uint32Array };
}

/** What a file name says about its mode, repetition and port, given the run's plan. */
export function describeCaptureFile(
  name: string,
  plan: Pick<Plan, 'modes' | 'tester'>,
  manifest?: Pick<RunManifest, 'tester'>,
): Omit<CaptureFileInfo, 'bytes'> {
  const file = `capture/${name}`;
  let rest = name.replace(/\.pcapng$/, '');
  const interrupted = /\.interrupted-\d+$/.test(rest);
  rest = rest.replace(/\.interrupted-\d+$/, '');
  const testerPort = manifest?.tester?.interface ?? plan.tester.interface;
  const match = /^r(\d+)-(.*)$/.exec(rest);
  // Longest mode first: "balance-alb" must not be read as mode "balance" … (none is a prefix today; cheap insurance).
  const modes = [...plan.modes].sort((a, b) => b.length - a.length);
  const mode = match ? modes.find((m) => match[2] === m || match[2]!.startsWith(`${m}-`)) : undefined;
  if (!match || !mode) return { file, port: testerPort, ...(interrupted ? { interrupted } : {}) };
  const suffix = match[2]!.slice(mode.length + 1);
  // A mirror's file is named by the slave it copies (r1-active-backup-eth1); runs before that named it by the
  // capture port (r1-active-backup-tap-eth1).
  const mirrors = plan.tester.portMirrors ?? {};
  const slave = Object.hasOwn(mirrors, suffix)
    ? suffix
    : Object.entries(mirrors).find(([, mirror]) => mirror === suffix)?.[0];
  const port = slave ? (mirrors[slave] ?? suffix) : suffix || testerPort;
  return {
    file,
    port,
    ...(slave ? { slave } : {}),
    mode,
    repetition: Number(match[1]),
    ...(interrupted ? { interrupted } : {}),
  };
}

const secondsBetween = (from: PcapTime, to: PcapTime) => to.sec - from.sec + (to.nsec - from.nsec) / 1e9;

export class RecordedCaptures {
  private readonly open = new Map<string, Promise<OpenFile>>();

  /** The run's capture files, tester port first within each mode and repetition, in plan order. */
  async list(dir: string, plan: Pick<Plan, 'modes' | 'tester'>, manifest?: RunManifest): Promise<CaptureFileInfo[]> {
    const names = await readdir(join(dir, 'capture')).catch(() => [] as string[]);
    const files: CaptureFileInfo[] = [];
    for (const name of names) {
      if (!SAFE_NAME.test(name)) continue;
      const info = await lstat(join(dir, 'capture', name)).catch(() => undefined);
      if (!info?.isFile()) continue;
      files.push({ ...describeCaptureFile(name, plan, manifest), bytes: info.size });
    }
    const order = (f: CaptureFileInfo) => [
      f.repetition ?? Number.MAX_SAFE_INTEGER,
      f.mode ? plan.modes.indexOf(f.mode as Plan['modes'][number]) : Number.MAX_SAFE_INTEGER,
      f.interrupted ? 1 : 0,
      f.slave ? 1 : 0,
    ];
    return files.sort((a, b) => {
      const [x, y] = [order(a), order(b)];
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
      return a.file.localeCompare(b.file);
    });
  }

  /** The file's path inside the run folder, after checking it is one of the run's capture files. */
  async resolve(dir: string, file: string): Promise<{ path: string; name: string }> {
    if (typeof file !== 'string') throw captureError('byName');
    const name = file.startsWith('capture/') ? file.slice('capture/'.length) : file;
    if (!SAFE_NAME.test(name)) {
      throw captureError('notOfRun', { file: file.slice(0, 120) });
    }
    const path = join(dir, 'capture', name);
    const info = await lstat(path).catch(() => undefined);
    if (!info) throw captureError('noFile', { name });
    if (!info.isFile()) throw captureError('notRegular', { name });
    return { path, name };
  }

  /** A window of rows of one file (see CaptureQuery). */
  async page(
    dir: string,
    plan: Pick<Plan, 'modes' | 'tester'>,
    manifest: RunManifest | undefined,
    query: CaptureQuery,
  ): Promise<CapturePage> {
    const { offset, limit, filter } = checkQuery(query);
    const { path, name } = await this.resolve(dir, query.file);
    const file = await this.openFile(path, name, plan, manifest);
    const { index, info } = file;
    const base = { file: info.file, port: info.port, total: index.count, offset };
    let rows: Uint32Array | undefined;
    if (filter.trim()) {
      const parsed = parseFilter(filter);
      if (!parsed.ok) return { ...base, matching: 0, frames: [], filterError: parsed.error };
      if (file.filtered?.text !== filter) {
        const matching: number[] = [];
        await eachPacket(file, 0, index.count, (i, packet) => {
          if (parsed.test(this.listed(file, i, packet))) matching.push(i);
          return true;
        });
        file.filtered = { text: filter, rows: Uint32Array.from(matching) };
      }
      rows = file.filtered.rows;
    }
    const matching = rows ? rows.length : index.count;
    const frames: FrameSummary[] = [];
    const wanted: number[] = [];
    for (let row = offset; row < Math.min(matching, offset + limit); row++) wanted.push(rows ? rows[row]! : row);
    // Rows near each other in the file come in one read (rows ascend).
    for (let k = 0; k < wanted.length; ) {
      const { start } = index.span(wanted[k]!, wanted[k]! + 1);
      let j = k + 1;
      while (j < wanted.length && index.span(wanted[j]!, wanted[j]! + 1).end - start <= 4 * READ_CHUNK) j++;
      const window = await readSpan(file, wanted[k]!, wanted[j - 1]! + 1);
      for (let m = k; m < j; m++) frames.push(this.summary(file, wanted[m]!, index.packet(wanted[m]!, window)));
      k = j;
    }
    return { ...base, matching, frames };
  }

  /**
   * A pull step's traffic from every capture file of its mode and repetition: echo replies from the bond per port
   * and the bond's reaction frames, in ms since the pull. Throws when the step is not a measured pull.
   */
  async pullTraffic(
    dir: string,
    plan: Pick<Plan, 'modes' | 'tester' | 'bond'>,
    manifest: RunManifest | undefined,
    steps: readonly StepRecord[],
    index: number,
  ): Promise<PullTraffic> {
    const step = steps.find((s) => s.index === index);
    const probe = step?.measurements?.probe;
    const marker = probe?.markers.find((m) => m.label.startsWith('pull'));
    if (step?.kind !== 'pull' || !probe || !marker) {
      throw captureError('notPull', { index });
    }
    const stepStart = Date.parse(step.startedAt);
    const pullAt = stepStart + marker.atMs;
    const fromMs = stepStart - pullAt;
    const toMs = stepStart + step.durationMs - pullAt;
    const bondIp = plan.bond.address.split('/')[0]!;
    const files = (await this.list(dir, plan, manifest)).filter(
      (f) => f.mode === step.mode && f.repetition === step.repetition && !f.interrupted,
    );
    const traffic: PullTraffic = {
      step: index,
      slave: step.slave,
      fromMs,
      toMs,
      lanes: [],
      reactions: [],
      namedFrames: [],
    };
    if (probe.failoverMs !== undefined) traffic.gapMs = probe.failoverMs;
    const anatomy = probe.anatomy;
    if (anatomy) {
      traffic.carrierOffMs = round(anatomy.carrierOffAtMs - pullAt);
      traffic.carrierOffUncertaintyMs = anatomy.carrierOffUncertaintyMs;
      if (anatomy.confirmedMs !== undefined) {
        traffic.confirmedMs = round(anatomy.carrierOffAtMs + anatomy.confirmedMs - pullAt);
        traffic.confirmedBy = anatomy.confirmedBy ?? 'mii';
      }
    }
    let firstReaction: number | undefined;
    for (const info of files) {
      const { path, name } = await this.resolve(dir, info.file);
      const file = await this.openFile(path, name, plan, manifest);
      const lane = {
        port: info.port,
        ...(info.slave ? { slave: info.slave } : {}),
        file: info.file,
        replies: [] as number[],
      };
      const from = await firstAtOrAfter(file, pullAt + fromMs);
      await eachPacket(file, from, file.index.count, (i, packet) => {
        const atMs = packet.time.sec * 1000 + packet.time.nsec / 1e6 - pullAt;
        if (atMs > toMs) return false;
        const frame = decodeFrame(packet.data, file.index.interfaceOf(i)?.linkType);
        if (frame.icmp?.echo?.kind === 'reply' && frame.ipv4?.src === bondIp) lane.replies.push(round(atMs));
        // The same test the measurement uses for "the bond reacted", asked of one frame.
        const signal = failoverSignal([{ ...frame, timeMs: atMs }], { afterMs: fromMs, bondIp });
        if (signal) {
          traffic.reactions.push({ atMs: round(atMs), kind: signal.kind, port: info.port, file: info.file, no: i + 1 });
          if (atMs >= 0 && (firstReaction === undefined || atMs < firstReaction)) firstReaction = atMs;
        }
        if (!info.slave && probe.gapFrames?.includes(i + 1)) traffic.namedFrames.push({ no: i + 1, atMs: round(atMs) });
        return true;
      });
      if (!info.slave) {
        // The outage as the wire shows it: the longest silence between replies that ends after the pull.
        for (let k = 1; k < lane.replies.length; k++) {
          const [start, end] = [lane.replies[k - 1]!, lane.replies[k]!];
          if (end <= 0) continue;
          if (traffic.firstReplyMs === undefined || end - start > traffic.firstReplyMs - traffic.lastReplyMs!) {
            traffic.lastReplyMs = start;
            traffic.firstReplyMs = end;
          }
        }
      }
      traffic.lanes.push(lane);
    }
    if (firstReaction !== undefined) traffic.firstReactionMs = round(firstReaction);
    traffic.reactions.sort((a, b) => a.atMs - b.atMs);
    return traffic;
  }

  /** Forgets every indexed file (their bytes go with them). */
  clear(): void {
    this.open.clear();
  }

  private summary(file: OpenFile, i: number, packet: FilePacket): FrameSummary {
    const port = file.index.interfaceOf(i)?.name ?? file.info.port;
    const linkType = file.index.interfaceOf(i)?.linkType;
    return frameSummary(decodeFrame(packet.data, linkType), i + 1, secondsBetween(file.start, packet.time), port);
  }

  /** A row as the display filter sees it, without the detail pane's layers (filtering decodes every frame). */
  private listed(file: OpenFile, i: number, packet: FilePacket): ListedFrame {
    const f = decodeFrame(packet.data, file.index.interfaceOf(i)?.linkType);
    return {
      no: i + 1,
      key: i + 1,
      time: secondsBetween(file.start, packet.time),
      source: f.src,
      destination: f.dst,
      protocol: f.protocol,
      info: f.info,
      tag: frameTag(f),
      port: file.index.interfaceOf(i)?.name ?? file.info.port,
      detail: [],
      mode: file.info.mode,
      rep: file.info.repetition ?? 1,
    };
  }

  private async openFile(
    path: string,
    name: string,
    plan: Pick<Plan, 'modes' | 'tester'>,
    manifest: RunManifest | undefined,
  ): Promise<OpenFile> {
    const stats = await lstat(path);
    const key = `${path}\u0000${stats.size}\u0000${stats.mtimeMs}`;
    let opening = this.open.get(key);
    if (opening) {
      // Most recently used last.
      this.open.delete(key);
      this.open.set(key, opening);
      return opening;
    }
    opening = (async () => {
      const file = { size: stats.size, mtimeMs: stats.mtimeMs };
      const index = (await readPersistedIndex(path, file)) ?? (await indexFile(path, file));
      const opened: OpenFile = {
        key,
        path,
        index,
        start: { sec: 0, nsec: 0 },
        info: { ...describeCaptureFile(name, plan, manifest), bytes: stats.size },
      };
      if (index.count > 0) opened.start = index.packet(0, await readSpan(opened, 0, 1)).time;
      return opened;
    })();
    this.open.set(key, opening);
    opening.catch(() => this.open.delete(key));
    while (this.open.size > OPEN_FILES) this.open.delete(this.open.keys().next().value!);
    return opening;
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** The first packet at or after `ms` (epoch), by binary search: a capture file's packets are in time order. */
async function firstAtOrAfter(file: OpenFile, ms: number): Promise<number> {
  let lo = 0;
  let hi = file.index.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const { sec, nsec } = file.index.packet(mid, await readSpan(file, mid, mid + 1)).time;
    if (sec * 1000 + nsec / 1e6 < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Opens a capture file for reading, never through a symlink put in its place. */
const openCapture = (path: string) => open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));

/** Reads `length` bytes at `position`, all of them (a short read means the file shrank: an error saying so). */
async function readFully(handle: FileHandle, into: Uint8Array, length: number, position: number): Promise<Uint8Array> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(into, got, length - got, position + got);
    if (bytesRead === 0) throw captureError('ended', { at: position + got });
    got += bytesRead;
  }
  return into.subarray(0, length);
}

/** The bytes holding packets from…to−1 of an indexed file. */
async function readSpan(file: OpenFile, from: number, to: number): Promise<FileWindow> {
  const { start, end } = file.index.span(from, to);
  const handle = await openCapture(file.path);
  try {
    return { bytes: await readFully(handle, new Uint8Array(end - start), end - start, start), offset: start };
  } finally {
    await handle.close();
  }
}

/**
 * Hands packets from…to−1 to `each` in order, reading the file in READ_CHUNK pieces; `each` returning false stops.
 * The packet's data is only valid during the call.
 */
async function eachPacket(
  file: OpenFile,
  from: number,
  to: number,
  each: (i: number, packet: FilePacket) => boolean,
): Promise<void> {
  const { index } = file;
  const handle = await openCapture(file.path);
  try {
    let buffer = new Uint8Array(READ_CHUNK);
    for (let i = from; i < to; ) {
      // As many whole packets as fit in one chunk (at least one, however large).
      const { start } = index.span(i, i + 1);
      let j = i + 1;
      let step = 64;
      while (j < to) {
        const next = Math.min(to, j + step);
        if (index.span(i, next).end - start > READ_CHUNK) {
          if (step === 1) break;
          step = Math.max(1, step >> 2);
          continue;
        }
        j = next;
        step *= 2;
      }
      const { end } = index.span(i, j);
      if (end - start > buffer.length) buffer = new Uint8Array(end - start);
      const window = { bytes: await readFully(handle, buffer, end - start, start), offset: start };
      for (let k = i; k < j; k++) if (!each(k, index.packet(k, window))) return;
      i = j;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Indexes a capture file by scanning its blocks in READ_CHUNK reads, then keeps the index beside it (best effort:
 * a folder that cannot be written is indexed again next time). Throws CaptureFileError for a damaged file.
 */
async function indexFile(path: string, file: { size: number; mtimeMs: number }): Promise<PcapngIndex> {
  const scanner = PcapngIndex.scanner();
  const handle = await openCapture(path);
  try {
    let buffer = new Uint8Array(READ_CHUNK);
    let position = 0;
    let need = READ_CHUNK;
    while (position < file.size) {
      const length = Math.min(Math.max(need, READ_CHUNK), file.size - position);
      if (length > buffer.length) buffer = new Uint8Array(length);
      const chunk = await readFully(handle, buffer, length, position);
      const final = position + length >= file.size;
      const { consumed, need: more } = scanner.feed(chunk, final);
      if (final) break;
      position += consumed;
      need = more ?? READ_CHUNK;
    }
  } finally {
    await handle.close();
  }
  const index = scanner.finish();
  await writePersistedIndex(path, index, file).catch(() => undefined);
  return index;
}

/** The index kept beside the file, if there is one (a regular file) built from this very file; else undefined. */
async function readPersistedIndex(
  path: string,
  file: { size: number; mtimeMs: number },
): Promise<PcapngIndex | undefined> {
  const at = `${path}${INDEX_SUFFIX}`;
  const info = await lstat(at).catch(() => undefined);
  if (!info?.isFile() || info.size > 64 + file.size * 2) return undefined;
  const bytes = await readFile(at, { flag: constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) }).catch(() => undefined);
  return bytes ? PcapngIndex.deserialize(bytes, file) : undefined;
}

/** Writes the index beside its file: to a new file first, renamed over the old one (never through a link). */
async function writePersistedIndex(
  path: string,
  index: PcapngIndex,
  file: { size: number; mtimeMs: number },
): Promise<void> {
  const at = `${path}${INDEX_SUFFIX}`;
  const temporary = `${at}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, index.serialize(file), { flag: 'wx' });
    await rename(temporary, at);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** A recorded run's capture that cannot be read as asked (`error.capture.*`). */
function captureError(key: string, vars: ReasonPart['vars'] = {}): SaidError {
  return new SaidError('CaptureReadError', `error.capture.${key}`, vars);
}

function checkQuery(query: CaptureQuery): { offset: number; limit: number; filter: string } {
  if (typeof query !== 'object' || query === null) throw captureError('query');
  const { offset, limit, filter = '' } = query;
  if (!Number.isInteger(offset) || offset < 0) throw captureError('offset', { offset: String(offset) });
  if (!Number.isInteger(limit) || limit < 1 || limit > CAPTURE_PAGE_LIMIT) {
    throw captureError('limit', { max: CAPTURE_PAGE_LIMIT, limit: String(limit) });
  }
  if (typeof filter !== 'string' || filter.length > 1000) throw captureError('filter');
  return { offset, limit, filter };
}
