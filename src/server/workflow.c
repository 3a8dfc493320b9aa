/* server/workflow.c — the review workflow's routes (docs/api.md, docs/workflow.md):
 *   POST /v1/items/{channel}/{id}/decision   a person's decision (reviewer, admin)
 *   GET  /v1/notices/{id}                    a statement of reasons (the org's tokens, or the
 *                                            appeal token as ?token=)
 *   POST /v1/reports                         a reader's report (integration)
 *   POST /v1/appeals                         an appeal (the appeal token is the credential)
 *   POST /v1/appeals/{id}/decision           an appeal's decision (appeals)
 *   GET  /v1/queues                          each queue's figures
 *   GET  /v1/queues/{reported|appeals}, POST .../claim
 * The store enforces what no route may bypass (versions, windows, the person who may not judge
 * their own decision); the routes check roles, parse bodies strictly and cite the policy. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "sangloc/policy.h"
#include "server/internal.h"
#include "server/pages.h"
#include "server/webhooks.h"
#include "server/json.h"
#include "server/notice.h"
#include "server/request.h"
#include "server/workflow_req.h"

#define QUEUE_TIMES_DAYS 30

static void reply_oom(sl__rq *r)
{
    sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
}

/* A parse error of a body or query: 400 (413 for a value over its limit) with the byte. */
static void reply_bad(sl__rq *r, const sl_error *e)
{
    int status = e->code == SL_ERR_NOMEM ? 500 : 400;
    const char *code = e->code == SL_ERR_JSON            ? "bad_json"
                       : e->code == SL_ERR_MISSING_FIELD ? "missing_field"
                       : e->code == SL_ERR_TOO_LARGE     ? "too_large"
                       : e->code == SL_ERR_CURSOR        ? "bad_cursor"
                       : e->code == SL_ERR_NOMEM         ? "internal"
                                                         : "bad_request";
    sl__reply_error(r, status, code, e->message, e->byte, -1, 0);
}

/* A store error that is not a refusal: 404, 403, 400, 503 or 500. */
static void reply_store(sl__rq *r, sl_status st, const sl_error *e, const char *what)
{
    if (st == SL_ERR_NOT_FOUND) {
        char msg[64];
        snprintf(msg, sizeof msg, "no such %s", what);
        sl__reply_error(r, 404, "not_found", msg, SL_NO_POS, -1, 0);
    } else if (st == SL_ERR_AUTH) {
        sl__reply_error(r, 403, "forbidden", e->message, SL_NO_POS, -1, 0);
    } else if (st == SL_ERR_ARG || st == SL_ERR_TOO_LARGE) {
        sl__reply_error(r, 400, sl_status_name(st), e->message, SL_NO_POS, -1, 0);
    } else {
        sl__reply_error(r, st == SL_ERR_BUSY ? 503 : 500, sl_status_name(st), e->message, SL_NO_POS,
                        -1, 0);
    }
}

/* A refusal: 409 with the reason's code; a closed window is 410, a conflict of interest 403. */
static void reply_refusal(sl__rq *r, sl_store_refusal why, const sl_error *e)
{
    int status = why == SL_REFUSE_WINDOW_CLOSED          ? 410
                 : why == SL_REFUSE_CONFLICT_OF_INTEREST ? 403
                                                         : 409;
    sl__reply_error(r, status, sl_store_refusal_name(why), e->message, SL_NO_POS, -1, 0);
}

static sl_status put_str(sl_buf *b, const char *key, const char *v)
{
    sl_status st = sl_buf_printf(b, ",\"%s\":", key);
    return st ? st : sl__json_text(b, v, strlen(v));
}

/* "{channel}/{id}{tail}" of a path into w->tmp and w->idbuf; false when it is not that. */
static bool item_path(sl__rq *r, const char *rest, const char *tail)
{
    sl__worker *w = r->w;
    size_t len = strlen(rest), tl = strlen(tail);
    if (len <= tl || strcmp(rest + len - tl, tail)) return false;
    len -= tl;
    const char *slash = memchr(rest, '/', len);
    return slash &&
           !sl__req_path_segment(rest, (size_t)(slash - rest), SL_STORE_MAX_CHANNEL, &w->tmp) &&
           !sl__req_path_segment(slash + 1, len - (size_t)(slash + 1 - rest), SL_STORE_MAX_ITEM_ID,
                                 &w->idbuf);
}

static sl_status put_notice_ref(sl_buf *b, const sl_store_notice_out *n)
{
    if (!n->id[0]) return sl_buf_puts(b, ",\"notice\":null");
    sl_status st = sl_buf_printf(b, ",\"notice\":{\"id\":\"%s\"", n->id);
    if (!st && n->appeal_token[0])
        st = sl_buf_printf(b, ",\"appeal_token\":\"%s\",\"appeal_until\":%" PRId64, n->appeal_token,
                           n->appeal_until);
    return st ? st : sl_buf_puts(b, "}");
}

