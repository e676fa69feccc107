import { type SpawnOptions, spawn } from 'node:child_process';
import type { ReasonPart } from '../../shared/run/model.js';
import { SaidError } from '../../shared/run/said-error.js';

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A program on this machine that failed (`error.command.*`): its command line, its status and the last lines of
 * its output are values; `hint` says what to do (a `error.command.hint.*` key, or English text).
 */
export class CommandError extends SaidError {
  constructor(
    readonly command: string[],
    readonly result: CommandResult,
    hint?: string | ReasonPart,
  ) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join('\n');
    const status: ReasonPart = result.signal
      ? { key: 'error.command.signal', vars: { signal: result.signal } }
      : { key: 'error.command.code', vars: { code: String(result.code) } };
    const vars: ReasonPart['vars'] = { command: command.join(' '), status };
    if (detail) vars.detail = detail;
    if (hint) vars.hint = hint;
    super('CommandError', `error.command.failed${detail ? 'Detail' : ''}${hint ? 'Hint' : ''}`, vars);
  }
}

/** An `error.command.hint.*` part, for runOk's `hint`. */
export function commandHint(key: string): ReasonPart {
  return { key: `error.command.hint.${key}` };
}

export interface RunOptions extends Pick<SpawnOptions, 'cwd' | 'env'> {
  input?: string | Buffer;
  timeoutMs?: number;
}

/** Runs a program (never through a shell) and collects its output. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    if (options.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      reject(
        error.code === 'ENOENT' ? new SaidError('CommandError', 'error.command.notInstalled', { command }) : error,
      );
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), code, signal });
    });
    // A program that exits without reading its input must not crash us with EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input ?? '');
  });
}

/** Runs a program and throws a CommandError naming it when it fails. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: RunOptions & { hint?: string | ReasonPart } = {},
): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new CommandError([command, ...args], result, options.hint);
  return result.stdout;
}
