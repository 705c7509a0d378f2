// The pieces of a page's frame that the SPA and the console share: the brand, the language
// switch, the idle countdown, the warning before the idle logout, and the logged-in frame
// (top bar, navigation, compact menu) around a screen.
import { html, useEffect, useRef, useState } from '../vendor/preact-htm.js';
import { formatCountdown, setLanguage, t, useLanguage } from './i18n.js';
import { staySignedIn, subscribe, warningSeconds } from './session.js';

/** The logo and the product's name, a link to ``href`` (the SPA's start, the console's home). */
export function Brand({ href = '/', subtitle = t('app.subtitle') }) {
  return html`<a class="brand" href=${href}>
    <svg class="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false"><rect width="32" height="32" rx="7" /><path d="M9 22a9 9 0 0 1 14 0M12 18a5 5 0 0 1 8 0" /><circle cx="16" cy="11" r="2.4" /></svg>
    <span class="brand-text"><span class="brand-name">ICOK</span><span class="brand-sub">${subtitle}</span></span>
  </a>`;
}

/** Polish ⇄ English. */
export function LanguageSwitch() {
  const lang = useLanguage();
  const other = lang === 'pl' ? 'en' : 'pl';
  return html`<button type="button" class="btn btn-ghost lang-switch" lang=${other}
    aria-label=${other === 'en' ? 'Switch to English' : 'Przełącz na polski'}
    onClick=${() => setLanguage(other)}>${other === 'en' ? 'English' : 'Polski'}</button>`;
}

/** The idle countdown mirrored from the session's deadline (``session.js``); ``hint`` its tooltip. */
export function Countdown({ hint = t('session.countdownHint') }) {
  const [remaining, setRemaining] = useState(null);
  useEffect(() => subscribe(setRemaining), []);
  if (remaining === null) return null;
  const low = remaining <= warningSeconds();
  return html`<div class=${`countdown ${low ? 'countdown-low' : ''}`} title=${hint}>
    <span class="countdown-label">${t('session.endsIn')}</span>
    <span class="countdown-time" data-testid="session-countdown">${formatCountdown(remaining)}</span>
  </div>`;
}

/** The dialog a minute before the idle logout, with "stay signed in". */
export function SessionWarning() {
  const [remaining, setRemaining] = useState(null);
  const [busy, setBusy] = useState(false);
  const buttonRef = useRef(null);
  useEffect(() => subscribe(setRemaining), []);
  const open = remaining !== null && remaining <= warningSeconds() && remaining > 0;
  useEffect(() => {
    if (open && buttonRef.current) buttonRef.current.focus();
  }, [open]);
  if (!open) return null;
  const stay = async () => {
    setBusy(true);
    try {
      await staySignedIn();
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="overlay">
    <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="session-warning-title" aria-describedby="session-warning-text"
      onKeyDown=${(e) => { if (e.key === 'Tab') { e.preventDefault(); buttonRef.current.focus(); } }}>
      <h2 id="session-warning-title">${t('session.warningTitle')}</h2>
      <p id="session-warning-text">${t('session.warningText', { time: formatCountdown(remaining) })}</p>
      <div class="actions">
        <button type="button" class="btn btn-primary" ref=${buttonRef} disabled=${busy} onClick=${stay}>${t('session.stay')}</button>
      </div>
    </div>
  </div>`;
}

/**
 * The logged-in frame: the top bar (``brand``, ``tools`` such as who is logged in, the
 * countdown with its ``hint``, the language switch, logout, the compact menu's button), the
 * navigation (``items``: ``{ path, label, icon, extra }``, ``current(path)`` marks the page;
 * ``navNote`` under the list), the screen (``children``), an optional ``footer`` and the idle
 * warning. The compact menu closes on a new ``path`` and with Escape (the focus goes back to
 * its button).
 */
export function Frame({ path, className = '', brand, tools, hint, items, current, navNote, footer, onLogout, children }) {
  const [menuOpen, setMenuOpen] = useState(false);
  const toggleRef = useRef(null);
  useEffect(() => setMenuOpen(false), [path]);
  // A handler on the elements, not a listener added by an effect: it works from the first key
  // press after opening.
  const closeOnEscape = (e) => {
    if (e.key !== 'Escape' || !menuOpen) return;
    setMenuOpen(false);
    if (toggleRef.current) toggleRef.current.focus();
  };
  return html`<div class=${`shell ${className}`}>
    <a class="skip-link" href="#main">${t('app.skip')}</a>
    <header class="topbar">
      ${brand}
      <div class="topbar-tools">
        ${tools}
        <${Countdown} hint=${hint} />
        <span class="wide-only"><${LanguageSwitch} /></span>
        <button type="button" class="btn btn-ghost wide-only" onClick=${onLogout}>${t('nav.logout')}</button>
        <button type="button" class="btn btn-ghost menu-toggle" ref=${toggleRef} onKeyDown=${closeOnEscape} aria-expanded=${menuOpen ? 'true' : 'false'}
          aria-controls="main-nav" onClick=${() => setMenuOpen(!menuOpen)}>
          <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 7h16M4 12h16M4 17h16" /></svg>
          <span>${t('nav.menu')}</span>
        </button>
      </div>
    </header>
    <div class="layout">
      <nav id="main-nav" class=${`sidenav ${menuOpen ? 'open' : ''}`} aria-label=${t('nav.label')} onKeyDown=${closeOnEscape}>
        <ul>
          ${items.map((item) => html`<li>
            <a href=${item.path} aria-current=${current(item.path) ? 'page' : undefined} onClick=${() => setMenuOpen(false)}>
              ${item.icon}<span>${item.label}</span>${item.extra}
            </a>
          </li>`)}
        </ul>
        ${navNote}
        <div class="phone-only nav-extra">
          <${LanguageSwitch} />
          <button type="button" class="btn btn-secondary" onClick=${onLogout}>${t('nav.logout')}</button>
        </div>
      </nav>
      <main id="main" class="content" tabindex="-1">${children}</main>
    </div>
    ${footer}
    <${SessionWarning} />
  </div>`;
}
