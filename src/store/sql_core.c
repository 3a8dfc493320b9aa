/* The SQL backend's core: organizations, tokens, items and queues (SQLite or PostgreSQL).
 *
 * The connection, its transactions and its migrations belong to the drivers (sql.c); this file
 * and the other sql_*.c files only run statements, through the API of sql.h. Statements are
 * prepared once per connection and reused; every value is bound, never formatted into SQL. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"
#include "store/migrations.h"
#include "store/sql_db.h"
#include "store/sql_rows.h"

enum {
    Q_ORG_PK,
    Q_ORG_PUT,
    Q_TOKEN_INSERT,
    Q_TOKEN_FIND,
    Q_TOKEN_TOUCH,
    Q_TOKEN_LIST,
    Q_TOKEN_REVOKE,
    Q_ITEM_INSERT,
    Q_ITEM_INSERT_ID,
    Q_ITEM_EXISTING,
    Q_EVENT_INSERT,
    Q_CASE_INSERT,
    Q_CASE_INSERT_ID,
    Q_ITEM_GET,
    Q_EVENTS_SIZE,
    Q_EVENTS_GET,
    Q_QUEUE_TOP,
    Q_QUEUE_AFTER,
    Q_QUEUE_FREE,
    Q_CASE_LEASE,
    Q_REVIEWER,
    Q_ITEM_VERDICT,
    Q_QUEUE_STATS,
    Q_COUNT
};

#define ENTRY_COLS                                                                                 \
    "c.id, c.item, i.ext_id, i.channel, i.state, c.severity, c.opened_at, "                        \
    "CASE WHEN c.lease_until > ?9 THEN c.lease_until ELSE 0 END, "                                 \
    "CASE WHEN c.lease_until > ?9 THEN c.leased_by ELSE 0 END"
#define QUEUE_FROM                                                                                 \
    " FROM cases c JOIN items i ON i.id = c.item WHERE c.org = ?1 AND c.queue = ?2 AND "           \
    "c.closed_at IS NULL "
#define QUEUE_ORDER " ORDER BY c.severity DESC, c.opened_at, c.id LIMIT ?3"

static const char *const sql_text[Q_COUNT] = {
    [Q_ORG_PK] = "SELECT pk FROM organizations WHERE id = ?1",
    [Q_ORG_PUT] = "INSERT INTO organizations (id, name) VALUES (?1, ?2) "
                  "ON CONFLICT (id) DO UPDATE SET name = excluded.name",
    [Q_TOKEN_INSERT] = "INSERT INTO tokens (name, role, org, lookup_key, hash, created_at) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
    [Q_TOKEN_FIND] = "SELECT " SL_DB_TOKEN_COLS ", t.hash FROM tokens t LEFT JOIN organizations o "
                     "ON o.pk = t.org WHERE t.lookup_key = ?1",
    [Q_TOKEN_TOUCH] = "UPDATE tokens SET last_used_at = ?2 WHERE id = ?1",
    [Q_TOKEN_LIST] = "SELECT " SL_DB_TOKEN_COLS " FROM tokens t LEFT JOIN organizations o "
                     "ON o.pk = t.org ORDER BY t.id",
    [Q_TOKEN_REVOKE] = "UPDATE tokens SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1",
    [Q_ITEM_INSERT] = "INSERT INTO items (org, channel, ext_id, kind, author, text, created_at, "
                      "parent, received_at, state, verdict, action, score, policy_version) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                      "ON CONFLICT (org, channel, ext_id) DO NOTHING RETURNING id",
    [Q_ITEM_INSERT_ID] =
        "INSERT INTO items (org, channel, ext_id, kind, author, text, created_at, "
        "parent, received_at, state, verdict, action, score, policy_version, id) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    [Q_ITEM_EXISTING] = "SELECT id, state FROM items WHERE org = ?1 AND channel = ?2 AND "
                        "ext_id = ?3",
    [Q_EVENT_INSERT] = "INSERT INTO item_events (item, at, actor, what, from_state, to_state, "
                       "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [Q_CASE_INSERT] = "INSERT INTO cases (org, queue, item, severity, opened_at) "
                      "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
    [Q_CASE_INSERT_ID] = "INSERT INTO cases (org, queue, item, severity, opened_at, id) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_ITEM_GET] = "SELECT i.id, o.id, i.ext_id, i.channel, i.kind, i.text, "
                   "coalesce(i.created_at, ''), coalesce(i.parent, ''), i.verdict, "
                   "i.policy_version, i.author, i.received_at, i.state, i.action, i.score "
                   "FROM items i JOIN organizations o ON o.pk = i.org "
                   "WHERE o.id = ?1 AND i.channel = ?2 AND i.ext_id = ?3",
    [Q_EVENTS_SIZE] = "SELECT count(*), coalesce(sum(length(CAST(what AS BLOB)) + "
                      "length(CAST(detail AS BLOB)) + 2), 0), coalesce(max(id), 0) "
                      "FROM item_events WHERE item = ?1",
    [Q_EVENTS_GET] = "SELECT at, coalesce(actor, 0), what, coalesce(from_state, -1), "
                     "coalesce(to_state, -1), detail FROM item_events WHERE item = ?1 "
                     "ORDER BY id",
    [Q_QUEUE_TOP] = "SELECT " ENTRY_COLS QUEUE_FROM QUEUE_ORDER,
    /* the first conjunct bounds the index range; the second starts strictly after the key */
    [Q_QUEUE_AFTER] = "SELECT " ENTRY_COLS QUEUE_FROM
                      "AND c.severity <= ?4 AND (c.severity < ?4 OR c.opened_at > ?5 OR "
                      "(c.opened_at = ?5 AND c.id > ?6))" QUEUE_ORDER,
    [Q_QUEUE_FREE] = "SELECT " ENTRY_COLS QUEUE_FROM
                     "AND (c.lease_until IS NULL OR c.lease_until <= ?9)" QUEUE_ORDER,
    [Q_CASE_LEASE] = "UPDATE cases SET lease_until = ?2, leased_by = ?3 WHERE id = ?1",
    [Q_REVIEWER] = "SELECT count(*) FROM tokens WHERE id = ?1 AND revoked_at IS NULL AND "
                   "(org IS NULL OR org = ?2)",
    [Q_ITEM_VERDICT] = "SELECT i.verdict FROM items i JOIN organizations o ON o.pk = i.org "
                       "WHERE i.id = ?1 AND o.id = ?2",
    [Q_QUEUE_STATS] = "SELECT count(*), "
                      "coalesce(sum(CASE WHEN c.lease_until > ?3 THEN 1 ELSE 0 END), 0), "
                      "coalesce(min(c.opened_at), 0) FROM cases c JOIN organizations o "
                      "ON o.pk = c.org WHERE o.id = ?1 AND c.queue = ?2 AND c.closed_at IS NULL",
};

