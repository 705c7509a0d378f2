// Contact: messages from the operator (unread badge), the contact form and its history.
import { html, useEffect, useState } from '../../vendor/preact-htm.js';
import { gql } from '../api.js';
import { useForm } from '../forms.js';
import { formatDate, formatDateTime, t } from '../i18n.js';
import { FILE_COMPLAINT, MARK_MESSAGE_READ, REPLY_TO_CONTACT_REQUEST, SEND_CONTACT_REQUEST } from '../operations/actions.js';
import { COMPLAINT_INVOICES, CONTACT } from '../operations/customer.js';
import { Badge, Card, Empty, Field, FormMessage, PageHeader, QueryView, SelectField, ShowMore, SubmitButton, submitWith, usePages, useQuery } from '../ui.js';
import { connectionNodes, lower, StatusBadge } from './common.js';

const TOPICS = ['BILLING', 'TECHNICAL', 'PACKAGES', 'CONTRACT', 'OTHER'];
const COMPLAINT_SUBJECTS = ['INVOICE', 'SERVICE', 'EQUIPMENT', 'OTHER'];
const COMPLAINT_FIELDS = { subject: 'OTHER', invoiceId: '', serviceId: '', deviceId: '', periodFrom: '', periodTo: '', amount: '', refundMethod: 'WALLET', bankAccount: '', description: '' };

// An amount in zł as Polish or English readers type it → grosze: "1234,56", "1 234,56",
// "1234.56", "1,234.56", "12" → integer grosze; empty → null; anything else ("abc",
// "1.234,56", "12,345") → NaN, shown as "not an amount" before anything is sent.
// Range (0 < amount ≤ the ceiling) stays the server's rule (AMOUNT_OUT_OF_RANGE).
export function grosze(text) {
  const v = (text || '').trim().replace(/[\u00a0\u202f]/g, ' ');
  if (!v) return null;
  const polish = /^(\d{1,3}( \d{3})+|\d+)(,\d{1,2})?$/;
  const english = /^(\d{1,3}(,\d{3})+|\d{1,3}( \d{3})+|\d+)(\.\d{1,2})?$/;
  let plain;
  if (polish.test(v)) plain = v.replace(/ /g, '').replace(',', '.');
  else if (english.test(v)) plain = v.replace(/[ ,]/g, '');
  else return NaN;
  const [whole, cents = ''] = plain.split('.');
  if (whole.length > 9) return NaN;
  return Number(whole) * 100 + Number((cents + '00').slice(0, 2));
}

function Message({ message, onRead }) {
  const [open, setOpen] = useState(false);
  const toggle = async () => {
    setOpen(!open);
    if (!open && !message.read) {
      try {
        const payload = (await gql(MARK_MESSAGE_READ, { input: { messageId: message.id } })).markMessageRead;
        if (!payload.errors.length) onRead();
      } catch {
        /* stays unread */
      }
    }
  };
  return html`<li class=${`message ${message.read ? '' : 'message-unread'} ${message.urgent ? 'message-urgent' : ''}`}>
    <button type="button" class="message-head" aria-expanded=${open ? 'true' : 'false'} onClick=${toggle}>
      <span class="message-subject">${!message.read && html`<span class="dot" aria-hidden="true"></span>`}${message.subject}
        ${!message.read && html`<span class="sr-only"> (${t('contact.unread')})</span>`}</span>
      <span class="message-meta">${message.urgent && html`<${Badge} tone="danger">${t('contact.urgent')}</${Badge}>`}
        <${Badge}>${t(`category.${lower(message.category)}`)}</${Badge}> <span class="muted small">${formatDateTime(message.publishedAt)}</span></span>
    </button>
    ${open && html`<div class="message-body">${message.body.split('\n').map((line) => html`<p>${line}</p>`)}</div>`}
  </li>`;
}

