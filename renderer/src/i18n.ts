/**
 * i18next over the one catalogue in shared/i18n (nested keys, `{{var}}` placeholders, `_one`/`_other` plurals —
 * i18next's own conventions). The choice of language is remembered per browser.
 */
import { createInstance, type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Language } from '../../shared/api.js';
import { i18nextResources, isLanguage, LANGUAGES } from '../../shared/i18n/catalogue.js';

const STORAGE_KEY = 'bondbench.language';

export { isLanguage };

/** The remembered choice, else the browser's (any Chinese → Simplified Chinese), else English. */
export function initialLanguage(): Language {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (isLanguage(stored)) return stored;
  const preferred = globalThis.navigator?.language ?? 'en';
  return preferred.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function rememberLanguage(language: Language): void {
  globalThis.localStorage?.setItem(STORAGE_KEY, language);
  if (globalThis.document) document.documentElement.lang = language;
}

export function createI18n(language: Language = initialLanguage()): i18n {
  const instance = createInstance();
  void instance.use(initReactI18next).init({
    lng: language,
    fallbackLng: 'en',
    supportedLngs: [...LANGUAGES],
    resources: i18nextResources(),
    nsSeparator: false,
    // React escapes what it renders.
    interpolation: { escapeValue: false },
    initAsync: false,
  });
  return instance;
}
