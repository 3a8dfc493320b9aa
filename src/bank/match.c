/* Matching a post against a bank.
 *
 * The post's FOLD view is split into words and 3-shingles. Each distinct shingle that is not a
 * filler phrase and not a stop shingle (shared by more than stop_df items) is looked up in the
 * base index and in the log index, and every item it hits gets one vote in a per-thread counter
 * array. An item sharing S counting shingles, with A counting shingles of its own, while the
 * post has P, scores S / min(A, P): the share of the SHORTER side found in the other, which is
 * ~1 for an excerpt (the post is inside the item) and for a repost with commentary (the item is
 * inside the post). Two floors keep chance overlaps out: S >= MIN_SHARED distinct shingles and
 * S >= MIN_ITEM_SHARE * A (a post cannot match an item by carrying only a sliver of it).
 * The span is drawn from the first to the last matching shingle of the post, leaving out
 * isolated single hits far from the others. */
#include "bank/format.h"

#include <stdlib.h>
#include <string.h>

#include "bank/shingle.h"

#define MIN_SHARED     4
#define MIN_ITEM_SHARE 0.2f
#define SPAN_GAP       12 /* positions between matching shingles still in one cluster */

typedef struct cand {
    uint32_t item, shared;
    float sim;
} cand;

struct sl_bank_scratch {
    const sl_bank *bank;
    uint16_t *count;
    uint32_t *touched;
    size_t ntouched;
    sl__shingles sh;
    uint64_t *pos_hash, *uniq;
    size_t pcap;
    cand *cands;
    size_t ncand, ccap;
    uint32_t *hits;
    size_t nhits;
};

sl_status sl_bank_scratch_new(const sl_bank *b, sl_bank_scratch **out)
{
    if (!b || !out) return SL_ERR_ARG;
    size_t n = b->n_base + b->n_log;
    sl_bank_scratch *s = calloc(1, sizeof *s);
    if (s) s->count = calloc(n ? n : 1, sizeof *s->count);
    if (s) s->touched = malloc((n ? n : 1) * sizeof *s->touched);
    if (!s || !s->count || !s->touched) {
        sl_bank_scratch_free(s);
        return SL_ERR_NOMEM;
    }
    s->bank = b;
    *out = s;
    return SL_OK;
}

void sl_bank_scratch_free(sl_bank_scratch *s)
{
    if (!s) return;
    free(s->count);
    free(s->touched);
    sl__shingles_free(&s->sh);
    free(s->pos_hash);
    free(s->uniq);
    free(s->cands);
    free(s->hits);
    free(s);
}

static void vote(sl_bank_scratch *s, uint32_t item)
{
    if (s->bank->dead[item]) return;
    if (s->count[item] == 0) s->touched[s->ntouched++] = item;
    if (s->count[item] < UINT16_MAX) s->count[item]++;
}

/* Does a shingle count as evidence? Sets the runs of its postings when it does. */
static bool counting(const sl_bank *b, uint64_t h, size_t run[4])
{
    if (sl__bank_is_filler(b, h)) return false;
    sl__bank_base_run(b, h, &run[0], &run[1]);
    sl__bank_log_run(b, h, &run[2], &run[3]);
    size_t df = (run[1] - run[0]) + (run[3] - run[2]);
    return df > 0 && df <= b->h.stop_df;
}

/* Votes for every item of every counting shingle; returns P, the post's counting shingles. */
static size_t collect_votes(sl_bank_scratch *s, size_t u)
{
    const sl_bank *b = s->bank;
    size_t p = 0;
    for (size_t i = 0; i < u; i++) {
        size_t run[4];
        if (sl__bank_is_filler(b, s->uniq[i])) continue;
        if (!counting(b, s->uniq[i], run)) {
            /* unknown to the bank: still part of the post */
            p += run[1] == run[0] && run[3] == run[2];
            continue;
        }
        p++;
        for (size_t e = run[0]; e < run[1]; e++) vote(s, b->entries[e].item);
        for (size_t e = run[2]; e < run[3]; e++) vote(s, b->log_index[e].item);
    }
    return p;
}

static sl_status push_cand(sl_bank_scratch *s, cand c)
{
    if (s->ncand == s->ccap) {
        size_t cap = s->ccap ? s->ccap * 2 : 16;
        cand *n = realloc(s->cands, cap * sizeof *n);
        if (!n) return SL_ERR_NOMEM;
        s->cands = n;
        s->ccap = cap;
    }
    s->cands[s->ncand++] = c;
    return SL_OK;
}

static sl_status score(sl_bank_scratch *s, size_t p, float min_sim)
{
    sl_status st = SL_OK;
    s->ncand = 0;
    for (size_t t = 0; t < s->ntouched; t++) {
        uint32_t item = s->touched[t], shared = s->count[item];
        s->count[item] = 0;
        uint32_t a = sl__bank_nsh(s->bank, item);
        if (st || a == 0 || shared < MIN_SHARED || (float)shared < MIN_ITEM_SHARE * (float)a)
            continue;
        if (shared > a) shared = a;
        size_t m = a < p ? a : p;
        float sim = m ? (float)shared / (float)m : 0.0f;
        if (sim > 1.0f) sim = 1.0f;
        if (sim >= min_sim) st = push_cand(s, (cand){item, shared, sim});
    }
    s->ntouched = 0;
    return st;
}

