// /review: the reviewer's queue. The queues (pending, reported, appeals) with their counts; the
// items of one, in the API's order, each with its text (flagged spans as <mark data-rule>),
// per-rule scores, the model's label against the policy's thresholds, bank matches, reports,
// and for appeals the decision appealed and the author's words. Personal data of others comes
// masked (GET ...?redact=personal_data) until the reviewer reveals it (POST .../reveal, which the
// server logs). Decisions from the keyboard (j k h a e n ? x, shortcuts() below) or the buttons;
// bulk decisions over the items sharing a rule or a bank entry. Every string from the API is
// hostile: it enters the page as text only (dom.js).
import { api, errorMessage } from '../api.js';
import { el, append, replace, clear } from '../dom.js';
import { t } from '../i18n.js';
import { startPage } from '../shell.js';
import { highlight } from '../marks.js';

const QUEUES = ['pending', 'reported', 'appeals'];
const PAGE_SIZE = 50;
const enc = new TextEncoder();
const dec = new TextDecoder();

const state = {
  session: null,
  queue: null,
  items: [], // {entry, item, node, revealed, decided}
  current: -1,
  rules: [], // the policy's rules (GET /v1/policy/rules)
  cursor: null,
};

// ---- the item's text ------------------------------------------------------------------------

// The text with its marks; the masked spans as a placeholder naming their rules.
function renderText(text, hits, masks) {
  const placeholder = (m) =>
    el('span', { class: 'masked', title: t('review.masked.title', { rules: m.rules.join(', ') }) }, t('review.masked'));
  return highlight(text, hits || [], masks || [], placeholder);
}

// The original text: the revealed spans' bytes put back where the mask was.
function unmask(text, spans) {
  const bytes = enc.encode(text);
  for (const s of spans) {
    const b = enc.encode(s.text);
    if (b.length === s.end - s.start && s.end <= bytes.length) bytes.set(b, s.start);
  }
  return dec.decode(bytes);
}

// Whether the standard spelling says something the text does not (teencode, abbreviations).
function differs(text, standard) {
  const norm = (s) => s.toLowerCase().replace(/\s+/g, ' ').trim();
  return typeof standard === 'string' && norm(standard) !== norm(text);
}

// ---- what the verdict says ----------------------------------------------------------------

function fmt(x) {
  return typeof x === 'number' ? x.toFixed(2) : '–';
}

function ruleScores(v, id) {
  const by = new Map();
  for (const h of v.hits || []) {
    const s = h.weight * h.score;
    if (!by.has(h.rule) || by.get(h.rule).s < s) by.set(h.rule, { h, s });
  }
  if (!by.size) return el('p', { class: 'note' }, t('review.nohits'));
  return el(
    'table',
    { class: 'scores' },
    el('caption', {}, t('review.scores')),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('review.rule')), el('th', { scope: 'col' }, t('review.category')), el('th', { scope: 'col' }, t('review.score')), el('th', { scope: 'col' }, t('review.weight')))),
    el(
      'tbody',
      {},
      [...by.values()].map(({ h }) =>
        el('tr', { dataset: { rule: h.rule } }, el('td', {}, el('code', {}, h.rule)), el('td', {}, h.category), el('td', {}, fmt(h.score)), el('td', {}, fmt(h.weight))),
      ),
    ),
  );
}

// The model's label and probabilities against the thresholds of the policy's model rules.
function model(v) {
  if (!v.probs) return null;
  const need = new Map();
  for (const r of state.rules) if (r.kind === 'model' && typeof r.min_score === 'number') need.set(r.model, r);
  if (v.label_rule && typeof v.label_min_score === 'number') need.set(v.label, { id: v.label_rule, min_score: v.label_min_score });
  const rows = Object.entries(v.probs).map(([k, p]) => [k, p]);
  if (typeof v.toxic === 'number') rows.push(['toxic', v.toxic]);
  return el(
    'table',
    { class: 'model' },
    el('caption', {}, t('review.model', { label: v.label || '–' })),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('review.class')), el('th', { scope: 'col' }, t('review.prob')), el('th', { scope: 'col' }, t('review.threshold')))),
    el(
      'tbody',
      {},
      rows.map(([k, p]) => {
        const r = need.get(k);
        const over = r && p >= r.min_score;
        return el(
          'tr',
          { dataset: { class: k }, class: over ? 'over' : null },
          el('td', {}, k === v.label ? el('strong', {}, k) : k),
          el('td', {}, fmt(p)),
          el('td', {}, r ? `${over ? '≥' : '<'} ${fmt(r.min_score)} (${r.id})` : t('review.nothreshold')),
        );
      }),
    ),
  );
}

