/**
 * The bond options, in one vocabulary — the driver's own sysfs names (Documentation/networking/bonding.rst §3,
 * drivers/net/bonding/bond_options.c) — and the one rule set that a plan check, the CLI and a run all apply before
 * anything touches a host. Also the sysfs values that prove a configuration was applied. Pure.
 */

import { t } from '../i18n/catalogue.js';
import { assertInterfaceName, assertIPv4, assertIPv4Cidr, InvalidValueError } from '../net/names.js';
import type { ReasonPart } from '../run/model.js';
import { type BondingMode, parseBondingMode, usesPrimary } from './modes.js';

export const XMIT_HASH_POLICIES = ['layer2', 'layer2+3', 'layer3+4', 'encap2+3', 'encap3+4', 'vlan+srcmac'] as const;
export type XmitHashPolicy = (typeof XMIT_HASH_POLICIES)[number];
export const FAIL_OVER_MAC = ['none', 'active', 'follow'] as const;
export type FailOverMac = (typeof FAIL_OVER_MAC)[number];
export const LACP_RATES = ['slow', 'fast'] as const;
export type LacpRate = (typeof LACP_RATES)[number];
export const AD_SELECT = ['stable', 'bandwidth', 'count'] as const;
export type AdSelect = (typeof AD_SELECT)[number];

/**
 * Bond options by their sysfs names, as a plan, the CLI or the UI asks for them; anything left out takes the
 * driver's default. Times in ms except lp_interval (seconds); tlb_dynamic_lb is 0 or 1 as sysfs shows it.
 */
export interface BondOptions {
  miimon?: number;
  updelay?: number;
  downdelay?: number;
  xmit_hash_policy?: XmitHashPolicy;
  fail_over_mac?: FailOverMac;
  lacp_rate?: LacpRate;
  ad_select?: AdSelect;
  min_links?: number;
  primary?: string;
  arp_interval?: number;
  arp_ip_target?: string[];
  num_grat_arp?: number;
  num_unsol_na?: number;
  lp_interval?: number;
  tlb_dynamic_lb?: 0 | 1;
}

export type BondOptionName = keyof BondOptions;

interface OptionSpec {
  /** JSON Schema (2020-12) of the value in a plan file. */
  schema: Record<string, unknown>;
  /** Modes whose driver accepts the option (bond_opts[].unsuppmodes); every mode when absent. */
  modes?: readonly BondingMode[];
  /** bonding.rst's words for where it matters, used in notes and errors. */
  doc: string;
}

const ms = { type: 'integer', minimum: 0, maximum: 60_000 } as const;
const count255 = { type: 'integer', minimum: 0, maximum: 255 } as const;
const IFNAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9._-]{0,14}$';

/** Every option a plan may set. An option not in this table is refused by the plan schema. */
export const BOND_OPTION_SPECS: Readonly<Record<BondOptionName, OptionSpec>> = {
  miimon: { schema: ms, doc: 'MII link monitoring interval, ms' },
  updelay: { schema: ms, doc: 'delay before enabling a slave after link recovery, ms (a multiple of miimon)' },
  downdelay: { schema: ms, doc: 'delay before disabling a slave after link failure, ms (a multiple of miimon)' },
  xmit_hash_policy: { schema: { enum: XMIT_HASH_POLICIES }, doc: 'slave selection hash of balance-xor, 802.3ad, tlb' },
  fail_over_mac: { schema: { enum: FAIL_OVER_MAC }, doc: 'MAC policy of active-backup' },
  lacp_rate: { schema: { enum: LACP_RATES }, modes: ['802.3ad'], doc: 'LACPDU rate asked of the partner' },
  ad_select: { schema: { enum: AD_SELECT }, doc: '802.3ad aggregator selection logic' },
  min_links: { schema: { type: 'integer', minimum: 0, maximum: 2 ** 31 - 1 }, doc: '802.3ad: links before carrier' },
  primary: {
    schema: { type: 'string', pattern: IFNAME_PATTERN },
    modes: ['active-backup', 'balance-tlb', 'balance-alb'],
    doc: 'preferred slave',
  },
  arp_interval: {
    schema: ms,
    modes: ['balance-rr', 'active-backup', 'balance-xor', 'broadcast'],
    doc: 'ARP link monitoring interval, ms',
  },
  arp_ip_target: {
    schema: { type: 'array', items: { type: 'string' }, maxItems: 16 },
    modes: ['balance-rr', 'active-backup', 'balance-xor', 'broadcast'],
    doc: 'addresses the ARP monitor asks',
  },
  num_grat_arp: { schema: count255, doc: 'peer notifications after a failover' },
  num_unsol_na: { schema: count255, doc: 'peer notifications after a failover (same setting as num_grat_arp)' },
  lp_interval: {
    schema: { type: 'integer', minimum: 1, maximum: 2 ** 31 - 1 },
    doc: 'seconds between learning packets (balance-tlb, balance-alb)',
  },
  tlb_dynamic_lb: { schema: { enum: [0, 1] }, modes: ['balance-tlb', 'balance-alb'], doc: 'dynamic flow shuffling' },
};

