/* cli/cmd_eval.c — `sangloc eval`: measures a model on labelled dev data.
 *
 *   --classify FILE   macro-F1, per-class P/R/F1 and the confusion matrix (ViHSD labels)
 *   --spans FILE      ViHOS span F1 (per comment character F1, averaged)
 *   --ctsd FILE       ViCTSD toxic macro-F1 and constructive F1, and the neutrality count:
 *                     civil constructive comments on law and current affairs (topics PhapLuat,
 *                     ThoiSu, TheGioi; constructive=1, toxic=0) that the model calls non-clean
 *   --list-neutral    prints those flagged civil comments
 *   --perturb KIND    rewrites every text first as an evader would (seeded, deterministic):
 *                     nodiac, teencode, separators, digits, cyrillic, zerowidth, shout
 *
 * The rewrite keeps a map from old to new byte offsets so gold spans follow the text. Each
 * data kind is one small function over the shared record loop, so scoring a whole policy can
 * be added as one more kind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <unicode/uchar.h>

#include "cli/commands.h"
#include "cli/defaults.h"
#include "cli/input.h"
#include "model/fold.h"
#include "model/metrics.h"
#include "model/mtext.h"
#include "model/predict.h"
#include "sangloc/model.h"
#include "text/utf8.h"
#include "util/buf.h"

#define MAX_SPANS 1024

/* ---- evader rewrites ------------------------------------------------------------------------ */

typedef enum perturb {
    P_NONE,
    P_NODIAC,
    P_TEENCODE,
    P_SEPARATORS,
    P_DIGITS,
    P_CYRILLIC,
    P_ZEROWIDTH,
    P_SHOUT,
    P_COUNT_
} perturb;

static const char *const perturb_names[P_COUNT_] = {"none",   "nodiac",   "teencode",  "separators",
                                                    "digits", "cyrillic", "zerowidth", "shout"};

typedef struct rewriter {
    perturb kind;
    uint64_t rng;
    sl_buf out;
    uint32_t *map; /* map[old byte] = new byte, len + 1 entries */
    size_t mapcap;
} rewriter;

static int coin(rewriter *r, unsigned percent)
{
    r->rng ^= r->rng << 13;
    r->rng ^= r->rng >> 7;
    r->rng ^= r->rng << 17;
    return r->rng % 100 < percent;
}

static void put_cp(rewriter *r, uint32_t cp)
{
    char enc[4];
    sl__buf_append(&r->out, enc, sl__utf8_encode(cp, enc));
}

/* Common teencode spellings of whole words (lowercase). */
static const char *const teencode[][2] = {
    {"không", "k"},  {"được", "dc"},  {"gì", "j"},    {"vậy", "z"},      {"rồi", "r"},
    {"biết", "bít"}, {"người", "ng"}, {"mình", "mk"}, {"bạn", "b"},      {"thì", "thì"},
    {"yêu", "iu"},   {"quá", "wá"},   {"anh", "a"},   {"em", "e"},       {"với", "vs"},
    {"của", "cuả"},  {"đi", "di"},    {"trời", "tr"}, {"nhiều", "nhìu"}, {"chồng", "ck"},
    {"vợ", "vk"},    {"ngu", "ngu"},  {"chó", "chó"}, {"đéo", "đéo"},
};

static int is_letter(uint32_t cp)
{
    return u_isalpha((UChar32)cp) || u_isdigit((UChar32)cp);
}

