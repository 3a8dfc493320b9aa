/* The policy YAML walk: turns a libyaml document into an sl_policy, checking every key, type
 * and cross-reference, and naming the line of each problem.
 *
 * Design: libyaml loads the whole document into a node tree that keeps each node's line and
 * column; the walk then visits only the shapes the format defines (root -> categories, rules,
 * cases), so an unknown key anywhere is reported instead of silently ignored. Each node may be
 * visited once: YAML aliases (which can form cycles or exponential expansions) are rejected.
 * Files a rule cites (lexicons, domain lists) are read here, checked, and fed to the policy
 * hash so that editing a lexicon changes the policy's identity. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include <yaml.h>

#include "engine/policy_internal.h"
#include "engine/yaml_load.h"
#include "sangloc/bank.h"
#include "sangloc/detect.h"
#include "sangloc/matcher.h"
#include "sangloc/text.h"

/* What a detector rule may cite: every detector output, and "marking" for all its levels. */
const char *const sl__policy_detectors[] = {
#define SL_DETECTOR_NAME_(name, text) text,
    SL_DETECTOR_OUTPUTS(SL_DETECTOR_NAME_)
#undef SL_DETECTOR_NAME_
        "marking",
    NULL};
const char *const sl__policy_models[] = {"offensive", "hate", "toxic", "spans", NULL};
const char *const sl__policy_banks[] = {"hoax", "document", "spam", NULL};

static const float default_thresholds[SL_ACTION_COUNT_] = {0.0f, 0.35f, 0.6f, 0.85f};

typedef struct walk {
    yaml_document_t doc;
    const char *data;
    size_t len;
    const char *base_dir;
    sl_policy *p;
    sl__report *rep;
    XXH3_state_t *hash;
    unsigned char *seen; /* per node: visited once already */
    size_t nnodes;
    size_t nlines;   /* lines in the input, counted as libyaml counts them */
    bool stop;       /* load mode met a problem, or memory ran out */
    sl_status fatal; /* SL_ERR_NOMEM when allocation failed */
    size_t cats_cap, rules_cap, cases_cap;
    size_t mark_line, mark_byte; /* a line start found by byte_of: the next search starts there */
} walk;

/* ---- positions and problems ------------------------------------------------------------- */

/* Length of the line break at s (as libyaml counts them: LF, CR, CRLF, NEL, LS, PS), or 0. */
static size_t line_break(const char *s, size_t avail)
{
    if (s[0] == '\n') return 1;
    if (s[0] == '\r') return avail > 1 && s[1] == '\n' ? 2 : 1;
    if (avail > 1 && !memcmp(s, "\xC2\x85", 2)) return 2;
    if (avail > 2 && (!memcmp(s, "\xE2\x80\xA8", 3) || !memcmp(s, "\xE2\x80\xA9", 3))) return 3;
    return 0;
}

/* Byte offset of a libyaml mark (line and column count characters, not bytes). Problems come
 * mostly in file order, so the search starts at the line of the previous one: reporting every
 * problem of a long file stays linear instead of rescanning from the top each time. */
static size_t byte_of(walk *w, yaml_mark_t m)
{
    size_t i = 0, line = 0;
    if (m.line >= w->mark_line) i = w->mark_byte, line = w->mark_line;
    while (i < w->len && line < m.line) {
        size_t n = line_break(w->data + i, w->len - i);
        i += n ? n : 1;
        line += n != 0;
    }
    if (line == m.line) w->mark_line = line, w->mark_byte = i; /* i starts that line */
    for (size_t col = 0; i < w->len && col < m.column; col++) {
        i++;
        while (i < w->len && ((unsigned char)w->data[i] & 0xC0) == 0x80) i++;
    }
    return i;
}

