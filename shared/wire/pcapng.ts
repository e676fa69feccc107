/**
 * pcapng block encoder (draft-ietf-opsawg-pcapng): Section Header, Interface Description, Enhanced Packet and
 * Interface Statistics blocks, little-endian. Pure: blocks are written into Uint8Arrays; streaming to a file is
 * main/tester/pcapng-writer.ts's job.
 *
 * Step comments ("mode balance-alb: pull eth1") are carried two ways, both of which Wireshark reads without
 * complaint: an Interface Statistics Block at the step's instant with opt_comment (exact time, present even if
 * no frame follows), and opt_comment on the first packet captured after it (shown in Wireshark's packet list
 * and as tshark's frame.comment). No synthetic packets are written, so frame counts stay true.
 */

export const LINKTYPE_ETHERNET = 1;

export type TimestampResolution = 'micro' | 'nano';

/** A capture timestamp as libpcap gives it: seconds since the epoch and nanoseconds within that second. */
export interface PcapTime {
  sec: number;
  nsec: number;
}

const BLOCK = { section: 0x0a0d0d0a, interface: 0x00000001, statistics: 0x00000005, enhancedPacket: 0x00000006 };
const OPT = {
  end: 0,
  comment: 1,
  shbHardware: 2,
  shbOs: 3,
  shbUserAppl: 4,
  ifName: 2,
  ifDescription: 3,
  ifTsresol: 9,
  ifFilter: 11,
  ifOs: 12,
  epbFlags: 2,
  isbStartTime: 2,
  isbEndTime: 3,
  isbIfRecv: 4,
  isbIfDrop: 5,
  isbFilterAccept: 6,
  isbOsDrop: 7,
  isbUsrDeliv: 8,
};

const utf8 = new TextEncoder();
const TWO_32 = 4294967296;

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function putU16(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
}

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}

/** A counter as two 32-bit halves (exact up to 2^53). */
function putU64(b: Uint8Array, at: number, v: number): void {
  putU32(b, at, v % TWO_32);
  putU32(b, at + 4, Math.floor(v / TWO_32));
}

/**
 * The 64-bit timestamp in interface units, as [high, low] 32-bit words. Nanoseconds since the epoch exceed 2^53,
 * so the product is formed in 16-bit pieces to stay exact in doubles.
 */
export function timestampWords(time: PcapTime, resolution: TimestampResolution): [number, number] {
  const { sec, nsec } = time;
  if (!Number.isInteger(sec) || sec < 0 || !Number.isInteger(nsec) || nsec < 0 || nsec >= 1e9) {
    throw new Error(`invalid capture timestamp ${sec}.${nsec}`);
  }
  if (resolution === 'micro') {
    const units = sec * 1e6 + Math.floor(nsec / 1000);
    return [Math.floor(units / TWO_32), units % TWO_32];
  }
  const low16 = (sec % 65536) * 1e9 + nsec; // < 2^46
  const high16 = Math.floor(sec / 65536) * 1e9; // to be multiplied by 2^16
  const lowSum = (high16 % 65536) * 65536 + low16; // < 2^53
  return [Math.floor(high16 / 65536) + Math.floor(lowSum / TWO_32), lowSum % TWO_32];
}

/** Inverse of timestampWords, for readers and tests; exact in doubles like its inverse. */
export function timeFromWords(high: number, low: number, resolution: TimestampResolution): PcapTime {
  const perSec = resolution === 'micro' ? 1e6 : 1e9;
  // units = high·2^32 + low = (qh·perSec + rh)·2^32 + low, and rh·2^32 = (rh·2^16)·2^16 split once more.
  const qh = Math.floor(high / perSec);
  const rh = high % perSec;
  const t = rh * 65536;
  const q2 = Math.floor(t / perSec);
  const x = (t % perSec) * 65536 + low;
  const sec = qh * TWO_32 + q2 * 65536 + Math.floor(x / perSec);
  const frac = x % perSec;
  return { sec, nsec: resolution === 'micro' ? frac * 1000 : frac };
}

interface Option {
  code: number;
  value: Uint8Array;
}

