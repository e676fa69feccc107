/**
 * Recorded runs' capture files through the API (Bench.listCaptures / readCapture over main/engine/captures.ts):
 * the index reads every fixture file exactly as the whole-file reader does; rows carry Wireshark's frame numbers
 * and times (tshark is the judge); the display filter and windows work on the server; and nothing outside the
 * run's capture/ folder can be read.
 */
import {
  appendFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bench } from '../../main/engine/bench.js';
import { describeCaptureFile, INDEX_SUFFIX } from '../../main/engine/captures.js';
import { PcapngIndex, readPcapng } from '../../shared/wire/capture-file.js';
import { tsharkFields } from './pcapng-tshark.js';
import { fixtureDir, fixtureNames, loadFixture } from './report-fixtures.js';

const FIXTURE = fixtureNames()[0]!;
let runs: string;
let bench: Bench;
let runId: string;

beforeAll(() => {
  runs = mkdtempSync(join(tmpdir(), 'bondbench-captures-'));
  cpSync(fixtureDir(FIXTURE), join(runs, FIXTURE), { recursive: true });
  bench = new Bench({ runsDir: runs });
  // The store finds a run by its folder's name.
  runId = FIXTURE;
});

afterAll(() => rmSync(runs, { recursive: true, force: true }));

describe('PcapngIndex', () => {
  it('gives every packet of every fixture file as readPcapng does', () => {
    const dir = join(fixtureDir(FIXTURE), 'capture');
    for (const name of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, name));
      const whole = readPcapng(bytes);
      const index = PcapngIndex.build(bytes);
      expect(index.count, name).toBe(whole.packets.length);
      expect(index.comments).toEqual(whole.comments);
      for (let i = 0; i < index.count; i++) {
        const packet = index.packet(i);
        expect(packet.time).toEqual(whole.packets[i]!.time);
        expect(Buffer.from(packet.data).equals(Buffer.from(whole.packets[i]!.data))).toBe(true);
      }
      expect(() => index.packet(index.count)).toThrow(RangeError);
    }
  });

  it('indexes a file fed in chunks (blocks cut at every chunk edge, blocks larger than a chunk) as the whole', () => {
    const bytes = readFileSync(join(fixtureDir(FIXTURE), 'capture', 'r1-active-backup.pcapng'));
    const whole = PcapngIndex.build(bytes);
    for (const size of [16, 100, 257, 4096]) {
      const scanner = PcapngIndex.scanner();
      let position = 0;
      let need = size;
      let grown = 0;
      while (position < bytes.length) {
        const length = Math.min(Math.max(need, size), bytes.length - position);
        const final = position + length >= bytes.length;
        const { consumed, need: more } = scanner.feed(bytes.subarray(position, position + length), final);
        if (final) break;
        if (more) grown++;
        position += consumed;
        need = more ?? size;
      }
      const index = scanner.finish();
      expect(index.count, `chunks of ${size}`).toBe(whole.count);
      if (size < 100) expect(grown).toBeGreaterThan(0);
      for (const i of [0, 1, Math.floor(whole.count / 2), whole.count - 1]) {
        expect(index.span(i, i + 1)).toEqual(whole.span(i, i + 1));
        const { start, end } = index.span(i, i + 1);
        const packet = index.packet(i, { bytes: bytes.subarray(start, end), offset: start });
        expect(Buffer.from(packet.data).equals(Buffer.from(whole.packet(i).data))).toBe(true);
        expect(index.interfaceOf(i)).toEqual(whole.interfaceOf(i));
      }
      // A window that does not hold the packet is said to be one.
      expect(() => index.packet(5, { bytes: bytes.subarray(0, 64), offset: 0 })).toThrow(/outside the bytes read/);
    }
  });

  it('persists as bytes that come back only for the same file (size and mtime) and only undamaged', () => {
    const bytes = readFileSync(join(fixtureDir(FIXTURE), 'capture', 'r1-active-backup.pcapng'));
    const index = PcapngIndex.build(bytes);
    const file = { size: bytes.length, mtimeMs: 1764400000123.5 };
    const kept = index.serialize(file);
    const back = PcapngIndex.deserialize(kept, file)!;
    expect(back.count).toBe(index.count);
    expect(back.comments).toEqual(index.comments);
    const last = index.count - 1;
    expect(back.span(0, index.count)).toEqual(index.span(0, index.count));
    expect(back.packet(last, { bytes, offset: 0 }).time).toEqual(index.packet(last).time);
    // Another size or mtime: the file changed since.
    expect(PcapngIndex.deserialize(kept, { ...file, size: file.size + 132 })).toBeUndefined();
    expect(PcapngIndex.deserialize(kept, { ...file, mtimeMs: file.mtimeMs + 1 })).toBeUndefined();
    // Cut short, offsets out of order, garbage: refused, never thrown.
    expect(PcapngIndex.deserialize(kept.subarray(0, kept.length - 8), file)).toBeUndefined();
    const jumbled = kept.slice();
    const arrays = kept.length - index.count * 12 - ((index.count * 2 + 7) & ~7);
    jumbled.set(kept.subarray(arrays + 8, arrays + 16), arrays);
    expect(PcapngIndex.deserialize(jumbled, file)).toBeUndefined();
    expect(PcapngIndex.deserialize(new Uint8Array(64).fill(7), file)).toBeUndefined();
    // A header of the wrong shape (the folder may come from anywhere): an interface name that is not a string.
    const view = new DataView(kept.buffer, kept.byteOffset, kept.byteLength);
    const jsonLength = view.getUint32(8, true);
    const json = Buffer.from(kept.subarray(16, 16 + jsonLength)).toString('utf8');
    const hostile = json.replace('"name":"tester0"', '"name":{"t":"x"}');
    expect(hostile).not.toBe(json);
    expect(hostile.length).toBe(json.length);
    const forged = kept.slice();
    forged.set(Buffer.from(hostile), 16);
    expect(PcapngIndex.deserialize(forged, file)).toBeUndefined();
    // The same bytes with the name as a string are accepted (the forging above is sound).
    const fair = kept.slice();
    fair.set(Buffer.from(json.replace('"name":"tester0"', '"name":"tester1"')), 16);
    expect(PcapngIndex.deserialize(fair, file)?.interfaceOf(0)?.name).toBe('tester1');
  });

  it('refuses a damaged file by offset, as the whole-file reader does', () => {
    const bytes = Buffer.from(readFileSync(join(fixtureDir(FIXTURE), 'capture', 'r1-active-backup.pcapng')));
    const cut = bytes.subarray(0, bytes.length - 3);
    expect(() => PcapngIndex.build(cut)).toThrow(/at \d+/);
  });
});

