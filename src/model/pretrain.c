/* model/pretrain.c — skip-gram with character n-grams and negative sampling (sangloc/pretrain.h).
 *
 * Adding a text runs the text layer and the model's tokenizer once; the corpus is then kept as
 * token ids with a sentinel between texts, so epochs never touch text again. The vocabulary is
 * the max_words most frequent tokens seen min_count times; the others are dropped from the
 * corpus (as fastText does), their n-grams still learned through the words that share them.
 *
 * One update per centre word: its hidden vector (the mean of its word row and n-gram rows) is
 * computed once, every context word of a random window 1..window on each side and its negatives
 * update their output rows, and the summed gradient is added to each input row at the end. That
 * saves recomputing the mean for every context word, the dominant cost with ~20 n-grams a word.
 * Threads share all weights without locks (Hogwild): updates are sparse, collisions rare and
 * harmless. The learning rate decays linearly with the tokens processed by all threads. */
#include "sangloc/pretrain.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/feat.h"
#include "model/vectors.h"
#include "sangloc/text.h"
#include "util/file.h"

#define END_OF_TEXT  UINT32_MAX
#define NEG_TABLE    (1u << 23)
#define SIGMOID_SIZE 1024
#define SIGMOID_MAX  8.0f
#define META_MAX     (1u << 20)

typedef struct input_file {
    char *name;
    uint64_t texts, tokens;
} input_file;

struct sl_pretrainer {
    sl_pretrain_config c;
    sl_text *text;
    sl__tok *toks;
    sl__tok *ftoks; /* tokens of the FOLD view, for mixed copies */
    int mixed;      /* texts added now also add a copy with half their words unaccented */
    uint64_t mix_rng;
    /* distinct tokens: key -> id (open addressing, at most half full) */
    uint64_t *hkeys;
    uint32_t *hids;
    size_t hcap;
    /* per distinct id */
    uint64_t *key, *count;
    uint64_t *str_off; /* NORM spelling in arena */
    uint32_t *str_len;
    uint8_t *is_word;
    size_t ndistinct, dcap;
    char *arena;
    size_t arena_len, arena_cap;
    /* the corpus: ids, END_OF_TEXT after each text; vocabulary indices after the run */
    uint32_t *corpus;
    size_t ncorpus, corpus_cap;
    uint64_t ntexts, ntokens;
    input_file *files;
    size_t nfiles;
    char *sources;
    size_t sources_len;
    /* after the run */
    uint32_t nwords;
    uint32_t *word_of_id; /* id -> vocabulary index or END_OF_TEXT */
    uint32_t *id_of_word;
    uint64_t train_tokens;
    float *in;  /* (nwords + buckets) x dim */
    float *out; /* nwords x dim */
    float *vecs;
    uint32_t *ng_off, *ng;
    double seconds;
    int trained;
};

/* ---- settings ------------------------------------------------------------------------------ */

void sl_pretrain_defaults(sl_pretrain_config *c)
{
    *c = (sl_pretrain_config){.dim = 100,
                              .window = 5,
                              .negatives = 5,
                              .epochs = 5,
                              .minn = 3,
                              .maxn = 6,
                              .bucket_bits = 18,
                              .min_count = 5,
                              .max_words = 200000,
                              .threads = 0,
                              .lr = 0.05f,
                              .sample = 1e-4f,
                              .seed = 1,
                              .log = NULL};
}

static const char *check_config(const sl_pretrain_config *c)
{
    if (c->dim < 1 || c->dim > SL__VEC_MAX_DIM) return "dim not in 1..512";
    if (c->window < 1 || c->window > 50) return "window not in 1..50";
    if (c->negatives < 1 || c->negatives > 100) return "negatives not in 1..100";
    if (c->epochs < 1 || c->epochs > 1000) return "epochs not in 1..1000";
    if (c->minn < 1 || c->minn > c->maxn || c->maxn > SL__VEC_MAX_N)
        return "n-gram lengths not 1 <= minn <= maxn <= 8";
    if (c->bucket_bits && (c->bucket_bits < 10 || c->bucket_bits > SL__VEC_MAX_BUCKET_BITS))
        return "bucket bits not 0 or 10..24";
    if (c->min_count < 1) return "min count below 1";
    if (c->max_words < 1 || c->max_words > (1u << 24)) return "max words not in 1..16777216";
    if (c->threads > 256) return "threads above 256";
    if (!(c->lr > 0) || !(c->lr <= 10)) return "learning rate not in (0, 10]";
    if (!(c->sample >= 0) || !(c->sample < 1)) return "sample not in [0, 1)";
    return NULL;
}

