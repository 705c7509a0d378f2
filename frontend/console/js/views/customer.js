// One customer's graph, read-only (issue 14 item 2): headed sections with a local table of
// contents (profile, contracts and services, devices and their commands, invoices, payments,
// wallet, messages, contact requests and complaints, activity) and, for supervisors, who looked
// at the customer. Opening the screen is audited on the server with the parts it reads.
import { html, useState } from '../../../vendor/preact-htm.js';
import { gql } from '../../../js/api.js';
import { formatDate, formatDateTime, t } from '../../../js/i18n.js';
import { Badge, Card, Empty, ErrorState, Loading, Money, PageHeader, QueryView, ShowMore, usePages, useQuery } from '../../../js/ui.js';
import {
  CUSTOMER, CUSTOMER_ACTIVITY, CUSTOMER_INVOICES, CUSTOMER_MESSAGES, CUSTOMER_PAYMENTS, CUSTOMER_VIEWS, CUSTOMER_WALLET,
  TURN_OFF_CUSTOMER_SECOND_FACTOR,
} from '../operations/customers.js';
import { roleAllows } from '../routes.js';
import { label } from './labels.js';
import { titleOf } from './queue.js';

const SECTIONS = ['profile', 'services', 'devices', 'invoices', 'payments', 'wallet', 'messages', 'requests', 'activity'];

function Section({ id, children, count }) {
  return html`<${Card} id=${`c-${id}`} title=${count === undefined ? t(`console.customer.${id}`) : `${t(`console.customer.${id}`)} (${count})`}>${children}</${Card}>`;
}

function Table({ head, rows, empty, testid }) {
  if (!rows.length) return html`<${Empty}>${empty || t('console.customer.none')}</${Empty}>`;
  return html`<div class="table-wrap"><table class="table" data-testid=${testid}>
    <thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
    <tbody>${rows}</tbody>
  </table></div>`;
}

/** A list of the customer's that pages: the first page came with the screen, "show more"
 * asks ``operation`` for the next (``pick`` finds the connection in its answer). */
function Paged({ first, id, operation, pick, head, row, testid }) {
  const pages = usePages(first, async (after) => pick((await gql(operation, { id, after })).customer));
  if (!pages.nodes.length) return html`<${Empty}>${t('console.customer.none')}</${Empty}>`;
  return html`<div class="table-wrap" ref=${pages.ref}><table class="table" data-testid=${testid}>
      <thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
      <tbody>${pages.nodes.map((node, index) => row(node, pages.rowProps(index)))}</tbody>
    </table></div>
    <${ShowMore} pages=${pages} />`;
}

/** Two-step verification: on or off; a supervisor may turn it off (asked once more first). */
function SecondFactor({ c, me, onChanged }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const turnOff = async () => {
    setBusy(true);
    setError(null);
    try {
      const payload = (await gql(TURN_OFF_CUSTOMER_SECOND_FACTOR, { input: { customerId: c.id } })).turnOffCustomerSecondFactor;
      if (payload.errors.length) setError(payload.errors[0].message);
      else {
        setAsking(false);
        onChanged();
      }
    } catch (e) {
      setError(e.network ? t('common.networkError') : t('common.actionError'));
    } finally {
      setBusy(false);
    }
  };
  return html`<span data-testid="customer-second-factor">
    <${Badge} tone=${c.secondFactorEnabled ? 'success' : undefined}>${t(c.secondFactorEnabled ? 'console.customer.factorOn' : 'console.customer.factorOff')}</${Badge}>
    ${c.secondFactorEnabled && roleAllows(me.staff.role, 'SUPERVISOR') && !asking && html` <button type="button" class="btn btn-ghost btn-small" onClick=${() => setAsking(true)}>${t('console.customer.factorTurnOff')}</button>`}
    ${asking && html`<div class="staff-confirm" role="group" aria-label=${t('console.customer.factorConfirm')}>
      <p role="alert">${t('console.customer.factorConfirm')}</p>
      <button type="button" class="btn btn-primary btn-small" disabled=${busy} onClick=${turnOff}>${t('console.customer.factorTurnOff')}</button>
      <button type="button" class="btn btn-secondary btn-small" disabled=${busy} onClick=${() => setAsking(false)}>${t('console.staff.cancel')}</button>
    </div>`}
    ${error && html`<p class="field-error" role="alert">${error}</p>`}
  </span>`;
}

