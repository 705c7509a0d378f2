// One contact request or complaint: the customer, the conversation, the staff's internal notes,
// the assignment and status, the reply form and, for a complaint, its statutory part and the
// answer form. Opening it is a look at the customer's data: the server audits it by name.
import { html, useState } from '/vendor/preact-htm.js';
import { gql, idempotencyKey } from '/js/api.js';
import { useForm } from '/js/forms.js';
import { formatDate, formatDateTime, t } from '/js/i18n.js';
import { Badge, Card, Field, FormMessage, PageHeader, QueryView, SelectField, SubmitButton, submitWith, useQuery } from '/js/ui.js';
import {
  ADD_CONTACT_NOTE, ANSWER_COMPLAINT, ASSIGN_REQUEST, CONTACT_REQUEST, REPLY_TO_REQUEST, SET_REQUEST_STATUS, WORKLOAD,
} from '../operations/queue.js';
import { Deadline, STATUSES, StatusBadge, isSupervisor } from './queue.js';

const REPLY_STATUSES = ['WAITING', 'ANSWERED', 'CLOSED'];
const DECISIONS = ['ACCEPTED', 'PARTLY_ACCEPTED', 'REJECTED'];

function Summary({ request }) {
  const c = request.customer;
  return html`<dl class="facts">
    <div><dt>${t('console.queue.customer')}</dt>
      <dd><a href=${`/console/customers/${encodeURIComponent(c.id)}`}>${c.name}</a> <span class="mono small">${c.number}</span></dd></div>
    <div><dt>${t('console.queue.status')}</dt><dd><${StatusBadge} status=${request.status} /></dd></div>
    <div><dt>${t('console.request.topic')}</dt><dd>${t(`console.request.topic.${request.topic.toLowerCase()}`)}</dd></div>
    <div><dt>${t('console.queue.received')}</dt><dd>${formatDateTime(request.createdAt)}</dd></div>
  </dl>`;
}

function Assignment({ request, me, onDone }) {
  const supervisor = isSupervisor(me);
  const team = useQuery(WORKLOAD, {}, { skip: !supervisor });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [chosen, setChosen] = useState('');
  const assign = async (assigneeId) => {
    setBusy(true);
    setError(null);
    try {
      const payload = (await gql(ASSIGN_REQUEST, { input: { requestId: request.id, assigneeId } })).assignRequest;
      if (payload.errors.length) setError(payload.errors[0].message);
      else onDone();
    } catch (e) {
      setError(e.network ? t('common.networkError') : t('common.actionError'));
    } finally {
      setBusy(false);
    }
  };
  const mine = request.assignee && request.assignee.id === me.staff.id;
  return html`<${Card} title=${t('console.request.assignmentTitle')} id="assignment">
    <p data-testid="assignee">${request.assignee ? t('console.request.assignedTo', { name: request.assignee.name }) : t('console.request.unassigned')}</p>
    <div class="actions">
      ${!mine && (!request.assignee || supervisor) && html`<button type="button" class="btn btn-primary" disabled=${busy} onClick=${() => assign(me.staff.id)}>${t('console.request.take')}</button>`}
      ${request.assignee && (mine || supervisor) && html`<button type="button" class="btn btn-secondary" disabled=${busy} onClick=${() => assign(null)}>${t('console.request.release')}</button>`}
    </div>
    ${supervisor && team.data && html`<form class="form inline-form" onSubmit=${(e) => { e.preventDefault(); if (chosen) assign(chosen); }}>
      <div class="field"><label for="assign-member">${t('console.request.assignTo')}</label>
        <select id="assign-member" value=${chosen} onChange=${(e) => setChosen(e.currentTarget.value)}>
          <option value="">${t('console.request.chooseMember')}</option>
          ${team.data.workload.map((w) => html`<option value=${w.member.id}>${w.member.name}</option>`)}
        </select></div>
      <div class="actions"><button type="submit" class="btn btn-secondary" disabled=${busy || !chosen}>${t('console.request.assign')}</button></div>
    </form>`}
    ${error && html`<p class="field-error" role="alert">${error}</p>`}
  </${Card}>`;
}

function StatusForm({ request, onDone }) {
  const form = useForm(`console-status-${request.number}`, { status: request.status === 'NEW' ? 'IN_PROGRESS' : request.status }, { persist: false });
  const [saved, setSaved] = useState(null);
  const onSubmit = submitWith(
    form,
    async (values) => (await gql(SET_REQUEST_STATUS, { input: { requestId: request.id, status: values.status } })).setRequestStatus,
    () => { setSaved(t('console.request.statusSaved')); onDone(); },
  );
  return html`<form class="form" novalidate onSubmit=${onSubmit}>
    <${FormMessage} form=${form} success=${saved} />
    <${SelectField} form=${form} name="status" label=${t('console.request.setStatus')}
      options=${STATUSES.filter((s) => s !== 'NEW').map((s) => ({ value: s, label: t(`console.status.${s.toLowerCase()}`) }))} />
    <div class="actions"><${SubmitButton} form=${form} className="btn btn-secondary">${t('console.request.saveStatus')}</${SubmitButton}></div>
  </form>`;
}

