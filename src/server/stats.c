/* server/stats.c — GET /v1/stats (see stats.h): the query, and the reply from the store's
 * counts and the queues' sizes now. */
#include "server/stats.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "server/internal.h"
#include "server/json.h"
#include "server/request.h"
#include "server/rescreen_request.h"

#define HOUR_MS    3600000LL
#define DAY_MS     (24 * HOUR_MS)
#define WEEK_MS    (7 * DAY_MS)
#define MONDAY0_MS (4 * DAY_MS) /* 1970-01-05, the first Monday after the epoch (a Thursday) */
#define MAX_VALUE  64

static const char *const bucket_names[] = {"hour", "day", "week"};
static const int64_t widths[] = {HOUR_MS, DAY_MS, WEEK_MS};
static const int64_t default_span[] = {48 * HOUR_MS, 30 * DAY_MS, 26 * WEEK_MS};

/* A time: digits only are ms since the epoch, anything else an ISO-8601 time. */
static bool parse_time(const char *s, size_t len, int64_t *ms)
{
    if (!len) return false;
    if (!memchr(s, '-', len)) {
        uint64_t v = 0;
        for (size_t i = 0; i < len; i++) {
            if (s[i] < '0' || s[i] > '9' || v > (uint64_t)INT64_MAX / 20) return false;
            v = v * 10 + (uint64_t)(s[i] - '0');
        }
        *ms = (int64_t)v;
        return true;
    }
    return sl__iso8601_ms(s, len, ms);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

sl_status sl__req_stats_query(const char *q, size_t len, int64_t now_ms, sl__stats_query *out,
                              sl_error *err)
{
    static const char *const names[] = {"bucket", "since", "until"};
    *out = (sl__stats_query){.bucket = SL_STATS_DAY};
    bool seen[3] = {false, false, false};
    int64_t t[3] = {0, 0, 0};
    sl_buf v = {0};
    sl_status st = SL_OK;
    for (size_t p = 0; q && p < len && !st;) {
        const char *amp = memchr(q + p, '&', len - p);
        size_t end = amp ? (size_t)(amp - q) : len;
        const char *key = q + p, *eq = memchr(key, '=', end - p);
        size_t klen = eq ? (size_t)(eq - key) : end - p, vat = eq ? (size_t)(eq - q) + 1 : end;
        int k = 0;
        while (k < 3 && !(strlen(names[k]) == klen && !memcmp(names[k], key, klen))) k++;
        if (k == 3) {
            st = sl_error_set(err, SL_ERR_ARG, p, "unknown query parameter '%.*s'",
                              (int)(klen < 32 ? klen : 32), key);
            break;
        }
        if (seen[k]) {
            st = sl_error_set(err, SL_ERR_ARG, p, "%s: given twice", names[k]);
            break;
        }
        seen[k] = true;
        sl_status d =
            end > vat ? sl__req_path_segment(q + vat, end - vat, MAX_VALUE, &v) : SL_ERR_ARG;
        if (d == SL_ERR_NOMEM) {
            st = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        } else if (k == 0) {
            int b = 0;
            while (!d && b < 3 && strcmp(v.data, bucket_names[b])) b++;
            if (d || b == 3)
                st = sl_error_set(err, SL_ERR_ARG, vat, "bucket: must be hour, day or week");
            else
                out->bucket = (sl__stats_bucket)b;
        } else if (d || !parse_time(v.data, v.len, &t[k])) {
            st = sl_error_set(err, SL_ERR_ARG, vat,
                              "%s: an ISO-8601 time (2026-11-30T08:00:00Z) or milliseconds since "
                              "the epoch is expected",
                              names[k]);
        }
        p = end + 1;
    }
    sl_buf_free(&v);
    if (st) return st;
    int64_t w = widths[out->bucket];
    out->width_ms = w;
    out->until = seen[2] ? t[2] : now_ms;
    int64_t since = seen[1] ? t[1] : out->until - default_span[out->bucket];
    if (since < 0) since = 0;
    if (out->until <= since)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "until: must be after since");
    /* back to the start of its bucket: weeks from a Monday, the others from the epoch */
    int64_t origin = out->bucket == SL_STATS_WEEK ? MONDAY0_MS : 0;
    out->since = floor_div(since - origin, w) * w + origin;
    if (out->since < 0) out->since += w; /* the first Monday: nothing is counted before it */
    if (out->until <= out->since)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "until: must be after since");
    int64_t n = (out->until - out->since + w - 1) / w;
    if (n > SL_STATS_MAX_BUCKETS)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS,
                            "since: the window holds %" PRId64 " buckets of one %s; at most %d", n,
                            bucket_names[out->bucket], SL_STATS_MAX_BUCKETS);
    return SL_OK;
}

/* ---- the reply ---------------------------------------------------------------------------- */

static sl_status put_counts(sl_buf *b, const int64_t *c, size_t n)
{
    sl_status st = sl_buf_puts(b, "[");
    for (size_t k = 0; k < n && !st; k++) st = sl_buf_printf(b, "%s%" PRId64, k ? "," : "", c[k]);
    return st ? st : sl_buf_puts(b, "]");
}

