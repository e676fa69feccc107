/**
 * Readers for capture files that fit in memory: pcapng (what the bench writes, and dumpcap) and classic pcap
 * (tcpdump -w). For re-judging a run from its file and for comparing with tcpdump; PcapngIndex for browsing a
 * large file frame by frame without reading every packet into an object. Pure: bytes in, records out;
 * a damaged file gives an error naming the offset, not a crash.
 */
import type { PcapTime } from './pcapng.js';

export interface FilePacket {
  interfaceId: number;
  time: PcapTime;
  data: Uint8Array;
  originalLength: number;
  comment?: string;
}

export interface FileInterface {
  linkType: number;
  snapLength: number;
  name?: string;
  filter?: string;
  /** Timestamp units per second (1e6 by default, 1e9 for if_tsresol 9). */
  unitsPerSecond: number;
}

export interface FileStatistics {
  interfaceId: number;
  time: PcapTime;
  comment?: string;
}

export interface CaptureFile {
  format: 'pcapng' | 'pcap';
  /** Section comments, in order. */
  comments: string[];
  interfaces: FileInterface[];
  packets: FilePacket[];
  statistics: FileStatistics[];
}

export class CaptureFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureFileError';
  }
}

const utf8 = new TextDecoder();

const viewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function reader(bytes: Uint8Array, littleEndian: boolean, view = viewOf(bytes)) {
  return {
    u16: (at: number) => view.getUint16(at, littleEndian),
    u32: (at: number) => view.getUint32(at, littleEndian),
  };
}

function toTime(units: bigint, unitsPerSecond: number): PcapTime {
  const per = BigInt(unitsPerSecond);
  const sec = units / per;
  const frac = units % per;
  return { sec: Number(sec), nsec: Number((frac * 1_000_000_000n) / per) };
}

interface Options {
  comments: string[];
  values: Map<number, Uint8Array[]>;
}

function readOptions(bytes: Uint8Array, from: number, to: number, u16: (at: number) => number): Options {
  const options: Options = { comments: [], values: new Map() };
  for (let at = from; at + 4 <= to; ) {
    const code = u16(at);
    const length = u16(at + 2);
    if (code === 0) break;
    if (at + 4 + length > to) throw new CaptureFileError(`option ${code} at ${at} runs past its block`);
    const value = bytes.subarray(at + 4, at + 4 + length);
    if (code === 1) options.comments.push(utf8.decode(value));
    const list = options.values.get(code) ?? [];
    list.push(value);
    options.values.set(code, list);
    at += 4 + ((length + 3) & ~3);
  }
  return options;
}

function unitsPerSecond(tsresol: Uint8Array | undefined): number {
  if (!tsresol || tsresol.length < 1) return 1e6;
  const v = tsresol[0]!;
  return v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
}

/** The Enhanced Packet Block at `at` (its options end at `end`), against the section's interfaces. */
function enhancedPacket(
  bytes: Uint8Array,
  at: number,
  end: number,
  littleEndian: boolean,
  interfaces: FileInterface[],
  view = viewOf(bytes),
): FilePacket {
  const { u16, u32 } = reader(bytes, littleEndian, view);
  const interfaceId = u32(at + 8);
  const iface = interfaces[interfaceId];
  if (!iface) throw new CaptureFileError(`packet at ${at} names undeclared interface ${interfaceId}`);
  const capLength = u32(at + 20);
  if (at + 28 + capLength > end) throw new CaptureFileError(`packet at ${at} runs past its block`);
  const units = (BigInt(u32(at + 12)) << 32n) | BigInt(u32(at + 16));
  const options = readOptions(bytes, at + 28 + ((capLength + 3) & ~3), end, u16);
  const packet: FilePacket = {
    interfaceId,
    time: toTime(units, iface.unitsPerSecond),
    data: bytes.subarray(at + 28, at + 28 + capLength),
    originalLength: u32(at + 24),
  };
  if (options.comments.length > 0) packet.comment = options.comments.join('\n');
  return packet;
}

