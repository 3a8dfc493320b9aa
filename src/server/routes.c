/* server/routes.c — the handlers of the service's routes (docs/server.md). Each runs on its
 * worker's thread with the worker's scan and store handle, and answers exactly once. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sangloc/policy.h"
#include "server/ingest.h"
#include "server/internal.h"
#include "server/webhooks.h"
#include "server/request.h"
#include "server/review.h"

#define CHECK_OOM(expr)                                                                            \
    do {                                                                                           \
        if (expr) goto oom;                                                                        \
    } while (0)

static void reply_parse_error(sl__rq *r, const sl_error *e, long item)
{
    int status = e->code == SL_ERR_TOO_LARGE ? 413 : e->code == SL_ERR_NOMEM ? 500 : 400;
    const char *code = e->code == SL_ERR_JSON            ? "bad_json"
                       : e->code == SL_ERR_MISSING_FIELD ? "missing_field"
                       : e->code == SL_ERR_TOO_LARGE     ? "too_large"
                       : e->code == SL_ERR_CURSOR        ? "bad_cursor"
                       : e->code == SL_ERR_NOMEM         ? "internal"
                                                         : "bad_request";
    sl__reply_error(r, status, code, e->message, e->byte, item, 0);
}

static void count_action(sl__rq *r, sl_action a)
{
    if ((unsigned)a < 4)
        atomic_fetch_add_explicit(&r->w->srv->metrics.verdicts[a], 1, memory_order_relaxed);
}

/* Screens text and appends its verdict JSON (id as raw JSON, or none) to b. */
static sl_status screen_into(sl__rq *r, const sl_engine *e, const char *id, size_t id_len,
                             const char *text, size_t len, const sl_error *bad, sl_buf *b,
                             const sl_verdict **vout)
{
    sl__worker *w = r->w;
    sl_buf_clear(&w->idbuf);
    if (id && sl_buf_append(&w->idbuf, id, id_len)) return SL_ERR_NOMEM;
    const char *idz = id ? w->idbuf.data : NULL;
    const sl_verdict *v = NULL;
    if (bad) {
        v = sl_scan_error_verdict(w->scan, bad);
        text = NULL;
        len = 0;
    } else if (sl_engine_check(e, w->scan, text, len, &v)) {
        return SL_ERR_NOMEM;
    }
    if (!v) return SL_ERR_NOMEM;
    size_t jl = 0;
    const char *j = sl_scan_verdict_json(w->scan, idz, text, len, &jl);
    if (!j) return SL_ERR_NOMEM;
    count_action(r, v->action);
    sl__mx_verdict(&w->srv->mx, e, v);
    if (vout) *vout = v;
    return sl_buf_append(b, j, jl);
}

/* ---- POST /v1/check ----------------------------------------------------------------------- */

void sl__route_check(sl__rq *r)
{
    sl__worker *w = r->w;
    sl_error err = {0};
    sl__envelope env;
    if (sl__req_envelope(r->body, r->body_len, SL_SERVER_MAX_BATCH_ITEMS, &env, &err)) {
        reply_parse_error(r, &err, -1);
        return;
    }
    if (env.has_items && env.has_text) {
        sl__envelope_free(&env);
        sl__reply_error(r, 400, "bad_request", "give \"text\" or \"items\", not both", SL_NO_POS,
                        -1, 0);
        return;
    }
    sl_record_limits lim = {.max_text = SL_STORE_MAX_TEXT};
    if (!env.has_items) {
        /* one post: the body is a record, with the rules of every other entry point */
        if (sl_record_parse(r->body, r->body_len, &lim, &w->rec) == SL_ERR_NOMEM) goto oom_env;
        if (w->rec.has_error) {
            sl__envelope_free(&env);
            sl_error e = w->rec.error;
            if (e.code != SL_ERR_TOO_LARGE) e.code = SL_ERR_JSON;
            reply_parse_error(r, &e, -1);
            return;
        }
    }
    const sl_engine *e = sl__engine_for(r);
    if (!e) {
        sl__envelope_free(&env);
        return;
    }
    sl_buf *b = &w->out;
    sl_buf_clear(b);
    if (!env.has_items) {
        CHECK_OOM(screen_into(r, e, w->rec.id, w->rec.id_len, w->rec.text.data, w->rec.text.len,
                              NULL, b, NULL));
    } else {
        CHECK_OOM(sl_buf_puts(b, "{\"verdicts\":["));
        for (size_t i = 0; i < env.n; i++) {
            if (i) CHECK_OOM(sl_buf_append(b, ",", 1));
            const char *s = r->body + env.items[i].off;
            if (sl_record_parse(s, env.items[i].len, &lim, &w->rec) == SL_ERR_NOMEM) goto oom;
            /* a bad item gets an error verdict, as a bad line does in `sangloc check` */
            CHECK_OOM(screen_into(r, e, w->rec.id, w->rec.id_len, w->rec.text.data, w->rec.text.len,
                                  w->rec.has_error ? &w->rec.error : NULL, b, NULL));
        }
        CHECK_OOM(sl_buf_puts(b, "]}"));
    }
    sl_engine_release(e);
    sl__envelope_free(&env);
    sl__reply(r, 200, b->data, b->len);
    return;
oom:
    sl_engine_release(e);
oom_env:
    sl__envelope_free(&env);
    sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
}

