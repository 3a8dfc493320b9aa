/* Rows of an ingest batch gathered as JSON arrays and inserted one table at a time
 * (store/sql_rows.h). PostgreSQL reads them with jsonb_to_recordset, in array order (WITH
 * ORDINALITY ... ORDER BY), so identity numbers are taken in the order the rows were gathered;
 * bytes travel as hex, numbers as JSON numbers (a double with 17 significant digits reads back
 * as the same double). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store/sql_db.h"
#include "store/sql_rows.h"

static const char *const sql_items =
    "INSERT INTO items (id, org, channel, ext_id, kind, author, text, created_at, parent, "
    "received_at, state, verdict, action, score, policy_version) "
    "SELECT id, org, channel, ext_id, kind, decode(author, 'hex'), text, created_at, parent, "
    "received_at, state, verdict, action, score, policy_version "
    "FROM ROWS FROM (jsonb_to_recordset(CAST(?1 AS jsonb)) AS (id BIGINT, org BIGINT, "
    "channel TEXT, ext_id TEXT, kind TEXT, author TEXT, text TEXT, created_at TEXT, parent TEXT, "
    "received_at BIGINT, state BIGINT, verdict TEXT, action BIGINT, score DOUBLE PRECISION, "
    "policy_version TEXT)) WITH ORDINALITY AS r ORDER BY r.ordinality";
static const char *const sql_cases =
    "INSERT INTO cases (id, org, queue, item, severity, opened_at) "
    "SELECT id, org, queue, item, severity, opened_at "
    "FROM ROWS FROM (jsonb_to_recordset(CAST(?1 AS jsonb)) AS (id BIGINT, org BIGINT, "
    "queue TEXT, item BIGINT, severity BIGINT, opened_at BIGINT)) WITH ORDINALITY AS r "
    "ORDER BY r.ordinality";
static const char *const sql_notices =
    "INSERT INTO notices (id, org, item, kind, decision, appeal, rule, rule_category, "
    "rule_clause, created_at, appeal_until, appeal_lookup, appeal_hash) "
    "SELECT id, org, item, kind, decision, appeal, rule, rule_category, rule_clause, created_at, "
    "appeal_until, appeal_lookup, decode(appeal_hash, 'hex') "
    "FROM ROWS FROM (jsonb_to_recordset(CAST(?1 AS jsonb)) AS (id TEXT, org BIGINT, item BIGINT, "
    "kind TEXT, decision BIGINT, appeal BIGINT, rule TEXT, rule_category TEXT, "
    "rule_clause TEXT, created_at BIGINT, appeal_until BIGINT, appeal_lookup BIGINT, "
    "appeal_hash TEXT)) WITH ORDINALITY AS r ORDER BY r.ordinality";
static const char *const sql_events =
    "INSERT INTO item_events (item, at, actor, what, from_state, to_state, detail) "
    "SELECT item, at, actor, what, from_state, to_state, detail "
    "FROM ROWS FROM (jsonb_to_recordset(CAST(?1 AS jsonb)) AS (item BIGINT, at BIGINT, "
    "actor BIGINT, what TEXT, from_state BIGINT, to_state BIGINT, detail TEXT)) "
    "WITH ORDINALITY AS r ORDER BY r.ordinality";
static const char *const sql_audit =
    "INSERT INTO audit_log (seq, at, org, entry, leaf) "
    "SELECT seq, at, org, decode(entry, 'hex'), decode(leaf, 'hex') "
    "FROM ROWS FROM (jsonb_to_recordset(CAST(?1 AS jsonb)) AS (seq BIGINT, at BIGINT, "
    "org TEXT, entry TEXT, leaf TEXT)) WITH ORDINALITY AS r ORDER BY r.ordinality";

/* ---- writing rows -----------------------------------------------------------------------------
 */

static sl_status row_start(sl_buf *b)
{
    return sl_buf_puts(b, b->len ? ",{" : "[{");
}

static sl_status put_int(sl_buf *b, const char *name, int64_t v, int more)
{
    return sl_buf_printf(b, "\"%s\":%" PRId64 "%s", name, v, more ? "," : "}");
}