/** A block the walker hands on: its type, where it starts and where its options end, in its section's byte order. */
interface BlockVisit {
  type: number;
  at: number;
  end: number;
  littleEndian: boolean;
  /** The section's interfaces so far (Interface Description Blocks are read by the walker itself). */
  interfaces: FileInterface[];
  /** 0 for the first section, counting Section Header Blocks. */
  section: number;
  /** A view of the bytes walked (one for the walk, not one per block). */
  view: DataView;
}

/** Where a walk is between calls: the section's byte order and interfaces, and how many sections began. */
interface WalkState {
  littleEndian: boolean;
  interfaces: FileInterface[];
  section: number;
}

const newWalk = (): WalkState => ({ littleEndian: true, interfaces: [], section: -1 });

/**
 * Walks pcapng blocks in `bytes` (which start at a block boundary, `base` bytes into the file, so errors name file
 * offsets), checking each block's lengths, following byte order per section and reading Interface Description
 * Blocks; every block goes to `visit`, except Enhanced Packet Blocks when `packet` takes them (a million packets
 * without an object each). With `final`, the bytes are the rest of the file and a block cut short is an error;
 * without, the walk stops before it. Returns how many bytes it consumed (whole blocks). Throws CaptureFileError
 * naming the offset.
 */
function walkBlocks(
  bytes: Uint8Array,
  base: number,
  state: WalkState,
  final: boolean,
  visit: (block: BlockVisit) => void,
  packet?: (at: number, interfaceId: number) => void,
): number {
  const view = viewOf(bytes);
  let at = 0;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) {
      if (!final) break;
      throw new CaptureFileError(`truncated block header at ${base + at}`);
    }
    // The section header's byte-order magic decides how everything after it reads.
    if (view.getUint32(at, true) === 0x0a0d0d0a) {
      const bom = view.getUint32(at + 8, true);
      if (bom === 0x1a2b3c4d) state.littleEndian = true;
      else if (bom === 0x4d3c2b1a) state.littleEndian = false;
      else throw new CaptureFileError(`bad byte-order magic at ${base + at + 8}`);
    }
    const { littleEndian } = state;
    const type = view.getUint32(at, littleEndian);
    const length = view.getUint32(at + 4, littleEndian);
    if (length >= 12 && length % 4 === 0 && at + length > bytes.length && !final) break;
    if (length < 12 || length % 4 !== 0 || at + length > bytes.length) {
      throw new CaptureFileError(`block of type ${type} at ${base + at} has impossible length ${length}`);
    }
    if (view.getUint32(at + length - 4, littleEndian) !== length) {
      throw new CaptureFileError(`block at ${base + at}: trailing length differs`);
    }
    if (type === 6 && packet) {
      packet(at, view.getUint32(at + 8, littleEndian));
      at += length;
      continue;
    }
    if (type === 0x0a0d0d0a) {
      state.interfaces = [];
      state.section++;
    }
    const end = at + length - 4;
    // Packets never go missing silently: blocks that carry packets without a timestamp are refused.
    if (type === 3) {
      throw new CaptureFileError(
        `block at ${base + at} is a Simple Packet Block, which carries no timestamp, and every measurement here needs one: ` +
          'save the capture again with Enhanced Packet Blocks (editcap -F pcapng in.pcapng out.pcapng, or Wireshark)',
      );
    }
    if (type === 2) {
      throw new CaptureFileError(
        `block at ${base + at} is an obsolete Packet Block: save the capture again with Enhanced Packet Blocks ` +
          '(editcap -F pcapng in.pcapng out.pcapng, or Wireshark)',
      );
    }
    if (type === 1) {
      const { u16, u32 } = reader(bytes, littleEndian, view);
      const options = readOptions(bytes, at + 16, end, u16);
      const iface: FileInterface = {
        linkType: u16(at + 8),
        snapLength: u32(at + 12),
        unitsPerSecond: unitsPerSecond(options.values.get(9)?.[0]),
      };
      const name = options.values.get(2)?.[0];
      if (name) iface.name = utf8.decode(name);
      const filter = options.values.get(11)?.[0];
      if (filter && filter.length > 0) iface.filter = utf8.decode(filter.subarray(1));
      state.interfaces.push(iface);
    }
    visit({ type, at, end, littleEndian, interfaces: state.interfaces, section: Math.max(0, state.section), view });
    at += length;
  }
  return at;
}

