/**
 * Runtime bonding through sysfs and iproute2, in the order the driver demands: bond down and slaves released
 * before the mode changes, fail_over_mac only without slaves, the ARP monitor stopped before a mode that forbids
 * it, miimon before the delays (they are kept as multiples of it), primary once the mode has one.
 */
import { allowsArpMonitor, type BondingMode, parseBondingMode, usesPrimary } from '../../shared/bonding/modes.js';
import {
  AD_SELECT,
  BOND_OPTION_NAMES,
  type BondConfig,
  type BondOptionName,
  compareSysfs,
  expectedSysfs,
  FAIL_OVER_MAC,
  LACP_RATES,
  optionalSysfs,
  sysfsValue,
  XMIT_HASH_POLICIES,
} from '../../shared/bonding/options.js';
import { parseProcBonding } from '../../shared/bonding/procfs.js';
import { assertInterfaceName, assertIPv4, assertIPv4Cidr, shellQuote } from '../../shared/net/names.js';
import { SaidError } from '../../shared/run/said-error.js';
import { ApplyError, VerifyError, type VerifyResult } from './backend.js';
import type { SshRemote } from './remote.js';
import { bondOptionsScript, type LiveBondState, parseBondOptions, type RouteEntry, splitSections } from './system.js';

const q = shellQuote;

export interface RuntimeTarget {
  config: BondConfig;
  /** Addresses the bond ends with; undefined keeps the ones it has. */
  addresses?: string[];
  /** Routes through the bond to put back once it is up (taking it down drops them). */
  routes: RouteEntry[];
  /** Interfaces to leave as they were before (restore): addresses and up/down. */
  standalone?: { name: string; up: boolean; addresses: string[] }[];
}

/** One step of an `ip` batch: what it does (for the error), and ip's words after `ip`. */
type IpStep = [what: string, words: string[]];

