/* text/views.h — the insides of sl_text shared by the files of the text layer (internal).
 *
 * A view under construction is an sl__vbuf: bytes plus, per byte, the original span it came
 * from. Buffers grow by doubling up to SL__VIEW_MAX_BYTES and are reused across builds. */
#ifndef SL_TEXT_VIEWS_H
#define SL_TEXT_VIEWS_H

#include <stddef.h>
#include <stdint.h>

#include "sangloc/text.h"

/* No view may exceed this many bytes: NFC grows UTF-8 at most 3x and the normalizer's
 * expansions are bounded well below 16x the input, so this is never reached by design. */
#define SL__VIEW_MAX_BYTES ((size_t)SL_TEXT_MAX_BYTES * 16u)

typedef struct sl__vbuf {
    char *data;
    uint32_t *start, *end;
    size_t len, cap;
} sl__vbuf;

/* One code point of the NFC view on its way to the normalized views. */
typedef struct sl__unit {
    uint32_t cp;   /* as written (NFC, case kept; look-alikes replaced when decided) */
    uint32_t lo;   /* case-folded, de-obfuscated form used by NORM and FOLD */
    uint32_t s, e; /* original byte span */
    uint8_t cls;   /* SL__C_* */
    uint8_t flags; /* SL__F_* of the code point as written */
    uint16_t conf; /* Latin look-alike (case kept), or 0 */
} sl__unit;

typedef struct sl__units {
    sl__unit *u;
    size_t len, cap;
} sl__units;

struct sl_text {
    const char *orig;
    size_t orig_len;
    sl__vbuf v[SL_VIEW_COUNT_];
    sl_view views[SL_VIEW_COUNT_];
    sl__units units;       /* the NFC view as code points */
    sl__units tok;         /* one token being normalized */
    uint16_t *u16a, *u16b; /* UTF-16 scratch for ICU */
    size_t u16a_cap, u16b_cap;
};

sl_status sl__vbuf_grow(sl__vbuf *b, size_t extra);

/* Appends n bytes that all came from original [s, e). */
static inline sl_status sl__vbuf_push(sl__vbuf *b, const char *bytes, size_t n, uint32_t s,
                                      uint32_t e)
{
    if (b->len + n + 1 > b->cap) {
        sl_status st = sl__vbuf_grow(b, n);
        if (st) return st;
    }
    char *d = b->data + b->len; /* locals: a char store could alias b's fields */
    uint32_t *bs = b->start + b->len, *be = b->end + b->len;
    for (size_t i = 0; i < n; i++) {
        d[i] = bytes[i];
        bs[i] = s;
        be[i] = e;
    }
    b->len += n;
    return SL_OK;
}

sl_status sl__units_reserve(sl__units *u, size_t need);

/* Builds the NFC view v[SL_VIEW_NFC] of text->orig. */
sl_status sl__nfc_build(sl_text *text);

/* Builds NORM, FOLD and STANDARD from the NFC view. */
sl_status sl__norm_build(sl_text *text);

#endif
