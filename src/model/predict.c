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
    /* models with vectors */
    int32_t *rows; /* each NORM token's vocabulary row, or -1 */
    float *pooled; /* a vector built from n-grams (dim), then the maximum of the vectors (dim) */
    float *tdot;   /* per token: its vector's dot with the self, previous, next weights */
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
        s->rows = malloc(SL__MAX_TOKENS * sizeof *s->rows);
        s->pooled = malloc(2 * dim * sizeof *s->pooled);
        s->tdot = malloc(3 * SL__MAX_TOKENS * sizeof *s->tdot);
    }
    if (!s || !s->ntok || !s->ftok || !s->feats || (dim && (!s->rows || !s->pooled || !s->tdot))) {
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
    free(s->rows);
    free(s->pooled);
    free(s->tdot);
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
        if (sd)
            dense = m->span_bd + s->tdot[3 * t] + (t > 0 ? s->tdot[3 * (t - 1) + 1] : 0) +
                    (t + 1 < nn ? s->tdot[3 * (t + 1) + 2] : 0);
        s->on[t] = span_token_score(m, s->tfeats, k, dense) > m->p->span_threshold;
        s->os[t] = s->ntok[t].os;
        s->oe[t] = s->ntok[t].oe;
    }
    out->spans = s->spans;
    out->nspans = sl__merge_spans(orig, len, s->os, s->oe, s->on, nn, s->spans, SL_MODEL_MAX_SPANS);
}

/* The mean and the token slots are linear in the vectors, so each vocabulary word brings its
 * precomputed dots (model/format.h) and only the maximum reads the vectors. */
void sl__model_vector_logits(const sl_model *m, sl_model_scratch *s, const sl__tok *toks, size_t nn,
                             const sl_view *norm, float dense[SL__CLS_COLS], const float **tdot)
{
    const sl__vectors *v = &m->vec;
    size_t dim = v->dim, cd = m->p->cls_dense, have = 0;
    float sum[SL__WORD_DOTS] = {0}, built[SL__WORD_DOTS];
    float *restrict x = s->pooled, *restrict max = s->pooled + dim;
    *tdot = s->tdot;
    sl__vectors_rows(v, toks, nn, s->rows);
    for (size_t t = 0; t < nn; t++) {
        float *td = s->tdot + 3 * t;
        const float *dots;
        td[0] = td[1] = td[2] = 0;
        if (toks[t].masked) continue; /* group references have no vector */
        if (s->rows[t] >= 0) {
            size_t r = (size_t)s->rows[t];
            const int8_t *restrict q = v->word_w + r * dim;
            float sc = v->word_s[r];
            dots = m->word_dots + r * SL__WORD_DOTS;
            if (!have)
                for (size_t d = 0; d < dim; d++) max[d] = sc * (float)q[d];
            else
                for (size_t d = 0; d < dim; d++) {
                    float y = sc * (float)q[d];
                    max[d] = y > max[d] ? y : max[d];
                }
        } else {
            if (!sl__vectors_token(v, &toks[t], norm, x)) continue;
            sl__model_vector_dots(m, x, built);
            dots = built;
            for (size_t d = 0; d < dim; d++) max[d] = !have || x[d] > max[d] ? x[d] : max[d];
        }
        for (size_t k = 0; k < SL__CLS_COLS; k++) sum[k] += dots[k];
        td[0] = dots[SL__CLS_COLS];
        td[1] = dots[SL__CLS_COLS + 1];
        td[2] = dots[SL__CLS_COLS + 2];
        have++;
    }
    for (size_t c = 0; cd && c < SL__CLS_COLS; c++) {
        dense[c] = m->cls_bd[c];
        if (have) dense[c] += sum[c] / (float)have + sl__dot(max, m->cls_wd + c * cd + dim, dim);
    }
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
        const float *tdot;
        sl__model_vector_logits(m, s, s->ntok, nn, norm, dense, &tdot);
    }
    comment_heads(m, acc, dense, n, out);
    float p_bad = out->probs[1] + out->probs[2];
    if (m->p->has_span && out->probs[0] <= m->p->span_gate)
        tag_spans(m, s, nn, norm, orig, orig_len, p_bad, out);
    return SL_OK;
}