const ROUTE_DST = /^(default|(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?)$/;

function routeStep(route: RouteEntry, bond: string): IpStep {
  if (!ROUTE_DST.test(route.dst)) throw new Error(`route destination ${JSON.stringify(route.dst)} is not IPv4`);
  const words = ['route', 'replace', route.dst];
  if (route.gateway) words.push('via', assertIPv4(route.gateway));
  if (route.metric !== undefined && Number.isInteger(route.metric)) words.push('metric', String(route.metric));
  if (route.scope) {
    if (!/^[a-z]+$/.test(route.scope)) throw new Error(`route scope ${JSON.stringify(route.scope)} is not a word`);
    words.push('scope', route.scope);
  }
  words.push('dev', bond);
  return [`route ${route.dst}`, words];
}

/**
 * Consecutive ip commands as one `ip -4 -batch -` (one process on the host instead of one each: ~80 ms apiece on
 * the lab's emulated guest): run in order, stopping at the first that fails, which `ipb` names from ip's
 * "Command failed -:N". -4 applies to every line: addr flush clears IPv4 only, as `ip -4 addr flush` did; link,
 * IPv4 address and IPv4 route commands mean the same with it. Words are validated values: no blanks, no quotes.
 */
function ipBatch(steps: IpStep[]): string {
  for (const [, words] of steps) {
    for (const word of words) {
      if (!/^[A-Za-z0-9_.:/+-]+$/.test(word)) throw new Error(`ip argument ${JSON.stringify(word)} is not plain`);
    }
  }
  return `ipb ${q(steps.map(([what]) => what).join('\n'))} ${q(steps.map(([, words]) => words.join(' ')).join('\n'))}`;
}

/**
 * The helpers every script uses. No command substitution: each would fork a subshell, and under an emulated CPU
 * (the virtual lab's TCG guest) forks and execs are what a bring-up's script spends its time on. A step's own
 * messages go to stderr as they come; runRuntimeScript reads them only when the script failed.
 */
const PRELUDE = (bond: string) => [
  'set -u',
  `B=/sys/class/net/${q(bond)}/bonding`,
  // A failed step names itself on stderr and shows what the driver logged about it.
  `fail() { echo "BONDBENCH-FAILED $1" >&2; dmesg 2>/dev/null | grep -F ${q(`${bond}:`)} | tail -n 3 >&2; exit 1; }`,
  `w() { printf '%s\\n' "$2" > "$B/$1" || fail "option $1=$2"; }`,
  `run() { what=$1; shift; "$@" >&2 || fail "step $what"; }`,
  // ipBatch's runner: $1 the steps' names, $2 their ip commands, a line each. Its one command substitution keeps
  // ip's output for a failure, which names the step ip stopped at.
  'ipb() { out=$(printf \'%s\\n\' "$2" | ip -4 -batch - 2>&1) && return 0; printf \'%s\\n\' "$out" >&2; case $out in *"Command failed -:"*) n=${out##*Command failed -:}; n=${n%%[!0-9]*} ;; *) n=1 ;; esac; fail "step $(printf \'%s\\n\' "$1" | sed -n "${n:-1}p")"; }',
  // The first word of a sysfs file (e.g. "layer2" of "layer2 0"), read by the shell itself: into $v.
  `first() { v=; read -r v _ < "$1" || :; }`,
  // A whole one-line sysfs file (slaves, arp_ip_target: words separated by spaces), into $v.
  `line() { v=; read -r v < "$1" || :; }`,
  // A default put back only where the file exists (older kernels lack some) and shows something else.
  `d() { [ -e "$B/$1" ] || return 0; first "$B/$1"; [ "$v" = "$2" ] || w "$1" "$2"; }`,
];

/** The script that takes the bond from whatever it is to `target`. Every value in it is validated. */
export function runtimeScript(target: RuntimeTarget): string {
  const c = target.config;
  const bond = assertInterfaceName(c.bond, 'bond');
  const b = q(bond);
  const slaves = c.slaves.map((slave) => assertInterfaceName(slave, 'slave'));
  const lines = [
    ...PRELUDE(bond),
    // max_bonds=0: loading the driver must not create a bond0 nobody asked for.
    'if [ ! -e /sys/class/net/bonding_masters ]; then run "load the bonding driver (modprobe bonding)" modprobe bonding max_bonds=0; fi',
    `if [ ! -d /sys/class/net/${b} ]; then echo +${b} > /sys/class/net/bonding_masters || fail "step create ${bond}"; fi`,
    // The bond down, and every slave cleared and down before the first is enslaved (the driver wants them down):
    // one batch, before the slaves are released (a released slave is closed by the driver anyway).
    ipBatch([
      [`take ${bond} down`, ['link', 'set', 'dev', bond, 'down']],
      ...slaves.flatMap((s): IpStep[] => [
        [`clear the addresses of ${s}`, ['addr', 'flush', 'dev', s]],
        [`take ${s} down`, ['link', 'set', 'dev', s, 'down']],
      ]),
    ]),
    'line "$B/slaves"; for s in $v; do w slaves "-$s"; done',
    // The ARP monitor must stop while the current mode still allows writing arp_interval.
    'line "$B/arp_interval"; if [ "$v" != 0 ]; then w arp_interval 0; fi',
    'line "$B/arp_ip_target"; for t in $v; do w arp_ip_target "-$t"; done',
    // Options only the current mode may write go back to their defaults before it is left, or they would
    // linger unseen and come back with that mode later.
    'first "$B/mode"; m=$v',
    'case "$m" in',
    '  802.3ad) first "$B/lacp_rate"; [ "$v" = slow ] || w lacp_rate slow ;;',
    '  balance-tlb | balance-alb) line "$B/tlb_dynamic_lb"; [ "$v" = 1 ] || w tlb_dynamic_lb 1 ;;',
    'esac',
    'case "$m" in active-backup | balance-tlb | balance-alb) line "$B/primary"; [ -z "$v" ] || w primary "" ;; esac',
    `w mode ${q(c.mode)}`,
  ];
  // What the request named is written (and fails loudly); the rest is put back to its default only where the bond
  // shows something else, so nothing is written that neither the plan nor the driver's defaults ask for.
  const asked = new Set<string>(c.asked);
  if (asked.has('num_unsol_na')) asked.add('num_grat_arp');
  const set = (option: string, value: string | number) =>
    `${asked.has(option) ? 'w' : 'd'} ${option} ${q(String(value))}`;
  lines.push(set('fail_over_mac', c.fail_over_mac), `w miimon ${c.miimon}`);
  if (c.arp_interval > 0) {
    for (const target of c.arp_ip_target) lines.push(`w arp_ip_target ${q(`+${assertIPv4(target)}`)}`);
    lines.push(`w arp_interval ${c.arp_interval}`);
  }
  // Without miimon the driver refuses any write of the delays ("MII monitoring is disabled") and shows them as 0.
  if (c.miimon > 0) lines.push(set('updelay', c.updelay), set('downdelay', c.downdelay));
  lines.push(
    set('xmit_hash_policy', c.xmit_hash_policy),
    set('num_grat_arp', c.num_grat_arp),
    set('ad_select', c.ad_select),
    set('min_links', c.min_links),
    set('lp_interval', c.lp_interval),
  );
  if (c.lacp_rate !== undefined) lines.push(set('lacp_rate', c.lacp_rate));
  if (c.tlb_dynamic_lb !== undefined) lines.push(set('tlb_dynamic_lb', c.tlb_dynamic_lb));
  // The driver records a primary that is not enslaved yet and uses it once it is; with the slaves released, sysfs
  // shows no primary while the driver still remembers one, so it is always written, never compared first.
  if (c.primary !== undefined) lines.push(`w primary ${q(c.primary)}`);
  for (const s of slaves) lines.push(`w slaves ${q(`+${s}`)}`);
  const up: IpStep[] = [
    [`bring ${bond} up`, ['link', 'set', 'dev', bond, 'up']],
    ...slaves.map((s): IpStep => [`bring ${s} up`, ['link', 'set', 'dev', s, 'up']]),
  ];
  if (target.addresses) {
    up.push([`clear the addresses of ${bond}`, ['addr', 'flush', 'dev', bond]]);
    for (const address of target.addresses) {
      up.push([`add ${address} to ${bond}`, ['addr', 'add', assertIPv4Cidr(address), 'broadcast', '+', 'dev', bond]]);
    }
  }
  for (const route of target.routes) up.push(routeStep(route, bond));
  for (const iface of target.standalone ?? []) up.push(...standaloneSteps(iface));
  lines.push(ipBatch(up));
  return `${lines.join('\n')}\n`;
}

function standaloneSteps(iface: { name: string; up: boolean; addresses: string[] }): IpStep[] {
  const n = assertInterfaceName(iface.name, 'interface');
  const state = iface.up ? 'up' : 'down';
  return [
    [`clear the addresses of ${n}`, ['addr', 'flush', 'dev', n]],
    ...iface.addresses.map(
      (address): IpStep => [
        `add ${address} to ${n}`,
        ['addr', 'add', assertIPv4Cidr(address), 'broadcast', '+', 'dev', n],
      ],
    ),
    [`set ${n} ${state}`, ['link', 'set', 'dev', n, state]],
  ];
}

/** Removes a bond the host did not have before, and gives its slaves back their old addresses and state. */
export function removeBondScript(
  bondName: string,
  standalone: { name: string; up: boolean; addresses: string[] }[],
): string {
  const bond = assertInterfaceName(bondName, 'bond');
  const b = q(bond);
  const lines = [
    ...PRELUDE(bond),
    `if [ -d /sys/class/net/${b}/bonding ]; then`,
    `  run "take ${bond} down" ip link set dev ${b} down`,
    '  line "$B/slaves"; for s in $v; do w slaves "-$s"; done',
    `  echo -${b} > /sys/class/net/bonding_masters || fail "step delete ${bond}"`,
    'fi',
  ];
  if (standalone.length) lines.push(ipBatch(standalone.flatMap(standaloneSteps)));
  return `${lines.join('\n')}\n`;
}

/** Runs a runtime script and turns "BONDBENCH-FAILED option x=y" into an error naming the option. */
export async function runRuntimeScript(remote: SshRemote, script: string, what: string): Promise<number> {
  const started = performance.now();
  const result = await remote.run(script, { privileged: true, timeoutMs: 60_000 });
  if (result.code !== 0) {
    const marker = result.stderr.match(/^BONDBENCH-FAILED (option (\S+?)=(.*)|step (.*))$/m);
    const detail = result.stderr
      .split('\n')
      .filter((l) => l && !l.startsWith('BONDBENCH-FAILED'))
      .join('; ');
    if (marker?.[2]) throw new ApplyError(remote.label, what, `${marker[2]}=${marker[3]}`, detail);
    throw new ApplyError(
      remote.label,
      marker?.[4] ?? what,
      undefined,
      detail || `exit ${result.code ?? 'lost connection'}`,
    );
  }
  return performance.now() - started;
}

function number(value: string | undefined, field: string): number {
  const n = Number(sysfsValue(value ?? ''));
  if (!Number.isInteger(n) || n < 0)
    throw new SaidError('BackupError', 'error.savedBond.notNumber', { field, value: String(JSON.stringify(value)) });
  return n;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], field: string, fallback: T): T {
  const v = sysfsValue(value ?? '');
  if (v === '') return fallback;
  if (!(allowed as readonly string[]).includes(v))
    throw new SaidError('BackupError', 'error.savedBond.unknown', { field, value: String(JSON.stringify(value)) });
  return v as T;
}

