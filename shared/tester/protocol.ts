/**
 * The tester agent's message protocol: the engine (client) asks, the agent (the process that owns libpcap)
 * answers and streams decoded frames, counters and echo events back in batches. Pure types and checks; the
 * transport (newline-delimited JSON over stdio, or an Electron utility process port) lives in main/tester.
 *
 * Times are milliseconds since the Unix epoch as floating point (`…Ms`): libpcap's nanosecond timestamps keep
 * about 0.24 µs of resolution in a double, far below the error measured against tcpdump (see the README).
 */
import type { ReasonPart } from '../run/model.js';
import type { DecodedFrame } from '../wire/types.js';

export const TESTER_PROTOCOL_VERSION = 2;

export interface InterfaceAddress {
  family: 'IPv4' | 'IPv6';
  address: string;
  netmask?: string;
  /** "10.77.1.252/24" */
  cidr?: string;
}

export interface InterfaceInfo {
  /** What libpcap opens: "eth1" on Linux, "\\Device\\NPF_{GUID}" on Windows. */
  name: string;
  /** The OS's name for it when that differs (Windows: the adapter's friendly name, "Ethernet 2"). */
  friendlyName?: string;
  description?: string;
  mac?: string;
  loopback: boolean;
  addresses: InterfaceAddress[];
}

export interface HelloResult {
  protocol: number;
  pid: number;
  node: string;
  platform: string;
  /** 'nano' where libpcap delivers nanosecond timestamps, 'micro' elsewhere ('unknown': no loopback to ask). */
  timestampPrecision: 'nano' | 'micro' | 'unknown';
  capVersion: string;
}

export interface PcapngTarget {
  /** File in the agent's file system. Captures naming the same path share one file, one interface each. */
  path: string;
  /** Section comment (written by the first capture that opens the file). */
  comment?: string;
}

export interface CaptureSpec {
  /** Chosen by the client; names the capture in later messages. */
  id: string;
  /** Device by name (e.g. tester0, tap-eth1) … */
  device?: string;
  /** … or the interface holding an address in this subnet (the test subnet, e.g. 10.77.1.0/24). */
  subnet?: string;
  /** libpcap filter; default: defaultCaptureFilter(subnet, hostMacs). Empty string captures everything. */
  filter?: string;
  /** The host's slave MACs, for the default filter. */
  hostMacs?: string[];
  /** Kernel capture buffer (pcap_set_buffer_size), bytes. */
  bufferBytes?: number;
  snapLength?: number;
  /** Decoded frames kept for the client while it is slow (default 20 000); beyond that dropped and counted. */
  queueFrames?: number;
  /**
   * Frames per second the client's live view takes (default 2000). Frames the measurements need (ARP, LACPDUs,
   * learning frames, ICMPv6, the probe's echoes: shared/wire/classify.ts) are delivered up to 20 000/s; other
   * traffic beyond this rate is sampled and counted as `sampled`. The pcapng file always gets every frame.
   */
  liveFramesPerSecond?: number;
  /** Bytes of messages the client may leave unread before frames wait in the queue (default 8 MiB). */
  clientBacklogBytes?: number;
  /** 'decoded': decoded frames in batches; 'none': only counters (and the pcapng file). */
  deliver?: 'decoded' | 'none';
  /** Include each frame's bytes (hex) in delivered frames. */
  includeBytes?: boolean;
  pcapng?: PcapngTarget;
  /** How often counters are reported, ms (default 1000). */
  countersIntervalMs?: number;
}

export interface CaptureStarted {
  captureId: string;
  device: string;
  filter: string;
  linkType: string;
  timestampPrecision: 'nano' | 'micro';
  startedMs: number;
}

/** A decoded frame with where and when it was captured. */
export interface CapturedFrame extends DecodedFrame {
  captureId: string;
  /** 1-based, per capture, counting every frame libpcap delivered (so gaps show our drops). */
  number: number;
  /** libpcap's timestamp, ms since the epoch. */
  timeMs: number;
  /** Length on the wire (length is what was captured). */
  wireLength: number;
  /** Hex of the captured bytes when the capture asked for them. */
  bytes?: string;
}