/* PostgreSQL's text where the dialects differ (the byte length of a text). */
static const char *const pg_sql_text[Q_COUNT] = {
    [Q_EVENTS_SIZE] = "SELECT count(*), coalesce(sum(octet_length(what) + octet_length(detail) + "
                      "2), 0), coalesce(max(id), 0) FROM item_events WHERE item = ?1",
};

/* The statement k of this file's table, prepared on first use, reset and unbound. */
static sl_status stmt(sl__db *s, int k, sl__dbst **out, sl_error *err)
{
    const char *sql = s->kind == SL_DB_POSTGRES && pg_sql_text[k] ? pg_sql_text[k] : sql_text[k];
    return sl__db_prepare(s, sql, out, err);
}

int sl__db_bind_str(sl__dbst *st, int i, const char *p, size_t len, int nullable)
{
    if (!p) return nullable ? sl__db_bind_null(st, i) : sl__db_bind_text(st, i, "", 0, NULL);
    return sl__db_bind_text(st, i, p, (int)len, SL_DB_STATIC);
}

int sl__db_bind_id(sl__dbst *st, int i, int64_t v) /* 0 means none: NULL */
{
    return v ? sl__db_bind_int64(st, i, v) : sl__db_bind_null(st, i);
}

sl_status sl__db_insert(sl__db *s, sl__dbst *st, int64_t *id, const char *doing, sl_error *err)
{
    int rc = sl__db_step(st);
    *id = rc == SL_DB_ROW ? sl__db_column_int64(st, 0) : 0;
    if (rc == SL_DB_ROW) rc = sl__db_step(st);
    sl__db_reset(st);
    return rc == SL_DB_DONE ? SL_OK : sl__db_error(s, rc, doing, err);
}

/* Runs a statement that returns no row. */
sl_status sl__db_run(sl__db *s, sl__dbst *st, const char *doing, sl_error *err)
{
    int rc = sl__db_step(st);
    sl__db_reset(st);
    return rc == SL_DB_DONE ? SL_OK : sl__db_error(s, rc, doing, err);
}

sl_status sl__db_run_deferred(sl__db *s, sl__dbst *st, const char *doing, sl_error *err)
{
    int rc = sl__db_step_deferred(st, doing);
    sl__db_reset(st);
    return rc == SL_DB_DONE ? SL_OK : sl__db_error(s, rc, doing, err);
}

const char *sl__db_col_text(sl__dbst *st, int i)
{
    const unsigned char *t = sl__db_column_text(st, i);
    return t ? (const char *)t : "";
}

/* ---- organizations ------------------------------------------------------------------------ */

/* The internal key of an org: SL_ERR_NOT_FOUND when it does not exist. */
sl_status sl__db_org_pk(sl__db *s, const char *id, int64_t *pk, sl_error *err)
{
    sl__dbst *st;
    sl_status status = stmt(s, Q_ORG_PK, &st, err);
    if (status) return status;
    sl__db_bind_text(st, 1, id, -1, SL_DB_STATIC);
    int rc = sl__db_step(st);
    if (rc == SL_DB_ROW) *pk = sl__db_column_int64(st, 0);
    sl__db_reset(st);
    if (rc == SL_DB_DONE)
        return sl_error_set(err, SL_ERR_NOT_FOUND, SL_NO_POS, "no organization '%s'", id);
    return rc == SL_DB_ROW ? SL_OK : sl__db_error(s, rc, "find organization", err);
}

static sl_status sq_org_put(void *db, const char *id, const char *name, sl_error *err)
{
    sl__db *s = db;
    sl__dbst *st;
    sl_status status = stmt(s, Q_ORG_PUT, &st, err);
    if (status) return status;
    sl__db_bind_text(st, 1, id, -1, SL_DB_STATIC);
    sl__db_bind_text(st, 2, name, -1, SL_DB_STATIC);
    return sl__db_run(s, st, "save organization", err);
}

static sl_status sq_org_exists(void *db, const char *id, sl_error *err)
{
    int64_t pk;
    return sl__db_org_pk(db, id, &pk, err);
}

/* ---- tokens ------------------------------------------------------------------------------- */

void sl__db_copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void sl__db_read_token(sl__dbst *st, sl_token_info *t)
{
    t->id = sl__db_column_int64(st, 0);
    sl__db_copy_text(t->name, sizeof t->name, sl__db_col_text(st, 1));
    t->role = (sl_role)sl__db_column_int(st, 2);
    sl__db_copy_text(t->org, sizeof t->org, sl__db_col_text(st, 3));
    t->created_at = sl__db_column_int64(st, 4);
    t->revoked_at = sl__db_column_int64(st, 5);
    t->last_used_at = sl__db_column_int64(st, 6);
}

/* The audit entry of a token change: names the token, its role and org, never its secret. */
static sl_status audit_token(sl__db *s, int64_t now, int64_t id, const char *action,
                             const char *name, sl_role role, const char *org, sl_error *err)
{
    char target[32];
    snprintf(target, sizeof target, "token:%" PRId64, id);
    sl_buf_clear(&s->data);
    if (sl_buf_puts(&s->data, "{\"name\":") || sl_buf_json_string(&s->data, name, strlen(name)) ||
        sl_buf_puts(&s->data, ",\"role\":\"") || sl_buf_puts(&s->data, sl_role_name(role)) ||
        sl_buf_puts(&s->data, "\"}"))
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    sl__audit_rec rec = {.org = org, .action = action, .target = target, .data = s->data.data};
    return sl__db_audit_append(s, now, &rec, err);
}

