/* server/banks.c — the banks of an organization over the API (role curator, and admin): list
 * them, list a bank's items, add items, remove one (docs/server.md, "Banks"). A bank is named
 * by the base name of a path in the org's config. Edits go to the bank file (sangloc/bank.h:
 * an exclusive lock per edit), then the org's engine is rebuilt in its reload slot, so that
 * screening goes on with the old engine while the new one builds and matches include the edit
 * once the reply is sent. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "sangloc/bank.h"
#include "server/bank_request.h"
#include "server/config.h"
#include "server/internal.h"
#include "server/json.h"
#include "server/request.h"

#define BANK_PAGE_DEFAULT 50
#define BANK_PAGE_MAX     1000

static void reply_status(sl__rq *r, sl_status st, const sl_error *err)
{
    int status = st == SL_ERR_TOO_LARGE ? 413
                 : st == SL_ERR_JSON    ? 400
                 : st == SL_ERR_ARG     ? 400
                 : st == SL_ERR_BUSY    ? 503
                                        : 500;
    const char *code = st == SL_ERR_JSON  ? "bad_json"
                       : st == SL_ERR_ARG ? "bad_request"
                                          : sl_status_name(st);
    sl__reply_error(r, status, code, err->message, status == 400 ? err->byte : SL_NO_POS, -1, 0);
}

/* The request's org when the banks are its own (without --config, the one engine serves every
 * org of the store, but its banks are default's: other orgs have none), else NULL. */
static sl__org *own_org(sl__rq *r)
{
    sl__org *o = &r->w->srv->orgs[r->orgi];
    return strcmp(o->conf.id, r->org) ? NULL : o;
}

/* The bank path named by the first segment of rest (up to '/'), or NULL (404 replied). */
static const char *find_bank(sl__rq *r, const char *rest, const char **after)
{
    sl__org *o = own_org(r);
    const char *slash = strchr(rest, '/');
    size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
    *after = rest + len;
    if (o && !sl__req_path_segment(rest, len, 255, &r->w->tmp))
        for (size_t k = 0; k < o->conf.nbanks; k++)
            if (!strcmp(sl__config_basename(o->conf.banks[k]), r->w->tmp.data))
                return o->conf.banks[k];
    sl__reply_error(r, 404, "not_found", "no such bank", SL_NO_POS, -1, 0);
    return NULL;
}

/* ---- GET /v1/banks ---------------------------------------------------------------------- */

void sl__route_banks(sl__rq *r)
{
    sl__org *o = own_org(r);
    if (!o) {
        sl__reply_error(r, 404, "not_found", "this organization has no banks here", SL_NO_POS, -1,
                        0);
        return;
    }
    sl_buf *b = &r->w->out;
    sl_buf_clear(b);
    sl_status s2 = sl_buf_puts(b, "{\"org\":");
    if (!s2) s2 = sl__json_text(b, o->conf.id, strlen(o->conf.id));
    if (!s2) s2 = sl_buf_puts(b, ",\"banks\":[");
    for (size_t k = 0; k < o->conf.nbanks && !s2; k++) {
        const char *name = sl__config_basename(o->conf.banks[k]);
        s2 = sl_buf_puts(b, k ? ",{\"name\":" : "{\"name\":");
        if (!s2) s2 = sl__json_text(b, name, strlen(name));
        sl_bank *bank = NULL;
        sl_error err = {0};
        if (!s2 && sl_bank_open(o->conf.banks[k], &bank, &err) == SL_OK) {
            const char *v = sl_bank_version(bank);
            s2 = sl_buf_puts(b, ",\"version\":");
            if (!s2) s2 = sl__json_text(b, v, strlen(v));
            if (!s2) s2 = sl_buf_printf(b, ",\"items\":%zu}", sl_bank_count(bank));
            sl_bank_close(bank);
        } else if (!s2) {
            s2 = sl_buf_puts(b, ",\"error\":");
            if (!s2) s2 = sl__json_text(b, err.message, strlen(err.message));
            if (!s2) s2 = sl_buf_puts(b, "}");
        }
    }
    if (!s2) s2 = sl_buf_puts(b, "]}");
    if (s2)
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
    else
        sl__reply(r, 200, b->data, b->len);
}

/* ---- GET /v1/banks/{name}/items?limit=&cursor= --------------------------------------------- */

/* Digits only, at most max. */
static bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s || strlen(s) > 20) return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return false;
        if (v > (UINT64_MAX - 9) / 10) return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (v > max) return false;
    *out = v;
    return true;
}

static sl_status put_item(sl_buf *b, const sl_bank_item *it, bool comma)
{
    sl_status st = sl_buf_puts(b, comma ? ",{\"id\":" : "{\"id\":");
    if (!st) st = sl__json_text(b, it->id, it->id_len);
    if (!st) st = sl_buf_printf(b, ",\"kind\":\"%s\",\"text\":", sl_bank_kind_name(it->kind));
    if (!st) st = sl__json_text(b, it->text, it->text_len);
    if (!st && it->source_len) st = sl_buf_puts(b, ",\"source\":");
    if (!st && it->source_len) st = sl__json_text(b, it->source, it->source_len);
    if (!st && it->added_len) st = sl_buf_puts(b, ",\"added\":");
    if (!st && it->added_len) st = sl__json_text(b, it->added, it->added_len);
    if (!st) st = sl_buf_puts(b, "}");
    return st;
}

