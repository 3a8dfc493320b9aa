/* The store's front for the dashboard statistics (sangloc/store.h, statistics section): checks
 * the window and sets up the arrays the backend fills. */
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"

static const char *const queues[SL_STATS_NQUEUES] = {"pending", "reported", "appeals"};

sl_status sl_store_stats(sl_store *store, const char *org, int64_t since, int64_t until,
                         int64_t width_ms, sl_stats *out, sl_error *err)
{
    if (!out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *out = (sl_stats){0};
    if (!store || !org || !*org || strlen(org) > SL_STORE_MAX_ORG_ID)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no organization");
    if (width_ms < 1 || since < 0 || until <= since)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "the window must have since < until");
    uint64_t n = ((uint64_t)until - (uint64_t)since + (uint64_t)width_ms - 1) / (uint64_t)width_ms;
    if (n > SL_STATS_MAX_BUCKETS)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "more than %d buckets",
                            SL_STATS_MAX_BUCKETS);
    out->nbuckets = (size_t)n;
    for (int a = 0; a < 4; a++)
        if (!(out->by_action[a] = calloc(n, sizeof(int64_t)))) {
            sl_stats_free(out);
            return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        }
    for (int q = 0; q < SL_STATS_NQUEUES; q++) out->times[q].queue = queues[q];
    void *db;
    int64_t now;
    const sl_store_backend *be = sl__store_be(store, &db, &now);
    sl_status st = be->stats(db, org, since, until, width_ms, out, err);
    if (st) sl_stats_free(out);
    return st;
}

void sl_stats_free(sl_stats *s)
{
    if (!s) return;
    for (int a = 0; a < 4; a++) free(s->by_action[a]);
    for (size_t k = 0; k < s->ncategories; k++) free(s->categories[k].counts);
    free(s->categories);
    *s = (sl_stats){0};
}