sl_status sl_pretrainer_new(const sl_pretrain_config *c, sl_pretrainer **out, sl_error *err)
{
    *out = NULL;
    const char *why = check_config(c);
    if (why) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "pretrain: %s", why);
    sl_pretrainer *p = calloc(1, sizeof *p);
    if (!p) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "no memory for the trainer");
    p->c = *c;
    if (!p->c.threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        p->c.threads = n < 1 ? 1 : n > 256 ? 256 : (unsigned)n;
    }
    p->text = sl_text_new();
    p->toks = malloc(SL__MAX_TOKENS * sizeof *p->toks);
    p->ftoks = malloc(SL__MAX_TOKENS * sizeof *p->ftoks);
    p->mix_rng = p->c.seed * 0x9e3779b97f4a7c15ull + 1;
    p->hcap = 1u << 16;
    p->hkeys = calloc(p->hcap, sizeof *p->hkeys);
    p->hids = malloc(p->hcap * sizeof *p->hids);
    p->sources = calloc(1, 1);
    if (!p->text || !p->toks || !p->ftoks || !p->hkeys || !p->hids || !p->sources) {
        sl_pretrainer_free(p);
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "no memory for the trainer");
    }
    *out = p;
    return SL_OK;
}

void sl_pretrainer_free(sl_pretrainer *p)
{
    if (!p) return;
    sl_text_free(p->text);
    free(p->toks);
    free(p->ftoks);
    free(p->hkeys);
    free(p->hids);
    free(p->key);
    free(p->count);
    free(p->str_off);
    free(p->str_len);
    free(p->is_word);
    free(p->arena);
    free(p->corpus);
    for (size_t i = 0; i < p->nfiles; i++) free(p->files[i].name);
    free(p->files);
    free(p->sources);
    free(p->word_of_id);
    free(p->id_of_word);
    free(p->in);
    free(p->out);
    free(p->vecs);
    free(p->ng_off);
    free(p->ng);
    free(p);
}

/* ---- meta ---------------------------------------------------------------------------------- */

static sl_status append(char **s, size_t *len, const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    if (*len + la + lb + lc + 2 > META_MAX) return SL_ERR_TOO_LARGE;
    char *n = realloc(*s, *len + la + lb + lc + 2);
    if (!n) return SL_ERR_NOMEM;
    memcpy(n + *len, a, la);
    memcpy(n + *len + la, b, lb);
    memcpy(n + *len + la + lb, c, lc);
    *len += la + lb + lc;
    n[(*len)++] = '\n';
    n[*len] = '\0';
    *s = n;
    return SL_OK;
}

/* Keeps a name on one meta line. */
static void one_line(char *dst, size_t cap, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++) dst[i] = s[i] == '\n' || s[i] == '\r' ? ' ' : s[i];
    dst[i] = '\0';
}

sl_status sl_pretrainer_add_source(sl_pretrainer *p, const char *name, const char *licence)
{
    char n[256], l[256], line[600];
    one_line(n, sizeof n, name);
    one_line(l, sizeof l, licence);
    snprintf(line, sizeof line, "%s (%s)", n, l[0] ? l : "licence unknown");
    return append(&p->sources, &p->sources_len, "source: ", line, "");
}

sl_status sl_pretrainer_begin_file(sl_pretrainer *p, const char *name)
{
    input_file *f = realloc(p->files, (p->nfiles + 1) * sizeof *f);
    if (!f) return SL_ERR_NOMEM;
    p->files = f;
    char buf[1024];
    one_line(buf, sizeof buf, name);
    f[p->nfiles].name = strdup(buf);
    if (!f[p->nfiles].name) return SL_ERR_NOMEM;
    f[p->nfiles].texts = f[p->nfiles].tokens = 0;
    p->nfiles++;
    return SL_OK;
}

/* ---- adding texts -------------------------------------------------------------------------- */

static inline size_t hslot(uint64_t key, size_t cap)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
}

static int grow_hash(sl_pretrainer *p)
{
    size_t cap = p->hcap * 2;
    uint64_t *k = calloc(cap, sizeof *k);
    uint32_t *v = malloc(cap * sizeof *v);
    if (!k || !v) {
        free(k);
        free(v);
        return -1;
    }
    for (size_t i = 0; i < p->hcap; i++) {
        if (!p->hkeys[i]) continue;
        size_t j = hslot(p->hkeys[i], cap);
        while (k[j]) j = (j + 1) & (cap - 1);
        k[j] = p->hkeys[i];
        v[j] = p->hids[i];
    }
    free(p->hkeys);
    free(p->hids);
    p->hkeys = k;
    p->hids = v;
    p->hcap = cap;
    return 0;
}

