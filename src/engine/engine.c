/* The engine: builds every detector a policy asks for once, then screens posts with per-thread
 * scans. Screening one post is: build the text views, run each stage (policy patterns,
 * built-in detectors, domain lists, model, banks), turn raw findings into policy hits, score.
 *
 * Raw findings name either a policy rule (patterns) or a detector/output (everything else);
 * the rule tables built at load time map each detector output to the policy rules that cite
 * it, so scoring only ever sees (policy rule, span, confidence). */
#include "sangloc/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine_internal.h"
#include "engine/policy_internal.h"
#include "sangloc/buf.h"

#define SL_VERSION_STRING "0.1.0"

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- building ------------------------------------------------------------------------- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Domain sets are built from the bytes the policy read (and hashed) at load. */
static sl_status load_domain_sets(sl_engine *e, sl_error *err)
{
    const sl_policy *p = e->policy;
    e->domain_sets = calloc(p->nrules ? p->nrules : 1, sizeof *e->domain_sets);
    if (!e->domain_sets) return SL_ERR_NOMEM;
    for (size_t i = 0; i < p->nrules; i++) {
        const sl_rule *r = &p->rules[i];
        if (r->kind != SL_RULE_DOMAINS) continue;
        sl_status st = sl_domain_set_parse(r->data, r->data_len, &e->domain_sets[i], err);
        if (st) {
            if (err) err->line = r->line;
            return st;
        }
    }
    return SL_OK;
}

/* The cited files' bytes are compiled now (matcher, domain sets): a long-running engine need
 * not keep a second copy of a large lexicon. */
static void release_file_bytes(sl_policy *p)
{
    for (size_t i = 0; i < p->nrules; i++) {
        free(p->rules[i].data);
        p->rules[i].data = NULL;
        p->rules[i].data_len = 0;
    }
}

/* A model rule without a model would never fire: the policy would silently screen less than
 * it says. That is an error unless the caller asked for it. */
static sl_status check_model_rules(const sl_engine *e, const sl_engine_options *o, sl_error *err)
{
    if (e->model || o->allow_missing_model) return SL_OK;
    const sl_policy *p = e->policy;
    for (size_t i = 0; i < p->nrules; i++) {
        const sl_rule *r = &p->rules[i];
        if (r->kind != SL_RULE_MODEL) continue;
        sl_error_set(err, SL_ERR_POLICY, SL_NO_POS,
                     "rule '%.40s' uses model output '%s' but no model is loaded (give a model, "
                     "or run without one explicitly)",
                     r->id, r->source);
        if (err) err->line = r->line;
        return SL_ERR_POLICY;
    }
    return SL_OK;
}

static unsigned detectors_of_policy(const sl_policy *p)
{
    unsigned bits = 0;
    for (size_t i = 0; i < p->nrules; i++)
        if (p->rules[i].kind == SL_RULE_DETECTOR) bits |= sl_detector_bit(p->rules[i].source);
    return bits;
}

static sl_status load_banks(sl_engine *e, const sl_engine_options *o, sl_error *err)
{
    if (!o->nbanks) return SL_OK;
    e->banks = calloc(o->nbanks, sizeof *e->banks);
    e->bank_names = calloc(o->nbanks, sizeof *e->bank_names);
    if (!e->banks || !e->bank_names) return SL_ERR_NOMEM;
    for (size_t i = 0; i < o->nbanks; i++) {
        sl_status st = sl_bank_open(o->bank_paths[i], &e->banks[i], err);
        if (st) return st;
        e->nbanks++;
        /* owned: the engine may outlive the options (a reload slot builds from a copy) */
        const char *name = base_name(o->bank_paths[i]);
        size_t n = strlen(name) + 1;
        if (!(e->bank_names[i] = malloc(n))) return SL_ERR_NOMEM;
        memcpy(e->bank_names[i], name, n);
    }
    return SL_OK;
}

