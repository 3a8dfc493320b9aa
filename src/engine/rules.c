/* Compiles a policy's lexicon and regex rules into one matcher.
 *
 * Lexicon terms are pushed through the same text layer as posts (sl_text_build, then the NORM
 * and FOLD views), so a term and a post meet in the same form whatever obfuscation, case or
 * teencode either used. Each term becomes:
 *   - a NORM literal, confidence = the term's own (default 1);
 *   - unless the term is marked exact ("=") or has no diacritics to lose, a FOLD literal with
 *     confidence x SL_RULES_FOLD_SCORE that fires only where the post itself has no
 *     diacritics: "ngu" typed bare may be "ngủ" (to sleep), so a bare match is weaker evidence
 *     (the factor is the policy's settings.fold_confidence),
 *     and "ngủ" typed with its accents must never match the term "ngu".
 * Regex rules become one pattern each on their declared view. The pattern table is rebuilt on
 * every start (cheap); only Hyperscan's compiled databases are cached (by the matcher). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/policy_internal.h"
#include "sangloc/matcher.h"
#include "sangloc/text.h"

typedef struct table {
    sl_matcher_pattern *pats;
    size_t n, cap;
    char **strings; /* owned copies of normalized terms, one per pattern slot */
    sl_text *text;
    float fold_confidence;
} table;

/* Appends a pattern; the table takes `owned` in every case (it is freed when the push fails). */
static sl_status push(table *t, sl_matcher_pattern p, char *owned)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        sl_matcher_pattern *np = realloc(t->pats, cap * sizeof *np);
        if (np) t->pats = np;
        char **ns = np ? realloc(t->strings, cap * sizeof *ns) : NULL;
        if (!ns) {
            free(owned);
            return SL_ERR_NOMEM;
        }
        t->strings = ns;
        t->cap = cap;
    }
    t->strings[t->n] = owned;
    t->pats[t->n++] = p;
    return SL_OK;
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->strings[i]);
    free(t->strings);
    free(t->pats);
    sl_text_free(t->text);
}

/* A trimmed heap copy of a view's text. */
static char *view_copy(const sl_view *v, size_t *len)
{
    const char *s = v->data, *e = v->data + v->len;
    while (s < e && *s == ' ') s++;
    while (e > s && e[-1] == ' ') e--;
    *len = (size_t)(e - s);
    char *d = malloc(*len + 1);
    if (!d) return NULL;
    memcpy(d, s, *len);
    d[*len] = '\0';
    return d;
}

static sl_status add_term(table *t, uint32_t rule, int32_t index, const sl__lexicon_term *term,
                          const char *label, sl_error *err)
{
    sl_error e;
    if (sl_text_build(t->text, term->text, term->len, &e))
        return sl_error_set(err, SL_ERR_PATTERN, SL_NO_POS, "%s:%zu: %s", label, term->line,
                            e.message);
    size_t nlen, flen;
    char *norm = view_copy(sl_text_view(t->text, SL_VIEW_NORM), &nlen);
    char *fold = view_copy(sl_text_view(t->text, SL_VIEW_FOLD), &flen);
    sl_status st = norm && fold ? SL_OK : SL_ERR_NOMEM;
    if (!st && nlen == 0)
        st = sl_error_set(err, SL_ERR_PATTERN, SL_NO_POS, "%s:%zu: term is empty once normalized",
                          label, term->line);
    bool want_fold = !st && !term->exact && (flen != nlen || memcmp(norm, fold, nlen));
    if (!st)
        st = push(t, (sl_matcher_pattern){norm, nlen, SL_VIEW_NORM, 0, rule, index, term->score},
                  norm);
    else
        free(norm);
    norm = NULL;
    if (!st && want_fold && flen) {
        st = push(t,
                  (sl_matcher_pattern){fold, flen, SL_VIEW_FOLD, SL_MATCHER_PLAIN_ONLY, rule, index,
                                       term->score * t->fold_confidence},
                  fold);
        fold = NULL;
    }
    free(fold);
    return st;
}

