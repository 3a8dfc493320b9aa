/* sangloc/model.h — the learned judgement: comment classifier (clean/offensive/hate), offensive
 * span tagger, toxicity and constructiveness heads, all in one versioned model file.
 *
 * A model file ("slm", format 1) is little-endian, made of 64-byte aligned sections and read in
 * place through mmap: loading costs one checksum pass, never a parse of the weights. Weights are
 * hashed-feature linear models quantized to int8 with one float scale per block of rows and
 * per output column. A file that is truncated, corrupt or of another version is refused with
 * SL_ERR_MODEL and a message naming what is wrong; loading never crashes on bad bytes.
 *
 * Features come from the text layer's NORM view (case-folded, obfuscation undone, teencode
 * expanded) and FOLD view (NORM without diacritics), so evasions that the text layer undoes do
 * not change the prediction. Group references ("the police", "women", a region or a religion)
 * are replaced by one placeholder before hashing, so the target of a sentence cannot change the
 * label: only how it is said can.
 *
 * Thread-safety: an sl_model is read-only after sl_model_load() and may be shared by any number
 * of threads. Each thread owns an sl_model_scratch; a prediction's spans live in the scratch
 * until the next sl_model_predict() on it.
 *
 * Training (sl_trainer) is single-owner: one thread adds examples and runs it. */
#ifndef SANGLOC_MODEL_H
#define SANGLOC_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sangloc/status.h"
#include "sangloc/text.h"

typedef struct sl_model sl_model;                 /* mmap'd, read-only, shared */
typedef struct sl_model_scratch sl_model_scratch; /* per thread */

enum { SL_LABEL_CLEAN = 0, SL_LABEL_OFFENSIVE = 1, SL_LABEL_HATE = 2, SL_LABEL_COUNT = 3 };

/* Largest model file accepted by sl_model_load(). */
#define SL_MODEL_MAX_BYTES ((size_t)256 * 1024 * 1024)
/* At most this many spans are returned per text (more are merged into the last one). */
#define SL_MODEL_MAX_SPANS 256

typedef struct sl_prediction {
    int label;             /* SL_LABEL_* after the decision biases tuned on dev */
    float probs[3];        /* calibrated softmax over clean, offensive, hate */
    float toxic;           /* 0..1 probability that the comment is toxic (ViCTSD sense) */
    float constructive;    /* 0..1 probability that the comment is constructive */
    const uint32_t *spans; /* 2*nspans offsets [start,end) in the original, owned by scratch */
    size_t nspans;
} sl_prediction;

/* Maps a model file. *out is NULL on error; err names the problem (SL_ERR_IO, SL_ERR_MODEL,
 * SL_ERR_TOO_LARGE, SL_ERR_NOMEM). */
sl_status sl_model_load(const char *path, sl_model **out, sl_error *err);

/* Same checks on bytes in memory; the bytes are copied (used by fuzzing and tests). */
sl_status sl_model_load_memory(const void *data, size_t len, sl_model **out, sl_error *err);

/* Unmaps; NULL is a no-op. Every scratch of the model must be freed first. */
void sl_model_free(sl_model *m);

/* "slm1-<16 hex digits of the content checksum>"; model-owned. */
const char *sl_model_version(const sl_model *m);

/* The header's metadata as "key: value" lines (settings, labels, training data and licences,
 * dev figures); model-owned, NUL-terminated. */
const char *sl_model_info(const sl_model *m);

sl_status sl_model_scratch_new(const sl_model *m, sl_model_scratch **out);
void sl_model_scratch_free(sl_model_scratch *s);

/* Predicts everything for a text whose views were built by sl_text_build(). Deterministic.
 * Errors: SL_ERR_ARG for NULL arguments, SL_ERR_NOMEM. */
sl_status sl_model_predict(const sl_model *m, sl_model_scratch *s, const sl_text *text,
                           sl_prediction *out);

/* ---- training --------------------------------------------------------------------------- */

