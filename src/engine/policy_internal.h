/* engine/policy_internal.h — shared by the policy parser (policy.c, policy_yaml.c), the lexicon
 * file reader (policy_lexicon.c) and the rule compiler (rules.c). */
#ifndef SL_ENGINE_POLICY_INTERNAL_H
#define SL_ENGINE_POLICY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "sangloc/policy.h"

/* Where problems go. With fn == NULL the parse stops at the first problem (load); otherwise
 * every problem is passed to fn (lint). `first` keeps the first problem either way. */
typedef struct sl__report {
    void (*fn)(const sl_error *err, void *ctx);
    void *ctx;
    size_t count;
    sl_error first;
    bool defer_regex; /* loading for an engine: the matcher compiles (and so checks) regexes */
} sl__report;

/* Loads a policy for an engine: like sl_policy_load, but regexes are not compiled on their own
 * first (the engine's matcher build compiles them, or loads them from its cache, and reports a
 * bad one with sl__regex_problem and the rule's line). */
sl_status sl__policy_load_for_engine(const char *path, sl_policy **out, sl_error *err);

/* The message for a regex Hyperscan rejected with `reason` (one wording for lint and load). */
void sl__regex_problem(char *out, size_t size, const char *reason);

/* Records a problem at a 1-based line (0: none) and byte (SL_NO_POS: none). Returns true when
 * the caller must stop (load mode). */
bool sl__report_problem(sl__report *r, sl_status code, size_t line, size_t byte, const char *fmt,
                        ...) __attribute__((format(printf, 5, 6)));

/* Reads a whole file of at most max bytes into a NUL-terminated heap buffer. */
sl_status sl__policy_read_file(const char *path, size_t max, char **data, size_t *len,
                               sl_error *err);

/* ---- lexicon files ----------------------------------------------------------------------- *
 * One term per line; blank lines and lines starting with '#' are ignored; surrounding spaces
 * are trimmed. "=term" matches only with the exact diacritics (never on the FOLD view).
 * "term | 0.5" gives the term's confidence (default 1). See docs/policy.md. */
typedef struct sl__lexicon_term {
    char *text; /* NUL-terminated, trimmed, without the '=' and the score */
    size_t len;
    bool exact;
    float score;
    size_t line;
} sl__lexicon_term;

typedef struct sl__lexicon {
    sl__lexicon_term *terms;
    size_t nterms;
} sl__lexicon;

/* Parses a lexicon held in memory. Problems are reported as "LABEL:LINE: message" with the
 * error's line set to ref_line (the policy line citing the file). With out == NULL the terms
 * are only checked. Returns SL_OK when there was no problem. */
sl_status sl__lexicon_parse(const char *data, size_t len, const char *label, size_t ref_line,
                            sl__report *rep, sl__lexicon *out);
void sl__lexicon_free(sl__lexicon *lex);

/* Known names (NULL-terminated lists) for detector, model and bank rules. */
extern const char *const sl__policy_detectors[];
extern const char *const sl__policy_models[];
extern const char *const sl__policy_banks[];

/* The YAML walk: fills p from the document in data. Problems go to rep; the hash state gets
 * every referenced file's name and contents. Returns SL_OK when there was no problem. */
struct XXH3_state_s;
sl_status sl__policy_parse_yaml(const char *data, size_t len, const char *base_dir, sl_policy *p,
                                sl__report *rep, struct XXH3_state_s *hash);

#endif
