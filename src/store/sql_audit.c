/* The audit log: appending entries inside the caller's write transaction.
 *
 * The next seq is read under the write lock (sl__db_begin_write: SQLite's, or PostgreSQL's
 * advisory lock), so concurrent writers from any handle, process or machine append one gapless
 * sequence. It is read once per transaction and then counted, as is the actor's name. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sangloc/audit.h"
#include "store/sql_db.h"
#include "store/sql_rows.h"

static const char *const sql_next_seq = "SELECT coalesce(max(seq) + 1, 0) FROM audit_log";
static const char *const sql_actor = "SELECT name FROM tokens WHERE id = ?1";
static const char *const sql_append =
    "INSERT INTO audit_log (seq, at, org, entry, leaf) VALUES (?1, ?2, ?3, ?4, ?5)";

static sl_status next_seq(sl__db *s, int64_t *seq, sl_error *err)
{
    if (s->txn_next_seq >= 0) {
        *seq = s->txn_next_seq;
        return SL_OK;
    }
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_next_seq, &st, err);
    if (status) return status;
    int rc = sl__db_step(st);
    if (rc == SL_DB_ROW) *seq = sl__db_column_int64(st, 0);
    sl__db_reset(st);
    return rc == SL_DB_ROW ? SL_OK : sl__db_error(s, rc, "read audit log", err);
}

/* The token's name into name (cap bytes), "" for the system or a token that is gone. */
static sl_status actor_name(sl__db *s, int64_t actor, char *name, size_t cap, sl_error *err)
{
    name[0] = '\0';
    if (!actor) return SL_OK;
    if (actor == s->txn_actor) {
        sl__db_copy_text(name, cap, s->txn_actor_name);
        return SL_OK;
    }
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_actor, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, actor);
    int rc = sl__db_step(st);
    if (rc == SL_DB_ROW) {
        const char *t = sl__db_col_text(st, 0);
        size_t n = strlen(t);
        if (n >= cap) n = cap - 1;
        memcpy(name, t, n);
        name[n] = '\0';
    }
    sl__db_reset(st);
    if (rc != SL_DB_ROW && rc != SL_DB_DONE) return sl__db_error(s, rc, "read token", err);
    s->txn_actor = actor;
    sl__db_copy_text(s->txn_actor_name, sizeof s->txn_actor_name, name);
    return SL_OK;
}

sl_status sl__db_audit_append(sl__db *s, int64_t now, const sl__audit_rec *rec, sl_error *err)
{
    int64_t seq = 0;
    char name[256];
    sl_status status = next_seq(s, &seq, err);
    if (!status) status = actor_name(s, rec->actor, name, sizeof name, err);
    if (status) return status;
    sl_buf_clear(&s->entry);
    if (sl__audit_encode(&s->entry, seq, now, name, rec))
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    sl_merkle_hash leaf; /* the RFC 6962 leaf hash (sangloc/audit.h) */
    sl_merkle_leaf_hash(s->entry.data, s->entry.len, leaf);
    if (s->rows) { /* a batch gathers its entries (sql_rows.h) */
        if (sl__rows_audit(s->rows, seq, now, rec->org ? rec->org : "", s->entry.data, s->entry.len,
                           leaf, sizeof leaf))
            return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        s->txn_next_seq = seq + 1;
        return SL_OK;
    }
    sl__dbst *st;
    if ((status = sl__db_prepare(s, sql_append, &st, err))) return status;
    sl__db_bind_int64(st, 1, seq);
    sl__db_bind_int64(st, 2, now);
    sl__db_bind_text(st, 3, rec->org ? rec->org : "", -1, SL_DB_STATIC);
    sl__db_bind_blob(st, 4, s->entry.data, (int)s->entry.len, SL_DB_STATIC);
    sl__db_bind_blob(st, 5, leaf, sizeof leaf, SL_DB_STATIC);
    status = sl__db_run_deferred(s, st, "append to audit log", err);
    if (!status) s->txn_next_seq = seq + 1;
    return status;
}

/* ---- reading the log and its checkpoints ---------------------------------------------------- */

