/* model/train_cls.c — the clean/offensive/hate softmax (columns 0-2 of the comment table) and
 * the choice of its epoch count and decision biases by k-fold cross-validation on the
 * training data.
 *
 * Why cross-validation: macro-F1 rewards finding the rare classes, which a calibrated argmax
 * under-predicts, so the label is chosen with per-class biases added to the logits. Tuning
 * those biases (and the epoch) on the dev split makes the dev figure optimistic and the
 * biases fitted to 2,500 texts. Instead the training texts of the scored data set (the data
 * set of the first classifier example, ViHSD for the shipped model) are split into k folds by
 * text hash; k models each trained without one fold predict that fold, and the epoch, the
 * weight kind (last or epoch-averaged) and the biases that give the best macro-F1 over these
 * out-of-fold predictions (22,000 texts) are kept. Copies of a text (its unaccented copy, the
 * same text in another data set) share its hash, hence its fold, so no fold sees its own
 * texts. The shipped weights are then the mean of `runs` models trained on all the training
 * data for that many epochs; the dev split is only measured, never used to choose.
 *
 * The out-of-fold P(not clean) of every scored text is kept (t->oof_*) for the span tagger,
 * which then trains on classifier scores of texts the classifier has not seen, as at run
 * time. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/metrics.h"
#include "model/train.h"

#define COLS      SL__CLS_COLS
#define MAX_FOLDS 10

typedef struct scored {
    size_t *idx; /* indices into t->cls[0] of the scored (out-of-fold) texts */
    uint8_t *y;  /* their labels */
    uint8_t *fold;
    size_t n;
} scored;

static void softmax(const float *z, float *p)
{
    float mx = fmaxf(z[0], fmaxf(z[1], z[2])), s = 0;
    for (int c = 0; c < 3; c++) s += p[c] = expf(z[c] - mx);
    for (int c = 0; c < 3; c++) p[c] /= s;
}

static unsigned fold_of(uint64_t th, unsigned k)
{
    th ^= th >> 31;
    th *= 0x9e3779b97f4a7c15ull;
    return (unsigned)((th >> 32) % k);
}

/* ---- decision biases ------------------------------------------------------------------------ */

static double macro_with(const uint8_t *y, const float *z, size_t n, float d1, float d2)
{
    long conf[9] = {0};
    for (size_t i = 0; i < n; i++) {
        const float *zi = z + 3 * i;
        float a = zi[0], b = zi[1] + d1, c = zi[2] + d2;
        int pred = (b > a && b >= c) ? 1 : (c > a && c > b) ? 2 : 0;
        conf[y[i] * 3 + pred]++;
    }
    return sl__macro_f1(conf, 3, NULL);
}

/* Searches the offensive and hate biases (clean fixed at 0) for macro-F1: a grid of step 0.2
 * over [-2, 3], then step 0.05 around its best. */
static double tune_decision(const uint8_t *y, const float *z, size_t n, float d[3])
{
    double best = -1;
    float c1 = 0, c2 = 0;
    d[0] = d[1] = d[2] = 0;
    for (int i = -10; i <= 15; i++)
        for (int j = -10; j <= 15; j++) {
            double f = macro_with(y, z, n, i * 0.2f, j * 0.2f);
            if (f > best + 1e-9) best = f, c1 = i * 0.2f, c2 = j * 0.2f;
        }
    d[1] = c1, d[2] = c2;
    for (int i = -4; i <= 4; i++)
        for (int j = -4; j <= 4; j++) {
            double f = macro_with(y, z, n, c1 + i * 0.05f, c2 + j * 0.05f);
            if (f > best + 1e-9) best = f, d[1] = c1 + i * 0.05f, d[2] = c2 + j * 0.05f;
        }
    return best;
}

/* ---- one model --------------------------------------------------------------------------------
 */

typedef struct fitter {
    sl_trainer *t;
    float *avg; /* rows x 3: running mean of the epoch-end weights (Polyak averaging) */
    float b[3], bavg[3];
    float cw[3];
    uint64_t rng;
    int scored_src; /* data set whose texts are scored; the others weigh other_weight */
} fitter;