static sl_status sq_token_insert(void *db, const char *name, sl_role role, const char *org,
                                 int64_t lookup, const unsigned char hash[SL_STORE_HASH_LEN],
                                 int64_t now, sl_token_info *info, sl_error *err)
{
    sl__db *s = db;
    sl_status status = sl__db_begin_write(s, err);
    if (status) return status;
    int64_t pk = 0, id = 0;
    if (org) status = sl__db_org_pk(s, org, &pk, err);
    sl__dbst *st;
    if (!status) status = stmt(s, Q_TOKEN_INSERT, &st, err);
    if (!status) {
        sl__db_bind_text(st, 1, name, -1, SL_DB_STATIC);
        sl__db_bind_int(st, 2, (int)role);
        sl__db_bind_id(st, 3, pk);
        sl__db_bind_int64(st, 4, lookup);
        sl__db_bind_blob(st, 5, hash, SL_STORE_HASH_LEN, SL_DB_STATIC);
        sl__db_bind_int64(st, 6, now);
        status = sl__db_insert(s, st, &id, "create token", err);
    }
    if (!status) {
        *info = (sl_token_info){.id = id, .role = role, .created_at = now};
        sl__db_copy_text(info->name, sizeof info->name, name);
        sl__db_copy_text(info->org, sizeof info->org, org ? org : "");
        status = audit_token(s, now, info->id, "token.create", name, role, org ? org : "", err);
    }
    return sl__db_commit(s, status, err);
}

static sl_status sq_token_find(void *db, int64_t lookup,
                               const unsigned char hash[SL_STORE_HASH_LEN], int64_t now,
                               sl_token_info *info, sl_error *err)
{
    sl__db *s = db;
    sl__dbst *st;
    sl_status status = stmt(s, Q_TOKEN_FIND, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, lookup);
    int rc;
    bool found = false;
    while ((rc = sl__db_step(st)) == SL_DB_ROW) {
        const void *h = sl__db_column_blob(st, 7);
        if (sl__db_column_bytes(st, 7) != SL_STORE_HASH_LEN || !h) continue;
        /* every candidate is compared, in constant time, even after a match */
        if (sl__store_hash_equal(h, hash) && sl__db_column_int64(st, 5) == 0) {
            sl__db_read_token(st, info);
            found = true;
        }
    }
    sl__db_reset(st);
    if (rc != SL_DB_DONE) return sl__db_error(s, rc, "find token", err);
    if (!found) return sl_error_set(err, SL_ERR_AUTH, SL_NO_POS, "invalid token");
    if (info->last_used_at < now - 60000 && !stmt(s, Q_TOKEN_TOUCH, &st, NULL)) {
        sl__db_bind_int64(st, 1, info->id);
        sl__db_bind_int64(st, 2, now);
        if (sl__db_run(s, st, "record token use", NULL) == SL_OK) info->last_used_at = now;
    }
    return SL_OK;
}

static sl_status sq_token_list(void *db, sl_token_info **out, size_t *n, sl_error *err)
{
    sl__db *s = db;
    *out = NULL;
    *n = 0;
    sl__dbst *st;
    sl_status status = stmt(s, Q_TOKEN_LIST, &st, err);
    if (status) return status;
    size_t cap = 0;
    int rc;
    while ((rc = sl__db_step(st)) == SL_DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            sl_token_info *grown = realloc(*out, cap * sizeof **out);
            if (!grown) {
                status = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
                break;
            }
            *out = grown;
        }
        sl__db_read_token(st, &(*out)[(*n)++]);
    }
    sl__db_reset(st);
    if (!status && rc != SL_DB_DONE) status = sl__db_error(s, rc, "list tokens", err);
    if (status) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return status;
}

static const char *const sql_token_state =
    "SELECT t.name, t.role, coalesce(o.id, ''), t.revoked_at IS NOT NULL FROM tokens t "
    "LEFT JOIN organizations o ON o.pk = t.org WHERE t.id = ?1";

/* Revokes once: the first revocation is kept and logged; a second one changes nothing. */
static sl_status sq_token_revoke(void *db, int64_t id, int64_t now, sl_error *err)
{
    sl__db *s = db;
    sl_status status = sl__db_begin_write(s, err);
    if (status) return status;
    sl__dbst *st;
    char name[SL_STORE_MAX_NAME + 1], org[SL_STORE_MAX_ORG_ID + 1];
    sl_role role = SL_ROLE_INTEGRATION;
    int found = 0, revoked = 0;
    if (!(status = sl__db_prepare(s, sql_token_state, &st, err))) {
        sl__db_bind_int64(st, 1, id);
        int rc = sl__db_step(st);
        if (rc == SL_DB_ROW) {
            found = 1;
            sl__db_copy_text(name, sizeof name, sl__db_col_text(st, 0));
            role = (sl_role)sl__db_column_int(st, 1);
            sl__db_copy_text(org, sizeof org, sl__db_col_text(st, 2));
            revoked = sl__db_column_int(st, 3);
        } else if (rc != SL_DB_DONE) {
            status = sl__db_error(s, rc, "find token", err);
        }
        sl__db_reset(st);
    }
    if (!status && !found)
        status = sl_error_set(err, SL_ERR_NOT_FOUND, SL_NO_POS, "no token %lld", (long long)id);
    if (!status && !revoked && !(status = stmt(s, Q_TOKEN_REVOKE, &st, err))) {
        sl__db_bind_int64(st, 1, id);
        sl__db_bind_int64(st, 2, now);
        status = sl__db_run(s, st, "revoke token", err);
        if (!status) status = audit_token(s, now, id, "token.revoke", name, role, org, err);
    }
    return sl__db_commit(s, status, err);
}

/* ---- ingest ------------------------------------------------------------------------------- */

sl_status sl__db_add_event(sl__db *s, int64_t item, int64_t at, int64_t actor, const char *what,
                           int from, int to, const char *detail, sl_error *err)
{
    if (s->rows)
        return sl__rows_event(s->rows, item, at, actor, what, from, to, detail)
                   ? sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory")
                   : SL_OK;
    sl__dbst *st;
    sl_status status = stmt(s, Q_EVENT_INSERT, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, item);
    sl__db_bind_int64(st, 2, at);
    sl__db_bind_id(st, 3, actor);
    sl__db_bind_text(st, 4, what, -1, SL_DB_STATIC);
    if (from >= 0) sl__db_bind_int(st, 5, from);
    if (to >= 0) sl__db_bind_int(st, 6, to);
    sl__db_bind_text(st, 7, detail, -1, SL_DB_STATIC);
    return sl__db_run_deferred(s, st, "record event", err);
}

/* *item: the new item's number, 0 when (org, channel, id) exists already. id > 0: the number
 * it gets (allocated before, known to be new: inserted without waiting, a conflict fails). */
