/**
 * The tester agent: a process of its own that owns libpcap (cap), so capture never competes with the engine's
 * event loop. It runs where the bench runs, inside the lab's network namespace for the virtual lab, and speaks
 * the protocol in shared/tester/protocol.ts over stdin/stdout (newline-delimited JSON). stdout carries only
 * protocol messages; diagnostics go to stderr.
 */
import { readFileSync } from 'node:fs';
import { release, type } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorPart } from '../../shared/run/failure.js';
import {
  type AgentMessage,
  type CaptureSpec,
  type CaptureStarted,
  type CaptureSummary,
  checkCaptureSpec,
  checkProbeSpec,
  defaultCaptureFilter,
  type HelloResult,
  type MarkSpec,
  type ProbeSpec,
  TESTER_PROTOCOL_VERSION,
  type TesterEvent,
  type TesterRequest,
} from '../../shared/tester/protocol.js';
import { packageRoot } from '../paths.js';
import {
  capVersion,
  findInterfaceInSubnet,
  listInterfaces,
  type OpenOptions,
  openLive,
  type PacketSource,
} from './cap.js';
import { type CaptureOutput, LiveCapture } from './capture.js';
import { msToPcapTime, nowMs } from './clock.js';
import { PcapngWriter } from './pcapng-writer.js';
import { EchoProbe } from './probe.js';
import { type MessageChannel, NdjsonChannel } from './transport.js';

export interface AgentDeps {
  open(options: OpenOptions): PacketSource;
  interfaces: typeof listInterfaces;
  nowMs(): number;
  openWriter(path: string, comment: string | undefined): PcapngWriter;
}

function benchVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export const realAgentDeps: AgentDeps = {
  open: openLive,
  interfaces: listInterfaces,
  nowMs,
  openWriter: (path, comment) =>
    PcapngWriter.toFile(path, {
      section: { userAppl: `BondBench ${benchVersion()}`, os: `${type()} ${release()}`, comment },
    }),
};

interface OpenFile {
  writer: PcapngWriter;
  users: Set<string>;
}

export class TesterAgent {
  private readonly captures = new Map<string, LiveCapture>();
  private readonly probes = new Map<string, EchoProbe>();
  private readonly files = new Map<string, OpenFile>();
  private readonly output: CaptureOutput;

  constructor(
    private readonly channel: MessageChannel<TesterRequest, AgentMessage>,
    private readonly deps: AgentDeps = realAgentDeps,
    /** Called after the answer to a shutdown request has been sent. */
    private readonly onShutdown?: () => void,
  ) {
    this.output = { emit: (event: TesterEvent) => channel.send(event), backlogBytes: () => channel.backlogBytes() };
    channel.onMessage((request) => void this.handle(request));
  }

  private async handle(request: TesterRequest): Promise<void> {
    try {
      const result = await this.dispatch(request);
      this.channel.send({ type: 'response', id: request.id, ok: true, result });
      if (request.type === 'shutdown') this.onShutdown?.();
    } catch (error) {
      this.channel.send({
        type: 'response',
        id: request.id,
        ok: false,
        error: (error as Error).message,
        parts: [errorPart(error)],
      });
    }
  }

  private dispatch(request: TesterRequest): Promise<unknown> | unknown {
    switch (request.type) {
      case 'hello':
        return this.hello();
      case 'interfaces':
        return this.deps.interfaces();
      case 'capture.start':
        return this.startCapture(request.spec);
      case 'capture.stop':
        return this.stopCapture(request.captureId);
      case 'capture.counters':
        return this.capture(request.captureId).snapshot();
      case 'capture.sync': {
        if (!Array.isArray(request.captureIds)) throw new Error('capture.sync: give captureIds, a list of capture ids');
        return Promise.all(request.captureIds.map((id) => this.capture(id)).map((capture) => capture.sync()));
      }
      case 'capture.mark':
        return this.mark(request);
      case 'probe.start':
        return this.startProbe(request.spec);
      case 'probe.stop':
        return this.stopProbe(request.probeId);
      case 'shutdown':
        return this.shutdown();
      default:
        throw new Error(`unknown request type ${JSON.stringify((request as { type: unknown }).type)}`);
    }
  }

  private hello(): HelloResult {
    // Precision belongs to an open handle. Loopback is opened to ask (promiscuous mode there disturbs no one);
    // captures report their own precision when they start.
    let timestampPrecision: HelloResult['timestampPrecision'] = 'unknown';
    const loopback = this.deps.interfaces().find((i) => i.loopback);
    if (loopback) {
      try {
        const handle = this.deps.open({
          device: loopback.name,
          filter: 'less 1',
          bufferBytes: 65536,
          snapLength: 1514,
          batchBytes: 0,
        });
        timestampPrecision = handle.timestampPrecision;
        handle.close();
      } catch {
        // Not fatal: hello must answer even where capturing needs more rights.
      }
    }
    return {
      protocol: TESTER_PROTOCOL_VERSION,
      pid: process.pid,
      node: process.version,
      platform: process.platform,
      timestampPrecision,
      capVersion: capVersion(),
    };
  }

  private capture(id: string): LiveCapture {
    const capture = this.captures.get(id);
    if (!capture) throw new Error(`no running capture ${JSON.stringify(id)}`);
    return capture;
  }

