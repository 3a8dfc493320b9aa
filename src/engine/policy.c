/* Policy loading and linting: reads the file, hashes it with every file it references, hands
 * the YAML walk (policy_yaml.c) a problem reporter, and frees what it built.
 *
 * Load and lint share one parser; the only difference is the reporter: load stops at the first
 * problem (an engine must not start on a half-understood policy), lint keeps going so an author
 * fixes every problem in one round. */
#include "sangloc/policy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "engine/policy_internal.h"
#include "util/file.h"

static const char *const action_names[SL_ACTION_COUNT_] = {"allow", "warn", "review", "hide"};

const char *sl_action_name(sl_action action)
{
    if ((unsigned)action >= SL_ACTION_COUNT_) return "unknown";
    return action_names[action];
}

int sl_action_parse(const char *name, size_t len)
{
    if (!name) return -1;
    for (int i = 0; i < SL_ACTION_COUNT_; i++)
        if (strlen(action_names[i]) == len && !memcmp(action_names[i], name, len)) return i;
    return -1;
}

long sl_policy_category(const sl_policy *policy, const char *name)
{
    if (!policy || !name) return -1;
    for (size_t i = 0; i < policy->ncategories; i++)
        if (policy->categories[i].name && !strcmp(policy->categories[i].name, name)) return (long)i;
    return -1;
}

bool sl__report_problem(sl__report *r, sl_status code, size_t line, size_t byte, const char *fmt,
                        ...)
{
    sl_error e = {0};
    e.code = code;
    e.byte = byte;
    e.line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    if (r->count++ == 0) r->first = e;
    if (r->fn) r->fn(&e, r->ctx);
    return r->fn == NULL;
}

sl_status sl__policy_read_file(const char *path, size_t max, char **data, size_t *len,
                               sl_error *err)
{
    return sl__file_read(path, max, data, len, err); /* refuses FIFOs, directories, devices */
}

void sl_policy_free(sl_policy *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->ncategories; i++) {
        free(p->categories[i].name);
        free(p->categories[i].description);
    }
    for (size_t i = 0; i < p->nrules; i++) {
        free(p->rules[i].id);
        free(p->rules[i].clause);
        free(p->rules[i].source);
        free(p->rules[i].data);
    }
    for (size_t i = 0; i < p->ncases; i++) free(p->cases[i].text);
    free(p->categories);
    free(p->rules);
    free(p->cases);
    free(p->path);
    free(p->name);
    free(p->version);
    free(p);
}

static char *dup_or_null(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* The shared parse: problems go to rep; on success *out owns the policy. */
static sl_status parse(const char *data, size_t len, const char *base_dir, const char *label,
                       sl__report *rep, sl_policy **out)
{
    sl_policy *p = calloc(1, sizeof *p);
    XXH3_state_t *h = XXH3_createState();
    if (!p || !h || (label && !(p->path = dup_or_null(label)))) {
        free(p);
        XXH3_freeState(h);
        sl__report_problem(rep, SL_ERR_NOMEM, 0, SL_NO_POS, "out of memory");
        return SL_ERR_NOMEM;
    }
    XXH3_64bits_reset(h);
    XXH3_64bits_update(h, data, len);
    sl_status st = sl__policy_parse_yaml(data, len, base_dir, p, rep, h);
    p->hash = XXH3_64bits_digest(h);
    XXH3_freeState(h);
    if (st == SL_OK && rep->count == 0) {
        if (out)
            *out = p;
        else
            sl_policy_free(p);
        return SL_OK;
    }
    sl_policy_free(p);
    return st ? st : SL_ERR_POLICY;
}

/* The folder of a path ("." when it has none), heap-allocated. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return dup_or_null(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, path, n);
    d[n] = '\0';
    return d;
}

static sl_status parse_file(const char *path, sl__report *rep, sl_policy **out)
{
    if (!path) {
        sl__report_problem(rep, SL_ERR_ARG, 0, SL_NO_POS, "no policy file given");
        return SL_ERR_ARG;
    }
    char *data = NULL, *dir = NULL;
    size_t len = 0;
    sl_error e;
    sl_status st = sl__policy_read_file(path, SL_POLICY_MAX_FILE_BYTES, &data, &len, &e);
    if (st) {
        sl__report_problem(rep, st, 0, e.byte, "%s", e.message);
        return st;
    }
    dir = dir_of(path);
    if (!dir) {
        free(data);
        sl__report_problem(rep, SL_ERR_NOMEM, 0, SL_NO_POS, "out of memory");
        return SL_ERR_NOMEM;
    }
    st = parse(data, len, dir, path, rep, out);
    free(dir);
    free(data);
    return st;
}

static void finish_error(const sl__report *rep, sl_status st, sl_error *err)
{
    if (!err) return;
    if (rep->count)
        *err = rep->first;
    else
        sl_error_set(err, st, SL_NO_POS, "%s", sl_strerror(st));
}

static sl_status load(const char *path, bool defer_regex, sl_policy **out, sl_error *err)
{
    if (!out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output policy");
    *out = NULL;
    sl__report rep = {.defer_regex = defer_regex};
    sl_status st = parse_file(path, &rep, out);
    if (st) finish_error(&rep, st, err);
    return st;
}

sl_status sl_policy_load(const char *path, sl_policy **out, sl_error *err)
{
    return load(path, false, out, err);
}

sl_status sl__policy_load_for_engine(const char *path, sl_policy **out, sl_error *err)
{
    return load(path, true, out, err);
}

sl_status sl_policy_parse_buffer(const char *data, size_t len, const char *base_dir,
                                 const char *label, sl_policy **out, sl_error *err)
{
    if (!out || (!data && len)) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "bad argument");
    *out = NULL;
    sl__report rep = {0};
    sl_status st = parse(data ? data : "", len, base_dir ? base_dir : ".", label, &rep, out);
    if (st) finish_error(&rep, st, err);
    return st;
}

sl_status sl_policy_lint(const char *path, void (*report)(const sl_error *err, void *ctx),
                         void *ctx)
{
    if (!report) return SL_ERR_ARG;
    sl__report rep = {.fn = report, .ctx = ctx};
    sl_status st = parse_file(path, &rep, NULL);
    return rep.count ? (st ? st : SL_ERR_POLICY) : SL_OK;
}

sl_status sl_policy_lint_buffer(const char *data, size_t len, const char *base_dir,
                                void (*report)(const sl_error *err, void *ctx), void *ctx)
{
    if (!report || (!data && len)) return SL_ERR_ARG;
    sl__report rep = {.fn = report, .ctx = ctx};
    sl_status st = parse(data ? data : "", len, base_dir ? base_dir : ".", NULL, &rep, NULL);
    return rep.count ? (st ? st : SL_ERR_POLICY) : SL_OK;
}
