/* worker/worker.c — `sangloc work`: a member of a Kafka consumer group that screens and stores
 * posts with exactly one stored verdict per post (sangloc/worker.h, docs/worker.md).
 *
 * The loop: collect a batch (rd_kafka_consumer_poll), screen it, store it in one transaction
 * (retried with backoff while the store fails), deliver its dead letters and verdicts (waiting
 * for the brokers' acknowledgements), and only then commit its offsets synchronously. Offsets are
 * never stored automatically. The rebalance protocol is eager: a revoke drops the batch in hand
 * (nothing of it is stored yet: callbacks run only inside consumer_poll, i.e. while collecting)
 * and everything stored before it is already committed. Whatever goes wrong between the store
 * commit and the offset commit (a crash, a lost group membership) makes the batch come again,
 * and the store's idempotent ingest turns every repeated post into "exists". */
#include "sangloc/worker.h"

#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sangloc/reload.h"
#include "sangloc/store.h"
#include "worker/screen.h"

#define LINGER_MS       20  /* how long a partial batch waits for more records */
#define BACKOFF_MIN_MS  100 /* store and delivery retries */
#define BACKOFF_MAX_MS  10000
#define COMMIT_ATTEMPTS 8

struct sl_worker {
    sl_worker_options o;
    FILE *log;
    sl_store *store; /* NULL after a store error: reopened before the next attempt */
    sl_engine_slot *slot;
    const sl_engine *engine; /* the engine of the last batch (the pool's scans refer to it) */
    sl__screen *screen;
    rd_kafka_t *consumer, *producer;
    rd_kafka_topic_partition_list_t *assigned; /* offset: our last commit, or -1001 */
    /* offsets of stored batches whose commit the coordinator refused while a rebalance was
     * under way: committed in the revoke callback, when the generation is still ours */
    rd_kafka_topic_partition_list_t *pending;
    /* the batch in hand */
    rd_kafka_message_t **msgs;
    sl__post *posts;
    int *delivered; /* per produced record: 0 pending, 1 acknowledged, -1 failed */
    size_t n;
    sl_buf key, value;
    atomic_bool stop, reload;
    struct {
        _Atomic uint64_t consumed, stored, exists, dead, logged, errors, batches, published;
    } st;
    int64_t last_log_ms;
    uint64_t last_done;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
    }
}

static void bump(_Atomic uint64_t *c, uint64_t by)
{
    atomic_fetch_add_explicit(c, by, memory_order_relaxed);
}

static void say(sl_worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(sl_worker *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("sangloc work: ", w->log);
    vfprintf(w->log, fmt, ap);
    fputc('\n', w->log);
    fflush(w->log);
    va_end(ap);
}

/* ---- Kafka clients ------------------------------------------------------------------------ */

static sl_status set(rd_kafka_conf_t *c, const char *k, const char *v, sl_error *err)
{
    char e[256];
    if (rd_kafka_conf_set(c, k, v, e, sizeof e) == RD_KAFKA_CONF_OK) return SL_OK;
    return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "kafka setting %s: %s", k, e);
}

/* The --kafka settings, "key=value" each. */
static sl_status set_user(const sl_worker_options *o, rd_kafka_conf_t *c, sl_error *err)
{
    for (size_t i = 0; i < o->nkafka; i++) {
        const char *eq = strchr(o->kafka[i], '=');
        if (!eq || eq == o->kafka[i])
            return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "--kafka '%s' is not key=value",
                                o->kafka[i]);
        char k[128];
        size_t kl = (size_t)(eq - o->kafka[i]);
        if (kl >= sizeof k)
            return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "--kafka: key too long");
        memcpy(k, o->kafka[i], kl);
        k[kl] = '\0';
        sl_status st = set(c, k, eq + 1, err);
        if (st) return st;
    }
    return SL_OK;
}

