/* Fuzz target: the bank-file loader and the item JSON parser on arbitrary bytes. The first byte
 * chooses: even -> the rest is a bank file (sl_bank_open_memory, then list, match one post);
 * odd -> the rest is one JSON line of `sangloc bank add`. Neither may crash or leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sangloc/bank.h"
#include "sangloc/text.h"

/* src/cli/cmd_bank.c */
sl_status sl__bank_item_from_json(const cJSON *obj, sl_bank_kind kind, sl_bank_item *it,
                                  sl_error *err);

static void load(const uint8_t *data, size_t size)
{
    sl_bank *b = NULL;
    sl_error err;
    if (sl_bank_open_memory(data, size, &b, &err)) return;
    sl_bank_item it;
    for (size_t cur = 0; sl_bank_next(b, &cur, &it);) (void)it;
    sl_bank_scratch *s = NULL;
    sl_text *t = sl_text_new();
    const char *post = "uong nuoc nong diet virus corona trong co the moi nguoi can than";
    if (t && !sl_bank_scratch_new(b, &s) && !sl_text_build(t, post, strlen(post), &err)) {
        sl_bank_match m[4];
        size_t n = 0;
        sl_bank_match_text(b, s, t, 0.0f, m, 4, &n);
    }
    sl_bank_scratch_free(s);
    sl_text_free(t);
    sl_bank_close(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    if (data[0] % 2 == 0) {
        /* copy so the mapping is 8-byte aligned like an mmap */
        uint64_t *copy = malloc((size - 1) / 8 + 1 ? ((size - 1) / 8 + 1) * 8 : 8);
        if (!copy) return 0;
        memcpy(copy, data + 1, size - 1);
        load((const uint8_t *)copy, size - 1);
        free(copy);
        return 0;
    }
    cJSON *j = cJSON_ParseWithLength((const char *)data + 1, size - 1);
    sl_bank_item it;
    sl_error err;
    sl__bank_item_from_json(j, SL_BANK_HOAX, &it, &err);
    cJSON_Delete(j);
    return 0;
}