static void list_items(sl__rq *r, const char *path, const char *query)
{
    uint64_t limit = BANK_PAGE_DEFAULT, cursor = 0;
    bool has_limit = false, has_cursor = false;
    struct evkeyvalq q;
    TAILQ_INIT(&q);
    if (query && evhttp_parse_query_str(query, &q) != 0) {
        sl__reply_error(r, 400, "bad_request", "malformed query string", SL_NO_POS, -1, 0);
        return;
    }
    for (struct evkeyval *kv = q.tqh_first; kv; kv = kv->next.tqe_next) {
        bool ok;
        if (!strcmp(kv->key, "limit"))
            ok = !has_limit && parse_uint(kv->value, BANK_PAGE_MAX, &limit) && limit >= 1,
            has_limit = true;
        else if (!strcmp(kv->key, "cursor"))
            ok = !has_cursor && parse_uint(kv->value, SIZE_MAX, &cursor), has_cursor = true;
        else
            ok = false;
        if (!ok) {
            evhttp_clear_headers(&q);
            sl__reply_error(r, 400, "bad_request",
                            "the query takes limit (1..1000) and cursor (a next_cursor), once each",
                            SL_NO_POS, -1, 0);
            return;
        }
    }
    evhttp_clear_headers(&q);
    sl_bank *bank = NULL;
    sl_error err = {0};
    sl_status st = sl_bank_open(path, &bank, &err);
    if (st) {
        reply_status(r, st == SL_ERR_NOMEM ? st : SL_ERR_INTERNAL, &err);
        return;
    }
    sl_buf *b = &r->w->out;
    sl_buf_clear(b);
    sl_status s2 = sl_buf_printf(b, "{\"version\":");
    if (!s2) s2 = sl__json_text(b, sl_bank_version(bank), strlen(sl_bank_version(bank)));
    if (!s2) s2 = sl_buf_puts(b, ",\"items\":[");
    size_t c = (size_t)cursor, n = 0;
    sl_bank_item it;
    while (!s2 && n < limit && sl_bank_next(bank, &c, &it)) s2 = put_item(b, &it, n++ > 0);
    /* another page when an item is left after this one */
    size_t peek = c;
    bool more = n == limit && sl_bank_next(bank, &peek, &it);
    if (!s2)
        s2 = more ? sl_buf_printf(b, "],\"next_cursor\":\"%zu\"}", c)
                  : sl_buf_puts(b, "],\"next_cursor\":null}");
    sl_bank_close(bank);
    if (s2)
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
    else
        sl__reply(r, 200, b->data, b->len);
}

/* ---- POST /v1/banks/{name}/items ----------------------------------------------------------- */

static void bitems_free(sl__bank_req_item *v, size_t n)
{
    for (size_t k = 0; v && k < n; k++) sl__bank_req_item_free(&v[k]);
    free(v);
}

/* Rebuilds the org's engine after an edit and appends ,"reloaded":…,"generation":N. */
static sl_status after_edit(sl__rq *r, sl_buf *b)
{
    sl_server *s = r->w->srv;
    sl_error e = {0};
    sl_status st = sl__org_reload(s, (size_t)r->orgi, &e);
    sl_status s2 =
        sl_buf_printf(b, ",\"reloaded\":%s,\"generation\":%llu", st ? "false" : "true",
                      (unsigned long long)sl_engine_slot_generation(s->orgs[r->orgi].slot));
    if (!s2 && st) {
        s2 = sl_buf_puts(b, ",\"error\":{\"code\":\"reload_failed\",\"message\":");
        if (!s2) s2 = sl__json_text(b, e.message, strlen(e.message));
        if (!s2 && e.line) s2 = sl_buf_printf(b, ",\"line\":%zu", e.line);
        if (!s2) s2 = sl_buf_puts(b, "}");
    }
    return s2;
}

