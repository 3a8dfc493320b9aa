/* The audit log in the service: the checkpoint signer and the GET /v1/audit/... routes (see
 * server/audit_routes.h, docs/audit.md).
 *
 * Visibility: a global token (admin) sees every entry; a token of an org (its auditor) sees the
 * checkpoint and any proof, and the entries of its own org only. An entry of another org in a
 * range is answered with its seq and leaf hash but without its text (nor its org), so that the
 * org's auditor can still check every proof while learning nothing of the others. */
#include <event2/event.h>
#include <event2/http.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sangloc/audit.h"
#include "sangloc/engine.h"
#include "sangloc/policy.h"
#include "server/audit_routes.h"
#include "server/internal.h"

typedef struct sl__audit {
    sl_note_signer signer;
    char key[SL_VERIFIER_KEY_SIZE]; /* its verifier key string */
    pthread_mutex_t mu;             /* guards range and the signing */
    sl_merkle_range range;          /* the log's leaves [0, range.size), as read so far */
    struct event *timer;
} sl__audit;

sl_status sl__audit_new(sl_server *s, sl_error *err)
{
    if (!s->opt.audit_key) return SL_OK;
    sl__audit *a = calloc(1, sizeof *a);
    if (!a) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    char origin[SL_NOTE_NAME_MAX + 1];
    uint8_t secret[SL_NOTE_SECRET_LEN];
    sl_status st = sl_audit_init();
    if (!st) st = sl_audit_origin(s->opt.audit_name, origin, err);
    if (!st) st = sl_audit_key_load(s->opt.audit_key, secret, err);
    if (!st) st = sl_note_signer_init(&a->signer, origin, strlen(origin), secret, err);
    sodium_memzero(secret, sizeof secret);
    if (st) {
        sl_note_signer_wipe(&a->signer);
        free(a);
        return st;
    }
    sl_note_verifier_format(&a->signer.verifier, a->key);
    pthread_mutex_init(&a->mu, NULL);
    sl_merkle_range_init(&a->range);
    s->audit = a;
    return SL_OK;
}

void sl__audit_free(sl_server *s)
{
    sl__audit *a = s->audit;
    if (!a) return;
    if (a->timer) event_free(a->timer);
    pthread_mutex_destroy(&a->mu);
    sl_note_signer_wipe(&a->signer);
    free(a);
    s->audit = NULL;
}

/* Extends the range with the entries appended since it was last read, a bounded chunk of
 * leaves at a time. Under a->mu. */
static sl_status catch_up(sl__audit *a, sl_store *store, sl_error *err)
{
    enum { CHUNK = 65536 };
    int64_t size = 0;
    sl_status st = sl_store_audit_size(store, &size, err);
    while (!st && (int64_t)a->range.size < size) {
        int64_t from = (int64_t)a->range.size, to = size - from > CHUNK ? from + CHUNK : size;
        sl_merkle_hash *leaves = NULL;
        if ((st = sl_store_audit_leaves(store, from, to, &leaves, err))) break;
        for (int64_t i = 0; i < to - from && !st; i++)
            st = sl_merkle_range_append(&a->range, leaves[i]);
        free(leaves);
        if (st) st = sl_error_set(err, st, SL_NO_POS, "audit log too large");
    }
    return st;
}

/* Brings the range up to date and signs a checkpoint of it unless the last stored one is ours
 * and of this size (always = also when the log did not grow since it was made by another key);
 * *latest is the checkpoint now current (free with sl_store_audit_checkpoints_free(.., 1)). */
