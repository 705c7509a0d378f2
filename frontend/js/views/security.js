// Security: active sessions and mobile apps' device logins (revoke), password change,
// two-step verification, activity history.
import { html, useState } from '../../vendor/preact-htm.js';
import { gql } from '../api.js';
import { useForm } from '../forms.js';
import { formatDateTime, t } from '../i18n.js';
import {
  CHANGE_PASSWORD, CONFIRM_SECOND_FACTOR, DISABLE_SECOND_FACTOR, LOGOUT_OTHER_SESSIONS, MORE_ACTIVITY, RENEW_RECOVERY_CODES,
  REVOKE_DEVICE_LOGIN, REVOKE_SESSION, SECURITY, START_SECOND_FACTOR,
} from '../operations/accounts.js';
import { StrengthMeter } from '../strength.js';
import { Badge, Card, Empty, Field, FormMessage, PageHeader, QueryView, ShowMore, SubmitButton, submitWith, useFocusOnMount, usePages, useQuery } from '../ui.js';
import { lower } from './common.js';

function ChangePassword() {
  const form = useForm('change-password', { currentPassword: '', newPassword: '' }, { persist: false });
  const [done, setDone] = useState(false);
  const onSubmit = submitWith(
    form,
    async (v) => {
      setDone(false);
      return (await gql(CHANGE_PASSWORD, { input: { currentPassword: v.currentPassword, newPassword: v.newPassword } })).changePassword;
    },
    () => {
      form.reset();
      setDone(true);
    },
  );
  return html`<form class="form" novalidate onSubmit=${onSubmit}>
    <${FormMessage} form=${form} success=${done && t('security.passwordChanged')} />
    <${Field} form=${form} name="currentPassword" type="password" label=${t('security.currentPassword')} autocomplete="current-password" maxlength="1000" />
    <${Field} form=${form} name="newPassword" type="password" label=${t('reset.newPassword')} hint=${t('register.passwordHint')} autocomplete="new-password" maxlength="1000">
      <${StrengthMeter} password=${form.values.newPassword} />
    </${Field}>
    <div class="actions"><${SubmitButton} form=${form}>${t('security.changePassword')}</${SubmitButton}></div>
  </form>`;
}

/** The 6-digit code field of the authenticator app (or, with ``recovery``, a recovery code too). */
function CodeField({ form, recovery = false }) {
  return html`<${Field} form=${form} name="code" label=${recovery ? t('security.codeOrRecovery') : t('login.code')}
    hint=${recovery ? undefined : t('login.codeHint')} autocomplete="one-time-code"
    inputmode=${recovery ? undefined : 'numeric'} maxlength="40" spellcheck="false" />`;
}

/**
 * The downloaded file of recovery codes: whose they are and where they work (the site's
 * address, the login e-mail), when they were made, that each works once, then the codes.
 */
export function recoveryCodesFile(codes, { email, origin, made }) {
  const lines = [
    t('security.fileTitle', { site: origin }),
    t('security.fileAccount', { email }),
    t('security.fileMade', { date: formatDateTime(made) }),
    t('security.fileOnce'),
    '',
    ...codes,
  ];
  return `${lines.join('\n')}\n`;
}

/** Recovery codes just made: shown once, to copy or download as a text file; with ``focus``
 * the notice takes the focus (it replaced the form that had it). */
function RecoveryCodes({ codes, email, focus = false }) {
  const [copied, setCopied] = useState(false);
  const ref = useFocusOnMount(focus);
  const text = `${codes.join('\n')}\n`;
  const [made] = useState(() => new Date().toISOString());
  const file = recoveryCodesFile(codes, { email, origin: window.location.origin, made });
  const href = `data:text/plain;charset=utf-8,${encodeURIComponent(file)}`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return html`<div class="notice notice-warning" role="status" data-testid="recovery-codes" tabindex="-1" ref=${ref}>
    <p><strong>${t('security.recoveryTitle')}</strong> ${t('security.recoveryOnce')}</p>
    <ul class="recovery-codes">${codes.map((c) => html`<li key=${c}><code>${c}</code></li>`)}</ul>
    <div class="actions">
      <button type="button" class="btn btn-secondary btn-small" onClick=${copy}>${copied ? t('security.copied') : t('security.copy')}</button>
      <a class="btn btn-secondary btn-small" href=${href} download="icok-recovery-codes.txt">${t('security.download')}</a>
    </div>
  </div>`;
}