/**
 * The configuration a saved bond had (from its sysfs options), to put it back as it was: every option the saved
 * bond showed counts as asked for, so the restore writes it.
 */
export function configFromState(state: LiveBondState): BondConfig {
  if (!state.exists || !state.options) throw new SaidError('BackupError', 'error.savedBond.none', { bond: state.bond });
  const o = state.options;
  const mode: BondingMode = parseBondingMode(sysfsValue(o.mode ?? ''));
  const arpInterval = allowsArpMonitor(mode) ? number(o.arp_interval, 'arp_interval') : 0;
  const present = (name: BondOptionName) => o[name] !== undefined;
  const config: BondConfig = {
    bond: assertInterfaceName(state.bond),
    mode,
    slaves: (state.slaves ?? []).map((s) => assertInterfaceName(s, 'slave')),
    miimon: number(o.miimon, 'miimon'),
    updelay: number(o.updelay, 'updelay'),
    downdelay: number(o.downdelay, 'downdelay'),
    xmit_hash_policy: oneOf(o.xmit_hash_policy, XMIT_HASH_POLICIES, 'xmit_hash_policy', 'layer2'),
    fail_over_mac: oneOf(o.fail_over_mac, FAIL_OVER_MAC, 'fail_over_mac', 'none'),
    arp_interval: arpInterval,
    arp_ip_target:
      arpInterval > 0
        ? (o.arp_ip_target ?? '')
            .split(/\s+/)
            .filter(Boolean)
            .map((t) => assertIPv4(t))
        : [],
    num_grat_arp: number(o.num_grat_arp ?? '1', 'num_grat_arp'),
    ad_select: oneOf(o.ad_select, AD_SELECT, 'ad_select', 'stable'),
    min_links: number(o.min_links ?? '0', 'min_links'),
    lp_interval: number(o.lp_interval ?? '1', 'lp_interval'),
    asked: BOND_OPTION_NAMES.filter(present),
  };
  if (mode === '802.3ad') config.lacp_rate = oneOf(o.lacp_rate, LACP_RATES, 'lacp_rate', 'slow');
  if (usesPrimary(mode)) config.primary = o.primary ? assertInterfaceName(o.primary, 'primary') : '';
  if (mode === 'balance-tlb' || mode === 'balance-alb') {
    config.tlb_dynamic_lb = sysfsValue(o.tlb_dynamic_lb ?? '1') === '0' ? 0 : 1;
  }
  return config;
}

