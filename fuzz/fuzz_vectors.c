/* Fuzz target: the vector file checks (sl__vectors_bind) and lookups (sl__vectors_token) on
 * arbitrary bytes. The bytes are tried as they are, then with their checksum repaired, so that
 * mutations get past the checksum to the structural checks (sizes, slots, rows, scales). A file
 * that binds must answer every token of a text without reading outside its tables. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/feat.h"
#include "model/format.h"
#include "model/vectors.h"
#include "sangloc/text.h"

static sl_text *text;
static const sl_view *norm;
static sl__tok toks[64];
static size_t ntoks;

static void setup(void)
{
    if (text) return;
    static const char s[] = "Thằng n.g.u này nói gì vậy 😒 đồ điên :))) ĐẸP dep "
                            "khongcodaumaquadaidaidaidaidaidai 12345 ngu";
    sl_error err;
    text = sl_text_new();
    if (!text || sl_text_build(text, s, strlen(s), &err)) abort();
    norm = sl_text_view(text, SL_VIEW_NORM);
    ntoks = sl__tokenize(norm, toks, 64);
}

static void try_bind(const uint8_t *data, size_t size)
{
    sl__vectors v;
    sl_error err;
    if (sl__vectors_bind(&v, data, size, &err) != SL_OK) return;
    float out[SL__VEC_MAX_DIM];
    for (size_t i = 0; i < ntoks; i++) {
        sl__tok t = toks[i];
        sl__vectors_token(&v, &t, norm, out);
        t.h = 0; /* the zero key too */
        sl__vectors_token(&v, &t, norm, out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    uint8_t *copy = aligned_alloc(64, (size + 64) / 64 * 64);
    if (!copy) return 0;
    memcpy(copy, data, size);
    try_bind(copy, size);
    if (size >= SL__VEC_HEADER_BYTES) {
        uint64_t sum = sl__checksum(copy + SL__VEC_HEADER_BYTES, size - SL__VEC_HEADER_BYTES);
        memcpy(copy + 48, &sum, sizeof sum);
        try_bind(copy, size);
    }
    free(copy);
    return 0;
}
