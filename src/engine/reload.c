/* The engine slot: the current engine behind a mutex held only to take or swap the pointer,
 * never while an engine is built, so screening threads never wait for a reload. */
#include "sangloc/reload.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A deep copy of engine options (the caller's strings may not outlive the call). */
typedef struct options_copy {
    sl_engine_options o;
    char *policy, *model, *cache;
    char **banks;
} options_copy;

struct sl_engine_slot {
    pthread_mutex_t lock;   /* guards current and generation */
    pthread_mutex_t reload; /* one reload at a time */
    const sl_engine *current;
    uint64_t generation;
    options_copy options;
};

static char *dup_str(const char *s, bool *ok)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (!d) {
        *ok = false;
        return NULL;
    }
    memcpy(d, s, n);
    return d;
}

static void options_free(options_copy *c)
{
    free(c->policy);
    free(c->model);
    free(c->cache);
    if (c->banks)
        for (size_t i = 0; i < c->o.nbanks; i++) free(c->banks[i]);
    free(c->banks);
    memset(c, 0, sizeof *c);
}

static sl_status options_copy_of(const sl_engine_options *o, options_copy *c)
{
    memset(c, 0, sizeof *c);
    bool ok = true;
    c->o = *o;
    c->policy = dup_str(o->policy_path, &ok);
    c->model = dup_str(o->model_path, &ok);
    c->cache = dup_str(o->cache_dir, &ok);
    if (o->nbanks) {
        c->banks = calloc(o->nbanks, sizeof *c->banks);
        if (!c->banks) ok = false;
        for (size_t i = 0; ok && i < o->nbanks; i++) c->banks[i] = dup_str(o->bank_paths[i], &ok);
    }
    c->o.policy_path = c->policy;
    c->o.model_path = c->model;
    c->o.cache_dir = c->cache;
    c->o.bank_paths = (const char *const *)c->banks;
    if (!ok) {
        options_free(c);
        return SL_ERR_NOMEM;
    }
    return SL_OK;
}

sl_status sl_engine_slot_new(const sl_engine_options *options, sl_engine_slot **out, sl_error *err)
{
    if (!out || !options) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no options or output");
    *out = NULL;
    sl_engine_slot *slot = calloc(1, sizeof *slot);
    if (!slot) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    sl_status st = options_copy_of(options, &slot->options);
    if (st) {
        free(slot);
        return sl_error_set(err, st, SL_NO_POS, "out of memory");
    }
    sl_engine *e = NULL;
    st = sl_engine_new(&slot->options.o, &e, err);
    if (st) {
        options_free(&slot->options);
        free(slot);
        return st;
    }
    pthread_mutex_init(&slot->lock, NULL);
    pthread_mutex_init(&slot->reload, NULL);
    slot->current = e;
    slot->generation = 1;
    *out = slot;
    return SL_OK;
}

void sl_engine_slot_free(sl_engine_slot *slot)
{
    if (!slot) return;
    sl_engine_release(slot->current);
    options_free(&slot->options);
    pthread_mutex_destroy(&slot->lock);
    pthread_mutex_destroy(&slot->reload);
    free(slot);
}

const sl_engine *sl_engine_slot_get(sl_engine_slot *slot)
{
    if (!slot) return NULL;
    pthread_mutex_lock(&slot->lock);
    const sl_engine *e = sl_engine_retain(slot->current);
    pthread_mutex_unlock(&slot->lock);
    return e;
}

uint64_t sl_engine_slot_generation(sl_engine_slot *slot)
{
    if (!slot) return 0;
    pthread_mutex_lock(&slot->lock);
    uint64_t g = slot->generation;
    pthread_mutex_unlock(&slot->lock);
    return g;
}

sl_status sl_engine_slot_reload(sl_engine_slot *slot, const sl_engine_options *options,
                                sl_error *err)
{
    if (!slot) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no slot");
    pthread_mutex_lock(&slot->reload);
    options_copy fresh = {0};
    sl_status st = options ? options_copy_of(options, &fresh) : SL_OK;
    if (st) sl_error_set(err, st, SL_NO_POS, "out of memory");
    sl_engine *e = NULL;
    if (!st) st = sl_engine_new(options ? &fresh.o : &slot->options.o, &e, err);
    if (st) { /* the current engine keeps screening */
        options_free(&fresh);
        pthread_mutex_unlock(&slot->reload);
        return st;
    }
    if (options) {
        options_free(&slot->options);
        slot->options = fresh;
    }
    pthread_mutex_lock(&slot->lock);
    const sl_engine *old = slot->current;
    slot->current = e;
    slot->generation++;
    pthread_mutex_unlock(&slot->lock);
    pthread_mutex_unlock(&slot->reload);
    sl_engine_release(old); /* freed now, or when its last scan or holder lets go */
    return SL_OK;
}
