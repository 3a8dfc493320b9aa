/* cli/cmd_pretrain.c — `sangloc pretrain`: learns word vectors (sangloc/pretrain.h) from the
 * "text" fields of JSON-lines files, plain or .xz. Each line of a text is a text of its own (a
 * Wikipedia article is one JSON line of paragraphs), and "== heading ==" lines are skipped. A
 * bad line is reported with its file and line and skipped: one broken record never loses a run.
 * Known data sets are named with their licences by their folder, as `sangloc train` does. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli/commands.h"
#include "cli/defaults.h"
#include "cli/lines.h"
#include "cli/output.h"
#include "sangloc/pretrain.h"

#define MAX_FILES   32
#define MAX_NEAREST 32
#define MAX_LINE    ((size_t)64 * 1024 * 1024)

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sangloc pretrain --text FILE [--text FILE]... -o VECTORS [options]\n"
            "       sangloc pretrain --check VECTORS\n"
            "Learns subword-aware word vectors (skip-gram with character n-grams) from the\n"
            "\"text\" fields of JSON-lines files (.xz read directly); docs/model.md gives the\n"
            "command that builds the shipped vectors and how long it takes.\n"
            "  --text FILE             JSON lines with a \"text\" field (FILE.xz: xz-compressed)\n"
            "  --text-mixed FILE       the same, and a copy of each text with half its words\n"
            "                          unaccented (for comments, typed both ways)\n"
            "  -o, --output VECTORS    the vector file to write\n"
            "  --source NAME=LICENCE   name a data set that is not recognised by its folder\n"
            "  --dim N                 vector size, 1..512 (100)\n"
            "  --window N              context words on each side, 1..50 (5)\n"
            "  --neg N                 negative samples, 1..100 (5)\n"
            "  --epochs N              passes over the text, 1..1000 (5)\n"
            "  --lr X                  initial learning rate (0.05)\n"
            "  --minn N, --maxn N      n-gram lengths in code points, 1..8 (3, 6)\n"
            "  --fold                  vectors of words with their diacritics dropped (one\n"
            "                          vector for \"không\" and \"khong\")\n"
            "  --bucket-bits N         log2 n-gram rows, 0 (none) or 10..24 (18)\n"
            "  --min-count N           fewer occurrences leave a word out (5)\n"
            "  --max-words N           most frequent words kept (200000)\n"
            "  --sample X              subsampling threshold of frequent words (1e-4; 0: none)\n"
            "  --threads N             training threads, 1..256 (the number of cores)\n"
            "  --seed N                random seed (one thread: the same file for a seed)\n"
            "  --nearest WORD          after training, print WORD's 10 nearest words\n"
            "  --check VECTORS         check a vector file and print its settings and sources\n"
            "  --quiet                 no progress on stderr\n"
            "  -h, --help              this help\n"
            "Exit status: 0 vectors written, 1 training failed, 2 usage error.\n");
}

typedef struct args {
    const char *files[MAX_FILES];
    int mixed[MAX_FILES]; /* given with --text-mixed */
    int nfiles;
    const char *sources[MAX_FILES];
    int nsources;
    const char *nearest[MAX_NEAREST];
    int nnearest;
    const char *out, *check;
    sl_pretrain_config cfg;
} args;

static int push(const char **arr, int *n, int max, const char *v, const char *opt)
{
    if (*n == max) {
        sl__cli_usage_error("pretrain", NULL, "at most %d %s options", max, opt);
        return -1;
    }
    arr[(*n)++] = v;
    return 1;
}

/* 1 set, 0 unknown option, -1 bad value (reported). */
static int parse_opt(args *a, const char *opt, const char *val)
{
    sl_pretrain_config *c = &a->cfg;
    const struct {
        const char *name;
        unsigned *u;
        unsigned long long min, max;
    } nums[] = {
        {"--dim", &c->dim, 1, 512},
        {"--window", &c->window, 1, 50},
        {"--neg", &c->negatives, 1, 100},
        {"--epochs", &c->epochs, 1, 1000},
        {"--minn", &c->minn, 1, 8},
        {"--maxn", &c->maxn, 1, 8},
        {"--bucket-bits", &c->bucket_bits, 0, 24},
        {"--min-count", &c->min_count, 1, 1u << 30},
        {"--max-words", &c->max_words, 1, 1u << 24},
        {"--threads", &c->threads, 1, 256},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        if (strcmp(opt, nums[i].name)) continue;
        unsigned long long u;
        if (!sl__cli_parse_uint("pretrain", opt, val, nums[i].min, nums[i].max, &u)) return -1;
        *nums[i].u = (unsigned)u;
        return 1;
    }
    if (!strcmp(opt, "--lr")) {
        double d;
        if (!sl__cli_parse_real("pretrain", opt, val, 1e-6, 10, &d)) return -1;
        c->lr = (float)d;
        return 1;
    }
    if (!strcmp(opt, "--sample")) {
        double d;
        if (!sl__cli_parse_real("pretrain", opt, val, 0, 0.5, &d)) return -1;
        c->sample = (float)d;
        return 1;
    }
    if (!strcmp(opt, "--seed")) {
        unsigned long long v;
        if (!sl__cli_parse_uint("pretrain", opt, val, 0, UINT64_MAX, &v)) return -1;
        c->seed = v;
        return 1;
    }
    if (!strcmp(opt, "--check")) {
        a->check = val;
        return 1;
    }
    if (!strcmp(opt, "-o") || !strcmp(opt, "--output")) {
        a->out = val;
        return 1;
    }
    if (!strcmp(opt, "--text") || !strcmp(opt, "--text-mixed")) {
        if (a->nfiles < MAX_FILES) a->mixed[a->nfiles] = !strcmp(opt, "--text-mixed");
        return push(a->files, &a->nfiles, MAX_FILES, val, opt);
    }
    if (!strcmp(opt, "--source")) return push(a->sources, &a->nsources, MAX_FILES, val, opt);
    if (!strcmp(opt, "--nearest")) return push(a->nearest, &a->nnearest, MAX_NEAREST, val, opt);
    return 0;
}