/* The id of key, or END_OF_TEXT when it is not known. */
static uint32_t find_id(const sl_pretrainer *p, uint64_t key)
{
    for (size_t j = hslot(key, p->hcap);; j = (j + 1) & (p->hcap - 1)) {
        if (p->hkeys[j] == key) return p->hids[j];
        if (!p->hkeys[j]) return END_OF_TEXT;
    }
}

#define GROW(arr, cap, need)                                                                       \
    do {                                                                                           \
        if ((need) > (cap)) {                                                                      \
            size_t nc_ = (cap) ? (cap) : 1024;                                                     \
            while (nc_ < (need)) nc_ *= 2;                                                         \
            void *np_ = realloc((arr), nc_ * sizeof *(arr));                                       \
            if (!np_) return -1;                                                                   \
            (arr) = np_;                                                                           \
            (cap) = nc_;                                                                           \
        }                                                                                          \
    } while (0)

static int grow_distinct(sl_pretrainer *p)
{
    if (p->ndistinct < p->dcap) return 0;
    size_t nc = p->dcap ? p->dcap * 2 : 4096;
    void *a = realloc(p->key, nc * sizeof *p->key);
    if (!a) return -1;
    p->key = a;
    if (!(a = realloc(p->count, nc * sizeof *p->count))) return -1;
    p->count = a;
    if (!(a = realloc(p->str_off, nc * sizeof *p->str_off))) return -1;
    p->str_off = a;
    if (!(a = realloc(p->str_len, nc * sizeof *p->str_len))) return -1;
    p->str_len = a;
    if (!(a = realloc(p->is_word, nc * sizeof *p->is_word))) return -1;
    p->is_word = a;
    p->dcap = nc;
    return 0;
}

static int add_token(sl_pretrainer *p, const sl__tok *t, const sl_view *v)
{
    uint64_t key = sl__vectors_key(t->h);
    size_t j = hslot(key, p->hcap);
    while (p->hkeys[j] && p->hkeys[j] != key) j = (j + 1) & (p->hcap - 1);
    uint32_t id;
    if (p->hkeys[j]) {
        id = p->hids[j];
    } else {
        if (p->ndistinct >= END_OF_TEXT - 1 || grow_distinct(p)) return -1;
        size_t len = t->ve - t->vs;
        size_t cap = p->arena_cap;
        GROW(p->arena, cap, p->arena_len + len);
        p->arena_cap = cap;
        memcpy(p->arena + p->arena_len, v->data + t->vs, len);
        id = (uint32_t)p->ndistinct++;
        p->key[id] = key;
        p->count[id] = 0;
        p->str_off[id] = p->arena_len;
        p->str_len[id] = (uint32_t)len;
        p->is_word[id] = t->word;
        p->arena_len += len;
        p->hkeys[j] = key;
        p->hids[j] = id;
        if (p->ndistinct * 2 > p->hcap && grow_hash(p)) return -1;
    }
    p->count[id]++;
    size_t cap = p->corpus_cap;
    GROW(p->corpus, cap, p->ncorpus + 1);
    p->corpus_cap = cap;
    p->corpus[p->ncorpus++] = id;
    return 0;
}

/* Ends the current text in the corpus; -1 when out of memory. */
static int end_text(sl_pretrainer *p)
{
    size_t cap = p->corpus_cap;
    if (p->ncorpus + 1 > cap) {
        size_t nc = cap * 2;
        uint32_t *c = realloc(p->corpus, nc * sizeof *c);
        if (!c) return -1;
        p->corpus = c;
        p->corpus_cap = nc;
    }
    p->corpus[p->ncorpus++] = END_OF_TEXT;
    return 0;
}

/* A copy of the text just added (n NORM tokens of view v) in which each word is replaced, with
 * probability 1/2, by its spelling without diacritics (the FOLD view's token). Comments are
 * typed both ways: the unaccented spellings then share the contexts of the accented ones and
 * get vectors near theirs, so a comment keeps its features when its diacritics are left out.
 * Texts whose FOLD view splits into other tokens, or has nothing to strip, add no copy. */
static int add_mixed_copy(sl_pretrainer *p, const sl_view *v, size_t n)
{
    const sl_view *fv = sl_text_view(p->text, SL_VIEW_FOLD);
    if (fv->len == v->len && !memcmp(fv->data, v->data, v->len)) return 0;
    if (sl__tokenize(fv, p->ftoks, SL__MAX_TOKENS) != n) return 0;
    for (size_t i = 0; i < n; i++) {
        p->mix_rng ^= p->mix_rng << 13;
        p->mix_rng ^= p->mix_rng >> 7;
        p->mix_rng ^= p->mix_rng << 17;
        int plain = (p->mix_rng >> 32) & 1;
        if (add_token(p, plain ? &p->ftoks[i] : &p->toks[i], plain ? fv : v)) return -1;
    }
    p->ntokens += n;
    return end_text(p);
}

