// The front door: registration, e-mail confirmation, login, forgotten password and reset.
import { html, useEffect, useRef, useState } from '../../vendor/preact-htm.js';
import { gql } from '../api.js';
import { clearDraft, useForm } from '../forms.js';
import { t } from '../i18n.js';
import {
  CAPTCHA, COMPLETE_LOGIN, CONFIRM_EMAIL, LOGIN, REGISTER, REQUEST_PASSWORD_RESET, RESEND_CONFIRMATION, RESET_PASSWORD,
} from '../operations/accounts.js';
import { CONFIRM_CONTACT_EMAIL, CONFIRM_LOGIN_EMAIL } from '../operations/actions.js';
import { useProof } from '../proof.js';
import { navigate } from '../router.js';
import { clearLogoutReason, peekLogoutReason, takeReturn } from '../session.js';
import { StrengthMeter } from '../strength.js';
import { CheckField, Field, FieldError, FormMessage, Loading, PageHeader, SubmitButton, submitWith } from '../ui.js';

/** The arithmetic task; ``refresh`` is bumped after every submit (a task is single-use). Its
 * proof of work (``proof``, from ``useProof``) starts as soon as the task is shown. */
function Captcha({ form, refresh, proof }) {
  const [captcha, setCaptcha] = useState(null);
  const [failed, setFailed] = useState(false);
  const load = async () => {
    setFailed(false);
    setCaptcha(null); // the task just used is gone: never show it (or let it be answered) again
    try {
      const data = await gql(CAPTCHA);
      setCaptcha(data.captcha);
      proof.start(data.captcha.proofChallenge);
      // A new task after a failed submit: the message about the wrong answer stays until the
      // customer types again.
      form.set('captchaId', data.captcha.id, { keepError: true });
      form.set('captchaAnswer', '', { keepError: true });
    } catch {
      setFailed(true);
    }
  };
  useEffect(() => {
    load();
  }, [refresh]);
  const id = `${form.id}-captchaAnswer`;
  const err = form.errors.captchaAnswer || form.errors.captchaId || form.errors.captchaProof;
  return html`<div class=${`field captcha ${err ? 'has-error' : ''}`}>
    <label for=${id}>${t('captcha.label')}</label>
    <div class="captcha-row">
      <span class="captcha-question" aria-hidden="true" data-testid="captcha-question" data-captcha-id=${captcha ? captcha.id : ''}>${captcha ? `${captcha.question} = ?` : '…'}</span>
      <input id=${id} name="captchaAnswer" inputmode="numeric" autocomplete="off" required maxlength="5"
        class="captcha-input" aria-describedby=${`${id}-sr${err ? ` ${id}-error` : ''}`} aria-invalid=${err ? 'true' : 'false'}
        value=${form.values.captchaAnswer || ''} onInput=${(e) => form.set('captchaAnswer', e.currentTarget.value)} />
      <button type="button" class="btn btn-ghost btn-small" onClick=${load}>${t('captcha.new')}</button>
    </div>
    <p class="sr-only" id=${`${id}-sr`}>${captcha ? captcha.accessibleQuestion : ''}</p>
    <p class="captcha-checking small" role="status" data-testid="captcha-checking">${proof.waiting
      && html`<span class="spinner spinner-small" aria-hidden="true"></span>${t('captcha.checking')}`}</p>
    ${failed && html`<p class="field-error">${t('captcha.failed')}</p>`}
    ${err && html`<p class="field-error" id=${`${id}-error`}>${err.message}</p>`}
  </div>`;
}

/**
 * The captcha of one form (one home for the register, login, forgot-password and resend forms):
 * render ``<${Captcha} form=${form} refresh=${captcha.refresh} proof=${captcha.proof} />``, send
 * ``...(await captcha.input(values))`` (it waits for the proof of work) and call
 * ``captcha.next()`` once the answer came back: a task is single-use.
 */
function useCaptcha() {
  const [refresh, setRefresh] = useState(0);
  const proof = useProof();
  const input = async (values) => ({
    captchaId: values.captchaId || '', captchaAnswer: values.captchaAnswer || '', captchaProof: await proof.wait(),
  });
  return { refresh, proof, input, next: () => setRefresh((n) => n + 1) };
}

function AuthCard({ title, intro, children, wide = false }) {
  return html`<div class=${`auth-card ${wide ? 'auth-card-wide' : ''}`}>
    <${PageHeader} title=${title} intro=${intro} />
    ${children}
  </div>`;
}