static void on_error(rd_kafka_t *rk, int code, const char *reason, void *opaque)
{
    sl_worker *w = opaque;
    say(w, "kafka: %s: %s", rd_kafka_err2name((rd_kafka_resp_err_t)code), reason);
}

/* librdkafka's log, as its own logger prints it, less what is said elsewhere: connection
 * failures (FAIL) reach on_error too, and the producer ignores the consumer's --kafka settings
 * (both clients get the same) without a warning. */
static void kafka_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    if (!strcmp(fac, "FAIL") || (!strcmp(fac, "CONFWARN") && strstr(buf, "consumer property")))
        return;
    fprintf(stderr, "%%%d|%s|%s: %s\n", level, fac, rd_kafka_name(rk), buf);
}

static void drop_batch(sl_worker *w)
{
    for (size_t i = 0; i < w->n; i++) rd_kafka_message_destroy(w->msgs[i]);
    w->n = 0;
}

/* Merges the offsets of from into into, keeping the higher offset of each partition. */
static void merge_offsets(rd_kafka_topic_partition_list_t *into,
                          const rd_kafka_topic_partition_list_t *from)
{
    for (int i = 0; i < from->cnt; i++) {
        const rd_kafka_topic_partition_t *f = &from->elems[i];
        rd_kafka_topic_partition_t *p =
            rd_kafka_topic_partition_list_find(into, f->topic, f->partition);
        if (!p) p = rd_kafka_topic_partition_list_add(into, f->topic, f->partition);
        if (f->offset > p->offset) p->offset = f->offset;
    }
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t e,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    sl_worker *w = opaque;
    if (e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (w->pending) rd_kafka_topic_partition_list_destroy(w->pending);
        w->pending = NULL; /* of an older generation: the records come again */
        if (w->assigned) rd_kafka_topic_partition_list_destroy(w->assigned);
        w->assigned = rd_kafka_topic_partition_list_copy(parts);
        for (int i = 0; i < w->assigned->cnt; i++)
            w->assigned->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
        rd_kafka_assign(rk, parts);
        say(w, "assigned %d partitions", parts->cnt);
        return;
    }
    /* revoked: what is stored is committed now; the batch in hand is not stored yet, its records
     * come again to the new owner */
    if (w->pending) {
        rd_kafka_resp_err_t ce = rd_kafka_commit(rk, w->pending, 0);
        say(w, "commit before the revoke: %s", ce ? rd_kafka_err2name(ce) : "ok");
        rd_kafka_topic_partition_list_destroy(w->pending);
        w->pending = NULL;
    }
    size_t dropped = w->n;
    drop_batch(w);
    rd_kafka_assign(rk, NULL);
    if (w->assigned) rd_kafka_topic_partition_list_destroy(w->assigned);
    w->assigned = NULL;
    say(w, "partitions revoked (%s); %zu uncommitted records left for redelivery",
        rd_kafka_err2name(e), dropped);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    int *slot = m->_private;
    if (slot) *slot = m->err ? -1 : 1;
}

