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
 * Character n-grams are those of the token's code points between the marks '<' and '>', of
 * minn..maxn code points (the first SL__NGRAM_MAX_CPS code points only).
 *
 * With SL__VEC_FOLDED the words are diacritic-folded: the key is the hash of the token's folded
 * code points (the `fh` of sl__tok) and the n-grams are of folded code points, so "không" and
 * "khong" have one vector, whether diacritics were typed or not; the price is that a syllable's
 * tones ("ngu", "ngủ") share it too. Without the flag each spelling has its own vector, which
 * separates tones but moves a comment's features when its diacritics are left out
 * (docs/model.md measures both).
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
#define SL__VEC_FOLDED  1u /* flag: words and n-grams of diacritic-folded code points */

typedef struct sl__vectors {
    uint32_t dim;         /* 1..SL__VEC_MAX_DIM */
    uint32_t nwords;      /* vocabulary rows */
    uint32_t slot_bits;   /* open-addressing table of 2^slot_bits word keys */
    uint32_t bucket_bits; /* 2^bucket_bits n-gram rows (0: none) */
    uint32_t minn, maxn;  /* n-gram lengths in code points, marks included */
    uint32_t flags;       /* SL__VEC_FOLDED or 0 */
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
 * token's key (t->h, or t->fh with SL__VEC_FOLDED) is a vocabulary word (returns 1), else the mean
 * of its n-gram rows (returns 2), else zeros (returns 0: no n-gram rows, or a symbol token that is
 * not a word). */
int sl__vectors_token(const sl__vectors *v, const sl__tok *t, const sl_view *norm, float *out);

/* sl__vectors_token for each of n tokens: vectors to out[i * dim], results (0, 1, 2) to kind[i].
 * The same values, faster: the lookups' memory reads overlap. */
void sl__vectors_tokens(const sl__vectors *v, const sl__tok *toks, size_t n, const sl_view *norm,
                        float *out, uint8_t *kind);

/* The vocabulary row of each of n tokens to rows[i], or -1 for a token that is not a word of
 * the vocabulary; the rows' bytes are prefetched. */
void sl__vectors_rows(const sl__vectors *v, const sl__tok *toks, size_t n, int32_t *rows);

/* ---- layout and writing (used by sl_pretrain, tests and the fuzzer) ------------------------ */

#define SL__VEC_HEADER_BYTES    64u
#define SL__VEC_FORMAT          1u
#define SL__VEC_MAX_SLOT_BITS   26u
#define SL__VEC_MAX_BUCKET_BITS 24u
#define SL__VEC_MAX_N           8u /* maxn limit (code points, marks included) */
/* n-grams of one token: at most SL__NGRAM_MAX_CPS code points plus the two marks, each the
 * start of at most SL__VEC_MAX_N lengths */
#define SL__VEC_MAX_NGRAMS ((SL__NGRAM_MAX_CPS + 2) * SL__VEC_MAX_N)

/* The n-gram buckets of a word spelled by NORM bytes s[0, len) (the bytes of a token): its
 * code points (folded when `folded`) between '<' and '>', every run of minn..maxn of them, each
 * hashed (FNV-1a over code points, then a 64-bit mixer) to its top bucket_bits bits. Writes at most
 * SL__VEC_MAX_NGRAMS buckets to out and returns how many. The one definition shared by the
 * trainer and sl__vectors_token. bucket_bits 1..SL__VEC_MAX_BUCKET_BITS, 1 <= minn <= maxn
 * <= SL__VEC_MAX_N. */
size_t sl__vectors_ngrams(const char *s, size_t len, unsigned minn, unsigned maxn,
                          unsigned bucket_bits, int folded, uint32_t *out);

/* The key of a token hash: 0 marks empty slots, so a hash of 0 is stored and looked up as 1. */
static inline uint64_t sl__vectors_key(uint64_t h)
{
    return h ? h : 1;
}

/* What a vector file is made from: nwords keys (token hashes, distinct) with their float
 * vectors (nwords x dim), 2^bucket_bits n-gram vectors (or none with bucket_bits 0), and the
 * meta text. */
typedef struct sl__vectors_src {
    uint32_t dim, nwords, bucket_bits, minn, maxn;
    uint32_t flags; /* SL__VEC_FOLDED or 0 */
    const uint64_t *keys;
    const float *word_vecs;
    const float *ngram_vecs;
    const char *meta;
} sl__vectors_src;

/* Quantizes (int8 per row, scale = max|x| / 127) and lays out a vector file in a malloc'd
 * buffer (*out, *len; free() it). Errors: SL_ERR_ARG (sizes out of range, duplicate or
 * non-finite values), SL_ERR_NOMEM. */
sl_status sl__vectors_serialize(const sl__vectors_src *src, unsigned char **out, size_t *len,
                                sl_error *err);

/* sl__vectors_serialize, written to path (through path.tmp, renamed: never half a file). */
sl_status sl__vectors_write(const sl__vectors_src *src, const char *path, sl_error *err);

#endif
