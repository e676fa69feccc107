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
  /** A view of the whole file (one for the walk, not one per block). */
  view: DataView;
}

/**
 * Walks a pcapng file block by block, checking each block's lengths, following byte order per section and reading
 * Interface Description Blocks; every block (IDBs too) goes to `visit`. Throws CaptureFileError naming the offset.
 */
function walkPcapng(bytes: Uint8Array, visit: (block: BlockVisit) => void): void {
  const view = viewOf(bytes);
  let littleEndian = true;
  let interfaces: FileInterface[] = [];
  let section = -1;
  let at = 0;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw new CaptureFileError(`truncated block header at ${at}`);
    // The section header's byte-order magic decides how everything after it reads.
    if (view.getUint32(at, true) === 0x0a0d0d0a) {
      const bom = view.getUint32(at + 8, true);
      if (bom === 0x1a2b3c4d) littleEndian = true;
      else if (bom === 0x4d3c2b1a) littleEndian = false;
      else throw new CaptureFileError(`bad byte-order magic at ${at + 8}`);
      interfaces = [];
      section++;
    }
    const type = view.getUint32(at, littleEndian);
    const length = view.getUint32(at + 4, littleEndian);
    if (length < 12 || length % 4 !== 0 || at + length > bytes.length) {
      throw new CaptureFileError(`block of type ${type} at ${at} has impossible length ${length}`);
    }
    if (view.getUint32(at + length - 4, littleEndian) !== length) {
      throw new CaptureFileError(`block at ${at}: trailing length differs`);
    }
    const end = at + length - 4;
    // Packets never go missing silently: blocks that carry packets without a timestamp are refused.
    if (type === 3) {
      throw new CaptureFileError(
        `block at ${at} is a Simple Packet Block, which carries no timestamp, and every measurement here needs one: ` +
          'save the capture again with Enhanced Packet Blocks (editcap -F pcapng in.pcapng out.pcapng, or Wireshark)',
      );
    }
    if (type === 2) {
      throw new CaptureFileError(
        `block at ${at} is an obsolete Packet Block: save the capture again with Enhanced Packet Blocks ` +
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
      interfaces.push(iface);
    }
    visit({ type, at, end, littleEndian, interfaces, section: Math.max(0, section), view });
    at += length;
  }
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

/**
 * A pcapng file indexed once for random access: where each packet's block starts, so packet `i` (Wireshark's
 * frame i + 1) is decoded only when asked for. For files too large to turn into FilePacket objects at once
 * (a million frames opens in the time of one pass over the bytes). Packets referring to undeclared interfaces,
 * and damaged blocks, throw CaptureFileError when indexed, as readPcapng would.
 */
export class PcapngIndex {
  private readonly view: DataView;

  private constructor(
    private readonly bytes: Uint8Array,
    /** Block offset of each packet. */
    private readonly offsets: Float64Array,
    /** Section of each packet, and each section's byte order and interfaces. */
    private readonly sectionOf: Uint16Array,
    private readonly sections: { littleEndian: boolean; interfaces: FileInterface[] }[],
    /** Section comments, in order. */
    readonly comments: string[],
  ) {
    this.view = viewOf(bytes);
  }

  static build(bytes: Uint8Array): PcapngIndex {
    let offsets = new Float64Array(1024);
    let sectionOf = new Uint16Array(1024);
    let count = 0;
    const sections: { littleEndian: boolean; interfaces: FileInterface[] }[] = [];
    const comments: string[] = [];
    walkPcapng(bytes, ({ type, at, end, littleEndian, interfaces, section, view }) => {
      if (type === 0x0a0d0d0a) {
        sections[section] = { littleEndian, interfaces };
        comments.push(...readOptions(bytes, at + 24, end, reader(bytes, littleEndian, view).u16).comments);
        return;
      }
      if (type !== 6) return;
      const interfaceId = view.getUint32(at + 8, littleEndian);
      if (!interfaces[interfaceId])
        throw new CaptureFileError(`packet at ${at} names undeclared interface ${interfaceId}`);
      if (count === offsets.length) {
        const grownOffsets = new Float64Array(count * 2);
        grownOffsets.set(offsets);
        offsets = grownOffsets;
        const grownSections = new Uint16Array(count * 2);
        grownSections.set(sectionOf);
        sectionOf = grownSections;
      }
      offsets[count] = at;
      sectionOf[count] = section;
      count++;
    });
    return new PcapngIndex(bytes, offsets.slice(0, count), sectionOf.slice(0, count), sections, comments);
  }

  /** Packets in the file. */
  get count(): number {
    return this.offsets.length;
  }

  /** Packet `i` (0-based; Wireshark's frame number is i + 1); its data is a view of the file's bytes. */
  packet(i: number): FilePacket {
    if (!Number.isInteger(i) || i < 0 || i >= this.offsets.length) {
      throw new RangeError(`packet ${i} is outside 0…${this.offsets.length - 1}`);
    }
    const at = this.offsets[i]!;
    const section = this.sections[this.sectionOf[i]!]!;
    const end = at + this.view.getUint32(at + 4, section.littleEndian) - 4;
    return enhancedPacket(this.bytes, at, end, section.littleEndian, section.interfaces, this.view);
  }

  /** The interfaces of the section packet `i` belongs to (its name is the capture port). */
  interfaceOf(i: number): FileInterface | undefined {
    const section = this.sections[this.sectionOf[i]!];
    return section?.interfaces[this.view.getUint32(this.offsets[i]! + 8, section.littleEndian)];
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