  private startCapture(spec: CaptureSpec): CaptureStarted {
    checkCaptureSpec(spec);
    if (this.captures.has(spec.id)) throw new Error(`capture ${JSON.stringify(spec.id)} is already running`);
    const device = spec.device ?? findInterfaceInSubnet(spec.subnet!, this.deps.interfaces()).name;
    const filter = spec.filter ?? defaultCaptureFilter(spec.subnet, spec.hostMacs);
    const source = this.deps.open({ device, filter, bufferBytes: spec.bufferBytes, snapLength: spec.snapLength });
    let file: { writer: PcapngWriter; interfaceId: number; path: string } | undefined;
    try {
      if (spec.pcapng) {
        const path = spec.pcapng.path;
        let open = this.files.get(path);
        if (!open) {
          open = { writer: this.deps.openWriter(path, spec.pcapng.comment), users: new Set() };
          this.files.set(path, open);
        }
        const interfaceId = open.writer.addInterface({
          name: device,
          filter,
          resolution: source.timestampPrecision,
          snapLength: spec.snapLength ?? 65535,
          description: `BondBench capture ${spec.id}`,
        });
        open.users.add(spec.id);
        file = { writer: open.writer, interfaceId, path };
      }
    } catch (error) {
      source.close();
      throw error;
    }
    const startedMs = this.deps.nowMs();
    this.captures.set(spec.id, new LiveCapture(spec, source, this.output, startedMs, file));
    return {
      captureId: spec.id,
      device,
      filter,
      linkType: source.linkType,
      timestampPrecision: source.timestampPrecision,
      startedMs,
    };
  }

  private async stopCapture(id: string): Promise<CaptureSummary> {
    const capture = this.capture(id);
    this.captures.delete(id);
    const stoppedMs = this.deps.nowMs();
    // Frames the kernel still holds in a block that is not yet handed over would be lost by closing now: the stop
    // waits until they are (capture.sync), not a fixed time.
    await capture.sync();
    const counters = capture.stop(stoppedMs, msToPcapTime(stoppedMs));
    const summary: CaptureSummary = {
      captureId: id,
      device: capture.source.device,
      startedMs: capture.startedMs,
      stoppedMs,
      counters,
    };
    if (capture.file) {
      const open = this.files.get(capture.file.path)!;
      open.users.delete(id);
      let closed = false;
      if (open.users.size === 0) {
        this.files.delete(capture.file.path);
        await open.writer.close();
        closed = true;
      }
      summary.pcapng = { path: capture.file.path, bytes: open.writer.stats.bytes, packets: counters.written, closed };
    }
    return summary;
  }

  private mark(spec: MarkSpec): { marked: string[]; atMs: number } {
    if (typeof spec.label !== 'string' || spec.label.length === 0) throw new Error('mark: give the step label');
    const atMs = spec.atMs ?? this.deps.nowMs();
    const ids = spec.captureIds ?? [...this.captures.keys()];
    const marked: string[] = [];
    for (const id of ids) {
      const capture = this.capture(id);
      if (!capture.file || capture.writerError) continue;
      capture.file.writer.mark(spec.label, msToPcapTime(atMs), [capture.file.interfaceId], () => capture.isbCounters());
      marked.push(id);
    }
    return { marked, atMs };
  }

  private async startProbe(spec: ProbeSpec) {
    checkProbeSpec(spec);
    if (this.probes.has(spec.id)) throw new Error(`probe ${JSON.stringify(spec.id)} is already running`);
    const { probe, started } = await EchoProbe.start(spec, this.deps, {
      emit: (event) => {
        if (event.type === 'probe.ended') this.probes.delete(spec.id);
        this.output.emit(event);
      },
      backlogBytes: this.output.backlogBytes,
    });
    this.probes.set(spec.id, probe);
    return started;
  }

  private async stopProbe(id: string) {
    const probe = this.probes.get(id);
    if (!probe) throw new Error(`no running probe ${JSON.stringify(id)}`);
    this.probes.delete(id);
    return probe.stop();
  }

  /** Stops everything and closes the files; the process may exit afterwards. */
  async shutdown(): Promise<{ stopped: string[] }> {
    const stopped: string[] = [];
    await Promise.all(
      [...this.probes.keys()].map(async (id) => {
        await this.stopProbe(id);
        stopped.push(`probe ${id}`);
      }),
    );
    for (const id of [...this.captures.keys()]) {
      await this.stopCapture(id);
      stopped.push(`capture ${id}`);
    }
    return { stopped };
  }
}

/** Process entry: stdin/stdout protocol; exits when the client goes away or asks it to. */
function runAsProcess(): void {
  // Anything printed to stdout would corrupt the protocol.
  console.log = console.error;
  console.info = console.error;
  const channel = new NdjsonChannel<TesterRequest, AgentMessage>(process.stdin, process.stdout, 'the client');
  let exiting = false;
  const exit = async (code: number) => {
    if (exiting) return;
    exiting = true;
    await agent.shutdown().catch((error: Error) => console.error(`tester agent: ${error.message}`));
    // Let stdout drain before exiting.
    process.stdout.write('', () => process.exit(code));
  };
  const agent = new TesterAgent(channel, realAgentDeps, () => void exit(0));
  channel.onClose((error) => {
    if (error) console.error(`tester agent: ${error.message}`);
    void exit(error ? 1 : 0);
  });
  process.on('SIGTERM', () => void exit(0));
  process.on('SIGINT', () => void exit(0));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) runAsProcess();
