/* store/sql.c — the statement API of sql.h: its SQLite driver, and dispatch to the PostgreSQL
 * driver (sql_pg.c) for PostgreSQL connections.
 *
 * SQLite connections run in WAL mode with synchronous=FULL, so every COMMIT syncs the
 * write-ahead log before it returns: a batch the caller acknowledged survives kill -9 and power
 * loss (docs/store.md says why FULL rather than NORMAL). Writers take the write lock at BEGIN
 * (BEGIN IMMEDIATE) so two connections never deadlock upgrading a read lock, and wait up to the
 * busy timeout for it.
 *
 * Schema: the numbered migrations compiled in from src/store/migrations are applied on open,
 * in one transaction, and recorded in schema_migrations; a database that has a migration this
 * program does not know (written by a newer sangloc), or one of another name, is refused. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrations.h"
#include "store/sql.h"
#include "store/sql_pg.h"

struct sl__dbst {
    sl__db *db;
    sqlite3_stmt *sq; /* one of the two */
    sl__pgst *pg;
};

static sqlite3 *lite(sl__db *s)
{
    return s->conn;
}

sl_status sl__db_error(sl__db *s, int rc, const char *doing, sl_error *err)
{
    int primary = rc & 0xff;
    sl_status code =
        primary == SQLITE_BUSY || primary == SQLITE_LOCKED ? SL_ERR_BUSY : SL_ERR_STORE;
    const char *msg;
    if (s && s->kind == SL_DB_POSTGRES)
        msg = sl__pg_errmsg(s);
    else
        msg = s && s->conn ? sqlite3_errmsg(lite(s)) : sqlite3_errstr(rc);
    return sl_error_set(err, code, SL_NO_POS, "database: %s: %s", doing, msg);
}

/* ---- statements --------------------------------------------------------------------------- */

static void finalize(sl__dbst *st)
{
    if (!st) return;
    if (st->sq) sqlite3_finalize(st->sq);
    if (st->pg) sl__pg_finalize(st->pg);
    free(st);
}

sl_status sl__db_prepare(sl__db *s, const char *sql, sl__dbst **out, sl_error *err)
{
    int k = 0;
    while (k < s->ncache && s->cache[k].sql != sql) k++;
    if (k == s->ncache) {
        if (k == SL_DB_CACHE)
            return sl_error_set(err, SL_ERR_STORE, SL_NO_POS, "database: statement cache full");
        sl__dbst *st = calloc(1, sizeof *st);
        if (!st) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        st->db = s;
        if (s->kind == SL_DB_POSTGRES) {
            sl_status status = sl__pg_prepare(s, sql, &st->pg, err);
            if (status) {
                free(st);
                return status;
            }
        } else {
            int rc = sqlite3_prepare_v3(lite(s), sql, -1, SQLITE_PREPARE_PERSISTENT, &st->sq, NULL);
            if (rc != SQLITE_OK) {
                free(st);
                return sl__db_error(s, rc, "prepare", err);
            }
        }
        s->cache[k].sql = sql;
        s->cache[k].st = st;
        s->ncache++;
    }
    sl__dbst *st = s->cache[k].st;
    if (st->pg) {
        sl__pg_reset(st->pg);
        sl__pg_clear(st->pg);
    } else {
        sqlite3_reset(st->sq);
        sqlite3_clear_bindings(st->sq);
    }
    *out = st;
    return SL_OK;
}

static sqlite3_destructor_type lite_life(sl__db_lifetime life)
{
    return life == SL_DB_TRANSIENT ? SQLITE_TRANSIENT : SQLITE_STATIC;
}

int sl__db_bind_int64(sl__dbst *st, int i, int64_t v)
{
    return st->pg ? sl__pg_bind(st->pg, i, SL_DB_INTEGER, v, 0, NULL, 0, SL_DB_STATIC)
                  : sqlite3_bind_int64(st->sq, i, v);
}

int sl__db_bind_int(sl__dbst *st, int i, int v)
{
    return sl__db_bind_int64(st, i, v);
}

int sl__db_bind_double(sl__dbst *st, int i, double v)
{
    return st->pg ? sl__pg_bind(st->pg, i, SL_DB_FLOAT, 0, v, NULL, 0, SL_DB_STATIC)
                  : sqlite3_bind_double(st->sq, i, v);
}

int sl__db_bind_null(sl__dbst *st, int i)
{
    return st->pg ? sl__pg_bind(st->pg, i, SL_DB_NULL, 0, 0, NULL, 0, SL_DB_STATIC)
                  : sqlite3_bind_null(st->sq, i);
}

int sl__db_bind_text(sl__dbst *st, int i, const char *p, int n, sl__db_lifetime life)
{
    return st->pg ? sl__pg_bind(st->pg, i, SL_DB_TEXT, 0, 0, p, n, life)
                  : sqlite3_bind_text(st->sq, i, p, n, lite_life(life));
}

