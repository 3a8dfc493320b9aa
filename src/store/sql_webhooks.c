/* The SQLite backend's webhook outbox (store/webhooks.h decides events and bodies).
 *
 * The take reads the org's audit entries after its cursor, makes their deliveries and moves the
 * cursor in one write transaction (BEGIN IMMEDIATE): a crash before COMMIT leaves neither the
 * deliveries nor the cursor, a crash after leaves both, so nothing is lost or made twice.
 * Entries are read with SQLite's JSON functions: this file needs no JSON parser. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql_db.h"
#include "store/webhooks.h"

#define MAX_MEMBERS 32 /* members of an entry's data that are read */

static const char *const sql_cursor = "SELECT last_seq FROM webhook_cursors WHERE org = ?1";
/* a read first: the delivery thread asks every 200 ms, and most times there is nothing new,
 * which then costs no write lock (a missing cursor is made under the lock) */
static const char *const sql_anything =
    "SELECT c.last_seq IS NULL OR EXISTS (SELECT 1 FROM audit_log a WHERE a.org = ?1 AND "
    "a.seq > c.last_seq) FROM (SELECT (SELECT last_seq FROM webhook_cursors WHERE org = ?1) "
    "AS last_seq) c";
static const char *const sql_cursor_new =
    "INSERT INTO webhook_cursors (org, last_seq) SELECT ?1, coalesce(max(seq), -1) FROM audit_log";
static const char *const sql_cursor_set = "UPDATE webhook_cursors SET last_seq = ?2 WHERE org = ?1";
static const char *const sql_entries =
    "SELECT seq, at, coalesce(json_extract(entry, '$.action'), ''), "
    "coalesce(json_extract(entry, '$.target'), ''), coalesce(json_extract(entry, '$.after'), ''), "
    "coalesce(json_extract(entry, '$.data'), '{}') "
    "FROM audit_log WHERE org = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";
static const char *const pg_entries =
    "SELECT seq, at, coalesce(e ->> 'action', ''), coalesce(e ->> 'target', ''), "
    "coalesce(e ->> 'after', ''), coalesce((e -> 'data')::text, '{}') "
    "FROM (SELECT seq, at, convert_from(entry, 'UTF8')::json AS e FROM audit_log "
    "WHERE org = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3) a ORDER BY seq";
/* each member's value as JSON text (json_each gives strings unquoted and booleans as 1/0) */
static const char *const sql_members =
    "SELECT key, CASE type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' "
    "WHEN 'null' THEN 'null' WHEN 'text' THEN json_quote(value) ELSE value END "
    "FROM json_each(?1) WHERE type IS NOT NULL";
static const char *const pg_members = "SELECT key, value::text FROM json_each(CAST(?1 AS json))";
static const char *const sql_item =
    "SELECT i.channel, i.ext_id, i.state FROM items i JOIN organizations o ON o.pk = i.org "
    "WHERE i.id = ?1 AND o.id = ?2";
static const char *const sql_insert =
    "INSERT INTO webhook_deliveries (org, audit_seq, event, body, created_at, next_attempt_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (audit_seq, event) DO NOTHING";
static const char *const sql_due =
    "SELECT id, org, audit_seq, event, body, attempts, created_at, next_attempt_at "
    "FROM webhook_deliveries WHERE org = ?1 AND delivered_at IS NULL AND given_up_at IS NULL "
    "AND next_attempt_at <= ?2 ORDER BY id LIMIT ?3";
static const char *const sql_delivered =
    "UPDATE webhook_deliveries SET delivered_at = ?2, last_status = ?3, attempts = attempts + 1, "
    "last_error = NULL WHERE id = ?1";
static const char *const sql_attempts =
    "SELECT attempts FROM webhook_deliveries WHERE id = ?1 AND delivered_at IS NULL "
    "AND given_up_at IS NULL";
static const char *const sql_failed =
    "UPDATE webhook_deliveries SET attempts = ?2, next_attempt_at = ?3, given_up_at = ?4, "
    "last_status = ?5, last_error = ?6 WHERE id = ?1";