typedef enum sl_train_task {
    SL_TASK_CLASSIFY = 0,     /* label: SL_LABEL_* */
    SL_TASK_SPANS = 1,        /* spans: [start,end) byte ranges of the original */
    SL_TASK_CONSTRUCTIVE = 2, /* label: constructive 0/1, label2: toxic 0/1 */
} sl_train_task;

/* Which heads read pretrained vectors: the classifier and the constructive head, the span
 * tagger, the toxic head. */
enum { SL_VEC_COMMENT = 1, SL_VEC_SPANS = 2, SL_VEC_TOXIC = 4 };

typedef struct sl_train_config {
    unsigned cls_bits;  /* log2 buckets of the comment feature table; 0: 20 */
    unsigned span_bits; /* log2 buckets of the token feature table; 0: 19 */
    unsigned epochs;   /* upper bound; the classifier's best cross-validated epoch is kept; 0: 12 */
    unsigned runs;     /* classifier runs (shuffle orders) whose weights are averaged; 0: 3 */
    float lr;          /* Adagrad step size; 0: 0.2 */
    float class_power; /* binary heads' class weight (N / (k * N_class))^power; 0: 0.5
                          (use 1e-6 for none) */
    float cls_class_power; /* the same for the clean/offensive/hate classifier; 0: 0.3 */
    float label_smoothing; /* classifier targets (1 - e + e/3, e/3); 0: 0.1, negative: none */
    float other_weight;    /* weight of classifier examples from data sets other than the
                              scored one (see sl_trainer_add_source); 0: 0.5 */
    uint64_t seed;         /* shuffling; 0: a fixed default */
    int no_augment;    /* 1: do not also train the classifier on unaccented copies of its texts */
    int no_ctsd_clean; /* 1: do not use non-toxic constructiveness texts as clean examples */
    int no_augment_heads; /* 1: do not also train the toxic, constructive and span heads on
                             unaccented copies of their texts */
    unsigned folds;       /* classifier cross-validation folds (2..10; 1: none); 0: 10 */
    FILE *log;            /* progress and dev figures; NULL: silent */
} sl_train_config;

typedef struct sl_trainer sl_trainer;

sl_status sl_trainer_new(const sl_train_config *cfg, sl_trainer **out);
void sl_trainer_free(sl_trainer *t);

/* Records a data set by name and licence for the model header (e.g. "ViHSD", "research only")
 * and makes it current: examples added afterwards are counted as coming from it. The
 * classifier's decision biases and epoch count are chosen by cross-validation on the training
 * examples of the data set of the first classifier example. */
sl_status sl_trainer_add_source(sl_trainer *t, const char *name, const char *licence);

/* Gives the trainer pretrained vectors (a file written by `sangloc pretrain`, see
 * sangloc/pretrain.h), to be embedded in the model and read as dense features. `use` says
 * which heads read them, any of SL_VEC_COMMENT (the classifier and the constructive head read
 * the mean and maximum of the comment's word vectors), SL_VEC_TOXIC (the toxic head too) and
 * SL_VEC_SPANS (the span tagger reads each token's and its neighbours' vectors). The bytes are
 * copied. Call it before adding examples (SL_ERR_ARG after); a file that does not check out is
 * SL_ERR_MODEL with the reason in err. */
sl_status sl_trainer_set_vectors(sl_trainer *t, const void *bytes, size_t len, unsigned use,
                                 sl_error *err);

/* Adds one example. `dev` selects the dev split. For SL_TASK_SPANS, spans holds 2*nspans byte
 * offsets of the original text; label is unused. The text is copied. Bad UTF-8 gives the text
 * layer's error. */
sl_status sl_trainer_add(sl_trainer *t, sl_train_task task, int dev, const char *text, size_t len,
                         int label, int label2, const uint32_t *spans, size_t nspans,
                         sl_error *err);

/* Trains every head that has examples, tunes decisions on dev, writes the model file. */
sl_status sl_trainer_run(sl_trainer *t, const char *out_path, sl_error *err);

#endif
