/* store/sqlite_db.h — what the SQLite backend's files share (internal).
 *
 * The backend is split by concern: sqlite.c (connection, migrations, organizations, tokens,
 * items, queues), sqlite_audit.c (the audit log) and one file per later concern. Each file keeps
 * its SQL beside its code and prepares it through sl__sq_prepare(), which caches one prepared
 * statement per SQL string literal for the life of the connection. */
#ifndef SL_STORE_SQLITE_DB_H
#define SL_STORE_SQLITE_DB_H

#include <sqlite3.h>
#include <stdint.h>

#include "sangloc/buf.h"
#include "sangloc/store.h"
#include "sangloc/status.h"
#include "store/audit.h"

#define SL_SQ_CORE_STATEMENTS 32  /* sqlite.c's own table of statements */
#define SL_SQ_CACHE           128 /* statements of the other files */

typedef struct sq {
    sqlite3 *db;
    int version;
    sqlite3_stmt *st[SL_SQ_CORE_STATEMENTS];
    struct {
        const char *sql; /* a string literal: cached by its address */
        sqlite3_stmt *st;
    } cache[SL_SQ_CACHE];
    int ncache;
    sl_buf entry; /* the audit entry being written */
    sl_buf data;  /* its "data" object, built by the caller of sl__sq_audit_append */
} sq;

/* A database error as SL_ERR_BUSY (locked, try later) or SL_ERR_STORE, naming what was done. */
sl_status sl__sq_error(sq *s, int rc, const char *doing, sl_error *err);
/* The prepared statement for the string literal sql, reset and unbound. */
sl_status sl__sq_prepare(sq *s, const char *sql, sqlite3_stmt **out, sl_error *err);
/* Binds (p, len) as text; NULL p binds SQL NULL when nullable, else the empty string. */
int sl__sq_bind_text(sqlite3_stmt *st, int i, const char *p, size_t len, int nullable);
int sl__sq_bind_id(sqlite3_stmt *st, int i, int64_t v); /* 0 means none: NULL */
/* Runs a statement that returns no row. */
sl_status sl__sq_run(sq *s, sqlite3_stmt *st, const char *doing, sl_error *err);
sl_status sl__sq_exec(sq *s, const char *sql, sl_error *err);
/* BEGIN IMMEDIATE: the write lock is taken at once (waits up to the busy timeout). */
sl_status sl__sq_begin_write(sq *s, sl_error *err);
/* COMMIT when st is SL_OK, else ROLLBACK; returns the outcome. */
sl_status sl__sq_commit(sq *s, sl_status st, sl_error *err);
const char *sl__sq_col_text(sqlite3_stmt *st, int i); /* "" for NULL */
/* The internal key of an org: SL_ERR_NOT_FOUND when it does not exist. */
sl_status sl__sq_org_pk(sq *s, const char *id, int64_t *pk, sl_error *err);
/* Appends to an item's history (item_events); from/to -1: the state did not change. */
sl_status sl__sq_add_event(sq *s, int64_t item, int64_t at, int64_t actor, const char *what,
                           int from, int to, const char *detail, sl_error *err);

/* Appends rec to the audit log as the next entry, at time now. Call it inside the write
 * transaction of the change it records (sqlite_audit.c). */
sl_status sl__sq_audit_append(sq *s, int64_t now, const sl__audit_rec *rec, sl_error *err);

/* The webhook outbox (sqlite_webhooks.c): the backend's webhook_* operations. */
sl_status sl__sq_webhook_take(void *db, const char *org, size_t max, int64_t now, size_t *entries,
                              size_t *made, sl_error *err);
sl_status sl__sq_webhook_due(void *db, const char *org, size_t max, int64_t now,
                             sl_webhook_delivery **out, size_t *n, sl_error *err);
sl_status sl__sq_webhook_record(void *db, sl_webhook_outcome *o, size_t n, int max_attempts,
                                int64_t now, sl_error *err);
sl_status sl__sq_webhook_stats(void *db, const char *org, sl_webhook_stats *stats, sl_error *err);

#endif