static sl_status refresh(sl__audit *a, sl_store *store, sl_audit_checkpoint **latest, sl_error *err)
{
    pthread_mutex_lock(&a->mu);
    sl_audit_checkpoint *last = NULL;
    sl_status st = catch_up(a, store, err);
    if (!st) {
        st = sl_store_audit_checkpoint_latest(store, &last, err);
        if (st == SL_ERR_NOT_FOUND) st = SL_OK;
    }
    bool current = last && last->size == (int64_t)a->range.size && !strcmp(last->key, a->key);
    if (!st && !current && (latest || a->range.size > 0)) {
        sl_checkpoint c = {.origin_len = a->signer.verifier.name_len, .size = a->range.size};
        memcpy(c.origin, a->signer.verifier.name, c.origin_len + 1);
        sl_merkle_range_root(&a->range, c.root);
        char note[SL_CHECKPOINT_NOTE_SIZE];
        size_t len = 0;
        st = sl_checkpoint_sign(&a->signer, &c, note, &len, err);
        if (!st)
            st = sl_store_audit_checkpoint_add(store, (int64_t)c.size, c.root, note, len, a->key,
                                               err);
        sl_store_audit_checkpoints_free(last, 1);
        last = NULL;
        if (!st && latest) st = sl_store_audit_checkpoint_latest(store, &last, err);
    }
    pthread_mutex_unlock(&a->mu);
    if (latest && !st)
        *latest = last;
    else
        sl_store_audit_checkpoints_free(last, 1);
    return st;
}

static void tick(evutil_socket_t fd, short what, void *arg)
{
    sl__worker *w = arg;
    sl_error err = {0};
    if (refresh(w->srv->audit, w->store, NULL, &err))
        fprintf(stderr, "sangloc serve: audit checkpoint: %s\n", err.message);
}

sl_status sl__audit_attach(sl_server *s, sl__worker *w, sl_error *err)
{
    sl__audit *a = s->audit;
    if (!a) return SL_OK;
    a->timer = event_new(w->base, -1, EV_PERSIST, tick, w);
    struct timeval every = {SL_AUDIT_SIGN_SECONDS, 0};
    if (!a->timer || event_add(a->timer, &every))
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "cannot start the audit timer");
    return SL_OK;
}

/* ---- reloads ------------------------------------------------------------------------------- */

static void policy_version(const sl_engine *e, char out[SL_STORE_MAX_POLICY_VERSION])
{
    const sl_policy *pol = e ? sl_engine_policy(e) : NULL;
    if (!pol) {
        out[0] = '\0';
        return;
    }
    snprintf(out, SL_STORE_MAX_POLICY_VERSION, "%.200s#%016" PRIx64,
             pol->version ? pol->version : "", pol->hash);
}

void sl__audit_reload(sl_store *store, int64_t actor, const char *org, const sl_engine *before,
                      const sl_engine *after, bool ok)
{
    char v0[SL_STORE_MAX_POLICY_VERSION], v1[SL_STORE_MAX_POLICY_VERSION];
    policy_version(before, v0);
    policy_version(after, v1);
    sl_audit_record rec = {.org = org,
                           .actor = actor,
                           .action = "policy.reload",
                           .target = "policy",
                           .before = v0,
                           .after = v1,
                           .policy_version = v1,
                           .data = ok ? "{\"reloaded\":true}" : "{\"reloaded\":false}"};
    sl_error err = {0};
    if (sl_store_audit_append(store, &rec, &err))
        fprintf(stderr, "sangloc serve: cannot log the reload of %s: %s\n", org, err.message);
}

/* ---- query strings ------------------------------------------------------------------------- */

static bool is_param(const char *name, const char *k, size_t klen)
{
    return strlen(name) == klen && !memcmp(name, k, klen);
}

