/* model/train.c — training every head from labelled JSON-lines data, in minutes on one core.
 *
 * Features are extracted once per example into one pool of bucket indices; epochs then only
 * walk the pool. Each head is a linear model trained by Adagrad on the log loss with class
 * weights (N / (k * N_class))^power, because ViHSD is mostly clean and an unweighted model
 * would rarely say hate.
 *
 *   classifier    softmax over clean/offensive/hate; its epoch count and per-class decision
 *                 biases are chosen by k-fold cross-validation on the training data, never on
 *                 dev (model/train_cls.c), so the dev figure is an honest estimate
 *   toxic         logistic on ViCTSD toxic, or P(offensive)+P(hate), whichever has the better
 *                 dev macro-F1; constructive: logistic on ViCTSD constructive. Their decision
 *                 thresholds tuned on dev are folded into the intercepts, so 0.5 decides.
 *   spans         logistic per NORM token (a token is offensive when most of its original
 *                 characters are in a gold span); threshold and clean-comment gate tuned on dev
 *                 span F1 with the exact merge that prediction uses.
 * Finally the quantized file is loaded back and every dev figure is measured through the real
 * prediction path, and written into the header. */
#include "model/train.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/format.h"
#include "model/metrics.h"
#include "model/mtext.h"
#include "model/predict.h"
#include "model/vecfeat.h"
#include "sangloc/buf.h"

/* ---- setup ------------------------------------------------------------------------------------
 */

static void defaults(sl_train_config *c)
{
    if (!c->cls_bits) c->cls_bits = 20;
    if (!c->span_bits) c->span_bits = 19;
    if (!c->epochs) c->epochs = 12;
    if (!(c->lr > 0)) c->lr = 0.2f;
    if (!(c->class_power > 0)) c->class_power = 0.5f;
    if (!(c->cls_class_power > 0)) c->cls_class_power = 0.3f;
    if (c->label_smoothing == 0) c->label_smoothing = 0.1f;
    if (c->label_smoothing < 0) c->label_smoothing = 0;
    if (!(c->other_weight > 0)) c->other_weight = 0.5f;
    if (!c->seed) c->seed = 0x5a17c0de;
    if (!c->folds) c->folds = 10;
}

sl_status sl_trainer_new(const sl_train_config *cfg, sl_trainer **out)
{
    sl_trainer *t = calloc(1, sizeof *t);
    if (!t) return SL_ERR_NOMEM;
    if (cfg) t->cfg = *cfg;
    defaults(&t->cfg);
    if (t->cfg.cls_bits < SL__MIN_BITS || t->cfg.cls_bits > SL__MAX_BITS ||
        t->cfg.span_bits < SL__MIN_BITS || t->cfg.span_bits > SL__MAX_BITS) {
        free(t);
        return SL_ERR_ARG;
    }
    t->ntok = malloc(SL__MAX_TOKENS * sizeof *t->ntok);
    t->ftok = malloc(SL__MAX_TOKENS * sizeof *t->ftok);
    t->fbuf = malloc(SL__MAX_FEATS * sizeof *t->fbuf);
    t->cur_src = SRC_NONE;
    if (!t->ntok || !t->ftok || !t->fbuf || sl__targets_init(&t->tg)) {
        sl_trainer_free(t);
        return SL_ERR_NOMEM;
    }
    *out = t;
    return SL_OK;
}

sl_status sl_trainer_set_vectors(sl_trainer *t, const void *bytes, size_t len, unsigned use,
                                 sl_error *err)
{
    if (!t || !bytes || t->vbytes || t->npool ||
        !(use & (SL_VEC_COMMENT | SL_VEC_SPANS | SL_VEC_TOXIC)))
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS,
                            "vectors must be given once, before any example");
    /* an aligned copy: the file's sections are 64-byte aligned relative to its start */
    size_t cap = (len + 63) & ~(size_t)63;
    t->vbytes = aligned_alloc(64, cap ? cap : 64);
    if (!t->vbytes) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    memcpy(t->vbytes, bytes, len);
    t->vbytes_len = len;
    sl_status st = sl__vectors_bind(&t->vec, t->vbytes, len, err);
    if (st) {
        free(t->vbytes);
        t->vbytes = NULL;
        memset(&t->vec, 0, sizeof t->vec);
        return st;
    }
    size_t dim = t->vec.dim;
    t->vec_use = use;
    t->dn = use & (SL_VEC_COMMENT | SL_VEC_TOXIC) ? 2 * dim : 0;
    t->sn = use & SL_VEC_SPANS ? 3 * dim : 0;
    t->tokvec = malloc(SL__MAX_TOKENS * dim * sizeof *t->tokvec);
    t->dbuf = malloc(3 * dim * sizeof *t->dbuf);
    t->dmu = calloc(2 * dim, sizeof *t->dmu);
    t->dinv = calloc(2 * dim, sizeof *t->dinv);
    t->smu = calloc(3 * dim, sizeof *t->smu);
    t->sinv = calloc(3 * dim, sizeof *t->sinv);
    if (!t->tokvec || !t->dbuf || !t->dmu || !t->dinv || !t->smu || !t->sinv)
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    return SL_OK;
}

