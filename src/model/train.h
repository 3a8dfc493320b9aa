/* model/train.h — the trainer's state and the pieces its heads share (internal).
 *
 * model/train.c adds examples and holds the shared Adagrad helpers; model/train_heads.c trains
 * the toxic and constructive heads, model/train_cls.c the classifier with its cross-validation;
 * model/train_span.c the span tagger; model/train_run.c runs them and writes the file with the dev
 * figures in its header. */
#ifndef SL_MODEL_TRAIN_H
#define SL_MODEL_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "model/feat.h"
#include "model/format.h"
#include "model/mtext.h"
#include "model/vectors.h"
#include "sangloc/model.h"
#include "sangloc/buf.h"

#define SRC_MAX 16

typedef struct doc {
    size_t off;   /* into the feature pool */
    uint32_t n;   /* features */
    int8_t y, y2; /* labels */
    char *text;   /* dev examples keep their text for the final measurement */
    size_t len;
    uint32_t *spans; /* span examples: gold spans (2*nspans) */
    size_t nspans;
    uint32_t os, oe; /* tokens of the span tagger: original span */
    float pclean;    /* span examples: the classifier's P(clean) */
    uint64_t th;     /* hash of the text, to keep span dev texts out of classifier training */
    uint8_t src;     /* index of the data set it came from (SRC_NONE: unnamed) */
    uint8_t kind;    /* classifier examples: DOC_ORIGINAL, DOC_UNACCENTED or DOC_CTSD_CLEAN */
    size_t doff;     /* its dense features in the dense pool (t->dn floats, or t->sn for tokens) */
} doc;

#define SRC_NONE 0xff
enum { DOC_ORIGINAL = 0, DOC_UNACCENTED = 1, DOC_CTSD_CLEAN = 2 };

typedef struct docs {
    doc *v;
    size_t n, cap;
} docs;

/* Appends a copy of *x, doubling the storage as needed; SL_ERR_NOMEM when it cannot grow. */
sl_status sl__docs_push(docs *d, const doc *x);

struct sl_trainer {
    sl_train_config cfg;
    sl__targets tg;
    sl__mtext mt;
    sl__tok *ntok, *ftok;
    uint32_t *fbuf;
    uint32_t *pool;
    size_t npool, pcap;
    docs cls[2], ctsd[2], spx[2]; /* [0] train, [1] dev */
    char *src_name[SRC_MAX], *src_lic[SRC_MAX];
    size_t nsrc;
    uint8_t cur_src; /* data set of the examples being added */
    /* out-of-fold P(not clean) of the classifier's scored texts, sorted by text hash: the span
     * tagger trains on these so that its training texts look like unseen ones */
    uint64_t *oof_th;
    float *oof_pbad;
    size_t noof;
    double cv_f1; /* the classifier's out-of-fold macro-F1 (0: no cross-validation) */
    unsigned cv_folds, cv_epochs;
    int cv_averaged;
    size_t cv_scored;
    float *W, *G; /* comment table (rows x SL__CLS_COLS) and Adagrad sums */
    float *SW, *SG;
    docs tok[2]; /* span tagger tokens; spx[s].v[i].off/n index them */
    sl__params params;
    sl_buf figures;
    /* pretrained vectors: dense features after the hashed rows of W (t->dn rows) and of SW
     * (t->sn rows); their values are kept standardized ((x - mu) * inv) in dpool */
    sl__vectors vec;
    void *vbytes; /* an aligned copy of the vector file, vbytes_len bytes */
    size_t vbytes_len;
    size_t dn, sn;
    unsigned vec_use; /* SL_VEC_* */
    float *dpool;
    size_t ndpool, dcap;
    float *tokvec, *dbuf; /* scratch: token vectors, one example's dense features */
    float *dmu, *dinv, *smu, *sinv;
    int dstd; /* comment features standardized (mu and inv known) */
};

/* Rows of the comment table and of the span table: the hashed rows, then one per dense
 * feature. */
size_t sl__train_cls_rows(const sl_trainer *t);
size_t sl__train_span_rows(const sl_trainer *t);

/* Appends n dense values to the dense pool (standardizing comment features once their scale is
 * known when std is set); *off receives their position. */
sl_status sl__train_dense_append(sl_trainer *t, const float *x, size_t n, size_t *off);

/* Mean and inverse scale of count rows of n values (stride apart): each feature ends with unit
 * variance, and the block of n with the squared norm of the hashed features (1), so neither
 * dominates the steps. */
void sl__train_dense_scale(const float *rows, size_t count, size_t stride, size_t n, float *mu,
                           float *inv);

/* The comment features' standardization from the classifier's (else the ViCTSD) training
 * examples, applied to every comment example added so far. */
sl_status sl__train_standardize_comments(sl_trainer *t);

/* Logit of column col of a comment table W (stride columns) for hashed features f[0, n) and
 * standardized dense features xd (t->dn values; NULL or t->dn == 0: none), and one Adagrad
 * step on it with gradient g. */
float sl__train_cls_logit(const sl_trainer *t, const float *W, size_t stride, size_t col,
                          const uint32_t *f, size_t n, const float *xd);
void sl__train_cls_step(const sl_trainer *t, float *W, float *G, size_t stride, size_t col,
                        const uint32_t *f, size_t n, const float *xd, float g);
/* The same for a document of the pool (its features and dense features). */
#define SL__DOC_F(t, x)  ((t)->pool + (x)->off)
#define SL__DOC_XD(t, x) ((t)->dn ? (t)->dpool + (x)->doff : NULL)
/* ... for the classifier, which reads them with SL_VEC_COMMENT only */
#define SL__CLS_XD(t, x) ((t)->vec_use & SL_VEC_COMMENT ? SL__DOC_XD(t, x) : NULL)

/* Appends n features to the pool; *off receives their position. */
sl_status sl__train_pool_append(sl_trainer *t, const uint32_t *f, size_t n, size_t *off);
/* For the views in t->mt: tokenizes into t->ntok (*nn tokens) and t->ftok, masks group
 * references and writes the comment features to t->fbuf (returns their count), and with
 * vectors the token vectors to t->tokvec and the raw dense features to t->dbuf. */
size_t sl__train_comment_feats(sl_trainer *t, size_t *nn);

/* Helpers shared by the heads. */
void sl__train_shuffle(size_t *order, size_t n, uint64_t *rng);
size_t *sl__train_identity(size_t n); /* 0..n-1, malloc'd; NULL when out of memory */
/* sum of W[f*stride+col] times 1/sqrt(n) */
float sl__train_logit(const float *W, size_t stride, size_t col, const uint32_t *f, size_t n);
void sl__train_adagrad(float *W, float *G, size_t stride, size_t col, const uint32_t *f, size_t n,
                       float g, float lr);
void sl__train_class_weights(const docs *d, int k, int second, float power, float *cw);
void sl__train_log(sl_trainer *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Allocates the comment table and its Adagrad sums (zeroed) if not yet done. */
sl_status sl__train_alloc_table(sl_trainer *t);

/* Heads; each logs its dev figures and fills its part of t->params and the weights. */
sl_status sl__train_classifier(sl_trainer *t, sl_error *err);
sl_status sl__train_ctsd(sl_trainer *t, sl_error *err);
sl_status sl__train_spans(sl_trainer *t, sl_error *err);

#endif