/* ---- rules: the clause a decision cites ------------------------------------------------------ */

typedef struct rule_found {
    bool found;
    sl_buf *category, *clause;
    const char *want;
    sl_buf key; /* scratch for the hit's rule id */
} rule_found;

typedef struct hit_ctx {
    rule_found *rf;
    bool is_it;
    sl_buf cat, cite;
} hit_ctx;

static sl_status hit_member(void *ctx, const char *key, size_t key_len, const char *s, size_t len,
                            size_t *i, sl_error *err)
{
    hit_ctx *h = ctx;
    sl_buf *out = key_len == 4 && !memcmp(key, "rule", 4)       ? &h->rf->key
                  : key_len == 8 && !memcmp(key, "category", 8) ? &h->cat
                  : key_len == 4 && !memcmp(key, "cite", 4)     ? &h->cite
                                                                : NULL;
    if (!out || *i >= len || s[*i] != '"') return sl__json_skip(s, len, i, err);
    sl_status st = sl__json_string(s, len, i, out, err);
    if (!st && out == &h->rf->key) h->is_it = !strcmp(out->data, h->rf->want);
    return st;
}

static sl_status verdict_member(void *ctx, const char *key, size_t key_len, const char *s,
                                size_t len, size_t *i, sl_error *err)
{
    rule_found *rf = ctx;
    if (key_len != 4 || memcmp(key, "hits", 4) || *i >= len || s[*i] != '[')
        return sl__json_skip(s, len, i, err);
    size_t p = *i + 1;
    sl__json_ws(s, len, &p);
    while (p < len && s[p] != ']') {
        if (s[p] != '{') return sl_error_set(err, SL_ERR_JSON, p, "a hit must be an object");
        hit_ctx h = {.rf = rf};
        sl_status st = sl__json_object(s, len, &p, 64, hit_member, &h, err);
        if (!st && h.is_it && !rf->found) {
            rf->found = true;
            st = sl_buf_append(rf->category, h.cat.data ? h.cat.data : "", h.cat.len);
            if (!st) st = sl_buf_append(rf->clause, h.cite.data ? h.cite.data : "", h.cite.len);
        }
        sl_buf_free(&h.cat);
        sl_buf_free(&h.cite);
        if (st) return st;
        sl__json_ws(s, len, &p);
        if (p < len && s[p] == ',') {
            p++;
            sl__json_ws(s, len, &p);
        }
    }
    if (p >= len) return sl_error_set(err, SL_ERR_JSON, p, "unterminated hits");
    *i = p + 1;
    return SL_OK;
}

/* The rule `id` as the current policy has it, else as the item's stored verdict cites it (the
 * policy version that screened it): its category and clause into cat and clause. */
static bool find_rule(const sl_policy *pol, const char *verdict, const char *id, sl_buf *cat,
                      sl_buf *clause)
{
    for (size_t k = 0; k < pol->nrules; k++)
        if (!strcmp(pol->rules[k].id, id)) {
            const sl_rule *ru = &pol->rules[k];
            const char *c =
                ru->category < pol->ncategories ? pol->categories[ru->category].name : "";
            return !sl_buf_puts(cat, c) && !sl_buf_puts(clause, ru->clause ? ru->clause : "");
        }
    rule_found rf = {.category = cat, .clause = clause, .want = id};
    size_t i = 0;
    sl_error e = {0};
    if (verdict && *verdict == '{')
        sl__json_object(verdict, strlen(verdict), &i, 4096, verdict_member, &rf, &e);
    sl_buf_free(&rf.key);
    return rf.found;
}

/* ---- POST /v1/items/{channel}/{id}/decision ---------------------------------------------- */

/* The engine's version as a notice shows it: the "sangloc" member of its versions object. */
static const char *engine_version(const sl_engine *e, sl_buf *out)
{
    const char *v = sl_engine_versions_json(e), *k = v ? strstr(v, "\"sangloc\":\"") : NULL;
    if (!k) return "";
    k += 11;
    const char *end = strchr(k, '"');
    if (!end || end - k > 64 || sl_buf_append(out, k, (size_t)(end - k))) return "";
    return out->data;
}

enum { D_OUTCOME, D_RULE, D_NOTE, D_STATEMENT, D_VERSION, D_COUNT };

