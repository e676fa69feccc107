import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fireEvent, screen } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { LanguageSwitch } from '../../renderer/src/components/LanguageSwitch.js';
import { ResultMatrix } from '../../renderer/src/components/ResultMatrix.js';
import { initialLanguage } from '../../renderer/src/i18n.js';
import { CATALOGUE, catalogueKeys, LANGUAGES, modeKey } from '../../shared/i18n/catalogue.js';
import { MODE_NAMES } from '../../shared/plan/plan.js';
import { DRIVERS } from '../../shared/plan/yaml-edit.js';
import { MATRIX_COLUMNS } from '../../shared/run/model.js';
import { renderIn } from './render.js';

beforeEach(() => localStorage.clear());

describe('language switch', () => {
  it('switches every string on screen between English and Simplified Chinese, and remembers the choice', () => {
    renderIn(
      <>
        <LanguageSwitch />
        <ResultMatrix rows={[]} modes={['balance-rr', '802.3ad']} />
      </>,
    );
    expect(screen.getByRole('columnheader', { name: 'fault tolerance' })).toBeTruthy();
    expect(screen.getByRole('rowheader', { name: '4 802.3ad' })).toBeTruthy();

    fireEvent.change(screen.getByRole('combobox', { name: 'Language' }), { target: { value: 'zh-CN' } });

    expect(screen.queryByRole('columnheader', { name: 'fault tolerance' })).toBeNull();
    expect(screen.getByRole('columnheader', { name: CATALOGUE['zh-CN'].matrix.column.faultTolerance })).toBeTruthy();
    expect(screen.getAllByText(CATALOGUE['zh-CN'].ui.matrix.pending)).toHaveLength(2);
    expect(screen.getByRole('combobox', { name: CATALOGUE['zh-CN'].ui.app.language })).toBeTruthy();
    expect(localStorage.getItem('bondbench.language')).toBe('zh-CN');
    expect(document.documentElement.lang).toBe('zh-CN');
    expect(initialLanguage()).toBe('zh-CN');

    fireEvent.change(screen.getByRole('combobox'), { target: { value: 'en' } });
    expect(screen.getByRole('columnheader', { name: 'fault tolerance' })).toBeTruthy();
  });

  it('starts in Chinese for a Chinese browser with no remembered choice', () => {
    const original = Object.getOwnPropertyDescriptor(Navigator.prototype, 'language')!;
    Object.defineProperty(Navigator.prototype, 'language', { configurable: true, get: () => 'zh-TW' });
    try {
      expect(initialLanguage()).toBe('zh-CN');
    } finally {
      Object.defineProperty(Navigator.prototype, 'language', original);
    }
    expect(initialLanguage()).toBe('en');
  });
});

/** Every `ui.` key the renderer's source names, literally. */
function keysUsedByRenderer(dir = join(import.meta.dirname, '../../renderer/src')): string[] {
  const keys = new Set<string>();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      for (const key of keysUsedByRenderer(path)) keys.add(key);
    } else if (/\.tsx?$/.test(name)) {
      for (const match of readFileSync(path, 'utf8').matchAll(
        /\bt\('((?:ui|matrix|verdict|report|analysis)\.[\w.-]+)'/g,
      ))
        keys.add(match[1]!);
    }
  }
  return [...keys];
}

describe('the catalogue', () => {
  it('has every key the renderer uses, in both languages (plural keys as _one/_other)', () => {
    const used = keysUsedByRenderer();
    expect(used.length).toBeGreaterThan(100);
    for (const language of LANGUAGES) {
      const present = new Set(catalogueKeys(CATALOGUE[language]));
      const missing = used.filter(
        (key) => !present.has(key) && !(present.has(`${key}_one`) && present.has(`${key}_other`)),
      );
      expect(missing, `${language} lacks`).toEqual([]);
    }
  });

  it('has the keys the renderer builds from values: views, drivers, statuses, verdicts, changes', () => {
    const built = [
      ...['setup', 'run', 'history'].map((v) => `ui.view.${v}`),
      ...[...DRIVERS.power, ...DRIVERS.link].flatMap((d) => [
        `drivers.${d.kind}.${d.type}.label`,
        ...d.fields.map((f) => `drivers.${d.kind}.${d.type}.field.${f.key}`),
      ]),
      ...['running', 'completed', 'failed', 'cancelled', 'interrupted'].map((s) => `report.status.${s}`),
      ...['expected', 'unexpected', 'not-measurable'].map((v) => `verdict.${v}`),
      ...['same', 'changed', 'only-a', 'only-b'].map((c) => `report.compare.change.${c}`),
      ...MATRIX_COLUMNS.map((c) => `matrix.column.${c}`),
      ...MODE_NAMES.map(modeKey),
      ...MATRIX_COLUMNS.map((c) => `analysis.rule.${c}`),
      ...['bring-up', 'read-macs', 'probe', 'pull', 'plug'].map((k) => `analysis.step.${k}`),
    ];
    for (const language of LANGUAGES) {
      const present = new Set(catalogueKeys(CATALOGUE[language]));
      expect(
        built.filter((key) => !present.has(key)),
        `${language} lacks`,
      ).toEqual([]);
    }
  });

  it('has the same ui and analysis keys in both languages', () => {
    const ui = (language: (typeof LANGUAGES)[number]) => catalogueKeys(CATALOGUE[language].ui).sort();
    expect(ui('zh-CN')).toEqual(ui('en'));
    const analysis = (language: (typeof LANGUAGES)[number]) => catalogueKeys(CATALOGUE[language].analysis).sort();
    expect(analysis('zh-CN')).toEqual(analysis('en'));
  });
});