function Profile({ c, me, onChanged }) {
  const p = c.profile;
  const consents = ['email', 'sms', 'phone'].filter((k) => p.consents[k]).map((k) => t(`console.customer.consent.${k}`));
  return html`<dl class="facts" data-testid="customer-profile">
    <div><dt>${t('console.search.number')}</dt><dd class="mono">${c.customerNumber}</dd></div>
    <div><dt>${t('console.customer.pesel')}</dt><dd class="mono">${p.peselMasked}</dd></div>
    <div><dt>${t('console.search.email')}</dt><dd>${p.email || '—'}</dd></div>
    <div><dt>${t('console.customer.phone')}</dt><dd>${p.phoneFormatted || '—'}</dd></div>
    <div><dt>${t('console.customer.address')}</dt><dd>${p.address.street || '—'}${p.address.city && html`<br />${p.address.postalCode} ${p.address.city}`}</dd></div>
    <div><dt>${t('console.customer.consents')}</dt><dd>${consents.length ? consents.join(', ') : t('console.customer.noConsents')}</dd></div>
    <div><dt>${t('console.customer.language')}</dt><dd>${t(`console.customer.language.${p.language === 'EN' ? 'en' : 'pl'}`)}</dd></div>
    <div><dt>${t('console.customer.monthly')}</dt><dd><${Money} value=${c.monthlyTotal} /></dd></div>
    <div><dt>${t('console.customer.secondFactor')}</dt><dd><${SecondFactor} c=${c} me=${me} onChanged=${onChanged} /></dd></div>
  </dl>`;
}

function Services({ c }) {
  if (!c.contracts.length) return html`<${Empty}>${t('console.customer.none')}</${Empty}>`;
  return c.contracts.map((k) => html`<div class="contract" key=${k.id}>
    <h3>${t('console.customer.contract')} <span class="mono">${k.number}</span> <${Badge}>${label('contractStatus', k.status)}</${Badge}></h3>
    <p class="muted small">${t('console.customer.signedOn')} ${formatDate(k.signedOn)}${k.endsOn && html` · ${t('console.customer.endsOn')} ${formatDate(k.endsOn)}`} · <${Money} value=${k.monthlyTotal} /></p>
    ${k.services.map((s) => html`<div class="service" key=${s.id}>
      <h4>${label('serviceKind', s.kind)} <span class="mono">${s.identifier}</span> <${Badge} tone=${s.status === 'ACTIVE' ? 'success' : 'danger'}>${label('serviceStatus', s.status)}</${Badge}></h4>
      ${s.suspensionReason && html`<p class="small">${label('suspension', s.suspensionReason)}</p>`}
      ${s.usage && html`<p class="muted small">${t('console.customer.usage', { used: s.usage.dataUsedMb, limit: s.usage.dataLimitMb ?? '∞' })}</p>`}
      <${Table} head=${[t('console.customer.package'), t('console.customer.state'), t('console.customer.period'), t('console.customer.price')]}
        rows=${s.subscriptions.map((sub) => html`<tr key=${sub.id}>
          <th scope="row">${sub.package.name} <span class="muted small mono">${sub.package.code}</span></th>
          <td>${label('subscriptionState', sub.state)}</td>
          <td>${formatDate(sub.startsOn)}${sub.endsOn ? ` – ${formatDate(sub.endsOn)}` : ''}</td>
          <td class="num"><${Money} value=${sub.monthlyPrice} /></td>
        </tr>`)} />
    </div>`)}
  </div>`);
}

