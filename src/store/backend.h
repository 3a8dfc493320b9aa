/* store/backend.h — the seam between the store's contract and a database (internal).
 *
 * src/store/store.c implements sangloc/store.h once for every backend: it checks arguments and
 * limits, reads the clock, derives pseudonyms and token hashes, maps actions to states and
 * encodes cursors. A backend (sqlite.c today, PostgreSQL later) only runs the statements: each
 * operation below is one transaction, receives validated input and the time `now`, and must
 * keep every read and write inside the organization it is given. Adding a backend is a new
 * file with one sl_store_backend and one line in store.c's URL table; callers do not change. */
#ifndef SL_STORE_BACKEND_H
#define SL_STORE_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "sangloc/store.h"
#include "store/cursor.h"

#define SL_STORE_HASH_LEN 32 /* token hashes and author pseudonyms */

/* One item after validation: the caller's fields plus what the store derived. */
typedef struct sl__store_row {
    const sl_store_item *in;
    unsigned char author[SL_STORE_HASH_LEN]; /* HMAC-SHA-256 pseudonym */
    sl_item_state state;                     /* the state a new item starts in */
    bool opens_case;                         /* review and hide put it in "pending" */
    int64_t severity;                        /* score in millionths */
} sl__store_row;

typedef struct sl_store_backend {
    const char *name;
    sl_status (*open)(const char *target, const sl_store_options *options, void **db,
                      sl_error *err);
    void (*close)(void *db);
    int (*schema_version)(void *db);

    sl_status (*org_put)(void *db, const char *id, const char *name, sl_error *err);
    sl_status (*org_exists)(void *db, const char *id, sl_error *err);

    /* org NULL: a global token. Fills info (id, times) from what was inserted. */
    sl_status (*token_insert)(void *db, const char *name, sl_role role, const char *org,
                              int64_t lookup, const unsigned char hash[SL_STORE_HASH_LEN],
                              int64_t now, sl_token_info *info, sl_error *err);
    /* The live token whose hash equals hash (compared with sl__store_hash_equal); records
     * last_used_at when it is older than a minute. SL_ERR_AUTH when none. */
    sl_status (*token_find)(void *db, int64_t lookup, const unsigned char hash[SL_STORE_HASH_LEN],
                            int64_t now, sl_token_info *info, sl_error *err);
    sl_status (*token_list)(void *db, sl_token_info **out, size_t *n, sl_error *err);
    sl_status (*token_revoke)(void *db, int64_t id, int64_t now, sl_error *err);

    sl_status (*ingest)(void *db, const char *org, int64_t actor, const sl__store_row *rows,
                        size_t n, int64_t now, sl_ingest_result *results, sl_error *err);
    sl_status (*item_get)(void *db, const char *org, const char *channel, size_t channel_len,
                          const char *id, size_t id_len, sl_store_record **out, sl_error *err);
    sl_status (*item_verdict)(void *db, const char *org, int64_t item, char **json, size_t *len,
                              sl_error *err);

    /* Entries strictly after `after` (NULL: from the top), at most limit; *more says whether
     * another entry follows, and *last is the sort key of the last entry returned. */
    sl_status (*queue_list)(void *db, const char *org, const char *queue, size_t limit,
                            const sl__cursor *after, int64_t now, sl_queue_page *page, bool *more,
                            sl__cursor *last, sl_error *err);
    sl_status (*queue_claim)(void *db, const char *org, const char *queue, int64_t reviewer,
                             size_t n, int64_t lease_until, int64_t now, sl_queue_entry *out,
                             size_t *n_out, sl_error *err);
    sl_status (*queue_stats)(void *db, const char *org, const char *queue, int64_t now,
                             sl_queue_stats *stats, sl_error *err);

    /* webhooks: the events, bodies and backoff come from store/webhooks.h */
    sl_status (*webhook_take)(void *db, const char *org, size_t max, int64_t now, size_t *entries,
                              size_t *made, sl_error *err);
    sl_status (*webhook_due)(void *db, const char *org, size_t max, int64_t now,
                             sl_webhook_delivery **out, size_t *n, sl_error *err);
    /* outcomes in one transaction; SL_ERR_NOT_FOUND when n is 1 and its id is not pending */
    sl_status (*webhook_record)(void *db, sl_webhook_outcome *o, size_t n, int max_attempts,
                                int64_t now, sl_error *err);
    sl_status (*webhook_stats)(void *db, const char *org, sl_webhook_stats *stats, sl_error *err);
} sl_store_backend;

extern const sl_store_backend sl__store_sqlite;

/* A handle's backend, database and clock, for the front files of later concerns
 * (store/webhooks.c, ...) that implement their part of sangloc/store.h beside store.c. */
const sl_store_backend *sl__store_backend(const sl_store *s);
void *sl__store_db(const sl_store *s);
int64_t sl__store_now(const sl_store *s);

/* Constant-time equality of two hashes (libsodium's sodium_memcmp). */
bool sl__store_hash_equal(const unsigned char a[SL_STORE_HASH_LEN],
                          const unsigned char b[SL_STORE_HASH_LEN]);

#endif