static void problem_at(walk *w, yaml_mark_t m, sl_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void problem_at(walk *w, yaml_mark_t m, sl_status code, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t byte = byte_of(w, m), line = m.line + 1;
    if (byte >= w->len && line > 1 && line > w->nlines) line = w->nlines; /* libyaml's end mark */
    if (sl__report_problem(w->rep, code, line, byte, "%s", msg)) w->stop = true;
}

#define problem(w, node, ...) problem_at((w), (node)->start_mark, SL_ERR_POLICY, __VA_ARGS__)

static void out_of_memory(walk *w)
{
    if (w->fatal) return;
    w->fatal = SL_ERR_NOMEM;
    w->stop = true;
    sl__report_problem(w->rep, SL_ERR_NOMEM, 0, SL_NO_POS, "out of memory");
}

static size_t line_of(const yaml_node_t *n)
{
    return n->start_mark.line + 1;
}

/* ---- nodes and scalars ------------------------------------------------------------------ */

/* The node at a libyaml index, or NULL (reported at `from`, the key or list that refers to it)
 * when it was already visited: an alias. */
static yaml_node_t *enter_from(walk *w, int index, const yaml_node_t *from)
{
    yaml_node_t *n = yaml_document_get_node(&w->doc, index);
    if (!n) return NULL;
    size_t i = (size_t)(index - 1);
    if (w->seen[i]) {
        problem(w, from ? from : n, "YAML aliases are not supported in a policy");
        return NULL;
    }
    w->seen[i] = 1;
    return n;
}

static yaml_node_t *enter(walk *w, int index)
{
    return enter_from(w, index, NULL);
}

static const char *type_name(const yaml_node_t *n)
{
    return n->type == YAML_MAPPING_NODE    ? "a mapping"
           : n->type == YAML_SEQUENCE_NODE ? "a list"
                                           : "a scalar";
}

static bool is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    return len == 0 || (len == 1 && s[0] == '~') || (len == 4 && !memcmp(s, "null", 4));
}

static bool want_scalar(walk *w, const yaml_node_t *n, const char *what)
{
    if (n->type == YAML_SCALAR_NODE) return true;
    problem(w, n, "%s must be a text, not %s", what, type_name(n));
    return false;
}

/* A heap copy of a non-empty text scalar, or NULL (reported). */
static char *get_string(walk *w, const yaml_node_t *n, const char *what)
{
    if (!want_scalar(w, n, what)) return NULL;
    size_t len = n->data.scalar.length;
    const char *s = (const char *)n->data.scalar.value;
    if (len == 0 || is_null(n)) {
        problem(w, n, "%s must not be empty", what);
        return NULL;
    }
    if (memchr(s, '\0', len)) {
        problem(w, n, "%s contains a NUL character", what);
        return NULL;
    }
    char *d = malloc(len + 1);
    if (!d) {
        out_of_memory(w);
        return NULL;
    }
    memcpy(d, s, len + 1);
    return d;
}

/* A plain (unquoted) number in [lo, hi]. */
static bool get_number(walk *w, const yaml_node_t *n, const char *what, double lo, double hi,
                       double *out)
{
    if (!want_scalar(w, n, what)) return false;
    const char *s = (const char *)n->data.scalar.value;
    char *end = NULL;
    double v = n->data.scalar.length ? strtod(s, &end) : 0.0;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || !end || *end || !isfinite(v)) {
        problem(w, n, "%s must be a number, not '%.40s'", what, s);
        return false;
    }
    if (v < lo || v > hi) {
        problem(w, n, "%s must be between %g and %g, not %g", what, lo, hi, v);
        return false;
    }
    *out = v;
    return true;
}

static bool get_bool(walk *w, const yaml_node_t *n, const char *what, bool *out)
{
    if (!want_scalar(w, n, what)) return false;
    const char *s = (const char *)n->data.scalar.value;
    bool plain = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (plain && (!strcmp(s, "true") || !strcmp(s, "false"))) {
        *out = s[0] == 't';
        return true;
    }
    problem(w, n, "%s must be true or false, not '%.40s'", what, s);
    return false;
}

static long find_name(const char *const *names, const char *s)
{
    for (long i = 0; names[i]; i++)
        if (!strcmp(names[i], s)) return i;
    return -1;
}

/* ---- mappings with known keys ----------------------------------------------------------- */

typedef struct field {
    const char *name;
    yaml_node_t *value; /* NULL when absent */
} field;

/* Collects the values of known keys; reports unknown and duplicate keys. A null scalar counts
 * as an empty mapping. Returns false when n is not a mapping. */
