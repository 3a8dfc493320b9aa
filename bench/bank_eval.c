/* bank_eval — recall and false-match rate of the bank matcher on dev material.
 *
 * usage: bank_eval [DATA_DIR] [--min-similarity X] [--show-false]
 * Registers every 5th post of DATA_DIR/posts/dev.jsonl that has at least 30 words, generates
 * edited reposts of each with a seeded deterministic generator (excerpt 60%, commentary added
 * before/after, sentences reordered, 10% of words dropped, teencode substitutions, diacritics
 * stripped, and a mix of all), and counts how many find their source (recall). Negatives are
 * the unregistered posts plus the comments of vihsd/dev.jsonl and victsd/dev.jsonl: the share
 * of them that match anything is the false-match rate. Prints both at the given threshold and
 * a sweep over thresholds. Nothing is written outside /tmp; no data is copied. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>

#include "sangloc/bank.h"
#include "sangloc/text.h"
#include "text/utf8.h"
#include "sangloc/buf.h"

#define MAXT 200000

typedef struct texts {
    char **s;
    size_t n, cap;
} texts;

static void push(texts *t, const char *s, size_t len)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->s = realloc(t->s, t->cap * sizeof *t->s);
    }
    char *c = malloc(len + 1);
    memcpy(c, s, len);
    c[len] = 0;
    t->s[t->n++] = c;
}

static int read_texts(const char *path, texts *t)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        cJSON *j = cJSON_ParseWithLength(line, (size_t)n);
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, "text");
        if (cJSON_IsString(x)) push(t, x->valuestring, strlen(x->valuestring));
        cJSON_Delete(j);
    }
    free(line);
    fclose(f);
    return 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}

/* Words split on whitespace, each a malloc'd string. */
static size_t split_words(const char *s, char ***out)
{
    size_t n = 0, cap = 16;
    char **w = malloc(cap * sizeof *w);
    for (const char *p = s; *p;) {
        while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++;
        const char *q = p;
        while (*q && *q != ' ' && *q != '\n' && *q != '\t' && *q != '\r') q++;
        if (q > p) {
            if (n == cap) w = realloc(w, (cap *= 2) * sizeof *w);
            w[n] = strndup(p, (size_t)(q - p));
            n++;
        }
        p = q;
    }
    *out = w;
    return n;
}

static void join(sl_buf *b, char **w, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        if (i > from) sl_buf_puts(b, " ");
        sl_buf_puts(b, w[i]);
    }
}

static void free_words(char **w, size_t n)
{
    for (size_t i = 0; i < n; i++) free(w[i]);
    free(w);
}

static const char *const comments[] = {
    "Mọi người cẩn thận!",       "Đọc mà sợ quá các bạn ạ.", "Share cho mọi người cùng biết nhé.",
    "Không biết có thật không?", "Thật không thể tin được",  "Ai biết thông tin này chưa?"};

static const char *const teen[][2] = {
    {"không", "k"},  {"được", "đc"},  {"với", "vs"}, {"gì", "j"},   {"vậy", "v"},
    {"người", "ng"}, {"biết", "bít"}, {"rồi", "r"},  {"quá", "wá"}, {"mình", "mk"},
    {"yêu", "iu"},   {"thì", "thì"},  {"có", "cóa"}, {"bạn", "bn"}, {"trước", "trc"},
};

static void edit_teencode(char **w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < sizeof teen / sizeof teen[0]; t++)
            if (!strcmp(w[i], teen[t][0]) && rnd(10) < 7) {
                free(w[i]);
                w[i] = strdup(teen[t][1]);
            }
}

static void strip_diacritics(const char *s, sl_buf *b)
{
    UErrorCode ec = U_ZERO_ERROR;
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&ec);
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = sl__utf8_decode(s + i, len - i, &cp);
        if (!k) k = 1, cp = '?';
        i += k;
        if (cp == 0x111)
            cp = 'd';
        else if (cp == 0x110)
            cp = 'D';
        UChar buf[8];
        int32_t m = unorm2_getDecomposition(nfd, (UChar32)cp, buf, 8, &ec);
        if (m > 0 && buf[0] < 0x80) cp = buf[0];
        if (cp >= 0x300 && cp <= 0x36f) continue;
        char enc[4];
        sl_buf_append(b, enc, sl__utf8_encode(cp, enc));
    }
}

