/**
 * One SSH connection to a host under test (ssh2), with the host key pinned and keepalive on, and one exec
 * primitive. Host control (probe, configure, reboot) is built on this.
 */
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import {
  type AnyAuthMethod,
  Client,
  type ClientChannel,
  type ConnectConfig,
  type PseudoTtyOptions,
  type ServerHostKeyAlgorithm,
} from 'ssh2';
import { errorPart } from '../../shared/run/failure.js';
import type { ReasonPart } from '../../shared/run/model.js';
import { SaidError } from '../../shared/run/said-error.js';

export interface ExecResult {
  stdout: string;
  /** The same output as bytes, for files that must come back byte for byte. */
  stdoutBytes: Buffer;
  stderr: string;
  /** null when the command ended by a signal or the connection dropped. */
  code: number | null;
  signal?: string;
  durationMs: number;
}

export interface OfferedHostKey {
  type: string;
  blob: Buffer;
  /** SHA256:… as OpenSSH prints it. */
  fingerprint: string;
}

/**
 * The host key the caller expects, or a decision for it (known-hosts lookup, first-contact accept). A verify
 * function that throws refuses the key with its own error (e.g. HostKeyMismatchError).
 */
export type HostKeyCheck =
  | { kind: 'pinned'; publicKey: string }
  | { kind: 'verify'; verify: (key: OfferedHostKey) => boolean | Promise<boolean> };

export interface SshConnectOptions {
  /** Shown in errors, e.g. root@10.77.0.2 via the lab namespace. */
  label: string;
  host?: string;
  port?: number;
  username: string;
  privateKey?: Buffer | string;
  passphrase?: string;
  password?: string;
  agent?: string;
  /** Auth methods tried in order (keys from IdentityFile, agent, password); overrides the four fields above. */
  authMethods?: AnyAuthMethod[];
  /** Answer keyboard-interactive prompts with this password (servers that offer no "password" method). */
  keyboardPassword?: string;
  /** Host key algorithms to ask for first, e.g. the types known_hosts holds for this host. */
  preferHostKeyTypes?: string[];
  /** Released when the connection ends: a ProxyCommand child, a jump host's connection. */
  dispose?: () => void;
  /** An already-open byte stream to the server (ProxyCommand, a namespace, a jump host). */
  sock?: Duplex;
  hostKey: HostKeyCheck;
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
}

/** The host offered another key than the one pinned (`error.hostKey.changed*`): refused. */
export class HostKeyMismatchError extends SaidError {
  constructor(label: string, expected: string, got: string, where?: string) {
    super(
      'HostKeyMismatchError',
      where ? 'error.hostKey.changedAt' : 'error.hostKey.changed',
      where ? { label, expected, got, where } : { label, expected, got },
    );
  }
}

export function sha256Fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Key type from the blob itself: string length + name at its start (RFC 4253 §6.6). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

export function parsePublicKeyLine(line: string): { type: string; blob: Buffer } {
  const [type, base64] = line.trim().split(/\s+/);
  if (!type || !base64) throw new Error(`not an OpenSSH public key: ${JSON.stringify(line)}`);
  return { type, blob: Buffer.from(base64, 'base64') };
}

/** Known-hosts key types → the host key algorithms that produce them, for the ones ssh2 speaks. */
const HOST_KEY_ALGORITHMS: Record<string, ServerHostKeyAlgorithm[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
  'ssh-dss': ['ssh-dss'],
};

/** Asks for the key types we already know first, as OpenSSH does, so a host with several keys shows a known one. */
function hostKeyPreference(types: string[] | undefined): ConnectConfig['algorithms'] {
  const preferred = [...new Set((types ?? []).flatMap((type) => HOST_KEY_ALGORITHMS[type] ?? []))];
  if (preferred.length === 0) return undefined;
  // ssh2 applies these in key order: take them out of the default list, then put them in front.
  return { serverHostKey: { remove: preferred, prepend: preferred, append: [] } };
}

export class SshSession {
  private closed = false;
  private closeListeners: ((error?: Error) => void)[] = [];

  private constructor(
    private readonly client: Client,
    readonly label: string,
    readonly hostKeyFingerprint: string,
  ) {
    client.on('close', () => this.markClosed());
    client.on('error', (error) => this.markClosed(error));
  }

