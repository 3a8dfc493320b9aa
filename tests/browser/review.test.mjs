// The reviewer's queue (/review): the queues and their counts, items in the API's order, marks on
// the right text, the standard spelling under teencode, personal data masked until revealed
// (and the reveal in the audit log), the queue worked by keyboard only, a stale version, an
// appeal refused to the person who made the decision and decided by another, bulk decisions,
// hostile posts as inert text; axe-core and the console on each page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { url, tokens, launch, watchedPage, login, assertAccessible, screenshot, apiCall, makeToken } from './lib.mjs';

const CH = `rv-${Date.now().toString(36)}`; // this run's channel: other files share the server
const PHONE = '0912 345 678';
const posts = {
  threat: 'Thằng chó này, tao sẽ giết mày. Gọi nó số 0912 345 678 mà chửi',
  phone: 'gọi ngay 0912345678 gặp chị Lan',
  teen: 'm là thằng ngu, k ai thèm đọc đâu, đm',
  hostile:
    '<script>window.__pwned=1</script> mày là đồ ngu <img src=x onerror="window.__pwned=2"> ' +
    '<a href="javascript:window.__pwned=3">bấm</a> Ꭰồ nɡu раураl.com',
};

let browser;
before(async () => {
  browser = await launch();
  const items = Object.entries(posts).map(([id, text]) => ({ id, channel: CH, kind: 'comment', author: `fb:${id}`, text }));
  const r = await apiCall('POST', '/v1/items', tokens.integration, { items });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  for (const it of r.data.items) assert.notEqual(it.verdict.action, 'allow', `${it.id} must be queued`);
});
after(async () => {
  await browser.close();
});

const QUEUES = ['pending', 'reported', 'appeals'];
const sel = (id) => `li[data-item-id="${CH}/${id}"]`;

async function openReview(token, query = '') {
  const context = await browser.newContext();
  const w = await watchedPage(context);
  await login(w.page, token);
  await w.page.goto(`${url}/review${query}`);
  await w.page.locator('body[data-ready="1"]').waitFor();
  return { context, ...w };
}

// The item-id of the focused element (the keyboard's current item).
function focusedId(page) {
  return page.evaluate(() => document.activeElement && document.activeElement.dataset && document.activeElement.dataset.itemId);
}

// Presses j (or k, when the item is above) until the item is focused: the queue holds other
// files' items too, so its place is read from the page.
async function jTo(page, id) {
  const ids = await page.locator('li[data-item-id]').evaluateAll((ls) => ls.map((l) => l.dataset.itemId));
  const want = ids.indexOf(`${CH}/${id}`);
  assert.ok(want >= 0, `${id} is not in the queue`);
  for (let i = 0; i < ids.length + 2; i++) {
    const cur = ids.indexOf(await focusedId(page));
    if (cur === want) return;
    await page.keyboard.press(cur > want ? 'k' : 'j');
  }
  assert.fail(`the keys never reached ${id}`);
}

// Chromium logs a refused fetch (4xx) as a console error: the refusals a test provokes on purpose.
function unexpected(problems, statuses = []) {
  return problems.filter((p) => !statuses.some((s) => p.includes(`status of ${s}`)));
}

