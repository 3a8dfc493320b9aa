/* sangloc/engine.h — the screening engine: one post in, one explained verdict out.
 *
 * An engine is built once from a policy (and optionally a model and banks), is read-only
 * afterwards, and is shared by threads. Each thread owns an sl_scan: the scratch for one post at
 * a time (text views, hit lists, detector scratch, the verdict and its JSON). Everything a scan
 * produces lives until the next sl_engine_check() on the same scan, or sl_scan_free().
 *
 * Lifetime: an engine is reference-counted. sl_engine_new() returns it with one reference (the
 * caller's); every scan holds one more until sl_scan_free(), so an engine replaced by a reload
 * (sangloc/reload.h) stays alive until its last scan is freed. Each thread may retain/release
 * freely; the last release frees the engine.
 *
 * Data flow: text (views + offset maps) -> detectors (policy lexicons/regexes, personal data,
 * markings, URLs/domain lists, model, banks) -> policy (weights -> category scores -> action)
 * -> verdict with every hit's rule, category, span of the ORIGINAL text and policy clause. */
#ifndef SANGLOC_ENGINE_H
#define SANGLOC_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/policy.h"
#include "sangloc/status.h"

typedef struct sl_engine sl_engine;
typedef struct sl_scan sl_scan;

typedef struct sl_engine_options {
    const char *policy_path;       /* required */
    const char *model_path;        /* NULL: no model (model rules then never fire) */
    const char *const *bank_paths; /* banks to match against; may be NULL when nbanks == 0 */
    size_t nbanks;
    const char *cache_dir; /* compiled pattern cache; NULL: the default cache folder */
    size_t max_text_bytes; /* 0: the policy's limit (default 64 KiB) */
    /* Without a model, a policy with model rules is a load error (its model rules would never
     * fire); true accepts it (e.g. `check --no-model`) and sl_engine_new() then succeeds. */
    bool allow_missing_model;
} sl_engine_options;

/* One hit as shown to people: the rule, its category and clause, and the original span. */
typedef struct sl_verdict_hit {
    const char *rule;      /* policy rule id */
    const char *category;  /* category name */
    size_t category_index; /* its index in sl_engine_policy()->categories */
    const char *cite;      /* the policy clause text */
    uint32_t start, end;   /* [start, end) bytes of the original text */
    float weight;          /* the rule's weight */
    float score;           /* the detector's confidence */
    const char *detail;    /* extra evidence (bank correction source, URL host) or NULL */
    bool comment_level;    /* a judgement on the whole comment (model label): its span is the
                              extent of the words that drove it, or the whole text */
} sl_verdict_hit;

typedef struct sl_verdict_match {
    const char *bank; /* bank file name */
    const char *id, *kind, *source;
    float similarity;
    uint32_t start, end;
} sl_verdict_match;

typedef struct sl_verdict {
    bool has_error; /* the post could not be screened: action is review */
    sl_error error;
    sl_action action;
    float score;                  /* highest category score, 0..1 */
    const float *category_scores; /* one per policy category (sl_engine_policy()->categories) */
    const sl_verdict_hit *hits;
    size_t nhits;
    bool has_model; /* the fields below are set only with a model */
    int label;      /* 0 clean, 1 offensive, 2 hate */
    float probs[3];
    float constructive;
    float toxic; /* P(toxic), ViCTSD sense: docs/verdict.md */
    /* Why a label may not act (docs/verdict.md): for a label other than clean, label_acted
     * says whether a model rule citing that label fired; when none did, label_rule is the
     * policy rule that cites it (NULL when none does) and label_min_score what it needs. */
    bool label_acted;
    const char *label_rule;
    float label_min_score;
    const uint32_t *offensive_spans; /* 2 * noffensive_spans offsets, sorted, merged */
    size_t noffensive_spans;
    const sl_verdict_match *matches;
    size_t nmatches;
    uint64_t us; /* microseconds spent in sl_engine_check */
    /* Scores use every finding; the lists above have caps. truncated is set when a cap cut
     * something, and cut says how much of each kind was left out (hits also counts findings a
     * detector gave up for its own limit; urls and matches count "at least one more" as 1). */
    bool truncated;
    struct {
        size_t hits, urls, matches, spans;
    } cut;
} sl_verdict;

/* Builds an engine. Errors carry the file and line in err->message / err->line. A policy with
 * model rules but no model_path is SL_ERR_POLICY naming the rule and its line, unless
 * options->allow_missing_model. */
sl_status sl_engine_new(const sl_engine_options *options, sl_engine **out, sl_error *err);

/* Takes one more reference (atomic; any thread). Returns engine. NULL is a no-op. */
const sl_engine *sl_engine_retain(const sl_engine *engine);
/* Drops one reference; the last one frees the engine. NULL is a no-op. */
void sl_engine_release(const sl_engine *engine);
/* The same as sl_engine_release (kept for callers that own the only reference). */
void sl_engine_free(sl_engine *engine);

const sl_policy *sl_engine_policy(const sl_engine *engine);
/* A JSON object with the versions of sangloc, the policy, the model and the banks in use,
 * e.g. {"sangloc":"0.1.0","policy":"…","model":"…","banks":[…]}; engine-owned. */
const char *sl_engine_versions_json(const sl_engine *engine);
/* Were the compiled patterns loaded from the on-disk cache rather than compiled? */
bool sl_engine_patterns_cached(const sl_engine *engine);

/* A new scan scratch for one thread, holding a reference to the engine; NULL when out of
 * memory. */
sl_scan *sl_scan_new(const sl_engine *engine);
/* Frees the scan and drops its reference to the engine. */
void sl_scan_free(sl_scan *scan);

/* The engine a scan was made for. */
const sl_engine *sl_scan_engine(const sl_scan *scan);

/* Screens one text (len bytes, no terminator needed). Always produces a verdict: invalid UTF-8,
 * NUL bytes and too-large texts give a verdict with has_error (action review). Returns SL_OK,
 * or SL_ERR_NOMEM when even the verdict could not be built. *out is scan-owned.
 * A scan made for another engine: SL_ERR_ENGINE_MISMATCH, *out NULL, the scan untouched
 * (SL_ERR_ARG for NULL arguments). */
sl_status sl_engine_check(const sl_engine *engine, sl_scan *scan, const char *text, size_t len,
                          const sl_verdict **out);

/* Builds the verdict of a post that never reached the engine (malformed input line). */
const sl_verdict *sl_scan_error_verdict(sl_scan *scan, const sl_error *err);

/* The last verdict of this scan as one line of JSON (no newline), see docs/verdict.md.
 * id_json is the post id as JSON text or NULL; text/len the original text (for hit excerpts;
 * may be NULL for error verdicts). The string is scan-owned; NULL when out of memory. */
const char *sl_scan_verdict_json(sl_scan *scan, const char *id_json, const char *text, size_t len,
                                 size_t *json_len);

#endif