export interface CaptureCounters {
  /** Frames libpcap delivered to the agent. */
  received: number;
  bytes: number;
  /** libpcap's pcap_stats: what the kernel saw, and dropped for lack of buffer space. */
  kernel?: { received: number; dropped: number; ifDropped: number };
  /** Frames not delivered to the client because it did not keep up (queue full). The file has them. */
  queueDropped: number;
  /**
   * Frames not delivered to the client because the live view sampled: bulk traffic beyond liveFramesPerSecond,
   * evidence beyond 20 000/s. The file has them.
   */
  sampled: number;
  /** Frames libpcap delivered that are not in the pcapng file: the disk did not keep up, or writing failed. */
  writerDropped: number;
  /** Why writing the file stopped (e.g. the disk is full), when it did. */
  writerError?: string;
  /** Frames whose decoding ended in an error record. */
  malformed: number;
  /** Frames written to the pcapng file. */
  written: number;
}

export interface CaptureSummary {
  captureId: string;
  device: string;
  startedMs: number;
  stoppedMs: number;
  counters: CaptureCounters;
  pcapng?: { path: string; bytes: number; packets: number; closed: boolean };
}

export interface ProbeSpec {
  id: string;
  /** Interface to send on, by name or by subnet (as for captures). */
  device?: string;
  subnet?: string;
  /** The bond's address. */
  target: string;
  /** Echo requests per second, 1–1000. */
  rate: number;
  /** Source address and MAC; default: the interface's own. */
  sourceIp?: string;
  sourceMac?: string;
  /** Skip ARP and send to this MAC. */
  targetMac?: string;
  identifier?: number;
  /** Echo data bytes (default 56, as ping); at least 16 (the bench's sequence and magic live there). */
  dataBytes?: number;
  /** Stop by itself after this many requests. */
  count?: number;
  /** How long to wait for late replies when stopping, ms (default 1000). */
  drainMs?: number;
  arpTimeoutMs?: number;
  arpAttempts?: number;
  /**
   * When no reply has come for this long, ARP for the target again (broadcast), and again every as long until
   * replies return (default 1000 ms; 0: never). A switch that learned the bond's MAC on a port that now drops
   * frames (a backup slave after a runtime mode change) forwards nothing until the host transmits; a host's
   * neighbour discovery would re-resolve the same way, only later.
   */
  rearpAfterMs?: number;
}

export interface ProbeStarted {
  probeId: string;
  device: string;
  sourceIp: string;
  sourceMac: string;
  targetMac: string;
  /** ARP resolution time (ms), absent when the MAC was given. */
  arpMs?: number;
  identifier: number;
  intervalMs: number;
  startedMs: number;
}

/**
 * Echo stream events. `sent` carries libpcap's timestamp of the request leaving (clock 'capture'), or the agent's
 * clock when the capture did not see it. Replies are matched by identifier and the bench's own 32-bit sequence
 * carried in the echo data (the ICMP sequence wraps at 65536).
 */
export type EchoEvent =
  | { kind: 'sent'; seq: number; atMs: number; clock: 'capture' | 'agent' }
  | { kind: 'reply'; seq: number; atMs: number; srcMac: string; duplicate: boolean }
  | { kind: 'targetMac'; atMs: number; mac: string; previous: string }
  /** No reply for rearpAfterMs: the probe asked again by broadcast ARP, as a host's neighbour discovery would. */
  | { kind: 'rearp'; atMs: number };

export interface ProbeSummary {
  probeId: string;
  sent: number;
  /** Requests with at least one reply. */
  answered: number;
  replies: number;
  duplicates: number;
  startedMs: number;
  stoppedMs: number;
  targetMac: string;
  /** Requests libpcap refused to send (pcap_sendpacket errors). */
  sendErrors: number;
  /**
   * Requests the rate called for from the start until sending stopped: `sent` below it by more than one (the one
   * falling due at the instant of stopping) means the sender lagged.
   */
  due: number;
  /** Requests per second between the first and the last request sent (agent clock); absent below two requests. */
  achievedRate?: number;
}

export interface MarkSpec {
  /** Step label, e.g. "mode balance-alb: pull eth1". */
  label: string;
  /** Captures to mark (default: all running). */
  captureIds?: string[];
  /** The step's instant, ms since the epoch (default: now, by the agent's clock). */
  atMs?: number;
}

