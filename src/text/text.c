/* The sl_text object: validates input, then builds the NFC view (nfc.c) and from it the
 * normalized views (norm.c), each with a per-byte map back to the original. Buffers are kept
 * between builds so a thread screening many posts allocates only while its texts grow. */
#include <stdlib.h>
#include <string.h>

#include "text/chars.h"
#include "text/teencode.h"
#include "text/utf8.h"
#include "text/views.h"

sl_status sl__vbuf_grow(sl__vbuf *b, size_t extra)
{
    if (extra > SL__VIEW_MAX_BYTES || b->len > SL__VIEW_MAX_BYTES - extra) return SL_ERR_TOO_LARGE;
    size_t need = b->len + extra + 1; /* room for the NUL */
    if (need <= b->cap) return SL_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) return SL_ERR_NOMEM;
    b->data = d;
    uint32_t *s = realloc(b->start, cap * sizeof *s);
    if (!s) return SL_ERR_NOMEM;
    b->start = s;
    uint32_t *e = realloc(b->end, cap * sizeof *e);
    if (!e) return SL_ERR_NOMEM;
    b->end = e;
    b->cap = cap;
    return SL_OK;
}

sl_status sl__units_reserve(sl__units *u, size_t need)
{
    if (need <= u->cap) return SL_OK;
    if (need > SL__VIEW_MAX_BYTES) return SL_ERR_TOO_LARGE;
    size_t cap = u->cap ? u->cap : 64;
    while (cap < need) cap *= 2;
    sl__unit *p = realloc(u->u, cap * sizeof *p);
    if (!p) return SL_ERR_NOMEM;
    u->u = p;
    u->cap = cap;
    return SL_OK;
}

sl_text *sl_text_new(void)
{
    sl__chars_init();
    sl__teencode_init();
    return calloc(1, sizeof(sl_text));
}

void sl_text_free(sl_text *text)
{
    if (!text) return;
    for (int k = 0; k < SL_VIEW_COUNT_; k++) {
        free(text->v[k].data);
        free(text->v[k].start);
        free(text->v[k].end);
    }
    free(text->units.u);
    free(text->tok.u);
    free(text->u16a);
    free(text->u16b);
    free(text);
}

static const char empty_view[1] = "";

/* Publishes the buffers as views (NUL-terminated); empty views when failed. */
static void publish(sl_text *text, int ok)
{
    for (int k = 0; k < SL_VIEW_COUNT_; k++) {
        sl__vbuf *b = &text->v[k];
        sl_view *v = &text->views[k];
        if (ok && b->data) {
            b->data[b->len] = '\0';
            *v = (sl_view){b->data, b->len, b->start, b->end};
        } else {
            *v = (sl_view){empty_view, 0, NULL, NULL};
        }
    }
}

/* Buffers grown for a huge post are released when the next post is much smaller, so one
 * 16 MiB post does not pin ~1 GiB of scratch in a thread for good. */
#define SL__KEEP_BYTES ((size_t)1 << 20)

static void shrink(sl_text *text, size_t len)
{
    size_t keep = len * 16 > SL__KEEP_BYTES ? len * 16 : SL__KEEP_BYTES;
    for (int k = 0; k < SL_VIEW_COUNT_; k++) {
        sl__vbuf *b = &text->v[k];
        if (b->cap <= keep) continue;
        free(b->data);
        free(b->start);
        free(b->end);
        *b = (sl__vbuf){0};
    }
    if (text->u16a_cap > keep || text->u16b_cap > keep) {
        free(text->u16a);
        free(text->u16b);
        text->u16a = text->u16b = NULL;
        text->u16a_cap = text->u16b_cap = 0;
    }
    sl__units *u[2] = {&text->units, &text->tok};
    for (int k = 0; k < 2; k++)
        if (u[k]->cap > keep) {
            free(u[k]->u);
            *u[k] = (sl__units){0};
        }
}

