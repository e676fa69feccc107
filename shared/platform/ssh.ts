/**
 * The SSH client's platform decisions, as pure functions: which shell runs an ssh_config ProxyCommand, which
 * ssh-agent is used, and how "~" in a path expands.
 */
import type { Platform } from './agent.js';

type Env = Record<string, string | undefined>;

/** The Windows OpenSSH agent's named pipe (Win32-OpenSSH ssh-agent service; ssh-add's default on Windows). */
export const WINDOWS_OPENSSH_AGENT_PIPE = '\\\\.\\pipe\\openssh-ssh-agent';

/**
 * "~" at the start of a path as the home directory: "~/x" everywhere, and "~\x" on Windows (where a user's
 * ssh_config writes IdentityFile ~\.ssh\id_ed25519).
 */
export function expandHome(path: string, home: string, platform: Platform): string {
  const pattern = platform === 'win32' ? /^~(?=[\\/]|$)/ : /^~(?=\/|$)/;
  return path.replace(pattern, () => home);
}

export interface ProxySpawn {
  file: string;
  args: string[];
  /** Windows: cmd.exe parses its own command line; Node must not quote it again. */
  windowsVerbatimArguments: boolean;
  windowsHide: boolean;
}

/**
 * How a ProxyCommand runs, as OpenSSH runs it: `sh -c "exec …"` on POSIX (ssh_config(5) ProxyCommand: "executed
 * using the user's shell 'exec' directive to avoid a lingering shell process"; /bin/sh as ssh's
 * _PATH_BSHELL), and on Windows through %ComSpec% (cmd.exe /d /s /c "…", the form Node's own shell option uses).
 */
export function proxyCommandSpawn(platform: Platform, command: string, env: Env): ProxySpawn {
  if (platform === 'win32') {
    const comspec = env.ComSpec ?? env.COMSPEC ?? 'cmd.exe';
    return {
      file: comspec,
      args: ['/d', '/s', '/c', `"${command}"`],
      windowsVerbatimArguments: true,
      windowsHide: true,
    };
  }
  return { file: '/bin/sh', args: ['-c', `exec ${command}`], windowsVerbatimArguments: false, windowsHide: true };
}

export type AgentKind = 'socket' | 'pipe' | 'pageant';

export interface AgentChoice {
  /** What ssh2's `agent` option takes: a socket path, a pipe path, or "pageant". */
  agent: string;
  kind: AgentKind;
  /** Where the choice came from, for logs and `bondbench doctor`. */
  source: 'IdentityAgent' | 'SSH_AUTH_SOCK' | 'Windows OpenSSH agent' | 'Pageant';
}

const isPipe = (path: string) => /^\\\\[.?]\\pipe\\/i.test(path);

/**
 * The ssh-agent to use, as ssh does: IdentityAgent (already expanded; "none" = no agent), else $SSH_AUTH_SOCK;
 * on Windows without either, the OpenSSH agent's pipe when it exists, else Pageant (ssh2's PageantAgent talks to
 * a running Pageant; a missing one fails that method only). `exists` says whether a socket or pipe exists.
 * Undefined = no agent.
 */
export function chooseAgent(
  platform: Platform,
  env: Env,
  identityAgent: string | undefined,
  exists: (path: string) => boolean,
): AgentChoice | undefined {
  const kindOf = (agent: string): AgentKind =>
    agent.toLowerCase() === 'pageant' ? 'pageant' : isPipe(agent) ? 'pipe' : 'socket';
  if (identityAgent !== undefined) {
    if (identityAgent.toLowerCase() === 'none' || identityAgent === '') return undefined;
    const agent = kindOf(identityAgent) === 'pageant' ? 'pageant' : identityAgent;
    return { agent, kind: kindOf(agent), source: 'IdentityAgent' };
  }
  if (env.SSH_AUTH_SOCK) return { agent: env.SSH_AUTH_SOCK, kind: kindOf(env.SSH_AUTH_SOCK), source: 'SSH_AUTH_SOCK' };
  if (platform !== 'win32') return undefined;
  if (exists(WINDOWS_OPENSSH_AGENT_PIPE)) {
    return { agent: WINDOWS_OPENSSH_AGENT_PIPE, kind: 'pipe', source: 'Windows OpenSSH agent' };
  }
  return { agent: 'pageant', kind: 'pageant', source: 'Pageant' };
}
