/* bank/shingle.h — words and word-shingle hashes of a folded view (internal).
 *
 * A word is a maximal run of ASCII letters and digits or non-ASCII letters (symbols, emoji and
 * punctuation separate words). A k-shingle is k consecutive words; its hash is XXH3 of the k
 * word hashes, so the same words give the same hash whatever separates them. */
#ifndef SL_BANK_SHINGLE_H
#define SL_BANK_SHINGLE_H

#include <stddef.h>
#include <stdint.h>

#include "sangloc/status.h"
#include "sangloc/text.h"

#define SL__BANK_K_DEFAULT 3
#define SL__BANK_K_MAX     8

typedef struct sl__shingle {
    uint64_t hash;
    uint32_t pos; /* index of its first word */
} sl__shingle;

typedef struct sl__shingles {
    uint32_t *wstart, *wend; /* view byte range of each word */
    uint64_t *whash;
    size_t nwords, wcap;
    sl__shingle *sh; /* one per position, in order of position */
    size_t nsh, shcap;
} sl__shingles;

/* Splits the view into at most max_words words and hashes every k-shingle. */
sl_status sl__shingles_build(sl__shingles *s, const char *data, size_t len, unsigned k,
                             size_t max_words);
/* Words only (for the minimum-length check). */
size_t sl__count_words(const char *data, size_t len);
void sl__shingles_free(sl__shingles *s);

/* Sorts a shingle array by (hash, pos) and returns the number of distinct hashes moved to the
 * front of `uniq` (which must have room for n). */
size_t sl__shingles_distinct(sl__shingle *sh, size_t n, uint64_t *uniq);

/* Hashes of the shingles of the hand-written filler phrases ("moi nguoi can than", "share cho
 * moi nguoi", ...), sorted; *n receives the count. malloc'd, caller frees. */
uint64_t *sl__filler_hashes(unsigned k, size_t *n);

int sl__u64_cmp(const void *a, const void *b);

#endif