/* The version from If-Match ("123" or 123) when the body has none; -1 when absent or bad. */
static int64_t if_match(sl__rq *r)
{
    const char *h = evhttp_find_header(evhttp_request_get_input_headers(r->req), "If-Match");
    if (!h) return -1;
    while (*h == ' ') h++;
    if (*h == 'W' && h[1] == '/') h += 2;
    bool quoted = *h == '"';
    h += quoted;
    int64_t v = 0;
    const char *p = h;
    for (; *p >= '0' && *p <= '9' && p - h < 18; p++) v = v * 10 + (*p - '0');
    if (p == h || (quoted && *p++ != '"')) return -1;
    while (*p == ' ') p++;
    return *p ? -1 : v;
}

static void decide_reply(sl__rq *r, const sl_store_decision_out *o, const char *outcome,
                         const char *rule)
{
    sl__worker *w = r->w;
    sl_buf *b = &w->out;
    sl_buf_clear(b);
    sl_status st =
        sl_buf_printf(b, "{\"decision\":%" PRId64 ",\"item\":{\"channel\":", o->decision);
    if (!st) st = sl__json_text(b, w->tmp.data, w->tmp.len);
    if (!st) st = sl_buf_puts(b, ",\"id\":");
    if (!st) st = sl__json_text(b, w->idbuf.data, w->idbuf.len);
    if (!st) st = sl_buf_printf(b, "},\"outcome\":\"%s\"", outcome);
    if (!st) st = put_str(b, "rule", rule);
    if (!st)
        st = sl_buf_printf(
            b, ",\"before\":\"%s\",\"after\":\"%s\",\"version\":%" PRId64 ",\"cases_closed\":%zu",
            sl_item_state_name(o->before), sl_item_state_name(o->after), o->version,
            o->cases_closed);
    if (!st) st = put_notice_ref(b, &o->notice);
    if (!st) st = sl_buf_puts(b, "}");
    if (st)
        reply_oom(r);
    else
        sl__reply(r, 200, b->data, b->len);
    sl__hooks_wake(r->w->srv->hooks); /* new audit entries for the webhooks */
}

void sl__route_decision(sl__rq *r, const char *rest)
{
    sl__worker *w = r->w;
    if (!item_path(r, rest, "/decision")) {
        sl__reply_error(r, 404, "not_found", "no such item", SL_NO_POS, -1, 0);
        return;
    }
    sl__wf_field f[D_COUNT] = {
        [D_OUTCOME] = {.key = "outcome", .type = SL__WF_STR, .max = 16, .required = true},
        [D_RULE] = {.key = "rule", .type = SL__WF_STR, .max = SL_STORE_MAX_RULE, .required = true},
        [D_NOTE] = {.key = "note", .type = SL__WF_STR, .max = SL_STORE_MAX_NOTE, .required = true},
        [D_STATEMENT] = {.key = "statement", .type = SL__WF_STR, .max = SL_STORE_MAX_NOTE},
        [D_VERSION] = {.key = "version", .type = SL__WF_UINT, .max = INT64_MAX},
    };
    sl_buf cat = {0}, clause = {0}, ever = {0};
    sl_store_record *rec = NULL;
    const sl_engine *e = NULL;
    sl_error err = {0};
    sl_store_outcome outcome;
    if (sl__wf_body(r->body, r->body_len, f, D_COUNT, &err)) {
        reply_bad(r, &err);
        goto done;
    }
    if (!sl_store_outcome_parse(f[D_OUTCOME].str.data, f[D_OUTCOME].str.len, &outcome)) {
        sl__reply_error(r, 400, "bad_request", "\"outcome\" must be remove, restore or keep",
                        f[D_OUTCOME].at, -1, 0);
        goto done;
    }
    int64_t version = f[D_VERSION].present ? (int64_t)f[D_VERSION].num : if_match(r);
    if (version < 0) {
        sl__reply_error(r, 400, "missing_field",
                        "\"version\" (or an If-Match header) is required: the item's version "
                        "as GET /v1/items/{channel}/{id} showed it",
                        SL_NO_POS, -1, 0);
        goto done;
    }
    sl_status st = sl_store_item_get(w->store, r->org, w->tmp.data, w->tmp.len, w->idbuf.data,
                                     w->idbuf.len, &rec, &err);
    if (st) {
        reply_store(r, st, &err, "item");
        goto done;
    }
    e = sl__engine_for(r);
    if (!e) goto done; /* replied */
    const sl_policy *pol = sl_engine_policy(e);
    if (!find_rule(pol, rec->verdict_json, f[D_RULE].str.data, &cat, &clause)) {
        sl__reply_error(r, 400, "unknown_rule",
                        "\"rule\" is not a rule of the current policy nor of the verdict that "
                        "screened the item",
                        f[D_RULE].at, -1, 0);
        goto done;
    }
    sl_store_decision_in in = {
        .channel = w->tmp.data,
        .channel_len = w->tmp.len,
        .id = w->idbuf.data,
        .id_len = w->idbuf.len,
        .version = version,
        .outcome = outcome,
        .rule = {f[D_RULE].str.data, cat.data ? cat.data : "", clause.data ? clause.data : ""},
        .note = f[D_NOTE].str.data,
        .note_len = f[D_NOTE].str.len,
        .statement = f[D_STATEMENT].present ? f[D_STATEMENT].str.data : NULL,
        .statement_len = f[D_STATEMENT].str.len,
        .engine_version = engine_version(e, &ever),
        .appeal_days = pol->settings.appeal_days};
    sl_store_decision_out out;
    sl_store_refusal why = SL_REFUSE_NONE;
    st = sl_store_decide(w->store, r->org, r->tok.id, &in, &out, &why, &err);
    if (st == SL_ERR_CONFLICT)
        reply_refusal(r, why, &err);
    else if (st)
        reply_store(r, st, &err, "item");
    else
        decide_reply(r, &out, sl_store_outcome_name(outcome), f[D_RULE].str.data);
done:
    if (e) sl_engine_release(e);
    sl_store_record_free(rec);
    sl_buf_free(&cat);
    sl_buf_free(&clause);
    sl_buf_free(&ever);
    sl__wf_free(f, D_COUNT);
}

