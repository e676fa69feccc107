/**
 * i18next over the catalogue in shared/i18n (one file per language; nested keys, `{{var}}` placeholders,
 * `_one`/`_other` plurals — i18next's own conventions), with the same options as pure code's `t()`. The choice of
 * language is remembered per browser.
 */
import { createInstance, type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Language } from '../../shared/api.js';
import { i18nextOptions, isLanguage } from '../../shared/i18n/catalogue.js';

const STORAGE_KEY = 'bondbench.language';

export { isLanguage };

/** i18next's current language as one the catalogue has (English when it is anything else). */
export function uiLanguage(value: string | undefined): Language {
  return isLanguage(value) ? value : 'en';
}

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
  // The options pure code's t() uses too (React escapes what it renders).
  void instance.use(initReactI18next).init(i18nextOptions(language));
  return instance;
}