/* ---- POST /v1/items ----------------------------------------------------------------------- */

/* Where one item's strings sit in the worker's arena (offsets: the arena may move). */
typedef struct item_loc {
    sl__span id_json, id, channel, kind, author, text, created_at, parent, verdict;
    sl__span hide_rule, hide_category, hide_clause; /* cited by the notice of a hide */
    bool has_created_at, has_parent;
    sl_store_action action;
    double score;
} item_loc;

static sl_status put(sl_buf *a, sl_record_str s, sl__span *out)
{
    out->off = a->len;
    out->len = s.len;
    return s.len ? sl_buf_append(a, s.data, s.len) : SL_OK;
}

static const char *at(const sl_buf *a, sl__span s)
{
    return a->data ? a->data + s.off : "";
}

/* The rule an automated hide's notice cites (server/ingest.h), copied with NULs (the next
 * screening reuses the verdict's memory). */
static sl_status put_hide_rule(sl_buf *a, const sl_verdict *v, item_loc *l)
{
    const char *f[3];
    size_t n[3];
    sl__ingest_hide_rule(v, f, n);
    sl__span *out[3] = {&l->hide_rule, &l->hide_category, &l->hide_clause};
    for (int k = 0; k < 3; k++) {
        *out[k] = (sl__span){a->len, n[k]};
        sl_status st = sl_buf_append(a, f[k], n[k]);
        if (!st) st = sl_buf_append(a, "", 1);
        if (st) return st;
    }
    return SL_OK;
}

