/* The store's front: sangloc/store.h implemented once for every backend.
 *
 * Everything that does not depend on the database lives here: choosing the backend from the
 * URL, the clock, checking every string against its limit, turning an action into a state and
 * a case, author pseudonyms, token secrets and cursors. The backend (backend.h) then only runs
 * statements on input that is already valid. */
#include <math.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/audit.h"
#include "store/backend.h"
#include "store/migrations.h"
#include "store/secrets.h"

struct sl_store {
    const sl_store_backend *be;
    void *db;
    bool has_key;
    unsigned char key[SL_STORE_KEY_LEN];
    int64_t (*now_ms)(void *ctx);
    void *clock_ctx;
};

static int64_t system_now(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t now(const sl_store *s)
{
    return s->now_ms(s->clock_ctx);
}

int64_t sl_store_now(sl_store *store)
{
    return now(store);
}

const sl_store_backend *sl__store_be(sl_store *store, void **db, int64_t *t)
{
    *db = store->db;
    *t = now(store);
    return store->be;
}

sl_status sl__store_pseudonym(sl_store *store, const char *id, size_t len,
                              unsigned char out[SL_STORE_HASH_LEN], sl_error *err)
{
    if (!store->has_key)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS,
                            "the store was opened without a pseudonym key file");
    sl__pseudonym(store->key, id, len, out);
    return SL_OK;
}

/* ---- names -------------------------------------------------------------------------------- */

static const char *const role_names[] = {NULL,      "integration", "reviewer", "appeals",
                                         "curator", "auditor",     "admin"};
static const char *const state_names[] = {"published", "hidden", "removed"};
static const char *const action_names[] = {"allow", "warn", "review", "hide"};

const char *sl_role_name(sl_role role)
{
    return role >= SL_ROLE_INTEGRATION && role <= SL_ROLE_ADMIN ? role_names[role] : NULL;
}

static int find_name(const char *const *names, int lo, int hi, const char *s, size_t len)
{
    if (!s) return -1;
    for (int i = lo; i <= hi; i++)
        if (strlen(names[i]) == len && !memcmp(names[i], s, len)) return i;
    return -1;
}

bool sl_role_parse(const char *s, size_t len, sl_role *out)
{
    int i = find_name(role_names, SL_ROLE_INTEGRATION, SL_ROLE_ADMIN, s, len);
    if (i < 0) return false;
    *out = (sl_role)i;
    return true;
}

const char *sl_item_state_name(sl_item_state state)
{
    return (unsigned)state <= SL_ITEM_REMOVED ? state_names[state] : NULL;
}

const char *sl_store_action_name(sl_store_action action)
{
    return (unsigned)action <= SL_STORE_HIDE ? action_names[action] : NULL;
}

bool sl_store_action_parse(const char *s, size_t len, sl_store_action *out)
{
    int i = find_name(action_names, SL_STORE_ALLOW, SL_STORE_HIDE, s, len);
    if (i < 0) return false;
    *out = (sl_store_action)i;
    return true;
}

/* ---- argument checks ---------------------------------------------------------------------- */

bool sl__store_is_text(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        unsigned c = p[i];
        if (c == 0) return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        if (c < 0xc2 || c > 0xf4 || i + n > len) return false;
        unsigned v = c & (0x3f >> (n - 1));
        for (size_t k = 1; k < n; k++) {
            if ((p[i + k] & 0xc0) != 0x80) return false;
            v = v << 6 | (p[i + k] & 0x3f);
        }
        if ((n == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) ||
            (n == 4 && (v < 0x10000 || v > 0x10ffff)))
            return false;
        i += n;
    }
    return true;
}

/* A field of one item: `what` names it in the message, `at` is the item's index. */
static sl_status check_field(const char *what, const char *s, size_t len, size_t max, bool required,
                             size_t at, sl_error *err)
{
    if (!s && len) return sl_error_set(err, SL_ERR_ARG, at, "item %zu: %s is NULL", at, what);
    if (required && len == 0)
        return sl_error_set(err, SL_ERR_ARG, at, "item %zu: %s is empty", at, what);
    if (len > max)
        return sl_error_set(err, SL_ERR_TOO_LARGE, at, "item %zu: %s longer than %zu bytes", at,
                            what, max);
    if (s && !sl__store_is_text(s, len))
        return sl_error_set(err, SL_ERR_ARG, at, "item %zu: %s is not UTF-8 text without NUL", at,
                            what);
    return SL_OK;
}