function matches(v) {
  if (!Array.isArray(v.matches) || !v.matches.length) return null;
  return el(
    'div',
    { class: 'matches' },
    el('h3', {}, t('review.matches')),
    el(
      'ul',
      {},
      v.matches.map((m) =>
        el('li', { dataset: { bank: `${m.bank}/${m.id}` } }, `${m.bank} · ${m.id} · ${m.kind} · ${fmt(m.similarity)} · ${t('review.source')}: `, String(m.source ?? '–')),
      ),
    ),
  );
}

function reports(entry) {
  if (!entry.reasons) return null;
  return el(
    'div',
    { class: 'reports' },
    el('h3', {}, t('review.reports', { n: entry.reports })),
    el('ul', {}, Object.entries(entry.reasons).map(([r, n]) => el('li', { dataset: { reason: r } }, `${r}: ${n}`))),
  );
}

function appealInfo(entry) {
  if (!entry.appeal) return null;
  const d = entry.decision;
  return el(
    'div',
    { class: 'appeal' },
    el('h3', {}, t('review.appeal', { by: t(`review.by.${entry.by}`) })),
    d
      ? el('p', { class: 'decision' }, t('review.original', { outcome: t(`review.outcome.${d.outcome}`), rule: d.rule, name: d.decided_by_name }))
      : el('p', { class: 'decision' }, t('review.original.auto')),
    entry.text !== undefined ? el('blockquote', { class: 'appeal-text' }, entry.text) : null,
  );
}

// ---- one item -------------------------------------------------------------------------------

function ruleOptions(v) {
  const own = [];
  for (const h of v.hits || []) if (!own.includes(h.rule)) own.push(h.rule);
  const clause = new Map(state.rules.map((r) => [r.id, r.clause]));
  for (const h of v.hits || []) if (!clause.has(h.rule)) clause.set(h.rule, h.cite || '');
  const label = (id) => (clause.get(id) ? `${id} — ${clause.get(id)}` : id);
  return [
    own.length ? el('optgroup', { label: t('review.rules.item') }, own.map((id) => el('option', { value: id }, label(id)))) : null,
    el('optgroup', { label: t('review.rules.policy') }, state.rules.filter((r) => !own.includes(r.id)).map((r) => el('option', { value: r.id }, label(r.id)))),
  ];
}

function decisionForm(it, k) {
  const v = it.item.verdict || {};
  if (state.queue === 'appeals') {
    const can = state.session.role === 'appeals';
    return el(
      'div',
      { class: 'decide' },
      el('label', { for: `it${k}-reason` }, t('review.reason')),
      el('textarea', { id: `it${k}-reason`, class: 'reason-text', rows: '2' }),
      el(
        'div',
        { class: 'buttons' },
        el('button', { type: 'button', dataset: { outcome: 'uphold' }, disabled: !can, onclick: () => decideAppeal(it, 'uphold') }, t('review.uphold')),
        el('button', { type: 'button', dataset: { outcome: 'overturn' }, disabled: !can, onclick: () => decideAppeal(it, 'overturn') }, t('review.overturn')),
      ),
      can ? null : el('p', { class: 'note' }, t('review.appeals.only')),
    );
  }
  const restricted = it.item.state === 'hidden' || it.item.state === 'removed';
  return el(
    'div',
    { class: 'decide' },
    el('label', { for: `it${k}-rule` }, t('review.reason.rule')),
    el('select', { id: `it${k}-rule`, class: 'rule-picker' }, ruleOptions(v)),
    el('label', { for: `it${k}-note` }, t('review.note')),
    el('textarea', { id: `it${k}-note`, class: 'note-text', rows: '2' }),
    el('label', { for: `it${k}-statement` }, t('review.statement')),
    el('input', { type: 'text', id: `it${k}-statement`, class: 'statement-text' }),
    el(
      'div',
      { class: 'buttons' },
      el('button', { type: 'button', dataset: { outcome: 'remove' }, onclick: () => decide(it, 'remove') }, t('review.remove'), el('kbd', {}, 'h')),
      el('button', { type: 'button', dataset: { outcome: 'restore' }, disabled: !restricted, onclick: () => decide(it, 'restore') }, t('review.restore'), el('kbd', {}, 'a')),
      el('button', { type: 'button', dataset: { outcome: 'keep' }, onclick: () => decide(it, 'keep') }, t('review.keep'), restricted ? null : el('kbd', {}, 'a')),
    ),
  );
}

