/* bench_vectors — the cost of looking up pretrained vectors, one core, texts in memory.
 *
 * usage: bench_vectors VECTORS [FILE.jsonl]   (default file: ViHSD dev)
 * Passes of at least one second each:
 *   tokens   sl_text_build() + sl__tokenize() of NORM (what the model does anyway)
 *   lookups  the same + sl__vectors_token() for every token
 *   pooled   sl__vec_comment(): every token's vector and their mean and max (what the model
 *            computes per comment)
 * and the shares of tokens found as words, built from n-grams, or without a vector. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "corpus.h"
#include "model/feat.h"
#include "model/vecfeat.h"
#include "model/vectors.h"
#include "sangloc/text.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static sl__tok toks[SL__MAX_TOKENS];
static float vec[SL__VEC_MAX_DIM], pool[2 * SL__VEC_MAX_DIM];
static float tokvec[SL__MAX_TOKENS * SL__VEC_MAX_DIM];

/* Passes until a second has gone; returns texts/s. kinds counts the lookups' results. */
static double run(const corpus *c, sl_text *t, const sl__vectors *v, int pooled, size_t kinds[3])
{
    size_t done = 0;
    double t0 = now(), el;
    sl_error err;
    do {
        for (size_t i = 0; i < c->n; i++) {
            if (sl_text_build(t, c->texts[i], c->lens[i], &err)) continue;
            const sl_view *nv = sl_text_view(t, SL_VIEW_NORM);
            size_t n = sl__tokenize(nv, toks, SL__MAX_TOKENS);
            if (!v) continue;
            if (pooled) {
                sl__vec_comment(v, toks, n, nv, tokvec, pool);
                continue;
            }
            for (size_t k = 0; k < n; k++) kinds[sl__vectors_token(v, &toks[k], nv, vec)]++;
        }
        done += c->n;
        el = now() - t0;
    } while (el < 1.0);
    return (double)done / el;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_vectors VECTORS [FILE.jsonl]\n");
        return 2;
    }
    const char *path = argc > 2 ? argv[2] : SL_SOURCE_DIR "/../shared/data/vihsd/dev.jsonl";
    corpus c = {0};
    if (corpus_load(&c, path)) {
        fprintf(stderr, "bench_vectors: cannot read %s\n", path);
        return 1;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        fprintf(stderr, "bench_vectors: cannot open %s\n", argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    size_t len = (size_t)ftell(f);
    rewind(f);
    unsigned char *bytes = aligned_alloc(64, (len + 63) / 64 * 64);
    if (!bytes || fread(bytes, 1, len, f) != len) return 1;
    fclose(f);
    sl__vectors v;
    sl_error err;
    double t0 = now();
    if (sl__vectors_bind(&v, bytes, len, &err)) {
        fprintf(stderr, "bench_vectors: %s\n", err.message);
        return 1;
    }
    double bind_ms = (now() - t0) * 1e3;
    sl_text *t = sl_text_new();
    size_t kinds[3] = {0};
    run(&c, t, NULL, 0, kinds); /* warm-up */
    double base = run(&c, t, NULL, 0, kinds);
    double look = run(&c, t, &v, 0, kinds);
    double with = run(&c, t, &v, 1, kinds);
    size_t all = kinds[0] + kinds[1] + kinds[2];
    printf("vectors: %s (dim %u, %u words, %zu bytes, bound in %.1f ms)\n", argv[1], v.dim,
           v.nwords, len, bind_ms);
    printf("texts: %zu from %s\n", c.n, path);
    printf("tokens only:   %9.0f texts/s\n", base);
    printf("lookups:       %9.0f texts/s  (+%.2f us a text)\n", look, 1e6 / look - 1e6 / base);
    printf("lookups, mean and max pooled: %9.0f texts/s  (+%.2f us a text)\n", with,
           1e6 / with - 1e6 / base);
    printf("tokens: %.1f%% words, %.1f%% n-grams, %.1f%% no vector\n", 100.0 * kinds[1] / all,
           100.0 * kinds[2] / all, 100.0 * kinds[0] / all);
    sl_text_free(t);
    free(bytes);
    corpus_free(&c);
    return 0;
}