static sl_status make_clients(sl_worker *w, sl_error *err)
{
    const sl_worker_options *o = &w->o;
    char e[512];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    sl_status st = set(c, "bootstrap.servers", o->brokers, err);
    if (!st) st = set(c, "group.id", o->group, err);
    if (!st) st = set(c, "client.id", "sangloc-work", err);
    if (!st) st = set(c, "auto.offset.reset", "earliest", err);
    if (!st) st = set(c, "partition.assignment.strategy", "range,roundrobin", err);
    if (!st) st = set(c, "enable.partition.eof", "false", err);
    if (!st) st = set_user(o, c, err);
    /* the guarantee rests on these: offsets move only when this code commits them */
    if (!st) st = set(c, "enable.auto.commit", "false", err);
    if (!st) st = set(c, "enable.auto.offset.store", "false", err);
    if (st) {
        rd_kafka_conf_destroy(c);
        return st;
    }
    rd_kafka_conf_set_opaque(c, w);
    rd_kafka_conf_set_rebalance_cb(c, on_rebalance);
    rd_kafka_conf_set_error_cb(c, on_error);
    rd_kafka_conf_set_log_cb(c, kafka_log);
    w->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, c, e, sizeof e);
    if (!w->consumer) {
        rd_kafka_conf_destroy(c);
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "kafka consumer: %s", e);
    }
    rd_kafka_poll_set_consumer(w->consumer);
    if (o->out_topic || o->dead_letter_topic) {
        c = rd_kafka_conf_new();
        st = set(c, "bootstrap.servers", o->brokers, err);
        if (!st) st = set(c, "client.id", "sangloc-work", err);
        if (!st) st = set(c, "acks", "all", err);
        if (!st) st = set(c, "linger.ms", "5", err);
        if (!st) st = set_user(o, c, err);
        if (st) {
            rd_kafka_conf_destroy(c);
            return st;
        }
        rd_kafka_conf_set_opaque(c, w);
        rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
        rd_kafka_conf_set_log_cb(c, kafka_log);
        rd_kafka_conf_set_error_cb(c, on_error);
        w->producer = rd_kafka_new(RD_KAFKA_PRODUCER, c, e, sizeof e);
        if (!w->producer) {
            rd_kafka_conf_destroy(c);
            return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "kafka producer: %s", e);
        }
    }
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, o->topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t ke = rd_kafka_subscribe(w->consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (ke)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "kafka subscribe %s: %s", o->topic,
                            rd_kafka_err2str(ke));
    return SL_OK;
}

/* ---- life cycle --------------------------------------------------------------------------- */

sl_status sl_worker_new(const sl_worker_options *options, sl_worker **out, sl_error *err)
{
    *out = NULL;
    const sl_worker_options *o = options;
    if (!o || !o->brokers || !o->topic || !o->group || !o->db || !o->org || o->batch < 1 ||
        o->batch > SL_WORKER_MAX_BATCH || o->threads < 1 || o->threads > SL_WORKER_MAX_THREADS)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "bad worker options");
    sl_worker *w = calloc(1, sizeof *w);
    if (!w) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    w->o = *o;
    w->log = o->log ? o->log : stderr;
    if (w->o.log_seconds <= 0) w->o.log_seconds = 5;
    w->msgs = calloc(o->batch, sizeof *w->msgs);
    w->posts = calloc(o->batch, sizeof *w->posts);
    w->delivered = calloc(2 * o->batch, sizeof *w->delivered);
    sl_status st = SL_OK;
    if (!w->msgs || !w->posts || !w->delivered) {
        st = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        goto fail;
    }
    sl_store_options so = {.key_file = o->key_file};
    if ((st = sl_store_open(o->db, &so, &w->store, err))) goto fail;
    if ((st = sl_store_org_exists(w->store, o->org, err))) {
        if (st == SL_ERR_NOT_FOUND)
            sl_error_set(err, st, SL_NO_POS, "the organization '%s' is not in the store", o->org);
        goto fail;
    }
    if ((st = sl_engine_slot_new(&o->engine, &w->slot, err))) goto fail;
    if ((st = sl__screen_new(o->threads, &w->screen))) {
        sl_error_set(err, st, SL_NO_POS, "cannot start %d screening threads", o->threads);
        goto fail;
    }
    if ((st = make_clients(w, err))) goto fail;
    w->last_log_ms = now_ms();
    *out = w;
    return SL_OK;
fail:
    sl_worker_free(w);
    return st;
}

void sl_worker_stop(sl_worker *w)
{
    atomic_store(&w->stop, true);
}

void sl_worker_reload(sl_worker *w)
{
    atomic_store(&w->reload, true);
}

void sl_worker_stats_get(sl_worker *w, sl_worker_stats *s)
{
    *s = (sl_worker_stats){.consumed = atomic_load(&w->st.consumed),
                           .stored = atomic_load(&w->st.stored),
                           .exists = atomic_load(&w->st.exists),
                           .dead_lettered = atomic_load(&w->st.dead),
                           .poison_logged = atomic_load(&w->st.logged),
                           .errors = atomic_load(&w->st.errors),
                           .batches = atomic_load(&w->st.batches),
                           .published = atomic_load(&w->st.published)};
}

