/**
 * The ICMP echo stream from the tester to the bond, sent by the bench itself: it resolves the bond's MAC by ARP
 * as a host would (and follows later ARP for that address, as tlb/alb move it), sends paced echo requests with
 * libpcap, and matches replies by identifier and the bench's own 32-bit sequence carried in the echo data.
 *
 * Two libpcap handles: one sends, the other listens, and so also sees our requests leave, with the kernel's
 * timestamp — the RTT is then reply time − request time, both from the same clock.
 */
import { randomInt } from 'node:crypto';
import { errorPart } from '../../shared/run/failure.js';
import {
  agentLog,
  type EchoEvent,
  type InterfaceInfo,
  type ProbeSpec,
  type ProbeStarted,
  type ProbeSummary,
} from '../../shared/tester/protocol.js';
import { buildArpRequest, buildIcmpEcho } from '../../shared/wire/build.js';
import { ipv4InSubnet, readU32, writeU32 } from '../../shared/wire/bytes.js';
import { PROBE_MAGIC as MAGIC } from '../../shared/wire/classify.js';
import { decodeFrame } from '../../shared/wire/decode.js';
import type { OpenOptions, PacketSource } from './cap.js';
import type { CaptureOutput } from './capture.js';
import { pcapTimeToMs } from './clock.js';

export interface ProbeDeps {
  open(options: OpenOptions): PacketSource;
  interfaces(): InterfaceInfo[];
  nowMs(): number;
}

// "BondBnch" (MAGIC) in the echo data tells our replies from anyone else's.
const EVENT_INTERVAL_MS = 100;
/** A request libpcap did not see leave within this long gets the agent's send time. */
const SENT_FALLBACK_MS = 500;
/** Replies to requests older than this are not matched any more (the map stays small). */
const MATCH_WINDOW_MS = 60_000;
/** Stopping: how often the drain checks whether every late reply is in, and how long replies must be quiet, ms. */
const DRAIN_POLL_MS = 10;
const DRAIN_QUIET_MS = 20;
const MAX_BURST = 8;
const MAX_QUEUED_EVENTS = 2_000_000;

interface Outstanding {
  agentMs: number;
  seen: boolean;
  replies: number;
}

function pickInterface(spec: ProbeSpec, interfaces: InterfaceInfo[]): InterfaceInfo {
  const found = spec.device
    ? interfaces.find((i) => i.name === spec.device)
    : interfaces.find((i) => i.addresses.some((a) => a.family === 'IPv4' && ipv4InSubnet(a.address, spec.subnet!)));
  if (!found) {
    throw new Error(
      `probe ${spec.id}: no interface ${spec.device ? JSON.stringify(spec.device) : `in ${spec.subnet}`}; ` +
        `libpcap sees ${interfaces.map((i) => i.name).join(', ') || 'none'}`,
    );
  }
  return found;
}

function sourceAddress(spec: ProbeSpec, iface: InterfaceInfo): string {
  if (spec.sourceIp) return spec.sourceIp;
  const v4 = iface.addresses.filter((a) => a.family === 'IPv4');
  const sameSubnet = v4.find((a) => a.cidr && ipv4InSubnet(spec.target, a.cidr));
  const chosen = sameSubnet ?? v4[0];
  if (!chosen) throw new Error(`probe ${spec.id}: ${iface.name} has no IPv4 address; give sourceIp`);
  return chosen.address;
}

export class EchoProbe {
  private readonly outstanding = new Map<number, Outstanding>();
  private events: EchoEvent[] = [];
  private sent = 0;
  private sendErrors = 0;
  private answered = 0;
  private replies = 0;
  private duplicates = 0;
  private droppedEvents = 0;
  private sendTimer: NodeJS.Timeout | undefined;
  private readonly eventTimer: NodeJS.Timeout;
  private startedMs = 0;
  /** Agent clock of the first and the latest request sent: the achieved rate. */
  private firstSendMs = 0;
  private lastSendMs = 0;
  private sending = false;
  private stopping: Promise<ProbeSummary> | undefined;
  private arpWaiter: ((mac: string) => void) | undefined;
  private readonly salt = randomInt(0, 2 ** 32);
  private readonly intervalMs: number;
  private targetMac: string;
  /** Agent clock of the last reply (or of the start), for re-resolving when replies stop. */
  private lastReplyMs = 0;
  private lastRearpMs = 0;
  private arpRequest: Uint8Array | undefined;

