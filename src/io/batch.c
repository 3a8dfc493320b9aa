/* The batch pool: N threads wait on a generation counter; a batch bumps it, each worker takes
 * items one at a time from a shared atomic index (long and short posts balance themselves) and
 * writes only its items' outputs, so no lock is held while screening. The last worker to finish
 * signals the waiting caller. */
#include "sangloc/batch.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct worker {
    struct sl_batch_pool *pool;
    sl_scan *scan; /* touched only by this worker during a batch, by the caller between */
    pthread_t tid;
} worker;

struct sl_batch_pool {
    sl_batch_render_fn render;
    void *render_ctx;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    /* the current batch */
    const sl_engine *engine;
    sl_batch_item *items;
    size_t n;
    atomic_size_t next;
    bool running;
    unsigned generation;
    int finished;
    bool quit;
    int nthreads;
    worker *workers; /* nthreads of them, or one (the caller's scan) with 0 threads */
};

/* The verdict of one item, rendered into item->out. */
static void render_item(const sl_batch_pool *pl, sl_scan *scan, sl_batch_item *it)
{
    const sl_verdict *v = NULL;
    if (it->has_error) {
        v = sl_scan_error_verdict(scan, &it->error);
    } else if (sl_engine_check(sl_scan_engine(scan), scan, it->text, it->text_len, &v) != SL_OK) {
        sl_error err;
        sl_error_set(&err, SL_ERR_NOMEM, SL_NO_POS, "out of memory screening this post");
        v = sl_scan_error_verdict(scan, &err);
    }
    if (v->has_error && !v->error.line) {
        sl_error located = v->error;
        located.line = it->line;
        v = sl_scan_error_verdict(scan, &located);
    }
    it->action = v->action;
    it->out_len = 0;
    if (pl->render) {
        it->out = pl->render(pl->render_ctx, scan, v, it, &it->out_len);
        return;
    }
    size_t n = 0;
    const char *json =
        sl_scan_verdict_json(scan, it->id_json, it->has_error ? NULL : it->text, it->text_len, &n);
    it->out = json ? malloc(n + 1) : NULL;
    if (!it->out) return;
    memcpy(it->out, json, n);
    it->out[n] = '\0';
    it->out_len = n;
}

/* Makes sure w has a scan of the batch's engine; false when out of memory. */
static bool scan_for(worker *w, const sl_engine *engine)
{
    if (w->scan && sl_scan_engine(w->scan) == engine) return true;
    sl_scan_free(w->scan);
    w->scan = sl_scan_new(engine);
    return w->scan != NULL;
}

static void work_on_batch(sl_batch_pool *pl, worker *w)
{
    if (!scan_for(w, pl->engine)) return; /* the other workers take this one's share */
    for (size_t i; (i = atomic_fetch_add(&pl->next, 1)) < pl->n;)
        render_item(pl, w->scan, &pl->items[i]);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    sl_batch_pool *pl = w->pool;
    unsigned seen = 0;
    pthread_mutex_lock(&pl->mu);
    for (;;) {
        while (pl->generation == seen && !pl->quit) pthread_cond_wait(&pl->work, &pl->mu);
        if (pl->quit) break;
        seen = pl->generation;
        pthread_mutex_unlock(&pl->mu);
        work_on_batch(pl, w);
        pthread_mutex_lock(&pl->mu);
        if (++pl->finished == pl->nthreads) pthread_cond_signal(&pl->done);
    }
    pthread_mutex_unlock(&pl->mu);
    return NULL;
}

static void stop_workers(sl_batch_pool *pl, int started)
{
    pthread_mutex_lock(&pl->mu);
    pl->quit = true;
    pthread_cond_broadcast(&pl->work);
    pthread_mutex_unlock(&pl->mu);
    for (int t = 0; t < started; t++) pthread_join(pl->workers[t].tid, NULL);
}

sl_status sl_batch_pool_new(const sl_batch_options *o, sl_batch_pool **out)
{
    if (!o || !out || o->threads < 0 || o->threads > SL_BATCH_MAX_THREADS) return SL_ERR_ARG;
    *out = NULL;
    sl_batch_pool *pl = calloc(1, sizeof *pl);
    if (!pl) return SL_ERR_NOMEM;
    pl->render = o->render;
    pl->render_ctx = o->render_ctx;
    pl->workers = calloc(o->threads ? (size_t)o->threads : 1, sizeof *pl->workers);
    if (!pl->workers) {
        free(pl);
        return SL_ERR_NOMEM;
    }
    pthread_mutex_init(&pl->mu, NULL);
    pthread_cond_init(&pl->work, NULL);
    pthread_cond_init(&pl->done, NULL);
    for (int t = 0; t < o->threads; t++) {
        pl->workers[t].pool = pl;
        if (pthread_create(&pl->workers[t].tid, NULL, worker_main, &pl->workers[t])) break;
        pl->nthreads++;
    }
    if (o->threads && !pl->nthreads) {
        sl_batch_pool_free(pl);
        return SL_ERR_INTERNAL;
    }
    *out = pl;
    return SL_OK;
}

sl_status sl_batch_submit(sl_batch_pool *pl, const sl_engine *engine, sl_batch_item *items,
                          size_t n)
{
    if (!pl || !engine || (!items && n)) return SL_ERR_ARG;
    pthread_mutex_lock(&pl->mu);
    if (pl->running) {
        pthread_mutex_unlock(&pl->mu);
        return SL_ERR_ARG;
    }
    for (size_t i = 0; i < n; i++) items[i].out = NULL;
    pl->engine = engine;
    pl->items = items;
    pl->n = n;
    atomic_store(&pl->next, 0);
    pl->finished = 0;
    pl->running = true;
    if (pl->nthreads) {
        pl->generation++;
        pthread_cond_broadcast(&pl->work);
    }
    pthread_mutex_unlock(&pl->mu);
    return SL_OK;
}

sl_status sl_batch_wait(sl_batch_pool *pl)
{
    if (!pl) return SL_ERR_ARG;
    if (!pl->running) return SL_OK;
    if (pl->nthreads) {
        pthread_mutex_lock(&pl->mu);
        while (pl->finished < pl->nthreads) pthread_cond_wait(&pl->done, &pl->mu);
        pthread_mutex_unlock(&pl->mu);
    } else {
        work_on_batch(pl, &pl->workers[0]);
    }
    pl->running = false;
    for (size_t i = 0; i < pl->n; i++)
        if (!pl->items[i].out) return SL_ERR_NOMEM;
    return SL_OK;
}

sl_status sl_batch_run(sl_batch_pool *pl, const sl_engine *engine, sl_batch_item *items, size_t n)
{
    sl_status st = sl_batch_submit(pl, engine, items, n);
    return st ? st : sl_batch_wait(pl);
}

void sl_batch_release_scans(sl_batch_pool *pl)
{
    if (!pl) return;
    sl_batch_wait(pl);
    int n = pl->nthreads ? pl->nthreads : 1;
    for (int t = 0; t < n; t++) {
        sl_scan_free(pl->workers[t].scan);
        pl->workers[t].scan = NULL;
    }
}

void sl_batch_pool_free(sl_batch_pool *pl)
{
    if (!pl) return;
    sl_batch_wait(pl);
    stop_workers(pl, pl->nthreads);
    sl_batch_release_scans(pl);
    pthread_mutex_destroy(&pl->mu);
    pthread_cond_destroy(&pl->work);
    pthread_cond_destroy(&pl->done);
    free(pl->workers);
    free(pl);
}

void sl_batch_items_clear(sl_batch_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i].out);
        items[i].out = NULL;
        items[i].out_len = 0;
    }
}