/* Rewrites one word [a, b) of s (teencode substitution or per-letter tricks). */
static void rewrite_word(rewriter *r, const char *s, size_t a, size_t b)
{
    if (r->kind == P_TEENCODE) {
        char low[64];
        size_t n = b - a < sizeof low - 1 ? b - a : 0;
        memcpy(low, s + a, n);
        low[n] = '\0';
        for (size_t i = 0; n && i < sizeof teencode / sizeof teencode[0]; i++)
            if (!strcmp(low, teencode[i][0]) && coin(r, 80)) {
                for (size_t k = a; k < b; k++) r->map[k] = (uint32_t)r->out.len;
                sl__buf_puts(&r->out, teencode[i][1]);
                return;
            }
    }
    int word_on = coin(r, 60);
    for (size_t i = a; i < b;) {
        uint32_t cp;
        size_t k = sl__utf8_decode(s + i, b - i, &cp);
        if (!k) k = 1;
        r->map[i] = (uint32_t)r->out.len;
        if (i > a && word_on && r->kind == P_SEPARATORS) sl__buf_puts(&r->out, ".");
        if (i > a && word_on && r->kind == P_ZEROWIDTH) put_cp(r, 0x200b);
        uint32_t lo = sl__fold_cp(cp);
        if (r->kind == P_DIGITS && word_on && lo == cp) {
            static const char from[] = "aeiost", to[] = "4310$7";
            const char *f = lo < 128 ? strchr(from, (int)lo) : NULL;
            if (f && *f && coin(r, 70)) cp = (uint32_t)(unsigned char)to[f - from];
        }
        if (r->kind == P_CYRILLIC && word_on && coin(r, 70)) {
            static const uint32_t map[][2] = {{'a', 0x430}, {'e', 0x435}, {'o', 0x43e},
                                              {'c', 0x441}, {'p', 0x440}, {'x', 0x445},
                                              {'y', 0x443}};
            for (size_t m = 0; m < sizeof map / sizeof map[0]; m++)
                if (cp == map[m][0]) cp = map[m][1];
        }
        put_cp(r, cp);
        for (size_t j = i + 1; j < i + k; j++) r->map[j] = r->map[i];
        i += k;
    }
}

/* Rewrites one code point outside words, or a whole-text transform per code point. */
static void rewrite_cp(rewriter *r, uint32_t cp)
{
    if (r->kind == P_NODIAC && is_letter(cp)) {
        uint32_t base = sl__fold_cp(cp);
        cp = u_isupper((UChar32)cp) ? (uint32_t)u_toupper((UChar32)base) : base;
    } else if (r->kind == P_SHOUT) {
        cp = (uint32_t)u_toupper((UChar32)cp);
    }
    put_cp(r, cp);
}

static int rewrite(rewriter *r, const char *s, size_t len)
{
    sl__buf_clear(&r->out);
    if (len + 1 > r->mapcap) {
        uint32_t *m = realloc(r->map, (len + 1) * sizeof *m);
        if (!m) return -1;
        r->map = m;
        r->mapcap = len + 1;
    }
    int per_word = r->kind >= P_TEENCODE && r->kind <= P_ZEROWIDTH;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = sl__utf8_decode(s + i, len - i, &cp);
        if (!k) k = 1;
        if (per_word && is_letter(cp)) {
            size_t b = i;
            while (b < len) {
                size_t kk = sl__utf8_decode(s + b, len - b, &cp);
                if (!kk || !is_letter(cp)) break;
                b += kk;
            }
            rewrite_word(r, s, i, b);
            i = b;
            continue;
        }
        for (size_t j = i; j < i + k; j++) r->map[j] = (uint32_t)r->out.len;
        rewrite_cp(r, cp);
        i += k;
    }
    r->map[len] = (uint32_t)r->out.len;
    return 0;
}

/* ---- evaluation loop ----------------------------------------------------------------------------
 */

typedef enum data_kind { D_CLASSIFY, D_SPANS, D_CTSD } data_kind;

typedef struct eval_ctx {
    const sl_model *m;
    sl_model_scratch *s;
    sl__mtext mt;
    rewriter rw;
    sl__eval ev;
    long neutral_n, neutral_flagged;
    int list_neutral; /* print the civil comments the model flags */
    uint32_t spans[2 * MAX_SPANS];
} eval_ctx;