function renderItem(it, k) {
  const { entry, item } = it;
  const node = it.node;
  node.dataset.state = item.state;
  if (!item.text && item.text !== '') {
    replace(node, el('p', { class: 'error' }, t('review.unreadable')));
    return;
  }
  const v = item.verdict || {};
  const text = it.revealed ? it.original : item.text;
  const masks = it.revealed ? [] : item.redacted || [];
  const hId = `it${k}-h`;
  replace(
    node,
    el(
      'article',
      { 'aria-labelledby': hId },
      el(
        'h2',
        { id: hId, class: 'item-head' },
        el('input', { type: 'checkbox', id: `it${k}-sel`, class: 'select', checked: it.selected, onchange: (e) => (it.selected = e.target.checked) }),
        el('label', { for: `it${k}-sel`, class: 'item-id' }, `${item.channel}/${item.id}`),
        ' ',
        el('span', { class: `badge state-${item.state}` }, t(`review.state.${item.state}`)),
        ' ',
        el('span', { class: 'badge' }, `${t('review.severity')} ${fmt(entry.severity)}`),
      ),
      el('div', { class: 'item-text preview', lang: 'vi' }, renderText(text, v.hits, masks)),
      masks.length
        ? el('button', { type: 'button', class: 'reveal', onclick: () => reveal(it, k) }, t('review.reveal'))
        : it.revealed
          ? el('p', { class: 'note revealed' }, t('review.revealed'))
          : null,
      differs(item.text, item.standard)
        ? el('div', { class: 'standard' }, el('h3', {}, t('review.standard')), el('p', { class: 'standard-text', lang: 'vi' }, item.standard))
        : null,
      el('div', { class: 'facts' }, ruleScores(v), model(v)),
      matches(v),
      reports(entry),
      appealInfo(entry),
      it.decided ? el('p', { class: 'decided', role: 'status' }, it.decided) : decisionForm(it, k),
    ),
  );
}

function itemPath(it) {
  return `/v1/items/${encodeURIComponent(it.entry.channel)}/${encodeURIComponent(it.entry.id)}`;
}

async function loadItem(it) {
  const r = await api('GET', `${itemPath(it)}?redact=personal_data&views=standard`);
  if (!r.ok) throw new Error(errorMessage(r));
  it.item = r.data;
  it.revealed = false;
  it.original = null;
}

async function reveal(it, k) {
  const r = await api('POST', `${itemPath(it)}/reveal`);
  if (!r.ok) {
    say(t('review.failed', { msg: errorMessage(r) }), true);
    return;
  }
  it.original = unmask(it.item.text, r.data.spans || []);
  it.revealed = true;
  renderItem(it, k);
  focusItem(k);
}

// ---- decisions ------------------------------------------------------------------------------

const statusEl = el('p', { id: 'review-status', class: 'status', role: 'status', 'aria-live': 'polite' });

function say(msg, error = false) {
  statusEl.classList.toggle('error', error);
  replace(statusEl, msg);
}

// POST a decision on one item with the version shown; returns {ok, code, message}.
async function post(it, outcome, rule, note, statement) {
  const body = { outcome, rule, note: note || t('review.note.default', { rule }), version: it.item.version };
  if (statement) body.statement = statement;
  const r = await api('POST', `${itemPath(it)}/decision`, body);
  const code = r.data && r.data.error ? r.data.error.code : null;
  return { ok: r.ok, status: r.status, code, message: errorMessage(r) };
}