static sl_status insert_item(sl__db *s, int64_t org, const sl__store_row *r, int64_t now,
                             int64_t id, int64_t *item, sl_error *err)
{
    const sl_store_item *it = r->in;
    if (id && s->rows) {
        *item = id;
        return sl__rows_item(s->rows, id, org, r, now)
                   ? sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "store item: out of memory")
                   : SL_OK;
    }
    sl__dbst *st;
    sl_status status = stmt(s, id ? Q_ITEM_INSERT_ID : Q_ITEM_INSERT, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, org);
    sl__db_bind_str(st, 2, it->channel, it->channel_len, 0);
    sl__db_bind_str(st, 3, it->id, it->id_len, 0);
    sl__db_bind_str(st, 4, it->kind, it->kind_len, 0);
    sl__db_bind_blob(st, 5, r->author, SL_STORE_HASH_LEN, SL_DB_STATIC);
    sl__db_bind_str(st, 6, it->text, it->text_len, 0);
    sl__db_bind_str(st, 7, it->created_at, it->created_at_len, 1);
    sl__db_bind_str(st, 8, it->parent, it->parent_len, 1);
    sl__db_bind_int64(st, 9, now);
    sl__db_bind_int(st, 10, (int)r->state);
    sl__db_bind_str(st, 11, it->verdict_json, it->verdict_len, 0);
    sl__db_bind_int(st, 12, (int)it->action);
    sl__db_bind_double(st, 13, it->score);
    sl__db_bind_str(st, 14, it->policy_version, it->policy_version_len, 0);
    if (!id) return sl__db_insert(s, st, item, "store item", err);
    sl__db_bind_int64(st, 15, id);
    *item = id;
    return sl__db_run_deferred(s, st, "store item", err);
}

static sl_status existing_item(sl__db *s, int64_t org, const sl_store_item *it,
                               sl_ingest_result *res, sl_error *err)
{
    sl__dbst *st;
    sl_status status = stmt(s, Q_ITEM_EXISTING, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, org);
    sl__db_bind_str(st, 2, it->channel, it->channel_len, 0);
    sl__db_bind_str(st, 3, it->id, it->id_len, 0);
    int rc = sl__db_step(st);
    if (rc == SL_DB_ROW) {
        res->item = sl__db_column_int64(st, 0);
        res->state = (sl_item_state)sl__db_column_int(st, 1);
        res->status = SL_INGEST_DUPLICATE;
    }
    sl__db_reset(st);
    return rc == SL_DB_ROW ? SL_OK : sl__db_error(s, rc, "find duplicate", err);
}

/* *case_id > 0: the number the case gets (allocated before) */
static sl_status open_case(sl__db *s, int64_t org, int64_t item, int64_t severity, int64_t now,
                           int64_t actor, int64_t *case_id, sl_error *err)
{
    sl__dbst *st;
    sl_status status = SL_OK;
    if (*case_id && s->rows) {
        if (sl__rows_case(s->rows, *case_id, org, SL_QUEUE_PENDING, item, severity, now))
            return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        return sl__db_add_event(s, item, now, actor, "queued", -1, -1, SL_QUEUE_PENDING, err);
    }
    status = stmt(s, *case_id ? Q_CASE_INSERT_ID : Q_CASE_INSERT, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, org);
    sl__db_bind_text(st, 2, SL_QUEUE_PENDING, -1, SL_DB_STATIC);
    sl__db_bind_int64(st, 3, item);
    sl__db_bind_int64(st, 4, severity);
    sl__db_bind_int64(st, 5, now);
    if (*case_id) {
        sl__db_bind_int64(st, 6, *case_id);
        status = sl__db_run_deferred(s, st, "open case", err);
    } else {
        status = sl__db_insert(s, st, case_id, "open case", err);
    }
    if (!status)
        status = sl__db_add_event(s, item, now, actor, "queued", -1, -1, SL_QUEUE_PENDING, err);
    return status;
}

/* The audit entry of a new item: where it came from, the hashes of its text and verdict (never
 * the text itself), its action, and the case it opened. */
static sl_status audit_ingest(sl__db *s, const char *org, int64_t actor, const sl__store_row *r,
                              int64_t item, int64_t case_id, int64_t now, sl_error *err)
{
    const sl_store_item *it = r->in;
    char target[32], text_hash[2 * SL_AUDIT_HASH_LEN + 1], verdict_hash[2 * SL_AUDIT_HASH_LEN + 1];
    char tail[160];
    snprintf(target, sizeof target, "item:%" PRId64, item);
    sl__audit_sha256_hex(it->text, it->text_len, text_hash);
    sl__audit_sha256_hex(it->verdict_json, it->verdict_len, verdict_hash);
    if (case_id)
        snprintf(tail, sizeof tail, ",\"case\":%" PRId64 ",\"queue\":\"%s\"}", case_id,
                 SL_QUEUE_PENDING);
    else
        snprintf(tail, sizeof tail, "}");
    sl_buf *d = &s->data;
    sl_buf_clear(d);
    if (sl_buf_puts(d, "{\"channel\":") || sl_buf_json_string(d, it->channel, it->channel_len) ||
        sl_buf_puts(d, ",\"id\":") || sl_buf_json_string(d, it->id, it->id_len) ||
        sl_buf_puts(d, ",\"action\":\"") || sl_buf_puts(d, sl_store_action_name(it->action)) ||
        sl_buf_puts(d, "\",\"text_sha256\":\"") || sl_buf_puts(d, text_hash) ||
        sl_buf_puts(d, "\",\"verdict_sha256\":\"") || sl_buf_puts(d, verdict_hash) ||
        sl_buf_puts(d, "\"") || sl_buf_puts(d, tail))
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    /* the policy version is bounded by the store's limit, so it is NUL-terminated here */
    char pver[SL_STORE_MAX_POLICY_VERSION + 1];
    size_t pl = it->policy_version_len < SL_STORE_MAX_POLICY_VERSION ? it->policy_version_len
                                                                     : SL_STORE_MAX_POLICY_VERSION;
    if (pl) memcpy(pver, it->policy_version, pl);
    pver[pl] = '\0';
    sl__audit_rec rec = {.org = org,
                         .actor = actor,
                         .action = "item.ingest",
                         .target = target,
                         .before = "",
                         .after = sl_item_state_name(r->state),
                         .policy_version = pver,
                         .data = d->data};
    return sl__db_audit_append(s, now, &rec, err);
}

/* What follows the row of a new item: its history, its case (case_id: its number when
 * allocated before, else 0), its audit entry and its notice. */