int sl__db_bind_blob(sl__dbst *st, int i, const void *p, int n, sl__db_lifetime life)
{
    return st->pg ? sl__pg_bind(st->pg, i, SL_DB_BLOB, 0, 0, p, n, life)
                  : sqlite3_bind_blob(st->sq, i, p, n, lite_life(life));
}

int sl__db_step(sl__dbst *st)
{
    return st->pg ? sl__pg_step(st->pg) : sqlite3_step(st->sq);
}

int sl__db_step_deferred(sl__dbst *st, const char *doing)
{
    return st->pg ? sl__pg_step_deferred(st->pg, doing) : sqlite3_step(st->sq);
}

void sl__db_reset(sl__dbst *st)
{
    if (st->pg)
        sl__pg_reset(st->pg);
    else
        sqlite3_reset(st->sq);
}

int sl__db_column_type(sl__dbst *st, int i)
{
    return st->pg ? sl__pg_column_type(st->pg, i) : sqlite3_column_type(st->sq, i);
}

int64_t sl__db_column_int64(sl__dbst *st, int i)
{
    return st->pg ? sl__pg_column_int64(st->pg, i) : sqlite3_column_int64(st->sq, i);
}

int sl__db_column_int(sl__dbst *st, int i)
{
    return (int)sl__db_column_int64(st, i);
}

double sl__db_column_double(sl__dbst *st, int i)
{
    return st->pg ? sl__pg_column_double(st->pg, i) : sqlite3_column_double(st->sq, i);
}

const unsigned char *sl__db_column_text(sl__dbst *st, int i)
{
    return st->pg ? sl__pg_column_text(st->pg, i) : sqlite3_column_text(st->sq, i);
}

const void *sl__db_column_blob(sl__dbst *st, int i)
{
    return st->pg ? sl__pg_column_blob(st->pg, i) : sqlite3_column_blob(st->sq, i);
}

int sl__db_column_bytes(sl__dbst *st, int i)
{
    return st->pg ? sl__pg_column_bytes(st->pg, i) : sqlite3_column_bytes(st->sq, i);
}

int64_t sl__db_changes(sl__db *s)
{
    return s->kind == SL_DB_POSTGRES ? sl__pg_changes(s) : sqlite3_changes64(lite(s));
}

/* ---- transactions ------------------------------------------------------------------------- */

sl_status sl__db_exec(sl__db *s, const char *sql, sl_error *err)
{
    int rc = s->kind == SL_DB_POSTGRES ? sl__pg_exec(s, sql)
                                       : sqlite3_exec(lite(s), sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? SL_OK : sl__db_error(s, rc, sql, err);
}

sl_status sl__db_begin_write(sl__db *s, sl_error *err)
{
    s->txn_next_seq = -1;
    s->txn_actor = 0;
    if (s->kind == SL_DB_POSTGRES) {
        int rc = sl__pg_begin_write(s);
        return rc ? sl__db_error(s, rc, "begin", err) : SL_OK;
    }
    return sl__db_exec(s, "BEGIN IMMEDIATE", err);
}

void sl__db_rollback(sl__db *s)
{
    s->txn_next_seq = -1;
    s->txn_actor = 0;
    if (s->kind == SL_DB_POSTGRES)
        sl__pg_exec(s, "ROLLBACK");
    else if (!sqlite3_get_autocommit(lite(s)))
        sqlite3_exec(lite(s), "ROLLBACK", NULL, NULL, NULL);
}

sl_status sl__db_commit(sl__db *s, sl_status st, sl_error *err)
{
    s->txn_next_seq = -1; /* kept only inside the transaction */
    s->txn_actor = 0;
    if (st == SL_OK) st = sl__db_exec(s, "COMMIT", err);
    if (st != SL_OK) sl__db_rollback(s);
    return st;
}

/* ---- open and migrate (SQLite) ------------------------------------------------------------ */

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

/* The applied version, checking each applied migration against the compiled-in list. */
static sl_status read_version(sl__db *s, int *version, sl_error *err)
{
    sqlite3_stmt *st;
    *version = 0;
    int rc = sqlite3_prepare_v2(lite(s),
                                "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                "AND name = 'schema_migrations'",
                                -1, &st, NULL);
    if (rc) return sl__db_error(s, rc, "read schema", err);
    rc = sqlite3_step(st);
    int exists = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) return sl__db_error(s, rc, "read schema", err);
    if (!exists) return SL_OK;
    rc = sqlite3_prepare_v2(lite(s), "SELECT version, name FROM schema_migrations ORDER BY version",
                            -1, &st, NULL);
    if (rc) return sl__db_error(s, rc, "read schema", err);
    sl_status status = SL_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !status) {
        int v = sqlite3_column_int(st, 0);
        const char *name = col_text(st, 1);
        status =
            sl__migration_check(sl__store_migrations, sl__store_nmigrations, v, name, version, err);
    }
    sqlite3_finalize(st);
    if (!status && rc != SQLITE_DONE && rc != SQLITE_ROW)
        status = sl__db_error(s, rc, "read schema", err);
    return status;
}