  private markClosed(error?: Error) {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners) listener(error);
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Called once when the connection ends, e.g. a keepalive timeout while the host reboots. */
  onClose(listener: (error?: Error) => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  static connect(options: SshConnectOptions): Promise<SshSession> {
    return new Promise((resolve, reject) => {
      const client = new Client();
      let fingerprint = '';
      let refusal: Error | undefined;
      const auth = options.authMethods
        ? { authHandler: options.authMethods }
        : {
            privateKey: options.privateKey,
            passphrase: options.passphrase,
            password: options.password,
            agent: options.agent,
          };
      const config: ConnectConfig = {
        host: options.host,
        port: options.port,
        sock: options.sock,
        username: options.username,
        ...auth,
        tryKeyboard: options.keyboardPassword !== undefined,
        readyTimeout: options.readyTimeoutMs ?? 20_000,
        keepaliveInterval: options.keepaliveIntervalMs ?? 2_000,
        keepaliveCountMax: options.keepaliveCountMax ?? 3,
        algorithms: hostKeyPreference(options.preferHostKeyTypes),
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          const type = keyTypeOfBlob(key);
          fingerprint = sha256Fingerprint(key);
          if (options.hostKey.kind === 'pinned') {
            const expected = parsePublicKeyLine(options.hostKey.publicKey);
            if (expected.type === type && expected.blob.equals(key)) return verify(true);
            refusal = new HostKeyMismatchError(options.label, sha256Fingerprint(expected.blob), fingerprint);
            return verify(false);
          }
          const decide = options.hostKey.verify;
          Promise.resolve()
            .then(() => decide({ type, blob: key, fingerprint }))
            .then(
              (ok) => {
                if (!ok) refusal = sshError('keyNotAccepted', { label: options.label, type, fingerprint });
                verify(ok);
              },
              (error: Error) => {
                refusal = error;
                verify(false);
              },
            );
        },
      };
      if (options.keyboardPassword !== undefined) {
        const password = options.keyboardPassword;
        client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) =>
          finish(prompts.map(() => password)),
        );
      }
      let settled = false;
      // ssh2 may emit several errors for one failure (socket, then handshake): only the first one counts.
      client.on('error', (error: Error) => {
        if (settled) return;
        settled = true;
        client.end();
        options.dispose?.();
        // The cause keeps ssh2's level and the OS's errno code, for saying what failed (shared/run/failure.ts).
        reject(refusal ?? sshError('failed', { label: options.label, cause: errorPart(error) }, error));
      });
      client.once('ready', () => {
        if (settled) return;
        settled = true;
        const session = new SshSession(client, options.label, fingerprint);
        if (options.dispose) session.onClose(options.dispose);
        resolve(session);
      });
      client.connect(config);
    });
  }

  /** A byte stream to host:port opened by the server (direct-tcpip): how ProxyJump reaches the next hop. */
  forwardOut(host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(sshError('closed', { label: this.label }));
      this.client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => {
        if (error)
          return reject(sshError('forward', { label: this.label, host, port, cause: errorPart(error) }, error));
        resolve(channel);
      });
    });
  }

  /**
   * Runs one command. The caller builds it from validated, quoted values only (shared/net/names.ts).
   * A server that refuses the exec request (ssh2's "Unable to exec": CHANNEL_FAILURE, RFC 4254 §6.5 — seen from
   * dropbear on a loaded lab guest) never started the command, so it is asked again, EXEC_REFUSED_RETRIES times.
   */
  async exec(command: string, options: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<ExecResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.execOnce(command, options);
      } catch (error) {
        if (!(error instanceof ExecRefused) || attempt >= EXEC_REFUSED_RETRIES.length) throw error;
        await new Promise((resolve) => setTimeout(resolve, EXEC_REFUSED_RETRIES[attempt]));
      }
    }
  }

  private execOnce(command: string, options: { input?: string | Buffer; timeoutMs?: number }): Promise<ExecResult> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(sshError('closed', { label: this.label }));
      this.client.exec(command, (error, channel) => {
        if (error) {
          const vars = { label: this.label, cause: errorPart(error) };
          return reject(error.message === 'Unable to exec' ? new ExecRefused(vars) : sshError('exec', vars, error));
        }
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let code: number | null = null;
        let signal: string | undefined;
        let timer: NodeJS.Timeout | undefined;
        if (options.timeoutMs) {
          timer = setTimeout(() => {
            channel.close();
            reject(sshError('timedOut', { label: this.label, ms: options.timeoutMs!, command }));
          }, options.timeoutMs);
        }
        channel.on('data', (d: Buffer) => out.push(d));
        channel.stderr.on('data', (d: Buffer) => err.push(d));
        channel.on('exit', (exitCode: number | null, exitSignal?: string) => {
          code = exitCode;
          signal = exitSignal ?? undefined;
        });
        channel.on('close', () => {
          if (timer) clearTimeout(timer);
          const stdoutBytes = Buffer.concat(out);
          resolve({
            stdout: stdoutBytes.toString(),
            stdoutBytes,
            stderr: Buffer.concat(err).toString(),
            code,
            signal,
            durationMs: performance.now() - started,
          });
        });
        channel.end(options.input ?? undefined);
      });
    });
  }

  /** An interactive shell (or one command) on a pseudo-terminal, for `bondbench lab ssh`. */
  openPty(command: string | undefined, pty: PseudoTtyOptions): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      const done = (error: Error | undefined, channel: ClientChannel) =>
        error ? reject(sshError('pty', { label: this.label, cause: errorPart(error) }, error)) : resolve(channel);
      if (command) this.client.exec(command, { pty }, done);
      else this.client.shell(pty, done);
    });
  }

  close(): void {
    this.client.end();
  }
}

/** Waits before asking a server again to run a command it refused to start, ms. */
const EXEC_REFUSED_RETRIES = [200, 500, 1000];

/** The session cannot do what was asked (`error.ssh.*`); `cause` keeps ssh2's or the OS's error. */
function sshError(key: string, vars: ReasonPart['vars'], cause?: unknown): SaidError {
  return new SaidError('SshError', `error.ssh.${key}`, vars, cause === undefined ? undefined : { cause });
}

/** The server refused the exec request: the command did not start. */
class ExecRefused extends SaidError {
  constructor(vars: ReasonPart['vars']) {
    super('SshError', 'error.ssh.exec', vars);
  }
}
