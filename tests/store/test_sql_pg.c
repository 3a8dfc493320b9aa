/* The PostgreSQL driver (store/sql_pg.h) against a real server: parameters of every type and
 * their round trip, results, errors and what their messages leave out, write transactions
 * that exclude each other across connections, migrations, and the ?N translation.
 *
 * The server comes from env SL_PG_URL (tests/store/pg_run.sh starts one; ctest -L pg); without
 * it only the translation tests run and the others are skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sangloc/store.h"
#include "store/migrations.h"
#include "store/sql_pg.h"
#include "store/sql_pg_params.h"

/* ---- the ?N translation ---------------------------------------------------------------------- */

static void translates(const char *sql, const char *want, int want_n)
{
    sl_buf out = {0};
    unsigned char used[SL_PG_MAX_PARAMS];
    int n = -1;
    sl_error err = {0};
    sl_status st = sl__pg_translate(sql, &out, &n, used, &err);
    if (st) fail_msg("%s: %s", sql, err.message);
    assert_string_equal(out.data, want);
    assert_int_equal(n, want_n);
    sl_buf_free(&out);
}

static void test_translate(void **state)
{
    translates("SELECT 1", "SELECT 1", 0);
    translates("SELECT ?1, ?2", "SELECT $1, $2", 2);
    translates("SELECT ?10, ?1", "SELECT $10, $1", 10);
    translates("SELECT ?1 + ?1", "SELECT $1 + $1", 1);
    translates("SELECT '?\?', ?2 FROM t WHERE a = '?1'", "SELECT '?\?', $2 FROM t WHERE a = '?1'",
               2);
    translates("SELECT 'it''s ?1', ?1", "SELECT 'it''s ?1', $1", 1);
    translates("SELECT \"col?1\" FROM \"a\"\"?\" WHERE x = ?3",
               "SELECT \"col?1\" FROM \"a\"\"?\" WHERE x = $3", 3);
    translates("SELECT E'\\'?1', ?1", "SELECT E'\\'?1', $1", 1);
    translates("SELECT json_extract(e, '$.rule') = ?1", "SELECT json_extract(e, '$.rule') = $1", 1);
    translates("SELECT ?1 -- ?2\n, ?3 /* ?4 */", "SELECT $1 -- ?2\n, $3 /* ?4 */", 3);
    translates("SELECT $$ ?1 $$, $t$ ?2 $t$, ?3", "SELECT $$ ?1 $$, $t$ ?2 $t$, $3", 3);
    translates("SELECT ?, ?5, ?", "SELECT $1, $5, $6", 6);
    translates("SELECT 'Bình luận ?1', ?1", "SELECT 'Bình luận ?1', $1", 1);
}

static void refuses(const char *sql, size_t at)
{
    sl_buf out = {0};
    unsigned char used[SL_PG_MAX_PARAMS];
    int n;
    sl_error err = {0};
    assert_int_equal(sl__pg_translate(sql, &out, &n, used, &err), SL_ERR_ARG);
    assert_int_equal(err.byte, at);
    sl_buf_free(&out);
}

static void test_translate_refuses(void **state)
{
    refuses("SELECT ?0", 7);
    refuses("SELECT ?1000", 7);
    refuses("SELECT ?99999999999999999999", 7);
    refuses("SELECT 'open", 7);
    refuses("SELECT \"open", 7);
    refuses("SELECT 1 /* open", 9);
    refuses("SELECT $x$ open", 7);
}

static void test_translate_used(void **state)
{
    sl_buf out = {0};
    unsigned char used[SL_PG_MAX_PARAMS];
    int n;
    assert_int_equal(sl__pg_translate("SELECT ?9, ?2, '?4'", &out, &n, used, NULL), SL_OK);
    assert_int_equal(n, 9);
    for (int k = 0; k < 9; k++) assert_int_equal(used[k], k == 1 || k == 8);
    sl_buf_free(&out);
}

/* The two migration lists grow together: the same names in the same order, so that a schema
 * version means the same on both databases. */
static void test_migration_lists_match(void **state)
{
    assert_int_equal(sl__store_pg_nmigrations, sl__store_nmigrations);
    for (int k = 0; k < sl__store_nmigrations; k++) {
        assert_int_equal(sl__store_pg_migrations[k].version, sl__store_migrations[k].version);
        assert_string_equal(sl__store_pg_migrations[k].name, sl__store_migrations[k].name);
    }
}

/* ---- a server ---------------------------------------------------------------------------------
 */

static const char *url(void)
{
    return getenv("SL_PG_URL");
}

/* Opens a connection to the test server; skips the test when there is none. */
static void open_db(sl__db *db, int timeout_ms)
{
    if (!url() || !*url()) {
        fprintf(stderr, "SL_PG_URL is not set: skipped (ctest -L pg runs it)\n");
        skip();
    }
    memset(db, 0, sizeof *db);
    db->kind = SL_DB_POSTGRES;
    db->busy_timeout_ms = timeout_ms;
    sl_error err = {0};
    if (sl__pg_open(db, url(), &err)) fail_msg("open: %s", err.message);
}