static void logits(const sl_trainer *t, const float *w, size_t stride, const float b[3],
                   const doc *x, float z[3])
{
    for (int c = 0; c < 3; c++)
        z[c] = sl__train_cls_logit(t, w, stride, c, SL__DOC_F(t, x), x->n, SL__CLS_XD(t, x)) + b[c];
}

/* Examples from a data set other than the scored one teach the same labels with another
 * annotation team's boundaries: they help (cross-validated) but at a lower weight. Borrowed
 * ViCTSD clean texts keep weight 1. */
static float example_weight(const fitter *f, const doc *x)
{
    if (x->kind == DOC_CTSD_CLEAN || (int)x->src == f->scored_src) return 1.0f;
    return f->t->cfg.other_weight;
}

static void reset(fitter *f)
{
    sl_trainer *t = f->t;
    size_t rows = sl__train_cls_rows(t);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < 3; c++) t->W[r * COLS + c] = t->G[r * COLS + c] = 0;
    memset(f->avg, 0, rows * 3 * sizeof *f->avg);
    memset(f->b, 0, sizeof f->b);
    memset(f->bavg, 0, sizeof f->bavg);
}

/* One Adagrad pass over the training examples order[0..n) in a new random order. */
static void epoch(fitter *f, size_t *order, size_t n, unsigned e)
{
    sl_trainer *t = f->t;
    size_t rows = sl__train_cls_rows(t);
    float ls = t->cfg.label_smoothing;
    sl__train_shuffle(order, n, &f->rng);
    for (size_t k = 0; k < n; k++) {
        const doc *x = &t->cls[0].v[order[k]];
        float z[3], p[3];
        logits(t, t->W, COLS, f->b, x, z);
        softmax(z, p);
        float w = example_weight(f, x) * f->cw[x->y];
        for (int c = 0; c < 3; c++) {
            float target = c == x->y ? 1.0f - ls + ls / 3 : ls / 3;
            float g = w * (p[c] - target);
            sl__train_cls_step(t, t->W, t->G, COLS, c, SL__DOC_F(t, x), x->n, SL__CLS_XD(t, x), g);
            f->b[c] -= 0.01f * g;
        }
    }
    float k = 1.0f / (float)(e + 1);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < 3; c++)
            f->avg[r * 3 + c] += (t->W[r * COLS + c] - f->avg[r * 3 + c]) * k;
    for (int c = 0; c < 3; c++) f->bavg[c] += (f->b[c] - f->bavg[c]) * k;
}

/* ---- cross-validation --------------------------------------------------------------------------
 */

/* The data set of the first original classifier example (-1: none). */
static int scored_source(const sl_trainer *t)
{
    for (size_t i = 0; i < t->cls[0].n; i++)
        if (t->cls[0].v[i].kind == DOC_ORIGINAL) return t->cls[0].v[i].src;
    return -1;
}

/* The scored texts: original examples of the data set of the first classifier example. */
static sl_status pick_scored(const sl_trainer *t, unsigned k, scored *s)
{
    const docs *tr = &t->cls[0];
    s->idx = malloc((tr->n + 1) * sizeof *s->idx);
    s->y = malloc(tr->n + 1);
    s->fold = malloc(tr->n + 1);
    if (!s->idx || !s->y || !s->fold) return SL_ERR_NOMEM;
    s->n = 0;
    int src = scored_source(t);
    for (size_t i = 0; i < tr->n; i++) {
        const doc *x = &tr->v[i];
        if (x->kind != DOC_ORIGINAL || x->src != src) continue;
        s->idx[s->n] = i;
        s->y[s->n] = (uint8_t)x->y;
        s->fold[s->n++] = (uint8_t)fold_of(x->th, k);
    }
    return SL_OK;
}

typedef struct cv_result {
    unsigned epochs; /* 1.. */
    int averaged;    /* use the epoch-averaged weights */
    float d[3];      /* decision biases */
    double f1;       /* out-of-fold macro-F1 with d */
} cv_result;

