/* bench_store — items/s stored through sl_store_ingest with batches of 1, 10, 100 and 1000.
 *
 * usage: bench_store [DIR] [--seconds S] [--pg URL] [--writers N] [--batch N] [--pg-only]
 * Each batch size gets a fresh SQLite store in DIR (default /tmp; removed afterwards) and
 * ingests synthetic items for about S seconds (default 3). With --pg, the same runs follow
 * against that PostgreSQL database (each batch size in a channel of its own, so the rows of
 * one run do not collide with the next). --writers N (default 1) runs N writers at once, each
 * with its own connection, as N servers or workers sharing one store would. The items: a
 * 120-byte Vietnamese text, a
 * 300-byte verdict JSON, 90% allow, 5% review, 5% hide (so 10% open a case). Every batch is one
 * transaction committed with synchronous=FULL, i.e. one fsync of the WAL per batch: the figure
 * for batches of 1 is the disk's sync rate, the others show what batching buys. The baseline
 * printed first is the cost of building the items and their pseudonyms alone (no database).
 * --batch N runs that batch size only; --pg-only skips the SQLite runs. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sangloc/store.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char text[] = "Bài viết phân tích rất kỹ, nhưng tôi nghĩ tác giả nên nói thêm về "
                           "chi phí của chính sách này cho người dân ở nông thôn.";
static const char verdict_fmt[] =
    "{\"id\":\"%s\",\"action\":\"%s\",\"score\":%.2f,\"categories\":{\"insult\":%.2f,"
    "\"threat\":0,\"hate\":0,\"personal_data\":0,\"confidential\":0,\"hoax\":0,\"spam\":0},"
    "\"hits\":[],\"versions\":{\"sangloc\":\"0.1.0\",\"policy\":\"default@2026.11-2\","
    "\"model\":\"vi-comments-2026.11\",\"banks\":[]},\"us\":41}";

typedef struct batch {
    char ids[1000][24];
    char authors[1000][24];
    char verdicts[1000][400];
    sl_store_item items[1000];
    sl_ingest_result res[1000];
} batch;

static void fill(batch *b, size_t n, long first, const char *channel)
{
    for (size_t i = 0; i < n; i++) {
        long k = first + (long)i;
        int r = (int)(k % 20);
        sl_store_action a = r == 0 ? SL_STORE_HIDE : r == 1 ? SL_STORE_REVIEW : SL_STORE_ALLOW;
        double score = a == SL_STORE_ALLOW ? 0.05 : 0.5 + (double)(k % 50) / 100.0;
        snprintf(b->ids[i], sizeof b->ids[i], "c%ld", k);
        snprintf(b->authors[i], sizeof b->authors[i], "reader-%ld", k % 997);
        int vlen = snprintf(b->verdicts[i], sizeof b->verdicts[i], verdict_fmt, b->ids[i],
                            sl_store_action_name(a), score, score);
        b->items[i] = (sl_store_item){
            .id = b->ids[i],
            .id_len = strlen(b->ids[i]),
            .channel = channel,
            .channel_len = strlen(channel),
            .kind = "comment",
            .kind_len = 7,
            .author = b->authors[i],
            .author_len = strlen(b->authors[i]),
            .text = text,
            .text_len = sizeof text - 1,
            .created_at = "2026-11-30T07:00:00Z",
            .created_at_len = 20,
            .verdict_json = b->verdicts[i],
            .verdict_len = (size_t)vlen,
            .action = a,
            .score = score,
            .policy_version = "default@2026.11-2",
            .policy_version_len = 17,
        };
    }
}

typedef struct writer {
    const char *url, *key, *channel;
    size_t size;
    double seconds;
    long first, total;
    double busy; /* seconds spent in sl_store_ingest */
    int failed;
} writer;