function stringOption(code: number, text: string | undefined): Option[] {
  return text === undefined || text === '' ? [] : [{ code, value: utf8.encode(text) }];
}

function u64Option(code: number, value: number | undefined): Option[] {
  if (value === undefined) return [];
  const b = new Uint8Array(8);
  putU64(b, 0, value);
  return [{ code, value: b }];
}

function timeOption(code: number, time: PcapTime | undefined, resolution: TimestampResolution): Option[] {
  if (!time) return [];
  const [high, low] = timestampWords(time, resolution);
  const b = new Uint8Array(8);
  putU32(b, 0, high);
  putU32(b, 4, low);
  return [{ code, value: b }];
}

function optionsLength(options: readonly Option[]): number {
  if (options.length === 0) return 0;
  return options.reduce((sum, o) => sum + 4 + pad4(o.value.length), 4);
}

function writeOptions(b: Uint8Array, at: number, options: readonly Option[]): number {
  if (options.length === 0) return at;
  for (const o of options) {
    if (o.value.length > 0xffff) throw new Error(`pcapng option ${o.code} is longer than 65535 bytes`);
    putU16(b, at, o.code);
    putU16(b, at + 2, o.value.length);
    b.set(o.value, at + 4);
    at += 4 + pad4(o.value.length);
  }
  putU32(b, at, 0); // opt_endofopt
  return at + 4;
}

/** type, length, fixed body, options, length again. */
function block(type: number, fixed: Uint8Array, options: readonly Option[]): Uint8Array {
  const length = 12 + fixed.length + optionsLength(options);
  const b = new Uint8Array(length);
  putU32(b, 0, type);
  putU32(b, 4, length);
  b.set(fixed, 8);
  writeOptions(b, 8 + fixed.length, options);
  putU32(b, length - 4, length);
  return b;
}

export interface SectionHeaderSpec {
  comment?: string;
  hardware?: string;
  os?: string;
  /** The application that wrote the file, e.g. "BondBench 0.1.0". */
  userAppl?: string;
}

export function encodeSectionHeader(spec: SectionHeaderSpec = {}): Uint8Array {
  const fixed = new Uint8Array(16);
  putU32(fixed, 0, 0x1a2b3c4d);
  putU16(fixed, 4, 1);
  putU16(fixed, 6, 0);
  putU32(fixed, 8, 0xffffffff); // section length unknown (-1): the file is written as it goes
  putU32(fixed, 12, 0xffffffff);
  return block(BLOCK.section, fixed, [
    ...stringOption(OPT.comment, spec.comment),
    ...stringOption(OPT.shbHardware, spec.hardware),
    ...stringOption(OPT.shbOs, spec.os),
    ...stringOption(OPT.shbUserAppl, spec.userAppl),
  ]);
}

export interface InterfaceSpec {
  /** Device name, e.g. "tester0" or "tap-eth1". */
  name: string;
  description?: string;
  /** The capture filter in libpcap syntax. */
  filter?: string;
  resolution: TimestampResolution;
  linkType?: number;
  snapLength?: number;
  os?: string;
  comment?: string;
}

export function encodeInterfaceDescription(spec: InterfaceSpec): Uint8Array {
  const fixed = new Uint8Array(8);
  putU16(fixed, 0, spec.linkType ?? LINKTYPE_ETHERNET);
  putU32(fixed, 4, spec.snapLength ?? 0);
  const filter: Option[] = spec.filter
    ? [{ code: OPT.ifFilter, value: Uint8Array.from([0, ...utf8.encode(spec.filter)]) }]
    : [];
  return block(BLOCK.interface, fixed, [
    ...stringOption(OPT.comment, spec.comment),
    ...stringOption(OPT.ifName, spec.name),
    ...stringOption(OPT.ifDescription, spec.description),
    { code: OPT.ifTsresol, value: Uint8Array.of(spec.resolution === 'nano' ? 9 : 6) },
    ...filter,
    ...stringOption(OPT.ifOs, spec.os),
  ]);
}

