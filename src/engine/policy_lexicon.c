/* Lexicon files: one term per line, with an optional "exact diacritics" mark and confidence.
 *
 * The syntax is deliberately tiny so that moderators can edit lists by hand:
 *     # comment
 *     đéo
 *     =lồn          exact diacritics only: a bare "lon" (a can) must not match
 *     ngu | 0.4     a weak term: its hits count with confidence 0.4
 * Every problem names the lexicon's own line, because that is where it must be fixed. */
#include <stdlib.h>
#include <string.h>

#include "engine/policy_internal.h"
#include "sangloc/text.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && is_space(**s)) (*s)++;
    while (*e > *s && is_space((*e)[-1])) (*e)--;
}

/* Parses "0.5"-like confidences in (0, 1]. */
static bool parse_score(const char *s, const char *e, float *out)
{
    char buf[32];
    size_t n = (size_t)(e - s);
    if (n == 0 || n >= sizeof buf) return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (*end || !(v > 0.0 && v <= 1.0)) return false;
    *out = (float)v;
    return true;
}

static sl_status add_term(sl__lexicon *out, const char *s, size_t n, bool exact, float score,
                          size_t line)
{
    if (!out) return SL_OK;
    if ((out->nterms & (out->nterms - 1)) == 0) { /* grow at powers of two */
        size_t cap = out->nterms ? out->nterms * 2 : 16;
        sl__lexicon_term *t = realloc(out->terms, cap * sizeof *t);
        if (!t) return SL_ERR_NOMEM;
        out->terms = t;
    }
    char *text = malloc(n + 1);
    if (!text) return SL_ERR_NOMEM;
    memcpy(text, s, n);
    text[n] = '\0';
    out->terms[out->nterms++] = (sl__lexicon_term){text, n, exact, score, line};
    return SL_OK;
}

typedef struct lex_state {
    const char *label;
    size_t ref_line;
    sl__report *rep;
    size_t bad;
} lex_state;

/* Reports a bad line; returns true to stop. */
static bool bad_line(lex_state *st, size_t line, size_t byte, const char *msg)
{
    st->bad++;
    (void)byte; /* the byte is in the lexicon, not the policy: the message names the line */
    return sl__report_problem(st->rep, SL_ERR_POLICY, st->ref_line, SL_NO_POS, "%s:%zu: %s",
                              st->label, line, msg);
}

/* Checks and splits one non-comment line [s, e); returns NULL when fine, else the problem. */
static const char *split_line(const char *s, const char *e, const char **ts, const char **te,
                              bool *exact, float *score)
{
    *exact = false;
    *score = 1.0f;
    const char *bar = memchr(s, '|', (size_t)(e - s));
    const char *term_end = bar ? bar : e;
    if (bar) {
        const char *ss = bar + 1, *se = e;
        trim(&ss, &se);
        if (!parse_score(ss, se, score)) return "confidence after '|' must be a number in (0, 1]";
    }
    trim(&s, &term_end);
    if (s < term_end && *s == '=') {
        *exact = true;
        s++;
        trim(&s, &term_end);
    }
    if (s == term_end) return "empty term";
    if ((size_t)(term_end - s) > SL_POLICY_MAX_TERM_BYTES) return "term longer than 256 bytes";
    for (const char *c = s; c < term_end; c++)
        if ((unsigned char)*c < 0x20 && *c != ' ') return "control character in term";
    *ts = s;
    *te = term_end;
    return NULL;
}

static sl_status parse_line(lex_state *st, sl__lexicon *out, const char *data, const char *s,
                            const char *e, size_t line)
{
    const char *cs = s, *ce = e;
    trim(&cs, &ce);
    if (cs == ce || *cs == '#') return SL_OK;
    const char *ts, *te;
    bool exact;
    float score;
    const char *problem = split_line(s, e, &ts, &te, &exact, &score);
    if (problem) return bad_line(st, line, (size_t)(s - data), problem) ? SL_ERR_POLICY : SL_OK;
    if (out && out->nterms >= SL_POLICY_MAX_TERMS) {
        bad_line(st, line, (size_t)(s - data), "too many terms (limit 200000)");
        return SL_ERR_POLICY;
    }
    return add_term(out, ts, (size_t)(te - ts), exact, score, line);
}

sl_status sl__lexicon_parse(const char *data, size_t len, const char *label, size_t ref_line,
                            sl__report *rep, sl__lexicon *out)
{
    lex_state st = {label, ref_line, rep, 0};
    sl_error uerr;
    if (sl_utf8_validate(data, len, &uerr) != SL_OK) {
        size_t line = 1;
        for (size_t i = 0; i < uerr.byte && i < len; i++) line += data[i] == '\n';
        bad_line(&st, line, uerr.byte, sl_strerror(uerr.code));
        return SL_ERR_POLICY;
    }
    size_t line = 0;
    const char *p = data, *end = data + len;
    if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3; /* a BOM from some editors */
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        sl_status s = parse_line(&st, out, data, p, e, ++line);
        if (s) return s;
        p = nl ? nl + 1 : end;
    }
    return st.bad ? SL_ERR_POLICY : SL_OK;
}

void sl__lexicon_free(sl__lexicon *lex)
{
    if (!lex) return;
    for (size_t i = 0; i < lex->nterms; i++) free(lex->terms[i].text);
    free(lex->terms);
    lex->terms = NULL;
    lex->nterms = 0;
}