/* ---- GET /v1/notices/{id} ------------------------------------------------------------------ */

static bool wants_english(sl__rq *r, int lang)
{
    if (lang >= 0) return lang == 1;
    const char *al =
        evhttp_find_header(evhttp_request_get_input_headers(r->req), "Accept-Language");
    while (al && *al == ' ') al++;
    return al && !strncasecmp(al, "en", 2);
}

static bool wants_text(sl__rq *r)
{
    const char *a = evhttp_find_header(evhttp_request_get_input_headers(r->req), "Accept");
    return a && strstr(a, "text/plain") && !strstr(a, "application/json");
}

/* The facts of a stored notice for the renderer (notice.h). An appeal's outcome that removed
 * the item (a reader's appeal overturned a decision to keep it) tells the author as a removal. */
static void notice_facts(const sl_store_notice *n, bool with_text, bool en, sl__notice_facts *f)
{
    *f = (sl__notice_facts){
        .notice_id = n->id,
        .channel = n->channel,
        .item_id = n->item_id,
        .text = with_text ? n->text : NULL,
        .text_len = with_text ? n->text_len : 0,
        .verdict_json = n->verdict_json,
        .verdict_len = n->verdict_len,
        .rule_id = n->rule,
        .clause = n->clause,
        .category = n->category,
        .policy_version = n->policy_version,
        .engine_version = n->engine_version,
        .automated_detection = n->automated_detection,
        .automated_decision = n->automated_decision,
        .decided_at = n->decided_at,
        .appeal_until = n->appeal_until,
        .statement = n->statement,
        .lang = en ? SL_NOTICE_EN : SL_NOTICE_VI,
    };
    if (!strcmp(n->kind, "automated_hide")) {
        f->kind = SL_NOTICE_AUTO_HIDE;
    } else if (!strcmp(n->kind, "appeal_outcome") && n->state != SL_ITEM_REMOVED) {
        f->kind = SL_NOTICE_APPEAL;
        f->appeal_outcome =
            !strcmp(n->outcome, "overturn") ? SL_APPEAL_OVERTURNED : SL_APPEAL_UPHELD;
        f->appeal_reason = n->appeal_reason;
    } else if (!strcmp(n->kind, "appeal_outcome")) {
        f->kind = SL_NOTICE_REMOVAL;
        f->statement = n->appeal_reason;
    } else {
        f->kind = SL_NOTICE_REMOVAL;
    }
}

