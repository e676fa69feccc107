/** The `bondbench` command line. Each command group lives in a module of its own. */
import type { Language } from '../../shared/api.js';
import { sayReason } from '../../shared/oracle/failover.js';
import { terminalText } from '../../shared/report/escape.js';
import { errorPart } from '../../shared/run/failure.js';
import { doctorCommand } from './doctor.js';
import { hostCommand } from './host.js';
import { labCommand } from './lab.js';
import { compareCommand, reportCommand } from './report.js';
import { planCommand, runCommand, runsCommand } from './run.js';
import { serveCommand } from './serve.js';
import { testerCommand } from './tester.js';
import { cliLanguage, langArgument, UsageError } from './usage.js';

const USAGE = `usage: bondbench <command> …

  lab up|down|status|pull|plug|reset|power|ssh|connect|image   the virtual bonding lab (run "bondbench lab help")
  host probe|configure|restore|reboot|confirm|status|accept-key <target>   the host under test over SSH
                                (user@host[:port], an ssh_config Host, or lab; run "bondbench host help")
  run [plan.yaml] [--lab] …     run a plan (default: the write-up's experiment) and print the matrix
  runs                          list earlier runs
  report <run> [--format F] [--lang L]   a run's report: html, pdf, csv, json, md or a zip bundle; en or zh-CN
  compare <runA> <runB> [--format F]     two runs cell by cell, their facts side by side (text, md, json, html)
  plan init|check               write the default plan to edit; validate a plan
  serve [--port N] [--no-open] [--host-lab]   the UI in a browser: loopback only, behind a per-start token
  tester interfaces|capture [--lab]   the tester agent by hand: capture to pcapng, echo probe (run "bondbench tester help")
  doctor [--probe IPV4] [--plan FILE]  what will and will not work on this machine, ✓ or ✗ with the fix

Environment: BONDBENCH_CACHE (guest images, keys), BONDBENCH_LAB_INSTANCE, BONDBENCH_LAB_ACCEL=auto|kvm|tcg,
BONDBENCH_LANG=en|zh-CN (the language of plan check's findings, of errors and of run and lab log lines; --lang where a command takes it)`;

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
        console.log(USAGE);
        return command ? 0 : 2;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`, USAGE);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`bondbench: ${terminalText(error.message, true)}\n\n${error.usage}`);
      return 2;
    }
    // Messages quote files and hosts (a run folder, a plan): never their escape sequences. In English the error's
    // own message; in another language what failed and why, from its parts (shared/run/failure.ts).
    let language: Language = 'en';
    try {
      language = cliLanguage(langArgument(rest), USAGE);
    } catch {
      // A language we do not have: the command itself says so; its error is printed in English.
    }
    const text =
      language === 'en' ? String((error as Error)?.message ?? error) : sayReason(language, [errorPart(error)]);
    console.error(`bondbench: ${terminalText(text, true)}`);
    if (process.env.BONDBENCH_DEBUG) console.error(error);
    return 1;
  }
}
