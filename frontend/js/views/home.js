// The start screen: upcoming payments, the TV packages, the VOD offer.
import { html, useEffect } from '../../vendor/preact-htm.js';
import { formatDate, t } from '../i18n.js';
import { DASHBOARD } from '../operations/customer.js';
import { Badge, Card, Empty, Money, PageHeader, QueryView, useQuery } from '../ui.js';
import { genreLabel, lower } from './common.js';

export function Home({ setUnread }) {
  const q = useQuery(DASHBOARD);
  useEffect(() => {
    if (q.data && setUnread) setUnread(q.data.viewer.dashboard.unreadMessageCount);
  }, [q.data]);
  return html`<div>
    <${PageHeader} title=${t('nav.home')} />
    <${QueryView} q=${q}>${(data) => {
      const v = data.viewer;
      const d = v.dashboard;
      const up = d.upcomingPayments;
      // The TV packages grouped by service (a customer may have several decoders).
      const byService = new Map();
      for (const sub of d.tvPackages) {
        const entry = byService.get(sub.service.id) || { service: sub.service, subs: [] };
        entry.subs.push(sub);
        byService.set(sub.service.id, entry);
      }
      const tv = [...byService.values()];
      return html`
        <p class="lead">${t('home.hello', { name: v.profile.firstName })} ${t('home.intro')}</p>
        ${d.urgentMessages.map((m) => html`<div class="notice notice-warning" role="status">
          <strong>${t('contact.urgent')}:</strong> ${m.subject} · <a href="/contact">${t('home.readMessage')}</a></div>`)}
        <div class="cards">
          <${Card} id="home-payments" title=${t('home.upcoming')} actions=${html`<a href="/payments">${t('home.toPayments')}</a>`}>
            ${up.invoices.length === 0
              ? html`<${Empty}>${t('home.nothingToPay')}</${Empty}>`
              : html`<p class="big-figure"><${Money} value=${up.totalDue} /></p>
                <ul class="list">
                  ${up.invoices.map((i) => html`<li class="list-row list-row-2">
                    <span><span class="mono small">${i.number}</span><br />
                      <span class="muted small">${t('payments.due', { date: formatDate(i.dueOn) })}</span>
                      ${i.overdue && html` <${Badge} tone="danger">${t('invoice.overdue')}</${Badge}>`}</span>
                    <${Money} value=${i.gross} />
                  </li>`)}
                </ul>
                ${up.unpaidCount > up.invoices.length && html`<p class="muted small" id="home-more-invoices"><a href="/payments">${t('home.moreInvoices', { count: up.unpaidCount - up.invoices.length })}</a></p>`}
                <p class="after-list"><a class="btn btn-primary" href="/payments">${t('home.payNow')}</a></p>`}
            ${up.nextCharge && html`<p class="muted small">${t('home.nextCharge', { issued: formatDate(up.nextCharge.issuedOn), amount: up.nextCharge.amount.formatted, date: formatDate(up.nextCharge.dueOn) })}</p>`}
          </${Card}>
          <${Card} id="home-packages" title=${t('home.tvPackages')} actions=${html`<a href="/services">${t('home.toServices')}</a>`}>
            ${tv.length === 0
              ? html`<${Empty}>${t('home.noTv')}</${Empty}>`
              : html`<ul class="list">
                  ${tv.map(({ service, subs }) => html`<li class="list-block">
                    <p class="muted small">${t(`serviceKind.${lower(service.kind)}`)} · <span class="mono">${service.identifier}</span></p>
                    <ul class="chips">${subs.map((sub) => html`<li class=${`chip ${lower(sub.package.kind) === 'base' ? 'chip-strong' : ''}`}>${sub.package.name}</li>`)}</ul>
                  </li>`)}
                </ul>`}
            ${d.availableTvPackages.length > 0 && html`<p class="muted small">${t('home.moreTv', { names: d.availableTvPackages.slice(0, 3).map((p) => p.name).join(', ') })}</p>`}
          </${Card}>
        </div>
        <${Card} id="home-vod" title=${t('home.vod')} actions=${html`<a href="/payments#vod">${t('home.toVod')}</a>`}>
          ${d.featuredTitles.length === 0
            ? html`<${Empty}>${t('home.noVod')}</${Empty}>`
            : html`<ul class="tiles tiles-home">${d.featuredTitles.slice(0, 4).map((title) => html`<li class="tile">
                <p class="tile-kind">${t(`titleKind.${lower(title.kind)}`)}</p>
                <p class="tile-title">${title.name}</p>
                <p class="muted small">${[genreLabel(title.genre), title.year].filter(Boolean).join(' · ')}</p>
                <p class="tile-price"><${Money} value=${title.price} /></p>
              </li>`)}</ul>`}
        </${Card}>`;
    }}</${QueryView}>
  </div>`;
}
