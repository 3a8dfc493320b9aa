/* The PostgreSQL driver under store/sql.h (libpq).
 *
 * Statements: the SQL's ?N become $N (sql_pg_params.c); parameters travel apart from the SQL,
 * each with its type (int8, float8, text, bytea; a NULL leaves the type to the server) and in
 * binary form, so nothing is ever formatted into SQL text and no value is copied when the
 * caller keeps it (SL_DB_STATIC). A statement is prepared on the server once per combination
 * of bound types (a NULL in place of a number is another plan) and then runs with one round
 * trip per execution (bench figures in docs/store.md). Results come back whole in text form,
 * so that the backend may run another statement while it reads rows (as it does on SQLite).
 *
 * Writers: begin_write takes a transaction-level advisory lock that every sangloc writer
 * takes, so writers are serialized like SQLite's writers; under READ COMMITTED each statement
 * after the lock sees every earlier writer's commit, so read-then-write code stays correct
 * with several servers. A plain "BEGIN" (a read transaction) is REPEATABLE READ: one snapshot
 * for all its statements, like a SQLite read transaction.
 *
 * Errors keep one line: the server's primary message and SQLSTATE, never its DETAIL (which
 * quotes row values) and, for data exceptions, not the quoted value either. */
#include <errno.h>
#include <inttypes.h>
#include <libpq-events.h>
#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrations.h"
#include "store/sql_pg.h"
#include "store/sql_pg_params.h"

/* Advisory lock keys ("sanglocW", "sanglocM"): every writer's transaction lock, and the
 * session lock under which a server migrates. */
#define WRITER_LOCK  SL_PG_WRITER_LOCK
#define MIGRATE_LOCK "8314047777582572365"

enum {
    OID_BOOL = 16,
    OID_BYTEA = 17,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_TEXT = 25,
    OID_OID = 26,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_NUMERIC = 1700
};

#ifndef PREPARED_PER_STMT   /* 0 runs every statement unnamed (bench/bench_pg_insert.c) */
#define PREPARED_PER_STMT 4 /* type combinations kept prepared per statement */
#endif

/* A statement sent in pipeline mode whose result has not been read yet (see "pipeline"). */
typedef struct pending {
    const char *doing;   /* what it does, for its error message (a string literal) */
    struct sl__pgst *st; /* for a PREPARE: the statement whose plans it prepares */
    int keep;            /* the result the caller waits for (returned, not cleared) */
} pending;

/* What the driver keeps per connection, attached to the PGconn (libpq-events). */
typedef struct pgconn {
    pending *pending; /* the pipeline's unread results, in the order sent */
    size_t npending, cap;
    int failed; /* a deferred statement's error: every statement fails until ROLLBACK */
    char errmsg[256];
    unsigned generation; /* bumped when the connection is re-established */
    bool read_tx;        /* inside a read transaction (BEGIN): SELECTs stream through cursors */
} pgconn;

#define FETCH_ROWS 1000 /* rows per FETCH of a cursor */

typedef struct param {
    int type; /* SL_DB_*; SL_DB_NULL when unbound */
    const char *p;
    int n;
    unsigned char num[8]; /* int8 / float8, big-endian */
    char *own;            /* a TRANSIENT copy */
    size_t cap;
    sl__db_lifetime life; /* a destructor to call on p */
} param;

typedef struct prepared {
    Oid *types;
    char name[24];
} prepared;

struct sl__pgst {
    sl__db *db;
    char *sql; /* with $N */
    int nparams;
    unsigned char *used; /* used[k]: $k+1 occurs in sql */
    param *par;
    prepared prep[PREPARED_PER_STMT];
    int nprep;
    unsigned generation;
    PGresult *res;
    int row, nrows, ncols;
    bool streams;    /* marked SL_DB_STREAM: read through a cursor inside a read transaction */
    char cursor[24]; /* its cursor while one is open, else "" */
    enum { ST_READY, ST_ROWS, ST_DONE } state;
    char **dec; /* bytea columns of the current row, decoded on demand */
    int *declen;
};

static atomic_uint_fast64_t statement_names;

/* ---- connection state and errors ------------------------------------------------------------ */

static int conn_event(PGEventId id, void *info, void *pass)
{
    if (id == PGEVT_CONNDESTROY) {
        PGEventConnDestroy *e = info;
        pgconn *c = PQinstanceData(e->conn, conn_event);
        if (c) free(c->pending);
        free(c);
    } else if (id == PGEVT_CONNRESET) {
        PGEventConnReset *e = info;
        pgconn *c = PQinstanceData(e->conn, conn_event);
        if (c) c->generation++;
    }
    return 1;
}

static pgconn *state_of(sl__db *s)
{
    return s && s->conn ? PQinstanceData(s->conn, conn_event) : NULL;
}

static void set_errmsg(sl__db *s, const char *msg, const char *sqlstate)
{
    pgconn *c = state_of(s);
    if (!c) return;
    size_t n = strcspn(msg, "\n");
    /* a data exception quotes the offending value after ": " (it may be personal data) */
    if (sqlstate && !strncmp(sqlstate, "22", 2)) {
        const char *colon = strstr(msg, ": ");
        if (colon && (size_t)(colon - msg) < n) n = (size_t)(colon - msg);
    }
    if (n > 200) n = 200;
    if (sqlstate && *sqlstate)
        snprintf(c->errmsg, sizeof c->errmsg, "%.*s [%s]", (int)n, msg, sqlstate);
    else
        snprintf(c->errmsg, sizeof c->errmsg, "%.*s", (int)n, msg);
}

