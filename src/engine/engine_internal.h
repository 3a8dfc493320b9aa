/* engine/engine_internal.h — the engine's and a scan's private state, shared by the engine's
 * files (engine.c builds, stages.c detects, score.c applies the policy, verdict_json.c prints). */
#ifndef SL_ENGINE_INTERNAL_H
#define SL_ENGINE_INTERNAL_H

#include "sangloc/bank.h"
#include "sangloc/detect.h"
#include "sangloc/engine.h"
#include "sangloc/hit.h"
#include "sangloc/matcher.h"
#include "sangloc/model.h"
#include "sangloc/text.h"
#include "util/buf.h"

/* Per-post limits: a post past these is already flagged; more evidence adds nothing. */
#define SL_MAX_VERDICT_HITS 256
#define SL_MAX_URLS         64
#define SL_MAX_MATCHES      16
#define SL_MAX_SPANS        256

struct sl_engine {
    sl_policy *policy;
    sl_matcher *matcher;         /* NULL when the policy has no lexicon or regex rule */
    unsigned detectors;          /* SL_DET_* bits the policy's rules use */
    sl_domain_set **domain_sets; /* per rule index; non-NULL for DOMAINS rules */
    bool has_domains;
    sl_model *model; /* NULL without a model */
    sl_bank **banks;
    const char **bank_names; /* base names of the bank files (point into options) */
    size_t nbanks;
    size_t max_text;
    char *versions_json;
};

struct sl_scan {
    const sl_engine *engine;
    sl_text *text;
    sl_hits raw; /* findings of the current stage */
    sl_matcher_scratch *matcher_scratch;
    sl_model_scratch *model_scratch;
    sl_bank_scratch **bank_scratch;
    sl_verdict verdict;
    float *category_scores;
    sl_verdict_hit *hits;
    size_t nhits, hits_cap;
    uint32_t *spans; /* offensive spans, 2 per span */
    size_t nspans, spans_cap;
    sl_verdict_match *matches;
    size_t nmatches, matches_cap;
    sl_url urls[SL_MAX_URLS];
    sl_buf json;
};

/* Runs every stage the engine has over the built text, filling the scan's hits, spans and
 * matches. */
sl_status sl__engine_run_stages(const sl_engine *e, sl_scan *s, const char *text, size_t len);

/* Applies the policy to the scan's hits: category scores, score, action. */
void sl__engine_score(const sl_engine *e, sl_scan *s);

#endif
