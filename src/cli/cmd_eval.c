/* cli/cmd_eval.c — `sangloc eval`: measures the engine on labelled dev data, from the verdict
 * fields a user sees (docs/verdict.md): label, toxic, constructive, offensive_spans, action.
 *
 *   --classify FILE   macro-F1, per-class P/R/F1 and the confusion matrix of `label` (ViHSD)
 *   --spans FILE      ViHOS span F1 of `offensive_spans` (the tagger's spans and the policy's
 *                     lexicon hits, merged), and of the model's tagger alone; beside each,
 *                     the character-level macro-F1 (every code point 0/1, both classes,
 *                     pooled over the file)
 *   --ctsd FILE       ViCTSD toxic macro-F1 of `toxic` > 0.5 (and, for comparison, of reading
 *                     `label` != clean or `action` != allow as toxic), constructive F1 of
 *                     `constructive` > 0.5, and the neutrality count: civil constructive
 *                     comments on law and current affairs (topics PhapLuat, ThoiSu, TheGioi;
 *                     constructive=1, toxic=0) whose label is not clean / that are not allowed
 *   --list-neutral    prints those flagged civil comments
 *   --perturb KIND    rewrites every text first as an evader would (seeded, deterministic):
 *                     nodiac, teencode, separators, digits, cyrillic, zerowidth, shout
 *   --policy FILE     the policy of the engine (default: the shipped policies/default.yaml)
 *   --model FILE      the model (default: the shipped models/default.slm); eval needs one
 *
 * Only public headers: the engine screens each text exactly as `check` does. The rewrite keeps
 * a map from old to new byte offsets so gold spans follow the text. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "cli/commands.h"
#include "cli/defaults.h"
#include "cli/input.h"
#include "cli/output.h"
#include "sangloc/engine.h"
#include "sangloc/metrics.h"
#include "sangloc/model.h"
#include "sangloc/text.h"

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
    char *out; /* the rewritten text, len bytes */
    size_t len, cap;
    bool nomem;
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

static void put_bytes(rewriter *r, const char *s, size_t n)
{
    if (r->len + n > r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        while (cap < r->len + n) cap *= 2;
        char *p = realloc(r->out, cap);
        if (!p) {
            r->nomem = true;
            return;
        }
        r->out = p;
        r->cap = cap;
    }
    memcpy(r->out + r->len, s, n);
    r->len += n;
}

static void put_cp(rewriter *r, uint32_t cp)
{
    uint8_t enc[4];
    int32_t n = 0;
    U8_APPEND_UNSAFE(enc, n, (UChar32)cp);
    put_bytes(r, (const char *)enc, (size_t)n);
}

/* Decodes the code point at s[i] (len bytes in all); returns its length in bytes, at least 1.
 * An invalid sequence gives its first byte as *cp (rewrites then copy it unchanged). */
static size_t next_cp(const char *s, size_t i, size_t len, uint32_t *cp)
{
    int32_t at = (int32_t)i;
    UChar32 c;
    U8_NEXT((const uint8_t *)s, at, (int32_t)len, c);
    *cp = c < 0 ? (unsigned char)s[i] : (uint32_t)c;
    return (size_t)at - i;
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
                for (size_t k = a; k < b; k++) r->map[k] = (uint32_t)r->len;
                put_bytes(r, teencode[i][1], strlen(teencode[i][1]));
                return;
            }
    }
    int word_on = coin(r, 60);
    for (size_t i = a; i < b;) {
        uint32_t cp;
        size_t k = next_cp(s, i, b, &cp);
        r->map[i] = (uint32_t)r->len;
        if (i > a && word_on && r->kind == P_SEPARATORS) put_bytes(r, ".", 1);
        if (i > a && word_on && r->kind == P_ZEROWIDTH) put_cp(r, 0x200b);
        uint32_t lo = sl_text_fold_cp(cp);
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
        uint32_t base = sl_text_fold_cp(cp);
        cp = u_isupper((UChar32)cp) ? (uint32_t)u_toupper((UChar32)base) : base;
    } else if (r->kind == P_SHOUT) {
        cp = (uint32_t)u_toupper((UChar32)cp);
    }
    put_cp(r, cp);
}

static int rewrite(rewriter *r, const char *s, size_t len)
{
    r->len = 0;
    if (len + 1 > r->mapcap) {
        uint32_t *m = realloc(r->map, (len + 1) * sizeof *m);
        if (!m) return -1;
        r->map = m;
        r->mapcap = len + 1;
    }
    int per_word = r->kind >= P_TEENCODE && r->kind <= P_ZEROWIDTH;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = next_cp(s, i, len, &cp);
        if (per_word && is_letter(cp)) {
            size_t b = i;
            while (b < len) {
                size_t kk = next_cp(s, b, len, &cp);
                if (!is_letter(cp)) break;
                b += kk;
            }
            rewrite_word(r, s, i, b);
            i = b;
            continue;
        }
        for (size_t j = i; j < i + k; j++) r->map[j] = (uint32_t)r->len;
        rewrite_cp(r, cp);
        i += k;
    }
    r->map[len] = (uint32_t)r->len;
    return r->nomem ? -1 : 0;
}