static sl_status put_seconds(sl_buf *b, const char *key, int64_t ms, bool present)
{
    return present ? sl_buf_printf(b, ",\"%s\":%.3f", key, (double)ms / 1000.0)
                   : sl_buf_printf(b, ",\"%s\":null", key);
}

static sl_status put_stats(sl__rq *r, const sl__stats_query *q, const sl_stats *s, sl_buf *b,
                           sl_error *err)
{
    int64_t total = 0;
    for (int a = 0; a < 4; a++)
        for (size_t k = 0; k < s->nbuckets; k++) total += s->by_action[a][k];
    sl_status st = sl_buf_printf(
        b, "{\"bucket\":\"%s\",\"since\":%" PRId64 ",\"until\":%" PRId64 ",\"buckets\":[",
        bucket_names[q->bucket], q->since, q->until);
    for (size_t k = 0; k < s->nbuckets && !st; k++)
        st = sl_buf_printf(b, "%s%" PRId64, k ? "," : "", q->since + (int64_t)k * q->width_ms);
    if (!st) st = sl_buf_printf(b, "],\"items\":{\"total\":%" PRId64 ",\"by_action\":{", total);
    for (int a = 0; a < 4 && !st; a++) {
        st = sl_buf_printf(b, "%s\"%s\":", a ? "," : "", sl_action_name((sl_action)a));
        if (!st) st = put_counts(b, s->by_action[a], s->nbuckets);
    }
    if (!st) st = sl_buf_puts(b, "},\"by_category\":{");
    for (size_t c = 0; c < s->ncategories && !st; c++) {
        if (c) st = sl_buf_puts(b, ",");
        if (!st) st = sl__json_text(b, s->categories[c].name, strlen(s->categories[c].name));
        if (!st) st = sl_buf_puts(b, ":");
        if (!st) st = put_counts(b, s->categories[c].counts, s->nbuckets);
    }
    if (!st) st = sl_buf_puts(b, "}},\"queues\":[");
    int64_t now = sl_store_now(r->w->store);
    for (int k = 0; k < SL_STATS_NQUEUES && !st; k++) {
        const sl_stats_times *t = &s->times[k];
        sl_queue_stats qs;
        if ((st = sl_store_queue_stats(r->w->store, r->org, t->queue, &qs, err))) return st;
        st = sl_buf_printf(b, "%s{\"queue\":\"%s\",\"open\":%" PRId64 ",\"leased\":%" PRId64,
                           k ? "," : "", t->queue, qs.open, qs.leased);
        if (!st)
            st = qs.open ? sl_buf_printf(b, ",\"oldest_age_seconds\":%" PRId64,
                                         (now - qs.oldest_opened_at) / 1000)
                         : sl_buf_puts(b, ",\"oldest_age_seconds\":null");
        if (!st) st = sl_buf_printf(b, ",\"time_to_decision\":{\"closed\":%" PRId64, t->closed);
        if (!st) st = put_seconds(b, "p50_seconds", t->p50_ms, t->closed > 0);
        if (!st) st = put_seconds(b, "p90_seconds", t->p90_ms, t->closed > 0);
        if (!st) st = put_seconds(b, "p99_seconds", t->p99_ms, t->closed > 0);
        if (!st) st = sl_buf_puts(b, "}}");
    }
    if (!st)
        st = sl_buf_printf(b,
                           "],\"appeals\":{\"upheld\":%" PRId64 ",\"overturned\":%" PRId64
                           ",\"open\":%" PRId64 "},\"top_rules\":[",
                           s->appeals_upheld, s->appeals_overturned, s->appeals_open);
    for (size_t k = 0; k < s->nrules && !st; k++) {
        st = sl_buf_puts(b, k ? ",{\"rule\":" : "{\"rule\":");
        if (!st) st = sl__json_text(b, s->top_rules[k].rule, strlen(s->top_rules[k].rule));
        if (!st) st = sl_buf_printf(b, ",\"items\":%" PRId64 "}", s->top_rules[k].items);
    }
    if (!st) st = sl_buf_puts(b, "]}");
    if (st == SL_ERR_NOMEM) sl_error_set(err, st, SL_NO_POS, "out of memory");
    return st;
}

void sl__route_stats(sl__rq *r, const char *query)
{
    sl__worker *w = r->w;
    sl_error err = {0};
    sl__stats_query q;
    if (sl__req_stats_query(query, query ? strlen(query) : 0, sl_store_now(w->store), &q, &err)) {
        sl__reply_error(r, 400, "bad_request", err.message, err.byte, -1, 0);
        return;
    }
    sl_stats s;
    sl_status st = sl_store_stats(w->store, r->org, q.since, q.until, q.width_ms, &s, &err);
    if (!st) {
        sl_buf_clear(&w->out);
        st = put_stats(r, &q, &s, &w->out, &err);
        sl_stats_free(&s);
    }
    if (st)
        sl__reply_error(r, st == SL_ERR_BUSY ? 503 : 500, sl_status_name(st), err.message,
                        SL_NO_POS, -1, 0);
    else
        sl__reply(r, 200, w->out.data, w->out.len);
}
