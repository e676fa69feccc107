import { describe, expect, it } from 'vitest';
import { BONDING_MODES, modeNumber, parseBondingMode } from '../../shared/bonding/modes.js';

describe('bonding modes', () => {
  it('has the seven kernel modes in number order', () => {
    expect(BONDING_MODES).toEqual([
      'balance-rr',
      'active-backup',
      'balance-xor',
      'broadcast',
      '802.3ad',
      'balance-tlb',
      'balance-alb',
    ]);
    BONDING_MODES.forEach((mode, index) => {
      expect(modeNumber(mode)).toBe(index);
      expect(parseBondingMode(index)).toBe(mode);
      expect(parseBondingMode(String(index))).toBe(mode);
      expect(parseBondingMode(mode)).toBe(mode);
    });
  });

  it('refuses unknown modes naming the valid ones', () => {
    expect(() => parseBondingMode('round-robin')).toThrow(/balance-rr/);
    expect(() => parseBondingMode(7)).toThrow();
  });
});