test('the queues, their counts, the API order, marks, the standard view, hostile text inert', async () => {
  const { context, page, problems, dialogs } = await openReview(tokens.reviewer);
  const q = await apiCall('GET', '/v1/queues', tokens.reviewer);
  for (const { queue, open } of q.data.queues)
    assert.equal(await page.locator(`button[data-queue="${queue}"] .count`).textContent(), String(open), queue);
  assert.equal(await page.locator('button[data-queue="pending"]').getAttribute('aria-pressed'), 'true');
  const order = await apiCall('GET', '/v1/queues/pending?limit=50', tokens.reviewer);
  const shown = await page.locator('li[data-item-id]').evaluateAll((ls) => ls.map((l) => l.dataset.itemId));
  assert.deepEqual(shown, order.data.items.map((e) => `${e.channel}/${e.id}`));

  // marks with their rule on the right text; the phone number masked inside its own
  const threat = page.locator(sel('threat'));
  assert.equal(await threat.locator('mark[data-rule="insult.people"]').first().textContent(), 'Thằng chó');
  assert.equal(await threat.locator('mark[data-rule="threat.violence"]').first().textContent(), 'tao sẽ giết mày');
  assert.equal(await threat.locator('mark[data-rule="pii.phone"] .masked').count(), 1);
  assert.equal(await threat.locator('tr[data-rule="threat.violence"] td').nth(2).textContent(), '1.00');
  assert.match(await threat.locator('table.model caption').textContent(), /nhãn/);
  // teencode: the standard spelling under the text
  const teen = page.locator(sel('teen'));
  assert.match(await teen.locator('.standard-text').textContent(), /không ai/);
  assert.equal(await page.locator(sel('phone')).locator('.standard').count(), 0, 'plain text: no standard view');

  // hostile: the markup is text, nothing ran, no element came of it
  const hostile = page.locator(sel('hostile'));
  assert.equal(await hostile.locator('.item-text').textContent(), posts.hostile);
  assert.equal(await hostile.locator('.item-text script, .item-text img, .item-text a').count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator('main script, main img, main a[href^="javascript"]').count(), 0);
  assert.deepEqual(dialogs, []);

  // the shortcuts' list: ? opens it, Escape closes it
  await page.locator('main h1').click();
  await page.keyboard.press('?');
  assert.equal(await page.locator('dialog#shortcuts').evaluate((d) => d.open), true);
  await assertAccessible(page);
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('dialog#shortcuts').evaluate((d) => d.open), false);

  await screenshot(page, 'review');
  await assertAccessible(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test('personal data stays masked until the reviewer reveals it, and the reveal is audited', async () => {
  const context = await browser.newContext();
  const { page, problems } = await watchedPage(context);
  const bodies = [];
  page.on('response', async (res) => {
    if (new URL(res.url()).pathname.startsWith('/v1/')) bodies.push([res.url(), await res.text().catch(() => '')]);
  });
  await login(page, tokens.reviewer);
  await page.goto(`${url}/review`);
  await page.locator('body[data-ready="1"]').waitFor();
  const item = page.locator(sel('phone'));
  await item.locator('.masked').waitFor();
  const digits = /0912\s?345\s?678/;
  assert.doesNotMatch(await page.content(), digits, 'the page holds the number before the click');
  for (const [u, b] of bodies) assert.doesNotMatch(b, digits, `${u} sent the number before the click`);
  const cp = await apiCall('GET', '/v1/audit/checkpoint', tokens.admin);
  const from = cp.data.size;

  await item.locator('button.reveal').click();
  await item.locator('.revealed').waitFor();
  assert.equal(await item.locator('.item-text').textContent(), posts.phone);
  assert.equal(await item.locator('mark[data-rule="pii.phone"]').textContent(), '0912345678');

  const entries = await apiCall('GET', `/v1/audit/entries?from=${from}&to=${from + 50}`, tokens.admin);
  const reveals = entries.data.entries.map((e) => JSON.parse(e.entry)).filter((e) => e.action === 'item.reveal');
  assert.equal(reveals.length, 1, JSON.stringify(entries.data));
  assert.equal(reveals[0].actor.name, 'Người reviewer');
  assert.equal(reveals[0].data.channel, CH);
  assert.equal(reveals[0].data.id, 'phone');
  assert.deepEqual(reveals[0].data.rules, ['pii.phone']);
  assert.doesNotMatch(JSON.stringify(reveals[0]), digits, 'the entry holds the number');
  await assertAccessible(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the queue worked by keyboard only: j k e n h, keys inert while typing, a stale version', async () => {
  const { context, page, problems } = await openReview(tokens.reviewer);
  await page.keyboard.press('Tab'); // the skip link: the keyboard is in the page
  await jTo(page, 'threat');
  const item = page.locator(sel('threat'));
  assert.equal(await item.evaluate((n) => n.classList.contains('current')), true);
  // k then j: back and forth
  const first = await focusedId(page);
  await page.keyboard.press('k');
  const prev = await focusedId(page);
  await page.keyboard.press('j');
  assert.equal(await focusedId(page), first);
  assert.ok(prev, 'k focused an item');

  // e: the reason picker; arrows pick the rule; Escape back to the item
  await page.keyboard.press('e');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'rule-picker');
  for (let i = 0; i < 40 && (await item.locator('select.rule-picker').inputValue()) !== 'threat.violence'; i++)
    await page.keyboard.press('ArrowDown');
  assert.equal(await item.locator('select.rule-picker').inputValue(), 'threat.violence');
  await page.keyboard.press('Escape');
  assert.equal(await focusedId(page), `${CH}/threat`);

  // n: the note; h, a, e, j typed into it decide nothing and move nothing
  await page.keyboard.press('n');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'note-text');
  await page.keyboard.type('hành vi đe dọa, kèm số của người khác; j k a h e');
  assert.equal(await item.locator('textarea.note-text').inputValue(), 'hành vi đe dọa, kèm số của người khác; j k a h e');
  assert.equal(await item.getAttribute('data-decided'), null);
  await page.keyboard.press('Escape');

  // the item moves on (a reader's report) after the page read it: h is refused as stale, the
  // item is read again, and h then decides with the new version
  const rep = await apiCall('POST', '/v1/reports', tokens.integration, { channel: CH, id: 'threat', reason: 'threat' });
  assert.equal(rep.status, 200, JSON.stringify(rep.data));
  await page.keyboard.press('h');
  await page.locator('#review-status', { hasText: /vừa thay đổi/ }).waitFor();
  assert.equal(await item.getAttribute('data-decided'), null);
  assert.equal(await focusedId(page), `${CH}/threat`);
  await page.keyboard.press('e');
  for (let i = 0; i < 40 && (await item.locator('select.rule-picker').inputValue()) !== 'threat.violence'; i++)
    await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Escape');
  await page.keyboard.press('h');
  await page.locator(`${sel('threat')}[data-decided="remove"]`).waitFor();
  assert.notEqual(await focusedId(page), `${CH}/threat`, 'the focus moved on');

  // the decision, through the API
  const got = await apiCall('GET', `/v1/items/${CH}/threat`, tokens.reviewer);
  assert.equal(got.data.state, 'removed');
  assert.ok(got.data.history.some((h) => h.what === 'decided' || h.to === 'removed'), JSON.stringify(got.data.history));
  // a: keep of a published item (the teencode one is published, pending review)
  await jTo(page, 'teen');
  const teenState = (await apiCall('GET', `/v1/items/${CH}/teen`, tokens.reviewer)).data.state;
  await page.keyboard.press('a');
  const want = teenState === 'published' ? 'keep' : 'restore';
  await page.locator(`${sel('teen')}[data-decided="${want}"]`).waitFor();
  const after = await apiCall('GET', `/v1/items/${CH}/teen`, tokens.reviewer);
  assert.equal(after.data.state, 'published');
  assert.deepEqual(unexpected(problems, [409]), []);
  await context.close();
});

test('an appeal: the person who decided is refused in the page, another person decides', async () => {
  // a decision by "Người reviewer" (Bearer), appealed by the author with the notice's token
  const it = { id: 'appealed', channel: CH, kind: 'comment', author: 'fb:ap', text: 'mày là thằng chó, tao sẽ giết mày' };
  await apiCall('POST', '/v1/items', tokens.integration, { items: [it] });
  const cur = await apiCall('GET', `/v1/items/${CH}/appealed`, tokens.reviewer);
  const d = await apiCall('POST', `/v1/items/${CH}/appealed/decision`, tokens.reviewer, {
    outcome: 'remove',
    rule: 'threat.violence',
    note: 'đe dọa',
    version: cur.data.version,
  });
  assert.equal(d.status, 200, JSON.stringify(d.data));
  const ap = await apiCall('POST', '/v1/appeals', null, { appeal_token: d.data.notice.appeal_token, text: 'Tôi chỉ trích lời <b>người khác</b>.' });
  assert.equal(ap.status, 200, JSON.stringify(ap.data));

  // the same person with an appeals token: refused, with the reason in words
  const same = makeToken('appeals', 'Người reviewer');
  {
    const { context, page, problems } = await openReview(same, '?queue=appeals');
    const item = page.locator(sel('appealed'));
    await item.locator('.appeal-text').waitFor();
    assert.equal(await item.locator('.appeal-text').textContent(), 'Tôi chỉ trích lời <b>người khác</b>.');
    assert.match(await item.locator('.decision').textContent(), /Người reviewer/);
    await jTo(page, 'appealed');
    await page.keyboard.press('e');
    await page.keyboard.type('Tôi thấy nên hủy.');
    await page.keyboard.press('Escape');
    await page.keyboard.press('o');
    await page.locator('#review-status', { hasText: 'một người khác phải xét khiếu nại này' }).waitFor();
    assert.equal(await item.getAttribute('data-decided'), null);
    await assertAccessible(page);
    assert.deepEqual(unexpected(problems, [403]), []);
    await context.close();
  }
  // another person decides it
  {
    const { context, page, problems } = await openReview(tokens.appeals, '?queue=appeals');
    const item = page.locator(sel('appealed'));
    await item.locator('textarea.reason-text').fill('Lời đe dọa trực tiếp, không phải trích dẫn.');
    await item.locator('button[data-outcome="uphold"]').click();
    await page.locator(`${sel('appealed')}[data-decided="uphold"]`).waitFor();
    const q = await apiCall('GET', '/v1/queues/appeals', tokens.appeals);
    assert.ok(!q.data.items.some((e) => e.channel === CH && e.id === 'appealed'), 'the appeal left the queue');
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('bulk: select every item with a rule, decide them at once, a summary of refusals', async () => {
  const items = ['b1', 'b2', 'b3'].map((id) => ({ id, channel: CH, kind: 'comment', author: `fb:${id}`, text: `${id}: mày là đồ ngu` }));
  await apiCall('POST', '/v1/items', tokens.integration, { items });
  const { context, page, problems } = await openReview(tokens.reviewer);
  await page.locator('#bulk-key').selectOption('rule:insult.people');
  await page.locator('#bulk-select').click();
  // keep the selection to this run's bulk items (the queue holds other items with the rule)
  const others = await page
    .locator('li[data-item-id] input.select:checked')
    .evaluateAll((bs) => bs.map((b) => b.closest('li').dataset.itemId).filter((id) => !/\/b\d$/.test(id)));
  for (const id of others) await page.locator(`li[data-item-id="${id}"] input.select`).uncheck();
  assert.equal(await page.locator('li[data-item-id] input.select:checked').count(), 3);
  // b3 moves on after the page read it: refused as stale, the two others removed
  await apiCall('POST', '/v1/reports', tokens.integration, { channel: CH, id: 'b3', reason: 'insult' });
  await page.locator('button[data-bulk-outcome="remove"]').click();
  await page.locator('#bulk-summary', { hasText: 'Thành công: 2; bị từ chối: 1' }).waitFor();
  assert.match(await page.locator('#bulk-summary .refusals').textContent(), /b3: stale/);
  for (const [id, want] of [['b1', 'removed'], ['b2', 'removed'], ['b3', 'published']]) {
    const r = await apiCall('GET', `/v1/items/${CH}/${id}`, tokens.reviewer);
    assert.equal(r.data.state, want, id);
  }
  await assertAccessible(page);
  assert.deepEqual(unexpected(problems, [409]), []);
  await context.close();
  // b3's report in the reported queue: its reports counted by reason
  const r2 = await openReview(tokens.reviewer, '?queue=reported');
  assert.equal(await r2.page.locator('button[data-queue="reported"]').getAttribute('aria-pressed'), 'true');
  assert.equal(await r2.page.locator(`${sel('b3')} .reports li[data-reason="insult"]`).textContent(), 'insult: 1');
  await assertAccessible(r2.page);
  assert.deepEqual(r2.problems, []);
  await r2.context.close();
});

test('the page in English; an appeals person sees the appeals queue only; others are refused', async () => {
  const { context, page, problems } = await openReview(tokens.appeals, '?lang=en');
  assert.equal(await page.locator('h1').textContent(), 'Review queue');
  assert.deepEqual(await page.locator('button[data-queue]').evaluateAll((b) => b.map((x) => x.dataset.queue)), ['appeals']);
  assert.deepEqual(problems, []);
  await context.close();
  // a global admin: the org picked in the header, the three queues, the items of the org
  const adm = await openReview(tokens.admin);
  assert.deepEqual(await adm.page.locator('button[data-queue]').evaluateAll((b) => b.map((x) => x.dataset.queue)), QUEUES);
  const pending = await apiCall('GET', '/v1/queues/pending?limit=50', tokens.reviewer);
  assert.equal(await adm.page.locator('li[data-item-id]').count(), pending.data.items.length);
  assert.deepEqual(adm.problems, []);
  await adm.context.close();
  const c2 = await browser.newContext();
  const w = await watchedPage(c2);
  await login(w.page, tokens.curator);
  const res = await w.page.goto(`${url}/review`);
  assert.equal(res.status(), 403);
  await w.page.locator('main p[role=alert]').waitFor();
  await c2.close();
});