sl_status sl_pretrainer_add_text(sl_pretrainer *p, const char *text, size_t len, sl_error *err)
{
    if (p->trained) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "texts added after the run");
    sl_status st = sl_text_build(p->text, text, len, err);
    if (st) return st;
    const sl_view *v = sl_text_view(p->text, p->c.folded ? SL_VIEW_FOLD : SL_VIEW_NORM);
    size_t n = sl__tokenize(v, p->toks, SL__MAX_TOKENS);
    p->ntexts++;
    p->ntokens += n;
    if (p->nfiles) {
        p->files[p->nfiles - 1].texts++;
        p->files[p->nfiles - 1].tokens += n;
    }
    if (!n) return SL_OK;
    for (size_t i = 0; i < n; i++)
        if (add_token(p, &p->toks[i], v))
            return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "no memory for the corpus");
    if (end_text(p) || (p->mixed && !p->c.folded && add_mixed_copy(p, v, n)))
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "no memory for the corpus");
    return SL_OK;
}

void sl_pretrainer_set_mixed(sl_pretrainer *p, int on)
{
    p->mixed = on;
}

void sl_pretrainer_counts(const sl_pretrainer *p, uint64_t *texts, uint64_t *tokens,
                          uint32_t *words)
{
    if (texts) *texts = p->ntexts;
    if (tokens) *tokens = p->ntokens;
    if (words) *words = p->trained ? p->nwords : 0;
}

/* ---- vocabulary ---------------------------------------------------------------------------- */

typedef struct ranked {
    uint64_t count;
    uint32_t id;
} ranked;

static int by_count(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id; /* first seen first: qsort's order is not used */
}

static int build_vocab(sl_pretrainer *p)
{
    size_t nd = p->ndistinct;
    uint32_t *order = malloc((nd ? nd : 1) * sizeof *order);
    p->word_of_id = malloc((nd ? nd : 1) * sizeof *p->word_of_id);
    if (!order || !p->word_of_id) {
        free(order);
        return -1;
    }
    ranked *r = malloc((nd ? nd : 1) * sizeof *r);
    if (!r) {
        free(order);
        return -1;
    }
    size_t keep = 0;
    for (size_t i = 0; i < nd; i++)
        if (p->count[i] >= p->c.min_count) r[keep++] = (ranked){p->count[i], (uint32_t)i};
    qsort(r, keep, sizeof *r, by_count);
    if (keep > p->c.max_words) keep = p->c.max_words;
    for (size_t w = 0; w < keep; w++) order[w] = r[w].id;
    free(r);
    for (size_t i = 0; i < nd; i++) p->word_of_id[i] = END_OF_TEXT;
    for (size_t w = 0; w < keep; w++) p->word_of_id[order[w]] = (uint32_t)w;
    p->id_of_word = order;
    p->nwords = (uint32_t)keep;
    /* the corpus in vocabulary indices, out-of-vocabulary tokens and empty texts dropped */
    size_t o = 0;
    uint64_t n = 0;
    for (size_t i = 0; i < p->ncorpus; i++) {
        uint32_t id = p->corpus[i];
        if (id == END_OF_TEXT) {
            if (o && p->corpus[o - 1] != END_OF_TEXT) p->corpus[o++] = END_OF_TEXT;
            continue;
        }
        uint32_t w = p->word_of_id[id];
        if (w == END_OF_TEXT) continue;
        p->corpus[o++] = w;
        n++;
    }
    p->ncorpus = o;
    p->train_tokens = n;
    /* the n-grams of every word (symbols have none: their vector is their own row) */
    p->ng_off = malloc(((size_t)keep + 1) * sizeof *p->ng_off);
    if (!p->ng_off) return -1;
    size_t cap = 0, len = 0;
    uint32_t b[SL__VEC_MAX_NGRAMS];
    for (size_t w = 0; w < keep; w++) {
        p->ng_off[w] = (uint32_t)len;
        uint32_t id = order[w];
        if (!p->c.bucket_bits || !p->is_word[id]) continue;
        size_t k = sl__vectors_ngrams(p->arena + p->str_off[id], p->str_len[id], p->c.minn,
                                      p->c.maxn, p->c.bucket_bits, p->c.folded, b);
        GROW(p->ng, cap, len + k);
        memcpy(p->ng + len, b, k * sizeof *b);
        len += k;
    }
    p->ng_off[keep] = (uint32_t)len;
    return 0;
}

/* ---- training ------------------------------------------------------------------------------ */

