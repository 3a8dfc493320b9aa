/* The SQLite backend's audit log: appending entries inside the caller's write transaction.
 *
 * The next seq is read under the write lock (BEGIN IMMEDIATE), so concurrent writers from any
 * handle or process append one gapless sequence. */
#include <string.h>

#include "store/sqlite_db.h"

static const char *const sql_next_seq = "SELECT coalesce(max(seq) + 1, 0) FROM audit_log";
static const char *const sql_actor = "SELECT name FROM tokens WHERE id = ?1";
static const char *const sql_append =
    "INSERT INTO audit_log (seq, at, org, entry, leaf) VALUES (?1, ?2, ?3, ?4, ?5)";

static sl_status next_seq(sq *s, int64_t *seq, sl_error *err)
{
    sqlite3_stmt *st;
    sl_status status = sl__sq_prepare(s, sql_next_seq, &st, err);
    if (status) return status;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *seq = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? SL_OK : sl__sq_error(s, rc, "read audit log", err);
}

/* The token's name into name (cap bytes), "" for the system or a token that is gone. */
static sl_status actor_name(sq *s, int64_t actor, char *name, size_t cap, sl_error *err)
{
    name[0] = '\0';
    if (!actor) return SL_OK;
    sqlite3_stmt *st;
    sl_status status = sl__sq_prepare(s, sql_actor, &st, err);
    if (status) return status;
    sqlite3_bind_int64(st, 1, actor);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *t = sl__sq_col_text(st, 0);
        size_t n = strlen(t);
        if (n >= cap) n = cap - 1;
        memcpy(name, t, n);
        name[n] = '\0';
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SL_OK : sl__sq_error(s, rc, "read token", err);
}

sl_status sl__sq_audit_append(sq *s, int64_t now, const sl__audit_rec *rec, sl_error *err)
{
    int64_t seq = 0;
    char name[256];
    sl_status status = next_seq(s, &seq, err);
    if (!status) status = actor_name(s, rec->actor, name, sizeof name, err);
    if (status) return status;
    sl_buf_clear(&s->entry);
    if (sl__audit_encode(&s->entry, seq, now, name, rec))
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    unsigned char leaf[SL_AUDIT_HASH_LEN];
    sl__audit_leaf(s->entry.data, s->entry.len, leaf);
    sqlite3_stmt *st;
    if ((status = sl__sq_prepare(s, sql_append, &st, err))) return status;
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, rec->org ? rec->org : "", -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, s->entry.data, (int)s->entry.len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, leaf, sizeof leaf, SQLITE_STATIC);
    return sl__sq_run(s, st, "append to audit log", err);
}
