/* ViLexNorm evaluation of the STANDARD view: word-level edit distance to the gold `normalized`
 * text, summed over a file, for the text left as is (d_orig) and for STANDARD (d_std).
 * Error reduction ER = (d_orig - d_std) / d_orig, the measure the ViLexNorm paper reports.
 * Also the precision of changed words and the recall of needed changes, over sentences whose
 * original, STANDARD and gold have the same number of words (position-aligned).
 *
 * usage: lexnorm_eval FILE.jsonl [--show N]   (lines {"original": ..., "normalized": ...})
 * --show N prints the N most frequent wrong changes and missed changes (for tuning on train). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sangloc/text.h"

#define MAXW 512

typedef struct words {
    const char *w[MAXW];
    size_t l[MAXW];
    size_t n;
} words;

static void split(const char *s, size_t len, words *out)
{
    out->n = 0;
    size_t i = 0;
    while (i < len && out->n < MAXW) {
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) i++;
        size_t a = i;
        while (i < len && !(s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) i++;
        if (i > a) {
            out->w[out->n] = s + a;
            out->l[out->n++] = i - a;
        }
    }
}

static int same(const words *a, size_t i, const words *b, size_t j)
{
    return a->l[i] == b->l[j] && !memcmp(a->w[i], b->w[j], a->l[i]);
}

static size_t distance(const words *a, const words *b)
{
    static size_t row[MAXW + 1], prev[MAXW + 1];
    for (size_t j = 0; j <= b->n; j++) prev[j] = j;
    for (size_t i = 1; i <= a->n; i++) {
        row[0] = i;
        for (size_t j = 1; j <= b->n; j++) {
            size_t sub = prev[j - 1] + !same(a, i - 1, b, j - 1);
            size_t del = prev[j] + 1, ins = row[j - 1] + 1;
            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, row, (b->n + 1) * sizeof row[0]);
    }
    return prev[b->n];
}

/* A tiny counter of "from -> to" strings for --show. */
typedef struct tally {
    char **keys;
    size_t *counts;
    size_t n, cap;
} tally;

static void tally_add(tally *t, const char *a, size_t al, const char *b, size_t bl, const char *c,
                      size_t cl)
{
    char key[256];
    snprintf(key, sizeof key, "%.*s -> %.*s (gold %.*s)", (int)al, a, (int)bl, b, (int)cl, c);
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->keys[i], key)) {
            t->counts[i]++;
            return;
        }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->keys = realloc(t->keys, t->cap * sizeof *t->keys);
        t->counts = realloc(t->counts, t->cap * sizeof *t->counts);
        if (!t->keys || !t->counts) exit(2);
    }
    t->keys[t->n] = strdup(key);
    t->counts[t->n++] = 1;
}

static void tally_print(tally *t, const char *title, size_t top)
{
    printf("%s:\n", title);
    for (size_t k = 0; k < top; k++) {
        size_t best = t->n;
        for (size_t i = 0; i < t->n; i++)
            if (t->counts[i] && (best == t->n || t->counts[i] > t->counts[best])) best = i;
        if (best == t->n) break;
        printf("  %5zu  %s\n", t->counts[best], t->keys[best]);
        t->counts[best] = 0;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: lexnorm_eval FILE.jsonl [--show N]\n");
        return 2;
    }
    size_t show = argc >= 4 && !strcmp(argv[2], "--show") ? (size_t)atoi(argv[3]) : 0;
    FILE *in = fopen(argv[1], "rb");
    if (!in) {
        perror(argv[1]);
        return 2;
    }
    sl_text *text = sl_text_new();
    static words wo, ws, wg;
    size_t d_orig = 0, d_std = 0, lines = 0, changed = 0, correct = 0, needed = 0, fixed = 0;
    tally wrong = {0}, missed = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, in)) > 0) {
        cJSON *j = cJSON_ParseWithLength(line, (size_t)n);
        const char *o = cJSON_GetStringValue(cJSON_GetObjectItem(j, "original"));
        const char *g = cJSON_GetStringValue(cJSON_GetObjectItem(j, "normalized"));
        sl_error err;
        if (!o || !g || sl_text_build(text, o, strlen(o), &err) != SL_OK) {
            cJSON_Delete(j);
            continue;
        }
        const sl_view *v = sl_text_view(text, SL_VIEW_STANDARD);
        split(o, strlen(o), &wo);
        split(v->data, v->len, &ws);
        split(g, strlen(g), &wg);
        d_orig += distance(&wo, &wg);
        d_std += distance(&ws, &wg);
        lines++;
        if (wo.n == ws.n && ws.n == wg.n) {
            for (size_t i = 0; i < wo.n; i++) {
                int ch = !same(&wo, i, &ws, i), ok = same(&ws, i, &wg, i);
                int need = !same(&wo, i, &wg, i);
                changed += ch;
                correct += ch && ok;
                needed += need;
                fixed += need && ok;
                if (show && ch && !ok)
                    tally_add(&wrong, wo.w[i], wo.l[i], ws.w[i], ws.l[i], wg.w[i], wg.l[i]);
                if (show && need && !ch)
                    tally_add(&missed, wo.w[i], wo.l[i], ws.w[i], ws.l[i], wg.w[i], wg.l[i]);
            }
        }
        cJSON_Delete(j);
    }
    free(line);
    fclose(in);
    sl_text_free(text);
    printf("file %s: %zu sentences\n", argv[1], lines);
    printf("word edit distance to gold: original %zu, standard %zu\n", d_orig, d_std);
    printf("error reduction ER = %.2f%%\n",
           d_orig ? 100.0 * ((double)d_orig - (double)d_std) / (double)d_orig : 0.0);
    printf("aligned sentences: changed-word precision %.2f%% (%zu/%zu), recall %.2f%% (%zu/%zu)\n",
           changed ? 100.0 * (double)correct / (double)changed : 0.0, correct, changed,
           needed ? 100.0 * (double)fixed / (double)needed : 0.0, fixed, needed);
    if (show) {
        tally_print(&wrong, "most frequent wrong changes", show);
        tally_print(&missed, "most frequent missed changes", show);
    }
    return 0;
}
