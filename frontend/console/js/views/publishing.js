// Publishing (supervisors): a message (to one customer, everyone, or the customers with a service
// of a kind) and a personal offer, each with a preview of what the customer sees, and the recent
// publications with who published them. Both go through the operator API's own rules on the
// server; each form carries a reference made once (``console-<uuid>``), so a double click or a
// request sent again publishes once. Times are typed as Warsaw wall-clock time.
import { html, useState } from '../../../vendor/preact-htm.js';
import { gql, idempotencyKey } from '../../../js/api.js';
import { TYPED_AMOUNT, typedGrosze, useForm } from '../../../js/forms.js';
import { formatDate, formatDateTime, getLanguage, t } from '../../../js/i18n.js';
import {
  Badge, Card, CheckField, Empty, Field, FormMessage, PageHeader, QueryView, SelectField, ShowMore, SubmitButton,
  submitWith, usePages, useQuery,
} from '../../../js/ui.js';
import { MORE_MESSAGES, MORE_OFFERS, PUBLISHED, PUBLISH_MESSAGE, PUBLISH_OFFER } from '../operations/publishing.js';

const AUDIENCES = ['CUSTOMER', 'EVERYONE', 'SERVICE_KIND'];
const SERVICE_KINDS = ['SATELLITE_TV', 'INTERNET', 'MOBILE_TV'];
const CATEGORIES = ['ANNOUNCEMENT', 'MAINTENANCE', 'SERVICE', 'BILLING', 'OFFER'];
const ZONE = 'Europe/Warsaw';

const lower = (value) => (value || '').toLowerCase();

/** A fresh reference for one form: ``console-`` and a UUID-shaped random id. */
function newReference() {
  const k = idempotencyKey();
  return `console-${k.slice(0, 8)}-${k.slice(8, 12)}-${k.slice(12, 16)}-${k.slice(16, 20)}-${k.slice(20)}`;
}

/** The Warsaw wall-clock time of the instant ``at`` (ms) as UTC milliseconds of the same fields. */
function warsawFields(at) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute);
}

/** A ``datetime-local`` value ("2026-12-01T10:00") read as Warsaw time → ISO instant; null if empty. */
function warsawInstant(local) {
  if (!local) return null;
  const wall = Date.parse(`${local}:00Z`);
  if (Number.isNaN(wall)) return null;
  let at = wall - (warsawFields(wall) - wall);
  at = wall - (warsawFields(at) - at); // (once more: the offset at the instant itself)
  return new Date(at).toISOString();
}

/** The instant ``at`` (ms) as a ``datetime-local`` value in Warsaw time. */
function warsawLocal(at) {
  return new Date(warsawFields(at)).toISOString().slice(0, 16);
}

function formatPrice(value) {
  return new Intl.NumberFormat(getLanguage() === 'pl' ? 'pl-PL' : 'en-GB', { style: 'currency', currency: 'PLN' }).format(value / 100);
}

/** The payload's errors with their fields named as the form's (``audience.customerNumber`` →
 * ``customerNumber``); an error about no field of the form (the reference) is about the form. */
function formErrors(errors, names) {
  return errors.map((e) => {
    const field = (e.field || '').replace(/^audience\./, '');
    const named = names.includes(field) ? field : null;
    // "Not found." says too little on a field: say what was not found.
    const specific = e.code === 'NOT_FOUND' && NOT_FOUND_TEXTS[named];
    return { ...e, field: named, message: specific ? t(specific) : e.message };
  });
}

const NOT_FOUND_TEXTS = { packageCode: 'console.publishing.packageUnknown', customerNumber: 'console.publishing.customerUnknown' };
const OFFER_AUDIENCES = ['CUSTOMER', 'EVERYONE'];

function Audience({ item }) {
  if (item.customerNumber) return t('console.publishing.toCustomer', { number: item.customerNumber });
  if (item.serviceKind) return t('console.publishing.toKind', { kind: t(`serviceKind.${lower(item.serviceKind)}`) });
  return t('console.publishing.toEveryone');
}

function Publisher({ item }) {
  if (!item.publishedBy) return html`<span class="muted">—</span>`;
  return html`${item.publishedBy.name}${!item.publishedBy.staff && html` <span class="muted small">(${t('console.publishing.apiKey')})</span>`}`;
}