export const BOND_OPTION_NAMES = Object.keys(BOND_OPTION_SPECS) as BondOptionName[];

/** The JSON Schema of a bond's options in a plan, made from the table above. */
export const BOND_OPTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(BOND_OPTION_NAMES.map((name) => [name, BOND_OPTION_SPECS[name].schema])),
} as const;

/** True when the driver accepts the option in the mode (bond_opt_check_deps: unsuppmodes → -EACCES). */
export function optionAllowedIn(option: BondOptionName, mode: BondingMode): boolean {
  return BOND_OPTION_SPECS[option].modes?.includes(mode) ?? true;
}

/** What a caller asks for: the bond, its mode and slaves, its options. */
export interface BondRequest extends BondOptions {
  /** Default bond0. */
  bond?: string;
  mode: BondingMode | string | number;
  slaves: string[];
  /** The bond's address, e.g. 10.77.1.253/24; leave out to keep the address it has. */
  address?: string;
}

/** Every option resolved to the value the driver will hold; mode-specific ones only where the mode has them. */
export interface BondConfig {
  bond: string;
  mode: BondingMode;
  slaves: string[];
  miimon: number;
  updelay: number;
  downdelay: number;
  xmit_hash_policy: XmitHashPolicy;
  fail_over_mac: FailOverMac;
  arp_interval: number;
  arp_ip_target: string[];
  /** num_grat_arp and num_unsol_na: one setting in the driver (peer_notif_count) since Linux 3.0. */
  num_grat_arp: number;
  ad_select: AdSelect;
  min_links: number;
  lp_interval: number;
  /** 802.3ad only. */
  lacp_rate?: LacpRate;
  /** active-backup, balance-tlb, balance-alb only; '' = none. */
  primary?: string;
  /** balance-tlb and balance-alb only. */
  tlb_dynamic_lb?: 0 | 1;
  address?: string;
  /**
   * The options the request named. The bench writes these; the others are put back to the driver's default only
   * where the bond shows something else (a leftover of an earlier mode), never written for their own sake.
   */
  asked: BondOptionName[];
}

/** The driver's defaults (bonding.rst §3), except miimon: the write-up's 100 ms, as a bond without it is blind. */
export const DRIVER_DEFAULTS = {
  miimon: 100,
  updelay: 0,
  downdelay: 0,
  xmit_hash_policy: 'layer2',
  fail_over_mac: 'none',
  lacp_rate: 'slow',
  ad_select: 'stable',
  min_links: 0,
  primary: '',
  arp_interval: 0,
  num_grat_arp: 1,
  lp_interval: 1,
  tlb_dynamic_lb: 1,
} as const;

/**
 * One refusal. `option` is the sysfs name (`index` the element of arp_ip_target); `message` reads after it.
 * `mode` is set when the rule depends on the mode, so a plan check can say it once for all modes it hits.
 */
export interface BondOptionIssue {
  option: BondOptionName | 'mode' | 'slaves' | 'bond' | 'address';
  index?: number;
  message: string;
  /**
   * The message as a `bondRule.*` part, its `modes` value left for the caller (the plan check names every mode an
   * issue hits); absent where a value validator said it (English only).
   */
  part?: ReasonPart;
  mode?: BondingMode;
}

/** A `bondRule.*` message: the part, and its English with `%mode` where the modes go. */
function rule(key: string, vars: Record<string, string | number> = {}): { message: string; part: ReasonPart } {
  const part = { key: `bondRule.${key}`, vars };
  return { message: t('en', part.key, { modes: '%mode', ...vars }), part };
}

function wholeNumber(value: unknown, max = 2 ** 31 - 1, min = 0): Said | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
    ? undefined
    : rule('wholeNumber', { min, max });
}

function oneOf(value: unknown, allowed: readonly (string | number)[]): Said | undefined {
  return allowed.includes(value as string) ? undefined : rule('oneOf', { values: allowed.join(', ') });
}

type Said = string | { message: string; part: ReasonPart };

function captured(fn: () => unknown): Said | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (!(error instanceof InvalidValueError)) return String(error);
    const message = error.message.replace(/^\S+: /, '');
    return error.part ? { message, part: error.part } : message;
  }
}

