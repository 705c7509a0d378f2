// The console's screens. Adding one is one line here (and its import): ``path`` may have
// ``:name`` segments (given to the view as ``params``), ``nav`` puts it in the navigation with
// the text ``key`` and ``icon``, ``role`` is the least role that sees it (AGENT < SUPERVISOR <
// ADMIN; the server checks the same on every field).
import { Account } from './views/account.js';
import { CustomerScreen } from './views/customer.js';
import { Publishing } from './views/publishing.js';
import { Queue } from './views/queue.js';
import { Request } from './views/request.js';
import { Search } from './views/search.js';
import { Staff } from './views/staff.js';

export const ROUTES = [
  { path: '/console/search', view: Search, nav: true, key: 'console.nav.search', icon: 'search' },
  { path: '/console/customers/:id', view: CustomerScreen },
  { path: '/console/queue', view: Queue, nav: true, key: 'console.nav.queue', icon: 'inbox' },
  { path: '/console/queue/:id', view: Request },
  { path: '/console/publishing', view: Publishing, nav: true, key: 'console.nav.publishing', icon: 'send', role: 'SUPERVISOR' },
  { path: '/console/staff', view: Staff, nav: true, key: 'console.nav.staff', icon: 'users', role: 'ADMIN' },
  { path: '/console/account', view: Account, nav: true, key: 'console.nav.account', icon: 'key' },
];

/** Where ``/console/`` and a fresh login lead. */
export const HOME = '/console/search';

const ROLE_ORDER = ['AGENT', 'SUPERVISOR', 'ADMIN'];

/** Whether a member with ``role`` may see a screen that needs ``needed``. */
export function roleAllows(role, needed) {
  return !needed || ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(needed);
}

/** The route for ``path`` and its ``params``, or null. */
export function match(path) {
  const parts = path.replace(/\/+$/, '').split('/');
  for (const route of ROUTES) {
    const pattern = route.path.split('/');
    if (pattern.length !== parts.length) continue;
    const params = {};
    const ok = pattern.every((segment, i) => {
      if (segment.startsWith(':')) {
        params[segment.slice(1)] = decodeURIComponent(parts[i]);
        return parts[i] !== '';
      }
      return segment === parts[i];
    });
    if (ok) return { route, params };
  }
  return null;
}
