// The notice page (/notice/{id}?token=...): the statement of reasons as its author reads it,
// without an account; the appeal form (one appeal, its answers); a wrong token says "not found"
// and nothing more; the token leaves the address bar; a hostile post renders as inert text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  url,
  db,
  tokens,
  launch,
  watchedPage,
  login,
  sessionCookie,
  assertAccessible,
  screenshot,
  apiCall,
  startServer,
} from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

const TEXT = 'Thằng chó này, tao sẽ giết mày. Gọi nó số 0912 345 678 mà chửi';
const CLAUSE = 'Điều 3. Không đe dọa dùng bạo lực hoặc kêu gọi gây hại cho bất kỳ ai.';
let seq = 0;

// The page's console, less the browser's own log line of an expected HTTP refusal (fetch of a
// 404, 409 or 410 answer): those are the answers the page shows, not errors of the page.
function pageProblems(problems) {
  return problems.filter((p) => !/Failed to load resource: the server responded with a status of (404|409|410)/.test(p));
}

// Ingests a comment that is hidden at ingest, then a reviewer removes it citing threat.violence:
// {id, hide: the automated hide's notice, removal: the decision's notice}.
async function removedItem(base = url, integ = tokens.integration, rev = tokens.reviewer, text = TEXT, rule = 'threat.violence') {
  const id = `n-${process.pid}-${++seq}`;
  const ing = await apiCall('POST', '/v1/items', integ, { items: [{ id, channel: 'fanpage', kind: 'comment', author: 'fb:77', text }] }, base);
  assert.equal(ing.status, 200, JSON.stringify(ing.data));
  assert.equal(ing.data.items[0].state, 'hidden');
  const hide = ing.data.items[0].notice;
  assert.ok(hide && hide.appeal_token);
  const item = await apiCall('GET', `/v1/items/fanpage/${id}`, rev, undefined, base);
  const dec = await apiCall('POST', `/v1/items/fanpage/${id}/decision`, rev, {
    outcome: 'remove',
    rule,
    note: 'đe dọa, kèm số điện thoại',
    statement: 'Xin góp ý bằng lời lẽ ôn hòa.',
    version: item.data.version,
  }, base);
  assert.equal(dec.status, 200, JSON.stringify(dec.data));
  return { id, hide, removal: dec.data.notice };
}

function noticeUrl(n, base = url, extra = '') {
  return `${base}/notice/${n.id}?token=${encodeURIComponent(n.appeal_token)}${extra}`;
}