/* Opens a connection to an empty, freshly migrated database (schema public made again). */
static void fresh_db(sl__db *db, int timeout_ms)
{
    open_db(db, timeout_ms);
    if (sl__pg_exec(db, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        fail_msg("reset: %s", sl__pg_errmsg(db));
    sl__pg_close(db);
    open_db(db, timeout_ms);
}

static sl__pgst *prep(sl__db *db, const char *sql)
{
    sl__pgst *st = NULL;
    sl_error err = {0};
    if (sl__pg_prepare(db, sql, &st, &err)) fail_msg("prepare %s: %s", sql, err.message);
    return st;
}

static void exec_ok(sl__db *db, const char *sql)
{
    if (sl__pg_exec(db, sql)) fail_msg("%s: %s", sql, sl__pg_errmsg(db));
}

static void step_done(sl__db *db, sl__pgst *st)
{
    int rc = sl__pg_step(st);
    if (rc != SL_DB_DONE) fail_msg("step: %d: %s", rc, sl__pg_errmsg(db));
}

/* One integer from sql (no parameters). */
static int64_t query_int(sl__db *db, const char *sql)
{
    sl__pgst *st = prep(db, sql);
    assert_int_equal(sl__pg_step(st), SL_DB_ROW);
    int64_t v = sl__pg_column_int64(st, 0);
    sl__pg_finalize(st);
    return v;
}

#define BIND_INT(st, i, v)  sl__pg_bind(st, i, SL_DB_INTEGER, v, 0, NULL, 0, SL_DB_STATIC)
#define BIND_TEXT(st, i, s) sl__pg_bind(st, i, SL_DB_TEXT, 0, 0, s, -1, SL_DB_STATIC)

static void test_types_round_trip(void **state)
{
    sl__db db;
    open_db(&db, 2000);
    exec_ok(&db, "CREATE TEMP TABLE t (i BIGINT, f DOUBLE PRECISION, s TEXT, b BYTEA, n BIGINT)");
    static const unsigned char blob[] = {0x00, 0xff, 0x80, 0x00, 0x5c, 0x78, 0x7f, 0x01};
    const char *vi = "Bài viết rất hay, cảm ơn tác giả. Đừng đăng số 0912 345 678!";
    const int64_t ints[] = {INT64_MIN, -1, 0, 1, INT64_MAX};
    sl__pgst *ins = prep(&db, "INSERT INTO t (i, f, s, b, n) VALUES (?1, ?2, ?3, ?4, ?5)");
    for (int k = 0; k < 5; k++) {
        sl__pg_reset(ins);
        assert_int_equal(BIND_INT(ins, 1, ints[k]), 0);
        assert_int_equal(sl__pg_bind(ins, 2, SL_DB_FLOAT, 0, k - 2.25, NULL, 0, SL_DB_STATIC), 0);
        char text[160];
        snprintf(text, sizeof text, "%s #%d", vi, k);
        assert_int_equal(sl__pg_bind(ins, 3, SL_DB_TEXT, 0, 0, text, -1, SL_DB_TRANSIENT), 0);
        assert_int_equal(
            sl__pg_bind(ins, 4, SL_DB_BLOB, 0, 0, blob, (int)sizeof blob - k, SL_DB_STATIC), 0);
        assert_int_equal(sl__pg_bind(ins, 5, SL_DB_NULL, 0, 0, NULL, 0, SL_DB_STATIC), 0);
        memset(text, 'x', sizeof text); /* TRANSIENT: the driver kept its own copy */
        step_done(&db, ins);
        assert_int_equal(db.changes, 1);
    }
    sl__pg_finalize(ins);

    sl__pgst *sel = prep(&db, "SELECT i, f, s, b, n FROM t ORDER BY i");
    for (int k = 0; k < 5; k++) {
        assert_int_equal(sl__pg_step(sel), SL_DB_ROW);
        assert_int_equal(sl__pg_column_type(sel, 0), SL_DB_INTEGER);
        assert_true(sl__pg_column_int64(sel, 0) == ints[k]);
        assert_int_equal(sl__pg_column_type(sel, 1), SL_DB_FLOAT);
        assert_true(sl__pg_column_double(sel, 1) == k - 2.25);
        assert_int_equal(sl__pg_column_type(sel, 2), SL_DB_TEXT);
        char want[160];
        snprintf(want, sizeof want, "%s #%d", vi, k);
        assert_string_equal((const char *)sl__pg_column_text(sel, 2), want);
        assert_int_equal(sl__pg_column_bytes(sel, 2), strlen(want));
        assert_int_equal(sl__pg_column_type(sel, 3), SL_DB_BLOB);
        assert_int_equal(sl__pg_column_bytes(sel, 3), sizeof blob - k);
        const void *b = sl__pg_column_blob(sel, 3);
        assert_non_null(b);
        assert_memory_equal(b, blob, sizeof blob - k);
        assert_int_equal(sl__pg_column_type(sel, 4), SL_DB_NULL);
        assert_null(sl__pg_column_text(sel, 4));
        assert_null(sl__pg_column_blob(sel, 4));
        assert_int_equal(sl__pg_column_int64(sel, 4), 0);
        assert_int_equal(sl__pg_column_bytes(sel, 4), 0);
    }
    assert_int_equal(sl__pg_step(sel), SL_DB_DONE);
    sl__pg_finalize(sel);

    /* empty blob and text: no pointer for the blob, "" for the text */
    sel = prep(&db, "SELECT CAST(?1 AS BYTEA), CAST(?2 AS TEXT)");
    sl__pg_bind(sel, 1, SL_DB_BLOB, 0, 0, "", 0, SL_DB_STATIC);
    sl__pg_bind(sel, 2, SL_DB_TEXT, 0, 0, "", 0, SL_DB_STATIC);
    assert_int_equal(sl__pg_step(sel), SL_DB_ROW);
    assert_null(sl__pg_column_blob(sel, 0));
    assert_int_equal(sl__pg_column_bytes(sel, 0), 0);
    assert_int_equal(sl__pg_column_type(sel, 0), SL_DB_BLOB);
    assert_string_equal((const char *)sl__pg_column_text(sel, 1), "");
    sl__pg_finalize(sel);
    sl__pg_close(&db);
}

static void test_result_types(void **state)
{
    sl__db db;
    open_db(&db, 2000);
    sl__pgst *st =
        prep(&db, "SELECT true, false, 2 > 1, CAST(7 AS SMALLINT), 40000, sum(x), sum(x) / 4.0, "
                  "CAST(1.5 AS REAL), now() AT TIME ZONE 'UTC' FROM (VALUES (3), (5)) v(x)");
    assert_int_equal(sl__pg_step(st), SL_DB_ROW);
    assert_int_equal(sl__pg_column_type(st, 0), SL_DB_INTEGER);
    assert_int_equal(sl__pg_column_int64(st, 0), 1);
    assert_int_equal(sl__pg_column_int64(st, 1), 0);
    assert_string_equal((const char *)sl__pg_column_text(st, 0), "1");
    assert_string_equal((const char *)sl__pg_column_text(st, 1), "0");
    assert_int_equal(sl__pg_column_bytes(st, 1), 1);
    assert_true(sl__pg_column_double(st, 2) == 1.0);
    assert_int_equal(sl__pg_column_int64(st, 3), 7);
    assert_int_equal(sl__pg_column_type(st, 4), SL_DB_INTEGER);
    assert_int_equal(sl__pg_column_int64(st, 4), 40000);
    assert_int_equal(sl__pg_column_type(st, 5), SL_DB_INTEGER); /* numeric without a point */
    assert_int_equal(sl__pg_column_int64(st, 5), 8);
    assert_int_equal(sl__pg_column_type(st, 6), SL_DB_FLOAT);
    assert_true(sl__pg_column_double(st, 6) == 2.0);
    assert_int_equal(sl__pg_column_int64(st, 6), 2);
    assert_int_equal(sl__pg_column_type(st, 7), SL_DB_FLOAT);
    assert_true(sl__pg_column_double(st, 7) == 1.5);
    assert_int_equal(sl__pg_column_type(st, 8), SL_DB_TEXT);
    assert_int_equal(sl__pg_step(st), SL_DB_DONE);
    sl__pg_finalize(st);
    /* the session: UTC, and named in pg_stat_activity */
    assert_int_equal(query_int(&db, "SELECT current_setting('TimeZone') = 'UTC' AND "
                                    "current_setting('application_name') = 'sangloc'"),
                     1);
    sl__pg_close(&db);
}

static void test_param_reuse_and_reexecution(void **state)
{
    sl__db db;
    open_db(&db, 2000);
    sl__pgst *st = prep(&db, "SELECT ?1 + ?1, ?2 || '|' || ?2");
    for (int64_t v = 1; v <= 3; v++) {
        sl__pg_reset(st);
        BIND_INT(st, 1, v * 1000000000000);
        BIND_TEXT(st, 2, "Hà Nội");
        assert_int_equal(sl__pg_step(st), SL_DB_ROW);
        assert_true(sl__pg_column_int64(st, 0) == 2 * v * 1000000000000);
        assert_string_equal((const char *)sl__pg_column_text(st, 1), "Hà Nội|Hà Nội");
        assert_int_equal(sl__pg_step(st), SL_DB_DONE);
    }
    /* stepping past DONE runs it again, with the same bindings */
    assert_int_equal(sl__pg_step(st), SL_DB_ROW);
    assert_true(sl__pg_column_int64(st, 0) == 6000000000000);
    /* a reset in the middle of the rows, then other types in the same slots */
    sl__pg_reset(st);
    sl__pg_clear(st);
    sl__pg_bind(st, 1, SL_DB_FLOAT, 0, 0.25, NULL, 0, SL_DB_STATIC);
    BIND_TEXT(st, 2, "x");
    assert_int_equal(sl__pg_step(st), SL_DB_ROW);
    assert_true(sl__pg_column_double(st, 0) == 0.5);
    sl__pg_finalize(st);

    /* ?9 with ?4..?8 unused and unbound */
    st = prep(&db, "SELECT ?1, ?9");
    BIND_INT(st, 1, 4);
    BIND_INT(st, 9, 5);
    assert_int_equal(sl__pg_step(st), SL_DB_ROW);
    assert_int_equal(sl__pg_column_int64(st, 1), 5);
    assert_int_not_equal(BIND_INT(st, 10, 1), 0);
    assert_int_not_equal(BIND_INT(st, 0, 1), 0);
    sl__pg_finalize(st);
    sl__pg_close(&db);
}

static void test_changes_and_returning(void **state)
{
    sl__db db;
    open_db(&db, 2000);
    exec_ok(&db, "CREATE TEMP TABLE r (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                 "v BIGINT)");
    sl__pgst *ins = prep(&db, "INSERT INTO r (v) VALUES (?1) RETURNING id");
    for (int k = 1; k <= 3; k++) {
        sl__pg_reset(ins);
        BIND_INT(ins, 1, k * 10);
        assert_int_equal(sl__pg_step(ins), SL_DB_ROW);
        assert_int_equal(sl__pg_column_int64(ins, 0), k);
        assert_int_equal(sl__pg_step(ins), SL_DB_DONE);
        assert_int_equal(db.changes, 1);
    }
    sl__pg_finalize(ins);
    sl__pgst *up = prep(&db, "UPDATE r SET v = v + 1 WHERE v >= ?1");
    BIND_INT(up, 1, 20);
    step_done(&db, up);
    assert_int_equal(db.changes, 2);
    sl__pg_reset(up);
    BIND_INT(up, 1, 1000);
    step_done(&db, up);
    assert_int_equal(db.changes, 0);
    sl__pg_finalize(up);
    /* a SELECT leaves the count of the last write */
    exec_ok(&db, "DELETE FROM r WHERE id = 1");
    db.changes = 7;
    assert_int_equal(query_int(&db, "SELECT count(*) FROM r"), 2);
    assert_int_equal(db.changes, 7);
    sl__pg_close(&db);
}

static void test_errors(void **state)
{
    sl__db db;
    open_db(&db, 2000);
    sl__pgst *st = prep(&db, "SELEC 1");
    assert_int_equal(sl__pg_step(st), SL_DB_PG_ERROR);
    assert_non_null(strstr(sl__pg_errmsg(&db), "syntax error"));
    assert_non_null(strstr(sl__pg_errmsg(&db), "42601"));
    sl__pg_finalize(st);

    exec_ok(&db, "CREATE TEMP TABLE u (k TEXT PRIMARY KEY)");
    st = prep(&db, "INSERT INTO u (k) VALUES (?1)");
    BIND_TEXT(st, 1, "nguyen.van.an@example.vn");
    step_done(&db, st);
    sl__pg_reset(st);
    assert_int_equal(sl__pg_step(st), SL_DB_PG_ERROR);
    const char *msg = sl__pg_errmsg(&db);
    assert_non_null(strstr(msg, "duplicate key"));
    assert_null(strstr(msg, "nguyen")); /* the DETAIL line quotes the value */
    assert_null(strchr(msg, '\n'));
    sl__pg_finalize(st);

    /* a data exception names the type, not the value */
    st = prep(&db, "SELECT CAST(?1 AS BIGINT)");
    BIND_TEXT(st, 1, "0912345678-secret");
    assert_int_equal(sl__pg_step(st), SL_DB_PG_ERROR);
    msg = sl__pg_errmsg(&db);
    assert_non_null(strstr(msg, "invalid input syntax"));
    assert_null(strstr(msg, "secret"));
    sl__pg_finalize(st);

    /* invalid UTF-8 and a NUL in a text are refused, not stored cut */
    st = prep(&db, "SELECT length(?1)");
    sl__pg_bind(st, 1, SL_DB_TEXT, 0, 0, "a\xff", 2, SL_DB_STATIC);
    assert_int_equal(sl__pg_step(st), SL_DB_PG_ERROR);
    sl__pg_reset(st);
    sl__pg_bind(st, 1, SL_DB_TEXT, 0, 0, "a\0b", 3, SL_DB_STATIC);
    assert_int_equal(sl__pg_step(st), SL_DB_PG_ERROR);
    sl__pg_reset(st);
    sl__pg_bind(st, 1, SL_DB_TEXT, 0, 0, "abc", 2, SL_DB_STATIC); /* n counts, not the NUL */
    assert_int_equal(sl__pg_step(st), SL_DB_ROW);
    assert_int_equal(sl__pg_column_int64(st, 0), 2);
    sl__pg_finalize(st);

    /* the connection works after every error */
    assert_int_equal(query_int(&db, "SELECT 41 + 1"), 42);
    sl__pg_close(&db);
}

static void test_rollback(void **state)
{
    sl__db db;
    open_db(&db, 2000);
    exec_ok(&db, "CREATE TEMP TABLE tx (v BIGINT)");
    assert_int_equal(sl__pg_begin_write(&db), 0);
    exec_ok(&db, "INSERT INTO tx VALUES (1)");
    exec_ok(&db, "ROLLBACK");
    assert_int_equal(query_int(&db, "SELECT count(*) FROM tx"), 0);
    assert_int_equal(sl__pg_begin_write(&db), 0);
    exec_ok(&db, "INSERT INTO tx VALUES (2)");
    exec_ok(&db, "COMMIT");
    assert_int_equal(query_int(&db, "SELECT sum(v) FROM tx"), 2);
    /* an error inside a transaction: its COMMIT is a failure, and nothing of it is kept */
    assert_int_equal(sl__pg_begin_write(&db), 0);
    exec_ok(&db, "INSERT INTO tx VALUES (3)");
    assert_int_equal(sl__pg_exec(&db, "INSERT INTO tx VALUES ('x')"), SL_DB_PG_ERROR);
    assert_int_equal(sl__pg_exec(&db, "COMMIT"), SL_DB_PG_ERROR);
    assert_non_null(strstr(sl__pg_errmsg(&db), "rolled back"));
    assert_int_equal(query_int(&db, "SELECT sum(v) FROM tx"), 2);
    sl__pg_close(&db);
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void test_writers_exclude_each_other(void **state)
{
    sl__db a, b;
    open_db(&a, 2000);
    open_db(&b, 300);
    assert_int_equal(sl__pg_begin_write(&a), 0);
    double t0 = now_ms();
    assert_int_equal(sl__pg_begin_write(&b), SL_DB_PG_BUSY);
    double waited = now_ms() - t0;
    assert_true(waited >= 250 && waited < 5000);
    assert_non_null(strstr(sl__pg_errmsg(&b), "55P03"));
    /* b is usable again (its failed transaction was rolled back) */
    assert_int_equal(query_int(&b, "SELECT 1"), 1);
    b.busy_timeout_ms = 0; /* no wait at all */
    assert_int_equal(sl__pg_begin_write(&b), SL_DB_PG_BUSY);
    exec_ok(&a, "COMMIT");
    assert_int_equal(sl__pg_begin_write(&b), 0);
    exec_ok(&b, "COMMIT");
    /* readers are never blocked by a writer */
    assert_int_equal(sl__pg_begin_write(&a), 0);
    assert_int_equal(query_int(&b, "SELECT 2"), 2);
    exec_ok(&a, "ROLLBACK");
    sl__pg_close(&a);
    sl__pg_close(&b);
}

typedef struct {
    sl__db *db;
    int rc;
    double waited;
} waiter;

static void *wait_write(void *arg)
{
    waiter *w = arg;
    double t0 = now_ms();
    w->rc = sl__pg_begin_write(w->db);
    w->waited = now_ms() - t0;
    if (!w->rc) w->rc = sl__pg_exec(w->db, "INSERT INTO lock_order VALUES (2)");
    if (!w->rc) w->rc = sl__pg_exec(w->db, "COMMIT");
    return NULL;
}

/* A second writer waits for the first to commit and then sees its rows. */
static void test_writer_waits(void **state)
{
    sl__db a, b;
    open_db(&a, 5000);
    open_db(&b, 5000);
    exec_ok(&a, "CREATE TABLE IF NOT EXISTS lock_order (v BIGINT); DELETE FROM lock_order");
    assert_int_equal(sl__pg_begin_write(&a), 0);
    exec_ok(&a, "INSERT INTO lock_order VALUES (1)");
    waiter w = {.db = &b};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, wait_write, &w), 0);
    struct timespec pause = {0, 300 * 1000000};
    nanosleep(&pause, NULL);
    exec_ok(&a, "COMMIT");
    pthread_join(th, NULL);
    assert_int_equal(w.rc, 0);
    assert_true(w.waited >= 250);
    assert_int_equal(query_int(&a, "SELECT string_agg(CAST(v AS TEXT), ',' ORDER BY ctid) = "
                                   "'1,2' FROM lock_order"),
                     1);
    exec_ok(&a, "DROP TABLE lock_order");
    sl__pg_close(&a);
    sl__pg_close(&b);
}

static void test_migrations(void **state)
{
    sl__db a, b;
    fresh_db(&a, 2000);
    open_db(&b, 2000); /* the second open finds everything applied */
    assert_int_equal(a.version, sl__store_pg_nmigrations);
    assert_int_equal(b.version, sl__store_pg_nmigrations);
    assert_int_equal(query_int(&a, "SELECT count(*) FROM schema_migrations"),
                     sl__store_pg_nmigrations);
    assert_int_equal(query_int(&a, "SELECT count(*) FROM organizations WHERE id = 'default'"), 1);
    sl__pg_close(&b);

    char sql[200];
    snprintf(sql, sizeof sql, "INSERT INTO schema_migrations VALUES (%d, '9999_future', 0)",
             sl__store_pg_nmigrations + 1);
    exec_ok(&a, sql);
    sl_error err = {0};
    memset(&b, 0, sizeof b);
    b.kind = SL_DB_POSTGRES;
    b.busy_timeout_ms = 2000;
    assert_int_equal(sl__pg_open(&b, url(), &err), SL_ERR_SCHEMA);
    assert_non_null(strstr(err.message, "newer than this sangloc"));
    assert_null(b.conn);
    snprintf(sql, sizeof sql, "DELETE FROM schema_migrations WHERE version = %d",
             sl__store_pg_nmigrations + 1);
    exec_ok(&a, sql);

    exec_ok(&a, "UPDATE schema_migrations SET name = '0001_other' WHERE version = 1");
    assert_int_equal(sl__pg_open(&b, url(), &err), SL_ERR_SCHEMA);
    assert_non_null(strstr(err.message, "'0001_other'"));
    exec_ok(&a, "UPDATE schema_migrations SET name = '0001_init' WHERE version = 1");

    open_db(&b, 2000);
    sl__pg_close(&b);
    sl__pg_close(&a);
}

/* The schema's triggers: the audit log refuses changes; item_rules follows verdicts. */
static void test_schema_triggers(void **state)
{
    sl__db db;
    fresh_db(&db, 2000);
    exec_ok(&db, "BEGIN");
    exec_ok(&db, "INSERT INTO audit_log (seq, at, org, entry, leaf) VALUES "
                 "(0, 1, '', 'e', decode(repeat('00', 32), 'hex'))");
    assert_int_equal(sl__pg_exec(&db, "UPDATE audit_log SET at = 2"), SL_DB_PG_ERROR);
    assert_non_null(strstr(sl__pg_errmsg(&db), "the audit log is append-only"));
    exec_ok(&db, "ROLLBACK");
    exec_ok(&db, "BEGIN");
    assert_int_equal(sl__pg_exec(&db, "TRUNCATE audit_log"), SL_DB_PG_ERROR);
    exec_ok(&db, "ROLLBACK");

    exec_ok(&db, "BEGIN");
    sl__pgst *ins = prep(&db, "INSERT INTO items (org, channel, ext_id, kind, author, text, "
                              "received_at, state, verdict, action, score, policy_version) "
                              "VALUES (1, 'c', ?1, 'comment', ?2, 'x', 5, 0, ?3, 0, 0.5, 'p') "
                              "RETURNING id");
    BIND_TEXT(ins, 1, "a");
    sl__pg_bind(ins, 2, SL_DB_BLOB, 0, 0, "\x01\x02", 2, SL_DB_STATIC);
    BIND_TEXT(ins, 3,
              "{\"hits\":[{\"rule\":\"pii.phone\",\"category\":\"pii\"},{\"rule\":\"pii.phone\"},"
              "{\"rule\":\"insult.x\"},{\"rule\":3},{\"category\":\"z\"}]}");
    assert_int_equal(sl__pg_step(ins), SL_DB_ROW);
    int64_t id = sl__pg_column_int64(ins, 0);
    sl__pg_reset(ins);
    BIND_TEXT(ins, 1, "b");
    BIND_TEXT(ins, 3, "not json {");
    assert_int_equal(sl__pg_step(ins), SL_DB_ROW);
    sl__pg_finalize(ins);
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT string_agg(rule || ':' || category, ',' ORDER BY rule) = "
             "'insult.x:,pii.phone:pii' AND count(DISTINCT item) = 1 AND min(item) = %lld "
             "FROM item_rules",
             (long long)id);
    assert_int_equal(query_int(&db, sql), 1);
    exec_ok(&db, "UPDATE items SET verdict = '{\"hits\":{\"a\":{\"rule\":\"r2\"}}}'");
    assert_int_equal(query_int(&db, "SELECT count(*) FROM item_rules WHERE rule = 'r2'"), 2);
    exec_ok(&db, "DELETE FROM items");
    assert_int_equal(query_int(&db, "SELECT count(*) FROM item_rules"), 0);
    exec_ok(&db, "ROLLBACK");
    sl__pg_close(&db);
}

