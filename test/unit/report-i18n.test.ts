import { createInstance } from 'i18next';
import { describe, expect, it } from 'vitest';
import type { Language } from '../../shared/api.js';
import { CATALOGUE, catalogueKeys, i18nextResources, LANGUAGES, modeKey, t } from '../../shared/i18n/catalogue.js';
import { en } from '../../shared/i18n/en.js';
import { zhCN } from '../../shared/i18n/zh-CN.js';
import { MODE_NAMES } from '../../shared/plan/plan.js';
import { englishSentences } from '../support/english.js';

async function i18next(language: Language) {
  const instance = createInstance();
  await instance.init({
    lng: language,
    fallbackLng: 'en',
    resources: i18nextResources(),
    interpolation: { escapeValue: false },
  });
  return instance;
}

describe('t() and i18next read the one catalogue alike', () => {
  it.each(LANGUAGES)('%s: plain, interpolated and plural messages', async (language) => {
    const i18n = await i18next(language);
    const cases: [string, Record<string, string | number>?][] = [
      ['report.title'],
      ['verdict.not-measurable'],
      ['matrix.column.eth1Mac', { slave: 'eth1' }],
      ['report.timeline.summary', { sent: 200, lost: 21, duplicates: 0 }],
      ['matrix.arpProbes', { count: 1 }],
      ['matrix.arpProbes', { count: 2 }],
      ['report.compare.failoverRange', { min: 68, max: 201, count: 3 }],
      ['report.compare.failoverValue', { min: 112, count: 1 }],
    ];
    for (const [key, vars] of cases) expect(t(language, key, vars), key).toBe(i18n.t(key, vars ?? {}));
  });

  it('has a label for every mode, 802.3ad included (a dot would split the key)', () => {
    for (const language of LANGUAGES) {
      for (const mode of MODE_NAMES) expect(t(language, modeKey(mode))).not.toBe(modeKey(mode));
    }
    expect(t('en', modeKey('802.3ad'))).toBe('4 802.3ad');
  });

  it('falls back to English, then to the key', () => {
    expect(t('zh-CN', 'no.such.key')).toBe('no.such.key');
    expect(t('en', 'report.units.ms', { value: 12 })).toBe('12 ms');
    expect(t('en', 'matrix.arpProbes', { count: 1 })).toBe('1 probe');
    expect(t('en', 'matrix.arpProbes', { count: 0 })).toBe('0 probes');
  });

  it('has no empty message', () => {
    for (const language of LANGUAGES) {
      for (const key of catalogueKeys(CATALOGUE[language]))
        expect(t(language, key).trim(), `${language} ${key}`).not.toBe('');
    }
  });

  it('is i18next underneath: vars are only values, never options, nested keys or placeholders', () => {
    // A var named like an i18next option stays a value (no language switch, no context lookup).
    expect(t('en', 'report.units.ms', { value: 12, lng: 'zh-CN', context: 'x', ns: 'y' })).toBe('12 ms');
    // A value that looks like a nesting or a placeholder is inserted as written, not escaped.
    expect(t('en', 'report.units.ms', { value: '$t(matrix.yes) {{value}} <b>&' })).toBe(
      '$t(matrix.yes) {{value}} <b>& ms',
    );
    // A placeholder without a value stays visible.
    expect(t('zh-CN', 'report.units.ms')).toBe('{{value}} ms');
    // A count chooses the plural form by the language's rules, as a string it does not.
    expect(t('en', 'matrix.arpGratuitous', { count: 1 })).toBe('1 gratuitous');
    expect(t('zh-CN', 'matrix.arpProbes', { count: 1 })).toBe(t('zh-CN', 'matrix.arpProbes_other', { count: 1 }));
  });
});

describe('one catalogue file per language', () => {
  it('en.ts and zh-CN.ts hold exactly the same keys', () => {
    const keys = (messages: unknown) => catalogueKeys(messages).sort();
    expect(keys(zhCN)).toEqual(keys(en));
    expect(keys(CATALOGUE['zh-CN'])).toEqual(keys(CATALOGUE.en));
    expect(i18nextResources()['zh-CN'].translation).toBe(zhCN);
  });

  it('translates every message: no zh-CN message is an English sentence', () => {
    const leftInEnglish = catalogueKeys(zhCN)
      .map((key) => [key, t('zh-CN', key)] as const)
      .filter(([, text]) => englishSentences(text).length > 0);
    expect(leftInEnglish).toEqual([]);
    // The detector does see English where it is.
    expect(englishSentences(t('en', 'runWarning.restore', { target: 'root@10.0.0.1' })).length).toBeGreaterThan(0);
  });
});