static const char *const sql_stats =
    "SELECT count(delivered_at), "
    "count(*) FILTER (WHERE delivered_at IS NULL AND given_up_at IS NULL), "
    "count(given_up_at), coalesce(sum(attempts), 0) - count(delivered_at), "
    "coalesce(min(CASE WHEN delivered_at IS NULL AND given_up_at IS NULL THEN created_at END), 0) "
    "FROM webhook_deliveries WHERE CAST(?1 AS TEXT) IS NULL OR org = ?1";

/* The data members of one entry, copied (their statement is stepped again for the next). */
typedef struct members {
    sl__hook_member m[MAX_MEMBERS];
    size_t n;
} members;

static void members_free(members *ms)
{
    for (size_t k = 0; k < ms->n; k++) {
        free((char *)ms->m[k].key);
        free((char *)ms->m[k].json);
    }
    ms->n = 0;
}

static sl_status read_members(sl__db *s, const char *data, members *ms, sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, SL_DB_SQL(s, sql_members, pg_members), &st, err);
    if (status) return status;
    sl__db_bind_text(st, 1, data, -1, SL_DB_STATIC);
    int rc = SL_DB_DONE;
    while (ms->n < MAX_MEMBERS && (rc = sl__db_step(st)) == SL_DB_ROW) {
        char *k = strdup(sl__db_col_text(st, 0)), *v = strdup(sl__db_col_text(st, 1));
        if (!k || !v) {
            free(k);
            free(v);
            status = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
            break;
        }
        ms->m[ms->n++] = (sl__hook_member){k, v};
    }
    if (!status && ms->n < MAX_MEMBERS && rc != SL_DB_DONE)
        status = sl__db_error(s, rc, "read audit entry", err);
    sl__db_reset(st);
    return status;
}

/* The item of e (channel, id, state), copied into the caller's buffers. */
static sl_status read_item(sl__db *s, sl__hook_entry *e, char *channel, size_t ccap, char *id,
                           size_t icap, sl_error *err)
{
    int64_t item = sl__webhook_item_of(e);
    e->has_item = false;
    if (!item) return SL_OK;
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_item, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, item);
    sl__db_bind_text(st, 2, e->org, -1, SL_DB_STATIC);
    int rc = sl__db_step(st);
    if (rc == SL_DB_ROW) {
        snprintf(channel, ccap, "%s", sl__db_col_text(st, 0));
        snprintf(id, icap, "%s", sl__db_col_text(st, 1));
        e->item_state = sl__db_column_int(st, 2);
        e->channel = channel;
        e->item_id = id;
        e->has_item = true;
    }
    sl__db_reset(st);
    return rc == SL_DB_ROW || rc == SL_DB_DONE ? SL_OK : sl__db_error(s, rc, "read item", err);
}

/* The deliveries of one entry (the row of sql_entries in st). */
static sl_status take_entry(sl__db *s, const char *org, sl__dbst *row, int64_t now, size_t *made,
                            sl_error *err)
{
    members ms = {.n = 0};
    char channel[SL_STORE_MAX_CHANNEL + 1], id[SL_STORE_MAX_ITEM_ID + 1];
    sl__hook_entry e = {.seq = sl__db_column_int64(row, 0),
                        .at = sl__db_column_int64(row, 1),
                        .org = org,
                        .action = sl__db_col_text(row, 2),
                        .target = sl__db_col_text(row, 3),
                        .after = sl__db_col_text(row, 4)};
    const char *names[SL_HOOK_MAX_EVENTS];
    sl_status status = read_members(s, sl__db_col_text(row, 5), &ms, err);
    e.data = ms.m;
    e.ndata = ms.n;
    size_t nev = status ? 0 : sl__webhook_events(&e, names);
    if (nev) status = read_item(s, &e, channel, sizeof channel, id, sizeof id, err);
    sl_buf body = {.max = 64 * 1024};
    for (size_t k = 0; k < nev && !status; k++) {
        sl_buf_clear(&body);
        sl__dbst *st;
        if (sl__webhook_body(&body, &e, names[k])) {
            status = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "webhook body: out of memory");
            break;
        }
        if ((status = sl__db_prepare(s, sql_insert, &st, err))) break;
        sl__db_bind_text(st, 1, org, -1, SL_DB_STATIC);
        sl__db_bind_int64(st, 2, e.seq);
        sl__db_bind_text(st, 3, names[k], -1, SL_DB_STATIC);
        sl__db_bind_text(st, 4, body.data, (int)body.len, SL_DB_STATIC);
        sl__db_bind_int64(st, 5, now);
        status = sl__db_run(s, st, "make webhook delivery", err);
        if (!status) *made += (size_t)sl__db_changes(s);
    }
    sl_buf_free(&body);
    members_free(&ms);
    return status;
}

