// Finding a customer: one box (customer number, name, e-mail, card / SIM / mobile-TV number or
// PESEL), a results table, each row opening the customer's screen. The text is never put in the
// address (it may be a PESEL) nor kept as a draft; the last results stay in this tab's memory
// for the member who searched, so "back" from a customer shows them again.
import { html, useState } from '../../../vendor/preact-htm.js';
import { gql } from '../../../js/api.js';
import { useForm } from '../../../js/forms.js';
import { t } from '../../../js/i18n.js';
import { Card, Empty, Field, FormMessage, PageHeader, SubmitButton, submitWith } from '../../../js/ui.js';
import { CUSTOMER_SEARCH } from '../operations/customers.js';
import { label } from './labels.js';

let remembered = null; // { staffId, result }

function Results({ result }) {
  if (!result.customers.length) return html`<${Empty}>${t('console.search.none')}</${Empty}>`;
  return html`<div>
    <p class="muted small" role="status">${t('console.search.found', { count: result.customers.length })}
      ${result.truncated && html` ${t('console.search.truncated')}`}</p>
    <div class="table-wrap"><table class="table" data-testid="search-results">
      <caption class="sr-only">${t('console.search.resultsTitle')}</caption>
      <thead><tr>
        <th scope="col">${t('console.search.number')}</th>
        <th scope="col">${t('console.search.name')}</th>
        <th scope="col">${t('console.search.services')}</th>
        <th scope="col">${t('console.search.email')}</th>
      </tr></thead>
      <tbody>${result.customers.map((c) => html`<tr key=${c.id}>
        <td class="mono">${c.customerNumber}</td>
        <th scope="row"><a href=${`/console/customers/${encodeURIComponent(c.id)}`}>${c.fullName}</a></th>
        <td>${c.services.length ? html`<ul class="plain-list">${c.services.map((s) => html`<li>
          ${label('serviceKind', s.kind)} <span class="mono">${s.identifier}</span></li>`)}</ul>` : '—'}</td>
        <td>${c.email || '—'}${c.loginEmail && c.loginEmail !== c.email && html`<br /><span class="muted small">${t('console.search.login')} ${c.loginEmail}</span>`}</td>
      </tr>`)}</tbody>
    </table></div>
  </div>`;
}

export function Search({ me }) {
  const form = useForm('console-search', { query: '' }, { persist: false });
  const [result, setResult] = useState(remembered && remembered.staffId === me.staff.id ? remembered.result : null);
  const onSubmit = submitWith(
    form,
    async (values) => {
      // A new search forgets the last results: they must not stand under another text's error.
      remembered = null;
      setResult(null);
      return (await gql(CUSTOMER_SEARCH, { query: values.query })).customerSearch;
    },
    (payload) => {
      remembered = { staffId: me.staff.id, result: payload };
      setResult(payload);
    },
  );
  return html`<div>
    <${PageHeader} title=${t('console.search.title')} intro=${t('console.search.intro')} />
    <${Card}>
      <form class="form search-form" role="search" novalidate onSubmit=${onSubmit}>
        <${FormMessage} form=${form} />
        <${Field} form=${form} name="query" type="search" label=${t('console.search.label')}
          hint=${t('console.search.hint')} autocomplete="off" maxlength="100" spellcheck="false" />
        <div class="actions"><${SubmitButton} form=${form}>${t('console.search.submit')}</${SubmitButton}></div>
      </form>
    </${Card}>
    ${result && html`<${Card} title=${t('console.search.resultsTitle')} id="search-results">
      <${Results} result=${result} />
    </${Card}>`}
  </div>`;
}