static sl_status ingest_created(sl__db *s, int64_t org, const char *org_id, int64_t actor,
                                const sl__store_row *r, int64_t now, int64_t item, int64_t case_id,
                                sl_ingest_result *res, sl_error *err)
{
    *res = (sl_ingest_result){.status = SL_INGEST_CREATED, .state = r->state, .item = item};
    sl_status status = sl__db_add_event(s, res->item, now, actor, "ingested", -1, (int)r->state,
                                        sl_store_action_name(r->in->action), err);
    if (!status && r->opens_case)
        status = open_case(s, org, res->item, r->severity, now, actor, &case_id, err);
    if (!status) status = audit_ingest(s, org_id, actor, r, res->item, case_id, now, err);
    /* an automated hide tells the author why (a notice), before any person has looked */
    if (!status && r->state == SL_ITEM_HIDDEN && r->notice.id[0])
        status = sl__db_notice_create(s, org, org_id, res->item, "automated_hide", 0, 0,
                                      r->in->hide_rule, &r->notice, now, actor,
                                      &res->notice.appeal_until, err);
    return status;
}

static sl_status ingest_one(sl__db *s, int64_t org, const char *org_id, int64_t actor,
                            const sl__store_row *r, int64_t now, sl_ingest_result *res,
                            sl_error *err)
{
    int64_t item;
    sl_status status = insert_item(s, org, r, now, 0, &item, err);
    if (status) return status;
    if (!item) return existing_item(s, org, r->in, res, err);
    return ingest_created(s, org, org_id, actor, r, now, item, 0, res, err);
}

/* ---- a batch on PostgreSQL in a constant number of round trips ----------------------------
 *
 * Row by row, each item costs a round trip on PostgreSQL (the INSERT ... RETURNING id that also
 * says whether it existed; the rest is deferred), and the writer lock is held meanwhile. So a
 * batch asks once which of its (channel, id) exist, takes the numbers of its new items and
 * cases from their sequences at once, and then sends everything deferred. Under the writer
 * lock no other writer inserts items meanwhile. The outcome is the row-by-row one: the same
 * created/duplicate results and states, numbers increasing in batch order, the same audit
 * entries in the same order (and no sequence number spent on a duplicate). SQLite runs row by
 * row, where a statement is a function call rather than a round trip. */

static const char *const pg_existing =
    "SELECT k.ord, i.id, i.state FROM jsonb_array_elements(CAST(?2 AS jsonb)) WITH ORDINALITY "
    "AS k(key, ord) JOIN items i ON i.org = ?1 AND i.channel = k.key ->> 0 AND "
    "i.ext_id = k.key ->> 1";
static const char *const pg_new_ids =
    "SELECT 0, nextval(pg_get_serial_sequence('items', 'id')) FROM generate_series(1, ?1) "
    "UNION ALL "
    "SELECT 1, nextval(pg_get_serial_sequence('cases', 'id')) FROM generate_series(1, ?2)";

static int cmp_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_text(const char *a, size_t na, const char *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    return c ? c : (na > nb) - (na < nb);
}

/* by (channel, id), then by position in the batch */
static int cmp_key(const void *pa, const void *pb)
{
    const sl__store_row *a = *(const sl__store_row *const *)pa;
    const sl__store_row *b = *(const sl__store_row *const *)pb;
    int c = cmp_text(a->in->channel, a->in->channel_len, b->in->channel, b->in->channel_len);
    if (!c) c = cmp_text(a->in->id, a->in->id_len, b->in->id, b->in->id_len);
    return c ? c : (a > b) - (a < b);
}

/* dup[i]: SL_INGEST_DUPLICATE rows found stored are filled in res; of the others, the first of
 * each key is new (dup[i] == i) and the later ones repeat it (dup[i] < i). */
static sl_status batch_existing(sl__db *s, int64_t org, const sl__store_row *rows, size_t n,
                                size_t *dup, bool *stored, sl_ingest_result *res, sl_error *err)
{
    sl_buf keys = {0};
    sl_status status = sl_buf_puts(&keys, "[");
    for (size_t i = 0; i < n && !status; i++) {
        const sl_store_item *it = rows[i].in;
        status = sl_buf_puts(&keys, i ? ",[" : "[");
        if (!status) status = sl_buf_json_string(&keys, it->channel, it->channel_len);
        if (!status) status = sl_buf_puts(&keys, ",");
        if (!status) status = sl_buf_json_string(&keys, it->id, it->id_len);
        if (!status) status = sl_buf_puts(&keys, "]");
    }
    if (!status) status = sl_buf_puts(&keys, "]");
    if (status) {
        sl_buf_free(&keys);
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    }
    sl__dbst *st;
    status = sl__db_prepare(s, pg_existing, &st, err);
    int rc = SL_DB_DONE;
    if (!status) {
        sl__db_bind_int64(st, 1, org);
        sl__db_bind_text(st, 2, keys.data, (int)keys.len, SL_DB_STATIC);
        while ((rc = sl__db_step(st)) == SL_DB_ROW) {
            int64_t k = sl__db_column_int64(st, 0) - 1;
            if (k < 0 || (size_t)k >= n) continue;
            stored[k] = true;
            res[k].item = sl__db_column_int64(st, 1);
            res[k].state = (sl_item_state)sl__db_column_int(st, 2);
            res[k].status = SL_INGEST_DUPLICATE;
        }
        sl__db_reset(st);
        if (rc != SL_DB_DONE) status = sl__db_error(s, rc, "find duplicates", err);
    }
    sl_buf_free(&keys);
    if (status) return status;
    const sl__store_row **by_key = malloc(n * sizeof *by_key);
    if (!by_key) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    for (size_t i = 0; i < n; i++) by_key[i] = &rows[i];
    qsort(by_key, n, sizeof *by_key, cmp_key);
    for (size_t k = 0; k < n; k++) {
        size_t i = (size_t)(by_key[k] - rows);
        size_t first = i; /* the first row of this key in the batch */
        if (k > 0 &&
            !cmp_text(by_key[k - 1]->in->channel, by_key[k - 1]->in->channel_len,
                      rows[i].in->channel, rows[i].in->channel_len) &&
            !cmp_text(by_key[k - 1]->in->id, by_key[k - 1]->in->id_len, rows[i].in->id,
                      rows[i].in->id_len))
            first = dup[by_key[k - 1] - rows];
        dup[i] = first;
    }
    free(by_key);
    return SL_OK;
}

