// Payments: invoices (PDF, pay one or several through the provider's page), the wallet (top-up,
// VOD/PPV purchase), history; and the landing screen when the customer comes back from paying.
import { html, useEffect, useRef, useState } from '../../vendor/preact-htm.js';
import { gql, idempotencyKey } from '../api.js';
import { TYPED_AMOUNT, typedGrosze, useForm } from '../forms.js';
import { formatDateTime, formatPeriod, formatShortDate, hasText, t } from '../i18n.js';
import { PAY_INVOICES, PURCHASE_PPV, PURCHASE_VOD, TOP_UP_WALLET } from '../operations/actions.js';
import { INVOICES, MORE_PAYMENTS, MORE_WALLET, PAYMENT, PAYMENTS, UNPAID_TOTAL } from '../operations/customer.js';
import { Badge, Card, Empty, ErrorState, Field, FormMessage, Loading, Money, PageHeader, QueryView, SelectField, ShowMore, SubmitButton, submitWith, useFocusOnMount, usePages, useQuery } from '../ui.js';
import { connectionNodes, genreLabel, lower, StatusBadge } from './common.js';

const METHODS = () => [
  { value: 'CARD', label: t('method.card') },
  { value: 'BLIK', label: t('method.blik') },
  { value: 'TRANSFER', label: t('method.transfer') },
];

function goToProvider(payload) {
  // The provider hosts the payment page: the sandbox's on this origin (development), PayU's on
  // its own https host; any address the server gives is followed (a navigation by location is
  // not governed by the CSP's form-action, and CSP has no navigate-to). The provider sends the
  // customer back to /payments/return?payment=<id>&status=<...> (PayU via /payments/continue).
  window.location.assign(payload.redirectUrl);
}

const RETRYABLE = ['failed', 'cancelled', 'expired'];

/** The invoices of ``payment`` that a new attempt can still pay (another payment may have paid
 * some meanwhile). */
const stillUnpaid = (payment) => payment.invoices.filter((i) => lower(i.status) === 'unpaid').map((i) => i.id);

/** A declined, cancelled or expired payment can be tried again while there is something to pay. */
const canRetry = (payment) =>
  RETRYABLE.includes(lower(payment.status)) && (lower(payment.purpose) === 'wallet_top_up' || stillUnpaid(payment).length > 0);

/** "Try again": a new payment (new idempotency key, same method) for the same invoices that are
 * still unpaid, or the same top-up amount; off to the provider's page when it starts. */
function RetryButton({ payment }) {
  const [state, setState] = useState({});
  const retry = async () => {
    setState({ busy: true });
    const input = { method: payment.method, idempotencyKey: idempotencyKey() };
    try {
      const payload = lower(payment.purpose) === 'wallet_top_up'
        ? (await gql(TOP_UP_WALLET, { input: { ...input, amount: payment.amount.amount } })).topUpWallet
        : (await gql(PAY_INVOICES, { input: { ...input, invoiceIds: stillUnpaid(payment) } })).payInvoices;
      if (payload.errors.length) setState({ error: payload.errors[0].message });
      else goToProvider(payload);
    } catch {
      setState({ error: t('common.actionError') });
    }
  };
  return html`<span class="retry">
    <button type="button" class="btn btn-secondary btn-small" data-testid="retry-payment" disabled=${state.busy} onClick=${retry}
      aria-label=${t('payments.tryAgainOf', { title: payment.title })}>${t('payments.tryAgain')}</button>
    ${state.error && html`<span class="field-error" role="alert">${state.error}</span>`}
  </span>`;
}

const INVOICE_FILTERS = ['', 'UNPAID', 'OVERDUE', 'PAID', 'CANCELLED'];