function ContactForm({ onSent }) {
  const form = useForm('contact-form', { topic: 'OTHER', subject: '', body: '' });
  const [sent, setSent] = useState(false);
  const onSubmit = submitWith(
    form,
    async (v) => {
      setSent(false);
      return (await gql(SEND_CONTACT_REQUEST, { input: { topic: v.topic, subject: v.subject, body: v.body } })).sendContactRequest;
    },
    () => {
      form.reset();
      setSent(true);
      onSent();
    },
  );
  return html`<form class="form" novalidate onSubmit=${onSubmit}>
    <${FormMessage} form=${form} success=${sent && t('contact.sent')} />
    <${SelectField} form=${form} name="topic" label=${t('contact.topic')} options=${TOPICS.map((v) => ({ value: v, label: t(`topic.${v.toLowerCase()}`) }))} />
    <${Field} form=${form} name="subject" label=${t('contact.subject')} maxlength="150" />
    <${Field} form=${form} name="body" type="textarea" label=${t('contact.body')} maxlength="5000" hint=${t('contact.bodyHint')} />
    <div class="actions"><${SubmitButton} form=${form}>${t('contact.send')}</${SubmitButton}></div>
  </form>`;
}

// A complaint (reklamacja): what it concerns, the period, the amount and how to refund it.
function ComplaintForm({ data, onSent }) {
  const form = useForm('complaint-form', COMPLAINT_FIELDS);
  const invoicePages = usePages(data.viewer.invoices, async (after) => (await gql(COMPLAINT_INVOICES, { after })).viewer.invoices);
  const [filed, setFiled] = useState(null);
  const v = form.values;
  const onSubmit = submitWith(
    form,
    async (x) => {
      setFiled(null);
      const amount = grosze(x.amount);
      if (Number.isNaN(amount)) return { errors: [{ field: 'amount', code: 'NOT_AN_AMOUNT', message: t('complaint.notAnAmount') }] };
      const input = {
        subject: x.subject, description: x.description,
        invoiceId: x.subject === 'INVOICE' ? x.invoiceId || null : null,
        serviceId: ['SERVICE', 'EQUIPMENT'].includes(x.subject) ? x.serviceId || null : null,
        deviceId: x.subject === 'EQUIPMENT' ? x.deviceId || null : null,
        periodFrom: x.periodFrom || null, periodTo: x.periodTo || null,
        amountClaimed: amount,
        refundMethod: amount === null ? null : x.refundMethod,
        bankAccount: amount !== null && x.refundMethod === 'BANK_ACCOUNT' ? x.bankAccount : null,
      };
      const payload = (await gql(FILE_COMPLAINT, { input })).fileComplaint;
      // The form's amount field is in zł: its errors are on amountClaimed.
      return { ...payload, errors: payload.errors.map((e) => (e.field === 'amountClaimed' ? { ...e, field: 'amount' } : e)) };
    },
    (payload) => {
      form.reset();
      setFiled(payload.contactRequest.complaint);
      onSent();
    },
  );
  const none = { value: '', label: t('complaint.choose') };
  const invoices = [none, ...invoicePages.nodes.map((i) => ({ value: i.id, label: i.number }))];
  const services = [none, ...data.viewer.services.map((s) => ({ value: s.id, label: `${s.name} (${s.identifier})` }))];
  const devices = [none, ...data.viewer.devices.map((d) => ({ value: d.id, label: `${d.model} (${d.serialNumber})` }))];
  const email = data.viewer.profile.email;
  // Say "sent" only when the server says the mailer took it; else it is sent again later.
  const mailed = filed && email && t(filed.acknowledgedAt ? 'complaint.filedEmail' : 'complaint.filedEmailLater', { email });
  const success = filed && `${t('complaint.filed', { number: filed.number, date: formatDate(filed.deadline) })} ${mailed || ''}`;
  return html`<form class="form" novalidate onSubmit=${onSubmit}>
    <${FormMessage} form=${form} success=${success} />
    <p class="hint">${t('complaint.note')}</p>
    <${SelectField} form=${form} name="subject" label=${t('complaint.subject')} options=${COMPLAINT_SUBJECTS.map((x) => ({ value: x, label: t(`complaint.subject.${x.toLowerCase()}`) }))} />
    ${v.subject === 'INVOICE' && html`<${SelectField} form=${form} name="invoiceId" label=${t('complaint.invoice')} options=${invoices} />
      <${ShowMore} pages=${invoicePages} label=${t('payments.moreInvoices')} />`}
    ${['SERVICE', 'EQUIPMENT'].includes(v.subject) && html`<${SelectField} form=${form} name="serviceId" label=${t('complaint.service')} options=${services} required=${v.subject === 'SERVICE'} />`}
    ${v.subject === 'EQUIPMENT' && html`<${SelectField} form=${form} name="deviceId" label=${t('complaint.device')} options=${devices} required=${false} />`}
    <${Field} form=${form} name="periodFrom" type="date" label=${t('complaint.periodFrom')} required=${false} />
    <${Field} form=${form} name="periodTo" type="date" label=${t('complaint.periodTo')} required=${false} />
    <${Field} form=${form} name="amount" label=${t('complaint.amount')} inputmode="decimal" maxlength="14" required=${false} hint=${t('complaint.amountHint')} />
    ${v.amount.trim() && html`<${SelectField} form=${form} name="refundMethod" label=${t('complaint.refund')} options=${['WALLET', 'BANK_ACCOUNT'].map((x) => ({ value: x, label: t(`complaint.refund.${x.toLowerCase()}`) }))} />`}
    ${v.amount.trim() && v.refundMethod === 'BANK_ACCOUNT' && html`<${Field} form=${form} name="bankAccount" label=${t('complaint.iban')} autocomplete="off" maxlength="42" />`}
    <${Field} form=${form} name="description" type="textarea" label=${t('complaint.description')} maxlength="5000" />
    <div class="actions"><${SubmitButton} form=${form}>${t('complaint.send')}</${SubmitButton}></div>
  </form>`;
}

