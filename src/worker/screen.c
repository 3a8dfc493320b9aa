/* worker/screen.c — parse, screen and store one batch of records (worker/screen.h). The
 * batch's strings live in one arena (offsets, since it grows) until every record is parsed;
 * pointers are taken only afterwards. */
#include "worker/screen.h"

#include <stdlib.h>
#include <string.h>

#include "sangloc/batch.h"
#include "sangloc/policy.h"
#include "sangloc/record.h"
#include "server/ingest.h"
#include "server/request.h"

typedef struct span {
    size_t off, len;
} span;

/* One good post of the batch: where its strings sit in the arena, and its verdict's fields. */
typedef struct loc {
    size_t post; /* index in the caller's posts */
    span id_json, id, channel, kind, author, text, created_at, parent;
    bool has_created_at, has_parent;
    /* set by the render callback on a pool thread (each writes only its own loc) */
    sl_store_action action;
    double score;
    char *hide; /* a hide's rule, category and clause, each NUL-terminated, malloc'ed */
} loc;

struct sl__screen {
    sl_batch_pool *pool;
    sl_record rec;
    sl_buf idbuf, parentbuf, arena;
    loc *locs;
    sl_batch_item *bitems;
    sl_store_item *items;
    sl_ingest_result *res;
    sl_store_rule_ref *hide;
    size_t *which; /* the store call's item j is good post which[j] */
    size_t cap, m;
    char pver[SL_STORE_MAX_POLICY_VERSION];
    int appeal_days;
};

static const char *at(const sl_buf *a, span s)
{
    return a->data ? a->data + s.off : "";
}

static sl_status put(sl_buf *a, const char *s, size_t len, bool nul, span *out)
{
    out->off = a->len;
    out->len = len;
    sl_status st = len ? sl_buf_append(a, s, len) : SL_OK;
    return !st && nul ? sl_buf_append(a, "", 1) : st;
}

/* The pool's render: the verdict JSON of docs/verdict.md, plus the fields the store keeps. */
static char *render(void *ctx, sl_scan *scan, const sl_verdict *v, const sl_batch_item *it,
                    size_t *len)
{
    sl__screen *s = ctx;
    loc *l = &s->locs[it - s->bitems];
    l->action = (sl_store_action)v->action;
    l->score = sl__ingest_score(v);
    if (v->action == SL_ACTION_HIDE) {
        const char *f[3];
        size_t n[3];
        sl__ingest_hide_rule(v, f, n);
        l->hide = malloc(n[0] + n[1] + n[2] + 3);
        if (!l->hide) return NULL;
        char *p = l->hide;
        for (int k = 0; k < 3; k++) {
            memcpy(p, f[k], n[k]);
            p[n[k]] = '\0';
            p += n[k] + 1;
        }
    }
    size_t n = 0;
    const char *json =
        sl_scan_verdict_json(scan, it->id_json, it->has_error ? NULL : it->text, it->text_len, &n);
    char *out = json ? malloc(n + 1) : NULL;
    if (!out) return NULL;
    memcpy(out, json, n);
    out[n] = '\0';
    *len = n;
    return out;
}

sl_status sl__screen_new(int threads, sl__screen **out)
{
    *out = NULL;
    if (threads < 1 || threads > SL_BATCH_MAX_THREADS) return SL_ERR_ARG;
    sl__screen *s = calloc(1, sizeof *s);
    if (!s) return SL_ERR_NOMEM;
    sl_batch_options o = {.threads = threads == 1 ? 0 : threads, .render = render, .render_ctx = s};
    sl_status st = sl_batch_pool_new(&o, &s->pool);
    if (st) {
        free(s);
        return st;
    }
    s->idbuf.max = SL_STORE_MAX_ITEM_ID + 1;
    *out = s;
    return SL_OK;
}

static void clear_batch(sl__screen *s)
{
    sl_batch_items_clear(s->bitems, s->m);
    for (size_t k = 0; k < s->m; k++) {
        free(s->locs[k].hide);
        s->locs[k].hide = NULL;
    }
    s->m = 0;
}

