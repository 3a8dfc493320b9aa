/* model/train_span.c — the span tagger: a logistic model over NORM tokens.
 *
 * A token is a positive example when at least half of its original bytes lie in gold spans
 * (ViHOS marks whole words, so this is nearly always all or nothing). Each token also sees the
 * classifier's P(not clean) of its comment, bucketed, so the same word can be tagged in an
 * insulting comment and left alone in a clean one. The threshold and the gate (no spans when
 * P(clean) is high) are tuned on dev span F1 through the same merge prediction uses. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/metrics.h"
#include "sangloc/metrics.h"
#include "model/train.h"
#include "model/vecfeat.h"

static float sigmoidf_(float x)
{
    return 1.0f / (1.0f + expf(-x));
}

/* xd: the comment's standardized dense features, or NULL. */
static float classifier_pclean(const sl_trainer *t, const uint32_t *f, size_t n, const float *xd,
                               float *p_bad)
{
    float z[3], mx, s = 0, e[3];
    for (int c = 0; c < 3; c++)
        z[c] = sl__train_cls_logit(t, t->W, SL__CLS_COLS, c, f, n, xd) + t->params.cls_bias[c];
    mx = fmaxf(z[0], fmaxf(z[1], z[2]));
    for (int c = 0; c < 3; c++) s += e[c] = expf(z[c] - mx);
    *p_bad = (e[1] + e[2]) / s;
    return e[0] / s;
}

static int gold_label(const doc *x, uint32_t os, uint32_t oe)
{
    uint32_t in = 0;
    for (size_t i = 0; i < x->nspans; i++) {
        uint32_t a = x->spans[2 * i], b = x->spans[2 * i + 1];
        uint32_t lo = a > os ? a : os, hi = b < oe ? b : oe;
        if (hi > lo) in += hi - lo;
    }
    return oe > os && 2 * in >= oe - os;
}

/* The classifier's out-of-fold P(not clean) of a training text, when it was scored in the
 * cross-validation: the tagger then learns how far to trust the classifier on texts the
 * classifier has not seen, which is what it gets at run time. */
static int oof_pbad(const sl_trainer *t, uint64_t th, float *p_bad)
{
    size_t lo = 0, hi = t->noof;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->oof_th[mid] < th)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == t->noof || t->oof_th[lo] != th) return 0;
    *p_bad = t->oof_pbad[lo];
    return 1;
}

/* Token examples of one comment (views rebuilt from its text). */
static sl_status comment_tokens(sl_trainer *t, doc *x, docs *toks, sl_error *err)
{
    sl_status st = sl__mtext_build(&t->mt, x->text, x->len, err);
    if (st) return st;
    size_t nn, n = sl__train_comment_feats(t, &nn);
    float p_bad, *xd = t->dn && t->dstd && (t->vec_use & SL_VEC_COMMENT) ? t->dbuf : NULL;
    for (size_t i = 0; xd && i < t->dn; i++) xd[i] = (xd[i] - t->dmu[i]) * t->dinv[i];
    x->pclean = t->params.has_cls ? classifier_pclean(t, t->fbuf, n, xd, &p_bad) : 0.5f;
    if (!t->params.has_cls) p_bad = 0.5f;
    if (toks == &t->tok[0] && oof_pbad(t, x->th, &p_bad)) x->pclean = 1 - p_bad;
    x->off = toks->n;
    x->n = (uint32_t)nn;
    for (size_t i = 0; i < nn && !st; i++) {
        uint32_t f[SL__TOKEN_FEATS];
        size_t k = sl__token_features(t->ntok, nn, i, &t->mt.view[0], p_bad, t->cfg.span_bits, NULL,
                                      f, SL__TOKEN_FEATS);
        doc tk = {0};
        tk.os = t->ntok[i].os;
        tk.oe = t->ntok[i].oe;
        tk.y = (int8_t)gold_label(x, tk.os, tk.oe);
        tk.n = (uint32_t)k;
        st = sl__train_pool_append(t, f, k, &tk.off);
        if (!st && t->sn) {
            sl__vec_token(t->tokvec, nn, i, t->vec.dim, t->dbuf);
            st = sl__train_dense_append(t, t->dbuf, t->sn, &tk.doff);
        }
        if (!st) st = sl__docs_push(toks, &tk);
    }
    return st ? sl_error_set(err, st, SL_NO_POS, "out of memory") : SL_OK;
}