/** The audience as radio buttons (one group, one legend), with the field each choice needs. */
function AudienceField({ form, choices = AUDIENCES }) {
  const err = form.errors.audience;
  return html`<fieldset class=${`fieldset ${err ? 'has-error' : ''}`} aria-describedby=${err ? `${form.id}-audience-error` : undefined}>
    <legend>${t('console.publishing.audience')}</legend>
    ${choices.map((value) => html`<div class="field field-check">
      <input type="radio" id=${`${form.id}-audience-${lower(value)}`} name="audience" value=${value}
        checked=${form.values.audience === value} onChange=${() => form.set('audience', value)} />
      <label for=${`${form.id}-audience-${lower(value)}`}>${t(`console.publishing.audience.${lower(value)}`)}</label>
    </div>`)}
    ${err && html`<p class="field-error" id=${`${form.id}-audience-error`}>${err.message}</p>`}
  </fieldset>`;
}

function MessagePreview({ values }) {
  const subject = values.subject.trim() || t('console.publishing.previewSubject');
  return html`<div class="preview" aria-label=${t('console.publishing.preview')} role="group">
    <p class="muted small">${t('console.publishing.previewIntro')}</p>
    ${values.urgent && html`<div class="notice notice-warning"><strong>${t('contact.urgent')}:</strong> ${subject}</div>`}
    <ul class="messages"><li class=${`message message-unread ${values.urgent ? 'message-urgent' : ''}`}>
      <div class="message-head">
        <span class="message-subject">${subject}</span>
        <span class="message-meta">${values.urgent && html`<${Badge} tone="danger">${t('contact.urgent')}</${Badge}>`}
          <${Badge}>${t(`category.${lower(values.category)}`)}</${Badge}></span>
      </div>
      <div class="message-body">${values.body.split('\n').map((line) => html`<p>${line}</p>`)}</div>
    </li></ul>
  </div>`;
}

const MESSAGE_FIELDS = ['audience', 'customerNumber', 'serviceKind', 'category', 'subject', 'body', 'urgent', 'publishedAt', 'expiresAt'];
const EMPTY_MESSAGE = {
  audience: 'CUSTOMER', customerNumber: '', serviceKind: 'SATELLITE_TV', category: 'ANNOUNCEMENT',
  subject: '', body: '', urgent: false, publishedAt: '', expiresAt: '',
};

function messageInput(v, reference) {
  const audience = v.audience === 'CUSTOMER' ? { customerNumber: v.customerNumber.trim() }
    : v.audience === 'EVERYONE' ? { everyone: true } : { serviceKind: v.serviceKind };
  return {
    reference, audience, category: v.category, subject: v.subject, body: v.body, urgent: !!v.urgent,
    publishedAt: warsawInstant(v.publishedAt), expiresAt: warsawInstant(v.expiresAt),
  };
}

function MessageForm({ onPublished }) {
  const form = useForm('console-message', EMPTY_MESSAGE, { persist: false });
  const [reference, setReference] = useState(newReference);
  const [done, setDone] = useState(null);
  const onSubmit = submitWith(
    form,
    async (v) => {
      setDone(null);
      const payload = (await gql(PUBLISH_MESSAGE, { input: messageInput(v, reference) })).publishMessage;
      return { ...payload, errors: formErrors(payload.errors, MESSAGE_FIELDS) };
    },
    (payload) => {
      setDone(payload.message);
      form.reset(EMPTY_MESSAGE);
      setReference(newReference());
      onPublished();
    },
  );
  const v = form.values;
  return html`<form class="form" novalidate onSubmit=${onSubmit} data-testid="message-form">
    <${FormMessage} form=${form} success=${done && t('console.publishing.messagePublished', { subject: done.subject })} />
    <${AudienceField} form=${form} />
    ${v.audience === 'CUSTOMER' && html`<${Field} form=${form} name="customerNumber" label=${t('console.publishing.customerNumber')} autocomplete="off" maxlength="32" />`}
    ${v.audience === 'SERVICE_KIND' && html`<${SelectField} form=${form} name="serviceKind" label=${t('console.publishing.serviceKind')}
      options=${SERVICE_KINDS.map((k) => ({ value: k, label: t(`serviceKind.${lower(k)}`) }))} />`}
    <${SelectField} form=${form} name="category" label=${t('console.publishing.category')}
      options=${CATEGORIES.map((c) => ({ value: c, label: t(`category.${lower(c)}`) }))} />
    <${Field} form=${form} name="subject" label=${t('console.publishing.subject')} maxlength="200" />
    <${Field} form=${form} name="body" type="textarea" label=${t('console.publishing.body')} maxlength="5000" />
    <${CheckField} form=${form} name="urgent" label=${t('console.publishing.urgent')} />
    <div class="grid-2">
      <${Field} form=${form} name="publishedAt" type="datetime-local" required=${false} label=${t('console.publishing.publishedAt')} hint=${t('console.publishing.publishedAtHint')} />
      <${Field} form=${form} name="expiresAt" type="datetime-local" required=${false} label=${t('console.publishing.expiresAt')} hint=${t('console.publishing.expiresAtHint')} />
    </div>
    <${MessagePreview} values=${v} />
    <div class="actions"><${SubmitButton} form=${form}>${t('console.publishing.publishMessage')}</${SubmitButton}></div>
  </form>`;
}