  private constructor(
    readonly spec: ProbeSpec,
    private readonly deps: ProbeDeps,
    private readonly output: CaptureOutput,
    private readonly iface: InterfaceInfo,
    private readonly sourceIp: string,
    private readonly sourceMac: string,
    private readonly identifier: number,
    private readonly tx: PacketSource,
    private readonly rx: PacketSource,
  ) {
    this.intervalMs = 1000 / spec.rate;
    this.targetMac = spec.targetMac?.toLowerCase() ?? '';
    rx.onPacket((data, sec, nsec) => this.onPacket(data, pcapTimeToMs(sec, nsec)));
    rx.onError?.((message) =>
      this.output.emit(agentLog({ key: 'log.agent.probeNoReplies', vars: { probe: spec.id, error: message } })),
    );
    this.eventTimer = setInterval(() => this.flushEvents(false), EVENT_INTERVAL_MS);
  }

  static async start(
    spec: ProbeSpec,
    deps: ProbeDeps,
    output: CaptureOutput,
  ): Promise<{ probe: EchoProbe; started: ProbeStarted }> {
    const iface = pickInterface(spec, deps.interfaces());
    const sourceIp = sourceAddress(spec, iface);
    const sourceMac = (spec.sourceMac ?? iface.mac)?.toLowerCase();
    if (!sourceMac) throw new Error(`probe ${spec.id}: the MAC of ${iface.name} is unknown; give sourceMac`);
    const rx = deps.open({
      device: iface.name,
      filter: `(icmp and host ${spec.target}) or (arp and host ${spec.target})`,
      bufferBytes: 4 * 1024 * 1024,
      // A trickle of frames that the probe acts on (ARP answers): hand each over at once.
      immediate: true,
      batchBytes: 256 * 1024,
    });
    let tx: PacketSource;
    try {
      // Only sends: a filter nothing passes ("less 1": frames of at most one byte).
      tx = deps.open({
        device: iface.name,
        filter: 'less 1',
        bufferBytes: 1024 * 1024,
        snapLength: 1514,
        batchBytes: 0,
        immediate: true,
      });
    } catch (error) {
      rx.close();
      throw error;
    }
    const identifier = spec.identifier ?? randomInt(0, 0x10000);
    const probe = new EchoProbe(spec, deps, output, iface, sourceIp, sourceMac, identifier, tx, rx);
    try {
      let arpMs: number | undefined;
      if (!probe.targetMac) arpMs = await probe.resolve();
      probe.begin();
      const started: ProbeStarted = {
        probeId: spec.id,
        device: iface.name,
        sourceIp,
        sourceMac,
        targetMac: probe.targetMac,
        identifier,
        intervalMs: probe.intervalMs,
        startedMs: probe.startedMs,
      };
      if (arpMs !== undefined) started.arpMs = arpMs;
      return { probe, started };
    } catch (error) {
      probe.closeHandles();
      throw error;
    }
  }

  /** ARP for the target as a host would: broadcast request, wait, retry. */
  private async resolve(): Promise<number> {
    const attempts = this.spec.arpAttempts ?? 3;
    const timeoutMs = this.spec.arpTimeoutMs ?? 1000;
    const began = this.deps.nowMs();
    const request = this.arpRequestFrame();
    for (let attempt = 0; attempt < attempts; attempt++) {
      const answer = new Promise<string | undefined>((resolve) => {
        const timer = setTimeout(() => {
          this.arpWaiter = undefined;
          resolve(undefined);
        }, timeoutMs);
        this.arpWaiter = (mac) => {
          clearTimeout(timer);
          this.arpWaiter = undefined;
          resolve(mac);
        };
      });
      this.tx.send(request);
      const mac = await answer;
      if (mac) {
        this.targetMac = mac;
        return this.deps.nowMs() - began;
      }
    }
    throw new Error(
      `probe ${this.spec.id}: no ARP reply from ${this.spec.target} on ${this.iface.name} after ${attempts} attempts ` +
        `of ${timeoutMs} ms: is the bond up, with that address, on this segment?`,
    );
  }

  private arpRequestFrame(): Uint8Array {
    this.arpRequest ??= buildArpRequest({
      senderMac: this.sourceMac,
      senderIp: this.sourceIp,
      targetIp: this.spec.target,
    });
    return this.arpRequest;
  }

