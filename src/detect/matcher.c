/* The pattern matcher: whole-word literals and regexes compiled into Hyperscan databases, one
 * per (view, literal|regex), scanned over the views of a text.
 *
 * Why literals and regexes are compiled apart: literal databases (hs_compile_lit_multi) are
 * cheaper to build and report exact end offsets, so a literal's start is simply its end minus
 * its length — no start-of-match tracking, which Hyperscan charges for. Regexes are compiled
 * with HS_FLAG_SOM_LEFTMOST to get their starts.
 *
 * A scan collects raw matches (bounded), then maps each to the original text, drops matches
 * that break the whole-word or plain-only rules, merges overlapping matches of one rule, and
 * appends the survivors to the caller's hit list in text order. */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "detect/matcher_internal.h"
#include "text/utf8.h"

#define REGEX_FLAGS (HS_FLAG_UTF8 | HS_FLAG_UCP | HS_FLAG_SOM_LEFTMOST)

typedef struct raw_match {
    uint32_t pat;
    uint8_t view;
    size_t from, to; /* view bytes */
} raw_match;

typedef struct found {
    uint32_t rule;
    int32_t term;
    size_t start, end; /* original bytes */
    float score;
} found;

struct sl_matcher_scratch {
    const sl_matcher *m;
    hs_scratch_t *hs;
    raw_match *raw;
    size_t nraw;
    found *found;
    unsigned char *rule_seen; /* per rule: has a raw match this scan (kept past the cap) */
    size_t dropped;           /* raw matches given up for the cap */
    const sl_view *view;      /* the view being scanned */
    uint8_t view_kind;
};

/* ---- building ---------------------------------------------------------------------------- */

static sl_status check_spec(const sl_matcher_spec *spec, sl_error *err)
{
    if (!spec || (spec->npatterns && !spec->patterns) || (spec->nrules && !spec->rule_ids))
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "matcher: bad spec");
    if (spec->npatterns > SL_MATCHER_MAX_PATTERNS)
        return sl_error_set(err, SL_ERR_TOO_LARGE, SL_NO_POS, "matcher: more than %u patterns",
                            SL_MATCHER_MAX_PATTERNS);
    for (size_t i = 0; i < spec->nrules; i++)
        if (!spec->rule_ids[i] || strlen(spec->rule_ids[i]) >= SL_RULE_ID_MAX)
            return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "matcher: bad rule id %zu", i);
    for (size_t i = 0; i < spec->npatterns; i++) {
        const sl_matcher_pattern *p = &spec->patterns[i];
        bool regex = p->flags & SL_MATCHER_REGEX;
        if (!p->expr || !p->len || p->len > UINT32_MAX || p->rule >= spec->nrules ||
            (unsigned)p->view >= SL_VIEW_COUNT_ || (regex && memchr(p->expr, '\0', p->len)))
            return sl_error_set(err, SL_ERR_ARG, i, "matcher: bad pattern %zu", i);
    }
    return SL_OK;
}

static sl_status copy_spec(sl_matcher *m, const sl_matcher_spec *spec)
{
    m->pats = calloc(spec->npatterns ? spec->npatterns : 1, sizeof *m->pats);
    m->rule_ids = calloc(spec->nrules ? spec->nrules : 1, sizeof *m->rule_ids);
    if (!m->pats || !m->rule_ids) return SL_ERR_NOMEM;
    for (size_t i = 0; i < spec->npatterns; i++) {
        const sl_matcher_pattern *p = &spec->patterns[i];
        m->pats[i] = (sl__pattern_meta){(uint32_t)p->len, p->rule,          p->term,
                                        p->score,         (uint8_t)p->view, (uint8_t)p->flags};
    }
    for (size_t i = 0; i < spec->nrules; i++) strcpy(m->rule_ids[i], spec->rule_ids[i]);
    m->npats = spec->npatterns;
    m->nrules = spec->nrules;
    return SL_OK;
}

/* The cache key: everything that changes the compiled databases. */
static uint64_t cache_key(const sl_matcher_spec *spec)
{
    XXH64_hash_t h;
    XXH3_state_t *st = XXH3_createState();
    if (!st) return 0;
    hs_platform_info_t plat;
    memset(&plat, 0, sizeof plat);
    hs_populate_platform(&plat);
    const char *ver = hs_version();
    XXH3_64bits_reset(st);
    XXH3_64bits_update(st, "sangloc-matcher-1", 17);
    XXH3_64bits_update(st, &spec->key, sizeof spec->key);
    XXH3_64bits_update(st, ver, strlen(ver));
    XXH3_64bits_update(st, &plat, sizeof plat);
    for (size_t i = 0; i < spec->npatterns; i++) {
        const sl_matcher_pattern *p = &spec->patterns[i];
        uint32_t head[3] = {(uint32_t)p->len, (uint32_t)p->view, p->flags};
        XXH3_64bits_update(st, head, sizeof head);
        XXH3_64bits_update(st, p->expr, p->len);
    }
    h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}