void sl_worker_free(sl_worker *w)
{
    if (!w) return;
    drop_batch(w);
    if (w->consumer) rd_kafka_destroy(w->consumer);
    if (w->producer) {
        rd_kafka_flush(w->producer, 5000);
        rd_kafka_destroy(w->producer);
    }
    if (w->assigned) rd_kafka_topic_partition_list_destroy(w->assigned);
    if (w->pending) rd_kafka_topic_partition_list_destroy(w->pending);
    sl__screen_free(w->screen);
    if (w->engine) sl_engine_release(w->engine);
    sl_engine_slot_free(w->slot);
    sl_store_close(w->store);
    sl_buf_free(&w->key);
    sl_buf_free(&w->value);
    free(w->msgs);
    free(w->posts);
    free(w->delivered);
    free(w);
}

/* ---- progress ----------------------------------------------------------------------------- */

static void log_progress(sl_worker *w, bool final)
{
    int64_t t = now_ms();
    if (!final && t - w->last_log_ms < (int64_t)w->o.log_seconds * 1000) return;
    sl_worker_stats s;
    sl_worker_stats_get(w, &s);
    uint64_t done = s.stored + s.exists + s.dead_lettered + s.poison_logged;
    double secs = (double)(t - w->last_log_ms) / 1000.0;
    double rate = secs > 0 ? (double)(done - w->last_done) / secs : 0;
    w->last_log_ms = t;
    w->last_done = done;
    /* lag: the high watermark (as last fetched) minus the committed offset, per partition */
    char parts[512];
    size_t pl = 0;
    int64_t lag = 0;
    bool known = false;
    parts[0] = '\0';
    if (w->assigned && !final) {
        rd_kafka_topic_partition_list_t *pos = rd_kafka_topic_partition_list_copy(w->assigned);
        rd_kafka_position(w->consumer, pos);
        for (int i = 0; i < w->assigned->cnt; i++) {
            rd_kafka_topic_partition_t *p = &w->assigned->elems[i];
            int64_t lo = -1, hi = -1;
            rd_kafka_get_watermark_offsets(w->consumer, p->topic, p->partition, &lo, &hi);
            int64_t c = p->offset >= 0 ? p->offset : pos->elems[i].offset;
            if (hi < 0 || c < 0) continue;
            int64_t l = hi > c ? hi - c : 0;
            lag += l;
            known = true;
            if (pl + 32 < sizeof parts)
                pl += (size_t)snprintf(parts + pl, sizeof parts - pl, "%s%" PRId32 ":%" PRId64,
                                       pl ? "," : "", p->partition, l);
        }
        rd_kafka_topic_partition_list_destroy(pos);
    }
    char lagtxt[32] = "?";
    if (known) snprintf(lagtxt, sizeof lagtxt, "%" PRId64, lag);
    say(w,
        "%sconsumed=%" PRIu64 " stored=%" PRIu64 " exists=%" PRIu64 " dead_lettered=%" PRIu64
        " poison_logged=%" PRIu64 " errors=%" PRIu64 " batches=%" PRIu64 " published=%" PRIu64
        " rate=%.0f/s lag=%s partitions=[%s]",
        final ? "final " : "", s.consumed, s.stored, s.exists, s.dead_lettered, s.poison_logged,
        s.errors, s.batches, s.published, rate, lagtxt, parts);
}

static void maybe_reload(sl_worker *w)
{
    if (!atomic_exchange(&w->reload, false)) return;
    sl_error err = {0};
    if (sl_engine_slot_reload(w->slot, NULL, &err))
        say(w, "reload failed, the old engine keeps screening: policy line %zu: %s", err.line,
            err.message);
    else
        say(w, "reloaded (engine %" PRIu64 ")", sl_engine_slot_generation(w->slot));
}

