/* model/train_heads.c — the ViCTSD toxic and constructive logistic heads, in columns 3 and 4
 * of the comment table whose columns 0-2 hold the clean/offensive/hate softmax
 * (model/train_cls.c), so prediction reads one row per feature for every head.
 *
 * Their thresholds are tuned on the ViCTSD dev split and folded into the intercepts. */
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

static void cls_logits(const sl_trainer *t, const doc *x, const float b[3], float z[3])
{
    const uint32_t *f = t->pool + x->off;
    for (int c = 0; c < 3; c++)
        z[c] = sl__train_cls_logit(t, t->W, COLS, c, f, x->n, SL__CLS_XD(t, x)) + b[c];
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

/* Whether a head reads the vectors: the toxic head with SL_VEC_TOXIC, the others with
 * SL_VEC_COMMENT. */
static int head_reads_vectors(const sl_trainer *t, const bin_head *h)
{
    unsigned need = h->col == SL__COL_TOXIC ? SL_VEC_TOXIC : SL_VEC_COMMENT;
    return t->dn && (t->vec_use & need);
}

/* The dense features a head reads (NULL: none, its dense weights stay 0, which prediction
 * reads as no contribution). */
static const float *head_dense(const sl_trainer *t, const bin_head *h, const doc *x)
{
    return head_reads_vectors(t, h) ? SL__DOC_XD(t, x) : NULL;
}

static void bin_epoch(sl_trainer *t, const bin_head *h, size_t *order, uint64_t *rng,
                      const float cw[2], float *b)
{
    const docs *tr = &t->ctsd[0];
    sl__train_shuffle(order, tr->n, rng);
    int reads_vectors = head_reads_vectors(t, h);
    for (size_t k = 0; k < tr->n; k++) {
        const doc *x = &tr->v[order[k]];
        /* the unaccented copies are there for the vectors (model/train.c): a head that does
         * not read them trains on the texts as written, as it did before vectors */
        if (x->kind == DOC_UNACCENTED && !reads_vectors) continue;
        const uint32_t *f = t->pool + x->off;
        const float *xd = head_dense(t, h, x);
        float p = sigmoidf_(sl__train_cls_logit(t, t->W, COLS, h->col, f, x->n, xd) + *b);
        int y = label_of(x, h);
        float g = cw[y] * (p - (float)y);
        sl__train_cls_step(t, t->W, t->G, COLS, h->col, f, x->n, xd, g);
        *b -= 0.01f * g;
    }
}

/* Trains one binary head; returns its best dev F1 and sets its intercept (threshold folded). */
static sl_status train_binary(sl_trainer *t, const bin_head *h, double *best_f, float *bias)
{
    const docs *dv = &t->ctsd[1];
    size_t rows = sl__train_cls_rows(t);
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
            p[i] = sigmoidf_(sl__train_cls_logit(t, t->W, COLS, h->col, SL__DOC_F(t, &dv->v[i]),
                                                 dv->v[i].n, head_dense(t, h, &dv->v[i])) +
                             b);
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
    if (sl__train_alloc_table(t))
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
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
