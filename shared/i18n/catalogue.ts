/**
 * The catalogue's API: every user-facing string of BondBench lives in one file per language — ./en.ts (whose shape
 * is the type, `Messages`) and ./zh-CN.ts — in i18next's own resource shape (nested objects keyed by dotted ids,
 * `{{var}}` placeholders, `_one`/`_other` plurals). The UI loads them with `i18nextResources()` into
 * react-i18next; pure code (reports, the CLI) calls `t()`, which is an i18next instance over the same resources, so
 * there is exactly one implementation of interpolation, plurals and fallback.
 *
 * Namespaces: `matrix.` and `verdict.` are the domain's words (modes, columns, verdicts) shared by report and UI;
 * `report.` belongs to reports and comparison; `ui.` to the app; `drivers.` comes from each driver's own module
 * (shared/drivers/<name>.ts: label and field names); `analysis.` to the app's analysis view (recorded captures, a
 * cell's evidence, the failover chart); `doctor.` comes from shared/doctor/messages.ts (`bondbench doctor` and its
 * panel); `log.` is the run log (shared/run/log.ts: what the engine, host control, drivers, SSH, the lab and the
 * tester say while they work, log.txt's English). Keys are only ever added, never removed. `zh-CN` must have every
 * key of `en` (the type says so). Pure.
 */
import { createInstance, type i18n } from 'i18next';
import type { Language } from '../api.js';
import { en } from './en.js';
import { zhCN } from './zh-CN.js';

export const LANGUAGES: readonly Language[] = ['en', 'zh-CN'];

type Catalogue<T> = { [K in keyof T]: T[K] extends string ? string : Catalogue<T[K]> };
/** The catalogue's shape: English's keys, every value a string. */
export type Messages = Catalogue<typeof en>;

export const CATALOGUE: Record<Language, Messages> = { en, 'zh-CN': zhCN };

/** i18next's `resources` option: one `translation` namespace per language. */
export function i18nextResources(): Record<Language, { translation: Messages }> {
  return { en: { translation: en }, 'zh-CN': { translation: zhCN } };
}

/**
 * The options every i18next instance of BondBench shares (the UI's in renderer/src/i18n.ts and `t()`'s here):
 * keys may hold ':' (no namespace separator); values are inserted as given — React escapes what it renders and
 * each report format escapes its own output (shared/report/*), so escaping here would escape twice; an empty
 * message is a message. `initAsync: false` makes `init` synchronous (the resources are in memory).
 */
export function i18nextOptions(language: Language) {
  return {
    lng: language,
    fallbackLng: 'en',
    supportedLngs: [...LANGUAGES],
    resources: i18nextResources(),
    nsSeparator: false as const,
    returnEmptyString: true,
    interpolation: { escapeValue: false },
    initAsync: false,
  };
}

export type Vars = Record<string, string | number>;

let instance: i18n | undefined;
function translator(): i18n {
  if (!instance) {
    instance = createInstance();
    void instance.init(i18nextOptions('en'));
  }
  return instance;
}

/**
 * The message for a dotted key in a language, with `{{var}}` filled in and the plural form chosen by a numeric
 * `count` (Intl.PluralRules: English `_one`/`_other`, Chinese `_other`); falls back to English, then to the key
 * itself, so a missing string shows up rather than vanishing. A placeholder without a value stays as written.
 * Values are not escaped and never interpreted: the vars are passed as i18next's `replace` (so a var named `lng`,
 * `context` or `ns` is only a value) and nesting (`$t(…)`) is off.
 */
export function t(language: Language, key: string, vars?: Vars): string {
  const count = typeof vars?.count === 'number' ? vars.count : undefined;
  return translator().t(key, {
    lng: language,
    replace: vars ?? {},
    nest: false,
    ...(count === undefined ? {} : { count }),
  }) as string;
}

/** A catalogue key for a mode: dots would split the key, so 802.3ad is `8023ad`. */
export function modeKey(mode: string): string {
  return `matrix.mode.${mode.replaceAll('.', '')}`;
}

/** Every dotted key of a message tree, for completeness checks. */
export function catalogueKeys(messages: unknown, prefix = ''): string[] {
  if (messages === null || typeof messages !== 'object') return [prefix];
  return Object.entries(messages as Record<string, unknown>).flatMap(([k, v]) =>
    catalogueKeys(v, prefix ? `${prefix}.${k}` : k),
  );
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}
