// One contact request or complaint: the customer, the conversation, the staff's internal notes,
// the assignment and status, the reply form and, for a complaint, its statutory part and the
// answer form. Opening it is a look at the customer's data: the server audits it by name.
import { html, useEffect, useState } from '../../../vendor/preact-htm.js';
import { gql, idempotencyKey } from '../../../js/api.js';
import { useForm } from '../../../js/forms.js';
import { formatDate, formatDateTime, t } from '../../../js/i18n.js';
import { Card, Field, FormMessage, PageHeader, QueryView, SelectField, SubmitButton, submitWith, useQuery } from '../../../js/ui.js';
import {
  ADD_CONTACT_NOTE, ANSWER_COMPLAINT, ASSIGN_REQUEST, CONTACT_REQUEST, REPLY_TO_REQUEST, SET_REQUEST_STATUS, WORKLOAD,
} from '../operations/queue.js';
import { Deadline, STATUSES, StatusBadge, isSupervisor, titleOf } from './queue.js';

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

/** The statuses a member may set by hand: the current one (selected, so saving without a change
 * does nothing), never NEW otherwise, on an unanswered complaint nothing that says it is
 * answered (the server refuses ANSWERED/CLOSED until the complaint's answer is sent, and
 * IN_PROGRESS once it is: COMPLAINT_STATUS_LOCKED). */
export function statusChoices(request) {
  const complaint = request.complaint;
  const allowed = (s) => {
    if (s === 'NEW') return false;
    if (complaint && !complaint.decision) return s !== 'ANSWERED' && s !== 'CLOSED';
    if (complaint) return s !== 'IN_PROGRESS';
    return true;
  };
  return STATUSES.filter((s) => s === request.status || allowed(s));
}

