// Form state with drafts kept in sessionStorage, so input typed before an idle logout comes back
// after the customer logs in again. Secrets (passwords, captcha answers, PINs) are never stored.
import { useCallback, useState } from '../vendor/preact-htm.js';

const PREFIX = 'icok.draft.';
const NEVER_STORED = /password|captcha|answer|token|blik/i;

function loadDraft(id) {
  try {
    const raw = sessionStorage.getItem(PREFIX + id);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

function saveDraft(id, values) {
  const kept = {};
  for (const [k, v] of Object.entries(values)) if (!NEVER_STORED.test(k)) kept[k] = v;
  try {
    sessionStorage.setItem(PREFIX + id, JSON.stringify(kept));
  } catch {
    /* storage full or disabled: drafts are a convenience */
  }
}

export function clearDraft(id) {
  try {
    sessionStorage.removeItem(PREFIX + id);
  } catch {
    /* ignore */
  }
}

/**
 * ``useForm('contact', {subject: ''})`` → values, errors, set(name, value), field props helper.
 * Errors are keyed by field name (camelCase, as the API's ``errors[].field``); ``_form`` holds
 * errors about the whole input.
 */
export function useForm(id, initial, { persist = true } = {}) {
  const [values, setValues] = useState(() => ({ ...initial, ...((persist && loadDraft(id)) || {}) }));
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);

  const set = useCallback(
    (name, value) => {
      setValues((prev) => {
        const next = { ...prev, [name]: value };
        if (persist) saveDraft(id, next);
        return next;
      });
      setErrors((prev) => (prev[name] ? { ...prev, [name]: undefined } : prev));
    },
    [id, persist],
  );

  const reset = useCallback(
    (next = initial) => {
      clearDraft(id);
      setValues({ ...next });
      setErrors({});
    },
    [id],
  );

  /** Maps the payload's ``errors { field code message }`` onto the form; true when there were any. */
  const applyErrors = useCallback((list) => {
    if (!list || !list.length) {
      setErrors({});
      return false;
    }
    const mapped = {};
    for (const e of list) {
      const key = e.field || '_form';
      if (!mapped[key]) mapped[key] = e;
    }
    setErrors(mapped);
    return true;
  }, []);

  return { id, values, errors, set, setErrors, applyErrors, reset, busy, setBusy };
}

/** Moves focus to the first invalid field after a failed submit (keyboard and screen readers). */
export function focusFirstError(formEl) {
  requestAnimationFrame(() => {
    const target = formEl && (formEl.querySelector('[aria-invalid="true"]') || formEl.querySelector('.form-error'));
    if (target) target.focus();
  });
}
