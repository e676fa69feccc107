/** `bondbench doctor`: what will and will not work on this machine, ✓ or ✗ with the fix (shared/doctor). */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CheckItem } from '../../shared/api.js';
import { renderDoctorText } from '../../shared/doctor/doctor.js';
import { isLanguage, LANGUAGES, t } from '../../shared/i18n/catalogue.js';
import { namespaceName } from '../../shared/lab/topology.js';
import { runDoctor } from '../doctor/doctor.js';
import { Bench } from '../engine/bench.js';
import { parseCommandLine, UsageError } from './usage.js';

const USAGE = `usage: bondbench doctor [--probe IPV4] [--plan FILE] [--lab [--instance NAME]] [--lang ${LANGUAGES.join('|')}] [--json]

  Checks libpcap/Npcap and cap's build for this runtime, capture permission (the tester agent started as a run
  starts it), every interface (pcap name, friendly name, MAC, addresses, capture and send), the SSH agent,
  known_hosts and the PDF printer; one line each, ✓ or ✗ with the fix. Exit status 1 when something fails.
  --probe IPV4   also capture and send an echo probe to this host for 5 s from the interface on its subnet
  --plan FILE    also reach the plan's host and its power and link drivers (the run's preflight)
  --lab          run the tester agent in the virtual lab's namespace (tester0)`;

export async function doctorCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    {
      probe: { type: 'string' },
      plan: { type: 'string' },
      lab: { type: 'boolean' },
      instance: { type: 'string' },
      lang: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected ${JSON.stringify(positionals.join(' '))}`, USAGE);
  const language = values.lang ?? 'en';
  if (!isLanguage(language)) throw new UsageError(`--lang: use ${LANGUAGES.join(' or ')}`, USAGE);
  const instance = values.instance ?? process.env.BONDBENCH_LAB_INSTANCE ?? 'default';
  let plan: { file: string; check: () => Promise<CheckItem[]> } | undefined;
  if (values.plan) {
    const file = resolve(values.plan);
    const yaml = await readFile(file, 'utf8');
    plan = { file, check: () => new Bench({ labInstance: instance }).checkEverything(yaml) };
  }
  const report = await runDoctor({
    netns: values.lab ? namespaceName(instance) : undefined,
    probe: values.probe,
    plan,
  });
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else console.log(renderDoctorText(report, (key, vars) => t(language, key, vars)));
  return report.ok ? 0 : 1;
}
