// Shared building blocks: loading / empty / error states, form fields with their errors,
// a data hook for queries.
import { html, useCallback, useEffect, useRef, useState } from '../vendor/preact-htm.js';
import { gql } from './api.js';
import { revealTarget } from './router.js';
import { sessionEnded } from './session.js';
import { t, useLanguage } from './i18n.js';

export { html };

/** Runs a query and keeps {data, error, loading}; ``reload()`` re-runs it. */
export function useQuery(query, variables = {}, { skip = false } = {}) {
  const [state, setState] = useState({ data: null, error: null, loading: !skip });
  const key = JSON.stringify(variables);
  // Server texts (formatted money, summaries) follow the language: fetch again when it changes.
  const language = useLanguage();
  const alive = useRef(true);
  const run = useCallback(
    async (quiet = false) => {
      if (skip) return;
      if (!quiet) setState((s) => ({ ...s, loading: true, error: null }));
      try {
        const data = await gql(query, variables, { background: quiet });
        if ('viewer' in data && !data.viewer) sessionEnded();
        if (alive.current) setState({ data, error: null, loading: false });
      } catch (error) {
        if (alive.current) setState((s) => ({ data: quiet ? s.data : null, error, loading: false }));
      }
    },
    [query, key, skip, language],
  );
  useEffect(() => {
    alive.current = true;
    run();
    return () => {
      alive.current = false;
    };
  }, [run]);
  return { ...state, reload: run };
}

export function Loading({ label }) {
  return html`<div class="state state-loading" role="status" aria-live="polite">
    <span class="spinner" aria-hidden="true"></span><span>${label || t('common.loading')}</span>
  </div>`;
}

export function ErrorState({ error, onRetry }) {
  const message = error && error.network ? t('common.networkError') : t('common.loadError');
  return html`<div class="state state-error" role="alert">
    <p>${message}</p>
    ${onRetry && html`<button type="button" class="btn btn-secondary" onClick=${() => onRetry()}>${t('common.retry')}</button>`}
  </div>`;
}

export function Empty({ children }) {
  return html`<p class="state state-empty">${children}</p>`;
}

/** Renders loading / error / content for a ``useQuery`` result. */
export function QueryView({ q, children }) {
  const ready = !!(q.data && !('viewer' in q.data && !q.data.viewer));
  useEffect(() => {
    if (ready) revealTarget(); // a link to a part of this screen (#vod) can be followed now
  }, [ready]);
  if (q.loading && !q.data) return html`<${Loading} />`;
  if (q.error && !q.data) return html`<${ErrorState} error=${q.error} onRetry=${q.reload} />`;
  // viewer is null when the session ended: the shell is already sending the customer to login.
  if (!q.data || ('viewer' in q.data && !q.data.viewer)) return html`<${Loading} />`;
  return children(q.data);
}

export function PageHeader({ title, intro }) {
  const ref = useRef(null);
  useEffect(() => {
    // Move focus to the new screen's heading so screen readers announce the change.
    if (ref.current && document.body.dataset.routed === '1') ref.current.focus({ preventScroll: true });
    revealTarget();
  }, [title]);
  return html`<header class="page-header">
    <h1 tabindex="-1" ref=${ref}>${title}</h1>
    ${intro && html`<p class="lead">${intro}</p>`}
  </header>`;
}

export function Card({ title, children, actions, id, className = '' }) {
  const headingId = id ? `${id}-title` : undefined;
  return html`<section class=${`card ${className}`} aria-labelledby=${headingId} id=${id}>
    ${title && html`<div class="card-head"><h2 id=${headingId}>${title}</h2>${actions}</div>`}
    ${children}
  </section>`;
}

export function FieldError({ form, name }) {
  const e = form.errors[name];
  if (!e) return null;
  return html`<p class="field-error" id=${`${form.id}-${name}-error`}>${e.message}</p>`;
}

