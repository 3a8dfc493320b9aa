/* server/ratelimit.c — token buckets per token id (see ratelimit.h). */
#include "server/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#define NSHARDS 16

typedef struct bucket {
    int64_t id; /* 0: empty slot (token ids start at 1) */
    double tokens, last;
} bucket;

typedef struct shard {
    pthread_mutex_t mu;
    bucket *slots;
    size_t cap, n; /* cap: a power of two */
} shard;

struct sl__ratelimit {
    double rate, burst;
    shard shards[NSHARDS];
};

static uint64_t mix(int64_t id)
{
    uint64_t x = (uint64_t)id * 0x9E3779B97F4A7C15ull;
    return x ^ (x >> 29);
}

sl__ratelimit *sl__ratelimit_new(double rate, double burst)
{
    if (!(rate > 0) || !(burst >= 1)) return NULL;
    sl__ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl) return NULL;
    rl->rate = rate;
    rl->burst = burst;
    for (int k = 0; k < NSHARDS; k++) pthread_mutex_init(&rl->shards[k].mu, NULL);
    return rl;
}

void sl__ratelimit_free(sl__ratelimit *rl)
{
    if (!rl) return;
    for (int k = 0; k < NSHARDS; k++) {
        pthread_mutex_destroy(&rl->shards[k].mu);
        free(rl->shards[k].slots);
    }
    free(rl);
}

/* Linear probing; the slot of id, or the empty slot where it goes. */
static bucket *slot_of(shard *s, int64_t id)
{
    size_t mask = s->cap - 1, i = (size_t)(mix(id) >> 4) & mask;
    while (s->slots[i].id && s->slots[i].id != id) i = (i + 1) & mask;
    return &s->slots[i];
}

static bool grow(shard *s)
{
    size_t cap = s->cap ? s->cap * 2 : 16;
    bucket *old = s->slots, *slots = calloc(cap, sizeof *slots);
    if (!slots) return false;
    size_t oldcap = s->cap;
    s->slots = slots;
    s->cap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].id) *slot_of(s, old[i].id) = old[i];
    free(old);
    return true;
}

/* take: one request is taken when available; else the bucket is only looked at. */
static bool bucket_use(sl__ratelimit *rl, int64_t id, double now, unsigned *retry_after, bool take)
{
    shard *s = &rl->shards[mix(id) % NSHARDS];
    bool ok = true;
    pthread_mutex_lock(&s->mu);
    bucket *b = s->cap ? slot_of(s, id) : NULL;
    if (!b || !b->id) {
        /* a new token starts with a full bucket; keep the table at most half full */
        if ((s->n + 1) * 2 > s->cap && !grow(s)) goto out; /* out of memory: admit */
        b = slot_of(s, id);
        *b = (bucket){.id = id, .tokens = rl->burst, .last = now};
        s->n++;
    }
    if (now > b->last) {
        b->tokens = fmin(rl->burst, b->tokens + (now - b->last) * rl->rate);
        b->last = now;
    }
    if (b->tokens >= 1) {
        if (take) b->tokens -= 1;
    } else {
        ok = false;
        double wait = ceil((1 - b->tokens) / rl->rate);
        *retry_after = wait < 1 ? 1 : wait > 86400 ? 86400 : (unsigned)wait;
    }
out:
    pthread_mutex_unlock(&s->mu);
    return ok;
}

bool sl__ratelimit_take(sl__ratelimit *rl, int64_t id, double now, unsigned *retry_after)
{
    return bucket_use(rl, id, now, retry_after, true);
}

bool sl__ratelimit_peek(sl__ratelimit *rl, int64_t id, double now, unsigned *retry_after)
{
    return bucket_use(rl, id, now, retry_after, false);
}