static bool read_fields(walk *w, yaml_node_t *n, const char *what, field *f, size_t nf)
{
    for (size_t i = 0; i < nf; i++) f[i].value = NULL;
    if (is_null(n)) return true;
    if (n->type != YAML_MAPPING_NODE) {
        problem(w, n, "%s must be a mapping, not %s", what, type_name(n));
        return false;
    }
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
         pr < n->data.mapping.pairs.top && !w->stop; pr++) {
        yaml_node_t *k = enter(w, pr->key);
        if (!k || !want_scalar(w, k, "a key")) continue;
        const char *name = (const char *)k->data.scalar.value;
        size_t i = 0;
        while (i < nf && strcmp(f[i].name, name)) i++;
        if (i == nf) {
            problem(w, k, "unknown key '%.40s' in %s", name, what);
        } else if (f[i].value) {
            problem(w, k, "duplicate key '%.40s' in %s", name, what);
        } else {
            f[i].value = enter_from(w, pr->value, k);
        }
    }
    return true;
}

static yaml_node_t *required(walk *w, yaml_node_t *owner, field *f, const char *what)
{
    if (!f->value && !w->stop) problem(w, owner, "%s: missing required key '%s'", what, f->name);
    return f->value;
}

/* ---- thresholds -------------------------------------------------------------------------- */

static void walk_thresholds(walk *w, yaml_node_t *n, const char *what, sl_thresholds *t)
{
    field f[] = {{"warn", NULL}, {"review", NULL}, {"hide", NULL}};
    if (!read_fields(w, n, what, f, 3)) return;
    for (int a = SL_ACTION_WARN; a <= SL_ACTION_HIDE && !w->stop; a++) {
        double v;
        yaml_node_t *vn = f[a - 1].value;
        if (vn && get_number(w, vn, f[a - 1].name, 0.001, 1000.0, &v)) t->at[a] = (float)v;
    }
    /* Enabled thresholds (<= 1) must rise with the action's strength. */
    float prev = 0.0f;
    int prev_a = 0;
    for (int a = SL_ACTION_WARN; a <= SL_ACTION_HIDE && !w->stop; a++) {
        if (t->at[a] > 1.0f) continue;
        if (prev_a && t->at[a] <= prev) {
            problem(w, n, "%s must increase: %s %g is not above %s %g", what, sl_action_name(a),
                    t->at[a], sl_action_name(prev_a), prev);
            return;
        }
        prev = t->at[a];
        prev_a = a;
    }
}

/* ---- growing arrays ---------------------------------------------------------------------- */

static void *grow(walk *w, void *items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap) return items;
    size_t n = *cap ? *cap * 2 : 8;
    void *p = realloc(items, n * size);
    if (!p) {
        out_of_memory(w);
        return NULL;
    }
    *cap = n;
    return p;
}

/* ---- categories -------------------------------------------------------------------------- */

static bool valid_name(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n >= max) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                  c == '-' || (c >= 'A' && c <= 'Z');
        if (!ok) return false;
    }
    return true;
}

static void walk_category(walk *w, yaml_node_t *k, yaml_node_t *v)
{
    const char *name = (const char *)k->data.scalar.value;
    if (!valid_name(name, SL_RULE_ID_MAX) || strchr(name, '.')) {
        problem(w, k, "category name '%.40s' must be letters, digits, '_' or '-'", name);
        return;
    }
    if (sl_policy_category(w->p, name) >= 0) {
        problem(w, k, "duplicate category '%.40s'", name);
        return;
    }
    if (w->p->ncategories >= SL_POLICY_MAX_CATEGORIES) {
        problem(w, k, "too many categories (limit %d)", SL_POLICY_MAX_CATEGORIES);
        return;
    }
    sl_category *c = grow(w, w->p->categories, &w->cats_cap, w->p->ncategories, sizeof *c);
    if (!c) return;
    w->p->categories = c;
    c = &c[w->p->ncategories++];
    *c = (sl_category){.line = line_of(k)};
    c->name = get_string(w, k, "category name");
    field f[] = {{"description", NULL}, {"thresholds", NULL}};
    char what[80];
    snprintf(what, sizeof what, "category '%.40s'", name);
    if (!read_fields(w, v, what, f, 2)) return;
    if (f[0].value && !is_null(f[0].value))
        c->description = get_string(w, f[0].value, "description");
    if (f[1].value && !w->stop) {
        c->has_thresholds = true;
        c->thresholds = w->p->thresholds;
        snprintf(what, sizeof what, "thresholds of category '%.40s'", name);
        walk_thresholds(w, f[1].value, what, &c->thresholds);
    }
}