static inline uint64_t rnd(uint64_t *s)
{
    /* splitmix64: fast, one word of state per thread */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

typedef struct shared {
    sl_pretrainer *p;
    uint32_t *neg;  /* NEG_TABLE word indices, unigram^0.75 */
    uint32_t *keep; /* per word: keep if (rnd >> 32) < keep[w] */
    float sigmoid[SIGMOID_SIZE + 1];
    _Atomic uint64_t done; /* tokens processed by all threads */
    uint64_t total;        /* epochs x training tokens */
    struct timespec start;
} shared;

typedef struct worker {
    shared *s;
    unsigned idx;
    size_t from, to;
    int failed;
} worker;

static double since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) * 1e-9;
}

/* Dot product with 8 partial sums: the compiler vectorizes it without reassociating floats. */
static inline float dot(const float *restrict a, const float *restrict b, uint32_t n)
{
    float acc[8] = {0};
    uint32_t d = 0;
    for (; d + 8 <= n; d += 8)
        for (int k = 0; k < 8; k++) acc[k] += a[d + k] * b[d + k];
    float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; d < n; d++) s += a[d] * b[d];
    return s;
}

/* y += g * x */
static inline void axpy(float *restrict y, const float *restrict x, float g, uint32_t n)
{
    for (uint32_t d = 0; d < n; d++) y[d] += g * x[d];
}

static inline float sigmoid(const shared *s, float x)
{
    if (x <= -SIGMOID_MAX) return 0.0f;
    if (x >= SIGMOID_MAX) return 1.0f;
    return s->sigmoid[(int)((x + SIGMOID_MAX) * (SIGMOID_SIZE / (2 * SIGMOID_MAX)))];
}

/* One centre word: hidden = mean of its rows; each context word and its negatives update their
 * output rows; the gradient goes to every input row once at the end. */
static void train_centre(shared *s, const uint32_t *line, size_t n, size_t pos, float lr,
                         uint64_t *rng, float *hidden, float *grad)
{
    const sl_pretrainer *p = s->p;
    const uint32_t dim = p->c.dim, nw = p->nwords, w = line[pos];
    const uint32_t *ng = p->ng + p->ng_off[w];
    const uint32_t nng = p->ng_off[w + 1] - p->ng_off[w];
    memcpy(hidden, p->in + (size_t)w * dim, dim * sizeof *hidden);
    for (uint32_t j = 0; j < nng; j++) axpy(hidden, p->in + ((size_t)nw + ng[j]) * dim, 1.0f, dim);
    const float inv = 1.0f / (float)(1 + nng);
    for (uint32_t d = 0; d < dim; d++) hidden[d] *= inv;
    memset(grad, 0, dim * sizeof *grad);
    size_t b = 1 + (size_t)(rnd(rng) % p->c.window);
    size_t lo = pos > b ? pos - b : 0, hi = pos + b + 1 < n ? pos + b + 1 : n;
    for (size_t c = lo; c < hi; c++) {
        if (c == pos) continue;
        uint32_t target = line[c];
        for (unsigned k = 0; k <= p->c.negatives; k++) {
            uint32_t t = target;
            float label = 1.0f;
            if (k) {
                t = s->neg[rnd(rng) & (NEG_TABLE - 1)];
                if (t == target) continue;
                label = 0.0f;
            }
            float *o = p->out + (size_t)t * dim;
            float g = lr * (label - sigmoid(s, dot(o, hidden, dim)));
            axpy(grad, o, g, dim);
            axpy(o, hidden, g, dim);
        }
    }
    axpy(p->in + (size_t)w * dim, grad, 1.0f, dim);
    for (uint32_t j = 0; j < nng; j++) axpy(p->in + ((size_t)nw + ng[j]) * dim, grad, 1.0f, dim);
}

