/* bench_bank — build, size, load and lookup figures of banks of 10k, 100k and 1M items.
 *
 * usage: bench_bank [DATA_DIR] [--max N]
 * Items are synthetic: 30 words drawn at random (seeded) from the vocabulary of
 * DATA_DIR/posts/dev.jsonl (or a built-in syllable list when absent), generated at run time;
 * banks are written to /tmp and removed afterwards. Lookups: 2000 posts (half an item with
 * commentary, half random words) matched on one core; the baseline is building their sl_text
 * alone, measured in the same run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "sangloc/bank.h"
#include "sangloc/text.h"
#include "sangloc/buf.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, res = 0;
    if (f && fscanf(f, "%ld %ld", &pages, &res) != 2) res = 0;
    if (f) fclose(f);
    return res * (sysconf(_SC_PAGESIZE) / 1024);
}

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

typedef struct vocab {
    char **w;
    size_t n, cap;
} vocab;

static void add_word(vocab *v, const char *s, size_t len)
{
    if (len == 0 || len > 20 || v->n >= 200000) return;
    if (v->n == v->cap) v->w = realloc(v->w, (v->cap = v->cap ? v->cap * 2 : 1024) * sizeof *v->w);
    v->w[v->n++] = strndup(s, len);
}

static void load_vocab(const char *dir, vocab *v)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/posts/dev.jsonl", dir);
    FILE *f = fopen(path, "rb");
    char *line = NULL;
    size_t cap = 0;
    while (f && getline(&line, &cap, f) > 0) {
        cJSON *j = cJSON_Parse(line);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "text");
        for (const char *p = cJSON_IsString(t) ? t->valuestring : ""; *p;) {
            size_t k = strcspn(p, " \n\t\r.,;:!?\"()");
            add_word(v, p, k);
            p += k + (p[k] != 0);
        }
        cJSON_Delete(j);
    }
    free(line);
    if (f) fclose(f);
    static const char *const fallback[] = {"ba", "be", "bi", "bo", "bu", "ca", "co", "cu", "da",
                                           "de", "di", "do", "du", "ga", "gi", "ha", "he", "hi",
                                           "ho", "hu", "la", "le", "li", "lo", "lu", "ma", "me",
                                           "mi", "mo", "mu", "na", "ne", "ni", "no", "nu", "ta"};
    if (v->n < 1000) /* no data: two-syllable pseudo-words */
        for (size_t i = 0; i < 36; i++)
            for (size_t j = 0; j < 36; j++) {
                char w[8];
                snprintf(w, sizeof w, "%s%s", fallback[i], fallback[j]);
                add_word(v, w, strlen(w));
            }
}

static void random_text(const vocab *v, size_t words, sl_buf *out)
{
    for (size_t i = 0; i < words; i++) {
        if (i) sl_buf_puts(out, " ");
        sl_buf_puts(out, v->w[rnd((uint32_t)v->n)]);
    }
}

static void bench_size(const vocab *v, size_t n)
{
    sl_buf text = {.max = (size_t)1 << 32};
    size_t *off = malloc((n + 1) * sizeof *off);
    for (size_t i = 0; i < n; i++) {
        off[i] = text.len;
        random_text(v, 30, &text);
    }
    off[n] = text.len;
    sl_bank_item *items = calloc(n, sizeof *items);
    char *ids = malloc(n * 16);
    for (size_t i = 0; i < n; i++) {
        snprintf(ids + 16 * i, 16, "i%u", (unsigned)i);
        items[i] = (sl_bank_item){ids + 16 * i,
                                  strlen(ids + 16 * i),
                                  SL_BANK_HOAX,
                                  text.data + off[i],
                                  off[i + 1] - off[i],
                                  NULL,
                                  0,
                                  NULL,
                                  0};
    }
    char path[64];
    snprintf(path, sizeof path, "/tmp/bench_bank_%d.bank", (int)getpid());
    unlink(path);
    sl_error err;
    size_t added = 0;
    double t0 = now();
    if (sl_bank_append(path, items, n, NULL, NULL, &added, &err)) {
        fprintf(stderr, "bench_bank: %s\n", err.message);
        exit(2);
    }
    double t_build = now() - t0;
    long rss0 = rss_kb();
    sl_bank *b = NULL;
    t0 = now();
    if (sl_bank_open(path, &b, &err)) exit(2);
    double t_open = now() - t0;
    long rss1 = rss_kb();
    sl_bank_stats st;
    sl_bank_get_stats(b, &st);

    /* 2000 posts: even = an item with commentary, odd = random words */
    enum { NP = 2000 };
    sl_buf posts[NP];
    memset(posts, 0, sizeof posts);
    for (size_t i = 0; i < NP; i++) {
        if (i % 2 == 0) {
            size_t it = rnd((uint32_t)n);
            sl_buf_puts(&posts[i], "Mọi người cẩn thận! ");
            sl_buf_append(&posts[i], items[it].text, items[it].text_len);
        } else {
            random_text(v, 40, &posts[i]);
        }
    }
    sl_text *t = sl_text_new();
    sl_bank_scratch *s = NULL;
    sl_bank_scratch_new(b, &s);
    t0 = now();
    for (size_t r = 0; r < 3; r++)
        for (size_t i = 0; i < NP; i++) sl_text_build(t, posts[i].data, posts[i].len, &err);
    double t_base = (now() - t0) / (3.0 * NP);
    size_t found = 0;
    t0 = now();
    for (size_t r = 0; r < 3; r++)
        for (size_t i = 0; i < NP; i++) {
            sl_bank_match m[4];
            size_t nm = 0;
            sl_text_build(t, posts[i].data, posts[i].len, &err);
            sl_bank_match_text(b, s, t, SL_BANK_DEFAULT_MIN_SIMILARITY, m, 4, &nm);
            found += (r == 0 && i % 2 == 0 && nm > 0);
        }
    double t_match = (now() - t0) / (3.0 * NP);
    printf("%8zu items: build %.2f s, file %.1f MiB (%zu index entries), open %.3f s, "
           "RSS +%.1f MiB after open, text+match %.0f posts/s (%.1f us) vs text-only baseline "
           "%.0f/s (%.1f us) -> match alone %.1f us; found %zu/%d planted\n",
           n, t_build, (double)st.file_bytes / 1048576.0, st.index_entries, t_open,
           (double)(rss1 - rss0) / 1024.0, 1.0 / t_match, t_match * 1e6, 1.0 / t_base, t_base * 1e6,
           (t_match - t_base) * 1e6, found, NP / 2);
    fflush(stdout);
    for (size_t i = 0; i < NP; i++) sl_buf_free(&posts[i]);
    sl_bank_scratch_free(s);
    sl_text_free(t);
    sl_bank_close(b);
    unlink(path);
    free(items);
    free(ids);
    free(off);
    sl_buf_free(&text);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 && argv[1][0] != '-' ? argv[1] : "../shared/data";
    size_t max = 1000000;
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--max")) max = strtoul(argv[i + 1], NULL, 10);
    vocab v = {0};
    load_vocab(dir, &v);
    printf("vocabulary %zu words; items of 30 random words\n", v.n);
    for (size_t n = 10000; n <= max; n *= 10) bench_size(&v, n);
    return 0;
}
