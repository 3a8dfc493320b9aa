/* server/orgs.c — the organizations a server serves (--config, or the one org "default"), which
 * org a request acts for, and reloading them one by one (docs/server.md, "Organizations"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "server/config.h"
#include "server/audit_routes.h"
#include "server/internal.h"
#include "server/json.h"
#include "server/webhooks.h"

static char *dup_or_null(const char *s, bool *oom)
{
    if (!s) return NULL;
    char *c = strdup(s);
    if (!c) *oom = true;
    return c;
}

static sl_status org_build(sl_server *s, sl__org *o, sl_error *err)
{
    sl_engine_options eo = s->opt.engine;
    eo.policy_path = o->conf.policy;
    eo.model_path = o->conf.model;
    eo.bank_paths = (const char *const *)o->conf.banks;
    eo.nbanks = o->conf.nbanks;
    sl_status st = sl_engine_slot_new(&eo, &o->slot, err);
    if (st && err && s->configured) {
        char m[512];
        if (err->line)
            snprintf(m, sizeof m, "organization %.64s: %.60s:%zu: %s", o->conf.id, o->conf.policy,
                     err->line, err->message);
        else
            snprintf(m, sizeof m, "organization %.64s: %s", o->conf.id, err->message);
        size_t n = strlen(m) < sizeof err->message - 1 ? strlen(m) : sizeof err->message - 1;
        memcpy(err->message, m, n);
        err->message[n] = '\0';
    }
    return st;
}

sl_status sl__orgs_init(sl_server *s, sl_store *store, sl_error *err)
{
    sl__config c = {0};
    sl_status st;
    bool oom = false;
    if (s->opt.config) {
        if ((st = sl__config_load(s->opt.config, &c, err))) return st;
        s->configured = true;
    }
    size_t n = s->configured ? c.n : 1;
    s->orgs = calloc(n, sizeof *s->orgs);
    if (!s->orgs) {
        sl__config_free(&c);
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    }
    const sl_engine_options *eo = &s->opt.engine;
    for (size_t k = 0; k < n; k++) {
        sl__org *o = &s->orgs[k];
        s->norgs = k + 1;
        pthread_mutex_init(&o->edit, NULL);
        if (s->configured) {
            /* take the config's strings; the server's model is the default */
            o->conf = c.orgs[k];
            memset(&c.orgs[k], 0, sizeof c.orgs[k]);
            if (!o->conf.model) o->conf.model = dup_or_null(eo->model_path, &oom);
        } else {
            o->conf.id = dup_or_null("default", &oom);
            o->conf.name = dup_or_null("default", &oom);
            o->conf.policy = dup_or_null(eo->policy_path, &oom);
            o->conf.model = dup_or_null(eo->model_path, &oom);
            o->conf.banks = calloc(eo->nbanks ? eo->nbanks : 1, sizeof *o->conf.banks);
            if (!o->conf.banks) oom = true;
            for (size_t b = 0; o->conf.banks && b < eo->nbanks; b++, o->conf.nbanks++)
                o->conf.banks[b] = dup_or_null(eo->bank_paths[b], &oom);
            o->conf.webhook_url = dup_or_null(s->opt.webhook_url, &oom);
            o->conf.webhook_secret_file = dup_or_null(s->opt.webhook_secret_file, &oom);
        }
        if (oom) {
            st = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
            goto out;
        }
        if (s->configured && (st = sl_store_org_put(store, o->conf.id, o->conf.name, err)))
            goto out;
        if ((st = org_build(s, o, err))) goto out;
    }
    s->slot = s->orgs[0].slot;
    st = SL_OK;
out:
    sl__config_free(&c);
    return st;
}

void sl__orgs_free(sl_server *s)
{
    for (size_t k = 0; k < s->norgs; k++) {
        sl__org *o = &s->orgs[k];
        pthread_mutex_destroy(&o->edit);
        sl_engine_slot_free(o->slot);
        sl__org_conf_free(&o->conf);
    }
    free(s->orgs);
    s->orgs = NULL;
    s->norgs = 0;
    s->slot = NULL;
}

long sl__org_find(const sl_server *s, const char *id, size_t len)
{
    for (size_t k = 0; k < s->norgs; k++)
        if (strlen(s->orgs[k].conf.id) == len && !memcmp(s->orgs[k].conf.id, id, len))
            return (long)k;
    return -1;
}