static void *work(void *arg)
{
    worker *wk = arg;
    shared *s = wk->s;
    sl_pretrainer *p = s->p;
    uint32_t dim = p->c.dim;
    float *hidden = malloc(dim * sizeof *hidden), *grad = malloc(dim * sizeof *grad);
    uint32_t *line = malloc(SL__MAX_TOKENS * sizeof *line);
    if (!hidden || !grad || !line) {
        wk->failed = 1;
        free(hidden);
        free(grad);
        free(line);
        return NULL;
    }
    uint64_t rng = p->c.seed * 0x2545f4914f6cdd1dull + wk->idx + 1;
    uint64_t local = 0;
    float lr = p->c.lr;
    double next_log = 2.0;
    for (unsigned e = 0; e < p->c.epochs; e++) {
        size_t n = 0;
        for (size_t i = wk->from; i <= wk->to; i++) {
            uint32_t w = i < wk->to ? p->corpus[i] : END_OF_TEXT;
            if (w != END_OF_TEXT) {
                local++;
                if ((rnd(&rng) >> 32) < s->keep[w] && n < SL__MAX_TOKENS) line[n++] = w;
                continue;
            }
            for (size_t pos = 0; pos < n; pos++)
                train_centre(s, line, n, pos, lr, &rng, hidden, grad);
            n = 0;
            if (local < 4096 && i < wk->to) continue;
            uint64_t done = atomic_fetch_add(&s->done, local) + local;
            local = 0;
            double left = 1.0 - (double)done / (double)s->total;
            lr = p->c.lr * (float)(left > 1e-4 ? left : 1e-4);
            if (wk->idx == 0 && p->c.log) {
                double t = since(&s->start);
                if (t >= next_log) {
                    fprintf(p->c.log,
                            "pretrain: %5.1f%%  epoch %u/%u  %.0f tokens/s  lr %.5f  %.0f s\n",
                            100.0 * (double)done / (double)s->total, e + 1, p->c.epochs,
                            (double)done / t, lr, t);
                    fflush(p->c.log);
                    next_log = t + 5.0;
                }
            }
        }
    }
    atomic_fetch_add(&s->done, local);
    free(hidden);
    free(grad);
    free(line);
    return NULL;
}

static int init_tables(shared *s)
{
    sl_pretrainer *p = s->p;
    s->neg = malloc(NEG_TABLE * sizeof *s->neg);
    s->keep = malloc((size_t)p->nwords * sizeof *s->keep);
    if (!s->neg || !s->keep) return -1;
    double z = 0;
    for (uint32_t w = 0; w < p->nwords; w++) z += pow((double)p->count[p->id_of_word[w]], 0.75);
    double acc = 0;
    size_t i = 0;
    for (uint32_t w = 0; w < p->nwords; w++) {
        acc += pow((double)p->count[p->id_of_word[w]], 0.75) / z;
        size_t until = (size_t)(acc * NEG_TABLE);
        for (; i < until && i < NEG_TABLE; i++) s->neg[i] = w;
    }
    for (; i < NEG_TABLE; i++) s->neg[i] = p->nwords - 1;
    for (uint32_t w = 0; w < p->nwords; w++) {
        double f = (double)p->count[p->id_of_word[w]] / (double)p->train_tokens;
        double keep = p->c.sample > 0 ? sqrt(p->c.sample / f) + p->c.sample / f : 1.0;
        s->keep[w] = keep >= 1.0 ? UINT32_MAX : (uint32_t)(keep * 4294967296.0);
    }
    for (int k = 0; k <= SIGMOID_SIZE; k++) {
        double x = (double)k * 2 * SIGMOID_MAX / SIGMOID_SIZE - SIGMOID_MAX;
        s->sigmoid[k] = (float)(1.0 / (1.0 + exp(-x)));
    }
    return 0;
}

/* Word vectors as stored: the mean of each word's row and its n-gram rows. */
static void final_vectors(sl_pretrainer *p)
{
    uint32_t dim = p->c.dim;
    for (uint32_t w = 0; w < p->nwords; w++) {
        float *v = p->vecs + (size_t)w * dim;
        memcpy(v, p->in + (size_t)w * dim, dim * sizeof *v);
        uint32_t a = p->ng_off[w], b = p->ng_off[w + 1];
        for (uint32_t j = a; j < b; j++) {
            const float *r = p->in + ((size_t)p->nwords + p->ng[j]) * dim;
            for (uint32_t d = 0; d < dim; d++) v[d] += r[d];
        }
        float inv = 1.0f / (float)(1 + b - a);
        for (uint32_t d = 0; d < dim; d++) v[d] *= inv;
    }
}

