/**
 * The one way host control runs anything on the host: a script built only from validated, quoted values, run by
 * bash (or sh where there is no bash), through `sudo -n` when the login is not root and the user allowed sudo.
 */
import { shellQuote } from '../../shared/net/names.js';
import { sayReason } from '../../shared/oracle/failover.js';
import type { ReasonPart } from '../../shared/run/model.js';
import type { ExecResult, SshSession } from '../ssh/session.js';
import { trace } from '../trace.js';

/** A command on the host that exited non-zero; `parts` say it (`hostRefusal.remoteFailed*`), its output quoted. */
export class RemoteCommandError extends Error {
  readonly parts: ReasonPart[];
  constructor(
    readonly label: string,
    readonly what: string,
    readonly result: ExecResult,
  ) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-6).join('\n');
    const status: string | number | ReasonPart = result.code ?? result.signal ?? { key: 'hostRefusal.lostConnection' };
    const vars = { label, what, status };
    const parts = [
      detail
        ? { key: 'hostRefusal.remoteFailedDetail', vars: { ...vars, detail } }
        : { key: 'hostRefusal.remoteFailed', vars },
    ];
    super(sayReason('en', parts));
    this.name = 'RemoteCommandError';
    this.parts = parts;
  }
}

/** Root is needed and the login cannot get it (`hostRefusal.notRoot`, `sudoPassword`). */
export class PrivilegeError extends Error {
  readonly parts: ReasonPart[];
  constructor(key: 'notRoot' | 'sudoPassword', label: string) {
    const parts = [{ key: `hostRefusal.${key}`, vars: { label } }];
    super(sayReason('en', parts));
    this.name = 'PrivilegeError';
    this.parts = parts;
  }
}

export interface RunOptions {
  /** Needs root (writes sysfs, /etc, reboots). */
  privileged?: boolean;
  input?: string | Buffer;
  timeoutMs?: number;
}

/** Something that runs validated scripts on a host; recorded so tests can prove what ran. */
export interface RemoteShell {
  readonly label: string;
  run(script: string, options?: RunOptions): Promise<ExecResult>;
}

export class SshRemote implements RemoteShell {
  /** Every script sent, in order (what the host was asked to do). */
  readonly history: string[] = [];

  private constructor(
    private session: SshSession,
    readonly isRoot: boolean,
    private readonly shell: string,
    private readonly sudo: boolean,
  ) {}

  get label(): string {
    return this.session.label;
  }

  get sshSession(): SshSession {
    return this.session;
  }

  /** After a reboot: same host, new connection. */
  replaceSession(session: SshSession): void {
    this.session = session;
  }

  /** Learns who we are and which shell runs scripts; refuses a non-root login without sudo. */
  static async open(session: SshSession, options: { sudo?: boolean } = {}): Promise<SshRemote> {
    const result = await session.exec('id -u; command -v bash || echo /bin/sh');
    const [uid, shell] = result.stdout.trim().split('\n');
    if (result.code !== 0 || !uid || !/^\d+$/.test(uid)) {
      throw new RemoteCommandError(session.label, 'finding the login user (id -u)', result);
    }
    const found = shell?.trim() ?? '';
    return new SshRemote(
      session,
      uid === '0',
      /^\/[A-Za-z0-9._/-]+$/.test(found) ? found : '/bin/sh',
      options.sudo ?? false,
    );
  }

  async run(script: string, options: RunOptions = {}): Promise<ExecResult> {
    let command = `${this.shell} -c ${shellQuote(script)}`;
    if (options.privileged && !this.isRoot) {
      if (!this.sudo) {
        throw new PrivilegeError('notRoot', this.label);
      }
      command = `sudo -n ${command}`;
    }
    this.history.push(script);
    const started = performance.now();
    const result = await this.session.exec(command, { input: options.input, timeoutMs: options.timeoutMs });
    trace(`ssh ${script.replace(/^set -[eu]\n/, '')}`, started);
    if (options.privileged && !this.isRoot && result.code !== 0 && /sudo: .*password/i.test(result.stderr)) {
      throw new PrivilegeError('sudoPassword', this.label);
    }
    return result;
  }

  /** Runs and throws a RemoteCommandError naming `what` unless it exits 0. */
  async runOk(what: string, script: string, options: RunOptions = {}): Promise<ExecResult> {
    const result = await this.run(script, options);
    if (result.code !== 0) throw new RemoteCommandError(this.label, what, result);
    return result;
  }

  /** The file's bytes, or undefined if it does not exist. */
  async readFile(path: string, options: { privileged?: boolean } = {}): Promise<Buffer | undefined> {
    const p = shellQuote(path);
    const result = await this.run(`if [ -e ${p} ]; then cat ${p}; else exit 3; fi`, options);
    if (result.code === 3) return undefined;
    if (result.code !== 0) throw new RemoteCommandError(this.label, `reading ${path}`, result);
    return result.stdoutBytes;
  }

  /**
   * Writes a file atomically: a temporary file beside it, the old file's mode and owner, sync, then mv over it,
   * so a crash or a cut connection leaves either the old or the new file, never half of one.
   */
  async writeFileAtomic(path: string, content: Buffer | string, options: { mode?: string } = {}): Promise<void> {
    const p = shellQuote(path);
    const mode = options.mode ?? '644';
    if (!/^[0-7]{3,4}$/.test(mode)) throw new Error(`file mode ${mode} is not octal`);
    const script = [
      'set -e',
      `dir=$(dirname ${p})`,
      'mkdir -p "$dir"',
      `tmp=$(mktemp "$dir/.bondbench.XXXXXX")`,
      `trap 'rm -f "$tmp"' EXIT`,
      'cat > "$tmp"',
      `if [ -e ${p} ]; then chmod "$(stat -c %a ${p})" "$tmp"; chown "$(stat -c %u:%g ${p})" "$tmp"; else chmod ${mode} "$tmp"; fi`,
      'sync "$tmp" 2>/dev/null || sync',
      `mv -f "$tmp" ${p}`,
      'trap - EXIT',
      'sync',
    ].join('\n');
    await this.runOk(`writing ${path}`, script, { privileged: true, input: Buffer.from(content) });
  }
}