static void free_docs(docs *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].text);
        free(d->v[i].spans);
    }
    free(d->v);
}

void sl_trainer_free(sl_trainer *t)
{
    if (!t) return;
    for (int s = 0; s < 2; s++) {
        free_docs(&t->cls[s]);
        free_docs(&t->ctsd[s]);
        free_docs(&t->spx[s]);
        free_docs(&t->tok[s]);
    }
    for (size_t i = 0; i < t->nsrc; i++) {
        free(t->src_name[i]);
        free(t->src_lic[i]);
    }
    sl__targets_free(&t->tg);
    sl__mtext_free(&t->mt);
    free(t->ntok);
    free(t->ftok);
    free(t->fbuf);
    free(t->pool);
    free(t->W);
    free(t->G);
    free(t->SW);
    free(t->SG);
    free(t->oof_th);
    free(t->oof_pbad);
    free(t->vbytes);
    free(t->dpool);
    free(t->tokvec);
    free(t->dbuf);
    free(t->dmu);
    free(t->dinv);
    free(t->smu);
    free(t->sinv);
    sl_buf_free(&t->figures);
    free(t);
}

sl_status sl_trainer_add_source(sl_trainer *t, const char *name, const char *licence)
{
    if (!t || !name || !licence) return SL_ERR_ARG;
    for (size_t i = 0; i < t->nsrc; i++)
        if (!strcmp(t->src_name[i], name)) {
            t->cur_src = (uint8_t)i;
            return SL_OK;
        }
    if (t->nsrc == SRC_MAX) return SL_ERR_TOO_LARGE;
    t->cur_src = (uint8_t)t->nsrc;
    t->src_name[t->nsrc] = strdup(name);
    t->src_lic[t->nsrc] = strdup(licence);
    if (!t->src_name[t->nsrc] || !t->src_lic[t->nsrc]) return SL_ERR_NOMEM;
    t->nsrc++;
    return SL_OK;
}

/* ---- features ---------------------------------------------------------------------------------
 */

sl_status sl__train_pool_append(sl_trainer *t, const uint32_t *f, size_t n, size_t *off)
{
    if (t->npool + n > t->pcap) {
        size_t cap = t->pcap ? t->pcap * 2 : (size_t)1 << 20;
        while (cap < t->npool + n) cap *= 2;
        uint32_t *p = realloc(t->pool, cap * sizeof *p);
        if (!p) return SL_ERR_NOMEM;
        t->pool = p;
        t->pcap = cap;
    }
    memcpy(t->pool + t->npool, f, n * sizeof *f);
    *off = t->npool;
    t->npool += n;
    return SL_OK;
}

sl_status sl__train_dense_append(sl_trainer *t, const float *x, size_t n, size_t *off)
{
    if (t->ndpool + n > t->dcap) {
        size_t cap = t->dcap ? t->dcap * 2 : (size_t)1 << 20;
        while (cap < t->ndpool + n) cap *= 2;
        float *p = realloc(t->dpool, cap * sizeof *p);
        if (!p) return SL_ERR_NOMEM;
        t->dpool = p;
        t->dcap = cap;
    }
    float *dst = t->dpool + t->ndpool;
    memcpy(dst, x, n * sizeof *x);
    if (t->dstd && n == t->dn)
        for (size_t i = 0; i < n; i++) dst[i] = (dst[i] - t->dmu[i]) * t->dinv[i];
    *off = t->ndpool;
    t->ndpool += n;
    return SL_OK;
}