/* Organization ids and queue names are short slugs: [A-Za-z0-9._-], 1..max bytes. */
static sl_status check_slug(const char *what, const char *s, size_t max, sl_error *err)
{
    if (!s || !*s) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "%s is empty", what);
    size_t len = strnlen(s, max + 1);
    if (len > max)
        return sl_error_set(err, SL_ERR_TOO_LARGE, SL_NO_POS, "%s longer than %zu bytes", what,
                            max);
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return sl_error_set(err, SL_ERR_ARG, i,
                                "%s may hold only letters, digits, '-', "
                                "'_' and '.'",
                                what);
    }
    return SL_OK;
}

static sl_status check_name(const char *what, const char *s, sl_error *err)
{
    if (!s || !*s) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "%s is empty", what);
    size_t len = strnlen(s, SL_STORE_MAX_NAME + 1);
    if (len > SL_STORE_MAX_NAME)
        return sl_error_set(err, SL_ERR_TOO_LARGE, SL_NO_POS, "%s longer than %d bytes", what,
                            SL_STORE_MAX_NAME);
    if (!sl__store_is_text(s, len))
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "%s is not UTF-8 text", what);
    return SL_OK;
}

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        sl_status st_ = (expr);                                                                    \
        if (st_) return st_;                                                                       \
    } while (0)

/* ---- open and close ----------------------------------------------------------------------- */

static bool has_prefix(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

void sl_store_url_redact(const char *url, char *out, size_t cap)
{
    size_t n = 0;
    const char *scheme = strstr(url, "://");
    const char *auth = scheme ? scheme + 3 : NULL;
    const char *at = auth ? strchr(auth, '@') : NULL;
    const char *slash = auth ? strchr(auth, '/') : NULL;
    if (at && slash && slash < at) at = NULL; /* an '@' after the host is not userinfo */
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    for (const char *p = url; *p && n + 1 < cap;) {
        if (colon && p == colon + 1) {
            p = at; /* skip the password */
            for (const char *m = "***"; *m && n + 1 < cap; m++) out[n++] = *m;
            continue;
        }
        if (!strncmp(p, "password=", 9) && (p == url || p[-1] == '?' || p[-1] == '&')) {
            for (const char *m = "password=***"; *m && n + 1 < cap; m++) out[n++] = *m;
            p += strcspn(p, "&");
            continue;
        }
        out[n++] = *p++;
    }
    out[n] = '\0';
}

/* The backend for a URL and the target it is given (the path for SQLite, the URL for
 * PostgreSQL). */
static sl_status pick_backend(const char *url, const sl_store_backend **be, const char **target,
                              sl_error *err)
{
    if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://")) {
        *be = &sl__store_pg; /* libpq takes the whole URL */
        *target = url;
        return SL_OK;
    }
    if (has_prefix(url, "sqlite:"))
        url += strlen("sqlite:");
    else if (strstr(url, "://"))
        return sl_error_set(err, SL_ERR_UNSUPPORTED, SL_NO_POS,
                            "unknown store URL scheme in '%.80s': use a path or sqlite:PATH", url);
    if (!*url) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "empty database path");
    *be = &sl__store_sqlite;
    *target = url;
    return SL_OK;
}

