// A screen that is not built yet (the route exists so the navigation is complete).
import { html } from '/vendor/preact-htm.js';
import { t } from '/js/i18n.js';
import { PageHeader } from '/js/ui.js';

export function Placeholder({ route }) {
  return html`<div>
    <${PageHeader} title=${t(route.key)} />
    <p class="muted">${t('console.placeholder')}</p>
  </div>`;
}
