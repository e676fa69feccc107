/** A QEMU Machine Protocol client over the lab's unix socket: one command at a time, events ignored. */
import { connect, type Socket } from 'node:net';
import { errorPart } from '../../shared/run/failure.js';
import type { ReasonPart } from '../../shared/run/model.js';
import { SaidError } from '../../shared/run/said-error.js';

/** QEMU's QMP socket cannot be reached, did not answer or closed (`error.qmp.*`). */
export class QmpSocketError extends SaidError {
  constructor(
    key: 'unreachable' | 'noAnswer' | 'closed',
    vars: ReasonPart['vars'] = {},
    options?: { cause?: unknown },
  ) {
    super('QmpSocketError', `error.qmp.${key}`, vars, options);
  }
}

/** QEMU refused a QMP command (`error.qmp.failed`): its class and description are QEMU's own words. */
export class QmpError extends SaidError {
  constructor(
    readonly command: string,
    readonly qmpClass: string,
    desc: string,
  ) {
    super('QmpError', 'error.qmp.failed', { command, qmpClass, desc });
  }
}

type Pending = { command: string; resolve: (value: unknown) => void; reject: (error: Error) => void };

export class QmpClient {
  private buffer = '';
  private queue: Pending[] = [];
  private greeted: Promise<void>;

  private constructor(private readonly socket: Socket) {
    let greet: () => void;
    this.greeted = new Promise((resolve) => {
      greet = resolve;
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline = this.buffer.indexOf('\n');
      while (newline >= 0) {
        const line = this.buffer.slice(0, newline).trim();
        this.buffer = this.buffer.slice(newline + 1);
        if (line) this.onMessage(JSON.parse(line) as Record<string, unknown>, greet!);
        newline = this.buffer.indexOf('\n');
      }
    });
    const fail = (error: Error) => {
      for (const pending of this.queue.splice(0)) pending.reject(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new QmpSocketError('closed')));
  }

  static async open(path: string, timeoutMs = 5000): Promise<QmpClient> {
    const socket = connect(path);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new QmpSocketError('noAnswer', { path })), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new QmpSocketError('unreachable', { path, cause: errorPart(error) }, { cause: error }));
      });
    });
    const client = new QmpClient(socket);
    await client.greeted;
    await client.execute('qmp_capabilities');
    return client;
  }

  private onMessage(message: Record<string, unknown>, greet: () => void): void {
    if ('QMP' in message) {
      greet();
      return;
    }
    if ('event' in message) return;
    const pending = this.queue.shift();
    if (!pending) return;
    if ('error' in message) {
      const error = message.error as { class?: string; desc?: string };
      pending.reject(new QmpError(pending.command, error.class ?? 'Error', error.desc ?? ''));
    } else {
      pending.resolve(message.return);
    }
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ command, resolve: resolve as (value: unknown) => void, reject });
      this.socket.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
    });
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }
}

/** Opens, runs one command, closes: QMP sessions are cheap and the lab has no long-lived controller. */
export async function qmpOnce<T = unknown>(path: string, command: string, args?: Record<string, unknown>): Promise<T> {
  const client = await QmpClient.open(path);
  try {
    return await client.execute<T>(command, args);
  } finally {
    client.close();
  }
}