function StatusForm({ request, onDone }) {
  const form = useForm(`console-status-${request.number}`, { status: request.status }, { persist: false });
  const [saved, setSaved] = useState(null);
  const unchanged = form.values.status === request.status;
  const onSubmit = submitWith(
    form,
    async (values) => (await gql(SET_REQUEST_STATUS, { input: { requestId: request.id, status: values.status } })).setRequestStatus,
    () => { setSaved(t('console.request.statusSaved')); onDone(); },
  );
  return html`<form class="form" novalidate onSubmit=${(e) => { if (unchanged) e.preventDefault(); else onSubmit(e); }}>
    <${FormMessage} form=${form} success=${saved} />
    <${SelectField} form=${form} name="status" label=${t('console.request.setStatus')}
      options=${statusChoices(request).map((s) => ({ value: s, label: t(`console.status.${s.toLowerCase()}`) }))} />
    <div class="actions"><button type="submit" class="btn btn-secondary" disabled=${unchanged || form.busy}
      aria-busy=${form.busy ? 'true' : 'false'} data-testid="save-status">${t('console.request.saveStatus')}</button></div>
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
  const complaintOpen = request.complaint && !request.complaint.decision;
  const statuses = complaintOpen ? ['WAITING'] : REPLY_STATUSES;
  // The default is an offered option (an unanswered complaint can only wait for the customer),
  // and a kept draft naming one no longer offered falls back to it: what is shown is what goes.
  const form = useForm(`console-reply-${request.number}`, { body: '', status: complaintOpen ? 'WAITING' : 'ANSWERED' });
  const [sent, setSent] = useState(null);
  const [key, setKey] = useState(idempotencyKey); // one per reply: a resent form is not a second reply
  const offered = statuses.includes(form.values.status);
  useEffect(() => { if (!offered) form.set('status', statuses[0]); }, [offered]);
  const onSubmit = submitWith(
    form,
    async (values) => (await gql(REPLY_TO_REQUEST, {
      input: {
        requestId: request.id, body: values.body, status: statuses.includes(values.status) ? values.status : statuses[0], idempotencyKey: key,
      },
    })).replyToRequest,
    () => { form.reset({ body: '', status: complaintOpen ? 'WAITING' : 'ANSWERED' }); setKey(idempotencyKey()); setSent(t('console.request.replySent')); onDone(); },
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

/** The decisions that may be recorded: past the deadline the complaint is deemed accepted and
 * only a full acceptance may be recorded (the server refuses the others). */
export function decisionChoices(complaint) {
  return complaint.state === 'DEEMED_ACCEPTED' ? ['ACCEPTED'] : DECISIONS;
}

/** What the complaint concerns and how the money goes back (the IBAN grouped in fours by the server). */
function Concerns({ request }) {
  const c = request.complaint;
  const customer = `/console/customers/${encodeURIComponent(request.customer.id)}`;
  return html`
    ${c.invoice && html`<div><dt>${t('console.complaint.invoice')}</dt>
      <dd><a href=${`${customer}#c-invoices`}>${c.invoice.number}</a></dd></div>`}
    ${c.serviceIdentifier && html`<div><dt>${t('console.complaint.service')}</dt><dd class="mono">${c.serviceIdentifier}</dd></div>`}
    ${c.deviceSerial && html`<div><dt>${t('console.complaint.device')}</dt><dd class="mono">${c.deviceSerial}</dd></div>`}
    ${(c.periodFrom || c.periodTo) && html`<div><dt>${t('console.complaint.period')}</dt>
      <dd>${c.periodFrom ? formatDate(c.periodFrom) : '…'} – ${c.periodTo ? formatDate(c.periodTo) : '…'}</dd></div>`}
    <div><dt>${t('console.complaint.claimed')}</dt><dd>${c.amountClaimed ? c.amountClaimed.formatted : '—'}</dd></div>
    ${c.refundMethod && html`<div><dt>${t('console.complaint.refundMethod')}</dt>
      <dd>${t(`console.complaint.refund.${c.refundMethod.toLowerCase()}`)}</dd></div>`}
    ${c.bankAccount && html`<div><dt>${t('console.complaint.iban')}</dt><dd class="mono" data-testid="complaint-iban">${c.bankAccount}</dd></div>`}`;
}

function ComplaintPart({ request, writable, onDone }) {
  const c = request.complaint;
  const choices = decisionChoices(c);
  const form = useForm(`console-answer-${request.number}`, { decision: 'ACCEPTED', amountGranted: '', reason: '' }, { persist: false });
  const onSubmit = submitWith(
    form,
    async (values) => (await gql(ANSWER_COMPLAINT, {
      input: {
        requestId: request.id, decision: values.decision, reason: values.reason,
        amountGranted: partial ? values.amountGranted.trim() || null : null,
      },
    })).answerComplaint,
    () => onDone(),
  );
  const answered = !!c.decision;
  const reasonRequired = form.values.decision !== 'ACCEPTED';
  // The amount is asked only for a partial acceptance of a money claim: the server grants the
  // claim in full on acceptance and nothing on rejection.
  const partial = form.values.decision === 'PARTLY_ACCEPTED' && !!c.amountClaimed;
  // The reason's hint fits the decisions offered (past the deadline only acceptance is).
  const reasonHint = choices.length > 1 ? t('console.complaint.reasonHint') : t('console.complaint.reasonHintOptional');
  return html`<${Card} title=${t('console.request.complaintTitle', { number: c.number })} id="complaint">
    <dl class="facts" data-testid="complaint-facts">
      <div><dt>${t('console.complaint.subject')}</dt><dd>${t(`console.complaint.subject.${c.subject.toLowerCase()}`)}</dd></div>
      <${Concerns} request=${request} />
      <div><dt>${t('console.complaint.received')}</dt><dd>${formatDateTime(c.receivedAt)}</dd></div>
      <div><dt>${t('console.complaint.acknowledgement')}</dt><dd data-testid="complaint-ack">${c.acknowledgedAt
        ? t('console.complaint.acknowledgedAt', { date: formatDateTime(c.acknowledgedAt) }) : t('console.complaint.notAcknowledged')}</dd></div>
      <div><dt>${t('console.queue.deadline')}</dt><dd><${Deadline} complaint=${c} /></dd></div>
      <div><dt>${t('console.complaint.state')}</dt><dd data-testid="complaint-state">${t(`console.complaint.state.${c.state.toLowerCase()}`)}</dd></div>
      ${answered && html`<div><dt>${t('console.complaint.granted')}</dt><dd>${c.amountGranted ? c.amountGranted.formatted : '—'}</dd></div>`}
      ${answered && c.decisionReason && html`<div><dt>${t('console.complaint.reason')}</dt><dd>${c.decisionReason}</dd></div>`}
    </dl>
    ${!answered && writable && html`<form class="form" novalidate onSubmit=${onSubmit}>
      <h3>${t('console.complaint.answerTitle')}</h3>
      ${c.state === 'DEEMED_ACCEPTED' && html`<p class="notice notice-warning" id="deemed-hint">${t('console.complaint.deemedHint')}</p>`}
      <${FormMessage} form=${form} />
      <${SelectField} form=${form} name="decision" label=${t('console.complaint.decision')}
        options=${choices.map((d) => ({ value: d, label: t(`console.complaint.state.${d.toLowerCase()}`) }))} />
      ${partial && html`<${Field} form=${form} name="amountGranted" label=${t('console.complaint.amountGranted')} inputmode="decimal" maxlength="20"
        hint=${t('console.complaint.amountHint', { amount: c.amountClaimed.formatted })} />`}
      <${Field} form=${form} name="reason" type="textarea" required=${reasonRequired} aria-required=${reasonRequired ? 'true' : 'false'} maxlength="5000"
        label=${reasonRequired ? t('console.complaint.reasonRequired') : t('console.complaint.reason')}
        hint=${reasonHint} />
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
      // An agent writes to the customer only on an unassigned request or their own (the server
      // refuses the rest with ASSIGNED_TO_OTHER); notes stay open to everyone.
      const writable = !r.assignee || r.assignee.id === me.staff.id || isSupervisor(me);
      // The kind once: "Complaint R/…: invoice" (in the console's language), or "Request no. 12: …".
      const title = r.complaint ? t('console.queue.complaintNo', { number: titleOf(r) }) : `${t('console.queue.requestNo', { number: r.number })}: ${r.subject}`;
      return html`<div>
        <${PageHeader} title=${title} />
        <${Card} title=${t('console.request.summaryTitle')} id="summary">
          <${Summary} request=${r} />
          ${writable
            ? html`<${StatusForm} key=${r.status} request=${r} onDone=${reload} />`
            : html`<p class="notice notice-info" data-testid="others-request">${t('console.request.othersRequest', { name: r.assignee.name })}</p>`}
        </${Card}>
        <${Assignment} request=${r} me=${me} onDone=${reload} />
        ${r.complaint && html`<${ComplaintPart} request=${r} writable=${writable} onDone=${reload} />`}
        <${Conversation} detail=${detail} />
        ${writable && html`<${ReplyForm} request=${r} onDone=${reload} />`}
        <${Notes} detail=${detail} onDone=${reload} />
      </div>`;
    }}</${QueryView}>
  </div>`;
}