/* The driver's code for a failed result (NULL: out of memory or a lost connection), keeping
 * its message. */
static int fail(sl__db *s, const PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg) msg = PQerrorMessage(s->conn);
    if (!msg || !*msg) msg = "unknown error";
    set_errmsg(s, msg, state);
    if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03") ||
                  !strcmp(state, "57014")))
        return SL_DB_PG_BUSY;
    return SL_DB_PG_ERROR;
}

const char *sl__pg_errmsg(sl__db *s)
{
    pgconn *c = state_of(s);
    if (!c) return s && s->conn ? PQerrorMessage(s->conn) : "no connection";
    return c->errmsg[0] ? c->errmsg : "unknown error";
}

/* Runs sql (no parameters, no rows wanted): 0 or the driver's error code. */
static int run(sl__db *s, const char *sql)
{
    PGresult *r = PQexec(s->conn, sql);
    ExecStatusType t = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int rc = t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK ? 0 : fail(s, r);
    PQclear(r);
    return rc;
}

/* ---- pipeline: statements whose results are read later --------------------------------------
 *
 * Inside a transaction, a statement that returns no rows and whose changes count nobody reads
 * (sl__pg_step_deferred) is sent in libpq's pipeline mode without waiting for its result, so a
 * write transaction costs one round trip per statement whose result it needs rather than one
 * per statement (the writer lock is held for that long: docs/store.md). The results are read
 * in order at the next statement that waits (sent into the same pipeline, so it still costs one
 * round trip), at COMMIT (likewise), at ROLLBACK, and when sl__pg_changes is asked. The first
 * failure among them is kept in c->failed with its message, prefixed by what the statement did:
 * the server aborts the transaction there (the statements after it in the pipeline are not
 * run), and every statement of ours fails with that error until ROLLBACK, so COMMIT cannot
 * succeed after it. */

enum { MAX_PENDING = 4096 }; /* sync then, so that neither side buffers without bound */

static int pipelined(sl__db *s)
{
    return PQpipelineStatus(s->conn) != PQ_PIPELINE_OFF;
}

static void note_changes(sl__db *s, const PGresult *r)
{
    const char *cmd = PQcmdStatus((PGresult *)r);
    if (!strncmp(cmd, "INSERT", 6) || !strncmp(cmd, "UPDATE", 6) || !strncmp(cmd, "DELETE", 6) ||
        !strncmp(cmd, "MERGE", 5))
        s->changes = strtoll(PQcmdTuples((PGresult *)r), NULL, 10);
}

/* Records that one more result is on its way (st: the statement a PREPARE is for). */
static int expect(sl__db *s, const char *doing, sl__pgst *st, int keep)
{
    pgconn *c = state_of(s);
    if (c->npending == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        pending *grown = realloc(c->pending, cap * sizeof *grown);
        if (!grown) {
            set_errmsg(s, "out of memory", NULL);
            return SL_DB_PG_ERROR;
        }
        c->pending = grown;
        c->cap = cap;
    }
    c->pending[c->npending++] = (pending){.doing = doing, .st = st, .keep = keep};
    return 0;
}

/* Keeps the first failure of the pipeline, its message prefixed by what failed. */
static void failed_at(sl__db *s, const PGresult *r, const char *doing)
{
    pgconn *c = state_of(s);
    if (c->failed) return;
    c->failed = fail(s, r);
    char msg[sizeof c->errmsg];
    snprintf(msg, sizeof msg, "%s", c->errmsg);
    snprintf(c->errmsg, sizeof c->errmsg, "%.40s: %.210s", doing, msg);
}

/* Ends the pipeline: a sync, then every pending result in order; *kept (when not NULL) receives
 * the result marked keep (NULL when the server skipped it after an earlier error). Returns
 * c->failed. Pipeline mode is off afterwards, unless the connection was lost. */
static int sync_pipeline(sl__db *s, PGresult **kept)
{
    pgconn *c = state_of(s);
    if (kept) *kept = NULL;
    if (!pipelined(s)) return c->failed;
    if (!PQpipelineSync(s->conn)) failed_at(s, NULL, "sync");
    for (size_t k = 0; k < c->npending; k++) {
        const pending *p = &c->pending[k];
        PGresult *r = PQgetResult(s->conn);
        if (!r) { /* the connection is gone: nothing more will come */
            failed_at(s, NULL, p->doing);
            break;
        }
        ExecStatusType t = PQresultStatus(r);
        if (p->keep && kept && t != PGRES_PIPELINE_ABORTED) {
            *kept = r; /* the caller reads it as if it had waited for it alone */
        } else {
            if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK) {
                note_changes(s, r);
            } else {
                /* skipped after an earlier error, or failed: a PREPARE that did not happen
                 * must not be taken as done, so its statement forgets its plans */
                if (p->st) p->st->generation = c->generation - 1;
                if (t != PGRES_PIPELINE_ABORTED) failed_at(s, r, p->doing);
            }
            PQclear(r);
        }
        PQclear(PQgetResult(s->conn)); /* the NULL that ends each statement's results */
    }
    c->npending = 0;
    if (PQstatus(s->conn) == CONNECTION_OK) {
        PGresult *r = PQgetResult(s->conn);
        if (!r || PQresultStatus(r) != PGRES_PIPELINE_SYNC) failed_at(s, r, "sync");
        PQclear(r);
        if (!PQexitPipelineMode(s->conn)) failed_at(s, NULL, "leave pipeline mode");
    }
    if (c->failed && kept && *kept) {
        PQclear(*kept);
        *kept = NULL;
    }
    return c->failed;
}