function fieldOf(it, cls) {
  return it.node.querySelector(`.${cls}`);
}

async function decide(it, outcome) {
  const k = state.items.indexOf(it);
  if (it.decided || !it.item) return;
  const rule = fieldOf(it, 'rule-picker').value;
  const res = await post(it, outcome, rule, fieldOf(it, 'note-text').value.trim(), fieldOf(it, 'statement-text').value.trim());
  if (res.ok) {
    it.decided = t(`review.done.${outcome}`, { rule });
    it.node.dataset.decided = outcome;
    renderItem(it, k);
    say(t('review.decided', { id: `${it.entry.channel}/${it.entry.id}`, outcome: t(`review.outcome.${outcome}`) }));
    refreshCounts();
    move(1);
    return;
  }
  if (res.code === 'stale') {
    await loadItem(it);
    renderItem(it, k);
    focusItem(k);
    say(t('review.stale'), true);
    return;
  }
  say(t('review.refused', { msg: res.message }), true);
}

async function decideAppeal(it, outcome) {
  const k = state.items.indexOf(it);
  if (it.decided) return;
  const reason = fieldOf(it, 'reason-text').value.trim();
  if (!reason) {
    say(t('review.reason.empty'), true);
    fieldOf(it, 'reason-text').focus();
    return;
  }
  const r = await api('POST', `/v1/appeals/${encodeURIComponent(it.entry.appeal)}/decision`, { outcome, reason });
  if (r.ok) {
    it.decided = t(`review.done.${outcome}`);
    it.node.dataset.decided = outcome;
    renderItem(it, k);
    say(t('review.decided', { id: `${it.entry.channel}/${it.entry.id}`, outcome: t(`review.outcome.${outcome}`) }));
    refreshCounts();
    move(1);
    return;
  }
  const code = r.data && r.data.error ? r.data.error.code : '';
  say(code === 'conflict_of_interest' ? t('review.conflict') : t('review.refused', { msg: errorMessage(r) }), true);
}

// ---- bulk -----------------------------------------------------------------------------------

const bulkPick = el('select', { id: 'bulk-key' });
const bulkNote = el('input', { type: 'text', id: 'bulk-note' });
const bulkSummary = el('p', { id: 'bulk-summary', class: 'status', role: 'status' });

// "rule:ID" and "bank:BANK/ID" of an item.
function keysOf(it) {
  const v = (it.item && it.item.verdict) || {};
  const keys = new Set((v.hits || []).map((h) => `rule:${h.rule}`));
  for (const m of v.matches || []) keys.add(`bank:${m.bank}/${m.id}`);
  return keys;
}

function fillBulk() {
  const count = new Map();
  for (const it of state.items) if (!it.decided) for (const k of keysOf(it)) count.set(k, (count.get(k) || 0) + 1);
  replace(
    bulkPick,
    [...count.entries()].sort().map(([k, n]) =>
      el('option', { value: k }, k.startsWith('rule:') ? t('review.bulk.rule', { id: k.slice(5), n }) : t('review.bulk.bank', { id: k.slice(5), n })),
    ),
  );
}

function selectAllWith() {
  const key = bulkPick.value;
  let n = 0;
  state.items.forEach((it, k) => {
    if (!it.decided && keysOf(it).has(key)) {
      it.selected = true;
      const box = it.node.querySelector('input.select');
      if (box) box.checked = true;
      n++;
    }
  });
  replace(bulkSummary, t('review.bulk.selected', { n }));
}

