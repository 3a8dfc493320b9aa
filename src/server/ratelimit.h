/* server/ratelimit.h — per-token rate limits (internal): a token bucket per token id, per
 * server process, shared by the worker threads.
 *
 * A bucket holds at most `burst` requests and refills at `rate` requests a second; a request
 * takes one. The table is split in shards, each behind its own mutex, so that workers seldom
 * wait for each other; it grows with the number of distinct tokens seen (bounded by the tokens
 * in the store, since only authenticated requests reach it). */
#ifndef SL_SERVER_RATELIMIT_H
#define SL_SERVER_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sl__ratelimit sl__ratelimit;

/* rate > 0 requests a second, burst >= 1. NULL when out of memory. */
sl__ratelimit *sl__ratelimit_new(double rate, double burst);
void sl__ratelimit_free(sl__ratelimit *rl);

/* Takes one request from the bucket of token id at time now (seconds, monotonic). false when
 * the bucket is empty (or a new bucket cannot be allocated: then the request is admitted, true):
 * *retry_after is then the whole seconds until one request is available (at least 1). */
bool sl__ratelimit_take(sl__ratelimit *rl, int64_t id, double now, unsigned *retry_after);

/* As sl__ratelimit_take without taking: whether a request would be admitted now (the failed
 * logins of an address are counted only when they fail). */
bool sl__ratelimit_peek(sl__ratelimit *rl, int64_t id, double now, unsigned *retry_after);

#endif
