/* Webhook events from audit entries (store/webhooks.h): the mapping every backend uses, so a
 * PostgreSQL store would deliver the same events with the same bodies. */
#include "store/webhooks.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sangloc/store.h"
#include "store/backend.h"

static bool starts_with(const char *s, const char *prefix)
{
    return s && !strncmp(s, prefix, strlen(prefix));
}

static const sl__hook_member *member(const sl__hook_entry *e, const char *key)
{
    for (size_t k = 0; k < e->ndata; k++)
        if (!strcmp(e->data[k].key, key)) return &e->data[k];
    return NULL;
}

size_t sl__webhook_events(const sl__hook_entry *e, const char *names[SL_HOOK_MAX_EVENTS])
{
    static const struct {
        const char *action, *event;
    } map[] = {
        {"case.open", "queue.entered"},      {"case.close", "queue.left"},
        {"item.decide", "decision.made"},    {"appeal.create", "appeal.received"},
        {"appeal.decide", "appeal.decided"}, {"notice.create", "notice.ready"},
    };
    size_t n = 0;
    if (!e->action) return 0;
    if (!strcmp(e->action, "item.ingest")) {
        /* a new item enters the pending queue when its verdict opened a case */
        if (member(e, "queue")) names[n++] = "queue.entered";
        if (e->after && !strcmp(e->after, "hidden")) names[n++] = "item.hidden";
        return n;
    }
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (!strcmp(e->action, map[k].action)) {
            names[n++] = map[k].event;
            break;
        }
    return n;
}

/* A positive decimal integer, or 0. */
static int64_t parse_id(const char *s)
{
    if (!s || *s < '1' || *s > '9') return 0;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10) return 0;
        v = v * 10 + (*s - '0');
    }
    return v;
}

int64_t sl__webhook_item_of(const sl__hook_entry *e)
{
    if (starts_with(e->target, "item:")) return parse_id(e->target + 5);
    const sl__hook_member *m = member(e, "item");
    return m ? parse_id(m->json) : 0;
}

/* The members of data a body may carry: identifiers and outcomes, never texts or their
 * hashes (a hash of a short note can be guessed), never people. */
static const char *const allowed[] = {
    "case",   "queue",  "reason", "decision",           "outcome", "rule", "kind",
    "appeal", "notice", "action", "automated_detection"};

static bool is_allowed(const char *key)
{
    for (size_t k = 0; k < sizeof allowed / sizeof allowed[0]; k++)
        if (!strcmp(key, allowed[k])) return true;
    return false;
}

/* The target "KIND:ID" as ,"KIND":ID (a number when ID is one, else a string); *kind gets KIND
 * when it is one of the allowed keys (so a data member of that name is not repeated). */
static sl_status put_target(sl_buf *b, const char *target, const char **kind)
{
    *kind = NULL;
    const char *colon = target ? strchr(target, ':') : NULL;
    if (!colon || colon == target) return SL_OK;
    static const char *const kinds[] = {"case", "notice", "appeal"};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (strlen(kinds[k]) == (size_t)(colon - target) &&
            !memcmp(kinds[k], target, (size_t)(colon - target)))
            *kind = kinds[k];
    if (!*kind) return SL_OK;
    int64_t id = parse_id(colon + 1);
    if (id) return sl_buf_printf(b, ",\"%s\":%" PRId64, *kind, id);
    sl_status st = sl_buf_printf(b, ",\"%s\":", *kind);
    return st ? st : sl_buf_json_string(b, colon + 1, strlen(colon + 1));
}

static bool is_item_state(const char *s)
{
    for (int k = SL_ITEM_PUBLISHED; s && k <= SL_ITEM_REMOVED; k++)
        if (!strcmp(s, sl_item_state_name((sl_item_state)k))) return true;
    return false;
}

sl_status sl__webhook_body(sl_buf *b, const sl__hook_entry *e, const char *event)
{
    sl_status st = sl_buf_printf(b, "{\"event\":\"%s\",\"org\":", event);
    if (!st) st = sl_buf_json_string(b, e->org, strlen(e->org));
    if (!st)
        st = sl_buf_printf(b, ",\"audit_seq\":%" PRId64 ",\"at\":%" PRId64 ",\"item\":", e->seq,
                           e->at);
    if (!st && e->has_item) {
        st = sl_buf_puts(b, "{\"channel\":");
        if (!st) st = sl_buf_json_string(b, e->channel, strlen(e->channel));
        if (!st) st = sl_buf_puts(b, ",\"id\":");
        if (!st) st = sl_buf_json_string(b, e->item_id, strlen(e->item_id));
        if (!st) st = sl_buf_puts(b, "}");
    } else if (!st) {
        st = sl_buf_puts(b, "null");
    }
    /* the state the entry left the item in (item.decide, appeal.decide); else, for an entry
       whose after-state is not an item's (or none), the item's state when it was read */
    const char *state = is_item_state(e->after) ? e->after
                        : e->has_item           ? sl_item_state_name((sl_item_state)e->item_state)
                                                : NULL;
    if (!st && state) {
        st = sl_buf_puts(b, ",\"state\":");
        if (!st) st = sl_buf_json_string(b, state, strlen(state));
    }
    const char *kind = NULL;
    if (!st) st = put_target(b, e->target, &kind);
    for (size_t k = 0; k < e->ndata && !st; k++) {
        const sl__hook_member *m = &e->data[k];
        if (!is_allowed(m->key) || (kind && !strcmp(kind, m->key))) continue;
        st = sl_buf_printf(b, ",\"%s\":", m->key);
        if (!st) st = sl_buf_puts(b, m->json);
    }
    if (!st) st = sl_buf_puts(b, "}");
    return st;
}

