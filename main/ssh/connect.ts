/**
 * Opens an SshSession to a destination resolved through ssh_config: ProxyCommand (its stdio is the socket),
 * ProxyJump (a direct-tcpip channel through the jump host), ssh-agent, IdentityFiles with passphrases, a password
 * when the user chooses one, and host keys pinned in a known_hosts file.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import ssh2, { type AnyAuthMethod } from 'ssh2';
import { sayReason } from '../../shared/oracle/failover.js';
import { proxyCommandSpawn } from '../../shared/platform/ssh.js';
import { errorPart } from '../../shared/run/failure.js';
import type { LogSink } from '../../shared/run/log.js';
import type { ReasonPart } from '../../shared/run/model.js';
import { KnownHosts, knownHostName } from './known-hosts.js';
import { type OfferedHostKey, SshSession } from './session.js';
import { parseSshDestination, type ResolvedSsh, resolveSsh, type SshDestination } from './ssh-config.js';

export interface SshConnectPolicy {
  /** ssh_config to read; default ~/.ssh/config when it exists; null for none. */
  sshConfigFile?: string | null;
  /** Where to pin host keys; default the one ssh_config names, else BondBench's own file. */
  knownHostsFile?: string;
  /** First contact: accept (and file) a key not yet known. true = accept; a function decides (e.g. asks). */
  acceptNewHostKey?: boolean | ((key: OfferedHostKey, host: string) => boolean | Promise<boolean>);
  /** Log in with this password (only when the user chose password login). */
  password?: string;
  /** For encrypted IdentityFiles: the passphrase, or a function asked once per key file. */
  passphrase?: string | ((keyFile: string) => Promise<string | undefined>);
  /** Extra key files (like ssh -i), tried before ssh_config's. */
  identityFiles?: string[];
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** What connecting does that a user may want to know (keys skipped, proxies), as `log.ssh.*` lines. */
  log?: LogSink;
}

/** A login that cannot work or was refused; `parts` say it as `sshLogin.*` messages (its English is `message`). */
export class SshAuthError extends Error {
  readonly parts: ReasonPart[];
  constructor(key: string, vars: Record<string, string | ReasonPart>) {
    const parts = [{ key: `sshLogin.${key}`, vars }];
    super(sayReason('en', parts));
    this.name = 'SshAuthError';
    this.parts = parts;
  }
}

/** BondBench's own known_hosts, so the bench never edits the user's ~/.ssh/known_hosts unasked. */
export function defaultKnownHostsFile(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'bondbench', 'known_hosts');
}

/** Runs an ssh_config ProxyCommand with the platform's shell and returns its stdin/stdout as the connection. */
export function proxyCommandStream(command: string): { stream: Duplex; dispose: () => void } {
  const { file, args, windowsVerbatimArguments, windowsHide } = proxyCommandSpawn(
    process.platform,
    command,
    process.env,
  );
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsVerbatimArguments, windowsHide });
  const stream = Duplex.from({ readable: child.stdout, writable: child.stdin });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.on('error', (error) => stream.destroy(new Error(`ProxyCommand ${JSON.stringify(command)}: ${error.message}`)));
  child.on('exit', (code, signal) => {
    if (!stream.destroyed && code !== 0 && signal !== 'SIGTERM') {
      stream.destroy(
        new Error(`ProxyCommand ${JSON.stringify(command)} exited ${code}: ${stderr.trim() || 'no output'}`),
      );
    }
  });
  child.stdin.on('error', () => undefined);
  // ssh2 listens for errors once it has the stream; before that (or after), a dying proxy must not crash us.
  stream.on('error', () => undefined);
  const dispose = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  stream.on('close', dispose);
  return { stream, dispose };
}

// ssh2 is CommonJS: its `utils` is not a named ESM export.
const { utils } = ssh2;

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

async function loadKey(
  file: string,
  passphrase: SshConnectPolicy['passphrase'],
  log: LogSink,
): Promise<{ key: Buffer; passphrase?: string } | undefined> {
  const key = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new SshAuthError('keyUnreadable', { file, error: errorPart(error) });
  });
  const plain = utils.parseKey(key);
  if (!(plain instanceof Error)) return { key };
  if (!/encrypted|passphrase/i.test(plain.message))
    throw new SshAuthError('keyUnusable', { file, error: plain.message });
  const secret = typeof passphrase === 'function' ? await passphrase(file) : passphrase;
  if (secret === undefined) {
    log({ key: 'log.ssh.keyEncrypted', vars: { file } });
    return undefined;
  }
  const decrypted = utils.parseKey(key, secret);
  if (decrypted instanceof Error) throw new SshAuthError('passphrase', { file, error: decrypted.message });
  return { key, passphrase: secret };
}

