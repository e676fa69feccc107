/**
 * Errors from outside the bench — the OS (errno codes), SSH (ssh2 and our session), drivers, the lab — as message
 * parts, so the UI and reports say *what failed* in the reader's language. The error's own text, which we do not
 * write (libuv's "connect ECONNREFUSED 10.0.0.1:22", ssh2's "Timed out while waiting for handshake"), stays a
 * value: in English the part is exactly that text (what the CLI and log.txt always printed); in Chinese it is a
 * sentence for the cause, with the text quoted after it.
 *
 * An error that already says itself in parts (`parts` on the error, e.g. a lab that is not running) keeps them.
 * Causes are found along the `cause` chain (ES2022), so a wrapped error ("SSH to … failed: …") keeps its errno
 * code. Pure.
 */
import type { ReasonPart } from './model.js';

/** errno codes (libuv / POSIX) and getaddrinfo's, each with a `failure.cause.*` message. */
const ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRINUSE',
  'EADDRNOTAVAIL',
  'EPIPE',
  'EACCES',
  'EPERM',
  'ENOENT',
  'ENOSPC',
  'EROFS',
  'EEXIST',
  'EISDIR',
  'ENOTDIR',
  'EMFILE',
  'EBADF',
  'ENODEV',
  'ENXIO',
]);

/** Error class names whose cause is known by name (main/ssh, main/host, main/lab, main/drivers). */
const NAMED: Record<string, string> = {
  SshAuthError: 'sshAuth',
  HostKeyMismatchError: 'hostKeyMismatch',
  UnknownHostKeyError: 'hostKeyUnknown',
  RevokedHostKeyError: 'hostKeyRevoked',
  PrivilegeError: 'privilege',
  RemoteCommandError: 'remoteCommand',
  HostDidNotReturnError: 'hostDidNotReturn',
  AbortError: 'aborted',
  // The agent refused a spec the bench sent (shared/tester/protocol.ts): a bench fault, said with its text.
  TesterSpecError: 'testerSpec',
  // A capture file that is not pcapng as written (shared/wire/capture-file.ts), the host's output BondBench could
  // not parse (shared/bonding), the netifrc file it will not edit, a driver command that cannot start, a cap
  // without BondBench's patch: each said by its meaning, its own text quoted.
  CaptureFileError: 'captureFile',
  ParseError: 'parse',
  ConfEditError: 'confEdit',
  CommandSpawnError: 'commandSpawn',
  CapNotPatchedError: 'capNotPatched',
};

interface ErrorLike {
  message?: unknown;
  name?: unknown;
  code?: unknown;
  level?: unknown;
  cause?: unknown;
  parts?: unknown;
}

function isPartList(value: unknown): value is ReasonPart[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((p) => p !== null && typeof p === 'object' && typeof (p as ReasonPart).key === 'string')
  );
}

/** The cause's key, looking through `cause` (at most 5 deep): a known name, an errno code, ssh2's levels. */
function causeKey(error: ErrorLike): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const e = current as ErrorLike;
    if (typeof e.name === 'string' && NAMED[e.name]) return NAMED[e.name];
    if (typeof e.code === 'string' && ERRNO.has(e.code)) return e.code;
    // ssh2: 'client-timeout' (no handshake in readyTimeout), 'client-authentication' (every method refused).
    if (e.level === 'client-timeout' || /Timed out while waiting for handshake/.test(String(e.message))) {
      return 'sshHandshakeTimeout';
    }
    if (e.level === 'client-authentication' || /All configured authentication methods failed/.test(String(e.message)))
      return 'sshAuth';
    current = e.cause;
  }
  return undefined;
}

/**
 * What an error says, as one part: its own `parts` when it has them (joined under `failure.parts` when several),
 * else `failure.cause.<cause>` with `{{message}}` — the error's text, which is also the part's English.
 *
 * @param error anything thrown; a non-Error is said as its String().
 */
export function errorPart(error: unknown): ReasonPart {
  const e = (error !== null && typeof error === 'object' ? error : { message: String(error) }) as ErrorLike;
  if (isPartList(e.parts)) return joinParts(e.parts);
  const message = typeof e.message === 'string' ? e.message : String(error);
  return { key: `failure.cause.${causeKey(e) ?? 'other'}`, vars: { message } };
}

/** One or more parts as one (`failure.parts`: "a; b" in English), nested two at a time. */
export function joinParts(parts: readonly ReasonPart[]): ReasonPart {
  const [first, ...rest] = parts;
  if (!first) throw new Error('joinParts needs at least one part');
  return rest.length ? { key: 'failure.parts', vars: { a: first, b: joinParts(rest) } } : first;
}
