/**
 * How the tester agent is started, as a pure function of the platform, the runtime's paths and the environment:
 * the one place the CLI, browser mode and the packaged desktop app decide it (main/tester/client.ts spawns what
 * this returns).
 *
 * - Working directory: a real directory the shell passes in (user data, or the temp folder), never the package
 *   root, which is `…/resources/app.asar` in a packaged app: a directory inside an archive, where spawn fails
 *   (ENOTDIR / ERROR_DIRECTORY).
 * - Electron: process.execPath is the Electron binary, run as plain Node (ELECTRON_RUN_AS_NODE=1, Electron docs
 *   "Environment variables"); its asar support still reads the bundled agent, native modules come from
 *   app.asar.unpacked.
 * - Windows: cap.node links wpcap.dll by name. Npcap installed without "WinPcap API-compatible mode" has it only
 *   in %SystemRoot%\System32\Npcap, which is not on the DLL search path (Npcap Users' Guide, "Developing software
 *   with Npcap": programs must add it), so that folder leads the agent's PATH. No console window.
 * - Linux desktops: capture needs CAP_NET_RAW (and CAP_NET_ADMIN for promiscuous mode); the app itself must not
 *   run as root. BONDBENCH_TESTER_LAUNCHER=sudo starts the agent alone through `sudo -n` (a sudoers rule for
 *   exactly this command: agentSudoersLine()), never the whole app.
 */
import { SaidError } from '../run/said-error.js';

export type Platform = 'linux' | 'win32' | 'darwin' | (string & {});

export interface AgentLaunchInput {
  platform: Platform;
  /** process.execPath: node, or the Electron binary. */
  execPath: string;
  /** The agent's entry (agent.js, or agent.ts when running from sources). */
  agentPath: string;
  /** Running from TypeScript sources: node --import <tsx> agent.ts. */
  tsxImport?: string;
  /** process.versions.electron: set inside Electron. */
  electron?: string;
  /**
   * A Node binary to run the agent with instead of this runtime: the desktop app started from a checkout
   * (`npx electron .`), whose node_modules hold cap built for Node's ABI — the packaged app's staged copy holds
   * Electron's. Keeps the two builds apart instead of rebuilding one in place.
   */
  agentNode?: string;
  /** Run inside this network namespace (`ip netns exec`, root): the virtual lab. */
  netns?: string;
  /** The working directory the shell chose (user data, temp); required to be a real directory. */
  cwd: string;
  env: Record<string, string | undefined>;
}

export interface AgentLaunch {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** Windows: no console window for the agent (spawn's windowsHide). */
  windowsHide: boolean;
}

/** The agent cannot be started as asked; `key` is an `error.agentLaunch.*` message (its English is `message`). */
export class AgentLaunchError extends SaidError {
  constructor(key: string, vars: Record<string, string> = {}) {
    super('AgentLaunchError', `error.agentLaunch.${key}`, vars);
  }
}

const NETNS = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Whether a path lies inside an asar archive ("…/app.asar/…" or "…\app.asar\…"), where no process can run. */
export function insideAsar(path: string): boolean {
  return /(^|[\\/])[^\\/]+\.asar([\\/]|$)/i.test(path);
}

/** The Npcap DLL folder for a Windows environment (SystemRoot, else windir, else C:\Windows). */
export function npcapDllDir(env: Record<string, string | undefined>): string {
  const root = env.SystemRoot ?? env.SYSTEMROOT ?? env.windir ?? env.WINDIR ?? 'C:\\Windows';
  return `${root.replace(/\\+$/, '')}\\System32\\Npcap`;
}

/** env with `dir` first on PATH, whatever the key's case (Windows keeps "Path"). */
export function prependPath(env: Record<string, string | undefined>, dir: string, separator: string) {
  const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  const current = env[key] ?? '';
  const parts = current.split(separator).filter((p) => p !== '');
  if (parts.some((p) => p.toLowerCase() === dir.toLowerCase())) return { ...env };
  return { ...env, [key]: [dir, ...parts].join(separator) };
}

/** What starts the agent: command, argv, working directory, environment. Throws AgentLaunchError on bad input. */
export function agentLaunch(input: AgentLaunchInput): AgentLaunch {
  if (insideAsar(input.cwd)) {
    throw new AgentLaunchError('insideArchive', { cwd: input.cwd });
  }
  const runtime = input.agentNode || input.execPath;
  const asElectron = !!input.electron && !input.agentNode;
  const node = input.tsxImport ? [runtime, '--import', input.tsxImport, input.agentPath] : [runtime, input.agentPath];
  let env: Record<string, string | undefined> = { ...input.env };
  if (asElectron) env.ELECTRON_RUN_AS_NODE = '1';
  if (input.platform === 'win32') env = prependPath(env, npcapDllDir(input.env), ';');
  const launch = (command: string[]): AgentLaunch => ({
    command: command[0]!,
    args: command.slice(1),
    cwd: input.cwd,
    env,
    windowsHide: true,
  });
  if (input.netns !== undefined) {
    if (input.platform !== 'linux') throw new AgentLaunchError('netnsLinuxOnly');
    if (!NETNS.test(input.netns)) {
      throw new AgentLaunchError('netnsName', { netns: JSON.stringify(input.netns) });
    }
    return launch(['ip', 'netns', 'exec', input.netns, ...node]);
  }
  const launcher = input.env.BONDBENCH_TESTER_LAUNCHER;
  if (launcher === undefined || launcher === '') return launch(node);
  if (launcher !== 'sudo' || input.platform === 'win32') {
    throw new AgentLaunchError('launcher', { launcher });
  }
  // sudo resets the environment: what the agent needs goes on the command line, which the sudoers rule fixes.
  const kept = asElectron ? ['ELECTRON_RUN_AS_NODE=1'] : [];
  return launch(['sudo', '-n', '/usr/bin/env', ...kept, ...node]);
}

/** The sudoers line that lets `user` start exactly this agent as root, and nothing else. */
export function agentSudoersLine(user: string, launch: AgentLaunch): string {
  if (launch.command !== 'sudo') throw new AgentLaunchError('notSudo');
  if (launch.args.some((arg) => /\s/.test(arg))) {
    throw new AgentLaunchError('sudoersSpaces');
  }
  // sudoers(5): ",", ":", "=" and "\" in command arguments are escaped with "\".
  const command = launch.args.slice(1).map((arg) => arg.replace(/([\\,:=])/g, '\\$1'));
  return `${user} ALL=(root) NOPASSWD: ${command.join(' ')}`;
}
