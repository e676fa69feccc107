/** The seven bonding modes, by the names and numbers of Documentation/networking/bonding.rst. */
import { InvalidValueError } from '../net/names.js';

export const BONDING_MODES = [
  'balance-rr',
  'active-backup',
  'balance-xor',
  'broadcast',
  '802.3ad',
  'balance-tlb',
  'balance-alb',
] as const;

export type BondingMode = (typeof BONDING_MODES)[number];

export function isBondingMode(value: unknown): value is BondingMode {
  return typeof value === 'string' && (BONDING_MODES as readonly string[]).includes(value);
}

/** Accepts a name or the mode's number (0–6), as the driver does. */
export function parseBondingMode(value: string | number): BondingMode {
  const text = String(value).trim();
  if (/^[0-6]$/.test(text)) return BONDING_MODES[Number(text)]!;
  if (isBondingMode(text)) return text;
  throw new InvalidValueError(
    'mode',
    value,
    `is an unknown bonding mode: use one of ${BONDING_MODES.join(', ')} or 0–6`,
  );
}

export function modeNumber(mode: BondingMode): number {
  return BONDING_MODES.indexOf(mode);
}

/** How the driver names each mode in /proc/net/bonding/<bond> (bond_mode_name(), unchanged since 2.6). */
export const MODE_DESCRIPTIONS: Readonly<Record<BondingMode, string>> = {
  'balance-rr': 'load balancing (round-robin)',
  'active-backup': 'fault-tolerance (active-backup)',
  'balance-xor': 'load balancing (xor)',
  broadcast: 'fault-tolerance (broadcast)',
  '802.3ad': 'IEEE 802.3ad Dynamic link aggregation',
  'balance-tlb': 'transmit load balancing',
  'balance-alb': 'adaptive load balancing',
};

export function modeFromDescription(description: string): BondingMode | undefined {
  return BONDING_MODES.find((mode) => MODE_DESCRIPTIONS[mode] === description);
}

/** Modes with a primary slave and a currently active slave (the driver's bond_uses_primary()). */
export function usesPrimary(mode: BondingMode): boolean {
  return mode === 'active-backup' || mode === 'balance-tlb' || mode === 'balance-alb';
}

/** Modes that allow the ARP monitor; 802.3ad, tlb and alb need MII monitoring. */
export function allowsArpMonitor(mode: BondingMode): boolean {
  return mode !== '802.3ad' && mode !== 'balance-tlb' && mode !== 'balance-alb';
}

/**
 * What a mode asks of the switch ports its slaves are cabled to (bonding.rst §5 "Switch Configuration"):
 * - `lacp`: 802.3ad needs the ports in an 802.3ad (LACP) aggregation;
 * - `static`: balance-rr, balance-xor and broadcast need the ports grouped (a static EtherChannel / trunk);
 * - `none`: active-backup, balance-tlb and balance-alb need nothing of the switch (ports stand alone), nor do NICs
 *   standing alone (`standalone`).
 */
export type SwitchChannel = 'lacp' | 'static' | 'none';

export function switchChannelOf(mode: BondingMode | 'standalone'): SwitchChannel {
  if (mode === '802.3ad') return 'lacp';
  if (mode === 'balance-rr' || mode === 'balance-xor' || mode === 'broadcast') return 'static';
  return 'none';
}
