// Checks of the pages' sources that need no browser: no HTML sinks anywhere in web/ (hostile
// text goes through dom.js's text nodes only), no inline script or style, and the two
// dictionaries with the same keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import vi from '../../web/js/i18n/vi.js';
import en from '../../web/js/i18n/en.js';

const web = new URL('../../web/', import.meta.url).pathname;

function files(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test('no HTML sinks or string code in web/', () => {
  const sinks = [
    /\.innerHTML\b/,
    /\.outerHTML\b/,
    /insertAdjacentHTML/,
    /document\.write/,
    /\beval\s*\(/,
    /new\s+Function\b/,
    /setTimeout\s*\(\s*['"`]/,
    /setInterval\s*\(\s*['"`]/,
    /createContextualFragment/,
    /DOMParser/,
    /\.setAttribute\s*\(\s*['"]on/,
    /\.style\./, // styles are classes in app.css (the CSP forbids style attributes)
  ];
  const found = [];
  for (const f of files(web).filter((p) => p.endsWith('.js'))) {
    const src = readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => !l.trim().startsWith('//'))
      .join('\n');
    for (const re of sinks) if (re.test(src)) found.push(`${relative(web, f)}: ${re}`);
  }
  assert.deepEqual(found, []);
});

test('the dictionaries have the same keys, none empty', () => {
  const a = Object.keys(vi).sort();
  const b = Object.keys(en).sort();
  assert.deepEqual(
    a.filter((k) => !(k in en)),
    [],
    'keys of vi.js missing in en.js',
  );
  assert.deepEqual(
    b.filter((k) => !(k in vi)),
    [],
    'keys of en.js missing in vi.js',
  );
  for (const k of a) assert.ok(vi[k].trim() && en[k].trim(), `empty text for ${k}`);
});

test('every t() key used in web/js exists', () => {
  const used = new Set();
  for (const f of files(web).filter((p) => p.endsWith('.js'))) {
    for (const m of readFileSync(f, 'utf8').matchAll(/\bt\(\s*'([a-z0-9_.]+)'/g)) used.add(m[1]);
  }
  assert.ok(used.size > 10);
  assert.deepEqual([...used].filter((k) => !(k in vi)), []);
});
