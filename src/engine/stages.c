/* The detection stages of one post, in order: policy patterns (lexicons, regexes), built-in
 * detectors (personal data, markings), domain lists, the model, the banks. Each stage turns
 * its raw findings into policy hits: (rule index, original span, confidence, evidence), through
 * the engine's compiled ruleset (a pattern hit carries its rule index; a detector output, model
 * output or bank kind has an id and a precomputed list of the rules citing it). Every hit
 * counts in its category's score at once; the verdict's list of hits is capped. */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"

static sl_status grow(void **items, size_t *cap, size_t need, size_t size, size_t max)
{
    if (need <= *cap) return SL_OK;
    size_t n = *cap ? *cap * 2 : 16;
    if (n < need) n = need;
    if (n > max) n = max;
    void *p = realloc(*items, n * size);
    if (!p) return SL_ERR_NOMEM;
    *items = p;
    *cap = n;
    return SL_OK;
}

static sl_status add_span(sl_scan *s, uint32_t start, uint32_t end)
{
    if (end <= start) return SL_OK;
    if (s->nspans >= SL_MAX_SPANS) {
        s->verdict.cut.spans++;
        return SL_OK;
    }
    sl_status st = grow((void **)&s->spans, &s->spans_cap, 2 * (s->nspans + 1), sizeof *s->spans,
                        2 * SL_MAX_SPANS);
    if (st) return st;
    s->spans[2 * s->nspans] = start;
    s->spans[2 * s->nspans + 1] = end;
    s->nspans++;
    return SL_OK;
}

static void fill_hit(const sl_policy *p, sl_verdict_hit *h, size_t rule, uint32_t start,
                     uint32_t end, float score, const char *detail, bool comment_level)
{
    const sl_rule *r = &p->rules[rule];
    h->rule = r->id;
    h->category = p->categories[r->category].name;
    h->category_index = r->category;
    h->cite = r->clause;
    h->start = start;
    h->end = end;
    h->weight = r->weight;
    h->score = score;
    h->detail = detail;
    h->comment_level = comment_level;
}

/* A full list keeps one hit of every category that has evidence: the newest hit of a category
 * listed several times makes room. Returns where, or -1 when no category has a spare hit. */
static long make_room(const sl_scan *s)
{
    for (size_t i = s->nhits; i-- > 0;)
        if (s->listed[s->hits[i].category_index] > 1) return (long)i;
    return -1;
}

/* One finding of a policy rule: it always counts in its category's score; it is listed while
 * the list has room (or when its category would otherwise be missing from the list). */
static sl_status add_hit(sl_scan *s, size_t rule, uint32_t start, uint32_t end, float score,
                         const char *detail, bool comment_level)
{
    const sl_policy *p = s->engine->policy;
    const sl_rule *r = &p->rules[rule];
    score = score < 0 ? 0 : score > 1 ? 1 : score;
    sl__engine_evidence(s, r->category, r->weight * score);
    if (s->nhits >= SL_MAX_VERDICT_HITS) {
        s->verdict.cut.hits++;
        long at = s->listed[r->category] ? -1 : make_room(s);
        if (at < 0) return SL_OK;
        sl_verdict_hit *h = &s->hits[at];
        s->listed[h->category_index]--;
        s->listed[r->category]++;
        fill_hit(p, h, rule, start, end, score, detail, comment_level);
        return SL_OK;
    }
    sl_status st =
        grow((void **)&s->hits, &s->hits_cap, s->nhits + 1, sizeof *s->hits, SL_MAX_VERDICT_HITS);
    if (st) return st;
    fill_hit(p, &s->hits[s->nhits++], rule, start, end, score, detail, comment_level);
    s->listed[r->category]++;
    return SL_OK;
}

/* Findings a detector gave up for a limit of its own are reported, not forgotten. */
static void count_dropped(sl_scan *s)
{
    s->verdict.cut.hits += s->raw.dropped;
}

static sl_status stage_patterns(const sl_engine *e, sl_scan *s)
{
    if (!e->matcher) return SL_OK;
    sl_hits_clear(&s->raw);
    sl_status st = sl_matcher_scan(e->matcher, s->matcher_scratch, s->text, &s->raw);
    const sl_policy *p = e->policy;
    for (size_t i = 0; !st && i < s->raw.count; i++) {
        const sl_hit *h = &s->raw.items[i];
        if (h->rule_index < 0 || (size_t)h->rule_index >= p->nrules) continue; /* never */
        size_t r = (size_t)h->rule_index;
        st = add_hit(s, r, h->start, h->end, h->score, NULL, false);
        if (!st && e->rules.lexicon_rule[r]) st = add_span(s, h->start, h->end);
    }
    count_dropped(s);
    return st;
}

