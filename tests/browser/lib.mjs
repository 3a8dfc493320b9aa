// tests/browser/lib.mjs — what the browser tests share (run.sh starts the server and sets the
// environment): the server's URL and tokens, Chromium, logging in, the console watch, axe-core,
// screenshots, and extra servers for tests that need other options.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const url = process.env.SL_URL;
export const bin = process.env.SL_BIN;
export const db = process.env.SL_DB;
export const root = process.env.SL_ROOT;
// {integration, reviewer, reviewer2, appeals, curator, auditor, admin}: secrets of tokens named
// "Người <key>" (the admin is global; the others of org "default")
export const tokens = JSON.parse(readFileSync(process.env.SL_TOKENS, 'utf8'));

export function launch() {
  return chromium.launch({
    executablePath: process.env.SL_CHROMIUM || '/usr/bin/chromium',
    headless: true,
  });
}

// A page that records console errors and warnings, uncaught exceptions and dialogs:
// watch.problems() lists them (a test of a page asserts it is empty).
export async function watchedPage(context) {
  const page = await context.newPage();
  const problems = [];
  const dialogs = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  return { page, problems, dialogs };
}

// Logs in through the login page, typing the token; resolves once the next page has loaded.
export async function login(page, token, base = url) {
  await page.goto(`${base}/login`);
  await page.locator('input[name=token]').focus();
  await page.keyboard.type(token);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.keyboard.press('Enter')]);
  await page.waitForLoadState('load');
}

// axe-core's checks on the page as it is (run through the DevTools protocol, so the page's CSP
// is untouched): fails listing the violations.
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export async function assertAccessible(page) {
  await page.evaluate(axeSource);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const v = res.violations.map(
    (x) => `${x.id} (${x.impact}): ${x.help} — ${x.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  assert.deepEqual(v, [], `axe-core violations on ${page.url()}`);
}

// Writes docs/pages/NAME.png when SL_SCREENSHOTS is set.
export async function screenshot(page, name) {
  if (!process.env.SL_SCREENSHOTS) return;
  const dir = join(root, 'docs', 'pages');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

// The session cookie of a browser context.
export async function sessionCookie(context, base = url) {
  return (await context.cookies(base)).find((c) => c.name === 'sl_session');
}

// A call of the JSON API with a Bearer token (not through the browser).
export async function apiCall(method, path, token, body, base = url) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  return { status: res.status, data };
}

// Another server on a free port with its own fresh store (folder dir) and options; resolves to
// {url, db, token(role, name, org), stop()}.
export async function startServer(dir, args = []) {
  mkdirSync(dir, { recursive: true });
  const dbPath = join(dir, 'extra.db');
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--db', dbPath, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no port: ${err}`)), 30000);
    child.stderr.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (c) => reject(new Error(`server exited ${c}: ${err}`)));
  });
  return {
    url: base,
    db: dbPath,
    token: (role, name, org = 'default') =>
      execFileSync(bin, ['token', 'create', '--db', dbPath, '--role', role, '--name', name, ...(org ? ['--org', org] : [])], {
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim(),
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

// A token of the shared server made now (role, name; org "default", none for a global admin).
export function makeToken(role, name, org = role === 'admin' ? '' : 'default') {
  return execFileSync(bin, ['token', 'create', '--db', db, '--role', role, '--name', name, ...(org ? ['--org', org] : [])], {
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .toString()
    .trim();
}