sl_status sl_store_open(const char *url, const sl_store_options *options, sl_store **out,
                        sl_error *err)
{
    if (!url || !out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no store URL");
    *out = NULL;
    if (sodium_init() < 0)
        return sl_error_set(err, SL_ERR_INTERNAL, SL_NO_POS, "libsodium failed to start");
    sl_store_options opt = options ? *options : (sl_store_options){0};
    if (opt.busy_timeout_ms <= 0) opt.busy_timeout_ms = 5000;
    const sl_store_backend *be = NULL;
    const char *target = NULL;
    CHECK(pick_backend(url, &be, &target, err));
    sl_store *s = calloc(1, sizeof *s);
    if (!s) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    s->be = be;
    s->now_ms = system_now;
    sl_status st = SL_OK;
    if (opt.key_file) {
        st = sl__key_load(opt.key_file, s->key, err);
        s->has_key = st == SL_OK;
    }
    if (!st) st = be->open(target, &opt, &s->db, err);
    if (st) {
        sodium_memzero(s->key, sizeof s->key);
        free(s);
        return st;
    }
    *out = s;
    return SL_OK;
}

void sl_store_close(sl_store *store)
{
    if (!store) return;
    store->be->close(store->db);
    sodium_memzero(store->key, sizeof store->key);
    free(store);
}

int sl_store_schema_version(const sl_store *store)
{
    return store->be->schema_version(store->db);
}

int sl_store_schema_latest(void)
{
    return sl__store_nmigrations;
}

void sl_store_set_clock(sl_store *store, int64_t (*now_ms)(void *ctx), void *ctx)
{
    store->now_ms = now_ms ? now_ms : system_now;
    store->clock_ctx = now_ms ? ctx : NULL;
}

/* ---- organizations and tokens ------------------------------------------------------------- */

sl_status sl_store_org_put(sl_store *store, const char *id, const char *name, sl_error *err)
{
    CHECK(check_slug("organization id", id, SL_STORE_MAX_ORG_ID, err));
    CHECK(check_name("organization name", name, err));
    return store->be->org_put(store->db, id, name, err);
}

sl_status sl_store_org_exists(sl_store *store, const char *id, sl_error *err)
{
    CHECK(check_slug("organization id", id, SL_STORE_MAX_ORG_ID, err));
    return store->be->org_exists(store->db, id, err);
}

sl_status sl_store_token_create(sl_store *store, const char *name, sl_role role, const char *org,
                                char secret[SL_TOKEN_SECRET_SIZE], sl_token_info *info,
                                sl_error *err)
{
    CHECK(check_name("token name", name, err));
    if (!sl_role_name(role)) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "unknown role");
    if (org && !*org) org = NULL;
    if (!org && role != SL_ROLE_ADMIN)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS,
                            "only admin tokens may be global: give the %s token an organization",
                            sl_role_name(role));
    if (org) CHECK(check_slug("organization id", org, SL_STORE_MAX_ORG_ID, err));
    unsigned char hash[SL_STORE_HASH_LEN];
    sl__token_new(secret, hash);
    sl_token_info tmp;
    sl_status st = store->be->token_insert(store->db, name, role, org, sl__token_lookup_key(hash),
                                           hash, now(store), info ? info : &tmp, err);
    if (st) sodium_memzero(secret, SL_TOKEN_SECRET_SIZE);
    return st;
}

sl_status sl_store_token_lookup(sl_store *store, const char *secret, size_t len,
                                sl_token_info *info, sl_error *err)
{
    unsigned char hash[SL_STORE_HASH_LEN];
    if (sl__token_hash(secret, len, hash))
        return sl_error_set(err, SL_ERR_AUTH, SL_NO_POS, "invalid token");
    sl_token_info tmp;
    return store->be->token_find(store->db, sl__token_lookup_key(hash), hash, now(store),
                                 info ? info : &tmp, err);
}

sl_status sl_store_token_list(sl_store *store, sl_token_info **out, size_t *n, sl_error *err)
{
    if (!out || !n) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    return store->be->token_list(store->db, out, n, err);
}

sl_status sl_store_token_revoke(sl_store *store, int64_t id, sl_error *err)
{
    if (id <= 0)
        return sl_error_set(err, SL_ERR_NOT_FOUND, SL_NO_POS, "no token %lld", (long long)id);
    return store->be->token_revoke(store->db, id, now(store), err);
}

/* ---- items -------------------------------------------------------------------------------- */

