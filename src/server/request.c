/* server/request.c — strict parsing of request bodies and query strings (see request.h). */
#include "server/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/json.h"
#include "text/utf8.h"

void sl__envelope_free(sl__envelope *env)
{
    free(env->items);
    *env = (sl__envelope){0};
}

typedef struct env_ctx {
    sl__envelope *env;
    size_t max_items;
} env_ctx;

static sl_status items_array(env_ctx *c, const char *s, size_t len, size_t *i, sl_error *err)
{
    size_t p = *i;
    if (p >= len || s[p] != '[')
        return sl_error_set(err, SL_ERR_JSON, p, "\"items\" must be an array (byte %zu)", p);
    p++;
    sl__json_ws(s, len, &p);
    if (p < len && s[p] == ']') {
        *i = p + 1;
        return SL_OK;
    }
    for (;;) {
        if (p >= len || s[p] != '{')
            return sl_error_set(err, SL_ERR_JSON, p, "each item must be an object (byte %zu)", p);
        if (c->env->n >= c->max_items)
            return sl_error_set(err, SL_ERR_TOO_LARGE, p, "more than %zu items", c->max_items);
        size_t start = p;
        sl_status st = sl__json_skip(s, len, &p, err);
        if (st) return st;
        if (c->env->n == c->env->cap) {
            size_t cap = c->env->cap ? c->env->cap * 2 : 16;
            sl__span *v = realloc(c->env->items, cap * sizeof *v);
            if (!v) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
            c->env->items = v;
            c->env->cap = cap;
        }
        c->env->items[c->env->n++] = (sl__span){start, p - start};
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
        return sl_error_set(err, SL_ERR_JSON, p, "malformed JSON at byte %zu: expected ',' or ']'",
                            p);
    }
}

static sl_status env_member(void *ctx, const char *key, size_t key_len, const char *s, size_t len,
                            size_t *i, sl_error *err)
{
    env_ctx *c = ctx;
    if (key_len == 5 && !memcmp(key, "items", 5)) {
        c->env->has_items = true;
        return items_array(c, s, len, i, err);
    }
    if (key_len == 4 && !memcmp(key, "text", 4)) c->env->has_text = true;
    return sl__json_skip(s, len, i, err);
}

sl_status sl__req_envelope(const char *body, size_t len, size_t max_items, sl__envelope *env,
                           sl_error *err)
{
    *env = (sl__envelope){0};
    size_t i = 0;
    sl__json_ws(body, len, &i);
    if (i >= len) return sl_error_set(err, SL_ERR_JSON, i, "empty body: expected a JSON object");
    if (body[i] != '{')
        return sl_error_set(err, SL_ERR_JSON, i, "malformed JSON at byte %zu: expected an object",
                            i);
    env_ctx c = {env, max_items};
    sl_status st = sl__json_object(body, len, &i, 1024, env_member, &c, err);
    if (!st) st = sl__json_end(body, len, i, err);
    if (st) sl__envelope_free(env);
    return st;
}

/* ---- one item of POST /v1/items ----------------------------------------------------------- */

typedef struct item_ctx {
    sl_buf *parent;
    bool has_parent;
} item_ctx;

static sl_status item_member(void *ctx, const char *key, size_t key_len, const char *s, size_t len,
                             size_t *i, sl_error *err)
{
    item_ctx *c = ctx;
    if (key_len != 6 || memcmp(key, "parent", 6)) return sl__json_skip(s, len, i, err);
    if (len - *i >= 4 && !memcmp(s + *i, "null", 4)) {
        *i += 4;
        return SL_OK;
    }
    if (s[*i] != '"')
        return sl_error_set(err, SL_ERR_JSON, *i, "\"parent\" must be a string or null");
    c->has_parent = true;
    return sl__json_string(s, len, i, c->parent, err);
}

/* Messages name the field; the caller says which item (the reply's "item"). */
static sl_status need(const sl_record_str *f, const char *name, size_t max, sl_error *err)
{
    if (!f->data || !f->len)
        return sl_error_set(err, SL_ERR_MISSING_FIELD, SL_NO_POS, "\"%s\" is required", name);
    if (f->len > max)
        return sl_error_set(err, SL_ERR_TOO_LARGE, SL_NO_POS, "\"%s\" is longer than %zu bytes",
                            name, max);
    return SL_OK;
}