static int parse_spans(const cJSON *o, uint32_t *out, size_t len, size_t *n)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "spans"), *it;
    *n = 0;
    if (!cJSON_IsArray(a)) return 0;
    cJSON_ArrayForEach(it, a)
    {
        const cJSON *s = cJSON_GetArrayItem(it, 0), *e = cJSON_GetArrayItem(it, 1);
        if (!cJSON_IsNumber(s) || !cJSON_IsNumber(e) || *n == MAX_SPANS) return 0;
        if (s->valuedouble < 0 || e->valuedouble < s->valuedouble || e->valuedouble > (double)len)
            return 0;
        out[2 * *n] = (uint32_t)s->valuedouble;
        out[2 * *n + 1] = (uint32_t)e->valuedouble;
        (*n)++;
    }
    return 1;
}

static int get_int(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valueint : -1;
}

static int label_of(const cJSON *o)
{
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(o, "label");
    static const char *const names[3] = {"clean", "offensive", "hate"};
    for (int i = 0; cJSON_IsString(l) && i < 3; i++)
        if (!strcmp(l->valuestring, names[i])) return i;
    return cJSON_IsNumber(l) && l->valueint >= 0 && l->valueint <= 2 ? l->valueint : -1;
}

static int is_neutral_topic(const cJSON *o)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "topic");
    if (!cJSON_IsString(t)) return 0;
    return !strcmp(t->valuestring, "PhapLuat") || !strcmp(t->valuestring, "ThoiSu") ||
           !strcmp(t->valuestring, "TheGioi");
}

static void score(eval_ctx *c, data_kind kind, const sl_input_record *r, const char *text,
                  size_t len, const sl_prediction *p)
{
    const cJSON *o = r->object;
    if (kind == D_CLASSIFY) {
        int y = label_of(o);
        if (y >= 0) sl__eval_classify(&c->ev, p, y);
    } else if (kind == D_SPANS) {
        size_t n;
        if (!parse_spans(o, c->spans, r->text_len, &n)) return;
        for (size_t i = 0; c->rw.kind != P_NONE && i < 2 * n; i++)
            c->spans[i] = c->rw.map[c->spans[i]];
        sl__eval_spans(&c->ev, p, text, len, c->spans, n);
    } else {
        int con = get_int(o, "constructive"), tox = get_int(o, "toxic");
        if (con < 0 || tox < 0) return;
        sl__eval_ctsd(&c->ev, p, con, tox);
        if (is_neutral_topic(o) && con == 1 && tox == 0) {
            c->neutral_n++;
            c->neutral_flagged += p->label != SL_LABEL_CLEAN;
            if (c->list_neutral && p->label != SL_LABEL_CLEAN)
                printf("flagged civil comment %s:%zu: label %d P(clean) %.3f: %.*s\n", r->file,
                       r->line, p->label, p->probs[0], (int)len, text);
        }
    }
}

static int eval_record(eval_ctx *c, data_kind kind, const sl_input_record *r)
{
    const char *text = r->text;
    size_t len = r->text_len;
    if (c->rw.kind != P_NONE) {
        if (rewrite(&c->rw, r->text, r->text_len)) return -1;
        text = c->rw.out.data;
        len = c->rw.out.len;
    }
    sl_error err = {0};
    sl_prediction p;
    if (sl__mtext_build(&c->mt, text, len, &err) ||
        sl__model_predict_views(c->m, c->s, &c->mt.view[0], &c->mt.view[1], text, len, &p)) {
        fprintf(stderr, "sangloc eval: %s:%zu: %s\n", r->file, r->line, err.message);
        return 0;
    }
    score(c, kind, r, text, len, &p);
    return 0;
}

static int eval_file(eval_ctx *c, data_kind kind, const char *path)
{
    char *paths[1] = {(char *)path};
    sl_input in = {.paths = paths, .npaths = 1, .json_objects = true};
    sl_input_record r;
    int st;
    while ((st = sl__input_next(&in, &r)) > 0) {
        if (r.has_error) {
            fprintf(stderr, "sangloc eval: %s:%zu: byte %zu: %s\n", r.file, r.line, r.error.byte,
                    r.error.message);
            continue;
        }
        c->rw.rng = 0x9e3779b97f4a7c15ull ^ (r.line * 0x2545f4914f6cdd1dull);
        if (eval_record(c, kind, &r)) break;
    }
    sl__input_close(&in);
    return st < 0 ? -1 : 0;
}