/* Sentences reordered: split after . ! ? or newline, rotate by a random amount >= 1. */
static void reorder(const char *s, sl_buf *b)
{
    const char *starts[256];
    size_t lens[256], n = 0;
    const char *p = s;
    while (*p && n < 256) {
        const char *q = p;
        while (*q && !strchr(".!?\n", *q)) q++;
        while (*q && strchr(".!?\n ", *q)) q++;
        starts[n] = p, lens[n] = (size_t)(q - p), n++;
        p = q;
    }
    size_t r = n > 1 ? 1 + rnd((uint32_t)n - 1) : 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = (i + r) % n;
        sl_buf_append(b, starts[j], lens[j]);
        if (lens[j] && !strchr(" \n", starts[j][lens[j] - 1])) sl_buf_puts(b, " ");
    }
}

enum { E_EXCERPT, E_COMMENT, E_REORDER, E_DROP, E_TEEN, E_NODIAC, E_MIX, E_COUNT };
static const char *const edit_names[E_COUNT] = {"excerpt60", "commentary",   "reorder", "drop10",
                                                "teencode",  "nodiacritics", "mix"};

static void make_edit(const char *src, int kind, sl_buf *out)
{
    char **w;
    size_t n = split_words(src, &w);
    sl_buf tmp = {0};
    sl_buf_clear(out);
    switch (kind) {
    case E_EXCERPT: {
        size_t len = (n * 6 + 9) / 10, start = rnd((uint32_t)(n - len + 1));
        join(out, w, start, start + len);
        break;
    }
    case E_COMMENT:
        if (rnd(2)) sl_buf_printf(out, "%s ", comments[rnd(6)]);
        sl_buf_puts(out, src);
        sl_buf_printf(out, " %s", comments[rnd(6)]);
        break;
    case E_REORDER:
        reorder(src, out);
        break;
    case E_DROP: {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (rnd(10) != 0)
                w[m++] = w[i];
            else
                free(w[i]);
        join(out, w, 0, m);
        n = m;
        break;
    }
    case E_TEEN:
        edit_teencode(w, n);
        join(out, w, 0, n);
        break;
    case E_NODIAC:
        strip_diacritics(src, out);
        break;
    default: { /* 70% excerpt, teencode, no diacritics, commentary */
        size_t len = (n * 7 + 9) / 10, start = rnd((uint32_t)(n - len + 1));
        edit_teencode(w + start, len);
        join(&tmp, w, start, start + len);
        sl_buf_printf(out, "%s ", comments[rnd(6)]);
        strip_diacritics(tmp.data, out);
        break;
    }
    }
    sl_buf_free(&tmp);
    free_words(w, n);
}

static float best_sim(const sl_bank *b, sl_bank_scratch *s, sl_text *t, const char *text,
                      const char *want_id)
{
    sl_error err;
    if (sl_text_build(t, text, strlen(text), &err)) return 0;
    sl_bank_match m[8];
    size_t n = 0;
    sl_bank_match_text(b, s, t, 0.0f, m, 8, &n);
    for (size_t i = 0; i < n; i++)
        if (!want_id || !strcmp(m[i].id, want_id)) return m[i].similarity;
    return 0;
}

#define NTH 13
static const float thresholds[NTH] = {0.2f,  0.25f, 0.3f,  0.35f, 0.4f, 0.45f, 0.5f,
                                      0.55f, 0.6f,  0.65f, 0.7f,  0.8f, 0.9f};

