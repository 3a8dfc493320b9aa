/* server/webform.c — cookies, form bodies, origins and the page language (see webform.h). */
#include "server/webform.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "text/utf8.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

bool sl__cookie_find(const char *h, size_t len, const char *name, const char **val, size_t *vlen)
{
    size_t nlen = strlen(name);
    bool found = false;
    for (size_t p = 0; h && p < len;) {
        const char *semi = memchr(h + p, ';', len - p);
        size_t end = semi ? (size_t)(semi - h) : len;
        size_t a = p, b = end;
        while (a < b && is_space(h[a])) a++;
        while (b > a && is_space(h[b - 1])) b--;
        const char *eq = memchr(h + a, '=', b - a);
        if (eq && (size_t)(eq - (h + a)) == nlen && !memcmp(h + a, name, nlen)) {
            if (found) return false; /* twice: ambiguous */
            found = true;
            const char *v = eq + 1;
            size_t n = (size_t)(h + b - v);
            if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
                v++;
                n -= 2;
            }
            *val = v;
            *vlen = n;
        }
        p = end + 1;
    }
    return found;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Decodes s[0, len) into out; the byte of the first fault (relative to s) in *bad. */
static sl_status decode(const char *s, size_t len, size_t max, sl_buf *out, size_t *bad)
{
    sl_buf_clear(out);
    for (size_t k = 0; k < len; k++) {
        char c = s[k];
        *bad = k;
        if (c == '%') {
            if (len - k < 3) return SL_ERR_ARG;
            int h = hexval(s[k + 1]), l = hexval(s[k + 2]);
            if (h < 0 || l < 0) return SL_ERR_ARG;
            c = (char)(h * 16 + l);
            k += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (c == '\0' || out->len >= max) return SL_ERR_ARG;
        if (sl_buf_append(out, &c, 1)) return SL_ERR_NOMEM;
    }
    if (sl_buf_append(out, "", 1)) return SL_ERR_NOMEM;
    out->len--;
    for (size_t k = 0; k < out->len;) {
        uint32_t cp;
        size_t n = sl__utf8_decode(out->data + k, out->len - k, &cp);
        if (!n) {
            *bad = 0;
            return SL_ERR_ARG;
        }
        k += n;
    }
    return SL_OK;
}

sl_status sl__form_field(const char *body, size_t len, const char *name, size_t max, sl_buf *out,
                         sl_error *err)
{
    size_t nlen = strlen(name);
    bool found = false;
    for (size_t p = 0; body && p < len;) {
        const char *amp = memchr(body + p, '&', len - p);
        size_t end = amp ? (size_t)(amp - body) : len;
        const char *eq = memchr(body + p, '=', end - p);
        size_t klen = eq ? (size_t)(eq - (body + p)) : end - p;
        if (klen == nlen && !memcmp(body + p, name, nlen)) {
            if (found)
                return sl_error_set(err, SL_ERR_ARG, p, "field \"%s\" given twice (byte %zu)", name,
                                    p);
            found = true;
            size_t v = eq ? (size_t)(eq - body) + 1 : end, bad = 0;
            sl_status st = decode(body + v, end - v, max, out, &bad);
            if (st == SL_ERR_NOMEM) return sl_error_set(err, st, SL_NO_POS, "out of memory");
            if (st)
                return sl_error_set(err, SL_ERR_ARG, v + bad, "bad value of \"%s\" (byte %zu)",
                                    name, v + bad);
        }
        p = end + 1;
    }
    if (!found) return sl_error_set(err, SL_ERR_NOT_FOUND, SL_NO_POS, "no field \"%s\"", name);
    return SL_OK;
}

bool sl__same_origin(const char *v, size_t len, bool referer, const char *host, bool https)
{
    if (!v || !host || !*host) return false;
    const char *scheme = https ? "https://" : "http://";
    size_t sl = strlen(scheme), hl = strlen(host);
    if (len < sl + hl || strncasecmp(v, scheme, sl) || strncasecmp(v + sl, host, hl)) return false;
    size_t rest = sl + hl;
    if (rest == len) return true;
    /* a Referer goes on with its path; an Origin ends here (a port or more host: another one) */
    return referer && (v[rest] == '/' || v[rest] == '?' || v[rest] == '#');
}

const char *sl__page_lang(const char *query, const char *cookie)
{
    for (size_t p = 0, len = query ? strlen(query) : 0; p < len;) {
        const char *amp = memchr(query + p, '&', len - p);
        size_t end = amp ? (size_t)(amp - query) : len;
        if (end - p == 7 && !memcmp(query + p, "lang=en", 7)) return "en";
        if (end - p == 7 && !memcmp(query + p, "lang=vi", 7)) return "vi";
        p = end + 1;
    }
    const char *v;
    size_t n;
    if (cookie && sl__cookie_find(cookie, strlen(cookie), "lang", &v, &n) && n == 2 &&
        !memcmp(v, "en", 2))
        return "en";
    return "vi";
}

sl_status sl__html_escape(sl_buf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        const char *e = NULL;
        switch (s[i]) {
        case '&':
            e = "&amp;";
            break;
        case '<':
            e = "&lt;";
            break;
        case '>':
            e = "&gt;";
            break;
        case '"':
            e = "&quot;";
            break;
        case '\'':
            e = "&#39;";
            break;
        }
        sl_status st = e ? sl_buf_puts(b, e) : sl_buf_append(b, s + i, 1);
        if (st) return st;
    }
    return SL_OK;
}

sl__csrf_result sl__csrf_check(const char *token, const char *secret, const char *origin,
                               const char *referer, const char *host, bool https)
{
    if (!token) return SL_CSRF_NO_TOKEN;
    size_t n = strlen(token);
    if (!secret || !*secret || n != strlen(secret) || sodium_memcmp(token, secret, n))
        return SL_CSRF_BAD_TOKEN;
    bool same = origin ? sl__same_origin(origin, strlen(origin), false, host, https)
                       : referer && sl__same_origin(referer, strlen(referer), true, host, https);
    return same ? SL_CSRF_OK : SL_CSRF_BAD_ORIGIN;
}
