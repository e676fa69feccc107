/** The timeline's markers, which the engine names in English ("power off", "load 4 peers × 2 flows"), in the UI's language. */
import { describe, expect, it } from 'vitest';
import { markerLabel } from '../../renderer/src/components/Timeline.js';
import { createI18n } from '../../renderer/src/i18n.js';

describe('timeline markers', () => {
  it('says the engine’s markers in Chinese, and keeps one it does not know as it came', () => {
    const { t } = createI18n('zh-CN');
    expect(
      ['pull eth1', 'plug eth2', 'reboot', 'power off', 'power on', 'load 4 peers × 2 flows', 'something else'].map(
        (label) => markerLabel(label, t),
      ),
    ).toEqual(['拔 eth1', '插 eth2', '重启', '断电', '上电', '负载：4 个对端 × 2 条流', 'something else']);
  });

  it('reads as the engine wrote it in English', () => {
    const { t } = createI18n('en');
    for (const label of ['power off', 'power on', 'load 4 peers × 2 flows']) expect(markerLabel(label, t)).toBe(label);
  });
});