int main(int argc, char **argv)
{
    const char *dir = argc > 1 && argv[1][0] != '-' ? argv[1] : "../shared/data";
    float thr = SL_BANK_DEFAULT_MIN_SIMILARITY;
    int show = 0;
    for (int i = 1; i < argc; i++) show |= !strcmp(argv[i], "--show-false");
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--min-similarity")) thr = strtof(argv[i + 1], NULL);
    char path[1024];
    texts posts = {0}, neg = {0};
    snprintf(path, sizeof path, "%s/posts/dev.jsonl", dir);
    if (read_texts(path, &posts)) {
        fprintf(stderr, "bank_eval: cannot read %s\n", path);
        return 2;
    }
    /* registered: every 5th post with >= 30 words; the rest are negatives */
    sl_bank_item *items = calloc(posts.n, sizeof *items);
    char **ids = calloc(posts.n, sizeof *ids);
    size_t nreg = 0;
    for (size_t i = 0; i < posts.n; i++) {
        char **w;
        size_t nw = split_words(posts.s[i], &w);
        free_words(w, nw);
        if (i % 5 == 0 && nw >= 30) {
            ids[nreg] = malloc(32);
            snprintf(ids[nreg], 32, "post-%zu", i);
            items[nreg] = (sl_bank_item){ids[nreg],
                                         strlen(ids[nreg]),
                                         SL_BANK_HOAX,
                                         posts.s[i],
                                         strlen(posts.s[i]),
                                         NULL,
                                         0,
                                         NULL,
                                         0};
            nreg++;
        } else {
            push(&neg, posts.s[i], strlen(posts.s[i]));
        }
    }
    size_t neg_posts = neg.n;
    snprintf(path, sizeof path, "%s/vihsd/dev.jsonl", dir);
    read_texts(path, &neg);
    size_t neg_vihsd = neg.n - neg_posts;
    snprintf(path, sizeof path, "%s/victsd/dev.jsonl", dir);
    read_texts(path, &neg);
    char bank_path[64];
    snprintf(bank_path, sizeof bank_path, "/tmp/bank_eval_%d.bank", (int)getpid());
    unlink(bank_path);
    sl_status *st = calloc(nreg, sizeof *st);
    sl_error *ev = calloc(nreg, sizeof *ev), err;
    size_t added = 0;
    if (sl_bank_append(bank_path, items, nreg, st, ev, &added, &err)) {
        fprintf(stderr, "bank_eval: %s\n", err.message);
        return 2;
    }
    sl_bank *b = NULL;
    sl_bank_scratch *s = NULL;
    sl_text *t = sl_text_new();
    if (sl_bank_open(bank_path, &b, &err) || sl_bank_scratch_new(b, &s)) return 2;
    printf("registered %zu posts (%zu added); negatives: %zu posts + %zu vihsd + %zu victsd\n",
           nreg, added, neg_posts, neg_vihsd, neg.n - neg_posts - neg_vihsd);
    /* positives */
    size_t hit[E_COUNT][NTH] = {{0}}, tot[E_COUNT] = {0}, fm[NTH] = {0};
    sl_buf edit = {0};
    for (size_t i = 0; i < nreg; i++) {
        if (st[i]) continue;
        for (int k = 0; k < E_COUNT; k++) {
            make_edit(items[i].text, k, &edit);
            float sim = best_sim(b, s, t, edit.data, items[i].id);
            tot[k]++;
            for (int h = 0; h < NTH; h++) hit[k][h] += sim >= thresholds[h];
        }
    }
    size_t fm_group[3] = {0};
    for (size_t i = 0; i < neg.n; i++) {
        float sim = best_sim(b, s, t, neg.s[i], NULL);
        if (sim >= thr) {
            fm_group[i < neg_posts ? 0 : i < neg_posts + neg_vihsd ? 1 : 2]++;
            if (show) printf("false match %.3f: %.100s\n", (double)sim, neg.s[i]);
        }
        for (int h = 0; h < NTH; h++) fm[h] += sim >= thresholds[h];
    }
    size_t all = 0;
    for (int k = 0; k < E_COUNT; k++) all += tot[k];
    printf("\n%-6s %-8s %-10s", "thr", "recall", "false");
    for (int k = 0; k < E_COUNT; k++) printf(" %-12s", edit_names[k]);
    printf("\n");
    for (int h = 0; h < NTH; h++) {
        size_t hits = 0;
        for (int k = 0; k < E_COUNT; k++) hits += hit[k][h];
        printf("%-6.2f %-8.4f %-10.4f", (double)thresholds[h], (double)hits / (double)all,
               (double)fm[h] / (double)neg.n);
        for (int k = 0; k < E_COUNT; k++)
            printf(" %-12.4f", (double)hit[k][h] / (double)(tot[k] ? tot[k] : 1));
        printf("%s\n", thresholds[h] == thr ? "   <- threshold" : "");
    }
    printf("\npositives %zu (%zu per edit kind), negatives %zu\n", all, tot[0], neg.n);
    printf("false matches at %.2f: %zu posts, %zu vihsd, %zu victsd\n", (double)thr, fm_group[0],
           fm_group[1], fm_group[2]);
    sl_buf_free(&edit);
    sl_bank_scratch_free(s);
    sl_bank_close(b);
    sl_text_free(t);
    unlink(bank_path);
    return 0;
}
