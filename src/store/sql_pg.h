/* store/sql_pg.h — the PostgreSQL driver under store/sql.h (internal; libpq).
 *
 * sql.c dispatches each sl__db_* call of a PostgreSQL connection here; sql.h says what each
 * means. Statements are executed with their parameters sent separately from the SQL text (never
 * formatted into it), in text format, with each value's type (bigint, text, bytea, float8). */
#ifndef SL_STORE_SQL_PG_H
#define SL_STORE_SQL_PG_H

#include "store/sql.h"

typedef struct sl__pgst sl__pgst;

/* Connects to url (a libpq URI), checks the server, and applies the PostgreSQL migrations
 * (src/store/migrations_pg/) under an advisory lock, so that servers starting together migrate
 * once. Sets s->conn and s->version. */
sl_status sl__pg_open(sl__db *s, const char *url, sl_error *err);
void sl__pg_close(sl__db *s);

/* A statement for sql written with ?N parameters. */
sl_status sl__pg_prepare(sl__db *s, const char *sql, sl__pgst **out, sl_error *err);
void sl__pg_finalize(sl__pgst *st);

/* type is SL_DB_INTEGER (iv), SL_DB_FLOAT (dv), SL_DB_TEXT or SL_DB_BLOB (p, n; n < 0: strlen)
 * or SL_DB_NULL; life as in sql.h. 0 on success, else an error code. */
int sl__pg_bind(sl__pgst *st, int i, int type, int64_t iv, double dv, const void *p, int n,
                sl__db_lifetime life);
int sl__pg_step(sl__pgst *st); /* SL_DB_ROW, SL_DB_DONE or an error code (below) */
/* Runs a statement whose rows and changes count are not wanted, inside a transaction without
 * waiting for it (pipeline mode): SL_DB_DONE once sent. Its error, prefixed by doing (a string
 * literal), is returned by the next statement that waits, or by COMMIT; until ROLLBACK every
 * statement then fails with it. Outside a transaction it runs at once. */
int sl__pg_step_deferred(sl__pgst *st, const char *doing);
/* s->changes, after reading the results of deferred statements. */
int64_t sl__pg_changes(sl__db *s);
void sl__pg_reset(sl__pgst *st);
void sl__pg_clear(sl__pgst *st); /* unbinds every parameter */

int sl__pg_column_type(sl__pgst *st, int i);
int64_t sl__pg_column_int64(sl__pgst *st, int i);
double sl__pg_column_double(sl__pgst *st, int i);
const unsigned char *sl__pg_column_text(sl__pgst *st, int i);
const void *sl__pg_column_blob(sl__pgst *st, int i);
int sl__pg_column_bytes(sl__pgst *st, int i);

/* Error codes of step and exec: SL_DB_PG_BUSY for a serialization failure, a deadlock or a lock
 * that could not be taken in time (the caller may retry), SL_DB_PG_ERROR otherwise; the message
 * of the last error is sl__pg_errmsg(s). */
enum { SL_DB_PG_ERROR = 1, SL_DB_PG_BUSY = 5 };
const char *sl__pg_errmsg(sl__db *s);

int sl__pg_exec(sl__db *s, const char *sql);
/* BEGIN, then the advisory lock every writer takes (waits up to s->busy_timeout_ms): the
 * transaction-level advisory lock of key SL_PG_WRITER_LOCK ("sanglocW" as a bigint). */
#define SL_PG_WRITER_LOCK "8314047777582572375"
int sl__pg_begin_write(sl__db *s);

#endif
