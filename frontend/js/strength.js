// The live password-strength meter: the server's own verdict (the ``passwordStrength`` query),
// the one the registration, reset and change enforce. Scoring there uses the Polish word lists
// and, for a logged-in customer, their names and numbers, which a copy in the browser could
// not have; asking the server keeps the meter and the refusal the same by construction.
import { html, useEffect, useState } from '../vendor/preact-htm.js';
import { gql } from './api.js';
import { t } from './i18n.js';
import { PASSWORD_STRENGTH } from './operations/accounts.js';

export const MIN_SCORE = 2;
export const MIN_LENGTH = 8;
const DEBOUNCE_MS = 250;

/** The server's verdict on ``password`` (score, acceptable, code, message, warning). */
export async function verdict(password, { email = '', identifier = '', pesel = '', resetToken = '' } = {}) {
  const data = await gql(
    PASSWORD_STRENGTH,
    {
      password, email: email || null, identifier: identifier || null, pesel: pesel || null, resetToken: resetToken || null,
    },
    { background: true }, // the meter's own requests are not the customer's activity
  );
  return data.passwordStrength;
}

/** The meter shown under a password field; ``email``, ``identifier`` and ``pesel`` (the
 * registration form) count as the customer's own data, as they do on submit; so do the
 * account's data of the logged-in customer or of the reset link's ``resetToken``. */
export function StrengthMeter({ password, email = '', identifier = '', pesel = '', resetToken = '', id }) {
  const [result, setResult] = useState(null);
  useEffect(() => {
    if (!password || password.length < MIN_LENGTH) {
      setResult(null);
      return undefined;
    }
    let stale = false;
    const timer = setTimeout(() => {
      verdict(password, { email, identifier, pesel, resetToken }).then(
        (r) => { if (!stale) setResult(r); },
        () => { if (!stale) setResult(null); },
      );
    }, DEBOUNCE_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [password, email, identifier, pesel, resetToken]);

  const tooShort = password && password.length < MIN_LENGTH;
  // A password the server refuses never shows as strong (the server caps its score too).
  const value = !result ? 0 : result.acceptable ? result.score : Math.min(result.score, MIN_SCORE - 1);
  const label = !password ? t('strength.empty') : tooShort ? t('strength.tooShort') : result ? t(`strength.${value}`) : '…';
  const problem = result && !result.acceptable && result.message;
  return html`<div class="strength" id=${id}>
    <div class=${`strength-bar strength-${password && result ? value : password && tooShort ? 0 : 'none'}`} aria-hidden="true">
      <span></span><span></span><span></span><span></span>
    </div>
    <p class="strength-text" aria-live="polite" data-testid="password-strength">
      ${t('strength.label')}: <strong>${label}</strong>${problem ? ` – ${problem}` : ''}
    </p>
  </div>`;
}
