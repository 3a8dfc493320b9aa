/* util/buf.h — a growable byte buffer with a hard maximum (internal).
 *
 * Appends fail with SL_ERR_TOO_LARGE instead of growing past `max`, and size arithmetic is
 * checked. The data is always NUL-terminated (not counted in len) so it can be printed. */
#ifndef SL_UTIL_BUF_H
#define SL_UTIL_BUF_H

#include <stddef.h>
#include <string.h>

#include "sangloc/status.h"

typedef struct sl_buf {
    char *data;
    size_t len, cap;
    size_t max; /* 0: SL_BUF_DEFAULT_MAX */
} sl_buf;

#define SL_BUF_DEFAULT_MAX ((size_t)256 * 1024 * 1024)

sl_status sl__buf_reserve(sl_buf *b, size_t extra);
sl_status sl__buf_append_slow(sl_buf *b, const void *data, size_t len);

/* Appends len bytes. Inline while the room is there: a verdict is written in dozens of short
 * pieces (most of them literals, whose strlen is then known at compile time). */
static inline sl_status sl__buf_append(sl_buf *b, const void *data, size_t len)
{
    size_t max = b->max ? b->max : SL_BUF_DEFAULT_MAX;
    if (b->len >= b->cap || len >= b->cap - b->len || b->len + len > max)
        return sl__buf_append_slow(b, data, len); /* grows, or refuses past max */
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return SL_OK;
}

static inline sl_status sl__buf_puts(sl_buf *b, const char *s)
{
    return sl__buf_append(b, s, strlen(s));
}
sl_status sl__buf_printf(sl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s[0..len) as a JSON string literal with quotes; s must be valid UTF-8. */
sl_status sl__buf_json_string(sl_buf *b, const char *s, size_t len);
void sl__buf_clear(sl_buf *b);
void sl__buf_free(sl_buf *b);

#endif
