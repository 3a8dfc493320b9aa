// /login: a token becomes a session (POST /login, form-encoded); then back to the page that
// sent the person here (?next=, a local path only) or the draft checker.
import { api } from '../api.js';
import { el, append, replace } from '../dom.js';
import { t } from '../i18n.js';
import { startPage } from '../shell.js';

// ?next= when it is a path of this server ("/x", not "//host" or a scheme).
function nextPath() {
  const n = new URLSearchParams(location.search).get('next') || '';
  return /^\/(?![/\\])[A-Za-z0-9/_.\-%]*$/.test(n) ? n : '/check';
}

const { session, main } = await startPage('login.title');
const error = el('p', { id: 'login-error', class: 'error', role: 'alert', 'aria-live': 'assertive' });
const input = el('input', {
  id: 'token',
  name: 'token',
  type: 'password',
  autocomplete: 'off',
  spellcheck: 'false',
  required: true,
  'aria-describedby': 'login-error',
});
const button = el('button', { type: 'submit' }, t('login.submit'));
const form = el(
  'form',
  { method: 'post', action: '/login', class: 'login', novalidate: true },
  el('label', { for: 'token' }, t('login.token')),
  input,
  button,
);
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  replace(error);
  if (!input.value.trim()) {
    replace(error, t('login.empty'));
    input.focus();
    return;
  }
  button.disabled = true;
  try {
    const r = await api('POST', '/login', new URLSearchParams({ token: input.value.trim() }));
    if (r.ok) {
      location.assign(nextPath());
      return;
    }
    const msg =
      r.status === 429
        ? t('login.limited', { s: r.headers.get('Retry-After') || '60' })
        : r.status === 403
          ? t('login.origin')
          : t('login.bad');
    replace(error, msg);
    input.select();
    input.focus();
  } finally {
    button.disabled = false;
  }
});
append(
  main,
  session ? el('p', { class: 'note' }, t('login.already', { name: session.name })) : null,
  el('p', {}, t('login.intro')),
  form,
  error,
);
input.focus();