/** Walks a whole pcapng file in memory (see walkBlocks). */
function walkPcapng(bytes: Uint8Array, visit: (block: BlockVisit) => void): void {
  walkBlocks(bytes, 0, newWalk(), true, visit);
}

export function readPcapng(bytes: Uint8Array): CaptureFile {
  const file: CaptureFile = { format: 'pcapng', comments: [], interfaces: [], packets: [], statistics: [] };
  walkPcapng(bytes, ({ type, at, end, littleEndian, interfaces, view }) => {
    const { u16, u32 } = reader(bytes, littleEndian, view);
    file.interfaces = interfaces;
    switch (type) {
      case 0x0a0d0d0a:
        file.comments.push(...readOptions(bytes, at + 24, end, u16).comments);
        break;
      case 6:
        file.packets.push(enhancedPacket(bytes, at, end, littleEndian, interfaces, view));
        break;
      case 5: {
        const interfaceId = u32(at + 8);
        const iface = interfaces[interfaceId];
        if (!iface) throw new CaptureFileError(`statistics at ${at} name undeclared interface ${interfaceId}`);
        const units = (BigInt(u32(at + 12)) << 32n) | BigInt(u32(at + 16));
        const options = readOptions(bytes, at + 20, end, u16);
        const stats: FileStatistics = { interfaceId, time: toTime(units, iface.unitsPerSecond) };
        if (options.comments.length > 0) stats.comment = options.comments.join('\n');
        file.statistics.push(stats);
        break;
      }
      default:
        break; // name resolution, secrets, custom blocks: not needed here
    }
  });
  return file;
}

/** Bytes of a capture file from `offset` on (a window read for some packets). */
export interface FileWindow {
  bytes: Uint8Array;
  offset: number;
}

/** What a persisted index says about itself (PcapngIndex.serialize), before its arrays. */
interface IndexHeader {
  v: number;
  count: number;
  scanned: number;
  sections: { littleEndian: boolean; interfaces: FileInterface[] }[];
  comments: string[];
  file: { size: number; mtimeMs: number };
}

const INDEX_MAGIC = 0x58494242; // "BBIX", little-endian
const INDEX_VERSION = 1;

/** A persisted index's sections and comments have the shapes the reader gives (the file may come from anywhere). */
function wellFormed(header: IndexHeader): boolean {
  const optionalString = (v: unknown) => v === undefined || typeof v === 'string';
  const integer = (v: unknown, min: number) => Number.isSafeInteger(v) && (v as number) >= min;
  return (
    Array.isArray(header.comments) &&
    header.comments.every((c) => typeof c === 'string') &&
    Array.isArray(header.sections) &&
    header.sections.length <= 0x10000 &&
    header.sections.every(
      (s) =>
        typeof s === 'object' &&
        s !== null &&
        typeof s.littleEndian === 'boolean' &&
        Array.isArray(s.interfaces) &&
        s.interfaces.every(
          (i) =>
            typeof i === 'object' &&
            i !== null &&
            integer(i.linkType, 0) &&
            integer(i.snapLength, 0) &&
            integer(i.unitsPerSecond, 1) &&
            optionalString(i.name) &&
            optionalString(i.filter),
        ),
    )
  );
}

