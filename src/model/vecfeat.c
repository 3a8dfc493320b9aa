/* model/vecfeat.c — pooled comment vectors and token-window vectors (model/vecfeat.h). */
#include "model/vecfeat.h"

#include <string.h>

void sl__vec_comment(const sl__vectors *v, const sl__tok *norm, size_t nn, const sl_view *nv,
                     float *restrict tokvec, float *restrict out)
{
    size_t dim = v->dim, have = 0;
    float *restrict mean = out, *restrict max = out + dim;
    uint8_t kind[SL__MAX_TOKENS];
    if (nn > SL__MAX_TOKENS) nn = SL__MAX_TOKENS;
    sl__vectors_tokens(v, norm, nn, nv, tokvec, kind);
    for (size_t d = 0; d < 2 * dim; d++) out[d] = 0;
    for (size_t i = 0; i < nn; i++) {
        float *restrict x = tokvec + i * dim;
        if (norm[i].masked || !kind[i]) {
            for (size_t d = 0; d < dim; d++) x[d] = 0;
            continue;
        }
        if (!have++) {
            for (size_t d = 0; d < dim; d++) mean[d] = max[d] = x[d];
            continue;
        }
        for (size_t d = 0; d < dim; d++) {
            mean[d] += x[d];
            max[d] = x[d] > max[d] ? x[d] : max[d];
        }
    }
    if (have > 1) {
        float inv = 1.0f / (float)have;
        for (size_t d = 0; d < dim; d++) mean[d] *= inv;
    }
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

float sl__dot(const float *a, const float *b, size_t n)
{
    /* four partial sums: the compiler keeps them in vector registers */
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++) s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}