static sl_status build_versions(sl_engine *e)
{
    sl_buf b = {0};
    sl_status st = sl_buf_printf(&b, "{\"sangloc\":\"%s\",\"policy\":", SL_VERSION_STRING);
    char policy_version[160];
    snprintf(policy_version, sizeof policy_version, "%s@%s#%016llx",
             e->policy->name ? e->policy->name : "policy",
             e->policy->version ? e->policy->version : "0", (unsigned long long)e->policy->hash);
    if (!st) st = sl_buf_json_string(&b, policy_version, strlen(policy_version));
    if (!st) st = sl_buf_puts(&b, ",\"model\":");
    if (!st && e->model) {
        const char *mv = sl_model_version(e->model);
        st = sl_buf_json_string(&b, mv, strlen(mv));
    } else if (!st) {
        st = sl_buf_puts(&b, "null");
    }
    if (!st) st = sl_buf_puts(&b, ",\"banks\":[");
    for (size_t i = 0; !st && i < e->nbanks; i++) {
        const char *bv = sl_bank_version(e->banks[i]);
        if (i) st = sl_buf_puts(&b, ",");
        if (!st) st = sl_buf_printf(&b, "{\"name\":");
        if (!st) st = sl_buf_json_string(&b, e->bank_names[i], strlen(e->bank_names[i]));
        if (!st) st = sl_buf_puts(&b, ",\"version\":");
        if (!st) st = sl_buf_json_string(&b, bv, strlen(bv));
        if (!st) st = sl_buf_puts(&b, "}");
    }
    if (!st) st = sl_buf_puts(&b, "]}");
    if (st) {
        sl_buf_free(&b);
        return st;
    }
    e->versions_json = b.data;
    return SL_OK;
}

sl_status sl_engine_new(const sl_engine_options *o, sl_engine **out, sl_error *err)
{
    *out = NULL;
    if (!o || !o->policy_path) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no policy given");
    sl_engine *e = calloc(1, sizeof *e);
    if (!e) return SL_ERR_NOMEM;
    atomic_init(&e->refs, 1);
    sl_status st = sl__policy_load_for_engine(o->policy_path, &e->policy, err);
    if (st) goto fail;
    st = sl__ruleset_build(e->policy, &e->rules);
    if (st) goto fail;
    e->max_text = o->max_text_bytes ? o->max_text_bytes : e->policy->max_text_bytes;
    if (!e->max_text) e->max_text = 65536;
    st = sl_rules_build_matcher(e->policy, o->cache_dir, &e->matcher, err);
    if (st) goto fail;
    e->detectors = detectors_of_policy(e->policy);
    st = load_domain_sets(e, err);
    if (st) goto fail;
    release_file_bytes(e->policy);
    if (o->model_path) {
        st = sl_model_load(o->model_path, &e->model, err);
        if (st) goto fail;
    }
    st = check_model_rules(e, o, err);
    if (st) goto fail;
    st = load_banks(e, o, err);
    if (st) goto fail;
    st = build_versions(e);
    if (st) goto fail;
    *out = e;
    return SL_OK;
fail:
    if (st == SL_ERR_NOMEM && err && !err->message[0])
        sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory building the engine");
    sl_engine_free(e);
    return st;
}

static void destroy(sl_engine *e)
{
    if (e->domain_sets)
        for (size_t i = 0; i < e->policy->nrules; i++) sl_domain_set_free(e->domain_sets[i]);
    free(e->domain_sets);
    for (size_t i = 0; i < e->nbanks; i++) sl_bank_close(e->banks[i]);
    if (e->bank_names)
        for (size_t i = 0; i < e->nbanks; i++) free(e->bank_names[i]);
    free(e->banks);
    free(e->bank_names);
    sl_model_free(e->model);
    sl_matcher_free(e->matcher);
    sl__ruleset_free(&e->rules);
    sl_policy_free(e->policy);
    free(e->versions_json);
    free(e);
}

/* The reference count is the one mutable field of a built engine: it is atomic, and the engine
 * is allocated writable, so dropping the const of a shared pointer to count is sound. */
const sl_engine *sl_engine_retain(const sl_engine *engine)
{
    if (engine) atomic_fetch_add_explicit(&((sl_engine *)engine)->refs, 1, memory_order_relaxed);
    return engine;
}

void sl_engine_release(const sl_engine *engine)
{
    if (!engine) return;
    sl_engine *e = (sl_engine *)engine;
    if (atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) == 1) destroy(e);
}

void sl_engine_free(sl_engine *e)
{
    sl_engine_release(e);
}

const sl_policy *sl_engine_policy(const sl_engine *e)
{
    return e->policy;
}

const char *sl_engine_versions_json(const sl_engine *e)
{
    return e->versions_json;
}

bool sl_engine_patterns_cached(const sl_engine *e)
{
    return e->matcher && sl_matcher_loaded_from_cache(e->matcher);
}

/* ---- scans ---------------------------------------------------------------------------- */