void sl__screen_free(sl__screen *s)
{
    if (!s) return;
    clear_batch(s);
    sl_batch_pool_free(s->pool);
    sl_record_free(&s->rec);
    sl_buf_free(&s->idbuf);
    sl_buf_free(&s->parentbuf);
    sl_buf_free(&s->arena);
    free(s->locs);
    free(s->bitems);
    free(s->items);
    free(s->res);
    free(s->hide);
    free(s->which);
    free(s);
}

static sl_status reserve(sl__screen *s, size_t n)
{
    if (n <= s->cap) return SL_OK;
#define GROW(p)                                                                                    \
    do {                                                                                           \
        void *q = realloc(p, n * sizeof *(p));                                                     \
        if (!q) return SL_ERR_NOMEM;                                                               \
        (p) = q;                                                                                   \
    } while (0)
    GROW(s->locs);
    GROW(s->bitems);
    GROW(s->items);
    GROW(s->res);
    GROW(s->hide);
    GROW(s->which);
#undef GROW
    s->cap = n;
    return SL_OK;
}

static void poison(sl__post *p, sl_status code, size_t byte, const char *msg)
{
    p->fate = SL__POST_POISON;
    sl_error_set(&p->error, code, byte, "%s", msg);
}

sl_status sl__screen_prepare(sl__screen *s, const sl_engine *engine, sl__post *posts, size_t n)
{
    clear_batch(s);
    if (reserve(s, n ? n : 1)) return SL_ERR_NOMEM;
    sl_buf *a = &s->arena;
    sl_buf_clear(a);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        sl__post *p = &posts[i];
        p->fate = SL__POST_NEW;
        p->error = (sl_error){0};
        p->item = 0;
        if (!p->data || !p->len) {
            poison(p, SL_ERR_JSON, 0, "an empty record");
            continue;
        }
        sl__ingest_fields f;
        sl_error err = {0};
        sl_status st = sl__req_ingest_item(p->data, (sl__span){0, p->len}, &s->rec, &s->idbuf,
                                           &s->parentbuf, &f, &err);
        if (st == SL_ERR_NOMEM) return st;
        if (st) {
            p->fate = SL__POST_POISON;
            p->error = err;
            /* the parser speaks of request bodies; here the body is the record itself */
            char *cut = strstr(p->error.message, " (byte ");
            if (cut && strstr(cut, " of the body)")) *cut = '\0';
            continue;
        }
        loc *l = &s->locs[m];
        *l = (loc){.post = i};
        if (put(a, f.id_json, f.id_json_len, true, &l->id_json) ||
            put(a, f.id.data, f.id.len, false, &l->id) ||
            put(a, f.channel.data, f.channel.len, false, &l->channel) ||
            put(a, f.kind.data, f.kind.len, false, &l->kind) ||
            put(a, f.author.data, f.author.len, false, &l->author) ||
            put(a, f.text.data, f.text.len, false, &l->text) ||
            put(a, f.created_at.data, f.created_at.len, false, &l->created_at) ||
            put(a, f.parent.data, f.parent.len, false, &l->parent))
            return SL_ERR_NOMEM;
        l->has_created_at = f.created_at.data != NULL;
        l->has_parent = f.parent.data != NULL;
        p->slot = m++;
    }
    for (size_t k = 0; k < m; k++)
        s->bitems[k] = (sl_batch_item){.id_json = at(a, s->locs[k].id_json),
                                       .text = at(a, s->locs[k].text),
                                       .text_len = s->locs[k].text.len};
    s->m = m;
    const sl_policy *pol = sl_engine_policy(engine);
    sl__ingest_policy_version(pol, s->pver);
    s->appeal_days = pol->settings.appeal_days;
    return m ? sl_batch_run(s->pool, engine, s->bitems, m) : SL_OK;
}

