/**
 * The engine's tester: the tester agent (its own process, owning libpcap) capturing on the tester port and on the
 * switch's port mirrors, and sending the ICMP probe stream. For the virtual lab the agent runs inside the lab's
 * namespace, on its tester port.
 */
import { basename } from 'node:path';
import { EchoLog } from '../../shared/measure/echo.js';
import type { Plan } from '../../shared/plan/plan.js';
import { lossBetween } from '../../shared/run/capture-loss.js';
import { type LogSink, textLine } from '../../shared/run/log.js';
import type { CaptureLoss, ReasonPart, TesterFacts } from '../../shared/run/model.js';
import { SaidError } from '../../shared/run/said-error.js';
import { interfaceLabel, resolveCaptureDevice } from '../../shared/tester/interfaces.js';
import type {
  CapturedFrame as AgentFrame,
  CaptureCounters,
  EchoEvent,
  InterfaceInfo,
  TesterEvent,
} from '../../shared/tester/protocol.js';
import { TesterClient } from '../tester/client.js';
import type { Capture, CapturedFrame, Probe, TesterSide } from './ports.js';

function subnetOf(cidr: string): string {
  const [address, prefix] = cidr.split('/') as [string, string];
  const bits = Number(prefix);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const value = address.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const net = (value & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.')}/${bits}`;
}

/** A switch port mirror: the plan's name for it (frames are labelled with it), the pcap device, the slave. */
export interface CaptureTarget {
  port: string;
  device: string;
  slave: string;
}

/**
 * tester.portMirrors (slave → capture device, by pcap name or, on Windows, friendly name) as capture targets.
 * Files are named by the slave: a device name ("\\Device\\NPF_{…}", "Ethernet 2") is no file name.
 */
export function mirrorTargets(
  portMirrors: Record<string, string> | undefined,
  interfaces: readonly InterfaceInfo[],
): CaptureTarget[] {
  return Object.entries(portMirrors ?? {}).map(([slave, port]) => ({
    port,
    slave,
    device: resolveCaptureDevice(interfaces, port, `tester.portMirrors.${slave}`).name,
  }));
}

/** tester.interface: 'auto' = the one on the bond's subnet (prefix from pcap's netmask), else by name. */
export function testerInterface(wanted: string, subnet: string, interfaces: readonly InterfaceInfo[]): InterfaceInfo {
  if (wanted !== 'auto') return resolveCaptureDevice(interfaces, wanted, 'tester.interface');
  const found = interfaces.find((i) =>
    i.addresses.some((a) => a.family === 'IPv4' && a.cidr && subnetOf(a.cidr) === subnet),
  );
  if (!found) {
    throw new SaidError('TesterInterfaceError', 'error.testerInterface', {
      subnet,
      interfaces: interfaces.map(interfaceLabel).join(', '),
    });
  }
  return found;
}

/** A line the tester agent logged, for the run log ("tester: …"), or undefined for any other event. */
export function agentLogLine(event: TesterEvent): ReasonPart | undefined {
  if (event.type !== 'log') return undefined;
  return { key: 'log.tester.said', vars: { line: event.part ?? textLine(event.message ?? '') } };
}

let sequence = 0;
const nextId = (prefix: string) => `${prefix}-${process.pid}-${++sequence}`;

export class AgentTesterSide implements TesterSide {
  private constructor(
    private readonly client: TesterClient,
    private readonly plan: Plan,
    private readonly mirrors: CaptureTarget[],
    private readonly info: TesterFacts,
    private readonly log: LogSink = () => undefined,
  ) {}

  static async start(plan: Plan, options: { netns?: string; log: LogSink }): Promise<AgentTesterSide> {
    // The agent's stderr is not ours to word (a crash's stack, libpcap's warnings): said as it came.
    const client = await TesterClient.start({
      netns: options.netns,
      log: (line) => options.log({ key: 'log.tester.said', vars: { line: textLine(line) } }),
    });
    // What the agent says in its own protocol (a probe that cannot send, a capture file that cannot be written).
    client.onEvent((event) => {
      const line = agentLogLine(event);
      if (line) options.log(line);
    });
    const subnet = subnetOf(plan.bond.address);
    const interfaces = await client.interfaces();
    let chosen: InterfaceInfo;
    let mirrors: CaptureTarget[];
    try {
      chosen = testerInterface(plan.tester.interface, subnet, interfaces);
      mirrors = mirrorTargets(plan.tester.portMirrors, interfaces);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    const address = chosen.addresses.find((a) => a.family === 'IPv4')?.address;
    return new AgentTesterSide(
      client,
      plan,
      mirrors,
      {
        interface: chosen.name,
        address,
        mac: chosen.mac,
        filter: '',
        timestamps: `libpcap header timestamps (${client.hello.timestampPrecision}), cap ${client.hello.capVersion}`,
      },
      options.log,
    );
  }

  facts(): TesterFacts {
    return this.info;
  }

  async startCapture(file: string): Promise<Capture> {
    const ports = [
      { port: this.info.interface, device: this.info.interface, file },
      ...this.mirrors.map(({ port, device, slave }) => ({
        port,
        device,
        file: file.replace(/\.pcapng$/, `-${slave}.pcapng`),
      })),
    ];
    const listeners: ((frames: CapturedFrame[], skipped: number) => void)[] = [];
    const ids: string[] = [];
    const started: { id: string; port: string; path: string; last?: CaptureCounters }[] = [];
    const unsubscribe: (() => void)[] = [];
    let failure: { port: string; file: string; error: string } | undefined;
    for (const { port, device, file: path } of ports) {
      const id = nextId('capture');
      unsubscribe.push(
        this.client.onFrames(id, (frames: AgentFrame[], skipped: number) => {
          const converted = frames.map(({ captureId: _c, number, timeMs, wireLength: _w, bytes: _b, ...frame }) => ({
            no: number,
            port,
            timeMs,
            frame,
          }));
          for (const listener of listeners) listener(converted, skipped);
        }),
      );
      unsubscribe.push(
        this.client.onEvent((event) => {
          if (event.type === 'capture.failed' && event.captureId === id)
            failure ??= { port, file: path, error: event.error };
        }),
      );
      const began = await this.client.startCapture({
        id,
        device,
        // Capture everything on the test ports: the lab's segment carries only test traffic.
        filter: '',
        pcapng: { path, comment: `BondBench ${basename(path)}: ${this.plan.name}` },
      });
      if (port === this.info.interface) this.info.filter = began.filter || '(none: every frame on the test port)';
      ids.push(id);
      started.push({ id, port, path });
    }
    const checkpoint = async (): Promise<CaptureLoss[]> => {
      // Every frame taken so far reaches the listeners before the counts come back (capture.sync).
      const counts = await this.client.sync(started.map((capture) => capture.id));
      return started.map((capture, i) => {
        const loss = lossBetween(capture.path, capture.port, capture.last, counts[i]!);
        capture.last = counts[i];
        return loss;
      });
    };
    return {
      onFrames: (listener) => {
        listeners.push(listener);
      },
      comment: async (text) => {
        await this.client.mark({ label: text, captureIds: ids });
      },
      checkpoint,
      failure: () => failure,
      stop: async () => {
        let frames = 0;
        const files: CaptureLoss[] = [];
        const sinceCheckpoint: CaptureLoss[] = [];
        // Independent captures: stopped at once, each after its last frames are handed over.
        const summaries = await Promise.all(started.map((capture) => this.client.stopCapture(capture.id)));
        for (const [i, capture] of started.entries()) {
          const { counters } = summaries[i]!;
          frames += counters.received;
          files.push(lossBetween(capture.path, capture.port, undefined, counters));
          sinceCheckpoint.push(lossBetween(capture.path, capture.port, capture.last, counters));
        }
        for (const off of unsubscribe) off();
        return { frames, files, sinceCheckpoint };
      },
    };
  }

  async startProbe(target: string, rate: number, options?: { reaskAfterMs: number }): Promise<Probe> {
    const id = nextId('probe');
    const log = new EchoLog();
    const sentAt = new Map<number, number>();
    const listeners: ((sample: { sentAtMs: number; rttMs: number }) => void)[] = [];
    const off = this.client.onEcho(id, (events: EchoEvent[]) => {
      log.add(events);
      for (const event of events) {
        if (event.kind === 'sent') sentAt.set(event.seq, event.atMs);
        else if (event.kind === 'reply' && !event.duplicate) {
          const sent = sentAt.get(event.seq);
          if (sent !== undefined)
            for (const listener of listeners) listener({ sentAtMs: sent, rttMs: event.atMs - sent });
        }
      }
    });
    await this.client.startProbe({
      id,
      device: this.info.interface,
      target,
      rate,
      drainMs: 300,
      ...(options ? { rearpAfterMs: options.reaskAfterMs } : {}),
    });
    return {
      onSample: (listener) => {
        listeners.push(listener);
      },
      stop: async () => {
        const summary = await this.client.stopProbe(id);
        // The sender's own account (agent clock; one request may be due at the instant of stopping); the step's
        // record judges the rate from the requests seen leaving.
        if (summary.due - summary.sent > 1 || summary.sendErrors > 0) {
          this.log({
            key: 'log.tester.probeShort',
            vars: {
              sent: summary.sent,
              due: summary.due,
              rate,
              achieved:
                summary.achievedRate !== undefined
                  ? { key: 'log.tester.achieved', vars: { rate: summary.achievedRate } }
                  : '',
              refused: summary.sendErrors > 0 ? { key: 'log.tester.refused', vars: { count: summary.sendErrors } } : '',
            },
          });
        }
        off();
        return log.records();
      },
    };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
