// Languages: Polish by default, English by a switch remembered in localStorage. The chosen
// language is also sent to the API (X-Icok-Language) so server error messages follow it.
import { useEffect, useState } from '../vendor/preact-htm.js';
import { en } from './i18n/en.js';
import { pl } from './i18n/pl.js';

const DICTIONARIES = { pl, en };
const STORAGE_KEY = 'icok.language';
const subscribers = new Set();

function initialLanguage() {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored && DICTIONARIES[stored]) return stored;
  } catch {
    /* storage disabled: fall back to Polish */
  }
  return 'pl';
}

let language = initialLanguage();
document.documentElement.lang = language;

export function getLanguage() {
  return language;
}

export function setLanguage(next) {
  if (!DICTIONARIES[next] || next === language) return;
  language = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    /* ignore */
  }
  document.documentElement.lang = next;
  subscribers.forEach((fn) => fn(next));
}

export function useLanguage() {
  const [lang, setLang] = useState(language);
  useEffect(() => {
    subscribers.add(setLang);
    return () => subscribers.delete(setLang);
  }, []);
  return lang;
}

/** True when ``key`` has a text (for optional texts of free-form codes such as genres). */
export function hasText(key) {
  return DICTIONARIES[language][key] !== undefined || pl[key] !== undefined;
}

/** Translates ``key``, filling ``{name}`` placeholders from ``params``. */
export function t(key, params = {}) {
  let text = DICTIONARIES[language][key];
  if (text === undefined) text = pl[key];
  if (text === undefined) {
    console.warn('missing translation', key);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] === undefined ? '' : String(params[name])));
}

const locale = () => (language === 'pl' ? 'pl-PL' : 'en-GB');

export function formatDate(value) {
  if (!value) return '';
  const d = new Date(value.length === 10 ? value + 'T12:00:00' : value);
  return d.toLocaleDateString(locale(), { year: 'numeric', month: 'long', day: 'numeric' });
}

export function formatShortDate(value) {
  if (!value) return '';
  const d = new Date(value.length === 10 ? value + 'T12:00:00' : value);
  return d.toLocaleDateString(locale(), { year: 'numeric', month: '2-digit', day: '2-digit' });
}

export function formatDateTime(value) {
  if (!value) return '';
  return new Date(value).toLocaleString(locale(), {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
  });
}

export function formatNumber(value, digits = 0) {
  return Number(value).toLocaleString(locale(), { maximumFractionDigits: digits });
}

/** m:ss for the session countdown. */
export function formatCountdown(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A billing period: "październik 2026" for a whole calendar month, else two short dates. */
export function formatPeriod(start, end) {
  if (!start || !end) return '';
  const s = new Date(start + 'T12:00:00');
  const e = new Date(end + 'T12:00:00');
  const lastDay = new Date(e.getFullYear(), e.getMonth() + 1, 0).getDate();
  if (s.getDate() === 1 && e.getDate() === lastDay && s.getMonth() === e.getMonth() && s.getFullYear() === e.getFullYear()) {
    return s.toLocaleDateString(locale(), { month: 'long', year: 'numeric' });
  }
  return `${formatShortDate(start)} – ${formatShortDate(end)}`;
}
