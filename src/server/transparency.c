/* server/transparency.c — GET /v1/transparency/statements (see transparency.h): the query,
 * one listed restriction to a statement, and the route (JSON, or NDJSON on request). */
#include "server/transparency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>

#include "server/dsa.h"
#include "server/internal.h"
#include "server/json.h"
#include "server/request.h"
#include "server/rescreen_request.h"

#define MIN_CONTENT_MS 946684800000LL /* 2000-01-01, the schema's first content date */
#define MAX_SINCE_LEN  64

/* ---- the query ---------------------------------------------------------------------------- */

static sl_status bad(sl_error *err, size_t at, const char *what)
{
    return sl_error_set(err, SL_ERR_ARG, at, "%s (byte %zu)", what, at);
}

/* A time: digits only are ms since the epoch, anything else an ISO-8601 time. */
static bool parse_time(const char *s, size_t len, int64_t *ms)
{
    size_t i = 0;
    uint64_t v = 0;
    sl_error e;
    if (len && s[0] >= '0' && s[0] <= '9' && !memchr(s, '-', len)) {
        if (sl__json_uint(s, len, &i, INT64_MAX / 2, &v, &e) || i != len) return false;
        *ms = (int64_t)v;
        return true;
    }
    return sl__iso8601_ms(s, len, ms);
}

sl_status sl__req_statements_query(const char *q, size_t len, sl__statements_query *out,
                                   sl_error *err)
{
    *out = (sl__statements_query){.limit = SL_STATEMENTS_DEFAULT_LIMIT};
    bool seen[3] = {false, false, false};
    sl_buf v = {0};
    sl_status st = SL_OK;
    for (size_t p = 0; q && p < len && !st;) {
        const char *amp = memchr(q + p, '&', len - p);
        size_t end = amp ? (size_t)(amp - q) : len;
        if (end == p) { /* an empty pair ("a=1&&b=2") */
            p = end + 1;
            continue;
        }
        const char *key = q + p, *eq = memchr(key, '=', end - p);
        size_t klen = eq ? (size_t)(eq - key) : end - p, vat = eq ? (size_t)(eq - q) + 1 : end;
        int k = klen == 5 && !memcmp(key, "since", 5)    ? 0
                : klen == 6 && !memcmp(key, "cursor", 6) ? 1
                : klen == 5 && !memcmp(key, "limit", 5)  ? 2
                                                         : -1;
        if (k < 0 || seen[k]) {
            st = bad(err, p, "unknown or repeated query parameter");
            break;
        }
        seen[k] = true;
        size_t max = k == 0 ? MAX_SINCE_LEN : k == 1 ? SL_STORE_CURSOR_LEN : 8;
        sl_status d = end > vat ? sl__req_path_segment(q + vat, end - vat, max, &v) : SL_ERR_ARG;
        if (d == SL_ERR_NOMEM) {
            st = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        } else if (k == 0) {
            if (d || !parse_time(v.data, v.len, &out->since))
                st = bad(err, vat,
                         "since must be an ISO-8601 time (2026-11-30T08:00:00Z) or milliseconds "
                         "since the epoch");
        } else if (k == 1) {
            if (d) st = sl_error_set(err, SL_ERR_CURSOR, vat, "bad cursor (byte %zu)", vat);
            if (!d) {
                memcpy(out->cursor, v.data, v.len);
                out->cursor[v.len] = '\0';
                out->cursor_len = v.len;
            }
        } else {
            size_t i = 0;
            uint64_t n = 0;
            sl_error e2;
            if (d || sl__json_uint(v.data, v.len, &i, SL_STORE_MAX_PAGE, &n, &e2) || i != v.len ||
                n == 0)
                st = bad(err, vat, "limit must be 1 to 1000");
            else
                out->limit = n;
        }
        p = end + 1;
    }
    sl_buf_free(&v);
    return st;
}

/* ---- one statement ------------------------------------------------------------------------ */

