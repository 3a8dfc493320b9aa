/* model/train_heads.c — the comment-level heads: the clean/offensive/hate softmax and the
 * ViCTSD toxic and constructive logistic heads, all in the one comment table (columns 0-2,
 * 3 and 4), so prediction reads one row per feature for every head.
 *
 * Decision constants are tuned on dev: per-class biases for the softmax label (macro-F1 rewards
 * finding the rare classes, which the calibrated argmax under-predicts), and thresholds for the
 * binary heads, folded into their intercepts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/metrics.h"
#include "model/train.h"

#define COLS SL__CLS_COLS

static float sigmoidf_(float x)
{
    return 1.0f / (1.0f + expf(-x));
}

static void softmax(const float *z, float *p)
{
    float mx = fmaxf(z[0], fmaxf(z[1], z[2])), s = 0;
    for (int c = 0; c < 3; c++) s += p[c] = expf(z[c] - mx);
    for (int c = 0; c < 3; c++) p[c] /= s;
}

/* Copies columns [c0, c0+nc) of the comment table to (dir 0) or from (dir 1) a saved copy. */
static void save_cols(float *W, float *saved, size_t rows, size_t c0, size_t nc, int dir)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < nc; c++) {
            if (dir)
                W[r * COLS + c0 + c] = saved[r * nc + c];
            else
                saved[r * nc + c] = W[r * COLS + c0 + c];
        }
}

static double macro_with(const docs *dv, const float *z, float d1, float d2)
{
    long conf[9] = {0};
    for (size_t i = 0; i < dv->n; i++) {
        const float *zi = z + 3 * i;
        float a = zi[0], b = zi[1] + d1, c = zi[2] + d2;
        int pred = (b > a && b >= c) ? 1 : (c > a && c > b) ? 2 : 0;
        conf[dv->v[i].y * 3 + pred]++;
    }
    return sl__macro_f1(conf, 3, NULL);
}

/* Searches the offensive and hate decision biases (clean fixed at 0) for dev macro-F1. */
static double tune_decision(const docs *dv, const float *z, float d[3])
{
    double best = -1;
    d[0] = d[1] = d[2] = 0;
    for (int i = -40; i <= 60; i++)
        for (int j = -40; j <= 60; j++) {
            double f = macro_with(dv, z, i * 0.05f, j * 0.05f);
            if (f > best + 1e-9) {
                best = f;
                d[1] = i * 0.05f;
                d[2] = j * 0.05f;
            }
        }
    return best;
}

static void cls_logits(const sl_trainer *t, const doc *x, const float b[3], float z[3])
{
    const uint32_t *f = t->pool + x->off;
    for (int c = 0; c < 3; c++) z[c] = sl__train_logit(t->W, COLS, c, f, x->n) + b[c];
}

static void cls_epoch(sl_trainer *t, size_t *order, uint64_t *rng, const float cw[3], float b[3])
{
    const docs *tr = &t->cls[0];
    sl__train_shuffle(order, tr->n, rng);
    for (size_t k = 0; k < tr->n; k++) {
        const doc *x = &tr->v[order[k]];
        float z[3], p[3];
        cls_logits(t, x, b, z);
        softmax(z, p);
        for (int c = 0; c < 3; c++) {
            float g = cw[x->y] * (p[c] - (c == x->y ? 1.0f : 0.0f));
            sl__train_adagrad(t->W, t->G, COLS, c, t->pool + x->off, x->n, g, t->cfg.lr);
            b[c] -= 0.01f * g;
        }
    }
}

static sl_status alloc_table(sl_trainer *t)
{
    size_t rows = (size_t)1 << t->cfg.cls_bits;
    if (t->W) return SL_OK;
    t->W = calloc(rows * COLS, sizeof *t->W);
    t->G = calloc(rows * COLS, sizeof *t->G);
    return t->W && t->G ? SL_OK : SL_ERR_NOMEM;
}

/* Running mean of the classifier columns over epochs (Polyak averaging): the mean of the
 * epoch-end weights is often better and always steadier than the last ones. */
static void update_average(const sl_trainer *t, float *avg, float *bavg, const float b[3],
                           unsigned e)
{
    size_t rows = (size_t)1 << t->cfg.cls_bits;
    float k = 1.0f / (float)(e + 1);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < 3; c++) avg[r * 3 + c] += (t->W[r * COLS + c] - avg[r * 3 + c]) * k;
    for (int c = 0; c < 3; c++) bavg[c] += (b[c] - bavg[c]) * k;
}

/* Dev macro-F1 (after tuning decision biases into d) of a 3-column table w with stride. */
static double dev_score(const sl_trainer *t, const float *w, size_t stride, const float b[3],
                        float *z, float d[3])
{
    const docs *dv = &t->cls[1];
    for (size_t i = 0; i < dv->n; i++)
        for (int c = 0; c < 3; c++)
            z[3 * i + c] = sl__train_logit(w, stride, c, t->pool + dv->v[i].off, dv->v[i].n) + b[c];
    return dv->n ? tune_decision(dv, z, d) : 0;
}