static void walk_categories(walk *w, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE) {
        problem(w, n, "categories must be a mapping of names to settings, not %s", type_name(n));
        return;
    }
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
         pr < n->data.mapping.pairs.top && !w->stop; pr++) {
        yaml_node_t *k = enter(w, pr->key);
        if (!k || !want_scalar(w, k, "a category name")) continue;
        yaml_node_t *v = enter_from(w, pr->value, k);
        if (v) walk_category(w, k, v);
    }
    if (!w->p->ncategories && !w->stop) problem(w, n, "categories must name at least one category");
}

/* ---- files cited by rules ---------------------------------------------------------------- */

static char *resolve(walk *w, const char *name)
{
    size_t nb = strlen(w->base_dir), nn = strlen(name);
    bool absolute = name[0] == '/';
    size_t total = absolute ? nn : nb + 1 + nn;
    char *path = malloc(total + 1);
    if (!path) {
        out_of_memory(w);
        return NULL;
    }
    if (absolute)
        memcpy(path, name, nn + 1);
    else
        snprintf(path, total + 1, "%s/%s", w->base_dir, name);
    return path;
}

/* "line 12: msg" -> "msg": our message names the line itself. */
static const char *skip_line_prefix(const char *msg)
{
    if (strncmp(msg, "line ", 5)) return msg;
    const char *p = msg + 5;
    while (*p >= '0' && *p <= '9') p++;
    return p > msg + 5 && p[0] == ':' && p[1] == ' ' ? p + 2 : msg;
}

/* A domain list is checked by the detector that will load it, so lint and load agree. */
static void check_domains(walk *w, yaml_node_t *n, const char *name, const char *data, size_t len)
{
    sl_domain_set *set = NULL;
    sl_error e = {0};
    sl_status st = sl_domain_set_parse(data, len, &set, &e);
    sl_domain_set_free(set);
    if (st == SL_ERR_NOMEM)
        out_of_memory(w);
    else if (st && e.line)
        problem(w, n, "%s:%zu: %.100s", name, e.line, skip_line_prefix(e.message));
    else if (st)
        problem(w, n, "%s: %.120s", name, e.message);
}

/* Is the NORM view of the last build blank? */
static bool blank_norm(const sl_text *t)
{
    const sl_view *v = sl_text_view(t, SL_VIEW_NORM);
    for (size_t i = 0; i < v->len; i++)
        if (v->data[i] != ' ') return false;
    return true;
}

/* Lines, then each term through the text layer: a term that normalizes to nothing would fail
 * the rule compiler later, so lint names it now. */
static void check_lexicon(walk *w, yaml_node_t *n, const char *name, const char *data, size_t len)
{
    sl__lexicon lex = {0};
    sl_status st = sl__lexicon_parse(data, len, name, line_of(n), w->rep, &lex);
    if (st == SL_ERR_NOMEM)
        out_of_memory(w);
    else if (st && !w->rep->fn)
        w->stop = true;
    sl_text *t = st ? NULL : sl_text_new();
    if (!st && !t) out_of_memory(w);
    for (size_t i = 0; t && i < lex.nterms && !w->stop; i++) {
        const sl__lexicon_term *term = &lex.terms[i];
        sl_error e;
        if (sl_text_build(t, term->text, term->len, &e) != SL_OK)
            problem(w, n, "%s:%zu: %.100s", name, term->line, e.message);
        else if (blank_norm(t))
            problem(w, n, "%s:%zu: term is empty once normalized", name, term->line);
    }
    sl_text_free(t);
    sl__lexicon_free(&lex);
}

/* Reads a cited file (once: the rule keeps its bytes for the engine) into the hash; lexicons
 * are also checked line by line. Returns the resolved path (owned by the caller) or NULL. */
static char *cite_file(walk *w, yaml_node_t *n, const char *name, bool lexicon, sl_rule *r)
{
    char *path = resolve(w, name);
    if (!path) return NULL;
    char *data;
    size_t len;
    sl_error e;
    sl_status st = sl__policy_read_file(path, SL_POLICY_MAX_LIST_BYTES, &data, &len, &e);
    if (st) {
        problem_at(w, n->start_mark, st == SL_ERR_NOMEM ? st : SL_ERR_POLICY, "%s", e.message);
        free(path);
        return NULL;
    }
    uint64_t nlen = len;
    XXH3_64bits_update(w->hash, name, strlen(name) + 1);
    XXH3_64bits_update(w->hash, &nlen, sizeof nlen);
    XXH3_64bits_update(w->hash, data, len);
    if (lexicon)
        check_lexicon(w, n, name, data, len);
    else
        check_domains(w, n, name, data, len);
    r->data = data;
    r->data_len = len;
    return path;
}