function OfferPreview({ values }) {
  const price = TYPED_AMOUNT.test(values.monthlyPrice.trim()) ? typedGrosze(values.monthlyPrice) : null;
  const until = warsawInstant(values.validUntil);
  return html`<div class="preview offer" aria-label=${t('console.publishing.preview')} role="group">
    <p class="muted small">${t('console.publishing.previewIntro')}</p>
    <p><strong>${values.title.trim() || t('console.publishing.previewTitle')}</strong></p>
    ${values.description.trim() && html`<p>${values.description}</p>`}
    ${price !== null && html`<p class="big-figure"><span class="money">${formatPrice(price)}</span> <span class="muted small">${t('offers.perMonth')}</span></p>`}
    ${Number(values.promoMonths) > 0 && html`<p class="muted">${t('offers.promo', { n: Number(values.promoMonths) })}</p>`}
    ${until && html`<p class="muted small">${t('offers.validUntil', { date: formatDate(until) })}</p>`}
  </div>`;
}

const OFFER_FIELDS = ['audience', 'customerNumber', 'packageCode', 'title', 'description', 'monthlyPrice', 'promoMonths', 'validFrom', 'validUntil'];

function emptyOffer() {
  const at = Date.now();
  return {
    audience: 'CUSTOMER', customerNumber: '', packageCode: '', title: '', description: '', monthlyPrice: '', promoMonths: '0',
    validFrom: warsawLocal(at), validUntil: warsawLocal(at + 30 * 86400000),
  };
}

/** What the form can tell before asking: a price or a number of months that is not one. */
function offerProblems(v) {
  const problems = [];
  if (v.audience === 'CUSTOMER' && !v.customerNumber.trim()) problems.push({ field: 'customerNumber', code: 'REQUIRED', message: t('console.publishing.customerRequired') });
  if (!TYPED_AMOUNT.test(v.monthlyPrice.trim())) problems.push({ field: 'monthlyPrice', code: 'INVALID', message: t('console.publishing.priceInvalid') });
  if (!/^[0-9]{1,2}$/.test(v.promoMonths.trim())) problems.push({ field: 'promoMonths', code: 'INVALID', message: t('console.publishing.monthsInvalid') });
  for (const name of ['validFrom', 'validUntil']) {
    if (!warsawInstant(v[name])) problems.push({ field: name, code: 'REQUIRED', message: t('console.publishing.whenRequired') });
  }
  return problems;
}

function OfferForm({ onPublished }) {
  const form = useForm('console-offer', emptyOffer(), { persist: false });
  const [reference, setReference] = useState(newReference);
  const [done, setDone] = useState(null);
  const onSubmit = submitWith(
    form,
    async (v) => {
      setDone(null);
      const problems = offerProblems(v);
      if (problems.length) return { errors: problems };
      const input = {
        reference, title: v.title, description: v.description, monthlyPrice: typedGrosze(v.monthlyPrice),
        promoMonths: Number(v.promoMonths), validFrom: warsawInstant(v.validFrom), validUntil: warsawInstant(v.validUntil),
        customerNumber: v.audience === 'CUSTOMER' ? v.customerNumber.trim() : null, packageCode: v.packageCode.trim() || null,
      };
      const payload = (await gql(PUBLISH_OFFER, { input })).publishOffer;
      return { ...payload, errors: formErrors(payload.errors, OFFER_FIELDS) };
    },
    (payload) => {
      setDone(payload.offer);
      form.reset(emptyOffer());
      setReference(newReference());
      onPublished();
    },
  );
  return html`<form class="form" novalidate onSubmit=${onSubmit} data-testid="offer-form">
    <${FormMessage} form=${form} success=${done && t('console.publishing.offerPublished', { title: done.title })} />
    <${AudienceField} form=${form} choices=${OFFER_AUDIENCES} />
    <div class="grid-2">
      ${form.values.audience === 'CUSTOMER' && html`<${Field} form=${form} name="customerNumber" label=${t('console.publishing.customerNumber')} autocomplete="off" maxlength="32" />`}
      <${Field} form=${form} name="packageCode" required=${false} label=${t('console.publishing.packageCode')} hint=${t('console.publishing.packageCodeHint')} autocomplete="off" maxlength="32" />
    </div>
    <${Field} form=${form} name="title" label=${t('console.publishing.offerTitle')} maxlength="120" />
    <${Field} form=${form} name="description" type="textarea" required=${false} label=${t('console.publishing.description')} maxlength="5000" />
    <div class="grid-2">
      <${Field} form=${form} name="monthlyPrice" inputmode="decimal" label=${t('console.publishing.monthlyPrice')} hint=${t('console.publishing.monthlyPriceHint')} maxlength="10" />
      <${Field} form=${form} name="promoMonths" inputmode="numeric" label=${t('console.publishing.promoMonths')} hint=${t('console.publishing.promoMonthsHint')} maxlength="2" />
    </div>
    <div class="grid-2">
      <${Field} form=${form} name="validFrom" type="datetime-local" label=${t('console.publishing.validFrom')} />
      <${Field} form=${form} name="validUntil" type="datetime-local" label=${t('console.publishing.validUntil')} />
    </div>
    <${OfferPreview} values=${form.values} />
    <div class="actions"><${SubmitButton} form=${form}>${t('console.publishing.publishOffer')}</${SubmitButton}></div>
  </form>`;
}

