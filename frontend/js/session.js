// The idle-logout clock. The server is the authority (it ends a session after
// ICOK_SESSION_IDLE_SECONDS without user requests); the SPA mirrors that deadline to show a
// countdown, warn a minute before, and, when time is up, send the customer to the login screen
// remembering where they were. Polling is marked as background so it never keeps a tab alive.
import { gql, onActivity, onSessionEnded } from './api.js';
import { KEEP_ALIVE, SESSION_POLL } from './operations/accounts.js';

const WARNING_SECONDS = 60;

/** The warning comes 60 s before the idle logout (half the idle time when that is shorter). */
export function warningSeconds() {
  return Math.min(WARNING_SECONDS, Math.floor(idleSeconds / 2));
}
const POLL_MS = 20000;
let RETURN_KEY = 'icok.returnTo';
let REASON_KEY = 'icok.logoutReason';
let pollQuery = SESSION_POLL;
let keepAliveQuery = KEEP_ALIVE;
let readSession = (data) => data.viewer && data.viewer.session;

/**
 * For another page with sessions of its own (the console): its poll and keep-alive queries
 * (each asks ``serverTime`` and the session's ``expiresAt``/``idleTimeoutSeconds``), where the
 * session is in their answer (``read(data)``, null when it ended) and a storage prefix of its
 * own for the return path and the logout reason.
 */
export function configureSession({ poll, keepAlive, read, storagePrefix }) {
  pollQuery = poll;
  keepAliveQuery = keepAlive;
  readSession = read;
  RETURN_KEY = `${storagePrefix}.returnTo`;
  REASON_KEY = `${storagePrefix}.logoutReason`;
}

let deadline = 0; // ms, client clock
let idleSeconds = 600;
let offset = 0; // server clock minus client clock, ms
let timer = null;
let poller = null;
let onExpire = () => {};
const subscribers = new Set();

function publish() {
  const remaining = deadline ? Math.max(0, (deadline - Date.now()) / 1000) : null;
  subscribers.forEach((fn) => fn(remaining));
}

function applyServer(data) {
  if (data.serverTime) offset = Date.parse(data.serverTime) - Date.now();
  const s = readSession(data);
  if (!s) return false;
  idleSeconds = s.idleTimeoutSeconds || idleSeconds;
  deadline = Date.parse(s.expiresAt) - offset;
  return true;
}

function tick() {
  publish();
  if (deadline && Date.now() >= deadline) expire('idle');
}

async function poll() {
  try {
    const data = await gql(pollQuery, {}, { background: true });
    if (!applyServer(data)) expire('ended');
  } catch {
    /* offline for a moment: the local countdown keeps running */
  }
}

/** Starts the countdown from the ``Me`` query (serverTime + viewer.session). */
export function startSession(data, expireHandler) {
  onExpire = expireHandler;
  applyServer(data);
  clearInterval(timer);
  clearInterval(poller);
  timer = setInterval(tick, 1000);
  poller = setInterval(poll, POLL_MS);
  publish();
}

export function stopSession() {
  clearInterval(timer);
  clearInterval(poller);
  timer = poller = null;
  deadline = 0;
  publish();
}

function expire(reason) {
  if (!timer) return;
  stopSession();
  try {
    sessionStorage.setItem(RETURN_KEY, window.location.pathname + window.location.search);
    sessionStorage.setItem(REASON_KEY, reason);
  } catch {
    /* ignore */
  }
  onExpire(reason);
}

// Every successful user request extended the server's idle timer: mirror it.
let lastActivity = 0; // ms, client clock: the last user request (which extended the session)
onActivity(() => {
  lastActivity = Date.now();
  if (timer) {
    deadline = Date.now() + idleSeconds * 1000;
    publish();
  }
});

/**
 * Typing (or choosing) in a form is activity too, although it sends no request: the customer
 * is there. At most one keep-alive request per quarter of the idle time (at most one a minute),
 * so a customer who types longer than the idle timeout stays logged in, while background
 * polling still never extends the session.
 */
export function keepAliveEverySeconds() {
  return Math.min(60, Math.max(1, idleSeconds / 4));
}

function userInput(event) {
  if (!timer || !event.isTrusted) return;
  if (Date.now() - lastActivity < keepAliveEverySeconds() * 1000) return;
  lastActivity = Date.now(); // one request in flight at a time
  staySignedIn().catch(() => {
    /* offline for a moment: the next keystroke tries again */
    lastActivity = 0;
  });
}
// 'input' only: fields, selects, checkboxes and radios all fire it when the customer changes
// them. Not 'change', which a text field also fires when it merely loses the focus (the idle
// warning taking it would extend the session by itself).
document.addEventListener('input', userInput, true);

// A request answered "not authenticated" (or a null viewer) while the countdown runs: the
// session ended elsewhere (revoked, password reset on another device).
export function sessionEnded() {
  expire('ended');
}
onSessionEnded(sessionEnded);

export async function staySignedIn() {
  const data = await gql(keepAliveQuery);
  if (!applyServer(data)) expire('ended');
  publish();
}

export function subscribe(fn) {
  subscribers.add(fn);
  fn(deadline ? Math.max(0, (deadline - Date.now()) / 1000) : null);
  return () => subscribers.delete(fn);
}

/** Where to go after logging in again, and why the customer was logged out (read once). */
export function takeReturn() {
  try {
    const to = sessionStorage.getItem(RETURN_KEY);
    sessionStorage.removeItem(RETURN_KEY);
    return to;
  } catch {
    return null;
  }
}

export function peekLogoutReason() {
  try {
    return sessionStorage.getItem(REASON_KEY);
  } catch {
    return null;
  }
}

export function clearLogoutReason() {
  try {
    sessionStorage.removeItem(REASON_KEY);
  } catch {
    /* ignore */
  }
}
