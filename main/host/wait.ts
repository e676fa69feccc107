/** Waiting for a host to come back: reconnect with backoff until a deadline, and say how long it took. */
import { errorPart } from '../../shared/run/failure.js';
import type { LogSink } from '../../shared/run/log.js';
import type { ReasonPart } from '../../shared/run/model.js';
import { SaidError } from '../../shared/run/said-error.js';
import type { SshSession } from '../ssh/session.js';

export interface WaitForHostOptions {
  /** Give up at this time (performance.now() clock). */
  deadline: number;
  /** When the reboot (or power-on) was sent; bootMs counts from here. */
  sentAt?: number;
  /** The boot id before the reboot: a session to the same boot does not count (the host has not gone down yet). */
  previousBootId?: string;
  initialDelayMs?: number;
  maxDelayMs?: number;
  log?: LogSink;
}

export interface HostBack {
  session: SshSession;
  bootId: string;
  /** Command sent → SSH logged in and answered, in ms (when sentAt was given). */
  bootMs?: number;
  readyAt: number;
  attempts: number;
}

/** No SSH answer before the deadline (`error.hostDidNotReturn.*`); `lastError` says why the last attempt failed. */
export class HostDidNotReturnError extends SaidError {
  constructor(label: string, waitedMs: number, lastError: ReasonPart | undefined) {
    const seconds = Math.round(waitedMs / 1000);
    super(
      'HostDidNotReturnError',
      lastError ? 'error.hostDidNotReturn.last' : 'error.hostDidNotReturn.said',
      lastError ? { label, seconds, last: lastError } : { label, seconds },
    );
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Host keys that do not match are never retried: that is not a host still booting. */
const FATAL = new Set(['HostKeyMismatchError', 'UnknownHostKeyError', 'RevokedHostKeyError', 'SshAuthError']);

export async function waitForHost(
  label: string,
  connect: (readyTimeoutMs: number) => Promise<SshSession>,
  options: WaitForHostOptions,
): Promise<HostBack> {
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  let delay = options.initialDelayMs ?? 250;
  // A failed attempt costs a TCP connection; a long pause between attempts is time the host was back unnoticed
  // (it used to be 2 s, counted in every boot time).
  const maxDelay = options.maxDelayMs ?? 500;
  let attempts = 0;
  let lastError: ReasonPart | undefined;
  while (performance.now() < options.deadline) {
    attempts++;
    const remaining = options.deadline - performance.now();
    try {
      const session = await connect(Math.max(1_000, Math.min(10_000, remaining)));
      const result = await session.exec('cat /proc/sys/kernel/random/boot_id', { timeoutMs: 10_000 });
      const bootId = result.stdout.trim();
      if (result.code === 0 && bootId && bootId !== options.previousBootId) {
        const readyAt = performance.now();
        return {
          session,
          bootId,
          bootMs: options.sentAt === undefined ? undefined : Math.round(readyAt - options.sentAt),
          readyAt,
          attempts,
        };
      }
      session.close();
      lastError =
        bootId === options.previousBootId
          ? { key: 'error.hostDidNotReturn.sameBoot' }
          : { key: 'error.hostDidNotReturn.bootIdUnreadable', vars: { code: String(result.code) } };
    } catch (error) {
      if (FATAL.has((error as Error).name)) throw error;
      lastError = errorPart(error);
    }
    log({ key: 'log.host.notBack', vars: { host: label, why: lastError, ms: delay } });
    await sleep(Math.min(delay, Math.max(0, options.deadline - performance.now())));
    delay = Math.min(maxDelay, delay * 2);
  }
  throw new HostDidNotReturnError(label, performance.now() - started, lastError);
}