static sl_status stage_detectors(const sl_engine *e, sl_scan *s)
{
    if (!e->detectors) return SL_OK;
    sl_hits_clear(&s->raw);
    sl_status st = sl_detect_run_prepared(s->detect_scratch, e->detectors, &s->raw);
    for (size_t i = 0; !st && i < s->raw.count; i++) {
        const sl_hit *h = &s->raw.items[i];
        /* a detector hit carries its output's index, which is its index in the ruleset's map */
        if (h->rule_index < 0 || h->rule_index >= SL_DETOUT_COUNT_) continue;
        size_t last = (size_t)h->rule_index;
        size_t n;
        const uint32_t *rules = sl__rules_of(&e->rules.detectors, last, &n);
        for (size_t k = 0; !st && k < n; k++)
            st = add_hit(s, rules[k], h->start, h->end, h->score, NULL, false);
    }
    count_dropped(s);
    return st;
}

/* Every URL of the post is looked up: the buffer grows while it comes back full. */
static sl_status find_urls(sl_scan *s, size_t *n)
{
    size_t cap = s->urls_cap ? s->urls_cap : SL_MAX_URLS;
    for (;;) {
        if (cap > s->urls_cap) {
            sl_url *u = realloc(s->urls, cap * sizeof *u);
            if (!u) return SL_ERR_NOMEM;
            s->urls = u;
            s->urls_cap = cap;
        }
        *n = sl_detect_urls_prepared(s->detect_scratch, s->urls, s->urls_cap);
        if (*n < s->urls_cap) return SL_OK;
        if (s->urls_cap >= SL_MAX_URLS_SCANNED) break;
        cap = s->urls_cap * 2;
    }
    s->verdict.cut.urls++; /* at least one more URL was not looked up */
    return SL_OK;
}

static sl_status stage_domains(const sl_engine *e, sl_scan *s, const char *text)
{
    if (!e->rules.ndomain_rules) return SL_OK;
    size_t n = 0;
    sl_status st = find_urls(s, &n);
    for (size_t u = 0; !st && u < n; u++) {
        const sl_url *url = &s->urls[u];
        for (size_t k = 0; !st && k < e->rules.ndomain_rules; k++) {
            uint32_t r = e->rules.domain_rules[k];
            if (sl_domain_set_contains(e->domain_sets[r], text + url->host_start,
                                       url->host_end - url->host_start))
                st = add_hit(s, r, url->start, url->end, 1.0f, NULL, false);
        }
    }
    return st;
}

/* The span a comment-level model finding points at: the tagger's spans when it found any,
 * else the whole text. */
static void model_extent(const sl_prediction *pred, size_t len, uint32_t *start, uint32_t *end)
{
    *start = 0;
    *end = (uint32_t)len;
    if (!pred->nspans) return;
    *start = pred->spans[0];
    *end = pred->spans[2 * pred->nspans - 1];
}

/* Model outputs in the order of sl__policy_models: offensive, hate, toxic, spans. */
enum { OUT_OFFENSIVE, OUT_HATE, OUT_TOXIC, OUT_SPANS, OUT_MODEL_COUNT };

static sl_status stage_model(const sl_engine *e, sl_scan *s, size_t len)
{
    if (!e->model) return SL_OK;
    sl_prediction pred;
    sl_status st = sl_model_predict(e->model, s->model_scratch, s->text, &pred);
    if (st) return st;
    sl_verdict *v = &s->verdict;
    v->has_model = true;
    v->label = pred.label;
    memcpy(v->probs, pred.probs, sizeof v->probs);
    v->constructive = pred.constructive;
    v->toxic = pred.toxic;
    for (size_t i = 0; !st && i < pred.nspans; i++)
        st = add_span(s, pred.spans[2 * i], pred.spans[2 * i + 1]);
    const float value[OUT_MODEL_COUNT] = {pred.probs[1], pred.probs[2], pred.toxic, pred.toxic};
    const sl_policy *p = e->policy;
    uint32_t start, end;
    model_extent(&pred, len, &start, &end);
    /* the model output of the label, so the verdict can say whether a rule acted on it */
    size_t label_out = pred.label == 1   ? OUT_OFFENSIVE
                       : pred.label == 2 ? OUT_HATE
                                         : OUT_MODEL_COUNT;
    for (size_t k = 0; !st && k < e->rules.nmodel_rules; k++) {
        size_t r = e->rules.model_rules[k], out = e->rules.model_output[k];
        if (out == label_out && !v->label_acted) {
            bool fires = value[out] >= p->rules[r].min_score;
            if (fires || !v->label_rule || p->rules[r].min_score < v->label_min_score) {
                v->label_rule = fires ? NULL : p->rules[r].id;
                v->label_min_score = fires ? 0 : p->rules[r].min_score;
            }
            v->label_acted = fires;
        }
        if (out >= OUT_MODEL_COUNT || value[out] < p->rules[r].min_score) continue;
        if (out != OUT_SPANS) {
            st = add_hit(s, r, start, end, value[out], NULL, true);
            continue;
        }
        for (size_t i = 0; !st && i < pred.nspans; i++)
            st = add_hit(s, r, pred.spans[2 * i], pred.spans[2 * i + 1], value[out], NULL, false);
    }
    return st;
}

