/* The detection stages of one post, in order: policy patterns (lexicons, regexes), built-in
 * detectors (personal data, markings), domain lists, the model, the banks. Each stage turns
 * its raw findings into policy hits: (rule index, original span, confidence, evidence). */
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
    if (end <= start || s->nspans >= SL_MAX_SPANS) return SL_OK;
    sl_status st = grow((void **)&s->spans, &s->spans_cap, 2 * (s->nspans + 1), sizeof *s->spans,
                        2 * SL_MAX_SPANS);
    if (st) return st;
    s->spans[2 * s->nspans] = start;
    s->spans[2 * s->nspans + 1] = end;
    s->nspans++;
    return SL_OK;
}

static sl_status add_hit(sl_scan *s, size_t rule, uint32_t start, uint32_t end, float score,
                         const char *detail, bool comment_level)
{
    if (s->nhits >= SL_MAX_VERDICT_HITS) return SL_OK;
    sl_status st =
        grow((void **)&s->hits, &s->hits_cap, s->nhits + 1, sizeof *s->hits, SL_MAX_VERDICT_HITS);
    if (st) return st;
    const sl_policy *p = s->engine->policy;
    const sl_rule *r = &p->rules[rule];
    sl_verdict_hit *h = &s->hits[s->nhits++];
    h->rule = r->id;
    h->category = p->categories[r->category].name;
    h->category_index = r->category;
    h->cite = r->clause;
    h->start = start;
    h->end = end;
    h->weight = r->weight;
    h->score = score < 0 ? 0 : score > 1 ? 1 : score;
    h->detail = detail;
    h->comment_level = comment_level;
    return SL_OK;
}

static long rule_by_id(const sl_policy *p, const char *id)
{
    for (size_t i = 0; i < p->nrules; i++)
        if (!strcmp(p->rules[i].id, id)) return (long)i;
    return -1;
}

static sl_status stage_patterns(const sl_engine *e, sl_scan *s)
{
    if (!e->matcher) return SL_OK;
    sl_hits_clear(&s->raw);
    sl_status st = sl_matcher_scan(e->matcher, s->matcher_scratch, s->text, &s->raw);
    for (size_t i = 0; !st && i < s->raw.count; i++) {
        const sl_hit *h = &s->raw.items[i];
        long r = rule_by_id(e->policy, h->rule);
        if (r < 0) continue;
        st = add_hit(s, (size_t)r, h->start, h->end, h->score, NULL, false);
        if (!st && e->policy->rules[r].kind == SL_RULE_LEXICON) st = add_span(s, h->start, h->end);
    }
    return st;
}

/* Does a policy rule citing detector `source` cover the finding `found`? "marking" covers
 * every "marking.<level>". */
static bool detector_covers(const char *source, const char *found)
{
    if (!strcmp(source, found)) return true;
    size_t n = strlen(source);
    return !strncmp(source, found, n) && found[n] == '.';
}

static sl_status stage_detectors(const sl_engine *e, sl_scan *s)
{
    if (!e->detectors) return SL_OK;
    sl_hits_clear(&s->raw);
    sl_status st = sl_detect_run(s->text, e->detectors, &s->raw);
    const sl_policy *p = e->policy;
    for (size_t i = 0; !st && i < s->raw.count; i++) {
        const sl_hit *h = &s->raw.items[i];
        for (size_t r = 0; !st && r < p->nrules; r++)
            if (p->rules[r].kind == SL_RULE_DETECTOR &&
                detector_covers(p->rules[r].source, h->rule))
                st = add_hit(s, r, h->start, h->end, h->score, NULL, false);
    }
    return st;
}

static sl_status stage_domains(const sl_engine *e, sl_scan *s, const char *text)
{
    if (!e->has_domains) return SL_OK;
    size_t n = sl_detect_urls(s->text, s->urls, SL_MAX_URLS);
    const sl_policy *p = e->policy;
    sl_status st = SL_OK;
    for (size_t u = 0; !st && u < n; u++) {
        const sl_url *url = &s->urls[u];
        for (size_t r = 0; !st && r < p->nrules; r++) {
            if (!e->domain_sets[r]) continue;
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

static float model_output(const sl_prediction *pred, const char *name)
{
    if (!strcmp(name, "offensive")) return pred->probs[1];
    if (!strcmp(name, "hate")) return pred->probs[2];
    if (!strcmp(name, "toxic") || !strcmp(name, "spans")) return pred->toxic;
    return 0;
}

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
    const sl_policy *p = e->policy;
    uint32_t start, end;
    model_extent(&pred, len, &start, &end);
    for (size_t r = 0; !st && r < p->nrules; r++) {
        const sl_rule *rule = &p->rules[r];
        if (rule->kind != SL_RULE_MODEL) continue;
        float score = model_output(&pred, rule->source);
        if (score < rule->min_score) continue;
        if (strcmp(rule->source, "spans")) {
            st = add_hit(s, r, start, end, score, NULL, true);
            continue;
        }
        for (size_t i = 0; !st && i < pred.nspans; i++)
            st = add_hit(s, r, pred.spans[2 * i], pred.spans[2 * i + 1], score, NULL, false);
    }
    return st;
}

static sl_status record_match(sl_scan *s, const char *bank, const sl_bank_match *m)
{
    if (s->nmatches >= SL_MAX_MATCHES) return SL_OK;
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
    sl_bank_match found[SL_MAX_MATCHES];
    sl_status st = SL_OK;
    for (size_t b = 0; !st && b < e->nbanks; b++) {
        size_t n = 0;
        st = sl_bank_match_text(e->banks[b], s->bank_scratch[b], s->text,
                                SL_BANK_DEFAULT_MIN_SIMILARITY, found, SL_MAX_MATCHES, &n);
        for (size_t i = 0; !st && i < n; i++) {
            st = record_match(s, e->bank_names[b], &found[i]);
            for (size_t r = 0; !st && r < p->nrules; r++) {
                const sl_rule *rule = &p->rules[r];
                if (rule->kind != SL_RULE_BANK || strcmp(rule->source, found[i].kind)) continue;
                if (found[i].similarity < rule->min_score) continue;
                st = add_hit(s, r, found[i].start, found[i].end, found[i].similarity,
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
    return SL_OK;
}