static sl_status put_null(sl_buf *b, const char *name, int more)
{
    return sl_buf_printf(b, "\"%s\":null%s", name, more ? "," : "}");
}

/* p NULL: null when nullable, else "" (as sl__db_bind_str) */
static sl_status put_str(sl_buf *b, const char *name, const char *p, size_t n, int nullable,
                         int more)
{
    if (!p && nullable) return put_null(b, name, more);
    sl_status st = sl_buf_printf(b, "\"%s\":", name);
    if (!st) st = sl_buf_json_string(b, p ? p : "", p ? n : 0);
    if (!st) st = sl_buf_puts(b, more ? "," : "}");
    return st;
}

static sl_status put_hex(sl_buf *b, const char *name, const void *p, size_t n, int more)
{
    static const char digits[] = "0123456789abcdef";
    sl_status st = sl_buf_printf(b, "\"%s\":\"", name);
    const unsigned char *u = p;
    for (size_t k = 0; k < n && !st; k++) {
        char two[2] = {digits[u[k] >> 4], digits[u[k] & 15]};
        st = sl_buf_append(b, two, 2);
    }
    if (!st) st = sl_buf_puts(b, more ? "\"," : "\"}");
    return st;
}

sl_status sl__rows_item(sl__db_rows *b, int64_t id, int64_t org, const sl__store_row *r,
                        int64_t now)
{
    const sl_store_item *it = r->in;
    sl_buf *o = &b->items;
    if (!isfinite(it->score)) return SL_ERR_ARG; /* not a JSON number (the store refuses it) */
    sl_status st = row_start(o);
    if (!st) st = put_int(o, "id", id, 1);
    if (!st) st = put_int(o, "org", org, 1);
    if (!st) st = put_str(o, "channel", it->channel, it->channel_len, 0, 1);
    if (!st) st = put_str(o, "ext_id", it->id, it->id_len, 0, 1);
    if (!st) st = put_str(o, "kind", it->kind, it->kind_len, 0, 1);
    if (!st) st = put_hex(o, "author", r->author, SL_STORE_HASH_LEN, 1);
    if (!st) st = put_str(o, "text", it->text, it->text_len, 0, 1);
    if (!st) st = put_str(o, "created_at", it->created_at, it->created_at_len, 1, 1);
    if (!st) st = put_str(o, "parent", it->parent, it->parent_len, 1, 1);
    if (!st) st = put_int(o, "received_at", now, 1);
    if (!st) st = put_int(o, "state", (int64_t)r->state, 1);
    if (!st) st = put_str(o, "verdict", it->verdict_json, it->verdict_len, 0, 1);
    if (!st) st = put_int(o, "action", (int64_t)it->action, 1);
    if (!st) st = sl_buf_printf(o, "\"score\":%.17g,", it->score);
    if (!st) st = put_str(o, "policy_version", it->policy_version, it->policy_version_len, 0, 0);
    return st;
}

sl_status sl__rows_case(sl__db_rows *b, int64_t id, int64_t org, const char *queue, int64_t item,
                        int64_t severity, int64_t opened_at)
{
    sl_buf *o = &b->cases;
    sl_status st = row_start(o);
    if (!st) st = put_int(o, "id", id, 1);
    if (!st) st = put_int(o, "org", org, 1);
    if (!st) st = put_str(o, "queue", queue, strlen(queue), 0, 1);
    if (!st) st = put_int(o, "item", item, 1);
    if (!st) st = put_int(o, "severity", severity, 1);
    if (!st) st = put_int(o, "opened_at", opened_at, 0);
    return st;
}

static sl_status put_id(sl_buf *b, const char *name, int64_t v, int more)
{
    return v ? put_int(b, name, v, more) : put_null(b, name, more);
}