static sl_status check_item(const sl_store_item *it, size_t i, sl_error *err)
{
    CHECK(check_field("id", it->id, it->id_len, SL_STORE_MAX_ITEM_ID, true, i, err));
    CHECK(check_field("channel", it->channel, it->channel_len, SL_STORE_MAX_CHANNEL, true, i, err));
    CHECK(check_field("kind", it->kind, it->kind_len, SL_STORE_MAX_KIND, true, i, err));
    CHECK(check_field("author", it->author, it->author_len, SL_STORE_MAX_AUTHOR, true, i, err));
    CHECK(check_field("text", it->text, it->text_len, SL_STORE_MAX_TEXT, false, i, err));
    CHECK(check_field("created_at", it->created_at, it->created_at_len, SL_STORE_MAX_TIME_TEXT,
                      false, i, err));
    CHECK(check_field("parent", it->parent, it->parent_len, SL_STORE_MAX_ITEM_ID, false, i, err));
    CHECK(check_field("verdict", it->verdict_json, it->verdict_len, SL_STORE_MAX_VERDICT, true, i,
                      err));
    CHECK(check_field("policy version", it->policy_version, it->policy_version_len,
                      SL_STORE_MAX_POLICY_VERSION, true, i, err));
    if (!sl_store_action_name(it->action))
        return sl_error_set(err, SL_ERR_ARG, i, "item %zu: unknown action", i);
    if (!(it->score >= 0 && it->score <= 1)) /* NaN fails too */
        return sl_error_set(err, SL_ERR_ARG, i, "item %zu: score outside 0..1", i);
    if (it->appeal_days < 0 || it->appeal_days > SL_STORE_MAX_APPEAL_DAYS)
        return sl_error_set(err, SL_ERR_ARG, i, "item %zu: appeal days outside 0..%d", i,
                            SL_STORE_MAX_APPEAL_DAYS);
    if (sl__store_check_rule(it->hide_rule, false, err)) {
        if (err) err->byte = i;
        return err ? err->code : SL_ERR_ARG;
    }
    return SL_OK;
}

/* What the state rules of issue 9 make of a new item. */
static void derive_row(const sl_store *s, const sl_store_item *it, sl__store_row *row)
{
    row->in = it;
    sl__pseudonym(s->key, it->author, it->author_len, row->author);
    row->state = it->action == SL_STORE_HIDE ? SL_ITEM_HIDDEN : SL_ITEM_PUBLISHED;
    row->opens_case = it->action == SL_STORE_REVIEW || it->action == SL_STORE_HIDE;
    row->severity = llround(it->score * SL_CURSOR_MAX_SEVERITY);
    /* an automated hide gets a notice to the author with an appeal token (workflow.c) */
    if (row->state == SL_ITEM_HIDDEN)
        sl__notice_new_make(&row->notice,
                            it->appeal_days ? it->appeal_days : SL_STORE_DEFAULT_APPEAL_DAYS);
    else
        memset(&row->notice, 0, sizeof row->notice);
}

sl_status sl_store_ingest(sl_store *store, const char *org, int64_t actor,
                          const sl_store_item *items, size_t n, sl_ingest_result *results,
                          sl_error *err)
{
    CHECK(check_slug("organization id", org, SL_STORE_MAX_ORG_ID, err));
    if (!store->has_key)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS,
                            "the store was opened without a pseudonym key file: cannot ingest");
    if (n == 0) return SL_OK;
    if (!items || !results || n > SL_STORE_MAX_BATCH)
        return sl_error_set(err, n > SL_STORE_MAX_BATCH ? SL_ERR_TOO_LARGE : SL_ERR_ARG, SL_NO_POS,
                            "a batch holds 1 to %d items", SL_STORE_MAX_BATCH);
    for (size_t i = 0; i < n; i++) CHECK(check_item(&items[i], i, err));
    sl__store_row *rows = malloc(n * sizeof *rows);
    if (!rows) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    for (size_t i = 0; i < n; i++) derive_row(store, &items[i], &rows[i]);
    memset(results, 0, n * sizeof *results);
    sl_status st = store->be->ingest(store->db, org, actor, rows, n, now(store), results, err);
    for (size_t i = 0; i < n && !st; i++)
        if (results[i].status == SL_INGEST_CREATED && rows[i].notice.id[0]) {
            memcpy(results[i].notice.id, rows[i].notice.id, sizeof results[i].notice.id);
            memcpy(results[i].notice.appeal_token, rows[i].notice.token,
                   sizeof results[i].notice.appeal_token);
        }
    sodium_memzero(rows, n * sizeof *rows);
    free(rows);
    return st;
}

