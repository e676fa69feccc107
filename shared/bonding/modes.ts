/** The seven bonding modes, by the names and numbers of Documentation/networking/bonding.rst. */

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
  throw new Error(`unknown bonding mode ${JSON.stringify(value)}: use one of ${BONDING_MODES.join(', ')} or 0–6`);
}

export function modeNumber(mode: BondingMode): number {
  return BONDING_MODES.indexOf(mode);
}
