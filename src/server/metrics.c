/* server/metrics.c — latency histograms, categories, items by action, engine versions (see
 * metrics.h). */
#include "server/metrics.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sangloc/policy.h"

/* seconds: from 0.1 ms (a single /v1/check) to 5 s (a locked store's timeout) */
static const double bounds[SL_MX_BUCKETS] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
static const char *const bound_text[SL_MX_BUCKETS] = {
    "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
    "0.05",   "0.1",     "0.25",   "0.5",   "1",      "2.5",   "5"};

void sl__mx_init(sl__mx *m)
{
    memset(m, 0, sizeof *m);
    pthread_mutex_init(&m->cat_mu, NULL);
}

void sl__mx_destroy(sl__mx *m)
{
    pthread_mutex_destroy(&m->cat_mu);
}

double sl__mx_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void sl__mx_observe(sl__mx *m, int route, double seconds)
{
    if (route < 0 || route >= SL_MX_ROUTES) return;
    if (seconds < 0) seconds = 0;
    int k = 0;
    while (k < SL_MX_BUCKETS && seconds > bounds[k]) k++;
    atomic_fetch_add_explicit(&m->lat[route][k], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->lat_sum_us[route], (uint64_t)(seconds * 1e6),
                              memory_order_relaxed);
}

/* The slot of a category name, added when new (NULL when the table is full). */
static _Atomic uint64_t *category(sl__mx *m, const char *name)
{
    int n = atomic_load_explicit(&m->ncat, memory_order_acquire);
    for (int k = 0; k < n; k++)
        if (!strcmp(m->cat_name[k], name)) return &m->cat_count[k];
    pthread_mutex_lock(&m->cat_mu);
    _Atomic uint64_t *slot = NULL;
    n = atomic_load_explicit(&m->ncat, memory_order_relaxed);
    for (int k = 0; k < n && !slot; k++)
        if (!strcmp(m->cat_name[k], name)) slot = &m->cat_count[k];
    if (!slot && n < SL_MX_CATEGORIES && strlen(name) < sizeof m->cat_name[0] &&
        !strpbrk(name, "\"\\\n")) { /* a label value as it is */
        strcpy(m->cat_name[n], name);
        slot = &m->cat_count[n];
        atomic_store_explicit(&m->ncat, n + 1, memory_order_release);
    }
    pthread_mutex_unlock(&m->cat_mu);
    return slot;
}

void sl__mx_verdict(sl__mx *m, const sl_engine *e, const sl_verdict *v)
{
    if (!v || v->has_error || !v->category_scores) return;
    const sl_policy *p = sl_engine_policy(e);
    for (size_t i = 0; i < p->ncategories; i++) {
        if (!(v->category_scores[i] > 0)) continue;
        _Atomic uint64_t *c = category(m, p->categories[i].name);
        if (c) atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
    }
}

void sl__mx_item(sl__mx *m, int action)
{
    if (action >= 0 && action < 4)
        atomic_fetch_add_explicit(&m->items_by_action[action], 1, memory_order_relaxed);
}

/* Copies the string value of "key" in the versions JSON into out, as a Prometheus label value
 * (stops at a quote or backslash: versions do not carry them). */
static void version_of(const char *json, const char *key, char *out, size_t size)
{
    char pat[32];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = strstr(json, pat);
    size_t n = 0;
    if (p)
        for (p += strlen(pat); *p && *p != '"' && *p != '\\' && *p != '\n' && n + 1 < size; p++)
            out[n++] = *p;
    out[n] = '\0';
}

sl_status sl__mx_write(sl__mx *m, sl_engine_slot *slot, const char *(*route_name)(int), int nroutes,
                       sl_buf *b)
{
    sl_status st = sl_buf_puts(b, "# HELP sangloc_request_duration_seconds Time from a request's "
                                  "arrival at its route to its reply, by route.\n"
                                  "# TYPE sangloc_request_duration_seconds histogram\n");
    for (int r = 0; r < nroutes && r < SL_MX_ROUTES && !st; r++) {
        uint64_t cum = 0;
        for (int k = 0; k <= SL_MX_BUCKETS; k++)
            cum += atomic_load_explicit(&m->lat[r][k], memory_order_relaxed);
        if (!cum) continue; /* a route never called has no series */
        cum = 0;
        for (int k = 0; k <= SL_MX_BUCKETS && !st; k++) {
            cum += atomic_load_explicit(&m->lat[r][k], memory_order_relaxed);
            st = sl_buf_printf(b,
                               "sangloc_request_duration_seconds_bucket{route=\"%s\",le=\"%s\"} "
                               "%llu\n",
                               route_name(r), k < SL_MX_BUCKETS ? bound_text[k] : "+Inf",
                               (unsigned long long)cum);
        }
        if (!st)
            st = sl_buf_printf(b,
                               "sangloc_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                               "sangloc_request_duration_seconds_count{route=\"%s\"} %llu\n",
                               route_name(r), (double)atomic_load(&m->lat_sum_us[r]) / 1e6,
                               route_name(r), (unsigned long long)cum);
    }
    if (!st)
        st = sl_buf_puts(b, "# HELP sangloc_verdict_categories_total Comments screened (check and "
                            "items) that scored in a policy category, by category.\n"
                            "# TYPE sangloc_verdict_categories_total counter\n");
    int n = atomic_load_explicit(&m->ncat, memory_order_acquire);
    for (int k = 0; k < n && !st; k++)
        st = sl_buf_printf(b, "sangloc_verdict_categories_total{category=\"%s\"} %llu\n",
                           m->cat_name[k], (unsigned long long)atomic_load(&m->cat_count[k]));
    if (!st)
        st = sl_buf_puts(b, "# HELP sangloc_items_created_total Items stored by POST /v1/items "
                            "(not duplicates), by action.\n"
                            "# TYPE sangloc_items_created_total counter\n");
    for (int a = 0; a < 4 && !st; a++)
        st = sl_buf_printf(b, "sangloc_items_created_total{action=\"%s\"} %llu\n",
                           sl_action_name((sl_action)a),
                           (unsigned long long)atomic_load(&m->items_by_action[a]));
    if (!st) {
        const sl_engine *e = sl_engine_slot_get(slot);
        const char *vj = sl_engine_versions_json(e);
        char sv[64], mv[128];
        version_of(vj, "sangloc", sv, sizeof sv);
        version_of(vj, "model", mv, sizeof mv);
        st = sl_buf_printf(b,
                           "# HELP sangloc_build_info The versions in use: sangloc and the model "
                           "(value 1).\n# TYPE sangloc_build_info gauge\n"
                           "sangloc_build_info{version=\"%s\",model=\"%s\"} 1\n",
                           sv, mv);
        sl_engine_release(e);
    }
    return st;
}