test('the notice: its clause, the phone number redacted, the token out of the address bar; appeal once', async () => {
  const { id, hide, removal } = await removedItem();
  const context = await browser.newContext();
  const { page, problems } = await watchedPage(context);
  const res = await page.goto(noticeUrl(removal));
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['referrer-policy'], 'no-referrer');
  await page.locator('#clause').waitFor();
  // the token is no longer in the address bar (nor in this history entry)
  assert.equal(new URL(page.url()).search, '');
  assert.equal(new URL(page.url()).pathname, `/notice/${removal.id}`);
  assert.equal(await page.locator('h1').textContent(), 'Thông báo về bình luận của bạn');
  assert.equal(await page.locator('main').getAttribute('data-kind'), 'removal');
  assert.equal(await page.locator('#clause').textContent(), CLAUSE);
  assert.match(await page.locator('.notice-meta').textContent(), new RegExp(`mã ${id} trên kênh fanpage`));
  assert.match(await page.locator('main').textContent(), /Xin góp ý bằng lời lẽ ôn hòa\./);
  // the quotes: the threat as written, the phone number replaced by the redaction mark
  assert.equal(await page.locator('.notice-facts li[data-rule="threat.violence"] .quote').textContent(), 'tao sẽ giết mày');
  assert.equal(await page.locator('.notice-facts li[data-rule="pii.phone"] .quote').textContent(), '[đã che]');
  const all = await page.locator('body').textContent();
  assert.ok(!all.includes('0912'), 'no digit of the phone number anywhere on the page');
  assert.ok(!all.includes(removal.appeal_token), 'the token is not shown');
  // the appeal is possible, until the date the API gives
  assert.equal(await page.locator('#appeal-state').getAttribute('data-state'), 'open');
  const until = new Date(removal.appeal_until + 7 * 3600 * 1000);
  const dd = `${String(until.getUTCDate()).padStart(2, '0')}/${String(until.getUTCMonth() + 1).padStart(2, '0')}/${until.getUTCFullYear()}`;
  assert.match(await page.locator('#appeal-state').textContent(), new RegExp(`đến hết \\d\\d:\\d\\d ngày ${dd.replace(/\//g, '\\/')} \\(giờ Việt Nam\\)`));
  assert.equal(await page.locator('label[for=appeal-text]').textContent(), 'Lời giải thích của bạn');
  await assertAccessible(page);
  await screenshot(page, 'notice');

  // appeal by keyboard; the count is in UTF-8 bytes
  const appeal = 'Tôi trích lời người khác để phản bác, không đe dọa ai. 🙏';
  await page.locator('#appeal-text').focus();
  await page.keyboard.type(appeal);
  assert.equal(await page.locator('#appeal-count').textContent(), `${Buffer.byteLength(appeal)} / 4000 byte`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('type')), 'submit');
  await page.keyboard.press('Enter');
  await page.locator('#appeal-done').waitFor();
  const appealId = Number(await page.locator('#appeal-done .appeal-id').textContent());
  assert.ok(appealId > 0);
  assert.match(await page.locator('#appeal-done').textContent(), /Chúng tôi đã nhận khiếu nại của bạn\./);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'appeal-done', 'focus moves to the confirmation');
  // the appeals queue has it, with the author's text
  const q = await apiCall('GET', '/v1/queues/appeals', tokens.appeals);
  const mine = q.data.items.find((c) => c.appeal === appealId);
  assert.ok(mine, 'the appeal is in the queue');
  assert.equal(mine.id, id);
  assert.equal(mine.text, appeal);
  await assertAccessible(page);

  // a reload still finds the token (this tab's sessionStorage); a second appeal is refused
  await page.reload();
  await page.locator('#appeal-text').waitFor();
  assert.equal(new URL(page.url()).search, '');
  await page.locator('#appeal-text').fill('Lần nữa.');
  await page.locator('form.appeal button[type=submit]').press('Enter');
  const answer = page.locator('#appeal-answer[data-code="already_appealed"]');
  await answer.waitFor();
  assert.equal(await answer.textContent(), 'Quyết định này đã được khiếu nại. Mỗi quyết định chỉ được khiếu nại một lần.');
  assert.equal(await page.locator('form.appeal').count(), 0, 'the form is gone');

  // the automated hide's notice, since replaced by the person's decision: superseded
  await page.goto(noticeUrl(hide));
  await page.locator('#appeal-text').waitFor();
  assert.equal(await page.locator('main').getAttribute('data-kind'), 'automated_hide');
  await page.locator('#appeal-text').fill('Tôi khiếu nại việc ẩn tự động.');
  await page.locator('form.appeal button[type=submit]').click();
  await page.locator('#appeal-answer[data-code="superseded"]').waitFor();
  assert.match(await page.locator('#appeal-answer').textContent(), /thông báo mới nhất/);
  assert.deepEqual(pageProblems(problems), []);
  await context.close();
});

