/** English or Simplified Chinese, switched at once for every string on screen. */
import { useTranslation } from 'react-i18next';
import { LANGUAGES } from '../../../shared/i18n/catalogue.js';
import { isLanguage, rememberLanguage } from '../i18n.js';

const NAMES: Record<(typeof LANGUAGES)[number], string> = { en: 'English', 'zh-CN': '简体中文' };

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <label className="language">
      <span className="visually-hidden">{t('ui.app.language')}</span>
      <select
        aria-label={t('ui.app.language')}
        value={i18n.language}
        onChange={(event) => {
          const language = event.target.value;
          if (!isLanguage(language)) return;
          void i18n.changeLanguage(language);
          rememberLanguage(language);
        }}
      >
        {LANGUAGES.map((language) => (
          <option key={language} value={language} lang={language}>
            {NAMES[language]}
          </option>
        ))}
      </select>
    </label>
  );
}