void sl__route_items(sl__rq *r)
{
    sl__worker *w = r->w;
    sl_error err = {0};
    sl__envelope env;
    if (sl__req_envelope(r->body, r->body_len, SL_SERVER_MAX_BATCH_ITEMS, &env, &err)) {
        reply_parse_error(r, &err, -1);
        return;
    }
    if (!env.has_items) {
        sl__envelope_free(&env);
        sl__reply_error(r, 400, "missing_field", "\"items\" is required", SL_NO_POS, -1, 0);
        return;
    }
    item_loc *loc = calloc(env.n ? env.n : 1, sizeof *loc);
    sl_store_item *items = calloc(env.n ? env.n : 1, sizeof *items);
    sl_ingest_result *res = calloc(env.n ? env.n : 1, sizeof *res);
    sl_store_rule_ref *hide = calloc(env.n ? env.n : 1, sizeof *hide);
    const sl_engine *e = NULL;
    char *dup = NULL;
    if (!loc || !items || !res || !hide) goto oom;
    sl_buf *a = &w->arena;
    sl_buf_clear(a);
    /* parse every item first: a bad one fails the request before anything is screened */
    for (size_t i = 0; i < env.n; i++) {
        sl__ingest_fields f;
        if (sl__req_ingest_item(r->body, env.items[i], &w->rec, &w->idbuf, &w->parentbuf, &f,
                                &err)) {
            reply_parse_error(r, &err, (long)i);
            goto done;
        }
        item_loc *l = &loc[i];
        CHECK_OOM(put(a, (sl_record_str){f.id_json, f.id_json_len}, &l->id_json) ||
                  put(a, f.id, &l->id) || put(a, f.channel, &l->channel) ||
                  put(a, f.kind, &l->kind) || put(a, f.author, &l->author) ||
                  put(a, f.text, &l->text) || put(a, f.created_at, &l->created_at) ||
                  put(a, f.parent, &l->parent));
        l->has_created_at = f.created_at.data != NULL;
        l->has_parent = f.parent.data != NULL;
    }
    e = sl__engine_for(r);
    if (!e) goto done; /* replied */
    const sl_policy *pol = sl_engine_policy(e);
    char pver[SL_STORE_MAX_POLICY_VERSION];
    sl__ingest_policy_version(pol, pver);
    for (size_t i = 0; i < env.n; i++) {
        item_loc *l = &loc[i];
        /* the text is screened from a copy: the arena may move while the verdict is added */
        sl_buf_clear(&w->parentbuf);
        CHECK_OOM(sl_buf_append(&w->parentbuf, at(a, l->text), l->text.len));
        sl_buf_clear(&w->tmp);
        CHECK_OOM(sl_buf_append(&w->tmp, at(a, l->id_json), l->id_json.len));
        const sl_verdict *v = NULL;
        size_t before = a->len;
        CHECK_OOM(screen_into(r, e, w->tmp.data, w->tmp.len, w->parentbuf.data, l->text.len, NULL,
                              a, &v));
        l->verdict = (sl__span){before, a->len - before};
        l->action = (sl_store_action)v->action;
        if (v->action == SL_ACTION_HIDE) CHECK_OOM(put_hide_rule(a, v, l));
        l->score = sl__ingest_score(v);
    }
    for (size_t i = 0; i < env.n; i++) {
        item_loc *l = &loc[i];
        items[i] = (sl_store_item){.id = at(a, l->id),
                                   .id_len = l->id.len,
                                   .channel = at(a, l->channel),
                                   .channel_len = l->channel.len,
                                   .kind = at(a, l->kind),
                                   .kind_len = l->kind.len,
                                   .author = at(a, l->author),
                                   .author_len = l->author.len,
                                   .text = at(a, l->text),
                                   .text_len = l->text.len,
                                   .created_at = l->has_created_at ? at(a, l->created_at) : NULL,
                                   .created_at_len = l->created_at.len,
                                   .parent = l->has_parent ? at(a, l->parent) : NULL,
                                   .parent_len = l->parent.len,
                                   .verdict_json = at(a, l->verdict),
                                   .verdict_len = l->verdict.len,
                                   .action = l->action,
                                   .score = l->score,
                                   .policy_version = pver,
                                   .policy_version_len = strlen(pver),
                                   .appeal_days = pol->settings.appeal_days};
        if (l->action == SL_STORE_HIDE) {
            hide[i] = (sl_store_rule_ref){at(a, l->hide_rule), at(a, l->hide_category),
                                          at(a, l->hide_clause)};
            items[i].hide_rule = &hide[i];
        }
    }
    sl_status st =
        env.n ? sl_store_ingest(w->store, r->org, r->tok.id, items, env.n, res, &err) : SL_OK;
    if (st) {
        int status = st == SL_ERR_BUSY                            ? 503
                     : st == SL_ERR_ARG || st == SL_ERR_TOO_LARGE ? 400
                                                                  : 500;
        sl__reply_error(r, status, sl_status_name(st), err.message, SL_NO_POS,
                        status == 400 && err.byte != SL_NO_POS ? (long)err.byte : -1, 0);
        goto done;
    }
    sl__hooks_wake(w->srv->hooks); /* new audit entries: webhooks need not wait for the tick */
    sl_buf *b = &w->out;
    sl_buf_clear(b);
    CHECK_OOM(sl_buf_puts(b, "{\"items\":["));
    for (size_t i = 0; i < env.n; i++) {
        item_loc *l = &loc[i];
        bool is_dup = res[i].status == SL_INGEST_DUPLICATE;
        const char *vj = at(a, l->verdict);
        size_t vl = l->verdict.len;
        if (is_dup) {
            free(dup);
            dup = NULL;
            if (sl_store_item_verdict(w->store, r->org, res[i].item, &dup, &vl, &err)) goto oom;
            vj = dup;
        }
        CHECK_OOM(sl_buf_puts(b, i ? ",{\"id\":" : "{\"id\":") ||
                  sl_buf_append(b, at(a, l->id_json), l->id_json.len) ||
                  sl_buf_puts(b, ",\"channel\":") ||
                  sl__json_text(b, at(a, l->channel), l->channel.len) ||
                  sl_buf_printf(b, ",\"status\":\"%s\",\"state\":\"%s\",\"verdict\":",
                                is_dup ? "duplicate" : "created",
                                sl_item_state_name(res[i].state)) ||
                  sl_buf_append(b, vj, vl));
        /* a hidden item's notice and its appeal token: returned once, for the author */
        if (res[i].notice.id[0])
            CHECK_OOM(sl_buf_printf(b,
                                    ",\"notice\":{\"id\":\"%s\",\"appeal_token\":\"%s\","
                                    "\"appeal_until\":%" PRId64 "}",
                                    res[i].notice.id, res[i].notice.appeal_token,
                                    res[i].notice.appeal_until));
        CHECK_OOM(sl_buf_append(b, "}", 1));
        if (!is_dup) sl__mx_item(&w->srv->mx, (int)l->action);
        atomic_fetch_add_explicit(is_dup ? &w->srv->metrics.items_duplicate
                                         : &w->srv->metrics.items_created,
                                  1, memory_order_relaxed);
    }
    CHECK_OOM(sl_buf_puts(b, "]}"));
    sl__reply(r, 200, b->data, b->len);
    goto done;
oom:
    sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
done:
    if (e) sl_engine_release(e);
    free(dup);
    free(loc);
    free(items);
    free(res);
    free(hide);
    sl__envelope_free(&env);
}