static sl_status compile_error(const sl_matcher *m, const size_t *idx, hs_compile_error_t *ce,
                               sl_error *err)
{
    sl_status st;
    if (ce && ce->expression >= 0) {
        const sl__pattern_meta *p = &m->pats[idx[ce->expression]];
        st = sl_error_set(err, SL_ERR_PATTERN, idx[ce->expression], "%s, pattern %d: %s",
                          m->rule_ids[p->rule], (int)p->term, ce->message);
    } else {
        st = sl_error_set(err, SL_ERR_PATTERN, SL_NO_POS, "pattern compile failed: %s",
                          ce ? ce->message : "unknown error");
    }
    hs_free_compile_error(ce);
    return st;
}

/* Compiles the patterns of one (view, kind) group; no database when the group is empty. */
static sl_status compile_group(sl_matcher *m, const sl_matcher_spec *spec, int view, int kind,
                               size_t *idx, const char **exprs, size_t *lens, unsigned *flags,
                               unsigned *ids, sl_error *err)
{
    size_t n = 0;
    for (size_t i = 0; i < spec->npatterns; i++) {
        const sl_matcher_pattern *p = &spec->patterns[i];
        bool regex = (p->flags & SL_MATCHER_REGEX) != 0;
        if ((int)p->view != view || (int)regex != kind) continue;
        idx[n] = i;
        exprs[n] = p->expr;
        lens[n] = p->len;
        flags[n] =
            regex ? REGEX_FLAGS | ((p->flags & SL_MATCHER_CASELESS) ? HS_FLAG_CASELESS : 0) : 0;
        ids[n++] = (unsigned)i;
    }
    if (!n) return SL_OK;
    hs_compile_error_t *ce = NULL;
    hs_error_t rc;
    if (kind) /* regexes are NUL-terminated copies: see compile_all */
        rc = hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL,
                              &m->db[view][kind], &ce);
    else
        rc = hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK, NULL,
                                  &m->db[view][kind], &ce);
    return rc == HS_SUCCESS ? SL_OK : compile_error(m, idx, ce, err);
}

/* Regex expressions must be NUL-terminated for Hyperscan: copy them. */
static char **regex_copies(const sl_matcher_spec *spec)
{
    char **c = calloc(spec->npatterns ? spec->npatterns : 1, sizeof *c);
    for (size_t i = 0; c && i < spec->npatterns; i++) {
        const sl_matcher_pattern *p = &spec->patterns[i];
        if (!(p->flags & SL_MATCHER_REGEX)) continue;
        if (!(c[i] = malloc(p->len + 1))) return c; /* caller sees the NULL and fails */
        memcpy(c[i], p->expr, p->len);
        c[i][p->len] = '\0';
    }
    return c;
}

static sl_status compile_all(sl_matcher *m, const sl_matcher_spec *spec, sl_error *err)
{
    size_t n = spec->npatterns ? spec->npatterns : 1;
    size_t *idx = malloc(n * sizeof *idx), *lens = malloc(n * sizeof *lens);
    const char **exprs = malloc(n * sizeof *exprs);
    unsigned *flags = malloc(n * sizeof *flags), *ids = malloc(n * sizeof *ids);
    char **copies = regex_copies(spec);
    sl_matcher_spec local = *spec;
    sl_matcher_pattern *pats = malloc(n * sizeof *pats);
    sl_status st = SL_OK;
    if (!idx || !lens || !exprs || !flags || !ids || !copies || !pats) st = SL_ERR_NOMEM;
    for (size_t i = 0; !st && i < spec->npatterns; i++) {
        pats[i] = spec->patterns[i];
        if (pats[i].flags & SL_MATCHER_REGEX) {
            if (!copies[i])
                st = SL_ERR_NOMEM;
            else
                pats[i].expr = copies[i];
        }
    }
    local.patterns = pats;
    for (int v = 0; !st && v < SL_VIEW_COUNT_; v++)
        for (int k = 0; !st && k < SL_MATCHER_KINDS; k++)
            st = compile_group(m, &local, v, k, idx, exprs, lens, flags, ids, err);
    if (st == SL_ERR_NOMEM) sl_error_set(err, st, SL_NO_POS, "out of memory compiling patterns");
    for (size_t i = 0; copies && i < spec->npatterns; i++) free(copies[i]);
    free(copies);
    free(pats);
    free(idx);
    free(lens);
    free(exprs);
    free(flags);
    free(ids);
    return st;
}