/* Sends the statement into the pipeline (deferred: doing names it; else the caller waits for
 * its result, which sync_pipeline returns). */
static int send_pipelined(sl__pgst *st, const char *name, int n, const Oid *types,
                          const char *const *values, const int *lengths, const int *formats,
                          const char *doing)
{
    sl__db *s = st->db;
    int ok = name ? PQsendQueryPrepared(s->conn, name, n, values, lengths, formats, 0)
                  : PQsendQueryParams(s->conn, st->sql, n, types, values, lengths, formats, 0);
    if (!ok) {
        failed_at(s, NULL, doing ? doing : "send");
        return state_of(s)->failed;
    }
    int rc = expect(s, doing ? doing : "statement", NULL, !doing);
    if (!rc && doing && state_of(s)->npending >= MAX_PENDING) rc = sync_pipeline(s, NULL);
    return rc;
}

/* A deferred statement may wait only inside a transaction (outside, each would be its own). */
static int enter_pipeline(sl__db *s)
{
    if (pipelined(s)) return 1;
    if (PQtransactionStatus(s->conn) != PQTRANS_INTRANS) return 0;
    return PQenterPipelineMode(s->conn);
}

/* PREPARE inside the pipeline; its outcome is read with the others. */
static int send_prepare(sl__pgst *st, const char *name, const Oid *types)
{
    sl__db *s = st->db;
    if (!PQsendPrepare(s->conn, name, st->sql, st->nparams, types)) {
        failed_at(s, NULL, "prepare");
        return state_of(s)->failed;
    }
    return expect(s, "prepare", st, 0);
}

/* sl__pg_exec while a pipeline is open or has failed: ROLLBACK reads what is pending and
 * forgets the failure; COMMIT joins the pipeline (one round trip); anything else waits for
 * the pipeline first. */
static int exec_after_pipeline(sl__db *s, const char *sql)
{
    pgconn *c = state_of(s);
    if (!strcmp(sql, "ROLLBACK")) {
        sync_pipeline(s, NULL);
        c->failed = 0;
        return run(s, sql);
    }
    if (strcmp(sql, "COMMIT") || c->failed || !pipelined(s)) {
        int rc = sync_pipeline(s, NULL);
        return rc ? rc : run(s, sql);
    }
    PGresult *r = NULL;
    int rc = PQsendQueryParams(s->conn, sql, 0, NULL, NULL, NULL, NULL, 0)
                 ? expect(s, "commit", NULL, 1)
                 : (failed_at(s, NULL, "commit"), c->failed);
    int synced = sync_pipeline(s, &r);
    if (!rc) rc = synced;
    if (!rc && (!r || PQresultStatus(r) != PGRES_COMMAND_OK)) rc = fail(s, r);
    if (!rc && strcmp(PQcmdStatus(r), "COMMIT")) {
        /* an aborted transaction's COMMIT answers "ROLLBACK" */
        set_errmsg(s, "the transaction was rolled back after an error in it", "25P02");
        rc = SL_DB_PG_ERROR;
    }
    PQclear(r);
    return rc;
}

int64_t sl__pg_changes(sl__db *s)
{
    pgconn *c = state_of(s);
    if (c && c->npending) sync_pipeline(s, NULL); /* a failure stays for the next statement */
    return s->changes;
}

/* Whether the pipeline holds anything: pending results or a failure not rolled back. */
static int pipeline_busy(sl__db *s)
{
    pgconn *c = state_of(s);
    return c && (c->failed || c->npending || pipelined(s));
}

/* Before a new write transaction: nothing pending, no failure left from the last one. */
static void pipeline_reset(sl__db *s)
{
    pgconn *c = state_of(s);
    if (!c) return;
    sync_pipeline(s, NULL);
    c->failed = 0;
}

/* The settings every session of ours runs with (again after a reconnection). */
static int session_setup(sl__db *s)
{
    int rc = run(s, "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; "
                    "SET bytea_output = 'hex'; SET standard_conforming_strings = on");
    /* named in pg_stat_activity, unless the URL names it (application_name=...) */
    const char *name = PQparameterStatus(s->conn, "application_name");
    if (!rc && (!name || !*name)) rc = run(s, "SET application_name = 'sangloc'");
    return rc;
}

/* A connection lost between transactions (a server restart, a failover) is re-established
 * before the next statement; one lost inside a transaction fails that transaction. */
static int ensure_connected(sl__db *s)
{
    if (PQstatus(s->conn) == CONNECTION_OK) return 0;
    PQreset(s->conn);
    if (PQstatus(s->conn) != CONNECTION_OK) return fail(s, NULL);
    return session_setup(s);
}

