// Offer for you: what the operator prepared for this customer.
import { html } from '../../vendor/preact-htm.js';
import { formatDate, t } from '../i18n.js';
import { OFFERS } from '../operations/customer.js';
import { Card, Empty, Money, PageHeader, QueryView, useQuery } from '../ui.js';

export function Offers() {
  const q = useQuery(OFFERS);
  return html`<div>
    <${PageHeader} title=${t('nav.offers')} intro=${t('offers.intro')} />
    <${QueryView} q=${q}>${(data) => {
      const offers = data.viewer.offers;
      if (!offers.length) return html`<${Card}><${Empty}>${t('offers.none')}</${Empty}></${Card}>`;
      return html`<div class="cards">${offers.map((o) => html`<${Card} id=${`offer-${o.id}`} title=${o.title} className="offer">
        <p>${o.description}</p>
        ${o.monthlyPrice && html`<p class="big-figure"><${Money} value=${o.monthlyPrice} /> <span class="muted small">${t('offers.perMonth')}</span></p>`}
        ${o.promoMonths > 0 && html`<p class="muted">${t('offers.promo', { n: o.promoMonths })}</p>`}
        <p class="muted small">${t('offers.validUntil', { date: formatDate(o.validUntil) })}</p>
        ${o.package && html`<p><a class="btn btn-secondary" href=${`/services?add=${encodeURIComponent(o.package.id)}&offer=${encodeURIComponent(o.id)}`}>${t('offers.toServices')}</a></p>`}
      </${Card}>`)}</div>`;
    }}</${QueryView}>
  </div>`;
}