function authorOf(reply) {
  if (reply.author === 'CUSTOMER') return t('console.request.fromCustomer');
  return reply.staff ? reply.staff.name : t('console.request.fromOperator');
}

function Conversation({ detail }) {
  const r = detail.request;
  return html`<${Card} title=${t('console.request.conversationTitle')} id="conversation">
    <ol class="conversation">
      <li class="conv-item conv-customer">
        <p class="conv-head"><strong>${t('console.request.fromCustomer')}</strong> <span class="muted small">${formatDateTime(r.createdAt)}</span></p>
        <p class="conv-body">${detail.body}</p>
      </li>
      ${detail.replies.map((m) => html`<li class=${`conv-item ${m.author === 'CUSTOMER' ? 'conv-customer' : 'conv-staff'}`}>
        <p class="conv-head"><strong>${authorOf(m)}</strong> <span class="muted small">${formatDateTime(m.createdAt)}</span></p>
        <p class="conv-body">${m.body}</p>
      </li>`)}
    </ol>
  </${Card}>`;
}

function ReplyForm({ request, onDone }) {
  const form = useForm(`console-reply-${request.number}`, { body: '', status: 'ANSWERED' });
  const [sent, setSent] = useState(null);
  const [key, setKey] = useState(idempotencyKey); // one per reply: a resent form is not a second reply
  const complaintOpen = request.complaint && !request.complaint.decision;
  const statuses = complaintOpen ? ['WAITING'] : REPLY_STATUSES;
  const onSubmit = submitWith(
    form,
    async (values) => (await gql(REPLY_TO_REQUEST, {
      input: {
        requestId: request.id, body: values.body, status: statuses.includes(values.status) ? values.status : statuses[0], idempotencyKey: key,
      },
    })).replyToRequest,
    () => { form.reset({ body: '', status: 'ANSWERED' }); setKey(idempotencyKey()); setSent(t('console.request.replySent')); onDone(); },
  );
  return html`<${Card} title=${t('console.request.replyTitle')} id="reply">
    ${complaintOpen && html`<p class="notice notice-info">${t('console.request.complaintReplyHint')}</p>`}
    <form class="form" novalidate onSubmit=${onSubmit}>
      <${FormMessage} form=${form} success=${sent} />
      <${Field} form=${form} name="body" type="textarea" label=${t('console.request.replyBody')} maxlength="5000" hint=${t('console.request.replyHint')} />
      <${SelectField} form=${form} name="status" label=${t('console.request.replyStatus')}
        options=${statuses.map((s) => ({ value: s, label: t(`console.request.after.${s.toLowerCase()}`) }))} />
      <div class="actions"><${SubmitButton} form=${form}>${t('console.request.send')}</${SubmitButton}></div>
    </form>
  </${Card}>`;
}

function Notes({ detail, onDone }) {
  const id = detail.request.id;
  const form = useForm(`console-note-${detail.request.number}`, { body: '' });
  const onSubmit = submitWith(
    form,
    async (values) => (await gql(ADD_CONTACT_NOTE, { input: { requestId: id, body: values.body } })).addContactNote,
    () => { form.reset({ body: '' }); onDone(); },
  );
  return html`<${Card} title=${t('console.request.notesTitle')} id="notes">
    <p class="muted small">${t('console.request.notesHint')}</p>
    ${detail.notes.length
      ? html`<ul class="notes">${detail.notes.map((n) => html`<li>
          <p class="conv-head"><strong>${n.staff ? n.staff.name : '—'}</strong> <span class="muted small">${formatDateTime(n.createdAt)}</span></p>
          <p class="conv-body">${n.body}</p></li>`)}</ul>`
      : html`<p>${t('console.request.noNotes')}</p>`}
    <form class="form" novalidate onSubmit=${onSubmit}>
      <${FormMessage} form=${form} />
      <${Field} form=${form} name="body" type="textarea" label=${t('console.request.noteBody')} maxlength="5000" />
      <div class="actions"><${SubmitButton} form=${form} className="btn btn-secondary">${t('console.request.addNote')}</${SubmitButton}></div>
    </form>
  </${Card}>`;
}