int sl__pg_exec(sl__db *s, const char *sql)
{
    if (pipeline_busy(s)) return exec_after_pipeline(s, sql);
    int rc = ensure_connected(s);
    if (rc) return rc;
    /* SQLite's read transaction sees one snapshot; BEGIN IMMEDIATE is a write transaction */
    pgconn *c = state_of(s);
    if (c && (!strcmp(sql, "COMMIT") || !strcmp(sql, "ROLLBACK") || !strcmp(sql, "END")))
        c->read_tx = false;
    if (!strcmp(sql, "BEGIN") || !strcmp(sql, "BEGIN DEFERRED")) {
        rc = run(s, "BEGIN ISOLATION LEVEL REPEATABLE READ");
        if (c) c->read_tx = !rc;
        return rc;
    }
    if (!strcmp(sql, "BEGIN IMMEDIATE")) return sl__pg_begin_write(s);
    if (strcmp(sql, "COMMIT")) return run(s, sql);
    /* COMMIT of a transaction that an error aborted rolls back and answers "ROLLBACK": that is
     * a failure (on SQLite the statements before the error would have been kept) */
    PGresult *r = PQexec(s->conn, sql);
    rc = r && PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : fail(s, r);
    if (!rc && !strcmp(PQcmdStatus(r), "ROLLBACK")) {
        set_errmsg(s, "the transaction was rolled back after an error in it", "25P02");
        rc = SL_DB_PG_ERROR;
    }
    PQclear(r);
    return rc;
}

int sl__pg_begin_write(sl__db *s)
{
    pipeline_reset(s);
    int rc = ensure_connected(s);
    if (rc) return rc;
    pgconn *c = state_of(s);
    if (c) c->read_tx = false;
    char sql[256];
    if (s->busy_timeout_ms > 0)
        snprintf(sql, sizeof sql,
                 "BEGIN; SET LOCAL lock_timeout = %d; SELECT pg_advisory_xact_lock(" WRITER_LOCK
                 ")",
                 s->busy_timeout_ms);
    else
        snprintf(sql, sizeof sql, "BEGIN; SELECT pg_try_advisory_xact_lock(" WRITER_LOCK ")");
    PGresult *r = PQexec(s->conn, sql);
    if (PQstatus(s->conn) == CONNECTION_BAD && !ensure_connected(s)) {
        /* the connection had been lost (a server restart): nothing was begun, begin again */
        PQclear(r);
        r = PQexec(s->conn, sql);
    }
    ExecStatusType t = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (t != PGRES_TUPLES_OK)
        rc = fail(s, r);
    else if (!strcmp(PQgetvalue(r, 0, 0), "f")) {
        set_errmsg(s, "another writer holds the write lock", "55P03");
        rc = SL_DB_PG_BUSY;
    }
    PQclear(r);
    if (rc && PQtransactionStatus(s->conn) != PQTRANS_IDLE) PQclear(PQexec(s->conn, "ROLLBACK"));
    return rc;
}

/* ---- statements ------------------------------------------------------------------------------ */

sl_status sl__pg_prepare(sl__db *s, const char *sql, sl__pgst **out, sl_error *err)
{
    sl__pgst *st = calloc(1, sizeof *st);
    unsigned char *used = malloc(SL_PG_MAX_PARAMS);
    sl_buf text = {0};
    if (!st || !used) goto nomem;
    sl_status status = sl__pg_translate(sql, &text, &st->nparams, used, err);
    if (status) {
        free(st);
        free(used);
        sl_buf_free(&text);
        return status;
    }
    st->db = s;
    st->sql = text.data;
    st->used = used;
    st->streams = !strncmp(st->sql, SL_DB_STREAM, strlen(SL_DB_STREAM));
    st->par = calloc(st->nparams ? (size_t)st->nparams : 1, sizeof *st->par);
    if (!st->par) goto nomem;
    for (int k = 0; k < st->nparams; k++) st->par[k].type = SL_DB_NULL;
    *out = st;
    return SL_OK;
nomem:
    if (st) {
        st->sql = text.data;
        st->used = used;
        sl__pg_finalize(st);
    } else {
        free(used);
        sl_buf_free(&text);
    }
    return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
}

static void free_row(sl__pgst *st)
{
    if (st->dec) {
        for (int k = 0; k < st->ncols; k++) free(st->dec[k]);
        free(st->dec);
        free(st->declen);
        st->dec = NULL;
        st->declen = NULL;
    }
}

static void release(param *p)
{
    if (p->life != SL_DB_STATIC && p->life != SL_DB_TRANSIENT && p->p) p->life((void *)p->p);
    p->life = SL_DB_STATIC;
    p->type = SL_DB_NULL;
    p->p = NULL;
    p->n = 0;
}

void sl__pg_reset(sl__pgst *st)
{
    if (!st) return;
    free_row(st);
    PQclear(st->res);
    st->res = NULL;
    st->row = st->nrows = st->ncols = 0;
    st->state = ST_READY;
    st->cursor[0] = '\0'; /* left to the end of its transaction */
}

void sl__pg_clear(sl__pgst *st)
{
    for (int k = 0; st && k < st->nparams; k++) release(&st->par[k]);
}