/* ---- GET /v1/items/{channel}/{id} --------------------------------------------------------- */

void sl__route_item_get(sl__rq *r, const char *rest, size_t rest_len, const char *query)
{
    sl__worker *w = r->w;
    sl__item_views views; /* ?redact=personal_data&views=standard (server/review.c) */
    sl_error qerr = {0};
    if (sl__item_views_parse(query, &views, &qerr)) {
        reply_parse_error(r, &qerr, -1);
        return;
    }
    const char *slash = memchr(rest, '/', rest_len);
    if (!slash ||
        sl__req_path_segment(rest, (size_t)(slash - rest), SL_STORE_MAX_CHANNEL, &w->tmp) ||
        sl__req_path_segment(slash + 1, rest_len - (size_t)(slash + 1 - rest), SL_STORE_MAX_ITEM_ID,
                             &w->idbuf)) {
        sl__reply_error(r, 404, "not_found", "no such item", SL_NO_POS, -1, 0);
        return;
    }
    sl_store_record *rec = NULL;
    sl_error err = {0};
    sl_status st = sl_store_item_get(w->store, r->org, w->tmp.data, w->tmp.len, w->idbuf.data,
                                     w->idbuf.len, &rec, &err);
    if (st == SL_ERR_NOT_FOUND) {
        sl__reply_error(r, 404, "not_found", "no such item", SL_NO_POS, -1, 0);
        return;
    }
    if (st) {
        sl__reply_error(r, st == SL_ERR_BUSY ? 503 : 500, sl_status_name(st), err.message,
                        SL_NO_POS, -1, 0);
        return;
    }
    /* the auditor sees everything but raw personal data: not the text, nor the verdict that
       quotes it */
    bool raw = r->tok.role != SL_ROLE_AUDITOR;
    sl_buf *b = &w->out;
    sl_buf_clear(b);
    sl_status s2 = sl_buf_puts(b, "{\"id\":");
#define STR(key, v)                                                                                \
    if (!s2) s2 = sl_buf_puts(b, ",\"" key "\":");                                                 \
    if (!s2) s2 = sl__json_text(b, (v), strlen(v))
    if (!s2) s2 = sl__json_text(b, rec->id, strlen(rec->id));
    STR("channel", rec->channel);
    STR("kind", rec->kind);
    /* never the author, not even its pseudonym: it is a key joining one person's items, and no
       route may list what one person posted (docs/privacy.md) */
    /* absent optional fields are null */
#define OPT(key, v)                                                                                \
    if (!s2) s2 = sl_buf_puts(b, ",\"" key "\":");                                                 \
    if (!s2) s2 = (v)[0] ? sl__json_text(b, (v), strlen(v)) : sl_buf_puts(b, "null")
    OPT("created_at", rec->created_at);
    OPT("parent", rec->parent);
#undef OPT
    STR("state", sl_item_state_name(rec->state));
    STR("action", sl_store_action_name(rec->action));
    STR("policy_version", rec->policy_version);
    if (!s2)
        s2 = sl_buf_printf(b, ",\"score\":%.6g,\"received_at\":%" PRId64 ",\"version\":%" PRId64,
                           rec->score, rec->received_at, rec->version);
    if (raw && (views.redact || views.standard)) {
        if (!s2) s2 = sl__review_item_text(rec, &views, b, &qerr);
    } else if (raw) {
        STR("text", rec->text);
        if (!s2) s2 = sl_buf_puts(b, ",\"verdict\":");
        if (!s2) s2 = sl_buf_puts(b, rec->verdict_json[0] ? rec->verdict_json : "null");
    }
    if (!s2) s2 = sl_buf_puts(b, ",\"history\":[");
    for (size_t i = 0; i < rec->nevents && !s2; i++) {
        const sl_item_event *ev = &rec->events[i];
        const char *from = ev->from_state >= 0 ? sl_item_state_name(ev->from_state) : NULL;
        const char *to = ev->to_state >= 0 ? sl_item_state_name(ev->to_state) : NULL;
        s2 = sl_buf_printf(b, "%s{\"at\":%" PRId64 ",\"actor\":%" PRId64 ",\"what\":", i ? "," : "",
                           ev->at, ev->actor);
        if (!s2) s2 = sl__json_text(b, ev->what, strlen(ev->what));
        if (!s2)
            s2 = sl_buf_printf(b, ",\"from\":%s%s%s", from ? "\"" : "", from ? from : "null",
                               from ? "\"" : "");
        if (!s2)
            s2 = sl_buf_printf(b, ",\"to\":%s%s%s", to ? "\"" : "", to ? to : "null",
                               to ? "\"" : "");
        if (!s2) s2 = sl_buf_puts(b, ",\"detail\":");
        if (!s2) s2 = sl__json_text(b, ev->detail, strlen(ev->detail));
        if (!s2) s2 = sl_buf_puts(b, "}");
    }
    if (!s2) s2 = sl_buf_puts(b, "]}");
#undef STR
    sl_store_record_free(rec);
    if (s2) {
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
        return;
    }
    sl__reply(r, 200, b->data, b->len);
}