/* ---- rules ------------------------------------------------------------------------------- */

enum {
    F_ID,
    F_CATEGORY,
    F_WEIGHT,
    F_CLAUSE,
    F_LEXICON,
    F_REGEX,
    F_DETECTOR,
    F_MODEL,
    F_BANK,
    F_DOMAINS,
    F_VIEW,
    F_CASELESS,
    F_WORD,
    F_MIN_SCORE,
    F_COUNT
};

static const char *const rule_keys[F_COUNT] = {"id",    "category", "weight", "clause",   "lexicon",
                                               "regex", "detector", "model",  "bank",     "domains",
                                               "view",  "caseless", "word",   "min_score"};

static bool rule_id_taken(const sl_policy *p, const char *id)
{
    for (size_t i = 0; i < p->nrules; i++)
        if (p->rules[i].id && !strcmp(p->rules[i].id, id)) return true;
    return false;
}

static void rule_id(walk *w, field *f, yaml_node_t *n, sl_rule *r)
{
    yaml_node_t *v = required(w, n, &f[F_ID], "rule");
    if (!v || !(r->id = get_string(w, v, "rule id"))) return;
    if (!valid_name(r->id, SL_RULE_ID_MAX)) {
        problem(w, v, "rule id '%.40s' must be 1-47 letters, digits, '.', '_' or '-'", r->id);
    } else if (rule_id_taken(w->p, r->id)) {
        problem(w, v, "duplicate rule id '%.40s'", r->id);
    }
}

static void rule_basics(walk *w, field *f, yaml_node_t *n, sl_rule *r)
{
    char what[80];
    snprintf(what, sizeof what, "rule '%.40s'", r->id ? r->id : "?");
    yaml_node_t *v = required(w, n, &f[F_CATEGORY], what);
    if (v && want_scalar(w, v, "category")) {
        long c = sl_policy_category(w->p, (const char *)v->data.scalar.value);
        if (c < 0)
            problem(w, v, "unknown category '%.40s'", (const char *)v->data.scalar.value);
        else
            r->category = (size_t)c;
    }
    double weight;
    if (!w->stop && (v = required(w, n, &f[F_WEIGHT], what)) &&
        get_number(w, v, "weight", 0.0, 1.0, &weight))
        r->weight = (float)weight;
    if (!w->stop && (v = required(w, n, &f[F_CLAUSE], what)))
        r->clause = get_string(w, v, "clause");
}

/* Which of the six source keys is given; reports none or several. */
static int rule_source_key(walk *w, field *f, yaml_node_t *n, const sl_rule *r)
{
    int found = -1;
    for (int k = F_LEXICON; k <= F_DOMAINS && !w->stop; k++) {
        if (!f[k].value) continue;
        if (found >= 0) {
            problem(w, f[k].value, "rule '%.40s' has both '%s' and '%s' (give exactly one)",
                    r->id ? r->id : "?", rule_keys[found], rule_keys[k]);
            return -1;
        }
        found = k;
    }
    if (found < 0 && !w->stop)
        problem(w, n, "rule '%.40s' needs one of lexicon, regex, detector, model, bank, domains",
                r->id ? r->id : "?");
    return found;
}

static void check_named(walk *w, yaml_node_t *v, const char *s, const char *const *names,
                        const char *what)
{
    if (find_name(names, s) >= 0) return;
    char known[100] = "";
    for (size_t i = 0; names[i]; i++) {
        if (strlen(known) + strlen(names[i]) + 2 >= sizeof known) {
            strcpy(known, "see docs/policy.md");
            break;
        }
        if (i) strcat(known, " ");
        strcat(known, names[i]);
    }
    problem(w, v, "unknown %s '%.40s' (known: %s)", what, s, known);
}

static void rule_regex(walk *w, yaml_node_t *v, sl_rule *r)
{
    if (strlen(r->source) > SL_POLICY_MAX_REGEX_BYTES) {
        problem(w, v, "regex longer than %d bytes", SL_POLICY_MAX_REGEX_BYTES);
        return;
    }
    sl_error e;
    if (w->rep->defer_regex || sl_matcher_check_regex(r->source, r->caseless, &e) == SL_OK) return;
    char msg[200];
    sl__regex_problem(msg, sizeof msg, e.message);
    problem(w, v, "%s", msg);
}