void sl__pg_finalize(sl__pgst *st)
{
    if (!st) return;
    sl__pg_reset(st);
    if (st->par) {
        sl__pg_clear(st);
        for (int k = 0; k < st->nparams; k++) free(st->par[k].own);
    }
    for (int k = 0; k < st->nprep; k++) free(st->prep[k].types);
    free(st->par);
    free(st->used);
    free(st->sql);
    free(st);
}

static void put_be64(unsigned char *b, uint64_t v)
{
    for (int k = 7; k >= 0; k--, v >>= 8) b[k] = (unsigned char)v;
}

int sl__pg_bind(sl__pgst *st, int i, int type, int64_t iv, double dv, const void *p, int n,
                sl__db_lifetime life)
{
    if (i < 1 || i > st->nparams) {
        set_errmsg(st->db, "parameter index out of range", NULL);
        return SL_DB_PG_ERROR;
    }
    param *q = &st->par[i - 1];
    release(q);
    if ((type == SL_DB_TEXT || type == SL_DB_BLOB) && !p) type = SL_DB_NULL;
    q->type = type;
    if (type == SL_DB_INTEGER) {
        put_be64(q->num, (uint64_t)iv);
    } else if (type == SL_DB_FLOAT) {
        uint64_t bits;
        memcpy(&bits, &dv, sizeof bits);
        put_be64(q->num, bits);
    } else if (type == SL_DB_TEXT || type == SL_DB_BLOB) {
        if (n < 0) n = (int)strlen(p);
        if (life == SL_DB_TRANSIENT) {
            if ((size_t)n > q->cap) {
                char *grown = realloc(q->own, (size_t)n);
                if (!grown) {
                    q->type = SL_DB_NULL;
                    set_errmsg(st->db, "out of memory", NULL);
                    return SL_DB_PG_ERROR;
                }
                q->own = grown;
                q->cap = (size_t)n;
            }
            if (n) memcpy(q->own, p, (size_t)n);
            p = q->own;
        } else {
            q->life = life;
        }
        q->p = p;
        q->n = n;
    } else {
        q->type = SL_DB_NULL;
    }
    return 0;
}

static Oid oid_of(const sl__pgst *st, int k)
{
    switch (st->par[k].type) {
    case SL_DB_INTEGER:
        return OID_INT8;
    case SL_DB_FLOAT:
        return OID_FLOAT8;
    case SL_DB_TEXT:
        return OID_TEXT;
    case SL_DB_BLOB:
        return OID_BYTEA;
    default:
        return st->used[k] ? 0 : OID_TEXT; /* an unused NULL: any type will do */
    }
}

/* The server-side statement for the bound types, prepared on first use; NULL when every slot
 * holds another combination (the statement then runs unnamed). */
static const prepared *prepared_for(sl__pgst *st, const Oid *types, int *rc)
{
    pgconn *c = state_of(st->db);
    if (c && st->generation != c->generation) { /* a new session: nothing is prepared */
        for (int k = 0; k < st->nprep; k++) free(st->prep[k].types);
        st->nprep = 0;
        st->generation = c->generation;
    }
    size_t size = (size_t)st->nparams * sizeof *types;
    for (int k = 0; k < st->nprep; k++)
        if (!size || !memcmp(st->prep[k].types, types, size)) return &st->prep[k];
    if (st->nprep == PREPARED_PER_STMT) return NULL;
    prepared *pr = &st->prep[st->nprep];
    pr->types = malloc(size ? size : 1);
    if (!pr->types) return NULL;
    if (size) memcpy(pr->types, types, size);
    snprintf(pr->name, sizeof pr->name, "sl%" PRIuFAST64, atomic_fetch_add(&statement_names, 1));
    if (pipelined(st->db)) {
        if ((*rc = send_prepare(st, pr->name, types))) {
            free(pr->types);
            return NULL;
        }
        st->nprep++;
        return pr;
    }
    PGresult *r = PQprepare(st->db->conn, pr->name, st->sql, st->nparams, types);
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
        *rc = fail(st->db, r);
        PQclear(r);
        free(pr->types);
        return NULL;
    }
    PQclear(r);
    st->nprep++;
    return pr;
}

/* Whether st runs through a cursor: a SELECT marked SL_DB_STREAM (its result may be large: the
 * audit checks read every item) inside a read transaction; any other result comes back whole in
 * one round trip, which is what short reads want. */
static bool streaming(const sl__pgst *st)
{
    pgconn *c = state_of(st->db);
    return st->streams && c && c->read_tx && PQtransactionStatus(st->db->conn) == PQTRANS_INTRANS;
}

/* The next rows of st's cursor into st->res. */
static int fetch(sl__pgst *st)
{
    char sql[64];
    snprintf(sql, sizeof sql, "FETCH %d FROM %s", FETCH_ROWS, st->cursor);
    PQclear(st->res);
    st->res = PQexec(st->db->conn, sql);
    if (!st->res || PQresultStatus(st->res) != PGRES_TUPLES_OK) {
        int rc = fail(st->db, st->res);
        PQclear(st->res);
        st->res = NULL;
        st->nrows = 0;
        return rc;
    }
    st->nrows = PQntuples(st->res);
    st->ncols = PQnfields(st->res);
    return 0;
}