static void add_items(sl__rq *r, const char *path, const char *name)
{
    sl_error err = {0};
    sl__envelope env;
    if (sl__req_envelope(r->body, r->body_len, SL_SERVER_MAX_BATCH_ITEMS, &env, &err)) {
        reply_status(r, err.code, &err);
        return;
    }
    if (!env.has_items) {
        sl__envelope_free(&env);
        sl__reply_error(r, 400, "missing_field", "\"items\" is required", SL_NO_POS, -1, 0);
        return;
    }
    size_t n = env.n;
    sl__bank_req_item *v = calloc(n ? n : 1, sizeof *v);
    sl_bank_item *items = calloc(n ? n : 1, sizeof *items);
    sl_status *stv = calloc(n ? n : 1, sizeof *stv);
    sl_error *ev = calloc(n ? n : 1, sizeof *ev);
    size_t *map = calloc(n ? n : 1, sizeof *map); /* items[j] is v[map[j]] */
    if (!v || !items || !stv || !ev || !map) {
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
        goto done;
    }
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        sl__bank_req_item *it = &v[k];
        sl_status st = sl__req_bank_item(r->body, env.items[k], it, &err);
        if (st) {
            sl__reply_error(r,
                            st == SL_ERR_NOMEM       ? 500
                            : st == SL_ERR_TOO_LARGE ? 413
                                                     : 400,
                            st == SL_ERR_JSON ? "bad_json" : sl_status_name(st), err.message,
                            err.byte, (long)k, 0);
            goto done;
        }
        if (it->bad) continue;
        items[m] = it->item;
        map[m++] = k;
    }
    sl__org *o = &r->w->srv->orgs[r->orgi];
    size_t added = 0;
    pthread_mutex_lock(&o->edit);
    sl_status st = m ? sl_bank_append(path, items, m, stv, ev, &added, &err) : SL_OK;
    sl_buf *b = &r->w->out;
    sl_buf_clear(b);
    sl_status s2 = SL_OK;
    if (!st) {
        s2 = sl_buf_puts(b, "{\"bank\":");
        if (!s2) s2 = sl__json_text(b, name, strlen(name));
        if (!s2) s2 = sl_buf_printf(b, ",\"added\":%zu", added);
        if (!s2 && added) s2 = after_edit(r, b);
    }
    pthread_mutex_unlock(&o->edit);
    if (st) {
        reply_status(r, st, &err);
        goto done;
    }
    /* each item in order: added, or skipped with why (as `sangloc bank add` reports a line) */
    if (!s2) s2 = sl_buf_puts(b, ",\"items\":[");
    for (size_t k = 0, j = 0; k < n && !s2; k++) {
        sl__bank_req_item *it = &v[k];
        const char *why = it->bad;
        sl_status ist = SL_ERR_ARG;
        if (!why) {
            ist = stv[j];
            why = ist ? ev[j].message : NULL;
            j++;
        }
        s2 = sl_buf_puts(b, k ? ",{\"id\":" : "{\"id\":");
        if (!s2)
            s2 = it->has_id ? sl__json_text(b, it->id.data ? it->id.data : "", it->id.len)
                            : sl_buf_puts(b, "null");
        if (!s2 && !why) s2 = sl_buf_puts(b, ",\"status\":\"added\"}");
        if (!s2 && why) {
            s2 = sl_buf_printf(b, ",\"status\":\"skipped\",\"error\":{\"code\":\"%s\",\"message\":",
                               sl_status_name(ist));
            if (!s2) s2 = sl__json_text(b, why, strlen(why));
            if (!s2) s2 = sl_buf_puts(b, "}}");
        }
    }
    if (!s2) s2 = sl_buf_puts(b, "]}");
    if (s2)
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
    else
        sl__reply(r, 200, b->data, b->len);
done:
    bitems_free(v, n);
    free(items);
    free(stv);
    free(ev);
    free(map);
    sl__envelope_free(&env);
}

void sl__route_bank_items(sl__rq *r, const char *rest, const char *query)
{
    const char *after;
    const char *path = find_bank(r, rest, &after);
    if (!path) return;
    char name[256];
    snprintf(name, sizeof name, "%s", sl__config_basename(path));
    if (evhttp_request_get_command(r->req) == EVHTTP_REQ_GET)
        list_items(r, path, query);
    else
        add_items(r, path, name);
}

/* ---- DELETE /v1/banks/{name}/items/{id} --------------------------------------------------- */

void sl__route_bank_item_delete(sl__rq *r, const char *rest)
{
    const char *after;
    const char *path = find_bank(r, rest, &after);
    if (!path) return;
    const char *id = after + 7; /* after "/items/" */
    if (sl__req_path_segment(id, strlen(id), SL_BANK_MAX_ID, &r->w->idbuf)) {
        sl__reply_error(r, 404, "not_found", "no such bank item", SL_NO_POS, -1, 0);
        return;
    }
    sl__org *o = &r->w->srv->orgs[r->orgi];
    const char *ids[1] = {r->w->idbuf.data};
    size_t removed = 0, missing = 0;
    sl_error err = {0};
    pthread_mutex_lock(&o->edit);
    sl_status st = sl_bank_remove(path, ids, 1, &removed, &missing, &err);
    sl_buf *b = &r->w->out;
    sl_buf_clear(b);
    sl_status s2 = SL_OK;
    if (!st && removed) {
        s2 = sl_buf_puts(b, "{\"removed\":");
        if (!s2) s2 = sl__json_text(b, ids[0], strlen(ids[0]));
        if (!s2) s2 = after_edit(r, b);
        if (!s2) s2 = sl_buf_puts(b, "}");
    }
    pthread_mutex_unlock(&o->edit);
    if (st)
        reply_status(r, st, &err);
    else if (!removed)
        sl__reply_error(r, 404, "not_found", "no such bank item", SL_NO_POS, -1, 0);
    else if (s2)
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
    else
        sl__reply(r, 200, b->data, b->len);
}
