import { html } from '../../vendor/preact-htm.js';
import { t } from '../i18n.js';
import { PageHeader } from '../ui.js';

export function NotFound() {
  return html`<div class="not-found">
    <${PageHeader} title=${t('notFound.title')} intro=${t('notFound.text')} />
    <p><a class="btn btn-primary" href="/">${t('notFound.home')}</a></p>
  </div>`;
}
