/* server/metrics.h — the service's metrics beyond the request counters of internal.h
 * (internal): latency histograms by route, screened comments by category, stored items by
 * action, and the engine's versions; written into GET /metrics in Prometheus text. Every
 * counter is an atomic that workers add to without a lock. */
#ifndef SL_SERVER_METRICS_H
#define SL_SERVER_METRICS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "sangloc/buf.h"
#include "sangloc/engine.h"
#include "sangloc/reload.h"

#define SL_MX_ROUTES     40 /* >= SL_ROUTE_COUNT (checked in server.c) */
#define SL_MX_BUCKETS    15 /* latency bucket bounds, +Inf apart */
#define SL_MX_CATEGORIES 64 /* distinct category names counted (policies may change on reload) */

typedef struct sl__mx {
    _Atomic uint64_t lat[SL_MX_ROUTES][SL_MX_BUCKETS + 1]; /* not cumulative: one bucket each */
    _Atomic uint64_t lat_sum_us[SL_MX_ROUTES];
    _Atomic uint64_t items_by_action[4]; /* items created, by action */
    pthread_mutex_t cat_mu;              /* taken only to add a category name */
    char cat_name[SL_MX_CATEGORIES][64];
    _Atomic uint64_t cat_count[SL_MX_CATEGORIES];
    _Atomic int ncat;
} sl__mx;

void sl__mx_init(sl__mx *m);
void sl__mx_destroy(sl__mx *m);
/* Seconds on a monotonic clock. */
double sl__mx_now(void);
/* One request of route answered after seconds. */
void sl__mx_observe(sl__mx *m, int route, double seconds);
/* One comment screened: counts each policy category it scored in. */
void sl__mx_verdict(sl__mx *m, const sl_engine *e, const sl_verdict *v);
/* One item created (not a duplicate) with its action. */
void sl__mx_item(sl__mx *m, int action);
/* Appends the histograms, category and item counters and the engine's versions to b;
 * route_name gives each route's label. */
sl_status sl__mx_write(sl__mx *m, sl_engine_slot *slot, const char *(*route_name)(int), int nroutes,
                       sl_buf *b);

#endif