/** Turning two-step verification on: the QR code and the secret, then the first code. */
function EnableSecondFactor({ email, changed, onChanged }) {
  const [setup, setSetup] = useState(null);
  const [error, setError] = useState('');
  const [codes, setCodes] = useState(null);
  const form = useForm('second-factor-on', { code: '' }, { persist: false });
  const begin = async () => {
    setError('');
    try {
      const payload = (await gql(START_SECOND_FACTOR)).startSecondFactor;
      if (payload.errors.length) setError(payload.errors[0].message);
      else setSetup(payload.setup);
    } catch {
      setError(t('common.actionError'));
    }
  };
  const onSubmit = submitWith(
    form,
    async (v) => (await gql(CONFIRM_SECOND_FACTOR, { input: { code: v.code } })).confirmSecondFactor,
    (payload) => {
      setCodes(payload.recoveryCodes);
      form.reset();
    },
  );
  if (codes) return html`<${NewCodes} codes=${codes} email=${email} onChanged=${onChanged} />`;
  if (!setup) return html`<${FactorIntro} error=${error} focus=${changed} onBegin=${begin} />`;
  return html`<${ScanStep} setup=${setup} form=${form} onSubmit=${onSubmit} />`;
}

/** Two-step verification is on: the recovery codes, shown once; the notice takes the focus. */
function NewCodes({ codes, email, onChanged }) {
  const ref = useFocusOnMount();
  return html`<div>
      <p class="notice notice-success" role="status" tabindex="-1" ref=${ref} data-testid="second-factor-on">${t('security.factorOn')}</p>
      <${RecoveryCodes} codes=${codes} email=${email} />
      <div class="actions"><button type="button" class="btn btn-primary" onClick=${onChanged}>${t('security.codesSaved')}</button></div>
    </div>`;
}

/** What two-step verification is, and the button turning it on; with ``focus`` (it was just
 * turned off) the text takes the focus. */
function FactorIntro({ error, focus, onBegin }) {
  const ref = useFocusOnMount(focus);
  return html`<div>
      <p tabindex="-1" ref=${ref} data-testid="second-factor-intro">${t('security.factorIntro')}</p>
      ${error && html`<p class="notice notice-error" role="alert">${error}</p>`}
      <div class="actions"><button type="button" class="btn btn-primary" onClick=${onBegin}>${t('security.enableFactor')}</button></div>
    </div>`;
}

/** The QR code and the secret, then the first code; the instruction takes the focus (the
 * button that had it is gone; Tab reaches the code field). */
function ScanStep({ setup, form, onSubmit }) {
  const ref = useFocusOnMount();
  return html`<form class="form" novalidate onSubmit=${onSubmit}>
    <p tabindex="-1" ref=${ref} data-testid="second-factor-scan">${t('security.scan')}</p>
    <img class="qr-code" src=${setup.qrCode} alt=${t('security.qrAlt')} width="200" height="200" />
    <p>${t('security.typeSecret')} <code data-testid="totp-secret">${setup.secret}</code></p>
    <${FormMessage} form=${form} />
    <${CodeField} form=${form} />
    <div class="actions"><${SubmitButton} form=${form}>${t('security.confirmFactor')}</${SubmitButton}></div>
  </form>`;
}

function RenewRecoveryCodes({ email }) {
  const form = useForm('recovery-renew', { code: '' }, { persist: false });
  const [codes, setCodes] = useState(null);
  const onSubmit = submitWith(
    form,
    async (v) => (await gql(RENEW_RECOVERY_CODES, { input: { code: v.code } })).renewRecoveryCodes,
    (payload) => {
      setCodes(payload.recoveryCodes);
      form.reset();
    },
  );
  if (codes) return html`<${RecoveryCodes} codes=${codes} email=${email} focus=${true} />`;
  return html`<form class="form" novalidate onSubmit=${onSubmit}>
    <h3>${t('security.renewCodes')}</h3>
    <${FormMessage} form=${form} />
    <${CodeField} form=${form} />
    <div class="actions"><${SubmitButton} form=${form} className="btn btn-secondary">${t('security.renewCodes')}</${SubmitButton}></div>
  </form>`;
}

function DisableSecondFactor({ onChanged }) {
  const form = useForm('second-factor-off', { password: '', code: '' }, { persist: false });
  const onSubmit = submitWith(
    form,
    async (v) => (await gql(DISABLE_SECOND_FACTOR, { input: { password: v.password, code: v.code } })).disableSecondFactor,
    () => onChanged(),
  );
  return html`<form class="form" novalidate onSubmit=${onSubmit}>
    <h3>${t('security.disableFactor')}</h3>
    <${FormMessage} form=${form} />
    <${Field} form=${form} name="password" type="password" label=${t('security.currentPassword')} autocomplete="current-password" maxlength="1000" />
    <${CodeField} form=${form} recovery=${true} />
    <div class="actions"><${SubmitButton} form=${form} className="btn btn-secondary">${t('security.disableFactor')}</${SubmitButton}></div>
  </form>`;
}

/** Two-step verification's state and its forms; ``changed``: it was just turned on or off
 * here, so the new state takes the focus (the step that had it is gone). */
function SecondFactor({ state, email, changed, onChanged }) {
  if (!state.enabled) return html`<${EnableSecondFactor} email=${email} changed=${changed} onChanged=${onChanged} />`;
  return html`<${FactorOn} state=${state} email=${email} changed=${changed} onChanged=${onChanged} />`;
}

