/* model/vectors.h — subword-aware word vectors learned by `sangloc pretrain`, read in place
 * (internal).
 *
 * A vector file ("SLVECS", written by sl__vectors_write and by sl_pretrain) holds:
 *   - the vector of every vocabulary word, keyed by the FNV hash of its NORM code points (the
 *     `h` of sl__tok, so the model looks a token up without hashing it again), int8 with one
 *     float scale per row; a word's stored vector is already the mean of its own row and its
 *     character n-gram rows, as trained;
 *   - 2^bucket_bits character n-gram rows (int8, one scale per row), for words never seen in
 *     pretraining: their vector is the mean of the rows of their n-grams;
 *   - a "key: value" text with the settings, the data it was learned from and their licences.
 * Character n-grams are those of the token's diacritic-folded code points between the marks
 * '<' and '>', of minn..maxn code points (the first SL__NGRAM_MAX_CPS code points only), so an
 * unaccented spelling of an unknown word gets the same vector as its accented one.
 *
 * The bytes are checked once by sl__vectors_bind (sizes, offsets, alignment, finite scales,
 * checksum); after that, lookups read only inside them. All offsets inside the file are
 * multiples of 64, so the file can be embedded as one 64-byte aligned section of a model. */
#ifndef SL_MODEL_VECTORS_H
#define SL_MODEL_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#include "model/feat.h"
#include "sangloc/status.h"
#include "sangloc/text.h"

#define SL__VEC_MAX_DIM 512u

typedef struct sl__vectors {
    uint32_t dim;         /* 1..SL__VEC_MAX_DIM */
    uint32_t nwords;      /* vocabulary rows */
    uint32_t slot_bits;   /* open-addressing table of 2^slot_bits word keys */
    uint32_t bucket_bits; /* 2^bucket_bits n-gram rows (0: none) */
    uint32_t minn, maxn;  /* n-gram lengths in code points, marks included */
    const uint64_t *keys; /* slot -> word key (0: empty slot); linear probing */
    const uint32_t *rows; /* slot -> word row */
    const int8_t *word_w; /* nwords x dim */
    const float *word_s;  /* nwords */
    const int8_t *ngram_w;
    const float *ngram_s;
    const char *meta; /* NUL-terminated "key: value" lines */
} sl__vectors;

/* Checks len bytes of a vector file and points v's fields into them (no copy: the bytes must
 * outlive v). Errors are SL_ERR_MODEL with a message naming what is wrong. */
sl_status sl__vectors_bind(sl__vectors *v, const void *bytes, size_t len, sl_error *err);

/* The vector of NORM token t of view norm, written to out[0..dim): the stored vector when the
 * token's key is a vocabulary word (returns 1), else the mean of its n-gram rows (returns 2),
 * else zeros (returns 0: no n-gram rows, or a symbol token that is not a word). */
int sl__vectors_token(const sl__vectors *v, const sl__tok *t, const sl_view *norm, float *out);

#endif
