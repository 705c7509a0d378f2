// The application shell: boot (who is logged in?), layouts, navigation, the session countdown
// and its warning, and the route table.
import { html, render, useEffect, useState } from '../vendor/preact-htm.js';
import { gql } from './api.js';
import { clearDrafts, setDraftOwner } from './forms.js';
import { Brand, Frame, LanguageSwitch } from './chrome.js';
import { t, useLanguage } from './i18n.js';
import { LOGOUT, ME } from './operations/accounts.js';
import { UNREAD_COUNT } from './operations/customer.js';
import { installLinkInterception, navigate, useLocation } from './router.js';
import { startSession, stopSession } from './session.js';
import { Loading } from './ui.js';
import { ConfirmContactEmail, ConfirmEmail, ConfirmLoginEmail, ForgotPassword, Login, Register, ResetPassword } from './views/auth.js';
import { Contact } from './views/contact.js';
import { Equipment } from './views/equipment.js';
import { Home } from './views/home.js';
import { LegalLinks, Privacy, Terms } from './views/legal.js';
import { NotFound } from './views/notfound.js';
import { Offers } from './views/offers.js';
import { PaymentReturn, Payments } from './views/payments.js';
import { Security } from './views/security.js';
import { Services } from './views/services.js';
import { YourData } from './views/yourdata.js';

const PUBLIC_ROUTES = {
  '/login': Login,
  '/register': Register,
  '/confirm-email': ConfirmEmail,
  '/confirm-contact-email': ConfirmContactEmail,
  '/confirm-login-email': ConfirmLoginEmail,
  '/terms': Terms,
  '/privacy': Privacy,
  '/forgot-password': ForgotPassword,
  '/reset-password': ResetPassword,
};

export const MENU = [
  { path: '/', key: 'nav.home', icon: 'home' },
  { path: '/your-data', key: 'nav.yourData', icon: 'user' },
  { path: '/services', key: 'nav.services', icon: 'tv' },
  { path: '/equipment', key: 'nav.equipment', icon: 'device' },
  { path: '/payments', key: 'nav.payments', icon: 'card' },
  { path: '/offers', key: 'nav.offers', icon: 'gift' },
  { path: '/contact', key: 'nav.contact', icon: 'mail' },
  { path: '/security', key: 'nav.security', icon: 'lock' },
];

const PRIVATE_ROUTES = {
  '/': Home,
  '/your-data': YourData,
  '/services': Services,
  '/equipment': Equipment,
  '/payments': Payments,
  '/payments/return': PaymentReturn,
  '/offers': Offers,
  '/contact': Contact,
  '/security': Security,
};

const ICONS = {
  home: 'M3 11l9-7 9 7v9a1 1 0 0 1-1 1h-5v-6H9v6H4a1 1 0 0 1-1-1z',
  user: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-8 9a8 8 0 0 1 16 0',
  tv: 'M3 6h18v11H3zM8 21h8M12 17v4',
  device: 'M4 8h16v9H4zM7 12h2M12 12h5',
  card: 'M3 6h18v12H3zM3 10h18M7 15h4',
  gift: 'M4 10h16v10H4zM3 7h18v3H3zM12 7v13M12 7c-2-4-6-3-5 0M12 7c2-4 6-3 5 0',
  mail: 'M3 6h18v12H3zM3 7l9 6 9-6',
  lock: 'M6 11h12v9H6zM8 11V8a4 4 0 0 1 8 0v3',
};

function Icon({ name }) {
  return html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d=${ICONS[name]} /></svg>`;
}

function UnreadBadge({ count }) {
  if (!count) return null;
  return html`<span class="badge badge-count" aria-label=${t('nav.unread', { count })}>${count}</span>`;
}

const UNREAD_POLL_MS = 60000;

function Shell({ path, me, onLogout, setUnread, children }) {
  useEffect(() => {
    // The unread badge, refreshed in the background (does not extend the session).
    const refresh = () => gql(UNREAD_COUNT, {}, { background: true }).then(
      (data) => data.viewer && setUnread(data.viewer.unreadMessageCount),
      () => {},
    );
    refresh();
    const timer = setInterval(refresh, UNREAD_POLL_MS);
    return () => clearInterval(timer);
  }, []);
  const items = MENU.map((item) => ({
    path: item.path,
    label: t(item.key),
    icon: html`<${Icon} name=${item.icon} />`,
    extra: item.path === '/contact' && html`<${UnreadBadge} count=${me.unread} />`,
  }));
  return html`<${Frame} path=${path} brand=${html`<${Brand} />`} items=${items} onLogout=${onLogout}
    current=${(p) => (p === '/' ? path === '/' : path === p || path.startsWith(p + '/'))}
    navNote=${html`<p class="customer-number">${t('nav.customerNumber')}: <strong>${me.customerNumber}</strong></p>`}
    footer=${html`<footer class="shell-foot"><${LegalLinks} /></footer>`}>${children}</${Frame}>`;
}

function PublicLayout({ children }) {
  return html`<div class="public">
    <a class="skip-link" href="#main">${t('app.skip')}</a>
    <header class="public-top"><${Brand} /><${LanguageSwitch} /></header>
    <main id="main" class="public-main" tabindex="-1">${children}</main>
    <footer class="public-foot"><p>${t('app.footer')}</p><${LegalLinks} /></footer>
  </div>`;
}

function App() {
  useLanguage(); // re-render everything when the language changes
  const loc = useLocation();
  const [me, setMe] = useState(undefined);

  const loadMe = async () => {
    try {
      const data = await gql(ME);
      if (data.viewer) {
        setDraftOwner(data.viewer.customerNumber); // another customer's drafts go
        setMe({ customerNumber: data.viewer.customerNumber, unread: 0 });
        startSession(data, (reason) => {
          clearDrafts(); // idle logout or a session ended elsewhere: the next person sees nothing
          setMe(null);
          navigate(`/login?reason=${reason}`, { replace: true });
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
    clearDrafts(); // nothing typed is left for the next person in this tab
    setMe(null);
    navigate('/login?reason=logout');
  };

  if (me === undefined) return html`<div class="boot"><${Loading} /></div>`;

  const Public = PUBLIC_ROUTES[loc.path];
  if (Public) {
    if (me && loc.path === '/login') {
      navigate('/', { replace: true });
      return null;
    }
    return html`<${PublicLayout}><${Public} query=${loc.query} onLoggedIn=${loadMe} /></${PublicLayout}>`;
  }
  const Private = PRIVATE_ROUTES[loc.path];
  if (!me) {
    if (Private) {
      navigate(`/login?next=${encodeURIComponent(loc.path + window.location.search)}`, { replace: true });
      return null;
    }
    return html`<${PublicLayout}><${NotFound} /></${PublicLayout}>`;
  }
  const View = Private || NotFound;
  const setUnread = (n) => setMe((m) => (m && m.unread !== n ? { ...m, unread: n } : m));
  return html`<${Shell} path=${loc.path} me=${me} onLogout=${logout} setUnread=${setUnread}>
    <${View} query=${loc.query} setUnread=${setUnread} />
  </${Shell}>`;
}

installLinkInterception();
render(html`<${App} />`, document.getElementById('app'));