sl_status sl__audit_query(const char *q, size_t len, const char *const *names, size_t n,
                          int64_t *values, bool *present, sl_error *err)
{
    for (size_t k = 0; k < n; k++) values[k] = 0, present[k] = false;
    if (q && len && q[len - 1] == '&')
        return sl_error_set(err, SL_ERR_ARG, len - 1, "an empty query parameter");
    for (size_t p = 0; q && p < len;) {
        const char *amp = memchr(q + p, '&', len - p);
        size_t end = amp ? (size_t)(amp - q) : len;
        const char *eq = memchr(q + p, '=', end - p);
        size_t klen = eq ? (size_t)(eq - (q + p)) : end - p, k = 0;
        while (k < n && !is_param(names[k], q + p, klen)) k++;
        if (k == n)
            return sl_error_set(err, SL_ERR_ARG, p, "unknown query parameter '%.*s'",
                                (int)(klen < 32 ? klen : 32), q + p);
        if (present[k]) return sl_error_set(err, SL_ERR_ARG, p, "%s: given twice", names[k]);
        size_t v = eq ? (size_t)(eq - q) + 1 : end;
        uint64_t x = 0;
        if (v == end || end - v > 19)
            return sl_error_set(err, SL_ERR_ARG, v, "%s: a number is expected", names[k]);
        for (size_t i = v; i < end; i++) {
            if (q[i] < '0' || q[i] > '9' || (i == v && q[i] == '0' && end - v > 1))
                return sl_error_set(err, SL_ERR_ARG, i, "%s: a number is expected", names[k]);
            x = x * 10 + (uint64_t)(q[i] - '0');
        }
        if (x > (uint64_t)INT64_MAX)
            return sl_error_set(err, SL_ERR_ARG, v, "%s: too large", names[k]);
        values[k] = (int64_t)x;
        present[k] = true;
        p = end + 1;
    }
    for (size_t k = 0; k < n; k++)
        if (!present[k]) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "%s: required", names[k]);
    return SL_OK;
}

/* ---- replies ------------------------------------------------------------------------------- */

static void bad_request(sl__rq *r, const sl_error *e)
{
    sl__reply_error(r, 400, "bad_request", e->message, e->byte, -1, 0);
}

static void store_error(sl__rq *r, sl_status st, const sl_error *e)
{
    sl__reply_error(r, st == SL_ERR_BUSY ? 503 : 500, sl_status_name(st), e->message, SL_NO_POS, -1,
                    0);
}