sl_status sl_pretrainer_run(sl_pretrainer *p, sl_error *err)
{
    if (p->trained) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "already trained");
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (build_vocab(p)) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "no memory");
    if (!p->nwords)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS,
                            "no word seen %u times in %llu tokens: nothing to learn",
                            p->c.min_count, (unsigned long long)p->ntokens);
    uint32_t dim = p->c.dim;
    size_t buckets = p->c.bucket_bits ? (size_t)1 << p->c.bucket_bits : 0;
    size_t rows = (size_t)p->nwords + buckets;
    p->in = malloc(rows * dim * sizeof *p->in);
    p->out = calloc((size_t)p->nwords * dim, sizeof *p->out);
    p->vecs = malloc((size_t)p->nwords * dim * sizeof *p->vecs);
    shared *s = calloc(1, sizeof *s);
    worker *wk = calloc(p->c.threads, sizeof *wk);
    pthread_t *th = calloc(p->c.threads, sizeof *th);
    sl_status st = SL_OK;
    if (!p->in || !p->out || !p->vecs || !s || !wk || !th) {
        st = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "no memory for the vectors");
        goto done;
    }
    s->p = p;
    if (init_tables(s)) {
        st = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "no memory for the tables");
        goto done;
    }
    uint64_t rng = p->c.seed ^ 0x5851f42d4c957f2dull;
    const float range = 1.0f / (float)dim;
    for (size_t i = 0; i < rows * dim; i++)
        p->in[i] = ((float)(rnd(&rng) >> 40) / 16777216.0f * 2.0f - 1.0f) * range;
    if (p->c.log)
        fprintf(p->c.log,
                "pretrain: %llu texts, %llu tokens, %zu distinct; %u words (count >= %u), "
                "%llu tokens to train on, %u threads\n",
                (unsigned long long)p->ntexts, (unsigned long long)p->ntokens, p->ndistinct,
                p->nwords, p->c.min_count, (unsigned long long)p->train_tokens, p->c.threads);
    s->total = (uint64_t)p->c.epochs * p->train_tokens;
    if (!s->total) s->total = 1;
    clock_gettime(CLOCK_MONOTONIC, &s->start);
    unsigned started = 0;
    for (unsigned t = 0; t < p->c.threads; t++) {
        wk[t] =
            (worker){s, t, p->ncorpus * t / p->c.threads, p->ncorpus * (t + 1) / p->c.threads, 0};
        if (t && pthread_create(&th[t], NULL, work, &wk[t])) break;
        started = t + 1;
    }
    work(&wk[0]);
    for (unsigned t = 1; t < started; t++) pthread_join(th[t], NULL);
    for (unsigned t = 0; t < started; t++)
        if (wk[t].failed) st = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "no memory (thread)");
    if (started < p->c.threads && !st)
        st = sl_error_set(err, SL_ERR_INTERNAL, SL_NO_POS, "could not start the threads");
    if (st) goto done;
    final_vectors(p);
    p->seconds = since(&t0);
    p->trained = 1;
    if (p->c.log)
        fprintf(p->c.log, "pretrain: trained in %.1f s (%.0f tokens/s over %u epochs)\n",
                p->seconds, (double)s->total / since(&s->start), p->c.epochs);
done:
    if (s) {
        free(s->neg);
        free(s->keep);
    }
    free(s);
    free(wk);
    free(th);
    return st;
}

/* ---- writing ------------------------------------------------------------------------------- */

static sl_status build_meta(const sl_pretrainer *p, char **out)
{
    char *m = calloc(1, 1);
    size_t len = 0;
    char buf[512], when[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    const sl_pretrain_config *c = &p->c;
    snprintf(buf, sizeof buf,
             "skip-gram, character n-grams, negative sampling (sangloc pretrain)\n"
             "created: %s\n"
             "dim: %u\nwindow: %u\nnegatives: %u\nepochs: %u\nlr: %g\nminn: %u\nmaxn: %u\n"
             "words: %s\n"
             "bucket_bits: %u\nmin_count: %u\nmax_words: %u\nsample: %g\nseed: %llu\n"
             "threads: %u\nwords: %u\ntexts: %llu\ntokens: %llu\nseconds: %.1f",
             when, c->dim, c->window, c->negatives, c->epochs, (double)c->lr, c->minn, c->maxn,
             c->folded ? "folded (diacritics dropped)" : "as spelled", c->bucket_bits, c->min_count,
             c->max_words, (double)c->sample, (unsigned long long)c->seed, c->threads, p->nwords,
             (unsigned long long)p->ntexts, (unsigned long long)p->ntokens, p->seconds);
    sl_status st = !m ? SL_ERR_NOMEM : append(&m, &len, "method: ", buf, "");
    for (size_t i = 0; !st && i < p->nfiles; i++) {
        snprintf(buf, sizeof buf, " (%llu texts, %llu tokens)",
                 (unsigned long long)p->files[i].texts, (unsigned long long)p->files[i].tokens);
        st = append(&m, &len, "input: ", p->files[i].name, buf);
    }
    if (!st && p->sources_len) st = append(&m, &len, "", p->sources, "");
    if (st) {
        free(m);
        return st;
    }
    while (len && m[len - 1] == '\n') m[--len] = '\0';
    *out = m;
    return SL_OK;
}

sl_status sl_pretrainer_write(sl_pretrainer *p, const char *path, sl_error *err)
{
    if (!p->trained) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "not trained yet");
    uint64_t *keys = malloc(((size_t)p->nwords + 1) * sizeof *keys);
    char *meta = NULL;
    sl_status st = build_meta(p, &meta);
    if (!keys || st) {
        free(keys);
        free(meta);
        return sl_error_set(err, st ? st : SL_ERR_NOMEM, SL_NO_POS, "no memory for the meta");
    }
    for (uint32_t w = 0; w < p->nwords; w++) keys[w] = p->key[p->id_of_word[w]];
    sl__vectors_src src = {.dim = p->c.dim,
                           .nwords = p->nwords,
                           .bucket_bits = p->c.bucket_bits,
                           .minn = p->c.minn,
                           .maxn = p->c.maxn,
                           .flags = p->c.folded ? SL__VEC_FOLDED : 0,
                           .keys = keys,
                           .word_vecs = p->vecs,
                           .ngram_vecs = p->in + (size_t)p->nwords * p->c.dim,
                           .meta = meta};
    st = sl__vectors_write(&src, path, err);
    free(keys);
    free(meta);
    return st;
}

