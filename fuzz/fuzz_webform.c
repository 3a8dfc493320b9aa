/* Fuzz target: the pages' parsers of outside input (src/server/webform.c) on arbitrary bytes:
 * the Cookie header, form bodies, Origin/Referer, the page language and HTML escaping. Nothing
 * may read past the input; a cookie value lies inside the header; a decoded field keeps its
 * limit, has no NUL and is UTF-8; an error's byte lies inside the body; escaped text has no
 * markup character left. */
#include <stdlib.h>
#include <string.h>

#include "server/webform.h"
#include "text/utf8.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *s = malloc(size ? size : 1); /* exact size: ASan catches a read past the end */
    if (!s) return 0;
    memcpy(s, data, size);
    const char *v = NULL;
    size_t n = 0;
    if (sl__cookie_find(s, size, "sl_session", &v, &n) && (v < s || v + n > s + size)) abort();
    sl_buf out = {.max = 4096};
    sl_error err = {0};
    sl_status st = sl__form_field(s, size, "token", 128, &out, &err);
    if (!st) {
        if (out.len > 128 || memchr(out.data ? out.data : "", 0, out.len)) abort();
        for (size_t k = 0; k < out.len;) {
            uint32_t cp;
            size_t m = sl__utf8_decode(out.data + k, out.len - k, &cp);
            if (!m) abort();
            k += m;
        }
    } else if (err.byte != SL_NO_POS && err.byte > size) {
        abort();
    }
    sl__same_origin(s, size, size & 1, "127.0.0.1:8080", size & 2);
    /* the NUL-terminated parsers get a copy with a terminator */
    char *z = malloc(size + 1);
    if (z) {
        memcpy(z, data, size);
        z[size] = '\0';
        const char *lang = sl__page_lang(z, z);
        if (strcmp(lang, "vi") && strcmp(lang, "en")) abort();
        sl__csrf_check(z, "abc", z, z, "h", false);
        free(z);
    }
    sl_buf_clear(&out);
    out.max = size * 6 + 16;
    if (!sl__html_escape(&out, s, size))
        for (size_t k = 0; k < out.len; k++)
            if (memchr("<>\"'", out.data[k], 4)) abort();
    sl_buf_free(&out);
    free(s);
    return 0;
}