int64_t sl__webhook_backoff_ms(int attempts, uint32_t rnd)
{
    int64_t base = 1000;
    for (int k = 1; k < attempts && base < SL_WEBHOOK_MAX_BACKOFF_MS; k++) base *= 2;
    if (base > SL_WEBHOOK_MAX_BACKOFF_MS) base = SL_WEBHOOK_MAX_BACKOFF_MS;
    /* 50..100 % of the step: receivers that failed together do not all retry at once */
    return base / 2 + (int64_t)((uint64_t)(base / 2) * (rnd % 1001) / 1000);
}

/* ---- sangloc/store.h: webhooks ------------------------------------------------------------ */

static sl_status check_org(const char *org, sl_error *err)
{
    size_t len = org ? strnlen(org, SL_STORE_MAX_ORG_ID + 1) : 0;
    if (!len || len > SL_STORE_MAX_ORG_ID)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "organization id must be 1 to %d bytes",
                            SL_STORE_MAX_ORG_ID);
    for (size_t i = 0; i < len; i++) {
        char c = org[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return sl_error_set(err, SL_ERR_ARG, i, "organization id: bad character");
    }
    return SL_OK;
}

static sl_status check_max(size_t max, sl_error *err)
{
    if (max < 1 || max > SL_STORE_MAX_PAGE)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "max must be 1 to %d", SL_STORE_MAX_PAGE);
    return SL_OK;
}

sl_status sl_store_webhook_take(sl_store *store, const char *org, size_t max, size_t *entries,
                                size_t *made, sl_error *err)
{
    if (!entries || !made) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *entries = *made = 0;
    sl_status st = check_org(org, err);
    if (!st) st = check_max(max, err);
    if (st) return st;
    void *db;
    int64_t now;
    return sl__store_be(store, &db, &now)->webhook_take(db, org, max, now, entries, made, err);
}

sl_status sl_store_webhook_due(sl_store *store, const char *org, size_t max,
                               sl_webhook_delivery **out, size_t *n, sl_error *err)
{
    if (!out || !n) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *out = NULL;
    *n = 0;
    sl_status st = check_org(org, err);
    if (!st) st = check_max(max, err);
    if (st) return st;
    void *db;
    int64_t now;
    return sl__store_be(store, &db, &now)->webhook_due(db, org, max, now, out, n, err);
}

void sl_webhook_deliveries_free(sl_webhook_delivery *d, size_t n)
{
    if (!d) return;
    for (size_t k = 0; k < n; k++) free(d[k].body);
    free(d);
}

/* An error text is kept only when it is printable ASCII (curl's messages are). */
static const char *plain(const char *error)
{
    for (const char *p = error; p && *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) return "(error text not kept)";
    return error;
}

sl_status sl_store_webhook_record(sl_store *store, sl_webhook_outcome *o, size_t n,
                                  int max_attempts, sl_error *err)
{
    if (n && !o) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no outcomes");
    if (max_attempts < 1 || max_attempts > SL_WEBHOOK_MAX_ATTEMPTS)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "attempts must be 1 to %d",
                            SL_WEBHOOK_MAX_ATTEMPTS);
    for (size_t k = 0; k < n; k++) {
        if (o[k].id <= 0) return sl_error_set(err, SL_ERR_ARG, k, "no delivery id");
        o[k].error = plain(o[k].error);
        o[k].gave_up = false;
    }
    if (!n) return SL_OK;
    void *db;
    int64_t now;
    return sl__store_be(store, &db, &now)->webhook_record(db, o, n, max_attempts, now, err);
}

sl_status sl_store_webhook_delivered(sl_store *store, int64_t id, int status, sl_error *err)
{
    sl_webhook_outcome o = {.id = id, .delivered = true, .status = status};
    return sl_store_webhook_record(store, &o, 1, SL_WEBHOOK_MAX_ATTEMPTS, err);
}

sl_status sl_store_webhook_failed(sl_store *store, int64_t id, int status, const char *error,
                                  int max_attempts, bool *gave_up, sl_error *err)
{
    sl_webhook_outcome o = {.id = id, .status = status, .error = error};
    sl_status st = sl_store_webhook_record(store, &o, 1, max_attempts, err);
    if (gave_up) *gave_up = !st && o.gave_up;
    return st;
}

sl_status sl_store_webhook_stats(sl_store *store, const char *org, sl_webhook_stats *stats,
                                 sl_error *err)
{
    if (!stats) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *stats = (sl_webhook_stats){0};
    if (org) {
        sl_status st = check_org(org, err);
        if (st) return st;
    }
    void *db;
    int64_t now;
    return sl__store_be(store, &db, &now)->webhook_stats(db, org, stats, err);
}
