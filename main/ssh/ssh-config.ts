/**
 * Where and how to connect, the way OpenSSH decides it: a destination (user@host:port, ssh://user@host:port) and
 * the user's ssh_config (Host patterns, HostName, User, Port, IdentityFile, IdentitiesOnly, IdentityAgent,
 * ProxyJump, ProxyCommand, UserKnownHostsFile, HostKeyAlias, ConnectTimeout, ServerAlive*), parsed with the
 * ssh-config package.
 */

import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import SSHConfig from 'ssh-config';
import { globMatch } from '../../shared/net/glob.js';
import {
  assertHostName,
  assertPort,
  assertUserName,
  parseSshDestination,
  type SshDestination,
} from '../../shared/net/ssh-destination.js';
import { type AgentChoice, chooseAgent, expandHome } from '../../shared/platform/ssh.js';

export {
  assertHostName,
  assertUserName,
  parseSshDestination,
  type SshDestination,
} from '../../shared/net/ssh-destination.js';

export interface ResolvedSsh {
  /** As given (the ssh_config Host the user typed). */
  alias: string;
  hostName: string;
  port: number;
  user: string;
  identityFiles: string[];
  identitiesOnly: boolean;
  /** The agent: a socket path, a Windows pipe (\\.\pipe\…), or "pageant"; undefined = none. */
  agentSocket?: string;
  /** Where the agent choice came from (shared/platform/ssh.ts chooseAgent). */
  agentSource?: AgentChoice['source'];
  proxyJump?: string;
  proxyCommand?: string;
  userKnownHostsFiles: string[];
  hostKeyAlias?: string;
  connectTimeoutMs?: number;
  serverAliveIntervalMs?: number;
  serverAliveCountMax?: number;
  /** The config file read, if any. */
  configFile?: string;
}

export function defaultSshConfigFile(): string {
  return join(homedir(), '.ssh', 'config');
}

/** Inlines Include lines (ssh-config does not follow them); globs only in the last path component. */
async function readWithIncludes(file: string, depth = 0): Promise<string> {
  if (depth > 8) throw new Error(`${file}: Include nested too deeply`);
  const text = await readFile(file, 'utf8');
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const include = line.match(/^\s*Include\s+(.+?)\s*$/i);
    if (!include) {
      out.push(line);
      continue;
    }
    for (const pattern of include[1]!.split(/\s+/)) {
      const expanded = expandHome(pattern, homedir(), process.platform);
      const path = isAbsolute(expanded) ? expanded : join(homedir(), '.ssh', expanded);
      const dir = dirname(path);
      const name = basename(path);

      const files =
        name.includes('*') || name.includes('?')
          ? (await readdir(dir).catch(() => [] as string[]))
              .filter((f) => globMatch(name, f))
              .sort()
              .map((f) => join(dir, f))
          : [path];
      for (const included of files) if (existsSync(included)) out.push(await readWithIncludes(included, depth + 1));
    }
  }
  return out.join('\n');
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** OpenSSH's %-tokens (ssh_config(5) TOKENS) and a leading ~. */
export function expandTokens(
  text: string,
  tokens: { h?: string; p?: number; r?: string; n?: string; u?: string; d?: string },
): string {
  const home = tokens.d ?? homedir();
  const expanded = text.replace(/%([%hprnud])/g, (_match, token: string) => {
    if (token === '%') return '%';
    const value = tokens[token as keyof typeof tokens];
    if (value === undefined)
      throw new Error(`ssh_config: the %${token} token is not available in ${JSON.stringify(text)}`);
    return String(value);
  });
  return expandHome(expanded, home, process.platform);
}

function yes(value: string | undefined): boolean {
  return value?.toLowerCase() === 'yes';
}

/**
 * Resolves a destination through an ssh_config file (default ~/.ssh/config when it exists; null for none),
 * as `ssh -G` would for the options BondBench uses.
 */
export async function resolveSsh(
  destination: string | SshDestination,
  options: { configFile?: string | null } = {},
): Promise<ResolvedSsh> {
  const dest = typeof destination === 'string' ? parseSshDestination(destination) : destination;
  const configFile =
    options.configFile === null
      ? undefined
      : (options.configFile ?? (existsSync(defaultSshConfigFile()) ? defaultSshConfigFile() : undefined));
  const computed: Record<string, string | string[]> = configFile
    ? // Match exec runs a command from the user's own config, as ssh does.
      SSHConfig.parse(await readWithIncludes(configFile)).compute(
        dest.user ? { Host: dest.host, User: dest.user } : { Host: dest.host },
        { ignoreCase: true },
      )
    : {};
  const localUser = userInfo().username;
  const hostName = assertHostName(
    expandTokens(first(computed.hostname) ?? dest.host, { h: dest.host }),
    `HostName of ${dest.host}`,
  );
  const port = dest.port ?? (computed.port ? assertPort(first(computed.port)!, `Port of ${dest.host}`) : 22);
  const user = assertUserName(dest.user ?? first(computed.user) ?? localUser, `User of ${dest.host}`);
  const tokens = { h: hostName, p: port, r: user, n: dest.host, u: localUser, d: homedir() };
  const list = (value: string | string[] | undefined) =>
    value === undefined ? [] : Array.isArray(value) ? value : [value];
  const identityFiles = list(computed.identityfile).map((f) => expandTokens(f, tokens));
  const agentSetting = first(computed.identityagent);
  const agent = chooseAgent(
    process.platform,
    process.env,
    agentSetting === undefined || agentSetting === 'SSH_AUTH_SOCK'
      ? undefined
      : agentSetting.toLowerCase() === 'none'
        ? 'none'
        : expandTokens(
            agentSetting.replace(/^\$\{?(\w+)\}?$/, (_m, v: string) => process.env[v] ?? ''),
            tokens,
          ),
    existsSync,
  );
  const proxyJump = first(computed.proxyjump);
  const proxyCommand = first(computed.proxycommand);
  const seconds = (value: string | string[] | undefined) => {
    const text = first(value);
    return text && /^\d+$/.test(text) ? Number(text) * 1000 : undefined;
  };
  return {
    alias: dest.host,
    hostName,
    port,
    user,
    identityFiles,
    identitiesOnly: yes(first(computed.identitiesonly)),
    agentSocket: agent?.agent,
    agentSource: agent?.source,
    proxyJump: proxyJump && proxyJump.toLowerCase() !== 'none' ? proxyJump : undefined,
    proxyCommand:
      proxyCommand && proxyCommand.toLowerCase() !== 'none' ? expandTokens(proxyCommand, tokens) : undefined,
    userKnownHostsFiles: list(computed.userknownhostsfile)
      .flatMap((f) => f.split(/\s+/))
      .filter((f) => f && f.toLowerCase() !== 'none')
      .map((f) => expandTokens(f, tokens)),
    hostKeyAlias: first(computed.hostkeyalias),
    connectTimeoutMs: seconds(computed.connecttimeout),
    serverAliveIntervalMs: seconds(computed.serveraliveinterval),
    serverAliveCountMax: first(computed.serveralivecountmax) ? Number(first(computed.serveralivecountmax)) : undefined,
    configFile,
  };
}