function RecentMessages({ first }) {
  const pages = usePages(first, async (after) => (await gql(MORE_MESSAGES, { after })).publishedMessages);
  if (!pages.nodes.length) return html`<${Empty}>${t('console.publishing.noMessages')}</${Empty}>`;
  return html`<div class="table-wrap" ref=${pages.ref}><table class="table" data-testid="published-messages">
    <caption class="sr-only">${t('console.publishing.recentMessages')}</caption>
    <thead><tr>
      <th scope="col">${t('console.publishing.subject')}</th><th scope="col">${t('console.publishing.audience')}</th>
      <th scope="col">${t('console.publishing.publishedAt')}</th><th scope="col">${t('console.publishing.expiresAt')}</th>
      <th scope="col">${t('console.publishing.by')}</th>
    </tr></thead>
    <tbody>${pages.nodes.map((m, index) => html`<tr key=${m.reference} ...${pages.rowProps(index)}>
      <th scope="row">${m.subject}${m.urgent && html` <${Badge} tone="danger">${t('contact.urgent')}</${Badge}>`}</th>
      <td><${Audience} item=${m} /></td><td>${formatDateTime(m.publishedAt)}</td>
      <td>${m.expiresAt ? formatDateTime(m.expiresAt) : t('console.publishing.never')}</td><td><${Publisher} item=${m} /></td>
    </tr>`)}</tbody>
  </table></div>
  <${ShowMore} pages=${pages} />`;
}

function RecentOffers({ first }) {
  const pages = usePages(first, async (after) => (await gql(MORE_OFFERS, { after })).publishedOffers);
  if (!pages.nodes.length) return html`<${Empty}>${t('console.publishing.noOffers')}</${Empty}>`;
  return html`<div class="table-wrap" ref=${pages.ref}><table class="table" data-testid="published-offers">
    <caption class="sr-only">${t('console.publishing.recentOffers')}</caption>
    <thead><tr>
      <th scope="col">${t('console.publishing.offerTitle')}</th><th scope="col">${t('console.publishing.audience')}</th>
      <th scope="col">${t('console.publishing.monthlyPrice')}</th><th scope="col">${t('console.publishing.validUntil')}</th>
      <th scope="col">${t('console.publishing.by')}</th>
    </tr></thead>
    <tbody>${pages.nodes.map((o, index) => html`<tr key=${o.reference} ...${pages.rowProps(index)}>
      <th scope="row">${o.title}${o.packageCode && html` <span class="muted small">${o.packageCode}</span>`}</th>
      <td><${Audience} item=${o} /></td><td>${o.monthlyPrice ? o.monthlyPrice.formatted : '—'}</td>
      <td>${formatDateTime(o.validUntil)}</td><td><${Publisher} item=${o} /></td>
    </tr>`)}</tbody>
  </table></div>
  <${ShowMore} pages=${pages} />`;
}

export function Publishing() {
  const q = useQuery(PUBLISHED);
  const reload = () => q.reload(true);
  return html`<div>
    <${PageHeader} title=${t('console.publishing.heading')} intro=${t('console.publishing.intro')} />
    <div class="cards">
      <${Card} id="new-message" title=${t('console.publishing.newMessage')}><${MessageForm} onPublished=${reload} /></${Card}>
      <${Card} id="new-offer" title=${t('console.publishing.newOffer')}><${OfferForm} onPublished=${reload} /></${Card}>
    </div>
    <${QueryView} q=${q}>${(data) => html`
      <${Card} id="recent-messages" title=${t('console.publishing.recentMessages')}><${RecentMessages} first=${data.publishedMessages} /></${Card}>
      <${Card} id="recent-offers" title=${t('console.publishing.recentOffers')}><${RecentOffers} first=${data.publishedOffers} /></${Card}>`}
    </${QueryView}>
  </div>`;
}
