/* server/verdict_hits.c — reads the hits of a stored verdict (see verdict_hits.h). */
#include "server/verdict_hits.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sangloc/buf.h"
#include "server/json.h"

typedef struct hit_ctx {
    sl__vhit *hit;
    sl_buf tmp;
    unsigned seen; /* bit 0 rule, 1 category, 2 start, 3 end */
} hit_ctx;

static bool key_is(const char *key, size_t key_len, const char *name)
{
    return key_len == strlen(name) && !memcmp(key, name, key_len);
}

static sl_status read_name(hit_ctx *c, const char *s, size_t len, size_t *i, char *dst,
                           sl_error *err)
{
    size_t at = *i;
    sl_status st = sl__json_string(s, len, i, &c->tmp, err);
    if (st == SL_ERR_TOO_LARGE)
        return sl_error_set(err, st, at, "hit name above %d bytes at byte %zu", SL__VHIT_NAME_MAX,
                            at);
    if (st) return st;
    memcpy(dst, c->tmp.data, c->tmp.len + 1);
    return SL_OK;
}

static sl_status hit_member(void *ctx, const char *key, size_t key_len, const char *s, size_t len,
                            size_t *i, sl_error *err)
{
    hit_ctx *c = ctx;
    uint64_t v = 0;
    sl_status st;
    if (key_is(key, key_len, "rule")) {
        c->seen |= 1;
        return read_name(c, s, len, i, c->hit->rule, err);
    }
    if (key_is(key, key_len, "category")) {
        c->seen |= 2;
        return read_name(c, s, len, i, c->hit->category, err);
    }
    if (key_is(key, key_len, "start") || key_is(key, key_len, "end")) {
        bool start = key_len == 5;
        if ((st = sl__json_uint(s, len, i, SIZE_MAX, &v, err))) return st;
        if (start)
            c->hit->start = (size_t)v;
        else
            c->hit->end = (size_t)v;
        c->seen |= start ? 4u : 8u;
        return SL_OK;
    }
    return sl__json_skip(s, len, i, err);
}

static sl_status read_hit(const char *s, size_t len, size_t *i, sl__vhit *hit, sl_error *err)
{
    size_t at = *i;
    memset(hit, 0, sizeof *hit);
    hit_ctx c = {.hit = hit, .tmp = {.max = SL__VHIT_NAME_MAX + 1}};
    sl_status st = sl__json_object(s, len, i, 64, hit_member, &c, err);
    sl_buf_free(&c.tmp);
    if (st) return st;
    if (c.seen != 15)
        return sl_error_set(err, SL_ERR_MISSING_FIELD, at,
                            "hit at byte %zu lacks rule, category, start or end", at);
    if (hit->end < hit->start)
        return sl_error_set(err, SL_ERR_JSON, at, "hit at byte %zu ends before it starts", at);
    return SL_OK;
}

/* The hits array at s[*i]: one object per hit. */
static sl_status read_hits(const char *s, size_t len, size_t *i, sl__vhits *out, sl_error *err)
{
    size_t p = *i;
    if (p >= len || s[p] != '[')
        return sl_error_set(err, SL_ERR_JSON, p, "\"hits\" is not an array (byte %zu)", p);
    p++;
    sl__json_ws(s, len, &p);
    if (p < len && s[p] == ']') {
        *i = p + 1;
        return SL_OK;
    }
    for (size_t cap = out->n;;) {
        if (out->n == SL__VHITS_MAX)
            return sl_error_set(err, SL_ERR_TOO_LARGE, p, "more than %d hits", SL__VHITS_MAX);
        if (out->n == cap) {
            cap = cap ? cap * 2 : 8;
            sl__vhit *v = realloc(out->v, cap * sizeof *v);
            if (!v) return sl_error_set(err, SL_ERR_NOMEM, p, "out of memory");
            out->v = v;
        }
        sl_status st = read_hit(s, len, &p, &out->v[out->n], err);
        if (st) return st;
        out->n++;
        sl__json_ws(s, len, &p);
        if (p < len && s[p] == ',') {
            p++;
            sl__json_ws(s, len, &p);
            continue;
        }
        if (p < len && s[p] == ']') {
            *i = p + 1;
            return SL_OK;
        }
        return sl_error_set(err, SL_ERR_JSON, p, "expected ',' or ']' at byte %zu", p);
    }
}

static sl_status verdict_member(void *ctx, const char *key, size_t key_len, const char *s,
                                size_t len, size_t *i, sl_error *err)
{
    if (!key_is(key, key_len, "hits")) return sl__json_skip(s, len, i, err);
    return read_hits(s, len, i, ctx, err);
}

sl_status sl__vhits_parse(const char *json, size_t len, sl__vhits *out, sl_error *err)
{
    if (!out || (!json && len)) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no verdict");
    sl__vhits_free(out);
    if (!json) return SL_OK;
    size_t i = 0;
    sl__json_ws(json, len, &i);
    sl_status st = sl__json_object(json, len, &i, 4096, verdict_member, out, err);
    if (!st) st = sl__json_end(json, len, i, err);
    if (st) sl__vhits_free(out);
    return st;
}

void sl__vhits_free(sl__vhits *hits)
{
    if (!hits) return;
    free(hits->v);
    hits->v = NULL;
    hits->n = 0;
}

bool sl__vhit_is_personal(const sl__vhit *hit)
{
    return !strcmp(hit->category, "personal_data") || !strcmp(hit->category, "pii") ||
           !strncmp(hit->rule, "pii.", 4);
}
