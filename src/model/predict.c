/* model/predict.c — inference: comment scores, toxicity, constructiveness and offensive spans.
 *
 * One pass tokenizes NORM and FOLD, hashes the comment features and sums the int8 weight rows
 * (five columns per row, so one cache line per feature serves every comment-level head). The
 * span tagger then scores each NORM token unless the comment is confidently clean, and merges
 * neighbouring offensive tokens separated only by white space into one span (model/metrics.c),
 * as ViHOS marks multi-word insults. All memory is in the per-thread scratch; the model is only
 * read. */
#include "model/predict.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/feat.h"
#include "model/format.h"
#include "model/metrics.h"
#include "model/vecfeat.h"

struct sl_model_scratch {
    sl__tok *ntok, *ftok;
    uint32_t *feats;
    uint32_t tfeats[SL__TOKEN_FEATS];
    uint32_t spans[2 * SL_MODEL_MAX_SPANS];
    uint32_t os[SL__MAX_TOKENS], oe[SL__MAX_TOKENS]; /* token spans for the merge */
    uint8_t on[SL__MAX_TOKENS];                      /* token tagged offensive */
    float *tokvec; /* models with vectors: each NORM token's vector (SL__MAX_TOKENS x dim) */
    float *pooled; /* the comment's dense features (2 x dim) */
    float *window; /* one token's dense features (3 x dim) */
};

sl_status sl_model_scratch_new(const sl_model *m, sl_model_scratch **out)
{
    if (!m || !out) return SL_ERR_ARG;
    sl_model_scratch *s = calloc(1, sizeof *s);
    if (s) {
        s->ntok = malloc(SL__MAX_TOKENS * sizeof *s->ntok);
        s->ftok = malloc(SL__MAX_TOKENS * sizeof *s->ftok);
        s->feats = malloc(SL__MAX_FEATS * sizeof *s->feats);
    }
    size_t dim = m->p->vec_dim;
    if (s && dim) {
        s->tokvec = malloc(SL__MAX_TOKENS * dim * sizeof *s->tokvec);
        s->pooled = malloc(2 * dim * sizeof *s->pooled);
        s->window = malloc(3 * dim * sizeof *s->window);
    }
    if (!s || !s->ntok || !s->ftok || !s->feats ||
        (dim && (!s->tokvec || !s->pooled || !s->window))) {
        sl_model_scratch_free(s);
        *out = NULL;
        return SL_ERR_NOMEM;
    }
    *out = s;
    return SL_OK;
}

void sl_model_scratch_free(sl_model_scratch *s)
{
    if (!s) return;
    free(s->ntok);
    free(s->ftok);
    free(s->feats);
    free(s->tokvec);
    free(s->pooled);
    free(s->window);
    free(s);
}

static float sigmoid(float x)
{
    return 1.0f / (1.0f + expf(-x));
}

/* Sums the dequantized rows of the comment table over the features. The first four columns
 * go four-wide (the same multiply and add per column, in the same order: bit-identical to the
 * scalar loop), the fifth alone, all in registers. */
typedef float f4 __attribute__((vector_size(16)));
typedef int32_t i4 __attribute__((vector_size(16)));

static void comment_sums(const sl_model *m, const uint32_t *f, size_t n, float acc[SL__CLS_COLS])
{
    _Static_assert(SL__CLS_COLS == 5, "four columns in a vector and one apart");
    const int8_t *w = m->cls_w;
    const float *sc = m->cls_s;
    f4 a4 = {0, 0, 0, 0};
    float a5 = 0;
    for (size_t i = 0; i < n; i++) {
        const int8_t *row = w + (size_t)f[i] * SL__CLS_COLS;
        const float *s = sc + (size_t)(f[i] / SL__BLOCK_ROWS) * SL__CLS_COLS;
        i4 r = {row[0], row[1], row[2], row[3]};
        f4 s4;
        memcpy(&s4, s, sizeof s4);
        a4 += __builtin_convertvector(r, f4) * s4;
        a5 += (float)row[4] * s[4];
    }
    memcpy(acc, &a4, sizeof a4);
    acc[4] = a5;
}

static void softmax3(const float z[3], float p[3])
{
    float mx = fmaxf(z[0], fmaxf(z[1], z[2]));
    float e0 = expf(z[0] - mx), e1 = expf(z[1] - mx), e2 = expf(z[2] - mx);
    float sum = e0 + e1 + e2;
    p[0] = e0 / sum;
    p[1] = e1 / sum;
    p[2] = e2 / sum;
}

