/* server/stats.h — GET /v1/stats: the organization's figures for the dashboard (internal;
 * docs/api.md). The store counts (sl_store_stats); this file reads the query, cuts the window
 * into buckets and writes the JSON. Nothing in the reply names or ranks an author or a person. */
#ifndef SL_SERVER_STATS_H
#define SL_SERVER_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "sangloc/status.h"

typedef enum sl__stats_bucket { SL_STATS_HOUR, SL_STATS_DAY, SL_STATS_WEEK } sl__stats_bucket;

/* The query: bucket=hour|day|week (default day), since and until (ISO-8601, no offset meaning
 * UTC, or ms since the epoch). until defaults to now_ms; since to 48 hours, 30 days or 26 weeks
 * before until. since is then moved back to the start of its bucket (buckets start at a UTC
 * hour, a UTC midnight, a Monday 00:00 UTC) and the window must hold since < until and at most
 * SL_STATS_MAX_BUCKETS buckets. Errors are SL_ERR_ARG whose message starts with the
 * parameter's name, err->byte at its value (SL_NO_POS for a window error). q may be NULL. */
typedef struct sl__stats_query {
    sl__stats_bucket bucket;
    int64_t width_ms;
    int64_t since, until; /* since aligned */
} sl__stats_query;
sl_status sl__req_stats_query(const char *q, size_t len, int64_t now_ms, sl__stats_query *out,
                              sl_error *err);

#endif
