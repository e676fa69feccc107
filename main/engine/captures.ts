/**
 * A recorded run's capture files, browsable: which files the run has (tester port and port mirrors, per mode and
 * repetition), and windows of any one file's rows through the same decoder and summary as the live list. A file is
 * indexed once (one pass over its bytes: where each packet's block starts, shared/wire/capture-file.ts
 * PcapngIndex) and rows are decoded only when asked for, so a million-frame file opens in well under a second;
 * a display filter decodes the file once and keeps the matching frame numbers while that filter stays.
 *
 * Only files directly in the run folder's capture/ directory with plain names are ever read: a name with a path
 * in it, a symlink, or anything that is not a regular file is refused with a message that says so.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
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
import type { RunManifest, StepRecord } from '../../shared/run/model.js';
import { PcapngIndex } from '../../shared/wire/capture-file.js';
import { decodeFrame } from '../../shared/wire/decode.js';
import { type ListedFrame, parseFilter } from '../../shared/wire/filter.js';
import type { PcapTime } from '../../shared/wire/pcapng.js';
import { frameSummary, frameTag } from '../../shared/wire/summary.js';

/** A capture file's name as the engine writes it: r<repetition>-<mode>[-<slave>][.interrupted-<ms>].pcapng. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.pcapng$/;

/** Files kept indexed at once (each holds its bytes: a million-frame file is ~130 MB). */
const OPEN_FILES = 3;

interface OpenFile {
  key: string;
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
    if (typeof file !== 'string')
      throw new Error('the capture file must be given by name, e.g. capture/r1-active-backup.pcapng');
    const name = file.startsWith('capture/') ? file.slice('capture/'.length) : file;
    if (!SAFE_NAME.test(name)) {
      throw new Error(
        `"${file.slice(0, 120)}" is not a capture file of this run: give one listCaptures named, e.g. capture/r1-active-backup.pcapng`,
      );
    }
    const path = join(dir, 'capture', name);
    const info = await lstat(path).catch(() => undefined);
    if (!info) throw new Error(`the run has no capture file ${name}`);
    if (!info.isFile()) throw new Error(`capture/${name} is not a regular file (a link or a folder): it is not read`);
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
        for (let i = 0; i < index.count; i++) if (parsed.test(this.listed(file, i))) matching.push(i);
        file.filtered = { text: filter, rows: Uint32Array.from(matching) };
      }
      rows = file.filtered.rows;
    }
    const matching = rows ? rows.length : index.count;
    const frames: FrameSummary[] = [];
    for (let row = offset; row < Math.min(matching, offset + limit); row++) {
      frames.push(this.summary(file, rows ? rows[row]! : row));
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
      throw new Error(`step ${index} is not a measured pull of this run: give a pull step's index`);
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
      for (let i = firstAtOrAfter(file.index, pullAt + fromMs); i < file.index.count; i++) {
        const packet = file.index.packet(i);
        const atMs = packet.time.sec * 1000 + packet.time.nsec / 1e6 - pullAt;
        if (atMs > toMs) break;
        const frame = decodeFrame(packet.data, file.index.interfaceOf(i)?.linkType);
        if (frame.icmp?.echo?.kind === 'reply' && frame.ipv4?.src === bondIp) lane.replies.push(round(atMs));
        // The same test the measurement uses for "the bond reacted", asked of one frame.
        const signal = failoverSignal([{ ...frame, timeMs: atMs }], { afterMs: fromMs, bondIp });
        if (signal) {
          traffic.reactions.push({ atMs: round(atMs), kind: signal.kind, port: info.port, file: info.file, no: i + 1 });
          if (atMs >= 0 && (firstReaction === undefined || atMs < firstReaction)) firstReaction = atMs;
        }
        if (!info.slave && probe.gapFrames?.includes(i + 1)) traffic.namedFrames.push({ no: i + 1, atMs: round(atMs) });
      }
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

  private summary(file: OpenFile, i: number): FrameSummary {
    const packet = file.index.packet(i);
    const port = file.index.interfaceOf(i)?.name ?? file.info.port;
    const linkType = file.index.interfaceOf(i)?.linkType;
    return frameSummary(decodeFrame(packet.data, linkType), i + 1, secondsBetween(file.start, packet.time), port);
  }

  /** A row as the display filter sees it, without the detail pane's layers (filtering decodes every frame). */
  private listed(file: OpenFile, i: number): ListedFrame {
    const packet = file.index.packet(i);
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
      const bytes = await readFile(path);
      const index = PcapngIndex.build(bytes);
      const start = index.count > 0 ? index.packet(0).time : { sec: 0, nsec: 0 };
      return { key, index, start, info: { ...describeCaptureFile(name, plan, manifest), bytes: stats.size } };
    })();
    this.open.set(key, opening);
    opening.catch(() => this.open.delete(key));
    while (this.open.size > OPEN_FILES) this.open.delete(this.open.keys().next().value!);
    return opening;
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** The first packet at or after `ms` (epoch), by binary search: a capture file's packets are in time order. */
function firstAtOrAfter(index: PcapngIndex, ms: number): number {
  let lo = 0;
  let hi = index.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const { sec, nsec } = index.packet(mid).time;
    if (sec * 1000 + nsec / 1e6 < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function checkQuery(query: CaptureQuery): { offset: number; limit: number; filter: string } {
  if (typeof query !== 'object' || query === null) throw new Error('readCapture wants {file, offset, limit, filter?}');
  const { offset, limit, filter = '' } = query;
  if (!Number.isInteger(offset) || offset < 0) throw new Error(`offset must be a row number ≥ 0, not ${offset}`);
  if (!Number.isInteger(limit) || limit < 1 || limit > CAPTURE_PAGE_LIMIT) {
    throw new Error(`limit must be 1…${CAPTURE_PAGE_LIMIT} rows, not ${limit}`);
  }
  if (typeof filter !== 'string' || filter.length > 1000)
    throw new Error('filter must be a display filter of at most 1000 characters');
  return { offset, limit, filter };
}
