/**
 * How the command driver starts a user's script and stops a hung one, per platform, as pure functions.
 *
 * POSIX: argv spawned directly (no shell) as the leader of a new process group, so a timeout kills the script and
 * whatever it started with one kill(-pgid).
 * Windows: CreateProcess cannot run a .bat/.cmd itself, and Node refuses to without a shell (EINVAL since the
 * CVE-2024-27980 fix), so batch files run through %ComSpec% /d /s /c with every word quoted — after refusing the
 * characters cmd.exe still interprets inside quotes (%, !, ") and line breaks. `detached` would open a console
 * window there, and negative pids do not exist: a hung script's tree is ended with `taskkill /pid N /t /f`.
 */
import type { Platform } from './agent.js';

type Env = Record<string, string | undefined>;

export interface CommandSpawn {
  file: string;
  args: string[];
  /** POSIX: a process group of its own (for the group kill). Never on Windows (a new console window). */
  detached: boolean;
  windowsHide: boolean;
  windowsVerbatimArguments: boolean;
}

export type KillPlan =
  | { kind: 'group'; pid: number; signal: 'SIGKILL' }
  | { kind: 'program'; file: string; args: string[] };

export class CommandSpawnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandSpawnError';
  }
}

/** Whether Windows must run this program through cmd.exe (a batch file). */
export function isBatchFile(program: string): boolean {
  return /\.(bat|cmd)$/i.test(program);
}

/** cmd.exe expands %VAR% and (with delayed expansion) !VAR! even inside quotes; a quote would end the word. */
const CMD_UNSAFE = /["%!\r\n\0]/;

export function commandSpawn(platform: Platform, argv: readonly string[], env: Env): CommandSpawn {
  const [program, ...args] = argv;
  if (!program) throw new CommandSpawnError('the command template is empty');
  if (platform !== 'win32')
    return { file: program, args, detached: true, windowsHide: true, windowsVerbatimArguments: false };
  if (!isBatchFile(program))
    return { file: program, args, detached: false, windowsHide: true, windowsVerbatimArguments: false };
  const bad = argv.find((word) => CMD_UNSAFE.test(word));
  if (bad !== undefined) {
    throw new CommandSpawnError(
      `${JSON.stringify(bad)}: a batch file's words may not hold %, !, " or line breaks (cmd.exe would interpret them); ` +
        'use an .exe or a PowerShell script (powershell.exe -File …) for such arguments',
    );
  }
  const line = argv.map((word) => `"${word}"`).join(' ');
  return {
    file: env.ComSpec ?? env.COMSPEC ?? 'cmd.exe',
    args: ['/d', '/s', '/c', `"${line}"`],
    detached: false,
    windowsHide: true,
    windowsVerbatimArguments: true,
  };
}

/** How to end a script that overran its timeout, with everything it started. */
export function killPlan(platform: Platform, pid: number): KillPlan {
  if (platform === 'win32') return { kind: 'program', file: 'taskkill', args: ['/pid', String(pid), '/t', '/f'] };
  return { kind: 'group', pid: -pid, signal: 'SIGKILL' };
}
