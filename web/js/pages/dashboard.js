// /dashboard (auditor, admin): the organization's figures from GET /v1/stats — items by action
// and by category over time (hour, day or week), the queues now with their times to decision,
// appeal outcomes, the top rules — and the audit log's latest checkpoint, whose proofs the
// browser checks itself (audit-verify.js). Charts are Debian's Chart.js (window.Chart, loaded as
// this page's classic script); every chart has a text alternative (its canvas's aria-label) and
// a table. Each canvas carries its datasets as data-points (JSON) for the tests. No figure names
// or ranks an author or a person: the API gives none.
import { api, errorMessage } from '../api.js';
import { runAuditChecks } from '../audit-verify.js';
import { el, append, replace } from '../dom.js';
import { t, lang, has } from '../i18n.js';
import { startPage } from '../shell.js';

const ACTIONS = ['allow', 'warn', 'review', 'hide'];
const QUEUES = ['pending', 'reported', 'appeals'];
// colors with a 3:1 contrast at least against white (graphical objects); series also differ
// by their legend's text and the tables, never by color alone
const ACTION_COLORS = { allow: '#2e7d32', warn: '#b26a00', review: '#0b57d0', hide: '#b3261e' };
const PALETTE = ['#0b57d0', '#b3261e', '#2e7d32', '#8e24aa', '#b26a00', '#00796b', '#5d4037', '#c2185b', '#455a64', '#6a1b9a'];

const locale = lang === 'en' ? 'en-GB' : 'vi-VN';
const num = new Intl.NumberFormat(locale);
const charts = new Map(); // id -> Chart

function label(key, fallback) {
  return has(key) ? t(key) : fallback;
}

