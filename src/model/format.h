/* model/format.h — the model file layout, the in-memory model and the writer (internal).
 *
 * File (all little-endian, every section at a 64-byte aligned offset):
 *   header   64 bytes: magic "SLMODEL\0", u32 format (1), u32 nsections, u64 file size,
 *            u64 checksum (FNV-1a 64 of every byte after the header), zero padding
 *   table    nsections x {u32 id, u32 zero, u64 offset, u64 size}
 *   sections META (text, NUL-terminated), PARAMS (sl__params), CLS_W (int8 rows x cols),
 *            CLS_S (float scales, blocks x cols), SPAN_W (int8 rows), SPAN_S (float per block);
 *            format 2 adds, when vec_dim > 0, VECS (a whole vector file, model/vectors.h) and
 *            DENSE (floats, sl__dense below): the weights of the features read from vectors
 * The loader checks every size, offset and alignment against the header and PARAMS before
 * any weight is read, so no bytes can make it read outside the file. */
#ifndef SL_MODEL_FORMAT_H
#define SL_MODEL_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "model/feat.h"
#include "model/vectors.h"
#include "sangloc/model.h"

#define SL__MODEL_MAGIC  "SLMODEL"
#define SL__MODEL_FORMAT 2u /* written; 1 (no vectors) is still read */
#define SL__HEADER_BYTES 64u
#define SL__ALIGN        64u
#define SL__MAX_SECTIONS 16u
#define SL__BLOCK_ROWS   1024u
#define SL__CLS_COLS     5u /* clean, offensive, hate, toxic, constructive */
#define SL__MIN_BITS     10u
#define SL__MAX_BITS     24u

enum {
    SL__SEC_META = 1,
    SL__SEC_PARAMS = 2,
    SL__SEC_CLS_W = 3,
    SL__SEC_CLS_S = 4,
    SL__SEC_SPAN_W = 5,
    SL__SEC_SPAN_S = 6,
    SL__SEC_VECS = 7,
    SL__SEC_DENSE = 8
};

enum { SL__COL_TOXIC = 3, SL__COL_CONSTRUCTIVE = 4 };

/* Settings and decision constants; 32-bit fields only, so the layout has no padding. */
typedef struct sl__params {
    uint32_t cls_bits, span_bits;
    uint32_t cls_cols, block_rows;
    uint32_t has_cls, has_span, has_ctsd;
    uint32_t toxic_from_cls; /* 1: toxic = P(offensive) + P(hate) */
    float cls_bias[3];       /* intercepts of the softmax */
    float decision_bias[3];  /* added to the logits to choose the label (tuned on dev) */
    float ctsd_bias[2];      /* intercepts of toxic, constructive */
    float span_bias;
    float span_threshold; /* a token is offensive when its probability is above */
    float span_gate;      /* no spans when P(clean) is above */
    uint32_t vec_dim;     /* dimension of the embedded vectors; 0: none (and no DENSE) */
    uint32_t cls_dense;   /* dense comment features (pooled vectors), 0 or 2 * vec_dim */
    uint32_t span_dense;  /* dense token features (token and neighbours), 0 or 3 * vec_dim */
    uint32_t reserved[10];
} sl__params;

/* The DENSE section, in this order: comment features' mean[cls_dense], inverse scale
 * [cls_dense] and weights [cls_dense x SL__CLS_COLS]; then the token features' mean, inverse
 * scale and weights [span_dense each]. A dense feature's value is (x - mean) * inverse scale,
 * exactly as in training. */
typedef struct sl__dense {
    const float *cls_mu, *cls_inv, *cls_w;
    const float *span_mu, *span_inv, *span_w;
} sl__dense;

/* Floats in the DENSE section for these settings. */
size_t sl__dense_floats(const sl__params *p);

struct sl_model {
    unsigned char *base; /* the file's bytes */
    size_t len;
    int mapped; /* munmap (1) or free (0) */
    const sl__params *p;
    const char *meta;
    const int8_t *cls_w;
    const float *cls_s;
    const int8_t *span_w;
    const float *span_s;
    char version[32];
    sl__targets targets;
    sl__vectors vec; /* when p->vec_dim > 0 */
    sl__dense dense;
    /* the dense weights with the standardization folded in, laid out for prediction:
     * logit part = sum_i x[i] * w[i] + bias, where w = weight * inverse scale and
     * bias = -sum_i mean[i] * w[i]; one contiguous row per comment column, one per token
     * slot (self, previous, next) */
    float *cls_wd; /* SL__CLS_COLS x cls_dense */
    float cls_bd[SL__CLS_COLS];
    float *span_wd; /* 3 x vec_dim */
    float span_bd;  /* the three slots' biases summed */
    /* per vocabulary word, SL__WORD_DOTS floats: its vector's dot with each comment column's
     * mean-part weights (5), then with the token slots' weights (3). The mean and the slots
     * are linear in the vectors, so prediction adds these up instead of the vectors. */
    float *word_dots;
};

#define SL__WORD_DOTS 8

/* Float weights as produced by training, quantized by the writer. */
typedef struct sl__weights {
    sl__params params;
    const float *cls;  /* (1 << cls_bits) x SL__CLS_COLS, row-major; NULL when absent */
    const float *span; /* 1 << span_bits; NULL when absent */
    const char *meta;  /* "key: value" lines */
    const void *vecs;  /* a vector file to embed (params.vec_dim > 0), vecs_len bytes */
    size_t vecs_len;
    const float *dense; /* sl__dense_floats(&params) floats, the DENSE section */
} sl__weights;

uint64_t sl__checksum(const void *data, size_t len);

/* Quantizes and writes a model file (written to path.tmp, then renamed). */
sl_status sl__model_write(const sl__weights *w, const char *path, sl_error *err);

/* The file bytes for w in a malloc'd buffer (used by the writer and the tests). */
sl_status sl__model_serialize(const sl__weights *w, unsigned char **out, size_t *len,
                              sl_error *err);

/* The dots of one vector x (vec_dim floats) with the folded dense weights (see word_dots). */
void sl__model_vector_dots(const sl_model *m, const float *x, float *out);

/* Checks the bytes and points the model's fields into them. */
sl_status sl__model_bind(sl_model *m, sl_error *err);

#endif