test('the notice in English (the switch keeps the token of this tab), no cookie sent, a too long appeal', async () => {
  const { removal } = await removedItem();
  const context = await browser.newContext();
  const { page, problems } = await watchedPage(context);
  // someone logged in opens the link: the page still acts on the token alone, without the cookie
  await login(page, tokens.reviewer2);
  const [get, who] = await Promise.all([
    page.waitForRequest((r) => r.url().includes(`/v1/notices/${removal.id}`)),
    page.waitForRequest((r) => r.url() === `${url}/session`),
    page.goto(noticeUrl(removal)),
  ]);
  assert.ok((await sessionCookie(context)) !== undefined);
  assert.match((await who.allHeaders()).cookie || '', /sl_session=/, 'the shell’s own request has it');
  assert.equal((await get.allHeaders()).cookie, undefined, 'the notice is fetched without the cookie');
  await page.locator('#clause').waitFor();
  await page.locator('button.lang').focus();
  await Promise.all([page.waitForEvent('load'), page.keyboard.press('Space')]);
  await page.locator('#clause').waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('h1').textContent(), 'Notice about your comment');
  assert.equal(await page.locator('.notice-facts li[data-rule="pii.phone"] .quote').textContent(), '[redacted]');
  assert.match(await page.locator('#appeal-state').textContent(), /you can appeal until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  assert.match(await page.locator('#notice-message').textContent(), /^NOTICE ABOUT YOUR COMMENT/);
  await assertAccessible(page);
  // over 4,000 bytes (2,001 two-byte letters): refused in the page, nothing sent
  let sent = 0;
  page.on('request', (r) => {
    if (r.url().endsWith('/v1/appeals')) sent++;
  });
  await page.locator('#appeal-text').fill('ư'.repeat(2001));
  assert.equal(await page.locator('#appeal-count').textContent(), '4002 / 4000 bytes');
  assert.equal(await page.locator('#appeal-text').getAttribute('aria-invalid'), 'true');
  await page.locator('form.appeal button[type=submit]').click();
  assert.match(await page.locator('#appeal-answer').textContent(), /4002 bytes, over the limit of 4000/);
  assert.equal(sent, 0);
  // an empty explanation
  await page.locator('#appeal-text').fill('   ');
  await page.locator('form.appeal button[type=submit]').click();
  assert.equal(await page.locator('#appeal-answer').textContent(), 'Write your explanation before sending.');
  assert.equal(sent, 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the window closed: the appeal is refused with its message (410), then the page says so', async () => {
  const { removal } = await removedItem();
  const context = await browser.newContext();
  const { page, problems } = await watchedPage(context);
  await page.goto(noticeUrl(removal));
  await page.locator('#appeal-text').waitFor();
  // the window ends while the page is open
  execFileSync('sqlite3', ['-cmd', '.timeout 10000', db, `UPDATE notices SET appeal_until = 1000 WHERE id = '${removal.id}'`]);
  await page.locator('#appeal-text').fill('Tôi khiếu nại.');
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/v1/appeals')),
    page.locator('form.appeal button[type=submit]').click(),
  ]);
  assert.equal(res.status(), 410);
  await page.locator('#appeal-answer[data-code="appeal_window_closed"]').waitFor();
  assert.equal(await page.locator('#appeal-answer').textContent(), 'Đã hết thời hạn khiếu nại quyết định này.');
  await page.reload();
  await page.locator('#appeal-state[data-state="closed"]').waitFor();
  assert.match(await page.locator('#appeal-state').textContent(), /Thời hạn khiếu nại đã kết thúc lúc 07:00 ngày 01\/01\/1970/);
  assert.equal(await page.locator('#appeal-text').count(), 0, 'no form');
  assert.deepEqual(pageProblems(problems), []);
  await context.close();
});

test('a wrong token, an unknown id, no token: "not found" and nothing more', async () => {
  const { id, removal } = await removedItem();
  const context = await browser.newContext();
  const { page, problems } = await watchedPage(context);
  const wrong = { id: removal.id, appeal_token: 'sla_' + 'A'.repeat(43) };
  const unknown = { id: 'AAAAAAAAAAAAAAAAAAAAAA', appeal_token: removal.appeal_token };
  for (const n of [wrong, unknown, { id: removal.id, appeal_token: '' }]) {
    await page.goto(noticeUrl(n));
    await page.locator('#notice-error').waitFor();
    assert.equal(await page.locator('#notice-error').textContent(), 'Không tìm thấy thông báo này. Hãy kiểm tra lại đường dẫn bạn nhận được.');
    const text = await page.locator('main').textContent();
    for (const secret of [id, 'fanpage', 'Điều 3', 'tao sẽ giết', 'threat']) assert.ok(!text.includes(secret), `no "${secret}"`);
    assert.equal(await page.locator('form, textarea').count(), 0);
    assert.equal(new URL(page.url()).search, '');
    await assertAccessible(page);
  }
  // a malformed id in the path: the same message, no page error
  await page.goto(`${url}/notice/%E0%A4?token=${removal.appeal_token}`);
  await page.locator('#notice-error').waitFor();
  assert.equal(new URL(page.url()).search, '');
  // the API says no more either: the same 404 for a wrong token as for an unknown id
  const a = await apiCall('GET', `/v1/notices/${removal.id}?token=${wrong.appeal_token}`);
  const b = await apiCall('GET', `/v1/notices/${unknown.id}?token=${removal.appeal_token}`);
  assert.equal(a.status, 404);
  assert.deepEqual(a.data, b.data);
  assert.deepEqual(pageProblems(problems), []);
  await context.close();
});