sl_status sl_store_item_get(sl_store *store, const char *org, const char *channel,
                            size_t channel_len, const char *id, size_t id_len,
                            sl_store_record **out, sl_error *err)
{
    CHECK(check_slug("organization id", org, SL_STORE_MAX_ORG_ID, err));
    if (!out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *out = NULL;
    if (!channel || !id || channel_len > SL_STORE_MAX_CHANNEL || id_len > SL_STORE_MAX_ITEM_ID)
        return sl_error_set(err, SL_ERR_NOT_FOUND, SL_NO_POS, "no such item");
    return store->be->item_get(store->db, org, channel, channel_len, id, id_len, out, err);
}

void sl_store_record_free(sl_store_record *record)
{
    free(record);
}

sl_status sl_store_item_verdict(sl_store *store, const char *org, int64_t item, char **json,
                                size_t *len, sl_error *err)
{
    CHECK(check_slug("organization id", org, SL_STORE_MAX_ORG_ID, err));
    if (!json || !len) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *json = NULL;
    *len = 0;
    return store->be->item_verdict(store->db, org, item, json, len, err);
}

/* ---- queues ------------------------------------------------------------------------------- */

sl_status sl_store_queue_list(sl_store *store, const char *org, const char *queue, size_t limit,
                              const char *cursor, size_t cursor_len, sl_queue_page *page,
                              sl_error *err)
{
    if (!page) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *page = (sl_queue_page){0};
    CHECK(check_slug("organization id", org, SL_STORE_MAX_ORG_ID, err));
    CHECK(check_slug("queue name", queue, SL_STORE_MAX_QUEUE, err));
    if (limit < 1 || limit > SL_STORE_MAX_PAGE)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "limit must be 1 to %d", SL_STORE_MAX_PAGE);
    sl__cursor after, last;
    bool has_cursor = cursor && cursor_len > 0, more = false;
    if (has_cursor) CHECK(sl__cursor_parse(cursor, cursor_len, &after, err));
    CHECK(store->be->queue_list(store->db, org, queue, limit, has_cursor ? &after : NULL,
                                now(store), page, &more, &last, err));
    if (more) sl__cursor_encode(&last, page->next_cursor);
    return SL_OK;
}

sl_status sl_store_queue_stats(sl_store *store, const char *org, const char *queue,
                               sl_queue_stats *stats, sl_error *err)
{
    if (!stats) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *stats = (sl_queue_stats){0};
    CHECK(check_slug("organization id", org, SL_STORE_MAX_ORG_ID, err));
    CHECK(check_slug("queue name", queue, SL_STORE_MAX_QUEUE, err));
    return store->be->queue_stats(store->db, org, queue, now(store), stats, err);
}

void sl_queue_page_free(sl_queue_page *page)
{
    if (!page) return;
    free(page->entries);
    *page = (sl_queue_page){0};
}

sl_status sl_store_queue_claim(sl_store *store, const char *org, const char *queue,
                               int64_t reviewer, size_t n, int64_t lease_seconds,
                               sl_queue_entry *out, size_t *n_out, sl_error *err)
{
    if (!out || !n_out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *n_out = 0;
    CHECK(check_slug("organization id", org, SL_STORE_MAX_ORG_ID, err));
    CHECK(check_slug("queue name", queue, SL_STORE_MAX_QUEUE, err));
    if (n < 1 || n > SL_STORE_MAX_PAGE)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "claim 1 to %d cases", SL_STORE_MAX_PAGE);
    if (lease_seconds < 1 || lease_seconds > SL_STORE_MAX_LEASE_SECONDS)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "a lease lasts 1 to %d seconds",
                            SL_STORE_MAX_LEASE_SECONDS);
    if (reviewer <= 0) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no reviewer token");
    int64_t t = now(store);
    return store->be->queue_claim(store->db, org, queue, reviewer, n, t + lease_seconds * 1000, t,
                                  out, n_out, err);
}

/* ---- rescreen ----------------------------------------------------------------------------- */