static sl_status add_lexicon(table *t, const sl_rule *r, uint32_t rule, sl_error *err)
{
    if (!r->data) /* a policy always keeps the bytes it hashed; never read the file again */
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "%s: lexicon not loaded", r->source);
    sl__report rep = {0};
    sl__lexicon lex = {0};
    sl_status st = sl__lexicon_parse(r->data, r->data_len, r->source, r->line, &rep, &lex);
    if (st && rep.count && err)
        *err = rep.first;
    else if (st)
        sl_error_set(err, st, SL_NO_POS, "%s: %s", r->source, sl_strerror(st));
    for (size_t i = 0; !st && i < lex.nterms; i++)
        st = add_term(t, rule, (int32_t)i, &lex.terms[i], r->source, err);
    sl__lexicon_free(&lex);
    return st;
}

static sl_status add_rules(table *t, const sl_policy *p, sl_error *err)
{
    sl_status st = SL_OK;
    for (size_t i = 0; !st && i < p->nrules; i++) {
        const sl_rule *r = &p->rules[i];
        if (r->kind == SL_RULE_LEXICON) {
            st = add_lexicon(t, r, (uint32_t)i, err);
        } else if (r->kind == SL_RULE_REGEX) {
            unsigned flags = SL_MATCHER_REGEX | (r->caseless ? SL_MATCHER_CASELESS : 0) |
                             (r->word ? SL_MATCHER_WORD : 0);
            sl_view_kind view = r->view >= 0 ? (sl_view_kind)r->view : SL_VIEW_NORM;
            st = push(t,
                      (sl_matcher_pattern){r->source, strlen(r->source), view, flags, (uint32_t)i,
                                           0, 1.0f},
                      NULL);
            if (st) sl_error_set(err, st, SL_NO_POS, "out of memory");
        }
        if (st && err && !err->line) err->line = r->line;
    }
    return st;
}

void sl__regex_problem(char *out, size_t size, const char *reason)
{
    bool b = strstr(reason, "\\b") || strstr(reason, "\\B");
    snprintf(out, size, "regex does not compile: %.90s%s", reason,
             b ? " (drop \\b: regex matches are whole words unless word: false)" : "");
}

/* A pattern the matcher rejected: its rule's line (a regex's own line), and for a regex the
 * policy's own wording (a policy loaded for an engine leaves checking its regexes to this compile).
 */
static sl_status pattern_error(const sl_policy *p, const sl_matcher_pattern *pat, sl_error *err)
{
    const sl_rule *r = &p->rules[pat->rule];
    if (!(pat->flags & SL_MATCHER_REGEX)) {
        err->line = r->line;
        return SL_ERR_PATTERN;
    }
    sl_error e;
    char msg[200];
    if (sl_matcher_check_regex(r->source, r->caseless, &e) == SL_OK) /* fails only together */
        snprintf(e.message, sizeof e.message, "%s", err->message);
    sl__regex_problem(msg, sizeof msg, e.message);
    sl_error_set(err, SL_ERR_POLICY, SL_NO_POS, "rule '%.40s': %s", r->id, msg);
    err->line = r->source_line ? r->source_line : r->line;
    return SL_ERR_POLICY;
}

static bool has_patterns(const sl_policy *p)
{
    for (size_t i = 0; i < p->nrules; i++)
        if (p->rules[i].kind == SL_RULE_LEXICON || p->rules[i].kind == SL_RULE_REGEX) return true;
    return false;
}

sl_status sl_rules_build_matcher(const sl_policy *p, const char *cache_dir, sl_matcher **out,
                                 sl_error *err)
{
    if (!p || !out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no policy or output");
    *out = NULL;
    if (!has_patterns(p)) return SL_OK;
    table t = {0};
    const char **ids = calloc(p->nrules, sizeof *ids);
    t.text = sl_text_new();
    t.fold_confidence = p->settings.fold_confidence;
    sl_status st =
        ids && t.text ? SL_OK : sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    for (size_t i = 0; !st && i < p->nrules; i++) ids[i] = p->rules[i].id;
    if (!st) st = add_rules(&t, p, err);
    char dir[4096];
    if (!cache_dir && sl_matcher_default_cache_dir(dir, sizeof dir)) cache_dir = dir;
    sl_matcher_spec spec = {t.pats, t.n, ids, p->nrules, p->hash, cache_dir};
    if (!st && (st = sl_matcher_build(&spec, out, err)) && err && err->byte < t.n)
        st = pattern_error(p, &t.pats[err->byte], err); /* the byte is the pattern index */
    table_free(&t);
    free(ids);
    return st;
}
