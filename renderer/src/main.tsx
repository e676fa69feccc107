/** Entry: connect to the bench over whichever transport this page has, then render. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './App.js';
import { createI18n, initialLanguage, rememberLanguage } from './i18n.js';
import { connect } from './transport/connect.js';

const root = createRoot(document.getElementById('root')!);
const i18n = createI18n();
rememberLanguage(initialLanguage());

connect().then(
  (connection) =>
    root.render(
      <StrictMode>
        <I18nextProvider i18n={i18n}>
          <App connection={connection} />
        </I18nextProvider>
      </StrictMode>,
    ),
  (error: Error) => {
    const message = document.createElement('p');
    message.className = 'error banner';
    message.textContent = `${i18n.t('ui.app.cannotConnect')} ${error.message}`;
    document.getElementById('root')!.replaceChildren(message);
  },
);
