/* bench_model — model predictions per second on one core over a JSON-lines file.
 *
 * usage: bench_model [MODEL] [FILE.jsonl]   (defaults: models/default.slm, ViHSD dev)
 * Texts are read into memory first, then timed in repeated passes of at least one second:
 *   baseline  sl_text_build() alone (the views every detector needs anyway)
 *   model     sl_text_build() + sl_model_predict() (classifier, toxic, constructive, spans)
 * The difference is what the model adds to the check pipeline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/input.h"
#include "sangloc/model.h"
#include "sangloc/text.h"

typedef struct corpus {
    char **text;
    size_t *len;
    size_t n, cap, bytes;
} corpus;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int load(corpus *c, const char *path)
{
    char *paths[1] = {(char *)path};
    sl_input in = {.paths = paths, .npaths = 1};
    sl_input_record r;
    int st;
    while ((st = sl__input_next(&in, &r)) > 0) {
        if (r.has_error) continue;
        if (c->n == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 4096;
            c->text = realloc(c->text, c->cap * sizeof *c->text);
            c->len = realloc(c->len, c->cap * sizeof *c->len);
            if (!c->text || !c->len) return -1;
        }
        c->text[c->n] = malloc(r.text_len + 1);
        if (!c->text[c->n]) return -1;
        memcpy(c->text[c->n], r.text, r.text_len);
        c->len[c->n++] = r.text_len;
        c->bytes += r.text_len;
    }
    sl__input_close(&in);
    return st < 0 || !c->n ? -1 : 0;
}

/* Passes over the corpus until one second has gone; returns texts per second. */
static double run(const corpus *c, sl_text *t, const sl_model *m, sl_model_scratch *s,
                  size_t *flagged)
{
    size_t done = 0;
    double t0 = now(), el;
    sl_error err;
    do {
        *flagged = 0;
        for (size_t i = 0; i < c->n; i++) {
            if (sl_text_build(t, c->text[i], c->len[i], &err)) continue;
            sl_prediction p;
            if (m && !sl_model_predict(m, s, t, &p)) *flagged += p.label != SL_LABEL_CLEAN;
        }
        done += c->n;
    } while ((el = now() - t0) < 1.0);
    return (double)done / el;
}

int main(int argc, char **argv)
{
    const char *model = argc > 1 ? argv[1] : SL_SOURCE_DIR "/models/default.slm";
    const char *file = argc > 2 ? argv[2] : SL_SOURCE_DIR "/../shared/data/vihsd/dev.jsonl";
    corpus c = {0};
    sl_model *m;
    sl_model_scratch *s;
    sl_error err = {0};
    if (load(&c, file)) {
        fprintf(stderr, "bench_model: cannot read texts from %s\n", file);
        return 1;
    }
    if (sl_model_load(model, &m, &err) || sl_model_scratch_new(m, &s)) {
        fprintf(stderr, "bench_model: %s: %s\n", model, err.message);
        return 1;
    }
    sl_text *t = sl_text_new();
    size_t flagged;
    double base = run(&c, t, NULL, NULL, &flagged);
    double full = run(&c, t, m, s, &flagged);
    double per_model_us = 1e6 / full - 1e6 / base;
    printf("corpus: %s (%zu texts, %.1f bytes on average)\nmodel: %s (%s)\n", file, c.n,
           (double)c.bytes / (double)c.n, model, sl_model_version(m));
    printf("baseline text views only: %.0f texts/s\n", base);
    printf("views + model prediction: %.0f texts/s (%.2f us of model per text, %zu of %zu "
           "flagged in the last pass)\n",
           full, per_model_us, flagged, c.n);
    sl_text_free(t);
    sl_model_scratch_free(s);
    sl_model_free(m);
    for (size_t i = 0; i < c.n; i++) free(c.text[i]);
    free(c.text);
    free(c.len);
    return 0;
}