sl_status sl__rows_notice(sl__db_rows *b, const char *id, int64_t org, int64_t item,
                          const char *kind, int64_t decision, int64_t appeal, const char *rule,
                          const char *category, const char *clause, int64_t created_at,
                          int64_t appeal_until, int64_t lookup, const unsigned char *hash)
{
    sl_buf *o = &b->notices;
    sl_status st = row_start(o);
    if (!st) st = put_str(o, "id", id, strlen(id), 0, 1);
    if (!st) st = put_int(o, "org", org, 1);
    if (!st) st = put_int(o, "item", item, 1);
    if (!st) st = put_str(o, "kind", kind, strlen(kind), 0, 1);
    if (!st) st = put_id(o, "decision", decision, 1);
    if (!st) st = put_id(o, "appeal", appeal, 1);
    if (!st) st = put_str(o, "rule", rule, strlen(rule), 0, 1);
    if (!st) st = put_str(o, "rule_category", category, strlen(category), 0, 1);
    if (!st) st = put_str(o, "rule_clause", clause, strlen(clause), 0, 1);
    if (!st) st = put_int(o, "created_at", created_at, 1);
    if (!st) st = put_int(o, "appeal_until", appeal_until, 1);
    if (!st) st = hash ? put_int(o, "appeal_lookup", lookup, 1) : put_null(o, "appeal_lookup", 1);
    if (!st)
        st = hash ? put_hex(o, "appeal_hash", hash, SL_STORE_HASH_LEN, 0)
                  : put_null(o, "appeal_hash", 0);
    return st;
}

sl_status sl__rows_event(sl__db_rows *b, int64_t item, int64_t at, int64_t actor, const char *what,
                         int from, int to, const char *detail)
{
    sl_buf *o = &b->events;
    sl_status st = row_start(o);
    if (!st) st = put_int(o, "item", item, 1);
    if (!st) st = put_int(o, "at", at, 1);
    if (!st) st = actor ? put_int(o, "actor", actor, 1) : put_null(o, "actor", 1);
    if (!st) st = put_str(o, "what", what, strlen(what), 0, 1);
    if (!st) st = from >= 0 ? put_int(o, "from_state", from, 1) : put_null(o, "from_state", 1);
    if (!st) st = to >= 0 ? put_int(o, "to_state", to, 1) : put_null(o, "to_state", 1);
    if (!st) st = put_str(o, "detail", detail, strlen(detail), 0, 0);
    return st;
}

sl_status sl__rows_audit(sl__db_rows *b, int64_t seq, int64_t at, const char *org,
                         const void *entry, size_t entry_len, const void *leaf, size_t leaf_len)
{
    sl_buf *o = &b->audit;
    sl_status st = row_start(o);
    if (!st) st = put_int(o, "seq", seq, 1);
    if (!st) st = put_int(o, "at", at, 1);
    if (!st) st = put_str(o, "org", org, strlen(org), 0, 1);
    if (!st) st = put_hex(o, "entry", entry, entry_len, 1);
    if (!st) st = put_hex(o, "leaf", leaf, leaf_len, 0);
    return st;
}

/* ---- sending them -----------------------------------------------------------------------------
 */

static sl_status send_rows(sl__db *s, sl_buf *b, const char *sql, const char *doing, sl_error *err)
{
    if (!b->len) return SL_OK;
    if (sl_buf_puts(b, "]")) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql, &st, err);
    if (!status) {
        /* TRANSIENT: the buffer is reused before the deferred result arrives (libpq copies
         * the value when it sends anyway) */
        sl__db_bind_text(st, 1, b->data, (int)b->len, SL_DB_TRANSIENT);
        status = sl__db_run_deferred(s, st, doing, err);
    }
    sl_buf_clear(b);
    return status;
}

sl_status sl__rows_flush(sl__db *s, sl__db_rows *b, sl_error *err)
{
    sl_status st = send_rows(s, &b->items, sql_items, "store items", err);
    if (!st) st = send_rows(s, &b->cases, sql_cases, "open cases", err);
    if (!st) st = send_rows(s, &b->notices, sql_notices, "create notices", err);
    if (!st) st = send_rows(s, &b->events, sql_events, "record events", err);
    if (!st) st = send_rows(s, &b->audit, sql_audit, "append to audit log", err);
    return st;
}

void sl__rows_free(sl__db_rows *b)
{
    sl_buf_free(&b->items);
    sl_buf_free(&b->cases);
    sl_buf_free(&b->notices);
    sl_buf_free(&b->events);
    sl_buf_free(&b->audit);
}