/* ---- queues ------------------------------------------------------------------------------- */

static sl_status put_entry(sl_buf *b, const sl_queue_entry *q, bool comma)
{
    sl_status st =
        sl_buf_printf(b, "%s{\"case\":%" PRId64 ",\"id\":", comma ? "," : "", q->case_id);
    if (!st) st = sl__json_text(b, q->id, strlen(q->id));
    if (!st) st = sl_buf_puts(b, ",\"channel\":");
    if (!st) st = sl__json_text(b, q->channel, strlen(q->channel));
    if (!st)
        st = sl_buf_printf(b,
                           ",\"state\":\"%s\",\"severity\":%.6f,\"opened_at\":%" PRId64
                           ",\"lease_until\":%" PRId64 ",\"leased_by\":%" PRId64 "}",
                           sl_item_state_name(q->state), q->severity, q->opened_at, q->lease_until,
                           q->leased_by);
    return st;
}

void sl__route_queue(sl__rq *r, const char *query)
{
    sl__worker *w = r->w;
    sl__queue_query q;
    sl_error err = {0};
    if (sl__req_queue_query(query, query ? strlen(query) : 0, &q, &err)) {
        reply_parse_error(r, &err, -1);
        return;
    }
    sl_queue_page page = {0};
    sl_status st = sl_store_queue_list(w->store, r->org, SL_QUEUE_PENDING, q.limit, q.cursor,
                                       q.cursor_len, &page, &err);
    if (st) {
        if (st == SL_ERR_CURSOR || st == SL_ERR_ARG)
            reply_parse_error(r, &err, -1);
        else
            sl__reply_error(r, st == SL_ERR_BUSY ? 503 : 500, sl_status_name(st), err.message,
                            SL_NO_POS, -1, 0);
        return;
    }
    sl_buf *b = &w->out;
    sl_buf_clear(b);
    sl_status s2 = sl_buf_puts(b, "{\"items\":[");
    for (size_t i = 0; i < page.n && !s2; i++) s2 = put_entry(b, &page.entries[i], i > 0);
    if (!s2)
        s2 = page.next_cursor[0] ? sl_buf_printf(b, "],\"next_cursor\":\"%s\"}", page.next_cursor)
                                 : sl_buf_puts(b, "],\"next_cursor\":null}");
    sl_queue_page_free(&page);
    if (s2)
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
    else
        sl__reply(r, 200, b->data, b->len);
}

