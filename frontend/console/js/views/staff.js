// Staff accounts (admins): the list, a new member (the initial password shown once), disabling,
// enabling and resetting a member's second factor (a lost phone: the next login enrols again).
import { html, useState } from '../../../vendor/preact-htm.js';
import { gql } from '../../../js/api.js';
import { useForm } from '../../../js/forms.js';
import { formatDateTime, t } from '../../../js/i18n.js';
import { Badge, Card, Field, FormMessage, PageHeader, QueryView, SelectField, SubmitButton, submitWith, useQuery } from '../../../js/ui.js';
import {
  CREATE_STAFF_MEMBER, DISABLE_STAFF_MEMBER, ENABLE_STAFF_MEMBER, RESET_STAFF_PASSWORD, RESET_STAFF_SECOND_FACTOR, STAFF_MEMBERS,
} from '../operations/accounts.js';

const ROLES = ['AGENT', 'SUPERVISOR', 'ADMIN'];

function NewMember({ onCreated }) {
  const form = useForm('console-new-staff', { email: '', name: '', role: 'AGENT' }, { persist: false });
  const [created, setCreated] = useState(null);
  const onSubmit = submitWith(
    form,
    async (values) => (await gql(CREATE_STAFF_MEMBER, { input: values })).createStaffMember,
    (payload) => {
      setCreated(payload);
      form.reset();
      onCreated();
    },
  );
  return html`<${Card} title=${t('console.staff.newTitle')} id="new-staff">
    ${created && html`<div class="notice notice-success" role="status" data-testid="initial-password">
      <p>${t('console.staff.created', { email: created.member.email })}</p>
      <p>${t('console.staff.initialPassword')} <code class="mono">${created.initialPassword}</code></p>
    </div>`}
    <form class="form" novalidate onSubmit=${onSubmit}>
      <${FormMessage} form=${form} />
      <div class="grid-2">
        <${Field} form=${form} name="email" type="email" label=${t('console.staff.email')} autocomplete="off" maxlength="254" />
        <${Field} form=${form} name="name" label=${t('console.staff.name')} autocomplete="off" maxlength="100" />
      </div>
      <${SelectField} form=${form} name="role" label=${t('console.staff.role')}
        options=${ROLES.map((r) => ({ value: r, label: t(`console.role.${r.toLowerCase()}`) }))} />
      <div class="actions"><${SubmitButton} form=${form}>${t('console.staff.create')}</${SubmitButton}></div>
    </form>
  </${Card}>`;
}

/** What disabling or resetting does, asked before it is done (naming the member). */
const CONFIRM = {
  disable: { operation: DISABLE_STAFF_MEMBER, field: 'disableStaffMember', text: 'console.staff.confirmDisable', yes: 'console.staff.disable' },
  reset: { operation: RESET_STAFF_SECOND_FACTOR, field: 'resetStaffSecondFactor', text: 'console.staff.confirmReset', yes: 'console.staff.reset' },
  password: { operation: RESET_STAFF_PASSWORD, field: 'resetStaffPassword', text: 'console.staff.confirmPassword', yes: 'console.staff.resetPassword' },
};

/** The badge of each account state (``StaffAccountState``, computed by the server now). */
const STATE_TONES = {
  DISABLED: 'danger', LOCKED: 'warning', INITIAL_PASSWORD_EXPIRED: 'warning',
  INITIAL_PASSWORD_PENDING: 'info', ENROLMENT_PENDING: 'info', ENROLLED: 'success',
};
const STATE_HINTS = { INITIAL_PASSWORD_EXPIRED: 'console.staff.state.resetIt', ENROLMENT_PENDING: 'console.staff.notEnrolled' };