sl_status sl__transparency_statement(const char *org, const sl_store_statement *row, sl_buf *out,
                                     sl_error *err)
{
    if (!row) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no statement");
    bool hide = row->source == SL_STATEMENT_AUTOMATED_HIDE;
    int64_t content = 0;
    const char *c = row->created_at ? row->created_at : "";
    if (!*c || !parse_time(c, strlen(c), &content) || content < MIN_CONTENT_MS ||
        content > row->applied_at)
        content = row->received_at;
    sl__dsa_facts f = {
        .kind = hide ? SL_DSA_AUTO_HIDE : SL_DSA_REMOVAL,
        .org = org,
        .item = row->item,
        .decision = row->source == SL_STATEMENT_DECISION ? row->id
                    : hide                               ? 0
                                                         : -row->id,
        .rule_id = row->rule && *row->rule ? row->rule : "unspecified",
        .clause = row->clause && *row->clause
                      ? row->clause
                      : "The organization's posting rules (the rule cites no clause).",
        .category = row->category && *row->category ? row->category : "other",
        .verdict_json = row->verdict_json,
        .verdict_len = row->verdict_len,
        .policy_version =
            row->policy_version && *row->policy_version ? row->policy_version : "unknown",
        .reported = row->reported,
        .automated_detection = row->automated_detection,
        .automated_decision = row->automated_decision ? SL_DSA_FULLY : SL_DSA_NOT_AUTOMATED,
        .content_at = content,
        .applied_at = row->applied_at,
        .ended_at = row->ended_at,
    };
    return sl__dsa_statement(&f, out, err);
}

/* ---- the route ---------------------------------------------------------------------------- */

static bool wants_ndjson(sl__rq *r)
{
    const char *a = evhttp_find_header(evhttp_request_get_input_headers(r->req), "Accept");
    return a && strstr(a, "application/x-ndjson");
}

void sl__route_statements(sl__rq *r, const char *query)
{
    sl__worker *w = r->w;
    sl_error err = {0};
    sl__statements_query q;
    sl_status st = sl__req_statements_query(query, query ? strlen(query) : 0, &q, &err);
    if (st) {
        sl__reply_error(r, st == SL_ERR_NOMEM ? 500 : 400,
                        st == SL_ERR_NOMEM    ? "internal"
                        : st == SL_ERR_CURSOR ? "bad_cursor"
                                              : "bad_request",
                        err.message, err.byte, -1, 0);
        return;
    }
    sl_statement_page page;
    st = sl_store_statements(w->store, r->org, q.since, (size_t)q.limit, q.cursor, q.cursor_len,
                             &page, &err);
    if (st) {
        int status = st == SL_ERR_CURSOR      ? 400
                     : st == SL_ERR_NOT_FOUND ? 404
                     : st == SL_ERR_BUSY      ? 503
                                              : 500;
        sl__reply_error(r, status, st == SL_ERR_CURSOR ? "bad_cursor" : sl_status_name(st),
                        err.message, err.byte, -1, 0);
        return;
    }
    bool nd = wants_ndjson(r);
    sl_buf *b = &w->out;
    sl_buf_clear(b);
    st = nd ? SL_OK : sl_buf_puts(b, "{\"statements\":[");
    for (size_t k = 0; k < page.n && !st; k++) {
        if (k && !nd) st = sl_buf_puts(b, ",");
        size_t mark = b->len;
        if (!st) st = sl__transparency_statement(r->org, &page.rows[k], b, &err);
        /* never export a statement the database would refuse */
        if (!st && (st = sl__dsa_check(b->data + mark, b->len - mark, &err)) != SL_OK)
            st = SL_ERR_INTERNAL;
        if (!st && nd) st = sl_buf_puts(b, "\n");
        if (st && st != SL_ERR_NOMEM) {
            char msg[400];
            snprintf(msg, sizeof msg, "statement %zu of the page: %s", k, err.message);
            sl_statement_page_free(&page);
            sl__reply_error(r, 500, "internal", msg, SL_NO_POS, -1, 0);
            return;
        }
    }
    if (!st && !nd)
        st = page.next_cursor[0] ? sl_buf_printf(b, "],\"next_cursor\":\"%s\"}", page.next_cursor)
                                 : sl_buf_puts(b, "],\"next_cursor\":null}");
    if (!st && nd && page.next_cursor[0])
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "X-Next-Cursor",
                          page.next_cursor);
    sl_statement_page_free(&page);
    if (st) {
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
        return;
    }
    if (nd)
        sl__reply_as(r, 200, "application/x-ndjson", b->data ? b->data : "", b->len);
    else
        sl__reply(r, 200, b->data, b->len);
}