/* The org's cursor; *found false when it has none yet. */
static sl_status read_cursor(sl__db *s, const char *org, int64_t *last, bool *found, sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_cursor, &st, err);
    if (status) return status;
    sl__db_bind_text(st, 1, org, -1, SL_DB_STATIC);
    int rc = sl__db_step(st);
    *found = rc == SL_DB_ROW;
    if (*found) *last = sl__db_column_int64(st, 0);
    sl__db_reset(st);
    return rc == SL_DB_ROW || rc == SL_DB_DONE ? SL_OK
                                               : sl__db_error(s, rc, "read webhook cursor", err);
}

static sl_status take(sl__db *s, const char *org, size_t max, int64_t now, size_t *entries,
                      size_t *made, sl_error *err)
{
    int64_t last = -1;
    bool found;
    sl__dbst *st;
    sl_status status = read_cursor(s, org, &last, &found, err);
    if (status) return status;
    if (!found) { /* webhooks start now: the log so far is not delivered */
        if ((status = sl__db_prepare(s, sql_cursor_new, &st, err))) return status;
        sl__db_bind_text(st, 1, org, -1, SL_DB_STATIC);
        return sl__db_run(s, st, "make webhook cursor", err);
    }
    if ((status = sl__db_prepare(s, SL_DB_SQL(s, sql_entries, pg_entries), &st, err)))
        return status;
    sl__db_bind_text(st, 1, org, -1, SL_DB_STATIC);
    sl__db_bind_int64(st, 2, last);
    sl__db_bind_int64(st, 3, (int64_t)max);
    int rc = SL_DB_DONE;
    while (!status && (rc = sl__db_step(st)) == SL_DB_ROW) {
        status = take_entry(s, org, st, now, made, err);
        last = sl__db_column_int64(st, 0);
        ++*entries;
    }
    if (!status && rc != SL_DB_DONE) status = sl__db_error(s, rc, "read audit log", err);
    sl__db_reset(st);
    if (status || !*entries) return status;
    if ((status = sl__db_prepare(s, sql_cursor_set, &st, err))) return status;
    sl__db_bind_text(st, 1, org, -1, SL_DB_STATIC);
    sl__db_bind_int64(st, 2, last);
    return sl__db_run(s, st, "move webhook cursor", err);
}

sl_status sl__db_webhook_take(void *db, const char *org, size_t max, int64_t now, size_t *entries,
                              size_t *made, sl_error *err)
{
    sl__db *s = db;
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_anything, &st, err);
    if (status) return status;
    sl__db_bind_text(st, 1, org, -1, SL_DB_STATIC);
    int rc = sl__db_step(st), anything = rc == SL_DB_ROW && sl__db_column_int(st, 0);
    sl__db_reset(st);
    if (rc != SL_DB_ROW) return sl__db_error(s, rc, "read webhook cursor", err);
    if (!anything) return SL_OK;
    if ((status = sl__db_begin_write(s, err))) return status;
    status = take(s, org, max, now, entries, made, err);
    status = sl__db_commit(s, status, err);
    if (status) *entries = *made = 0;
    return status;
}

static sl_status read_due(sl__dbst *st, sl_webhook_delivery *d, sl_error *err)
{
    d->id = sl__db_column_int64(st, 0);
    snprintf(d->org, sizeof d->org, "%s", sl__db_col_text(st, 1));
    d->audit_seq = sl__db_column_int64(st, 2);
    snprintf(d->event, sizeof d->event, "%s", sl__db_col_text(st, 3));
    d->body_len = (size_t)sl__db_column_bytes(st, 4);
    d->body = malloc(d->body_len + 1);
    if (!d->body) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    memcpy(d->body, sl__db_col_text(st, 4), d->body_len);
    d->body[d->body_len] = '\0';
    d->attempts = sl__db_column_int(st, 5);
    d->created_at = sl__db_column_int64(st, 6);
    d->next_attempt_at = sl__db_column_int64(st, 7);
    return SL_OK;
}

