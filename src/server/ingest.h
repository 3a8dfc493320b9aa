/* server/ingest.h — what every ingest path derives from a verdict before handing it to
 * sl_store_ingest() (internal): POST /v1/items (routes.c) and `sangloc work` (src/worker) store
 * the same fields for the same post. */
#ifndef SL_SERVER_INGEST_H
#define SL_SERVER_INGEST_H

#include <stddef.h>

#include "sangloc/engine.h"
#include "sangloc/policy.h"
#include "sangloc/store.h"

/* The policy version stored with each item: "VERSION#HASH" (hash in 16 hex digits). */
void sl__ingest_policy_version(const sl_policy *pol, char out[SL_STORE_MAX_POLICY_VERSION]);

/* The verdict's score clamped to the store's 0..1. */
double sl__ingest_score(const sl_verdict *v);

/* The rule an automated hide's notice cites: the verdict's strongest hit (weight x score).
 * f[0..3) receive its rule id, category and clause ("" when there is no hit) and n[0..3) their
 * lengths, cut at the store's limits on a whole UTF-8 character. The strings belong to the
 * verdict: copy them before the scan screens again. */
void sl__ingest_hide_rule(const sl_verdict *v, const char *f[3], size_t n[3]);

#endif