describe('a recorded run’s capture files', () => {
  it('lists each file with its mode, repetition, port and mirrored slave, in plan order', async () => {
    const files = await bench.listCaptures(runId);
    const run = await loadFixture(FIXTURE);
    expect(files.length).toBe(readdirSync(join(fixtureDir(FIXTURE), 'capture')).length);
    expect(files.map((f) => f.mode)).toEqual(run.plan.modes.flatMap((m) => [m, m, m]));
    const ab = files.filter((f) => f.mode === 'active-backup');
    expect(ab.map(({ bytes: _b, ...f }) => f)).toEqual([
      { file: 'capture/r1-active-backup.pcapng', port: 'tester0', mode: 'active-backup', repetition: 1 },
      {
        file: 'capture/r1-active-backup-tap-eth1.pcapng',
        port: 'tap-eth1',
        slave: 'eth1',
        mode: 'active-backup',
        repetition: 1,
      },
      {
        file: 'capture/r1-active-backup-tap-eth2.pcapng',
        port: 'tap-eth2',
        slave: 'eth2',
        mode: 'active-backup',
        repetition: 1,
      },
    ]);
  });

  it('reads a mirror named by its slave (as the engine names them now) or by its port (as it did)', () => {
    const plan = { modes: ['802.3ad' as const], tester: { interface: 'tester0', portMirrors: { eth1: 'tap-eth1' } } };
    const bySlave = describeCaptureFile('r1-802.3ad-eth1.pcapng', plan as never);
    const byPort = describeCaptureFile('r1-802.3ad-tap-eth1.pcapng', plan as never);
    for (const info of [bySlave, byPort])
      expect(info).toMatchObject({ port: 'tap-eth1', slave: 'eth1', mode: '802.3ad' });
    expect(describeCaptureFile('r1-802.3ad.pcapng', plan as never)).toEqual({
      file: 'capture/r1-802.3ad.pcapng',
      port: 'tester0',
      mode: '802.3ad',
      repetition: 1,
    });
  });

  it('reads an interrupted attempt’s file name for what it is', () => {
    const plan = {
      modes: ['balance-rr' as const],
      tester: { interface: 'tester0', portMirrors: { eth1: 'tap-eth1' } },
    };
    expect(describeCaptureFile('r2-balance-rr-tap-eth1.interrupted-1764400000000.pcapng', plan as never)).toEqual({
      file: 'capture/r2-balance-rr-tap-eth1.interrupted-1764400000000.pcapng',
      port: 'tap-eth1',
      slave: 'eth1',
      mode: 'balance-rr',
      repetition: 2,
      interrupted: true,
    });
  });

  it('numbers and times rows as Wireshark does, and decodes them as the live list does', async () => {
    const file = 'capture/r1-active-backup.pcapng';
    const page = await bench.readCapture(runId, { file, offset: 500, limit: 50 });
    const { rows } = tsharkFields(join(fixtureDir(FIXTURE), file), ['frame.number', 'frame.time_relative', 'eth.src']);
    expect(page.total).toBe(rows.length);
    expect(page.matching).toBe(rows.length);
    expect(page.frames).toHaveLength(50);
    page.frames.forEach((frame, i) => {
      const [no, time] = rows[500 + i]!;
      expect(frame.no).toBe(Number(no));
      expect(frame.time).toBeCloseTo(Number(time), 6);
      expect(frame.port).toBe('tester0');
      expect(frame.detail?.[0]).toEqual(['Frame', expect.arrayContaining([['Number', no]])]);
    });
    // The last window is short; beyond the end there is nothing.
    const tail = await bench.readCapture(runId, { file, offset: rows.length - 3, limit: 100 });
    expect(tail.frames.map((f) => f.no)).toEqual([rows.length - 2, rows.length - 1, rows.length]);
    expect((await bench.readCapture(runId, { file, offset: rows.length + 5, limit: 10 })).frames).toEqual([]);
  });

  it('filters on the server with the list’s own display filter', async () => {
    const file = 'capture/r1-active-backup.pcapng';
    const named = await bench.readCapture(runId, { file, offset: 0, limit: 100, filter: 'no:506,510' });
    expect(named.frames.map((f) => f.no)).toEqual([506, 510]);
    expect(named.matching).toBe(2);
    const garp = await bench.readCapture(runId, { file, offset: 0, limit: 2000, filter: 'tag:gratuitous' });
    const { rows } = tsharkFields(
      join(fixtureDir(FIXTURE), file),
      ['frame.number'],
      ['-Y', 'arp.isgratuitous == 1 && arp.opcode == 1 && !(arp.src.proto_ipv4 == 0.0.0.0)'],
    );
    expect(garp.frames.length).toBeGreaterThan(0);
    expect(garp.frames.map((f) => f.no)).toEqual(rows.map(([no]) => Number(no)));
    expect(garp.frames.every((f) => f.tag === 'gratuitous')).toBe(true);
    const mode = await bench.readCapture(runId, { file, offset: 0, limit: 5, filter: 'mode:active-backup rep:1' });
    expect(mode.matching).toBe(mode.total);
    const bad = await bench.readCapture(runId, { file, offset: 0, limit: 5, filter: 'colour:red' });
    expect(bad.filterError).toMatch(/unknown filter "colour:"/);
    expect(bad.frames).toEqual([]);
  });

  it('reads nothing outside the run’s capture folder, and says what to give instead', async () => {
    const dir = join(runs, FIXTURE);
    mkdirSync(join(dir, 'capture', 'sub.pcapng'));
    symlinkSync(join(dir, 'capture', 'r1-active-backup.pcapng'), join(dir, 'capture', 'link.pcapng'));
    const read = (file: string) => bench.readCapture(runId, { file, offset: 0, limit: 1 });
    await expect(read('run.json')).rejects.toThrow(/not a capture file of this run/);
    await expect(read('capture/../run.json')).rejects.toThrow(/not a capture file of this run/);
    await expect(read('../../etc/passwd.pcapng')).rejects.toThrow(/not a capture file of this run/);
    await expect(read('/etc/hosts')).rejects.toThrow(/not a capture file of this run/);
    await expect(read('capture/link.pcapng')).rejects.toThrow(/not a regular file/);
    await expect(read('capture/sub.pcapng')).rejects.toThrow(/not a regular file/);
    await expect(read('capture/r9-nothing.pcapng')).rejects.toThrow(/no capture file r9-nothing.pcapng/);
    await expect(
      bench.readCapture(runId, { file: 'capture/r1-active-backup.pcapng', offset: -1, limit: 1 }),
    ).rejects.toThrow(/offset/);
    await expect(
      bench.readCapture(runId, { file: 'capture/r1-active-backup.pcapng', offset: 0, limit: 1_000_000 }),
    ).rejects.toThrow(/limit must be 1…2000/);
    // Links and folders are not listed either.
    expect((await bench.listCaptures(runId)).some((f) => /link|sub/.test(f.file))).toBe(false);
  });
});

