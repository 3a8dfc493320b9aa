// The dashboard (/dashboard): after items are ingested, decided and appealed through the API,
// the charts render with the figures of GET /v1/stats (each canvas's data-points are its Chart
// instance's datasets), the hour/day/week switch asks again, the audit "verify" button runs the
// proofs in the browser and says each result in words; a reviewer gets the 403 page; axe-core
// clean; no console error (a CSP violation is one).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { url, tokens, launch, watchedPage, login, assertAccessible, screenshot, apiCall } from './lib.mjs';

let browser;
let n = 0;
const sum = (a) => a.reduce((x, y) => x + y, 0);

async function ingest(texts) {
  const items = texts.map((text) => ({ id: `dash-${Date.now()}-${n++}`, channel: 'dash', kind: 'comment', author: `Tác giả ${n}`, text }));
  const r = await apiCall('POST', '/v1/items', tokens.integration, { items });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  return r.data.items;
}

// A reviewer's decision on an item, then its author's appeal decided by the appeals person.
async function decideAndAppeal(id, outcome, appealOutcome) {
  const item = await apiCall('GET', `/v1/items/dash/${id}`, tokens.reviewer);
  assert.equal(item.status, 200);
  const d = await apiCall('POST', `/v1/items/dash/${id}/decision`, tokens.reviewer, {
    outcome,
    rule: item.data.verdict.hits[0].rule,
    note: 'ghi chú',
    version: item.data.version,
  });
  assert.equal(d.status, 200, JSON.stringify(d.data));
  const a = await apiCall('POST', '/v1/appeals', null, { appeal_token: d.data.notice.appeal_token, text: 'Tôi không đồng ý.' });
  assert.equal(a.status, 200, JSON.stringify(a.data));
  const ad = await apiCall('POST', `/v1/appeals/${a.data.id}/decision`, tokens.appeals, { outcome: appealOutcome, reason: 'lý do' });
  assert.equal(ad.status, 200, JSON.stringify(ad.data));
}

before(async () => {
  browser = await launch();
  const items = await ingest([
    'mày là thằng chó, tao sẽ giết mày',
    'gọi ngay 0912345678 gặp chị Lan',
    'đồ ngu, gọi 0987654321 mà hỏi',
    'Cảm ơn sở đã trả lời nhanh',
  ]);
  await decideAndAppeal(items[0].id, 'keep', 'overturn');
  await decideAndAppeal(items[1].id, 'remove', 'uphold');
});
after(async () => {
  await browser.close();
});

// Each chart's datasets as its canvas carries them.
function points(page) {
  return page.evaluate(() =>
    Object.fromEntries([...document.querySelectorAll('canvas[data-points]')].map((c) => [c.id, JSON.parse(c.dataset.points)])),
  );
}

