/* engine/engine_internal.h — the engine's and a scan's private state, shared by the engine's
 * files (engine.c builds, ruleset.c compiles the rule tables, stages.c detects, score.c applies
 * the policy, verdict_json.c prints, reload.c swaps engines). */
#ifndef SL_ENGINE_INTERNAL_H
#define SL_ENGINE_INTERNAL_H

#include <stdatomic.h>

#include "sangloc/bank.h"
#include "sangloc/detect.h"
#include "sangloc/engine.h"
#include "sangloc/hit.h"
#include "sangloc/matcher.h"
#include "sangloc/model.h"
#include "sangloc/text.h"
#include "sangloc/buf.h"

/* Per-post limits on what a verdict LISTS. Scoring uses every finding whatever these caps; what
 * a cap cuts is counted in the verdict's `cut` (docs/verdict.md, "truncated"). */
#define SL_MAX_VERDICT_HITS 256
#define SL_MAX_MATCHES      16  /* bank matches listed */
#define SL_MAX_SPANS        256 /* offensive spans listed */
#define SL_MAX_URLS         64  /* URL slots first tried; the buffer grows up to the next */
#define SL_MAX_URLS_SCANNED 16384
#define SL_BANK_SCORED      64 /* matches per bank scored (best first) */
/* The raw findings of one stage: room for everything the matcher can report (its cap plus one
 * per rule), so that its findings are never lost to this list. */
#define SL_MAX_RAW_HITS (SL_MATCHER_MAX_MATCHES + SL_POLICY_MAX_RULES)

/* ---- the compiled ruleset: outputs -> rules ----------------------------------------------- *
 * Every detector output, model output and bank kind has an integer id at load (its index in
 * sl__policy_detectors / sl__policy_models / sl__policy_banks); a table maps each id to the
 * policy rules that cite it, so screening never compares names against rules. */
typedef struct sl__rule_map {
    size_t nout;
    size_t *off; /* nout + 1 offsets into rules: output k cites rules[off[k] .. off[k+1]) */
    uint32_t *rules;
} sl__rule_map;

/* The rules of output k of a map. */
static inline const uint32_t *sl__rules_of(const sl__rule_map *m, size_t k, size_t *n)
{
    *n = m->off[k + 1] - m->off[k];
    return m->rules + m->off[k];
}

typedef struct sl__ruleset {
    sl__rule_map detectors; /* "marking" is listed under every "marking.<level>" */
    uint32_t *model_rules;  /* model rules in policy order (the order their hits are listed) */
    uint8_t *model_output;  /* per model rule: its output, an index in sl__policy_models */
    size_t nmodel_rules;
    sl__rule_map banks;     /* "hoax", "document", "spam" */
    uint32_t *domain_rules; /* rules with a domain list, in policy order */
    size_t ndomain_rules;
    bool *lexicon_rule; /* per policy rule: its hits are offensive spans */
} sl__ruleset;

/* Builds the tables of a loaded policy; SL_ERR_NOMEM. */
sl_status sl__ruleset_build(const sl_policy *p, sl__ruleset *out);
void sl__ruleset_free(sl__ruleset *rs);

/* Detector outputs are the first SL_DETOUT_COUNT_ names of sl__policy_detectors, in the order
 * of sl_detector_output, so a detector hit's rule_index is its output id in the ruleset. */
/* The id of a bank kind ("hoax", ...), or -1. */
long sl__bank_kind(const char *kind);

struct sl_engine {
    atomic_size_t refs; /* the owner's reference plus one per scan and per slot holder */
    sl_policy *policy;
    sl__ruleset rules;
    sl_matcher *matcher;         /* NULL when the policy has no lexicon or regex rule */
    unsigned detectors;          /* SL_DET_* bits the policy's rules use */
    sl_domain_set **domain_sets; /* per rule index; non-NULL for DOMAINS rules */
    sl_model *model;             /* NULL without a model */
    sl_bank **banks;
    char **bank_names; /* base names of the bank files (owned) */
    size_t nbanks;
    size_t max_text;
    char *versions_json;
};

struct sl_scan {
    const sl_engine *engine; /* retained for the scan's lifetime */
    sl_text *text;
    sl_hits raw; /* findings of the current stage */
    sl_matcher_scratch *matcher_scratch;
    sl_detect_scratch *detect_scratch; /* the detectors' cells, read by personal data and URLs */
    sl_model_scratch *model_scratch;
    sl_bank_scratch **bank_scratch;
    sl_verdict verdict;
    float *category_scores;
    uint32_t *listed; /* per category: hits of it in the list */
    sl_verdict_hit *hits;
    size_t nhits, hits_cap;
    uint32_t *spans; /* offensive spans, 2 per span */
    size_t nspans, spans_cap;
    sl_verdict_match *matches;
    size_t nmatches, matches_cap;
    sl_url *urls;
    size_t urls_cap;
    sl_buf json;
};

/* Runs every stage the engine has over the built text, scoring every finding and listing the
 * hits, spans and matches up to their caps. */
sl_status sl__engine_run_stages(const sl_engine *e, sl_scan *s, const char *text, size_t len);

/* Adds one finding's contribution (weight x confidence) to its category: noisy-or. */
void sl__engine_evidence(sl_scan *s, size_t category, float contribution);

/* Applies the policy to the category scores: score, action. */
void sl__engine_score(const sl_engine *e, sl_scan *s);

#endif
