/* server/rescreen_request.c — see rescreen_request.h. */
#include "server/rescreen_request.h"

#include <string.h>

#include "sangloc/buf.h"
#include "server/json.h"

/* n digits at s[*i] as a number; false when one is not a digit. */
static bool digits(const char *s, size_t len, size_t *i, int n, int *out)
{
    if (len - *i < (size_t)n) return false;
    int v = 0;
    for (int k = 0; k < n; k++) {
        char c = s[*i + (size_t)k];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    *i += (size_t)n;
    *out = v;
    return true;
}

static bool lit(const char *s, size_t len, size_t *i, char c)
{
    if (*i >= len || s[*i] != c) return false;
    (*i)++;
    return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = y / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

bool sl__iso8601_ms(const char *s, size_t len, int64_t *ms)
{
    size_t i = 0;
    int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0;
    if (!digits(s, len, &i, 4, &y) || !lit(s, len, &i, '-') || !digits(s, len, &i, 2, &mo) ||
        !lit(s, len, &i, '-') || !digits(s, len, &i, 2, &d))
        return false;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo)) return false;
    int64_t offset_min = 0;
    if (i < len) {
        if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return false;
        i++;
        if (!digits(s, len, &i, 2, &h) || !lit(s, len, &i, ':') || !digits(s, len, &i, 2, &mi))
            return false;
        if (i < len && s[i] == ':') {
            i++;
            if (!digits(s, len, &i, 2, &sec)) return false;
            if (i < len && (s[i] == '.' || s[i] == ',')) {
                i++;
                int scale = 100, n = 0;
                while (i < len && s[i] >= '0' && s[i] <= '9') {
                    frac += (s[i] - '0') * scale;
                    scale /= 10;
                    i++;
                    n++;
                }
                if (n == 0 || n > 9) return false;
            }
        }
        if (h > 23 || mi > 59 || sec > 60) return false; /* 60: a leap second */
        if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
            i++;
        } else if (i < len && (s[i] == '+' || s[i] == '-')) {
            int sign = s[i] == '-' ? -1 : 1, oh, om;
            i++;
            if (!digits(s, len, &i, 2, &oh)) return false;
            lit(s, len, &i, ':');
            if (!digits(s, len, &i, 2, &om) || oh > 23 || om > 59) return false;
            offset_min = sign * (oh * 60 + om);
        }
        if (i != len) return false;
    }
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    if (t < 0) return false;
    *ms = t * 1000 + frac;
    return true;
}

typedef struct rq_ctx {
    sl__rescreen_query *q;
    sl_buf str;
} rq_ctx;

static sl_status bad(sl_error *err, size_t at, const char *what)
{
    return sl_error_set(err, SL_ERR_JSON, at, "%s (byte %zu)", what, at);
}

static sl_status member(void *ctx, const char *key, size_t key_len, const char *s, size_t len,
                        size_t *i, sl_error *err)
{
    rq_ctx *c = ctx;
    size_t at = *i;
    if (key_len == 5 && !memcmp(key, "since", 5)) {
        if (at < len && s[at] == '"') {
            c->str.max = 64;
            sl_status st = sl__json_string(s, len, i, &c->str, err);
            if (st == SL_ERR_TOO_LARGE) return bad(err, at, "\"since\" is not an ISO-8601 time");
            if (st) return st;
            if (!sl__iso8601_ms(c->str.data, c->str.len, &c->q->since))
                return bad(err, at, "\"since\" is not an ISO-8601 time");
            return SL_OK;
        }
        uint64_t v;
        sl_status st = sl__json_uint(s, len, i, (uint64_t)INT64_MAX / 2, &v, err);
        if (st) return bad(err, at, "\"since\" must be an ISO-8601 string or milliseconds");
        c->q->since = (int64_t)v;
        return SL_OK;
    }
    if (key_len == 5 && !memcmp(key, "apply", 5)) {
        if (len - at >= 4 && !memcmp(s + at, "true", 4)) {
            c->q->apply = true;
            *i += 4;
        } else if (len - at >= 5 && !memcmp(s + at, "false", 5)) {
            c->q->apply = false;
            *i += 5;
        } else {
            return bad(err, at, "\"apply\" must be true or false");
        }
        return SL_OK;
    }
    if (key_len == 6 && !memcmp(key, "cursor", 6)) {
        if (at < len && s[at] == 'n' && len - at >= 4 && !memcmp(s + at, "null", 4)) {
            *i += 4;
            return SL_OK;
        }
        c->str.max = 20;
        sl_status st =
            at < len && s[at] == '"' ? sl__json_string(s, len, i, &c->str, err) : SL_ERR_JSON;
        int64_t v = 0;
        for (size_t k = 0; !st && k < c->str.len; k++) {
            char d = c->str.data[k];
            if (d < '0' || d > '9' || v > (INT64_MAX - 9) / 10) {
                st = SL_ERR_JSON; /* before the digit is added: v * 10 would overflow */
                break;
            }
            v = v * 10 + (d - '0');
        }
        if (st || c->str.len == 0) return bad(err, at, "\"cursor\" is not a cursor of this route");
        c->q->after = v;
        return SL_OK;
    }
    if (key_len == 5 && !memcmp(key, "limit", 5)) {
        sl_status st = sl__json_uint(s, len, i, SL_RESCREEN_MAX_ITEMS, &c->q->limit, err);
        if (st || c->q->limit == 0) return bad(err, at, "\"limit\" must be 1 to 100000");
        return SL_OK;
    }
    return sl_error_set(err, SL_ERR_JSON, at, "unknown key \"%.40s\" (byte %zu)", key, at);
}

sl_status sl__req_rescreen(const char *body, size_t len, int64_t now_ms, sl__rescreen_query *out,
                           sl_error *err)
{
    *out = (sl__rescreen_query){.since = now_ms - SL_RESCREEN_DEFAULT_WINDOW,
                                .limit = SL_RESCREEN_MAX_ITEMS};
    size_t i = 0;
    sl__json_ws(body, len, &i);
    if (i >= len) return SL_OK; /* no body: the defaults */
    rq_ctx c = {.q = out};
    sl_status st = sl__json_object(body, len, &i, 8, member, &c, err);
    if (!st) st = sl__json_end(body, len, i, err);
    sl_buf_free(&c.str);
    return st;
}