sl_status sl__db_webhook_due(void *db, const char *org, size_t max, int64_t now,
                             sl_webhook_delivery **out, size_t *n, sl_error *err)
{
    sl__db *s = db;
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_due, &st, err);
    if (status) return status;
    *out = calloc(max, sizeof **out);
    if (!*out) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    sl__db_bind_text(st, 1, org, -1, SL_DB_STATIC);
    sl__db_bind_int64(st, 2, now);
    sl__db_bind_int64(st, 3, (int64_t)max);
    int rc = SL_DB_DONE;
    while (!status && *n < max && (rc = sl__db_step(st)) == SL_DB_ROW) {
        status = read_due(st, &(*out)[*n], err);
        ++*n; /* counted even when its body failed: freed with the rest */
    }
    if (!status && *n < max && rc != SL_DB_DONE)
        status = sl__db_error(s, rc, "read webhook deliveries", err);
    sl__db_reset(st);
    if (status) {
        sl_webhook_deliveries_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return status;
}

/* One outcome, inside the caller's transaction; *found false when the id is not pending. */
static sl_status record(sl__db *s, sl_webhook_outcome *o, int max_attempts, int64_t now,
                        bool *found, sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_attempts, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, o->id);
    int rc = sl__db_step(st);
    int attempts = rc == SL_DB_ROW ? sl__db_column_int(st, 0) + 1 : 0;
    sl__db_reset(st);
    *found = rc == SL_DB_ROW;
    o->gave_up = false;
    if (rc == SL_DB_DONE) return SL_OK;
    if (rc != SL_DB_ROW) return sl__db_error(s, rc, "read webhook delivery", err);
    if (o->delivered) {
        if ((status = sl__db_prepare(s, sql_delivered, &st, err))) return status;
        sl__db_bind_int64(st, 1, o->id);
        sl__db_bind_int64(st, 2, now);
        sl__db_bind_int(st, 3, o->status);
        return sl__db_run(s, st, "record webhook delivery", err);
    }
    o->gave_up = attempts >= max_attempts;
    if ((status = sl__db_prepare(s, sql_failed, &st, err))) return status;
    sl__db_bind_int64(st, 1, o->id);
    sl__db_bind_int(st, 2, attempts);
    sl__db_bind_int64(
        st, 3, o->gave_up ? now : now + sl__webhook_backoff_ms(attempts, randombytes_random()));
    sl__db_bind_id(st, 4, o->gave_up ? now : 0);
    sl__db_bind_int(st, 5, o->status);
    size_t elen = o->error ? strnlen(o->error, SL_WEBHOOK_MAX_ERROR) : 0;
    sl__db_bind_str(st, 6, o->error, elen, 1);
    return sl__db_run(s, st, "record webhook failure", err);
}

sl_status sl__db_webhook_record(void *db, sl_webhook_outcome *o, size_t n, int max_attempts,
                                int64_t now, sl_error *err)
{
    sl__db *s = db;
    sl_status status = sl__db_begin_write(s, err);
    if (status) return status;
    bool found = true;
    for (size_t k = 0; k < n && !status; k++)
        status = record(s, &o[k], max_attempts, now, &found, err);
    if (!status && n == 1 && !found)
        status = sl_error_set(err, SL_ERR_NOT_FOUND, SL_NO_POS, "no pending webhook delivery %lld",
                              (long long)o[0].id);
    return sl__db_commit(s, status, err);
}

sl_status sl__db_webhook_stats(void *db, const char *org, sl_webhook_stats *stats, sl_error *err)
{
    sl__db *s = db;
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_stats, &st, err);
    if (status) return status;
    if (org) sl__db_bind_text(st, 1, org, -1, SL_DB_STATIC);
    int rc = sl__db_step(st);
    if (rc == SL_DB_ROW) {
        stats->delivered = sl__db_column_int64(st, 0);
        stats->pending = sl__db_column_int64(st, 1);
        stats->given_up = sl__db_column_int64(st, 2);
        stats->failed_attempts = sl__db_column_int64(st, 3);
        stats->oldest_pending_at = sl__db_column_int64(st, 4);
    }
    sl__db_reset(st);
    return rc == SL_DB_ROW ? SL_OK : sl__db_error(s, rc, "webhook stats", err);
}
