/* server/retention.c — see retention.h. The thread sleeps on a condition variable (monotonic
 * clock) so that stopping the server does not wait for the next day. */
#include "server/retention.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sangloc/store.h"

#define INTERVAL_S (24 * 3600)

struct sl__retention {
    sl_store *store;
    int days;
    pthread_t thread;
    bool started, stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static void run_once(sl__retention *r)
{
    sl_purge_stats ps;
    sl_error err = {0};
    if (sl_store_purge(r->store, r->days, false, &ps, &err))
        fprintf(stderr, "sangloc serve: purge failed (it runs again in 24 h): %s\n", err.message);
    else if (ps.purged)
        fprintf(stderr, "sangloc serve: purged %lld items past %d days of retention\n",
                (long long)ps.purged, r->days);
}

static void *main_loop(void *arg)
{
    sl__retention *r = arg;
    pthread_mutex_lock(&r->mu);
    while (!r->stop) {
        pthread_mutex_unlock(&r->mu);
        run_once(r);
        pthread_mutex_lock(&r->mu);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += INTERVAL_S;
        while (!r->stop && pthread_cond_timedwait(&r->cv, &r->mu, &until) == 0) {
        }
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

sl_status sl__retention_new(const char *db, int days, sl__retention **out, sl_error *err)
{
    *out = NULL;
    if (days < 1 || days > SL_STORE_MAX_RETENTION_DAYS)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "retention must be 1 to %d days",
                            SL_STORE_MAX_RETENTION_DAYS);
    sl__retention *r = calloc(1, sizeof *r);
    if (!r) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    r->days = days;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&r->mu, NULL);
    sl_status st = sl_store_open(db, NULL, &r->store, err); /* the purge needs no key */
    if (st) {
        sl__retention_free(r);
        return st;
    }
    *out = r;
    return SL_OK;
}

sl_status sl__retention_start(sl__retention *r, sl_error *err)
{
    if (pthread_create(&r->thread, NULL, main_loop, r))
        return sl_error_set(err, SL_ERR_INTERNAL, SL_NO_POS, "cannot start the purge thread");
    r->started = true;
    return SL_OK;
}

void sl__retention_free(sl__retention *r)
{
    if (!r) return;
    if (r->started) {
        pthread_mutex_lock(&r->mu);
        r->stop = true;
        pthread_cond_signal(&r->cv);
        pthread_mutex_unlock(&r->mu);
        pthread_join(r->thread, NULL);
    }
    sl_store_close(r->store);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    free(r);
}