export function Register() {
  // No draft: a visitor who leaves /register leaves nothing typed for the next person in the tab
  // (the terms and privacy links open in a new tab, so reading them keeps the form as it is).
  const form = useForm('register', {
    identifier: '', pesel: '', email: '', emailConfirmation: '', password: '', acceptTerms: false,
  }, { persist: false });
  const captcha = useCaptcha();
  const [done, setDone] = useState(null);
  const v = form.values;
  const onSubmit = submitWith(
    form,
    async (values) => {
      const data = await gql(REGISTER, {
        input: {
          identifier: values.identifier, pesel: values.pesel, email: values.email,
          emailConfirmation: values.emailConfirmation, password: values.password,
          ...(await captcha.input(values)),
          acceptTerms: !!values.acceptTerms,
        },
      });
      captcha.next();
      return data.register;
    },
    () => {
      setDone(v.email);
      form.reset();
    },
  );
  if (done) {
    return html`<${AuthCard} title=${t('register.doneTitle')}>
      <div class="notice notice-success" role="status">${t('register.doneText', { email: done })}</div>
      <p><a class="btn btn-primary" href="/login">${t('login.submit')}</a></p>
    </${AuthCard}>`;
  }
  return html`<${AuthCard} title=${t('register.title')} intro=${t('register.intro')} wide>
    <form class="form" novalidate onSubmit=${onSubmit}>
      <${FormMessage} form=${form} />
      <div class="grid-2">
        <${Field} form=${form} name="identifier" label=${t('register.identifier')} hint=${t('register.identifierHint')} autocomplete="off" maxlength="20" />
        <${Field} form=${form} name="pesel" label=${t('register.pesel')} inputmode="numeric" autocomplete="off" maxlength="11" />
        <${Field} form=${form} name="email" type="email" label=${t('register.email')} autocomplete="email" maxlength="254" />
        <${Field} form=${form} name="emailConfirmation" type="email" label=${t('register.emailConfirmation')} autocomplete="email" maxlength="254" />
      </div>
      <${Field} form=${form} name="password" type="password" label=${t('register.password')} hint=${t('register.passwordHint')} autocomplete="new-password" maxlength="1000">
        <${StrengthMeter} password=${v.password} email=${v.email} identifier=${v.identifier} pesel=${v.pesel} />
      </${Field}>
      <${Captcha} form=${form} refresh=${captcha.refresh} proof=${captcha.proof} />
      <${CheckField} form=${form} name="acceptTerms" required
        label=${html`${t('register.termsAccept')} <a href="/terms" target="_blank" rel="noopener">${t('register.termsLink')}</a>`} />
      <p class="aside small">${t('register.privacyNote')} <a href="/privacy" target="_blank" rel="noopener">${t('legal.privacy')}</a>.</p>
      <div class="actions">
        <${SubmitButton} form=${form}>${t('register.submit')}</${SubmitButton}>
      </div>
      <p class="aside">${t('register.haveAccount')} <a href="/login">${t('login.submit')}</a></p>
    </form>
  </${AuthCard}>`;
}

/** Both e-mail links land on this screen: the account's (registration) and a new contact e-mail. */
function TokenLanding({ query, mutation, field, title, ok }) {
  const token = query.get('token') || '';
  const [state, setState] = useState({ status: token ? 'loading' : 'error', message: token ? '' : t('confirm.missing') });
  const sent = useRef(false);
  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    gql(mutation, { input: { token } }).then(
      (data) => {
        const errors = data[field].errors;
        setState(errors.length ? { status: 'error', message: errors[0].message } : { status: 'ok' });
      },
      () => setState({ status: 'error', message: t('common.actionError') }),
    );
  }, [token]);
  return html`<${AuthCard} title=${title}>
    ${state.status === 'loading' && html`<${Loading} label=${t('confirm.loading')} />`}
    ${state.status === 'ok' && html`<div class="notice notice-success" role="status">${ok}</div>
      <p><a class="btn btn-primary" href="/login">${t('login.submit')}</a></p>`}
    ${state.status === 'error' && html`<div class="notice notice-error" role="alert">${state.message}</div>
      <p><a href="/login">${t('confirm.toLogin')}</a></p>`}
  </${AuthCard}>`;
}

export function ConfirmEmail({ query }) {
  return html`<${TokenLanding} query=${query} mutation=${CONFIRM_EMAIL} field="confirmEmail"
    title=${t('confirm.title')} ok=${t('confirm.ok')} />`;
}

export function ConfirmContactEmail({ query }) {
  return html`<${TokenLanding} query=${query} mutation=${CONFIRM_CONTACT_EMAIL} field="confirmContactEmail"
    title=${t('confirm.contactTitle')} ok=${t('confirm.contactOk')} />`;
}

