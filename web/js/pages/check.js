// /check: the draft checker. As the author types (debounced), the draft goes to POST /v1/check
// and comes back with its verdict; each flagged span is shown highlighted (<mark data-rule>),
// with the clause it breaks and a plain-language hint. Nothing is stored. The draft is hostile
// input like any post: it is shown through text nodes only (dom.js).
import { api, errorMessage } from '../api.js';
import { el, append, replace } from '../dom.js';
import { t, has } from '../i18n.js';
import { startPage } from '../shell.js';
import { highlight } from '../marks.js';

const DEBOUNCE_MS = 300;

function hint(category) {
  return t(has(`hint.${category}`) ? `hint.${category}` : 'hint.other');
}

export { highlight }; // web/js/marks.js, shared with /review

function findings(hits) {
  const seen = new Map();
  for (const h of hits) if (!seen.has(h.rule)) seen.set(h.rule, h);
  return el(
    'ul',
    { class: 'findings' },
    [...seen.values()].map((h) =>
      el(
        'li',
        { dataset: { rule: h.rule } },
        el('p', { class: 'clause' }, h.cite || h.rule),
        el('p', { class: 'hint' }, hint(h.category)),
        el('p', { class: 'rule' }, `${t('check.rule')}: `, el('code', {}, h.rule)),
      ),
    ),
  );
}

const { main } = await startPage('check.title');
if (main) {
  const draft = el('textarea', {
    id: 'draft',
    name: 'draft',
    rows: '8',
    spellcheck: 'false',
    'aria-describedby': 'check-intro',
  });
  const status = el('p', { id: 'check-status', class: 'status', role: 'status' }, t('check.empty'));
  const preview = el('div', { id: 'preview', class: 'preview', role: 'group', 'aria-label': t('check.preview') });
  const list = el('div', { id: 'findings' });
  append(
    main,
    el('p', { id: 'check-intro' }, t('check.intro')),
    el('label', { for: 'draft' }, t('check.draft')),
    draft,
    el('section', { 'aria-labelledby': 'result-h' }, el('h2', { id: 'result-h' }, t('check.result')), status, preview, list),
  );

  let timer = 0;
  let seq = 0;
  let inflight = null;
  async function check() {
    const text = draft.value;
    const mine = ++seq;
    if (inflight) inflight.abort();
    if (!text.trim()) {
      replace(status, t('check.empty'));
      replace(preview);
      replace(list);
      delete main.dataset.action;
      return;
    }
    inflight = new AbortController();
    replace(status, t('check.checking'));
    let r;
    try {
      r = await api('POST', '/v1/check', { text }, { signal: inflight.signal });
    } catch (e) {
      // aborted: a later draft replaced this one; else the server is out of reach
      if (e.name !== 'AbortError' && mine === seq) replace(status, t('check.failed', { msg: e.message }));
      return;
    }
    if (mine !== seq) return; // a later draft is being checked
    if (!r.ok) {
      replace(
        status,
        r.status === 429
          ? t('check.limited')
          : r.status === 401
            ? t('shell.expired')
            : t('check.failed', { msg: errorMessage(r) }),
      );
      return;
    }
    const v = r.data;
    const hits = Array.isArray(v.hits) ? v.hits : [];
    main.dataset.action = v.action;
    replace(status, el('strong', { class: `action action-${v.action}` }, t(`check.action.${v.action}`)));
    replace(preview, highlight(text, hits));
    replace(
      list,
      hits.length
        ? [el('h3', {}, t('check.findings')), findings(hits)]
        : el('p', {}, t('check.none')),
    );
  }
  draft.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(check, DEBOUNCE_MS);
  });
  draft.focus();
}
