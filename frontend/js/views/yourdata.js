// Your data: packages, time left on the contract, contact data and consents.
import { html, useState } from '../../vendor/preact-htm.js';
import { gql } from '../api.js';
import { useForm } from '../forms.js';
import { formatDate, t } from '../i18n.js';
import { REQUEST_LOGIN_EMAIL_CHANGE, UPDATE_CONTACT_DATA } from '../operations/actions.js';
import { YOUR_DATA } from '../operations/customer.js';
import { Card, CheckField, Empty, Field, FormMessage, Money, PageHeader, QueryView, SelectField, SubmitButton, submitWith, useQuery } from '../ui.js';
import { lower, serviceKindLabel, StatusBadge } from './common.js';

function ContactForm({ profile, onSaved }) {
  const form = useForm('contact-data', {
    email: profile.email || '', phone: profile.phone || '', street: profile.address.street,
    postalCode: profile.address.postalCode, city: profile.address.city,
    consentEmail: profile.consents.email, consentSms: profile.consents.sms, consentPhone: profile.consents.phone,
    language: lower(profile.language) || 'pl',
  });
  const [saved, setSaved] = useState('');
  const onSubmit = submitWith(
    form,
    async (v) => {
      setSaved('');
      const data = await gql(UPDATE_CONTACT_DATA, {
        input: {
          email: v.email, phone: v.phone, street: v.street, postalCode: v.postalCode, city: v.city,
          consentEmail: !!v.consentEmail, consentSms: !!v.consentSms, consentPhone: !!v.consentPhone,
          language: v.language.toUpperCase(),
        },
      });
      return data.updateContactData;
    },
    async (payload) => {
      form.reset(form.values);
      setSaved(payload.pendingEmail ? t('yourData.pendingEmail', { email: payload.pendingEmail }) : t('yourData.saved'));
      onSaved();
    },
  );
  return html`<form class="form" novalidate onSubmit=${onSubmit}>
    <${FormMessage} form=${form} success=${saved} />
    <div class="grid-2">
      <${Field} form=${form} name="email" type="email" label=${t('yourData.email')} autocomplete="email" maxlength="254" />
      <${Field} form=${form} name="phone" type="tel" label=${t('yourData.phone')} autocomplete="tel" maxlength="20" required=${false} />
      <${Field} form=${form} name="street" label=${t('yourData.street')} autocomplete="street-address" maxlength="120" required=${false} />
      <${Field} form=${form} name="postalCode" label=${t('yourData.postalCode')} autocomplete="postal-code" maxlength="6" required=${false} hint="00-000" />
      <${Field} form=${form} name="city" label=${t('yourData.city')} autocomplete="address-level2" maxlength="80" required=${false} />
      <${SelectField} form=${form} name="language" label=${t('yourData.language')}
        options=${[{ value: 'pl', label: 'Polski' }, { value: 'en', label: 'English' }]} />
    </div>
    <fieldset class="fieldset">
      <legend>${t('yourData.consents')}</legend>
      <${CheckField} form=${form} name="consentEmail" label=${t('yourData.consentEmail')} />
      <${CheckField} form=${form} name="consentSms" label=${t('yourData.consentSms')} />
      <${CheckField} form=${form} name="consentPhone" label=${t('yourData.consentPhone')} />
    </fieldset>
    <div class="actions"><${SubmitButton} form=${form}>${t('common.save')}</${SubmitButton}></div>
  </form>`;
}

// The login e-mail: a new one needs the password and takes effect when the link mailed to it
// is opened (the current address is told). The password is never kept in a draft.
function LoginEmailForm({ login, onSaved }) {
  const form = useForm('login-email', { email: '', currentPassword: '' }, { persist: false });
  const [sent, setSent] = useState('');
  const onSubmit = submitWith(
    form,
    async (v) => {
      setSent('');
      const input = { email: v.email, currentPassword: v.currentPassword };
      return (await gql(REQUEST_LOGIN_EMAIL_CHANGE, { input })).requestLoginEmailChange;
    },
    async (payload) => {
      form.reset();
      setSent(t('yourData.loginPending', { email: payload.pendingEmail }));
      onSaved();
    },
  );
  return html`<dl class="facts">
      <div><dt>${t('yourData.loginEmail')}</dt><dd data-testid="login-email">${login.email}</dd></div>
      ${login.pendingEmail && html`<div><dt>${t('yourData.loginWaiting')}</dt><dd data-testid="login-pending">${login.pendingEmail}</dd></div>`}
    </dl>
    <form class="form" novalidate onSubmit=${onSubmit}>
      <${FormMessage} form=${form} success=${sent} />
      <p class="muted small">${t('yourData.loginHow')}</p>
      <div class="grid-2">
        <${Field} form=${form} name="email" type="email" label=${t('yourData.newLoginEmail')} autocomplete="email" maxlength="254" />
        <${Field} form=${form} name="currentPassword" type="password" label=${t('security.currentPassword')} autocomplete="current-password" maxlength="1000" />
      </div>
      <div class="actions"><${SubmitButton} form=${form}>${t('yourData.changeLogin')}</${SubmitButton}></div>
    </form>`;
}

