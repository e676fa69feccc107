/** `bondbench serve`: browser mode — the renderer and the typed API on loopback, for headless lab machines. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Bench } from '../engine/bench.js';
import { installFatalHandler } from '../engine/fatal.js';
import { defaultRunsDir } from '../engine/store.js';
import { VirtualLab } from '../lab/lab.js';
import { packageRoot } from '../paths.js';
import { startBenchServer } from '../server/server.js';
import { cliLog, parseCommandLine, UsageError } from './usage.js';

const USAGE = `usage: bondbench serve [--port N] [--forwarded-port N] [--no-open] [--host-lab] [--instance NAME] [--runs DIR] [--renderer DIR]

  Serves the BondBench UI and its API on http://127.0.0.1 only, behind a token made at each start, and prints the
  address to open (the token is part of it). Ctrl-C cancels a running run (the host is restored) and stops.
  --port N        listen on port N (default: a free port)
  --forwarded-port N
                  also accept Host 127.0.0.1:N / localhost:N, the local end of an SSH forward to this port
                  (ssh -L N:127.0.0.1:PORT); repeat for more. Any other port in Host is refused
  --no-open       do not open a browser
  --host-lab      bring the virtual lab up first (and down again on exit if this command started it)
  --instance NAME the virtual lab instance the default plan targets (default $BONDBENCH_LAB_INSTANCE or "default")
  --runs DIR      where run folders go (default ${defaultRunsDir()})
  --renderer DIR  the built renderer (default build/renderer, made by "npm run build:renderer")`;

/** Where the built renderer lives: browser mode's own build, or the desktop app's. */
export function findRenderer(explicit?: string): string {
  const candidates = explicit
    ? [resolve(explicit)]
    : [join(packageRoot, 'build', 'renderer'), join(packageRoot, 'out', 'renderer')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) {
    throw new Error(`the renderer is not built (looked in ${candidates.join(', ')}): run "npm run build:renderer"`);
  }
  return found;
}

/** Opens the address in the desktop's browser; failing that, the user opens the printed address. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'win32'
      ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
      : process.platform === 'darwin'
        ? ['open', [url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => console.error(`serve: could not start ${command}; open the address above yourself`));
  child.unref();
}

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseCommandLine(
    args,
    {
      port: { type: 'string' },
      'forwarded-port': { type: 'string', multiple: true },
      'no-open': { type: 'boolean' },
      'host-lab': { type: 'boolean' },
      instance: { type: 'string' },
      runs: { type: 'string' },
      renderer: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--port must be a port number (1–65535), not ${JSON.stringify(values.port)}`, USAGE);
  }
  const forwardedPorts = (values['forwarded-port'] ?? []).map((text) => {
    const n = Number(text);
    if (!/^\d{1,5}$/.test(text) || n < 1 || n > 65_535) {
      throw new UsageError(`--forwarded-port must be a port number (1–65535), not ${JSON.stringify(text)}`, USAGE);
    }
    return n;
  });
  const rendererDir = findRenderer(values.renderer);
  const instance = values.instance ?? process.env.BONDBENCH_LAB_INSTANCE ?? 'default';

  let lab: VirtualLab | undefined;
  if (values['host-lab']) {
    const candidate = new VirtualLab(instance);
    if (!(await candidate.isUp())) {
      console.error(`serve: bringing the virtual lab "${instance}" up`);
      await candidate.up({ log: cliLog('lab') });
      lab = candidate;
    }
  }

  const bench = new Bench({ runsDir: resolve(values.runs ?? defaultRunsDir()), labInstance: instance });

  // Whatever fails from here on, a run in progress is cancelled and its host restored before the process leaves.
  installFatalHandler({ restore: () => bench.shutdown() });
  const server = await startBenchServer({ bench, rendererDir, port, forwardedPorts });
  console.log(`BondBench is serving on ${server.url}`);
  console.log('Open that address (the token in it is required). Ctrl-C stops.');
  if (!values['no-open']) openBrowser(server.url);

  await new Promise<void>((stop) => {
    let signals = 0;
    const onSignal = () => {
      signals++;
      if (signals === 1) {
        console.error(
          '\nserve: stopping; a run in progress is cancelled and its host restored (Ctrl-C again to leave at once)',
        );
        stop();
      } else process.exit(130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  await bench.shutdown();
  await server.close();
  if (lab) {
    console.error(`serve: taking the virtual lab "${instance}" down`);
    await lab.down(cliLog('lab'));
  }
  return 0;
}