async function bulkDecide(outcome) {
  const chosen = state.items.filter((it) => it.selected && !it.decided && it.item);
  if (!chosen.length) {
    replace(bulkSummary, t('review.bulk.none'));
    return;
  }
  const key = bulkPick.value || '';
  let ok = 0;
  const refused = [];
  for (const it of chosen) {
    const v = it.item.verdict || {};
    // the rule picked for the bulk when the item has it, else the item's own strongest
    const rule = key.startsWith('rule:') && keysOf(it).has(key) ? key.slice(5) : (v.hits && v.hits[0] && v.hits[0].rule) || (state.rules[0] && state.rules[0].id);
    const res = await post(it, outcome, rule, bulkNote.value.trim(), '');
    if (res.ok) {
      ok++;
      it.decided = t(`review.done.${outcome}`, { rule });
      it.node.dataset.decided = outcome;
      it.selected = false;
      renderItem(it, state.items.indexOf(it));
    } else {
      refused.push(`${it.entry.channel}/${it.entry.id}: ${res.code || res.message}`);
    }
  }
  replace(
    bulkSummary,
    t('review.bulk.summary', { ok, refused: refused.length }),
    refused.length ? el('ul', { class: 'refusals' }, refused.map((s) => el('li', {}, s))) : null,
  );
  refreshCounts();
  fillBulk();
}

function bulkBar() {
  if (state.queue === 'appeals') return null;
  return el(
    'section',
    { class: 'bulk', 'aria-labelledby': 'bulk-h' },
    el('h2', { id: 'bulk-h' }, t('review.bulk')),
    el('label', { for: 'bulk-key' }, t('review.bulk.key')),
    bulkPick,
    el('button', { type: 'button', id: 'bulk-select', onclick: selectAllWith }, t('review.bulk.select')),
    el('label', { for: 'bulk-note' }, t('review.bulk.note')),
    bulkNote,
    el(
      'div',
      { class: 'buttons' },
      ['remove', 'restore', 'keep'].map((o) => el('button', { type: 'button', dataset: { bulkOutcome: o }, onclick: () => bulkDecide(o) }, t(`review.bulk.${o}`))),
    ),
    bulkSummary,
  );
}

// ---- the queue ------------------------------------------------------------------------------

const counts = new Map();
const tabs = el('ul', { class: 'queues' });
const list = el('ol', { class: 'items', 'aria-label': t('review.items') });
const more = el('div', { class: 'more' });
const bulkSlot = el('div');

function queuesFor(role) {
  return role === 'appeals' ? ['appeals'] : QUEUES;
}

function renderTabs() {
  replace(
    tabs,
    queuesFor(state.session.role).map((q) =>
      el(
        'li',
        {},
        el(
          'button',
          { type: 'button', dataset: { queue: q }, 'aria-pressed': q === state.queue ? 'true' : 'false', onclick: () => openQueue(q) },
          t(`review.queue.${q}`),
          ' ',
          el('span', { class: 'count', dataset: { count: counts.get(q) ?? '' } }, counts.has(q) ? String(counts.get(q)) : '…'),
        ),
      ),
    ),
  );
}

async function refreshCounts() {
  const r = await api('GET', '/v1/queues');
  if (r.ok) for (const q of r.data.queues) counts.set(q.queue, q.open);
  renderTabs();
}

