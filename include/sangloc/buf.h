/* sangloc/buf.h — a growable byte buffer with a hard maximum, and a JSON string writer.
 *
 * Appends fail with SL_ERR_TOO_LARGE instead of growing past `max`, and size arithmetic is
 * checked. The data is always NUL-terminated (not counted in len) so it can be printed. A
 * zeroed sl_buf is empty and ready; sl_buf_free() releases it. Public because programs that
 * print verdicts and reports (the CLI, the server) build their output with it. */
#ifndef SANGLOC_BUF_H
#define SANGLOC_BUF_H

#include <stddef.h>
#include <string.h>

#include "sangloc/status.h"

typedef struct sl_buf {
    char *data;
    size_t len, cap;
    size_t max; /* 0: SL_BUF_DEFAULT_MAX */
} sl_buf;

#define SL_BUF_DEFAULT_MAX ((size_t)256 * 1024 * 1024)

sl_status sl_buf_reserve(sl_buf *b, size_t extra);
/* The slow path of sl_buf_append() (grows the buffer); call sl_buf_append() instead. */
sl_status sl_buf_append_slow(sl_buf *b, const void *data, size_t len);

/* Appends len bytes. Inline while the room is there: a verdict is written in dozens of short
 * pieces (most of them literals, whose strlen is then known at compile time). */
static inline sl_status sl_buf_append(sl_buf *b, const void *data, size_t len)
{
    size_t max = b->max ? b->max : SL_BUF_DEFAULT_MAX;
    if (b->len >= b->cap || len >= b->cap - b->len || b->len + len > max)
        return sl_buf_append_slow(b, data, len); /* grows, or refuses past max */
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return SL_OK;
}

static inline sl_status sl_buf_puts(sl_buf *b, const char *s)
{
    return sl_buf_append(b, s, strlen(s));
}
sl_status sl_buf_printf(sl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s[0..len) as a JSON string literal with quotes; s must be valid UTF-8. */
sl_status sl_buf_json_string(sl_buf *b, const char *s, size_t len);
void sl_buf_clear(sl_buf *b);
void sl_buf_free(sl_buf *b);

#endif