static const char *const sql_size = "SELECT coalesce(max(seq) + 1, 0) FROM audit_log";
static const char *const sql_entries =
    "SELECT seq, at, org, entry, leaf FROM audit_log WHERE seq >= ?1 AND seq < ?2 ORDER BY seq";
static const char *const sql_leaves =
    "SELECT seq, leaf FROM audit_log WHERE seq >= ?1 AND seq < ?2 ORDER BY seq";
static const char *const sql_cp_add =
    "INSERT INTO audit_checkpoints (at, size, root, note, key) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char *const sql_cps = "SELECT id, at, size, root, note, key FROM audit_checkpoints "
                                   "WHERE id > ?1 ORDER BY id LIMIT ?2";
static const char *const sql_cp_latest =
    "SELECT id, at, size, root, note, key FROM audit_checkpoints ORDER BY id DESC LIMIT 1";

static sl_status nomem(sl_error *err)
{
    return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
}

/* A copy of column i as a NUL-terminated string. */
static char *col_dup(sl__dbst *st, int i, size_t *len)
{
    const void *p = sl__db_column_blob(st, i);
    size_t n = (size_t)sl__db_column_bytes(st, i);
    char *c = malloc(n + 1);
    if (!c) return NULL;
    if (n) memcpy(c, p, n);
    c[n] = '\0';
    *len = n;
    return c;
}

static void col_hash(sl__dbst *st, int i, sl_merkle_hash out)
{
    memset(out, 0, SL_MERKLE_HASH_LEN);
    if (sl__db_column_bytes(st, i) == SL_MERKLE_HASH_LEN)
        memcpy(out, sl__db_column_blob(st, i), SL_MERKLE_HASH_LEN);
}

static void col_copy(sl__dbst *st, int i, char *out, size_t cap)
{
    const char *t = sl__db_col_text(st, i);
    size_t n = strlen(t);
    if (n >= cap) n = cap - 1;
    memcpy(out, t, n);
    out[n] = '\0';
}

sl_status sl__db_audit_size(void *db, int64_t *size, sl_error *err)
{
    sl__db *s = db;
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_size, &st, err);
    if (status) return status;
    int rc = sl__db_step(st);
    if (rc == SL_DB_ROW) *size = sl__db_column_int64(st, 0);
    sl__db_reset(st);
    return rc == SL_DB_ROW ? SL_OK : sl__db_error(s, rc, "read audit log", err);
}

sl_status sl__db_audit_entries(void *db, int64_t from, int64_t to, sl_audit_entry **out, size_t *n,
                               sl_error *err)
{
    sl__db *s = db;
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_entries, &st, err);
    if (status) return status;
    sl_audit_entry *v = calloc((size_t)(to - from) + 1, sizeof *v);
    if (!v) return nomem(err);
    sl__db_bind_int64(st, 1, from);
    sl__db_bind_int64(st, 2, to);
    size_t k = 0;
    int rc = SL_DB_DONE;
    while (!status && (rc = sl__db_step(st)) == SL_DB_ROW && k < (size_t)(to - from)) {
        sl_audit_entry *e = &v[k];
        e->seq = sl__db_column_int64(st, 0);
        e->at = sl__db_column_int64(st, 1);
        col_copy(st, 2, e->org, sizeof e->org);
        if (!(e->entry = col_dup(st, 3, &e->entry_len))) status = nomem(err);
        col_hash(st, 4, e->leaf);
        k++;
    }
    if (!status && rc != SL_DB_DONE && rc != SL_DB_ROW)
        status = sl__db_error(s, rc, "read audit log", err);
    sl__db_reset(st);
    if (status) {
        sl_store_audit_entries_free(v, k);
        return status;
    }
    *out = v;
    *n = k;
    return SL_OK;
}

