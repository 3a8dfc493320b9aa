// The draft checker (/check): spans highlighted as one types, hostile drafts shown as inert
// text, the English switch, and the anonymous checker of --public-check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  url,
  tokens,
  launch,
  watchedPage,
  login,
  assertAccessible,
  screenshot,
  startServer,
} from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

// The marks' rule ids and texts, in order.
function marks(page) {
  return page.locator('#preview mark[data-rule]').evaluateAll((ms) => ms.map((m) => [m.dataset.rule, m.textContent]));
}

test('the draft checker highlights spans as one types (Vietnamese text, emoji before them)', async () => {
  const context = await browser.newContext();
  const { page, problems } = await watchedPage(context);
  await login(page, tokens.reviewer); // a reviewer may not call /v1/check with a token: the page may
  await page.goto(`${url}/check`);
  const draft = page.locator('textarea#draft');
  await draft.waitFor();
  assert.equal(await page.locator('label[for=draft]').textContent(), 'Bản nháp');
  await draft.focus();
  // emoji (surrogate pairs, a ZWJ family) and combining marks before the flagged spans: byte
  // offsets and string indices differ by then
  const text = 'Chào 👨‍👩‍👧 cả nhà 🙂, mày là đồ ngu, gọi 0912345678 nhé';
  await page.keyboard.type(text, { delay: 5 });
  await page.locator('#preview mark[data-rule]').first().waitFor();
  await page.waitForFunction(() => document.querySelectorAll('#preview mark[data-rule]').length >= 2);
  const got = await marks(page);
  assert.deepEqual(got, [
    ['insult.people', 'đồ ngu'],
    ['pii.phone', '0912345678'],
  ]);
  assert.equal(await page.locator('#preview').textContent(), text, 'the preview is the draft');
  // the clause as a tooltip and in the list, with a plain-language hint
  const title = await page.locator('#preview mark[data-rule="insult.people"]').getAttribute('title');
  assert.match(title, /^Điều 2\./);
  const item = page.locator('.findings li[data-rule="pii.phone"]');
  assert.match(await item.locator('.clause').textContent(), /^Điều 5\./);
  assert.match(await item.locator('.hint').textContent(), /Thông tin cá nhân/);
  assert.equal(await page.locator('main').getAttribute('data-action'), 'review');
  await screenshot(page, 'check');
  await assertAccessible(page);

  // editing the draft updates the marks (debounced): the insult removed, the phone stays
  await draft.fill('gọi 0912345678 nhé');
  await page.waitForFunction(() => !document.querySelector('#preview mark[data-rule="insult.people"]'));
  assert.deepEqual(await marks(page), [['pii.phone', '0912345678']]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a hostile draft renders as inert text: no script runs, no element is made', async () => {
  const context = await browser.newContext();
  const { page, problems, dialogs } = await watchedPage(context);
  await login(page, tokens.integration);
  await page.goto(`${url}/check`);
  const hostile =
    '<script>alert("s")</script> <img src=x onerror="alert(\'i\')"> ' +
    '<a href="javascript:alert(\'a\')">bấm vào</a> <svg onload=alert(1)> ' +
    '&lt;b&gt; đồ ngu — раураl.com Аdmin ＜script＞ \u202Egnp.exe';
  await page.locator('textarea#draft').fill(hostile);
  await page.locator('#preview mark[data-rule]').first().waitFor();
  const r = await page.evaluate(() => {
    const p = document.querySelector('#preview');
    return {
      text: p.textContent,
      tags: [...p.querySelectorAll('*')].map((e) => e.tagName.toLowerCase()),
      imgs: document.querySelectorAll('img, script:not([src]), svg, a[href^="javascript"]').length,
    };
  });
  assert.equal(r.text, hostile, 'textContent equals the input');
  assert.deepEqual([...new Set(r.tags)], ['mark'], 'only marks are made');
  assert.equal(r.imgs, 0);
  // give an injected handler every chance to fire
  await page.waitForTimeout(300);
  assert.deepEqual(dialogs, [], 'no dialog fired');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the English switch (cookie) and ?lang=en', async () => {
  const context = await browser.newContext();
  const { page, problems } = await watchedPage(context);
  await login(page, tokens.reviewer);
  await page.goto(`${url}/check`);
  await page.locator('button.lang').focus();
  await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
  await page.locator('h1').waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('h1').textContent(), 'Draft checker');
  assert.equal(await page.locator('.who-role').textContent(), 'reviewer');
  await assertAccessible(page);
  // back to Vietnamese; ?lang=en alone switches one page
  await page.locator('button.lang').click();
  await page.waitForFunction(() => document.documentElement.lang === 'vi' && document.querySelector('h1'));
  assert.equal(await page.locator('h1').textContent(), 'Kiểm tra bản nháp');
  await page.goto(`${url}/login?lang=en`);
  assert.equal(await page.locator('h1').textContent(), 'Log in');
  assert.deepEqual(problems, []);
  await context.close();
});