/* Out-of-fold logits of every epoch and weight kind: oof[((e * 2 + a) * n + i) * 3 + c]. */
static void cv_folds(fitter *f, const scored *s, unsigned k, size_t *order, float *oof)
{
    sl_trainer *t = f->t;
    const docs *tr = &t->cls[0];
    unsigned E = t->cfg.epochs;
    for (unsigned fo = 0; fo < k; fo++) {
        size_t n = 0;
        for (size_t i = 0; i < tr->n; i++)
            if (fold_of(tr->v[i].th, k) != fo) order[n++] = i;
        reset(f);
        f->rng = t->cfg.seed + 0x51ed27u * (fo + 1);
        for (unsigned e = 0; e < E; e++) {
            epoch(f, order, n, e);
            for (size_t i = 0; i < s->n; i++) {
                if (s->fold[i] != fo) continue;
                const doc *x = &tr->v[s->idx[i]];
                logits(t, t->W, COLS, f->b, x, oof + ((e * 2 + 0) * s->n + i) * 3);
                logits(t, f->avg, 3, f->bavg, x, oof + ((e * 2 + 1) * s->n + i) * 3);
            }
        }
        sl__train_log(t, "classifier cross-validation: fold %u of %u trained on %zu texts\n",
                      fo + 1, k, n);
    }
}

/* Chooses the epoch, weight kind and biases with the best out-of-fold macro-F1. */
static void cv_choose(sl_trainer *t, const scored *s, const float *oof, cv_result *r)
{
    r->f1 = -1;
    for (unsigned e = 0; e < t->cfg.epochs; e++)
        for (int a = 0; a < 2; a++) {
            float d[3];
            double f = tune_decision(s->y, oof + (e * 2 + a) * s->n * 3, s->n, d);
            sl__train_log(t, "classifier epoch %u%s: out-of-fold macro-F1 %.4f\n", e + 1,
                          a ? " averaged" : "", f);
            if (f > r->f1 + 1e-9) {
                r->f1 = f;
                r->epochs = e + 1;
                r->averaged = a;
                memcpy(r->d, d, sizeof d);
            }
        }
}

static int cmp_oof(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Keeps the chosen out-of-fold P(not clean) per text hash, sorted, for the span tagger. */
static sl_status keep_oof(sl_trainer *t, const scored *s, const float *z)
{
    struct pair {
        uint64_t th;
        float p;
    } *v = malloc((s->n + 1) * sizeof *v);
    t->oof_th = malloc((s->n + 1) * sizeof *t->oof_th);
    t->oof_pbad = malloc((s->n + 1) * sizeof *t->oof_pbad);
    if (!v || !t->oof_th || !t->oof_pbad) {
        free(v);
        return SL_ERR_NOMEM;
    }
    for (size_t i = 0; i < s->n; i++) {
        float p[3];
        softmax(z + 3 * i, p);
        v[i].th = t->cls[0].v[s->idx[i]].th;
        v[i].p = p[1] + p[2];
    }
    qsort(v, s->n, sizeof *v, cmp_oof);
    for (size_t i = 0; i < s->n; i++) t->oof_th[i] = v[i].th, t->oof_pbad[i] = v[i].p;
    t->noof = s->n;
    free(v);
    return SL_OK;
}

/* ---- the shipped weights ------------------------------------------------------------------ */

/* Mean of `runs` models trained on all the training texts for r->epochs epochs, written to
 * columns 0-2 of t->W, intercepts to t->params. */
static sl_status final_fit(fitter *f, size_t *order, const cv_result *r)
{
    sl_trainer *t = f->t;
    size_t rows = sl__train_cls_rows(t), n = t->cls[0].n;
    unsigned runs = t->cfg.runs ? t->cfg.runs : 3;
    float *sum = calloc(rows * 3, sizeof *sum), bsum[3] = {0, 0, 0};
    if (!sum) return SL_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) order[i] = i;
    for (unsigned k = 0; k < runs; k++) {
        for (size_t i = 0; i < n; i++) order[i] = i;
        reset(f);
        f->rng = t->cfg.seed + 0x9e3779b9u * k;
        for (unsigned e = 0; e < r->epochs; e++) epoch(f, order, n, e);
        for (size_t row = 0; row < rows; row++)
            for (size_t c = 0; c < 3; c++)
                sum[row * 3 + c] +=
                    (r->averaged ? f->avg[row * 3 + c] : t->W[row * COLS + c]) / (float)runs;
        for (int c = 0; c < 3; c++) bsum[c] += (r->averaged ? f->bavg[c] : f->b[c]) / (float)runs;
        sl__train_log(t, "classifier run %u of %u trained\n", k + 1, runs);
    }
    for (size_t row = 0; row < rows; row++)
        for (size_t c = 0; c < 3; c++) t->W[row * COLS + c] = sum[row * 3 + c];
    memcpy(t->params.cls_bias, bsum, sizeof bsum);
    free(sum);
    return SL_OK;
}