static int parse_args(args *a, int argc, char **argv)
{
    sl_pretrain_defaults(&a->cfg);
    a->cfg.log = stderr;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet")) {
            a->cfg.log = NULL;
            continue;
        }
        if (!strcmp(argv[i], "--fold")) {
            a->cfg.folded = 1;
            continue;
        }
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return 1;
        if (i + 1 == argc) {
            sl__cli_usage_error("pretrain", usage, "option '%s' needs a value", argv[i]);
            return 3;
        }
        int r = parse_opt(a, argv[i], argv[i + 1]);
        if (r == 0) sl__cli_usage_error("pretrain", usage, "unknown option '%s'", argv[i]);
        if (r <= 0) return 3;
        i++;
    }
    if (a->check && (a->out || a->nfiles)) {
        sl__cli_usage_error("pretrain", usage, "--check takes no other files");
        return 3;
    }
    if (a->check) return 0;
    if (!a->out || !a->nfiles) {
        sl__cli_usage_error("pretrain", usage, "give -o VECTORS and at least one --text FILE");
        return 3;
    }
    if (a->cfg.minn > a->cfg.maxn) {
        sl__cli_usage_error("pretrain", usage, "--minn is above --maxn");
        return 3;
    }
    if (a->cfg.bucket_bits && a->cfg.bucket_bits < 10) {
        sl__cli_usage_error("pretrain", usage, "--bucket-bits is 0 or 10..24");
        return 3;
    }
    return 0;
}

static int is_heading(const char *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\t')) n--;
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    return n >= 4 && s[0] == '=' && s[1] == '=' && s[n - 1] == '=' && s[n - 2] == '=';
}

/* Adds each line of a record's text; returns 0, or -1 when the trainer ran out of memory. */
static int add_text(sl_pretrainer *p, const char *path, size_t lineno, const char *s, size_t n,
                    long *texts, long *skipped)
{
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - s) : n;
        const char *t = s + i;
        size_t len = e - i;
        i = e + 1;
        if (!len || is_heading(t, len)) continue;
        sl_error err = {0};
        sl_status st = sl_pretrainer_add_text(p, t, len, &err);
        if (st == SL_ERR_NOMEM) return -1;
        if (st) {
            sl__cli_error("pretrain", path, lineno, "byte %zu of a text line: %s, skipped",
                          err.byte == SL_NO_POS ? 0 : err.byte, err.message);
            (*skipped)++;
            continue;
        }
        (*texts)++;
    }
    return 0;
}