function bucketLabel(ms, bucket) {
  const d = new Date(ms);
  const opts =
    bucket === 'hour'
      ? { timeZone: 'UTC', day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' }
      : { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric' };
  const s = new Intl.DateTimeFormat(locale, opts).format(d);
  return bucket === 'week' ? t('dash.week_of', { date: s }) : s;
}

function seconds(v) {
  if (v === null || v === undefined) return '—';
  if (v < 60) return t('dash.sec', { n: num.format(Math.round(v * 10) / 10) });
  if (v < 3600) return t('dash.min', { n: num.format(Math.round(v / 6) / 10) });
  return t('dash.hours', { n: num.format(Math.round(v / 360) / 10) });
}

// A table: caption, header row, rows (arrays of cells; the first cell is a row header).
function table(caption, head, rows) {
  return el(
    'table',
    { class: 'data' },
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
    el(
      'tbody',
      {},
      rows.map((r) => el('tr', {}, el('th', { scope: 'row' }, r[0]), r.slice(1).map((c) => el('td', {}, c)))),
    ),
  );
}

// A chart in its box, with its text alternative and its table (in a <details> under it).
function chartBlock(id, title, summary, config, tbl) {
  const canvas = el('canvas', { id: `chart-${id}`, role: 'img', 'aria-label': `${title}. ${summary}` });
  const box = el('div', { class: 'chart-box' }, canvas);
  const block = el(
    'figure',
    { class: 'chart', id: `fig-${id}` },
    el('figcaption', {}, title),
    box,
    el('p', { class: 'chart-summary' }, summary),
    el('details', {}, el('summary', {}, t('dash.table')), tbl),
  );
  return { block, canvas, config, id };
}

function draw({ canvas, config, id }) {
  if (charts.has(id)) charts.get(id).destroy();
  const chart = new window.Chart(canvas, config);
  charts.set(id, chart);
  canvas.dataset.points = JSON.stringify(chart.data.datasets.map((d) => ({ label: d.label, data: d.data })));
  return chart;
}

const baseOptions = (stacked, extra = {}) => ({
  animation: false,
  responsive: true,
  maintainAspectRatio: false,
  plugins: { legend: { position: 'bottom' } },
  scales: {
    x: { stacked, ticks: { color: '#4a4a4a' } },
    y: { stacked, beginAtZero: true, ticks: { precision: 0, color: '#4a4a4a' } },
  },
  ...extra,
});

function overTime(s) {
  const labels = s.buckets.map((b) => bucketLabel(b, s.bucket));
  const byAction = ACTIONS.map((a) => ({
    label: t(`dash.action.${a}`),
    data: s.items.by_action[a],
    backgroundColor: ACTION_COLORS[a],
  }));
  const actionTotals = ACTIONS.map((a) => `${t(`dash.action.${a}`)} ${num.format(s.items.by_action[a].reduce((x, y) => x + y, 0))}`);
  const actions = chartBlock(
    'actions',
    t('dash.by_action'),
    t('dash.by_action.summary', { n: num.format(s.items.total), list: actionTotals.join(', ') }),
    { type: 'bar', data: { labels, datasets: byAction }, options: baseOptions(true) },
    table(
      t('dash.by_action'),
      [t(`dash.bucket.${s.bucket}`), ...ACTIONS.map((a) => t(`dash.action.${a}`))],
      s.buckets.map((b, i) => [labels[i], ...ACTIONS.map((a) => num.format(s.items.by_action[a][i]))]),
    ),
  );
  const cats = Object.keys(s.items.by_category);
  const byCat = cats.map((c, k) => ({
    label: label(`dash.cat.${c}`, c),
    data: s.items.by_category[c],
    borderColor: PALETTE[k % PALETTE.length],
    backgroundColor: PALETTE[k % PALETTE.length],
    tension: 0,
  }));
  const catTotals = cats.map((c) => `${label(`dash.cat.${c}`, c)} ${num.format(s.items.by_category[c].reduce((x, y) => x + y, 0))}`);
  const categories = chartBlock(
    'categories',
    t('dash.by_category'),
    cats.length ? t('dash.by_category.summary', { list: catTotals.join(', ') }) : t('dash.none'),
    { type: 'line', data: { labels, datasets: byCat }, options: baseOptions(false) },
    table(
      t('dash.by_category'),
      [t(`dash.bucket.${s.bucket}`), ...cats.map((c) => label(`dash.cat.${c}`, c))],
      s.buckets.map((b, i) => [labels[i], ...cats.map((c) => num.format(s.items.by_category[c][i]))]),
    ),
  );
  return [actions, categories];
}

function queues(s) {
  const qs = QUEUES.map((q) => s.queues.find((x) => x.queue === q) || { queue: q, open: 0, leased: 0, time_to_decision: {} });
  const names = qs.map((q) => t(`dash.queue.${q.queue}`));
  const sizes = chartBlock(
    'queues',
    t('dash.queues'),
    qs.map((q, i) => t('dash.queue.summary', { q: names[i], open: num.format(q.open), leased: num.format(q.leased) })).join('; '),
    {
      type: 'bar',
      data: {
        labels: names,
        datasets: [
          { label: t('dash.open'), data: qs.map((q) => q.open), backgroundColor: '#0b57d0' },
          { label: t('dash.leased'), data: qs.map((q) => q.leased), backgroundColor: '#b26a00' },
        ],
      },
      options: baseOptions(false),
    },
    table(
      t('dash.queues'),
      [t('dash.queue'), t('dash.open'), t('dash.leased'), t('dash.oldest')],
      qs.map((q, i) => [names[i], num.format(q.open), num.format(q.leased), seconds(q.oldest_age_seconds)]),
    ),
  );
  const pct = ['p50', 'p90', 'p99'];
  const times = chartBlock(
    'times',
    t('dash.times'),
    qs
      .map((q, i) =>
        q.time_to_decision.closed
          ? t('dash.times.summary', {
              q: names[i],
              n: num.format(q.time_to_decision.closed),
              p50: seconds(q.time_to_decision.p50_seconds),
              p90: seconds(q.time_to_decision.p90_seconds),
              p99: seconds(q.time_to_decision.p99_seconds),
            })
          : t('dash.times.none', { q: names[i] }),
      )
      .join('; '),
    {
      type: 'bar',
      data: {
        labels: names,
        datasets: pct.map((p, k) => ({
          label: p.toUpperCase(),
          data: qs.map((q) => q.time_to_decision[`${p}_seconds`] ?? 0),
          backgroundColor: PALETTE[k],
        })),
      },
      options: baseOptions(false, {
        scales: { y: { beginAtZero: true, title: { display: true, text: t('dash.seconds') } } },
      }),
    },
    table(
      t('dash.times'),
      [t('dash.queue'), t('dash.closed'), 'P50', 'P90', 'P99'],
      qs.map((q, i) => [
        names[i],
        num.format(q.time_to_decision.closed || 0),
        ...pct.map((p) => seconds(q.time_to_decision[`${p}_seconds`])),
      ]),
    ),
  );
  return [sizes, times];
}

function appeals(s) {
  const a = s.appeals;
  const keys = ['upheld', 'overturned', 'open'];
  return chartBlock(
    'appeals',
    t('dash.appeals'),
    t('dash.appeals.summary', { upheld: num.format(a.upheld), overturned: num.format(a.overturned), open: num.format(a.open) }),
    {
      type: 'bar',
      data: {
        labels: keys.map((k) => t(`dash.appeal.${k}`)),
        datasets: [{ label: t('dash.appeals.count'), data: keys.map((k) => a[k]), backgroundColor: ['#2e7d32', '#b3261e', '#455a64'] }],
      },
      options: baseOptions(false, { plugins: { legend: { display: false } } }),
    },
    table(t('dash.appeals'), [t('dash.appeal.outcome'), t('dash.appeals.count')], keys.map((k) => [t(`dash.appeal.${k}`), num.format(a[k])])),
  );
}

function topRules(s) {
  const rules = s.top_rules;
  return chartBlock(
    'rules',
    t('dash.rules'),
    rules.length ? rules.map((r) => `${r.rule} ${num.format(r.items)}`).join(', ') : t('dash.none'),
    {
      type: 'bar',
      data: {
        labels: rules.map((r) => r.rule),
        datasets: [{ label: t('dash.rules.items'), data: rules.map((r) => r.items), backgroundColor: '#0b57d0' }],
      },
      options: baseOptions(false, { indexAxis: 'y', plugins: { legend: { display: false } } }),
    },
    table(t('dash.rules'), [t('dash.rule'), t('dash.rules.items')], rules.map((r) => [el('code', {}, r.rule), num.format(r.items)])),
  );
}

// ---- the audit log -------------------------------------------------------------------------

function checkText(c) {
  const state = c.ok === true ? 'ok' : c.ok === false ? 'fail' : 'skip';
  const key = c.id === 'consistency' && c.first ? 'audit.consistency.first' : `audit.${c.id}.${state}`;
  return t(key, {
    size: c.size ?? '',
    from: c.from ?? '',
    to: c.to ?? '',
    n: c.checked ?? 0,
    seq: c.seq ?? '',
    error: c.error ?? '',
  });
}

function auditSection() {
  const facts = el('dl', { class: 'checkpoint' });
  const results = el('ul', { class: 'checks', id: 'audit-checks' });
  const status = el('p', { id: 'audit-status', role: 'status' });
  const button = el('button', { type: 'button', id: 'audit-verify', class: 'primary' }, t('audit.verify'));
  const section = el(
    'section',
    { 'aria-labelledby': 'audit-h', id: 'audit' },
    el('h2', { id: 'audit-h' }, t('audit.title')),
    el('p', {}, t('audit.intro')),
    facts,
    button,
    status,
    results,
  );
  async function showCheckpoint() {
    const r = await api('GET', '/v1/audit/checkpoint');
    if (!r.ok) {
      replace(facts, el('p', { role: 'alert' }, errorMessage(r)));
      return;
    }
    const row = (k, v) => [el('dt', {}, t(k)), el('dd', {}, el('code', {}, v))];
    replace(facts, row('audit.origin', r.data.origin), row('audit.size', num.format(r.data.size)), row('audit.root', r.data.root), row('audit.key', r.data.key));
  }
  button.addEventListener('click', async () => {
    button.disabled = true;
    delete section.dataset.result;
    replace(status, t('audit.running'));
    replace(results);
    try {
      const out = await runAuditChecks((p) => api('GET', p), window.localStorage);
      if (out.checkpoint) {
        const row = (k, v) => [el('dt', {}, t(k)), el('dd', {}, el('code', {}, v))];
        replace(facts, row('audit.origin', out.checkpoint.origin), row('audit.size', num.format(out.checkpoint.size)), row('audit.root', out.checkpoint.root), row('audit.key', out.checkpoint.key));
      }
      append(
        results,
        out.checks.map((c) =>
          el(
            'li',
            { dataset: { check: c.id, ok: c.ok === null ? 'skipped' : String(c.ok) }, class: `check check-${c.ok === true ? 'ok' : c.ok === false ? 'fail' : 'skip'}` },
            el('strong', {}, `${t(`audit.${c.id}`)}: `),
            checkText(c),
          ),
        ),
      );
      const failed = out.checks.some((c) => c.ok === false);
      section.dataset.result = failed ? 'failed' : 'ok';
      replace(status, el('strong', {}, t(failed ? 'audit.result.fail' : 'audit.result.ok')));
    } catch (e) {
      section.dataset.result = 'failed';
      replace(status, el('strong', {}, t('audit.result.error', { error: e.message })));
    } finally {
      button.disabled = false;
    }
  });
  return { section, showCheckpoint };
}

// ---- the page ------------------------------------------------------------------------------

const { main } = await startPage('dash.title');
if (main) {
  const status = el('p', { id: 'dash-status', role: 'status' }, t('dash.loading'));
  const switcher = el(
    'fieldset',
    { class: 'bucket-switch' },
    el('legend', {}, t('dash.bucket')),
    ['hour', 'day', 'week'].map((b) =>
      el(
        'label',
        {},
        el('input', { type: 'radio', name: 'bucket', value: b, checked: b === 'day', onchange: () => load(b) }),
        ' ',
        t(`dash.bucket.${b}`),
      ),
    ),
  );
  const overTimeBox = el('div', { class: 'charts' });
  const queuesBox = el('div', { class: 'charts' });
  const appealsBox = el('div', { class: 'charts' });
  const audit = auditSection();
  append(
    main,
    el('p', {}, t('dash.intro')),
    status,
    el('section', { 'aria-labelledby': 'time-h' }, el('h2', { id: 'time-h' }, t('dash.over_time')), switcher, overTimeBox),
    el('section', { 'aria-labelledby': 'queues-h' }, el('h2', { id: 'queues-h' }, t('dash.queues_h')), queuesBox),
    el('section', { 'aria-labelledby': 'outcomes-h' }, el('h2', { id: 'outcomes-h' }, t('dash.outcomes_h')), appealsBox),
    audit.section,
  );

  let seq = 0;
  async function load(bucket) {
    const mine = ++seq;
    main.dataset.loading = '1';
    replace(status, t('dash.loading'));
    const r = await api('GET', `/v1/stats?bucket=${bucket}`);
    if (mine !== seq) return;
    if (!r.ok) {
      replace(status, el('span', { role: 'alert' }, r.status === 401 ? t('shell.expired') : t('dash.failed', { msg: errorMessage(r) })));
      delete main.dataset.loading;
      return;
    }
    const s = r.data;
    const time = overTime(s);
    const q = queues(s);
    const out = [appeals(s), topRules(s)];
    replace(overTimeBox, time.map((c) => c.block));
    replace(queuesBox, q.map((c) => c.block));
    replace(appealsBox, out.map((c) => c.block));
    [...time, ...q, ...out].forEach(draw);
    replace(
      status,
      t('dash.window', { from: bucketLabel(s.since, 'day'), to: new Intl.DateTimeFormat(locale, { timeZone: 'UTC', dateStyle: 'short', timeStyle: 'short' }).format(new Date(s.until)), n: num.format(s.items.total) }),
    );
    main.dataset.bucket = s.bucket;
    main.dataset.loads = String(Number(main.dataset.loads || 0) + 1);
    delete main.dataset.loading;
  }
  await Promise.all([load('day'), audit.showCheckpoint()]);
}