/* ---- evaluation loop ------------------------------------------------------------------------ */

typedef enum data_kind { D_CLASSIFY, D_SPANS, D_CTSD } data_kind;

/* Running figures, each from one verdict field. */
typedef struct figures {
    long conf[9];                               /* label: gold * 3 + predicted */
    long toxic[4], constructive[4];             /* toxic > 0.5, constructive > 0.5 */
    long toxic_by_label[4], toxic_by_action[4]; /* label != clean, action != allow */
    double span_sum, tagger_span_sum;           /* offensive_spans; the model's tagger alone */
    long nspan;
    long span_chars[4], tagger_chars[4]; /* code points: gold * 2 + predicted, pooled */
    long neutral_n, neutral_label, neutral_action;
} figures;

typedef struct eval_ctx {
    sl_engine *engine;
    sl_scan *scan;
    sl_model *model; /* the tagger-alone span figure: the same file through sl_model_predict */
    sl_model_scratch *ms;
    sl_text *text;
    rewriter rw;
    figures fig;
    int list_neutral; /* print the civil comments the engine flags */
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

/* The tagger's own spans for text (its character counts added to chars), or -1 when the
 * text layer or the model fails. */
static double tagger_span_f1(eval_ctx *c, const char *text, size_t len, size_t ngold, long chars[4])
{
    sl_error err = {0};
    sl_prediction p;
    if (sl_text_build(c->text, text, len, &err) || sl_model_predict(c->model, c->ms, c->text, &p))
        return -1;
    if (sl_metrics_span_chars(text, len, p.spans, p.nspans, c->spans, ngold, chars)) return -1;
    return sl_metrics_span_f1(text, len, p.spans, p.nspans, c->spans, ngold);
}

static void score_ctsd(eval_ctx *c, const sl_input_record *r, const char *text, size_t len,
                       const sl_verdict *v)
{
    const cJSON *o = r->object;
    int con = get_int(o, "constructive"), tox = get_int(o, "toxic");
    if (con < 0 || tox < 0) return;
    figures *f = &c->fig;
    int row = tox ? 2 : 0;
    f->toxic[row + (v->toxic > 0.5f)]++;
    f->toxic_by_label[row + (v->label != SL_LABEL_CLEAN)]++;
    f->toxic_by_action[row + (v->action != SL_ACTION_ALLOW)]++;
    f->constructive[(con ? 2 : 0) + (v->constructive > 0.5f)]++;
    if (!is_neutral_topic(o) || con != 1 || tox != 0) return;
    bool by_label = v->label != SL_LABEL_CLEAN, by_action = v->action != SL_ACTION_ALLOW;
    f->neutral_n++;
    f->neutral_label += by_label;
    f->neutral_action += by_action;
    if (c->list_neutral && (by_label || by_action)) {
        /* the comment is outside input: shown with its control characters escaped */
        printf("flagged civil comment %s:%zu: action %s label %d P(clean) %.3f: ", r->file, r->line,
               sl_action_name(v->action), v->label, v->probs[0]);
        sl__cli_fput_visible(stdout, text, len);
        putchar('\n');
    }
}

static void score(eval_ctx *c, data_kind kind, const sl_input_record *r, const char *text,
                  size_t len, const sl_verdict *v)
{
    figures *f = &c->fig;
    if (kind == D_CLASSIFY) {
        int y = label_of(r->object);
        if (y >= 0 && v->label >= 0 && v->label < 3) f->conf[y * 3 + v->label]++;
    } else if (kind == D_SPANS) {
        size_t n;
        if (!parse_spans(r->object, c->spans, r->text_len, &n)) return;
        for (size_t i = 0; c->rw.kind != P_NONE && i < 2 * n; i++)
            c->spans[i] = c->rw.map[c->spans[i]];
        long tagger_chars[4] = {0}, chars[4] = {0};
        double tagger = tagger_span_f1(c, text, len, n, tagger_chars);
        if (tagger < 0 || sl_metrics_span_chars(text, len, v->offensive_spans, v->noffensive_spans,
                                                c->spans, n, chars))
            return;
        for (int i = 0; i < 4; i++) {
            f->tagger_chars[i] += tagger_chars[i];
            f->span_chars[i] += chars[i];
        }
        f->tagger_span_sum += tagger;
        f->span_sum +=
            sl_metrics_span_f1(text, len, v->offensive_spans, v->noffensive_spans, c->spans, n);
        f->nspan++;
    } else {
        score_ctsd(c, r, text, len, v);
    }
}

static int eval_record(eval_ctx *c, data_kind kind, const sl_input_record *r)
{
    const char *text = r->text;
    size_t len = r->text_len;
    if (c->rw.kind != P_NONE) {
        if (rewrite(&c->rw, r->text, r->text_len)) return -1;
        text = c->rw.out;
        len = c->rw.len;
    }
    const sl_verdict *v = NULL;
    if (sl_engine_check(c->engine, c->scan, text, len, &v)) return -1;
    if (v->has_error || !v->has_model) {
        sl__cli_error("eval", r->file, r->line, "%s",
                      v->has_error ? v->error.message : "no model output");
        return 0;
    }
    score(c, kind, r, text, len, v);
    return 0;
}

static int eval_file(eval_ctx *c, data_kind kind, const char *path)
{
    char *paths[1] = {(char *)path};
    sl_input in = {.cmd = "eval", .paths = paths, .npaths = 1, .json_objects = true};
    sl_input_record r;
    int st;
    while ((st = sl__input_next(&in, &r)) > 0) {
        if (r.has_error) {
            sl__cli_error("eval", r.file, r.line, "byte %zu: %s", r.error.byte, r.error.message);
            continue;
        }
        c->rw.rng = 0x9e3779b97f4a7c15ull ^ (r.line * 0x2545f4914f6cdd1dull);
        if (eval_record(c, kind, &r)) {
            sl__cli_error("eval", r.file, r.line, "out of memory");
            st = -1;
            break;
        }
    }
    sl__input_close(&in);
    return st < 0 ? -1 : 0;
}

/* ---- report --------------------------------------------------------------------------------- */

static long total(const long *v, int n)
{
    long s = 0;
    for (int i = 0; i < n; i++) s += v[i];
    return s;
}

static void report_classify(const figures *f)
{
    static const char *const names[3] = {"clean", "offensive", "hate"};
    sl_prf prf[3];
    double m = sl_metrics_macro_f1(f->conf, 3, prf);
    printf("classify.n: %ld\nclassify.macro_f1: %.4f\n", total(f->conf, 9), m);
    for (int c = 0; c < 3; c++)
        printf("classify.%s: P %.4f R %.4f F1 %.4f\n", names[c], prf[c].p, prf[c].r, prf[c].f);
    for (int g = 0; g < 3; g++)
        printf("classify.confusion.%s: %ld %ld %ld\n", names[g], f->conf[g * 3], f->conf[g * 3 + 1],
               f->conf[g * 3 + 2]);
}

static void report(const figures *f)
{
    if (total(f->conf, 9)) report_classify(f);
    if (f->nspan)
        printf("spans.n: %ld\nspans.f1: %.4f\nspans.tagger_f1: %.4f\n"
               "spans.char_macro_f1: %.4f\nspans.tagger_char_macro_f1: %.4f\n",
               f->nspan, f->span_sum / (double)f->nspan, f->tagger_span_sum / (double)f->nspan,
               sl_metrics_macro_f1(f->span_chars, 2, NULL),
               sl_metrics_macro_f1(f->tagger_chars, 2, NULL));
    if (total(f->toxic, 4))
        printf("ctsd.n: %ld\nctsd.toxic_macro_f1: %.4f\nctsd.constructive_f1: %.4f\n"
               "ctsd.toxic_macro_f1_of_label: %.4f\nctsd.toxic_macro_f1_of_action: %.4f\n",
               total(f->toxic, 4), sl_metrics_macro_f1(f->toxic, 2, NULL),
               sl_metrics_pos_f1(f->constructive), sl_metrics_macro_f1(f->toxic_by_label, 2, NULL),
               sl_metrics_macro_f1(f->toxic_by_action, 2, NULL));
    if (f->neutral_n)
        printf("neutrality.civil_constructive_law_news: %ld\nneutrality.flagged: %ld\n"
               "neutrality.rate: %.4f\nneutrality.not_allowed: %ld\n",
               f->neutral_n, f->neutral_label, (double)f->neutral_label / f->neutral_n,
               f->neutral_action);
}

/* ---- command -------------------------------------------------------------------------------- */

typedef struct eval_args {
    const char *policy, *model;
    const char *files[3][8];
    int nfiles[3];
    perturb kind;
    int list_neutral;
} eval_args;

static int parse_perturb(const char *s, perturb *k)
{
    for (int i = 0; i < P_COUNT_; i++)
        if (!strcmp(s, perturb_names[i])) return *k = (perturb)i, 0;
    sl__cli_error("eval", NULL, 0,
                  "unknown --perturb '%s' (none nodiac teencode separators digits cyrillic "
                  "zerowidth shout)",
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
        else if (!strcmp(argv[i - 1], "--policy"))
            a->policy = v;
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

/* Builds the engine, and the model and text scratch of the tagger-alone figure. */
static int open_all(eval_ctx *c, const char *policy, const char *model)
{
    sl_engine_options o = {.policy_path = policy, .model_path = model};
    sl_error err = {0};
    if (sl_engine_new(&o, &c->engine, &err)) {
        sl__cli_error("eval", NULL, err.line, "%s", err.message);
        return -1;
    }
    if (sl_model_load(model, &c->model, &err)) {
        sl__cli_error("eval", model, 0, "%s", err.message);
        return -1;
    }
    c->scan = sl_scan_new(c->engine);
    c->text = sl_text_new();
    if (!c->scan || !c->text || sl_model_scratch_new(c->model, &c->ms)) {
        sl__cli_error("eval", NULL, 0, "out of memory");
        return -1;
    }
    return 0;
}

static void close_all(eval_ctx *c)
{
    sl_scan_free(c->scan);
    sl_engine_free(c->engine);
    sl_model_scratch_free(c->ms);
    sl_model_free(c->model);
    sl_text_free(c->text);
    free(c->rw.out);
    free(c->rw.map);
}

static int run(eval_ctx *c, const eval_args *a, const char *policy, const char *model)
{
    if (open_all(c, policy, model)) return 1;
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < a->nfiles[k]; i++)
            if (eval_file(c, (data_kind)k, a->files[k][i])) return 1;
    printf("engine: %s\npolicy: %s\nmodel: %s (%s)\nperturb: %s\n",
           sl_engine_versions_json(c->engine), policy, model, sl_model_version(c->model),
           perturb_names[a->kind]);
    report(&c->fig);
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: sangloc eval [--policy FILE] [--model FILE] [--classify FILE]...\n"
                 "                    [--spans FILE]...\n"
                 "                    [--ctsd FILE]... [--perturb KIND] [--list-neutral]\n"
                 "Measures a model on labelled dev data (JSON lines) and prints its figures.\n"
                 "  --policy FILE    policy (default: the shipped policies/default.yaml)\n"
                 "  --model FILE     model (default: the shipped models/default.slm)\n"
                 "  --classify FILE  {text, label}: macro-F1, per-class P/R/F1, confusion\n"
                 "  --spans FILE     {text, spans}: span F1\n"
                 "  --ctsd FILE      {text, constructive, toxic, topic}: toxic macro-F1,\n"
                 "                   constructive F1 and the neutrality count\n"
                 "  --perturb KIND   rewrite texts first: none nodiac teencode separators\n"
                 "                   digits cyrillic zerowidth shout\n"
                 "  --list-neutral   print the civil comments the model flags\n"
                 "  -h, --help       this help\n"
                 "Exit status: 0 figures printed, 1 the model or a file could not be read,\n"
                 "2 usage error.\n");
}

int sl_cmd_eval(int argc, char **argv)
{
    eval_args a = {0};
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return usage(stdout), 0;
    if (parse_args(&a, argc, argv)) {
        static const char *const known[] = {"--policy", "--model",   "--classify",    "--spans",
                                            "--ctsd",   "--perturb", "--list-neutral"};
        for (int i = 1; i < argc; i++) { /* name the culprit when it is an unknown option */
            size_t k = 0;
            while (k < 7 && strcmp(argv[i], known[k])) k++;
            if (k == 7 && argv[i][0] == '-')
                return sl__cli_usage_error("eval", usage, "unknown option '%s'", argv[i]);
            if (k < 6) i++; /* skip the value */
        }
        return sl__cli_usage_error("eval", usage,
                                   "give --classify, --spans or --ctsd FILE, each option with its "
                                   "value");
    }
    char *found_model = a.model ? NULL : sl__cli_find_default("models/default.slm");
    char *found_policy = a.policy ? NULL : sl__cli_find_default("policies/default.yaml");
    const char *model = a.model ? a.model : found_model;
    const char *policy = a.policy ? a.policy : found_policy;
    eval_ctx *c = calloc(1, sizeof *c);
    int rc = 1;
    if (!c)
        sl__cli_error("eval", NULL, 0, "out of memory");
    else if (!model)
        sl__cli_error("eval", NULL, 0, "no model file (use --model)");
    else if (!policy)
        sl__cli_error("eval", NULL, 0, "no policy file (use --policy)");
    else {
        c->rw.kind = a.kind;
        c->list_neutral = a.list_neutral;
        rc = run(c, &a, policy, model);
        close_all(c);
    }
    free(c);
    free(found_model);
    free(found_policy);
    return rc;
}
