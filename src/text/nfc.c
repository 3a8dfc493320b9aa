/* The NFC view with exact offsets.
 *
 * NFC of a text is the concatenation of the NFC of its normalization segments (a segment starts
 * at each code point with an NFC boundary before it), so each segment is normalized on its own
 * and every output byte maps to its segment's original bytes. Almost every segment is one code
 * point that is already NFC (table lookup, copied as is); ASCII runs are copied in bulk. Only
 * segments with combining marks (decomposed diacritics: 2-3% of real comments) go to ICU. */
#include <stdlib.h>
#include <string.h>

#include <unicode/unorm2.h>

#include "text/chars.h"
#include "text/utf8.h"
#include "text/views.h"

static sl_status u16_reserve(uint16_t **p, size_t *cap, size_t need)
{
    if (need <= *cap) return SL_OK;
    if (need > SL__VIEW_MAX_BYTES) return SL_ERR_TOO_LARGE;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    uint16_t *q = realloc(*p, c * sizeof *q);
    if (!q) return SL_ERR_NOMEM;
    *p = q;
    *cap = c;
    return SL_OK;
}

static int boundary_before(uint32_t cp)
{
    sl__cpinfo i;
    sl__cp_get(cp, &i);
    return (i.flags & SL__F_BOUNDARY) != 0;
}

/* Normalizes the original bytes [a, b) (one segment) with ICU into the NFC view. */
static sl_status normalize_segment(sl_text *t, size_t a, size_t b)
{
    sl_status st = u16_reserve(&t->u16a, &t->u16a_cap, (b - a) + 2);
    if (st) return st;
    size_t n = 0;
    for (size_t i = a; i < b;) {
        uint32_t cp;
        i += sl__utf8_decode_valid(t->orig + i, &cp);
        if (cp >= 0x10000) {
            t->u16a[n++] = (uint16_t)(0xD7C0 + (cp >> 10));
            t->u16a[n++] = (uint16_t)(0xDC00 | (cp & 0x3FF));
        } else {
            t->u16a[n++] = (uint16_t)cp;
        }
    }
    UErrorCode ue = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&ue);
    size_t want = n * 3 + 4;
    for (int tries = 0; tries < 2; tries++) {
        st = u16_reserve(&t->u16b, &t->u16b_cap, want);
        if (st) return st;
        ue = U_ZERO_ERROR;
        int32_t m = unorm2_normalize(nfc, (const UChar *)t->u16a, (int32_t)n, (UChar *)t->u16b,
                                     (int32_t)t->u16b_cap, &ue);
        if (ue == U_BUFFER_OVERFLOW_ERROR) {
            want = (size_t)m + 1;
            continue;
        }
        if (U_FAILURE(ue)) return SL_ERR_INTERNAL;
        for (int32_t k = 0; k < m; k++) {
            uint32_t cp = t->u16b[k];
            if (cp >= 0xD800 && cp < 0xDC00 && k + 1 < m) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (t->u16b[k + 1] - 0xDC00u);
                k++;
            }
            char out[4];
            size_t l = sl__utf8_encode(cp, out);
            st = sl__vbuf_push(&t->v[SL_VIEW_NFC], out, l, (uint32_t)a, (uint32_t)b);
            if (st) return st;
        }
        return SL_OK;
    }
    return SL_ERR_INTERNAL;
}

/* Copies original [a, b) byte for byte, each code point mapping to itself. */
static sl_status copy_span(sl_text *t, size_t a, size_t b)
{
    sl__vbuf *v = &t->v[SL_VIEW_NFC];
    sl_status st = sl__vbuf_grow(v, b - a);
    if (st) return st;
    const unsigned char *s = (const unsigned char *)t->orig;
    /* locals, not v->len: a store through char * could alias the buffer's fields, which
     * would make the compiler reload them after every byte */
    char *d = v->data + v->len;
    uint32_t *vs = v->start + v->len, *ve = v->end + v->len;
    size_t w = 0;
    for (size_t i = a; i < b;) {
        if (s[i] < 0x80) { /* ASCII: one byte, one code point */
            d[w] = (char)s[i];
            vs[w] = (uint32_t)i;
            ve[w] = (uint32_t)(i + 1);
            w++;
            i++;
            continue;
        }
        size_t l = s[i] < 0xE0 ? 2 : s[i] < 0xF0 ? 3 : 4;
        for (size_t k = 0; k < l; k++) {
            d[w] = (char)s[i + k];
            vs[w] = (uint32_t)i;
            ve[w] = (uint32_t)(i + l);
            w++;
        }
        i += l;
    }
    v->len += w;
    return SL_OK;
}

sl_status sl__nfc_build(sl_text *t)
{
    const unsigned char *s = (const unsigned char *)t->orig;
    size_t n = t->orig_len, i = 0, copied = 0; /* [copied, i) is pending, already NFC */
    while (i < n) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t l = sl__utf8_decode_valid(t->orig + i, &cp);
        sl__cpinfo info;
        sl__cp_get(cp, &info);
        size_t seg = i;
        int fine = (info.flags & SL__F_BOUNDARY) && (info.flags & SL__F_NFC_SELF);
        if (info.flags & SL__F_BOUNDARY) {
            /* the segment is this code point plus what follows without a boundary */
            i += l;
        } else {
            /* a mark without boundary continues the previous code point's segment */
            if (seg > copied) {
                seg--;
                while (seg > copied && (s[seg] & 0xC0) == 0x80) seg--;
            }
            fine = 0;
            i += l;
        }
        while (i < n && s[i] >= 0x80) {
            uint32_t c2;
            size_t l2 = sl__utf8_decode_valid(t->orig + i, &c2);
            if (boundary_before(c2)) break;
            fine = 0;
            i += l2;
        }
        if (fine) continue;
        sl_status st = copy_span(t, copied, seg);
        if (st) return st;
        st = normalize_segment(t, seg, i);
        if (st) return st;
        copied = i;
    }
    return copy_span(t, copied, n);
}
