/* text/teencode.h — the teencode and abbreviation table of the normalizer (internal).
 *
 * Keys are case-folded NFC words ("ko", "đc", "mn"); values are standard lowercase spellings
 * ("không", "được", "mọi người"). Profanity abbreviations ("vl", "đm", "clgt", ...) are on
 * purpose not in the table, so lexicons match them in NORM as written. */
#ifndef SL_TEXT_TEENCODE_H
#define SL_TEXT_TEENCODE_H

#include <stddef.h>

#define SL__TC_NOT_AFTER_NUM  0x01 /* keep as is after a number ("50 k" is fifty thousand) */
#define SL__TC_STD_ONLY       0x02 /* STANDARD only: NORM keeps the word (spelling variants) */
#define SL__TC_NOT_BEFORE_NUM 0x04 /* keep as is before a number ("t 2", "p 3") */

typedef struct sl__teencode {
    const char *key, *val;
    unsigned flags;
} sl__teencode;

/* Sorts the table once (thread-safe). */
void sl__teencode_init(void);

/* The entry for a key of len bytes, or NULL. */
const sl__teencode *sl__teencode_find(const char *key, size_t len);

/* The reading of a unit word after a number ("5 tr" is 5 triệu), or NULL. */
const char *sl__teencode_after_number(const char *key, size_t len);

/* Post-level context: which pronouns the post uses (computed before expanding). */
#define SL__CTX_MAY 0x01 /* "m", "mày", "tao" ... */
#define SL__CTX_EM  0x02 /* "e", "em" */

/* The reading of a one-letter pronoun in the context of its post, or NULL. */
const char *sl__teencode_in_context(const char *key, size_t len, unsigned ctx);

/* The whole table, sorted by key (for tests and documentation). */
const sl__teencode *sl__teencode_all(size_t *count);

#endif
