/* bench_check — throughput of the whole screening pipeline (the engine with the default policy,
 * the default model and optional banks) on real posts, one thread and N threads, with peak
 * memory. Baseline in the same run: building the text views only (what every post costs before
 * any detector runs).
 *
 * usage: bench_check [--policy F] [--model F|--no-model] [--bank F]... [-j N] [--rounds N]
 *                    FILES.jsonl...
 * --rounds fixes the passes over the corpus (default: about 200,000 posts per figure); --rounds 1
 * suits callgrind (--toggle-collect=run_engine counts the screening only). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "sangloc/engine.h"
#include "sangloc/text.h"

#include "corpus.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct job {
    const sl_engine *engine;
    const corpus *c;
    size_t from, to, rounds;
    size_t flagged;
} job;

static void *run_engine(void *arg)
{
    job *j = arg;
    sl_scan *scan = sl_scan_new(j->engine);
    for (size_t r = 0; r < j->rounds; r++)
        for (size_t i = j->from; i < j->to; i++) {
            const sl_verdict *v;
            sl_engine_check(j->engine, scan, j->c->texts[i], j->c->lens[i], &v);
            size_t len;
            sl_scan_verdict_json(scan, NULL, j->c->texts[i], j->c->lens[i], &len);
            j->flagged += v->action != SL_ACTION_ALLOW;
        }
    sl_scan_free(scan);
    return NULL;
}

static double time_engine(const sl_engine *e, const corpus *c, int threads, size_t rounds,
                          size_t *flagged)
{
    pthread_t tid[64];
    job jobs[64];
    double t0 = now();
    for (int t = 0; t < threads; t++) {
        jobs[t] = (job){e, c, c->n * t / threads, c->n * (t + 1) / threads, rounds, 0};
        pthread_create(&tid[t], NULL, run_engine, &jobs[t]);
    }
    *flagged = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        *flagged += jobs[t].flagged;
    }
    return now() - t0;
}

static double time_text_only(const corpus *c, size_t rounds)
{
    sl_text *t = sl_text_new();
    double t0 = now();
    for (size_t r = 0; r < rounds; r++)
        for (size_t i = 0; i < c->n; i++) sl_text_build(t, c->texts[i], c->lens[i], NULL);
    double dt = now() - t0;
    sl_text_free(t);
    return dt;
}

static void report(const char *what, const corpus *c, size_t rounds, double dt)
{
    double posts = (double)c->n * rounds;
    printf("%-34s %10.0f posts/s %8.1f MB/s  (%zu posts x %zu rounds in %.2f s)\n", what,
           posts / dt, c->bytes * (double)rounds / dt / 1e6, c->n, rounds, dt);
}

int main(int argc, char **argv)
{
    const char *policy = SL_SOURCE_DIR "/policies/default.yaml";
    const char *model = SL_SOURCE_DIR "/models/default.slm";
    const char *banks[16];
    size_t nbanks = 0;
    int threads = 2;
    size_t rounds = 0;
    corpus c = {0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--policy") && i + 1 < argc)
            policy = argv[++i];
        else if (!strcmp(argv[i], "--model") && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(argv[i], "--no-model"))
            model = NULL;
        else if (!strcmp(argv[i], "--bank") && i + 1 < argc && nbanks < 16)
            banks[nbanks++] = argv[++i];
        else if (!strcmp(argv[i], "-j") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = strtoul(argv[++i], NULL, 10);
        else if (corpus_load(&c, argv[i])) {
            perror(argv[i]);
            return 2;
        }
    }
    if (!c.n || threads < 1 || threads > 64) {
        fprintf(stderr, "usage: bench_check [--policy F] [--model F|--no-model] [--bank F] [-j N] "
                        "[--rounds N] FILES.jsonl...\n");
        return 2;
    }
    sl_engine_options o = {.policy_path = policy,
                           .model_path = model,
                           .bank_paths = banks,
                           .nbanks = nbanks,
                           .allow_missing_model = !model};
    sl_engine *e = NULL;
    sl_error err = {0};
    double t0 = now();
    if (sl_engine_new(&o, &e, &err)) {
        fprintf(stderr, "engine: %s\n", err.message);
        return 2;
    }
    double load_s = now() - t0;
    if (!rounds) rounds = c.n < 200000 ? 200000 / c.n + 1 : 1; /* about a second per figure */
    printf("corpus: %zu posts, %.2f MB, mean %.0f bytes; engine built in %.3f s%s\n", c.n,
           c.bytes / 1e6, (double)c.bytes / c.n, load_s,
           sl_engine_patterns_cached(e) ? " (patterns from cache)" : "");
    report("baseline: text views only, 1 core", &c, rounds, time_text_only(&c, rounds));
    size_t flagged;
    double dt1 = time_engine(e, &c, 1, rounds, &flagged);
    report("check pipeline, 1 thread", &c, rounds, dt1);
    printf("  flagged (not allow): %zu of %zu\n", flagged / rounds, c.n);
    char name[64];
    snprintf(name, sizeof name, "check pipeline, %d threads", threads);
    double dtn = time_engine(e, &c, threads, rounds, &flagged);
    report(name, &c, rounds, dtn);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS: %.1f MB\n", ru.ru_maxrss / 1024.0);
    sl_engine_free(e);
    corpus_free(&c);
    return 0;
}
