/** `bondbench doctor`: what will and will not work on this machine, ✓ or ✗ with the fix (shared/doctor). */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CheckItem } from '../../shared/api.js';
import { renderDoctorText } from '../../shared/doctor/doctor.js';
import { LANGUAGES, t } from '../../shared/i18n/catalogue.js';
import { namespaceName } from '../../shared/lab/topology.js';
import { runDoctor } from '../doctor/doctor.js';
import { Bench } from '../engine/bench.js';
import { cliLanguage, parseCommandLine, type Usage, UsageError, usageText } from './usage.js';

const USAGE: Usage = { key: 'cli.usage.doctor', vars: { languages: LANGUAGES.join('|') } };

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
  const language = cliLanguage(values.lang, USAGE);
  if (values.help) {
    console.log(usageText(language, USAGE));
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError({ key: 'cli.unexpected', vars: { words: JSON.stringify(positionals.join(' ')) } }, USAGE);
  }
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