void sl__train_dense_scale(const float *rows, size_t count, size_t stride, size_t n, float *mu,
                           float *inv)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0, ss = 0;
        for (size_t k = 0; k < count; k++) {
            double v = rows[k * stride + i];
            s += v;
            ss += v * v;
        }
        double m = count ? s / (double)count : 0, var = count ? ss / (double)count - m * m : 0;
        mu[i] = (float)m;
        /* a feature that never varies says nothing: weight 0 rather than a huge scale */
        inv[i] = var > 1e-12 ? (float)(1.0 / sqrt(var) / sqrt((double)n)) : 0.0f;
    }
}

sl_status sl__train_standardize_comments(sl_trainer *t)
{
    if (!t->dn || t->dstd) return SL_OK;
    const docs *d = t->cls[0].n ? &t->cls[0] : &t->ctsd[0];
    float *rows = malloc((d->n + 1) * t->dn * sizeof *rows);
    if (!rows) return SL_ERR_NOMEM;
    for (size_t i = 0; i < d->n; i++)
        memcpy(rows + i * t->dn, t->dpool + d->v[i].doff, t->dn * sizeof *rows);
    sl__train_dense_scale(rows, d->n, t->dn, t->dn, t->dmu, t->dinv);
    free(rows);
    /* every comment example so far, once: copies of a text (DOC_CTSD_CLEAN) share its values */
    for (size_t off = 0; off + t->dn <= t->ndpool; off += t->dn)
        for (size_t i = 0; i < t->dn; i++)
            t->dpool[off + i] = (t->dpool[off + i] - t->dmu[i]) * t->dinv[i];
    t->dstd = 1;
    return SL_OK;
}

size_t sl__train_cls_rows(const sl_trainer *t)
{
    return ((size_t)1 << t->cfg.cls_bits) + t->dn;
}

size_t sl__train_span_rows(const sl_trainer *t)
{
    return ((size_t)1 << t->cfg.span_bits) + t->sn;
}

float sl__train_cls_logit(const sl_trainer *t, const float *W, size_t stride, size_t col,
                          const uint32_t *f, size_t n, const float *xd)
{
    float acc = sl__train_logit(W, stride, col, f, n);
    if (xd && t->dn) {
        const float *wd = W + ((size_t)1 << t->cfg.cls_bits) * stride + col;
        for (size_t i = 0; i < t->dn; i++) acc += wd[i * stride] * xd[i];
    }
    return acc;
}

void sl__train_cls_step(const sl_trainer *t, float *W, float *G, size_t stride, size_t col,
                        const uint32_t *f, size_t n, const float *xd, float g)
{
    float lr = t->cfg.lr;
    sl__train_adagrad(W, G, stride, col, f, n, g, lr);
    if (!xd || !t->dn) return;
    size_t base = ((size_t)1 << t->cfg.cls_bits) * stride + col;
    for (size_t i = 0; i < t->dn; i++) {
        size_t k = base + i * stride;
        float gi = g * xd[i];
        G[k] += gi * gi;
        W[k] -= lr * gi / sqrtf(G[k] + 1e-6f);
    }
}

size_t sl__train_comment_feats(sl_trainer *t, size_t *nn)
{
    const sl_view *nv = &t->mt.view[0], *fv = &t->mt.view[1];
    *nn = sl__tokenize(nv, t->ntok, SL__MAX_TOKENS);
    size_t nf = sl__tokenize(fv, t->ftok, SL__MAX_TOKENS);
    sl__mask_targets(&t->tg, t->ntok, *nn);
    sl__mask_align(t->ntok, *nn, t->ftok, nf);
    if (t->vec.dim) sl__vec_comment(&t->vec, t->ntok, *nn, nv, t->tokvec, t->dbuf);
    return sl__comment_features(t->ntok, *nn, t->ftok, nf, fv, t->cfg.cls_bits, NULL, t->fbuf,
                                SL__MAX_FEATS);
}

sl_status sl__docs_push(docs *d, const doc *x)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1024;
        doc *v = realloc(d->v, cap * sizeof *v);
        if (!v) return SL_ERR_NOMEM;
        d->v = v;
        d->cap = cap;
    }
    d->v[d->n++] = *x;
    return SL_OK;
}

