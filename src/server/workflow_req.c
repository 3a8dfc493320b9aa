/* server/workflow_req.c — the workflow's request bodies (see workflow_req.h). */
#include "server/workflow_req.h"

#include <string.h>

#include "server/json.h"

typedef struct wf_ctx {
    sl__wf_field *f;
    size_t n;
} wf_ctx;

static sl_status member(void *ctx, const char *key, size_t key_len, const char *s, size_t len,
                        size_t *i, sl_error *err)
{
    wf_ctx *c = ctx;
    sl__wf_field *f = NULL;
    for (size_t k = 0; k < c->n && !f; k++)
        if (strlen(c->f[k].key) == key_len && !memcmp(c->f[k].key, key, key_len)) f = &c->f[k];
    if (!f) return sl_error_set(err, SL_ERR_JSON, *i, "unknown key \"%.40s\" (byte %zu)", key, *i);
    size_t at = *i;
    f->at = at;
    if (len - at >= 4 && !memcmp(s + at, "null", 4)) { /* null: as if absent */
        *i += 4;
        return SL_OK;
    }
    if (f->type == SL__WF_ID && at < len && s[at] >= '0' && s[at] <= '9') {
        sl_status st = sl__json_uint(s, len, i, UINT64_MAX, &f->num, err);
        if (st)
            return sl_error_set(err, SL_ERR_JSON, at,
                                "\"%s\" must be a string or a whole "
                                "number (byte %zu)",
                                f->key, at);
        f->str.max = f->max + 1;
        if (*i - at > f->max || sl_buf_append(&f->str, s + at, *i - at))
            return sl_error_set(err, SL_ERR_TOO_LARGE, at, "\"%s\" is too long (byte %zu)", f->key,
                                at);
        f->present = true;
        return SL_OK;
    }
    if (f->type == SL__WF_UINT) {
        sl_status st = sl__json_uint(s, len, i, f->max, &f->num, err);
        if (st == SL_ERR_TOO_LARGE)
            return sl_error_set(err, SL_ERR_TOO_LARGE, at, "\"%s\" must be at most %zu (byte %zu)",
                                f->key, f->max, at);
        if (st)
            return sl_error_set(err, SL_ERR_JSON, at, "\"%s\" must be a whole number (byte %zu)",
                                f->key, at);
        f->present = true;
        return SL_OK;
    }
    if (at >= len || s[at] != '"')
        return sl_error_set(err, SL_ERR_JSON, at, "\"%s\" must be a string (byte %zu)", f->key, at);
    f->str.max = f->max + 1; /* room for the NUL the buffer keeps */
    sl_status st = sl__json_string(s, len, i, &f->str, err);
    if (st == SL_ERR_TOO_LARGE || (!st && f->str.len > f->max))
        return sl_error_set(err, SL_ERR_TOO_LARGE, at, "\"%s\" is longer than %zu bytes (byte %zu)",
                            f->key, f->max, at);
    if (st) return st;
    f->present = true;
    return SL_OK;
}

sl_status sl__wf_body(const char *body, size_t len, sl__wf_field *f, size_t n, sl_error *err)
{
    if (n > SL__WF_MAX_FIELDS) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "too many fields");
    for (size_t k = 0; k < n; k++) {
        f[k].present = false;
        f[k].at = SL_NO_POS;
        f[k].num = 0;
        sl_buf_clear(&f[k].str);
    }
    size_t i = 0;
    sl__json_ws(body, len, &i);
    if (i >= len) return sl_error_set(err, SL_ERR_JSON, i, "empty body: expected a JSON object");
    if (body[i] != '{')
        return sl_error_set(err, SL_ERR_JSON, i, "malformed JSON at byte %zu: expected an object",
                            i);
    wf_ctx c = {f, n};
    sl_status st = sl__json_object(body, len, &i, SL__WF_MAX_FIELDS, member, &c, err);
    if (!st) st = sl__json_end(body, len, i, err);
    if (st) return st;
    for (size_t k = 0; k < n; k++) {
        if (!f[k].required) continue;
        if (!f[k].present || (f[k].type == SL__WF_STR && f[k].str.len == 0))
            return sl_error_set(err, SL_ERR_MISSING_FIELD, f[k].present ? f[k].at : SL_NO_POS,
                                "\"%s\" is required", f[k].key);
    }
    return SL_OK;
}

void sl__wf_free(sl__wf_field *f, size_t n)
{
    for (size_t k = 0; k < n; k++) sl_buf_free(&f[k].str);
}

/* [A-Za-z0-9_-]: the characters of base64url, the only ones a token has */
static bool token_chars(const char *s, size_t len)
{
    for (size_t k = 0; k < len; k++) {
        char c = s[k];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

sl_status sl__wf_notice_query(const char *q, size_t len, sl__notice_query *out, sl_error *err)
{
    *out = (sl__notice_query){.lang = -1};
    bool seen_token = false;
    for (size_t p = 0; q && p < len;) {
        const char *amp = memchr(q + p, '&', len - p);
        size_t end = amp ? (size_t)(amp - q) : len;
        if (end == p) {
            p = end + 1;
            continue;
        }
        const char *eq = memchr(q + p, '=', end - p);
        size_t klen = eq ? (size_t)(eq - (q + p)) : end - p;
        size_t vat = eq ? (size_t)(eq - q) + 1 : end;
        const char *v = q + vat;
        size_t vlen = end - vat;
        if (klen == 5 && !memcmp(q + p, "token", 5) && !seen_token) {
            seen_token = true;
            if (!vlen || vlen >= sizeof out->token || !token_chars(v, vlen))
                return sl_error_set(err, SL_ERR_ARG, vat, "bad token (byte %zu)", vat);
            memcpy(out->token, v, vlen);
            out->token[vlen] = '\0';
            out->token_len = vlen;
        } else if (klen == 4 && !memcmp(q + p, "lang", 4) && out->lang < 0) {
            if (vlen == 2 && !memcmp(v, "vi", 2))
                out->lang = 0;
            else if (vlen == 2 && !memcmp(v, "en", 2))
                out->lang = 1;
            else
                return sl_error_set(err, SL_ERR_ARG, vat, "lang must be vi or en (byte %zu)", vat);
        } else {
            return sl_error_set(err, SL_ERR_ARG, p, "unknown or repeated query key at byte %zu", p);
        }
        p = end + 1;
    }
    return SL_OK;
}
