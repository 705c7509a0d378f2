// The GraphQL client: JSON POST to /graphql with the session cookie, the UI language and, for
// polling, the background marker that tells the server not to extend the idle timer.
import { getLanguage } from './i18n.js';

export class ApiError extends Error {
  constructor(message, { status = 0, code = '', network = false } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.network = network;
  }
}

let endpoint = '/graphql';

/** The GraphQL endpoint of this page (the console sets '/console/graphql' before any request). */
export function setEndpoint(path) {
  endpoint = path;
}

const listeners = new Set();
const endedListeners = new Set();

/** Called when the server says the session is gone (revoked elsewhere, timed out). */
export function onSessionEnded(fn) {
  endedListeners.add(fn);
  return () => endedListeners.delete(fn);
}
/** Called after every successful user (non-background) request: the session was extended. */
export function onActivity(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export async function gql(query, variables = {}, { background = false } = {}) {
  const headers = { 'Content-Type': 'application/json', 'X-Icok-Language': getLanguage() };
  if (background) headers['X-Icok-Background'] = '1';
  let response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      credentials: 'same-origin',
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw new ApiError(err.message || 'network', { network: true });
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`HTTP ${response.status}`, { status: response.status });
  }
  if (body && body.errors && body.errors.length) {
    const first = body.errors[0];
    if (first.extensions && first.extensions.code === 'NOT_AUTHENTICATED') endedListeners.forEach((fn) => fn());
    throw new ApiError(first.message, {
      status: response.status,
      code: (first.extensions && first.extensions.code) || '',
    });
  }
  if (!response.ok) throw new ApiError(`HTTP ${response.status}`, { status: response.status });
  if (!background) listeners.forEach((fn) => fn());
  return body.data;
}

/** A fresh idempotency key for a payment attempt. */
export function idempotencyKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