/* Dev macro-F1 of the shipped weights with the chosen biases (measured, not tuned). */
static void log_dev(sl_trainer *t)
{
    const docs *dv = &t->cls[1];
    long conf[9] = {0};
    for (size_t i = 0; i < dv->n; i++) {
        float z[3];
        logits(t, t->W, COLS, t->params.cls_bias, &dv->v[i], z);
        int best = 0;
        for (int c = 1; c < 3; c++)
            if (z[c] + t->params.decision_bias[c] > z[best] + t->params.decision_bias[best])
                best = c;
        conf[dv->v[i].y * 3 + best]++;
    }
    if (dv->n)
        sl__train_log(t, "classifier: dev macro-F1 %.4f (float weights, biases from the folds)\n",
                      sl__macro_f1(conf, 3, NULL));
}

static sl_status cross_validate(fitter *f, size_t *order, cv_result *r)
{
    sl_trainer *t = f->t;
    unsigned k = t->cfg.folds > MAX_FOLDS ? MAX_FOLDS : t->cfg.folds;
    scored s = {0};
    float *oof = NULL;
    sl_status st = pick_scored(t, k < 2 ? 2 : k, &s);
    r->epochs = t->cfg.epochs;
    r->averaged = 1;
    r->f1 = 0;
    memset(r->d, 0, sizeof r->d);
    if (!st && k >= 2 && s.n >= 10 * k) {
        oof = malloc((size_t)t->cfg.epochs * 2 * s.n * 3 * sizeof *oof);
        if (!oof) st = SL_ERR_NOMEM;
        if (!st) {
            cv_folds(f, &s, k, order, oof);
            cv_choose(t, &s, oof, r);
            t->cv_folds = k;
            t->cv_scored = s.n;
            st = keep_oof(t, &s, oof + ((r->epochs - 1) * 2 + r->averaged) * s.n * 3);
        }
    } else if (!st) {
        sl__train_log(t,
                      "classifier: too few texts for %u-fold cross-validation; %u epochs, "
                      "averaged weights, no decision biases\n",
                      k, r->epochs);
    }
    free(oof);
    free(s.idx);
    free(s.y);
    free(s.fold);
    return st;
}

sl_status sl__train_classifier(sl_trainer *t, sl_error *err)
{
    size_t rows = sl__train_cls_rows(t);
    if (sl__train_alloc_table(t))
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    fitter f = {t, calloc(rows * 3, sizeof(float)), {0}, {0}, {0}, 0, -1};
    size_t *order = sl__train_identity(t->cls[0].n);
    sl_status st = f.avg && order ? SL_OK : SL_ERR_NOMEM;
    cv_result r;

    f.scored_src = scored_source(t);
    sl__train_class_weights(&t->cls[0], 3, 0, t->cfg.cls_class_power, f.cw);
    if (!st) st = cross_validate(&f, order, &r);
    if (!st) {
        sl__train_log(t,
                      "classifier: chose %u epochs, %s weights, decision biases %.2f %.2f; "
                      "out-of-fold macro-F1 %.4f\n",
                      r.epochs, r.averaged ? "averaged" : "last", r.d[1], r.d[2], r.f1);
        memcpy(t->params.decision_bias, r.d, sizeof r.d);
        t->cv_f1 = r.f1;
        t->cv_epochs = r.epochs;
        t->cv_averaged = r.averaged;
        st = final_fit(&f, order, &r);
    }
    if (!st) {
        t->params.has_cls = 1;
        log_dev(t);
    }
    free(f.avg);
    free(order);
    return st ? sl_error_set(err, st, SL_NO_POS, "out of memory") : SL_OK;
}
