// web/js/api.js — the pages call the service's JSON API (docs/api.md) with fetch(): the
// session cookie goes along by itself; every state-changing request carries the page's CSRF
// token (<meta name="csrf-token">), and a global admin's requests name the organization picked
// in the header (X-Sangloc-Org).

const ORG_KEY = 'sl_org';

export function csrfToken() {
  const m = document.querySelector('meta[name="csrf-token"]');
  return m ? m.getAttribute('content') : '';
}

// The org a global admin acts for ('' for everyone else), kept per tab.
export function currentOrg() {
  return sessionStorage.getItem(ORG_KEY) || '';
}

export function setOrg(id) {
  if (id) sessionStorage.setItem(ORG_KEY, id);
  else sessionStorage.removeItem(ORG_KEY);
}

// fetch() of the API: resolves to {status, ok, data, headers}; data is the JSON body (or null).
// body: an object sent as JSON, or a URLSearchParams sent as a form.
export async function api(method, path, body, { signal } = {}) {
  const headers = { Accept: 'application/json' };
  let payload;
  if (body instanceof URLSearchParams) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    payload = body.toString();
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const c = csrfToken();
    if (c) headers['X-CSRF-Token'] = c;
  }
  const org = currentOrg();
  if (org) headers['X-Sangloc-Org'] = org;
  const res = await fetch(path, {
    method,
    headers,
    body: payload,
    credentials: 'same-origin',
    cache: 'no-store',
    signal,
  });
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  return { status: res.status, ok: res.ok, data, headers: res.headers };
}

// The message of an API error reply ({"error":{"message":...}}), or the status.
export function errorMessage(r) {
  return (r.data && r.data.error && r.data.error.message) || `HTTP ${r.status}`;
}
