/* Growable byte buffer with a cap, and the JSON string writer every output path shares. */
#include "sangloc/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sl_status sl_buf_reserve(sl_buf *b, size_t extra)
{
    size_t max = b->max ? b->max : SL_BUF_DEFAULT_MAX;
    if (extra > max || b->len > max - extra) return SL_ERR_TOO_LARGE;
    size_t need = b->len + extra + 1; /* room for the NUL */
    if (need <= b->cap) return SL_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *data = realloc(b->data, cap);
    if (!data) return SL_ERR_NOMEM;
    b->data = data;
    b->cap = cap;
    return SL_OK;
}

sl_status sl_buf_append_slow(sl_buf *b, const void *data, size_t len)
{
    sl_status st = sl_buf_reserve(b, len);
    if (st) return st;
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return SL_OK;
}

sl_status sl_buf_printf(sl_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return SL_ERR_INTERNAL;
    if ((size_t)n < sizeof small) return sl_buf_append(b, small, (size_t)n);
    sl_status st = sl_buf_reserve(b, (size_t)n);
    if (st) return st;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return SL_OK;
}

sl_status sl_buf_json_string(sl_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    /* worst case every byte becomes \u00XX */
    if (len > (SIZE_MAX - 2) / 6) return SL_ERR_TOO_LARGE;
    sl_status st = sl_buf_reserve(b, len * 6 + 2);
    if (st) return st;
    char *o = b->data + b->len;
    *o++ = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            *o++ = '\\';
            *o++ = '"';
            break;
        case '\\':
            *o++ = '\\';
            *o++ = '\\';
            break;
        case '\n':
            *o++ = '\\';
            *o++ = 'n';
            break;
        case '\r':
            *o++ = '\\';
            *o++ = 'r';
            break;
        case '\t':
            *o++ = '\\';
            *o++ = 't';
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                memcpy(o, "\\u00", 4);
                o[4] = hex[c >> 4];
                o[5] = hex[c & 15];
                o += 6;
            } else {
                *o++ = (char)c;
            }
        }
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
    return SL_OK;
}

void sl_buf_clear(sl_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

void sl_buf_free(sl_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
