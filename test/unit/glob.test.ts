/** The linear wildcard matcher of known_hosts and ssh_config patterns (shared/net/glob.ts). */
import { describe, expect, it } from 'vitest';
import { hostFieldMatches } from '../../main/ssh/known-hosts.js';
import { globMatch } from '../../shared/net/glob.js';

/** mulberry32, seeded: the same cases every run. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The old reading of a pattern, as a reference on small cases. */
function reference(pattern: string, text: string): boolean {
  const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${body.join('')}$`, 'i').test(text);
}

describe('globMatch', () => {
  it('agrees with the regular-expression reading on 20 000 random small cases', () => {
    const r = prng(15);
    const pick = (alphabet: string, n: number) =>
      Array.from({ length: Math.floor(r() * n) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
    for (let i = 0; i < 20_000; i++) {
      const pattern = pick('ab*?.', 8);
      const text = pick('abAB.', 10);
      expect(globMatch(pattern, text, { caseInsensitive: true }), `${pattern} ~ ${text}`).toBe(
        reference(pattern, text),
      );
    }
  });

  it('answers at once for many * against a long host name (the issue’s example)', () => {
    const pattern = `${'*a'.repeat(40)}*b`;
    const name = `${'a'.repeat(5000)}.example`;
    expect(globMatch(pattern, name)).toBe(false);
    expect(hostFieldMatches(`${pattern},!x`, name)).toBe(false);
    expect(hostFieldMatches(`${'*a'.repeat(40)}*`, name)).toBe(true);
  });

  it('keeps OpenSSH’s meaning: whole name, ? is one character, case folded for hosts only when asked', () => {
    expect(globMatch('*.lan', 'gentoo.lan')).toBe(true);
    expect(globMatch('*.lan', 'gentoo.lan.evil')).toBe(false);
    expect(globMatch('10.0.0.?', '10.0.0.1')).toBe(true);
    expect(globMatch('10.0.0.?', '10.0.0.10')).toBe(false);
    expect(globMatch('GENTOO', 'gentoo')).toBe(false);
    expect(globMatch('GENTOO', 'gentoo', { caseInsensitive: true })).toBe(true);
    expect(globMatch('*', '')).toBe(true);
    expect(globMatch('a*a', 'a')).toBe(false);
    expect(hostFieldMatches('*.lan,!secret.lan', 'secret.lan')).toBe(false);
  });
});
