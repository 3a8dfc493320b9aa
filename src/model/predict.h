/* model/predict.h — prediction from views (internal), shared by sl_model_predict() and tools
 * that build views another way. */
#ifndef SL_MODEL_PREDICT_H
#define SL_MODEL_PREDICT_H

#include "sangloc/model.h"

sl_status sl__model_predict_views(const sl_model *m, sl_model_scratch *s, const sl_view *norm,
                                  const sl_view *fold, const char *orig, size_t orig_len,
                                  sl_prediction *out);

#endif
