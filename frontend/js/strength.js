// The live password-strength meter: the same zxcvbn algorithm the server enforces
// (Python ``zxcvbn``), loaded on demand from the vendored copy (it is ~800 kB).
import { html, useEffect, useState } from '../vendor/preact-htm.js';
import { getLanguage, t } from './i18n.js';

let loading = null;
export function loadZxcvbn() {
  if (window.zxcvbn) return Promise.resolve(window.zxcvbn);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = '/vendor/zxcvbn.js';
      script.onload = () => resolve(window.zxcvbn);
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }
  return loading;
}

export const MIN_SCORE = 2;
export const MIN_LENGTH = 8;
// As backend/services/passwords.py: only the first 100 characters are scored, and the e-mail's
// local part (and its pieces) and the service identifiers count as the customer's own words.
const SCORED_PREFIX = 100;
const MIN_PERSONAL_PART = 3;

export function personalParts(email, identifiers = []) {
  const parts = [];
  if (email) {
    const local = email.trim().toLowerCase().split('@', 1)[0];
    parts.push(local, ...local.split(/[._+-]/));
  }
  for (const raw of identifiers) {
    if (!raw) continue;
    let digits = raw.replace(/\D/g, '');
    if (digits.length === 11 && digits.startsWith('48')) digits = digits.slice(2);
    else if (digits.length === 13 && digits.startsWith('0048')) digits = digits.slice(4);
    parts.push(digits);
  }
  return [...new Set(parts.filter((p) => p.length >= MIN_PERSONAL_PART))].sort((a, b) => b.length - a.length);
}

/** The zxcvbn score (0–4) the server will give; needs ``loadZxcvbn()`` first. */
export function score(password, { email = '', identifiers = [] } = {}) {
  if (!password) return null;
  return window.zxcvbn(password.slice(0, SCORED_PREFIX), personalParts(email, identifiers));
}

/** The meter shown under a password field; ``userInputs`` are penalised (e-mail, identifier). */
export function StrengthMeter({ password, email = '', identifiers = [], id }) {
  const [result, setResult] = useState(null);
  const [ready, setReady] = useState(!!window.zxcvbn);
  useEffect(() => {
    loadZxcvbn().then(() => setReady(true), () => setReady(false));
  }, []);
  useEffect(() => {
    if (!ready || !password) {
      setResult(null);
      return;
    }
    setResult(score(password, { email, identifiers }));
  }, [ready, password, email, identifiers.join('\n')]);

  const value = result ? result.score : 0;
  const tooShort = password && password.length < MIN_LENGTH;
  const label = !password ? t('strength.empty') : tooShort ? t('strength.tooShort') : t(`strength.${value}`);
  const warning = result && getLanguage() === 'en' && result.feedback.warning;
  return html`<div class="strength" id=${id}>
    <div class=${`strength-bar strength-${password ? (tooShort ? 0 : value) : 'none'}`} aria-hidden="true">
      <span></span><span></span><span></span><span></span>
    </div>
    <p class="strength-text" aria-live="polite" data-testid="password-strength">
      ${t('strength.label')}: <strong>${label}</strong>${password && !tooShort && value < MIN_SCORE ? ` – ${t('strength.weakHint')}` : ''}${warning ? ` – ${warning}` : ''}
    </p>
  </div>`;
}
