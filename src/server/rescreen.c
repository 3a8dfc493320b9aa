/* server/rescreen.c — POST /v1/admin/rescreen: screens the org's open and recent items again
 * with its current engine and reports how the verdicts would change (docs/api.md).
 *
 * It runs on the request's worker with the worker's scan, page by page from the store (a
 * bounded number of items per call; next_cursor continues). A dry run writes nothing at all.
 * With "apply", each page's changed verdicts are stored in one transaction, each with an
 * "item.rescreen" audit entry; an item newly at review or hide gets a pending case, and no
 * item is hidden, restored or removed: only a person does that.
 *
 * A verdict "changed" when its action or its set of rule ids (the rules of its hits) differs
 * from the stored one; the score alone does not count. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sangloc/policy.h"
#include "server/internal.h"
#include "server/rescreen_request.h"

#define PAGE 500

typedef struct rule_count {
    char *rule;
    int64_t newly, no_longer;
} rule_count;

typedef struct diff {
    int64_t items, unchanged, changed, applied, skipped, cases;
    int64_t moves[4][4]; /* [old action][new action] */
    rule_count *rules;
    size_t nrules, cap;
} diff;

static void diff_free(diff *d)
{
    for (size_t k = 0; k < d->nrules; k++) free(d->rules[k].rule);
    free(d->rules);
}

static rule_count *rule_slot(diff *d, const char *rule, size_t len)
{
    for (size_t k = 0; k < d->nrules; k++)
        if (strlen(d->rules[k].rule) == len && !memcmp(d->rules[k].rule, rule, len))
            return &d->rules[k];
    if (d->nrules == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 32;
        rule_count *v = realloc(d->rules, cap * sizeof *v);
        if (!v) return NULL;
        d->rules = v;
        d->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy) return NULL;
    memcpy(copy, rule, len);
    copy[len] = '\0';
    d->rules[d->nrules] = (rule_count){copy, 0, 0};
    return &d->rules[d->nrules++];
}

/* Whether rule[0, len) is one of the space-separated ids of list. */
static bool in_list(const char *list, const char *rule, size_t len)
{
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && !memcmp(p, rule, len)) return true;
        p += n + (end ? 1 : 0);
    }
    return false;
}

static bool in_hits(const sl_verdict *v, const char *rule, size_t len)
{
    for (size_t k = 0; k < v->nhits; k++)
        if (strlen(v->hits[k].rule) == len && !memcmp(v->hits[k].rule, rule, len)) return true;
    return false;
}

/* Counts, per rule, the items that gained or lost it; *same says whether the sets are equal. */
static bool diff_rules(diff *d, const char *old, const sl_verdict *v, bool count, bool *same)
{
    *same = true;
    for (size_t k = 0; k < v->nhits; k++) {
        const char *r = v->hits[k].rule;
        size_t n = strlen(r);
        bool first = true; /* each rule once per item */
        for (size_t j = 0; j < k && first; j++) first = strcmp(v->hits[j].rule, r) != 0;
        if (!first || in_list(old, r, n)) continue;
        *same = false;
        rule_count *c = count ? rule_slot(d, r, n) : NULL;
        if (count && !c) return false;
        if (c) c->newly++;
    }
    for (const char *p = old; *p;) {
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n && !in_hits(v, p, n)) {
            *same = false;
            rule_count *c = count ? rule_slot(d, p, n) : NULL;
            if (count && !c) return false;
            if (c) c->no_longer++;
        }
        p += n + (end ? 1 : 0);
    }
    return true;
}

/* The raw JSON of the id the stored verdict starts with ({"id":ID,...}), so that the new
 * verdict names the item byte for byte as the first one did; false when it has none. */
static bool stored_id(const char *v, size_t len, size_t *off, size_t *n)
{
    static const char prefix[] = "{\"id\":";
    size_t p = sizeof prefix - 1;
    if (len <= p || memcmp(v, prefix, p)) return false;
    size_t start = p;
    if (v[p] == '"') {
        for (p++; p < len && v[p] != '"'; p++)
            if (v[p] == '\\') p++;
        if (p >= len) return false;
        p++;
    } else {
        while (p < len && (v[p] == '-' || (v[p] >= '0' && v[p] <= '9'))) p++;
    }
    if (p == start || p >= len || v[p] != ',') return false;
    *off = start;
    *n = p - start;
    return true;
}