sl_scan *sl_scan_new(const sl_engine *e)
{
    if (!e) return NULL;
    sl_scan *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->engine = sl_engine_retain(e);
    s->raw.max = SL_MAX_RAW_HITS;
    s->text = sl_text_new();
    size_t ncat = e->policy->ncategories ? e->policy->ncategories : 1;
    s->category_scores = calloc(ncat, sizeof *s->category_scores);
    s->listed = calloc(ncat, sizeof *s->listed);
    if (!s->text || !s->category_scores || !s->listed) goto fail;
    if (e->matcher && sl_matcher_scratch_new(e->matcher, &s->matcher_scratch)) goto fail;
    if ((e->detectors || e->rules.ndomain_rules) && !(s->detect_scratch = sl_detect_scratch_new()))
        goto fail;
    if (e->model && sl_model_scratch_new(e->model, &s->model_scratch)) goto fail;
    if (e->nbanks) {
        s->bank_scratch = calloc(e->nbanks, sizeof *s->bank_scratch);
        if (!s->bank_scratch) goto fail;
        for (size_t i = 0; i < e->nbanks; i++)
            if (sl_bank_scratch_new(e->banks[i], &s->bank_scratch[i])) goto fail;
    }
    return s;
fail:
    sl_scan_free(s);
    return NULL;
}

void sl_scan_free(sl_scan *s)
{
    if (!s) return;
    sl_text_free(s->text);
    sl_hits_free(&s->raw);
    if (s->matcher_scratch) sl_matcher_scratch_free(s->matcher_scratch);
    sl_detect_scratch_free(s->detect_scratch);
    if (s->model_scratch) sl_model_scratch_free(s->model_scratch);
    if (s->bank_scratch)
        for (size_t i = 0; i < s->engine->nbanks; i++) sl_bank_scratch_free(s->bank_scratch[i]);
    free(s->bank_scratch);
    free(s->category_scores);
    free(s->listed);
    free(s->hits);
    free(s->spans);
    free(s->matches);
    free(s->urls);
    sl_buf_free(&s->json);
    const sl_engine *e = s->engine;
    free(s);
    sl_engine_release(e); /* last: the scratches above belonged to its matcher, model, banks */
}

const sl_engine *sl_scan_engine(const sl_scan *s)
{
    return s->engine;
}

static void reset_verdict(sl_scan *s)
{
    memset(&s->verdict, 0, sizeof s->verdict);
    memset(s->category_scores, 0, s->engine->policy->ncategories * sizeof *s->category_scores);
    memset(s->listed, 0, s->engine->policy->ncategories * sizeof *s->listed);
    s->verdict.category_scores = s->category_scores;
    s->nhits = 0;
    s->nspans = 0;
    s->nmatches = 0;
    sl_hits_clear(&s->raw);
}

const sl_verdict *sl_scan_error_verdict(sl_scan *s, const sl_error *err)
{
    reset_verdict(s);
    s->verdict.has_error = true;
    s->verdict.error = *err;
    s->verdict.action = SL_ACTION_REVIEW; /* unscreened content waits for a person */
    return &s->verdict;
}

sl_status sl_engine_check(const sl_engine *e, sl_scan *s, const char *text, size_t len,
                          const sl_verdict **out)
{
    if (out) *out = NULL;
    if (!e || !s || !out || (!text && len)) return SL_ERR_ARG;
    if (s->engine != e) return SL_ERR_ENGINE_MISMATCH; /* its scratch is sized for another */
    uint64_t t0 = now_us();
    reset_verdict(s);
    sl_error err = {0};
    if (len > e->max_text) {
        sl_error_set(&err, SL_ERR_TOO_LARGE, e->max_text,
                     "text is %zu bytes, above the limit of %zu", len, e->max_text);
        *out = sl_scan_error_verdict(s, &err);
        return SL_OK;
    }
    sl_status st = sl_text_build(s->text, text, len, &err);
    if (st == SL_OK) st = sl__engine_run_stages(e, s, text, len);
    if (st == SL_OK) sl__engine_score(e, s);
    if (st && st != SL_ERR_NOMEM) {
        if (!err.code) sl_error_set(&err, st, SL_NO_POS, "%s", sl_strerror(st));
        *out = sl_scan_error_verdict(s, &err);
        s->verdict.us = now_us() - t0;
        return SL_OK;
    }
    if (st) return st;
    s->verdict.us = now_us() - t0;
    *out = &s->verdict;
    return SL_OK;
}
