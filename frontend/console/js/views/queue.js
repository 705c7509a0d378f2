// The queue of contact requests and complaints: filters (kept in the address, so a filtered
// queue is a link), what needs work first, and for supervisors the team's workload and the
// overdue list. One row leads to the request screen (request.js).
import { html, useState } from '../../../vendor/preact-htm.js';
import { gql } from '../../../js/api.js';
import { formatDate, formatDateTime, t } from '../../../js/i18n.js';
import { navigate } from '../../../js/router.js';
import { Badge, Card, Empty, PageHeader, QueryView, ShowMore, usePages, useQuery } from '../../../js/ui.js';
import { QUEUE, WORKLOAD } from '../operations/queue.js';

const PAGE = 25;
const DUE_SOON_DAYS = 7;
export const STATUSES = ['NEW', 'IN_PROGRESS', 'WAITING', 'ANSWERED', 'CLOSED'];
const STATUS_FILTERS = ['open', 'all', ...STATUSES.map((s) => s.toLowerCase())];
const KINDS = ['', 'complaint', 'contact'];

export function isSupervisor(me) {
  return me.staff.role === 'SUPERVISOR' || me.staff.role === 'ADMIN';
}

export function requestPath(id) {
  return `/console/queue/${encodeURIComponent(id)}`;
}

/** The filters in the address (``?status=open&kind=complaint&who=me&due=1&overdue=1``). */
function readFilters(query) {
  const pick = (name, allowed, fallback) => (allowed.includes(query.get(name)) ? query.get(name) : fallback);
  const who = query.get('who') || 'anyone';
  return {
    status: pick('status', STATUS_FILTERS, 'open'),
    kind: pick('kind', KINDS, ''),
    who: ['anyone', 'me', 'unassigned'].includes(who) || who.startsWith('member:') ? who : 'anyone',
    due: query.get('due') === '1',
    overdue: query.get('overdue') === '1',
  };
}

function variablesOf(filters, supervisor) {
  const statuses = filters.status === 'all' ? null
    : filters.status === 'open' ? ['NEW', 'IN_PROGRESS'] : [filters.status.toUpperCase()];
  const member = filters.who.startsWith('member:') ? filters.who.slice(7) : null;
  return {
    statuses,
    kind: filters.kind ? filters.kind.toUpperCase() : null,
    assigned: member ? 'ANYONE' : filters.who.toUpperCase(),
    memberId: supervisor ? member : null,
    overdue: supervisor && filters.overdue,
    dueWithinDays: filters.due ? DUE_SOON_DAYS : null,
    first: PAGE,
  };
}

function addressOf(filters) {
  const params = new URLSearchParams();
  if (filters.status !== 'open') params.set('status', filters.status);
  if (filters.kind) params.set('kind', filters.kind);
  if (filters.who !== 'anyone') params.set('who', filters.who);
  if (filters.due) params.set('due', '1');
  if (filters.overdue) params.set('overdue', '1');
  const search = params.toString();
  return `/console/queue${search ? `?${search}` : ''}`;
}

/** The deadline of a complaint in words, never by colour alone. */
export function Deadline({ complaint }) {
  if (!complaint) return html`<span class="muted">—</span>`;
  const { state, daysLeft, deadline } = complaint;
  if (state === 'DEEMED_ACCEPTED') {
    return html`<${Badge} tone="danger">${t('console.queue.overdue')}</${Badge}>
      <span class="small queue-deadline">${t('console.queue.deadlineWas', { date: formatDate(deadline) })}</span>`;
  }
  if (state !== 'PENDING') {
    // Answered: the deadline it had and the day it was answered (the decision is in its own column).
    return html`<span>${formatDate(deadline)}</span>
      <span class="small queue-deadline">${t('console.queue.answeredOn', { date: formatDate(complaint.decidedAt) })}</span>`;
  }
  const left = daysLeft === 0 ? t('console.queue.dueToday') : t('console.queue.daysLeft', { days: daysLeft });
  return html`${daysLeft <= DUE_SOON_DAYS ? html`<${Badge} tone="warning">${left}</${Badge}>` : html`<span>${left}</span>`}
    <span class="small queue-deadline">${formatDate(deadline)}</span>`;
}