static int cmp_rule(const void *a, const void *b)
{
    return strcmp(((const rule_count *)a)->rule, ((const rule_count *)b)->rule);
}

static sl_status write_reply(sl_buf *b, const diff *d, const sl__rescreen_query *q,
                             const char *pver, int64_t next)
{
    static const char *const names[] = {"allow", "warn", "review", "hide"};
    sl_status st = sl_buf_printf(b, "{\"apply\":%s,\"since\":%" PRId64 ",\"policy_version\":",
                                 q->apply ? "true" : "false", q->since);
    if (!st) st = sl__json_text(b, pver, strlen(pver));
    if (!st)
        st = sl_buf_printf(b,
                           ",\"totals\":{\"items\":%" PRId64 ",\"unchanged\":%" PRId64
                           ",\"changed\":%" PRId64 "},\"actions\":{",
                           d->items, d->unchanged, d->changed);
    bool first = true;
    for (int a = 0; a < 4 && !st; a++)
        for (int c = 0; c < 4 && !st; c++)
            if (d->moves[a][c]) {
                st = sl_buf_printf(b, "%s\"%s->%s\":%" PRId64, first ? "" : ",", names[a], names[c],
                                   d->moves[a][c]);
                first = false;
            }
    if (!st) st = sl_buf_puts(b, "},\"rules\":{");
    for (size_t k = 0; k < d->nrules && !st; k++) {
        if (k) st = sl_buf_puts(b, ",");
        if (!st) st = sl__json_text(b, d->rules[k].rule, strlen(d->rules[k].rule));
        if (!st)
            st = sl_buf_printf(b,
                               ":{\"newly_flagged\":%" PRId64 ",\"no_longer_flagged\":%" PRId64 "}",
                               d->rules[k].newly, d->rules[k].no_longer);
    }
    if (!st) st = sl_buf_puts(b, "}");
    if (!st && q->apply)
        st = sl_buf_printf(
            b, ",\"applied\":%" PRId64 ",\"skipped\":%" PRId64 ",\"cases_opened\":%" PRId64,
            d->applied, d->skipped, d->cases);
    if (!st)
        st = next ? sl_buf_printf(b, ",\"next_cursor\":\"%" PRId64 "\"}", next)
                  : sl_buf_puts(b, ",\"next_cursor\":null}");
    return st;
}

/* Stores the page's changed verdicts (one transaction) and counts what happened. */
static sl_status apply_page(sl__rq *r, sl_rescreen_update *u, size_t n, diff *d, sl_error *err)
{
    if (!n) return SL_OK;
    sl_rescreen_result *res = calloc(n, sizeof *res);
    if (!res) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    sl_status st = sl_store_rescreen_apply(r->w->store, r->org, r->tok.id, u, n, res, err);
    for (size_t i = 0; i < n && !st; i++) {
        d->applied += res[i].applied;
        d->skipped += !res[i].applied;
        d->cases += res[i].case_id != 0;
    }
    free(res);
    return st;
}

/* Screens one page; with apply, keeps the new verdicts of changed items in w->arena and their
 * updates in u (*nu of them). */
