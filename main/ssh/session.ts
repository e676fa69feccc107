/**
 * One SSH connection to a host under test (ssh2), with the host key pinned and keepalive on, and one exec
 * primitive. Host control (probe, configure, reboot) is built on this.
 */
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig, type PseudoTtyOptions } from 'ssh2';

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** null when the command ended by a signal or the connection dropped. */
  code: number | null;
  signal?: string;
  durationMs: number;
}

/** The host key the caller expects, or a decision callback for first contact (issue: known-hosts pinning). */
export type HostKeyCheck =
  | { kind: 'pinned'; publicKey: string }
  | { kind: 'verify'; verify: (key: { type: string; blob: Buffer; fingerprint: string }) => boolean };

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
  /** An already-open byte stream to the server (ProxyCommand, a namespace, a jump host). */
  sock?: Duplex;
  hostKey: HostKeyCheck;
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
}

export class HostKeyMismatchError extends Error {
  constructor(label: string, expected: string, got: string) {
    super(
      `the host key of ${label} has changed: expected ${expected}, got ${got}. ` +
        'If the host was reinstalled on purpose, remove its old key from the known-hosts file and accept the new one; ' +
        'otherwise someone may be intercepting the connection.',
    );
    this.name = 'HostKeyMismatchError';
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
      let mismatch: Error | undefined;
      const config: ConnectConfig = {
        host: options.host,
        port: options.port,
        sock: options.sock,
        username: options.username,
        privateKey: options.privateKey,
        passphrase: options.passphrase,
        password: options.password,
        agent: options.agent,
        readyTimeout: options.readyTimeoutMs ?? 20_000,
        keepaliveInterval: options.keepaliveIntervalMs ?? 2_000,
        keepaliveCountMax: options.keepaliveCountMax ?? 3,
        hostVerifier: (key: Buffer) => {
          const type = keyTypeOfBlob(key);
          fingerprint = sha256Fingerprint(key);
          if (options.hostKey.kind === 'pinned') {
            const expected = parsePublicKeyLine(options.hostKey.publicKey);
            if (expected.type === type && expected.blob.equals(key)) return true;
            mismatch = new HostKeyMismatchError(options.label, sha256Fingerprint(expected.blob), fingerprint);
            return false;
          }
          const ok = options.hostKey.verify({ type, blob: key, fingerprint });
          if (!ok) mismatch = new Error(`the host key of ${options.label} (${type} ${fingerprint}) was not accepted`);
          return ok;
        },
      };
      let settled = false;
      // ssh2 may emit several errors for one failure (socket, then handshake): only the first one counts.
      client.on('error', (error: Error) => {
        if (settled) return;
        settled = true;
        client.end();
        reject(mismatch ?? new Error(`SSH to ${options.label} failed: ${error.message}`));
      });
      client.once('ready', () => {
        if (settled) return;
        settled = true;
        resolve(new SshSession(client, options.label, fingerprint));
      });
      client.connect(config);
    });
  }

  /** Runs one command. The caller builds it from validated, quoted values only (shared/net/names.ts). */
  exec(command: string, options: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<ExecResult> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error(`SSH connection to ${this.label} is closed`));
      this.client.exec(command, (error, channel) => {
        if (error) return reject(new Error(`cannot run a command on ${this.label}: ${error.message}`));
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let code: number | null = null;
        let signal: string | undefined;
        let timer: NodeJS.Timeout | undefined;
        if (options.timeoutMs) {
          timer = setTimeout(() => {
            channel.close();
            reject(new Error(`command on ${this.label} timed out after ${options.timeoutMs} ms: ${command}`));
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
          resolve({
            stdout: Buffer.concat(out).toString(),
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
        error ? reject(new Error(`cannot open a terminal on ${this.label}: ${error.message}`)) : resolve(channel);
      if (command) this.client.exec(command, { pty }, done);
      else this.client.shell(pty, done);
    });
  }

  close(): void {
    this.client.end();
  }
}
