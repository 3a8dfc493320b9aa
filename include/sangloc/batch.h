/* sangloc/batch.h — screens a batch of posts on a pool of worker threads, each with its own
 * scan, and keeps every post's rendered verdict for the caller in input order.
 *
 * The CLI reads batch k+1 while the pool screens batch k (sl_batch_submit, then sl_batch_wait);
 * a server hands each request's posts to sl_batch_run. The engine is given per batch, so a
 * reloaded policy is picked up at the next batch: a worker whose scan belongs to another engine
 * replaces it before screening.
 *
 * Thread-safety: engines are read-only and may serve several pools at once. One pool runs one
 * batch at a time and is driven by one thread at a time (submit, wait, run, release, free are
 * not concurrent with each other); a server with several producers serializes them or keeps one
 * pool per producer. The render callback runs on the worker threads, concurrently.
 *
 * Engine lifetime: workers keep their scans between batches, and a scan refers to its engine.
 * Free an engine only when no batch uses it and the pool no longer holds scans of it: after a
 * finished batch on another engine, after sl_batch_release_scans(), or after the pool is freed. */
#ifndef SANGLOC_BATCH_H
#define SANGLOC_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "sangloc/engine.h"
#include "sangloc/status.h"

#define SL_BATCH_MAX_THREADS 256

typedef struct sl_batch_item {
    /* in: set by the caller, only read by the pool; must stay valid until the batch is done */
    const char *id_json; /* the id as raw JSON, NUL-terminated (see record.h), or NULL */
    const char *text;    /* the post; not read when has_error */
    size_t text_len;
    bool has_error; /* the post could not be read: it gets an error verdict with this error */
    sl_error error;
    size_t line; /* 1-based input line for error verdicts that have none; 0 when unknown */
    /* out: set by the pool; release with sl_batch_items_clear() */
    char *out; /* the rendered verdict (one line, no newline), malloc'd; NULL when out of memory */
    size_t out_len;
    sl_action action; /* the verdict's action (review for error verdicts) */
} sl_batch_item;

/* Renders a verdict of `item` into a malloc'd string of *len bytes (NULL when out of memory).
 * Called on worker threads; `scan` and `v` are valid only during the call. */
typedef char *(*sl_batch_render_fn)(void *ctx, sl_scan *scan, const sl_verdict *v,
                                    const sl_batch_item *item, size_t *len);

typedef struct sl_batch_options {
    int threads;               /* worker threads, 0..SL_BATCH_MAX_THREADS; 0: no threads, the
                                  batch is screened inside sl_batch_wait by the calling thread */
    sl_batch_render_fn render; /* NULL: the verdict JSON of docs/verdict.md */
    void *render_ctx;
} sl_batch_options;

typedef struct sl_batch_pool sl_batch_pool;

/* Starts the workers. SL_ERR_ARG for a bad thread count, SL_ERR_NOMEM, or SL_ERR_INTERNAL when
 * not even one thread could be started (fewer than asked is accepted). */
sl_status sl_batch_pool_new(const sl_batch_options *options, sl_batch_pool **out);

/* Starts screening items[0..n) with engine and returns at once (with 0 threads: returns at once
 * and the work happens in sl_batch_wait). SL_ERR_ARG when a batch is already running. */
sl_status sl_batch_submit(sl_batch_pool *pool, const sl_engine *engine, sl_batch_item *items,
                          size_t n);

/* Waits for the submitted batch. SL_OK when every item has its `out`; SL_ERR_NOMEM when some
 * could not be rendered (their `out` is NULL); SL_OK at once when nothing was submitted. */
sl_status sl_batch_wait(sl_batch_pool *pool);

/* sl_batch_submit then sl_batch_wait. */
sl_status sl_batch_run(sl_batch_pool *pool, const sl_engine *engine, sl_batch_item *items,
                       size_t n);

/* Frees the workers' scans (they are made again at the next batch), so that the engines they
 * refer to may be freed. Call between batches. */
void sl_batch_release_scans(sl_batch_pool *pool);

/* Stops the workers and frees their scans. A running batch is waited for first. */
void sl_batch_pool_free(sl_batch_pool *pool);

/* Frees the rendered verdicts of items[0..n) and resets their outputs. */
void sl_batch_items_clear(sl_batch_item *items, size_t n);

#endif