/** The invoice list of one filter: "show more" pages through the connection. */
function InvoiceTable({ first, status, selected, toggle }) {
  const pages = usePages(first, async (after) => (await gql(INVOICES, { status: status || null, after })).viewer.invoices);
  if (!pages.nodes.length) return html`<${Empty}>${t(status ? 'payments.noInvoicesFiltered' : 'payments.noInvoices')}</${Empty}>`;
  // The tick column only when something on the list can be paid.
  const selectable = pages.nodes.some((i) => lower(i.status) === 'unpaid');
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${t('payments.invoicesTable')} ref=${pages.ref}><table class=${`table table-stack invoices-table ${selectable ? '' : 'no-select'}`}>
      <caption class="sr-only">${t('payments.invoices')}</caption>
      <thead><tr>
        ${selectable && html`<th scope="col" class="c-select"><span class="sr-only">${t('payments.select')}</span></th>`}
        <th scope="col">${t('payments.number')}</th><th scope="col" class="hide-phone">${t('payments.period')}</th>
        <th scope="col">${t('payments.dueOn')}</th><th scope="col">${t('payments.status')}</th>
        <th scope="col" class="num">${t('payments.amount')}</th><th scope="col" class="c-pdf">PDF</th>
      </tr></thead>
      <tbody>${pages.nodes.map((i, index) => {
        const open = lower(i.status) === 'unpaid';
        return html`<tr key=${i.id} ...${pages.rowProps(index)}>
          ${selectable && html`<td class="c-select">${open && html`<input type="checkbox" id=${`inv-${i.id}`} checked=${selected.includes(i.id)}
            aria-label=${t('payments.selectInvoice', { number: i.number })} onChange=${(e) => toggle(i.id, e.currentTarget.checked)} />`}</td>`}
          <td class="c-number">${i.number}</td>
          <td class="hide-phone c-period">${formatPeriod(i.periodStart, i.periodEnd)}</td>
          <td class="c-due">${formatShortDate(i.dueOn)}</td>
          <td class="c-status">${i.overdue ? html`<${Badge} tone="danger">${t('invoice.overdue')}</${Badge}>` : html`<${StatusBadge} group="invoice" status=${i.status} />`}</td>
          <td class="num c-amount"><${Money} value=${i.gross} /></td>
          <td class="c-pdf"><a href=${i.pdfUrl} download data-external aria-label=${t('payments.pdfOf', { number: i.number })}>PDF</a></td>
        </tr>`;
      })}</tbody>
    </table></div>
    <${ShowMore} pages=${pages} label=${t('payments.moreInvoices')} />`;
}

/** Invoices with a status filter; unpaid ones can be paid together (one or several). */
function Invoices({ first }) {
  const [status, setStatus] = useState('');
  // Another filter than "all" needs its own first page; "all" comes with the screen's query.
  const filtered = useQuery(INVOICES, { status: status || null }, { skip: !status });
  const form = useForm('pay-invoices', { selected: null, method: 'CARD' }, { persist: false });
  const [key] = useState(idempotencyKey);
  const connection = status ? filtered.data && filtered.data.viewer && filtered.data.viewer.invoices : first;
  // Until the customer changes it, the selection is every unpaid invoice of the first page.
  const selected = form.values.selected || connectionNodes(first).filter((i) => lower(i.status) === 'unpaid').map((i) => i.id);
  const toggle = (id, on) => form.set('selected', on ? [...selected, id] : selected.filter((x) => x !== id));
  const onSubmit = submitWith(
    form,
    async (v) => (await gql(PAY_INVOICES, { input: { invoiceIds: selected, method: v.method, idempotencyKey: key } })).payInvoices,
    goToProvider,
  );
  const anyUnpaid = selected.length > 0 || connectionNodes(first).some((i) => lower(i.status) === 'unpaid');
  // What payInvoices will charge for the ticked invoices, from the server (its rule, its format).
  const total = useQuery(UNPAID_TOTAL, { invoiceIds: selected }, { skip: !selected.length });
  const totalDue = selected.length && total.data && total.data.viewer ? total.data.viewer.unpaidTotal : null;
  return html`<form class="form" novalidate onSubmit=${onSubmit}>
    <div class="filter-bar">
      <label for="invoice-filter">${t('payments.filter')}</label>
      <select id="invoice-filter" value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>
        ${INVOICE_FILTERS.map((f) => html`<option value=${f}>${t(f ? `payments.filter.${lower(f)}` : 'payments.filter.all')}</option>`)}
      </select>
    </div>
    <${FormMessage} form=${form} />
    ${status && filtered.error ? html`<${ErrorState} error=${filtered.error} onRetry=${filtered.reload} />`
      : status && (filtered.loading || !connection) ? html`<${Loading} />`
      : connection && html`<${InvoiceTable} first=${connection} status=${status} selected=${selected} toggle=${toggle} />`}
    ${form.errors.invoiceIds && html`<p class="field-error" role="alert">${form.errors.invoiceIds.message}</p>`}
    ${anyUnpaid && html`<div class="pay-bar">
      <p class="pay-total" data-testid="pay-total" aria-live="polite" aria-busy=${total.loading ? 'true' : 'false'}>
        <span class="pay-total-label">${t('payments.total')}</span> <strong>${totalDue ? html`<${Money} value=${totalDue} />` : '…'}</strong></p>
      <${SelectField} form=${form} name="method" label=${t('payments.method')} options=${METHODS()} />
      <${SubmitButton} form=${form}>${t('payments.paySelected', { n: selected.length })}</${SubmitButton}>
    </div>`}
  </form>`;
}

/** The wallet ledger, 10 at a time. Texts come from the kind (and the title bought), so they
 * follow the UI language; the stored description is the fallback. */
function WalletTransactions({ first }) {
  const pages = usePages(first, async (after) => (await gql(MORE_WALLET, { after })).viewer.wallet.transactions);
  if (!pages.nodes.length) return html`<${Empty}>${t('wallet.noTransactions')}</${Empty}>`;
  const label = (tx) => {
    const kind = hasText(`walletKind.${lower(tx.kind)}`) ? t(`walletKind.${lower(tx.kind)}`) : tx.description;
    return tx.purchase ? `${kind}: ${tx.purchase.title.name}` : kind;
  };
  return html`<ul class="list" data-testid="wallet-transactions" ref=${pages.ref}>
      ${pages.nodes.map((tx, index) => html`<li class="list-row" key=${tx.id} ...${pages.rowProps(index)}><span>${label(tx)}</span>
        <span class="muted small">${formatDateTime(tx.createdAt)}</span><${Money} value=${tx.amount} /></li>`)}
    </ul>
    <${ShowMore} pages=${pages} />`;
}

/** Payment history, 10 at a time. */
function History({ first }) {
  const pages = usePages(first, async (after) => (await gql(MORE_PAYMENTS, { after })).viewer.payments);
  if (!pages.nodes.length) return html`<${Empty}>${t('payments.noPayments')}</${Empty}>`;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${t('payments.historyTable')} ref=${pages.ref}><table class="table table-stack history-table" data-testid="payment-history">
      <caption class="sr-only">${t('payments.history')}</caption>
      <thead><tr><th scope="col">${t('payments.date')}</th><th scope="col">${t('payments.purpose')}</th><th scope="col" class="hide-phone">${t('payments.method')}</th><th scope="col">${t('payments.status')}</th><th scope="col" class="num">${t('payments.amount')}</th></tr></thead>
      <tbody>${pages.nodes.map((p, index) => html`<tr key=${p.id} ...${pages.rowProps(index)}><td class="h-date">${formatShortDate(p.createdAt)}</td><td class="h-purpose">${p.title}</td>
        <td class="hide-phone">${t(`method.${lower(p.method)}`)}</td><td class="h-status"><${StatusBadge} group="paymentStatus" status=${p.status} />${canRetry(p) && html` <${RetryButton} payment=${p} />`}</td><td class="num h-amount"><${Money} value=${p.amount} /></td></tr>`)}</tbody>
    </table></div>
    <${ShowMore} pages=${pages} label=${t('payments.morePayments')} />`;
}

