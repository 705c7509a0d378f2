// Runs first (app.js imports it before anything else): points the SPA's shared modules (api,
// i18n, session) at the console: its endpoint, its texts, its session queries.
import { setEndpoint } from '../../js/api.js';
import { addTexts } from '../../js/i18n.js';
import { configureSession } from '../../js/session.js';
import { en } from './i18n/en.js';
import { pl } from './i18n/pl.js';
import { KEEP_ALIVE, SESSION_POLL } from './operations/accounts.js';

setEndpoint('/console/graphql');
addTexts({ pl, en });
configureSession({
  poll: SESSION_POLL,
  keepAlive: KEEP_ALIVE,
  read: (data) => (data.me && data.me.stage === 'DONE' ? data.me : null),
  storagePrefix: 'icok.console',
});
