/** `bondbench host …`: probe, configure, restore and reboot the host under test over SSH. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Language } from '../../shared/api.js';
import { BONDING_MODES } from '../../shared/bonding/modes.js';
import { type BondRequest, resolveBondRequest } from '../../shared/bonding/options.js';
import { errorPart } from '../../shared/run/failure.js';
import type { ReasonPart } from '../../shared/run/model.js';
import { SaidError } from '../../shared/run/said-error.js';
import type { BackendKind, BondPlan } from '../host/backend.js';
import { HostControl, type HostControlOptions } from '../host/control.js';
import { readLiveBondState } from '../host/system.js';
import { parseHostTarget } from '../host/target.js';
import type { OfferedHostKey } from '../ssh/session.js';
import { cliLanguage, cliLog, parseCommandLine, say, type Usage, UsageError, usageText } from './usage.js';

export const HOST_USAGE: Usage = { key: 'cli.usage.host', vars: { modes: BONDING_MODES.join(', ') } };

const OPTIONS = {
  'ssh-config': { type: 'string' },
  'known-hosts': { type: 'string' },
  identity: { type: 'string', multiple: true },
  'password-stdin': { type: 'boolean' },
  sudo: { type: 'boolean' },
  'accept-new-host-key': { type: 'boolean' },
  'run-dir': { type: 'string' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  wait: { type: 'boolean' },
  'confirm-within': { type: 'string' },
  'no-rollback': { type: 'boolean' },
  reboot: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  bond: { type: 'string' },
  mode: { type: 'string' },
  slaves: { type: 'string' },
  backend: { type: 'string' },
  style: { type: 'string' },
  miimon: { type: 'string' },
  updelay: { type: 'string' },
  downdelay: { type: 'string' },
  'xmit-hash-policy': { type: 'string' },
  'fail-over-mac': { type: 'string' },
  'lacp-rate': { type: 'string' },
  primary: { type: 'string' },
  'arp-interval': { type: 'string' },
  'arp-ip-target': { type: 'string' },
  'num-grat-arp': { type: 'string' },
  'num-unsol-na': { type: 'string' },
  'ad-select': { type: 'string' },
  'min-links': { type: 'string' },
  'lp-interval': { type: 'string' },
  'tlb-dynamic-lb': { type: 'string' },
  address: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseCommandLine<typeof OPTIONS>>['values'];

const err = (line: string) => console.error(`host: ${line}`);
const hostLog = cliLog('host');

/** A `cli.host.*` usage error. */
function usage(key: string, vars: ReasonPart['vars'] = {}): UsageError {
  return new UsageError({ key: `cli.host.${key}`, vars }, HOST_USAGE);
}

function wholeNumber(values: Values, name: keyof Values): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  if (typeof text !== 'string' || !/^\d+$/.test(text)) throw usage('wholeNumber', { option: `--${name}` });
  return Number(text);
}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString().split('\n')[0] ?? '';
}

async function ask(question: string, hidden = false): Promise<string> {
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  process.stderr.write(question);
  const rl = createInterface({ input: process.stdin, output: hidden ? muted : process.stderr, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    if (hidden) process.stderr.write('\n');
  }
}

/** OpenSSH's question, in the CLI's language; the answer stays "yes" (as ssh asks it). */
function acceptByAsking(language: Language) {
  return async (key: OfferedHostKey, host: string): Promise<boolean> => {
    const answer = await ask(say(language, 'host.askKey', { host, type: key.type, fingerprint: key.fingerprint }));
    return answer.trim().toLowerCase() === 'yes';
  };
}

function defaultRunDir(target: string): string {
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'bondbench', 'host', target.replace(/[^A-Za-z0-9._@-]/g, '_'));
}

async function connectOptions(values: Values, interactive: boolean, language: Language): Promise<HostControlOptions> {
  const options: HostControlOptions = {
    sshConfigFile: values['ssh-config'],
    knownHostsFile: values['known-hosts'],
    identityFiles: values.identity as string[] | undefined,
    sudo: values.sudo,
    log: hostLog,
  };
  if (values['accept-new-host-key']) options.acceptNewHostKey = true;
  else if (interactive) options.acceptNewHostKey = acceptByAsking(language);
  if (values['password-stdin']) options.password = await readStdinLine();
  if (interactive) options.passphrase = (file) => ask(say(language, 'host.askPassphrase', { file }), true);
  return options;
}