static void test_injection_stored_verbatim(void **state)
{
    sl__db db;
    fresh_db(&db, 2000);
    exec_ok(&db, "CREATE TEMP TABLE inj (s TEXT)");
    const char *attacks[] = {
        "'); DROP TABLE inj; --",
        "x' OR '1'='1",
        "$1; DELETE FROM inj",
        "?1 ?2 $$ $q$",
        "\\x00\\'; SELECT pg_sleep(10); --",
        "Robert\"); DROP TABLE organizations;--",
    };
    size_t n = sizeof attacks / sizeof *attacks;
    sl__pgst *ins = prep(&db, "INSERT INTO inj (s) VALUES (?1)");
    for (size_t k = 0; k < n; k++) {
        sl__pg_reset(ins);
        BIND_TEXT(ins, 1, attacks[k]);
        step_done(&db, ins);
    }
    sl__pg_finalize(ins);
    sl__pgst *sel = prep(&db, "SELECT count(*) FROM inj WHERE s = ?1");
    for (size_t k = 0; k < n; k++) {
        sl__pg_reset(sel);
        BIND_TEXT(sel, 1, attacks[k]);
        assert_int_equal(sl__pg_step(sel), SL_DB_ROW);
        assert_int_equal(sl__pg_column_int64(sel, 0), 1);
    }
    sl__pg_finalize(sel);
    assert_int_equal(query_int(&db, "SELECT count(*) FROM inj"), n);
    assert_int_equal(query_int(&db, "SELECT count(*) FROM organizations"), 1);
    sl__pg_close(&db);
}