/**
 * Checks a request against the driver's rules and resolves it. Returns every refusal (`issues`, empty when the
 * driver would take it) and `notes` on what was adjusted or has no effect; `config` only without issues.
 * Rules, each the driver's: bond_opts[].unsuppmodes (lacp_rate only in 802.3ad; primary only in active-backup,
 * tlb, alb; the ARP monitor not in 802.3ad, tlb, alb; tlb_dynamic_lb only in tlb, alb); miimon and arp_interval
 * exclude each other (bond_option_miimon_set/arp_interval_set turn the other off); updelay/downdelay need miimon
 * ("Unable to set up delay as MII monitoring is disabled") and are kept as multiples of it; arp_ip_target at most
 * 16 (BOND_MAX_ARP_TARGETS), each once; num_grat_arp and num_unsol_na are one setting since Linux 3.0.
 */
export function checkBondRequest(request: BondRequest): {
  config?: BondConfig;
  issues: BondOptionIssue[];
  notes: string[];
} {
  const issues: BondOptionIssue[] = [];
  const notes: string[] = [];
  const add = (option: BondOptionIssue['option'], said: Said | undefined, extra: Partial<BondOptionIssue> = {}) => {
    if (said) issues.push({ option, ...(typeof said === 'string' ? { message: said } : said), ...extra });
  };
  let mode: BondingMode;
  try {
    mode = parseBondingMode(request.mode);
  } catch (error) {
    return { issues: [{ option: 'mode', message: (error as Error).message.replace(/^\S+: /, '') }], notes };
  }
  const bond = request.bond ?? 'bond0';
  add(
    'bond',
    captured(() => assertInterfaceName(bond, 'bond')),
  );
  const slaves = Array.isArray(request.slaves) ? request.slaves : [];
  if (slaves.length === 0) add('slaves', rule('noSlaves'));
  for (const [i, s] of slaves.entries()) {
    add(
      'slaves',
      captured(() => assertInterfaceName(s, `slaves[${i}]`)),
      { index: i },
    );
  }

  if (new Set(slaves).size !== slaves.length) add('slaves', rule('slaveTwice'));
  if (slaves.includes(bond)) add('slaves', rule('bondAsSlave', { bond }));
  if (request.address !== undefined)
    add(
      'address',
      captured(() => assertIPv4Cidr(request.address, 'address')),
    );

  const o: BondOptions = request;
  for (const name of BOND_OPTION_NAMES) {
    const value = o[name];
    if (value === undefined) continue;
    if (!optionAllowedIn(name, mode)) {
      const where = BOND_OPTION_SPECS[name].modes!.join(', ');
      add(name, rule(name === 'arp_interval' || name === 'arp_ip_target' ? 'arpNotIn' : 'onlyIn', { where }), { mode });
    }
  }
  const numbers: [BondOptionName, number?, number?][] = [
    ['miimon'],
    ['updelay'],
    ['downdelay'],
    ['arp_interval'],
    ['min_links'],
    ['num_grat_arp', 255],
    ['num_unsol_na', 255],
    ['lp_interval', undefined, 1],
  ];
  for (const [name, max, min] of numbers) {
    if (o[name] !== undefined) add(name, wholeNumber(o[name], max, min));
  }
  if (o.xmit_hash_policy !== undefined) add('xmit_hash_policy', oneOf(o.xmit_hash_policy, XMIT_HASH_POLICIES));
  if (o.fail_over_mac !== undefined) add('fail_over_mac', oneOf(o.fail_over_mac, FAIL_OVER_MAC));
  if (o.lacp_rate !== undefined) add('lacp_rate', oneOf(o.lacp_rate, LACP_RATES));
  if (o.ad_select !== undefined) add('ad_select', oneOf(o.ad_select, AD_SELECT));
  if (o.tlb_dynamic_lb !== undefined) add('tlb_dynamic_lb', oneOf(o.tlb_dynamic_lb, [0, 1]));

  const targets = o.arp_ip_target ?? [];
  if (!Array.isArray(targets)) add('arp_ip_target', rule('targetList'));
  else {
    targets.forEach((t, i) => {
      add(
        'arp_ip_target',
        captured(() => assertIPv4(t, 'arp_ip_target')),
        { index: i },
      );
    });
    if (targets.length > 16) add('arp_ip_target', rule('tooManyTargets'));
    targets.forEach((target, i) => {
      if (targets.indexOf(target) !== i)
        add('arp_ip_target', rule('targetTwice', { target, first: targets.indexOf(target) }), { index: i });
    });
  }
  const arpInterval = typeof o.arp_interval === 'number' ? o.arp_interval : 0;
  const arp = arpInterval > 0;
  if (arp && targets.length === 0) add('arp_ip_target', rule('noTargets'));
  if (!arp && targets.length > 0) add('arp_ip_target', rule('needsArpInterval'));
  const miimon = typeof o.miimon === 'number' ? o.miimon : arp ? 0 : DRIVER_DEFAULTS.miimon;
  if (arp && miimon > 0) {
    add('arp_interval', rule('arpAndMiimon'));
  }
  const delay = (field: 'updelay' | 'downdelay'): number => {
    const asked = o[field];
    if (typeof asked !== 'number' || asked === 0 || !Number.isInteger(asked)) return 0;
    if (miimon === 0) {
      add(field, rule('delayNeedsMiimon'));
      return 0;
    }
    const rounded = Math.floor(asked / miimon) * miimon;
    if (rounded !== asked)
      notes.push(`${field} ${asked} ms rounded down to ${rounded} ms, a multiple of miimon ${miimon}`);
    return rounded;
  };
  const updelay = delay('updelay');
  const downdelay = delay('downdelay');
  if (o.num_grat_arp !== undefined && o.num_unsol_na !== undefined && o.num_grat_arp !== o.num_unsol_na) {
    add('num_unsol_na', rule('notifyDiffers', { num_grat_arp: o.num_grat_arp }));
  }
  if (o.primary !== undefined && o.primary !== '' && optionAllowedIn('primary', mode)) {
    const bad = captured(() => assertInterfaceName(o.primary, 'primary'));
    add('primary', bad);
    if (!bad && !slaves.includes(o.primary)) add('primary', rule('primaryNotSlave', { slaves: slaves.join(', ') }));
  }
  if (issues.length > 0) return { issues, notes };

  if (o.fail_over_mac !== undefined && o.fail_over_mac !== 'none' && mode !== 'active-backup') {
    notes.push(`fail_over_mac ${o.fail_over_mac} has an effect only in active-backup mode`);
  }
  const tlbDynamicLb = o.tlb_dynamic_lb ?? DRIVER_DEFAULTS.tlb_dynamic_lb;
  if (o.xmit_hash_policy !== undefined && !usesXmitHash(mode, tlbDynamicLb === 1)) {
    notes.push(`xmit_hash_policy has no effect in ${mode} mode`);
  }
  if ((o.ad_select !== undefined || o.min_links !== undefined) && mode !== '802.3ad') {
    notes.push(`ad_select and min_links have an effect only in 802.3ad mode`);
  }
  if (o.lp_interval !== undefined && mode !== 'balance-tlb' && mode !== 'balance-alb') {
    notes.push('lp_interval has an effect only in balance-tlb and balance-alb modes');
  }
  const config: BondConfig = {
    bond,
    mode,
    slaves: [...slaves],
    miimon,
    updelay,
    downdelay,
    xmit_hash_policy: o.xmit_hash_policy ?? DRIVER_DEFAULTS.xmit_hash_policy,
    fail_over_mac: o.fail_over_mac ?? DRIVER_DEFAULTS.fail_over_mac,
    arp_interval: arpInterval,
    arp_ip_target: [...targets],
    num_grat_arp: o.num_grat_arp ?? o.num_unsol_na ?? DRIVER_DEFAULTS.num_grat_arp,
    ad_select: o.ad_select ?? DRIVER_DEFAULTS.ad_select,
    min_links: o.min_links ?? DRIVER_DEFAULTS.min_links,
    lp_interval: o.lp_interval ?? DRIVER_DEFAULTS.lp_interval,
    asked: BOND_OPTION_NAMES.filter((name) => o[name] !== undefined),
  };
  if (mode === '802.3ad') config.lacp_rate = o.lacp_rate ?? DRIVER_DEFAULTS.lacp_rate;
  if (usesPrimary(mode)) config.primary = o.primary ?? DRIVER_DEFAULTS.primary;
  if (mode === 'balance-tlb' || mode === 'balance-alb') config.tlb_dynamic_lb = tlbDynamicLb;
  if (request.address !== undefined) config.address = request.address;
  return { config, issues: [], notes };
}

