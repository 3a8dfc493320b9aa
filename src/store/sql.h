/* store/sql.h — one statement API over SQLite and PostgreSQL (internal).
 *
 * The SQL backend (sql_*.c) is written once against this API and runs on either database: the
 * drivers (sql.c for SQLite, sql_pg.c for PostgreSQL) open the connection, apply their own
 * migrations, run transactions and execute statements. The API is SQLite's shape (prepare, bind,
 * step, column) because the backend was first written on it; the PostgreSQL driver gives the same
 * meaning:
 *
 * - SQL is written with numbered parameters ?1, ?2, ...; the PostgreSQL driver turns them into
 *   $1, $2, ... Where the dialects differ, a statement names both texts with SL_DB_SQL().
 * - A bound value keeps its type: int64 is bigint, text is text, blob is bytea, double is
 *   float8 (PostgreSQL infers nothing from a NULL: give it a type with CAST where needed).
 * - step() runs the statement on its first call and returns SL_DB_ROW per row, then
 *   SL_DB_DONE; column values stay valid until the next step() or reset() of that statement.
 *   A boolean result column reads as 0 or 1; NULL reads as 0, "" or a NULL blob.
 * - A write transaction (sl__db_begin_write) excludes every other writer of the database until
 *   it ends: SQLite's write lock, and on PostgreSQL a transaction-level advisory lock taken by
 *   every writer, so read-then-write logic written for SQLite stays correct with several
 *   servers sharing one database. Reads outside a transaction see committed data only. */
#ifndef SL_STORE_SQL_H
#define SL_STORE_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/buf.h"
#include "sangloc/status.h"

typedef struct sl__db sl__db;
typedef struct sl__dbst sl__dbst;

/* step() results and column types: the values of SQLite's codes, so that the SQLite driver
 * passes them through */
enum { SL_DB_ROW = 100, SL_DB_DONE = 101 };
enum { SL_DB_INTEGER = 1, SL_DB_FLOAT = 2, SL_DB_TEXT = 3, SL_DB_BLOB = 4, SL_DB_NULL = 5 };

/* How long a bound text or blob must live: STATIC until the next step() or reset() of the
 * statement (the caller keeps it), TRANSIENT copied at once. */
typedef void (*sl__db_lifetime)(void *);
#define SL_DB_STATIC    ((sl__db_lifetime)0)
#define SL_DB_TRANSIENT ((sl__db_lifetime)-1)

typedef enum { SL_DB_SQLITE, SL_DB_POSTGRES } sl__db_kind;

#define SL_DB_CACHE 192 /* prepared statements per connection */

/* A connection: the driver's handle and what the backend keeps per connection. */
struct sl__db {
    sl__db_kind kind;
    void *conn; /* sqlite3 * or PGconn * */
    int version;
    struct {
        const char *sql; /* a string literal: cached by its address */
        sl__dbst *st;
    } cache[SL_DB_CACHE];
    int ncache;
    int64_t changes; /* rows changed by the last statement that wrote */
    int busy_timeout_ms;
    /* What a write transaction learns once and keeps until it ends (sql_audit.c): the next
     * audit seq (-1: not read yet) and the last actor's name. Other writers are excluded
     * meanwhile, so neither can change; sl__db_begin_write forgets both. */
    int64_t txn_next_seq;
    int64_t txn_actor;
    char txn_actor_name[256];
    sl_buf entry;             /* the audit entry being written */
    sl_buf data;              /* its "data" object, built by the caller of sl__db_audit_append */
    struct sl__db_rows *rows; /* set: rows are gathered for multi-row INSERTs (sql_rows.h) */
};

/* Put before a SELECT that may return more rows than fit in memory (one per item or entry):
 * inside a read transaction (sl__db_exec "BEGIN") the PostgreSQL driver then streams its rows
 * through a cursor instead of fetching the whole result at once (SQLite streams anyway). */
#define SL_DB_STREAM "/* stream */ "

/* The SQL text for this connection's dialect: both are string literals. */
#define SL_DB_SQL(s, sqlite_text, pg_text) ((s)->kind == SL_DB_POSTGRES ? (pg_text) : (sqlite_text))

/* The prepared statement for the string literal sql, reset and unbound (cached per connection
 * by the literal's address). */
sl_status sl__db_prepare(sl__db *s, const char *sql, sl__dbst **out, sl_error *err);
/* A database error as SL_ERR_BUSY (locked, try later) or SL_ERR_STORE, naming what was done. */
sl_status sl__db_error(sl__db *s, int rc, const char *doing, sl_error *err);

int sl__db_bind_int64(sl__dbst *st, int i, int64_t v);
int sl__db_bind_int(sl__dbst *st, int i, int v);
int sl__db_bind_double(sl__dbst *st, int i, double v);
int sl__db_bind_null(sl__dbst *st, int i);
/* n < 0: p is NUL-terminated */
int sl__db_bind_text(sl__dbst *st, int i, const char *p, int n, sl__db_lifetime life);
int sl__db_bind_blob(sl__dbst *st, int i, const void *p, int n, sl__db_lifetime life);

/* SL_DB_ROW, SL_DB_DONE, or an error code for sl__db_error */
int sl__db_step(sl__dbst *st);
/* Runs a statement that returns no rows, and whose sl__db_changes() nobody reads, possibly
 * later: on PostgreSQL, inside a transaction, it is sent without waiting for its result
 * (pipeline mode) and its error (prefixed by doing, a string literal) fails the next statement
 * that waits for a result, or COMMIT. SQLite runs it at once, as sl__db_step. */
int sl__db_step_deferred(sl__dbst *st, const char *doing);
void sl__db_reset(sl__dbst *st);

int sl__db_column_type(sl__dbst *st, int i);
int64_t sl__db_column_int64(sl__dbst *st, int i);
int sl__db_column_int(sl__dbst *st, int i);
double sl__db_column_double(sl__dbst *st, int i);
const unsigned char *sl__db_column_text(sl__dbst *st, int i); /* NULL for NULL */
const void *sl__db_column_blob(sl__dbst *st, int i);          /* NULL for NULL or empty */
int sl__db_column_bytes(sl__dbst *st, int i);

/* Rows changed by the last INSERT, UPDATE or DELETE run on s. */
int64_t sl__db_changes(sl__db *s);

/* Runs SQL without parameters or rows (several statements allowed). */
sl_status sl__db_exec(sl__db *s, const char *sql, sl_error *err);
/* Starts a write transaction (see above); waits up to the busy timeout. */
sl_status sl__db_begin_write(sl__db *s, sl_error *err);
/* COMMIT when st is SL_OK, else ROLLBACK; returns the outcome. */
sl_status sl__db_commit(sl__db *s, sl_status st, sl_error *err);
/* Ends a read-only or temporary transaction without keeping anything. */
void sl__db_rollback(sl__db *s);

/* Opens and migrates (the driver's migrations), or closes, a connection. */
sl_status sl__db_open_sqlite(const char *path, int busy_timeout_ms, sl__db **out, sl_error *err);
sl_status sl__db_open_pg(const char *url, int busy_timeout_ms, sl__db **out, sl_error *err);
void sl__db_close(sl__db *s);

#endif
