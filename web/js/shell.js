// web/js/shell.js — what every page shares: the skip link, the header (the person's name and
// role, the organization a global admin acts for, the language switch, log out) and <main>.
// A page's script calls startPage() and fills the <main> it returns.
import { api, currentOrg, setOrg } from './api.js';
import { el, append, replace } from './dom.js';
import { t, switchLang } from './i18n.js';

// The pages in the header's navigation: roles null means every role. Add a page here.
export const NAV = [
  { path: '/check', key: 'nav.check', roles: null },
  { path: '/review', key: 'nav.review', roles: ['reviewer', 'appeals', 'admin'] },
  { path: '/dashboard', key: 'nav.dashboard', roles: ['auditor', 'admin'] },
];

function nav(role) {
  const items = NAV.filter((p) => !p.roles || p.roles.includes(role)).map((p) =>
    el(
      'li',
      {},
      el('a', { href: p.path, 'aria-current': location.pathname === p.path ? 'page' : null }, t(p.key)),
    ),
  );
  return el('nav', { 'aria-label': t('shell.nav') }, el('ul', { class: 'nav' }, items));
}

// The org picker of a global admin: the choice goes in X-Sangloc-Org of every API call.
function orgPicker(session) {
  if (session.org || !session.orgs || !session.orgs.length) return null;
  if (!session.orgs.some((o) => o.id === currentOrg())) setOrg(session.orgs[0].id);
  const select = el(
    'select',
    {
      id: 'org-select',
      onchange: (e) => {
        setOrg(e.target.value);
        location.reload();
      },
    },
    session.orgs.map((o) => el('option', { value: o.id, selected: o.id === currentOrg() }, o.name)),
  );
  return el('div', { class: 'org' }, el('label', { for: 'org-select' }, t('shell.org')), ' ', select);
}

async function logout() {
  const r = await api('POST', '/logout');
  if (r.ok || r.status === 401) location.assign('/login');
}

function header(session) {
  const right = el('div', { class: 'tools' });
  if (session) {
    append(
      right,
      el(
        'p',
        { class: 'who' },
        el('span', { class: 'visually-hidden' }, t('shell.user'), ': '),
        el('span', { class: 'who-name' }, session.name),
        ' · ',
        el('span', { class: 'who-role' }, t(`role.${session.role}`)),
        session.org ? [' · ', el('span', { class: 'who-org' }, session.org)] : null,
      ),
      orgPicker(session),
    );
  }
  append(
    right,
    el(
      'button',
      { type: 'button', class: 'lang', lang: t('shell.lang') === 'English' ? 'en' : 'vi', title: t('shell.lang.label'), onclick: switchLang },
      t('shell.lang'),
    ),
    session
      ? el('button', { type: 'button', class: 'logout', onclick: logout }, t('shell.logout'))
      : location.pathname !== '/login'
        ? el('a', { href: '/login', class: 'login-link' }, t('shell.login'))
        : null,
  );
  return el(
    'header',
    { class: 'top' },
    el('a', { href: '/', class: 'brand' }, t('app.name')),
    session ? nav(session.role) : null,
    right,
  );
}

// Builds the shell and returns {session, main} (session null without one). titleKey names the
// page (the <title> and the <h1>). A page the role may not open (status 403) shows why and
// returns main null.
export async function startPage(titleKey) {
  const body = document.body;
  let session = null;
  if (body.dataset.session === '1') {
    const r = await api('GET', '/session');
    if (r.ok) session = r.data;
  }
  document.title = `${t(titleKey)} · ${t('app.name')}`;
  const main = el('main', { id: 'main', tabindex: '-1' }, el('h1', {}, t(titleKey)));
  replace(
    body,
    el('a', { href: '#main', class: 'skip' }, t('shell.skip')),
    header(session),
    main,
  );
  if (body.dataset.status === '403') {
    append(main, el('p', { class: 'error', role: 'alert' }, t('shell.forbidden')));
    return { session, main: null };
  }
  return { session, main };
}