static void rule_source(walk *w, int key, yaml_node_t *v, sl_rule *r)
{
    static const sl_rule_kind kinds[] = {SL_RULE_LEXICON, SL_RULE_REGEX, SL_RULE_DETECTOR,
                                         SL_RULE_MODEL,   SL_RULE_BANK,  SL_RULE_DOMAINS};
    r->kind = kinds[key - F_LEXICON];
    r->source_line = v->start_mark.line + 1;
    char *s = get_string(w, v, rule_keys[key]);
    if (!s) return;
    switch (r->kind) {
    case SL_RULE_LEXICON:
    case SL_RULE_DOMAINS:
        r->source = cite_file(w, v, s, r->kind == SL_RULE_LEXICON, r);
        free(s);
        return;
    case SL_RULE_REGEX:
        r->source = s;
        return rule_regex(w, v, r);
    case SL_RULE_DETECTOR:
        check_named(w, v, s, sl__policy_detectors, "detector");
        break;
    case SL_RULE_MODEL:
        check_named(w, v, s, sl__policy_models, "model output");
        break;
    case SL_RULE_BANK:
        check_named(w, v, s, sl__policy_banks, "bank kind");
        break;
    }
    r->source = s;
}

static const char *const view_names[] = {"nfc", "norm", "fold", "standard", NULL};

/* view, caseless (regex) and min_score (model, bank); must run before the source is checked. */
static void rule_options(walk *w, field *f, int key, sl_rule *r)
{
    bool regex = key == F_REGEX, scored = key == F_MODEL || key == F_BANK;
    r->view = regex ? SL_VIEW_NORM : -1;
    r->min_score = key == F_MODEL ? 0.5f : key == F_BANK ? 0.8f : 0.0f;
    yaml_node_t *v;
    if ((v = f[F_VIEW].value) && !w->stop) {
        if (!regex)
            problem(w, v, "'view' applies only to regex rules");
        else if (want_scalar(w, v, "view")) {
            long k = find_name(view_names, (const char *)v->data.scalar.value);
            if (k < 0)
                check_named(w, v, (const char *)v->data.scalar.value, view_names, "view");
            else
                r->view = (int)k;
        }
    }
    if ((v = f[F_CASELESS].value) && !w->stop) {
        if (!regex)
            problem(w, v, "'caseless' applies only to regex rules");
        else
            get_bool(w, v, "caseless", &r->caseless);
    }
    r->word = regex;
    if ((v = f[F_WORD].value) && !w->stop) {
        if (!regex)
            problem(w, v, "'word' applies only to regex rules");
        else
            get_bool(w, v, "word", &r->word);
    }
    double ms;
    if ((v = f[F_MIN_SCORE].value) && !w->stop) {
        if (!scored)
            problem(w, v, "'min_score' applies only to model and bank rules");
        else if (get_number(w, v, "min_score", 0.0, 1.0, &ms))
            r->min_score = (float)ms;
    }
}

static void walk_rule(walk *w, yaml_node_t *n)
{
    field f[F_COUNT];
    for (int i = 0; i < F_COUNT; i++) f[i].name = rule_keys[i];
    if (!read_fields(w, n, "a rule", f, F_COUNT) || w->stop) return;
    if (is_null(n)) {
        problem(w, n, "a rule must be a mapping");
        return;
    }
    if (w->p->nrules >= SL_POLICY_MAX_RULES) {
        problem(w, n, "too many rules (limit %d)", SL_POLICY_MAX_RULES);
        return;
    }
    sl_rule *r = grow(w, w->p->rules, &w->rules_cap, w->p->nrules, sizeof *r);
    if (!r) return;
    w->p->rules = r;
    r = &r[w->p->nrules];
    *r = (sl_rule){.line = line_of(n), .view = -1};
    rule_id(w, f, n, r);
    w->p->nrules++; /* counted now so that sl_policy_free() frees whatever was parsed */
    if (!w->stop) rule_basics(w, f, n, r);
    int key = w->stop ? -1 : rule_source_key(w, f, n, r);
    if (key < 0) return;
    rule_options(w, f, key, r);
    if (!w->stop) rule_source(w, key, f[key].value, r);
}

