/**
 * The engine's side of the tester agent: spawns it (locally, or inside a network namespace with
 * `ip netns exec`), sends typed requests, and hands frames, counters and echo events to listeners.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AgentLaunch, agentLaunch } from '../../shared/platform/agent.js';
import { errorPart, joinParts } from '../../shared/run/failure.js';
import type { ReasonPart } from '../../shared/run/model.js';
import { SaidError } from '../../shared/run/said-error.js';
import type {
  AgentMessage,
  CaptureCounters,
  CapturedFrame,
  CaptureSpec,
  CaptureStarted,
  CaptureSummary,
  EchoEvent,
  HelloResult,
  InterfaceInfo,
  MarkSpec,
  ProbeSpec,
  ProbeStarted,
  ProbeSummary,
  TesterCalls,
  TesterCallType,
  TesterEvent,
  TesterRequest,
} from '../../shared/tester/protocol.js';
import { TESTER_PROTOCOL_VERSION } from '../../shared/tester/protocol.js';
import { trace } from '../trace.js';
import { NdjsonChannel } from './transport.js';

export interface TesterClientOptions {
  /** Run the agent inside this network namespace (needs root): the virtual lab's, for its tester port. */
  netns?: string;
  /** Where the agent's stderr goes (default: this process's stderr, prefixed). */
  log?: (line: string) => void;
  /** The agent's working directory: a real directory (default $BONDBENCH_TESTER_CWD, else the temp folder). */
  cwd?: string;
  /** Start exactly this (agentLaunch's plan for another layout, e.g. a packaged app's); default agentCommand(). */
  launch?: AgentLaunch;
  /** How long the agent may take to answer hello, ms. */
  startTimeoutMs?: number;
}

/** The tester agent could not start, answer or do what was asked; `key` is an `error.tester.*` message. */
export class TesterAgentError extends SaidError {
  constructor(key: string, vars: ReasonPart['vars'] = {}, options?: { cause?: unknown }) {
    super('TesterAgentError', `error.tester.${key}`, vars, options);
  }
}

/**
 * How this runtime starts the agent (shared/platform/agent.ts decides): node on the built JS, node + tsx on the
 * TypeScript source, Electron as Node in the desktop app; in a namespace, through sudo, or directly.
 */
export function agentCommand(netns?: string, cwd?: string): AgentLaunch {
  const here = fileURLToPath(import.meta.url);
  const fromSource = here.endsWith('.ts');
  // The desktop app bundles the agent as an entry of its own and says where (main/electron/main.ts).
  const agent = process.env.BONDBENCH_TESTER_AGENT ?? join(dirname(here), fromSource ? 'agent.ts' : 'agent.js');
  if (!existsSync(agent)) throw new TesterAgentError('missing', { path: agent });
  try {
    return agentLaunch({
      platform: process.platform,
      execPath: process.execPath,
      agentPath: agent,
      tsxImport: fromSource ? import.meta.resolve('tsx') : undefined,
      electron: process.versions.electron,
      // Set by the desktop shell when it runs from a checkout (main/electron/main.ts).
      agentNode: process.env.BONDBENCH_TESTER_NODE || undefined,
      netns,
      // The shell passes a real directory (the desktop app: its user data); never the package, maybe an archive.
      cwd: cwd ?? process.env.BONDBENCH_TESTER_CWD ?? tmpdir(),
      env: process.env,
    });
  } catch (error) {
    throw new TesterAgentError('launch', { cause: errorPart(error) }, { cause: error });
  }
}

const CAP_NO_ADDRESS_WARNING = /^Warning: \S+: no IPv4 address assigned - This may not actually work$/;

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; type: string };