/** ``limits``: the wallet's topUpMin / topUpMax, the rule topUpWallet enforces; an amount outside
 * them is refused here, with the server's code, before any payment is started. */
function TopUp({ limits }) {
  const form = useForm('top-up', { amount: '50', method: 'BLIK' });
  const [key] = useState(idempotencyKey);
  const range = { min: limits.topUpMin.formatted, max: limits.topUpMax.formatted };
  const outOfRange = (typed) => TYPED_AMOUNT.test(typed)
    && (typedGrosze(typed) < typedGrosze(limits.topUpMin.amount) || typedGrosze(typed) > typedGrosze(limits.topUpMax.amount));
  const onSubmit = submitWith(
    form,
    async (v) => (outOfRange(v.amount.trim())
      ? { errors: [{ field: 'amount', code: 'AMOUNT_OUT_OF_RANGE', message: t('wallet.amountOutOfRange', range) }] }
      : (await gql(TOP_UP_WALLET, { input: { amount: v.amount.replace(',', '.'), method: v.method, idempotencyKey: key } })).topUpWallet),
    (payload) => {
      form.reset();
      goToProvider(payload);
    },
  );
  return html`<form class="form pay-bar" novalidate onSubmit=${onSubmit}>
    <${FormMessage} form=${form} />
    <${Field} form=${form} name="amount" label=${t('wallet.amount')} inputmode="decimal" maxlength="8" hint=${t('wallet.amountHint', range)} />
    <${SelectField} form=${form} name="method" label=${t('payments.method')} options=${METHODS()} />
    <${SubmitButton} form=${form}>${TYPED_AMOUNT.test(form.values.amount.trim()) ? t('wallet.topUpAmount', { amount: form.values.amount.trim() }) : t('wallet.topUp')}</${SubmitButton}>
  </form>`;
}