static docs *task_docs(sl_trainer *t, sl_train_task task, int dev)
{
    return task == SL_TASK_CLASSIFY ? &t->cls[dev]
           : task == SL_TASK_SPANS  ? &t->spx[dev]
                                    : &t->ctsd[dev];
}

/* Diacritics are often left out when typing; an unaccented copy of each classifier example
 * (the FOLD view used as text) teaches the NORM features the unaccented spellings too. */
static sl_status add_unaccented(sl_trainer *t, const doc *orig, docs *into, sl_error *err)
{
    const sl_view *fv = &t->mt.view[1];
    if (fv->len == t->mt.view[0].len && !memcmp(fv->data, t->mt.view[0].data, fv->len))
        return SL_OK; /* nothing to strip */
    char *copy = malloc(fv->len + 1);
    if (!copy) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    memcpy(copy, fv->data, fv->len);
    sl_status st = sl__mtext_build(&t->mt, copy, fv->len, err);
    doc x = {0};
    x.y = orig->y;
    x.y2 = orig->y2;
    x.th = orig->th;
    x.src = orig->src;
    x.kind = DOC_UNACCENTED;
    if (!st) {
        size_t nn, n = sl__train_comment_feats(t, &nn);
        st = sl__train_pool_append(t, t->fbuf, n, &x.off);
        if (!st && t->dn) st = sl__train_dense_append(t, t->dbuf, t->dn, &x.doff);
        x.n = (uint32_t)n;
    }
    if (!st) st = sl__docs_push(into, &x);
    free(copy);
    return st ? sl_error_set(err, st, SL_NO_POS, "cannot add an unaccented copy") : SL_OK;
}

/* The unaccented copy of a span example: the FOLD view as its text, each gold span moved to the
 * view bytes that come from inside it (the view maps every byte to the original). */
static sl_status add_unaccented_spans(sl_trainer *t, const doc *orig, sl_error *err)
{
    const sl_view *fv = &t->mt.view[1];
    if (fv->len == t->mt.view[0].len && !memcmp(fv->data, t->mt.view[0].data, fv->len))
        return SL_OK;
    doc x = {0};
    x.th = orig->th;
    x.src = orig->src;
    x.text = malloc(fv->len + 1);
    x.spans = malloc((2 * orig->nspans + 1) * sizeof *x.spans);
    if (!x.text || !x.spans) goto nomem;
    memcpy(x.text, fv->data, fv->len);
    x.text[fv->len] = '\0';
    x.len = fv->len;
    for (size_t s = 0; s < orig->nspans; s++) {
        uint32_t a = orig->spans[2 * s], b = orig->spans[2 * s + 1], lo = UINT32_MAX, hi = 0;
        for (size_t i = 0; i < fv->len; i++)
            if (fv->orig_start[i] >= a && fv->orig_end[i] <= b) {
                if (lo == UINT32_MAX) lo = (uint32_t)i;
                hi = (uint32_t)i + 1;
            }
        if (lo == UINT32_MAX) continue; /* nothing of it is left in the view */
        x.spans[2 * x.nspans] = lo;
        x.spans[2 * x.nspans + 1] = hi;
        x.nspans++;
    }
    if (!sl__docs_push(&t->spx[0], &x)) return SL_OK;
nomem:
    free(x.text);
    free(x.spans);
    return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "cannot add an unaccented copy");
}