typedef struct cls_best {
    float *saved; /* rows x 3 */
    float b[3];
    double f;
} cls_best;

static void keep_if_better(sl_trainer *t, cls_best *best, const float *w, size_t stride,
                           const float b[3], const float d[3], double f)
{
    size_t rows = (size_t)1 << t->cfg.cls_bits;
    if (!(f > best->f) && t->cls[1].n) return;
    best->f = f;
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < 3; c++) best->saved[r * 3 + c] = w[r * stride + c];
    memcpy(best->b, b, sizeof best->b);
    memcpy(t->params.decision_bias, d, 3 * sizeof *d);
}

static void cls_loop(sl_trainer *t, size_t *order, float *avg, float *z, cls_best *best,
                     uint64_t seed)
{
    float cw[3], b[3] = {0, 0, 0}, bavg[3] = {0, 0, 0}, d[3];
    uint64_t rng = seed;
    sl__train_class_weights(&t->cls[0], 3, 0, t->cfg.class_power, cw);
    for (unsigned e = 0; e < t->cfg.epochs; e++) {
        cls_epoch(t, order, &rng, cw, b);
        update_average(t, avg, bavg, b, e);
        double f = dev_score(t, t->W, COLS, b, z, d);
        keep_if_better(t, best, t->W, COLS, b, d, f);
        double fa = dev_score(t, avg, 3, bavg, z, d);
        keep_if_better(t, best, avg, 3, bavg, d, fa);
        sl__train_log(t, "classifier epoch %u: dev macro-F1 %.4f, averaged %.4f\n", e + 1, f, fa);
    }
}

/* Zeroes the classifier columns and their Adagrad sums for a fresh run. */
static void reset_classifier(sl_trainer *t, float *avg)
{
    size_t rows = (size_t)1 << t->cfg.cls_bits;
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < 3; c++) t->W[r * COLS + c] = t->G[r * COLS + c] = 0;
    memset(avg, 0, rows * 3 * sizeof *avg);
}

/* Several runs with different shuffles, their best weights averaged: one linear model with
 * less of the variance a single shuffle order leaves in it. Decision biases are tuned again on
 * the averaged model. */
static void cls_ensemble(sl_trainer *t, size_t *order, float *avg, float *z, cls_best *best,
                         float *sum)
{
    size_t rows = (size_t)1 << t->cfg.cls_bits;
    unsigned runs = t->cfg.runs ? t->cfg.runs : 3;
    float bsum[3] = {0, 0, 0}, d[3];
    memset(sum, 0, rows * 3 * sizeof *sum);
    for (unsigned k = 0; k < runs; k++) {
        reset_classifier(t, avg);
        best->f = -1;
        cls_loop(t, order, avg, z, best, t->cfg.seed + 0x9e3779b9u * k);
        for (size_t i = 0; i < rows * 3; i++) sum[i] += best->saved[i] / (float)runs;
        for (int c = 0; c < 3; c++) bsum[c] += best->b[c] / (float)runs;
        sl__train_log(t, "classifier run %u: kept dev macro-F1 %.4f\n", k + 1, best->f);
    }
    best->f = dev_score(t, sum, 3, bsum, z, d);
    memcpy(best->saved, sum, rows * 3 * sizeof *sum);
    memcpy(best->b, bsum, sizeof bsum);
    memcpy(t->params.decision_bias, d, sizeof d);
}

sl_status sl__train_classifier(sl_trainer *t, sl_error *err)
{
    const docs *dv = &t->cls[1];
    size_t rows = (size_t)1 << t->cfg.cls_bits;
    if (alloc_table(t)) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    cls_best best = {malloc(rows * 3 * sizeof(float)), {0, 0, 0}, -1};
    float *avg = calloc(rows * 3, sizeof *avg), *z = malloc((dv->n + 1) * 3 * sizeof *z);
    float *sum = malloc(rows * 3 * sizeof *sum);
    size_t *order = sl__train_identity(t->cls[0].n);
    sl_status st = best.saved && avg && z && sum && order ? SL_OK : SL_ERR_NOMEM;
    if (!st) {
        cls_ensemble(t, order, avg, z, &best, sum);
        save_cols(t->W, best.saved, rows, 0, 3, 1);
        memcpy(t->params.cls_bias, best.b, sizeof best.b);
        t->params.has_cls = 1;
        sl__train_log(t, "classifier: averaged model dev macro-F1 %.4f\n", best.f);
    }
    free(best.saved);
    free(avg);
    free(z);
    free(sum);
    free(order);
    return st ? sl_error_set(err, st, SL_NO_POS, "out of memory") : SL_OK;
}

/* ---- binary heads ---------------------------------------------------------------------------- */

typedef struct bin_head {
    size_t col;
    int second; /* label from y2 */
    int macro;  /* tune for macro-F1 (toxic) or positive-class F1 (constructive) */
    const char *name;
} bin_head;