test('--public-check: the checker without a token, limited per address', async () => {
  const srv = await startServer(join(process.env.SL_TMP, 'public'), ['--public-check']);
  try {
    const context = await browser.newContext();
    const { page, problems } = await watchedPage(context);
    const res = await page.goto(`${srv.url}/check`);
    assert.equal(res.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/check');
    await page.locator('textarea#draft').focus();
    await page.keyboard.type('gọi 0912345678 nhé', { delay: 5 });
    await page.locator('#preview mark[data-rule="pii.phone"]').waitFor();
    assert.equal(await page.locator('button.logout').count(), 0);
    await assertAccessible(page);
    assert.deepEqual(problems, []);
    // other pages still need a session; an anonymous caller may not ingest
    await page.goto(`${srv.url}/session`);
    const ingest = await fetch(`${srv.url}/v1/items`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"items":[]}',
    });
    assert.equal(ingest.status, 401);
    // the shared server (without the flag) sends an anonymous checker to the login page
    await page.goto(`${url}/check`);
    assert.equal(new URL(page.url()).pathname, '/login');
    await context.close();
  } finally {
    await srv.stop();
  }
});

test('keyboard only: Tab reaches every control in order, each with a visible focus ring', async () => {
  const context = await browser.newContext();
  const { page, problems } = await watchedPage(context);
  await login(page, tokens.reviewer);
  await page.goto(`${url}/check`);
  await page.locator('textarea#draft').waitFor();
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  const seen = [];
  for (let k = 0; k < 12 && !seen.some((s) => s.el === 'textarea#draft'); k++) {
    await page.keyboard.press('Tab');
    seen.push(
      await page.evaluate(() => {
        const e = document.activeElement;
        const cs = getComputedStyle(e);
        const id = e.id ? `#${e.id}` : e.className ? `.${String(e.className).split(' ')[0]}` : '';
        return { el: e.tagName.toLowerCase() + id, ring: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 };
      }),
    );
  }
  // (the first Tab after blur() may land on the body: the document, not a control)
  const controls = seen.filter((s) => s.el !== 'body');
  const order = controls.map((s) => s.el);
  for (const want of ['a.skip', 'a.brand', 'button.lang', 'button.logout', 'textarea#draft'])
    assert.ok(order.includes(want), `${want} in the tab order: ${order.join(', ')}`);
  assert.ok(order.indexOf('a.skip') < order.indexOf('textarea#draft'));
  assert.deepEqual(controls.filter((s) => !s.ring).map((s) => s.el), [], `a visible focus on each: ${order.join(', ')}`);
  // the skip link moves to the main content
  await page.evaluate(() => document.activeElement.blur());
  for (let k = 0; k < 3 && (await page.evaluate(() => document.activeElement.className)) !== 'skip'; k++)
    await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  assert.deepEqual(problems, []);
  await context.close();
});
