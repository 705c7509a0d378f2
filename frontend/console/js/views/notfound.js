// A console path that names no screen (or one the member's role does not see).
import { html } from '../../../vendor/preact-htm.js';
import { t } from '../../../js/i18n.js';
import { PageHeader } from '../../../js/ui.js';
import { HOME } from '../routes.js';

export function NotFound() {
  return html`<div class="not-found">
    <${PageHeader} title=${t('console.notFound.title')} />
    <p>${t('console.notFound.text')}</p>
    <p><a class="btn btn-primary" href=${HOME}>${t('console.notFound.home')}</a></p>
  </div>`;
}