/* acc: the hashed features' sums; dense: the dense features' part of each column's logit. */
static void comment_heads(const sl_model *m, const float acc[SL__CLS_COLS],
                          const float dense[SL__CLS_COLS], size_t n, sl_prediction *out)
{
    const sl__params *p = m->p;
    float v = n ? 1.0f / sqrtf((float)n) : 0;
    float z[3], best = -INFINITY;
    for (int c = 0; c < 3; c++) z[c] = acc[c] * v + dense[c] + p->cls_bias[c];
    softmax3(z, out->probs);
    out->label = SL_LABEL_CLEAN;
    for (int c = 0; c < 3; c++) {
        float d = z[c] + p->decision_bias[c];
        if (d > best) {
            best = d;
            out->label = c;
        }
    }
    if (!p->has_cls) {
        out->probs[0] = 1, out->probs[1] = out->probs[2] = 0;
        out->label = SL_LABEL_CLEAN;
    }
    float zt = acc[SL__COL_TOXIC] * v + dense[SL__COL_TOXIC] + p->ctsd_bias[0];
    float zc = acc[SL__COL_CONSTRUCTIVE] * v + dense[SL__COL_CONSTRUCTIVE] + p->ctsd_bias[1];
    out->toxic = p->toxic_from_cls ? out->probs[1] + out->probs[2] : sigmoid(zt);
    out->constructive = p->has_ctsd ? sigmoid(zc) : 0;
}

/* P(offensive) of a token from its hashed features f and the dense part of its logit. */
static float span_token_score(const sl_model *m, const uint32_t *f, size_t n, float dense)
{
    float acc = 0;
    for (size_t i = 0; i < n; i++) acc += (float)m->span_w[f[i]] * m->span_s[f[i] / SL__BLOCK_ROWS];
    return sigmoid(acc * (n ? 1.0f / sqrtf((float)n) : 0) + dense + m->p->span_bias);
}

static void tag_spans(const sl_model *m, sl_model_scratch *s, size_t nn, const sl_view *norm,
                      const char *orig, size_t len, float p_bad, sl_prediction *out)
{
    const sl__rows rows = {m->span_w, sizeof *m->span_w};
    size_t sd = m->p->span_dense;
    for (size_t t = 0; t < nn; t++) {
        size_t k = sl__token_features(s->ntok, nn, t, norm, p_bad, m->p->span_bits, &rows,
                                      s->tfeats, SL__TOKEN_FEATS);
        float dense = 0;
        if (sd) {
            sl__vec_token(s->tokvec, nn, t, m->p->vec_dim, s->window);
            dense = sl__dense_dot(s->window, m->dense.span_mu, m->dense.span_inv, m->dense.span_w,
                                  1, sd);
        }
        s->on[t] = span_token_score(m, s->tfeats, k, dense) > m->p->span_threshold;
        s->os[t] = s->ntok[t].os;
        s->oe[t] = s->ntok[t].oe;
    }
    out->spans = s->spans;
    out->nspans = sl__merge_spans(orig, len, s->os, s->oe, s->on, nn, s->spans, SL_MODEL_MAX_SPANS);
}

sl_status sl__model_predict_views(const sl_model *m, sl_model_scratch *s, const sl_view *norm,
                                  const sl_view *fold, const char *orig, size_t orig_len,
                                  sl_prediction *out)
{
    if (!m || !s || !norm || !fold || !out || (!orig && orig_len)) return SL_ERR_ARG;
    memset(out, 0, sizeof *out);
    out->spans = s->spans;
    size_t nn = sl__tokenize(norm, s->ntok, SL__MAX_TOKENS);
    size_t nf = sl__tokenize(fold, s->ftok, SL__MAX_TOKENS);
    sl__mask_targets(&m->targets, s->ntok, nn);
    sl__mask_align(s->ntok, nn, s->ftok, nf);
    const sl__rows rows = {m->cls_w, SL__CLS_COLS};
    size_t n = sl__comment_features(s->ntok, nn, s->ftok, nf, fold, m->p->cls_bits, &rows, s->feats,
                                    SL__MAX_FEATS);
    float acc[SL__CLS_COLS], dense[SL__CLS_COLS] = {0};
    comment_sums(m, s->feats, n, acc);
    if (m->p->vec_dim) {
        /* the token vectors serve the span tagger too */
        sl__vec_comment(&m->vec, s->ntok, nn, norm, s->tokvec, s->pooled);
        const sl__dense *d = &m->dense;
        for (size_t c = 0; m->p->cls_dense && c < SL__CLS_COLS; c++)
            dense[c] = sl__dense_dot(s->pooled, d->cls_mu, d->cls_inv, d->cls_w + c, SL__CLS_COLS,
                                     m->p->cls_dense);
    }
    comment_heads(m, acc, dense, n, out);
    float p_bad = out->probs[1] + out->probs[2];
    if (m->p->has_span && out->probs[0] <= m->p->span_gate)
        tag_spans(m, s, nn, norm, orig, orig_len, p_bad, out);
    return SL_OK;
}
