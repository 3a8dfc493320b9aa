/* Fuzz target: the queue cursor parser (src/store/cursor.c) on arbitrary bytes. A cursor comes
 * back from clients, so the parser must never read past the input, must put any error's byte
 * inside it, and must accept only canonical text: whatever it accepts encodes back to exactly
 * the same bytes, with every field in range. */
#include <stdlib.h>
#include <string.h>

#include "store/cursor.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *copy = malloc(size ? size : 1); /* exact size: ASan catches a read past the end */
    if (!copy) return 0;
    memcpy(copy, data, size);
    sl__cursor c;
    sl_error err = {0};
    sl_status st = sl__cursor_parse(copy, size, &c, &err);
    if (st == SL_OK) {
        char again[SL_STORE_CURSOR_SIZE];
        sl__cursor_encode(&c, again);
        if (size != SL_STORE_CURSOR_LEN || memcmp(again, copy, size)) abort();
        if (c.severity < 0 || c.severity > SL_CURSOR_MAX_SEVERITY || c.opened_at < 0 ||
            c.case_id < 1)
            abort();
    } else if (st != SL_ERR_CURSOR || err.byte > size) {
        abort();
    }
    free(copy);
    return 0;
}