sl_status sl__org_reload(sl_server *s, size_t k, sl_error *err)
{
    sl__hooks_reload(s->hooks); /* a reload reads the webhook secrets again too */
    sl_status st = sl_engine_slot_reload(s->orgs[k].slot, NULL, err);
    atomic_fetch_add_explicit(st ? &s->metrics.reloads_failed : &s->metrics.reloads_ok, 1,
                              memory_order_relaxed);
    return st;
}

sl_status sl_server_reload(sl_server *s, sl_error *err)
{
    sl_status first = SL_OK;
    /* a handle of its own to log the reloads: the workers' belong to their threads */
    sl_store *store = NULL;
    sl_store_options so = {.key_file = s->key_file};
    sl_error oe = {0};
    if (sl_store_open(s->db, &so, &store, &oe))
        fprintf(stderr, "sangloc serve: cannot log the reload: %s\n", oe.message);
    for (size_t k = 0; k < s->norgs; k++) {
        sl_error e = {0};
        const sl_engine *old = sl_engine_slot_get(s->orgs[k].slot);
        sl_status st = sl__org_reload(s, k, &e);
        const sl_engine *eng = sl_engine_slot_get(s->orgs[k].slot);
        if (store) sl__audit_reload(store, 0, s->orgs[k].conf.id, old, eng, st == SL_OK);
        sl_engine_release(old);
        sl_engine_release(eng);
        if (st && !first) {
            first = st;
            if (err) {
                *err = e;
                if (s->configured)
                    snprintf(err->message, sizeof err->message, "organization %.64s: %.80s",
                             s->orgs[k].conf.id, e.message);
            }
        }
    }
    sl_store_close(store);
    return first;
}

bool sl__select_org(sl__rq *r, bool needs_org)
{
    sl_server *s = r->w->srv;
    const char *h = evhttp_find_header(evhttp_request_get_input_headers(r->req), "X-Sangloc-Org");
    r->org = NULL;
    r->orgi = -1;
    if (r->tok.org[0]) {
        /* a token of an org acts for it only; another org does not exist for it */
        if (h && strcmp(h, r->tok.org)) goto no_org;
        r->org = r->tok.org;
    } else if (h) {
        long k = sl__org_find(s, h, strlen(h));
        if (k < 0 && (s->configured || sl_store_org_exists(r->w->store, h, NULL))) goto no_org;
        r->org = k >= 0 ? s->orgs[k].conf.id : h;
    } else if (s->norgs == 1) {
        r->org = s->orgs[0].conf.id;
    }
    if (r->org) {
        r->orgi = sl__org_find(s, r->org, strlen(r->org));
        /* without --config the one engine screens for every org of the store */
        if (r->orgi < 0 && !s->configured) r->orgi = 0;
    }
    if (!needs_org) return true;
    if (!r->org) {
        sl__reply_error(r, 400, "org_required",
                        "a global token names its organization in the X-Sangloc-Org header",
                        SL_NO_POS, -1, 0);
        return false;
    }
    if (r->orgi >= 0) return true;
no_org:
    sl__reply_error(r, 404, "not_found", "no such organization", SL_NO_POS, -1, 0);
    return false;
}

/* ---- POST /v1/admin/reload ------------------------------------------------------------------ */

typedef struct reload_body {
    sl_buf org;
    bool has_org;
} reload_body;

static sl_status reload_member(void *ctx, const char *key, size_t key_len, const char *s,
                               size_t len, size_t *i, sl_error *err)
{
    reload_body *rb = ctx;
    if (key_len == 3 && !memcmp(key, "org", 3)) {
        if (*i >= len || s[*i] != '"')
            return sl_error_set(err, SL_ERR_JSON, *i, "\"org\" must be a string");
        rb->has_org = true;
        return sl__json_string(s, len, i, &rb->org, err);
    }
    return sl_error_set(err, SL_ERR_ARG, *i, "unknown key (only \"org\")");
}

