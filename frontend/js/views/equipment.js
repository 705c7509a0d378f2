// Equipment: the customer's devices and their recent commands.
import { html } from '../../vendor/preact-htm.js';
import { formatDate, formatDateTime, t } from '../i18n.js';
import { EQUIPMENT } from '../operations/customer.js';
import { Card, Empty, PageHeader, QueryView, useQuery } from '../ui.js';
import { undoneText } from './commands.js';
import { lower, serviceKindLabel, StatusBadge } from './common.js';

export function Equipment() {
  const q = useQuery(EQUIPMENT);
  return html`<div>
    <${PageHeader} title=${t('nav.equipment')} intro=${t('equipment.intro')} />
    <${QueryView} q=${q}>${(data) => {
      const devices = data.viewer.devices;
      if (!devices.length) return html`<${Card}><${Empty}>${t('equipment.none')}</${Empty}></${Card}>`;
      return html`<div class="cards">${devices.map((d) => html`<${Card} id=${`device-${d.id}`} title=${d.model}>
        <p class="tile-kind">${t(`deviceKind.${lower(d.kind)}`)}</p>
        <dl class="facts">
          <div><dt>${t('equipment.serial')}</dt><dd class="mono">${d.serialNumber}</dd></div>
          <div><dt>${t('equipment.ownership')}</dt><dd>${t(`ownership.${lower(d.ownership)}`)}</dd></div>
          <div><dt>${t('equipment.installedOn')}</dt><dd>${formatDate(d.installedOn)}</dd></div>
          <div><dt>${t('equipment.service')}</dt><dd>${d.service ? html`${serviceKindLabel(d.service.kind)} <span class="mono">${d.service.identifier}</span>` : '—'}</dd></div>
        </dl>
        ${d.recentCommands.length > 0 && html`<h3>${t('equipment.commands')}</h3><ul class="list">
          ${d.recentCommands.map((c) => html`<li class="list-row"><span>${t(`commandKind.${lower(c.kind)}`)}</span><span class="muted small">${formatDateTime(c.requestedAt)}</span><${StatusBadge} group="commandStatus" status=${c.status} />${c.delayed && html`<span class="muted small" data-testid="command-delayed">${t('commandDelayed')}</span>`}${undoneText(c) && html`<span class="small" data-testid="command-undone">${undoneText(c)}</span>`}</li>`)}
        </ul>`}
      </${Card}>`)}</div>`;
    }}</${QueryView}>
  </div>`;
}
