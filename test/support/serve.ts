/**
 * `bondbench serve` from the sources, as a user starts it, for browser tests that need no lab: it serves the built
 * renderer (build/renderer) and the API over the runs in `runsDir`. Resolves once it printed its address.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { packageRoot } from '../../main/paths.js';

export interface Served {
  url: URL;
  output(): string;
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** More `bondbench serve` arguments (e.g. `--instance`). */
  args?: string[];
  /** The server's environment (defaults to this process's). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** How long stop() waits after SIGINT before SIGKILL, ms (a run in progress restores its host first). */
  stopGraceMs?: number;
}

export async function startServe(runsDir: string, options: ServeOptions = {}): Promise<Served> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      "import { main } from './main/cli/main.ts'; process.exitCode = await main(process.argv.slice(1));",
      'serve',
      '--no-open',
      '--runs',
      runsDir,
      ...(options.args ?? []),
    ],
    { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const printed = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bondbench serve printed no address:\n${output}`)), timeoutMs);
    const look = () => {
      const found = output.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/)?.[0];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bondbench serve exited ${code}:\n${output}`));
    });
  });
  return {
    url: new URL(printed),
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, options.stopGraceMs ?? 20_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