function FactorOn({ state, email, changed, onChanged }) {
  const ref = useFocusOnMount(changed);
  return html`<div>
    <p tabindex="-1" ref=${ref} data-testid="second-factor-state"><${Badge} tone="success">${t('security.factorIsOn')}</${Badge}> ${t('security.codesLeft', { count: state.recoveryCodesLeft })}</p>
    <${RenewRecoveryCodes} email=${email} />
    <${DisableSecondFactor} onChanged=${onChanged} />
  </div>`;
}

function describeAgent(ua) {
  if (!ua) return '—';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Firefox\//.test(ua) ? 'Firefox' : /Safari\//.test(ua) ? 'Safari' : '';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
  return [browser, os].filter(Boolean).join(', ') || ua.slice(0, 40);
}

/** The activity history, 10 at a time ("show more" follows the connection's cursor). */
function Activity({ first }) {
  const pages = usePages(first, async (after) => (await gql(MORE_ACTIVITY, { after })).viewer.activity);
  if (!pages.nodes.length) return html`<${Empty}>${t('security.noActivity')}</${Empty}>`;
  return html`<ul class="list" data-testid="activity" ref=${pages.ref}>
      ${pages.nodes.map((e, index) => html`<li class="list-block" key=${e.id} ...${pages.rowProps(index)}><p><strong>${t(`audit.${lower(e.kind)}`)}</strong>${e.title && html` ${e.title}`}${e.summary && html` <span class="muted small">${e.summary}</span>`}</p><p class="muted small">${formatDateTime(e.createdAt)} · ${e.ip} · ${describeAgent(e.userAgent)}</p></li>`)}
    </ul>
    <${ShowMore} pages=${pages} />`;
}

export function Security() {
  const q = useQuery(SECURITY);
  const [error, setError] = useState('');
  const [factorChanged, setFactorChanged] = useState(false);
  const act = async (mutation, field, variables) => {
    setError('');
    try {
      const payload = (await gql(mutation, variables))[field];
      if (payload.errors.length) setError(payload.errors[0].message);
      q.reload(true);
    } catch {
      setError(t('common.actionError'));
    }
  };
  return html`<div>
    <${PageHeader} title=${t('nav.security')} intro=${t('security.intro')} />
    <${QueryView} q=${q}>${(data) => {
      const sessions = data.viewer.sessions;
      const devices = data.viewer.deviceLogins;
      return html`
        <${Card} id="sessions" title=${t('security.sessions')}
          actions=${sessions.length + devices.length > 1 && html`<button type="button" class="btn btn-secondary btn-small" onClick=${() => act(LOGOUT_OTHER_SESSIONS, 'logoutOtherSessions', {})}>${t('security.logoutOthers')}</button>`}>
          ${error && html`<p class="notice notice-error" role="alert">${error}</p>`}
          <ul class="list">${sessions.map((s) => html`<li class=${s.current ? 'list-row session-current' : 'list-row'}>
            <span>${s.device || describeAgent(s.userAgent)} ${s.current && html`<${Badge} tone="success">${t('security.thisDevice')}</${Badge}>`}</span>
            <span class="muted small">${s.ip} · ${t('security.lastActivity', { date: formatDateTime(s.lastActivityAt) })}</span>
            ${!s.current && html`<button type="button" class="btn btn-ghost btn-small" onClick=${() => act(REVOKE_SESSION, 'revokeSession', { input: { sessionId: s.id } })}>${t('security.revoke')}</button>`}
          </li>`)}${devices.map((d) => html`<li class=${d.current ? 'list-row session-current' : 'list-row'} data-testid="device-login" key=${d.id}>
            <span>${d.deviceName} <${Badge}>${t('security.mobileApp')}</${Badge}> ${d.current && html`<${Badge} tone="success">${t('security.thisDevice')}</${Badge}>`}</span>
            <span class="muted small">${d.device} · ${d.ip} · ${t('security.lastActivity', { date: formatDateTime(d.lastUsedAt) })} · ${t('security.loggedInUntil', { date: formatDateTime(d.expiresAt) })}</span>
            ${!d.current && html`<button type="button" class="btn btn-ghost btn-small" aria-label=${t('security.revokeDevice', { name: d.deviceName })} onClick=${() => act(REVOKE_DEVICE_LOGIN, 'revokeDeviceLogin', { input: { deviceLoginId: d.id } })}>${t('security.revoke')}</button>`}
          </li>`)}</ul>
        </${Card}>
        <div class="cards">
          <${Card} id="password" title=${t('security.changePassword')}><${ChangePassword} /></${Card}>
          <${Card} id="second-factor" title=${t('security.secondFactor')}>
            <${SecondFactor} state=${data.viewer.secondFactor} email=${data.viewer.loginEmail.email} changed=${factorChanged}
              onChanged=${() => { setFactorChanged(true); q.reload(true); }} />
          </${Card}>
          <${Card} id="activity" title=${t('security.activity')}>
            <${Activity} first=${data.viewer.activity} />
          </${Card}>
        </div>`;
    }}</${QueryView}>
  </div>`;
}