/**
 * A pcapng file indexed once for random access: where each packet's block starts, its section and interface, so
 * packet `i` (Wireshark's frame i + 1) is decoded only when asked for, from a window of the file's bytes that holds
 * it (span() says which bytes; the caller reads them). Built by scanning block headers in chunks (PcapngIndex
 * .scanner), so a million-frame file is indexed without ever being in memory whole; or from the whole file in
 * memory (build). Packets referring to undeclared interfaces, and damaged blocks, throw CaptureFileError naming the
 * file offset, as readPcapng would. serialize()/deserialize() persist it beside the file.
 */
export class PcapngIndex {
  /** The whole file, when built from it (packet(i) then needs no window). */
  private whole?: FileWindow;

  private constructor(
    /** Block offset of each packet. */
    private readonly offsets: Float64Array,
    /** Section of each packet, and each section's byte order and interfaces. */
    private readonly sectionOf: Uint16Array,
    /** Interface of each packet, within its section. */
    private readonly interfaceIds: Uint32Array,
    private readonly sections: { littleEndian: boolean; interfaces: FileInterface[] }[],
    /** Section comments, in order. */
    readonly comments: string[],
    /** Bytes of the file the index covers (its size when indexed). */
    readonly scanned: number,
  ) {}

  /** Indexes a whole file in memory; packet(i) then reads from it. */
  static build(bytes: Uint8Array): PcapngIndex {
    const scanner = PcapngIndex.scanner();
    scanner.feed(bytes, true);
    const index = scanner.finish();
    index.whole = { bytes, offset: 0 };
    return index;
  }

  /**
   * An index built from consecutive chunks of a file: feed(chunk) consumes the whole blocks at the chunk's start
   * and answers how many bytes it took — the next chunk starts there — and, when even the first block does not fit,
   * how many bytes that block needs (`need`). feed(rest, true) with the file's last bytes; then finish().
   */
  static scanner(): {
    feed(chunk: Uint8Array, final?: boolean): { consumed: number; need?: number };
    finish(): PcapngIndex;
  } {
    let offsets = new Float64Array(1024);
    let sectionOf = new Uint16Array(1024);
    let interfaceIds = new Uint32Array(1024);
    let count = 0;
    let base = 0;
    const state = newWalk();
    const sections: { littleEndian: boolean; interfaces: FileInterface[] }[] = [];
    const comments: string[] = [];
    const grow = () => {
      const o = new Float64Array(count * 2);
      o.set(offsets);
      offsets = o;
      const s = new Uint16Array(count * 2);
      s.set(sectionOf);
      sectionOf = s;
      const f = new Uint32Array(count * 2);
      f.set(interfaceIds);
      interfaceIds = f;
    };
    return {
      feed(chunk, final = false) {
        const consumed = walkBlocks(
          chunk,
          base,
          state,
          final,
          ({ type, at, end, littleEndian, interfaces, section, view }) => {
            if (type !== 0x0a0d0d0a) return;
            if (section > 0xffff) throw new CaptureFileError(`section at ${base + at}: more than 65 535 sections`);
            sections[section] = { littleEndian, interfaces };
            comments.push(...readOptions(chunk, at + 24, end, reader(chunk, littleEndian, view).u16).comments);
          },
          (at, interfaceId) => {
            if (!state.interfaces[interfaceId])
              throw new CaptureFileError(`packet at ${base + at} names undeclared interface ${interfaceId}`);
            if (count === offsets.length) grow();
            offsets[count] = base + at;
            sectionOf[count] = state.section;
            interfaceIds[count] = interfaceId;
            count++;
          },
        );
        base += consumed;
        if (consumed === 0 && chunk.length >= 8 && !final) {
          const length = viewOf(chunk).getUint32(4, state.littleEndian);
          if (length > chunk.length) return { consumed, need: length };
        }
        return { consumed };
      },
      finish() {
        return new PcapngIndex(
          offsets.slice(0, count),
          sectionOf.slice(0, count),
          interfaceIds.slice(0, count),
          sections,
          comments,
          base,
        );
      },
    };
  }

  /** Packets in the file. */
  get count(): number {
    return this.offsets.length;
  }

