/* Fuzz target: the query of GET /v1/transparency/statements (src/server/transparency.c), on
 * arbitrary bytes. Nothing may read past the input; an error's byte lies inside it (or at its
 * end); what is accepted keeps the documented limits. */
#include <stdlib.h>
#include <string.h>

#include "server/transparency.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *s = malloc(size ? size : 1); /* exact size: ASan catches a read past the end */
    if (!s) return 0;
    memcpy(s, data, size);
    sl_error err = {0};
    sl__statements_query q;
    sl_status st = sl__req_statements_query(s, size, &q, &err);
    if (st && err.byte != SL_NO_POS && err.byte > size) abort();
    if (!st && (q.limit < 1 || q.limit > SL_STORE_MAX_PAGE || q.since < 0 ||
                q.cursor_len > SL_STORE_CURSOR_LEN || strlen(q.cursor) != q.cursor_len))
        abort();
    free(s);
    return 0;
}
