// Services: the list, adding a package (price and effective date), PIN reset and signal refresh.
import { html, useEffect, useState } from '../../vendor/preact-htm.js';
import { gql } from '../api.js';
import { useForm } from '../forms.js';
import { formatDate, formatNumber, t } from '../i18n.js';
import { ADD_PACKAGE, CANCEL_PACKAGE, PACKAGE_QUOTE, REFRESH_SIGNAL, RESET_DECODER_PIN } from '../operations/actions.js';
import { SERVICES } from '../operations/customer.js';
import { Card, Empty, FormMessage, Money, PageHeader, QueryView, SubmitButton, submitWith, useQuery } from '../ui.js';
import { CommandStatus } from './commands.js';
import { lower, serviceKindLabel, StatusBadge } from './common.js';

/** Price and effective date of the chosen package, asked from the server before confirming. */
function Quote({ serviceId, packageId, offerId }) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    let stale = false;
    setState({ loading: true });
    gql(PACKAGE_QUOTE, { serviceId, packageId, offerId: offerId || null }).then(
      (data) => !stale && setState({ result: data.packageQuote }),
      () => !stale && setState({ failed: true }),
    );
    return () => {
      stale = true;
    };
  }, [serviceId, packageId, offerId]);
  if (state.loading) return html`<p class="muted small" role="status">${t('services.quoting')}</p>`;
  if (state.failed) return html`<p class="field-error" role="alert">${t('common.loadError')}</p>`;
  const { quote, errors } = state.result;
  if (errors.length) return html`<p class="notice notice-error" role="alert">${errors[0].message}</p>`;
  return html`<div class="quote notice notice-info" data-testid="package-quote">
    <p><strong>${quote.monthlyPrice.formatted}</strong> ${t('services.quoteMonthly')}</p>
    ${quote.promoUntil && html`<p>${t('services.quotePromo', { date: formatDate(quote.promoUntil), price: quote.regularPrice.formatted })}</p>`}
    <p>${t('services.quoteEffective', { date: formatDate(quote.effectiveOn) })}</p>
    <p>${t('services.quoteProrated', { amount: quote.proratedAmount.formatted, end: formatDate(quote.billingPeriodEnd) })}</p>
    <p>${t('services.quoteNext', { date: formatDate(quote.nextInvoiceOn), amount: quote.nextInvoiceTotal.formatted, total: quote.newMonthlyTotal.formatted })}</p>
  </div>`;
}

/** ``offer``: an offer accepted for the ``preselect`` package (from "Offer for you"). */
function AddPackage({ service, onAdded, preselect = '', offer = '' }) {
  const form = useForm(`add-package-${service.id}`, { packageId: preselect }, { persist: false });
  const [added, setAdded] = useState(null);
  const chosen = service.availablePackages.find((p) => p.id === form.values.packageId);
  const offerFor = (packageId) => (offer && packageId === preselect ? offer : null);
  const onSubmit = submitWith(
    form,
    async (v) => (await gql(ADD_PACKAGE, { input: { serviceId: service.id, packageId: v.packageId, offerId: offerFor(v.packageId) } })).addPackage,
    (payload) => {
      setAdded({ ...payload.subscription, quote: payload.quote });
      form.reset({ packageId: '' });
      onAdded();
    },
  );
  const message = html`<${FormMessage} form=${form} success=${added && t('services.added', { name: added.package.name, date: formatDate(added.startsOn), amount: added.quote ? added.quote.nextInvoiceTotal.formatted : '' })} />`;
  // The last package added keeps its message although nothing is left to add.
  if (service.availablePackages.length === 0) return html`${added && message}<${Empty}>${t('services.nothingToAdd')}</${Empty}>`;
  const groupName = `pkg-${service.id}`;
  return html`<form class="form" novalidate onSubmit=${onSubmit}>
    ${message}
    <fieldset class="fieldset">
      <legend>${t('services.choosePackage')}</legend>
      <ul class="package-options">
        ${service.availablePackages.map((p) => html`<li>
          <input type="radio" id=${`${groupName}-${p.id}`} name=${groupName} value=${p.id}
            checked=${form.values.packageId === p.id} onChange=${() => form.set('packageId', p.id)} />
          <label for=${`${groupName}-${p.id}`} class="package-option">
            <span class="package-name">${p.name}</span>
            <span class="muted small">${p.description}${p.channelCount ? ` · ${t('services.channels', { n: p.channelCount })}` : ''}</span>
            <span class="package-price">${t('services.perMonth', { price: p.monthlyPrice.formatted })}</span>
          </label>
        </li>`)}
      </ul>
      ${form.errors.packageId && html`<p class="field-error">${form.errors.packageId.message}</p>`}
    </fieldset>
    ${chosen && html`<${Quote} serviceId=${service.id} packageId=${chosen.id} offerId=${offerFor(chosen.id)} />`}
    <div class="actions"><${SubmitButton} form=${form}>${t('services.add')}</${SubmitButton}></div>
  </form>`;
}