  /**
   * The bytes [start, end) of the file that hold packets from…to−1 (0-based, to > from; blocks between them
   * included): read them and give them to packet() as a FileWindow.
   */
  span(from: number, to: number): { start: number; end: number } {
    this.check(from);
    this.check(to - 1);
    return { start: this.offsets[from]!, end: to < this.offsets.length ? this.offsets[to]! : this.scanned };
  }

  /**
   * Packet `i` (0-based; Wireshark's frame number is i + 1), from `window` (bytes of the file holding its block;
   * not needed when the index was built from the whole file); its data is a view of those bytes. Throws RangeError
   * outside the file, CaptureFileError when the window does not hold the packet's block or the block is not one.
   */
  packet(i: number, window: FileWindow | undefined = this.whole): FilePacket {
    this.check(i);
    if (!window) throw new RangeError(`packet ${i}: no bytes given (read span(${i}, ${i + 1}) of the file)`);
    const at = this.offsets[i]! - window.offset;
    const section = this.sections[this.sectionOf[i]!]!;
    const view = viewOf(window.bytes);
    if (at < 0 || at + 12 > window.bytes.length) {
      throw new CaptureFileError(`packet ${i + 1} at ${this.offsets[i]} is outside the bytes read`);
    }
    const length = view.getUint32(at + 4, section.littleEndian);
    if (view.getUint32(at, section.littleEndian) !== 6 || length < 32 || at + length > window.bytes.length) {
      throw new CaptureFileError(
        `packet ${i + 1}: no Enhanced Packet Block at ${this.offsets[i]} (the file changed since it was indexed?)`,
      );
    }
    return enhancedPacket(window.bytes, at, at + length - 4, section.littleEndian, section.interfaces, view);
  }

  /** The interface packet `i` was captured on (its name is the capture port). */
  interfaceOf(i: number): FileInterface | undefined {
    return this.sections[this.sectionOf[i]!]?.interfaces[this.interfaceIds[i]!];
  }

  /**
   * The index as bytes, to keep beside its file: a header (magic "BBIX", version, JSON length), the JSON (counts,
   * sections, comments and the file's size and mtime it was built from), then the offsets, sections and interfaces
   * of every packet. ~14 bytes a packet.
   */
  serialize(file: { size: number; mtimeMs: number }): Uint8Array {
    const header: IndexHeader = {
      v: INDEX_VERSION,
      count: this.count,
      scanned: this.scanned,
      sections: this.sections,
      comments: this.comments,
      file,
    };
    const json = new TextEncoder().encode(JSON.stringify(header));
    const jsonPadded = (json.length + 7) & ~7;
    const n = this.count;
    const out = new Uint8Array(16 + jsonPadded + n * 8 + n * 4 + ((n * 2 + 7) & ~7));
    const view = viewOf(out);
    view.setUint32(0, INDEX_MAGIC, true);
    view.setUint32(4, INDEX_VERSION, true);
    view.setUint32(8, json.length, true);
    out.set(json, 16);
    let at = 16 + jsonPadded;
    out.set(new Uint8Array(this.offsets.buffer, this.offsets.byteOffset, n * 8), at);
    at += n * 8;
    out.set(new Uint8Array(this.interfaceIds.buffer, this.interfaceIds.byteOffset, n * 4), at);
    at += n * 4;
    out.set(new Uint8Array(this.sectionOf.buffer, this.sectionOf.byteOffset, n * 2), at);
    return out;
  }