sl_status sl_store_rescreen_list(sl_store *store, const char *org, int64_t since, int64_t after,
                                 size_t limit, sl_rescreen_page *page, sl_error *err)
{
    if (!page) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *page = (sl_rescreen_page){0};
    CHECK(check_slug("organization id", org, SL_STORE_MAX_ORG_ID, err));
    if (limit < 1 || limit > SL_STORE_MAX_RESCREEN_PAGE)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "limit must be 1 to %d",
                            SL_STORE_MAX_RESCREEN_PAGE);
    sl_status st =
        store->be->rescreen_list(store->db, org, since, after < 0 ? 0 : after, limit, page, err);
    if (st) sl_rescreen_page_free(page);
    return st;
}

void sl_rescreen_page_free(sl_rescreen_page *page)
{
    if (!page) return;
    for (size_t i = 0; page->rows && i < page->n; i++) free((void *)page->rows[i].channel);
    free(page->rows);
    *page = (sl_rescreen_page){0};
}

sl_status sl_store_rescreen_apply(sl_store *store, const char *org, int64_t actor,
                                  const sl_rescreen_update *updates, size_t n,
                                  sl_rescreen_result *results, sl_error *err)
{
    CHECK(check_slug("organization id", org, SL_STORE_MAX_ORG_ID, err));
    if (n == 0) return SL_OK;
    if (!updates || !results || n > SL_STORE_MAX_BATCH)
        return sl_error_set(err, n > SL_STORE_MAX_BATCH ? SL_ERR_TOO_LARGE : SL_ERR_ARG, SL_NO_POS,
                            "a batch holds 1 to %d updates", SL_STORE_MAX_BATCH);
    bool *opens = malloc(n * sizeof *opens);
    if (!opens) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    sl_status st = SL_OK;
    for (size_t i = 0; i < n && !st; i++) {
        const sl_rescreen_update *u = &updates[i];
        if (!sl_store_action_name(u->action) || !sl_store_action_name(u->old_action) ||
            !u->old_policy_version || !(u->score >= 0 && u->score <= 1))
            st = sl_error_set(err, SL_ERR_ARG, i, "update %zu: bad action, score or version", i);
        if (!st)
            st = check_field("verdict", u->verdict_json, u->verdict_len, SL_STORE_MAX_VERDICT, true,
                             i, err);
        if (!st)
            st = check_field("policy version", u->policy_version, u->policy_version_len,
                             SL_STORE_MAX_POLICY_VERSION, true, i, err);
        /* newly before a person: review or hide where it was allow or warn */
        opens[i] = u->action >= SL_STORE_REVIEW && u->old_action < SL_STORE_REVIEW;
    }
    if (!st)
        st = store->be->rescreen_apply(store->db, org, actor, updates, opens, n, now(store),
                                       results, err);
    free(opens);
    return st;
}

/* ---- retention ---------------------------------------------------------------------------- */

#define PURGE_BATCH 256 /* items a transaction: the write lock is held briefly */

sl_status sl_store_purge(sl_store *store, int retention_days, bool dry_run, sl_purge_stats *stats,
                         sl_error *err)
{
    sl_purge_stats tmp;
    if (!stats) stats = &tmp;
    *stats = (sl_purge_stats){0};
    if (retention_days < 1 || retention_days > SL_STORE_MAX_RETENTION_DAYS)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "retention must be 1 to %d days",
                            SL_STORE_MAX_RETENTION_DAYS);
    int64_t t = now(store);
    int64_t cutoff = t - (int64_t)retention_days * 86400000;
    int64_t after = 0;
    bool more = true;
    while (more) {
        size_t n = 0;
        CHECK(store->be->purge_batch(store->db, cutoff, after, PURGE_BATCH, dry_run, t, &n, &after,
                                     &more, err));
        stats->purged += (int64_t)n;
    }
    if (!dry_run && stats->purged)
        CHECK(store->be->wal_truncate(store->db, &stats->wal_truncated, err));
    return SL_OK;
}
/* ---- audit log ---------------------------------------------------------------------------- */

sl_status sl_store_audit_size(sl_store *store, int64_t *size, sl_error *err)
{
    if (!size) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *size = 0;
    return store->be->audit_size(store->db, size, err);
}

