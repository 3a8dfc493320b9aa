/* detect/matcher_internal.h — the matcher's private state, shared by matcher.c (build, scan) and
 * matcher_cache.c (the on-disk cache of compiled databases). Only these files include hs.h. */
#ifndef SL_DETECT_MATCHER_INTERNAL_H
#define SL_DETECT_MATCHER_INTERNAL_H

#include <hs/hs.h>
#include <stdbool.h>

#include "sangloc/matcher.h"

#define SL_MATCHER_MAGIC 0x4d41544348u /* "MATCH": stamped on live matchers */

/* One compiled database per (view, kind): kind 0 = whole-word literals, 1 = regexes. */
#define SL_MATCHER_KINDS 2

typedef struct sl__pattern_meta {
    uint32_t len; /* literal length: a literal's start is its end minus this */
    uint32_t rule;
    int32_t term;
    float score;
    uint8_t view;
    uint8_t flags;
} sl__pattern_meta;

struct sl_matcher {
    uint64_t magic;
    sl__pattern_meta *pats;
    size_t npats;
    char (*rule_ids)[SL_RULE_ID_MAX];
    size_t nrules;
    hs_database_t *db[SL_VIEW_COUNT_][SL_MATCHER_KINDS];
    uint64_t cache_key;
    bool from_cache;
};

/* Loads every database of m from cache_dir (those m's patterns need); false when absent,
 * stale or damaged (then no database is set). */
bool sl__matcher_cache_load(sl_matcher *m, const char *cache_dir);

/* Writes m's databases to cache_dir (best effort: failures are ignored). */
void sl__matcher_cache_save(const sl_matcher *m, const char *cache_dir);

#endif
