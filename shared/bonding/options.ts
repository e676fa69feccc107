/**
 * A bond as the bench asks for it, checked against the driver's rules (Documentation/networking/bonding.rst and
 * bond_options.c) before anything touches a host, and the sysfs values that prove it was applied. Pure.
 */
import { assertInterfaceName, assertIPv4, assertIPv4Cidr, InvalidValueError } from '../net/names.js';
import { allowsArpMonitor, type BondingMode, parseBondingMode, usesPrimary } from './modes.js';

export const XMIT_HASH_POLICIES = ['layer2', 'layer3+4', 'layer2+3', 'encap2+3', 'encap3+4', 'vlan+srcmac'] as const;
export type XmitHashPolicy = (typeof XMIT_HASH_POLICIES)[number];
export const FAIL_OVER_MAC = ['none', 'active', 'follow'] as const;
export type FailOverMac = (typeof FAIL_OVER_MAC)[number];
export const LACP_RATES = ['slow', 'fast'] as const;
export type LacpRate = (typeof LACP_RATES)[number];

/** What a caller asks for; anything left out takes the driver's default. */
export interface BondRequest {
  /** Default bond0. */
  bond?: string;
  mode: BondingMode | string | number;
  slaves: string[];
  /** ms; default 100 (the write-up's), 0 when the ARP monitor is asked for. */
  miimon?: number;
  updelay?: number;
  downdelay?: number;
  xmitHashPolicy?: XmitHashPolicy | string;
  failOverMac?: FailOverMac | string;
  lacpRate?: LacpRate | string;
  primary?: string;
  arpInterval?: number;
  arpIpTargets?: string[];
  numGratArp?: number;
  tlbDynamicLb?: boolean;
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
  xmitHashPolicy: XmitHashPolicy;
  failOverMac: FailOverMac;
  /** 802.3ad only. */
  lacpRate?: LacpRate;
  /** active-backup, balance-tlb, balance-alb only; '' = none. */
  primary?: string;
  arpInterval: number;
  arpIpTargets: string[];
  numGratArp: number;
  /** balance-tlb only. */
  tlbDynamicLb?: boolean;
  address?: string;
}

export const DRIVER_DEFAULTS = {
  miimon: 100,
  updelay: 0,
  downdelay: 0,
  xmitHashPolicy: 'layer2',
  failOverMac: 'none',
  lacpRate: 'slow',
  primary: '',
  arpInterval: 0,
  numGratArp: 1,
  tlbDynamicLb: true,
} as const;

