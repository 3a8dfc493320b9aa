/* model/vecfeat.h — dense features read from pretrained vectors, shared by training and
 * prediction (internal).
 *
 * The comment features are the mean and the maximum, per dimension, of the vectors of its NORM
 * tokens; the span tagger's features of a token are its own vector and its two neighbours'.
 * Group references get no vector (zeros, and left out of the pooling), for the same reason the
 * hashed features skip them: naming a group is evidence of nothing, and vectors learned from
 * comments would carry the contexts groups are named in. */
#ifndef SL_MODEL_VECFEAT_H
#define SL_MODEL_VECFEAT_H

#include <stddef.h>

#include "model/feat.h"
#include "model/vectors.h"

/* Writes the vector of each of the nn NORM tokens to tokvec[i * dim] (zeros for group
 * references and tokens without a vector) and the pooled comment features to out[0, 2 * dim):
 * the mean over tokens with a vector, then their maximum (zeros when no token has one). */
void sl__vec_comment(const sl__vectors *v, const sl__tok *norm, size_t nn, const sl_view *nv,
                     float *restrict tokvec, float *restrict out);

/* The token features of token t: its vector, the previous token's, the next token's (zeros
 * past either end), 3 * dim floats to out. */
void sl__vec_token(const float *tokvec, size_t nn, size_t t, size_t dim, float *out);

/* sum over i < n of a[i] * b[i] */
float sl__dot(const float *a, const float *b, size_t n);

#endif