/* Declares a cursor for st with its parameters (closed at the end of the transaction) and
 * fetches its first rows. */
static int open_cursor(sl__pgst *st, const Oid *types, const char *const *values,
                       const int *lengths, const int *formats)
{
    sl_buf sql = {0};
    snprintf(st->cursor, sizeof st->cursor, "slc%" PRIuFAST64,
             atomic_fetch_add(&statement_names, 1));
    if (sl_buf_printf(&sql, "DECLARE %s NO SCROLL CURSOR FOR %s", st->cursor, st->sql)) {
        set_errmsg(st->db, "out of memory", NULL);
        return SL_DB_PG_ERROR;
    }
    PGresult *r =
        PQexecParams(st->db->conn, sql.data, st->nparams, types, values, lengths, formats, 0);
    sl_buf_free(&sql);
    int rc = r && PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : fail(st->db, r);
    PQclear(r);
    return rc ? rc : fetch(st);
}

/* Sends the statement with its parameters; the result stays in st->res. */
static int execute(sl__pgst *st, const char *defer)
{
    /* defer (what the statement does): into the pipeline without waiting, in a transaction */
    sl__db *s = st->db;
    pgconn *c = state_of(s);
    if (c && c->failed) return c->failed;
    int rc = pipelined(s) ? 0 : ensure_connected(s);
    if (rc) return rc;
    if (defer && !enter_pipeline(s)) defer = NULL;
    enum { SMALL = 16 };
    Oid types_small[SMALL];
    const char *values_small[SMALL];
    int lengths_small[SMALL], formats_small[SMALL];
    int n = st->nparams;
    Oid *types = types_small;
    const char **values = values_small;
    int *lengths = lengths_small, *formats = formats_small;
    if (n > SMALL) {
        types = malloc((size_t)n * sizeof *types);
        values = malloc((size_t)n * sizeof *values);
        lengths = malloc((size_t)n * sizeof *lengths);
        formats = malloc((size_t)n * sizeof *formats);
        if (!types || !values || !lengths || !formats) {
            set_errmsg(s, "out of memory", NULL);
            rc = SL_DB_PG_ERROR;
            goto done;
        }
    }
    for (int k = 0; k < n; k++) {
        const param *q = &st->par[k];
        types[k] = oid_of(st, k);
        formats[k] = 1;
        if (q->type == SL_DB_INTEGER || q->type == SL_DB_FLOAT) {
            values[k] = (const char *)q->num;
            lengths[k] = 8;
        } else {
            values[k] = q->type == SL_DB_NULL ? NULL : q->p;
            lengths[k] = q->n;
        }
    }
    if (streaming(st)) {
        rc = open_cursor(st, types, values, lengths, formats);
        goto done;
    }
    const prepared *pr = prepared_for(st, types, &rc);
    if (rc) goto done;
    if (pipelined(s)) {
        rc = send_pipelined(st, pr ? pr->name : NULL, n, types, values, lengths, formats, defer);
        if (!rc && !defer) rc = sync_pipeline(s, &st->res);
        if (rc || defer) goto done;
    } else {
        st->res = pr ? PQexecPrepared(s->conn, pr->name, n, values, lengths, formats, 0)
                     : PQexecParams(s->conn, st->sql, n, types, values, lengths, formats, 0);
    }
    ExecStatusType t = st->res ? PQresultStatus(st->res) : PGRES_FATAL_ERROR;
    if (t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK) {
        rc = fail(s, st->res);
        PQclear(st->res);
        st->res = NULL;
        goto done;
    }
    note_changes(s, st->res);
    st->nrows = t == PGRES_TUPLES_OK ? PQntuples(st->res) : 0;
    st->ncols = t == PGRES_TUPLES_OK ? PQnfields(st->res) : 0;
done:
    if (types != types_small) {
        free(types);
        free(values);
        free(lengths);
        free(formats);
    }
    return rc;
}

int sl__pg_step(sl__pgst *st)
{
    if (st->state == ST_DONE) sl__pg_reset(st); /* stepping a finished statement runs it again */
    free_row(st);
    if (st->state == ST_READY) {
        int rc = execute(st, NULL);
        if (rc) return rc;
        st->state = ST_ROWS;
        st->row = -1;
    }
    if (++st->row < st->nrows) return SL_DB_ROW;
    if (st->cursor[0] && st->nrows == FETCH_ROWS) { /* the cursor may hold more */
        int rc = fetch(st);
        if (rc) return rc;
        st->row = 0;
        if (st->nrows > 0) return SL_DB_ROW;
    }
    st->state = ST_DONE;
    return SL_DB_DONE;
}

int sl__pg_step_deferred(sl__pgst *st, const char *doing)
{
    sl__pg_reset(st);
    int rc = execute(st, doing);
    if (rc) return rc;
    if (st->res) { /* run at once (outside a transaction): its rows are not wanted */
        PQclear(st->res);
        st->res = NULL;
    }
    st->state = ST_DONE;
    return SL_DB_DONE;
}

/* ---- columns --------------------------------------------------------------------------------- */

static const char *value(sl__pgst *st, int i)
{
    if (st->state != ST_ROWS || i < 0 || i >= st->ncols || st->row >= st->nrows) return NULL;
    if (PQgetisnull(st->res, st->row, i)) return NULL;
    return PQgetvalue(st->res, st->row, i);
}