/* Inside a read transaction a SELECT marked SL_DB_STREAM streams through a cursor, 1000 rows at
 * a time, while other statements run between its rows; elsewhere it comes back whole. */
static void test_read_transaction_streams(void **state)
{
    sl__db db;
    open_db(&db, 2000);
    exec_ok(&db, "BEGIN");
    sl__pgst *big =
        prep(&db, SL_DB_STREAM "SELECT g, decode(lpad(to_hex(g % 256), 2, '0'), 'hex'), "
                               "'dòng ' || g FROM generate_series(1, ?1) g ORDER BY g");
    sl__pgst *cursors = prep(&db, "SELECT count(*) FROM pg_cursors WHERE name LIKE 'slc%'");
    BIND_INT(big, 1, 2500);
    for (int64_t k = 1; k <= 2500; k++) {
        assert_int_equal(sl__pg_step(big), SL_DB_ROW);
        assert_int_equal(sl__pg_column_int64(big, 0), k);
        assert_int_equal(sl__pg_column_bytes(big, 1), 1);
        assert_int_equal(*(const unsigned char *)sl__pg_column_blob(big, 1), k % 256);
        char want[32];
        snprintf(want, sizeof want, "dòng %lld", (long long)k);
        assert_string_equal((const char *)sl__pg_column_text(big, 2), want);
        if (k == 1500) { /* another statement between two rows */
            sl__pg_reset(cursors);
            assert_int_equal(sl__pg_step(cursors), SL_DB_ROW);
            assert_int_equal(sl__pg_column_int64(cursors, 0),
                             1); /* big's (this one, unmarked, has none) */
        }
    }
    assert_int_equal(sl__pg_step(big), SL_DB_DONE);
    /* an exact multiple of the chunk, and nothing at all */
    for (int64_t n = 0; n <= 2000; n += 1000) {
        sl__pg_reset(big);
        BIND_INT(big, 1, n);
        int64_t rows = 0;
        while (sl__pg_step(big) == SL_DB_ROW) rows++;
        assert_int_equal(rows, n);
    }
    exec_ok(&db, "COMMIT");
    sl__pg_reset(cursors);
    assert_int_equal(sl__pg_step(cursors), SL_DB_ROW);
    assert_int_equal(sl__pg_column_int64(cursors, 0), 0); /* outside: no cursor */
    sl__pg_finalize(cursors);
    sl__pg_reset(big);
    BIND_INT(big, 1, 3);
    assert_int_equal(sl__pg_step(big), SL_DB_ROW);
    sl__pg_finalize(big);
    sl__pg_close(&db);
}