/** "Complaint" or "Request no. 12": the kind, said once (a complaint's title has its number). */
function kindLabel(r) {
  if (!r.complaint) return t('console.queue.requestNo', { number: r.number });
  return t('console.queue.kindFilter.complaint');
}

/** A request's title: a complaint by its number and subject in the console's language (its
 * stored subject line is in the customer's language and says "Complaint" again), else the
 * customer's subject. */
export function titleOf(r) {
  if (!r.complaint) return r.subject;
  return `${r.complaint.number}: ${t(`console.complaint.subject.${r.complaint.subject.toLowerCase()}`)}`;
}

export function StatusBadge({ status }) {
  const tone = { NEW: 'info', IN_PROGRESS: 'warning', WAITING: 'neutral', ANSWERED: 'success', CLOSED: 'neutral' }[status];
  return html`<${Badge} tone=${tone}>${t(`console.status.${status.toLowerCase()}`)}</${Badge}>`;
}

function Filters({ filters, supervisor, members }) {
  const [values, setValues] = useState(filters);
  const set = (name) => (e) => setValues({ ...values, [name]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
  const submit = (e) => {
    e.preventDefault();
    navigate(addressOf(values));
  };
  const select = (name, label, options) => html`<div class="field">
    <label for=${`queue-${name}`}>${label}</label>
    <select id=${`queue-${name}`} name=${name} value=${values[name]} onChange=${set(name)}>
      ${options.map((o) => html`<option value=${o.value}>${o.label}</option>`)}
    </select>
  </div>`;
  const check = (name, label) => html`<div class="field field-check">
    <input type="checkbox" id=${`queue-${name}`} name=${name} checked=${values[name]} onChange=${set(name)} />
    <label for=${`queue-${name}`}>${label}</label>
  </div>`;
  const who = [
    { value: 'anyone', label: t('console.queue.whoAnyone') },
    { value: 'me', label: t('console.queue.whoMe') },
    { value: 'unassigned', label: t('console.queue.whoUnassigned') },
    ...(supervisor ? members.map((m) => ({ value: `member:${m.member.id}`, label: m.member.name })) : []),
  ];
  return html`<form class="form queue-filters" role="search" aria-label=${t('console.queue.filters')} onSubmit=${submit}>
    <div class="queue-filter-fields">
      ${select('status', t('console.queue.status'), STATUS_FILTERS.map((s) => ({ value: s, label: t(`console.queue.statusFilter.${s}`) })))}
      ${select('kind', t('console.queue.kind'), KINDS.map((k) => ({ value: k, label: t(`console.queue.kindFilter.${k || 'all'}`) })))}
      ${select('who', t('console.queue.who'), who)}
    </div>
    <div class="queue-filter-checks">
      ${check('due', t('console.queue.dueSoon', { days: DUE_SOON_DAYS }))}
      ${supervisor && check('overdue', t('console.queue.overdueOnly'))}
    </div>
    <div class="actions"><button type="submit" class="btn btn-primary">${t('console.queue.apply')}</button>
      <a href="/console/queue">${t('console.queue.reset')}</a></div>
  </form>`;
}

/** The column's name before a value where the table is stacked (tablets, phones): screen
 * readers have the column headers, so it is hidden from them. */
function StackLabel({ text }) {
  return html`<span class="stack-label" aria-hidden="true">${text}: </span>`;
}

function Rows({ connection, variables }) {
  const pages = usePages(connection, async (after) => (await gql(QUEUE, { ...variables, after })).queue);
  if (!pages.nodes.length) return html`<${Empty}>${t('console.queue.empty')}</${Empty}>`;
  return html`<div class="table-wrap" ref=${pages.ref}>
    <table class="table table-stack queue-table">
      <caption class="sr-only">${t('console.queue.caption')}</caption>
      <thead><tr>
        <th scope="col">${t('console.queue.request')}</th>
        <th scope="col">${t('console.queue.customer')}</th>
        <th scope="col">${t('console.queue.status')}</th>
        <th scope="col">${t('console.queue.assignee')}</th>
        <th scope="col">${t('console.queue.deadline')}</th>
        <th scope="col">${t('console.queue.received')}</th>
      </tr></thead>
      <tbody>
        ${pages.nodes.map((r, i) => html`<tr key=${r.id} ...${pages.rowProps(i)} data-testid="queue-row">
          <th scope="row">
            <span class="small muted">${kindLabel(r)}</span><br />
            <a href=${requestPath(r.id)}>${titleOf(r)}</a>
          </th>
          <td>${r.customer.name}<br /><span class="small muted mono">${r.customer.number}</span></td>
          <td><${StatusBadge} status=${r.status} /></td>
          <td><${StackLabel} text=${t('console.queue.assignee')} />${r.assignee ? r.assignee.name : html`<span class="muted">${t('console.queue.nobody')}</span>`}</td>
          <td class=${r.complaint ? '' : 'queue-no-deadline'}>${r.complaint ? html`<${StackLabel} text=${t('console.queue.deadline')} /><${Deadline} complaint=${r.complaint} />` : html`<span class="muted" aria-hidden="true">—</span>`}</td>
          <td class="small"><${StackLabel} text=${t('console.queue.received')} />${formatDateTime(r.createdAt)}</td>
        </tr>`)}
      </tbody>
    </table>
    <${ShowMore} pages=${pages} />
  </div>`;
}

function Team({ data }) {
  return html`<${Card} title=${t('console.queue.teamTitle')} id="team">
    <div class="table-wrap"><table class="table">
      <thead><tr>
        <th scope="col">${t('console.queue.member')}</th>
        <th scope="col" class="num">${t('console.queue.assigned')}</th>
        <th scope="col" class="num">${t('console.queue.open')}</th>
        <th scope="col" class="num">${t('console.queue.overdueCount')}</th>
      </tr></thead>
      <tbody>${data.workload.map((w) => html`<tr key=${w.member.id}>
        <th scope="row"><a href=${addressOf({ status: 'all', kind: '', who: `member:${w.member.id}`, due: false, overdue: false })}>${w.member.name}</a></th>
        <td class="num">${w.assigned}</td><td class="num">${w.open}</td>
        <td class="num">${w.overdue ? html`<strong>${w.overdue}</strong>` : 0}</td>
      </tr>`)}
      <tr data-testid="team-unassigned">
        <th scope="row"><a href=${addressOf({ status: 'all', kind: '', who: 'unassigned', due: false, overdue: false })}>${t('console.queue.whoUnassigned')}</a></th>
        <td class="num">${data.unassignedWorkload.waiting}</td><td class="num">${data.unassignedWorkload.open}</td>
        <td class="num">${data.unassignedWorkload.overdue ? html`<strong>${data.unassignedWorkload.overdue}</strong>` : 0}</td>
      </tr></tbody>
    </table></div>
    <p><a href=${addressOf({ status: 'all', kind: 'complaint', who: 'anyone', due: false, overdue: true })}>${t('console.queue.showOverdue')}</a></p>
  </${Card}>`;
}

export function Queue({ query, me }) {
  const supervisor = isSupervisor(me);
  const filters = readFilters(query);
  const variables = variablesOf(filters, supervisor);
  const q = useQuery(QUEUE, variables);
  const team = useQuery(WORKLOAD, {}, { skip: !supervisor });
  const members = (team.data && team.data.workload) || [];
  return html`<div>
    <${PageHeader} title=${t('console.queue.title')} intro=${t('console.queue.intro')} />
    ${supervisor && team.data && html`<${Team} data=${team.data} />`}
    <${Card} title=${t('console.queue.listTitle')} id="queue-list">
      <${Filters} key=${addressOf(filters)} filters=${filters} supervisor=${supervisor} members=${members} />
      <${QueryView} q=${q}>${(data) => html`<${Rows} connection=${data.queue} variables=${variables} />`}</${QueryView}>
    </${Card}>
  </div>`;
}