/* The numbers of nitems new items and ncases new cases, each list increasing. */
static sl_status batch_ids(sl__db *s, size_t nitems, size_t ncases, int64_t *items, int64_t *cases,
                           sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, pg_new_ids, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, (int64_t)nitems);
    sl__db_bind_int64(st, 2, (int64_t)ncases);
    size_t ni = 0, nc = 0;
    int rc;
    while ((rc = sl__db_step(st)) == SL_DB_ROW) {
        int64_t id = sl__db_column_int64(st, 1);
        if (sl__db_column_int(st, 0) == 0 && ni < nitems)
            items[ni++] = id;
        else if (sl__db_column_int(st, 0) == 1 && nc < ncases)
            cases[nc++] = id;
    }
    sl__db_reset(st);
    if (rc != SL_DB_DONE) return sl__db_error(s, rc, "number new items", err);
    if (ni != nitems || nc != ncases)
        return sl_error_set(err, SL_ERR_STORE, SL_NO_POS, "database: number new items: short");
    qsort(items, ni, sizeof *items, cmp_int64);
    qsort(cases, nc, sizeof *cases, cmp_int64);
    return SL_OK;
}

static sl_status ingest_batch(sl__db *s, int64_t org, const char *org_id, int64_t actor,
                              const sl__store_row *rows, size_t n, int64_t now,
                              sl_ingest_result *res, sl_error *err)
{
    size_t *dup = malloc(n * sizeof *dup);
    bool *stored = calloc(n, sizeof *stored);
    int64_t *ids = malloc(2 * n * sizeof *ids); /* items, then cases */
    sl_status status = SL_OK;
    if (!dup || !stored || !ids)
        status = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    if (!status) status = batch_existing(s, org, rows, n, dup, stored, res, err);
    size_t nitems = 0, ncases = 0;
    for (size_t i = 0; i < n && !status; i++)
        if (!stored[i] && dup[i] == i) {
            nitems++;
            ncases += rows[i].opens_case;
        }
    if (!status && nitems) status = batch_ids(s, nitems, ncases, ids, ids + n, err);
    sl__db_rows gathered = {0};
    s->rows = &gathered;
    size_t ki = 0, kc = 0;
    for (size_t i = 0; i < n && !status; i++) {
        if (stored[i]) continue;
        if (dup[i] != i) { /* as a second insert of the key would find the first */
            res[i].item = res[dup[i]].item;
            res[i].state = res[dup[i]].state;
            res[i].status = SL_INGEST_DUPLICATE;
            continue;
        }
        int64_t item = 0, case_id = rows[i].opens_case ? ids[n + kc++] : 0;
        status = insert_item(s, org, &rows[i], now, ids[ki++], &item, err);
        if (!status)
            status =
                ingest_created(s, org, org_id, actor, &rows[i], now, item, case_id, &res[i], err);
        if (status && err) err->byte = i;
    }
    if (!status) status = sl__rows_flush(s, &gathered, err);
    s->rows = NULL;
    sl__rows_free(&gathered);
    free(dup);
    free(stored);
    free(ids);
    return status;
}

static sl_status sq_ingest(void *db, const char *org, int64_t actor, const sl__store_row *rows,
                           size_t n, int64_t now, sl_ingest_result *results, sl_error *err)
{
    sl__db *s = db;
    sl_status status = sl__db_begin_write(s, err);
    if (status) return status;
    int64_t pk = 0;
    status = sl__db_org_pk(s, org, &pk, err);
    if (!status && s->kind == SL_DB_POSTGRES && n > 1)
        return sl__db_commit(s, ingest_batch(s, pk, org, actor, rows, n, now, results, err), err);
    for (size_t i = 0; i < n && !status; i++) {
        status = ingest_one(s, pk, org, actor, &rows[i], now, &results[i], err);
        if (status && err) err->byte = i;
    }
    return sl__db_commit(s, status, err);
}

/* ---- item_get ----------------------------------------------------------------------------- */

static size_t col_size(sl__dbst *st, int i)
{
    return (size_t)sl__db_column_bytes(st, i) + 1;
}

/* Copies column i as a NUL-terminated string at *p and advances *p. */
static const char *put_col(sl__dbst *st, int i, char **p)
{
    size_t n = (size_t)sl__db_column_bytes(st, i);
    char *dst = *p;
    memcpy(dst, sl__db_col_text(st, i), n);
    dst[n] = '\0';
    *p += n + 1;
    return dst;
}

static void hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Fills the record from the item row (columns of Q_ITEM_GET) and the events statement. */
static sl_status fill_record(sl__db *s, sl__dbst *item, sl__dbst *ev, size_t nevents,
                             sl_store_record *r, char *p, sl_error *err)
{
    r->item = sl__db_column_int64(item, 0);
    const char **fields[] = {&r->org,    &r->id,           &r->channel,
                             &r->kind,   &r->text,         &r->created_at,
                             &r->parent, &r->verdict_json, &r->policy_version};
    for (int i = 0; i < 9; i++) *fields[i] = put_col(item, i + 1, &p);
    const unsigned char *a = sl__db_column_blob(item, 10);
    if (a && sl__db_column_bytes(item, 10) == SL_STORE_HASH_LEN)
        hex(a, SL_STORE_HASH_LEN, r->author);
    r->received_at = sl__db_column_int64(item, 11);
    r->state = (sl_item_state)sl__db_column_int(item, 12);
    r->action = (sl_store_action)sl__db_column_int(item, 13);
    r->score = sl__db_column_double(item, 14);
    int rc;
    while (r->nevents < nevents && (rc = sl__db_step(ev)) == SL_DB_ROW) {
        sl_item_event *e = &r->events[r->nevents++];
        e->at = sl__db_column_int64(ev, 0);
        e->actor = sl__db_column_int64(ev, 1);
        e->what = put_col(ev, 2, &p);
        e->from_state = sl__db_column_int(ev, 3);
        e->to_state = sl__db_column_int(ev, 4);
        e->detail = put_col(ev, 5, &p);
    }
    if (r->nevents < nevents) return sl__db_error(s, rc, "read history", err);
    return SL_OK;
}

