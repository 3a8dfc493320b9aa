/* Fuzz target: the model file loader on arbitrary bytes. A file that loads must also predict
 * without reading outside its tables (the loader promised every size was checked). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sangloc/model.h"
#include "sangloc/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_model *m = NULL;
    sl_error err;
    if (sl_model_load_memory(data, size, &m, &err) != SL_OK) return 0;
    sl_model_scratch *s = NULL;
    sl_text *t = sl_text_new();
    static const char text[] = "Thằng n.g.u này nói gì vậy 😒 đồ điên";
    if (t && !sl_model_scratch_new(m, &s) && !sl_text_build(t, text, strlen(text), &err)) {
        sl_prediction p;
        sl_model_predict(m, s, t, &p);
    }
    sl_text_free(t);
    sl_model_scratch_free(s);
    sl_model_free(m);
    return 0;
}