async function loadPage(cursor) {
  const path = `/v1/queues/${state.queue}?limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
  const r = await api('GET', path);
  if (!r.ok) {
    say(t('review.failed', { msg: errorMessage(r) }), true);
    return;
  }
  const fresh = r.data.items.map((entry) => ({ entry, item: null, node: el('li', { class: 'item', tabindex: '-1', dataset: { itemId: `${entry.channel}/${entry.id}` } }), selected: false }));
  const start = state.items.length;
  state.items.push(...fresh);
  append(list, fresh.map((it) => it.node));
  await Promise.all(
    fresh.map(async (it, j) => {
      try {
        await loadItem(it);
      } catch (e) {
        it.item = { channel: it.entry.channel, id: it.entry.id, state: it.entry.state };
        replace(it.node, el('p', { class: 'error' }, t('review.failed', { msg: e.message })));
        return;
      }
      renderItem(it, start + j);
    }),
  );
  state.cursor = r.data.next_cursor;
  replace(more, state.cursor ? el('button', { type: 'button', onclick: () => loadPage(state.cursor) }, t('review.more')) : null);
  fillBulk();
}

async function openQueue(q) {
  state.queue = q;
  state.items = [];
  state.current = -1;
  clear(list);
  renderTabs();
  replace(bulkSlot, bulkBar());
  say(t('review.loading'));
  await loadPage(null);
  say(state.items.length ? t('review.loaded', { n: state.items.length }) : t('review.empty'));
  document.body.dataset.queue = q;
  document.body.dataset.ready = '1';
}

// ---- the keyboard ---------------------------------------------------------------------------

function focusItem(k) {
  if (k < 0 || k >= state.items.length) return;
  state.items.forEach((it, j) => it.node.classList.toggle('current', j === k));
  state.current = k;
  const n = state.items[k].node;
  n.focus();
  n.scrollIntoView({ block: 'nearest' });
}

function move(d) {
  if (!state.items.length) return;
  const k = state.current < 0 ? 0 : Math.min(state.items.length - 1, Math.max(0, state.current + d));
  focusItem(k);
}

const help = el(
  'dialog',
  { id: 'shortcuts', 'aria-labelledby': 'shortcuts-h' },
  el('h2', { id: 'shortcuts-h' }, t('review.keys')),
  el(
    'dl',
    { class: 'keys' },
    [
      ['j', 'review.key.j'],
      ['k', 'review.key.k'],
      ['h', 'review.key.h'],
      ['a', 'review.key.a'],
      ['e', 'review.key.e'],
      ['n', 'review.key.n'],
      ['x', 'review.key.x'],
      ['u / o', 'review.key.uo'],
      ['Esc', 'review.key.esc'],
      ['?', 'review.key.help'],
    ].map(([k, key]) => [el('dt', {}, el('kbd', {}, k)), el('dd', {}, t(key))]),
  ),
  el('button', { type: 'button', onclick: () => help.close() }, t('review.close')),
);

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey || help.open) return;
  if (typing(e.target)) {
    // Escape leaves a field for its item, where the keys work again
    const k = state.items.findIndex((it) => it.node.contains(e.target));
    if (e.key === 'Escape' && k >= 0) {
      e.preventDefault();
      focusItem(k);
    }
    return;
  }
  const it = state.items[state.current];
  const act = {
    j: () => move(1),
    k: () => move(-1),
    '?': () => help.showModal(),
  };
  if (it && it.item && !it.decided) {
    if (state.queue === 'appeals') {
      act.u = () => decideAppeal(it, 'uphold');
      act.o = () => decideAppeal(it, 'overturn');
      act.e = () => fieldOf(it, 'reason-text').focus();
      act.n = act.e;
    } else {
      act.h = () => decide(it, 'remove');
      act.a = () => decide(it, it.item.state === 'hidden' || it.item.state === 'removed' ? 'restore' : 'keep');
      act.e = () => fieldOf(it, 'rule-picker').focus();
      act.n = () => fieldOf(it, 'note-text').focus();
    }
    act.x = () => {
      it.selected = !it.selected;
      it.node.querySelector('input.select').checked = it.selected;
    };
  }
  const f = act[e.key];
  if (!f) return;
  e.preventDefault(); // the key must not also type into the field it focuses
  f();
}

// ---- the page -------------------------------------------------------------------------------

const { session, main } = await startPage('review.title');
if (main && session) {
  state.session = session;
  append(
    main,
    el('p', { class: 'intro' }, t('review.intro'), ' ', el('button', { type: 'button', class: 'keys-button', onclick: () => help.showModal() }, t('review.keys.open'))),
    el('nav', { 'aria-label': t('review.queues') }, tabs),
    statusEl,
    bulkSlot,
    el('section', { 'aria-label': t('review.items') }, list, more),
    help,
  );
  const rules = await api('GET', '/v1/policy/rules');
  if (rules.ok) state.rules = rules.data.rules;
  document.addEventListener('keydown', onKey);
  // the item the keys act on follows the focus, however it moved (Tab, a click)
  document.addEventListener('focusin', (e) => {
    const k = state.items.findIndex((it) => it.node.contains(e.target));
    if (k >= 0 && k !== state.current) {
      state.items.forEach((it, j) => it.node.classList.toggle('current', j === k));
      state.current = k;
    }
  });
  await refreshCounts();
  const want = new URLSearchParams(location.search).get('queue');
  const qs = queuesFor(session.role);
  await openQueue(qs.includes(want) ? want : qs[0]);
}
