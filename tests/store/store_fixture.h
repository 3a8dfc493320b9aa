/* Shared by the store tests: a temporary folder per test with a database and a key file, a
 * settable clock, items built from a few fields, and raw SQL on the database to check what the
 * store wrote.
 *
 * With env SL_TEST_STORE_URL set (a postgresql:// URL; ctest -L pg sets it), the database is
 * that PostgreSQL database instead of a file, emptied for each test (schema public dropped and
 * made again), and the raw SQL goes to it through libpq. */
#ifndef SL_TEST_STORE_FIXTURE_H
#define SL_TEST_STORE_FIXTURE_H

#include <dirent.h>
#include <libpq-fe.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sangloc/store.h"
#include "store/sql_pg.h" /* SL_PG_WRITER_LOCK */

typedef struct fixture {
    char dir[64];
    char db[512]; /* the file, or the PostgreSQL URL */
    char key[128];
    int64_t clock; /* ms; the store reads it through test_now */
} fixture;

static int64_t test_now(void *ctx)
{
    return ((fixture *)ctx)->clock;
}

/* The PostgreSQL URL the tests run against, or NULL for SQLite files. */
static inline const char *fixture_pg_url(void)
{
    const char *url = getenv("SL_TEST_STORE_URL");
    return url && *url ? url : NULL;
}

static inline void fixture_pg_quiet(void *arg, const char *message)
{
    (void)arg, (void)message; /* notices ("drop cascades to ...") are not errors */
}

/* The end of the argument list that starts after "(" at sql[i]: the index of its ")". */
static inline size_t fixture_close_paren(const char *sql, size_t i)
{
    int depth = 1;
    for (; sql[i]; i++) {
        if (sql[i] == '\'') {
            while (sql[++i] && sql[i] != '\'') {
            }
            if (!sql[i]) break;
        } else if (sql[i] == '(') {
            depth++;
        } else if (sql[i] == ')' && !--depth) {
            return i;
        }
    }
    abort(); /* the tests' SQL is well formed */
}

/* The tests' raw SQL is SQLite's; for PostgreSQL, some of its forms are rewritten:
 * json_extract(X, '$.a[0].b') becomes sl_test.jx(sl_test.j(X), '{a,0,b}') (text, as SQLite
 * shows it: true is 1; so a number it is compared with right after becomes a text literal too),
 * X'hex' and zeroblob(n) become bytea values, instr(a, b) a test of whether b is in a, and
 * GLOB 'a*' becomes LIKE 'a%'. Anything else must be written
 * for both (fixture_sql). */
