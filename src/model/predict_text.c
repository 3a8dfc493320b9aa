/* model/predict_text.c — sl_model_predict() over the text layer's views. Kept apart from
 * model/predict.c so that code predicting from views it built itself does not pull in the
 * text layer's view builder. */
#include "model/predict.h"

sl_status sl_model_predict(const sl_model *m, sl_model_scratch *s, const sl_text *text,
                           sl_prediction *out)
{
    if (!m || !s || !text || !out) return SL_ERR_ARG;
    size_t len;
    const char *orig = sl_text_original(text, &len);
    return sl__model_predict_views(m, s, sl_text_view(text, SL_VIEW_NORM),
                                   sl_text_view(text, SL_VIEW_FOLD), orig, len, out);
}