typedef struct span_eval {
    float *p; /* per dev token probability */
    uint32_t *os, *oe, *out;
    uint8_t *on;
    size_t maxtok;
} span_eval;

/* Dev span F1 (per comment, averaged) for a threshold and gate; *chars receives the pooled
 * character-level macro-F1 of the same spans. */
static double dev_span_f1(const sl_trainer *t, span_eval *ev, float thr, float gate, double *chars)
{
    const docs *dv = &t->spx[1];
    double sum = 0;
    long conf[4] = {0};
    for (size_t i = 0; i < dv->n; i++) {
        const doc *x = &dv->v[i];
        size_t np = 0;
        if (x->pclean <= gate) {
            for (uint32_t k = 0; k < x->n; k++) {
                const doc *tk = &t->tok[1].v[x->off + k];
                ev->os[k] = tk->os;
                ev->oe[k] = tk->oe;
                ev->on[k] = ev->p[x->off + k] > thr;
            }
            np = sl__merge_spans(x->text, x->len, ev->os, ev->oe, ev->on, x->n, ev->out,
                                 SL_MODEL_MAX_SPANS);
        }
        sum += sl__span_f1(x->text, x->len, ev->out, np, x->spans, x->nspans);
        sl_metrics_span_chars(x->text, x->len, ev->out, np, x->spans, x->nspans, conf);
    }
    *chars = sl__macro_f1(conf, 2, NULL);
    return dv->n ? sum / (double)dv->n : 0;
}

/* Best threshold and gate for dev span F1. A lower gate skips tagging for more comments and so
 * saves most of the tagger's time on clean traffic: among settings within GATE_SLACK of the
 * best F1, the lowest gate wins. */
#define GATE_SLACK 0.003

static double tune_spans(const sl_trainer *t, span_eval *ev, float *thr, float *gate, double *chars)
{
    static const float gates[] = {0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 0.95f, 0.98f, 2.0f};
    enum { NG = sizeof gates / sizeof gates[0], NT = 41 };
    double f[NG][NT], c[NG][NT], best = -1;
    for (size_t g = 0; g < NG; g++)
        for (int k = 0; k < NT; k++) {
            f[g][k] = dev_span_f1(t, ev, (10 + 2 * k) / 100.0f, gates[g], &c[g][k]);
            if (f[g][k] > best) best = f[g][k];
        }
    for (size_t g = 0; g < NG; g++) {
        int bk = -1;
        for (int k = 0; k < NT; k++)
            if (f[g][k] >= best - GATE_SLACK && (bk < 0 || f[g][k] > f[g][bk])) bk = k;
        if (bk < 0) continue;
        *thr = (10 + 2 * bk) / 100.0f;
        *gate = gates[g];
        *chars = c[g][bk];
        return f[g][bk];
    }
    return best;
}

/* A token's logit without the intercept: hashed features, then the dense ones (standardized,
 * in the rows after the hashed table). */
static float span_logit(const sl_trainer *t, const doc *x)
{
    float acc = sl__train_logit(t->SW, 1, 0, t->pool + x->off, x->n);
    if (!t->sn) return acc;
    const float *wd = t->SW + ((size_t)1 << t->cfg.span_bits), *xd = t->dpool + x->doff;
    for (size_t i = 0; i < t->sn; i++) acc += wd[i] * xd[i];
    return acc;
}

static void span_step(sl_trainer *t, const doc *x, float g)
{
    sl__train_adagrad(t->SW, t->SG, 1, 0, t->pool + x->off, x->n, g, t->cfg.lr);
    if (!t->sn) return;
    size_t base = (size_t)1 << t->cfg.span_bits;
    const float *xd = t->dpool + x->doff;
    for (size_t i = 0; i < t->sn; i++) {
        float gi = g * xd[i];
        t->SG[base + i] += gi * gi;
        t->SW[base + i] -= t->cfg.lr * gi / sqrtf(t->SG[base + i] + 1e-6f);
    }
}