static void walk_rules(walk *w, yaml_node_t *n)
{
    if (n->type != YAML_SEQUENCE_NODE) {
        problem(w, n, "rules must be a list, not %s", type_name(n));
        return;
    }
    for (yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top && !w->stop; it++) {
        yaml_node_t *r = enter(w, *it);
        if (r) walk_rule(w, r);
    }
}

/* ---- cases ------------------------------------------------------------------------------- */

static void walk_case(walk *w, yaml_node_t *n)
{
    field f[] = {{"text", NULL}, {"action", NULL}};
    if (!read_fields(w, n, "a case", f, 2) || w->stop) return;
    if (w->p->ncases >= SL_POLICY_MAX_CASES) {
        problem(w, n, "too many cases (limit %d)", SL_POLICY_MAX_CASES);
        return;
    }
    sl_policy_case *c = grow(w, w->p->cases, &w->cases_cap, w->p->ncases, sizeof *c);
    if (!c) return;
    w->p->cases = c;
    c = &c[w->p->ncases++];
    *c = (sl_policy_case){.line = line_of(n)};
    yaml_node_t *v = required(w, n, &f[0], "case");
    if (v && (c->text = get_string(w, v, "case text")) && strlen(c->text) > w->p->max_text_bytes)
        problem(w, v, "case text longer than max_text_bytes (%zu)", w->p->max_text_bytes);
    if (!w->stop && (v = required(w, n, &f[1], "case")) && want_scalar(w, v, "action")) {
        int a = sl_action_parse((const char *)v->data.scalar.value, v->data.scalar.length);
        if (a < 0)
            check_named(w, v, (const char *)v->data.scalar.value,
                        (const char *const[]){"allow", "warn", "review", "hide", NULL}, "action");
        else
            c->expect = (sl_action)a;
    }
}

static void walk_cases(walk *w, yaml_node_t *n)
{
    if (is_null(n)) return;
    if (n->type != YAML_SEQUENCE_NODE) {
        problem(w, n, "cases must be a list, not %s", type_name(n));
        return;
    }
    for (yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top && !w->stop; it++) {
        yaml_node_t *c = enter(w, *it);
        if (c) walk_case(w, c);
    }
}

/* ---- settings ---------------------------------------------------------------------------- */

static void walk_settings(walk *w, yaml_node_t *n)
{
    field f[] = {{"bank_min_similarity", NULL}, {"fold_confidence", NULL}, {"appeal_days", NULL}};
    if (!read_fields(w, n, "settings", f, 3)) return;
    sl_policy_settings *s = &w->p->settings;
    double v;
    if (f[0].value && !w->stop && get_number(w, f[0].value, "bank_min_similarity", 0.0, 1.0, &v))
        s->bank_min_similarity = (float)v;
    if (f[1].value && !w->stop && get_number(w, f[1].value, "fold_confidence", 0.0, 1.0, &v))
        s->fold_confidence = (float)v;
    if (f[2].value && !w->stop &&
        get_number(w, f[2].value, "appeal_days", 1, SL_POLICY_MAX_APPEAL_DAYS, &v)) {
        if (v != (double)(int)v)
            problem(w, f[2].value, "appeal_days must be a whole number of days, not %g", v);
        else
            s->appeal_days = (int)v;
    }
}

/* ---- root -------------------------------------------------------------------------------- */

enum {
    R_VERSION,
    R_NAME,
    R_MAX_TEXT,
    R_THRESHOLDS,
    R_CATEGORIES,
    R_RULES,
    R_CASES,
    R_SETTINGS,
    R_COUNT
};