describe('the index kept beside a capture file', () => {
  const id = `${FIXTURE}-kept-index`;
  const file = 'capture/r1-active-backup.pcapng';
  const path = () => join(runs, id, file);
  const rows = async (b: Bench) =>
    (await b.readCapture(id, { file, offset: 0, limit: 2000 })).frames.map((f) => [f.no, f.time, f.info]);

  beforeAll(() => cpSync(fixtureDir(FIXTURE), join(runs, id), { recursive: true }));

  it('is written on the first open and read, not rebuilt, by the next process', async () => {
    const first = await rows(new Bench({ runsDir: runs }));
    const kept = lstatSync(`${path()}${INDEX_SUFFIX}`);
    expect(kept.isFile()).toBe(true);
    // A new bench (as after a restart): same rows, from the same index file (a rebuild renames a new one in).
    expect(await rows(new Bench({ runsDir: runs }))).toEqual(first);
    expect(statSync(`${path()}${INDEX_SUFFIX}`).ino).toBe(kept.ino);
    // Neither the capture list nor the zip bundle's capture files take it.
    expect((await bench.listCaptures(id)).some((f) => f.file.includes(INDEX_SUFFIX))).toBe(false);
  });

  it('is refused and rebuilt when the file changed since (a frame appended)', async () => {
    const before = await new Bench({ runsDir: runs }).readCapture(id, { file, offset: 0, limit: 1 });
    const kept = statSync(`${path()}${INDEX_SUFFIX}`);
    const bytes = readFileSync(path());
    const whole = PcapngIndex.build(bytes);
    const { start, end } = whole.span(whole.count - 1, whole.count);
    appendFileSync(path(), bytes.subarray(start, end));
    const after = await new Bench({ runsDir: runs }).readCapture(id, { file, offset: before.total, limit: 5 });
    expect(after.total).toBe(before.total + 1);
    expect(after.frames.map((f) => f.no)).toEqual([before.total + 1]);
    const rebuilt = statSync(`${path()}${INDEX_SUFFIX}`);
    expect(rebuilt.ino).not.toBe(kept.ino);
    const info = statSync(path());
    const index = PcapngIndex.deserialize(readFileSync(`${path()}${INDEX_SUFFIX}`), info);
    expect(index?.count).toBe(before.total + 1);
  });

  it('is refused and rebuilt when damaged, and never written or read through a link', async () => {
    const truth = await rows(new Bench({ runsDir: runs }));
    writeFileSync(`${path()}${INDEX_SUFFIX}`, readFileSync(`${path()}${INDEX_SUFFIX}`).subarray(0, 100));
    expect(await rows(new Bench({ runsDir: runs }))).toEqual(truth);
    expect(statSync(`${path()}${INDEX_SUFFIX}`).size).toBeGreaterThan(100);
    // A link in the index's place: its target is neither read as an index nor written.
    const target = join(runs, 'not-an-index');
    writeFileSync(target, 'precious');
    rmSync(`${path()}${INDEX_SUFFIX}`);
    symlinkSync(target, `${path()}${INDEX_SUFFIX}`);
    expect(await rows(new Bench({ runsDir: runs }))).toEqual(truth);
    expect(readFileSync(target, 'utf8')).toBe('precious');
    expect(lstatSync(`${path()}${INDEX_SUFFIX}`).isFile()).toBe(true);
    expect(readdirSync(join(runs, id, 'capture')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(target)).toBe(true);
  });
});

describe('a pull, read back from the capture files', () => {
  it('shows the replies leave the pulled slave’s port, the bond react, and the replies resume on the other', async () => {
    // active-backup, pull eth2 (step 19): the active slave goes; eth1 takes over with a gratuitous ARP.
    const pull = await bench.pullTraffic(runId, 19);
    expect(pull.slave).toBe('eth2');
    expect(pull.lanes.map((l) => [l.port, l.slave])).toEqual([
      ['tester0', undefined],
      ['tap-eth1', 'eth1'],
      ['tap-eth2', 'eth2'],
    ]);
    const [, eth1, eth2] = pull.lanes;
    expect(eth2!.replies.filter((ms) => ms > 10)).toEqual([]);
    expect(eth1!.replies.filter((ms) => ms < 0)).toEqual([]);
    expect(eth1!.replies.filter((ms) => ms > 0).length).toBeGreaterThan(100);
    const reaction = pull.reactions.find((r) => r.atMs === pull.firstReactionMs)!;
    expect(reaction).toMatchObject({ kind: 'gratuitous-arp', port: 'tap-eth1' });
    // The bond reacts before the replies resume, and the wire's outage agrees with the cell to the probe's interval.
    expect(pull.firstReactionMs!).toBeLessThan(pull.firstReplyMs!);
    expect(Math.abs(pull.firstReplyMs! - pull.lastReplyMs! - pull.gapMs!)).toBeLessThanOrEqual(10);
    expect(pull.namedFrames.map((f) => f.no)).toEqual([1028, 1039]);
  });

  it('places the host’s side of the pull from its anatomy: carrier off and MII down, in ms since the pull', async () => {
    // The fixture predates anatomies: a copy of it with one written into the pull's record.
    const id = `${FIXTURE}-anatomy`;
    cpSync(fixtureDir(FIXTURE), join(runs, id), { recursive: true });
    const stepsFile = join(runs, id, 'steps.jsonl');
    const lines = readFileSync(stepsFile, 'utf8').trimEnd().split('\n');
    const at = lines.findIndex((line) => JSON.parse(line).index === 19);
    const record = JSON.parse(lines[at]!);
    const pullAt = Date.parse(record.startedAt) + record.measurements.probe.markers[0].atMs;
    record.measurements.probe.anatomy = {
      ...(record.measurements.probe.anatomy ?? {}),
      carrierOffAtMs: pullAt + 2.5,
      carrierOffUncertaintyMs: 0.5,
      confirmedMs: 97.5,
      confirmedBy: 'mii',
    };
    lines[at] = JSON.stringify(record);
    writeFileSync(stepsFile, `${lines.join('\n')}\n`);
    const pull = await bench.pullTraffic(id, 19);
    expect(pull).toMatchObject({
      carrierOffMs: 2.5,
      carrierOffUncertaintyMs: 0.5,
      confirmedMs: 100,
      confirmedBy: 'mii',
    });
    // Without an anatomy the chart is told nothing of the host's side.
    const plain = await bench.pullTraffic(runId, 19);
    expect(plain.confirmedMs).toBeUndefined();
    expect(plain.carrierOffMs).toBeUndefined();
  });

  it('refuses a step that is not a measured pull', async () => {
    await expect(bench.pullTraffic(runId, 18)).rejects.toThrow(/not a measured pull/);
    await expect(bench.pullTraffic(runId, -1)).rejects.toThrow(/step index/);
  });
});
