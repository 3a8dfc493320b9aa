/* server/tokcache.h — a worker's cache of recently authenticated tokens (internal).
 *
 * Looking a token up in the store is a SQLite read (file locks, a statement, a hash) on every
 * request; at 20k requests a second that is a tenth of the server's time. A worker keeps the
 * last few tokens it authenticated for SL_TOKCACHE_SECONDS, so a revoked token is refused at
 * most that long after `sangloc token revoke` (docs/server.md). Only successes are cached: an
 * unknown token always asks the store. One cache per worker thread: no lock. */
#ifndef SL_SERVER_TOKCACHE_H
#define SL_SERVER_TOKCACHE_H

#include <stddef.h>

#include "sangloc/store.h"

#define SL_TOKCACHE_SLOTS   8
#define SL_TOKCACHE_SECONDS 1.0

typedef struct sl__tokcache {
    struct {
        char secret[SL_TOKEN_SECRET_SIZE];
        size_t len; /* 0: empty */
        double until;
        sl_token_info info;
    } slot[SL_TOKCACHE_SLOTS];
    unsigned next; /* round-robin victim */
} sl__tokcache;

/* As sl_store_token_lookup, answered from the cache when the token was authenticated less than
 * SL_TOKCACHE_SECONDS before now (seconds, monotonic). */
sl_status sl__tokcache_lookup(sl__tokcache *c, sl_store *store, const char *secret, size_t len,
                              double now, sl_token_info *info, sl_error *err);

#endif