static void walk_root(walk *w, yaml_node_t *root)
{
    field f[R_COUNT] = {{"version", NULL},    {"name", NULL},       {"max_text_bytes", NULL},
                        {"thresholds", NULL}, {"categories", NULL}, {"rules", NULL},
                        {"cases", NULL},      {"settings", NULL}};
    if (is_null(root) || root->type != YAML_MAPPING_NODE) {
        problem(w, root, "a policy must be a mapping with version, name, categories and rules");
        return;
    }
    if (!read_fields(w, root, "the policy", f, R_COUNT) || w->stop) return;
    yaml_node_t *v;
    if ((v = required(w, root, &f[R_VERSION], "policy")))
        w->p->version = get_string(w, v, "version");
    if (!w->stop && (v = required(w, root, &f[R_NAME], "policy")))
        w->p->name = get_string(w, v, "name");
    double max;
    if (!w->stop && (v = f[R_MAX_TEXT].value) &&
        get_number(w, v, "max_text_bytes", 1, SL_TEXT_MAX_BYTES, &max)) {
        if (max != floor(max)) problem(w, v, "max_text_bytes must be a whole number");
        w->p->max_text_bytes = (size_t)max;
    }
    if (!w->stop && (v = f[R_SETTINGS].value)) walk_settings(w, v);
    if (!w->stop && (v = f[R_THRESHOLDS].value))
        walk_thresholds(w, v, "thresholds", &w->p->thresholds);
    if (!w->stop && (v = required(w, root, &f[R_CATEGORIES], "policy"))) walk_categories(w, v);
    if (!w->stop && (v = required(w, root, &f[R_RULES], "policy"))) walk_rules(w, v);
    if (!w->stop && (v = f[R_CASES].value)) walk_cases(w, v);
}

/* ---- entry ------------------------------------------------------------------------------- */

static bool check_utf8(walk *w)
{
    sl_error e;
    if (sl_utf8_validate(w->data, w->len, &e) == SL_OK) return true;
    size_t line = 1;
    for (size_t i = 0; i < e.byte && i < w->len; i++) line += w->data[i] == '\n';
    sl__report_problem(w->rep, SL_ERR_POLICY, line, e.byte, "%s", sl_strerror(e.code));
    return false;
}

/* Loads the one YAML document (depth-bounded: engine/yaml_load.h); reports a syntax error, a
 * nesting too deep or a second document with line and column. */
static bool load_document(walk *w)
{
    sl__yaml_problem p;
    if (sl__yaml_load_one(w->data, w->len, &w->doc, &p)) return true;
    yaml_mark_t m = p.mark;
    switch (p.fault) {
    case SL__YAML_NOMEM:
        out_of_memory(w);
        break;
    case SL__YAML_TOO_DEEP:
        problem_at(w, m, SL_ERR_POLICY,
                   "lists and mappings nested deeper than %d levels (column %zu)",
                   SL__YAML_MAX_DEPTH, m.column + 1);
        break;
    case SL__YAML_SECOND_DOC:
        problem_at(w, m, SL_ERR_POLICY,
                   "a second YAML document starts here (column %zu): a policy is one document",
                   m.column + 1);
        break;
    default:
        problem_at(w, m, SL_ERR_POLICY, "YAML syntax error at column %zu: %.100s", m.column + 1,
                   p.problem);
        break;
    }
    return false;
}

sl_status sl__policy_parse_yaml(const char *data, size_t len, const char *base_dir, sl_policy *p,
                                sl__report *rep, struct XXH3_state_s *hash)
{
    walk w = {.data = data, .len = len, .base_dir = base_dir, .p = p, .rep = rep, .hash = hash};
    memcpy(p->thresholds.at, default_thresholds, sizeof p->thresholds.at);
    p->max_text_bytes = 65536;
    p->settings.bank_min_similarity = SL_BANK_DEFAULT_MIN_SIMILARITY;
    p->settings.fold_confidence = SL_POLICY_DEFAULT_FOLD_CONFIDENCE;
    p->settings.appeal_days = SL_POLICY_DEFAULT_APPEAL_DAYS;
    w.nlines = 1;
    for (size_t i = 0; i < len;) {
        size_t n = line_break(data + i, len - i);
        if (n && i + n < len) w.nlines++; /* a break at the very end starts no new line */
        i += n ? n : 1;
    }
    if (!check_utf8(&w) || !load_document(&w)) return w.fatal ? w.fatal : SL_ERR_POLICY;
    yaml_node_t *root = yaml_document_get_root_node(&w.doc);
    w.nnodes = (size_t)(w.doc.nodes.top - w.doc.nodes.start);
    w.seen = calloc(w.nnodes ? w.nnodes : 1, 1);
    if (!w.seen)
        out_of_memory(&w);
    else if (!root)
        sl__report_problem(rep, SL_ERR_POLICY, 1, 0, "the policy file is empty");
    else if (enter(&w, 1))
        walk_root(&w, root);
    free(w.seen);
    yaml_document_delete(&w.doc);
    if (w.fatal) return w.fatal;
    return rep->count ? SL_ERR_POLICY : SL_OK;
}
