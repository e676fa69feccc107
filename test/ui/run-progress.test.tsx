/**
 * The progress line says the running step in the UI's language from the event's mode and step kind, and falls
 * back to the engine's English label for a kind the catalogue has no words for.
 */
import { describe, expect, it } from 'vitest';
import { stepText } from '../../renderer/src/components/RunProgress.js';
import { createI18n } from '../../renderer/src/i18n.js';

describe('stepText', () => {
  it('says mode and step in the reader’s language', () => {
    const zh = createI18n('zh-CN');
    const state = { label: 'mode active-backup: pull eth1', mode: 'active-backup', stepKind: 'pull', slave: 'eth1' };
    expect(stepText(state, zh.t, zh)).toBe('1 active-backup（主备）：拔 eth1');
    const en = createI18n('en');
    expect(stepText(state, en.t, en)).toBe('1 active-backup: pull eth1');
    expect(stepText({ ...state, stepKind: 'power-cycle', point: 'miimon=50' }, zh.t, zh)).toBe(
      'miimon=50 · 1 active-backup（主备）：断电重启',
    );
    expect(stepText({ ...state, mode: '802.3ad', stepKind: 'bring-up' }, zh.t, zh)).toMatch(/^4 802\.3ad.*：启动$/);
  });

  it('falls back to the engine’s label for an unknown kind or an event without one', () => {
    const zh = createI18n('zh-CN');
    expect(stepText({ label: 'mode x: something new', mode: 'balance-rr', stepKind: 'teleport' }, zh.t, zh)).toBe(
      'mode x: something new',
    );
    expect(stepText({ label: 'old event' }, zh.t, zh)).toBe('old event');
  });
});
