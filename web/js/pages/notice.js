// /notice/{id}?token=...: the statement of reasons as the author reads it (GET /v1/notices/{id}
// with the appeal token), and the form to appeal within the window (POST /v1/appeals). The page
// is open: the appeal token in the link is the only credential. It is taken out of the address
// bar at once (history.replaceState) and kept in this tab's sessionStorage, so that a reload or
// the language switch still finds it; the requests that carry it send no cookie (a session
// plays no part here). Quotes of the post are hostile: text nodes only (dom.js).
import { el, append, replace } from '../dom.js';
import { t, lang } from '../i18n.js';
import { startPage } from '../shell.js';

const MAX_APPEAL_BYTES = 4000; // SL_STORE_MAX_NOTE: the service refuses a longer appeal
const STORE_KEY = 'sl_notice_token:';

// The notice id of the path and its token; the token leaves the URL before anything else runs.
function takeToken() {
  let id = '';
  try {
    id = decodeURIComponent(location.pathname.slice('/notice/'.length));
  } catch {
    id = ''; // a malformed escape: no such notice
  }
  const u = new URL(location.href);
  const fromUrl = u.searchParams.get('token');
  if (fromUrl !== null) {
    u.searchParams.delete('token');
    history.replaceState(history.state, '', u.pathname + u.search + u.hash);
    if (fromUrl) sessionStorage.setItem(STORE_KEY + id, fromUrl);
  }
  return { id, token: fromUrl || sessionStorage.getItem(STORE_KEY + id) || '' };
}
const { id, token } = takeToken();

// fetch() without credentials: the token is the only authority (and no session cookie mixes
// in). Resolves to {status, data}.
async function call(method, path, body) {
  const res = await fetch(path, {
    method,
    credentials: 'omit',
    cache: 'no-store',
    headers: body ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  return { status: res.status, data };
}

// An RFC 3339 time of the API as the notice's own text writes it: Vietnam time in Vietnamese,
// UTC in English.
function when(iso) {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return String(iso);
  const p = (n) => String(n).padStart(2, '0');
  if (lang === 'en') {
    const d = new Date(ms);
    return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())} UTC`;
  }
  const d = new Date(ms + 7 * 3600 * 1000);
  return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())} ngày ${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} (giờ Việt Nam)`;
}

function lead(n) {
  if (n.kind === 'automated_hide') return t('notice.lead.hidden');
  if (n.kind === 'appeal_outcome') return t(n.outcome === 'upheld' ? 'notice.lead.upheld' : 'notice.lead.overturned');
  return t('notice.lead.removed');
}

function facts(n) {
  if (n.kind === 'appeal_outcome' && n.outcome === 'overturned') return null;
  if (!n.text_available || !Array.isArray(n.facts)) return el('p', {}, t('notice.facts.gone'));
  if (!n.facts.length) return el('p', {}, t('notice.facts.none'));
  const withQuotes = n.facts.filter((f) => typeof f.quote === 'string');
  return [
    el(
      'ul',
      { class: 'notice-facts' },
      withQuotes.map((f) =>
        el(
          'li',
          { dataset: { rule: f.rule } },
          el('q', { class: 'quote' }, f.quote),
          ' ',
          el(
            'span',
            { class: 'rule' },
            `(${t('notice.rule')} `,
            el('code', {}, f.rule),
            f.personal_data ? `; ${t('notice.facts.redacted')}` : '',
            ')',
          ),
        ),
      ),
    ),
    n.facts.some((f) => f.personal_data) ? el('p', { class: 'note' }, t('notice.facts.pd')) : null,
  ];
}

function decidedHow(n) {
  return el(
    'ul',
    { class: 'notice-how' },
    el('li', {}, t(n.automated_detection ? 'notice.how.detected.auto' : 'notice.how.detected.person')),
    el('li', {}, t(n.automated_decision ? 'notice.how.decided.auto' : 'notice.how.decided.person')),
    n.decided_at ? el('li', {}, t('notice.how.at', { at: when(n.decided_at) })) : null,
    n.engine_version ? el('li', {}, t('notice.how.engine', { v: n.engine_version })) : null,
  );
}

// The appeal form: a labelled textarea, its size in bytes against the limit, and the answer.
function appealForm(n) {
  const text = el('textarea', {
    id: 'appeal-text',
    name: 'text',
    rows: '6',
    required: true,
    'aria-describedby': 'appeal-count appeal-help',
  });
  const count = el('p', { id: 'appeal-count', class: 'count' });
  const answer = el('div', { id: 'appeal-answer', role: 'alert', class: 'error', tabindex: '-1' });
  const button = el('button', { type: 'submit' }, t('notice.appeal.submit'));
  const bytes = () => new TextEncoder().encode(text.value).length;
  const showCount = () => {
    const b = bytes();
    replace(count, t('notice.appeal.count', { n: b, max: MAX_APPEAL_BYTES }));
    count.classList.toggle('over', b > MAX_APPEAL_BYTES);
    text.setAttribute('aria-invalid', b > MAX_APPEAL_BYTES ? 'true' : 'false');
  };
  text.addEventListener('input', showCount);
  showCount();
  const form = el(
    'form',
    { class: 'appeal', novalidate: true },
    el('label', { for: 'appeal-text' }, t('notice.appeal.label')),
    el('p', { id: 'appeal-help', class: 'note' }, t('notice.appeal.help', { until: when(n.appeal.until) })),
    text,
    count,
    button,
  );
  const section = el('div', {}, form, answer);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    replace(answer);
    const b = bytes();
    if (!text.value.trim()) {
      replace(answer, t('notice.appeal.empty'));
      text.focus();
      return;
    }
    if (b > MAX_APPEAL_BYTES) {
      replace(answer, t('notice.appeal.long', { n: b, max: MAX_APPEAL_BYTES }));
      text.focus();
      return;
    }
    button.disabled = true;
    let r;
    try {
      r = await call('POST', '/v1/appeals', { appeal_token: token, text: text.value });
    } catch {
      r = { status: 0, data: null };
    }
    button.disabled = false;
    if (r.status === 200 && r.data && r.data.id !== undefined) {
      const done = el(
        'div',
        { id: 'appeal-done', class: 'done', role: 'status', tabindex: '-1' },
        el('p', {}, el('strong', {}, t('notice.appeal.done'))),
        el('p', {}, t('notice.appeal.id'), ' ', el('strong', { class: 'appeal-id' }, String(r.data.id))),
        el('p', {}, t('notice.appeal.next')),
      );
      replace(section, done);
      done.focus();
      return;
    }
    const code = r.data && r.data.error ? r.data.error.code : '';
    const known = {
      already_appealed: 'notice.appeal.already',
      superseded: 'notice.appeal.superseded',
      not_appealable: 'notice.appeal.not_appealable',
      appeal_window_closed: 'notice.appeal.closed',
      unauthorized: 'notice.appeal.bad_token',
    };
    replace(answer, known[code] ? t(known[code]) : t('notice.appeal.failed', { status: r.status || '—' }));
    if (code === 'already_appealed' || code === 'superseded' || code === 'appeal_window_closed') {
      answer.dataset.code = code; // final: the form goes, the message stays
      replace(section, answer);
    }
    answer.focus();
  });
  return section;
}