static void *write_items(void *arg)
{
    writer *w = arg;
    batch *b = malloc(sizeof *b);
    sl_store *st = NULL;
    sl_error err = {0};
    sl_store_options o = {.key_file = w->key};
    if (!b || sl_store_open(w->url, &o, &st, &err)) {
        fprintf(stderr, "bench_store: %s\n", b ? err.message : "out of memory");
        w->failed = 1;
        free(b);
        return NULL;
    }
    double start = now();
    while (now() - start < w->seconds) {
        fill(b, w->size, w->first + w->total, w->channel);
        double i0 = now();
        if (sl_store_ingest(st, "default", 0, b->items, w->size, b->res, &err)) {
            fprintf(stderr, "bench_store: %s\n", err.message);
            w->failed = 1;
            break;
        }
        w->busy += now() - i0;
        w->total += (long)w->size;
    }
    sl_store_close(st);
    free(b);
    return NULL;
}

/* One batch size on one store with n writers at once; prints a line. */
static int run(const char *name, const char *url, const char *key, size_t size, int n,
               double seconds)
{
    writer w[16] = {{0}};
    pthread_t th[16];
    char channel[64];
    snprintf(channel, sizeof channel, "bench/%d/%zu", (int)getpid(), size);
    sl_store *first = NULL; /* creates the store and its key before the writers race to */
    sl_error err = {0};
    sl_store_options o = {.key_file = key};
    if (sl_store_open(url, &o, &first, &err)) {
        fprintf(stderr, "bench_store: %s\n", err.message);
        return 1;
    }
    sl_store_close(first);
    double t0 = now();
    for (int i = 0; i < n; i++) {
        w[i] = (writer){.url = url,
                        .key = key,
                        .channel = channel,
                        .size = size,
                        .seconds = seconds,
                        .first = (long)i * 100000000L};
        pthread_create(&th[i], NULL, write_items, &w[i]);
    }
    long total = 0;
    int failed = 0;
    double busy = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        total += w[i].total;
        failed |= w[i].failed;
        busy += w[i].busy;
    }
    double el = now() - t0;
    if (failed) return 1;
    printf("%-10s writers %d batch %4zu: %8ld items in %.2f s: %8.0f items/s, %7.0f commits/s, "
           "%.2f ms a commit\n",
           name, n, size, total, el, total / el, total / el / (double)size,
           1000.0 * busy / ((double)total / (double)size));
    fflush(stdout);
    return 0;
}

static void cleanup(const char *db, const char *key)
{
    char p[600];
    const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", db, sfx[i]);
        unlink(p);
    }
    unlink(key);
}

int main(int argc, char **argv)
{
    const char *dir = "/tmp", *pg = NULL;
    double seconds = 3;
    int writers = 1, only = 0, pg_only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--pg") && i + 1 < argc)
            pg = argv[++i];
        else if (!strcmp(argv[i], "--writers") && i + 1 < argc)
            writers = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
            only = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--pg-only"))
            pg_only = 1;
        else
            dir = argv[i];
    }
    if (writers < 1 || writers > 16) {
        fprintf(stderr, "bench_store: --writers takes 1 to 16\n");
        return 2;
    }
    if (only < 0 || only > 1000) {
        fprintf(stderr, "bench_store: --batch takes 1 to 1000\n");
        return 2;
    }
    batch *b = malloc(sizeof *b);
    if (!b) return 1;
    double t0 = now();
    long built = 0;
    while (now() - t0 < 0.5) fill(b, 1000, built, "bench"), built += 1000;
    printf("baseline: building items %.0f items/s\n", built / (now() - t0));
    free(b);
    size_t sizes[] = {1, 10, 100, 1000};
    int nsizes = 4;
    if (only) sizes[0] = (size_t)only, nsizes = 1;
    char db[512], key[512];
    snprintf(db, sizeof db, "%s/bench_store_%d.db", dir, (int)getpid());
    snprintf(key, sizeof key, "%s/bench_store_%d.key", dir, (int)getpid());
    for (int s = 0; s < nsizes && !pg_only; s++) {
        cleanup(db, key);
        if (run("sqlite", db, key, sizes[s], writers, seconds)) return 1;
        cleanup(db, key);
    }
    for (int s = 0; pg && s < nsizes; s++)
        if (run("postgresql", pg, key, sizes[s], writers, seconds)) return 1;
    cleanup(db, key);
    return 0;
}