sl_status sl__req_ingest_item(const char *body, sl__span sp, sl_record *rec, sl_buf *idbuf,
                              sl_buf *parentbuf, sl__ingest_fields *f, sl_error *err)
{
    *f = (sl__ingest_fields){0};
    const char *s = body + sp.off;
    sl_record_limits lim = {.max_text = SL_STORE_MAX_TEXT};
    sl_status st = sl_record_parse(s, sp.len, &lim, rec);
    if (st == SL_ERR_NOMEM) return sl_error_set(err, st, SL_NO_POS, "out of memory");
    if (st) return sl_error_set(err, st, SL_NO_POS, "cannot parse the item");
    if (rec->has_error) {
        *err = rec->error;
        if (rec->error.byte != SL_NO_POS) {
            err->byte += sp.off;
            snprintf(err->message, sizeof err->message, "%.120s (byte %zu of the body)",
                     rec->error.message, err->byte);
        }
        if (err->code != SL_ERR_TOO_LARGE) err->code = SL_ERR_JSON;
        return err->code;
    }
    /* record.h accepts other keys; parent is one the store keeps */
    item_ctx c = {parentbuf, false};
    size_t i = 0;
    sl__json_ws(s, sp.len, &i);
    st = sl__json_object(s, sp.len, &i, 1024, item_member, &c, err);
    if (st) {
        if (err->byte != SL_NO_POS) err->byte += sp.off;
        return err->code = st == SL_ERR_TOO_LARGE ? st : SL_ERR_JSON;
    }
    if (!rec->id) return sl_error_set(err, SL_ERR_MISSING_FIELD, SL_NO_POS, "\"id\" is required");
    f->id_json = rec->id;
    f->id_json_len = rec->id_len;
    if (rec->id[0] == '"') {
        size_t k = 0;
        idbuf->max = SL_STORE_MAX_ITEM_ID + 1;
        st = sl__json_string(rec->id, rec->id_len, &k, idbuf, err);
        if (st)
            return sl_error_set(err, st == SL_ERR_TOO_LARGE ? st : SL_ERR_JSON, SL_NO_POS,
                                "bad \"id\"");
        f->id = (sl_record_str){idbuf->data, idbuf->len};
    } else {
        f->id = (sl_record_str){rec->id, rec->id_len};
    }
    f->channel = rec->channel;
    f->kind = rec->kind;
    f->author = rec->author;
    f->text = rec->text;
    f->created_at = rec->created_at;
    if (c.has_parent) f->parent = (sl_record_str){parentbuf->data, parentbuf->len};
    if ((st = need(&f->id, "id", SL_STORE_MAX_ITEM_ID, err)) ||
        (st = need(&f->channel, "channel", SL_STORE_MAX_CHANNEL, err)) ||
        (st = need(&f->kind, "kind", SL_STORE_MAX_KIND, err)) ||
        (st = need(&f->author, "author", SL_STORE_MAX_AUTHOR, err)))
        return st;
    if (!f->text.data)
        return sl_error_set(err, SL_ERR_MISSING_FIELD, SL_NO_POS, "\"text\" is required");
    if (f->created_at.len > SL_STORE_MAX_TIME_TEXT || f->parent.len > SL_STORE_MAX_ITEM_ID)
        return sl_error_set(err, SL_ERR_TOO_LARGE, SL_NO_POS,
                            "\"created_at\" or \"parent\" is too long");
    return SL_OK;
}

/* ---- claim body --------------------------------------------------------------------------- */

typedef struct claim_ctx {
    uint64_t n, lease;
} claim_ctx;

static sl_status claim_member(void *ctx, const char *key, size_t key_len, const char *s, size_t len,
                              size_t *i, sl_error *err)
{
    claim_ctx *c = ctx;
    uint64_t *out, max;
    if (key_len == 1 && key[0] == 'n') {
        out = &c->n;
        max = SL_STORE_MAX_PAGE;
    } else if (key_len == 13 && !memcmp(key, "lease_seconds", 13)) {
        out = &c->lease;
        max = SL_STORE_MAX_LEASE_SECONDS;
    } else {
        return sl_error_set(err, SL_ERR_JSON, *i, "unknown key \"%.40s\" (byte %zu)", key, *i);
    }
    size_t at = *i;
    sl_status st = sl__json_uint(s, len, i, max, out, err);
    if (st == SL_ERR_TOO_LARGE || (!st && *out == 0))
        return sl_error_set(err, SL_ERR_JSON, at, "\"%s\" must be 1 to %llu (byte %zu)", key,
                            (unsigned long long)max, at);
    return st;
}