/* A connection the server dropped between transactions is made again for the next statement,
 * prepared statements included (begin_write retries at once: nothing was begun); one dropped
 * inside a transaction fails that transaction. */
static void test_reconnect(void **state)
{
    sl__db a, b;
    open_db(&a, 2000);
    open_db(&b, 2000);
    sl__pgst *st = prep(&a, "SELECT ?1 + 1");
    BIND_INT(st, 1, 41);
    assert_int_equal(sl__pg_step(st), SL_DB_ROW);
    int64_t pid = query_int(&a, "SELECT pg_backend_pid()");
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%lld)", (long long)pid);
    assert_int_equal(query_int(&b, sql), 1);
    struct timespec pause = {0, 100 * 1000000};
    nanosleep(&pause, NULL);
    sl__pg_reset(st);
    assert_int_equal(sl__pg_step(st), SL_DB_PG_ERROR); /* the statement that finds it gone */
    sl__pg_reset(st);
    assert_int_equal(sl__pg_step(st), SL_DB_ROW); /* then a new session, prepared again */
    assert_int_equal(sl__pg_column_int64(st, 0), 42);
    assert_int_not_equal(query_int(&a, "SELECT pg_backend_pid()"), pid);
    sl__pg_finalize(st);

    assert_int_equal(sl__pg_begin_write(&a), 0);
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%lld)",
             (long long)query_int(&a, "SELECT pg_backend_pid()"));
    assert_int_equal(query_int(&b, sql), 1);
    nanosleep(&pause, NULL);
    assert_int_not_equal(sl__pg_exec(&a, "SELECT 1"), 0);
    assert_int_equal(query_int(&a, "SELECT 7"), 7);
    /* a write transaction begun on a lost connection begins on a new one */
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%lld)",
             (long long)query_int(&a, "SELECT pg_backend_pid()"));
    assert_int_equal(query_int(&b, sql), 1);
    nanosleep(&pause, NULL);
    assert_int_equal(sl__pg_begin_write(&a), 0);
    exec_ok(&a, "COMMIT");
    sl__pg_close(&a);
    sl__pg_close(&b);
}

