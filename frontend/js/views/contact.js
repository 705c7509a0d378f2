// Contact: messages from the operator (unread badge), the contact form and its history.
import { html, useEffect, useState } from '../../vendor/preact-htm.js';
import { gql } from '../api.js';
import { useForm } from '../forms.js';
import { formatDateTime, t } from '../i18n.js';
import { MARK_MESSAGE_READ, REPLY_TO_CONTACT_REQUEST, SEND_CONTACT_REQUEST } from '../operations/actions.js';
import { CONTACT } from '../operations/customer.js';
import { Badge, Card, Empty, Field, FormMessage, PageHeader, QueryView, SelectField, SubmitButton, submitWith, useQuery } from '../ui.js';
import { connectionNodes, lower, StatusBadge } from './common.js';

const TOPICS = ['BILLING', 'TECHNICAL', 'PACKAGES', 'CONTRACT', 'OTHER'];

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
  return html`<li class="list-block" id=${`request-${r.number}`}><p><strong>${r.subject}</strong> <${StatusBadge} group="contactStatus" status=${r.status} /></p>
    <p class="muted small">${t(`topic.${lower(r.topic)}`)} · ${formatDateTime(r.createdAt)}</p>
    ${r.replies.map((rep) => html`<p class="reply"><span class="muted small">${t(lower(rep.author) === 'operator' ? 'contact.reply' : 'contact.you')}:</span> ${rep.body}</p>`)}
    ${answered && html`<${ReplyForm} request=${r} onSent=${onSent} />`}</li>`;
}

export function Contact({ setUnread }) {
  const q = useQuery(CONTACT);
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
          <${Card} id="contact-form" title=${t('contact.write')}><${ContactForm} onSent=${() => q.reload(true)} /></${Card}>
          <${Card} id="contact-history" title=${t('contact.history')}>
            ${requests.length === 0 ? html`<${Empty}>${t('contact.noRequests')}</${Empty}>` : html`<ul class="list">
              ${requests.map((r) => html`<${RequestItem} key=${r.id} request=${r} onSent=${() => q.reload(true)} />`)}
            </ul>`}
          </${Card}>
        </div>`;
    }}</${QueryView}>
  </div>`;
}