sl_status sl_store_audit_entries(sl_store *store, int64_t from, int64_t to, sl_audit_entry **out,
                                 size_t *n, sl_error *err)
{
    if (!out || !n) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *out = NULL;
    *n = 0;
    if (from < 0 || to < from || to - from > SL_STORE_AUDIT_PAGE)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS,
                            "entries [from, to) need 0 <= from <= to <= from + %d",
                            SL_STORE_AUDIT_PAGE);
    return store->be->audit_entries(store->db, from, to, out, n, err);
}

void sl_store_audit_entries_free(sl_audit_entry *entries, size_t n)
{
    if (!entries) return;
    for (size_t i = 0; i < n; i++) free(entries[i].entry);
    free(entries);
}

sl_status sl_store_audit_leaves(sl_store *store, int64_t from, int64_t to, sl_merkle_hash **out,
                                sl_error *err)
{
    if (!out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *out = NULL;
    if (from < 0 || to < from) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "bad range");
    if ((uint64_t)(to - from) > SIZE_MAX / sizeof(sl_merkle_hash))
        return sl_error_set(err, SL_ERR_TOO_LARGE, SL_NO_POS, "too many leaves");
    sl_merkle_hash *v = malloc(to > from ? (size_t)(to - from) * sizeof *v : 1);
    if (!v) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    sl_status st = store->be->audit_leaves(store->db, from, to, v, err);
    if (st) {
        free(v);
        return st;
    }
    *out = v;
    return SL_OK;
}

sl_status sl_store_audit_append(sl_store *store, const sl_audit_record *rec, sl_error *err)
{
    if (!rec || !rec->action || !*rec->action || !rec->target || !*rec->target)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "an audit record needs action and target");
    if (rec->org && *rec->org)
        CHECK(check_slug("organization id", rec->org, SL_STORE_MAX_ORG_ID, err));
    const char *texts[] = {rec->action, rec->target, rec->before, rec->after, rec->policy_version};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i] && strlen(texts[i]) > SL_STORE_MAX_NAME + SL_STORE_MAX_POLICY_VERSION)
            return sl_error_set(err, SL_ERR_TOO_LARGE, SL_NO_POS, "audit record field too long");
    if (rec->data && strlen(rec->data) > SL_STORE_MAX_AUDIT_DATA)
        return sl_error_set(err, SL_ERR_TOO_LARGE, SL_NO_POS, "audit record data too long");
    return store->be->audit_record(store->db, rec, now(store), err);
}

sl_status sl_store_audit_checkpoint_add(sl_store *store, int64_t size, const sl_merkle_hash root,
                                        const char *note, size_t note_len, const char *key,
                                        sl_error *err)
{
    if (size < 0 || !root || !note || !key)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "checkpoint: missing field");
    if (note_len == 0 || note_len > SL_NOTE_MAX || memchr(note, 0, note_len) ||
        strlen(key) >= SL_VERIFIER_KEY_SIZE)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "checkpoint: bad note or key");
    return store->be->checkpoint_add(store->db, size, root, note, note_len, key, now(store), err);
}

sl_status sl_store_audit_checkpoints(sl_store *store, int64_t after_id, size_t limit,
                                     sl_audit_checkpoint **out, size_t *n, sl_error *err)
{
    if (!out || !n) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *out = NULL;
    *n = 0;
    if (limit < 1 || limit > SL_STORE_AUDIT_PAGE)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "limit must be 1 to %d",
                            SL_STORE_AUDIT_PAGE);
    return store->be->checkpoints(store->db, after_id, limit, false, out, n, err);
}

sl_status sl_store_audit_checkpoint_latest(sl_store *store, sl_audit_checkpoint **out,
                                           sl_error *err)
{
    if (!out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *out = NULL;
    size_t n = 0;
    return store->be->checkpoints(store->db, 0, 1, true, out, &n, err);
}

void sl_store_audit_checkpoints_free(sl_audit_checkpoint *cps, size_t n)
{
    if (!cps) return;
    for (size_t i = 0; i < n; i++) free(cps[i].note);
    free(cps);
}

sl_status sl__store_audit_check_tables(sl_store *store, sl_audit_report *report, sl_error *err)
{
    return store->be->audit_check_tables(store->db, report, err);
}
