// web/js/i18n.js — the pages' text: one dictionary per language (web/js/i18n/vi.js, en.js),
// Vietnamese by default. The server picks the language (?lang=en or the `lang` cookie) and
// writes it in <html lang>; the switch sets the cookie and reloads.
import vi from './i18n/vi.js';
import en from './i18n/en.js';

const dicts = { vi, en };
export const lang = document.documentElement.lang === 'en' ? 'en' : 'vi';

// The text of key, with {name} replaced by vars.name. A missing key shows as itself (and a
// warning in the console, which the browser tests treat as a failure).
export function t(key, vars = {}) {
  let s = dicts[lang][key];
  if (s === undefined) {
    console.warn(`i18n: no "${key}" in ${lang}`);
    s = key;
  }
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

export function has(key) {
  return key in dicts[lang];
}

// Switches to the other language for a year and reloads (dropping a ?lang= of the URL).
export function switchLang() {
  const next = lang === 'vi' ? 'en' : 'vi';
  document.cookie = `lang=${next}; Path=/; Max-Age=31536000; SameSite=Strict`;
  const u = new URL(location.href);
  u.searchParams.delete('lang');
  location.assign(u.pathname + u.search + u.hash);
}