int sl__pg_column_type(sl__pgst *st, int i)
{
    const char *v = value(st, i);
    if (!v) return SL_DB_NULL;
    switch (PQftype(st->res, i)) {
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_OID:
    case OID_BOOL:
        return SL_DB_INTEGER;
    case OID_NUMERIC:
        return strpbrk(v, ".eEN") ? SL_DB_FLOAT : SL_DB_INTEGER;
    case OID_FLOAT4:
    case OID_FLOAT8:
        return SL_DB_FLOAT;
    case OID_BYTEA:
        return SL_DB_BLOB;
    default:
        return SL_DB_TEXT;
    }
}

int64_t sl__pg_column_int64(sl__pgst *st, int i)
{
    const char *v = value(st, i);
    if (!v) return 0;
    if (PQftype(st->res, i) == OID_BOOL) return v[0] == 't';
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (*end == '.' || *end == 'e' || *end == 'E' || errno == ERANGE) {
        double d = strtod(v, NULL); /* SQLite truncates a real, saturating at the ends */
        if (d != d) return 0;
        if (d >= 9223372036854775807.0) return INT64_MAX;
        if (d <= -9223372036854775808.0) return INT64_MIN;
        return (int64_t)d;
    }
    return n;
}

double sl__pg_column_double(sl__pgst *st, int i)
{
    const char *v = value(st, i);
    if (!v) return 0;
    if (PQftype(st->res, i) == OID_BOOL) return v[0] == 't';
    return strtod(v, NULL);
}

/* A bytea column of the current row, decoded from hex once (NUL-terminated). */
static const char *decoded(sl__pgst *st, int i, int *len)
{
    const char *v = value(st, i);
    *len = 0;
    if (!v) return NULL;
    if (!st->dec) {
        st->dec = calloc((size_t)st->ncols, sizeof *st->dec);
        st->declen = calloc((size_t)st->ncols, sizeof *st->declen);
        if (!st->dec || !st->declen) {
            free(st->dec);
            free(st->declen);
            st->dec = NULL;
            st->declen = NULL;
            return NULL;
        }
    }
    if (!st->dec[i]) {
        size_t n = (size_t)PQgetlength(st->res, st->row, i);
        if (n < 2 || v[0] != '\\' || v[1] != 'x') return NULL; /* bytea_output is hex */
        size_t out = (n - 2) / 2;
        char *b = malloc(out + 1);
        if (!b) return NULL;
        for (size_t k = 0; k < out; k++) {
            unsigned hi = (unsigned char)v[2 + 2 * k], lo = (unsigned char)v[3 + 2 * k];
            hi = hi <= '9' ? hi - '0' : (hi | 0x20) - 'a' + 10;
            lo = lo <= '9' ? lo - '0' : (lo | 0x20) - 'a' + 10;
            b[k] = (char)(hi << 4 | lo);
        }
        b[out] = '\0';
        st->dec[i] = b;
        st->declen[i] = (int)out;
    }
    *len = st->declen[i];
    return st->dec[i];
}

const unsigned char *sl__pg_column_text(sl__pgst *st, int i)
{
    const char *v = value(st, i);
    if (v && PQftype(st->res, i) == OID_BOOL) /* as SQLite shows a truth value */
        return (const unsigned char *)(v[0] == 't' ? "1" : "0");
    if (v && PQftype(st->res, i) == OID_BYTEA) {
        int n;
        return (const unsigned char *)decoded(st, i, &n);
    }
    return (const unsigned char *)v;
}

const void *sl__pg_column_blob(sl__pgst *st, int i)
{
    const char *v = value(st, i);
    if (!v) return NULL;
    int n = PQgetlength(st->res, st->row, i);
    if (PQftype(st->res, i) == OID_BYTEA) v = decoded(st, i, &n);
    return n ? v : NULL;
}

int sl__pg_column_bytes(sl__pgst *st, int i)
{
    const char *v = value(st, i);
    if (!v) return 0;
    int n = PQgetlength(st->res, st->row, i);
    if (PQftype(st->res, i) == OID_BYTEA) decoded(st, i, &n);
    if (PQftype(st->res, i) == OID_BOOL) n = 1;
    return n;
}

/* ---- open and migrate ------------------------------------------------------------------------ */

/* The server's notices ("already exists, skipping") are not errors: keep them off stderr. */
static void ignore_notice(void *arg, const char *message) {}

/* url without its password and query (which may hold one), for messages. */
static void redact(const char *url, char *out, size_t size)
{
    const char *auth = strstr(url, "://");
    auth = auth ? auth + 3 : url;
    size_t end = strcspn(url, "?#");
    const char *at = memchr(auth, '@', (size_t)(url + end - auth));
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon)
        snprintf(out, size, "%.*s%.*s", (int)(colon - url), url, (int)(url + end - at), at);
    else
        snprintf(out, size, "%.*s", (int)end, url);
}

/* The applied version, each applied migration checked against the compiled-in list (the
 * messages are the SQLite backend's). */
