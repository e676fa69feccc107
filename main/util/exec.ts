import { type SpawnOptions, spawn } from 'node:child_process';

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class CommandError extends Error {
  constructor(
    readonly command: string[],
    readonly result: CommandResult,
    hint?: string,
  ) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join('\n');
    const status = result.signal ? `signal ${result.signal}` : `exit code ${result.code}`;
    super(`${command.join(' ')} failed (${status})${detail ? `: ${detail}` : ''}${hint ? `\n${hint}` : ''}`);
    this.name = 'CommandError';
  }
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
        error.code === 'ENOENT'
          ? new Error(
              `${command} is not installed: run "bash scripts/setup.sh" (as root) to install what BondBench needs`,
            )
          : error,
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
  options: RunOptions & { hint?: string } = {},
): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new CommandError([command, ...args], result, options.hint);
  return result.stdout;
}
