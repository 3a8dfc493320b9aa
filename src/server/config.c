/* server/config.c — the service's configuration file (server/config.h), read with libyaml's
 * document loader. The first problem stops the parse and is reported with its line and byte. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "server/config.h"
#include "server/webhooks.h"

#include "engine/yaml_load.h"
#include "sangloc/store.h"
#include "util/file.h"

typedef struct cwalk {
    yaml_document_t doc;
    const char *data;
    size_t len;
    const char *base_dir;
    bool check_files;
    unsigned char *seen; /* per node: an alias would visit it twice */
    size_t nnodes;
    sl_error *err;
    bool failed;
} cwalk;

/* Byte offset of a libyaml mark (its column counts characters, not bytes). */
static size_t byte_of(const cwalk *w, yaml_mark_t m)
{
    size_t i = 0, line = 0;
    while (i < w->len && line < m.line) {
        if (w->data[i] == '\n' ||
            (w->data[i] == '\r' && !(i + 1 < w->len && w->data[i + 1] == '\n')))
            line++;
        i++;
    }
    for (size_t col = 0; i < w->len && col < m.column; col++) {
        i++;
        while (i < w->len && ((unsigned char)w->data[i] & 0xC0) == 0x80) i++;
    }
    return i < w->len ? i : w->len;
}

static bool fail_at(cwalk *w, yaml_mark_t m, sl_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool fail_at(cwalk *w, yaml_mark_t m, sl_status code, const char *fmt, ...)
{
    if (w->failed) return false;
    w->failed = true;
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sl_error_set(w->err, code, byte_of(w, m), "%s", msg);
    if (w->err) w->err->line = m.line + 1;
    return false;
}

#define FAIL(w, node, ...) fail_at((w), (node)->start_mark, SL_ERR_ARG, __VA_ARGS__)

static bool oom(cwalk *w, const yaml_node_t *n)
{
    return fail_at(w, n->start_mark, SL_ERR_NOMEM, "out of memory");
}

static yaml_node_t *enter(cwalk *w, int index, const yaml_node_t *from)
{
    yaml_node_t *n = yaml_document_get_node(&w->doc, index);
    if (!n) return NULL;
    size_t i = (size_t)(index - 1);
    if (i >= w->nnodes || w->seen[i]) {
        FAIL(w, from ? from : n, "YAML aliases are not supported in the config");
        return NULL;
    }
    w->seen[i] = 1;
    return n;
}

static const char *type_name(const yaml_node_t *n)
{
    return n->type == YAML_MAPPING_NODE    ? "a mapping"
           : n->type == YAML_SEQUENCE_NODE ? "a list"
                                           : "a scalar";
}

/* A plain or quoted scalar as a NUL-terminated copy (no NUL byte inside, at most max bytes). */
static char *get_string(cwalk *w, const yaml_node_t *n, const char *what, size_t max)
{
    if (n->type != YAML_SCALAR_NODE) {
        FAIL(w, n, "%s must be a string, not %s", what, type_name(n));
        return NULL;
    }
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        (len == 0 || (len == 1 && s[0] == '~') || (len == 4 && !memcmp(s, "null", 4)))) {
        FAIL(w, n, "%s must be a string, not null", what);
        return NULL;
    }
    if (!len) {
        FAIL(w, n, "%s is empty", what);
        return NULL;
    }
    if (memchr(s, '\0', len) || len > max) {
        FAIL(w, n, "%s is longer than %zu bytes or holds a NUL byte", what, max);
        return NULL;
    }
    char *c = malloc(len + 1);
    if (!c) {
        oom(w, n);
        return NULL;
    }
    memcpy(c, s, len);
    c[len] = '\0';
    return c;
}

/* A path: relative ones resolve against the config's folder; checked when asked. */
static char *get_path(cwalk *w, const yaml_node_t *n, const char *what)
{
    char *p = get_string(w, n, what, 4096);
    if (!p) return NULL;
    if (p[0] != '/' && w->base_dir && w->base_dir[0]) {
        size_t bl = strlen(w->base_dir), pl = strlen(p);
        char *j = malloc(bl + pl + 2);
        if (!j) {
            free(p);
            oom(w, n);
            return NULL;
        }
        memcpy(j, w->base_dir, bl);
        j[bl] = '/';
        memcpy(j + bl + 1, p, pl + 1);
        free(p);
        p = j;
    }
    if (w->check_files) {
        int fd;
        size_t size;
        sl_error fe = {0};
        if (sl__file_open_regular(p, (size_t)1 << 40, &fd, &size, &fe)) {
            FAIL(w, n, "%s: %s", what, fe.message);
            free(p);
            return NULL;
        }
        close(fd);
    }
    return p;
}

static bool valid_id(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return false;
    return true;
}

