/**
 * Every problem the display filter can report is a catalogue key with English and Chinese, the English being the
 * error the API returns (CapturePage.filterError); the Chinese holds only the filter's own syntax in Latin.
 */
import { describe, expect, it } from 'vitest';
import { t } from '../../shared/i18n/catalogue.js';
import { parseFilter } from '../../shared/wire/filter.js';

const BAD = ['no:x', 'no:9-3', 'proto:|arp', 'a||b', 'rep:0', '!', 'tag:', 'colour:red'];

describe('display filter problems', () => {
  it('are said from keys, in English as the API says them and in Chinese', () => {
    const keys = new Set<string>();
    for (const expression of BAD) {
      const parsed = parseFilter(expression);
      if (parsed.ok) throw new Error(`${expression} parsed`);
      keys.add(parsed.problem.key);
      expect(t('en', parsed.problem.key, parsed.problem.vars)).toBe(parsed.error);
      const zh = t('zh-CN', parsed.problem.key, parsed.problem.vars);
      expect(zh).not.toBe(parsed.error);
      expect(zh).toMatch(/[\u4e00-\u9fff]/);
      // The filter's keys, the user's own text and the examples stay as typed.
      const left = zh.replace(/(proto|tag|addr|src|dst|port|no|mode|rep|lacp|probe|colour|red):?/g, '');
      expect(left, zh).not.toMatch(/[a-z]{3,}/i);
    }
    expect(keys.size).toBe(8);
  });
});
