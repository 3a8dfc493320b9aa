/* sangloc/hit.h — what every detector returns: a rule id and a span of the original text.
 *
 * Detectors append hits to an sl_hits list owned by the caller. The list has a cap (max) so a
 * pathological post cannot grow it without bound; past the cap, pushes are counted in
 * `dropped` and otherwise ignored. A producer that gives up evidence for a limit of its own
 * also adds the number it gave up to `dropped`; the engine reports it in the verdict. */
#ifndef SANGLOC_HIT_H
#define SANGLOC_HIT_H

#include <stddef.h>
#include <stdint.h>

#include "sangloc/status.h"

#define SL_RULE_ID_MAX 48

typedef struct sl_hit {
    char rule[SL_RULE_ID_MAX]; /* rule id, e.g. "pii.phone", "marking.mat", "lex.insult" */
    uint32_t start, end;       /* [start, end) byte offsets into the ORIGINAL text */
    float score;               /* detector confidence in 0..1 (1 for exact rules) */
    int32_t pattern;           /* detector-specific index (lexicon entry, regex), or -1 */
    int32_t rule_index;        /* the index of the rule in the table the producer was built
                                  from (the matcher: the policy rule), or -1 when the producer
                                  only names its output (built-in detectors) */
} sl_hit;

typedef struct sl_hits {
    sl_hit *items;
    size_t count, cap;
    size_t max;     /* hard limit on count; 0 means the default SL_HITS_DEFAULT_MAX */
    size_t dropped; /* pushes refused because count reached max */
} sl_hits;

#define SL_HITS_DEFAULT_MAX 1024

/* Appends a hit (rule is copied and truncated to SL_RULE_ID_MAX-1 bytes). Returns SL_OK also
 * when the hit is dropped for the cap; SL_ERR_NOMEM when growing fails. */
sl_status sl_hits_push(sl_hits *hits, const char *rule, uint32_t start, uint32_t end, float score,
                       int32_t pattern);

/* Like sl_hits_push, also recording the producer's rule index (see sl_hit.rule_index). */
sl_status sl_hits_push_rule(sl_hits *hits, int32_t rule_index, const char *rule, uint32_t start,
                            uint32_t end, float score, int32_t pattern);

/* Forgets all hits, keeping memory. */
void sl_hits_clear(sl_hits *hits);

/* Frees the storage; the struct may be reused after (it is zeroed). */
void sl_hits_free(sl_hits *hits);

#endif