export function ConfirmLoginEmail({ query }) {
  return html`<${TokenLanding} query=${query} mutation=${CONFIRM_LOGIN_EMAIL} field="confirmLoginEmail"
    title=${t('confirm.loginTitle')} ok=${t('confirm.loginOk')} />`;
}

function ResendConfirmation({ initialEmail }) {
  const form = useForm('resend', { email: initialEmail }, { persist: false });
  const captcha = useCaptcha();
  const [sent, setSent] = useState(false);
  const onSubmit = submitWith(
    form,
    async (values) => {
      const data = await gql(RESEND_CONFIRMATION, { input: { email: values.email, ...(await captcha.input(values)) } });
      captcha.next();
      return data.resendConfirmation;
    },
    () => setSent(true),
  );
  if (sent) return html`<div class="notice notice-success" role="status">${t('login.resent')}</div>`;
  return html`<form class="form form-inline resend" novalidate onSubmit=${onSubmit}>
    <${FormMessage} form=${form} />
    <${Field} form=${form} name="email" type="email" label=${t('login.resendEmail')} autocomplete="email" />
    <${Captcha} form=${form} refresh=${captcha.refresh} proof=${captcha.proof} />
    <${SubmitButton} form=${form} className="btn btn-secondary">${t('login.resend')}</${SubmitButton}>
  </form>`;
}

/**
 * The login's second step when the account has two-step verification on: a 6-digit code from
 * the authenticator app, or one of the recovery codes (the server takes either in ``code``, so
 * the app-code field accepts one too; the button below switches to a field made for them). A ticket that expired,
 * was used or ended by a lock sends the customer back to the password (``onRestart``).
 */
function SecondFactorStep({ ticket, onDone, onRestart }) {
  const form = useForm('login-code', { code: '' }, { persist: false });
  const [recovery, setRecovery] = useState(false);
  useEffect(() => {
    const el = document.getElementById(`${form.id}-code`);
    if (el) el.focus();
  }, [recovery]);
  const onSubmit = submitWith(
    form,
    async (values) => {
      const payload = (await gql(COMPLETE_LOGIN, { input: { ticket, code: values.code } })).completeLogin;
      const lost = payload.errors.find((e) => e.field === 'ticket');
      if (lost) {
        onRestart(lost.message);
        return { errors: [] };
      }
      return payload;
    },
    onDone,
  );
  return html`<form class="form" novalidate onSubmit=${onSubmit} data-testid="second-factor-step">
    <p>${recovery ? t('login.recoveryIntro') : t('login.codeIntro')}</p>
    <${FormMessage} form=${form} />
    ${recovery
      ? html`<${Field} key="recovery" form=${form} name="code" label=${t('login.recoveryCode')} autocomplete="off" maxlength="40" spellcheck="false" />`
      : html`<${Field} key="totp" form=${form} name="code" label=${t('login.code')} hint=${t('login.codeOrRecoveryHint')} autocomplete="one-time-code" inputmode="numeric" maxlength="40" spellcheck="false" />`}
    <div class="actions">
      <${SubmitButton} form=${form}>${t('login.verify')}</${SubmitButton}>
      <button type="button" class="btn btn-ghost" onClick=${() => { form.set('code', ''); setRecovery(!recovery); }}>
        ${recovery ? t('login.useApp') : t('login.useRecovery')}
      </button>
    </div>
  </form>`;
}

