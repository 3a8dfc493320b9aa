/* sangloc/matcher.h — many literal terms and regular expressions matched in one pass over the
 * views of a text. It hides the regex library (Hyperscan, or Vectorscan with the same API):
 * nothing above this header includes <hs/hs.h>.
 *
 * A matcher is built once from a table of patterns. Each pattern is either a whole-word literal
 * (already in the form of the view it is matched on, e.g. a lexicon term normalized by the text
 * layer) or a regular expression (Hyperscan syntax, UTF-8, Unicode classes), and names the view
 * it runs on, the rule it belongs to and a term number. Scanning a built sl_text runs one
 * compiled database per (view, literal|regex) that has patterns and reports each match as an
 * sl_hit: rule = the pattern's rule id, span = the ORIGINAL bytes (through sl_view_span),
 * score = the pattern's score, pattern = the pattern's term number.
 *
 * Matching rules:
 *   - A literal (and a regex flagged SL_MATCHER_WORD) matches only as whole words: the
 *     characters just before and after the match in the view are not letters, digits or
 *     combining marks (so "cặc" never matches inside a longer word, and "óc chó" matches
 *     across its inner space). Regexes use Unicode classes, in which Hyperscan has no \b:
 *     SL_MATCHER_WORD is how a regex gets Vietnamese-aware word boundaries.
 *   - A pattern flagged SL_MATCHER_PLAIN_ONLY matches only where the original text has no
 *     Vietnamese/Latin diacritics in the matched span: a FOLD-view match of "lồn" must not fire
 *     on "lộn" (a different word that folds alike), yet should fire on a bare "lon".
 *   - Matches of the same rule whose original spans overlap are merged into one hit (the union
 *     of the spans, the highest score, that pattern's term): one place in the post counts once
 *     per rule, whichever views and terms found it.
 *   - Hits are reported ordered by start, then rule.
 *
 * Cache: the compiled databases can be kept in a folder, keyed by a hash of the pattern table,
 * the caller's key (e.g. the policy hash), the library version and the CPU platform, and are
 * loaded instead of compiled on the next build. A cache that cannot be read or written is
 * ignored (the matcher is compiled).
 *
 * Thread-safety: a built sl_matcher is immutable and may be shared by threads; each thread
 * scans with its own sl_matcher_scratch. Limits: at most SL_MATCHER_MAX_MATCHES raw matches
 * per scan; past that the scan goes on but keeps only the first match of each rule that has
 * none yet (so a flood of one term cannot hide another rule), and adds every raw match it gave
 * up to hits->dropped. Hits carry rule_index = the pattern's rule (index into rule_ids). */
#ifndef SANGLOC_MATCHER_H
#define SANGLOC_MATCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/hit.h"
#include "sangloc/status.h"
#include "sangloc/text.h"

typedef struct sl_matcher sl_matcher;
typedef struct sl_matcher_scratch sl_matcher_scratch;

#define SL_MATCHER_MAX_PATTERNS 1000000u
#define SL_MATCHER_MAX_MATCHES  4096u

/* Pattern flags. */
#define SL_MATCHER_REGEX      1u /* expr is a regex; otherwise a whole-word literal */
#define SL_MATCHER_CASELESS   2u /* regex only: case-insensitive */
#define SL_MATCHER_PLAIN_ONLY 4u /* only where the original span has no diacritics */
#define SL_MATCHER_WORD       8u /* regex only: whole words, like literals (literals always are) */

typedef struct sl_matcher_pattern {
    const char *expr; /* literal bytes or regex (UTF-8); copied by the build */
    size_t len;       /* bytes of expr (a regex must not contain NUL) */
    sl_view_kind view;
    unsigned flags; /* SL_MATCHER_* */
    uint32_t rule;  /* index into the build's rule ids */
    int32_t term;   /* reported as sl_hit.pattern */
    float score;    /* reported as sl_hit.score, 0..1 */
} sl_matcher_pattern;

typedef struct sl_matcher_spec {
    const sl_matcher_pattern *patterns;
    size_t npatterns;
    const char *const *rule_ids; /* nrules ids, each shorter than SL_RULE_ID_MAX; copied */
    size_t nrules;
    uint64_t key;          /* mixed into the cache key (e.g. the policy hash) */
    const char *cache_dir; /* NULL or "": no cache */
} sl_matcher_spec;

/* Compiles (or loads from the cache) a matcher. Errors: SL_ERR_PATTERN when a pattern does not
 * compile (err->message names the pattern's rule and term and Hyperscan's reason, err->byte the
 * pattern index), SL_ERR_ARG for a bad table, SL_ERR_NOMEM. */
sl_status sl_matcher_build(const sl_matcher_spec *spec, sl_matcher **out, sl_error *err);

/* Frees a matcher; NULL is a no-op. Scratches made from it must be freed first. */
void sl_matcher_free(sl_matcher *m);

/* Were the compiled databases loaded from the cache rather than compiled? */
bool sl_matcher_loaded_from_cache(const sl_matcher *m);

/* Number of patterns the matcher holds. */
size_t sl_matcher_pattern_count(const sl_matcher *m);

/* Per-thread scan state for one matcher. */
sl_status sl_matcher_scratch_new(const sl_matcher *m, sl_matcher_scratch **out);
void sl_matcher_scratch_free(sl_matcher_scratch *s);

/* Scans the views of a built text and appends hits to *out (not cleared first). */
sl_status sl_matcher_scan(const sl_matcher *m, sl_matcher_scratch *s, const sl_text *text,
                          sl_hits *out);

/* Checks that a regex compiles alone with the flags the matcher uses (UTF-8, Unicode classes,
 * leftmost start, optional caseless). On failure returns SL_ERR_PATTERN with Hyperscan's reason
 * in err->message and err->byte = SL_NO_POS. expr must be NUL-terminated. */
sl_status sl_matcher_check_regex(const char *expr, bool caseless, sl_error *err);

/* The default cache folder: $XDG_CACHE_HOME/sangloc or $HOME/.cache/sangloc, written into buf;
 * returns false when neither variable is set or buf is too small. */
bool sl_matcher_default_cache_dir(char *buf, size_t size);

#endif
