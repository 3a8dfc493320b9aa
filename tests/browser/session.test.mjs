// Logging in and out of the pages, and the CSRF and origin checks of a session's requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url,
  tokens,
  launch,
  watchedPage,
  login,
  assertAccessible,
  screenshot,
  sessionCookie,
  apiCall,
  makeToken,
} from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

test('the login page: Vietnamese, accessible, its security headers, no console error', async () => {
  const context = await browser.newContext();
  const { page, problems } = await watchedPage(context);
  const res = await page.goto(`${url}/login`);
  const h = res.headers();
  assert.match(h['content-security-policy'], /default-src 'self'; script-src 'self'; style-src 'self'/);
  assert.match(h['content-security-policy'], /frame-ancestors 'none'/);
  assert.equal(h['x-content-type-options'], 'nosniff');
  assert.equal(h['referrer-policy'], 'no-referrer');
  assert.equal(h['x-frame-options'], 'DENY');
  await page.locator('input[name=token]').waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.equal(await page.locator('h1').textContent(), 'Đăng nhập');
  assert.equal(await page.locator('label[for=token]').textContent(), 'Mã truy cập');
  await assertAccessible(page);
  await screenshot(page, 'login');
  assert.deepEqual(problems, []);
  await context.close();
});

test('log in with a token: an HttpOnly, SameSite=Strict session cookie; log out ends it', async () => {
  const context = await browser.newContext();
  const { page, problems } = await watchedPage(context);
  await page.goto(`${url}/check`); // no session: sent to the login page, and back afterwards
  assert.equal(new URL(page.url()).pathname, '/login');
  await login(page, tokens.reviewer);
  assert.equal(new URL(page.url()).pathname, '/check');
  const c = await sessionCookie(context);
  assert.ok(c, 'a session cookie');
  assert.equal(c.httpOnly, true);
  assert.equal(c.sameSite, 'Strict');
  assert.equal(c.path, '/');
  assert.match(c.value, /^[A-Za-z0-9_-]{43}$/);
  assert.ok(c.expires > Date.now() / 1000 + 7.9 * 3600, 'lasts the 8 hours of --session-hours');
  // the page's script cannot read it
  assert.equal(await page.evaluate(() => document.cookie.includes('sl_session')), false);
  await page.locator('.who-name').waitFor();
  assert.equal(await page.locator('.who-name').textContent(), 'Người reviewer');
  assert.equal(await page.locator('.who-role').textContent(), 'người duyệt');
  // the session answers the API in the page's name
  const who = await page.evaluate(() => fetch('/session').then((r) => r.json()));
  assert.equal(who.role, 'reviewer');

  // log out by keyboard: the button is reachable with Tab
  await page.locator('button.logout').focus();
  await Promise.all([page.waitForURL(`${url}/login`), page.keyboard.press('Enter')]);
  assert.equal(await sessionCookie(context), undefined, 'the cookie is cleared');
  // the old cookie no longer opens anything, even if a copy was kept
  const again = await browser.newContext();
  await again.addCookies([{ ...c }]);
  const p2 = await again.newPage();
  await p2.goto(`${url}/check`);
  assert.equal(new URL(p2.url()).pathname, '/login');
  await again.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a bad token is refused with one message, and no cookie', async () => {
  const context = await browser.newContext();
  const { page } = await watchedPage(context);
  await page.goto(`${url}/login`);
  for (const bad of ['slt_' + 'A'.repeat(43), 'not a token', tokens.reviewer + 'x']) {
    await page.locator('input[name=token]').fill(bad);
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${url}/login` && r.request().method() === 'POST'),
      page.keyboard.press('Enter'),
    ]);
    assert.equal(res.status(), 401);
    await page.locator('#login-error').filter({ hasText: 'Mã truy cập không được chấp nhận.' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/login');
  }
  assert.equal(await sessionCookie(context), undefined);
  await context.close();
});

test('a page request without the CSRF header, or from another origin, is refused (403)', async () => {
  const context = await browser.newContext();
  const { page } = await watchedPage(context);
  await login(page, tokens.admin);
  const csrf = await page.locator('meta[name=csrf-token]').getAttribute('content');
  assert.match(csrf, /^[A-Za-z0-9_-]{43}$/);
  // from the page itself: without the header 403, with it 200
  const statuses = await page.evaluate(async (token) => {
    const post = (headers) =>
      fetch('/v1/check', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Sangloc-Org': 'default', ...headers },
        body: JSON.stringify({ text: 'xin chào' }),
      }).then((r) => r.status);
    return [await post({}), await post({ 'X-CSRF-Token': 'x'.repeat(43) }), await post({ 'X-CSRF-Token': token })];
  }, csrf);
  assert.deepEqual(statuses, [403, 403, 200]);
  // the session's cookie and the right token, but another origin: 403
  const post = (origin) =>
    context.request.post(`${url}/v1/check`, {
      headers: { Origin: origin, 'X-CSRF-Token': csrf, 'X-Sangloc-Org': 'default', 'Content-Type': 'application/json' },
      data: JSON.stringify({ text: 'xin chào' }),
    });
  const evil = await post('http://evil.example');
  assert.equal(evil.status(), 403);
  assert.equal((await evil.json()).error.code, 'csrf');
  assert.equal((await post('null')).status(), 403);
  assert.equal((await post(url.replace('127.0.0.1', 'localhost'))).status(), 403);
  assert.equal((await post(url)).status(), 200);
  // log out needs the token too
  const out = await context.request.post(`${url}/logout`, { headers: { Origin: url } });
  assert.equal(out.status(), 403);
  assert.ok(await sessionCookie(context), 'still logged in');
  // an API client with a Bearer token needs no CSRF token (no cookie involved)
  const api = await apiCall('POST', '/v1/check', tokens.integration, { text: 'xin chào' });
  assert.equal(api.status, 200);
  assert.equal(api.data.action, 'allow');
  await context.close();
});

test('a global admin picks the organization in the header', async () => {
  const context = await browser.newContext();
  const { page, problems } = await watchedPage(context);
  await login(page, tokens.admin);
  const select = page.locator('#org-select');
  await select.waitFor();
  assert.equal(await page.locator('label[for=org-select]').textContent(), 'Tổ chức');
  assert.deepEqual(await select.locator('option').allTextContents(), ['default']);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('sl_org')), 'default');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a hostile name in the header is text', async () => {
  const name = '<img src=x onerror="alert(1)"><script>alert(2)</script> Ꭺdmіn';
  const token = makeToken('reviewer', name);
  const context = await browser.newContext();
  const { page, problems, dialogs } = await watchedPage(context);
  await login(page, token);
  await page.locator('.who-name').waitFor();
  assert.equal(await page.locator('.who-name').textContent(), name);
  assert.equal(await page.locator('header img, header script').count(), 0);
  await page.waitForTimeout(200);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(problems, []);
  await context.close();
});