export class TesterClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly frameListeners = new Map<string, ((frames: CapturedFrame[], sampled: number) => void)[]>();
  private readonly counterListeners = new Map<string, ((counters: CaptureCounters) => void)[]>();
  private readonly echoListeners = new Map<string, ((events: EchoEvent[]) => void)[]>();
  private readonly eventListeners: ((event: TesterEvent) => void)[] = [];
  private stderrTail: string[] = [];
  private exited: Error | undefined;
  private readonly exitPromise: Promise<void>;
  hello!: HelloResult;

  private constructor(
    private readonly child: ChildProcess,
    private readonly channel: NdjsonChannel<AgentMessage, TesterRequest>,
    readonly netns: string | undefined,
  ) {
    channel.onMessage((message) => this.receive(message));
    this.exitPromise = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        const how: ReasonPart = signal
          ? { key: 'error.tester.signal', vars: { signal } }
          : { key: 'error.tester.code', vars: { code: String(code) } };
        this.exited = this.stderrTail.length
          ? new TesterAgentError('exitedSaid', { how, stderr: this.stderrTail.join('\n') })
          : new TesterAgentError('exited', { how });
        for (const [id, p] of this.pending) {
          p.reject(this.exited);
          this.pending.delete(id);
        }
        resolve();
      });
    });
  }

  /** Starts an agent and checks that it speaks our protocol. */
  static async start(options: TesterClientOptions = {}): Promise<TesterClient> {
    const { command, args, cwd, env, windowsHide } = options.launch ?? agentCommand(options.netns, options.cwd);
    const child = spawn(command, args, { cwd, env, windowsHide, stdio: ['pipe', 'pipe', 'pipe'] });
    const channel = new NdjsonChannel<AgentMessage, TesterRequest>(child.stdout!, child.stdin!, 'the tester agent');
    const client = new TesterClient(child, channel, options.netns);
    const log = options.log ?? ((line: string) => process.stderr.write(`[tester] ${line}\n`));
    let partial = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        // cap's pcap_lookupnet warning for interfaces without IPv4 (taps, veths): only "broadcast" filters care.
        if (CAP_NO_ADDRESS_WARNING.test(line)) continue;
        client.stderrTail = [...client.stderrTail.slice(-9), line];
        log(line);
      }
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) =>
        reject(new TesterAgentError('cannotStart', { command, cause: errorPart(error) }, { cause: error })),
      );
    });
    const timeout = options.startTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      client.hello = await Promise.race([
        client.call('hello', {}),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new TesterAgentError('noAnswer', { ms: timeout })), timeout);
        }),
      ]);
    } catch (error) {
      client.kill();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    if (client.hello.protocol !== TESTER_PROTOCOL_VERSION) {
      client.kill();
      throw new TesterAgentError('protocol', { agent: client.hello.protocol, bench: TESTER_PROTOCOL_VERSION });
    }
    return client;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  call<K extends TesterCallType>(type: K, params: TesterCalls[K]['params']): Promise<TesterCalls[K]['result']> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (value) => {
          trace(`tester ${type}`, started);
          resolve(value as TesterCalls[K]['result']);
        },
        reject: (error) => {
          trace(`tester ${type} failed`, started);
          reject(error);
        },
        type,
      });
      this.channel.send({ ...params, id, type } as TesterRequest);
    });
  }

  private receive(message: AgentMessage): void {
    if (message.type === 'response') {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (message.ok) pending.resolve(message.result);
      else {
        // The agent's parts when it sent them (its OS error's cause); else its text, quoted in other languages.
        const cause = message.parts?.length ? joinParts(message.parts) : errorPart(message.error);
        pending.reject(new TesterAgentError('request', { request: pending.type, cause }));
      }
      return;
    }
    switch (message.type) {
      case 'frames':
        for (const listener of this.frameListeners.get(message.captureId) ?? [])
          listener(message.frames, message.sampled ?? 0);
        break;
      case 'counters':
        for (const listener of this.counterListeners.get(message.captureId) ?? []) listener(message.counters);
        break;
      case 'echo':
        for (const listener of this.echoListeners.get(message.probeId) ?? []) listener(message.events);
        break;
    }
    for (const listener of this.eventListeners) listener(message);
  }

  private static add<T>(map: Map<string, T[]>, id: string, listener: T): () => void {
    const list = map.get(id) ?? [];
    list.push(listener);
    map.set(id, list);
    return () =>
      map.set(
        id,
        (map.get(id) ?? []).filter((l) => l !== listener),
      );
  }

  /** Decoded frames of a capture; `sampled`: frames its live view skipped since the previous batch (in the file). */
  onFrames(captureId: string, listener: (frames: CapturedFrame[], sampled: number) => void): () => void {
    return TesterClient.add(this.frameListeners, captureId, listener);
  }

  onCounters(captureId: string, listener: (counters: CaptureCounters) => void): () => void {
    return TesterClient.add(this.counterListeners, captureId, listener);
  }

  onEcho(probeId: string, listener: (events: EchoEvent[]) => void): () => void {
    return TesterClient.add(this.echoListeners, probeId, listener);
  }

  /** Every event (frames, counters, echo, probe.ended, capture.failed, log). */
  onEvent(listener: (event: TesterEvent) => void): () => void {
    this.eventListeners.push(listener);
    return () => {
      const at = this.eventListeners.indexOf(listener);
      if (at >= 0) this.eventListeners.splice(at, 1);
    };
  }

  interfaces(): Promise<InterfaceInfo[]> {
    return this.call('interfaces', {});
  }

  startCapture(spec: CaptureSpec): Promise<CaptureStarted> {
    return this.call('capture.start', { spec });
  }

  stopCapture(captureId: string): Promise<CaptureSummary> {
    return this.call('capture.stop', { captureId });
  }

  counters(captureId: string): Promise<CaptureCounters> {
    return this.call('capture.counters', { captureId });
  }

  /**
   * Waits until every frame the kernel had taken for these captures has reached this client (their frame
   * listeners have run), then gives each capture's counters, in the order asked.
   */
  sync(captureIds: string[]): Promise<CaptureCounters[]> {
    return this.call('capture.sync', { captureIds });
  }

  /** A step comment in the running captures' pcapng files, e.g. "mode balance-alb: pull eth1". */
  mark(spec: MarkSpec): Promise<{ marked: string[]; atMs: number }> {
    return this.call('capture.mark', spec);
  }

  startProbe(spec: ProbeSpec): Promise<ProbeStarted> {
    return this.call('probe.start', { spec });
  }

  stopProbe(probeId: string): Promise<ProbeSummary> {
    return this.call('probe.stop', { probeId });
  }

  /** Stop reading the agent's messages (to test a slow consumer); the agent must keep capturing. */
  pauseReading(): void {
    this.child.stdout?.pause();
  }

  resumeReading(): void {
    this.child.stdout?.resume();
  }

  /** Stops captures and probes, closes files, and waits for the agent to exit. */
  async close(timeoutMs = 15_000): Promise<void> {
    if (!this.exited) {
      this.resumeReading();
      await Promise.race([this.call('shutdown', {}).catch(() => undefined), this.exitPromise]);
      this.channel.close();
      const timer = setTimeout(() => this.kill(), timeoutMs);
      await this.exitPromise;
      clearTimeout(timer);
    }
  }

  /** Ends the agent at once (our own child, by PID). */
  kill(): void {
    if (!this.exited && this.child.pid) {
      try {
        process.kill(this.child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}