/* Reads the item and its events inside one read transaction, into one allocation. */
static sl_status get_item(sl__db *s, sl__dbst *item, sl_store_record **out, sl_error *err)
{
    sl__dbst *size, *ev;
    sl_status status = stmt(s, Q_EVENTS_SIZE, &size, err);
    if (status) return status;
    int64_t id = sl__db_column_int64(item, 0);
    sl__db_bind_int64(size, 1, id);
    int rc = sl__db_step(size);
    if (rc != SL_DB_ROW) return sl__db_error(s, rc, "read history", err);
    size_t nevents = (size_t)sl__db_column_int64(size, 0);
    int64_t version = sl__db_column_int64(size, 2);
    size_t bytes = sizeof(sl_store_record) + nevents * sizeof(sl_item_event) +
                   (size_t)sl__db_column_int64(size, 1);
    sl__db_reset(size);
    for (int i = 1; i <= 9; i++) bytes += col_size(item, i);
    if ((status = stmt(s, Q_EVENTS_GET, &ev, err))) return status;
    sl__db_bind_int64(ev, 1, id);
    sl_store_record *r = calloc(1, bytes);
    if (!r) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    r->events = (sl_item_event *)(r + 1);
    r->version = version;
    status = fill_record(s, item, ev, nevents, r, (char *)(r->events + nevents), err);
    sl__db_reset(ev);
    if (status) {
        free(r);
        return status;
    }
    *out = r;
    return SL_OK;
}

static sl_status sq_item_get(void *db, const char *org, const char *channel, size_t channel_len,
                             const char *id, size_t id_len, sl_store_record **out, sl_error *err)
{
    sl__db *s = db;
    sl_status status = sl__db_exec(s, "BEGIN", err);
    if (status) return status;
    sl__dbst *st;
    status = stmt(s, Q_ITEM_GET, &st, err);
    if (!status) {
        sl__db_bind_text(st, 1, org, -1, SL_DB_STATIC);
        sl__db_bind_str(st, 2, channel, channel_len, 0);
        sl__db_bind_str(st, 3, id, id_len, 0);
        int rc = sl__db_step(st);
        if (rc == SL_DB_ROW)
            status = get_item(s, st, out, err);
        else if (rc == SL_DB_DONE)
            status = sl_error_set(err, SL_ERR_NOT_FOUND, SL_NO_POS, "no such item");
        else
            status = sl__db_error(s, rc, "read item", err);
        sl__db_reset(st);
    }
    return sl__db_commit(s, status, err);
}

static sl_status sq_item_verdict(void *db, const char *org, int64_t item, char **json, size_t *len,
                                 sl_error *err)
{
    sl__db *s = db;
    sl__dbst *st;
    sl_status status = stmt(s, Q_ITEM_VERDICT, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, item);
    sl__db_bind_text(st, 2, org, -1, SL_DB_STATIC);
    int rc = sl__db_step(st);
    if (rc == SL_DB_ROW) {
        size_t n = (size_t)sl__db_column_bytes(st, 0);
        *json = malloc(n + 1);
        if (*json) {
            memcpy(*json, sl__db_col_text(st, 0), n);
            (*json)[n] = '\0';
            *len = n;
        } else
            status = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    } else if (rc == SL_DB_DONE)
        status = sl_error_set(err, SL_ERR_NOT_FOUND, SL_NO_POS, "no such item");
    else
        status = sl__db_error(s, rc, "read verdict", err);
    sl__db_reset(st);
    return status;
}

/* ---- queues ------------------------------------------------------------------------------- */

static void read_entry(sl__dbst *st, sl_queue_entry *e, sl__cursor *key)
{
    e->case_id = sl__db_column_int64(st, 0);
    e->item = sl__db_column_int64(st, 1);
    sl__db_copy_text(e->id, sizeof e->id, sl__db_col_text(st, 2));
    sl__db_copy_text(e->channel, sizeof e->channel, sl__db_col_text(st, 3));
    e->state = (sl_item_state)sl__db_column_int(st, 4);
    key->severity = sl__db_column_int64(st, 5);
    e->severity = (double)key->severity / SL_CURSOR_MAX_SEVERITY;
    key->opened_at = e->opened_at = sl__db_column_int64(st, 6);
    key->case_id = e->case_id;
    e->lease_until = sl__db_column_int64(st, 7);
    e->leased_by = sl__db_column_int64(st, 8);
}

/* Steps st into out (at most max entries); *more says whether a row was left. */
static sl_status read_entries(sl__db *s, sl__dbst *st, sl_queue_entry *out, size_t max, size_t *n,
                              bool *more, sl__cursor *last, sl_error *err)
{
    int rc;
    *n = 0;
    *more = false;
    while ((rc = sl__db_step(st)) == SL_DB_ROW) {
        if (*n == max) {
            *more = true;
            break;
        }
        read_entry(st, &out[(*n)++], last);
    }
    sl__db_reset(st);
    return rc == SL_DB_ROW || rc == SL_DB_DONE ? SL_OK : sl__db_error(s, rc, "read queue", err);
}

static void bind_queue(sl__dbst *st, int64_t org, const char *queue, size_t limit, int64_t now)
{
    sl__db_bind_int64(st, 1, org);
    sl__db_bind_text(st, 2, queue, -1, SL_DB_STATIC);
    sl__db_bind_int64(st, 3, (int64_t)limit);
    sl__db_bind_int64(st, 9, now);
}

static sl_status sq_queue_list(void *db, const char *org, const char *queue, size_t limit,
                               const sl__cursor *after, int64_t now, sl_queue_page *page,
                               bool *more, sl__cursor *last, sl_error *err)
{
    sl__db *s = db;
    int64_t pk;
    sl_status status = sl__db_org_pk(s, org, &pk, err);
    if (status) return status;
    sl__dbst *st;
    if ((status = stmt(s, after ? Q_QUEUE_AFTER : Q_QUEUE_TOP, &st, err))) return status;
    bind_queue(st, pk, queue, limit + 1, now);
    if (after) {
        sl__db_bind_int64(st, 4, after->severity);
        sl__db_bind_int64(st, 5, after->opened_at);
        sl__db_bind_int64(st, 6, after->case_id);
    }
    page->entries = malloc(limit * sizeof *page->entries);
    if (!page->entries) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    status = read_entries(s, st, page->entries, limit, &page->n, more, last, err);
    if (status) sl_queue_page_free(page);
    return status;
}