function appealPart(n) {
  const h = el('h2', { id: 'appeal-h' }, t('notice.appeal.title'));
  if (n.kind === 'appeal_outcome') return [h, el('p', { id: 'appeal-state' }, t('notice.appeal.final'))];
  if (!n.appeal || !n.appeal.possible || !n.appeal.until)
    return [h, el('p', { id: 'appeal-state' }, t('notice.appeal.none'))];
  if (Date.parse(n.appeal.until) <= Date.now())
    return [h, el('p', { id: 'appeal-state', dataset: { state: 'closed' } }, t('notice.appeal.ended', { until: when(n.appeal.until) }))];
  return [
    h,
    el('p', { id: 'appeal-state', dataset: { state: 'open' } }, t('notice.appeal.open', { until: when(n.appeal.until) })),
    appealForm(n),
  ];
}

function render(main, n) {
  main.dataset.kind = n.kind;
  const overturned = n.kind === 'appeal_outcome' && n.outcome === 'overturned';
  append(
    main,
    el(
      'dl',
      { class: 'notice-meta' },
      el('dt', {}, t('notice.id')),
      el('dd', {}, el('code', {}, n.notice)),
      el('dt', {}, t('notice.item')),
      el('dd', {}, t('notice.item.where', { id: n.item.id, channel: n.item.channel })),
    ),
    el('p', { class: 'lead' }, lead(n)),
    n.appeal_reason
      ? el('section', { 'aria-labelledby': 'appeal-reason-h' }, el('h2', { id: 'appeal-reason-h' }, t('notice.appeal_reason')), el('p', { class: 'statement' }, n.appeal_reason))
      : null,
    el(
      'section',
      { 'aria-labelledby': 'reason-h' },
      el('h2', { id: 'reason-h' }, t(overturned ? 'notice.reason.earlier' : 'notice.reason')),
      el('blockquote', { class: 'clause', id: 'clause' }, n.rule.clause),
      el(
        'p',
        { class: 'rule' },
        t('notice.rule.meta', { category: n.rule.category, version: n.policy_version }),
        ' ',
        el('code', {}, n.rule.id),
      ),
    ),
    n.statement
      ? el('section', { 'aria-labelledby': 'statement-h' }, el('h2', { id: 'statement-h' }, t('notice.statement')), el('p', { class: 'statement' }, n.statement))
      : null,
    overturned
      ? null
      : el('section', { 'aria-labelledby': 'facts-h', id: 'facts' }, el('h2', { id: 'facts-h' }, t('notice.facts')), facts(n)),
    el('section', { 'aria-labelledby': 'how-h' }, el('h2', { id: 'how-h' }, t('notice.how')), decidedHow(n)),
    el('section', { 'aria-labelledby': 'appeal-h', id: 'appeal' }, appealPart(n)),
    el(
      'details',
      { class: 'notice-text' },
      el('summary', {}, t('notice.fulltext')),
      el('pre', { id: 'notice-message' }, n.message || ''),
    ),
  );
}

const { main } = await startPage('notice.title');
if (main) {
  const status = el('p', { id: 'notice-status', role: 'status' }, t('notice.loading'));
  append(main, status);
  let r = { status: 404, data: null };
  if (id && token) {
    try {
      r = await call('GET', `/v1/notices/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}&lang=${lang}`);
    } catch {
      r = { status: 0, data: null };
    }
  }
  if (r.status === 200 && r.data && r.data.notice) {
    status.remove();
    render(main, r.data);
  } else {
    // a wrong token or id says no more than "not found"
    replace(status);
    status.remove();
    append(main, el('p', { id: 'notice-error', class: 'error', role: 'alert' }, t(r.status === 404 ? 'notice.notfound' : 'notice.failed')));
  }
}
