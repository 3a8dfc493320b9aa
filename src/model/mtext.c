/* model/mtext.c — NORM and FOLD views through the text layer, for the model's own callers
 * (trainer, eval, tests), so training and prediction read exactly the same views. */
#include "model/mtext.h"

#include <string.h>

sl_status sl__mtext_build(sl__mtext *t, const char *data, size_t len, sl_error *err)
{
    if (!t->text && !(t->text = sl_text_new()))
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    sl_status st = sl_text_build(t->text, data, len, err);
    if (st) return st;
    t->view[0] = *sl_text_view(t->text, SL_VIEW_NORM);
    t->view[1] = *sl_text_view(t->text, SL_VIEW_FOLD);
    return SL_OK;
}

void sl__mtext_free(sl__mtext *t)
{
    sl_text_free(t->text);
    memset(t, 0, sizeof *t);
}
