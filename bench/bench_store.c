/* bench_store — items/s stored through sl_store_ingest with batches of 1, 10, 100 and 1000.
 *
 * usage: bench_store [DIR] [--seconds S]
 * Each batch size gets a fresh SQLite store in DIR (default /tmp; removed afterwards) and
 * ingests synthetic items for about S seconds (default 3): a 120-byte Vietnamese text, a
 * 300-byte verdict JSON, 90% allow, 5% review, 5% hide (so 10% open a case). Every batch is one
 * transaction committed with synchronous=FULL, i.e. one fsync of the WAL per batch: the figure
 * for batches of 1 is the disk's sync rate, the others show what batching buys. The baseline
 * printed first is the cost of building the items and their pseudonyms alone (no database). */
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

static void fill(batch *b, size_t n, long first)
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
            .channel = "news/2026/11/30/chinh-sach",
            .channel_len = 26,
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
    const char *dir = "/tmp";
    double seconds = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = atof(argv[++i]);
        else
            dir = argv[i];
    }
    batch *b = malloc(sizeof *b);
    if (!b) return 1;
    double t0 = now();
    long built = 0;
    while (now() - t0 < 0.5) fill(b, 1000, built), built += 1000;
    printf("baseline: building items %.0f items/s\n", built / (now() - t0));
    const size_t sizes[] = {1, 10, 100, 1000};
    for (int s = 0; s < 4; s++) {
        char db[512], key[512];
        snprintf(db, sizeof db, "%s/bench_store_%d.db", dir, (int)getpid());
        snprintf(key, sizeof key, "%s/bench_store_%d.key", dir, (int)getpid());
        cleanup(db, key);
        sl_store *st = NULL;
        sl_error err = {0};
        sl_store_options o = {.key_file = key};
        if (sl_store_open(db, &o, &st, &err)) {
            fprintf(stderr, "bench_store: %s\n", err.message);
            return 1;
        }
        long total = 0;
        double start = now(), fill_time = 0;
        while (now() - start < seconds) {
            double f0 = now();
            fill(b, sizes[s], total);
            fill_time += now() - f0;
            if (sl_store_ingest(st, "default", 0, b->items, sizes[s], b->res, &err)) {
                fprintf(stderr, "bench_store: %s\n", err.message);
                return 1;
            }
            total += (long)sizes[s];
        }
        double el = now() - start - fill_time;
        printf("batch %4zu: %7ld items in %.2f s: %8.0f items/s, %7.0f commits/s\n", sizes[s],
               total, el, total / el, total / el / (double)sizes[s]);
        sl_store_close(st);
        cleanup(db, key);
    }
    free(b);
    return 0;
}