static sl_status read_version(sl__db *s, int *version, sl_error *err)
{
    *version = 0;
    PGresult *r = PQexec(s->conn, "SELECT to_regclass('schema_migrations') IS NOT NULL");
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        fail(s, r);
        PQclear(r);
        return sl_error_set(err, SL_ERR_STORE, SL_NO_POS, "database: read schema: %s",
                            sl__pg_errmsg(s));
    }
    int exists = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (!exists) return SL_OK;
    r = PQexec(s->conn, "SELECT version, name FROM schema_migrations ORDER BY version");
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        fail(s, r);
        PQclear(r);
        return sl_error_set(err, SL_ERR_STORE, SL_NO_POS, "database: read schema: %s",
                            sl__pg_errmsg(s));
    }
    sl_status status = SL_OK;
    for (int row = 0; row < PQntuples(r) && !status; row++) {
        int v = atoi(PQgetvalue(r, row, 0));
        const char *name = PQgetvalue(r, row, 1);
        status = sl__migration_check(sl__store_pg_migrations, sl__store_pg_nmigrations, v, name,
                                     version, err);
    }
    PQclear(r);
    return status;
}

/* Applies migration v in its own transaction. */
static sl_status apply(sl__db *s, int v, sl_error *err)
{
    const sl_store_migration *m = &sl__store_pg_migrations[v - 1];
    int rc = run(s, "BEGIN");
    if (!rc) rc = run(s, m->sql);
    if (!rc) {
        char version[16];
        snprintf(version, sizeof version, "%d", v);
        const char *values[2] = {version, m->name};
        PGresult *r =
            PQexecParams(s->conn,
                         "INSERT INTO schema_migrations (version, name, applied_at) VALUES "
                         "($1, $2, CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT))",
                         2, NULL, values, NULL, NULL, 0);
        rc = r && PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : fail(s, r);
        PQclear(r);
    }
    if (!rc) rc = run(s, "COMMIT");
    if (!rc) return SL_OK;
    char msg[256];
    snprintf(msg, sizeof msg, "%s", sl__pg_errmsg(s));
    if (PQtransactionStatus(s->conn) != PQTRANS_IDLE) PQclear(PQexec(s->conn, "ROLLBACK"));
    return sl_error_set(err, SL_ERR_SCHEMA, SL_NO_POS, "migration %s failed: %s", m->name, msg);
}

/* Brings the schema up to date under a session advisory lock, so that servers starting
 * together migrate once (re-reading the version under the lock). */
static sl_status migrate(sl__db *s, sl_error *err)
{
    sl_status st = read_version(s, &s->version, err);
    if (st || s->version == sl__store_pg_nmigrations) return st;
    char sql[160];
    snprintf(sql, sizeof sql, "SET lock_timeout = %d; SELECT pg_advisory_lock(" MIGRATE_LOCK ")",
             s->busy_timeout_ms > 0 ? s->busy_timeout_ms : 1);
    int rc = run(s, sql);
    run(s, "RESET lock_timeout");
    if (rc)
        return sl_error_set(err, rc == SL_DB_PG_BUSY ? SL_ERR_BUSY : SL_ERR_STORE, SL_NO_POS,
                            "database: migrate: %s", sl__pg_errmsg(s));
    rc = run(s, "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    if (rc)
        st = sl_error_set(err, SL_ERR_STORE, SL_NO_POS, "database: migrate: %s", sl__pg_errmsg(s));
    if (!st) st = read_version(s, &s->version, err);
    for (int v = s->version + 1; !st && v <= sl__store_pg_nmigrations; v++) {
        st = apply(s, v, err);
        if (!st) s->version = v;
    }
    run(s, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")");
    if (st) s->version = 0;
    return st;
}

sl_status sl__pg_open(sl__db *s, const char *url, sl_error *err)
{
    char shown[160];
    redact(url, shown, sizeof shown);
    char *parse_error = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &parse_error);
    PQfreemem(parse_error); /* it may quote the password */
    if (!opts)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "database: not a valid PostgreSQL URL: %s",
                            shown);
    PQconninfoFree(opts);
    PGconn *conn = PQconnectdb(url);
    if (!conn) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    if (PQstatus(conn) != CONNECTION_OK) {
        const char *msg = PQerrorMessage(conn);
        sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot connect to PostgreSQL at %s:%s: %.*s",
                     PQhost(conn) ? PQhost(conn) : "?", PQport(conn) ? PQport(conn) : "?",
                     (int)strcspn(msg, "\n"), msg);
        PQfinish(conn);
        return SL_ERR_IO;
    }
    PQsetNoticeProcessor(conn, ignore_notice, NULL);
    pgconn *c = calloc(1, sizeof *c);
    if (!c || !PQregisterEventProc(conn, conn_event, "sangloc", NULL) ||
        !PQsetInstanceData(conn, conn_event, c)) {
        free(c);
        PQfinish(conn);
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    }
    s->conn = conn;
    sl_status st = SL_OK;
    if (session_setup(s))
        st = sl_error_set(err, SL_ERR_STORE, SL_NO_POS, "database: session setup: %s",
                          sl__pg_errmsg(s));
    if (!st) st = migrate(s, err);
    if (st) {
        PQfinish(conn);
        s->conn = NULL;
    }
    return st;
}

void sl__pg_close(sl__db *s)
{
    if (!s || !s->conn) return;
    PQfinish(s->conn);
    s->conn = NULL;
}