static void test_connect_errors(void **state)
{
    sl__db db = {.kind = SL_DB_POSTGRES, .busy_timeout_ms = 100};
    sl_error err = {0};
    assert_int_equal(sl__pg_open(&db, "postgresql://an:s3cretpw@127.0.0.1:1/sangloc", &err),
                     SL_ERR_IO);
    assert_non_null(strstr(err.message, "127.0.0.1:1"));
    assert_null(strstr(err.message, "s3cretpw"));
    assert_null(db.conn);
    assert_int_not_equal(
        sl__pg_open(&db, "postgresql://an:s3cret%zz@127.0.0.1:1/sangloc?password=s3cret2", &err),
        SL_OK);
    assert_null(strstr(err.message, "s3cret"));
    assert_int_not_equal(sl__pg_open(&db, "postgresql://127.0.0.1:1/x?password=s3cret", &err),
                         SL_OK);
    assert_null(strstr(err.message, "s3cret"));
}

/* ---- deferred statements (pipeline mode) ----------------------------------------------------- */

static void step_deferred_ok(sl__db *db, sl__pgst *st, const char *doing)
{
    int rc = sl__pg_step_deferred(st, doing);
    if (rc != SL_DB_DONE) fail_msg("deferred %s: %d: %s", doing, rc, sl__pg_errmsg(db));
}

/* Deferred inserts are seen by the next statement of the transaction, changes counts stay
 * right, COMMIT keeps them; outside a transaction a deferred statement runs at once. */
static void test_deferred_visible(void **state)
{
    sl__db db;
    open_db(&db, 2000);
    exec_ok(&db, "CREATE TEMP TABLE d (k BIGINT PRIMARY KEY, v TEXT)");
    sl__pgst *ins = prep(&db, "INSERT INTO d (k, v) VALUES (?1, ?2)");
    sl__pgst *count = prep(&db, "SELECT count(*), coalesce(sum(k), 0) FROM d");
    assert_int_equal(sl__pg_begin_write(&db), 0);
    for (int k = 1; k <= 10; k++) {
        sl__pg_reset(ins);
        BIND_INT(ins, 1, k);
        BIND_TEXT(ins, 2, "giá trị"); /* STATIC: the caller's buffer need not outlive the send */
        step_deferred_ok(&db, ins, "insert d");
    }
    sl__pg_reset(count);
    assert_int_equal(sl__pg_step(count), SL_DB_ROW);
    assert_int_equal(sl__pg_column_int64(count, 0), 10);
    assert_int_equal(sl__pg_column_int64(count, 1), 55);
    /* a deferred UPDATE: its count is there when asked */
    sl__pgst *up = prep(&db, "UPDATE d SET v = 'x' WHERE k > ?1");
    BIND_INT(up, 1, 6);
    step_deferred_ok(&db, up, "update d");
    assert_int_equal(sl__pg_changes(&db), 4);
    BIND_INT(ins, 1, 11);
    BIND_TEXT(ins, 2, "last");
    step_deferred_ok(&db, ins, "insert d");
    exec_ok(&db, "COMMIT");
    assert_int_equal(query_int(&db, "SELECT count(*) FROM d"), 11);
    assert_int_equal(query_int(&db, "SELECT count(*) FROM d WHERE v = 'x'"), 4);
    assert_int_equal(query_int(&db, "SELECT count(*) FROM d WHERE v = 'giá trị'"), 6);
    /* outside a transaction: at once */
    sl__pg_reset(ins);
    BIND_INT(ins, 1, 12);
    BIND_TEXT(ins, 2, "alone");
    step_deferred_ok(&db, ins, "insert d");
    assert_int_equal(db.changes, 1);
    assert_int_equal(query_int(&db, "SELECT count(*) FROM d"), 12);
    /* more than one pipeline's worth in one transaction */
    assert_int_equal(sl__pg_begin_write(&db), 0);
    for (int k = 100; k < 10100; k++) {
        sl__pg_reset(ins);
        BIND_INT(ins, 1, k);
        BIND_TEXT(ins, 2, "many");
        step_deferred_ok(&db, ins, "insert d");
    }
    exec_ok(&db, "COMMIT");
    assert_int_equal(query_int(&db, "SELECT count(*) FROM d WHERE v = 'many'"), 10000);
    sl__pg_finalize(ins);
    sl__pg_finalize(count);
    sl__pg_finalize(up);
    sl__pg_close(&db);
}

/* A deferred statement that fails makes COMMIT fail with its message (naming what it did),
 * and so does every statement after it; ROLLBACK ends that and the connection works again. */
