/** The `bondbench` command line. Each command group lives in a module of its own. */
import type { Language } from '../../shared/api.js';
import { terminalText } from '../../shared/report/escape.js';
import { doctorCommand } from './doctor.js';
import { hostCommand } from './host.js';
import { labCommand } from './lab.js';
import { compareCommand, reportCommand } from './report.js';
import { planCommand, runCommand, runsCommand } from './run.js';
import { serveCommand } from './serve.js';
import { testerCommand } from './tester.js';
import { cliLanguageOf, errorText, type Usage, UsageError, usageText } from './usage.js';

const USAGE: Usage = { key: 'cli.usage.main' };

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'lab':
        return await labCommand(rest);
      case 'host':
        return await hostCommand(rest);
      case 'run':
        return await runCommand(rest);
      case 'runs':
        return await runsCommand(rest);
      case 'report':
        return await reportCommand(rest);
      case 'compare':
        return await compareCommand(rest);
      case 'plan':
        return await planCommand(rest);
      case 'serve':
        return await serveCommand(rest);
      case 'tester':
        return await testerCommand(rest);
      case 'doctor':
        return await doctorCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(usageText(cliLanguageOf(rest), USAGE));
        return command ? 0 : 2;
      default:
        throw new UsageError({ key: 'cli.unknownCommand', vars: { command: JSON.stringify(command) } }, USAGE);
    }
  } catch (error) {
    // In the command line's language (English when its --lang or BONDBENCH_LANG is not one we have: the
    // command says so, in English).
    const language: Language = cliLanguageOf(rest);
    if (error instanceof UsageError) {
      console.error(
        `bondbench: ${terminalText(errorText(language, error), true)}\n\n${usageText(language, error.usage)}`,
      );
      return 2;
    }
    // Messages quote files and hosts (a run folder, a plan): never their escape sequences. In English the error's
    // own message; in another language what failed and why, from its parts (shared/run/failure.ts).
    console.error(`bondbench: ${terminalText(errorText(language, error), true)}`);
    if (process.env.BONDBENCH_DEBUG) console.error(error);
    return 1;
  }
}
