/* server/json.c — strict JSON scanning without a tree (see json.h). */
#include "server/json.h"

#include <string.h>

#include "text/utf8.h"

static sl_status bad(sl_error *err, size_t at, const char *what)
{
    return sl_error_set(err, SL_ERR_JSON, at, "malformed JSON at byte %zu: %s", at, what);
}

void sl__json_ws(const char *s, size_t len, size_t *i)
{
    while (*i < len && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\n' || s[*i] == '\r')) (*i)++;
}

int sl__json_hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool hex4(const char *s, size_t len, size_t at, uint32_t *v)
{
    if (len - at < 4) return false;
    *v = 0;
    for (int k = 0; k < 4; k++) {
        int h = sl__json_hexval(s[at + k]);
        if (h < 0) return false;
        *v = (*v << 4) | (uint32_t)h;
    }
    return true;
}

/* One pass over a string: validates, and appends the decoded bytes to out when out is not NULL. */
static sl_status scan_string(const char *s, size_t len, size_t *i, sl_buf *out, sl_error *err)
{
    size_t start = *i, p = *i + 1;
    if (start >= len || s[start] != '"') return bad(err, start, "expected a string");
    while (p < len) {
        unsigned char c = (unsigned char)s[p];
        if (c == '"') {
            *i = p + 1;
            return SL_OK;
        }
        if (c < 0x20) return bad(err, p, "control character in a string");
        if (c == '\\') {
            if (p + 1 >= len) break;
            char e = s[p + 1];
            const char *map = strchr("\"\\/bfnrt", e);
            if (e && map) {
                static const char dec[] = "\"\\/\b\f\n\r\t";
                if (out && sl_buf_append(out, &dec[map - "\"\\/bfnrt"], 1))
                    return sl_error_set(err, SL_ERR_TOO_LARGE, p, "string too long");
                p += 2;
                continue;
            }
            if (e != 'u') return bad(err, p, "bad escape");
            uint32_t cp, lo;
            if (!hex4(s, len, p + 2, &cp)) return bad(err, p, "bad \\u escape");
            size_t n = 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (len - p < 12 || s[p + 6] != '\\' || s[p + 7] != 'u' ||
                    !hex4(s, len, p + 8, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
                    if (out) return bad(err, p, "lone surrogate");
                } else {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    n = 12;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF && out) {
                return bad(err, p, "lone surrogate");
            }
            if (cp == 0 && out) return bad(err, p, "\\u0000 in a string");
            if (out) {
                char u[4];
                size_t k = sl__utf8_encode(cp, u);
                if (sl_buf_append(out, u, k))
                    return sl_error_set(err, SL_ERR_TOO_LARGE, p, "string too long");
            }
            p += n;
            continue;
        }
        size_t n = 1;
        if (c >= 0x80) {
            uint32_t cp;
            n = sl__utf8_decode(s + p, len - p, &cp);
            if (!n) return sl_error_set(err, SL_ERR_JSON, p, "invalid UTF-8 at byte %zu", p);
        }
        if (out && sl_buf_append(out, s + p, n))
            return sl_error_set(err, SL_ERR_TOO_LARGE, p, "string too long");
        p += n;
    }
    return bad(err, len, "unterminated string");
}

sl_status sl__json_string(const char *s, size_t len, size_t *i, sl_buf *out, sl_error *err)
{
    sl_buf_clear(out);
    if (sl_buf_reserve(out, 1)) return sl_error_set(err, SL_ERR_NOMEM, *i, "out of memory");
    out->data[0] = '\0';
    return scan_string(s, len, i, out, err);
}

static sl_status scan_number(const char *s, size_t len, size_t *i, sl_error *err)
{
    size_t p = *i;
    if (p < len && s[p] == '-') p++;
    if (p >= len) return bad(err, p, "bad number");
    if (s[p] == '0') {
        p++;
        if (p < len && s[p] >= '0' && s[p] <= '9') return bad(err, p, "leading zero");
    } else if (s[p] >= '1' && s[p] <= '9') {
        while (p < len && s[p] >= '0' && s[p] <= '9') p++;
    } else {
        return bad(err, p, "bad number");
    }
    if (p < len && s[p] == '.') {
        p++;
        if (p >= len || s[p] < '0' || s[p] > '9') return bad(err, p, "bad fraction");
        while (p < len && s[p] >= '0' && s[p] <= '9') p++;
    }
    if (p < len && (s[p] == 'e' || s[p] == 'E')) {
        p++;
        if (p < len && (s[p] == '+' || s[p] == '-')) p++;
        if (p >= len || s[p] < '0' || s[p] > '9') return bad(err, p, "bad exponent");
        while (p < len && s[p] >= '0' && s[p] <= '9') p++;
    }
    *i = p;
    return SL_OK;
}

static sl_status skip_depth(const char *s, size_t len, size_t *i, int depth, sl_error *err)
{
    size_t p = *i;
    if (p >= len) return bad(err, p, "expected a value");
    if (depth > SL_JSON_MAX_DEPTH) return bad(err, p, "nested too deep");
    char c = s[p];
    if (c == '"') return scan_string(s, len, i, NULL, err);
    if (c == '-' || (c >= '0' && c <= '9')) return scan_number(s, len, i, err);
    static const char *const words[] = {"true", "false", "null"};
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(words[k]);
        if (c == words[k][0]) {
            if (len - p < n || memcmp(s + p, words[k], n)) return bad(err, p, "bad literal");
            *i = p + n;
            return SL_OK;
        }
    }
    if (c != '[' && c != '{') return bad(err, p, "expected a value");
    char close = c == '[' ? ']' : '}';
    p++;
    sl__json_ws(s, len, &p);
    if (p < len && s[p] == close) {
        *i = p + 1;
        return SL_OK;
    }
    for (;;) {
        if (close == '}') {
            sl_status st = scan_string(s, len, &p, NULL, err);
            if (st) return st;
            sl__json_ws(s, len, &p);
            if (p >= len || s[p] != ':') return bad(err, p, "expected ':'");
            p++;
            sl__json_ws(s, len, &p);
        }
        sl_status st = skip_depth(s, len, &p, depth + 1, err);
        if (st) return st;
        sl__json_ws(s, len, &p);
        if (p < len && s[p] == ',') {
            p++;
            sl__json_ws(s, len, &p);
            continue;
        }
        if (p < len && s[p] == close) {
            *i = p + 1;
            return SL_OK;
        }
        return bad(err, p, close == ']' ? "expected ',' or ']'" : "expected ',' or '}'");
    }
}

sl_status sl__json_skip(const char *s, size_t len, size_t *i, sl_error *err)
{
    return skip_depth(s, len, i, 1, err);
}

sl_status sl__json_uint(const char *s, size_t len, size_t *i, uint64_t max, uint64_t *out,
                        sl_error *err)
{
    size_t p = *i, start = p;
    sl_status st = scan_number(s, len, &p, err);
    if (st)
        return sl_error_set(err, SL_ERR_JSON, start, "expected a whole number at byte %zu", start);
    uint64_t v = 0;
    for (size_t k = start; k < p; k++) {
        if (s[k] < '0' || s[k] > '9')
            return sl_error_set(err, SL_ERR_JSON, start, "expected a whole number at byte %zu",
                                start);
        if (v > max / 10)
            return sl_error_set(err, SL_ERR_TOO_LARGE, start, "number above %llu at byte %zu",
                                (unsigned long long)max, start);
        v = v * 10 + (uint64_t)(s[k] - '0');
        if (v > max)
            return sl_error_set(err, SL_ERR_TOO_LARGE, start, "number above %llu at byte %zu",
                                (unsigned long long)max, start);
    }
    *out = v;
    *i = p;
    return SL_OK;
}

sl_status sl__json_object(const char *s, size_t len, size_t *i, size_t max_keys,
                          sl__json_member_fn fn, void *ctx, sl_error *err)
{
    size_t p = *i;
    if (p >= len || s[p] != '{') return bad(err, p, "expected an object");
    p++;
    sl__json_ws(s, len, &p);
    if (p < len && s[p] == '}') {
        *i = p + 1;
        return SL_OK;
    }
    sl_buf key = {.max = 256}, seen = {.max = 64 * 1024};
    sl_status st = SL_OK;
    size_t nkeys = 0;
    for (;;) {
        size_t kat = p;
        if ((st = sl__json_string(s, len, &p, &key, err))) {
            if (st == SL_ERR_TOO_LARGE) st = bad(err, kat, "key too long");
            break;
        }
        /* seen keys, each stored with a NUL after it: keys are short and few */
        for (size_t o = 0; o < seen.len;) {
            size_t kl = strlen(seen.data + o);
            if (kl == key.len && !memcmp(seen.data + o, key.data, kl)) {
                st = sl_error_set(err, SL_ERR_JSON, kat, "key \"%.40s\" twice (byte %zu)", key.data,
                                  kat);
                goto done;
            }
            o += kl + 1;
        }
        if (++nkeys > max_keys) {
            st =
                sl_error_set(err, SL_ERR_JSON, kat, "more than %zu keys (byte %zu)", max_keys, kat);
            break;
        }
        if (memchr(key.data, 0, key.len) || sl_buf_append(&seen, key.data, key.len + 1)) {
            st = bad(err, kat, "bad key");
            break;
        }
        sl__json_ws(s, len, &p);
        if (p >= len || s[p] != ':') {
            st = bad(err, p, "expected ':'");
            break;
        }
        p++;
        sl__json_ws(s, len, &p);
        if ((st = fn(ctx, key.data, key.len, s, len, &p, err))) break;
        sl__json_ws(s, len, &p);
        if (p < len && s[p] == ',') {
            p++;
            sl__json_ws(s, len, &p);
            continue;
        }
        if (p < len && s[p] == '}') {
            *i = p + 1;
            break;
        }
        st = bad(err, p, "expected ',' or '}'");
        break;
    }
done:
    sl_buf_free(&key);
    sl_buf_free(&seen);
    return st;
}

sl_status sl__json_end(const char *s, size_t len, size_t i, sl_error *err)
{
    sl__json_ws(s, len, &i);
    if (i < len) return bad(err, i, "trailing data after the value");
    return SL_OK;
}
