/* Fuzz target of the text layer: builds all views of arbitrary bytes and aborts when a view is
 * not valid UTF-8 or not NUL-terminated, or when a map entry leaves the original or a view's
 * starts go backwards. Also checks sl_view_span on a few ranges. */
#include <stdint.h>
#include <stdlib.h>

#include "sangloc/text.h"

static void check(const sl_text *t, size_t len)
{
    for (int k = 0; k < SL_VIEW_COUNT_; k++) {
        const sl_view *v = sl_text_view(t, (sl_view_kind)k);
        sl_error err;
        if (v->data[v->len] != '\0') abort();
        if (sl_utf8_validate(v->data, v->len, &err) != SL_OK) abort();
        for (size_t i = 0; i < v->len; i++) {
            if (v->orig_start[i] > v->orig_end[i] || v->orig_end[i] > len) abort();
            if (i && v->orig_start[i - 1] > v->orig_start[i]) abort();
        }
        for (size_t a = 0; a < v->len; a += 7) {
            size_t b = a + 5 < v->len ? a + 5 : v->len, os, oe;
            sl_view_span(v, a, b, &os, &oe);
            if (os > oe || oe > len) abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sl_text *t;
    if (!t) t = sl_text_new();
    if (!t) abort();
    sl_error err;
    if (sl_text_build(t, (const char *)data, size, &err) == SL_OK) {
        check(t, size);
    } else if (sl_text_view(t, SL_VIEW_NORM)->len != 0 || err.code == SL_OK) {
        abort();
    }
    return 0;
}