function bondRequest(values: Values, slaves: string[]): BondRequest {
  if (!values.mode) throw usage('needMode');
  const tlb = values['tlb-dynamic-lb'];
  if (tlb !== undefined && tlb !== '0' && tlb !== '1') throw usage('badTlb');
  return {
    bond: values.bond,
    mode: values.mode,
    slaves,
    miimon: wholeNumber(values, 'miimon'),
    updelay: wholeNumber(values, 'updelay'),
    downdelay: wholeNumber(values, 'downdelay'),
    // Checked by the option rules (resolveBondRequest), which name the option in their error.
    xmit_hash_policy: values['xmit-hash-policy'] as BondRequest['xmit_hash_policy'],
    fail_over_mac: values['fail-over-mac'] as BondRequest['fail_over_mac'],
    lacp_rate: values['lacp-rate'] as BondRequest['lacp_rate'],
    ad_select: values['ad-select'] as BondRequest['ad_select'],
    min_links: wholeNumber(values, 'min-links'),
    primary: values.primary,
    arp_interval: wholeNumber(values, 'arp-interval'),
    arp_ip_target: values['arp-ip-target']
      ?.split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    num_grat_arp: wholeNumber(values, 'num-grat-arp'),
    num_unsol_na: wholeNumber(values, 'num-unsol-na'),
    lp_interval: wholeNumber(values, 'lp-interval'),
    tlb_dynamic_lb: tlb === undefined ? undefined : tlb === '1' ? 1 : 0,
    address: values.address,
  };
}

/** The plan's heading in the CLI's language; its steps and notes as the backend wrote them (English). */
function printPlan(plan: BondPlan, language: Language): void {
  const how = plan.style
    ? { key: 'cli.host.planStyle', vars: { backend: plan.backend, style: plan.style } }
    : plan.backend;
  console.log(say(language, 'host.plan', { how, host: plan.host }));
  for (const step of plan.steps) console.log(`  - ${step}`);
  for (const note of plan.notes) console.log(say(language, 'host.note', { note }));
}

const seconds = (ms: number | undefined) => (ms === undefined ? '?' : `${(ms / 1000).toFixed(1)} s`);