function CommandButton({ label, mutation, field, input }) {
  const [state, setState] = useState({ busy: false, error: '', command: null });
  const run = async () => {
    setState({ busy: true, error: '', command: null });
    try {
      const data = await gql(mutation, { input });
      const payload = data[field];
      if (payload.errors.length) setState({ busy: false, error: payload.errors[0].message, command: null });
      else setState({ busy: false, error: '', command: payload.command });
    } catch {
      setState({ busy: false, error: t('common.actionError'), command: null });
    }
  };
  return html`<div class="command">
    <button type="button" class="btn btn-secondary" disabled=${state.busy} onClick=${run}>${label}</button>
    ${state.error && html`<p class="field-error" role="alert">${state.error}</p>`}
    ${state.command && html`<${CommandStatus} command=${state.command} />`}
  </div>`;
}

/** Cancelling an add-on: asks once, then the package runs to the end of the billing period. */
function CancelAddon({ subscription, onCancelled }) {
  const [step, setStep] = useState('idle');
  const [error, setError] = useState('');
  const cancel = async () => {
    setStep('busy');
    try {
      const payload = (await gql(CANCEL_PACKAGE, { input: { subscriptionId: subscription.id } })).cancelPackage;
      if (payload.errors.length) {
        setError(payload.errors[0].message);
        setStep('idle');
      } else {
        setStep('done');
        onCancelled();
      }
    } catch {
      setError(t('common.actionError'));
      setStep('idle');
    }
  };
  const name = subscription.package.name;
  return html`<span class="cancel-addon">
    ${step === 'idle' && html`<button type="button" class="btn btn-ghost btn-small" onClick=${() => setStep('confirm')}
      aria-label=${t('services.cancelNamed', { name })}>${t('services.cancel')}</button>`}
    ${(step === 'confirm' || step === 'busy') && html`<span role="group" aria-label=${t('services.cancelOf', { name })}>
      <button type="button" class="btn btn-secondary btn-small" disabled=${step === 'busy'} onClick=${cancel}>${t('services.cancelConfirm')}</button>
      <button type="button" class="btn btn-ghost btn-small" onClick=${() => setStep('idle')}>${t('services.cancelKeep')}</button>
    </span>`}
    ${error && html`<span class="field-error" role="alert">${error}</span>`}
  </span>`;
}