sl_status sl_trainer_add(sl_trainer *t, sl_train_task task, int dev, const char *text, size_t len,
                         int label, int label2, const uint32_t *spans, size_t nspans, sl_error *err)
{
    if (!t || (!text && len) || (unsigned)task > SL_TASK_CONSTRUCTIVE || (nspans && !spans))
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "bad training example");
    if (task == SL_TASK_CLASSIFY && (label < 0 || label > 2))
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "label out of range");
    if (task == SL_TASK_CONSTRUCTIVE && ((label | label2) & ~1))
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "labels must be 0 or 1");
    sl_status st = sl__mtext_build(&t->mt, text, len, err);
    if (st) return st;
    doc x = {0};
    x.y = (int8_t)label;
    x.y2 = (int8_t)label2;
    x.th = sl__checksum(text, len);
    x.src = t->cur_src;
    int keep_text = dev || task == SL_TASK_SPANS;
    if (task != SL_TASK_SPANS) {
        size_t nn, n = sl__train_comment_feats(t, &nn);
        if ((st = sl__train_pool_append(t, t->fbuf, n, &x.off))) return st;
        if (t->dn && (st = sl__train_dense_append(t, t->dbuf, t->dn, &x.doff))) return st;
        x.n = (uint32_t)n;
    }
    if (keep_text) {
        x.text = malloc(len + 1);
        x.spans = nspans ? malloc(2 * nspans * sizeof *spans) : NULL;
        if (!x.text || (nspans && !x.spans)) goto nomem;
        memcpy(x.text, text, len);
        x.text[len] = '\0';
        x.len = len;
        if (nspans) memcpy(x.spans, spans, 2 * nspans * sizeof *spans);
        x.nspans = nspans;
    }
    if (sl__docs_push(task_docs(t, task, dev), &x)) goto nomem;
    /* civil news comments are clean examples too: the classifier then knows that long, formal
     * comments about crime or policy are not insults */
    if (task == SL_TASK_CONSTRUCTIVE && !dev && !label2 && !t->cfg.no_ctsd_clean) {
        doc c = x;
        c.y = SL_LABEL_CLEAN;
        c.y2 = 0;
        c.kind = DOC_CTSD_CLEAN;
        c.text = NULL; /* owned by the ctsd example */
        c.spans = NULL;
        if (sl__docs_push(&t->cls[0], &c))
            return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "no memory");
    }
    if (task == SL_TASK_CLASSIFY && !dev && !t->cfg.no_augment)
        return add_unaccented(t, &x, &t->cls[0], err);
    /* the other heads read the comment's word vectors, which differ with and without
     * diacritics: they learn both spellings too */
    if (dev || t->cfg.no_augment || t->cfg.no_augment_heads) return SL_OK;
    if (task == SL_TASK_CONSTRUCTIVE) return add_unaccented(t, &x, &t->ctsd[0], err);
    if (task == SL_TASK_SPANS) return add_unaccented_spans(t, &t->spx[0].v[t->spx[0].n - 1], err);
    return SL_OK;
nomem:
    free(x.text);
    free(x.spans);
    return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
}

/* ---- shared training pieces -------------------------------------------------------------------
 */

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

void sl__train_shuffle(size_t *order, size_t n, uint64_t *rng)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(rng_next(rng) % i);
        size_t tmp = order[i - 1];
        order[i - 1] = order[j];
        order[j] = tmp;
    }
}

size_t *sl__train_identity(size_t n)
{
    size_t *o = malloc((n ? n : 1) * sizeof *o);
    if (o)
        for (size_t i = 0; i < n; i++) o[i] = i;
    return o;
}

float sl__train_logit(const float *W, size_t stride, size_t col, const uint32_t *f, size_t n)
{
    float acc = 0;
    for (size_t i = 0; i < n; i++) acc += W[(size_t)f[i] * stride + col];
    return acc * (n ? 1.0f / sqrtf((float)n) : 0);
}

/* One Adagrad step on column col for features f with gradient g (before the 1/sqrt(n)). */
void sl__train_adagrad(float *W, float *G, size_t stride, size_t col, const uint32_t *f, size_t n,
                       float g, float lr)
{
    float v = n ? 1.0f / sqrtf((float)n) : 0, gv = g * v;
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)f[i] * stride + col;
        G[k] += gv * gv;
        W[k] -= lr * gv / sqrtf(G[k] + 1e-6f);
    }
}

sl_status sl__train_alloc_table(sl_trainer *t)
{
    size_t rows = sl__train_cls_rows(t);
    if (t->W) return SL_OK;
    t->W = calloc(rows * SL__CLS_COLS, sizeof *t->W);
    t->G = calloc(rows * SL__CLS_COLS, sizeof *t->G);
    return t->W && t->G ? SL_OK : SL_ERR_NOMEM;
}

void sl__train_class_weights(const docs *d, int k, int second, float power, float *cw)
{
    long cnt[3] = {0, 0, 0};
    for (size_t i = 0; i < d->n; i++) cnt[second ? d->v[i].y2 : d->v[i].y]++;
    for (int c = 0; c < k; c++)
        cw[c] = cnt[c] ? powf((float)d->n / (float)(k * cnt[c]), power) : 1.0f;
}

void sl__train_log(sl_trainer *t, const char *fmt, ...)
{
    if (!t->cfg.log) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(t->cfg.log, fmt, ap);
    va_end(ap);
    fflush(t->cfg.log);
}