static int label_of(const doc *x, const bin_head *h)
{
    return h->second ? x->y2 : x->y;
}

/* Best threshold on dev probabilities p; returns its F1. */
static double tune_threshold(const docs *dv, const bin_head *h, const float *p, float *thr)
{
    double best = -1;
    for (int k = 5; k <= 95; k++) {
        long conf[4] = {0};
        for (size_t i = 0; i < dv->n; i++) conf[label_of(&dv->v[i], h) * 2 + (p[i] > k / 100.0f)]++;
        double f = h->macro ? sl__macro_f1(conf, 2, NULL) : sl__pos_f1(conf);
        if (f > best) {
            best = f;
            *thr = k / 100.0f;
        }
    }
    return best;
}

static void bin_epoch(sl_trainer *t, const bin_head *h, size_t *order, uint64_t *rng,
                      const float cw[2], float *b)
{
    const docs *tr = &t->ctsd[0];
    sl__train_shuffle(order, tr->n, rng);
    for (size_t k = 0; k < tr->n; k++) {
        const doc *x = &tr->v[order[k]];
        const uint32_t *f = t->pool + x->off;
        float p = sigmoidf_(sl__train_logit(t->W, COLS, h->col, f, x->n) + *b);
        int y = label_of(x, h);
        float g = cw[y] * (p - (float)y);
        sl__train_adagrad(t->W, t->G, COLS, h->col, f, x->n, g, t->cfg.lr);
        *b -= 0.01f * g;
    }
}

/* Trains one binary head; returns its best dev F1 and sets its intercept (threshold folded). */
static sl_status train_binary(sl_trainer *t, const bin_head *h, double *best_f, float *bias)
{
    const docs *dv = &t->ctsd[1];
    size_t rows = (size_t)1 << t->cfg.cls_bits;
    float *saved = malloc(rows * sizeof *saved), *p = malloc((dv->n + 1) * sizeof *p);
    size_t *order = sl__train_identity(t->ctsd[0].n);
    float cw[2], b = 0, thr = 0.5f;
    uint64_t rng = t->cfg.seed ^ h->col;
    sl_status st = saved && p && order ? SL_OK : SL_ERR_NOMEM;
    *best_f = -1;
    sl__train_class_weights(&t->ctsd[0], 2, h->second, t->cfg.class_power, cw);
    for (unsigned e = 0; !st && e < t->cfg.epochs; e++) {
        bin_epoch(t, h, order, &rng, cw, &b);
        for (size_t i = 0; i < dv->n; i++)
            p[i] = sigmoidf_(
                sl__train_logit(t->W, COLS, h->col, t->pool + dv->v[i].off, dv->v[i].n) + b);
        float th = 0.5f;
        double f = dv->n ? tune_threshold(dv, h, p, &th) : 0;
        sl__train_log(t, "%s epoch %u: dev F1 %.4f (threshold %.2f)\n", h->name, e + 1, f, th);
        if (f > *best_f || !dv->n) {
            *best_f = f;
            save_cols(t->W, saved, rows, h->col, 1, 0);
            *bias = b - logf(th / (1 - th));
            thr = th;
        }
    }
    if (!st) save_cols(t->W, saved, rows, h->col, 1, 1);
    (void)thr;
    free(saved);
    free(p);
    free(order);
    return st;
}

/* dev macro-F1 of toxic = P(offensive) + P(hate) > 0.5 from the classifier. */
static double toxic_from_classifier(const sl_trainer *t)
{
    const docs *dv = &t->ctsd[1];
    long conf[4] = {0};
    for (size_t i = 0; i < dv->n; i++) {
        float z[3], p[3];
        cls_logits(t, &dv->v[i], t->params.cls_bias, z);
        softmax(z, p);
        conf[dv->v[i].y2 * 2 + (p[1] + p[2] > 0.5f)]++;
    }
    return sl__macro_f1(conf, 2, NULL);
}

sl_status sl__train_ctsd(sl_trainer *t, sl_error *err)
{
    static const bin_head toxic = {SL__COL_TOXIC, 1, 1, "toxic"};
    static const bin_head constructive = {SL__COL_CONSTRUCTIVE, 0, 0, "constructive"};
    if (alloc_table(t)) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    double ft, fc;
    sl_status st = train_binary(t, &toxic, &ft, &t->params.ctsd_bias[0]);
    if (!st) st = train_binary(t, &constructive, &fc, &t->params.ctsd_bias[1]);
    if (st) return sl_error_set(err, st, SL_NO_POS, "out of memory");
    t->params.has_ctsd = 1;
    if (t->params.has_cls && t->ctsd[1].n) {
        double fd = toxic_from_classifier(t);
        sl__train_log(t, "toxic: head %.4f, from the classifier %.4f\n", ft, fd);
        t->params.toxic_from_cls = fd > ft;
    }
    return SL_OK;
}
