/* model/vecfeat.c — pooled comment vectors and token-window vectors (model/vecfeat.h). */
#include "model/vecfeat.h"

#include <string.h>

void sl__vec_comment(const sl__vectors *v, const sl__tok *norm, size_t nn, const sl_view *nv,
                     float *tokvec, float *out)
{
    size_t dim = v->dim, have = 0;
    float *mean = out, *max = out + dim;
    memset(out, 0, 2 * dim * sizeof *out);
    for (size_t i = 0; i < nn; i++) {
        float *x = tokvec + i * dim;
        if (norm[i].masked || !sl__vectors_token(v, &norm[i], nv, x)) {
            memset(x, 0, dim * sizeof *x);
            continue;
        }
        if (!have++) {
            memcpy(mean, x, dim * sizeof *x);
            memcpy(max, x, dim * sizeof *x);
            continue;
        }
        for (size_t d = 0; d < dim; d++) {
            mean[d] += x[d];
            max[d] = x[d] > max[d] ? x[d] : max[d];
        }
    }
    if (have > 1)
        for (size_t d = 0; d < dim; d++) mean[d] /= (float)have;
}

void sl__vec_token(const float *tokvec, size_t nn, size_t t, size_t dim, float *out)
{
    memcpy(out, tokvec + t * dim, dim * sizeof *out);
    if (t > 0)
        memcpy(out + dim, tokvec + (t - 1) * dim, dim * sizeof *out);
    else
        memset(out + dim, 0, dim * sizeof *out);
    if (t + 1 < nn)
        memcpy(out + 2 * dim, tokvec + (t + 1) * dim, dim * sizeof *out);
    else
        memset(out + 2 * dim, 0, dim * sizeof *out);
}

float sl__dense_dot(const float *x, const float *mu, const float *inv, const float *w,
                    size_t stride, size_t n)
{
    float acc = 0;
    for (size_t i = 0; i < n; i++) acc += (x[i] - mu[i]) * inv[i] * w[i * stride];
    return acc;
}
