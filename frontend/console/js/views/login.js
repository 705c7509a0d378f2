// The console's front door: e-mail and password (an initial one is replaced first), then the TOTP code (or a recovery code), or at
// the first login the enrolment (QR code, the secret as text, the first code), after which the
// recovery codes are shown once.
import { html, useEffect, useRef, useState } from '../../../vendor/preact-htm.js';
import { gql } from '../../../js/api.js';
import { useForm } from '../../../js/forms.js';
import { t } from '../../../js/i18n.js';
import { clearLogoutReason, takeReturn } from '../../../js/session.js';
import { CheckField, Field, FormMessage, PageHeader, SubmitButton, submitWith } from '../../../js/ui.js';
import { CHANGE_INITIAL_PASSWORD, LOGIN, SECOND_FACTOR } from '../operations/accounts.js';
import { HOME } from '../routes.js';

function AuthCard({ title, intro, children, wide = false }) {
  return html`<div class=${`auth-card ${wide ? 'auth-card-wide' : ''}`}>
    <${PageHeader} title=${title} intro=${intro} />
    ${children}
  </div>`;
}

const REASONS = { idle: 'console.login.reasonIdle', ended: 'console.login.reasonEnded', logout: 'console.login.reasonLogout' };

/** Where to go after the login: ``?next=`` or the page an idle logout left, if in the console. */
export function safeNext(query) {
  const next = query.get('next') || takeReturn();
  const ok = next && next.startsWith('/console/') && !next.startsWith('/console/login');
  return ok ? next : HOME;
}

function PasswordStep({ query, onPassed }) {
  const form = useForm('console-login', { email: '', password: '' }, { persist: false });
  const reason = REASONS[query.get('reason')];
  const onSubmit = submitWith(
    form,
    async (values) => (await gql(LOGIN, { input: { email: values.email, password: values.password } })).staffLogin,
    (payload) => {
      clearLogoutReason();
      onPassed(payload);
    },
  );
  return html`<${AuthCard} title=${t('console.login.title')} intro=${t('console.login.intro')}>
    ${reason && html`<div class="notice notice-info" role="status">${t(reason)}</div>`}
    <form class="form" novalidate onSubmit=${onSubmit}>
      <${FormMessage} form=${form} />
      <${Field} form=${form} name="email" type="email" label=${t('console.login.email')} autocomplete="username" maxlength="254" />
      <${Field} form=${form} name="password" type="password" label=${t('console.login.password')} autocomplete="current-password" maxlength="1000" />
      <div class="actions"><${SubmitButton} form=${form}>${t('console.login.submit')}</${SubmitButton}></div>
    </form>
  </${AuthCard}>`;
}

/** An initial password (from an admin or the CLI) is replaced first: only the member knows the new one. */
function NewPasswordStep({ onPassed }) {
  const form = useForm('console-newpw', { newPassword: '' }, { persist: false });
  const onSubmit = submitWith(
    form,
    async (values) => (await gql(CHANGE_INITIAL_PASSWORD, { input: { newPassword: values.newPassword } })).staffChangeInitialPassword,
    (payload) => onPassed(payload),
  );
  return html`<${AuthCard} title=${t('console.newPassword.title')} intro=${t('console.newPassword.intro')}>
    <form class="form" novalidate onSubmit=${onSubmit}>
      <${FormMessage} form=${form} />
      <${Field} form=${form} name="newPassword" type="password" label=${t('console.newPassword.label')} hint=${t('console.newPassword.hint')} autocomplete="new-password" maxlength="1000" />
      <div class="actions"><${SubmitButton} form=${form}>${t('console.newPassword.submit')}</${SubmitButton}></div>
    </form>
  </${AuthCard}>`;
}

function CodeForm({ recovery, onDone, children }) {
  const form = useForm(recovery ? 'console-recovery' : 'console-code', { code: '' }, { persist: false });
  const onSubmit = submitWith(
    form,
    async (values) => (await gql(SECOND_FACTOR, { input: { code: values.code, recovery } })).staffSecondFactor,
    (payload) => onDone(payload),
  );
  return html`<form class="form" novalidate onSubmit=${onSubmit}>
    <${FormMessage} form=${form} />
    ${recovery
      ? html`<${Field} form=${form} name="code" label=${t('console.login.recoveryCode')} hint=${t('console.login.recoveryHint')} autocomplete="off" maxlength="40" />`
      : html`<${Field} form=${form} name="code" label=${t('console.login.code')} hint=${t('console.login.codeHint')} autocomplete="one-time-code" inputmode="numeric" maxlength="8" />`}
    ${children}
    <div class="actions"><${SubmitButton} form=${form}>${t('console.login.verify')}</${SubmitButton}></div>
  </form>`;
}

