/* Fuzz target: the body of POST /v1/banks/{name}/items (src/server/bank_request.c over the
 * envelope of request.c) on arbitrary bytes. Nothing may read past the input; an error's byte
 * lies inside it; an accepted item has its three fields, a known kind and sizes within the
 * limits, and sl_bank_check_item can judge it. */
#include <stdlib.h>
#include <string.h>

#include "server/bank_request.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *s = malloc(size ? size : 1); /* exact size: ASan catches a read past the end */
    if (!s) return 0;
    memcpy(s, data, size);
    sl__envelope env;
    sl_error err = {0};
    sl_status st = sl__req_envelope(s, size, 1000, &env, &err);
    if (st && err.byte != SL_NO_POS && err.byte > size) abort();
    for (size_t k = 0; !st && k < env.n; k++) {
        sl__bank_req_item it;
        sl_error e = {0};
        sl_status ist = sl__req_bank_item(s, env.items[k], &it, &e);
        if (ist && e.byte != SL_NO_POS && e.byte > size) abort();
        if (!ist && !it.bad) {
            if (!it.has_id || !it.has_kind || !it.has_text || !it.item.id_len) abort();
            if (it.item.text_len > SL_BANK_MAX_TEXT || it.item.id_len > SL_BANK_MAX_TEXT) abort();
            if ((unsigned)it.item.kind >= SL_BANK_KIND_COUNT_) abort();
            sl_error ce;
            (void)sl_bank_check_item(&it.item, &ce);
        }
        sl__bank_req_item_free(&it);
    }
    if (!st) sl__envelope_free(&env);
    free(s);
    return 0;
}
