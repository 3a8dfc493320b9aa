/* The SQLite backend's browser sessions (migration 0009_sessions; contract: backend.h). A
 * session row is keyed by the SHA-256 of its id; the token it belongs to must be live for the
 * session to be. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "store/backend.h"
#include "store/sql_db.h"

static const char *const sql_live_token =
    "SELECT " SL_DB_TOKEN_COLS " FROM tokens t LEFT JOIN organizations o ON o.pk = t.org "
    "WHERE t.id = ?1 AND t.revoked_at IS NULL";
static const char *const sql_sweep = "DELETE FROM sessions WHERE expires_at <= ?1";
static const char *const sql_insert =
    "INSERT INTO sessions (id_hash, token, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, "
    "?5)";
static const char *const sql_find =
    "SELECT " SL_DB_TOKEN_COLS ", s.csrf, s.created_at, s.expires_at FROM sessions s "
    "JOIN tokens t ON t.id = s.token LEFT JOIN organizations o ON o.pk = t.org "
    "WHERE s.id_hash = ?1 AND s.expires_at > ?2 AND t.revoked_at IS NULL";
static const char *const sql_delete = "DELETE FROM sessions WHERE id_hash = ?1";

static sl_status audit_session(sl__db *s, int64_t now, const sl_token_info *t, const char *action,
                               int64_t expires_at, sl_error *err)
{
    char target[32], data[64];
    snprintf(target, sizeof target, "token:%" PRId64, t->id);
    if (expires_at) snprintf(data, sizeof data, "{\"expires_at\":%" PRId64 "}", expires_at);
    sl__audit_rec rec = {.org = t->org,
                         .actor = t->id,
                         .action = action,
                         .target = target,
                         .data = expires_at ? data : NULL};
    return sl__db_audit_append(s, now, &rec, err);
}

sl_status sl__db_session_insert(void *db, const unsigned char hash[SL_STORE_HASH_LEN],
                                int64_t token_id, const char *csrf, int64_t now, int64_t expires_at,
                                sl_session *out, sl_error *err)
{
    sl__db *s = db;
    sl_status st = sl__db_begin_write(s, err);
    if (st) return st;
    sl__dbst *q;
    *out = (sl_session){.created_at = now, .expires_at = expires_at};
    if (!(st = sl__db_prepare(s, sql_live_token, &q, err))) {
        sl__db_bind_int64(q, 1, token_id);
        int rc = sl__db_step(q);
        if (rc == SL_DB_ROW)
            sl__db_read_token(q, &out->token);
        else
            st = rc == SL_DB_DONE ? sl_error_set(err, SL_ERR_AUTH, SL_NO_POS, "no live token")
                                  : sl__db_error(s, rc, "read token", err);
        sl__db_reset(q);
    }
    if (!st && !(st = sl__db_prepare(s, sql_sweep, &q, err))) {
        sl__db_bind_int64(q, 1, now);
        st = sl__db_run(s, q, "delete expired sessions", err);
    }
    if (!st && !(st = sl__db_prepare(s, sql_insert, &q, err))) {
        sl__db_bind_blob(q, 1, hash, SL_STORE_HASH_LEN, SL_DB_STATIC);
        sl__db_bind_int64(q, 2, token_id);
        sl__db_bind_text(q, 3, csrf, -1, SL_DB_STATIC);
        sl__db_bind_int64(q, 4, now);
        sl__db_bind_int64(q, 5, expires_at);
        st = sl__db_run(s, q, "create session", err);
    }
    if (!st) {
        sl__db_copy_text(out->csrf, sizeof out->csrf, csrf);
        st = audit_session(s, now, &out->token, "session.login", expires_at, err);
    }
    return sl__db_commit(s, st, err);
}

/* The live session of hash into *out (SL_ERR_AUTH when none). */
static sl_status find(sl__db *s, const unsigned char *hash, int64_t now, sl_session *out,
                      sl_error *err)
{
    sl__dbst *q;
    sl_status st = sl__db_prepare(s, sql_find, &q, err);
    if (st) return st;
    sl__db_bind_blob(q, 1, hash, SL_STORE_HASH_LEN, SL_DB_STATIC);
    sl__db_bind_int64(q, 2, now);
    int rc = sl__db_step(q);
    if (rc == SL_DB_ROW) {
        *out = (sl_session){0};
        sl__db_read_token(q, &out->token);
        sl__db_copy_text(out->csrf, sizeof out->csrf, sl__db_col_text(q, 7));
        out->created_at = sl__db_column_int64(q, 8);
        out->expires_at = sl__db_column_int64(q, 9);
    } else {
        st = rc == SL_DB_DONE ? sl_error_set(err, SL_ERR_AUTH, SL_NO_POS, "no session")
                              : sl__db_error(s, rc, "read session", err);
    }
    sl__db_reset(q);
    return st;
}

sl_status sl__db_session_find(void *db, const unsigned char hash[SL_STORE_HASH_LEN], int64_t now,
                              sl_session *out, sl_error *err)
{
    return find(db, hash, now, out, err);
}

sl_status sl__db_session_end(void *db, const unsigned char hash[SL_STORE_HASH_LEN], int64_t now,
                             sl_error *err)
{
    sl__db *s = db;
    sl_status st = sl__db_begin_write(s, err);
    if (st) return st;
    sl_session ses;
    st = find(s, hash, now, &ses, err);
    sl__dbst *q;
    if (!st && !(st = sl__db_prepare(s, sql_delete, &q, err))) {
        sl__db_bind_blob(q, 1, hash, SL_STORE_HASH_LEN, SL_DB_STATIC);
        st = sl__db_run(s, q, "end session", err);
    }
    if (!st) st = audit_session(s, now, &ses.token, "session.logout", 0, err);
    return sl__db_commit(s, st, err);
}
