// The member's own account: who they are, and new recovery codes (confirmed by a TOTP code; the
// old ones stop working) when they have used or lost them.
import { html, useState } from '/vendor/preact-htm.js';
import { gql } from '/js/api.js';
import { useForm } from '/js/forms.js';
import { t } from '/js/i18n.js';
import { Card, Field, FormMessage, PageHeader, SubmitButton, submitWith } from '/js/ui.js';
import { REGENERATE_RECOVERY_CODES } from '../operations/accounts.js';

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