export async function hostCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const language = cliLanguage(undefined, HOST_USAGE);
  if (action === undefined || action === 'help' || action === '--help') {
    console.log(usageText(language, HOST_USAGE));
    return action ? 0 : 2;
  }
  const { values, positionals } = parseCommandLine(rest, OPTIONS, HOST_USAGE);
  const [targetText, ...extra] = positionals;
  if (!targetText) throw usage('needTarget', { action });
  if (extra.length) {
    throw new UsageError({ key: 'cli.unexpected', vars: { words: JSON.stringify(extra.join(' ')) } }, HOST_USAGE);
  }
  const known = ['probe', 'configure', 'restore', 'reboot', 'confirm', 'status', 'accept-key'];
  if (!known.includes(action)) {
    throw new UsageError(
      { key: 'cli.unknownAction', vars: { group: 'host', action: JSON.stringify(action) } },
      HOST_USAGE,
    );
  }
  // Validate what we can before connecting: a bad target or option never opens a connection.
  const target = parseHostTarget(targetText);
  const backend = (values.backend ?? 'runtime') as BackendKind;
  if (backend !== 'runtime' && backend !== 'netifrc') throw usage('badBackend');
  const style = values.style ?? 'writeup';
  if (style !== 'writeup' && style !== 'modern') throw usage('badStyle');
  const timeoutMs = (wholeNumber(values, 'timeout') ?? 180) * 1000;
  const confirmWithin = wholeNumber(values, 'confirm-within');
  const runDir = values['run-dir'] ?? defaultRunDir(targetText);
  const interactive = !!process.stdin.isTTY && !values['password-stdin'];
  if (values.reboot && backend !== 'netifrc') {
    throw usage('rebootNetifrc');
  }
  if (action === 'accept-key' && !interactive && !values['accept-new-host-key']) {
    throw usage('acceptKeyTerminal');
  }
  if (action === 'configure' && values.slaves) resolveBondRequest(bondRequest(values, values.slaves.split(',')));

  const host = await HostControl.open(target, await connectOptions(values, interactive, language));
  try {
    switch (action) {
      case 'accept-key':
        console.log(say(language, 'host.pinned', { label: host.label, fingerprint: host.session.hostKeyFingerprint }));
        return 0;
      case 'probe':
        console.log(JSON.stringify(await host.probe(), null, 2));
        return 0;
      case 'status':
        console.log(JSON.stringify(await host.bondStatus(values.bond ?? 'bond0'), null, 2));
        return 0;
      case 'confirm': {
        const armed = await host.confirm();
        console.log(say(language, armed ? 'host.confirmed' : 'host.notArmed', { label: host.label }));
        return 0;
      }
      case 'restore': {
        const restored = await host.restore({ runDir });
        console.log(
          say(language, restored.source === 'local' ? 'host.restoredLocal' : 'host.restoredHost', {
            label: host.label,
            id: restored.backupId,
            files: restored.files.join(', ') || { key: 'cli.host.noFiles' },
            bond: restored.bondState,
          }),
        );
        return 0;
      }
      case 'reboot': {
        const result = await host.reboot({ wait: !!values.wait, timeoutMs, rollbackSeconds: confirmWithin });
        if (result.rollback) console.log(say(language, 'host.rollbackArmed', { seconds: result.rollback.seconds }));
        console.log(
          values.wait
            ? say(language, 'host.back', {
                label: host.label,
                boot: seconds(result.bootMs),
                drop: seconds(result.dropDetectedMs),
              })
            : say(language, 'host.rebootSent', { label: host.label }),
        );
        return 0;
      }
      case 'configure': {
        let slaves = values.slaves
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        if (!slaves?.length) {
          slaves = (await readLiveBondState(host.remote, values.bond ?? 'bond0')).slaves;
          if (!slaves?.length) throw usage('noSlaves');
        }
        const plan = await host.plan(bondRequest(values, slaves), { backend, style });
        if (!values.json) printPlan(plan, language);
        if (values['dry-run']) {
          if (values.json) console.log(JSON.stringify(plan, null, 2));
          return 0;
        }
        const applied = await host.apply(plan, { runDir });
        const verified = await host.verify(plan);
        err(
          say(language, 'host.applied', {
            time: seconds(applied.durationMs),
            id: applied.backupId,
            hostDir: applied.hostBackupDir,
            localDir: String(applied.localBackupDir),
          }),
        );
        if (!values.reboot) {
          if (values.json) console.log(JSON.stringify({ plan, applied, verified }, null, 2));
          else
            console.log(
              verified.liveSkipped
                ? say(language, 'host.verifiedFiles', { skipped: verified.liveSkipped })
                : say(language, 'host.verified', { checked: verified.checked.join(', ') }),
            );
          return 0;
        }
        const rollbackSeconds = values['no-rollback'] ? undefined : (confirmWithin ?? 300);
        const rebooted = await host.reboot({ timeoutMs, rollbackSeconds, rollbackBackupId: applied.backupId });
        err(say(language, 'host.backAfter', { time: seconds(rebooted.bootMs) }));
        const live = await host.verify(plan, { live: true }).catch((error: Error) => {
          if (rollbackSeconds === undefined) throw error;
          throw new SaidError('HostNotConfirmedError', 'cli.host.notConfirmed', {
            error: errorPart(error),
            label: host.label,
            id: applied.backupId,
            seconds: rollbackSeconds,
          });
        });
        if (rollbackSeconds !== undefined) await host.confirm();
        if (values.json) console.log(JSON.stringify({ plan, applied, verified: live, rebooted }, null, 2));
        else
          console.log(
            say(language, rollbackSeconds !== undefined ? 'host.verifiedConfirmed' : 'host.verifiedReboot', {
              checked: live.checked.join(', '),
            }),
          );
        return 0;
      }
    }
    return 2;
  } finally {
    host.close();
  }
}