export function Field({ form, name, label, type = 'text', hint, autocomplete, required = true, inputmode, maxlength, children, onInput, ...rest }) {
  const id = `${form.id}-${name}`;
  const err = form.errors[name];
  const described = [hint && `${id}-hint`, err && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const common = {
    id, name,
    'aria-invalid': err ? 'true' : 'false',
    'aria-describedby': described,
    required,
    value: form.values[name] ?? '',
    onInput: (e) => { form.set(name, e.currentTarget.value); if (onInput) onInput(e.currentTarget.value); },
  };
  return html`<div class=${`field ${err ? 'has-error' : ''}`}>
    <label for=${id}>${label}${!required && html` <span class="optional">${t('common.optional')}</span>`}</label>
    ${type === 'textarea'
      ? html`<textarea ...${common} maxlength=${maxlength} rows="5" ...${rest}></textarea>`
      : html`<input ...${common} type=${type} autocomplete=${autocomplete} inputmode=${inputmode} maxlength=${maxlength} ...${rest} />`}
    ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    ${children}
    <${FieldError} form=${form} name=${name} />
  </div>`;
}

export function SelectField({ form, name, label, options, required = true }) {
  const id = `${form.id}-${name}`;
  const err = form.errors[name];
  return html`<div class=${`field ${err ? 'has-error' : ''}`}>
    <label for=${id}>${label}</label>
    <select id=${id} name=${name} required=${required} aria-invalid=${err ? 'true' : 'false'}
      aria-describedby=${err ? `${id}-error` : undefined}
      value=${form.values[name] ?? ''} onChange=${(e) => form.set(name, e.currentTarget.value)}>
      ${options.map((o) => html`<option value=${o.value}>${o.label}</option>`)}
    </select>
    <${FieldError} form=${form} name=${name} />
  </div>`;
}

export function CheckField({ form, name, label, required = false }) {
  const id = `${form.id}-${name}`;
  const err = form.errors[name];
  return html`<div class=${`field field-check ${err ? 'has-error' : ''}`}>
    <input type="checkbox" id=${id} name=${name} checked=${!!form.values[name]} required=${required}
      aria-invalid=${err ? 'true' : 'false'} aria-describedby=${err ? `${id}-error` : undefined}
      onChange=${(e) => form.set(name, e.currentTarget.checked)} />
    <label for=${id}>${label}</label>
    <${FieldError} form=${form} name=${name} />
  </div>`;
}

/**
 * A ref for an element that takes the focus when it appears (with ``when``; default always):
 * the new step of a multi-step form, which replaced the button that had the focus, so the
 * keyboard continues there instead of at the page's start. Give it ``tabindex="-1"`` when it is
 * not a control (a step's intro or notice).
 */
export function useFocusOnMount(when = true) {
  const ref = useRef(null);
  useEffect(() => {
    if (when && ref.current) {
      ref.current.focus({ preventScroll: true });
      ref.current.scrollIntoView({ block: 'nearest' });
    }
  }, []);
  return ref;
}

/** Errors about the whole input (``field: null``) and a success notice. A new success notice
 * takes the focus and is scrolled into view: the submit button may be gone (the form reset) and
 * the notice may sit above the fold, so neither the keyboard nor the eye is left behind. */
export function FormMessage({ form, success }) {
  const e = form.errors._form;
  const ref = useRef(null);
  useEffect(() => {
    if (success && !e && ref.current) {
      ref.current.focus({ preventScroll: true });
      ref.current.scrollIntoView({ block: 'nearest' });
    }
  }, [success]);
  if (e) return html`<div class="notice notice-error form-error" role="alert" tabindex="-1">${e.message}</div>`;
  if (success) return html`<div class="notice notice-success" role="status" tabindex="-1" ref=${ref}>${success}</div>`;
  return null;
}

export function SubmitButton({ form, children, className = 'btn btn-primary' }) {
  return html`<button type="submit" class=${className} disabled=${form.busy} aria-busy=${form.busy ? 'true' : 'false'}>
    ${form.busy && html`<span class="spinner spinner-small" aria-hidden="true"></span>`}${children}
  </button>`;
}

export function Money({ value }) {
  if (!value) return null;
  return html`<span class="money">${value.formatted}</span>`;
}

export function Badge({ tone = 'neutral', children }) {
  return html`<span class=${`badge badge-${tone}`}>${children}</span>`;
}

/** Builds the submit handler shared by forms: busy state, API errors → form errors. */
export function submitWith(form, action, onSuccess) {
  return async (event) => {
    event.preventDefault();
    const formEl = event.currentTarget;
    if (form.busy) return;
    form.setBusy(true);
    form.setErrors({});
    try {
      const payload = await action(form.values);
      if (payload && form.applyErrors(payload.errors)) {
        requestAnimationFrame(() => {
          const target = formEl.querySelector('[aria-invalid="true"]') || formEl.querySelector('.form-error');
          if (target) target.focus();
        });
        return;
      }
      await onSuccess(payload);
    } catch (error) {
      form.setErrors({ _form: { message: error.network ? t('common.networkError') : t('common.actionError') } });
    } finally {
      form.setBusy(false);
    }
  };
}

/**
 * A connection that pages with "show more". ``first`` is the first page (from the screen's
 * query); ``fetchPage(after)`` returns the next connection. Keeps every page fetched so far, and
 * after loading moves the focus to the first new item (rendered with ``rowProps(index)``), so a
 * keyboard user continues where the new items start instead of losing the focus when the button
 * disappears.
 */
export function usePages(first, fetchPage) {
  const [pages, setPages] = useState([first]);
  const [state, setState] = useState({ busy: false, error: false });
  const ref = useRef(null);
  const grew = useRef(false);
  useEffect(() => {
    setPages([first]); // the screen reloaded (or the filter changed): start again
    setState({ busy: false, error: false });
  }, [first]);
  useEffect(() => {
    if (!grew.current || !ref.current) return;
    grew.current = false;
    const target = ref.current.querySelector('[data-page-start]');
    if (target) target.focus();
  }, [pages]);
  const last = pages[pages.length - 1];
  const more = async () => {
    if (state.busy) return;
    setState({ busy: true, error: false });
    try {
      const next = await fetchPage(last.pageInfo.endCursor);
      grew.current = true;
      setPages((current) => [...current, next]);
      setState({ busy: false, error: false });
    } catch (error) {
      setState({ busy: false, error: error.network ? 'network' : 'load' });
    }
  };
  const nodes = pages.flatMap((p) => p.nodes);
  const newest = pages.length > 1 ? nodes.length - last.nodes.length : -1;
  return {
    ref,
    nodes,
    more,
    busy: state.busy,
    error: state.error,
    hasMore: !!(last.pageInfo && last.pageInfo.hasNextPage),
    total: last.totalCount,
    paged: pages.length > 1 || !!(last.pageInfo && last.pageInfo.hasNextPage),
    rowProps: (index) => (index === newest ? { tabindex: '-1', 'data-page-start': '' } : {}),
  };
}

/** The "show more" button of a ``usePages`` list, with its busy and error states. */
export function ShowMore({ pages, label }) {
  return html`<div class="show-more">
    ${pages.error && html`<p class="field-error" role="alert">${t(pages.error === 'network' ? 'common.networkError' : 'common.loadError')}</p>`}
    ${pages.hasMore && html`<button type="button" class="btn btn-secondary btn-small" disabled=${pages.busy} aria-busy=${pages.busy ? 'true' : 'false'} onClick=${pages.more}>
      ${pages.busy && html`<span class="spinner spinner-small spinner-dark" aria-hidden="true"></span>`}${label || t('common.showMore')}
    </button>`}
    ${pages.paged && pages.total != null && html`<p class="muted small" role="status">${t('common.shownOf', { shown: pages.nodes.length, total: pages.total })}</p>`}
  </div>`;
}
