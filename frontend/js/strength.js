// The live password-strength meter: the same zxcvbn algorithm the server enforces
// (Python ``zxcvbn``), loaded on demand from the vendored copy (it is ~800 kB).
import { html, useEffect, useState } from '../vendor/preact-htm.js';
import { getLanguage, t } from './i18n.js';

let loading = null;
function loadZxcvbn() {
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

/** The meter shown under a password field; ``userInputs`` are penalised (e-mail, identifier). */
export function StrengthMeter({ password, userInputs = [], id }) {
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
    setResult(window.zxcvbn(password.slice(0, 128), userInputs.filter(Boolean)));
  }, [ready, password, userInputs.join('\n')]);

  const score = result ? result.score : 0;
  const tooShort = password && password.length < MIN_LENGTH;
  const label = !password ? t('strength.empty') : tooShort ? t('strength.tooShort') : t(`strength.${score}`);
  const warning = result && getLanguage() === 'en' && result.feedback.warning;
  return html`<div class="strength" id=${id}>
    <div class=${`strength-bar strength-${password ? (tooShort ? 0 : score) : 'none'}`} aria-hidden="true">
      <span></span><span></span><span></span><span></span>
    </div>
    <p class="strength-text" aria-live="polite" data-testid="password-strength">
      ${t('strength.label')}: <strong>${label}</strong>${password && !tooShort && score < MIN_SCORE ? ` – ${t('strength.weakHint')}` : ''}${warning ? ` – ${warning}` : ''}
    </p>
  </div>`;
}