static void test_deferred_error(void **state)
{
    sl__db db;
    open_db(&db, 2000);
    exec_ok(&db, "CREATE TEMP TABLE e (k BIGINT PRIMARY KEY)");
    sl__pgst *ins = prep(&db, "INSERT INTO e (k) VALUES (?1)");
    sl__pgst *other = prep(&db, "INSERT INTO e (k) VALUES (?1 + 1000)");
    assert_int_equal(sl__pg_begin_write(&db), 0);
    BIND_INT(ins, 1, 1);
    step_deferred_ok(&db, ins, "insert first");
    sl__pg_reset(ins);
    BIND_INT(ins, 1, 1);
    step_deferred_ok(&db, ins, "insert duplicate"); /* fails on the server, later */
    BIND_INT(other, 1, 2); /* first use: prepared inside the failed pipeline */
    step_deferred_ok(&db, other, "insert other");
    assert_int_equal(sl__pg_exec(&db, "COMMIT"), SL_DB_PG_ERROR);
    const char *msg = sl__pg_errmsg(&db);
    assert_non_null(strstr(msg, "insert duplicate: "));
    assert_non_null(strstr(msg, "duplicate key"));
    assert_non_null(strstr(msg, "23505"));
    /* until ROLLBACK, everything fails with that error */
    sl__pgst *q = prep(&db, "SELECT 1");
    assert_int_equal(sl__pg_step(q), SL_DB_PG_ERROR);
    assert_non_null(strstr(sl__pg_errmsg(&db), "insert duplicate: "));
    exec_ok(&db, "ROLLBACK");
    assert_int_equal(query_int(&db, "SELECT count(*) FROM e"), 0);
    /* the statement whose PREPARE was skipped is prepared again */
    assert_int_equal(sl__pg_begin_write(&db), 0);
    sl__pg_reset(other);
    BIND_INT(other, 1, 3);
    step_deferred_ok(&db, other, "insert other");
    exec_ok(&db, "COMMIT");
    assert_int_equal(query_int(&db, "SELECT sum(k) FROM e"), 1003);
    /* the failure also comes back from the next statement that waits for a result */
    assert_int_equal(sl__pg_begin_write(&db), 0);
    sl__pg_reset(ins);
    BIND_INT(ins, 1, 1003);
    step_deferred_ok(&db, ins, "insert again");
    sl__pg_reset(q);
    assert_int_equal(sl__pg_step(q), SL_DB_PG_ERROR);
    assert_non_null(strstr(sl__pg_errmsg(&db), "insert again: "));
    assert_int_equal(sl__pg_exec(&db, "COMMIT"), SL_DB_PG_ERROR);
    exec_ok(&db, "ROLLBACK");
    assert_int_equal(query_int(&db, "SELECT count(*) FROM e"), 1);
    sl__pg_finalize(ins);
    sl__pg_finalize(other);
    sl__pg_finalize(q);
    sl__pg_close(&db);
}

/* ROLLBACK discards deferred work, sent or not yet answered. */
static void test_deferred_rollback(void **state)
{
    sl__db db;
    open_db(&db, 2000);
    exec_ok(&db, "CREATE TEMP TABLE r2 (k BIGINT)");
    sl__pgst *ins = prep(&db, "INSERT INTO r2 (k) VALUES (?1)");
    assert_int_equal(sl__pg_begin_write(&db), 0);
    for (int k = 0; k < 50; k++) {
        sl__pg_reset(ins);
        BIND_INT(ins, 1, k);
        step_deferred_ok(&db, ins, "insert r2");
    }
    exec_ok(&db, "ROLLBACK");
    assert_int_equal(query_int(&db, "SELECT count(*) FROM r2"), 0);
    /* and a new write transaction after it works */
    assert_int_equal(sl__pg_begin_write(&db), 0);
    sl__pg_reset(ins);
    BIND_INT(ins, 1, 7);
    step_deferred_ok(&db, ins, "insert r2");
    exec_ok(&db, "COMMIT");
    assert_int_equal(query_int(&db, "SELECT sum(k) FROM r2"), 7);
    sl__pg_finalize(ins);
    sl__pg_close(&db);
}

/* ---- a batch ingested at once, as row by row --------------------------------------------------
 */

enum { NB = 9 };
static const char *const batch_ids[NB] = {"a", "pre", "b", "a", "c", "pre", "d", "b", "e"};
static const sl_store_action batch_actions[NB] = {SL_STORE_REVIEW, SL_STORE_ALLOW, SL_STORE_HIDE,
                                                  SL_STORE_HIDE,   SL_STORE_ALLOW, SL_STORE_ALLOW,
                                                  SL_STORE_HIDE,   SL_STORE_ALLOW, SL_STORE_REVIEW};

static sl_store_item batch_item(const char *channel, int k)
{
    const char *id = k < 0 ? "pre" : batch_ids[k];
    sl_store_action a = k < 0 ? SL_STORE_REVIEW : batch_actions[k];
    return (sl_store_item){.id = id,
                           .id_len = strlen(id),
                           .channel = channel,
                           .channel_len = strlen(channel),
                           .kind = "comment",
                           .kind_len = 7,
                           .author = "reader",
                           .author_len = 6,
                           .text = "Bình luận",
                           .text_len = strlen("Bình luận"),
                           .verdict_json = "{\"hits\":[]}",
                           .verdict_len = 11,
                           .action = a,
                           .score = a == SL_STORE_ALLOW ? 0.1 : 0.9,
                           .policy_version = "p@1",
                           .policy_version_len = 3};
}

/* An entry's "action" and the kind of its "target" (before the colon): what the comparison
 * keeps of it (numbers, times and notice ids differ between two runs). */
static void entry_shape(const char *e, char *out, size_t cap)
{
    const char *a = strstr(e, "\"action\":\""), *t = strstr(e, "\"target\":\"");
    assert_non_null(a);
    assert_non_null(t);
    a += 10;
    t += 10;
    snprintf(out, cap, "%.*s %.*s", (int)strcspn(a, "\""), a, (int)strcspn(t, ":\""), t);
}

/* Ingests "pre" alone, then the NB items of the batch in channel: all at once (batched) or
 * one call each; the results, and the shapes of the audit entries the batch added. */