static void span_epoch(sl_trainer *t, size_t *order, uint64_t *rng, const float cw[2], float *b)
{
    const docs *tr = &t->tok[0];
    sl__train_shuffle(order, tr->n, rng);
    for (size_t k = 0; k < tr->n; k++) {
        const doc *x = &tr->v[order[k]];
        float p = sigmoidf_(span_logit(t, x) + *b);
        float g = cw[x->y] * (p - (float)x->y);
        span_step(t, x, g);
        *b -= 0.01f * g;
    }
}

/* The token features' scale from the training tokens, applied to every token. */
static sl_status standardize_tokens(sl_trainer *t)
{
    const docs *tr = &t->tok[0];
    float *rows = malloc((tr->n + 1) * t->sn * sizeof *rows);
    if (!rows) return SL_ERR_NOMEM;
    for (size_t i = 0; i < tr->n; i++)
        memcpy(rows + i * t->sn, t->dpool + tr->v[i].doff, t->sn * sizeof *rows);
    sl__train_dense_scale(rows, tr->n, t->sn, t->sn, t->smu, t->sinv);
    free(rows);
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < t->tok[s].n; i++) {
            float *xd = t->dpool + t->tok[s].v[i].doff;
            for (size_t j = 0; j < t->sn; j++) xd[j] = (xd[j] - t->smu[j]) * t->sinv[j];
        }
    return SL_OK;
}

static sl_status build_tokens(sl_trainer *t, sl_error *err)
{
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < t->spx[s].n; i++) {
            sl_status st = comment_tokens(t, &t->spx[s].v[i], &t->tok[s], err);
            if (st) return st;
        }
    if (t->sn && standardize_tokens(t))
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    return SL_OK;
}

static void dev_probs(const sl_trainer *t, float b, float *p)
{
    const docs *d = &t->tok[1];
    for (size_t i = 0; i < d->n; i++) p[i] = sigmoidf_(span_logit(t, &d->v[i]) + b);
}

static sl_status fit(sl_trainer *t, span_eval *ev, float *saved, size_t *order)
{
    size_t rows = sl__train_span_rows(t);
    float cw[2], b = 0, thr = 0.5f, gate = 2.0f;
    double best = -1;
    uint64_t rng = t->cfg.seed ^ 0x5a;
    sl__train_class_weights(&t->tok[0], 2, 0, t->cfg.class_power, cw);
    for (unsigned e = 0; e < t->cfg.epochs; e++) {
        span_epoch(t, order, &rng, cw, &b);
        dev_probs(t, b, ev->p);
        double chars = 0, f = t->spx[1].n ? tune_spans(t, ev, &thr, &gate, &chars) : 0;
        sl__train_log(t,
                      "spans epoch %u: dev span F1 %.4f, character macro-F1 %.4f (threshold "
                      "%.2f, gate %.2f)\n",
                      e + 1, f, chars, thr, gate);
        if (f > best || !t->spx[1].n) {
            best = f;
            memcpy(saved, t->SW, rows * sizeof *saved);
            t->params.span_bias = b;
            t->params.span_threshold = thr;
            t->params.span_gate = gate;
        }
    }
    memcpy(t->SW, saved, rows * sizeof *saved);
    t->params.has_span = 1;
    return SL_OK;
}

sl_status sl__train_spans(sl_trainer *t, sl_error *err)
{
    size_t rows = sl__train_span_rows(t);
    sl_status st = build_tokens(t, err);
    if (st) return st;
    t->SW = calloc(rows, sizeof *t->SW);
    t->SG = calloc(rows, sizeof *t->SG);
    float *saved = malloc(rows * sizeof *saved);
    size_t *order = sl__train_identity(t->tok[0].n), nd = t->tok[1].n + 1;
    span_eval ev = {malloc(nd * sizeof(float)),
                    malloc(SL__MAX_TOKENS * sizeof(uint32_t)),
                    malloc(SL__MAX_TOKENS * sizeof(uint32_t)),
                    malloc(2 * SL_MODEL_MAX_SPANS * sizeof(uint32_t)),
                    malloc(SL__MAX_TOKENS),
                    SL__MAX_TOKENS};
    if (t->SW && t->SG && saved && order && ev.p && ev.os && ev.oe && ev.out && ev.on)
        st = fit(t, &ev, saved, order);
    else
        st = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    free(saved);
    free(order);
    free(ev.p);
    free(ev.os);
    free(ev.oe);
    free(ev.out);
    free(ev.on);
    return st;
}