static inline void fixture_pg_dialect(const char *sql, sl_buf *out)
{
    size_t i = 0;
    while (sql[i]) {
        if (!strncmp(sql + i, "json_extract(", 13)) {
            size_t open = i + 13, close = fixture_close_paren(sql, open);
            size_t comma = close;
            while (comma > open && strncmp(sql + comma, ", '$", 4)) comma--;
            if (comma == open) abort();
            sl_buf_puts(out, "sl_test.jx(sl_test.j(");
            sl_buf_append(out, sql + open, comma - open);
            sl_buf_puts(out, "), '{");
            for (size_t k = comma + 5; k < close - 1; k++) {
                char c = sql[k];
                if (c == '.' || c == '[') {
                    if (k > comma + 5) sl_buf_append(out, ",", 1);
                } else if (c != ']') {
                    sl_buf_append(out, &c, 1);
                }
            }
            sl_buf_puts(out, "}')");
            i = close + 1;
            size_t k = i;
            while (sql[k] == ' ') k++;
            if (sql[k] == '=' && sql[k + 1] == ' ' &&
                ((sql[k + 2] >= '0' && sql[k + 2] <= '9') || sql[k + 2] == '-')) {
                size_t end = k + 3;
                while (sql[end] >= '0' && sql[end] <= '9') end++;
                sl_buf_puts(out, " = '");
                sl_buf_append(out, sql + k + 2, end - k - 2);
                sl_buf_puts(out, "'");
                i = end;
            }
        } else if (sql[i] == 'X' && sql[i + 1] == '\'' && (i == 0 || sql[i - 1] == ' ')) {
            const char *end = strchr(sql + i + 2, '\'');
            sl_buf_puts(out, "'\\x");
            sl_buf_append(out, sql + i + 2, (size_t)(end - sql) - i - 2);
            sl_buf_puts(out, "'::bytea");
            i = (size_t)(end - sql) + 1;
        } else if (!strncmp(sql + i, "zeroblob(", 9)) {
            sl_buf_puts(out, "decode(repeat('00', ");
            i += 9;
            while (sql[i] != ')') sl_buf_append(out, sql + i++, 1);
            sl_buf_puts(out, "), 'hex'");
        } else if (!strncmp(sql + i, "instr(", 6) && (i == 0 || sql[i - 1] == ' ')) {
            sl_buf_puts(out, "sl_test.instr(");
            i += 6;
        } else if (!strncmp(sql + i, "GLOB '", 6)) {
            sl_buf_puts(out, "LIKE '");
            for (i += 6; sql[i] != '\''; i++) sl_buf_append(out, sql[i] == '*' ? "%" : sql + i, 1);
        } else {
            sl_buf_append(out, sql + i++, 1);
        }
    }
}

/* Runs sql (in SQLite's dialect, fixture_pg_dialect) on the PostgreSQL test database; the
 * result, or NULL after printing the error. */
static inline PGresult *fixture_pg_exec(const char *sql)
{
    PGconn *c = PQconnectdb(fixture_pg_url());
    PGresult *r = NULL;
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "pg: %s", PQerrorMessage(c));
    } else {
        PQsetNoticeProcessor(c, fixture_pg_quiet, NULL);
        sl_buf text = {0};
        fixture_pg_dialect(sql, &text);
        r = PQexec(c, text.data);
        ExecStatusType t = PQresultStatus(r);
        if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
            fprintf(stderr, "pg: %s: %s", text.data, PQresultErrorMessage(r));
            PQclear(r);
            r = NULL;
        }
        sl_buf_free(&text);
    }
    PQfinish(c);
    return r;
}

/* The SQL text for the database under test, where the dialects differ. */
static inline const char *fixture_sql(const char *sqlite_text, const char *pg_text)
{
    return fixture_pg_url() ? pg_text : sqlite_text;
}

static inline void fixture_init(fixture *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/sl_store_test_XXXXXX");
    if (!mkdtemp(f->dir)) abort();
    snprintf(f->db, sizeof f->db, "%s/sangloc.db", f->dir);
    if (fixture_pg_url()) {
        snprintf(f->db, sizeof f->db, "%s", fixture_pg_url());
        /* sl_test.j: a JSON text or bytea as jsonb, for the rewritten json_extract */
        PGresult *r = fixture_pg_exec(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public; CREATE SCHEMA IF NOT EXISTS "
            "sl_test; CREATE OR REPLACE FUNCTION sl_test.j(text) RETURNS jsonb LANGUAGE sql "
            "IMMUTABLE AS 'SELECT $1::jsonb'; CREATE OR REPLACE FUNCTION sl_test.j(bytea) "
            "RETURNS jsonb LANGUAGE sql IMMUTABLE AS 'SELECT convert_from($1, ''UTF8'')::jsonb'; "
            "CREATE OR REPLACE FUNCTION sl_test.jx(d jsonb, p text[]) RETURNS text LANGUAGE sql "
            "IMMUTABLE AS 'SELECT CASE jsonb_typeof(d #> p) WHEN ''boolean'' THEN CASE WHEN "
            "d #> p = ''true'' THEN ''1'' ELSE ''0'' END ELSE d #>> p END'; "
            "CREATE OR REPLACE FUNCTION sl_test.instr(bytea, text) RETURNS boolean LANGUAGE sql "
            "IMMUTABLE AS 'SELECT position(convert_to($2, ''UTF8'') in $1) > 0'; "
            "CREATE OR REPLACE FUNCTION sl_test.instr(text, text) RETURNS boolean LANGUAGE sql "
            "IMMUTABLE AS 'SELECT position($2 in $1) > 0'");
        if (!r) abort();
        PQclear(r);
    }
    snprintf(f->key, sizeof f->key, "%s/pseudonym.key", f->dir);
    f->clock = 1700000000000;
}