/** The confirmation of a purchase: what, for how much, until when; it takes the focus (the
 * button that had it is gone). */
function Bought({ title, purchase }) {
  const ref = useFocusOnMount();
  const until = purchase.availableUntil ? formatDateTime(purchase.availableUntil) : '';
  return html`<p class="notice notice-success small" role="status" tabindex="-1" ref=${ref} data-testid="purchase-confirmation">
    ${until ? t('vod.purchasedUntil', { name: title.name, price: title.price.formatted, until }) : t('vod.purchased')}</p>`;
}

/** The step between "Buy" and the purchase: what, for how much, until when, with Confirm and
 * Cancel. The question takes the focus (read out first; Tab reaches Confirm, so a second Enter
 * on the same spot does not buy); Escape or Cancel goes back to the Buy button. */
function ConfirmPurchase({ title, busy, onConfirm, onCancel }) {
  const ref = useFocusOnMount();
  const id = `purchase-question-${title.id}`;
  const question = t('vod.confirmQuestion', {
    name: title.name, price: title.price.formatted, until: formatDateTime(title.watchableUntilIfBoughtNow),
  });
  const onKeyDown = (e) => {
    if (e.key === 'Escape' && !busy) { e.preventDefault(); onCancel(); }
  };
  return html`<div class="purchase-confirm" role="group" aria-labelledby=${id} data-testid="purchase-question" onKeyDown=${onKeyDown}>
    <p id=${id} class="small" tabindex="-1" ref=${ref}>${question}</p>
    <div class="purchase-confirm-actions">
      <button type="button" class="btn btn-primary btn-small" disabled=${busy} onClick=${onConfirm}>${t('vod.confirm')}</button>
      <button type="button" class="btn btn-ghost btn-small" disabled=${busy} onClick=${onCancel}>${t('vod.cancel')}</button>
    </div>
  </div>`;
}

function Titles({ titles, onBought }) {
  const [state, setState] = useState({});
  const buyButtons = useRef({});
  const cancel = (title) => {
    setState({});
    // The question is gone: the focus goes back where it came from.
    setTimeout(() => buyButtons.current[title.id]?.focus(), 0);
  };
  const buy = async (title) => {
    setState({ [title.id]: { confirming: true, busy: true } });
    try {
      const ppv = lower(title.kind) === 'ppv';
      const data = await gql(ppv ? PURCHASE_PPV : PURCHASE_VOD, { input: { titleId: title.id } });
      const payload = ppv ? data.purchasePpv : data.purchaseVod;
      if (payload.errors.length) setState({ [title.id]: { error: payload.errors[0].message } });
      else {
        setState({ [title.id]: { bought: payload.purchase } });
        onBought();
      }
    } catch {
      setState({ [title.id]: { error: t('common.actionError') } });
    }
  };
  if (!titles.length) return html`<${Empty}>${t('home.noVod')}</${Empty}>`;
  return html`<ul class="tiles">${titles.map((title) => {
    const s = state[title.id] || {};
    return html`<li class="tile">
      <p class="tile-kind">${t(`titleKind.${lower(title.kind)}`)}</p>
      <p class="tile-title">${title.name}</p>
      <p class="muted small">${[genreLabel(title.genre), title.year, title.eventStartsAt && formatDateTime(title.eventStartsAt)].filter(Boolean).join(' · ')}</p>
      <p class="tile-price"><${Money} value=${title.price} /></p>
      ${!title.activePurchase && !s.bought && lower(title.kind) === 'vod' && html`<p class="muted small">${t('vod.rentalHours', { n: title.rentalHours })}</p>`}
      ${s.bought
        ? html`<${Bought} title=${title} purchase=${s.bought} />`
        : title.activePurchase
        ? html`<p class="notice notice-success small">${title.activePurchase.availableUntil
          ? t('vod.activeUntil', { until: formatDateTime(title.activePurchase.availableUntil) }) : t('vod.purchased')}</p>`
        : s.confirming
        ? html`<${ConfirmPurchase} title=${title} busy=${!!s.busy} onConfirm=${() => buy(title)} onCancel=${() => cancel(title)} />`
        : html`<button type="button" class="btn btn-secondary btn-small" ref=${(el) => { buyButtons.current[title.id] = el; }}
            onClick=${() => setState({ [title.id]: { confirming: true } })}
            aria-label=${t('vod.buyTitle', { name: title.name })}>${t('vod.buy')}</button>`}
      ${s.error && html`<p class="field-error" role="alert">${s.error}</p>`}
    </li>`;
  })}</ul>`;
}