/** An issue as one line: `arp_interval: the ARP monitor does not run in 802.3ad mode…`. */
export function issueText(issue: BondOptionIssue, modes: string = issue.mode ?? ''): string {
  const field = issue.index !== undefined ? `${issue.option}[${issue.index}]` : issue.option;
  return `${field}: ${issue.message.replaceAll('%mode', modes)}`;
}

/**
 * Checks a request and resolves it to a full configuration, or throws InvalidValueError naming the first option
 * the driver would refuse. `notes` says what was adjusted (delays rounded down to a multiple of miimon).
 */
export function resolveBondRequest(request: BondRequest): { config: BondConfig; notes: string[] } {
  const { config, issues, notes } = checkBondRequest(request);
  if (!config) {
    const first = issues[0]!;
    const field = first.index !== undefined ? `${first.option}[${first.index}]` : first.option;
    const value = first.option in request ? (request as unknown as Record<string, unknown>)[first.option] : undefined;
    const shown = first.index !== undefined && Array.isArray(value) ? value[first.index] : value;
    throw new InvalidValueError(field, shown, first.message.replaceAll('%mode', first.mode ?? ''));
  }
  return { config, notes };
}

/** The driver's bond_mode_uses_xmit_hash(). */
export function usesXmitHash(mode: BondingMode, tlbDynamicLb: boolean): boolean {
  return mode === 'balance-xor' || mode === '802.3ad' || (mode === 'balance-tlb' && !tlbDynamicLb);
}