test('the charts render the figures of /v1/stats; the switch asks again by hour and by week', async () => {
  const context = await browser.newContext();
  // every CSP violation as the page sees it (Chart.js sizes canvases through the CSSOM, which
  // style-src allows; a style attribute or an inline script would be reported here)
  await context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const { page, problems } = await watchedPage(context);
  const asked = [];
  page.on('request', (r) => {
    if (r.url().includes('/v1/stats')) asked.push(new URL(r.url()).searchParams.get('bucket'));
  });
  await login(page, tokens.auditor);
  await page.goto(`${url}/dashboard`);
  await page.locator('main[data-loads="1"]').waitFor();
  const api = (await apiCall('GET', '/v1/stats?bucket=day', tokens.auditor)).data;
  const p = await points(page);
  assert.deepEqual(Object.keys(p).sort(), ['chart-actions', 'chart-appeals', 'chart-categories', 'chart-queues', 'chart-rules', 'chart-times']);
  for (const [id, sets] of Object.entries(p)) {
    assert.ok(sets.length > 0, `${id} has datasets`);
    assert.ok(sets.every((s) => s.data.length > 0), `${id}: every dataset has points`);
  }
  // the same numbers as the API: the four actions, the categories, the appeals, the rules
  assert.deepEqual(p['chart-actions'].map((s) => s.data), ['allow', 'warn', 'review', 'hide'].map((a) => api.items.by_action[a]));
  assert.ok(sum(p['chart-actions'].flatMap((s) => s.data)) >= 4);
  assert.deepEqual(p['chart-categories'].map((s) => s.data), Object.values(api.items.by_category));
  assert.ok(p['chart-categories'].length >= 3, 'insult, threat, personal data at least');
  const appeals = p['chart-appeals'][0].data;
  assert.deepEqual(appeals, [api.appeals.upheld, api.appeals.overturned, api.appeals.open]);
  assert.ok(appeals[0] >= 1 && appeals[1] >= 1, 'one appeal upheld, one overturned');
  assert.deepEqual(p['chart-rules'][0].data, api.top_rules.map((r) => r.items));
  const times = p['chart-times'];
  assert.equal(times.length, 3, 'p50, p90, p99');
  assert.ok(times[0].data[0] > 0 && times[0].data[2] > 0, 'the pending and appeals queues have times');
  // the text alternative and the table of each chart
  const label = await page.locator('#chart-appeals').getAttribute('aria-label');
  assert.match(label, new RegExp(`Giữ nguyên quyết định: ${api.appeals.upheld}`));
  assert.equal(await page.locator('figure.chart table.data').count(), 6);
  const ruleCells = await page.locator('#fig-rules tbody th').allTextContents();
  assert.deepEqual(ruleCells, api.top_rules.map((r) => r.rule));
  // no author anywhere on the page
  const text = await page.locator('main').textContent();
  assert.doesNotMatch(text, /Tác giả/);

  await assertAccessible(page);
  // the switch, from the keyboard: arrow keys move between the radio buttons
  await page.locator('input[name=bucket][value=day]').focus();
  await page.keyboard.press('ArrowLeft');
  await page.locator('main[data-loads="2"][data-bucket="hour"]').waitFor();
  const hourly = await points(page);
  assert.equal(hourly['chart-actions'][0].data.length, 49, '48 hours and the current one');
  assert.equal(sum(hourly['chart-actions'].flatMap((s) => s.data)), api.items.total);
  await page.locator('input[name=bucket][value=week]').check();
  await page.locator('main[data-loads="3"][data-bucket="week"]').waitFor();
  assert.equal(sum((await points(page))['chart-actions'].flatMap((s) => s.data)), api.items.total);
  assert.deepEqual(asked, ['day', 'hour', 'week']);
  assert.deepEqual(await page.evaluate(() => window.cspViolations), [], 'no CSP violation');
  assert.ok(await page.evaluate(() => document.querySelector('#chart-actions').style.height !== ''), 'Chart.js sized the canvas');
  await page.locator('input[name=bucket][value=day]').check();
  await page.locator('main[data-loads="4"][data-bucket="day"]').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('"verify" checks the audit log in the browser and says so; the next visit checks consistency', async () => {
  const context = await browser.newContext();
  const { page, problems } = await watchedPage(context);
  await login(page, tokens.auditor);
  await page.goto(`${url}/dashboard`);
  await page.locator('main[data-loads="1"]').waitFor();
  await page.locator('dl.checkpoint dd').first().waitFor();
  await page.locator('#audit-verify').click();
  await page.locator('#audit[data-result]').waitFor();
  assert.equal(await page.locator('#audit').getAttribute('data-result'), 'ok', await page.locator('#audit').textContent());
  const states = () => page.locator('#audit-checks li').evaluateAll((ls) => ls.map((l) => [l.dataset.check, l.dataset.ok]));
  assert.deepEqual(await states(), [
    ['signature', 'true'],
    ['consistency', 'skipped'],
    ['inclusion', 'true'],
  ]);
  assert.match(await page.locator('#audit-checks li[data-check=signature]').textContent(), /Ed25519.*hợp lệ/);
  assert.match(await page.locator('#audit-checks li[data-check=consistency]').textContent(), /lần đầu/);
  assert.match(await page.locator('#audit-status').textContent(), /đều đạt/);
  await screenshot(page, 'dashboard');

  // the log grows; the browser remembers the checkpoint it verified
  await ingest(['một bình luận nữa']);
  await page.reload();
  await page.locator('main[data-loads="1"]').waitFor();
  await page.locator('#audit-verify').click();
  await page.locator('#audit[data-result]').waitFor();
  assert.deepEqual(await states(), [
    ['signature', 'true'],
    ['consistency', 'true'],
    ['inclusion', 'true'],
  ]);
  assert.match(await page.locator('#audit-checks li[data-check=consistency]').textContent(), /vẫn giữ nguyên/);

  // a remembered root the log never had: the check fails, in words
  await page.evaluate(() => {
    const k = Object.keys(localStorage).find((x) => x.startsWith('sl_audit_checkpoint:'));
    const v = JSON.parse(localStorage.getItem(k));
    v.root = btoa('x'.repeat(32));
    localStorage.setItem(k, JSON.stringify(v));
  });
  await page.locator('#audit-verify').click();
  await page.waitForFunction(() => document.querySelector('#audit')?.dataset.result === 'failed');
  assert.equal(await page.locator('#audit-checks li[data-check=consistency]').getAttribute('data-ok'), 'false');
  assert.match(await page.locator('#audit-checks li[data-check=consistency]').textContent(), /KHÔNG khớp/);
  await assertAccessible(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test('in English; a global admin sees the org it picked', async () => {
  const context = await browser.newContext();
  const { page, problems } = await watchedPage(context);
  await login(page, tokens.admin);
  await page.goto(`${url}/dashboard?lang=en`);
  await page.locator('main[data-loads="1"]').waitFor();
  assert.equal(await page.locator('h1').textContent(), 'Dashboard');
  const p = await points(page);
  assert.ok(sum(p['chart-actions'].flatMap((s) => s.data)) >= 4);
  assert.match(await page.locator('#chart-appeals').getAttribute('aria-label'), /Decision upheld: \d+/);
  await assertAccessible(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a reviewer gets the 403 page and no figures', async () => {
  const context = await browser.newContext();
  const { page, problems } = await watchedPage(context);
  await login(page, tokens.reviewer);
  const res = await page.goto(`${url}/dashboard`);
  assert.equal(res.status(), 403);
  await page.locator('main p[role=alert]').waitFor();
  assert.equal(await page.locator('main p[role=alert]').textContent(), 'Vai trò của bạn không được mở trang này.');
  assert.equal(await page.locator('canvas').count(), 0);
  // the dashboard is not in the reviewer's navigation
  assert.equal(await page.locator('nav a[href="/dashboard"]').count(), 0);
  const r = await apiCall('GET', '/v1/stats', tokens.reviewer);
  assert.equal(r.status, 403);
  await assertAccessible(page);
  assert.deepEqual(
    problems.filter((x) => !/status of 403/.test(x)),
    [],
  );
  await context.close();
});