function Devices({ c }) {
  if (!c.devices.length) return html`<${Empty}>${t('console.customer.none')}</${Empty}>`;
  return c.devices.map((d) => html`<div class="device" key=${d.id}>
    <h3>${d.model} <span class="muted small">${label('deviceKind', d.kind)}</span></h3>
    <p class="small"><span class="mono">${d.serialNumber}</span> · ${label('ownership', d.ownership)} · ${formatDate(d.installedOn)}${d.service && html` · <span class="mono">${d.service.identifier}</span>`}</p>
    <${Table} head=${[t('console.customer.command'), t('console.customer.requestedAt'), t('console.customer.state')]}
      empty=${t('console.customer.noCommands')}
      rows=${d.recentCommands.map((k) => html`<tr key=${k.id}>
        <th scope="row">${label('commandKind', k.kind)}</th>
        <td>${formatDateTime(k.requestedAt)}</td>
        <td>${label('commandStatus', k.status)}${k.failureReason && html` <span class="muted small">${k.failureReason}</span>`}</td>
      </tr>`)} />
  </div>`);
}

function Views({ id }) {
  const q = useQuery(CUSTOMER_VIEWS, { id });
  return html`<${Card} id="c-views" title=${t('console.customer.views')}>
    <${QueryView} q=${q}>${(data) => html`<${Table} testid="customer-views"
      head=${[t('console.customer.when'), t('console.customer.who'), t('console.customer.what')]}
      rows=${data.customerViews.nodes.map((v, i) => html`<tr key=${i}>
        <td>${formatDateTime(v.at)}</td><th scope="row">${v.staffName}</th><td class="small">${v.what.join(', ')}</td>
      </tr>`)} />`}</${QueryView}>
  </${Card}>`;
}

