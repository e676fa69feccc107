/** Renders a component as the app does: inside i18next's provider, in a chosen language. */
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { I18nextProvider } from 'react-i18next';
import { createI18n } from '../../renderer/src/i18n.js';
import type { Language } from '../../shared/api.js';

export function renderIn(ui: ReactElement, language: Language = 'en') {
  const i18n = createI18n(language);
  return { i18n, ...render(<I18nextProvider i18n={i18n}>{ui}</I18nextProvider>) };
}
