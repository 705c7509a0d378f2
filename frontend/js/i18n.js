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

/** Adds a page's own texts (the console's ``{ pl, en }``) to the SPA's; keys must not collide. */
export function addTexts(texts) {
  for (const [lang, dictionary] of Object.entries(texts)) Object.assign(DICTIONARIES[lang], dictionary);
}

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

// Days and times are the operator's: Warsaw calendar days, whatever zone the browser is in.
// A server date ("2026-12-01", a Warsaw calendar day) is shown as written: its parts are read
// as a UTC day and formatted in UTC, so no zone can move it. An instant (ISO with an offset) is
// shown in Europe/Warsaw time, as the server's messages, receipts and PDFs give it.
const OPERATOR_ZONE = 'Europe/Warsaw';
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function readDate(value) {
  const day = DAY.exec(value);
  if (day) return { date: new Date(Date.UTC(+day[1], +day[2] - 1, +day[3])), timeZone: 'UTC' };
  return { date: new Date(value), timeZone: OPERATOR_ZONE };
}

function formatDay(value, options) {
  if (!value) return '';
  const { date, timeZone } = readDate(value);
  return date.toLocaleDateString(locale(), { ...options, timeZone });
}

/** "1 grudnia 2026" / "1 December 2026" for a server date or the Warsaw day of an instant. */
export function formatDate(value) {
  return formatDay(value, { year: 'numeric', month: 'long', day: 'numeric' });
}

/** "01.12.2026" / "01/12/2026". */
export function formatShortDate(value) {
  return formatDay(value, { year: 'numeric', month: '2-digit', day: '2-digit' });
}

/** An instant in Warsaw time: "1 gru 2026, 00:30". */
export function formatDateTime(value) {
  if (!value) return '';
  return new Date(value).toLocaleString(locale(), {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
    timeZone: OPERATOR_ZONE,
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
  const [sy, sm, sd] = start.split('-').map(Number);
  const [ey, em, ed] = end.split('-').map(Number);
  const lastDay = new Date(Date.UTC(ey, em, 0)).getUTCDate();
  if (sd === 1 && ed === lastDay && sm === em && sy === ey) {
    return formatDay(start, { month: 'long', year: 'numeric' });
  }
  return `${formatShortDate(start)} – ${formatShortDate(end)}`;
}