sl_status sl_matcher_build(const sl_matcher_spec *spec, sl_matcher **out, sl_error *err)
{
    if (!out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "matcher: no output");
    *out = NULL;
    sl_status st = check_spec(spec, err);
    if (st) return st;
    sl_matcher *m = calloc(1, sizeof *m);
    if (!m || copy_spec(m, spec)) {
        sl_matcher_free(m);
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory building the matcher");
    }
    m->magic = SL_MATCHER_MAGIC;
    m->cache_key = cache_key(spec);
    bool cached = spec->cache_dir && *spec->cache_dir;
    if (cached && sl__matcher_cache_load(m, spec->cache_dir)) {
        m->from_cache = true;
    } else {
        st = compile_all(m, spec, err);
        if (st) {
            sl_matcher_free(m);
            return st;
        }
        if (cached) sl__matcher_cache_save(m, spec->cache_dir);
    }
    *out = m;
    return SL_OK;
}

void sl_matcher_free(sl_matcher *m)
{
    if (!m) return;
    for (int v = 0; v < SL_VIEW_COUNT_; v++)
        for (int k = 0; k < SL_MATCHER_KINDS; k++) hs_free_database(m->db[v][k]);
    free(m->pats);
    free(m->rule_ids);
    m->magic = 0;
    free(m);
}

bool sl_matcher_loaded_from_cache(const sl_matcher *m)
{
    return m && m->from_cache;
}

size_t sl_matcher_pattern_count(const sl_matcher *m)
{
    return m ? m->npats : 0;
}

sl_status sl_matcher_check_regex(const char *expr, bool caseless, sl_error *err)
{
    if (!expr) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no regex");
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    unsigned flags = REGEX_FLAGS | (caseless ? HS_FLAG_CASELESS : 0);
    if (hs_compile(expr, flags, HS_MODE_BLOCK, NULL, &db, &ce) == HS_SUCCESS) {
        hs_free_database(db);
        return SL_OK;
    }
    sl_status st =
        sl_error_set(err, SL_ERR_PATTERN, SL_NO_POS, "%s", ce ? ce->message : "unknown error");
    hs_free_compile_error(ce);
    return st;
}

/* ---- scratch ----------------------------------------------------------------------------- */

sl_status sl_matcher_scratch_new(const sl_matcher *m, sl_matcher_scratch **out)
{
    if (!m || !out) return SL_ERR_ARG;
    *out = NULL;
    sl_matcher_scratch *s = calloc(1, sizeof *s);
    if (!s) return SL_ERR_NOMEM;
    s->m = m;
    /* past the cap, one more match per rule is kept: room for nrules more */
    size_t room = SL_MATCHER_MAX_MATCHES + m->nrules;
    s->raw = malloc(room * sizeof *s->raw);
    s->found = malloc(room * sizeof *s->found);
    s->rule_seen = calloc(m->nrules ? m->nrules : 1, 1);
    sl_status st = s->raw && s->found && s->rule_seen ? SL_OK : SL_ERR_NOMEM;
    for (int v = 0; !st && v < SL_VIEW_COUNT_; v++)
        for (int k = 0; !st && k < SL_MATCHER_KINDS; k++)
            if (m->db[v][k] && hs_alloc_scratch(m->db[v][k], &s->hs) != HS_SUCCESS)
                st = SL_ERR_NOMEM;
    if (st) {
        sl_matcher_scratch_free(s);
        return st;
    }
    *out = s;
    return SL_OK;
}

void sl_matcher_scratch_free(sl_matcher_scratch *s)
{
    if (!s) return;
    hs_free_scratch(s->hs);
    free(s->raw);
    free(s->found);
    free(s->rule_seen);
    free(s);
}

/* ---- scanning ---------------------------------------------------------------------------- */

/* Is there a letter, digit or mark right before `at` / at `at` in the view? */
static bool word_before(const sl_view *v, size_t at)
{
    if (at == 0) return false;
    size_t i = at - 1;
    while (i > 0 && ((unsigned char)v->data[i] & 0xC0) == 0x80) i--;
    uint32_t cp;
    return sl__utf8_decode(v->data + i, at - i, &cp) && sl_text_is_word_cp(cp);
}