function wholeNumber(value: unknown, field: string, max = 2 ** 31 - 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new InvalidValueError(field, value, `must be a whole number from 0 to ${max}`);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidValueError(field, value, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/**
 * Checks a request and resolves it to a full configuration. Refuses what the driver would refuse or silently
 * ignore; `notes` says what was adjusted (delays rounded down to a multiple of miimon, as the driver does).
 */
export function resolveBondRequest(request: BondRequest): { config: BondConfig; notes: string[] } {
  const notes: string[] = [];
  const bond = assertInterfaceName(request.bond ?? 'bond0', 'bond');
  const mode = parseBondingMode(request.mode);
  if (!Array.isArray(request.slaves) || request.slaves.length === 0) {
    throw new InvalidValueError('slaves', request.slaves, 'must name at least one interface, e.g. eth1,eth2');
  }
  const slaves = request.slaves.map((s, i) => assertInterfaceName(s, `slaves[${i}]`));
  if (new Set(slaves).size !== slaves.length) throw new InvalidValueError('slaves', slaves, 'names a slave twice');
  if (slaves.includes(bond)) throw new InvalidValueError('slaves', slaves, `cannot include the bond ${bond} itself`);

  const arpIpTargets = (request.arpIpTargets ?? []).map((t, i) => assertIPv4(t, `arp_ip_target[${i}]`));
  if (arpIpTargets.length > 16)
    throw new InvalidValueError('arp_ip_target', arpIpTargets, 'holds more than 16 targets');
  if (new Set(arpIpTargets).size !== arpIpTargets.length) {
    throw new InvalidValueError('arp_ip_target', arpIpTargets, 'names a target twice');
  }
  const arpInterval = wholeNumber(request.arpInterval ?? 0, 'arp_interval');
  const arp = arpInterval > 0;
  if (arp && !allowsArpMonitor(mode)) {
    throw new InvalidValueError('arp_interval', arpInterval, `is not allowed in ${mode} mode, which needs miimon`);
  }
  if (arp && arpIpTargets.length === 0) {
    throw new InvalidValueError(
      'arp_ip_target',
      arpIpTargets,
      'must name at least one address when arp_interval is set',
    );
  }
  if (!arp && arpIpTargets.length > 0) {
    throw new InvalidValueError('arp_ip_target', arpIpTargets, 'needs arp_interval greater than 0');
  }
  const miimon = wholeNumber(request.miimon ?? (arp ? 0 : DRIVER_DEFAULTS.miimon), 'miimon');
  if (arp && miimon > 0) {
    throw new InvalidValueError('miimon', miimon, 'and the ARP monitor (arp_interval) exclude each other: set one');
  }

  const delay = (value: number | undefined, field: 'updelay' | 'downdelay'): number => {
    const asked = wholeNumber(value ?? 0, field);
    if (asked === 0) return 0;
    if (miimon === 0) throw new InvalidValueError(field, asked, 'works only with miimon (MII monitoring)');
    const rounded = Math.floor(asked / miimon) * miimon;
    if (rounded !== asked)
      notes.push(`${field} ${asked} ms rounded down to ${rounded} ms, a multiple of miimon ${miimon}`);
    return rounded;
  };
  const updelay = delay(request.updelay, 'updelay');
  const downdelay = delay(request.downdelay, 'downdelay');

  const xmitHashPolicy = oneOf(
    request.xmitHashPolicy ?? DRIVER_DEFAULTS.xmitHashPolicy,
    XMIT_HASH_POLICIES,
    'xmit_hash_policy',
  );
  const failOverMac = oneOf(request.failOverMac ?? DRIVER_DEFAULTS.failOverMac, FAIL_OVER_MAC, 'fail_over_mac');
  if (failOverMac !== 'none' && mode !== 'active-backup') {
    notes.push(`fail_over_mac ${failOverMac} has an effect only in active-backup mode`);
  }
  if (request.lacpRate !== undefined && mode !== '802.3ad') {
    throw new InvalidValueError('lacp_rate', request.lacpRate, `applies only to 802.3ad, not ${mode}`);
  }
  if (request.primary !== undefined && request.primary !== '' && !usesPrimary(mode)) {
    throw new InvalidValueError(
      'primary',
      request.primary,
      `applies only to active-backup, balance-tlb and balance-alb, not ${mode}`,
    );
  }
  if (request.primary) {
    assertInterfaceName(request.primary, 'primary');
    if (!slaves.includes(request.primary)) {
      throw new InvalidValueError('primary', request.primary, `must be one of the slaves (${slaves.join(', ')})`);
    }
  }
  if (request.tlbDynamicLb !== undefined && mode !== 'balance-tlb') {
    throw new InvalidValueError('tlb_dynamic_lb', request.tlbDynamicLb, `applies only to balance-tlb, not ${mode}`);
  }
  if (request.xmitHashPolicy !== undefined && !usesXmitHash(mode, request.tlbDynamicLb ?? true)) {
    notes.push(`xmit_hash_policy has no effect in ${mode} mode`);
  }
  const numGratArp = wholeNumber(request.numGratArp ?? DRIVER_DEFAULTS.numGratArp, 'num_grat_arp', 255);

  const config: BondConfig = {
    bond,
    mode,
    slaves,
    miimon,
    updelay,
    downdelay,
    xmitHashPolicy,
    failOverMac,
    arpInterval,
    arpIpTargets,
    numGratArp,
  };
  if (mode === '802.3ad')
    config.lacpRate = oneOf(request.lacpRate ?? DRIVER_DEFAULTS.lacpRate, LACP_RATES, 'lacp_rate');
  if (usesPrimary(mode)) config.primary = request.primary ?? '';
  if (mode === 'balance-tlb') config.tlbDynamicLb = request.tlbDynamicLb ?? true;
  if (request.address !== undefined) config.address = assertIPv4Cidr(request.address, 'address');
  return { config, notes };
}

/** The driver's bond_mode_uses_xmit_hash(). */
export function usesXmitHash(mode: BondingMode, tlbDynamicLb: boolean): boolean {
  return mode === 'balance-xor' || mode === '802.3ad' || (mode === 'balance-tlb' && !tlbDynamicLb);
}

/** sysfs option name → the value `cat /sys/class/net/<bond>/bonding/<option>` shows once the config is applied. */
export function expectedSysfs(config: BondConfig): Record<string, string> {
  const expected: Record<string, string> = {
    mode: config.mode,
    slaves: config.slaves.join(' '),
    miimon: String(config.miimon),
    updelay: String(config.updelay),
    downdelay: String(config.downdelay),
    xmit_hash_policy: config.xmitHashPolicy,
    fail_over_mac: config.failOverMac,
    arp_interval: String(config.arpInterval),
    arp_ip_target: config.arpIpTargets.join(' '),
    num_grat_arp: String(config.numGratArp),
  };
  if (config.lacpRate !== undefined) expected.lacp_rate = config.lacpRate;
  if (config.primary !== undefined) expected.primary = config.primary;
  if (config.tlbDynamicLb !== undefined) expected.tlb_dynamic_lb = config.tlbDynamicLb ? '1' : '0';
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

/** Options whose read-back value differs from what was asked for; slaves compare as a set. */
export function compareSysfs(expected: Record<string, string>, actual: Record<string, string>): OptionMismatch[] {
  const mismatches: OptionMismatch[] = [];
  for (const [option, want] of Object.entries(expected)) {
    const got = actual[option] === undefined ? undefined : sysfsValue(actual[option]);
    const same =
      option === 'slaves' || option === 'arp_ip_target'
        ? got !== undefined && [...want.split(' ')].sort().join(' ') === [...got.split(/\s+/)].sort().join(' ')
        : got === want;
    if (!same) mismatches.push({ option, expected: want, actual: got });
  }
  return mismatches;
}