function MemberRow({ member, self, onChanged }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [asking, setAsking] = useState(null); // 'disable' | 'reset' | 'password' while the admin confirms
  const [initial, setInitial] = useState(null); // a reset password, shown once
  const act = async (operation, field) => {
    setBusy(true);
    setError(null);
    setAsking(null);
    try {
      const payload = (await gql(operation, { input: { id: member.id } }))[field];
      if (payload.errors.length) setError(payload.errors[0].message);
      else {
        if (payload.initialPassword) setInitial(payload.initialPassword);
        onChanged();
      }
    } catch (e) {
      setError(e.network ? t('common.networkError') : t('common.actionError'));
    } finally {
      setBusy(false);
    }
  };
  const state = html`<${Badge} tone=${STATE_TONES[member.state]}>${t(`console.staff.state.${member.state.toLowerCase()}`)}</${Badge}>${
    member.state === 'INITIAL_PASSWORD_PENDING'
      ? html` <span class="muted small">${t('console.staff.state.until', { date: formatDateTime(member.initialPasswordExpiresAt) })}</span>`
      : STATE_HINTS[member.state] && html` <span class="muted small">${t(STATE_HINTS[member.state])}</span>`}`;
  const confirm = asking && CONFIRM[asking];
  return html`<tr>
    <th scope="row">${member.name}<br /><span class="muted small">${member.email}</span></th>
    <td>${t(`console.role.${member.role.toLowerCase()}`)}</td>
    <td>${state}</td>
    <td>${member.lastLoginAt ? formatDateTime(member.lastLoginAt) : '—'}</td>
    <td class="staff-actions">
      ${!self && (member.disabled || member.state === 'LOCKED') && html`<button type="button" class="btn btn-secondary btn-small" disabled=${busy}
          onClick=${() => act(ENABLE_STAFF_MEMBER, 'enableStaffMember')}
          aria-label=${t(member.disabled ? 'console.staff.enableOf' : 'console.staff.unlockOf', { name: member.name })}>
          ${t(member.disabled ? 'console.staff.enable' : 'console.staff.unlock')}</button>`}
      ${!self && !member.disabled && !confirm && html`<button type="button" class="btn btn-secondary btn-small" disabled=${busy} onClick=${() => setAsking('disable')}
          aria-label=${t('console.staff.disableOf', { name: member.name })}>${t('console.staff.disable')}</button>`}
      ${!self && member.enrolled && !member.disabled && !confirm && html`<button type="button" class="btn btn-ghost btn-small" disabled=${busy} onClick=${() => setAsking('reset')}
          aria-label=${t('console.staff.resetOf', { name: member.name })}>${t('console.staff.reset')}</button>`}
      ${!self && !member.disabled && !confirm && html`<button type="button" class="btn btn-ghost btn-small" disabled=${busy} onClick=${() => setAsking('password')}
          aria-label=${t('console.staff.resetPasswordOf', { name: member.name })}>${t('console.staff.resetPassword')}</button>`}
      ${initial && html`<p class="notice notice-success" role="status" data-testid="reset-password">${t('console.staff.initialPassword')} <code class="mono">${initial}</code></p>`}
      ${confirm && html`<div class="staff-confirm" role="group" aria-label=${t(confirm.text, { name: member.name })} data-testid="staff-confirm">
        <p role="alert">${t(confirm.text, { name: member.name })}</p>
        <button type="button" class="btn btn-primary btn-small" disabled=${busy} onClick=${() => act(confirm.operation, confirm.field)}>${t('console.staff.confirmYes', { action: t(confirm.yes) })}</button>
        <button type="button" class="btn btn-secondary btn-small" disabled=${busy} onClick=${() => setAsking(null)}>${t('console.staff.cancel')}</button>
      </div>`}
      ${error && html`<p class="field-error" role="alert">${error}</p>`}
    </td>
  </tr>`;
}

export function Staff({ me }) {
  const q = useQuery(STAFF_MEMBERS);
  return html`<div>
    <${PageHeader} title=${t('console.staff.title')} intro=${t('console.staff.intro')} />
    <${Card} title=${t('console.staff.listTitle')} id="staff-list">
      <${QueryView} q=${q}>${(data) => html`<div class="table-wrap">
        <table class="table">
          <thead><tr>
            <th scope="col">${t('console.staff.name')}</th><th scope="col">${t('console.staff.role')}</th>
            <th scope="col">${t('console.staff.state')}</th><th scope="col">${t('console.staff.lastLogin')}</th>
            <th scope="col">${t('console.staff.actions')}</th>
          </tr></thead>
          <tbody>
            ${data.staffMembers.map((m) => html`<${MemberRow} key=${m.id} member=${m} self=${m.id === me.staff.id} onChanged=${() => q.reload(true)} />`)}
          </tbody>
        </table>
      </div>`}</${QueryView}>
    </${Card}>
    <${NewMember} onCreated=${() => q.reload(true)} />
  </div>`;
}
