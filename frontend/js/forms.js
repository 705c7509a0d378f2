// Form state, with drafts: what the customer typed but has not sent yet comes back when the form
// is shown again (another screen and back).
//
// Drafts live only in this tab's memory, never in sessionStorage/localStorage: nothing typed stays
// on the device. A draft belongs to the customer who typed it: ``clearDrafts`` runs at every end
// of a session (logout, idle logout, a session ended elsewhere), and ``setDraftOwner`` (called
// when a customer is logged in) wipes anything left from someone else, so the next customer in
// the same tab starts with empty forms. Secrets (passwords, PESEL, captcha answers, tokens, BLIK
// codes) are never kept, not even in memory.
import { useCallback, useState } from '../vendor/preact-htm.js';

const NEVER_KEPT = /password|pesel|captcha|answer|token|blik/i;
const drafts = new Map(); // form id → { field: value }
let owner = null; // customer number of the drafts' owner; null: nobody logged in yet

// Drafts were kept in sessionStorage by earlier versions (with the registration PESEL): drop them.
try {
  for (const key of Object.keys(sessionStorage)) if (key.startsWith('icok.draft.')) sessionStorage.removeItem(key);
} catch {
  /* storage disabled */
}

/** The logged-in customer (their customer number): drafts of anyone else are wiped. */
export function setDraftOwner(customerNumber) {
  if (customerNumber !== owner) drafts.clear();
  owner = customerNumber;
}

/** The session ended (logout, idle logout, ended elsewhere): every draft goes. */
export function clearDrafts() {
  drafts.clear();
  owner = null;
}

function saveDraft(id, values) {
  const kept = {};
  for (const [k, v] of Object.entries(values)) if (!NEVER_KEPT.test(k)) kept[k] = v;
  drafts.set(id, kept);
}

export function clearDraft(id) {
  drafts.delete(id);
}

/**
 * ``useForm('contact', {subject: ''})`` → values, errors, set(name, value), field props helper.
 * Errors are keyed by field name (camelCase, as the API's ``errors[].field``); ``_form`` holds
 * errors about the whole input.
 */
export function useForm(id, initial, { persist = true } = {}) {
  const [values, setValues] = useState(() => ({ ...initial, ...((persist && drafts.get(id)) || {}) }));
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);

  /** The customer changed a field: its error goes. ``keepError`` for changes the app makes
   * itself (a new captcha task must not wipe the message about the wrong answer). */
  const set = useCallback(
    (name, value, { keepError = false } = {}) => {
      setValues((prev) => {
        const next = { ...prev, [name]: value };
        if (persist) saveDraft(id, next);
        return next;
      });
      if (!keepError) setErrors((prev) => (prev[name] ? { ...prev, [name]: undefined } : prev));
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

/** An amount in złoty as a simple amount field takes it (what the server's ``parse_amount``
 * accepts): up to 7 digits, at most two decimals after a comma or a point ("49,99", "120"). */
export const TYPED_AMOUNT = /^[0-9]{1,7}([.,][0-9]{1,2})?$/;

/** A typed amount (matching TYPED_AMOUNT) in grosze; a Money's ``amount`` ("10.00") too. */
export function typedGrosze(text) {
  const [whole, fraction = ''] = text.trim().split(/[.,]/);
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}