void sl__route_notice(sl__rq *r, const char *id, const char *query)
{
    sl__worker *w = r->w;
    sl__notice_query q;
    sl_error err = {0};
    if (sl__wf_notice_query(query, query ? strlen(query) : 0, &q, &err)) {
        reply_bad(r, &err);
        return;
    }
    const char *auth =
        evhttp_find_header(evhttp_request_get_input_headers(r->req), "Authorization");
    bool with_text = true;
    bool by_token = !auth && q.token_len;
    if (by_token && !sl__token_guess_admit(r)) return;
    if (auth || !q.token_len) {
        /* the org's people, and the integration that passes the notice on to its author */
        unsigned roles = 1u << SL_ROLE_INTEGRATION | 1u << SL_ROLE_REVIEWER |
                         1u << SL_ROLE_APPEALS | 1u << SL_ROLE_AUDITOR | 1u << SL_ROLE_ADMIN;
        if (!sl__authenticate(r, roles)) return;
        with_text = r->tok.role != SL_ROLE_AUDITOR; /* no raw post for the auditor */
    }
    sl_store_notice n;
    sl_status st =
        sl_store_notice_get(w->store, auth || !q.token_len ? r->org : NULL, id, strlen(id),
                            q.token_len ? q.token : NULL, q.token_len, &n, &err);
    if (st == SL_ERR_AUTH || st == SL_ERR_NOT_FOUND) {
        if (by_token) sl__token_guess_failed(r);
        /* a wrong token says no more than an unknown id */
        sl__reply_error(r, 404, "not_found", "no such notice", SL_NO_POS, -1, 0);
        return;
    }
    if (st) {
        reply_store(r, st, &err, "notice");
        return;
    }
    bool en = wants_english(r, q.lang), text = wants_text(r);
    sl__notice_facts facts;
    notice_facts(&n, with_text, en, &facts);
    sl_buf *b = &w->out;
    sl_buf_clear(b);
    st = text ? sl__notice_text(&facts, b, &err) : sl__notice_json(&facts, b, &err);
    sl_store_notice_free(&n);
    if (st) {
        sl__reply_error(r, 500, "internal", err.message, SL_NO_POS, -1, 0);
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Content-Language",
                      en ? "en" : "vi");
    if (text)
        sl__reply_as(r, 200, "text/plain; charset=utf-8", b->data, b->len);
    else
        sl__reply(r, 200, b->data, b->len);
}

/* ---- POST /v1/reports ------------------------------------------------------------------------ */

enum { R_CHANNEL, R_ID, R_REASON, R_TEXT, R_REPORTER, R_COUNT };

/* Whether name is a category that a rule of the policy uses. */
static bool policy_reason(const sl_policy *pol, const char *name)
{
    for (size_t k = 0; k < pol->nrules; k++) {
        size_t c = pol->rules[k].category;
        if (c < pol->ncategories && !strcmp(pol->categories[c].name, name)) return true;
    }
    return false;
}

void sl__route_report(sl__rq *r)
{
    sl__worker *w = r->w;
    sl__wf_field f[R_COUNT] = {
        [R_CHANNEL] = {.key = "channel",
                       .type = SL__WF_STR,
                       .max = SL_STORE_MAX_CHANNEL,
                       .required = true},
        [R_ID] = {.key = "id", .type = SL__WF_ID, .max = SL_STORE_MAX_ITEM_ID, .required = true},
        [R_REASON] = {.key = "reason",
                      .type = SL__WF_STR,
                      .max = SL_STORE_MAX_RULE,
                      .required = true},
        [R_TEXT] = {.key = "text", .type = SL__WF_STR, .max = SL_STORE_MAX_NOTE},
        [R_REPORTER] = {.key = "reporter", .type = SL__WF_STR, .max = SL_STORE_MAX_AUTHOR},
    };
    sl_error err = {0};
    const sl_engine *e = NULL;
    if (sl__wf_body(r->body, r->body_len, f, R_COUNT, &err)) {
        reply_bad(r, &err);
        goto done;
    }
    e = sl__engine_for(r);
    if (!e) goto done;
    if (!policy_reason(sl_engine_policy(e), f[R_REASON].str.data)) {
        sl__reply_error(r, 400, "unknown_reason",
                        "\"reason\" must be a category of the organization's policy",
                        f[R_REASON].at, -1, 0);
        goto done;
    }
    sl_store_report_in in = {
        .channel = f[R_CHANNEL].str.data,
        .channel_len = f[R_CHANNEL].str.len,
        .id = f[R_ID].str.data,
        .id_len = f[R_ID].str.len,
        .reason = f[R_REASON].str.data,
        .reason_len = f[R_REASON].str.len,
        .text = f[R_TEXT].present ? f[R_TEXT].str.data : NULL,
        .text_len = f[R_TEXT].str.len,
        .reporter = f[R_REPORTER].present ? f[R_REPORTER].str.data : NULL,
        .reporter_len = f[R_REPORTER].str.len,
    };
    sl_store_report_out out;
    sl_status st = sl_store_report(w->store, r->org, r->tok.id, &in, &out, &err);
    if (st) {
        reply_store(r, st, &err, "item");
        goto done;
    }
    sl_buf *b = &w->out;
    sl_buf_clear(b);
    st = sl_buf_printf(b,
                       "{\"report\":%" PRId64 ",\"case\":%" PRId64
                       ",\"opened\":%s,\"reports\":%" PRId64 ",\"appeal_token\":\"%s\"}",
                       out.report, out.case_id, out.opened ? "true" : "false", out.reports,
                       out.appeal_token);
    if (st)
        reply_oom(r);
    else
        sl__reply(r, 200, b->data, b->len);
    sl__hooks_wake(r->w->srv->hooks); /* new audit entries for the webhooks */
done:
    if (e) sl_engine_release(e);
    sl__wf_free(f, R_COUNT);
}

