/* Fuzz target: the query strings of the audit routes (sl__audit_query, src/server/
 * audit_routes.c) on arbitrary bytes. They come from any auditor's client, so the parser must
 * never read past the input, must put any error's byte inside it, and must accept only the
 * exact form: each known name once, "=", a decimal number without leading zero up to
 * INT64_MAX, joined by "&" - so an accepted query is exactly as long as its values printed
 * back. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/audit_routes.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static const char *const names[] = {"from", "to"};
    char *copy = malloc(size ? size : 1); /* exact size: ASan catches a read past the end */
    if (!copy) return 0;
    memcpy(copy, data, size);
    int64_t v[2];
    bool present[2];
    sl_error err = {0};
    if (sl__audit_query(copy, size, names, 2, v, present, &err) == SL_OK) {
        size_t want = 1; /* the "&" between the two pairs */
        for (int k = 0; k < 2; k++) {
            char num[32];
            if (!present[k] || v[k] < 0) abort();
            want += strlen(names[k]) + 1 + (size_t)snprintf(num, sizeof num, "%" PRId64, v[k]);
        }
        if (want != size) abort();
    } else if (err.code != SL_ERR_ARG || (err.byte != SL_NO_POS && err.byte > size)) {
        abort();
    }
    free(copy);
    return 0;
}