static sl_status lease(sl__db *s, const char *org, sl_queue_entry *e, int64_t reviewer,
                       int64_t until, int64_t now, const char *queue, sl_error *err)
{
    sl__dbst *st;
    sl_status status = stmt(s, Q_CASE_LEASE, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, e->case_id);
    sl__db_bind_int64(st, 2, until);
    sl__db_bind_int64(st, 3, reviewer);
    if ((status = sl__db_run(s, st, "lease case", err))) return status;
    e->lease_until = until;
    e->leased_by = reviewer;
    status = sl__db_add_event(s, e->item, now, reviewer, "claimed", -1, -1, queue, err);
    if (status) return status;
    char target[32], data[160];
    snprintf(target, sizeof target, "case:%" PRId64, e->case_id);
    /* queue names are the store's own constants (no quoting needed) */
    snprintf(data, sizeof data,
             "{\"item\":%" PRId64 ",\"queue\":\"%s\",\"lease_until\":%" PRId64 "}", e->item, queue,
             until);
    sl__audit_rec rec = {.org = org,
                         .actor = reviewer,
                         .action = "case.claim",
                         .target = target,
                         .before = "",
                         .after = "",
                         .data = data};
    return sl__db_audit_append(s, now, &rec, err);
}

/* A lease goes only to a live token of the org (or a global one): the server checks roles,
 * the store refuses to let a token act in another organization. */
static sl_status check_reviewer(sl__db *s, int64_t reviewer, int64_t org, sl_error *err)
{
    sl__dbst *st;
    sl_status status = stmt(s, Q_REVIEWER, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, reviewer);
    sl__db_bind_int64(st, 2, org);
    int rc = sl__db_step(st);
    int ok = rc == SL_DB_ROW && sl__db_column_int(st, 0) == 1;
    sl__db_reset(st);
    if (rc != SL_DB_ROW) return sl__db_error(s, rc, "check reviewer", err);
    return ok ? SL_OK
              : sl_error_set(err, SL_ERR_AUTH, SL_NO_POS,
                             "token %lld is revoked or not of this organization",
                             (long long)reviewer);
}

static sl_status sq_queue_claim(void *db, const char *org, const char *queue, int64_t reviewer,
                                size_t n, int64_t lease_until, int64_t now, sl_queue_entry *out,
                                size_t *n_out, sl_error *err)
{
    sl__db *s = db;
    sl_status status = sl__db_begin_write(s, err);
    if (status) return status;
    int64_t pk;
    sl__dbst *st;
    bool more;
    sl__cursor last;
    status = sl__db_org_pk(s, org, &pk, err);
    if (!status) status = check_reviewer(s, reviewer, pk, err);
    if (!status) status = stmt(s, Q_QUEUE_FREE, &st, err);
    if (!status) {
        bind_queue(st, pk, queue, n, now);
        status = read_entries(s, st, out, n, n_out, &more, &last, err);
    }
    for (size_t i = 0; i < *n_out && !status; i++)
        status = lease(s, org, &out[i], reviewer, lease_until, now, queue, err);
    status = sl__db_commit(s, status, err);
    if (status) *n_out = 0;
    return status;
}

static sl_status sq_queue_stats(void *db, const char *org, const char *queue, int64_t now,
                                sl_queue_stats *stats, sl_error *err)
{
    sl__db *s = db;
    sl__dbst *st;
    sl_status status = stmt(s, Q_QUEUE_STATS, &st, err);
    if (status) return status;
    sl__db_bind_text(st, 1, org, -1, SL_DB_STATIC);
    sl__db_bind_text(st, 2, queue, -1, SL_DB_STATIC);
    sl__db_bind_int64(st, 3, now);
    int rc = sl__db_step(st);
    if (rc == SL_DB_ROW) {
        stats->open = sl__db_column_int64(st, 0);
        stats->leased = sl__db_column_int64(st, 1);
        stats->oldest_opened_at = sl__db_column_int64(st, 2);
    }
    sl__db_reset(st);
    return rc == SL_DB_ROW ? SL_OK : sl__db_error(s, rc, "queue stats", err);
}

static sl_status open_sqlite(const char *target, const sl_store_options *o, void **db,
                             sl_error *err)
{
    return sl__db_open_sqlite(target, o->busy_timeout_ms, (sl__db **)db, err);
}

static sl_status open_pg(const char *target, const sl_store_options *o, void **db, sl_error *err)
{
    return sl__db_open_pg(target, o->busy_timeout_ms, (sl__db **)db, err);
}

static void close_db(void *db)
{
    sl__db_close(db);
}

static int schema_version(void *db)
{
    return ((sl__db *)db)->version;
}

/* The operations both drivers share: everything but opening. */
#define SQL_BACKEND_OPS                                                                            \
    .org_put = sq_org_put, .org_exists = sq_org_exists, .token_insert = sq_token_insert,           \
    .token_find = sq_token_find, .token_list = sq_token_list, .token_revoke = sq_token_revoke,     \
    .ingest = sq_ingest, .item_get = sq_item_get, .queue_list = sq_queue_list,                     \
    .queue_claim = sq_queue_claim, .item_verdict = sq_item_verdict, .queue_stats = sq_queue_stats, \
    .rescreen_list = sl__db_rescreen_list, .rescreen_apply = sl__db_rescreen_apply,                \
    .purge_batch = sl__db_purge_batch, .wal_truncate = sl__db_wal_truncate,                        \
    .item_version = sl__db_item_version, .decide = sl__db_decide, .notice_get = sl__db_notice_get, \
    .report = sl__db_report, .case_reports = sl__db_case_reports, .appeal = sl__db_appeal,         \
    .appeal_get = sl__db_appeal_get, .appeal_decide = sl__db_appeal_decide,                        \
    .queue_times = sl__db_queue_times, .webhook_take = sl__db_webhook_take,                        \
    .webhook_due = sl__db_webhook_due, .webhook_record = sl__db_webhook_record,                    \
    .webhook_stats = sl__db_webhook_stats, .statements = sl__db_statements,                        \
    .audit_size = sl__db_audit_size, .audit_entries = sl__db_audit_entries,                        \
    .audit_leaves = sl__db_audit_leaves, .audit_record = sl__db_audit_record,                      \
    .checkpoint_add = sl__db_checkpoint_add, .checkpoints = sl__db_checkpoints,                    \
    .audit_check_tables = sl__db_audit_check_tables, .session_insert = sl__db_session_insert,      \
    .session_find = sl__db_session_find, .session_end = sl__db_session_end, .stats = sl__db_stats,

const sl_store_backend sl__store_sqlite = {.name = "sqlite",
                                           .open = open_sqlite,
                                           .close = close_db,
                                           .schema_version = schema_version,
                                           SQL_BACKEND_OPS};
const sl_store_backend sl__store_pg = {.name = "postgresql",
                                       .open = open_pg,
                                       .close = close_db,
                                       .schema_version = schema_version,
                                       SQL_BACKEND_OPS};