/** Request → result, one entry per request type. */
export interface TesterCalls {
  hello: { params: Record<string, never>; result: HelloResult };
  interfaces: { params: Record<string, never>; result: InterfaceInfo[] };
  'capture.start': { params: { spec: CaptureSpec }; result: CaptureStarted };
  'capture.stop': { params: { captureId: string }; result: CaptureSummary };
  'capture.counters': { params: { captureId: string }; result: CaptureCounters };
  /**
   * Every frame the kernel had taken for these captures when asked is handed over and sent to the client before
   * the answer (the end of a step): each capture's counters then, in the order asked. Added in protocol 2.
   */
  'capture.sync': { params: { captureIds: string[] }; result: CaptureCounters[] };
  'capture.mark': { params: MarkSpec; result: { marked: string[]; atMs: number } };
  'probe.start': { params: { spec: ProbeSpec }; result: ProbeStarted };
  'probe.stop': { params: { probeId: string }; result: ProbeSummary };
  shutdown: { params: Record<string, never>; result: { stopped: string[] } };
}

export type TesterCallType = keyof TesterCalls;

export type TesterRequest = {
  [K in TesterCallType]: { id: number; type: K } & TesterCalls[K]['params'];
}[TesterCallType];

export type TesterResponse =
  | { type: 'response'; id: number; ok: true; result: unknown }
  /** `parts`: the error as message parts (shared/run/failure.ts errorPart), for the reader's language. */
  | { type: 'response'; id: number; ok: false; error: string; parts?: ReasonPart[] };

export type TesterEvent =
  /** Decoded frames; `sampled`: bulk frames the live view skipped since the previous batch (in the file). */
  | { type: 'frames'; captureId: string; frames: CapturedFrame[]; sampled?: number }
  | { type: 'counters'; captureId: string; counters: CaptureCounters }
  | { type: 'echo'; probeId: string; events: EchoEvent[] }
  | { type: 'probe.ended'; probeId: string; summary: ProbeSummary }
  | { type: 'capture.failed'; captureId: string; error: string }
  /**
   * What the agent has to say, in message keys (`log.agent.*`), said by the bench in the reader's language (the
   * agent loads no catalogue); `message`: plain English, from agents before `part`.
   */
  | { type: 'log'; level: 'info' | 'warn'; part?: ReasonPart; message?: string };

export type AgentMessage = TesterResponse | TesterEvent;

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/;
// Printable ASCII without spaces: Linux names and Npcap's \Device\NPF_{GUID}, handed to pcap_create, never to a shell.
const DEVICE = /^[!-~]{1,256}$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class TesterSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TesterSpecError';
  }
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new TesterSpecError(message);
}

function checkInt(value: unknown, name: string, min: number, max: number): void {
  if (value === undefined) return;
  check(
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max,
    `${name} ${JSON.stringify(value)} must be a whole number from ${min} to ${max}`,
  );
}

function checkInterfaceChoice(spec: { device?: unknown; subnet?: unknown }, what: string): void {
  check(
    spec.device !== undefined || spec.subnet !== undefined,
    `${what}: give a device (e.g. "tester0") or the test subnet (e.g. "10.77.1.0/24")`,
  );
  if (spec.device !== undefined) {
    check(
      typeof spec.device === 'string' && DEVICE.test(spec.device),
      `${what}: device ${JSON.stringify(spec.device)} is not an interface name`,
    );
  }
  if (spec.subnet !== undefined) {
    check(
      typeof spec.subnet === 'string' && CIDR.test(spec.subnet),
      `${what}: subnet ${JSON.stringify(spec.subnet)} must look like 10.77.1.0/24`,
    );
  }
}

