/* Fuzz target: the review workflow's request bodies and the notice query string
 * (src/server/workflow_req.c) on arbitrary bytes. The first byte picks the shape: a decision
 * body, a report body, an appeal body, or a notice query. Nothing may read past the input; an
 * error's byte lies inside it; what is accepted keeps every limit and every required field. */
#include <stdlib.h>
#include <string.h>

#include "sangloc/store.h"
#include "server/workflow_req.h"

static void check_fields(const sl__wf_field *f, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (f[k].required && !f[k].present) abort();
        if (f[k].type != SL__WF_UINT && f[k].str.len > f[k].max) abort();
        if (f[k].type == SL__WF_UINT && f[k].num > f[k].max) abort();
        if (f[k].present && f[k].type != SL__WF_UINT && f[k].str.len &&
            memchr(f[k].str.data, 0, f[k].str.len))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 1) return 0;
    unsigned mode = data[0] & 3;
    size--;
    char *s = malloc(size ? size : 1); /* exact size: ASan catches a read past the end */
    if (!s) return 0;
    memcpy(s, data + 1, size);
    sl_error err = {0};
    sl_status st;
    if (mode == 3) {
        sl__notice_query q;
        st = sl__wf_notice_query(s, size, &q, &err);
        if (st && err.byte != SL_NO_POS && err.byte > size) abort();
        if (!st && (q.token_len >= sizeof q.token || q.lang < -1 || q.lang > 1)) abort();
        free(s);
        return 0;
    }
    sl__wf_field f[5] = {
        {.key = "outcome", .type = SL__WF_STR, .max = 16, .required = true},
        {.key = "rule", .type = SL__WF_STR, .max = SL_STORE_MAX_RULE, .required = mode == 0},
        {.key = "id", .type = SL__WF_ID, .max = SL_STORE_MAX_ITEM_ID, .required = mode == 1},
        {.key = "text", .type = SL__WF_STR, .max = SL_STORE_MAX_NOTE},
        {.key = "version", .type = SL__WF_UINT, .max = INT64_MAX},
    };
    size_t n = mode == 2 ? 2 : 5;
    st = sl__wf_body(s, size, f, n, &err);
    if (st && err.byte != SL_NO_POS && err.byte > size) abort();
    if (!st) check_fields(f, n);
    sl__wf_free(f, n);
    free(s);
    return 0;
}
