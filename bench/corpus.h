/* bench/corpus.h — the texts of a JSON-lines data file, held in memory for the benchmarks.
 * Header-only on purpose: each benchmark source is its own program. */
#ifndef SL_BENCH_CORPUS_H
#define SL_BENCH_CORPUS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

typedef struct corpus {
    char **texts;
    size_t *lens;
    size_t n, cap, bytes;
} corpus;

/* Appends the "text" (or ViLexNorm's "original") of every line of path; -1 if unreadable.
 * Exits on out of memory: a benchmark has nothing sensible to report then. */
static int corpus_load(corpus *c, const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in) return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, in)) > 0) {
        cJSON *j = cJSON_ParseWithLength(line, (size_t)n);
        const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(j, "text"));
        if (!t) t = cJSON_GetStringValue(cJSON_GetObjectItem(j, "original"));
        if (t) {
            if (c->n == c->cap) {
                c->cap = c->cap ? c->cap * 2 : 1024;
                c->texts = realloc(c->texts, c->cap * sizeof *c->texts);
                c->lens = realloc(c->lens, c->cap * sizeof *c->lens);
            }
            char *copy = strdup(t);
            if (!c->texts || !c->lens || !copy) exit(2);
            c->lens[c->n] = strlen(t);
            c->texts[c->n++] = copy;
            c->bytes += strlen(t);
        }
        cJSON_Delete(j);
    }
    free(line);
    fclose(in);
    return 0;
}

static void corpus_free(corpus *c)
{
    for (size_t i = 0; i < c->n; i++) free(c->texts[i]);
    free(c->texts);
    free(c->lens);
    memset(c, 0, sizeof *c);
}

#endif