static bool word_after(const sl_view *v, size_t at)
{
    uint32_t cp;
    return at < v->len && sl__utf8_decode(v->data + at, v->len - at, &cp) && sl_text_is_word_cp(cp);
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *ctx)
{
    sl_matcher_scratch *s = ctx;
    const sl__pattern_meta *p = &s->m->pats[id];
    bool regex = p->flags & SL_MATCHER_REGEX;
    if (!regex) {
        if (to < p->len) return 0;
        from = to - p->len;
    }
    if ((!regex || (p->flags & SL_MATCHER_WORD)) &&
        (word_before(s->view, (size_t)from) || word_after(s->view, (size_t)to)))
        return 0;
    if (from >= to) return 0;
    /* Past the cap a flood of one rule must not hide the others: the scan goes on, keeping
     * only the first match of each rule not seen yet (at most nrules more), and counts the
     * rest as dropped. */
    if (s->nraw >= SL_MATCHER_MAX_MATCHES && s->rule_seen[p->rule]) {
        s->dropped++;
        return 0;
    }
    s->rule_seen[p->rule] = 1;
    s->raw[s->nraw++] = (raw_match){id, s->view_kind, (size_t)from, (size_t)to};
    return 0;
}

/* Does the original span carry diacritics: a combining mark, or a letter whose folded form
 * differs from its plain lowercase ("ế", "đ")? */
static bool has_diacritics(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = sl__utf8_decode(s + i, len - i, &cp);
        if (!n) n = 1;
        i += n;
        if (cp < 0x80) continue;
        uint32_t folded = sl_text_fold_cp(cp);
        if (folded < 0x80 || (cp >= 0x300 && cp <= 0x36F)) return true;
    }
    return false;
}

static int cmp_rule_start(const void *a, const void *b)
{
    const found *x = a, *y = b;
    if (x->rule != y->rule) return x->rule < y->rule ? -1 : 1;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

static int cmp_start_rule(const void *a, const void *b)
{
    const found *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return (x->rule > y->rule) - (x->rule < y->rule);
}

/* Raw view matches -> original spans, minus plain-only matches on accented text. */
static size_t map_matches(sl_matcher_scratch *s, const sl_text *text)
{
    size_t olen, n = 0;
    const char *orig = sl_text_original(text, &olen);
    for (size_t i = 0; i < s->nraw; i++) {
        const raw_match *r = &s->raw[i];
        const sl__pattern_meta *p = &s->m->pats[r->pat];
        size_t a, b;
        sl_view_span(sl_text_view(text, (sl_view_kind)r->view), r->from, r->to, &a, &b);
        if (b > olen || a >= b) continue;
        if ((p->flags & SL_MATCHER_PLAIN_ONLY) && has_diacritics(orig + a, b - a)) continue;
        s->found[n++] = (found){p->rule, p->term, a, b, p->score};
    }
    return n;
}

/* Merges overlapping matches of one rule (sorted by rule, start) in place. */
static size_t merge(found *f, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        found *last = out ? &f[out - 1] : NULL;
        if (last && last->rule == f[i].rule && f[i].start < last->end) {
            if (f[i].end > last->end) last->end = f[i].end;
            if (f[i].score > last->score) {
                last->score = f[i].score;
                last->term = f[i].term;
            }
            continue;
        }
        f[out++] = f[i];
    }
    return out;
}

static sl_status scan_views(const sl_matcher *m, sl_matcher_scratch *s, const sl_text *text)
{
    for (int v = 0; v < SL_VIEW_COUNT_; v++) {
        const sl_view *view = sl_text_view(text, (sl_view_kind)v);
        if (!view || !view->len || view->len > UINT32_MAX) continue;
        s->view = view;
        s->view_kind = (uint8_t)v;
        for (int k = 0; k < SL_MATCHER_KINDS; k++) {
            if (!m->db[v][k]) continue;
            hs_error_t rc =
                hs_scan(m->db[v][k], view->data, (unsigned)view->len, 0, s->hs, on_match, s);
            if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) return SL_ERR_INTERNAL;
        }
    }
    return SL_OK;
}

sl_status sl_matcher_scan(const sl_matcher *m, sl_matcher_scratch *s, const sl_text *text,
                          sl_hits *out)
{
    if (!m || !s || !text || !out || s->m != m || m->magic != SL_MATCHER_MAGIC) return SL_ERR_ARG;
    s->nraw = 0;
    s->dropped = 0;
    memset(s->rule_seen, 0, m->nrules);
    sl_status st = scan_views(m, s, text);
    if (st) return st;
    out->dropped += s->dropped;
    size_t n = map_matches(s, text);
    qsort(s->found, n, sizeof *s->found, cmp_rule_start);
    n = merge(s->found, n);
    qsort(s->found, n, sizeof *s->found, cmp_start_rule);
    for (size_t i = 0; !st && i < n; i++) {
        const found *f = &s->found[i];
        st = sl_hits_push_rule(out, (int32_t)f->rule, m->rule_ids[f->rule], (uint32_t)f->start,
                               (uint32_t)f->end, f->score, f->term);
    }
    return st;
}