/* ---- command ------------------------------------------------------------------------------------
 */

typedef struct eval_args {
    const char *model;
    const char *files[3][8];
    int nfiles[3];
    perturb kind;
    int list_neutral;
} eval_args;

static int parse_perturb(const char *s, perturb *k)
{
    for (int i = 0; i < P_COUNT_; i++)
        if (!strcmp(s, perturb_names[i])) return *k = (perturb)i, 0;
    fprintf(stderr,
            "sangloc eval: unknown --perturb '%s' (none nodiac teencode separators digits "
            "cyrillic zerowidth shout)\n",
            s);
    return -1;
}

static int parse_args(eval_args *a, int argc, char **argv)
{
    static const char *const kinds[3] = {"--classify", "--spans", "--ctsd"};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--list-neutral")) {
            a->list_neutral = 1;
            continue;
        }
        if (i + 1 >= argc) return -1;
        const char *v = argv[++i];
        if (!strcmp(argv[i - 1], "--model"))
            a->model = v;
        else if (!strcmp(argv[i - 1], "--perturb")) {
            if (parse_perturb(v, &a->kind)) return -1;
        } else {
            int k = 0;
            while (k < 3 && strcmp(argv[i - 1], kinds[k])) k++;
            if (k == 3 || a->nfiles[k] == 8) return -1;
            a->files[k][a->nfiles[k]++] = v;
        }
    }
    return a->nfiles[0] + a->nfiles[1] + a->nfiles[2] ? 0 : -1;
}

static void print_report(const eval_ctx *c, const eval_args *a, const char *model_path)
{
    sl_buf b = {0};
    sl__eval_report(&c->ev, "", &b);
    printf("model: %s (%s)\nperturb: %s\n%s", model_path, sl_model_version(c->m),
           perturb_names[a->kind], b.data ? b.data : "");
    if (c->neutral_n)
        printf("neutrality.civil_constructive_law_news: %ld\nneutrality.flagged: %ld\n"
               "neutrality.rate: %.4f\n",
               c->neutral_n, c->neutral_flagged, (double)c->neutral_flagged / c->neutral_n);
    sl__buf_free(&b);
}

static int run(eval_ctx *c, const eval_args *a)
{
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < a->nfiles[k]; i++)
            if (eval_file(c, (data_kind)k, a->files[k][i])) return 1;
    return 0;
}

int sl_cmd_eval(int argc, char **argv)
{
    eval_args a = {0};
    if (parse_args(&a, argc, argv)) {
        fprintf(stderr, "usage: sangloc eval [--model FILE] [--classify FILE] [--spans FILE] "
                        "[--ctsd FILE] [--perturb KIND] [--list-neutral]\n");
        return 2;
    }
    char *found = a.model ? NULL : sl__cli_find_default("models/default.slm");
    const char *path = a.model ? a.model : found;
    eval_ctx *c = calloc(1, sizeof *c);
    sl_error err = {0};
    int rc = 1;
    if (!c || !path) {
        fprintf(stderr, "sangloc eval: %s\n", c ? "no model file (use --model)" : "no memory");
    } else if (sl_model_load(path, (sl_model **)&c->m, &err)) {
        fprintf(stderr, "sangloc eval: %s: %s\n", path, err.message);
    } else if (!sl_model_scratch_new(c->m, &c->s)) {
        c->rw.kind = a.kind;
        c->list_neutral = a.list_neutral;
        rc = run(c, &a);
        if (!rc) print_report(c, &a, path);
    }
    if (c) {
        sl_model_scratch_free(c->s);
        sl_model_free((sl_model *)c->m);
        sl__mtext_free(&c->mt);
        sl__buf_free(&c->rw.out);
        free(c->rw.map);
    }
    free(c);
    free(found);
    return rc;
}
