/* server/verdict_hits.h — the hits of a stored verdict, read back for notices and statements
 * (internal).
 *
 * A verdict (docs/verdict.md) is stored as the JSON the caller received. Notices to authors and
 * statements of reasons need only its hits: rule, category and byte span of each. This reads
 * them with the strict scanner of server/json.h, so a damaged verdict is an error with a byte
 * position, never a crash; every other member is skipped unread. The hits' "text" excerpts are
 * ignored on purpose: a notice quotes the item's own text (or nothing, once it is purged). */
#ifndef SL_SERVER_VERDICT_HITS_H
#define SL_SERVER_VERDICT_HITS_H

#include <stdbool.h>
#include <stddef.h>

#include "sangloc/status.h"

/* Rule ids and category names are at most 47 bytes in a policy (docs/policy.md). */
#define SL__VHIT_NAME_MAX 63
/* A verdict lists at most 256 hits; more than this is not a verdict of ours. */
#define SL__VHITS_MAX 1024

typedef struct sl__vhit {
    char rule[SL__VHIT_NAME_MAX + 1];
    char category[SL__VHIT_NAME_MAX + 1];
    size_t start, end; /* [start, end) bytes of the original text, start <= end (not clamped) */
} sl__vhit;

typedef struct sl__vhits {
    sl__vhit *v; /* malloc'd; sl__vhits_free() */
    size_t n;
} sl__vhits;

/* Reads the "hits" array of the verdict object json[0..len) into *out (replacing it). A verdict
 * without "hits" (an error verdict) gives n = 0. Errors: SL_ERR_JSON (malformed, or a hit that
 * is not an object, or end < start; err->byte where), SL_ERR_MISSING_FIELD (a hit without
 * rule, category, start or end), SL_ERR_TOO_LARGE (a name above SL__VHIT_NAME_MAX bytes, more
 * than SL__VHITS_MAX hits), SL_ERR_NOMEM. On error *out is empty. json NULL with len 0 is an
 * empty verdict (no hits). */
sl_status sl__vhits_parse(const char *json, size_t len, sl__vhits *out, sl_error *err);

void sl__vhits_free(sl__vhits *hits);

/* Whether a hit is personal data, which notices redact and statements never name by value:
 * its category is "personal_data" or "pii", or its rule id starts with "pii." (the built-in
 * detectors' family, docs/detectors.md). */
bool sl__vhit_is_personal(const sl__vhit *hit);

#endif