sl_status sl__db_audit_leaves(void *db, int64_t from, int64_t to, sl_merkle_hash *out,
                              sl_error *err)
{
    sl__db *s = db;
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_leaves, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, from);
    sl__db_bind_int64(st, 2, to);
    int64_t next = from;
    int rc;
    while ((rc = sl__db_step(st)) == SL_DB_ROW && next < to) {
        if (sl__db_column_int64(st, 0) != next || sl__db_column_bytes(st, 1) != SL_MERKLE_HASH_LEN)
            break;
        col_hash(st, 1, out[next - from]);
        next++;
    }
    sl__db_reset(st);
    if (rc != SL_DB_DONE && rc != SL_DB_ROW) return sl__db_error(s, rc, "read audit log", err);
    if (next != to)
        return sl_error_set(
            err, SL_ERR_STORE, SL_NO_POS,
            "the audit log has no well-formed entry %" PRId64 ": run sangloc audit verify", next);
    return SL_OK;
}

sl_status sl__db_audit_record(void *db, const sl_audit_record *r, int64_t now, sl_error *err)
{
    sl__db *s = db;
    sl__audit_rec rec = {.org = r->org ? r->org : "",
                         .actor = r->actor,
                         .action = r->action,
                         .target = r->target,
                         .before = r->before ? r->before : "",
                         .after = r->after ? r->after : "",
                         .policy_version = r->policy_version ? r->policy_version : "",
                         .data = r->data};
    sl_status status = sl__db_begin_write(s, err);
    if (status) return status;
    return sl__db_commit(s, sl__db_audit_append(s, now, &rec, err), err);
}

sl_status sl__db_checkpoint_add(void *db, int64_t size, const sl_merkle_hash root, const char *note,
                                size_t note_len, const char *key, int64_t now, sl_error *err)
{
    sl__db *s = db;
    int64_t log_size = 0;
    sl_status status = sl__db_begin_write(s, err);
    if (status) return status;
    status = sl__db_audit_size(s, &log_size, err);
    if (!status && size > log_size)
        status =
            sl_error_set(err, SL_ERR_ARG, SL_NO_POS,
                         "checkpoint of %" PRId64 " entries, the log has %" PRId64, size, log_size);
    sl__dbst *st;
    if (!status) status = sl__db_prepare(s, sql_cp_add, &st, err);
    if (!status) {
        sl__db_bind_int64(st, 1, now);
        sl__db_bind_int64(st, 2, size);
        sl__db_bind_blob(st, 3, root, SL_MERKLE_HASH_LEN, SL_DB_STATIC);
        sl__db_bind_text(st, 4, note, (int)note_len, SL_DB_STATIC);
        sl__db_bind_text(st, 5, key, -1, SL_DB_STATIC);
        status = sl__db_run(s, st, "add checkpoint", err);
    }
    return sl__db_commit(s, status, err);
}

static sl_status read_checkpoint(sl__dbst *st, sl_audit_checkpoint *c, sl_error *err)
{
    c->id = sl__db_column_int64(st, 0);
    c->at = sl__db_column_int64(st, 1);
    c->size = sl__db_column_int64(st, 2);
    col_hash(st, 3, c->root);
    col_copy(st, 5, c->key, sizeof c->key);
    return (c->note = col_dup(st, 4, &c->note_len)) ? SL_OK : nomem(err);
}

sl_status sl__db_checkpoints(void *db, int64_t after_id, size_t limit, bool latest,
                             sl_audit_checkpoint **out, size_t *n, sl_error *err)
{
    sl__db *s = db;
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, latest ? sql_cp_latest : sql_cps, &st, err);
    if (status) return status;
    if (latest) limit = 1;
    sl_audit_checkpoint *v = calloc(limit, sizeof *v);
    if (!v) return nomem(err);
    if (!latest) {
        sl__db_bind_int64(st, 1, after_id);
        sl__db_bind_int64(st, 2, (int64_t)limit);
    }
    size_t k = 0;
    int rc = SL_DB_DONE;
    while (!status && k < limit && (rc = sl__db_step(st)) == SL_DB_ROW)
        status = read_checkpoint(st, &v[k++], err);
    if (!status && k < limit && rc != SL_DB_DONE)
        status = sl__db_error(s, rc, "read checkpoints", err);
    sl__db_reset(st);
    if (!status && latest && k == 0)
        status = sl_error_set(err, SL_ERR_NOT_FOUND, SL_NO_POS, "no checkpoint yet");
    if (status) {
        sl_store_audit_checkpoints_free(v, k);
        return status;
    }
    *out = v;
    *n = k;
    return SL_OK;
}