static sl_status record_match(sl_scan *s, const char *bank, const sl_bank_match *m)
{
    if (s->nmatches >= SL_MAX_MATCHES) {
        s->verdict.cut.matches++;
        return SL_OK;
    }
    sl_status st = grow((void **)&s->matches, &s->matches_cap, s->nmatches + 1, sizeof *s->matches,
                        SL_MAX_MATCHES);
    if (st) return st;
    sl_verdict_match *vm = &s->matches[s->nmatches++];
    vm->bank = bank;
    vm->id = m->id;
    vm->kind = m->kind;
    vm->source = m->source;
    vm->similarity = m->similarity;
    vm->start = m->start;
    vm->end = m->end;
    return SL_OK;
}

static sl_status stage_banks(const sl_engine *e, sl_scan *s)
{
    const sl_policy *p = e->policy;
    sl_bank_match found[SL_BANK_SCORED];
    sl_status st = SL_OK;
    for (size_t b = 0; !st && b < e->nbanks; b++) {
        size_t n = 0;
        st = sl_bank_match_text(e->banks[b], s->bank_scratch[b], s->text,
                                p->settings.bank_min_similarity, found, SL_BANK_SCORED, &n);
        if (!st && n == SL_BANK_SCORED) s->verdict.cut.matches++; /* maybe more, not scored */
        for (size_t i = 0; !st && i < n; i++) {
            st = record_match(s, e->bank_names[b], &found[i]);
            long kind = sl__bank_kind(found[i].kind);
            if (st || kind < 0) continue;
            size_t nr;
            const uint32_t *rules = sl__rules_of(&e->rules.banks, (size_t)kind, &nr);
            for (size_t k = 0; !st && k < nr; k++) {
                if (found[i].similarity < p->rules[rules[k]].min_score) continue;
                st = add_hit(s, rules[k], found[i].start, found[i].end, found[i].similarity,
                             found[i].source, false);
            }
        }
    }
    return st;
}

static int compare_spans(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* Sorts the offensive spans and merges the ones that overlap or touch. */
static void merge_spans(sl_scan *s)
{
    if (s->nspans < 2) return;
    qsort(s->spans, s->nspans, 2 * sizeof *s->spans, compare_spans);
    size_t out = 0;
    for (size_t i = 1; i < s->nspans; i++) {
        uint32_t *last = &s->spans[2 * out];
        const uint32_t *cur = &s->spans[2 * i];
        if (cur[0] <= last[1]) {
            if (cur[1] > last[1]) last[1] = cur[1];
        } else {
            out++;
            s->spans[2 * out] = cur[0];
            s->spans[2 * out + 1] = cur[1];
        }
    }
    s->nspans = out + 1;
}

sl_status sl__engine_run_stages(const sl_engine *e, sl_scan *s, const char *text, size_t len)
{
    sl_status st = stage_patterns(e, s);
    /* personal data and URLs read the same cells of the NFC view: built once per post */
    if (!st && s->detect_scratch) st = sl_detect_prepare(s->detect_scratch, s->text);
    if (!st) st = stage_detectors(e, s);
    if (!st) st = stage_domains(e, s, text);
    if (!st) st = stage_model(e, s, len);
    if (!st) st = stage_banks(e, s);
    if (st) return st;
    merge_spans(s);
    sl_verdict *v = &s->verdict;
    v->hits = s->hits;
    v->nhits = s->nhits;
    v->offensive_spans = s->spans;
    v->noffensive_spans = s->nspans;
    v->matches = s->matches;
    v->nmatches = s->nmatches;
    v->truncated = v->cut.hits || v->cut.urls || v->cut.matches || v->cut.spans;
    return SL_OK;
}