export function Login({ query, onLoggedIn }) {
  const form = useForm('login', { login: '', password: '' }, { persist: false });
  const captcha = useCaptcha();
  const [reason] = useState(() => query.get('reason') || peekLogoutReason());
  const [notConfirmed, setNotConfirmed] = useState(false);
  const [ticket, setTicket] = useState(null);
  const [restarted, setRestarted] = useState('');
  const loggedIn = async () => {
    clearLogoutReason();
    const next = takeReturn() || query.get('next') || '/';
    await onLoggedIn();
    navigate(next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
  };
  const onSubmit = submitWith(
    form,
    async (values) => {
      setNotConfirmed(false);
      setRestarted('');
      const data = await gql(LOGIN, {
        input: { login: values.login, password: values.password, ...(await captcha.input(values)) },
      });
      const errors = data.login.errors;
      // The task is spent: a new one for another try, none when the login went through (the
      // page is left: fetching one would cost a request and the server's captcha budget).
      if (errors.length || data.login.secondFactorRequired) captcha.next();
      if (errors.some((e) => e.code === 'EMAIL_NOT_CONFIRMED')) setNotConfirmed(true);
      return data.login;
    },
    async (payload) => {
      if (payload.secondFactorRequired) {
        form.set('password', '');
        setTicket(payload.ticket);
        return;
      }
      await loggedIn();
    },
  );
  if (ticket) {
    return html`<${AuthCard} title=${t('login.codeTitle')}>
      <${SecondFactorStep} ticket=${ticket} onDone=${loggedIn}
        onRestart=${(message) => { setTicket(null); setRestarted(message); }} />
    </${AuthCard}>`;
  }
  return html`<${AuthCard} title=${t('login.title')} intro=${t('login.intro')}>
    ${restarted && html`<div class="notice notice-warning" role="alert">${restarted}</div>`}
    ${reason === 'idle' && html`<div class="notice notice-warning" role="alert" data-testid="idle-logout-notice">${t('login.idle')}</div>`}
    ${reason === 'ended' && html`<div class="notice notice-warning" role="alert">${t('login.ended')}</div>`}
    ${reason === 'logout' && html`<div class="notice notice-info" role="status">${t('login.loggedOut')}</div>`}
    <form class="form" novalidate onSubmit=${onSubmit}>
      <${FormMessage} form=${form} />
      <${Field} form=${form} name="login" label=${t('login.login')} hint=${t('login.loginHint')} autocomplete="username" maxlength="254" />
      <${Field} form=${form} name="password" type="password" label=${t('login.password')} autocomplete="current-password" maxlength="1000" />
      <${Captcha} form=${form} refresh=${captcha.refresh} proof=${captcha.proof} />
      <div class="actions">
        <${SubmitButton} form=${form}>${t('login.submit')}</${SubmitButton}>
        <a href="/forgot-password">${t('login.forgot')}</a>
      </div>
    </form>
    ${notConfirmed && html`<${ResendConfirmation} initialEmail=${form.values.login.includes('@') ? form.values.login : ''} />`}
    <p class="aside">${t('login.noAccount')} <a href="/register">${t('register.submit')}</a></p>
  </${AuthCard}>`;
}

export function ForgotPassword() {
  const form = useForm('forgot', { email: '' }, { persist: false });
  const captcha = useCaptcha();
  const [sent, setSent] = useState(false);
  const onSubmit = submitWith(
    form,
    async (values) => {
      const data = await gql(REQUEST_PASSWORD_RESET, { input: { email: values.email, ...(await captcha.input(values)) } });
      captcha.next();
      return data.requestPasswordReset;
    },
    () => setSent(true),
  );
  return html`<${AuthCard} title=${t('forgot.title')} intro=${t('forgot.intro')}>
    ${sent
      ? html`<div class="notice notice-success" role="status">${t('forgot.sent')}</div>`
      : html`<form class="form" novalidate onSubmit=${onSubmit}>
          <${FormMessage} form=${form} />
          <${Field} form=${form} name="email" type="email" label=${t('register.email')} autocomplete="email" maxlength="254" />
          <${Captcha} form=${form} refresh=${captcha.refresh} proof=${captcha.proof} />
          <div class="actions"><${SubmitButton} form=${form}>${t('forgot.submit')}</${SubmitButton}></div>
        </form>`}
    <p class="aside"><a href="/login">${t('confirm.toLogin')}</a></p>
  </${AuthCard}>`;
}

export function ResetPassword({ query }) {
  const token = query.get('token') || '';
  const form = useForm('reset', { newPassword: '' }, { persist: false });
  const [done, setDone] = useState(false);
  const onSubmit = submitWith(
    form,
    async (values) => (await gql(RESET_PASSWORD, { input: { token, newPassword: values.newPassword } })).resetPassword,
    () => setDone(true),
  );
  if (!token) {
    return html`<${AuthCard} title=${t('reset.title')}><div class="notice notice-error" role="alert">${t('confirm.missing')}</div></${AuthCard}>`;
  }
  return html`<${AuthCard} title=${t('reset.title')} intro=${t('reset.intro')}>
    ${done
      ? html`<div class="notice notice-success" role="status">${t('reset.done')}</div><p><a class="btn btn-primary" href="/login">${t('login.submit')}</a></p>`
      : html`<form class="form" novalidate onSubmit=${onSubmit}>
          <${FormMessage} form=${form} />
          <${FieldError} form=${form} name="token" />
          <${Field} form=${form} name="newPassword" type="password" label=${t('reset.newPassword')} hint=${t('register.passwordHint')} autocomplete="new-password" maxlength="1000">
            <${StrengthMeter} password=${form.values.newPassword} resetToken=${token} />
          </${Field}>
          <div class="actions"><${SubmitButton} form=${form}>${t('reset.submit')}</${SubmitButton}></div>
        </form>`}
  </${AuthCard}>`;
}

export { clearDraft };