/* ---- one batch ---------------------------------------------------------------------------- */

/* Takes records until the batch is full, the stream pauses for LINGER_MS, or a stop. */
static void collect(sl_worker *w)
{
    int64_t first = 0;
    while (w->n < w->o.batch && !atomic_load(&w->stop)) {
        int timeout = 200;
        if (w->n) {
            int64_t left = first + LINGER_MS - now_ms();
            if (left <= 0) break;
            timeout = (int)left;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(w->consumer, timeout);
        if (!m) {
            if (!w->n) return; /* idle: let the loop log and reload */
            continue;
        }
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                say(w, "kafka: %s", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            continue;
        }
        if (!w->n) first = now_ms();
        w->msgs[w->n++] = m;
        bump(&w->st.consumed, 1);
    }
}

/* Waits for backoff, doubling it; false when a stop came meanwhile. */
static bool back_off(sl_worker *w, int *ms)
{
    for (int slept = 0; slept < *ms; slept += 100) {
        if (atomic_load(&w->stop)) return false;
        sleep_ms(100);
    }
    *ms = *ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : *ms * 2;
    return !atomic_load(&w->stop);
}

static sl_status store_batch(sl_worker *w, sl_error *err)
{
    int backoff = BACKOFF_MIN_MS;
    for (;;) {
        sl_status st = SL_OK;
        if (!w->store) {
            sl_store_options so = {.key_file = w->o.key_file};
            st = sl_store_open(w->o.db, &so, &w->store, err);
        }
        if (!st) st = sl__screen_store(w->screen, w->store, w->o.org, w->posts, w->n, err);
        if (!st) return SL_OK;
        if (st == SL_ERR_NOMEM) return st;
        bump(&w->st.errors, 1);
        say(w, "store: %s: %s; retrying in %d ms (offsets not committed)", sl_status_name(st),
            err->message, backoff);
        sl_store_close(w->store); /* a broken connection is opened afresh */
        w->store = NULL;
        if (!back_off(w, &backoff)) return st;
    }
}

static sl_status produce(sl_worker *w, const char *topic, const char *key, size_t klen,
                         const void *val, size_t vlen, int *slot, const rd_kafka_message_t *src,
                         const sl_error *e)
{
    rd_kafka_headers_t *h = NULL;
    if (e) {
        char num[3][32];
        h = rd_kafka_headers_new(6);
        const char *code = sl_status_name(e->code);
        rd_kafka_header_add(h, "sangloc-error", -1, code, -1);
        rd_kafka_header_add(h, "sangloc-message", -1, e->message, -1);
        if (e->byte != SL_NO_POS) {
            snprintf(num[0], sizeof num[0], "%zu", e->byte);
            rd_kafka_header_add(h, "sangloc-byte", -1, num[0], -1);
        }
        rd_kafka_header_add(h, "sangloc-topic", -1, rd_kafka_topic_name(src->rkt), -1);
        snprintf(num[1], sizeof num[1], "%" PRId32, src->partition);
        rd_kafka_header_add(h, "sangloc-partition", -1, num[1], -1);
        snprintf(num[2], sizeof num[2], "%" PRId64, src->offset);
        rd_kafka_header_add(h, "sangloc-offset", -1, num[2], -1);
    }
    *slot = 0;
    for (;;) {
        rd_kafka_resp_err_t ke = rd_kafka_producev(
            w->producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(key, klen), RD_KAFKA_V_VALUE((void *)val, vlen), RD_KAFKA_V_HEADERS(h),
            RD_KAFKA_V_OPAQUE(slot), RD_KAFKA_V_END);
        if (!ke) return SL_OK; /* the producer owns the headers now */
        if (ke != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            if (h) rd_kafka_headers_destroy(h);
            *slot = -1;
            say(w, "produce to %s: %s", topic, rd_kafka_err2str(ke));
            return SL_ERR_IO;
        }
        rd_kafka_poll(w->producer, 100);
    }
}

/* Delivers the batch's dead letters and verdicts and waits for the acknowledgements; what
 * fails is produced again with backoff. false when a stop came before all were delivered. */
static bool deliver(sl_worker *w, sl_error *err)
{
    const char *dlq = w->o.dead_letter_topic, *out = w->o.out_topic;
    int *dead = w->delivered, *ann = w->delivered + w->o.batch;
    for (size_t i = 0; i < w->n; i++) dead[i] = ann[i] = 1; /* nothing to deliver */
    int backoff = BACKOFF_MIN_MS;
    for (bool first = true;; first = false) {
        size_t sent = 0;
        for (size_t i = 0; i < w->n; i++) {
            sl__post *p = &w->posts[i];
            const rd_kafka_message_t *m = w->msgs[i];
            if (p->fate == SL__POST_POISON && dlq && (first || dead[i] < 0)) {
                produce(w, dlq, m->key, m->key_len, m->payload, m->len, &dead[i], m, &p->error);
                sent++;
            }
            if ((p->fate == SL__POST_STORED || p->fate == SL__POST_EXISTS) && out &&
                (first || ann[i] < 0)) {
                if (sl__screen_announce(w->screen, w->store, w->o.org, p, &w->key, &w->value,
                                        err)) {
                    ann[i] = -1;
                    continue;
                }
                produce(w, out, w->key.data, w->key.len, w->value.data, w->value.len, &ann[i], NULL,
                        NULL);
                sent++;
            }
        }
        if (sent) rd_kafka_flush(w->producer, 60000);
        size_t failed = 0, pending = 0;
        for (size_t i = 0; i < 2 * w->n; i++) {
            int *s = i < w->n ? &dead[i] : &ann[i - w->n];
            failed += *s < 0;
            pending += *s == 0;
        }
        if (!failed && !pending) break;
        bump(&w->st.errors, 1);
        say(w, "delivery: %zu records failed, %zu unacknowledged; retrying in %d ms", failed,
            pending, backoff);
        for (size_t i = 0; i < 2 * w->n; i++) {
            int *s = i < w->n ? &dead[i] : &ann[i - w->n];
            if (!*s) *s = -1; /* a flush timeout: produce again (at least once) */
        }
        if (!back_off(w, &backoff)) return false;
    }
    for (size_t i = 0; i < w->n; i++) {
        sl__post *p = &w->posts[i];
        if (p->fate == SL__POST_POISON && dlq) bump(&w->st.dead, 1);
        if (p->fate != SL__POST_POISON && out) bump(&w->st.published, 1);
    }
    return true;
}

static bool retriable(rd_kafka_resp_err_t e)
{
    return e != RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION && e != RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID &&
           e != RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS && e != RD_KAFKA_RESP_ERR__NO_OFFSET &&
           e != RD_KAFKA_RESP_ERR__STATE && e != RD_KAFKA_RESP_ERR__FATAL;
}

/* Commits, for each partition of the batch, the offset after its last record. */
static void commit_batch(sl_worker *w)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    for (size_t i = 0; i < w->n; i++) {
        const rd_kafka_message_t *m = w->msgs[i];
        rd_kafka_topic_partition_t *p =
            rd_kafka_topic_partition_list_find(l, rd_kafka_topic_name(m->rkt), m->partition);
        if (!p) p = rd_kafka_topic_partition_list_add(l, rd_kafka_topic_name(m->rkt), m->partition);
        if (m->offset + 1 > p->offset) p->offset = m->offset + 1;
    }
    if (w->pending) merge_offsets(l, w->pending);
    int backoff = BACKOFF_MIN_MS;
    for (int attempt = 1;; attempt++) {
        rd_kafka_resp_err_t e = rd_kafka_commit(w->consumer, l, 0);
        if (!e) break;
        bump(&w->st.errors, 1);
        if (e == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS) {
            say(w, "commit: %s; committed again at the revoke", rd_kafka_err2name(e));
            if (!w->pending) w->pending = rd_kafka_topic_partition_list_new(l->cnt);
            merge_offsets(w->pending, l);
            rd_kafka_topic_partition_list_destroy(l);
            return;
        }
        say(w, "commit: %s (attempt %d); the batch is stored, its records may come again",
            rd_kafka_err2name(e), attempt);
        if (!retriable(e) || attempt == COMMIT_ATTEMPTS || !back_off(w, &backoff)) {
            rd_kafka_topic_partition_list_destroy(l);
            return;
        }
    }
    if (w->pending) rd_kafka_topic_partition_list_destroy(w->pending);
    w->pending = NULL;
    for (int i = 0; w->assigned && i < l->cnt; i++) {
        rd_kafka_topic_partition_t *a = rd_kafka_topic_partition_list_find(
            w->assigned, l->elems[i].topic, l->elems[i].partition);
        if (a) a->offset = l->elems[i].offset;
    }
    rd_kafka_topic_partition_list_destroy(l);
    bump(&w->st.batches, 1);
}

