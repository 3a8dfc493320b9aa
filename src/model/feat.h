/* model/feat.h — tokens and hashed features shared by training and prediction (internal).
 *
 * Both sides must compute exactly the same features, so everything that turns views into
 * feature indices lives here and nowhere else. Features are bucket indices into a table of
 * 2^bits rows; a text's features all carry the same value 1/sqrt(count) (L2-normalised binary
 * features), so only the indices are stored. */
#ifndef SL_MODEL_FEAT_H
#define SL_MODEL_FEAT_H

#include <stddef.h>
#include <stdint.h>

#include "sangloc/text.h"

/* Limits that bound the work per text: tokens beyond SL__MAX_TOKENS are ignored, comment
 * features beyond SL__MAX_FEATS are dropped (the first ~4,000 characters decide), and a
 * token's character n-grams use at most its first SL__NGRAM_MAX_CPS code points. */
#define SL__MAX_TOKENS    4096
#define SL__MAX_FEATS     16384
#define SL__TOKEN_FEATS   80
#define SL__NGRAM_MAX_CPS 24
#define SL__NGRAM_MIN     2
#define SL__NGRAM_MAX     5

typedef struct sl__tok {
    uint32_t vs, ve; /* bytes of the view */
    uint32_t os, oe; /* span of the original */
    uint64_t h;      /* hash of the token's code points */
    uint64_t fh;     /* hash of its diacritic-folded code points */
    uint8_t word;    /* letters/digits (1) or a symbol, emoji or punctuation run (0) */
    uint8_t masked;  /* 0 no, 1 first token of a group reference, 2 a following token */
} sl__tok;

/* Group references ("công an", "phụ nữ", "người miền bắc"...), hashed once per model. */
typedef struct sl__targets {
    uint64_t (*seq)[4]; /* up to 4 token hashes each (0-padded) */
    uint8_t *len;       /* tokens per entry */
    uint8_t *fold_ok;   /* may match unaccented spellings by folded hash */
    size_t n;
    uint32_t *by_first; /* entry indices sorted by their first token hash */
    /* bit (h >> 52) set for every first token hash: most tokens start no entry, and one bit
     * test rejects them without a binary search (whose branches a CPU cannot predict) */
    uint64_t first_filter[4096 / 64];
} sl__targets;

sl_status sl__targets_init(sl__targets *t);
void sl__targets_free(sl__targets *t);

/* The weight table the features index, so that each row is prefetched as soon as its feature
 * is hashed: the table is megabytes, every row a likely cache miss, and hashing the following
 * features hides most of the wait. NULL where nothing is looked up (training). */
typedef struct sl__rows {
    const void *base;
    size_t row_bytes;
} sl__rows;

/* Splits a view into tokens; returns how many were written (at most cap). */
size_t sl__tokenize(const sl_view *v, sl__tok *out, size_t cap);

/* Marks group references among NORM tokens (longest match first). */
void sl__mask_targets(const sl__targets *t, sl__tok *toks, size_t n);

/* Copies the masks of NORM tokens to FOLD tokens that start inside a masked original span. */
void sl__mask_align(const sl__tok *norm, size_t nn, sl__tok *fold, size_t nf);

/* Comment-level features from NORM tokens (words, bigrams) and FOLD tokens (words, bigrams,
 * character 2..5-grams with word boundary marks). Returns the count written (<= cap). */
size_t sl__comment_features(const sl__tok *norm, size_t nn, const sl__tok *fold, size_t nf,
                            const sl_view *fold_view, unsigned bits, const sl__rows *rows,
                            uint32_t *out, size_t cap);

/* Features of NORM token t for the span tagger: the token, its neighbours, its character
 * n-grams and the comment-level P(not clean) in buckets. Returns the count (<= cap). */
size_t sl__token_features(const sl__tok *norm, size_t nn, size_t t, const sl_view *norm_view,
                          float p_bad, unsigned bits, const sl__rows *rows, uint32_t *out,
                          size_t cap);

#endif