/** Reads the bond's sysfs options back and compares them with the config; a mismatch names the option. */
export async function verifyLiveBond(remote: SshRemote, config: BondConfig, address?: string): Promise<VerifyResult> {
  const bond = assertInterfaceName(config.bond, 'bond');
  const b = q(bond);
  const script = [
    `if [ ! -d /sys/class/net/${b}/bonding ]; then echo "@@missing"; exit 0; fi`,
    bondOptionsScript(bond),
    `echo "@@flags"; cat /sys/class/net/${b}/flags`,
    `echo "@@addr"; ip -4 -o addr show dev ${b}`,
    `echo "@@proc"; cat /proc/net/bonding/${b}`,
  ].join('\n');
  const result = await remote.runOk(`reading back ${bond}`, script);
  const sections = splitSections(result.stdout);
  if (sections.some((s) => s.name === 'missing')) {
    throw new VerifyError(remote.label, [{ option: 'bond', expected: bond, actual: undefined }]);
  }
  const actual = parseBondOptions(sections) ?? {};
  const expected = expectedSysfs(config);
  const optional = optionalSysfs(config);
  const mismatches = compareSysfs(expected, actual, optional);
  const flags = Number.parseInt(sections.find((s) => s.name === 'flags')?.body.trim() ?? '0', 16);
  if ((flags & 1) === 0) mismatches.push({ option: 'up (IFF_UP)', expected: 'up', actual: 'down' });
  if (address) {
    const addrs = sections.find((s) => s.name === 'addr')?.body ?? '';
    if (!addrs.includes(` ${address} `))
      mismatches.push({ option: 'address', expected: address, actual: addrs.trim() || undefined });
  }
  if (mismatches.length) throw new VerifyError(remote.label, mismatches);
  const proc = sections.find((s) => s.name === 'proc')?.body.trim() ?? '';
  return {
    checked: Object.entries(expected)
      .filter(([k]) => actual[k] !== undefined || !optional.has(k))
      .map(([k, v]) => `${k}=${v}`),
    status: parseProcBonding(proc, `/proc/net/bonding/${bond} on ${remote.label}`),
  };
}
