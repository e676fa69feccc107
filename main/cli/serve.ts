/** `bondbench serve`: browser mode — the renderer and the typed API on loopback, for headless lab machines. */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Language } from '../../shared/api.js';
import { SaidError } from '../../shared/run/said-error.js';
import { Bench } from '../engine/bench.js';
import { installFatalHandler } from '../engine/fatal.js';
import { defaultRunsDir } from '../engine/store.js';
import { VirtualLab } from '../lab/lab.js';
import { packageRoot } from '../paths.js';
import { startBenchServer } from '../server/server.js';
import { cliLanguage, cliLog, parseCommandLine, say, type Usage, UsageError, usageText } from './usage.js';

/** The serve usage, with the runs folder. */
function serveUsage(): Usage {
  return { key: 'cli.usage.serve', vars: { runsDir: defaultRunsDir() } };
}

/** Where the built renderer lives: browser mode's own build, or the desktop app's. */
export function findRenderer(explicit?: string): string {
  const candidates = explicit
    ? [resolve(explicit)]
    : [join(packageRoot, 'build', 'renderer'), join(packageRoot, 'out', 'renderer')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) {
    throw new SaidError('ServeError', 'cli.serve.notBuilt', { dirs: candidates.join(', ') });
  }
  return found;
}

/** Opens the address in the desktop's browser; failing that, the user opens the printed address. */
function openBrowser(url: string, language: Language): void {
  const [command, args] =
    process.platform === 'win32'
      ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
      : process.platform === 'darwin'
        ? ['open', [url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => console.error(`serve: ${say(language, 'serve.noBrowser', { command })}`));
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
    serveUsage(),
  );
  const language = cliLanguage(undefined, serveUsage());
  if (values.help) {
    console.log(usageText(language, serveUsage()));
    return 0;
  }
  const badPort = (option: string, text: unknown) =>
    new UsageError({ key: 'cli.serve.badPort', vars: { option, value: String(JSON.stringify(text)) } }, serveUsage());
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw badPort('--port', values.port);
  const forwardedPorts = (values['forwarded-port'] ?? []).map((text) => {
    const n = Number(text);
    if (!/^\d{1,5}$/.test(text) || n < 1 || n > 65_535) throw badPort('--forwarded-port', text);
    return n;
  });
  const rendererDir = findRenderer(values.renderer);
  const instance = values.instance ?? process.env.BONDBENCH_LAB_INSTANCE ?? 'default';

  let lab: VirtualLab | undefined;
  if (values['host-lab']) {
    const candidate = new VirtualLab(instance);
    if (!(await candidate.isUp())) {
      console.error(`serve: ${say(language, 'labUp', { instance })}`);
      await candidate.up({ log: cliLog('lab', language) });
      lab = candidate;
    }
  }

  const bench = new Bench({ runsDir: resolve(values.runs ?? defaultRunsDir()), labInstance: instance });

  // Whatever fails from here on, a run in progress is cancelled and its host restored before the process leaves.
  installFatalHandler({ restore: () => bench.shutdown() });
  const server = await startBenchServer({ bench, rendererDir, port, forwardedPorts });
  console.log(say(language, 'serve.serving', { url: server.url }));
  console.log(say(language, 'serve.open'));
  if (!values['no-open']) openBrowser(server.url, language);

  await new Promise<void>((stop) => {
    let signals = 0;
    const onSignal = () => {
      signals++;
      if (signals === 1) {
        console.error(`\nserve: ${say(language, 'serve.stopping')}`);
        stop();
      } else process.exit(130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  await bench.shutdown();
  await server.close();
  if (lab) {
    console.error(`serve: ${say(language, 'serve.labDown', { instance })}`);
    await lab.down(cliLog('lab', language));
  }
  return 0;
}
