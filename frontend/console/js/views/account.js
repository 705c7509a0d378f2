// The member's own account: who they are, a new password, and new recovery codes (confirmed by a TOTP code; the
// old ones stop working) when they have used or lost them.
import { html, useState } from '../../../vendor/preact-htm.js';
import { gql } from '../../../js/api.js';
import { useForm } from '../../../js/forms.js';
import { t } from '../../../js/i18n.js';
import { Card, Field, FormMessage, PageHeader, SubmitButton, submitWith } from '../../../js/ui.js';
import { CHANGE_STAFF_PASSWORD, REGENERATE_RECOVERY_CODES } from '../operations/accounts.js';

/** A new password, confirmed by the current one and a code from the app; other sessions end. */
function ChangePassword() {
  const form = useForm('console-change-password', { currentPassword: '', newPassword: '', code: '' }, { persist: false });
  const [done, setDone] = useState(null);
  const onSubmit = submitWith(
    form,
    async (values) => (await gql(CHANGE_STAFF_PASSWORD, { input: values })).changeStaffPassword,
    () => {
      setDone(t('console.account.passwordChanged'));
      form.reset();
    },
  );
  return html`<${Card} title=${t('console.account.passwordTitle')} id="account-password">
    <form class="form" novalidate onSubmit=${onSubmit}>
      <${FormMessage} form=${form} success=${done} />
      <${Field} form=${form} name="currentPassword" type="password" label=${t('console.account.currentPassword')} autocomplete="current-password" maxlength="1000" />
      <${Field} form=${form} name="newPassword" type="password" label=${t('console.newPassword.label')} hint=${t('console.newPassword.hint')} autocomplete="new-password" maxlength="1000" />
      <${Field} form=${form} name="code" label=${t('console.login.code')} hint=${t('console.login.codeHint')} autocomplete="one-time-code" inputmode="numeric" maxlength="8" />
      <div class="actions"><${SubmitButton} form=${form}>${t('console.account.passwordSubmit')}</${SubmitButton}></div>
    </form>
  </${Card}>`;
}

export function Account({ me }) {
  const form = useForm('console-new-codes', { code: '' }, { persist: false });
  const [codes, setCodes] = useState(null);
  const onSubmit = submitWith(
    form,
    async (values) => (await gql(REGENERATE_RECOVERY_CODES, { input: { code: values.code } })).regenerateRecoveryCodes,
    (payload) => {
      setCodes(payload.recoveryCodes);
      form.reset();
    },
  );
  return html`<div>
    <${PageHeader} title=${t('console.account.title')} />
    <${Card} title=${t('console.account.who')} id="account-who">
      <dl class="facts">
        <div><dt>${t('console.staff.name')}</dt><dd>${me.staff.name}</dd></div>
        <div><dt>${t('console.staff.email')}</dt><dd>${me.staff.email}</dd></div>
        <div><dt>${t('console.staff.role')}</dt><dd>${t(`console.role.${me.staff.role.toLowerCase()}`)}</dd></div>
      </dl>
    </${Card}>
    <${ChangePassword} />
    <${Card} title=${t('console.codes.title')} id="account-codes">
      <p>${t('console.account.codesIntro')}</p>
      ${codes && html`<div class="notice notice-success" role="status">
        <p>${t('console.account.codesNew')}</p>
        <ul class="recovery-codes" data-testid="recovery-codes">
          ${codes.map((code) => html`<li><code class="mono">${code}</code></li>`)}
        </ul>
      </div>`}
      <form class="form" novalidate onSubmit=${onSubmit}>
        <${FormMessage} form=${form} />
        <${Field} form=${form} name="code" label=${t('console.login.code')} hint=${t('console.login.codeHint')} autocomplete="one-time-code" inputmode="numeric" maxlength="8" />
        <div class="actions"><${SubmitButton} form=${form}>${t('console.account.codesSubmit')}</${SubmitButton}></div>
      </form>
    </${Card}>
  </div>`;
}