const char *sl__config_basename(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

long sl__config_bank(const sl__org_conf *org, const char *name, size_t len)
{
    for (size_t k = 0; k < org->nbanks; k++) {
        const char *b = sl__config_basename(org->banks[k]);
        if (strlen(b) == len && !memcmp(b, name, len)) return (long)k;
    }
    return -1;
}

static bool walk_banks(cwalk *w, yaml_node_t *n, sl__org_conf *o)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return FAIL(w, n, "banks must be a list of paths, not %s", type_name(n));
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (count > SL_CONFIG_MAX_BANKS)
        return FAIL(w, n, "at most %d banks an organization", SL_CONFIG_MAX_BANKS);
    o->banks = calloc(count ? count : 1, sizeof *o->banks);
    if (!o->banks) return oom(w, n);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *b = enter(w, *it, n);
        if (!b) return false;
        char *p = get_path(w, b, "a bank");
        if (!p) return false;
        const char *base = sl__config_basename(p);
        if (!*base) {
            free(p);
            return FAIL(w, b, "a bank path must name a file");
        }
        if (sl__config_bank(o, base, strlen(base)) >= 0) {
            FAIL(w, b, "two banks named \"%.60s\" in organization %.64s", base, o->id ? o->id : "");
            free(p); /* after the message: base points into p */
            return false;
        }
        o->banks[o->nbanks++] = p;
    }
    return true;
}

static yaml_node_t **webhook_key(const char *key, yaml_node_t **url, yaml_node_t **secret)
{
    return !strcmp(key, "webhook_url") ? url : !strcmp(key, "webhook_secret_file") ? secret : NULL;
}

/* webhook_url and webhook_secret_file go together; the secret file need not exist yet (the
 * server creates it), so it is not checked here. */
static bool walk_webhook(cwalk *w, yaml_node_t *url, yaml_node_t *secret, sl__org_conf *o)
{
    if (!url && !secret) return true;
    if (!url) return FAIL(w, secret, "webhook_secret_file needs a webhook_url");
    if (!secret) return FAIL(w, url, "webhook_url needs a webhook_secret_file");
    if (!(o->webhook_url = get_string(w, url, "webhook_url", SL_HOOK_MAX_URL))) return false;
    if (!sl__hooks_url_ok(o->webhook_url))
        return FAIL(w, url, "webhook_url must be an http:// or https:// URL without spaces");
    bool check = w->check_files;
    w->check_files = false;
    o->webhook_secret_file = get_path(w, secret, "webhook_secret_file");
    w->check_files = check;
    return o->webhook_secret_file != NULL;
}

static bool walk_org(cwalk *w, yaml_node_t *n, sl__org_conf *o, const sl__config *c)
{
    if (n->type != YAML_MAPPING_NODE)
        return FAIL(w, n, "an organization must be a mapping, not %s", type_name(n));
    o->line = n->start_mark.line + 1;
    yaml_node_t *policy = NULL, *model = NULL, *banks = NULL, *name = NULL, *id = NULL;
    yaml_node_t *hook_url = NULL, *hook_secret = NULL;
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = enter(w, pr->key, n);
        if (!k) return false;
        yaml_node_t *v = enter(w, pr->value, k);
        if (!v) return false;
        if (k->type != YAML_SCALAR_NODE) return FAIL(w, k, "a key must be a string");
        const char *key = (const char *)k->data.scalar.value;
        yaml_node_t **slot = !strcmp(key, "id")       ? &id
                             : !strcmp(key, "name")   ? &name
                             : !strcmp(key, "policy") ? &policy
                             : !strcmp(key, "model")  ? &model
                             : !strcmp(key, "banks")  ? &banks
                                                      : NULL;
        if (!slot) slot = webhook_key(key, &hook_url, &hook_secret);
        if (!slot || strlen(key) != k->data.scalar.length)
            return FAIL(w, k,
                        "unknown key \"%.40s\" in an organization (id, name, policy, model, banks, "
                        "webhook_url, webhook_secret_file)",
                        key);
        if (*slot) return FAIL(w, k, "the key \"%s\" is given twice", key);
        *slot = v;
    }
    if (!id) return FAIL(w, n, "an organization needs an id");
    if (!(o->id = get_string(w, id, "id", SL_STORE_MAX_ORG_ID))) return false;
    if (!valid_id(o->id))
        return FAIL(w, id, "id \"%.64s\": use letters, digits, '.', '_' and '-'", o->id);
    for (size_t k = 0; k < c->n && &c->orgs[k] != o; k++)
        if (!strcmp(c->orgs[k].id, o->id))
            return FAIL(w, id, "organization \"%s\" is given twice (first on line %zu)", o->id,
                        c->orgs[k].line);
    if (name ? !(o->name = get_string(w, name, "name", SL_STORE_MAX_NAME))
             : !(o->name = strdup(o->id)))
        return w->failed ? false : oom(w, n);
    if (!policy) return FAIL(w, n, "organization %s needs a policy", o->id);
    if (!(o->policy = get_path(w, policy, "policy"))) return false;
    if (model && !(o->model = get_path(w, model, "model"))) return false;
    if (banks && !walk_banks(w, banks, o)) return false;
    return walk_webhook(w, hook_url, hook_secret, o);
}