async function authMethods(resolved: ResolvedSsh, policy: SshConnectPolicy, log: LogSink): Promise<AnyAuthMethod[]> {
  const username = resolved.user;
  const methods: AnyAuthMethod[] = [];
  if (resolved.agentSocket && !resolved.identitiesOnly) {
    // Pageant cannot be looked for as a file; ssh2 asks it and moves on when it is not running.
    if (resolved.agentSocket === 'pageant' || existsSync(resolved.agentSocket)) {
      methods.push({ type: 'agent', username, agent: resolved.agentSocket });
    } else log({ key: 'log.ssh.noAgent', vars: { socket: resolved.agentSocket } });
  }
  const explicit = [...(policy.identityFiles ?? []), ...resolved.identityFiles];
  const files =
    explicit.length > 0 ? explicit : DEFAULT_IDENTITIES.map((name) => join(homedir(), '.ssh', name)).filter(existsSync);
  for (const file of [...new Set(files)]) {
    if (!existsSync(file)) {
      if (explicit.includes(file)) log({ key: 'log.ssh.noIdentityFile', vars: { file } });
      continue;
    }
    const loaded = await loadKey(file, policy.passphrase, log);
    if (loaded) methods.push({ type: 'publickey', username, key: loaded.key, passphrase: loaded.passphrase });
  }
  if (policy.password !== undefined) {
    methods.push({ type: 'password', username, password: policy.password });
    // Servers with PasswordAuthentication off often still take the password through keyboard-interactive.
    methods.push({
      type: 'keyboard-interactive',
      username,
      prompt: (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => policy.password!)),
    });
  }
  if (methods.length === 0) {
    throw new SshAuthError('noMethod', {
      login: `${username}@${resolved.hostName}`,
      keys: explicit.length ? explicit.join(', ') : '~/.ssh/id_ed25519, id_ecdsa, id_rsa',
    });
  }
  return methods;
}

/** Connects to a destination through ssh_config, recursively through ProxyJump hosts. */
export async function connectSsh(
  destination: string | SshDestination,
  policy: SshConnectPolicy = {},
  /** A ProxyJump chain that replaces the destination's own (the earlier hops of "ProxyJump a,b"). */
  jumpOverride?: string,
): Promise<{ session: SshSession; resolved: ResolvedSsh }> {
  const log = policy.log ?? (() => undefined);
  const resolved = await resolveSsh(destination, { configFile: policy.sshConfigFile });
  if (jumpOverride !== undefined) {
    resolved.proxyJump = jumpOverride || undefined;
    resolved.proxyCommand = undefined;
  }
  const label = `${resolved.user}@${resolved.hostName}${resolved.port === 22 ? '' : `:${resolved.port}`}`;
  // Keys and passphrases first: nothing is started (no ProxyCommand, no jump) if we could not log in anyway.
  const auth = await authMethods(resolved, policy, log);

  let sock: Duplex | undefined;
  let dispose: (() => void) | undefined;
  if (resolved.proxyCommand) {
    log({ key: 'log.ssh.proxyCommand', vars: { host: label, command: resolved.proxyCommand } });
    ({ stream: sock, dispose } = proxyCommandStream(resolved.proxyCommand));
  } else if (resolved.proxyJump) {
    // "ProxyJump a,b": reach b through a, then the target through b.
    const hops = resolved.proxyJump.split(',').map((hop) => hop.trim());
    const last = parseSshDestination(hops.pop()!);
    const through = [...hops, `${last.user ? `${last.user}@` : ''}${last.host}`].join(' → ');
    log({ key: 'log.ssh.proxyJump', vars: { host: label, through } });
    const jump = await connectSsh(last, policy, hops.length ? hops.join(',') : undefined);
    try {
      sock = await jump.session.forwardOut(resolved.hostName, resolved.port);
    } catch (error) {
      jump.session.close();
      throw error;
    }
    dispose = () => jump.session.close();
  }

  const names = [resolved.hostKeyAlias ?? knownHostName(resolved.hostName, resolved.port)];
  if (!resolved.hostKeyAlias && resolved.alias !== resolved.hostName)
    names.push(knownHostName(resolved.alias, resolved.port));
  const knownHosts = new KnownHosts(
    [
      policy.knownHostsFile ?? resolved.userKnownHostsFiles[0] ?? defaultKnownHostsFile(),
      ...resolved.userKnownHostsFiles.slice(policy.knownHostsFile ? 0 : 1),
      join(homedir(), '.ssh', 'known_hosts'),
    ].filter((file, i, all) => all.indexOf(file) === i),
  );
  const accept = policy.acceptNewHostKey;
  try {
    const session = await SshSession.connect({
      label,
      host: sock ? undefined : resolved.hostName,
      port: sock ? undefined : resolved.port,
      sock,
      username: resolved.user,
      authMethods: auth,
      keyboardPassword: policy.password,
      hostKey: {
        kind: 'verify',
        verify: knownHosts.verifier(
          label,
          names,
          accept === undefined || accept === false ? undefined : (key) => (accept === true ? true : accept(key, label)),
        ),
      },
      preferHostKeyTypes: await knownHosts.keyTypes(names),
      readyTimeoutMs: policy.readyTimeoutMs ?? resolved.connectTimeoutMs ?? 20_000,
      keepaliveIntervalMs: policy.keepaliveIntervalMs ?? resolved.serverAliveIntervalMs ?? 2_000,
      keepaliveCountMax: policy.keepaliveCountMax ?? resolved.serverAliveCountMax ?? 3,
      dispose,
    });
    return { session, resolved };
  } catch (error) {
    dispose?.();
    const message = (error as Error).message;
    if (/All configured authentication methods failed/i.test(message)) {
      throw new SshAuthError('refused', { label });
    }
    throw error;
  }
}