// A complaint in "Your requests": number, deadline, state, the answer and the money.
function ComplaintInfo({ c }) {
  const state = lower(c.state);
  const tone = state === 'pending' ? 'neutral' : state === 'rejected' ? 'danger' : 'success';
  return html`<div class="complaint-info">
    <p><${Badge} tone=${tone}>${t(`complaint.state.${state}`)}</${Badge}>
      <span class="muted small"> ${t('complaint.number', { number: c.number })} · ${t('complaint.deadline', { date: formatDate(c.deadline) })}</span></p>
    ${c.amountClaimed && html`<p class="small">${t('complaint.claimed', { amount: c.amountClaimed.formatted })}${c.amountGranted ? ` · ${t('complaint.granted', { amount: c.amountGranted.formatted })}` : ''}</p>`}
    ${c.walletCredit && html`<p class="small">${t('complaint.credited', { amount: c.walletCredit.amount.formatted, date: formatDateTime(c.walletCredit.createdAt) })}</p>`}
    ${c.amountGranted && c.bankAccountMasked && html`<p class="small">${t('complaint.toAccount', { account: c.bankAccountMasked })}</p>`}
    ${c.deemedAcceptedNote && html`<p class="small">${c.deemedAcceptedNote}</p>`}
    ${!c.decision && html`<p class="muted small">${c.acknowledgedAt ? t('complaint.acknowledged', { date: formatDateTime(c.acknowledgedAt) }) : t('complaint.notAcknowledged')}</p>`}
  </div>`;
}

// Writing back on a request the operator answered (the request goes back to "in progress").
function ReplyForm({ request, onSent }) {
  const form = useForm(`reply-${request.number}`, { body: '' });
  const [sent, setSent] = useState(false);
  const onSubmit = submitWith(
    form,
    async (v) => {
      setSent(false);
      return (await gql(REPLY_TO_CONTACT_REQUEST, { input: { requestId: request.id, body: v.body } })).replyToContactRequest;
    },
    () => {
      form.reset();
      setSent(true);
      onSent();
    },
  );
  return html`<form class="form" novalidate onSubmit=${onSubmit}>
    <${FormMessage} form=${form} success=${sent && t('contact.writeBackSent')} />
    <${Field} form=${form} name="body" type="textarea" label=${t('contact.writeBack')} maxlength="5000" />
    <div class="actions"><${SubmitButton} form=${form}>${t('contact.writeBackSend')}</${SubmitButton}></div>
  </form>`;
}