  /**
   * An index serialize() wrote, if it is one for a file of this size and mtime; undefined when it is not (another
   * version, another file, the file changed since, or damaged: offsets out of order or past the file, unknown
   * sections or interfaces) — the caller then indexes the file again. Never throws.
   */
  static deserialize(bytes: Uint8Array, file: { size: number; mtimeMs: number }): PcapngIndex | undefined {
    try {
      if (bytes.length < 16) return undefined;
      const view = viewOf(bytes);
      if (view.getUint32(0, true) !== INDEX_MAGIC || view.getUint32(4, true) !== INDEX_VERSION) return undefined;
      const jsonLength = view.getUint32(8, true);
      if (16 + jsonLength > bytes.length) return undefined;
      const header = JSON.parse(utf8.decode(bytes.subarray(16, 16 + jsonLength))) as IndexHeader;
      if (header.v !== INDEX_VERSION || header.file?.size !== file.size || header.file?.mtimeMs !== file.mtimeMs)
        return undefined;
      const n = header.count;
      const start = 16 + ((jsonLength + 7) & ~7);
      if (!Number.isInteger(n) || n < 0 || bytes.length !== start + n * 8 + n * 4 + ((n * 2 + 7) & ~7))
        return undefined;
      if (header.scanned !== file.size || !wellFormed(header)) return undefined;
      // Copies, aligned for the typed arrays (new Uint8Array copies; a Node Buffer's slice would not).
      const copy = (from: number, to: number) => new Uint8Array(bytes.subarray(from, to)).buffer;
      const offsets = new Float64Array(copy(start, start + n * 8));
      const interfaceIds = new Uint32Array(copy(start + n * 8, start + n * 12));
      const sectionOf = new Uint16Array(copy(start + n * 12, start + n * 14));
      let last = -1;
      for (let i = 0; i < n; i++) {
        const at = offsets[i]!;
        const section = header.sections[sectionOf[i]!];
        if (!(at > last) || !Number.isInteger(at) || at + 32 > file.size || !section?.interfaces[interfaceIds[i]!])
          return undefined;
        last = at;
      }
      return new PcapngIndex(offsets, sectionOf, interfaceIds, header.sections, header.comments, header.scanned);
    } catch {
      return undefined;
    }
  }

  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.offsets.length) {
      throw new RangeError(`packet ${i} is outside 0…${this.offsets.length - 1}`);
    }
  }
}

/** Classic libpcap format, microsecond or nanosecond magic, either byte order. */
export function readPcap(bytes: Uint8Array): CaptureFile {
  if (bytes.length < 24) throw new CaptureFileError('truncated pcap file header');
  const magicLe = reader(bytes, true).u32(0);
  const magicBe = reader(bytes, false).u32(0);
  let littleEndian: boolean;
  let nano: boolean;
  if (magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d) {
    littleEndian = true;
    nano = magicLe === 0xa1b23c4d;
  } else if (magicBe === 0xa1b2c3d4 || magicBe === 0xa1b23c4d) {
    littleEndian = false;
    nano = magicBe === 0xa1b23c4d;
  } else throw new CaptureFileError('not a pcap file (bad magic)');
  const { u32 } = reader(bytes, littleEndian);
  const iface: FileInterface = { linkType: u32(20) & 0xffff, snapLength: u32(16), unitsPerSecond: nano ? 1e9 : 1e6 };
  const file: CaptureFile = { format: 'pcap', comments: [], interfaces: [iface], packets: [], statistics: [] };
  for (let at = 24; at < bytes.length; ) {
    if (at + 16 > bytes.length) throw new CaptureFileError(`truncated record header at ${at}`);
    const capLength = u32(at + 8);
    if (at + 16 + capLength > bytes.length) throw new CaptureFileError(`record at ${at} runs past the file`);
    const frac = u32(at + 4);
    file.packets.push({
      interfaceId: 0,
      time: { sec: u32(at), nsec: nano ? frac : frac * 1000 },
      data: bytes.subarray(at + 16, at + 16 + capLength),
      originalLength: u32(at + 12),
    });
    at += 16 + capLength;
  }
  return file;
}

/** Either format, by its first bytes. */
export function readCaptureFile(bytes: Uint8Array): CaptureFile {
  if (bytes.length >= 4 && reader(bytes, true).u32(0) === 0x0a0d0d0a) return readPcapng(bytes);
  return readPcap(bytes);
}
