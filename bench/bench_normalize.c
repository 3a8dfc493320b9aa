/* Throughput of the text layer on one core: all views (sl_text_build) against a baseline that
 * only validates UTF-8 and runs ICU NFC (unorm2_normalize on UTF-16, with the quick-check fast
 * path), over the "text" (or "original") field of JSON-lines files given on the command line.
 * Each file's texts are loaded first, then each pass runs for at least ~1 s of CPU time
 * (one core; CPU time, so other load on the machine does not distort the figures).
 *
 * usage: bench_normalize FILE.jsonl...   (e.g. ../shared/data/vihsd/dev.jsonl) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicode/ustring.h>
#include <unicode/unorm2.h>

#include "sangloc/text.h"

#include "corpus.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: robust to a busy machine */
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Baseline: validate, then NFC through ICU unless the quick check says it is already NFC. */
static size_t baseline_one(const char *s, size_t len, UChar *u16, UChar *out, int32_t cap)
{
    sl_error err;
    if (sl_utf8_validate(s, len, &err) != SL_OK) return 0;
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = 0;
    u_strFromUTF8(u16, cap, &n, s, (int32_t)len, &st);
    if (U_FAILURE(st)) return 0;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&st);
    int32_t ok = unorm2_spanQuickCheckYes(nfc, u16, n, &st);
    if (ok == n) return (size_t)n;
    return (size_t)unorm2_normalize(nfc, u16, n, out, cap, &st);
}

static void report(const char *what, const corpus *c, size_t rounds, double secs)
{
    double posts = (double)c->n * (double)rounds, mb = (double)c->bytes * (double)rounds / 1e6;
    printf("  %-28s %9.1f MB/s %11.0f posts/s  (%.2f us/post)\n", what, mb / secs, posts / secs,
           secs / posts * 1e6);
}

static void bench_file(const char *path)
{
    corpus c = {0};
    if (corpus_load(&c, path) || !c.n) {
        fprintf(stderr, "bench_normalize: cannot read texts from %s\n", path);
        return;
    }
    printf("%s: %zu texts, %.2f MB, %.0f bytes/text\n", path, c.n, (double)c.bytes / 1e6,
           (double)c.bytes / (double)c.n);
    size_t maxlen = 0;
    for (size_t i = 0; i < c.n; i++)
        if (c.lens[i] > maxlen) maxlen = c.lens[i];
    int32_t cap = (int32_t)(maxlen * 3 + 16);
    UChar *u16 = malloc((size_t)cap * sizeof *u16), *out = malloc((size_t)cap * sizeof *out);
    size_t rounds = 0, sink = 0;
    double t0 = now(), t;
    do {
        for (size_t i = 0; i < c.n; i++) sink += baseline_one(c.texts[i], c.lens[i], u16, out, cap);
        rounds++;
    } while ((t = now() - t0) < 1.0);
    report("baseline validate+ICU NFC", &c, rounds, t);
    sl_text *text = sl_text_new();
    sl_error err;
    rounds = 0;
    t0 = now();
    do {
        for (size_t i = 0; i < c.n; i++)
            if (sl_text_build(text, c.texts[i], c.lens[i], &err) == SL_OK)
                sink += sl_text_view(text, SL_VIEW_FOLD)->len;
        rounds++;
    } while ((t = now() - t0) < 1.0);
    report("sl_text_build (all views)", &c, rounds, t);
    if (sink == 1) printf("\n"); /* keeps the work observable */
    sl_text_free(text);
    free(u16);
    free(out);
    corpus_free(&c);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_normalize FILE.jsonl...\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) bench_file(argv[i]);
    return 0;
}