static bool walk_root(cwalk *w, sl__config *c)
{
    yaml_node_t *root = yaml_document_get_root_node(&w->doc);
    if (!root) {
        yaml_mark_t m = {0};
        return fail_at(w, m, SL_ERR_ARG, "the config is empty: it needs \"organizations\"");
    }
    enter(w, 1, NULL);
    if (root->type != YAML_MAPPING_NODE) return FAIL(w, root, "the config must be a mapping");
    yaml_node_t *orgs = NULL;
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = enter(w, pr->key, root);
        if (!k) return false;
        yaml_node_t *v = enter(w, pr->value, k);
        if (!v) return false;
        if (k->type != YAML_SCALAR_NODE ||
            strcmp((const char *)k->data.scalar.value, "organizations") ||
            k->data.scalar.length != 13)
            return FAIL(w, k, "unknown key at the top (only \"organizations\")");
        if (orgs) return FAIL(w, k, "the key \"organizations\" is given twice");
        orgs = v;
    }
    if (!orgs) return FAIL(w, root, "the config needs \"organizations\"");
    if (orgs->type != YAML_SEQUENCE_NODE)
        return FAIL(w, orgs, "organizations must be a list, not %s", type_name(orgs));
    size_t count = (size_t)(orgs->data.sequence.items.top - orgs->data.sequence.items.start);
    if (!count) return FAIL(w, orgs, "organizations is empty");
    if (count > SL_CONFIG_MAX_ORGS)
        return FAIL(w, orgs, "at most %d organizations", SL_CONFIG_MAX_ORGS);
    c->orgs = calloc(count, sizeof *c->orgs);
    if (!c->orgs) return oom(w, orgs);
    for (yaml_node_item_t *it = orgs->data.sequence.items.start; it < orgs->data.sequence.items.top;
         it++) {
        yaml_node_t *o = enter(w, *it, orgs);
        if (!o) return false;
        c->n++;
        if (!walk_org(w, o, &c->orgs[c->n - 1], c)) return false;
    }
    return true;
}

sl_status sl__config_parse(const char *data, size_t len, const char *base_dir, bool check_files,
                           sl__config *out, sl_error *err)
{
    memset(out, 0, sizeof *out);
    if (len > SL_CONFIG_MAX_BYTES)
        return sl_error_set(err, SL_ERR_TOO_LARGE, SL_NO_POS, "the config is larger than %zu bytes",
                            SL_CONFIG_MAX_BYTES);
    cwalk w = {
        .data = data, .len = len, .base_dir = base_dir, .check_files = check_files, .err = err};
    sl__yaml_problem p; /* one document, nesting bounded (engine/yaml_load.h) */
    if (!sl__yaml_load_one(data, len, &w.doc, &p)) {
        if (p.fault == SL__YAML_NOMEM)
            return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        if (p.fault == SL__YAML_SECOND_DOC)
            fail_at(&w, p.mark, SL_ERR_ARG, "the config must be one YAML document");
        else if (p.fault == SL__YAML_TOO_DEEP)
            fail_at(&w, p.mark, SL_ERR_ARG, "lists and mappings nested deeper than %d levels",
                    SL__YAML_MAX_DEPTH);
        else
            fail_at(&w, p.mark, SL_ERR_ARG, "YAML: %s", p.problem);
        return err ? err->code : SL_ERR_ARG;
    }
    w.nnodes = (size_t)(w.doc.nodes.top - w.doc.nodes.start);
    w.seen = calloc(w.nnodes ? w.nnodes : 1, 1);
    bool ok = w.seen ? walk_root(&w, out) : false;
    if (!w.seen) sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    free(w.seen);
    yaml_document_delete(&w.doc);
    if (ok) return SL_OK;
    sl__config_free(out);
    return err ? err->code : SL_ERR_ARG;
}

sl_status sl__config_load(const char *path, sl__config *out, sl_error *err)
{
    memset(out, 0, sizeof *out);
    char *data = NULL;
    size_t len = 0;
    sl_status st = sl__file_read(path, SL_CONFIG_MAX_BYTES, &data, &len, err);
    if (st) return st;
    char *dir = strdup(path);
    if (!dir) {
        free(data);
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    }
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        strcpy(dir, ".");
    st = sl__config_parse(data, len, dir, true, out, err);
    free(dir);
    free(data);
    return st;
}

void sl__org_conf_free(sl__org_conf *o)
{
    free(o->id);
    free(o->name);
    free(o->policy);
    free(o->model);
    free(o->webhook_url);
    free(o->webhook_secret_file);
    for (size_t b = 0; b < o->nbanks; b++) free(o->banks[b]);
    free(o->banks);
    memset(o, 0, sizeof *o);
}

void sl__config_free(sl__config *c)
{
    if (!c) return;
    for (size_t k = 0; k < c->n; k++) sl__org_conf_free(&c->orgs[k]);
    free(c->orgs);
    memset(c, 0, sizeof *c);
}