export function Payments() {
  const q = useQuery(PAYMENTS);
  return html`<div>
    <${PageHeader} title=${t('nav.payments')} intro=${t('payments.intro')} />
    <${QueryView} q=${q}>${(data) => {
      const v = data.viewer;
      return html`
        <${Card} id="invoices" title=${t('payments.invoices')}><${Invoices} first=${v.invoices} /></${Card}>
        <${Card} id="wallet" title=${t('wallet.title')} actions=${html`<p class="big-figure" data-testid="wallet-balance"><${Money} value=${v.wallet.balance} /></p>`}>
          <p class="muted">${t('wallet.intro')}</p>
          <${TopUp} limits=${v.wallet} />
        </${Card}>
        <${Card} id="vod" title=${t('vod.title')}><${Titles} titles=${v.vodCatalogue} onBought=${() => q.reload(true)} /></${Card}>
        <${Card} id="history" title=${t('payments.history')}>
          <${History} first=${v.payments} />
          <h3>${t('wallet.transactions')}</h3>
          <${WalletTransactions} first=${v.wallet.transactions} />
        </${Card}>`;
    }}</${QueryView}>
  </div>`;
}

/** /payments/return?payment=<id>&status=<...>: the provider sent the customer back. */
export function PaymentReturn({ query }) {
  const id = query.get('payment') || '';
  const [payment, setPayment] = useState(null);
  const [error, setError] = useState(false);
  useEffect(() => {
    let stopped = false;
    let tries = 0;
    const step = async () => {
      try {
        const data = await gql(PAYMENT, { id }, { background: tries > 0 });
        if (stopped) return;
        const p = data.payment;
        if (!p) return setError(true);
        setPayment(p);
        // The webhook may arrive a moment after the redirect: wait for the final status.
        if (lower(p.status) === 'pending' && tries++ < 20) setTimeout(step, 700);
      } catch {
        if (!stopped) setError(true);
      }
    };
    if (id) step();
    else setError(true);
    return () => {
      stopped = true;
    };
  }, [id]);
  const status = payment && lower(payment.status);
  return html`<div>
    <${PageHeader} title=${t('paymentReturn.title')} />
    ${error && html`<div class="notice notice-error" role="alert">${t('paymentReturn.unknown')}</div>`}
    ${!error && !payment && html`<${Loading} />`}
    ${payment && html`<${Card} id="payment-result">
      <div class=${`notice ${status === 'paid' ? 'notice-success' : status === 'pending' ? 'notice-info' : 'notice-error'}`} role="status" data-testid="payment-result" data-status=${status}>
        ${t(`paymentReturn.${status}`)}
      </div>
      <dl class="facts">
        <div><dt>${t('payments.purpose')}</dt><dd data-testid="payment-title">${payment.title}</dd></div>
        <div><dt>${t('payments.amount')}</dt><dd><${Money} value=${payment.amount} /></dd></div>
        <div><dt>${t('payments.method')}</dt><dd>${t(`method.${lower(payment.method)}`)}</dd></div>
      </dl>
      <p class="actions">${canRetry(payment) && html`<${RetryButton} payment=${payment} /> `}<a class="btn btn-primary" href="/payments">${t('paymentReturn.back')}</a></p>
    </${Card}>`}
  </div>`;
}