export function YourData() {
  const q = useQuery(YOUR_DATA);
  return html`<div>
    <${PageHeader} title=${t('nav.yourData')} intro=${t('yourData.intro')} />
    <${QueryView} q=${q}>${(data) => {
      const p = data.viewer.profile;
      return html`
        <${Card} id="profile" title=${t('yourData.profile')}>
          <dl class="facts">
            <div><dt>${t('yourData.name')}</dt><dd>${p.firstName} ${p.lastName}</dd></div>
            <div><dt>${t('nav.customerNumber')}</dt><dd>${p.customerNumber}</dd></div>
            <div><dt>PESEL</dt><dd>${p.peselMasked}</dd></div>
          </dl>
        </${Card}>
        ${data.viewer.contracts.length === 0 && html`<${Card} title=${t('yourData.contracts')}><${Empty}>${t('yourData.noContracts')}</${Empty}></${Card}>`}
        ${data.viewer.contracts.map((c) => html`<${Card} id=${`contract-${c.id}`} title=${t('yourData.contract', { number: c.number })}
            actions=${html`<${StatusBadge} group="contractStatus" status=${c.status} />`}>
          <dl class="facts">
            <div><dt>${t('yourData.signedOn')}</dt><dd>${formatDate(c.signedOn)}</dd></div>
            <div><dt>${t('yourData.endsOn')}</dt><dd>${c.endsOn ? formatDate(c.endsOn) : t('yourData.indefinite')}</dd></div>
            <div><dt>${t('yourData.timeLeft')}</dt><dd data-testid="days-remaining">${c.daysRemaining === null ? t('yourData.noEnd') : t('yourData.days', { n: c.daysRemaining })}</dd></div>
            <div><dt>${t('yourData.monthlyTotal')}</dt><dd><${Money} value=${c.monthlyTotal} /></dd></div>
          </dl>
          ${c.services.map((s) => html`<div class="subsection">
            <h3>${serviceKindLabel(s.kind)} · <span class="mono">${s.identifier}</span> <${StatusBadge} group="serviceStatus" status=${s.status} /></h3>
            ${s.subscriptions.length === 0 ? html`<${Empty}>${t('services.noPackages')}</${Empty}>` : html`<table class="table table-stack packages-table">
              <caption class="sr-only">${t('yourData.packagesOf', { id: s.identifier })}</caption>
              <thead><tr><th scope="col">${t('services.package')}</th><th scope="col">${t('services.kind')}</th><th scope="col">${t('services.since')}</th><th scope="col" class="num">${t('services.price')}</th></tr></thead>
              <tbody>${s.subscriptions.map((sub) => html`<tr>
                <td>${sub.package.name}</td><td>${t(`packageKind.${lower(sub.package.kind)}`)}</td>
                <td><span class="stack-label">${t('services.since')}: </span>${formatDate(sub.startsOn)}${sub.endsOn ? ` – ${formatDate(sub.endsOn)}` : ''}</td>
                <td class="num"><${Money} value=${sub.monthlyPrice} /></td></tr>`)}</tbody>
            </table>`}
          </div>`)}
        </${Card}>`)}
        <${Card} id="contact-data" title=${t('yourData.contactData')}>
          <${ContactForm} profile=${p} onSaved=${() => q.reload(true)} />
        </${Card}>
        <${Card} id="login-email" title=${t('yourData.login')}>
          <${LoginEmailForm} login=${data.viewer.loginEmail} onSaved=${() => q.reload(true)} />
        </${Card}>`;
    }}</${QueryView}>
  </div>`;
}
