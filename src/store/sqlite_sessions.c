/* The SQLite backend's browser sessions (migration 0009_sessions; contract: backend.h). A
 * session row is keyed by the SHA-256 of its id; the token it belongs to must be live for the
 * session to be. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "store/backend.h"
#include "store/sqlite_db.h"

static const char *const sql_live_token =
    "SELECT " SL_SQ_TOKEN_COLS " FROM tokens t LEFT JOIN organizations o ON o.pk = t.org "
    "WHERE t.id = ?1 AND t.revoked_at IS NULL";
static const char *const sql_sweep = "DELETE FROM sessions WHERE expires_at <= ?1";
static const char *const sql_insert =
    "INSERT INTO sessions (id_hash, token, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, "
    "?5)";
static const char *const sql_find =
    "SELECT " SL_SQ_TOKEN_COLS ", s.csrf, s.created_at, s.expires_at FROM sessions s "
    "JOIN tokens t ON t.id = s.token LEFT JOIN organizations o ON o.pk = t.org "
    "WHERE s.id_hash = ?1 AND s.expires_at > ?2 AND t.revoked_at IS NULL";
static const char *const sql_delete = "DELETE FROM sessions WHERE id_hash = ?1";

static sl_status audit_session(sq *s, int64_t now, const sl_token_info *t, const char *action,
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
    return sl__sq_audit_append(s, now, &rec, err);
}

sl_status sl__sq_session_insert(void *db, const unsigned char hash[SL_STORE_HASH_LEN],
                                int64_t token_id, const char *csrf, int64_t now, int64_t expires_at,
                                sl_session *out, sl_error *err)
{
    sq *s = db;
    sl_status st = sl__sq_begin_write(s, err);
    if (st) return st;
    sqlite3_stmt *q;
    *out = (sl_session){.created_at = now, .expires_at = expires_at};
    if (!(st = sl__sq_prepare(s, sql_live_token, &q, err))) {
        sqlite3_bind_int64(q, 1, token_id);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW)
            sl__sq_read_token(q, &out->token);
        else
            st = rc == SQLITE_DONE ? sl_error_set(err, SL_ERR_AUTH, SL_NO_POS, "no live token")
                                   : sl__sq_error(s, rc, "read token", err);
        sqlite3_reset(q);
    }
    if (!st && !(st = sl__sq_prepare(s, sql_sweep, &q, err))) {
        sqlite3_bind_int64(q, 1, now);
        st = sl__sq_run(s, q, "delete expired sessions", err);
    }
    if (!st && !(st = sl__sq_prepare(s, sql_insert, &q, err))) {
        sqlite3_bind_blob(q, 1, hash, SL_STORE_HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, token_id);
        sqlite3_bind_text(q, 3, csrf, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 4, now);
        sqlite3_bind_int64(q, 5, expires_at);
        st = sl__sq_run(s, q, "create session", err);
    }
    if (!st) {
        sl__sq_copy_text(out->csrf, sizeof out->csrf, csrf);
        st = audit_session(s, now, &out->token, "session.login", expires_at, err);
    }
    return sl__sq_commit(s, st, err);
}

/* The live session of hash into *out (SL_ERR_AUTH when none). */
static sl_status find(sq *s, const unsigned char *hash, int64_t now, sl_session *out, sl_error *err)
{
    sqlite3_stmt *q;
    sl_status st = sl__sq_prepare(s, sql_find, &q, err);
    if (st) return st;
    sqlite3_bind_blob(q, 1, hash, SL_STORE_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, now);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *out = (sl_session){0};
        sl__sq_read_token(q, &out->token);
        sl__sq_copy_text(out->csrf, sizeof out->csrf, sl__sq_col_text(q, 7));
        out->created_at = sqlite3_column_int64(q, 8);
        out->expires_at = sqlite3_column_int64(q, 9);
    } else {
        st = rc == SQLITE_DONE ? sl_error_set(err, SL_ERR_AUTH, SL_NO_POS, "no session")
                               : sl__sq_error(s, rc, "read session", err);
    }
    sqlite3_reset(q);
    return st;
}

sl_status sl__sq_session_find(void *db, const unsigned char hash[SL_STORE_HASH_LEN], int64_t now,
                              sl_session *out, sl_error *err)
{
    return find(db, hash, now, out, err);
}

sl_status sl__sq_session_end(void *db, const unsigned char hash[SL_STORE_HASH_LEN], int64_t now,
                             sl_error *err)
{
    sq *s = db;
    sl_status st = sl__sq_begin_write(s, err);
    if (st) return st;
    sl_session ses;
    st = find(s, hash, now, &ses, err);
    sqlite3_stmt *q;
    if (!st && !(st = sl__sq_prepare(s, sql_delete, &q, err))) {
        sqlite3_bind_blob(q, 1, hash, SL_STORE_HASH_LEN, SQLITE_STATIC);
        st = sl__sq_run(s, q, "end session", err);
    }
    if (!st) st = audit_session(s, now, &ses.token, "session.logout", 0, err);
    return sl__sq_commit(s, st, err);
}
