/** `bondbench host …`: probe, configure, restore and reboot the host under test over SSH. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { BONDING_MODES } from '../../shared/bonding/modes.js';
import { type BondRequest, resolveBondRequest } from '../../shared/bonding/options.js';
import type { BackendKind, BondPlan } from '../host/backend.js';
import { HostControl, type HostControlOptions } from '../host/control.js';
import { readLiveBondState } from '../host/system.js';
import { parseHostTarget } from '../host/target.js';
import type { OfferedHostKey } from '../ssh/session.js';
import { cliLog, parseCommandLine, UsageError } from './usage.js';

export const HOST_USAGE = `usage: bondbench host <action> <target> [options]

  <target>   user@host[:port], ssh://user@host[:port], a Host of ~/.ssh/config, or "lab" / "lab:<instance>"
             (the virtual lab's guest)

  probe <target>          read-only: kernel, distribution, bonding driver, tools, every interface (MAC,
                          permanent MAC, carrier, speed, addresses, counters) and each bond's
                          /proc/net/bonding state, as JSON
  configure <target> --mode MODE [--slaves eth1,eth2] [--bond bond0] [--backend runtime|netifrc]
                          [--style writeup|modern] [--miimon MS] [--updelay MS] [--downdelay MS]
                          [--xmit-hash-policy P] [--fail-over-mac none|active|follow] [--lacp-rate slow|fast]
                          [--primary IF] [--arp-interval MS --arp-ip-target A[,B…]] [--num-grat-arp N]
                          [--num-unsol-na N] [--ad-select stable|bandwidth|count] [--min-links N]
                          [--lp-interval S] [--tlb-dynamic-lb 0|1] [--address CIDR] [--dry-run] [--reboot [--confirm-within S]]
                          plan, back up, apply and verify. runtime: now, through sysfs. netifrc: writes
                          /etc/conf.d/net (takes effect at boot); with --reboot, reboots with a rollback armed
                          and confirms once the bond is verified
  restore <target>        put back what BondBench changed: files byte for byte, the bond's state
  reboot <target> [--wait] [--confirm-within S]
                          reboot; with --wait, report the time until SSH answers again
  confirm <target>        confirm the running configuration (disarm a pending rollback)
  status <target> [--bond bond0]   the bond's /proc/net/bonding state, parsed, as JSON
  accept-key <target>     show the host key's SHA-256 fingerprint and pin it (known_hosts)

Options: --ssh-config FILE (default ~/.ssh/config), --known-hosts FILE (default ~/.config/bondbench/known_hosts
or the file ssh_config names), --identity FILE (repeatable), --password-stdin, --sudo (non-root login),
--accept-new-host-key, --run-dir DIR (local copy of backups), --timeout S, --json
Modes: ${BONDING_MODES.join(', ')}`;

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

function wholeNumber(values: Values, name: keyof Values): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  if (typeof text !== 'string' || !/^\d+$/.test(text))
    throw new UsageError(`--${name} takes a whole number`, HOST_USAGE);
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

async function acceptByAsking(key: OfferedHostKey, host: string): Promise<boolean> {
  const answer = await ask(
    `The authenticity of ${host} can't be established.\n${key.type} key fingerprint is ${key.fingerprint}.\n` +
      'Are you sure you want to pin this key and continue (yes/no)? ',
  );
  return answer.trim().toLowerCase() === 'yes';
}

function defaultRunDir(target: string): string {
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'bondbench', 'host', target.replace(/[^A-Za-z0-9._@-]/g, '_'));
}

async function connectOptions(values: Values, interactive: boolean): Promise<HostControlOptions> {
  const options: HostControlOptions = {
    sshConfigFile: values['ssh-config'],
    knownHostsFile: values['known-hosts'],
    identityFiles: values.identity as string[] | undefined,
    sudo: values.sudo,
    log: hostLog,
  };
  if (values['accept-new-host-key']) options.acceptNewHostKey = true;
  else if (interactive) options.acceptNewHostKey = acceptByAsking;
  if (values['password-stdin']) options.password = await readStdinLine();
  if (interactive) options.passphrase = (file) => ask(`Enter passphrase for key '${file}': `, true);
  return options;
}

function bondRequest(values: Values, slaves: string[]): BondRequest {
  if (!values.mode) throw new UsageError('configure needs --mode', HOST_USAGE);
  const tlb = values['tlb-dynamic-lb'];
  if (tlb !== undefined && tlb !== '0' && tlb !== '1') throw new UsageError('--tlb-dynamic-lb is 0 or 1', HOST_USAGE);
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

function printPlan(plan: BondPlan): void {
  console.log(`plan (${plan.backend}${plan.style ? `, ${plan.style} style` : ''}) for ${plan.host}:`);
  for (const step of plan.steps) console.log(`  - ${step}`);
  for (const note of plan.notes) console.log(`  note: ${note}`);
}

const seconds = (ms: number | undefined) => (ms === undefined ? '?' : `${(ms / 1000).toFixed(1)} s`);

export async function hostCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === undefined || action === 'help' || action === '--help') {
    console.log(HOST_USAGE);
    return action ? 0 : 2;
  }
  const { values, positionals } = parseCommandLine(rest, OPTIONS, HOST_USAGE);
  const [targetText, ...extra] = positionals;
  if (!targetText) throw new UsageError(`host ${action} needs a target`, HOST_USAGE);
  if (extra.length) throw new UsageError(`unexpected ${JSON.stringify(extra.join(' '))}`, HOST_USAGE);
  const known = ['probe', 'configure', 'restore', 'reboot', 'confirm', 'status', 'accept-key'];
  if (!known.includes(action)) throw new UsageError(`unknown host action ${JSON.stringify(action)}`, HOST_USAGE);
  // Validate what we can before connecting: a bad target or option never opens a connection.
  const target = parseHostTarget(targetText);
  const backend = (values.backend ?? 'runtime') as BackendKind;
  if (backend !== 'runtime' && backend !== 'netifrc')
    throw new UsageError('--backend is runtime or netifrc', HOST_USAGE);
  const style = values.style ?? 'writeup';
  if (style !== 'writeup' && style !== 'modern') throw new UsageError('--style is writeup or modern', HOST_USAGE);
  const timeoutMs = (wholeNumber(values, 'timeout') ?? 180) * 1000;
  const confirmWithin = wholeNumber(values, 'confirm-within');
  const runDir = values['run-dir'] ?? defaultRunDir(targetText);
  const interactive = !!process.stdin.isTTY && !values['password-stdin'];
  if (values.reboot && backend !== 'netifrc') {
    throw new UsageError(
      '--reboot goes with --backend netifrc: a runtime configuration does not survive a reboot',
      HOST_USAGE,
    );
  }
  if (action === 'accept-key' && !interactive && !values['accept-new-host-key']) {
    throw new UsageError('accept-key asks on a terminal; without one, pass --accept-new-host-key', HOST_USAGE);
  }
  if (action === 'configure' && values.slaves) resolveBondRequest(bondRequest(values, values.slaves.split(',')));

  const host = await HostControl.open(target, await connectOptions(values, interactive));
  try {
    switch (action) {
      case 'accept-key':
        console.log(`${host.label}: host key ${host.session.hostKeyFingerprint} is pinned`);
        return 0;
      case 'probe':
        console.log(JSON.stringify(await host.probe(), null, 2));
        return 0;
      case 'status':
        console.log(JSON.stringify(await host.bondStatus(values.bond ?? 'bond0'), null, 2));
        return 0;
      case 'confirm': {
        const armed = await host.confirm();
        console.log(
          armed ? `${host.label}: configuration confirmed, rollback disarmed` : `${host.label}: no rollback was armed`,
        );
        return 0;
      }
      case 'restore': {
        const restored = await host.restore({ runDir });
        console.log(
          `${host.label}: restored backup ${restored.backupId} (${restored.source} copy): ` +
            `${restored.files.join(', ') || 'no files'}; bond ${restored.bondState}`,
        );
        return 0;
      }
      case 'reboot': {
        const result = await host.reboot({ wait: !!values.wait, timeoutMs, rollbackSeconds: confirmWithin });
        if (result.rollback)
          console.log(`rollback armed: confirm within ${result.rollback.seconds} s of boot ("bondbench host confirm")`);
        console.log(
          values.wait
            ? `${host.label}: back after ${seconds(result.bootMs)} (connection drop seen after ${seconds(result.dropDetectedMs)})`
            : `${host.label}: reboot sent`,
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
          if (!slaves?.length) throw new UsageError('the bond has no slaves yet: give --slaves eth1,eth2', HOST_USAGE);
        }
        const plan = await host.plan(bondRequest(values, slaves), { backend, style });
        if (!values.json) printPlan(plan);
        if (values['dry-run']) {
          if (values.json) console.log(JSON.stringify(plan, null, 2));
          return 0;
        }
        const applied = await host.apply(plan, { runDir });
        const verified = await host.verify(plan);
        err(
          `applied in ${seconds(applied.durationMs)}; backup ${applied.backupId} (${applied.hostBackupDir} and ${applied.localBackupDir})`,
        );
        if (!values.reboot) {
          if (values.json) console.log(JSON.stringify({ plan, applied, verified }, null, 2));
          else
            console.log(
              verified.liveSkipped
                ? `verified the files; ${verified.liveSkipped}`
                : `verified: ${verified.checked.join(', ')}`,
            );
          return 0;
        }
        const rollbackSeconds = values['no-rollback'] ? undefined : (confirmWithin ?? 300);
        const rebooted = await host.reboot({ timeoutMs, rollbackSeconds, rollbackBackupId: applied.backupId });
        err(`back after ${seconds(rebooted.bootMs)}`);
        const live = await host.verify(plan, { live: true }).catch((error: Error) => {
          if (rollbackSeconds === undefined) throw error;
          throw new Error(
            `${error.message}\nnot confirmed: ${host.label} rolls back to backup ${applied.backupId} ${rollbackSeconds} s after boot`,
          );
        });
        if (rollbackSeconds !== undefined) await host.confirm();
        if (values.json) console.log(JSON.stringify({ plan, applied, verified: live, rebooted }, null, 2));
        else
          console.log(
            `verified after reboot${rollbackSeconds !== undefined ? ' and confirmed' : ''}: ${live.checked.join(', ')}`,
          );
        return 0;
      }
    }
    return 2;
  } finally {
    host.close();
  }
}
