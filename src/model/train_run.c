/* model/train_run.c — runs the heads, then writes the model file whose header records the
 * settings, the training data with their licences and the dev figures measured through the
 * real prediction path on the quantized weights (not the float weights training saw). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/metrics.h"
#include "model/predict.h"
#include "model/train.h"

static sl_status meta_head(const sl_trainer *t, sl_buf *b)
{
    char date[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sl_status st = sl_buf_printf(
        b,
        "format: slm%u\ncreated: %s\nlabels: clean offensive hate\n"
        "outputs: classifier%s%s%s\n"
        "features: NORM word 1-2-grams, FOLD word 1-2-grams, FOLD char 2-5-grams in words; "
        "group references masked\n"
        "cls_bits: %u\nspan_bits: %u\nquantization: int8, float scale per %u rows per column\n",
        SL__MODEL_FORMAT, date, t->params.has_span ? " spans" : "",
        t->params.has_ctsd ? " toxic constructive" : "",
        t->params.toxic_from_cls ? " (toxic from the classifier)" : "", t->params.cls_bits,
        t->params.span_bits, SL__BLOCK_ROWS);
    for (size_t i = 0; !st && i < t->nsrc; i++)
        st = sl_buf_printf(b, "data: %s (%s)\n", t->src_name[i], t->src_lic[i]);
    if (!st && t->vec.dim)
        st = sl_buf_printf(b,
                           "vectors: %u dimensions, %u words, 2^%u n-gram rows; dense "
                           "features: %s%s\n",
                           t->vec.dim, t->vec.nwords, t->vec.bucket_bits,
                           t->dn ? "comment mean and max" : "",
                           t->sn ? (t->dn ? ", token window" : "token window") : "");
    /* the vectors' own record (settings, texts and their licences), line by line */
    for (const char *l = t->vec.dim ? t->vec.meta : ""; !st && *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        if (n) st = sl_buf_printf(b, "vectors.%.*s\n", (int)n, l);
        l += n + (e != NULL);
    }
    if (!st && t->cv_folds)
        st = sl_buf_printf(b,
                           "classifier_cv: %u folds of %zu training texts, %u epochs (%s weights), "
                           "out-of-fold macro-F1 %.4f\n",
                           t->cv_folds, t->cv_scored, t->cv_epochs,
                           t->cv_averaged ? "averaged" : "last", t->cv_f1);
    if (!st)
        st = sl_buf_printf(b,
                           "decision_bias: %.2f %.2f %.2f\nspan_threshold: %.2f\n"
                           "span_gate: %.2f\n",
                           t->params.decision_bias[0], t->params.decision_bias[1],
                           t->params.decision_bias[2], t->params.span_threshold,
                           t->params.span_gate);
    return st;
}

static sl_status predict_doc(const sl_model *m, sl_model_scratch *s, sl__mtext *mt, const doc *x,
                             sl_prediction *p, sl_error *err)
{
    sl_status st = sl__mtext_build(mt, x->text, x->len, err);
    if (!st) st = sl__model_predict_views(m, s, &mt->view[0], &mt->view[1], x->text, x->len, p);
    return st;
}