sl_status sl_text_build(sl_text *text, const char *data, size_t len, sl_error *err)
{
    if (!text || (!data && len)) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no text");
    text->orig = data ? data : empty_view;
    text->orig_len = 0;
    for (int k = 0; k < SL_VIEW_COUNT_; k++) text->v[k].len = 0;
    publish(text, 0);
    if (len > SL_TEXT_MAX_BYTES)
        return sl_error_set(err, SL_ERR_TOO_LARGE, SL_NO_POS, "text of %zu bytes exceeds %u", len,
                            SL_TEXT_MAX_BYTES);
    sl_status st = sl_utf8_validate(data, len, err);
    if (st) return st;
    text->orig_len = len;
    shrink(text, len);
    for (int k = 0; k < SL_VIEW_COUNT_; k++) {
        st = sl__vbuf_grow(&text->v[k], 0); /* make sure every view has a buffer */
        if (st) goto fail;
    }
    st = sl__nfc_build(text);
    if (st) goto fail;
    st = sl__norm_build(text);
    if (st) goto fail;
    publish(text, 1);
    return SL_OK;
fail:
    for (int k = 0; k < SL_VIEW_COUNT_; k++) text->v[k].len = 0;
    text->orig_len = 0;
    return sl_error_set(err, st, SL_NO_POS, "building text views failed: %s", sl_strerror(st));
}

const sl_view *sl_text_view(const sl_text *text, sl_view_kind kind)
{
    static const sl_view none = {empty_view, 0, NULL, NULL};
    if (!text || (unsigned)kind >= SL_VIEW_COUNT_) return &none;
    if (!text->views[kind].data) return &none; /* before any build */
    return &text->views[kind];
}

const char *sl_text_original(const sl_text *text, size_t *len)
{
    if (len) *len = text ? text->orig_len : 0;
    return text && text->orig ? text->orig : empty_view;
}

void sl_view_span(const sl_view *view, size_t vstart, size_t vend, size_t *ostart, size_t *oend)
{
    size_t n = view ? view->len : 0;
    if (vend > n) vend = n;
    if (vstart > vend) vstart = vend;
    if (vstart == vend) { /* empty: a position */
        size_t pos = 0;
        if (vstart < n)
            pos = view->orig_start[vstart];
        else if (n)
            pos = view->orig_end[n - 1];
        *ostart = *oend = pos;
        return;
    }
    size_t s = view->orig_start[vstart], e = view->orig_end[vstart];
    for (size_t i = vstart + 1; i < vend; i++)
        if (view->orig_end[i] > e) e = view->orig_end[i];
    *ostart = s;
    *oend = e;
}

const char *sl_view_name(sl_view_kind kind)
{
    static const char *const names[SL_VIEW_COUNT_] = {"nfc", "norm", "fold", "standard"};
    return (unsigned)kind < SL_VIEW_COUNT_ ? names[kind] : "unknown";
}

int sl_text_is_word_cp(uint32_t cp)
{
    if (cp == '*') return 1;
    sl__chars_init();
    return sl__cp_is_word(cp);
}

uint32_t sl_text_fold_cp(uint32_t cp)
{
    sl__chars_init();
    return sl__cp_base(cp);
}

/* The code point that ends just before byte pos of valid UTF-8 data. */
static uint32_t cp_before(const char *d, size_t pos)
{
    size_t a = pos - 1;
    while (a > 0 && ((unsigned char)d[a] & 0xC0) == 0x80) a--;
    uint32_t cp;
    sl__utf8_decode_valid(d + a, &cp);
    return cp;
}

int sl_view_is_word_edge(const sl_view *view, size_t pos)
{
    if (!view || pos == 0 || pos >= view->len) return 1;
    if (((unsigned char)view->data[pos] & 0xC0) == 0x80) return 0; /* inside a code point */
    uint32_t after;
    sl__utf8_decode_valid(view->data + pos, &after);
    return sl_text_is_word_cp(cp_before(view->data, pos)) != sl_text_is_word_cp(after);
}
