/* sangloc/policy.h — an organization's posting policy, parsed from a YAML file.
 *
 * The file format is documented in docs/policy.md. A policy declares categories, rules (each
 * with an id, a category, a weight and the clause it enforces), lexicon files and regexes,
 * detector switches, thresholds that map category scores to actions, and test cases.
 *
 * Scoring (applied by the engine): a hit of rule r with detector confidence c contributes
 * p = weight(r) * c to its category; a category's score is the noisy-or 1 - prod(1 - p) of its
 * hits; the post's score is the highest category score. The action is the strongest whose
 * threshold the post's category scores reach (per-category thresholds override the defaults).
 *
 * Lifetime: sl_policy_load() returns a policy owning all its strings; sl_policy_free() frees
 * it. A loaded policy is read-only and may be shared by threads. */
#ifndef SANGLOC_POLICY_H
#define SANGLOC_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/status.h"

typedef enum sl_action {
    SL_ACTION_ALLOW = 0,
    SL_ACTION_WARN = 1,   /* tell the author */
    SL_ACTION_REVIEW = 2, /* hold for a person */
    SL_ACTION_HIDE = 3,   /* hide until a person reviews */
    SL_ACTION_COUNT_ = 4
} sl_action;

const char *sl_action_name(sl_action action); /* "allow", "warn", "review", "hide" */
/* Parses an action name; returns -1 for an unknown one. */
int sl_action_parse(const char *name, size_t len);

/* Thresholds: the minimum score for warn, review, hide (index by sl_action; [0] unused).
 * A threshold above 1 disables that action. */
typedef struct sl_thresholds {
    float at[SL_ACTION_COUNT_];
} sl_thresholds;

typedef struct sl_category {
    char *name;          /* e.g. "insult", "personal_data" */
    char *description;   /* may be NULL */
    bool has_thresholds; /* when false the policy's defaults apply */
    sl_thresholds thresholds;
    size_t line; /* line in the policy file */
} sl_category;

/* What makes a rule fire. */
typedef enum sl_rule_kind {
    SL_RULE_LEXICON = 0,  /* terms from a file, matched on norm and fold views */
    SL_RULE_REGEX = 1,    /* a regular expression (Hyperscan syntax) on a chosen view */
    SL_RULE_DETECTOR = 2, /* a built-in detector, e.g. "pii.phone", "marking.mat" */
    SL_RULE_MODEL = 3,    /* a model output: "offensive", "hate", "toxic", "spans" */
    SL_RULE_BANK = 4,     /* a bank match of a kind: "hoax", "document", "spam" */
    SL_RULE_DOMAINS = 5   /* URLs whose host is in a domain list file */
} sl_rule_kind;

typedef struct sl_rule {
    char *id;        /* unique, e.g. "insult.profanity" */
    size_t category; /* index into sl_policy.categories */
    float weight;    /* 0..1 */
    char *clause;    /* the policy clause text shown to authors */
    sl_rule_kind kind;
    char *source;       /* LEXICON: resolved file path; REGEX: the pattern; DETECTOR/MODEL/BANK:
                           the detector/output/kind name; DOMAINS: resolved file path */
    int view;           /* REGEX: an sl_view_kind; others: -1 */
    bool caseless;      /* REGEX only */
    float min_score;    /* MODEL and BANK: fire only at or above this probability/similarity */
    size_t line;        /* line in the policy file */
    size_t source_line; /* line of its lexicon/regex/detector/... key (errors in the source) */
    bool word;          /* REGEX: the match must start and end at word boundaries (default) */
    char *data;         /* LEXICON, DOMAINS: the file's bytes as read (once) at load and hashed
                           into the policy version; what the engine compiles. NUL-terminated.
                           An engine frees them once compiled (NULL in sl_engine_policy()). */
    size_t data_len;
} sl_rule;

typedef struct sl_policy_case {
    char *text;
    sl_action expect;
    size_t line;
} sl_policy_case;

/* Settings an organization may tune: the optional `settings:` map of the policy file
 * (docs/policy.md). Each has one default, below, and is read nowhere else. */
#define SL_POLICY_DEFAULT_FOLD_CONFIDENCE 0.9f
/* bank_min_similarity defaults to SL_BANK_DEFAULT_MIN_SIMILARITY (sangloc/bank.h), the value
 * `sangloc bank match` uses too. */