/** Validates a capture spec (it comes over a pipe); throws TesterSpecError saying what to fix. */
export function checkCaptureSpec(spec: CaptureSpec): CaptureSpec {
  check(typeof spec === 'object' && spec !== null, 'capture: the spec must be an object');
  check(
    typeof spec.id === 'string' && ID.test(spec.id),
    `capture: id ${JSON.stringify(spec.id)} must be 1–64 letters, digits, ".", "_" or "-"`,
  );
  checkInterfaceChoice(spec, `capture ${spec.id}`);
  if (spec.filter !== undefined)
    check(typeof spec.filter === 'string' && spec.filter.length <= 4096, `capture ${spec.id}: filter must be a string`);
  for (const mac of spec.hostMacs ?? [])
    check(
      typeof mac === 'string' && MAC.test(mac),
      `capture ${spec.id}: host MAC ${JSON.stringify(mac)} is not a MAC address`,
    );
  checkInt(spec.bufferBytes, `capture ${spec.id}: bufferBytes`, 65536, 2 ** 31 - 1);
  checkInt(spec.snapLength, `capture ${spec.id}: snapLength`, 64, 262144);
  checkInt(spec.queueFrames, `capture ${spec.id}: queueFrames`, 1, 1_000_000);
  checkInt(spec.liveFramesPerSecond, `capture ${spec.id}: liveFramesPerSecond`, 0, 1_000_000);
  checkInt(spec.clientBacklogBytes, `capture ${spec.id}: clientBacklogBytes`, 0, 2 ** 31 - 1);
  checkInt(spec.countersIntervalMs, `capture ${spec.id}: countersIntervalMs`, 50, 3_600_000);
  check(
    spec.deliver === undefined || spec.deliver === 'decoded' || spec.deliver === 'none',
    `capture ${spec.id}: deliver must be "decoded" or "none"`,
  );
  if (spec.pcapng !== undefined) {
    check(
      typeof spec.pcapng.path === 'string' && spec.pcapng.path.length > 0,
      `capture ${spec.id}: pcapng.path must be a file path`,
    );
  }
  return spec;
}

export function checkProbeSpec(spec: ProbeSpec): ProbeSpec {
  check(typeof spec === 'object' && spec !== null, 'probe: the spec must be an object');
  check(
    typeof spec.id === 'string' && ID.test(spec.id),
    `probe: id ${JSON.stringify(spec.id)} must be 1–64 letters, digits, ".", "_" or "-"`,
  );
  checkInterfaceChoice(spec, `probe ${spec.id}`);
  check(
    typeof spec.target === 'string' && IPV4.test(spec.target),
    `probe ${spec.id}: target ${JSON.stringify(spec.target)} must be the bond's IPv4 address`,
  );
  check(
    typeof spec.rate === 'number' && spec.rate >= 1 && spec.rate <= 1000,
    `probe ${spec.id}: rate ${JSON.stringify(spec.rate)} must be 1–1000 requests per second`,
  );
  if (spec.sourceIp !== undefined)
    check(
      IPV4.test(spec.sourceIp),
      `probe ${spec.id}: sourceIp ${JSON.stringify(spec.sourceIp)} is not an IPv4 address`,
    );
  for (const [name, mac] of [
    ['sourceMac', spec.sourceMac],
    ['targetMac', spec.targetMac],
  ] as const) {
    if (mac !== undefined)
      check(
        typeof mac === 'string' && MAC.test(mac),
        `probe ${spec.id}: ${name} ${JSON.stringify(mac)} is not a MAC address`,
      );
  }
  checkInt(spec.identifier, `probe ${spec.id}: identifier`, 0, 0xffff);
  checkInt(spec.dataBytes, `probe ${spec.id}: dataBytes`, 16, 1472);
  checkInt(spec.count, `probe ${spec.id}: count`, 1, 2 ** 31);
  checkInt(spec.drainMs, `probe ${spec.id}: drainMs`, 0, 60_000);
  checkInt(spec.arpTimeoutMs, `probe ${spec.id}: arpTimeoutMs`, 10, 60_000);
  checkInt(spec.arpAttempts, `probe ${spec.id}: arpAttempts`, 1, 100);
  checkInt(spec.rearpAfterMs, `probe ${spec.id}: rearpAfterMs`, 0, 3_600_000);
  return spec;
}

/**
 * The default capture filter: the test subnet and the host's MACs (LACPDUs, learning frames and IPv6 come from
 * the slaves' MACs without a test-subnet address) — what the write-up did by hand with !(ip.host contains 192.168.0).
 */
export function defaultCaptureFilter(subnet: string | undefined, hostMacs: readonly string[] = []): string {
  const parts: string[] = [];
  if (subnet) {
    check(CIDR.test(subnet), `subnet ${JSON.stringify(subnet)} must look like 10.77.1.0/24`);
    parts.push(`net ${subnet}`);
  }
  for (const mac of hostMacs) {
    check(MAC.test(mac), `host MAC ${JSON.stringify(mac)} is not a MAC address`);
    parts.push(`ether host ${mac.toLowerCase()}`);
  }
  return parts.join(' or ');
}

/** A warning of the agent's as a protocol message. */
export function agentLog(part: ReasonPart): TesterEvent {
  return { type: 'log', level: 'warn', part };
}