static int read_file(sl_pretrainer *p, const char *path)
{
    char why[256];
    sl_lines *r = sl__lines_open(path, MAX_LINE, why, sizeof why);
    if (!r) {
        sl__cli_error("pretrain", path, 0, "%s", why);
        return -1;
    }
    if (sl_pretrainer_begin_file(p, path)) {
        sl__lines_close(r);
        return -1;
    }
    const char *line;
    size_t len, lineno;
    bool too_long;
    long records = 0, texts = 0, skipped = 0;
    int st, rc = 0;
    while ((st = sl__lines_next(r, &line, &len, &lineno, &too_long, why, sizeof why)) == 1) {
        if (too_long) {
            sl__cli_error("pretrain", path, lineno, "line longer than %zu bytes, skipped",
                          MAX_LINE);
            skipped++;
            continue;
        }
        size_t k = 0;
        while (k < len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r')) k++;
        if (k == len) continue; /* blank lines separate records */
        const char *end = NULL;
        cJSON *o = cJSON_ParseWithLengthOpts(line, len, &end, 0);
        const cJSON *t = o ? cJSON_GetObjectItemCaseSensitive(o, "text") : NULL;
        if (!o || !cJSON_IsString(t)) {
            if (!o)
                sl__cli_error("pretrain", path, lineno, "byte %zu: malformed JSON, skipped",
                              end && end >= line ? (size_t)(end - line) : 0);
            else
                sl__cli_error("pretrain", path, lineno, "no \"text\" string, skipped");
            cJSON_Delete(o);
            skipped++;
            continue;
        }
        records++;
        rc = add_text(p, path, lineno, t->valuestring, strlen(t->valuestring), &texts, &skipped);
        cJSON_Delete(o);
        if (rc) {
            sl__cli_error("pretrain", path, lineno, "out of memory");
            break;
        }
    }
    if (st < 0) {
        sl__cli_error("pretrain", path, lineno, "%s", why);
        rc = -1;
    }
    sl__lines_close(r);
    sl__cli_error("pretrain", path, 0, "%ld records, %ld texts, %ld skipped", records, texts,
                  skipped);
    return rc;
}

static int add_sources(sl_pretrainer *p, const args *a)
{
    for (int f = 0; f < a->nfiles; f++) {
        const char *licence, *name = sl__cli_data_set(a->files[f], &licence);
        /* each data set once, however many of its files are read */
        int seen = 0;
        for (int g = 0; name && g < f; g++) {
            const char *l2, *n2 = sl__cli_data_set(a->files[g], &l2);
            seen |= n2 && !strcmp(n2, name);
        }
        if (name && !seen && sl_pretrainer_add_source(p, name, licence)) return -1;
    }
    for (int i = 0; i < a->nsources; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", a->sources[i]);
        char *eq = strchr(buf, '=');
        if (!eq || eq == buf) {
            sl__cli_error("pretrain", "--source", 0, "'%s' is not NAME=LICENCE", a->sources[i]);
            return -1;
        }
        *eq = '\0';
        if (sl_pretrainer_add_source(p, buf, eq + 1)) return -1;
    }
    return 0;
}

static void print_nearest(sl_pretrainer *p, const char *word)
{
    sl_pretrain_neighbour nb[10];
    size_t n = sl_pretrainer_nearest(p, word, strlen(word), nb, 10);
    fputs("nearest ", stdout);
    sl__cli_fput_visible(stdout, word, strlen(word));
    fputs(":", stdout);
    if (!n) fputs(" (no vector)", stdout);
    for (size_t i = 0; i < n; i++) {
        fputc(' ', stdout);
        sl__cli_fput_visible(stdout, nb[i].word, nb[i].len);
        printf(" %.3f", (double)nb[i].cosine);
    }
    fputc('\n', stdout);
}

static int check(const char *path)
{
    char *meta;
    sl_error err = {0};
    if (sl_vectors_check(path, &meta, &err)) {
        sl__cli_error("pretrain", path, 0, "%s", err.message);
        return 1;
    }
    for (const char *s = meta; *s;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        sl__cli_fput_visible(stdout, s, n);
        fputc('\n', stdout);
        s += n + (nl ? 1 : 0);
    }
    free(meta);
    return 0;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int sl_cmd_pretrain(int argc, char **argv)
{
    args a = {0};
    int r = parse_args(&a, argc, argv);
    if (r == 1) usage(stdout);
    if (r) return r == 1 ? 0 : 2;
    if (a.check) return check(a.check);
    double t0 = now_s();
    sl_pretrainer *p;
    sl_error err = {0};
    if (sl_pretrainer_new(&a.cfg, &p, &err)) {
        sl__cli_error("pretrain", NULL, 0, "%s", err.message);
        return 1;
    }
    int rc = add_sources(p, &a) ? 1 : 0;
    for (int i = 0; !rc && i < a.nfiles; i++) {
        sl_pretrainer_set_mixed(p, a.mixed[i]);
        if (read_file(p, a.files[i])) rc = 1;
    }
    double t1 = now_s();
    if (!rc && a.cfg.log) fprintf(a.cfg.log, "pretrain: read the texts in %.1f s\n", t1 - t0);
    if (!rc && sl_pretrainer_run(p, &err)) {
        sl__cli_error("pretrain", NULL, 0, "%s", err.message);
        rc = 1;
    }
    if (!rc && sl_pretrainer_write(p, a.out, &err)) {
        sl__cli_error("pretrain", a.out, 0, "%s", err.message);
        rc = 1;
    }
    if (!rc) {
        uint64_t texts, tokens;
        uint32_t words;
        sl_pretrainer_counts(p, &texts, &tokens, &words);
        sl__cli_error("pretrain", a.out, 0,
                      "written: %u words, %llu texts, %llu tokens, %.1f s in all", words,
                      (unsigned long long)texts, (unsigned long long)tokens, now_s() - t0);
        for (int i = 0; i < a.nnearest; i++) print_nearest(p, a.nearest[i]);
    }
    sl_pretrainer_free(p);
    return rc;
}