function ComplaintPart({ request, onDone }) {
  const c = request.complaint;
  const form = useForm(`console-answer-${request.number}`, { decision: 'ACCEPTED', amountGranted: '', reason: '' }, { persist: false });
  const onSubmit = submitWith(
    form,
    async (values) => (await gql(ANSWER_COMPLAINT, {
      input: { requestId: request.id, decision: values.decision, reason: values.reason, amountGranted: values.amountGranted.trim() || null },
    })).answerComplaint,
    () => onDone(),
  );
  const answered = !!c.decision;
  return html`<${Card} title=${t('console.request.complaintTitle', { number: c.number })} id="complaint">
    <dl class="facts">
      <div><dt>${t('console.complaint.subject')}</dt><dd>${t(`console.complaint.subject.${c.subject.toLowerCase()}`)}</dd></div>
      ${c.periodFrom && html`<div><dt>${t('console.complaint.period')}</dt><dd>${formatDate(c.periodFrom)} – ${formatDate(c.periodTo)}</dd></div>`}
      <div><dt>${t('console.complaint.claimed')}</dt><dd>${c.amountClaimed ? c.amountClaimed.formatted : '—'}
        ${c.refundMethod && html` <span class="small">(${t(`console.complaint.refund.${c.refundMethod.toLowerCase()}`)})</span>`}</dd></div>
      <div><dt>${t('console.complaint.received')}</dt><dd>${formatDateTime(c.receivedAt)}</dd></div>
      <div><dt>${t('console.queue.deadline')}</dt><dd><${Deadline} complaint=${c} /></dd></div>
      <div><dt>${t('console.complaint.state')}</dt><dd data-testid="complaint-state">${t(`console.complaint.state.${c.state.toLowerCase()}`)}</dd></div>
      ${answered && html`<div><dt>${t('console.complaint.granted')}</dt><dd>${c.amountGranted ? c.amountGranted.formatted : '—'}</dd></div>`}
      ${answered && c.decisionReason && html`<div><dt>${t('console.complaint.reason')}</dt><dd>${c.decisionReason}</dd></div>`}
      ${answered && html`<div><dt>${t('console.complaint.decidedAt')}</dt><dd>${formatDateTime(c.decidedAt)}</dd></div>`}
    </dl>
    ${!answered && html`<form class="form" novalidate onSubmit=${onSubmit}>
      <h3>${t('console.complaint.answerTitle')}</h3>
      ${c.state === 'DEEMED_ACCEPTED' && html`<p class="notice notice-warning">${t('console.complaint.deemedHint')}</p>`}
      <${FormMessage} form=${form} />
      <${SelectField} form=${form} name="decision" label=${t('console.complaint.decision')}
        options=${DECISIONS.map((d) => ({ value: d, label: t(`console.complaint.state.${d.toLowerCase()}`) }))} />
      <${Field} form=${form} name="amountGranted" label=${t('console.complaint.amountGranted')} required=${false} inputmode="decimal" maxlength="20"
        hint=${t('console.complaint.amountHint')} />
      <${Field} form=${form} name="reason" type="textarea" label=${t('console.complaint.reason')} required=${false} maxlength="5000"
        hint=${t('console.complaint.reasonHint')} />
      <div class="actions"><${SubmitButton} form=${form}>${t('console.complaint.answer')}</${SubmitButton}></div>
    </form>`}
  </${Card}>`;
}

export function Request({ params, me }) {
  const q = useQuery(CONTACT_REQUEST, { id: params.id });
  const reload = () => q.reload(true);
  return html`<div>
    <p><a href="/console/queue">${t('console.request.back')}</a></p>
    <${QueryView} q=${q}>${(data) => {
      const detail = data.contactRequest;
      const r = detail.request;
      const title = r.complaint ? t('console.queue.complaintNo', { number: r.complaint.number }) : t('console.queue.requestNo', { number: r.number });
      return html`<div>
        <${PageHeader} title=${r.subject.includes(r.complaint ? r.complaint.number : `nr ${r.number}`) ? r.subject : `${title}: ${r.subject}`} />
        ${r.kind === 'COMPLAINT' && html`<p><${Badge} tone="info">${t('console.queue.kindFilter.complaint')}</${Badge}></p>`}
        <${Card} title=${t('console.request.summaryTitle')} id="summary">
          <${Summary} request=${r} />
          <${StatusForm} key=${r.status} request=${r} onDone=${reload} />
        </${Card}>
        <${Assignment} request=${r} me=${me} onDone=${reload} />
        ${r.complaint && html`<${ComplaintPart} request=${r} onDone=${reload} />`}
        <${Conversation} detail=${detail} />
        <${ReplyForm} request=${r} onDone=${reload} />
        <${Notes} detail=${detail} onDone=${reload} />
      </div>`;
    }}</${QueryView}>
  </div>`;
}