/* ---- POST /v1/appeals ------------------------------------------------------------------------ */

void sl__route_appeal(sl__rq *r)
{
    sl__worker *w = r->w;
    sl__wf_field f[2] = {
        {.key = "appeal_token", .type = SL__WF_STR, .max = 64, .required = true},
        {.key = "text", .type = SL__WF_STR, .max = SL_STORE_MAX_NOTE, .required = true},
    };
    sl_error err = {0};
    if (sl__wf_body(r->body, r->body_len, f, 2, &err)) {
        reply_bad(r, &err);
        sl__wf_free(f, 2);
        return;
    }
    sl_store_appeal_out out;
    sl_store_refusal why = SL_REFUSE_NONE;
    if (!sl__token_guess_admit(r)) {
        sl__wf_free(f, 2);
        return;
    }
    sl_status st = sl_store_appeal(w->store, f[0].str.data, f[0].str.len, f[1].str.data,
                                   f[1].str.len, &out, &why, &err);
    sl__wf_free(f, 2);
    if (st == SL_ERR_AUTH) {
        sl__token_guess_failed(r);
        sl__reply_error(r, 401, "unauthorized", "unknown or malformed appeal token", SL_NO_POS, -1,
                        0);
    } else if (st == SL_ERR_CONFLICT) {
        reply_refusal(r, why, &err);
    } else if (st) {
        reply_store(r, st, &err, "appeal");
    } else {
        char buf[96];
        int n = snprintf(buf, sizeof buf, "{\"id\":%" PRId64 ",\"case\":%" PRId64 "}", out.appeal,
                         out.case_id);
        sl__reply(r, 200, buf, (size_t)n);
        sl__hooks_wake(r->w->srv->hooks); /* new audit entries for the webhooks */
    }
}

/* ---- POST /v1/appeals/{id}/decision -------------------------------------------------------- */

void sl__route_appeal_decision(sl__rq *r, const char *rest)
{
    sl__worker *w = r->w;
    int64_t id = 0;
    const char *p = rest;
    for (; *p >= '0' && *p <= '9' && p - rest < 18; p++) id = id * 10 + (*p - '0');
    if (p == rest || strcmp(p, "/decision")) {
        sl__reply_error(r, 404, "not_found", "no such appeal", SL_NO_POS, -1, 0);
        return;
    }
    sl__wf_field f[2] = {
        {.key = "outcome", .type = SL__WF_STR, .max = 16, .required = true},
        {.key = "reason", .type = SL__WF_STR, .max = SL_STORE_MAX_NOTE, .required = true},
    };
    sl_error err = {0};
    sl_store_appeal_outcome outcome;
    if (sl__wf_body(r->body, r->body_len, f, 2, &err)) {
        reply_bad(r, &err);
    } else if (!sl_store_appeal_outcome_parse(f[0].str.data, f[0].str.len, &outcome)) {
        sl__reply_error(r, 400, "bad_request", "\"outcome\" must be uphold or overturn", f[0].at,
                        -1, 0);
    } else {
        sl_store_appeal_decision_out out;
        sl_store_refusal why = SL_REFUSE_NONE;
        sl_status st = sl_store_appeal_decide(w->store, r->org, r->tok.id, id, outcome,
                                              f[1].str.data, f[1].str.len, &out, &why, &err);
        if (st == SL_ERR_CONFLICT) {
            reply_refusal(r, why, &err);
        } else if (st) {
            reply_store(r, st, &err, "appeal");
        } else {
            sl_buf *b = &w->out;
            sl_buf_clear(b);
            st = sl_buf_printf(
                b, "{\"appeal\":%" PRId64 ",\"outcome\":\"%s\",\"before\":\"%s\",\"after\":\"%s\"",
                id, sl_store_appeal_outcome_name(outcome), sl_item_state_name(out.before),
                sl_item_state_name(out.after));
            if (!st) st = put_notice_ref(b, &out.notice);
            if (!st) st = sl_buf_puts(b, "}");
            if (st)
                reply_oom(r);
            else
                sl__reply(r, 200, b->data, b->len);
            sl__hooks_wake(r->w->srv->hooks); /* new audit entries for the webhooks */
        }
    }
    sl__wf_free(f, 2);
}

/* ---- queues -------------------------------------------------------------------------------- */

static const char *const queues[] = {SL_QUEUE_PENDING, SL_QUEUE_REPORTED, SL_QUEUE_APPEALS};