function Graph({ c, me, onChanged }) {
  return html`<div>
    <${PageHeader} title=${c.profile.fullName} intro=${t('console.customer.intro')} />
    <nav class="card toc" aria-label=${t('console.customer.toc')}><ul class="toc-list">
      ${SECTIONS.map((id) => html`<li><a href=${`#c-${id}`}>${t(`console.customer.${id}`)}</a></li>`)}
      ${roleAllows(me.staff.role, 'SUPERVISOR') && html`<li><a href="#c-views">${t('console.customer.views')}</a></li>`}
    </ul></nav>
    <${Section} id="profile"><${Profile} c=${c} me=${me} onChanged=${onChanged} /></${Section}>
    <${Section} id="services"><${Services} c=${c} /></${Section}>
    <${Section} id="devices" count=${c.devices.length}><${Devices} c=${c} /></${Section}>
    <${Section} id="invoices" count=${c.invoices.totalCount}>
      <p class="small">${t('console.customer.due')} <${Money} value=${c.upcomingPayments.totalDue} /> · ${t('console.customer.overdue')} <${Money} value=${c.upcomingPayments.overdueTotal} /> (${c.upcomingPayments.overdueCount})</p>
      <${Paged} testid="customer-invoices" first=${c.invoices} id=${c.id} operation=${CUSTOMER_INVOICES} pick=${(x) => x.invoices}
        head=${[t('console.customer.invoice'), t('console.customer.issuedOn'), t('console.customer.dueOn'), t('console.customer.amount'), t('console.customer.state')]}
        row=${(i, props) => html`<tr key=${i.id} ...${props}>
          <th scope="row" class="mono">${i.number}</th><td>${formatDate(i.issuedOn)}</td><td>${formatDate(i.dueOn)}</td>
          <td class="num"><${Money} value=${i.gross} /></td><td>${label('invoice', i.overdue ? 'overdue' : i.status)}</td>
        </tr>`} />
    </${Section}>
    <${Section} id="payments" count=${c.payments.totalCount}>
      <${Paged} first=${c.payments} id=${c.id} operation=${CUSTOMER_PAYMENTS} pick=${(x) => x.payments}
        head=${[t('console.customer.payment'), t('console.customer.when'), t('console.customer.amount'), t('console.customer.state')]}
        row=${(p, props) => html`<tr key=${p.id} ...${props}>
          <th scope="row">${p.title} <span class="muted small">${label('method', p.method)}</span></th><td>${formatDateTime(p.createdAt)}</td>
          <td class="num"><${Money} value=${p.amount} /></td><td>${label('paymentStatus', p.status)}</td>
        </tr>`} />
    </${Section}>
    <${Section} id="wallet">
      <p>${t('console.customer.balance')} <strong data-testid="wallet-balance"><${Money} value=${c.wallet.balance} /></strong></p>
      <${Paged} first=${c.wallet.transactions} id=${c.id} operation=${CUSTOMER_WALLET} pick=${(x) => x.wallet.transactions}
        head=${[t('console.customer.entry'), t('console.customer.when'), t('console.customer.amount'), t('console.customer.balanceAfter')]}
        row=${(w, props) => html`<tr key=${w.id} ...${props}>
          <th scope="row">${w.description || label('walletKind', w.kind)}</th><td>${formatDateTime(w.createdAt)}</td>
          <td class="num"><${Money} value=${w.amount} /></td><td class="num"><${Money} value=${w.balanceAfter} /></td>
        </tr>`} />
    </${Section}>
    <${Section} id="messages" count=${c.messages.totalCount}>
      <${Paged} first=${c.messages} id=${c.id} operation=${CUSTOMER_MESSAGES} pick=${(x) => x.messages}
        head=${[t('console.customer.subject'), t('console.customer.when'), t('console.customer.state')]}
        row=${(m, props) => html`<tr key=${m.id} ...${props}>
          <th scope="row">${m.subject}${m.urgent && html` <${Badge} tone="danger">${t('console.customer.urgent')}</${Badge}>`}</th>
          <td>${formatDateTime(m.publishedAt)}</td><td>${t(m.read ? 'console.customer.read' : 'console.customer.unread')}</td>
        </tr>`} />
    </${Section}>
    <${Section} id="requests" count=${c.contactRequests.length}>
      <${Table} head=${[t('console.customer.subject'), t('console.customer.when'), t('console.customer.state')]}
        rows=${c.contactRequests.map((r) => html`<tr key=${r.id}>
          <th scope="row"><a href=${`/console/queue/${encodeURIComponent(r.id)}`}>${r.kind === 'COMPLAINT' ? `${t('console.customer.complaint')} ` : ''}${titleOf(r)}</a></th>
          <td>${formatDateTime(r.createdAt)}</td><td>${label('contactStatus', r.status)}</td>
        </tr>`)} />
    </${Section}>
    <${Section} id="activity" count=${c.activity.totalCount}>
      <${Paged} first=${c.activity} id=${c.id} operation=${CUSTOMER_ACTIVITY} pick=${(x) => x.activity}
        head=${[t('console.customer.event'), t('console.customer.when'), t('console.customer.address')]}
        row=${(a, props) => html`<tr key=${a.id} ...${props}>
          <th scope="row">${a.title || label('audit', a.kind)}${a.summary && html` <span class="muted small">${a.summary}</span>`}</th>
          <td>${formatDateTime(a.createdAt)}</td><td class="mono small">${a.ip}</td>
        </tr>`} />
    </${Section}>
    ${roleAllows(me.staff.role, 'SUPERVISOR') && html`<${Views} id=${c.id} />`}
  </div>`;
}

export function CustomerScreen({ params, me }) {
  const q = useQuery(CUSTOMER, { id: params.id });
  if (q.error && q.error.code === 'NOT_FOUND') {
    return html`<div><${PageHeader} title=${t('console.customer.notFound')} />
      <p><a href="/console/search">${t('console.customer.back')}</a></p></div>`;
  }
  if (q.loading && !q.data) return html`<${Loading} />`;
  if (q.error && !q.data) return html`<${ErrorState} error=${q.error} onRetry=${q.reload} />`;
  return html`<${Graph} c=${q.data.customer} me=${me} onChanged=${() => q.reload(true)} />`;
}