typedef struct sl_policy_settings {
    float bank_min_similarity; /* bank matches below this similarity are not reported */
    float fold_confidence;     /* a lexicon term matched only without diacritics (FOLD view)
                                  counts with its confidence x this */
    int appeal_days;           /* how long an author (or reporter) may appeal a decision, in
                                  days from its notice: SL_POLICY_DEFAULT_APPEAL_DAYS */
} sl_policy_settings;
#define SL_POLICY_DEFAULT_APPEAL_DAYS 14
#define SL_POLICY_MAX_APPEAL_DAYS     365

typedef struct sl_policy {
    char *path; /* the file it was loaded from */
    char *name;
    char *version; /* the policy's own version string */
    uint64_t hash; /* XXH3 of the file and every file it references */
    sl_thresholds thresholds;
    sl_category *categories;
    size_t ncategories;
    sl_rule *rules;
    size_t nrules;
    sl_policy_case *cases;
    size_t ncases;
    size_t max_text_bytes; /* posts above this get an error verdict; default 65536 */
    sl_policy_settings settings;
} sl_policy;

/* Loads and validates a policy file. Relative file names inside it resolve against the
 * policy's folder. On error returns NULL-out, the status, and err with line (err->line) and
 * a message naming the problem (unknown key, bad regex, duplicate id, ...). */
sl_status sl_policy_load(const char *path, sl_policy **out, sl_error *err);

/* Like sl_policy_load but reports every problem: calls report() once per problem found (the
 * error's line and message filled), and returns SL_OK only when there was none. */
sl_status sl_policy_lint(const char *path, void (*report)(const sl_error *err, void *ctx),
                         void *ctx);

void sl_policy_free(sl_policy *policy);

/* Index of a category by name, or -1. */
long sl_policy_category(const sl_policy *policy, const char *name);

/* ---- additions (policy owner) ------------------------------------------------------------ */

/* Limits: a policy past these is rejected with SL_ERR_TOO_LARGE (file sizes) or SL_ERR_POLICY. */
#define SL_POLICY_MAX_FILE_BYTES  (4u * 1024u * 1024u)  /* the YAML file */
#define SL_POLICY_MAX_LIST_BYTES  (16u * 1024u * 1024u) /* each lexicon or domain list */
#define SL_POLICY_MAX_RULES       4096
#define SL_POLICY_MAX_CATEGORIES  256
#define SL_POLICY_MAX_CASES       10000
#define SL_POLICY_MAX_REGEX_BYTES 2048
#define SL_POLICY_MAX_TERM_BYTES  256    /* one lexicon term */
#define SL_POLICY_MAX_TERMS       200000 /* terms in one lexicon */

/* Parses a policy held in memory (data need not be NUL-terminated). Relative file names in it
 * resolve against base_dir (NULL: the current folder). policy->path is set to `label` (may be
 * NULL). Stops at the first problem, like sl_policy_load(). Used by the fuzz target. */
sl_status sl_policy_parse_buffer(const char *data, size_t len, const char *base_dir,
                                 const char *label, sl_policy **out, sl_error *err);

/* Like sl_policy_lint() on a policy held in memory. */
sl_status sl_policy_lint_buffer(const char *data, size_t len, const char *base_dir,
                                void (*report)(const sl_error *err, void *ctx), void *ctx);

/* Compiles the lexicon and regex rules of a policy into one matcher (src/engine/rules.c; the
 * matcher API is in sangloc/matcher.h). Each lexicon term is normalized by the text layer and
 * matched as a whole word on the NORM view (score 1) and, unless the term is marked exact, on
 * the FOLD view where the post has no diacritics (score x settings.fold_confidence, default
 * 0.9); regexes on their declared view. Lexicons are compiled from rule->data (the bytes read
 * and hashed at load): no file is read again.
 * Hits carry the policy rule id and pattern = the term's 0-based index in its lexicon (the
 * regex rule's index 0). cache_dir: where compiled databases are kept (NULL: the default
 * $XDG_CACHE_HOME/sangloc or ~/.cache/sangloc; "": no cache); failing to write it is not an
 * error. *out is set to NULL (and SL_OK returned) when the policy has no lexicon or regex rule.
 * The matcher does not point into the policy: the policy may be freed first. */
typedef struct sl_matcher sl_matcher;
sl_status sl_rules_build_matcher(const sl_policy *policy, const char *cache_dir, sl_matcher **out,
                                 sl_error *err);

#endif
