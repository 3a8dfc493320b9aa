/* model/mtext.h — the NORM and FOLD views the model reads, built from raw bytes (internal).
 *
 * Training, evaluation and tests all go through this one function so that every caller feeds
 * the model the same views as sl_model_predict() reads from an sl_text. */
#ifndef SL_MODEL_MTEXT_H
#define SL_MODEL_MTEXT_H

#include <stddef.h>

#include "sangloc/text.h"

typedef struct sl__mtext {
    sl_text *text;
    sl_view view[2]; /* [0] NORM, [1] FOLD; valid until the next build */
} sl__mtext;

/* Builds the views of data[0, len) (the text layer's errors: invalid UTF-8, NUL, too large). */
sl_status sl__mtext_build(sl__mtext *t, const char *data, size_t len, sl_error *err);
void sl__mtext_free(sl__mtext *t);

#endif