static sl_status put_seconds(sl_buf *b, const char *key, int64_t ms, bool present)
{
    return present ? sl_buf_printf(b, ",\"%s\":%.3f", key, (double)ms / 1000.0)
                   : sl_buf_printf(b, ",\"%s\":null", key);
}

void sl__route_queues(sl__rq *r)
{
    sl__worker *w = r->w;
    sl_buf *b = &w->out;
    sl_buf_clear(b);
    sl_error err = {0};
    int64_t now = sl_store_now(w->store);
    sl_status st = sl_buf_printf(b, "{\"window_days\":%d,\"queues\":[", QUEUE_TIMES_DAYS);
    for (size_t k = 0; k < 3 && !st; k++) {
        sl_queue_stats qs;
        sl_queue_times qt;
        sl_status s2 = sl_store_queue_stats(w->store, r->org, queues[k], &qs, &err);
        if (!s2)
            s2 = sl_store_queue_times(w->store, r->org, queues[k],
                                      (int64_t)QUEUE_TIMES_DAYS * 86400 * 1000, &qt, &err);
        if (s2) {
            reply_store(r, s2, &err, "queue");
            return;
        }
        st = sl_buf_printf(b, "%s{\"queue\":\"%s\",\"open\":%" PRId64 ",\"leased\":%" PRId64,
                           k ? "," : "", queues[k], qs.open, qs.leased);
        if (!st)
            st = qs.open ? sl_buf_printf(b, ",\"oldest_age_seconds\":%" PRId64,
                                         (now - qs.oldest_opened_at) / 1000)
                         : sl_buf_puts(b, ",\"oldest_age_seconds\":null");
        if (!st) st = sl_buf_printf(b, ",\"time_to_decision\":{\"closed\":%" PRId64, qt.closed);
        if (!st) st = put_seconds(b, "p50_seconds", qt.p50_ms, qt.closed > 0);
        if (!st) st = put_seconds(b, "p90_seconds", qt.p90_ms, qt.closed > 0);
        if (!st) st = sl_buf_puts(b, "}}");
    }
    if (!st) st = sl_buf_puts(b, "]}");
    if (st)
        reply_oom(r);
    else
        sl__reply(r, 200, b->data, b->len);
}

/* Which queue a path names ("reported" or "appeals", then tail), or NULL. */
static const char *queue_of(const char *rest, const char *tail)
{
    for (size_t k = 1; k < 3; k++) {
        size_t n = strlen(queues[k]);
        if (!strncmp(rest, queues[k], n) && !strcmp(rest + n, tail)) return queues[k];
    }
    return NULL;
}

static bool role_in(sl__rq *r, unsigned roles)
{
    if (roles & (1u << r->tok.role)) return true;
    char msg[120];
    snprintf(msg, sizeof msg, "the %s role may not use this queue", sl_role_name(r->tok.role));
    sl__reply_error(r, 403, "forbidden", msg, SL_NO_POS, -1, 0);
    return false;
}

#define ROLE(x) (1u << (x))

static sl_status put_entry(sl__rq *r, sl_buf *b, const char *queue, const sl_queue_entry *q,
                           bool comma)
{
    sl_status st =
        sl_buf_printf(b, "%s{\"case\":%" PRId64 ",\"id\":", comma ? "," : "", q->case_id);
    if (!st) st = sl__json_text(b, q->id, strlen(q->id));
    if (!st) st = put_str(b, "channel", q->channel);
    if (!st)
        st = sl_buf_printf(b,
                           ",\"state\":\"%s\",\"severity\":%.6f,\"opened_at\":%" PRId64
                           ",\"lease_until\":%" PRId64 ",\"leased_by\":%" PRId64,
                           sl_item_state_name(q->state), q->severity, q->opened_at, q->lease_until,
                           q->leased_by);
    sl_error err = {0};
    if (!st && !strcmp(queue, SL_QUEUE_REPORTED)) {
        sl_store_case_reports cr;
        st = sl_store_case_reports_get(r->w->store, r->org, q->case_id, &cr, &err);
        if (!st) st = sl_buf_printf(b, ",\"reports\":%" PRId64 ",\"reasons\":{", cr.reports);
        for (size_t k = 0; k < cr.nreasons && !st; k++) {
            st = sl_buf_puts(b, k ? "," : "");
            if (!st) st = sl__json_text(b, cr.reasons[k].reason, strlen(cr.reasons[k].reason));
            if (!st) st = sl_buf_printf(b, ":%" PRId64, cr.reasons[k].count);
        }
        if (!st) st = sl_buf_puts(b, "}");
    } else if (!st && !strcmp(queue, SL_QUEUE_APPEALS)) {
        sl_store_appeal_info *a = malloc(sizeof *a);
        if (!a) return SL_ERR_NOMEM;
        st = sl_store_appeal_get(r->w->store, r->org, 0, q->case_id, a, &err);
        if (!st) st = sl_buf_printf(b, ",\"appeal\":%" PRId64 ",\"decision\":", a->id);
        if (!st && a->decision) {
            st = sl_buf_printf(b, "{\"id\":%" PRId64 ",\"outcome\":\"%s\"", a->decision,
                               a->decision_outcome);
            if (!st) st = put_str(b, "rule", a->decision_rule);
            if (!st) st = put_str(b, "decided_by_name", a->decided_by_name);
            if (!st) st = sl_buf_puts(b, "}");
        } else if (!st) {
            st = sl_buf_puts(b, "null"); /* an appeal of an automated hide */
        }
        if (!st) st = sl_buf_printf(b, ",\"by\":\"%s\"", a->report ? "reporter" : "author");
        /* the appeal's words: for the people who judge it */
        if (!st && (r->tok.role == SL_ROLE_APPEALS || r->tok.role == SL_ROLE_REVIEWER))
            st = put_str(b, "text", a->text);
        free(a);
    }
    return st ? st : sl_buf_puts(b, "}");
}