function CodeStep({ onDone }) {
  const [recovery, setRecovery] = useState(false);
  return html`<${AuthCard} title=${t('console.login.codeTitle')} intro=${t(recovery ? 'console.login.recoveryIntro' : 'console.login.codeIntro')}>
    <${CodeForm} key=${recovery ? 'r' : 't'} recovery=${recovery} onDone=${onDone} />
    <p><button type="button" class="btn btn-ghost btn-small" onClick=${() => setRecovery(!recovery)}>
      ${t(recovery ? 'console.login.useTotp' : 'console.login.useRecovery')}
    </button></p>
  </${AuthCard}>`;
}

function EnrolStep({ enrolment, onDone }) {
  return html`<${AuthCard} title=${t('console.enrol.title')} intro=${t('console.enrol.intro')} wide>
    <ol class="enrol-steps">
      <li>${t('console.enrol.step1')}</li>
      <li>${t('console.enrol.step2')}
        <div class="enrol-qr"><img src=${enrolment.qrCode} alt=${t('console.enrol.qrAlt')} width="200" height="200" /></div>
        <p class="small">${t('console.enrol.manual')} <code class="mono totp-secret" data-testid="totp-secret">${enrolment.secret}</code></p>
      </li>
      <li>${t('console.enrol.step3')}</li>
    </ol>
    <${CodeForm} recovery=${false} onDone=${onDone} />
  </${AuthCard}>`;
}

function RecoveryCodes({ codes, onContinue }) {
  const form = useForm('console-codes-saved', { saved: false }, { persist: false });
  const ref = useRef(null);
  const submit = (e) => {
    e.preventDefault();
    if (!form.values.saved) {
      form.setErrors({ saved: { message: t('console.codes.confirmRequired') } });
      requestAnimationFrame(() => ref.current && ref.current.querySelector('input').focus());
      return;
    }
    onContinue();
  };
  return html`<${AuthCard} title=${t('console.codes.title')} intro=${t('console.codes.intro')}>
    <ul class="recovery-codes" data-testid="recovery-codes">
      ${codes.map((code) => html`<li><code class="mono">${code}</code></li>`)}
    </ul>
    <form class="form" novalidate onSubmit=${submit} ref=${ref}>
      <${CheckField} form=${form} name="saved" required label=${t('console.codes.saved')} />
      <div class="actions"><button type="submit" class="btn btn-primary">${t('console.codes.continue')}</button></div>
    </form>
  </${AuthCard}>`;
}

export function Login({ query, onLoggedIn }) {
  const [step, setStep] = useState({ name: 'password' });
  useEffect(() => {
    if (step.name === 'done') onLoggedIn(); // the shell then leaves for safeNext(query)
  }, [step.name]);
  const passed = (payload) => {
    const stage = payload.session.stage;
    if (stage === 'NEW_PASSWORD') setStep({ name: 'newPassword' });
    else if (stage === 'ENROL') setStep({ name: 'enrol', enrolment: payload.enrolment });
    else if (stage === 'SECOND_FACTOR') setStep({ name: 'code' });
    else setStep({ name: 'done' });
  };
  const verified = (payload) => {
    if (payload.recoveryCodes && payload.recoveryCodes.length) setStep({ name: 'codes', codes: payload.recoveryCodes });
    else setStep({ name: 'done' });
  };
  if (step.name === 'newPassword') return html`<${NewPasswordStep} onPassed=${passed} />`;
  if (step.name === 'enrol') return html`<${EnrolStep} enrolment=${step.enrolment} onDone=${verified} />`;
  if (step.name === 'code') return html`<${CodeStep} onDone=${verified} />`;
  if (step.name === 'codes') return html`<${RecoveryCodes} codes=${step.codes} onContinue=${() => setStep({ name: 'done' })} />`;
  if (step.name === 'done') return null;
  return html`<${PasswordStep} query=${query} onPassed=${passed} />`;
}