void sl__route_claim(sl__rq *r)
{
    sl__worker *w = r->w;
    uint64_t n, lease;
    sl_error err = {0};
    if (sl__req_claim(r->body, r->body_len, &n, &lease, &err)) {
        reply_parse_error(r, &err, -1);
        return;
    }
    sl_queue_entry *out = calloc((size_t)n, sizeof *out);
    if (!out) {
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
        return;
    }
    size_t got = 0;
    sl_status st = sl_store_queue_claim(w->store, r->org, SL_QUEUE_PENDING, r->tok.id, (size_t)n,
                                        (int64_t)lease, out, &got, &err);
    if (st) {
        free(out);
        sl__reply_error(r,
                        st == SL_ERR_BUSY   ? 503
                        : st == SL_ERR_AUTH ? 403
                                            : 500,
                        sl_status_name(st), err.message, SL_NO_POS, -1, 0);
        return;
    }
    sl_buf *b = &w->out;
    sl_buf_clear(b);
    sl_status s2 =
        sl_buf_printf(b, "{\"lease_seconds\":%llu,\"claimed\":[", (unsigned long long)lease);
    for (size_t i = 0; i < got && !s2; i++) s2 = put_entry(b, &out[i], i > 0);
    if (!s2) s2 = sl_buf_puts(b, "]}");
    free(out);
    if (s2)
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
    else
        sl__reply(r, 200, b->data, b->len);
}

/* ---- admin -------------------------------------------------------------------------------- */

static const char *const route_label[SL_ROUTE_COUNT] = {"/healthz",
                                                        "/v1/check",
                                                        "/v1/items",
                                                        "/v1/items/{channel}/{id}",
                                                        "/v1/queues/pending",
                                                        "/v1/queues/pending/claim",
                                                        "/v1/admin/reload",
                                                        "/metrics",
                                                        "/v1/banks",
                                                        "/v1/banks/{name}/items",
                                                        "/v1/banks/{name}/items/{id}",
                                                        "/openapi.json",
                                                        "/v1/admin/rescreen",
                                                        "/v1/items/{channel}/{id}/decision",
                                                        "/v1/notices/{id}",
                                                        "/v1/reports",
                                                        "/v1/appeals",
                                                        "/v1/appeals/{id}/decision",
                                                        "/v1/queues",
                                                        "/v1/queues/{queue}",
                                                        "/v1/queues/{queue}/claim",
                                                        "/v1/transparency/statements",
                                                        "/v1/audit/{what}",
                                                        "/{page}",
                                                        "/assets/{file}",
                                                        "/login|/logout|/session",
                                                        "/v1/items/{channel}/{id}/reveal",
                                                        "/v1/policy/rules",
                                                        "/v1/stats",
                                                        "other"};

const char *sl__route_name(int route)
{
    return route >= 0 && route < SL_ROUTE_COUNT ? route_label[route] : "other";
}