function ServiceCard({ service, onChanged, preselect, offer }) {
  // Open from an offer link, and kept open by the customer's own choice: the reload after adding
  // no longer lists the package (so no preselect), but its success message must stay in view.
  const [addOpen, setAddOpen] = useState(!!preselect);
  const decoders = service.devices.filter((d) => d.supportsPinReset);
  const usage = service.usage;
  return html`<${Card} id=${`service-${service.id}`} title=${html`${serviceKindLabel(service.kind)} <span class="mono">${service.identifier}</span>`}
      actions=${html`<${StatusBadge} group="serviceStatus" status=${service.status} />`}>
    ${service.suspensionReason && html`<p class="notice notice-error">${t(`suspension.${lower(service.suspensionReason)}`)}</p>`}
    ${usage && usage.dataLimitMb && html`<p>${t('services.usage', { used: formatNumber(usage.dataUsedMb / 1024, 1), limit: formatNumber(usage.dataLimitMb / 1024, 0) })}</p>
      <progress class="usage" max=${usage.dataLimitMb} value=${usage.dataUsedMb} aria-label=${t('services.usageLabel')}></progress>`}
    <h3>${t('services.current')}</h3>
    ${service.subscriptions.length === 0 ? html`<${Empty}>${t('services.noPackages')}</${Empty}>` : html`<ul class="list">
      ${service.subscriptions.map((s) => html`<li class="list-row"><span>${s.package.name} <span class="muted small">${t(`packageKind.${lower(s.package.kind)}`)}</span>
          ${lower(s.state) !== 'active' && html` <${StatusBadge} group="subscriptionState" status=${s.state} />`}
          ${lower(s.package.kind) === 'addon' && lower(s.state) === 'active' && html` <${CancelAddon} subscription=${s} onCancelled=${onChanged} />`}</span>
        <span class="muted small">${s.endsOn ? t('services.untilDate', { date: formatDate(s.endsOn) }) : t(lower(s.state) === 'scheduled' ? 'services.fromDate' : 'services.sinceDate', { date: formatDate(s.startsOn) })}${s.promoUntil && html`<br />${t('services.promoUntil', { date: formatDate(s.promoUntil), price: s.regularPrice.formatted })}`}</span><${Money} value=${s.monthlyPrice} />
        ${s.cardCommand && html`<${CommandStatus} command=${s.cardCommand} testid="card-command-status" />`}</li>`)}
    </ul>`}
    ${lower(service.kind) === 'satellite_tv' && html`<div class="subsection">
      <h3>${t('services.tools')}</h3>
      <div class="command-row">
        <${CommandButton} label=${t('services.refreshSignal')} mutation=${REFRESH_SIGNAL} field="refreshSignal" input=${{ serviceId: service.id }} />
        ${decoders.map((d) => html`<${CommandButton} label=${t('services.resetPin', { serial: d.serialNumber.replace(/-/g, '\u2011') /* no line break inside the serial */ })} mutation=${RESET_DECODER_PIN} field="resetDecoderPin" input=${{ deviceId: d.id }} />`)}
      </div>
    </div>`}
    <details class="subsection add-package" open=${addOpen} onToggle=${(e) => setAddOpen(e.currentTarget.open)}>
      <summary>${t('services.addPackage')}</summary>
      <${AddPackage} service=${service} onAdded=${onChanged} preselect=${preselect} offer=${preselect ? offer : ''} />
    </details>
  </${Card}>`;
}

export function Services({ query }) {
  const q = useQuery(SERVICES);
  return html`<div>
    <${PageHeader} title=${t('nav.services')} intro=${t('services.intro')} />
    <${QueryView} q=${q}>${(data) => {
      const services = data.viewer.services;
      if (!services.length) return html`<${Card}><${Empty}>${t('services.none')}</${Empty}></${Card}>`;
      // /services?add=<package id>&offer=<offer id> (from "Offer for you") opens that package's
      // form, preselected, priced and added with the offer (on the first service that fits).
      const add = query.get('add');
      const offer = query.get('offer') || '';
      const first = services.find((s) => s.availablePackages.some((p) => p.id === add));
      return services.map((s) => html`<${ServiceCard} key=${s.id} service=${s} onChanged=${() => q.reload(true)}
        preselect=${s.availablePackages.some((p) => p.id === add) ? add : ''} offer=${s === first ? offer : ''} />`);
    }}</${QueryView}>
  </div>`;
}