sl_status sl__screen_store(sl__screen *s, sl_store *store, const char *org, sl__post *posts,
                           size_t n, sl_error *err)
{
    const sl_buf *a = &s->arena;
    for (;;) {
        size_t cnt = 0;
        for (size_t k = 0; k < s->m; k++) {
            const loc *l = &s->locs[k];
            if (posts[l->post].fate != SL__POST_NEW) continue;
            s->which[cnt] = k;
            s->items[cnt] =
                (sl_store_item){.id = at(a, l->id),
                                .id_len = l->id.len,
                                .channel = at(a, l->channel),
                                .channel_len = l->channel.len,
                                .kind = at(a, l->kind),
                                .kind_len = l->kind.len,
                                .author = at(a, l->author),
                                .author_len = l->author.len,
                                .text = at(a, l->text),
                                .text_len = l->text.len,
                                .created_at = l->has_created_at ? at(a, l->created_at) : NULL,
                                .created_at_len = l->created_at.len,
                                .parent = l->has_parent ? at(a, l->parent) : NULL,
                                .parent_len = l->parent.len,
                                .verdict_json = s->bitems[k].out,
                                .verdict_len = s->bitems[k].out_len,
                                .action = l->action,
                                .score = l->score,
                                .policy_version = s->pver,
                                .policy_version_len = strlen(s->pver),
                                .appeal_days = s->appeal_days};
            if (l->action == SL_STORE_HIDE && l->hide) {
                const char *r = l->hide, *c = r + strlen(r) + 1, *cl = c + strlen(c) + 1;
                s->hide[cnt] = (sl_store_rule_ref){r, c, cl};
                s->items[cnt].hide_rule = &s->hide[cnt];
            }
            cnt++;
        }
        if (!cnt) return SL_OK;
        sl_status st = sl_store_ingest(store, org, 0, s->items, cnt, s->res, err);
        if ((st == SL_ERR_ARG || st == SL_ERR_TOO_LARGE) && err->byte < cnt) {
            /* one post the store will never take: set it aside, store the others */
            sl__post *p = &posts[s->locs[s->which[err->byte]].post];
            poison(p, st, SL_NO_POS, err->message);
            continue;
        }
        if (st) return st;
        for (size_t j = 0; j < cnt; j++) {
            sl__post *p = &posts[s->locs[s->which[j]].post];
            p->fate = s->res[j].status == SL_INGEST_DUPLICATE ? SL__POST_EXISTS : SL__POST_STORED;
            p->item = s->res[j].item;
            p->state = s->res[j].state;
        }
        return SL_OK;
    }
}

sl_status sl__screen_announce(sl__screen *s, sl_store *store, const char *org, const sl__post *p,
                              sl_buf *key, sl_buf *value, sl_error *err)
{
    const sl_buf *a = &s->arena;
    const loc *l = &s->locs[p->slot];
    const char *vj = s->bitems[p->slot].out;
    size_t vl = s->bitems[p->slot].out_len;
    char *dup = NULL;
    if (p->fate == SL__POST_EXISTS) {
        sl_status st = sl_store_item_verdict(store, org, p->item, &dup, &vl, err);
        if (st) return st;
        vj = dup;
    }
    sl_buf_clear(key);
    sl_buf_clear(value);
    sl_status st = sl_buf_puts(key, "[");
    if (!st) st = sl_buf_json_string(key, at(a, l->channel), l->channel.len);
    if (!st) st = sl_buf_puts(key, ",");
    if (!st) st = sl_buf_append(key, at(a, l->id_json), l->id_json.len);
    if (!st) st = sl_buf_puts(key, "]");
    if (!st) st = sl_buf_puts(value, "{\"org\":");
    if (!st) st = sl_buf_json_string(value, org, strlen(org));
    if (!st) st = sl_buf_puts(value, ",\"channel\":");
    if (!st) st = sl_buf_json_string(value, at(a, l->channel), l->channel.len);
    if (!st) st = sl_buf_puts(value, ",\"id\":");
    if (!st) st = sl_buf_append(value, at(a, l->id_json), l->id_json.len);
    if (!st)
        st = sl_buf_printf(value, ",\"status\":\"%s\",\"state\":\"%s\",\"verdict\":",
                           p->fate == SL__POST_EXISTS ? "duplicate" : "created",
                           sl_item_state_name(p->state));
    if (!st) st = sl_buf_append(value, vj ? vj : "null", vj ? vl : 4);
    if (!st) st = sl_buf_puts(value, "}");
    free(dup);
    if (st) return sl_error_set(err, st, SL_NO_POS, "out of memory");
    return SL_OK;
}