/* ---- nearest words ------------------------------------------------------------------------- */

static float norm_of(const float *v, uint32_t dim)
{
    float s = 0;
    for (uint32_t d = 0; d < dim; d++) s += v[d] * v[d];
    return sqrtf(s);
}

size_t sl_pretrainer_nearest(sl_pretrainer *p, const char *word, size_t len,
                             sl_pretrain_neighbour *out, size_t k)
{
    if (!p->trained || !k) return 0;
    sl_error err;
    if (sl_text_build(p->text, word, len, &err)) return 0;
    const sl_view *v = sl_text_view(p->text, p->c.folded ? SL_VIEW_FOLD : SL_VIEW_NORM);
    if (!sl__tokenize(v, p->toks, 1)) return 0;
    const sl__tok *t = &p->toks[0];
    uint32_t dim = p->c.dim;
    float *q = calloc(dim, sizeof *q);
    if (!q) return 0;
    uint32_t id = find_id(p, sl__vectors_key(t->h));
    uint32_t self = id == END_OF_TEXT ? END_OF_TEXT : p->word_of_id[id];
    if (self != END_OF_TEXT) {
        memcpy(q, p->vecs + (size_t)self * dim, dim * sizeof *q);
    } else if (t->word && p->c.bucket_bits) {
        uint32_t b[SL__VEC_MAX_NGRAMS];
        size_t n = sl__vectors_ngrams(v->data + t->vs, t->ve - t->vs, p->c.minn, p->c.maxn,
                                      p->c.bucket_bits, p->c.folded, b);
        for (size_t j = 0; j < n; j++) {
            const float *r = p->in + ((size_t)p->nwords + b[j]) * dim;
            for (uint32_t d = 0; d < dim; d++) q[d] += r[d];
        }
    }
    float qn = norm_of(q, dim);
    size_t got = 0;
    for (uint32_t w = 0; qn > 0 && w < p->nwords; w++) {
        if (w == self) continue;
        const float *x = p->vecs + (size_t)w * dim;
        float dot = 0;
        for (uint32_t d = 0; d < dim; d++) dot += q[d] * x[d];
        float xn = norm_of(x, dim);
        float cs = xn > 0 ? dot / (qn * xn) : 0;
        if (got == k && cs <= out[k - 1].cosine) continue;
        size_t i = got < k ? got++ : k - 1;
        while (i > 0 && out[i - 1].cosine < cs) {
            out[i] = out[i - 1];
            i--;
        }
        uint32_t wid = p->id_of_word[w];
        out[i] = (sl_pretrain_neighbour){p->arena + p->str_off[wid], p->str_len[wid], cs};
    }
    free(q);
    return got;
}

/* ---- checking a file ----------------------------------------------------------------------- */

sl_status sl_vectors_check(const char *path, char **meta, sl_error *err)
{
    *meta = NULL;
    char *data;
    size_t len;
    sl_status st = sl__file_read(path, (size_t)1 << 32, &data, &len, err);
    if (st) return st;
    unsigned char *copy = aligned_alloc(64, (len + 64) / 64 * 64);
    if (!copy) {
        free(data);
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "no memory for %s", path);
    }
    memcpy(copy, data, len);
    free(data);
    sl__vectors v;
    st = sl__vectors_bind(&v, copy, len, err);
    if (!st) {
        char head[160];
        int n = snprintf(head, sizeof head, "dim: %u, words: %u, n-gram rows: %llu, %zu bytes\n",
                         v.dim, v.nwords, v.bucket_bits ? 1ull << v.bucket_bits : 0ull, len);
        size_t ml = strlen(v.meta);
        *meta = malloc((size_t)n + ml + 1);
        if (!*meta)
            st = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "no memory for %s", path);
        else {
            memcpy(*meta, head, (size_t)n);
            memcpy(*meta + n, v.meta, ml + 1);
        }
    }
    free(copy);
    return st;
}