void sl__route_metrics(sl__rq *r)
{
    sl__worker *w = r->w;
    sl__metrics *m = &w->srv->metrics;
    sl_buf *b = &w->out;
    sl_buf_clear(b);
    sl_status st = sl_buf_puts(b, "# HELP sangloc_requests_total HTTP requests answered, by "
                                  "route and status.\n# TYPE sangloc_requests_total counter\n");
    for (int k = 0; k < SL_ROUTE_COUNT && !st; k++)
        for (int c = 0; c <= SL_NSTATUS && !st; c++) {
            uint64_t v = atomic_load_explicit(&m->requests[k][c], memory_order_relaxed);
            if (!v) continue;
            if (c < SL_NSTATUS)
                st = sl_buf_printf(b, "sangloc_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                                   route_label[k], sl__status_codes[c], (unsigned long long)v);
            else
                st =
                    sl_buf_printf(b, "sangloc_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                                  route_label[k], (unsigned long long)v);
        }
    if (!st)
        st = sl_buf_puts(b, "# HELP sangloc_verdicts_total Comments screened (check and items), "
                            "by action.\n# TYPE sangloc_verdicts_total counter\n");
    for (int a = 0; a < 4 && !st; a++)
        st = sl_buf_printf(b, "sangloc_verdicts_total{action=\"%s\"} %llu\n",
                           sl_action_name((sl_action)a),
                           (unsigned long long)atomic_load(&m->verdicts[a]));
    if (!st)
        st = sl_buf_printf(
            b,
            "# HELP sangloc_items_total Items received by POST /v1/items, by outcome.\n"
            "# TYPE sangloc_items_total counter\n"
            "sangloc_items_total{status=\"created\"} %llu\n"
            "sangloc_items_total{status=\"duplicate\"} %llu\n"
            "# HELP sangloc_reloads_total Engine reloads (SIGHUP, POST /v1/admin/reload).\n"
            "# TYPE sangloc_reloads_total counter\n"
            "sangloc_reloads_total{result=\"ok\"} %llu\n"
            "sangloc_reloads_total{result=\"failed\"} %llu\n"
            "# HELP sangloc_engine_generation Engines built since start (1 + reloads).\n"
            "# TYPE sangloc_engine_generation gauge\n"
            "sangloc_engine_generation %llu\n",
            (unsigned long long)atomic_load(&m->items_created),
            (unsigned long long)atomic_load(&m->items_duplicate),
            (unsigned long long)atomic_load(&m->reloads_ok),
            (unsigned long long)atomic_load(&m->reloads_failed),
            (unsigned long long)sl_engine_slot_generation(w->srv->slot));
    if (!st) {
        const sl_engine *e = sl_engine_slot_get(w->srv->slot);
        const sl_policy *p = sl_engine_policy(e);
        st = sl_buf_printf(b,
                           "# HELP sangloc_engine_info The engine in use (value 1).\n"
                           "# TYPE sangloc_engine_info gauge\n"
                           "sangloc_engine_info{policy_version=\"%016" PRIx64 "\"} 1\n",
                           p->hash);
        sl_engine_release(e);
    }
    /* each queue's open and leased cases (the review workflow's queues too) */
    static const char *const queues[] = {SL_QUEUE_PENDING, SL_QUEUE_REPORTED, SL_QUEUE_APPEALS};
    sl_queue_stats qs[3] = {{0}};
    sl_error err = {0};
    bool have_qs = !st && r->org;
    for (size_t k = 0; k < 3 && have_qs; k++)
        have_qs = !sl_store_queue_stats(w->store, r->org, queues[k], &qs[k], &err);
    if (have_qs)
        st = sl_buf_puts(b, "# HELP sangloc_queue_open Open cases of the caller's organization.\n"
                            "# TYPE sangloc_queue_open gauge\n");
    for (size_t k = 0; k < 3 && have_qs && !st; k++)
        st = sl_buf_printf(b, "sangloc_queue_open{queue=\"%s\"} %lld\n", queues[k],
                           (long long)qs[k].open);
    if (have_qs && !st)
        st = sl_buf_puts(b, "# HELP sangloc_queue_leased Cases leased to a reviewer right now.\n"
                            "# TYPE sangloc_queue_leased gauge\n");
    for (size_t k = 0; k < 3 && have_qs && !st; k++)
        st = sl_buf_printf(b, "sangloc_queue_leased{queue=\"%s\"} %lld\n", queues[k],
                           (long long)qs[k].leased);
    if (!st && w->srv->hooks) st = sl__hooks_metrics(w->store, r->org, b); /* webhooks.h */
    if (!st) st = sl__mx_write(&w->srv->mx, w->srv->slot, sl__route_name, SL_ROUTE_COUNT, b);
    if (st) {
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
        return;
    }
    sl__reply_as(r, 200, "text/plain; version=0.0.4", b->data, b->len);
}
