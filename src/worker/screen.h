/* worker/screen.h — one batch of a stream worker: parse each record, screen the good ones on a
 * thread pool, store them in ONE store transaction, and render what is published (internal).
 *
 * Parsing is POST /v1/items's parser (server/request.h) and the stored fields are derived as
 * the service derives them (server/ingest.h), so a post stores the same through either door.
 * Screening and storing are separate steps so that a store error is retried without screening
 * the batch again. */
#ifndef SL_WORKER_SCREEN_H
#define SL_WORKER_SCREEN_H

#include <stddef.h>
#include <stdint.h>

#include "sangloc/buf.h"
#include "sangloc/engine.h"
#include "sangloc/status.h"
#include "sangloc/store.h"

typedef enum sl__post_fate {
    SL__POST_NEW = 0,    /* parsed and screened, not stored yet */
    SL__POST_STORED = 1, /* stored by this batch */
    SL__POST_EXISTS = 2, /* stored before (a redelivery or a repeat): nothing changed */
    SL__POST_POISON = 3, /* not a storable item: error says why */
} sl__post_fate;

typedef struct sl__post {
    const char *data; /* in: the record (borrowed until the batch is done); NULL: none */
    size_t len;
    sl__post_fate fate;  /* out */
    sl_error error;      /* poison: the error, error.byte its position in the record */
    int64_t item;        /* stored or exists: the store's item number */
    sl_item_state state; /* stored or exists: the item's state */
    size_t slot;         /* internal: its index among the batch's good posts */
} sl__post;

typedef struct sl__screen sl__screen;

/* threads: screening threads (1: the caller screens). SL_ERR_NOMEM, SL_ERR_ARG. */
sl_status sl__screen_new(int threads, sl__screen **out);
void sl__screen_free(sl__screen *s);

/* Parses posts[0..n) and screens the good ones with engine; a record that is not a storable item
 * of POST /v1/items becomes SL__POST_POISON with its error. SL_ERR_NOMEM only. The posts' data
 * must stay alive until the next prepare. */
sl_status sl__screen_prepare(sl__screen *s, const sl_engine *engine, sl__post *posts, size_t n);

/* Stores the prepared posts that are still NEW in ONE sl_store_ingest() (actor 0). SL_OK: each
 * is STORED or EXISTS. A post the store refuses on its own (SL_ERR_ARG, SL_ERR_TOO_LARGE with its
 * index) becomes POISON and the others are stored without it; any other error is returned and
 * nothing is stored (call again to retry). */
sl_status sl__screen_store(sl__screen *s, sl_store *store, const char *org, sl__post *posts,
                           size_t n, sl_error *err);

/* What the out topic carries for a stored or existing post: key ["CHANNEL",ID] (ID as written
 * in the record) and value {"org","channel","id","status":"created"|"duplicate","state",
 * "verdict"}, the verdict being the stored one (for a duplicate, read back from the store). */
sl_status sl__screen_announce(sl__screen *s, sl_store *store, const char *org, const sl__post *p,
                              sl_buf *key, sl_buf *value, sl_error *err);

#endif