sl_status sl__req_claim(const char *body, size_t len, uint64_t *n, uint64_t *lease_seconds,
                        sl_error *err)
{
    claim_ctx c = {1, SL_CLAIM_DEFAULT_LEASE};
    size_t i = 0;
    sl__json_ws(body, len, &i);
    if (i >= len) return sl_error_set(err, SL_ERR_JSON, i, "empty body: expected a JSON object");
    sl_status st = sl__json_object(body, len, &i, 8, claim_member, &c, err);
    if (!st) st = sl__json_end(body, len, i, err);
    if (st) return st;
    *n = c.n;
    *lease_seconds = c.lease;
    return SL_OK;
}

/* ---- query strings and path segments ------------------------------------------------------ */

/* Percent-decodes s[0, len) ('+' is a space when plus_space) into out; false when malformed. */
static bool pct_decode(const char *s, size_t len, bool plus_space, size_t max, sl_buf *out)
{
    sl_buf_clear(out);
    for (size_t k = 0; k < len; k++) {
        char c = s[k];
        if (c == '%') {
            if (len - k < 3) return false;
            int h = sl__json_hexval(s[k + 1]), l = sl__json_hexval(s[k + 2]);
            if (h < 0 || l < 0) return false;
            c = (char)(h * 16 + l);
            k += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        if (c == '\0' || out->len >= max || sl_buf_append(out, &c, 1)) return false;
    }
    /* the decoded bytes must be UTF-8 text */
    for (size_t k = 0; k < out->len;) {
        uint32_t cp;
        size_t n = sl__utf8_decode(out->data + k, out->len - k, &cp);
        if (!n) return false;
        k += n;
    }
    return true;
}

sl_status sl__req_path_segment(const char *s, size_t len, size_t max, sl_buf *out)
{
    if (sl_buf_reserve(out, 1)) return SL_ERR_NOMEM;
    out->data[0] = '\0';
    return len && pct_decode(s, len, false, max, out) ? SL_OK : SL_ERR_ARG;
}

sl_status sl__req_queue_query(const char *q, size_t len, sl__queue_query *out, sl_error *err)
{
    *out = (sl__queue_query){.limit = SL_QUEUE_DEFAULT_LIMIT};
    bool seen_limit = false, seen_cursor = false;
    sl_buf v = {0};
    sl_status st = SL_OK;
    for (size_t p = 0; q && p < len;) {
        const char *amp = memchr(q + p, '&', len - p);
        size_t end = amp ? (size_t)(amp - q) : len;
        const char *eq = memchr(q + p, '=', end - p);
        size_t klen = eq ? (size_t)(eq - (q + p)) : end - p;
        const char *key = q + p;
        size_t vat = eq ? (size_t)(eq - q) + 1 : end;
        if (end == p) { /* an empty pair ("a=1&&b=2") */
            p = end + 1;
            continue;
        }
        if (!pct_decode(q + vat, end - vat, true, SL_STORE_CURSOR_LEN + 8, &v)) {
            st = sl_error_set(err, SL_ERR_ARG, vat, "bad query value at byte %zu", vat);
            break;
        }
        if (klen == 5 && !memcmp(key, "limit", 5) && !seen_limit) {
            seen_limit = true;
            size_t i = 0;
            uint64_t n = 0;
            sl_error e2;
            if (!v.len || sl__json_uint(v.data, v.len, &i, SL_STORE_MAX_PAGE, &n, &e2) ||
                i != v.len || n == 0) {
                st = sl_error_set(err, SL_ERR_ARG, vat, "limit must be 1 to %d (byte %zu)",
                                  SL_STORE_MAX_PAGE, vat);
                break;
            }
            out->limit = n;
        } else if (klen == 6 && !memcmp(key, "cursor", 6) && !seen_cursor) {
            seen_cursor = true;
            if (v.len > SL_STORE_CURSOR_LEN) {
                st = sl_error_set(err, SL_ERR_CURSOR, vat, "bad cursor (byte %zu)", vat);
                break;
            }
            memcpy(out->cursor, v.data ? v.data : "", v.len);
            out->cursor[v.len] = '\0';
            out->cursor_len = v.len;
        } else {
            st = sl_error_set(err, SL_ERR_ARG, p, "unknown or repeated query key at byte %zu", p);
            break;
        }
        p = end + 1;
    }
    sl_buf_free(&v);
    return st;
}