  /** Replies stopped: ask who has the target again, by broadcast, at most once per rearpAfterMs. */
  private rearpIfSilent(now: number): void {
    const after = this.spec.rearpAfterMs ?? 1000;
    if (after === 0 || now - this.lastReplyMs < after || now - this.lastRearpMs < after) return;
    this.lastRearpMs = now;
    try {
      this.tx.send(this.arpRequestFrame());
      this.push({ kind: 'rearp', atMs: now });
    } catch {
      this.sendErrors++;
    }
  }

  private begin(): void {
    this.startedMs = this.deps.nowMs();
    this.lastReplyMs = this.startedMs;
    this.sending = true;
    this.tick();
  }

  private tick(): void {
    this.sendTimer = undefined;
    if (!this.sending) return;
    const now = this.deps.nowMs();
    const due = Math.floor((now - this.startedMs) / this.intervalMs) + 1;
    const limit = this.spec.count ?? Number.POSITIVE_INFINITY;
    for (let burst = 0; this.sent < due && this.sent < limit && burst < MAX_BURST; burst++) this.sendOne();
    this.rearpIfSilent(now);
    if (this.sent >= limit) {
      this.sending = false;
      void this.stop().then((summary) => this.output.emit({ type: 'probe.ended', probeId: this.spec.id, summary }));
      return;
    }
    const next = this.startedMs + this.sent * this.intervalMs;
    this.sendTimer = setTimeout(() => this.tick(), Math.max(0, next - this.deps.nowMs()));
  }

  private echoData(seq: number): Uint8Array {
    const data = new Uint8Array(this.spec.dataBytes ?? 56);
    data.set(MAGIC, 0);
    writeU32(data, 8, seq);
    writeU32(data, 12, this.salt);
    for (let i = 16; i < data.length; i++) data[i] = i & 0xff;
    return data;
  }

  private sendOne(): void {
    const seq = this.sent++;
    const frame = buildIcmpEcho({
      srcMac: this.sourceMac,
      dstMac: this.targetMac,
      srcIp: this.sourceIp,
      dstIp: this.spec.target,
      identifier: this.identifier,
      sequence: seq & 0xffff,
      ipIdentification: seq & 0xffff,
      data: this.echoData(seq),
    });
    const now = this.deps.nowMs();
    if (seq === 0) this.firstSendMs = now;
    this.lastSendMs = now;
    this.outstanding.set(seq, { agentMs: now, seen: false, replies: 0 });
    try {
      this.tx.send(frame);
    } catch (error) {
      this.sendErrors++;
      if (this.sendErrors === 1) {
        this.output.emit(
          agentLog({ key: 'log.agent.probeSendFailed', vars: { probe: this.spec.id, error: errorPart(error) } }),
        );
      }
    }
  }

  /** Our sequence from the echo data, or undefined for someone else's echo. */
  private ourSequence(data: Buffer, dataOffset: number, dataLength: number): number | undefined {
    if (dataLength < 16) return undefined;
    for (let i = 0; i < MAGIC.length; i++) if (data[dataOffset + i] !== MAGIC[i]) return undefined;
    if (readU32(data, dataOffset + 12) !== this.salt) return undefined;
    return readU32(data, dataOffset + 8);
  }

  private onPacket(data: Buffer, atMs: number): void {
    const frame = decodeFrame(data);
    if (frame.arp) {
      const { arp } = frame;
      if (arp.senderIp === this.spec.target && (arp.class === 'reply' || arp.class === 'gratuitous')) {
        if (this.arpWaiter) this.arpWaiter(arp.senderMac);
        else if (this.targetMac && arp.senderMac !== this.targetMac) {
          // A host updates its neighbour entry from such ARP; so do we (tlb/alb move the bond's MAC).
          this.push({ kind: 'targetMac', atMs, mac: arp.senderMac, previous: this.targetMac });
          this.targetMac = arp.senderMac;
        }
      }
      return;
    }
    const echo = frame.icmp?.echo;
    if (!echo || echo.identifier !== this.identifier || !frame.ipv4 || !frame.eth) return;
    const dataOffset = frame.eth.headerLength + frame.ipv4.headerLength + 8;
    const seq = this.ourSequence(data, dataOffset, echo.dataLength);
    if (seq === undefined) return;
    const entry = this.outstanding.get(seq);
    if (echo.kind === 'request') {
      if (frame.ipv4.src !== this.sourceIp || !entry || entry.seen) return;
      entry.seen = true;
      this.push({ kind: 'sent', seq, atMs, clock: 'capture' });
      return;
    }
    if (frame.ipv4.src !== this.spec.target || frame.ipv4.dst !== this.sourceIp) return;
    if (!entry) return;
    const duplicate = entry.replies > 0;
    entry.replies++;
    this.lastReplyMs = this.deps.nowMs();
    this.replies++;
    if (duplicate) this.duplicates++;
    else this.answered++;
    this.push({ kind: 'reply', seq, atMs, srcMac: frame.eth.src, duplicate });
  }

