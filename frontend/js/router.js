// A small History API router: links update the URL without reloading, the back button works,
// and every screen has a deep link (the server answers index.html for paths without a dot).
import { useEffect, useState } from '../vendor/preact-htm.js';

const subscribers = new Set();

export function currentLocation() {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

// The part of the screen a link points to (``/payments#vod``): shown once the screen has
// rendered it, which for most screens is after their data arrived (see ``revealTarget``).
let pendingTarget = window.location.hash.slice(1);

export function navigate(to, { replace = false } = {}) {
  const method = replace ? 'replaceState' : 'pushState';
  document.body.dataset.routed = '1'; // from now on a new screen takes the focus (PageHeader)
  if (to !== window.location.pathname + window.location.search + window.location.hash) {
    window.history[method]({}, '', to);
  }
  pendingTarget = window.location.hash.slice(1);
  subscribers.forEach((fn) => fn(currentLocation()));
  window.scrollTo(0, 0);
}

/** Scrolls to the element the URL's ``#anchor`` names and gives it the focus, once it exists;
 * called after a screen renders (PageHeader, QueryView). */
export function revealTarget() {
  if (!pendingTarget) return;
  const el = document.getElementById(pendingTarget);
  if (!el) return;
  pendingTarget = '';
  if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
  el.focus({ preventScroll: true });
  el.scrollIntoView({ block: 'start' });
}

window.addEventListener('popstate', () => {
  document.body.dataset.routed = '1';
  pendingTarget = window.location.hash.slice(1);
  subscribers.forEach((fn) => fn(currentLocation()));
});

export function useLocation() {
  const [loc, setLoc] = useState(currentLocation());
  useEffect(() => {
    subscribers.add(setLoc);
    return () => subscribers.delete(setLoc);
  }, []);
  return loc;
}

/** Intercepts clicks on same-origin links so they route client-side. */
export function installLinkInterception() {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const a = event.target.closest && event.target.closest('a[href]');
    if (!a || a.target || a.hasAttribute('download') || a.dataset.external !== undefined) return;
    if (a.getAttribute('href').startsWith('#')) return; // in-page links (the skip link)
    const url = new URL(a.href, window.location.href);
    if (url.origin !== window.location.origin) return;
    if (url.pathname.includes('.') || url.pathname.startsWith('/graphql')) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
}