void sl__route_wqueue(sl__rq *r, const char *rest, const char *query)
{
    sl__worker *w = r->w;
    const char *queue = queue_of(rest, "");
    if (!queue) {
        sl__reply_error(r, 404, "not_found", "no such queue", SL_NO_POS, -1, 0);
        return;
    }
    unsigned roles = ROLE(SL_ROLE_REVIEWER) | ROLE(SL_ROLE_ADMIN) | ROLE(SL_ROLE_AUDITOR) |
                     (!strcmp(queue, SL_QUEUE_APPEALS) ? ROLE(SL_ROLE_APPEALS) : 0);
    if (!role_in(r, roles)) return;
    sl__queue_query q;
    sl_error err = {0};
    if (sl__req_queue_query(query, query ? strlen(query) : 0, &q, &err)) {
        reply_bad(r, &err);
        return;
    }
    sl_queue_page page = {0};
    sl_status st =
        sl_store_queue_list(w->store, r->org, queue, q.limit, q.cursor, q.cursor_len, &page, &err);
    if (st) {
        if (st == SL_ERR_CURSOR || st == SL_ERR_ARG)
            reply_bad(r, &err);
        else
            reply_store(r, st, &err, "queue");
        return;
    }
    sl_buf *b = &w->out;
    sl_buf_clear(b);
    st = sl_buf_puts(b, "{\"items\":[");
    for (size_t i = 0; i < page.n && !st; i++) st = put_entry(r, b, queue, &page.entries[i], i > 0);
    if (!st)
        st = page.next_cursor[0] ? sl_buf_printf(b, "],\"next_cursor\":\"%s\"}", page.next_cursor)
                                 : sl_buf_puts(b, "],\"next_cursor\":null}");
    sl_queue_page_free(&page);
    if (st)
        reply_oom(r);
    else
        sl__reply(r, 200, b->data, b->len);
}

void sl__route_wclaim(sl__rq *r, const char *rest)
{
    sl__worker *w = r->w;
    const char *queue = queue_of(rest, "/claim");
    if (!queue) {
        sl__reply_error(r, 404, "not_found", "no such queue", SL_NO_POS, -1, 0);
        return;
    }
    /* reviewers take reports, the appeals people take appeals */
    if (!role_in(r, ROLE(!strcmp(queue, SL_QUEUE_APPEALS) ? SL_ROLE_APPEALS : SL_ROLE_REVIEWER)))
        return;
    uint64_t n, lease;
    sl_error err = {0};
    if (sl__req_claim(r->body, r->body_len, &n, &lease, &err)) {
        reply_bad(r, &err);
        return;
    }
    sl_queue_entry *out = calloc((size_t)n, sizeof *out);
    if (!out) {
        reply_oom(r);
        return;
    }
    size_t got = 0;
    sl_status st = sl_store_queue_claim(w->store, r->org, queue, r->tok.id, (size_t)n,
                                        (int64_t)lease, out, &got, &err);
    if (st) {
        free(out);
        reply_store(r, st, &err, "queue");
        return;
    }
    sl_buf *b = &w->out;
    sl_buf_clear(b);
    st = sl_buf_printf(b, "{\"lease_seconds\":%llu,\"claimed\":[", (unsigned long long)lease);
    for (size_t i = 0; i < got && !st; i++) st = put_entry(r, b, queue, &out[i], i > 0);
    if (!st) st = sl_buf_puts(b, "]}");
    free(out);
    if (st)
        reply_oom(r);
    else
        sl__reply(r, 200, b->data, b->len);
}
