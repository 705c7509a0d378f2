// The terms of service and the personal-data information clause (GDPR art. 13): the operator's
// texts from the server (legalText), in the language chosen. Links in them (e.g. the terms'
// link to /privacy) route inside the app.
import { html } from '../../vendor/preact-htm.js';
import { t } from '../i18n.js';
import { LEGAL_TEXT } from '../operations/accounts.js';
import { PageHeader, QueryView, useQuery } from '../ui.js';

function LegalPage({ document, title }) {
  const q = useQuery(LEGAL_TEXT, { document });
  return html`<article class="legal-page">
    <${PageHeader} title=${title} />
    <${QueryView} q=${q}>${(data) => html`<div class="legal-text" lang=${data.legalText.language.toLowerCase()}
      dangerouslySetInnerHTML=${{ __html: data.legalText.html }} />`}</${QueryView}>
  </article>`;
}

export function Terms() {
  return html`<${LegalPage} document="TERMS" title=${t('legal.terms')} />`;
}

export function Privacy() {
  return html`<${LegalPage} document="PRIVACY" title=${t('legal.privacy')} />`;
}

/** The footer's links to both texts. */
export function LegalLinks() {
  return html`<ul class="legal-links">
    <li><a href="/terms">${t('legal.terms')}</a></li>
    <li><a href="/privacy">${t('legal.privacy')}</a></li>
  </ul>`;
}