export interface EnhancedPacketSpec {
  interfaceId: number;
  time: PcapTime;
  resolution: TimestampResolution;
  data: Uint8Array;
  /** Length on the wire; more than data.length when the capture was truncated. */
  originalLength?: number;
  comment?: string;
}

/** Bytes an Enhanced Packet Block of this packet takes; the comment must already be UTF-8. */
export function enhancedPacketLength(capturedLength: number, comment?: Uint8Array): number {
  return 32 + pad4(capturedLength) + (comment ? 4 + pad4(comment.length) + 4 : 0);
}

/**
 * Writes an Enhanced Packet Block into target at offset (which must have enhancedPacketLength bytes free) and
 * returns the offset after it. The streaming writer uses this to fill its chunks without a copy per block.
 */
export function writeEnhancedPacket(
  target: Uint8Array,
  offset: number,
  interfaceId: number,
  timeWords: readonly [number, number],
  data: Uint8Array,
  originalLength: number,
  comment?: Uint8Array,
): number {
  const length = enhancedPacketLength(data.length, comment);
  putU32(target, offset, BLOCK.enhancedPacket);
  putU32(target, offset + 4, length);
  putU32(target, offset + 8, interfaceId);
  putU32(target, offset + 12, timeWords[0]);
  putU32(target, offset + 16, timeWords[1]);
  putU32(target, offset + 20, data.length);
  putU32(target, offset + 24, Math.max(originalLength, data.length));
  target.set(data, offset + 28);
  let at = offset + 28 + data.length;
  for (const end = offset + 28 + pad4(data.length); at < end; at++) target[at] = 0;
  if (comment) {
    target.fill(0, at + 4 + comment.length, at + 4 + pad4(comment.length));
    at = writeOptions(target, at, [{ code: OPT.comment, value: comment }]);
  }
  putU32(target, at, length);
  return at + 4;
}

export function encodeEnhancedPacket(spec: EnhancedPacketSpec): Uint8Array {
  const comment = spec.comment ? utf8.encode(spec.comment) : undefined;
  const out = new Uint8Array(enhancedPacketLength(spec.data.length, comment));
  writeEnhancedPacket(
    out,
    0,
    spec.interfaceId,
    timestampWords(spec.time, spec.resolution),
    spec.data,
    spec.originalLength ?? spec.data.length,
    comment,
  );
  return out;
}

export interface InterfaceStatisticsSpec {
  interfaceId: number;
  time: PcapTime;
  resolution: TimestampResolution;
  comment?: string;
  startTime?: PcapTime;
  endTime?: PcapTime;
  /** Packets received by the interface (libpcap ps_recv). */
  ifRecv?: number;
  /** Packets dropped by the interface/driver (ps_ifdrop). */
  ifDrop?: number;
  /** Packets that passed the filter. */
  filterAccept?: number;
  /** Packets the OS dropped for lack of buffer (ps_drop), plus ours. */
  osDrop?: number;
  /** Packets delivered to the user (written to this file). */
  usrDeliv?: number;
}

export function encodeInterfaceStatistics(spec: InterfaceStatisticsSpec): Uint8Array {
  const fixed = new Uint8Array(12);
  const [high, low] = timestampWords(spec.time, spec.resolution);
  putU32(fixed, 0, spec.interfaceId);
  putU32(fixed, 4, high);
  putU32(fixed, 8, low);
  return block(BLOCK.statistics, fixed, [
    ...stringOption(OPT.comment, spec.comment),
    ...timeOption(OPT.isbStartTime, spec.startTime, spec.resolution),
    ...timeOption(OPT.isbEndTime, spec.endTime, spec.resolution),
    ...u64Option(OPT.isbIfRecv, spec.ifRecv),
    ...u64Option(OPT.isbIfDrop, spec.ifDrop),
    ...u64Option(OPT.isbFilterAccept, spec.filterAccept),
    ...u64Option(OPT.isbOsDrop, spec.osDrop),
    ...u64Option(OPT.isbUsrDeliv, spec.usrDeliv),
  ]);
}

/** UTF-8 bytes of a comment, once, for writeEnhancedPacket. */
export function encodeComment(text: string): Uint8Array {
  return utf8.encode(text);
}
