/* Fuzz target: the model file loader on arbitrary bytes. The bytes are tried as they are, then
 * with their checksum repaired, so that mutations get past the checksum to the structural
 * checks (sizes, offsets, alignment, settings). A file that loads must also predict without
 * reading outside its tables. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/format.h"
#include "sangloc/model.h"
#include "sangloc/text.h"

static void try_load(const uint8_t *data, size_t size)
{
    sl_model *m = NULL;
    sl_error err;
    if (sl_model_load_memory(data, size, &m, &err) != SL_OK) return;
    sl_model_scratch *s = NULL;
    sl_text *t = sl_text_new();
    static const char text[] = "Thằng n.g.u này nói gì vậy 😒 đồ điên, công an làm việc tốt";
    if (t && !sl_model_scratch_new(m, &s) && !sl_text_build(t, text, strlen(text), &err)) {
        sl_prediction p;
        sl_model_predict(m, s, t, &p);
    }
    sl_text_free(t);
    sl_model_scratch_free(s);
    sl_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try_load(data, size);
    if (size < SL__HEADER_BYTES) return 0;
    uint8_t *copy = malloc(size);
    if (!copy) return 0;
    memcpy(copy, data, size);
    uint64_t sum = sl__checksum(copy + SL__HEADER_BYTES, size - SL__HEADER_BYTES);
    memcpy(copy + 24, &sum, sizeof sum);
    try_load(copy, size);
    free(copy);
    return 0;
}