static sl_status screen_page(sl__rq *r, const sl_engine *e, const sl_rescreen_page *p,
                             const char *pver, bool apply, diff *d, sl_rescreen_update *u,
                             size_t *nu, size_t *offs, sl_error *err)
{
    sl__worker *w = r->w;
    sl_buf *a = &w->arena;
    sl_buf_clear(a);
    *nu = 0;
    for (size_t i = 0; i < p->n; i++) {
        const sl_rescreen_row *row = &p->rows[i];
        const sl_verdict *v = NULL;
        if (sl_engine_check(e, w->scan, row->text, row->text_len, &v) || !v)
            return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        bool same;
        sl_store_action na = (sl_store_action)v->action;
        if (!diff_rules(d, row->rules, v, false, &same))
            return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        d->items++;
        if (same && na == row->action) {
            d->unchanged++;
            continue;
        }
        d->changed++;
        if (na != row->action && (unsigned)na < 4 && (unsigned)row->action < 4)
            d->moves[row->action][na]++;
        if (!diff_rules(d, row->rules, v, true, &same))
            return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        if (!apply) continue;
        size_t off = 0, idn = 0;
        sl_buf_clear(&w->idbuf);
        bool has_id = stored_id(row->verdict_json, row->verdict_len, &off, &idn);
        if (has_id && (sl_buf_append(&w->idbuf, row->verdict_json + off, idn) ||
                       sl_buf_append(&w->idbuf, "", 1)))
            return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        size_t jl = 0;
        const char *j = sl_scan_verdict_json(w->scan, has_id ? w->idbuf.data : NULL, row->text,
                                             row->text_len, &jl);
        if (!j) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        offs[*nu] = a->len;
        if (sl_buf_append(a, j, jl))
            return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        double score = v->score < 0 ? 0 : v->score > 1 ? 1 : v->score;
        u[(*nu)++] = (sl_rescreen_update){.item = row->item,
                                          .old_action = row->action,
                                          .old_policy_version = row->policy_version,
                                          .verdict_len = jl,
                                          .action = na,
                                          .score = score,
                                          .policy_version = pver,
                                          .policy_version_len = strlen(pver)};
    }
    /* the arena may have moved while it grew: point the updates at it now */
    for (size_t k = 0; k < *nu; k++) u[k].verdict_json = a->data + offs[k];
    return SL_OK;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void reply_store_error(sl__rq *r, sl_status st, const sl_error *err)
{
    int status = st == SL_ERR_BUSY ? 503 : 500;
    sl__reply_error(r, status, st == SL_ERR_NOMEM ? "internal" : sl_status_name(st), err->message,
                    SL_NO_POS, -1, 0);
}

void sl__route_rescreen(sl__rq *r)
{
    sl__worker *w = r->w;
    sl__rescreen_query q;
    sl_error err = {0};
    if (sl__req_rescreen(r->body, r->body_len, now_ms(), &q, &err)) {
        sl__reply_error(r, 400, "bad_json", err.message, err.byte, -1, 0);
        return;
    }
    const sl_engine *e = sl__engine_for(r);
    if (!e) return; /* replied */
    const sl_policy *pol = sl_engine_policy(e);
    char pver[SL_STORE_MAX_POLICY_VERSION];
    snprintf(pver, sizeof pver, "%.200s#%016" PRIx64, pol->version ? pol->version : "", pol->hash);
    diff d = {0};
    sl_rescreen_update *u = calloc(PAGE, sizeof *u);
    size_t *offs = calloc(PAGE, sizeof *offs);
    sl_rescreen_page page = {0};
    sl_status st = u && offs ? SL_OK : SL_ERR_NOMEM;
    int64_t after = q.after, next = 0;
    uint64_t left = q.limit;
    while (!st && left > 0) {
        size_t want = left < PAGE ? (size_t)left : PAGE;
        st = sl_store_rescreen_list(w->store, r->org, q.since, after, want, &page, &err);
        if (st) break;
        size_t nu = 0;
        st = screen_page(r, e, &page, pver, q.apply, &d, u, &nu, offs, &err);
        if (!st && q.apply) st = apply_page(r, u, nu, &d, &err);
        left -= page.n;
        after = page.last;
        bool more = page.more;
        sl_rescreen_page_free(&page);
        if (!more) break;
        if (!left) next = after; /* the call's bound: the caller continues from here */
    }
    sl_engine_release(e);
    free(u);
    free(offs);
    if (st) {
        diff_free(&d);
        reply_store_error(r, st, &err);
        return;
    }
    if (d.nrules) qsort(d.rules, d.nrules, sizeof *d.rules, cmp_rule);
    sl_buf *b = &w->out;
    sl_buf_clear(b);
    st = write_reply(b, &d, &q, pver, next);
    diff_free(&d);
    if (st)
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
    else
        sl__reply(r, 200, b->data, b->len);
}