static inline void fixture_done(fixture *f)
{
    DIR *d = opendir(f->dir);
    if (!d) return;
    struct dirent *e;
    char path[PATH_MAX + 256];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(path, sizeof path, "%s/%s", f->dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(f->dir);
}

/* Opens the fixture's store with its key file and clock; aborts the test on failure. */
static inline sl_store *fixture_open(fixture *f)
{
    sl_store_options o = {.key_file = f->key};
    sl_store *s = NULL;
    sl_error err = {0};
    if (sl_store_open(f->db, &o, &s, &err)) {
        fprintf(stderr, "open: %s\n", err.message);
        abort();
    }
    sl_store_set_clock(s, test_now, f);
    return s;
}

/* An item whose strings point into static storage or the caller's buffers. */
static inline sl_store_item make_item(const char *channel, const char *id, sl_store_action action,
                                      double score)
{
    static const char verdict[] = "{\"action\":\"synthetic\"}";
    sl_store_item it = {
        .id = id,
        .id_len = strlen(id),
        .channel = channel,
        .channel_len = strlen(channel),
        .kind = "comment",
        .kind_len = 7,
        .author = "Nguyễn Văn An",
        .author_len = strlen("Nguyễn Văn An"),
        .text = "Bài viết rất hay, cảm ơn tác giả.",
        .text_len = strlen("Bài viết rất hay, cảm ơn tác giả."),
        .created_at = "2026-11-30T07:00:00Z",
        .created_at_len = 20,
        .verdict_json = verdict,
        .verdict_len = sizeof verdict - 1,
        .action = action,
        .score = score,
        .policy_version = "default@2026.11-2",
        .policy_version_len = strlen("default@2026.11-2"),
    };
    return it;
}

/* One integer from a SQL query on the database (read through a separate connection). */
static inline long long sql_int(const fixture *f, const char *sql)
{
    if (fixture_pg_url()) {
        PGresult *r = fixture_pg_exec(sql);
        if (!r) abort();
        long long v = -1;
        if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
            const char *t = PQgetvalue(r, 0, 0);
            v = !strcmp(t, "t") ? 1 : !strcmp(t, "f") ? 0 : atoll(t);
        }
        PQclear(r);
        return v;
    }
    sqlite3 *db;
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL)) abort();
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL)) {
        fprintf(stderr, "sql: %s\n", sqlite3_errmsg(db));
        abort();
    }
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static inline void sql_exec(const fixture *f, const char *sql)
{
    if (fixture_pg_url()) {
        PGresult *r = fixture_pg_exec(sql);
        if (!r) abort();
        PQclear(r);
        return;
    }
    sqlite3 *db;
    if (sqlite3_open(f->db, &db)) abort();
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg)) {
        fprintf(stderr, "sql: %s\n", msg);
        abort();
    }
    sqlite3_close(db);
}

/* Runs sql; 0 when it succeeded (for statements the schema must refuse). */
static inline int sql_try(const fixture *f, const char *sql)
{
    if (fixture_pg_url()) {
        PGresult *r = fixture_pg_exec(sql);
        PQclear(r);
        return r ? 0 : -1;
    }
    sqlite3 *db;
    if (sqlite3_open(f->db, &db)) abort();
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* Another connection holding the store's write lock (SQLite's, or the advisory lock every
 * PostgreSQL writer takes: store/sql_pg.h), until fixture_unlock. */