static int cand_cmp(const void *x, const void *y)
{
    const cand *a = x, *b = y;
    if (a->sim != b->sim) return a->sim > b->sim ? -1 : 1;
    if (a->shared != b->shared) return a->shared > b->shared ? -1 : 1;
    return a->item < b->item ? -1 : a->item > b->item;
}

static bool item_has(const sl_bank *b, uint64_t h, uint32_t item)
{
    size_t run[4];
    if (!counting(b, h, run)) return false;
    size_t lo = item < b->n_base ? run[0] : run[2], hi = item < b->n_base ? run[1] : run[3];
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        uint32_t it = item < b->n_base ? b->entries[m].item : b->log_index[m].item;
        if (it == item) return true;
        if (it < item)
            lo = m + 1;
        else
            hi = m;
    }
    return false;
}

/* The view range of the post that matches the item: the largest cluster of matching shingle
 * positions plus every other cluster of at least two. */
static void span_of(sl_bank_scratch *s, uint32_t item, size_t *vs, size_t *ve)
{
    const sl_bank *b = s->bank;
    size_t n = 0, k = b->h.k;
    for (size_t p = 0; p < s->sh.nsh; p++)
        if (item_has(b, s->pos_hash[p], item)) s->hits[n++] = (uint32_t)p;
    size_t first = SIZE_MAX, last = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && s->hits[j] - s->hits[j - 1] <= SPAN_GAP) j++;
        if (j - i >= 2 || n == 1) {
            if (first == SIZE_MAX) first = s->hits[i];
            last = s->hits[j - 1];
        }
        i = j;
    }
    if (first == SIZE_MAX && n) first = s->hits[0], last = s->hits[n - 1];
    if (first == SIZE_MAX) first = last = 0;
    *vs = s->sh.wstart[first];
    *ve = s->sh.wend[last + k - 1];
}

static void to_original(const sl_view *v, size_t vs, size_t ve, uint32_t *os, uint32_t *oe)
{
    if (!v->orig_start || ve <= vs) {
        *os = (uint32_t)vs;
        *oe = (uint32_t)ve;
        return;
    }
    *os = v->orig_start[vs];
    *oe = v->orig_end[ve - 1];
}

static sl_status prepare(sl_bank_scratch *s, const sl_view *v, size_t *u)
{
    sl_status st =
        sl__shingles_build(&s->sh, v->data, v->len, s->bank->h.k, SL_BANK_MAX_POST_TOKENS);
    if (st) return st;
    size_t n = s->sh.nsh;
    if (n > s->pcap) {
        uint64_t *a = realloc(s->pos_hash, n * sizeof *a);
        if (a) s->pos_hash = a;
        uint64_t *c = realloc(s->uniq, n * sizeof *c);
        if (c) s->uniq = c;
        uint32_t *h = realloc(s->hits, n * sizeof *h);
        if (h) s->hits = h;
        if (!a || !c || !h) return SL_ERR_NOMEM;
        s->pcap = n;
    }
    for (size_t p = 0; p < n; p++) s->pos_hash[p] = s->sh.sh[p].hash;
    *u = n ? sl__shingles_distinct(s->sh.sh, n, s->uniq) : 0;
    return SL_OK;
}

sl_status sl_bank_match_view(const sl_bank *b, sl_bank_scratch *s, const sl_view *v, float min_sim,
                             sl_bank_match *out, size_t max, size_t *n)
{
    if (n) *n = 0;
    if (!b || !s || !v || !n || (max && !out) || s->bank != b || (!v->data && v->len))
        return SL_ERR_ARG;
    size_t u = 0;
    sl_status st = prepare(s, v, &u);
    if (st) return st;
    size_t p = collect_votes(s, u);
    st = score(s, p, min_sim);
    if (st) return st;
    if (s->ncand > 1) qsort(s->cands, s->ncand, sizeof *s->cands, cand_cmp);
    for (size_t i = 0; i < s->ncand && i < max; i++) {
        const cand *c = &s->cands[i];
        sl_bank_item it;
        sl__bank_item(b, c->item, &it);
        size_t vs, ve;
        span_of(s, c->item, &vs, &ve);
        sl_bank_match *m = &out[(*n)++];
        *m = (sl_bank_match){it.id,     sl_bank_kind_name(it.kind), it.source, c->sim, 0, 0,
                             c->shared, sl__bank_nsh(b, c->item)};
        to_original(v, vs, ve, &m->start, &m->end);
    }
    return SL_OK;
}

sl_status sl_bank_match_text(const sl_bank *b, sl_bank_scratch *s, const sl_text *t, float min_sim,
                             sl_bank_match *out, size_t max, size_t *n)
{
    if (n) *n = 0;
    if (!t) return SL_ERR_ARG;
    return sl_bank_match_view(b, s, sl_text_view(t, SL_VIEW_FOLD), min_sim, out, max, n);
}