/* Screens, stores, delivers and commits the batch in hand. An error means it was abandoned on
 * a stop before it was stored or delivered (nothing committed: it is redelivered). */
static sl_status process_batch(sl_worker *w, sl_error *err)
{
    for (size_t i = 0; i < w->n; i++)
        w->posts[i] = (sl__post){.data = w->msgs[i]->payload, .len = w->msgs[i]->len};
    const sl_engine *e = sl_engine_slot_get(w->slot);
    sl_status st = sl__screen_prepare(w->screen, e, w->posts, w->n);
    /* the pool's scans now belong to e: the previous batch's engine may go */
    if (w->engine) sl_engine_release(w->engine);
    w->engine = e;
    if (st) return sl_error_set(err, st, SL_NO_POS, "out of memory screening a batch");
    if ((st = store_batch(w, err))) return st;
    size_t stored = 0, exists = 0, poison = 0;
    for (size_t i = 0; i < w->n; i++) {
        sl__post *p = &w->posts[i];
        stored += p->fate == SL__POST_STORED;
        exists += p->fate == SL__POST_EXISTS;
        if (p->fate != SL__POST_POISON) continue;
        poison++;
        if (w->o.dead_letter_topic) continue;
        const rd_kafka_message_t *m = w->msgs[i];
        char at[32] = "";
        if (p->error.byte != SL_NO_POS) snprintf(at, sizeof at, " at byte %zu", p->error.byte);
        say(w, "poison record %s[%" PRId32 "]@%" PRId64 " skipped: %s%s: %s",
            rd_kafka_topic_name(m->rkt), m->partition, m->offset, sl_status_name(p->error.code), at,
            p->error.message);
        bump(&w->st.logged, 1);
    }
    bump(&w->st.stored, stored);
    bump(&w->st.exists, exists);
    if (w->producer && !deliver(w, err))
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS,
                            "stopped before the batch's records were delivered");
    commit_batch(w);
    drop_batch(w);
    return SL_OK;
}

sl_status sl_worker_run(sl_worker *w, sl_error *err)
{
    sl_status st = SL_OK;
    say(w, "consuming %s as group %s (batch %zu, %d threads)", w->o.topic, w->o.group, w->o.batch,
        w->o.threads);
    while (!atomic_load(&w->stop)) {
        maybe_reload(w);
        log_progress(w, false);
        collect(w);
        if (w->n && (st = process_batch(w, err))) break;
    }
    /* the batch collected when the stop came is finished too */
    if (!st && w->n) st = process_batch(w, err);
    if (st) {
        say(w, "stopping with an uncommitted batch of %zu records: %s", w->n, err->message);
        drop_batch(w);
    }
    rd_kafka_consumer_close(w->consumer); /* leaves the group */
    log_progress(w, true);
    return st;
}