void sl__route_reload(sl__rq *r)
{
    sl_server *s = r->w->srv;
    reload_body rb = {.org = {.max = SL_STORE_MAX_ORG_ID}};
    sl_error err = {0};
    size_t i = 0;
    sl__json_ws(r->body, r->body_len, &i);
    if (i < r->body_len &&
        (sl__json_object(r->body, r->body_len, &i, 4, reload_member, &rb, &err) ||
         sl__json_end(r->body, r->body_len, i, &err))) {
        sl_buf_free(&rb.org);
        sl__reply_error(r, 400, err.code == SL_ERR_JSON ? "bad_json" : "bad_request", err.message,
                        err.byte, -1, 0);
        return;
    }
    /* which orgs: the one in the body, else the one the request acts for (the token's, or
       X-Sangloc-Org for a global token), else all; without --config one engine serves all */
    size_t lo = 0, hi = s->norgs;
    const char *want = rb.has_org      ? (rb.org.data ? rb.org.data : "")
                       : s->configured ? r->org
                                       : NULL;
    if (want) {
        long k = sl__org_find(s, want, strlen(want));
        if (k < 0 || (s->configured && r->tok.org[0] && strcmp(want, r->tok.org))) {
            sl_buf_free(&rb.org);
            sl__reply_error(r, 404, "not_found", "no such organization", SL_NO_POS, -1, 0);
            return;
        }
        lo = (size_t)k, hi = lo + 1;
    }
    sl_buf_free(&rb.org);
    sl_buf *b = &r->w->out;
    sl_buf_clear(b);
    sl_status s2 = sl_buf_puts(b, "{\"orgs\":[");
    bool all_ok = true;
    sl_error first = {0};
    for (size_t k = lo; k < hi && !s2; k++) {
        sl_error e = {0};
        const sl_engine *old = sl_engine_slot_get(s->orgs[k].slot);
        sl_status st = sl__org_reload(s, k, &e);
        const sl_engine *eng = sl_engine_slot_get(s->orgs[k].slot);
        sl__audit_reload(r->w->store, r->tok.id, s->orgs[k].conf.id, old, eng, st == SL_OK);
        sl_engine_release(old);
        s2 = sl_buf_printf(b, "%s{\"org\":", k > lo ? "," : "");
        if (!s2) s2 = sl__json_text(b, s->orgs[k].conf.id, strlen(s->orgs[k].conf.id));
        if (!s2)
            s2 = sl_buf_printf(b, ",\"reloaded\":%s,\"generation\":%llu,\"versions\":%s",
                               st ? "false" : "true",
                               (unsigned long long)sl_engine_slot_generation(s->orgs[k].slot),
                               sl_engine_versions_json(eng));
        sl_engine_release(eng);
        if (st && !s2) {
            s2 = sl_buf_puts(b, ",\"error\":{\"code\":\"reload_failed\",\"message\":");
            if (!s2) s2 = sl__json_text(b, e.message, strlen(e.message));
            if (!s2 && e.line) s2 = sl_buf_printf(b, ",\"line\":%zu", e.line);
            if (!s2) s2 = sl_buf_puts(b, "}");
            if (all_ok) first = e;
            all_ok = false;
        }
        if (!s2) s2 = sl_buf_puts(b, "}");
    }
    if (!s2) s2 = sl_buf_printf(b, "],\"reloaded\":%s", all_ok ? "true" : "false");
    /* one org: its generation and versions at the top too (the single-org reply) */
    if (!s2 && hi - lo == 1) {
        const sl_engine *eng = sl_engine_slot_get(s->orgs[lo].slot);
        s2 = sl_buf_printf(b, ",\"generation\":%llu,\"versions\":%s",
                           (unsigned long long)sl_engine_slot_generation(s->orgs[lo].slot),
                           sl_engine_versions_json(eng));
        sl_engine_release(eng);
    }
    if (!s2 && !all_ok) {
        /* the first failure as the error of the reply: the other orgs were reloaded */
        s2 = sl_buf_puts(b, ",\"error\":{\"code\":\"reload_failed\",\"message\":");
        if (!s2) s2 = sl__json_text(b, first.message, strlen(first.message));
        if (!s2 && first.line) s2 = sl_buf_printf(b, ",\"line\":%zu", first.line);
        if (!s2) s2 = sl_buf_puts(b, "}");
    }
    if (!s2) s2 = sl_buf_puts(b, "}");
    if (s2)
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
    else
        sl__reply(r, all_ok ? 200 : 422, b->data, b->len);
}
