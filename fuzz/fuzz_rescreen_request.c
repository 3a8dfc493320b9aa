/* Fuzz target: the body of POST /v1/admin/rescreen (src/server/rescreen_request.c) and its
 * ISO-8601 times, on arbitrary bytes. Nothing may read past the input; an error's byte lies
 * inside it; what is accepted keeps the documented limits; a time that parses is not before the
 * epoch. */
#include <stdlib.h>
#include <string.h>

#include "server/rescreen_request.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *s = malloc(size ? size : 1); /* exact size: ASan catches a read past the end */
    if (!s) return 0;
    memcpy(s, data, size);
    sl_error err = {0};
    sl__rescreen_query q;
    sl_status st = sl__req_rescreen(s, size, 1796000000000, &q, &err);
    if (st && err.byte != SL_NO_POS && err.byte > size) abort();
    if (!st && (q.limit < 1 || q.limit > SL_RESCREEN_MAX_ITEMS || q.since < 0 || q.after < 0))
        abort();
    int64_t ms;
    if (sl__iso8601_ms(s, size, &ms) && ms < 0) abort();
    free(s);
    return 0;
}
