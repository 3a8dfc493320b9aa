/* model/predict.h — prediction from views (internal), shared by sl_model_predict() and tools
 * that build views another way. */
#ifndef SL_MODEL_PREDICT_H
#define SL_MODEL_PREDICT_H

#include "sangloc/model.h"

sl_status sl__model_predict_views(const sl_model *m, sl_model_scratch *s, const sl_view *norm,
                                  const sl_view *fold, const char *orig, size_t orig_len,
                                  sl_prediction *out);

/* The dense features' part of the logits for NORM tokens toks[0, nn) of view norm (group
 * references masked): dense[c] of the comment columns, and in *tdot (3 per token, in the
 * scratch) each token's vector's dot with the span tagger's self, previous and next weights.
 * The same values as the features of model/vecfeat.c with the weights of the DENSE section,
 * computed the fast way. Only for models with vectors (m->p->vec_dim > 0). */
struct sl__tok;
void sl__model_vector_logits(const sl_model *m, sl_model_scratch *s, const struct sl__tok *toks,
                             size_t nn, const sl_view *norm, float dense[5], const float **tdot);

#endif
