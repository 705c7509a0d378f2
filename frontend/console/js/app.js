// The console shell: boot (who is logged in?), the login, the layout with the navigation, the
// member's name and role, the idle countdown (the SPA's session module, pointed at the console
// by setup.js) and the route table (routes.js).
import './setup.js';
import { html, render, useEffect, useState } from '../../vendor/preact-htm.js';
import { Brand as SharedBrand, Frame, LanguageSwitch } from '../../js/chrome.js';
import { gql } from '../../js/api.js';
import { t, useLanguage } from '../../js/i18n.js';
import { installLinkInterception, navigate, useLocation } from '../../js/router.js';
import { startSession, stopSession } from '../../js/session.js';
import { Loading } from '../../js/ui.js';
import { LOGOUT, ME } from './operations/accounts.js';
import { HOME, ROUTES, match, roleAllows } from './routes.js';
import { Login, safeNext } from './views/login.js';
import { NotFound } from './views/notfound.js';

const ICONS = {
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM16 16l5 5',
  inbox: 'M3 13l3-8h12l3 8v6H3zM3 13h5l1 3h6l1-3h5',
  send: 'M3 11l18-8-8 18-2-8z',
  key: 'M14 10a4 4 0 1 0-4 4h0l-6 6v2h3v-2h2v-2h2l1-1',
  users: 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21a7 7 0 0 1 14 0M17 11a3 3 0 1 0 0-6M18 15a5 5 0 0 1 4 6',
};

function Icon({ name }) {
  return html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d=${ICONS[name] || ''} /></svg>`;
}

function Brand() {
  return html`<${SharedBrand} href=${HOME} subtitle=${t('console.subtitle')} />`;
}

function Shell({ path, me, onLogout, children }) {
  const items = ROUTES.filter((r) => r.nav && roleAllows(me.staff.role, r.role)).map((r) => ({
    path: r.path, label: t(r.key), icon: html`<${Icon} name=${r.icon} />`,
  }));
  const who = html`<p class="staff-who" data-testid="staff-who"><strong>${me.staff.name}</strong> <span class="muted">${t(`console.role.${me.staff.role.toLowerCase()}`)}</span></p>`;
  return html`<${Frame} path=${path} className="console" brand=${html`<${Brand} />`} tools=${who}
    hint=${t('console.session.hint')} items=${items} onLogout=${onLogout}
    current=${(p) => path === p || path.startsWith(p + '/')}>${children}</${Frame}>`;
}

function PublicLayout({ children }) {
  return html`<div class="public console">
    <a class="skip-link" href="#main">${t('app.skip')}</a>
    <header class="public-top"><${Brand} /><${LanguageSwitch} /></header>
    <main id="main" class="public-main" tabindex="-1">${children}</main>
  </div>`;
}

function App() {
  useLanguage(); // re-render everything when the language changes
  const loc = useLocation();
  const [me, setMe] = useState(undefined);

  const loadMe = async () => {
    try {
      const data = await gql(ME);
      if (data.me && data.me.stage === 'DONE') {
        setMe(data.me);
        startSession(data, (reason) => {
          setMe(null);
          navigate(`/console/login?reason=${reason}`, { replace: true });
        });
      } else {
        stopSession();
        setMe(null);
      }
    } catch {
      setMe(null);
    }
  };

  useEffect(() => {
    loadMe();
  }, []);

  const logout = async () => {
    try {
      await gql(LOGOUT);
    } catch {
      /* the session may already be gone */
    }
    stopSession();
    setMe(null);
    navigate('/console/login?reason=logout');
  };

  if (me === undefined) return html`<div class="boot"><${Loading} /></div>`;

  if (loc.path === '/console/login') {
    if (me) {
      navigate(safeNext(loc.query), { replace: true });
      return null;
    }
    return html`<${PublicLayout}><${Login} query=${loc.query} onLoggedIn=${loadMe} /></${PublicLayout}>`;
  }
  if (!me) {
    navigate(`/console/login?next=${encodeURIComponent(loc.path + window.location.search)}`, { replace: true });
    return null;
  }
  if (loc.path === '/console' || loc.path === '/console/') {
    navigate(HOME, { replace: true });
    return null;
  }
  const found = match(loc.path);
  if (!found || !roleAllows(me.staff.role, found.route.role)) {
    return html`<${Shell} path=${loc.path} me=${me} onLogout=${logout}><${NotFound} /></${Shell}>`;
  }
  const View = found.route.view;
  return html`<${Shell} path=${loc.path} me=${me} onLogout=${logout}>
    <${View} route=${found.route} params=${found.params} query=${loc.query} me=${me} />
  </${Shell}>`;
}

installLinkInterception();
render(html`<${App} />`, document.getElementById('app'));