test('POST /v1/appeals from a page of another site: no JSON through CORS, a form-like post refused (415)', async () => {
  const { removal } = await removedItem();
  const site = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>another site</title><p>hi</p>');
  });
  await new Promise((resolve) => site.listen(0, resolve));
  site.unref();
  const context = await browser.newContext();
  try {
    const evil = await context.newPage();
    await evil.goto(`http://localhost:${site.address().port}/`);
    const statuses = [];
    evil.on('response', (r) => {
      if (r.url() === `${url}/v1/appeals`) statuses.push(r.status());
    });
    const body = JSON.stringify({ appeal_token: removal.appeal_token, text: 'gửi từ trang khác' });
    const out = await evil.evaluate(
      async ([t, b]) => {
        let json;
        try {
          await fetch(t, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: b });
          json = 'sent';
        } catch {
          json = 'blocked';
        }
        const r = await fetch(t, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: b });
        return { json, simple: r.type };
      },
      [`${url}/v1/appeals`, body],
    );
    assert.equal(out.json, 'blocked', 'the browser does not send cross-site JSON without CORS');
    assert.equal(out.simple, 'opaque');
    await evil.waitForTimeout(200);
    assert.deepEqual(statuses, [415], 'the simple request is refused: not JSON');
    // the token is still unused: the author's own appeal goes through
    const own = await apiCall('POST', '/v1/appeals', undefined, { appeal_token: removal.appeal_token, text: 'của tôi' });
    assert.equal(own.status, 200);
  } finally {
    await context.close();
    site.closeAllConnections();
    site.close();
  }
});

test('a hostile post renders as inert text in the notice: no element made, nothing fires', async () => {
  // a server whose policy flags markup, so that the notice quotes the post's tags
  const dir = join(process.env.SL_TMP, 'hostile');
  mkdirSync(dir, { recursive: true });
  const policy = join(dir, 'markup.yaml');
  writeFileSync(
    policy,
    [
      'version: "markup-1"',
      'name: "markup"',
      'thresholds: {warn: 0.3, review: 0.6, hide: 0.9}',
      'categories:',
      '  spam: {}',
      '  personal_data: {}',
      'rules:',
      '  - id: test.markup',
      '    category: spam',
      '    weight: 0.95',
      '    clause: "Điều 8. Không chèn mã vào bình luận."',
      "    regex: '<[a-z][^<>]{0,80}>'",
      '    view: nfc',
      '  - id: pii.phone',
      '    category: personal_data',
      '    weight: 0.7',
      '    clause: "Điều 5. Không đăng thông tin cá nhân của người khác."',
      '    detector: pii.phone',
      '',
    ].join('\n'),
  );
  const srv = await startServer(dir, ['--policy', policy, '--no-model']);
  try {
    const integ = srv.token('integration', 'Tích hợp');
    const rev = srv.token('reviewer', 'Người duyệt');
    const hostile =
      '<script>alert("s")</script> <img src=x onerror="alert(\'i\')"> <a href="javascript:alert(\'a\')">bấm</a> ' +
      '<svg onload=alert(1)> раураl.com Аdmin ＜script＞ \u202Egnp.exe gọi 0912 345 678';
    const { removal } = await removedItem(srv.url, integ, rev, hostile, 'test.markup');
    const context = await browser.newContext();
    const { page, problems, dialogs } = await watchedPage(context);
    await page.goto(noticeUrl(removal, srv.url));
    await page.locator('#clause').waitFor();
    const r = await page.evaluate(() => {
      const m = document.querySelector('main');
      return {
        quotes: [...document.querySelectorAll('.notice-facts .quote')].map((q) => q.textContent),
        message: document.querySelector('#notice-message').textContent,
        bad: m.querySelectorAll('img, script, svg, iframe, object, a[href^="javascript"], [onerror], [onload]').length,
        tags: [...new Set([...m.querySelectorAll('*')].map((e) => e.tagName.toLowerCase()))].sort(),
      };
    });
    // the verdict keeps some of the rule's matches: the tags it quotes are shown as written
    assert.ok(r.quotes.includes('<img src=x onerror="alert(\'i\')">'), JSON.stringify(r.quotes));
    assert.ok(r.quotes.includes('<svg onload=alert(1)>'), JSON.stringify(r.quotes));
    assert.ok(r.quotes.includes('[đã che]'), 'the phone number is still redacted');
    assert.match(r.message, /“<img src=x onerror="alert\('i'\)">”/);
    assert.equal(r.bad, 0);
    assert.deepEqual(
      r.tags.filter((t) => !['blockquote', 'button', 'code', 'dd', 'details', 'div', 'dl', 'dt', 'form', 'h1', 'h2', 'label', 'li', 'p', 'pre', 'q', 'section', 'span', 'strong', 'summary', 'textarea', 'ul'].includes(t)),
      [],
      'only the page’s own elements',
    );
    await page.waitForTimeout(300);
    assert.deepEqual(dialogs, [], 'no dialog fired');
    assert.deepEqual(problems, []);
    await assertAccessible(page);
    await context.close();
  } finally {
    await srv.stop();
  }
});