/**
 * sysfs option name → the value `cat /sys/class/net/<bond>/bonding/<option>` shows once the config is applied
 * (the name only where sysfs prints "name number"). Every option the bench resolves is here: what it asked is
 * what it reads back.
 */
export function expectedSysfs(config: BondConfig): Record<string, string> {
  const expected: Record<string, string> = {
    mode: config.mode,
    slaves: config.slaves.join(' '),
    miimon: String(config.miimon),
    updelay: String(config.updelay),
    downdelay: String(config.downdelay),
    xmit_hash_policy: config.xmit_hash_policy,
    fail_over_mac: config.fail_over_mac,
    arp_interval: String(config.arp_interval),
    arp_ip_target: config.arp_ip_target.join(' '),
    num_grat_arp: String(config.num_grat_arp),
    num_unsol_na: String(config.num_grat_arp),
    ad_select: config.ad_select,
    min_links: String(config.min_links),
    lp_interval: String(config.lp_interval),
  };
  if (config.lacp_rate !== undefined) expected.lacp_rate = config.lacp_rate;
  if (config.primary !== undefined) expected.primary = config.primary;
  if (config.tlb_dynamic_lb !== undefined) expected.tlb_dynamic_lb = String(config.tlb_dynamic_lb);
  return expected;
}

/** sysfs prints some options as "name number" (mode "balance-rr 0"): compare the name only. */
export function sysfsValue(raw: string): string {
  const trimmed = raw.trim();
  const named = trimmed.match(/^(\S+) \d+$/);
  return named ? named[1]! : trimmed;
}

export interface OptionMismatch {
  option: string;
  expected: string;
  actual: string | undefined;
}

/**
 * A mismatch as a message part (`persisted.differs`, `persisted.missing`), e.g. in English
 * `mode is "balance-rr", expected "active-backup"`; values quoted as JSON, as read.
 */
export function mismatchPart(m: OptionMismatch): ReasonPart {
  const vars = { option: m.option, expected: JSON.stringify(m.expected) };
  return m.actual === undefined
    ? { key: 'persisted.missing', vars }
    : { key: 'persisted.differs', vars: { ...vars, actual: JSON.stringify(m.actual) } };
}

/**
 * Options whose read-back value differs from what was asked for; slaves and targets compare as sets. An option
 * in `optional` may be absent (an older kernel without that sysfs file) as long as the bond did not ask for it.
 */
export function compareSysfs(
  expected: Record<string, string>,
  actual: Record<string, string>,
  optional: ReadonlySet<string> = new Set(),
): OptionMismatch[] {
  const mismatches: OptionMismatch[] = [];
  for (const [option, want] of Object.entries(expected)) {
    if (actual[option] === undefined && optional.has(option)) continue;
    const got = actual[option] === undefined ? undefined : sysfsValue(actual[option]);
    const same =
      option === 'slaves' || option === 'arp_ip_target'
        ? got !== undefined &&
          [...want.split(' ')].filter(Boolean).sort().join(' ') ===
            [...got.split(/\s+/)].filter(Boolean).sort().join(' ')
        : got === want;
    if (!same) mismatches.push({ option, expected: want, actual: got });
  }
  return mismatches;
}

/** Options the config holds at the driver's default without asking: absent on an old kernel is no mismatch. */
export function optionalSysfs(config: BondConfig): Set<string> {
  const asked = new Set<string>(config.asked);
  // The older name is the one every kernel shows; num_unsol_na may be missing where num_grat_arp is not.
  if (asked.has('num_unsol_na')) asked.add('num_grat_arp');
  return new Set(BOND_OPTION_NAMES.filter((name) => !asked.has(name)));
}
