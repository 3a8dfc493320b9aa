/* bench_load — how long building an engine takes (what a service pays at start and on every
 * policy reload): the default policy and model, N builds cold (no compiled-pattern cache: every
 * Hyperscan database compiled) and N warm (databases loaded from the cache the first warm build
 * fills), each build's milliseconds and the median.
 *
 * usage: bench_load [--policy F] [--model F|--no-model] [-n N] [--cold|--warm]
 * (--cold or --warm runs only that half, e.g. for callgrind --toggle-collect=sl_engine_new) */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sangloc/engine.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Builds n engines; returns the median ms, or a negative number on error. */
static double run(const char *what, sl_engine_options o, int n, double *ms)
{
    printf("%-5s", what);
    for (int i = 0; i < n; i++) {
        sl_engine *e = NULL;
        sl_error err = {0};
        double t0 = now_ms();
        sl_status st = sl_engine_new(&o, &e, &err);
        ms[i] = now_ms() - t0;
        if (st) {
            fprintf(stderr, "\nengine: %s (line %zu)\n", err.message, err.line);
            return -1;
        }
        sl_engine_free(e);
        printf(" %7.1f", ms[i]);
    }
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
    printf("   median %.1f ms\n", median);
    return median;
}

int main(int argc, char **argv)
{
    const char *policy = SL_SOURCE_DIR "/policies/default.yaml";
    const char *model = SL_SOURCE_DIR "/models/default.slm";
    int n = 5;
    bool cold = true, warm = true;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--policy") && i + 1 < argc)
            policy = argv[++i];
        else if (!strcmp(argv[i], "--model") && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(argv[i], "--no-model"))
            model = NULL;
        else if (!strcmp(argv[i], "--cold"))
            warm = false;
        else if (!strcmp(argv[i], "--warm"))
            cold = false;
        else if (!strcmp(argv[i], "-n") && i + 1 < argc)
            n = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_load [--policy F] [--model F|--no-model] [-n N] "
                            "[--cold|--warm]\n");
            return 2;
        }
    }
    if (n < 1 || n > 1000) {
        fprintf(stderr, "bench_load: -n must be 1..1000\n");
        return 2;
    }
    double *ms = malloc((size_t)n * sizeof *ms);
    if (!ms) return 2;
    sl_engine_options o = {
        .policy_path = policy, .model_path = model, .allow_missing_model = !model};
    printf("engine build, %s%s, ms per build:\n", policy, model ? " + model" : " (no model)");
    o.cache_dir = ""; /* cold: compile every database */
    int rc = cold && run("cold", o, n, ms) < 0;
    o.cache_dir = NULL; /* warm: the default cache, filled by the first build if empty */
    if (!rc && warm) rc = run("warm", o, n, ms) < 0;
    free(ms);
    return rc ? 2 : 0;
}