/* Dev figures of the model in memory, through sl__model_predict_views(). */
static sl_status measure(sl_trainer *t, const sl_model *m, sl__eval *ev, sl_error *err)
{
    sl_model_scratch *s;
    sl_status st = sl_model_scratch_new(m, &s);
    if (st) return sl_error_set(err, st, SL_NO_POS, "out of memory");
    memset(ev, 0, sizeof *ev);
    sl_prediction p;
    for (size_t i = 0; !st && i < t->cls[1].n; i++)
        if (!(st = predict_doc(m, s, &t->mt, &t->cls[1].v[i], &p, err)))
            sl__eval_classify(ev, &p, t->cls[1].v[i].y);
    for (size_t i = 0; !st && i < t->ctsd[1].n; i++)
        if (!(st = predict_doc(m, s, &t->mt, &t->ctsd[1].v[i], &p, err)))
            sl__eval_ctsd(ev, &p, t->ctsd[1].v[i].y, t->ctsd[1].v[i].y2);
    for (size_t i = 0; !st && i < t->spx[1].n; i++) {
        const doc *x = &t->spx[1].v[i];
        if (!(st = predict_doc(m, s, &t->mt, x, &p, err)))
            sl__eval_spans(ev, &p, x->text, x->len, x->spans, x->nspans);
    }
    sl_model_scratch_free(s);
    return st;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* ViHOS comments are ViHSD comments: a span dev text left in the classifier's training data
 * would make the classifier's score, which the tagger reads, know the dev answers. Such texts
 * are dropped from classifier training so the span dev figure stays honest. */
static sl_status drop_span_dev_texts(sl_trainer *t)
{
    docs *tr = &t->cls[0];
    const docs *sd = &t->spx[1];
    uint64_t *h = malloc((sd->n + 1) * sizeof *h);
    if (!h) return SL_ERR_NOMEM;
    for (size_t i = 0; i < sd->n; i++) h[i] = sd->v[i].th;
    qsort(h, sd->n, sizeof *h, cmp_u64);
    size_t kept = 0;
    for (size_t i = 0; i < tr->n; i++) {
        if (sd->n && bsearch(&tr->v[i].th, h, sd->n, sizeof *h, cmp_u64)) continue;
        tr->v[kept++] = tr->v[i];
    }
    sl__train_log(t, "classifier: %zu training texts that are span dev texts left out\n",
                  tr->n - kept);
    tr->n = kept;
    free(h);
    return SL_OK;
}

static sl_status train_all(sl_trainer *t, sl_error *err)
{
    if (drop_span_dev_texts(t) || sl__train_standardize_comments(t))
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    sl__train_log(t, "examples: classify %zu/%zu, spans %zu/%zu, ctsd %zu/%zu (train/dev)\n",
                  t->cls[0].n, t->cls[1].n, t->spx[0].n, t->spx[1].n, t->ctsd[0].n, t->ctsd[1].n);
    sl_status st = SL_OK;
    if (t->cls[0].n) st = sl__train_classifier(t, err);
    if (!st && t->ctsd[0].n) st = sl__train_ctsd(t, err);
    if (!st && t->spx[0].n) st = sl__train_spans(t, err);
    return st;
}

static sl_status zero_tables(sl_trainer *t, sl_error *err)
{
    if (!t->W) t->W = calloc(sl__train_cls_rows(t) * SL__CLS_COLS, sizeof *t->W);
    if (!t->SW) t->SW = calloc(sl__train_span_rows(t), sizeof *t->SW);
    if (!t->W || !t->SW) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    return SL_OK;
}

/* The DENSE section (model/format.h) from the trained dense rows and their scales. */
static float *dense_section(const sl_trainer *t)
{
    const sl__params *p = &t->params;
    float *d = calloc(sl__dense_floats(p) + 1, sizeof *d), *o = d;
    if (!d) return NULL;
    size_t cb = (size_t)1 << t->cfg.cls_bits, sb = (size_t)1 << t->cfg.span_bits;
    memcpy(o, t->dmu, p->cls_dense * sizeof *o), o += p->cls_dense;
    memcpy(o, t->dinv, p->cls_dense * sizeof *o), o += p->cls_dense;
    memcpy(o, t->W + cb * SL__CLS_COLS, p->cls_dense * SL__CLS_COLS * sizeof *o);
    o += p->cls_dense * SL__CLS_COLS;
    memcpy(o, t->smu, p->span_dense * sizeof *o), o += p->span_dense;
    memcpy(o, t->sinv, p->span_dense * sizeof *o), o += p->span_dense;
    memcpy(o, t->SW + sb, p->span_dense * sizeof *o);
    return d;
}

sl_status sl_trainer_run(sl_trainer *t, const char *out_path, sl_error *err)
{
    if (!t || !out_path) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "NULL argument");
    if (!t->cls[0].n && !t->spx[0].n && !t->ctsd[0].n)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no training examples");
    sl__params *p = &t->params;
    p->cls_bits = t->cfg.cls_bits;
    p->span_bits = t->cfg.span_bits;
    p->cls_cols = SL__CLS_COLS;
    p->block_rows = SL__BLOCK_ROWS;
    p->span_gate = 2.0f;
    p->span_threshold = 0.5f;
    p->vec_dim = t->vec.dim;
    p->cls_dense = (uint32_t)t->dn;
    p->span_dense = (uint32_t)t->sn;
    sl_status st = train_all(t, err);
    if (!st) st = zero_tables(t, err);
    sl_buf meta = {0};
    if (!st) st = meta_head(t, &meta);
    float *dense = !st && p->vec_dim ? dense_section(t) : NULL;
    if (!st && p->vec_dim && !dense)
        st = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    sl__weights w = {*p, t->W, t->SW, NULL, t->vbytes, t->vbytes_len, dense};
    unsigned char *bytes = NULL;
    size_t len = 0;
    sl_model *m = NULL;
    sl__eval ev;
    w.meta = meta.data;
    if (!st) st = sl__model_serialize(&w, &bytes, &len, err);
    if (!st) st = sl_model_load_memory(bytes, len, &m, err);
    if (!st) st = measure(t, m, &ev, err);
    if (!st) st = sl__eval_report(&ev, "dev.", &meta);
    if (!st) {
        sl__train_log(t, "dev figures of the quantized model:\n%s", meta.data);
        w.meta = meta.data;
        st = sl__model_write(&w, out_path, err);
    }
    sl_model_free(m);
    free(bytes);
    free(dense);
    sl_buf_free(&meta);
    return st;
}