static sl_status apply(sl__db *s, int v, sl_error *err)
{
    const sl_store_migration *m = &sl__store_migrations[v - 1];
    int rc = sqlite3_exec(lite(s), m->sql, NULL, NULL, NULL);
    if (rc) {
        sl_error_set(err, SL_ERR_SCHEMA, SL_NO_POS, "migration %s failed: %s", m->name,
                     sqlite3_errmsg(lite(s)));
        return SL_ERR_SCHEMA;
    }
    sqlite3_stmt *st;
    rc = sqlite3_prepare_v2(
        lite(s),
        "INSERT INTO schema_migrations (version, name, applied_at) "
        "VALUES (?1, ?2, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))",
        -1, &st, NULL);
    if (rc) return sl__db_error(s, rc, "record migration", err);
    sqlite3_bind_int(st, 1, v);
    sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SL_OK : sl__db_error(s, rc, "record migration", err);
}

/* Brings the schema up to date in one transaction (re-reading the version under the write
 * lock, since another process may have migrated meanwhile). */
static sl_status migrate(sl__db *s, sl_error *err)
{
    sl_status st = read_version(s, &s->version, err);
    if (st || s->version == sl__store_nmigrations) return st;
    st = sl__db_begin_write(s, err);
    if (st) return st;
    st = sl__db_exec(s,
                     "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                     "name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
                     err);
    if (!st) st = read_version(s, &s->version, err);
    for (int v = s->version + 1; !st && v <= sl__store_nmigrations; v++) {
        st = apply(s, v, err);
        if (!st) s->version = v;
    }
    st = sl__db_commit(s, st, err);
    if (st) s->version = 0;
    return st;
}

static sl_status configure(sl__db *s, sl_error *err)
{
    sqlite3_extended_result_codes(lite(s), 1);
    sqlite3_busy_timeout(lite(s), s->busy_timeout_ms);
    /* Switching a fresh file to WAL answers SQLITE_BUSY at once, without the busy handler, while
     * another connection is switching it: retry for as long as the busy timeout allows (the mode
     * is persistent, so the retry finds "wal" set by the other). */
    sqlite3_stmt *st;
    int rc, wal = 0;
    for (int waited_ms = 0;; waited_ms += 2) {
        rc = sqlite3_prepare_v2(lite(s), "PRAGMA journal_mode = WAL", -1, &st, NULL);
        if (rc) return sl__db_error(s, rc, "journal_mode", err);
        rc = sqlite3_step(st);
        wal = rc == SQLITE_ROW && !strcmp(col_text(st, 0), "wal");
        sqlite3_finalize(st);
        if ((rc & 0xff) != SQLITE_BUSY || waited_ms >= s->busy_timeout_ms) break;
        sqlite3_sleep(2);
    }
    if (rc != SQLITE_ROW) return sl__db_error(s, rc, "journal_mode", err);
    if (!wal)
        return sl_error_set(err, SL_ERR_STORE, SL_NO_POS,
                            "database: cannot use WAL mode on this file");
    sl_status status = sl__db_exec(s, "PRAGMA synchronous = FULL", err);
    /* freed bytes are zeroed, so a purged text does not linger in the file (docs/privacy.md) */
    if (!status) status = sl__db_exec(s, "PRAGMA secure_delete = ON", err);
    if (!status) status = sl__db_exec(s, "PRAGMA foreign_keys = ON", err);
    return status;
}

void sl__db_close(sl__db *s)
{
    if (!s) return;
    for (int k = 0; k < s->ncache; k++) finalize(s->cache[k].st);
    if (s->kind == SL_DB_POSTGRES)
        sl__pg_close(s);
    else
        sqlite3_close_v2(lite(s));
    sl_buf_free(&s->entry);
    sl_buf_free(&s->data);
    free(s);
}

static sl__db *new_db(sl__db_kind kind, int busy_timeout_ms, sl_error *err)
{
    sl__db *s = calloc(1, sizeof *s);
    if (!s) {
        sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        return NULL;
    }
    s->kind = kind;
    s->busy_timeout_ms = busy_timeout_ms;
    s->txn_next_seq = -1;
    return s;
}

sl_status sl__db_open_sqlite(const char *path, int busy_timeout_ms, sl__db **out, sl_error *err)
{
    sl__db *s = new_db(SL_DB_SQLITE, busy_timeout_ms, err);
    if (!s) return SL_ERR_NOMEM;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(
        path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    s->conn = db;
    sl_status st = SL_OK;
    if (rc)
        st = sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot open database %s: %s", path,
                          db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    if (!st) st = configure(s, err);
    if (!st) st = migrate(s, err);
    if (st) {
        sl__db_close(s);
        return st;
    }
    *out = s;
    return SL_OK;
}

sl_status sl__db_open_pg(const char *url, int busy_timeout_ms, sl__db **out, sl_error *err)
{
    sl__db *s = new_db(SL_DB_POSTGRES, busy_timeout_ms, err);
    if (!s) return SL_ERR_NOMEM;
    sl_status st = sl__pg_open(s, url, err);
    if (st) {
        sl__db_close(s);
        return st;
    }
    *out = s;
    return SL_OK;
}