static void ingest_run(sl_store *st, const char *channel, bool batched, sl_ingest_result *res,
                       char shapes[][64], size_t *nshapes, int64_t *first_seq)
{
    sl_error err = {0};
    sl_store_item items[NB];
    sl_ingest_result pre;
    sl_store_item p = batch_item(channel, -1);
    if (sl_store_ingest(st, "default", 0, &p, 1, &pre, &err)) fail_msg("%s", err.message);
    assert_int_equal(pre.status, SL_INGEST_CREATED);
    int64_t size0 = 0, size1 = 0;
    assert_int_equal(sl_store_audit_size(st, &size0, &err), SL_OK);
    for (int k = 0; k < NB; k++) items[k] = batch_item(channel, k);
    memset(res, 0, NB * sizeof *res);
    if (batched) {
        if (sl_store_ingest(st, "default", 0, items, NB, res, &err)) fail_msg("%s", err.message);
    } else {
        for (int k = 0; k < NB; k++)
            if (sl_store_ingest(st, "default", 0, &items[k], 1, &res[k], &err))
                fail_msg("%s", err.message);
    }
    assert_int_equal(sl_store_audit_size(st, &size1, &err), SL_OK);
    sl_audit_entry *e = NULL;
    size_t n = 0;
    assert_int_equal(sl_store_audit_entries(st, size0, size1, &e, &n, &err), SL_OK);
    assert_int_equal(n, (size_t)(size1 - size0));
    for (size_t k = 0; k < n; k++) entry_shape(e[k].entry, shapes[k], 64);
    *nshapes = n;
    *first_seq = size0;
    /* the stored "pre" is the one ingested alone */
    assert_int_equal(res[1].item, pre.item);
    assert_int_equal(res[1].state, SL_ITEM_PUBLISHED);
    sl_store_audit_entries_free(e, n);
}

static void test_batch_ingest_as_row_by_row(void **state)
{
    if (!url() || !*url()) skip();
    char key[64];
    snprintf(key, sizeof key, "/tmp/sl_test_pg_batch_%d.key", (int)getpid());
    sl_store_options o = {.key_file = key};
    sl_store *st = NULL;
    sl_error err = {0};
    if (sl_store_open(url(), &o, &st, &err)) fail_msg("open: %s", err.message);
    sl_ingest_result rows[NB], batch[NB];
    char rshape[64][64], bshape[64][64];
    size_t nr = 0, nb = 0;
    int64_t rseq, bseq;
    ingest_run(st, "rows", false, rows, rshape, &nr, &rseq);
    ingest_run(st, "batch", true, batch, bshape, &nb, &bseq);
    /* the same outcome, item by item */
    int64_t last_new = 0;
    for (int k = 0; k < NB; k++) {
        assert_int_equal(batch[k].status, rows[k].status);
        assert_int_equal(batch[k].state, rows[k].state);
        assert_int_equal(batch[k].notice.id[0] != '\0', rows[k].notice.id[0] != '\0');
        for (int j = 0; j < NB; j++)
            assert_int_equal(batch[k].item == batch[j].item, rows[k].item == rows[j].item);
        if (batch[k].status == SL_INGEST_CREATED) { /* numbered in batch order */
            assert_true(batch[k].item > last_new);
            last_new = batch[k].item;
        }
    }
    assert_int_equal(batch[3].status, SL_INGEST_DUPLICATE); /* "a" again: as the first was */
    assert_int_equal(batch[3].state, SL_ITEM_PUBLISHED);
    assert_int_equal(batch[7].state, SL_ITEM_HIDDEN);
    /* the same audit entries in the same order, right after each other */
    assert_int_equal(nb, nr);
    assert_true(nb >= 5); /* an item.ingest per new item, and notices */
    for (size_t k = 0; k < nb; k++) assert_string_equal(bshape[k], rshape[k]);
    /* each stored item has the same history as its row-by-row twin */
    for (int k = 0; k < NB; k++) {
        sl_store_record *a = NULL, *b = NULL;
        assert_int_equal(sl_store_item_get(st, "default", "rows", 4, batch_ids[k],
                                           strlen(batch_ids[k]), &a, &err),
                         SL_OK);
        assert_int_equal(sl_store_item_get(st, "default", "batch", 5, batch_ids[k],
                                           strlen(batch_ids[k]), &b, &err),
                         SL_OK);
        assert_int_equal(b->item, batch[k].item);
        assert_int_equal(b->state, a->state);
        assert_int_equal(b->nevents, a->nevents);
        for (size_t j = 0; j < a->nevents; j++)
            assert_string_equal(b->events[j].what, a->events[j].what);
        sl_store_record_free(a);
        sl_store_record_free(b);
    }
    /* each automated hide's notice is stored, its appeal token proves it */
    for (int k = 0; k < NB; k++) {
        if (!batch[k].notice.id[0]) continue;
        sl_store_notice nt = {0};
        const sl_store_notice_out *o = &batch[k].notice;
        assert_int_equal(sl_store_notice_get(st, "default", o->id, strlen(o->id), o->appeal_token,
                                             strlen(o->appeal_token), &nt, &err),
                         SL_OK);
        assert_string_equal(nt.kind, "automated_hide");
        assert_int_equal(nt.item, batch[k].item);
        assert_int_equal(nt.appeal_until, o->appeal_until);
        assert_true(nt.appeal_until > 0);
        sl_store_notice_free(&nt);
    }
    /* the log, its leaves and the tables derived from it agree */
    sl_audit_report rep = {0};
    assert_int_equal(sl_store_audit_verify(st, NULL, &rep, &err), SL_OK);
    if (!rep.ok) fail_msg("audit verify: %s", rep.problem);
    /* a batch of duplicates only takes no new numbers */
    sl_store_item again[2] = {batch_item("batch", 0), batch_item("batch", 2)};
    sl_ingest_result res2[2];
    assert_int_equal(sl_store_ingest(st, "default", 0, again, 2, res2, &err), SL_OK);
    assert_int_equal(res2[0].item, batch[0].item);
    assert_int_equal(res2[1].item, batch[2].item);
    assert_int_equal(res2[1].state, SL_ITEM_HIDDEN);
    sl_store_close(st);
    unlink(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_translate),
        cmocka_unit_test(test_translate_refuses),
        cmocka_unit_test(test_translate_used),
        cmocka_unit_test(test_connect_errors),
        cmocka_unit_test(test_migration_lists_match),
        cmocka_unit_test(test_types_round_trip),
        cmocka_unit_test(test_result_types),
        cmocka_unit_test(test_param_reuse_and_reexecution),
        cmocka_unit_test(test_changes_and_returning),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_rollback),
        cmocka_unit_test(test_deferred_visible),
        cmocka_unit_test(test_deferred_error),
        cmocka_unit_test(test_deferred_rollback),
        cmocka_unit_test(test_writers_exclude_each_other),
        cmocka_unit_test(test_writer_waits),
        cmocka_unit_test(test_migrations),
        cmocka_unit_test(test_schema_triggers),
        /* after the schema tests, which want an empty audit log */
        cmocka_unit_test(test_batch_ingest_as_row_by_row),
        cmocka_unit_test(test_injection_stored_verbatim),
        cmocka_unit_test(test_reconnect),
        cmocka_unit_test(test_read_transaction_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