  private push(event: EchoEvent): void {
    if (this.events.length >= MAX_QUEUED_EVENTS) {
      this.droppedEvents++;
      return;
    }
    this.events.push(event);
  }

  private flushEvents(final: boolean): void {
    const now = this.deps.nowMs();
    for (const [seq, entry] of this.outstanding) {
      if (!entry.seen && (final || now - entry.agentMs > SENT_FALLBACK_MS)) {
        entry.seen = true;
        this.push({ kind: 'sent', seq, atMs: entry.agentMs, clock: 'agent' });
      }
      if (now - entry.agentMs > MATCH_WINDOW_MS) this.outstanding.delete(seq);
    }
    if (this.events.length === 0) return;
    if (!final && this.output.backlogBytes() > 8 * 1024 * 1024) return;
    const events = this.events;
    this.events = [];
    this.output.emit({ type: 'echo', probeId: this.spec.id, events });
  }

  /**
   * Whether nothing more can come for the last drainMs of requests: each was seen leaving on the capture and
   * answered, and no reply (a duplicate, in broadcast) arrived for DRAIN_QUIET_MS.
   */
  private drained(stoppedMs: number, drainMs: number): boolean {
    const now = this.deps.nowMs();
    if (now - this.lastReplyMs < DRAIN_QUIET_MS) return false;
    for (const entry of this.outstanding.values()) {
      if (entry.agentMs >= stoppedMs - drainMs && (!entry.seen || entry.replies === 0)) return false;
    }
    return true;
  }

  /**
   * Stops sending and waits for late replies, then reports: up to drainMs, or less once every request of the last
   * drainMs has been seen leaving and answered (a request lost to a pull keeps the whole wait).
   */
  stop(): Promise<ProbeSummary> {
    this.stopping ??= (async () => {
      this.sending = false;
      if (this.sendTimer) clearTimeout(this.sendTimer);
      const stoppedMs = this.deps.nowMs();
      // What the plan's rate called for until sending stopped (at the count, or now), against what went out.
      const limit = this.spec.count ?? Number.POSITIVE_INFINITY;
      const due = this.sent === 0 ? 0 : Math.min(limit, Math.floor((stoppedMs - this.startedMs) / this.intervalMs) + 1);
      const achievedRate =
        this.sent > 1 && this.lastSendMs > this.firstSendMs
          ? ((this.sent - 1) * 1000) / (this.lastSendMs - this.firstSendMs)
          : undefined;
      const drainMs = this.spec.drainMs ?? 1000;
      const deadline = this.deps.nowMs() + drainMs;
      while (this.deps.nowMs() < deadline && !this.drained(stoppedMs, drainMs)) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(DRAIN_POLL_MS, deadline - this.deps.nowMs())));
      }
      this.flushEvents(true);
      this.closeHandles();
      if (this.droppedEvents > 0) {
        this.output.emit(
          agentLog({ key: 'log.agent.echoDropped', vars: { probe: this.spec.id, count: this.droppedEvents } }),
        );
      }
      return {
        probeId: this.spec.id,
        sent: this.sent,
        answered: this.answered,
        replies: this.replies,
        duplicates: this.duplicates,
        startedMs: this.startedMs,
        stoppedMs,
        targetMac: this.targetMac,
        sendErrors: this.sendErrors,
        due,
        ...(achievedRate !== undefined ? { achievedRate: Number(achievedRate.toFixed(1)) } : {}),
      };
    })();
    return this.stopping;
  }

  private closeHandles(): void {
    clearInterval(this.eventTimer);
    this.tx.close();
    this.rx.close();
  }
}