static sl_status put_b64(sl_buf *b, const sl_merkle_hash h)
{
    char s[sodium_base64_ENCODED_LEN(SL_MERKLE_HASH_LEN, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(s, sizeof s, h, SL_MERKLE_HASH_LEN, sodium_base64_VARIANT_ORIGINAL);
    return sl_buf_printf(b, "\"%s\"", s);
}

static sl_status put_hashes(sl_buf *b, const sl_merkle_hash *h, size_t n)
{
    sl_status st = sl_buf_puts(b, "[");
    for (size_t i = 0; i < n && !st; i++) {
        if (i) st = sl_buf_puts(b, ",");
        if (!st) st = put_b64(b, h[i]);
    }
    return st ? st : sl_buf_puts(b, "]");
}

static void reply_buf(sl__rq *r, sl_status st)
{
    if (st)
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
    else
        sl__reply(r, 200, r->w->out.data, r->w->out.len);
}

static bool wants_text(sl__rq *r)
{
    const char *h = evhttp_find_header(evhttp_request_get_input_headers(r->req), "Accept");
    return h && strstr(h, "text/plain") && !strstr(h, "application/json");
}

/* GET /v1/audit/checkpoint */
static void route_checkpoint(sl__rq *r)
{
    sl__audit *a = r->w->srv->audit;
    if (!a) {
        sl__reply_error(r, 503, "unavailable", "the server signs no checkpoints (no --audit-key)",
                        SL_NO_POS, -1, 0);
        return;
    }
    sl_audit_checkpoint *c = NULL;
    sl_error err = {0};
    sl_status st = refresh(a, r->w->store, &c, &err);
    if (st) {
        store_error(r, st, &err);
        return;
    }
    if (wants_text(r)) {
        sl__reply_as(r, 200, "text/plain; charset=utf-8", c->note, c->note_len);
        sl_store_audit_checkpoints_free(c, 1);
        return;
    }
    sl_buf *b = &r->w->out;
    sl_buf_clear(b);
    st = sl_buf_puts(b, "{\"origin\":");
    if (!st) st = sl_buf_json_string(b, a->signer.verifier.name, a->signer.verifier.name_len);
    if (!st) st = sl_buf_printf(b, ",\"size\":%" PRId64 ",\"root\":", c->size);
    if (!st) st = put_b64(b, c->root);
    if (!st) st = sl_buf_puts(b, ",\"note\":");
    if (!st) st = sl_buf_json_string(b, c->note, c->note_len);
    if (!st) st = sl_buf_puts(b, ",\"key\":");
    if (!st) st = sl_buf_json_string(b, c->key, strlen(c->key));
    if (!st) st = sl_buf_puts(b, "}");
    sl_store_audit_checkpoints_free(c, 1);
    reply_buf(r, st);
}

/* The org whose entries the token may read in full; NULL: all (a global token). */
static const char *visible_org(const sl__rq *r)
{
    return r->tok.org[0] ? r->tok.org : NULL;
}

static sl_status put_entry(sl_buf *b, const sl_audit_entry *e, const char *org, bool comma)
{
    sl_status st = sl_buf_printf(b, "%s{\"seq\":%" PRId64 ",", comma ? "," : "", e->seq);
    if (!st && org && strcmp(org, e->org)) {
        st = sl_buf_puts(b, "\"withheld\":true,\"leaf\":");
    } else if (!st) {
        st = sl_buf_printf(b, "\"at\":%" PRId64 ",\"org\":", e->at);
        if (!st) st = sl_buf_json_string(b, e->org, strlen(e->org));
        if (!st) st = sl_buf_puts(b, ",\"entry\":");
        if (!st) st = sl_buf_json_string(b, e->entry, e->entry_len);
        if (!st) st = sl_buf_puts(b, ",\"leaf\":");
    }
    if (!st) st = put_b64(b, e->leaf);
    return st ? st : sl_buf_puts(b, "}");
}

/* GET /v1/audit/entries?from=&to= */
static void route_entries(sl__rq *r, const char *query)
{
    static const char *const names[] = {"from", "to"};
    int64_t v[2];
    bool present[2];
    sl_error err = {0};
    if (sl__audit_query(query, query ? strlen(query) : 0, names, 2, v, present, &err)) {
        bad_request(r, &err);
        return;
    }
    if (v[1] < v[0] || v[1] - v[0] > SL_STORE_AUDIT_PAGE) {
        sl_error_set(&err, SL_ERR_ARG, SL_NO_POS, "to: from <= to <= from + %d",
                     SL_STORE_AUDIT_PAGE);
        {
            bad_request(r, &err);
            return;
        }
    }
    int64_t size = 0;
    sl_audit_entry *e = NULL;
    size_t n = 0;
    sl_status st = sl_store_audit_size(r->w->store, &size, &err);
    if (!st) st = sl_store_audit_entries(r->w->store, v[0], v[1], &e, &n, &err);
    if (st) {
        store_error(r, st, &err);
        return;
    }
    sl_buf *b = &r->w->out;
    sl_buf_clear(b);
    st = sl_buf_printf(b, "{\"size\":%" PRId64 ",\"entries\":[", size);
    for (size_t i = 0; i < n && !st; i++) st = put_entry(b, &e[i], visible_org(r), i > 0);
    if (!st) st = sl_buf_puts(b, "]}");
    sl_store_audit_entries_free(e, n);
    reply_buf(r, st);
}

/* The leaves [0, size) with size <= the log's size (400 naming param otherwise). */
static sl_merkle_hash *read_leaves(sl__rq *r, int64_t size, const char *param)
{
    int64_t have = 0;
    sl_merkle_hash *leaves = NULL;
    sl_error err = {0};
    sl_status st = sl_store_audit_size(r->w->store, &have, &err);
    if (!st && size > have) {
        sl_error_set(&err, SL_ERR_ARG, SL_NO_POS, "%s: the log has %" PRId64 " entries", param,
                     have);
        bad_request(r, &err);
        return NULL;
    }
    if (!st) st = sl_store_audit_leaves(r->w->store, 0, size, &leaves, &err);
    if (st) store_error(r, st, &err);
    return leaves;
}

/* GET /v1/audit/proof/inclusion?index=&size= */
static void route_inclusion(sl__rq *r, const char *query)
{
    static const char *const names[] = {"index", "size"};
    int64_t v[2];
    bool present[2];
    sl_error err = {0};
    if (sl__audit_query(query, query ? strlen(query) : 0, names, 2, v, present, &err)) {
        bad_request(r, &err);
        return;
    }
    if (v[0] >= v[1]) {
        sl_error_set(&err, SL_ERR_ARG, SL_NO_POS, "index: must be below size");
        {
            bad_request(r, &err);
            return;
        }
    }
    sl_merkle_hash *leaves = read_leaves(r, v[1], "size");
    if (!leaves) return;
    sl_merkle_hash path[SL_MERKLE_MAX_PROOF], root;
    size_t len = 0;
    sl_merkle_inclusion_proof((const sl_merkle_hash *)leaves, (uint64_t)v[1], (uint64_t)v[0], path,
                              &len);
    sl_merkle_root((const sl_merkle_hash *)leaves, (uint64_t)v[1], root);
    sl_buf *b = &r->w->out;
    sl_buf_clear(b);
    sl_status st =
        sl_buf_printf(b, "{\"index\":%" PRId64 ",\"size\":%" PRId64 ",\"leaf\":", v[0], v[1]);
    if (!st) st = put_b64(b, leaves[v[0]]);
    if (!st) st = sl_buf_puts(b, ",\"root\":");
    if (!st) st = put_b64(b, root);
    if (!st) st = sl_buf_puts(b, ",\"proof\":");
    if (!st) st = put_hashes(b, (const sl_merkle_hash *)path, len);
    if (!st) st = sl_buf_puts(b, "}");
    free(leaves);
    reply_buf(r, st);
}

/* GET /v1/audit/proof/consistency?from=&to= */
static void route_consistency(sl__rq *r, const char *query)
{
    static const char *const names[] = {"from", "to"};
    int64_t v[2];
    bool present[2];
    sl_error err = {0};
    if (sl__audit_query(query, query ? strlen(query) : 0, names, 2, v, present, &err)) {
        bad_request(r, &err);
        return;
    }
    if (v[0] > v[1]) {
        sl_error_set(&err, SL_ERR_ARG, SL_NO_POS, "from: must be at most to");
        {
            bad_request(r, &err);
            return;
        }
    }
    sl_merkle_hash *leaves = read_leaves(r, v[1], "to");
    if (!leaves) return;
    sl_merkle_hash proof[SL_MERKLE_MAX_PROOF], root_from, root_to;
    size_t len = 0;
    const sl_merkle_hash *l = (const sl_merkle_hash *)leaves;
    sl_merkle_consistency_proof(l, (uint64_t)v[0], (uint64_t)v[1], proof, &len);
    sl_merkle_root(l, (uint64_t)v[0], root_from);
    sl_merkle_root(l, (uint64_t)v[1], root_to);
    sl_buf *b = &r->w->out;
    sl_buf_clear(b);
    sl_status st =
        sl_buf_printf(b, "{\"from\":%" PRId64 ",\"to\":%" PRId64 ",\"root_from\":", v[0], v[1]);
    if (!st) st = put_b64(b, root_from);
    if (!st) st = sl_buf_puts(b, ",\"root_to\":");
    if (!st) st = put_b64(b, root_to);
    if (!st) st = sl_buf_puts(b, ",\"proof\":");
    if (!st) st = put_hashes(b, (const sl_merkle_hash *)proof, len);
    if (!st) st = sl_buf_puts(b, "}");
    free(leaves);
    reply_buf(r, st);
}

void sl__route_audit(sl__rq *r, const char *rest, const char *query)
{
    if (!strcmp(rest, "checkpoint")) {
        route_checkpoint(r);
        return;
    }
    if (!strcmp(rest, "entries")) {
        route_entries(r, query);
        return;
    }
    if (!strcmp(rest, "proof/inclusion")) {
        route_inclusion(r, query);
        return;
    }
    if (!strcmp(rest, "proof/consistency")) {
        route_consistency(r, query);
        return;
    }
    sl__reply_error(r, 404, "not_found", "no such route", SL_NO_POS, -1, 0);
}