typedef struct fixture_lock {
    sqlite3 *lite;
    PGconn *pg;
} fixture_lock;

static inline void fixture_hold_write_lock(const fixture *f, fixture_lock *l)
{
    memset(l, 0, sizeof *l);
    if (fixture_pg_url()) {
        l->pg = PQconnectdb(fixture_pg_url());
        PGresult *r = PQexec(l->pg, "BEGIN; SELECT pg_advisory_xact_lock(" SL_PG_WRITER_LOCK ")");
        if (PQresultStatus(r) != PGRES_TUPLES_OK) abort();
        PQclear(r);
        return;
    }
    if (sqlite3_open(f->db, &l->lite) || sqlite3_exec(l->lite, "BEGIN IMMEDIATE", NULL, NULL, NULL))
        abort();
}

static inline void fixture_unlock(fixture_lock *l)
{
    if (l->pg) {
        PQclear(PQexec(l->pg, "COMMIT"));
        PQfinish(l->pg);
    } else {
        if (sqlite3_exec(l->lite, "COMMIT", NULL, NULL, NULL)) abort();
        sqlite3_close(l->lite);
    }
}

/* Whether needle occurs in any value of any table of the PostgreSQL test database (bytea
 * values as their bytes). What the server's files still hold after a delete (until VACUUM) is
 * not searched. */
static inline int pg_contains(const void *needle, size_t len)
{
    PGresult *tables = fixture_pg_exec("SELECT quote_ident(table_name) FROM "
                                       "information_schema.tables WHERE table_schema = 'public'");
    if (!tables) abort();
    int found = 0;
    for (int t = 0; t < PQntuples(tables) && !found; t++) {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT * FROM %s", PQgetvalue(tables, t, 0));
        PGresult *r = fixture_pg_exec(sql);
        if (!r) abort();
        for (int row = 0; row < PQntuples(r) && !found; row++)
            for (int col = 0; col < PQnfields(r) && !found; col++) {
                size_t n = (size_t)PQgetlength(r, row, col);
                unsigned char *v = (unsigned char *)PQgetvalue(r, row, col), *bytes = NULL;
                if (PQftype(r, col) == 17 && !PQgetisnull(r, row, col))
                    v = bytes = PQunescapeBytea(v, &n);
                for (size_t i = 0; v && i + len <= n && !found; i++)
                    found = !memcmp(v + i, needle, len);
                PQfreemem(bytes);
            }
        PQclear(r);
    }
    PQclear(tables);
    return found;
}

/* Whether needle occurs in any file of the fixture's folder but the key file (the database,
 * its WAL and shared memory); on PostgreSQL, in any value of the database. */
static inline int dir_contains(const fixture *f, const void *needle, size_t len)
{
    if (fixture_pg_url()) return pg_contains(needle, len);
    const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t k = 0; k < 4; k++) {
        char path[PATH_MAX + 16];
        snprintf(path, sizeof path, "%s%s", f->db, suffixes[k]);
        FILE *fp = fopen(path, "rb");
        if (!fp) continue;
        fseek(fp, 0, SEEK_END);
        long size = ftell(fp);
        fseek(fp, 0, SEEK_SET);
        char *buf = malloc(size > 0 ? (size_t)size : 1);
        size_t got = fread(buf, 1, (size_t)size, fp);
        fclose(fp);
        for (size_t i = 0; i + len <= got; i++)
            if (!memcmp(buf + i, needle, len)) {
                free(buf);
                return 1;
            }
        free(buf);
    }
    return 0;
}

/* cmocka setup and teardown: a fresh fixture per test in *state. */
static inline int fixture_setup(void **state)
{
    fixture *f = malloc(sizeof *f);
    if (!f) return -1;
    fixture_init(f);
    *state = f;
    return 0;
}

static inline int fixture_teardown(void **state)
{
    fixture_done(*state);
    free(*state);
    return 0;
}

#endif