function RequestItem({ request: r, onSent }) {
  const answered = r.replies.some((rep) => lower(rep.author) === 'operator');
  // A complaint's stored subject is in the language it was filed in: name it from its number
  // and subject instead, in the current language.
  const title = r.complaint ? `${r.complaint.number}: ${t(`complaint.subject.${lower(r.complaint.subject)}`)}` : r.subject;
  // An answered complaint reopened by the customer's reply keeps its decision (shown below):
  // the request says the conversation continues rather than "in progress" beside it.
  const followUp = r.complaint && r.complaint.decision && (r.status === 'IN_PROGRESS' || r.status === 'NEW');
  return html`<li class="list-block" id=${`request-${r.number}`}><p>${r.complaint && html`<${Badge}>${t('complaint.badge')}</${Badge}> `}<strong>${title}</strong> ${followUp ? html`<${Badge}>${t('complaint.conversationContinues')}</${Badge}>` : html`<${StatusBadge} group="contactStatus" status=${r.status} />`}</p>
    <p class="muted small">${t(`topic.${lower(r.topic)}`)} · ${formatDateTime(r.createdAt)}</p>
    ${r.complaint && html`<${ComplaintInfo} c=${r.complaint} />`}
    ${r.replies.map((rep) => html`<p class="reply"><span class="muted small">${t(lower(rep.author) === 'operator' ? 'contact.reply' : 'contact.you')}:</span> ${rep.body}</p>`)}
    ${answered && html`<${ReplyForm} request=${r} onSent=${onSent} />`}</li>`;
}

export function Contact({ setUnread }) {
  const q = useQuery(CONTACT);
  const [kind, setKind] = useState('contact');
  useEffect(() => {
    if (q.data && setUnread) setUnread(q.data.viewer.unreadMessageCount);
  }, [q.data]);
  return html`<div>
    <${PageHeader} title=${t('nav.contact')} intro=${t('contact.intro')} />
    <${QueryView} q=${q}>${(data) => {
      const messages = connectionNodes(data.viewer.messages);
      const requests = data.viewer.contactRequests;
      return html`
        <${Card} id="messages" title=${t('contact.messages')} actions=${html`<span class="muted" data-testid="unread-count">${t('contact.unreadCount', { n: data.viewer.unreadMessageCount })}</span>`}>
          ${messages.length === 0 ? html`<${Empty}>${t('contact.noMessages')}</${Empty}>` : html`<ul class="messages">${messages.map((m) => html`<${Message} key=${m.id} message=${m} onRead=${() => q.reload(true)} />`)}</ul>`}
        </${Card}>
        <div class="cards">
          <${Card} id="contact-form" title=${kind === 'contact' ? t('contact.write') : t('complaint.title')}>
            <div class="actions" role="group" aria-label=${t('complaint.choice')}>
              ${['contact', 'complaint'].map((k) => html`<button type="button" class=${`btn ${kind === k ? 'btn-primary' : 'btn-secondary'}`} aria-pressed=${kind === k ? 'true' : 'false'} onClick=${() => setKind(k)}>${t(k === 'contact' ? 'contact.write' : 'complaint.title')}</button>`)}
            </div>
            ${kind === 'contact' ? html`<${ContactForm} onSent=${() => q.reload(true)} />` : html`<${ComplaintForm} data=${data} onSent=${() => q.reload(true)} />`}
          </${Card}>
          <${Card} id="contact-history" title=${t('contact.history')}>
            ${requests.length === 0 ? html`<${Empty}>${t('contact.noRequests')}</${Empty}>` : html`<ul class="list">
              ${requests.map((r) => html`<${RequestItem} key=${r.id} request=${r} onSent=${() => q.reload(true)} />`)}
            </ul>`}
          </${Card}>
        </div>`;
    }}</${QueryView}>
  </div>`;
}
