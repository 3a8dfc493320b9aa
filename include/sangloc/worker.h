/* sangloc/worker.h — a stream worker: consumes posts from a Kafka topic as one member of a
 * consumer group, screens them and stores them through the store (sangloc/store.h), with
 * exactly one stored verdict per post (docs/worker.md).
 *
 * A record of the topic is one item of POST /v1/items (docs/api.md): {"id", "channel", "kind",
 * "author", "text", "created_at"?, "parent"?}, parsed by the same parser. The worker takes a
 * batch of records, screens it, stores it with ONE sl_store_ingest() (idempotent by (channel,
 * id)), and only then commits the batch's offsets, so a post redelivered after a crash or a
 * rebalance is a duplicate that changes nothing. A record that cannot be stored (bad JSON, bad
 * UTF-8, a NUL, a missing or too long field) goes to the dead-letter topic with the error and
 * its byte position, or is logged and counted when there is none: it never blocks its partition.
 *
 * Threads: sl_worker_run() runs on the caller's thread until sl_worker_stop(); stop and reload
 * only set flags and may be called from any thread (a signal-waiting thread, typically). */
#ifndef SANGLOC_WORKER_H
#define SANGLOC_WORKER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sangloc/engine.h"
#include "sangloc/status.h"

#define SL_WORKER_MAX_BATCH   10000 /* posts per store transaction (SL_STORE_MAX_BATCH) */
#define SL_WORKER_MAX_THREADS 256
#define SL_WORKER_MAX_KAFKA   64 /* --kafka settings */

typedef struct sl_worker_options {
    const char *brokers; /* bootstrap servers, HOST:PORT[,...] */
    const char *topic;   /* the posts */
    const char *group;   /* the consumer group */
    const char *db;      /* store URL (sl_store_open) */
    const char *key_file;
    const char *org;               /* the org the posts belong to (must exist in the store) */
    const char *out_topic;         /* NULL: verdicts are not published */
    const char *dead_letter_topic; /* NULL: poison records are logged and counted only */
    sl_engine_options engine;
    int threads;  /* screening threads; 1: the consuming thread screens */
    size_t batch; /* posts per store transaction, 1..SL_WORKER_MAX_BATCH */
    /* librdkafka settings "key=value", applied after the worker's own (so they may override
     * them, except the offset-commit ones the guarantee rests on) to both clients */
    const char *const *kafka;
    size_t nkafka;
    int log_seconds; /* seconds between progress lines; 0: 5 */
    FILE *log;       /* progress and errors; NULL: stderr */
} sl_worker_options;

typedef struct sl_worker_stats {
    uint64_t consumed;      /* records taken from the topic */
    uint64_t stored;        /* posts stored new */
    uint64_t exists;        /* posts already stored (redelivered): nothing changed */
    uint64_t dead_lettered; /* poison records sent to the dead-letter topic */
    uint64_t poison_logged; /* poison records logged (no dead-letter topic) */
    uint64_t errors;        /* store, commit and delivery errors (each retried) */
    uint64_t batches;       /* batches committed */
    uint64_t published;     /* verdicts delivered to the out topic */
} sl_worker_stats;

typedef struct sl_worker sl_worker;

/* Opens the store and builds the engine, then creates the Kafka clients (they connect lazily).
 * SL_ERR_ARG for bad options (a --kafka setting librdkafka refuses: err says which), store and
 * engine errors as sl_store_open and sl_engine_slot_new report them. */
sl_status sl_worker_new(const sl_worker_options *options, sl_worker **out, sl_error *err);

/* Consumes until sl_worker_stop(): then finishes the batch in hand, commits it, leaves the
 * group and returns SL_OK. Returns an error when the batch in hand could not be stored or its
 * records not delivered before the stop (nothing of it was committed: it is redelivered). */
sl_status sl_worker_run(sl_worker *w, sl_error *err);

void sl_worker_stop(sl_worker *w);   /* any thread */
void sl_worker_reload(sl_worker *w); /* any thread: rebuild the engine before the next batch */

void sl_worker_stats_get(sl_worker *w, sl_worker_stats *out); /* any thread */

void sl_worker_free(sl_worker *w); /* NULL is fine */

#endif
