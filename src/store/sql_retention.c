/* The SQLite backend's retention: purging the raw text of items (and the notes, statements,
 * report and appeal texts about them) whose retention has run out.
 *
 * An item is due when no case of it is open (in any queue: a pending review, a report, an
 * appeal) and neither its receipt nor any of its closed cases (a decision) is later than the
 * cutoff. A batch first reads the due items (and hashes their text), then rewrites them: the
 * rows are not updated while the statement that selects them is still stepping.
 *
 * The connection runs with secure_delete (sql.c), so the bytes a purge frees are zeroed in
 * the file; wal_truncate then empties the write-ahead log, which still holds the pages as they
 * were before. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"
#include "store/sql_db.h"

static const char *const sql_due =
    "SELECT i.id, o.id, i.text, i.policy_version FROM items i "
    "JOIN organizations o ON o.pk = i.org "
    "WHERE i.purged_at IS NULL AND i.received_at <= ?1 AND i.id > ?2 AND NOT EXISTS "
    "(SELECT 1 FROM cases c WHERE c.item = i.id AND (c.closed_at IS NULL OR c.closed_at > ?1)) "
    "AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.item = i.id AND d.decided_at > ?1) "
    "AND NOT EXISTS (SELECT 1 FROM appeals a WHERE a.item = i.id AND "
    "(a.decided_at IS NULL OR a.decided_at > ?1)) "
    "ORDER BY i.id LIMIT ?3";

/* The verdict keeps its shape, offsets, rules and scores; the hits lose the text they quote
 * ("text": the excerpt; "detail": evidence such as the host of a URL in the post). */
static const char *const sql_purge =
    "UPDATE items SET text = '', author = X'', purged_at = ?2, verdict = CASE "
    "WHEN json_valid(verdict) AND json_type(verdict, '$.hits') = 'array' THEN "
    "json_set(verdict, '$.hits', json((SELECT json_group_array(json_remove(value, '$.text', "
    "'$.detail')) FROM json_each(verdict, '$.hits')))) ELSE verdict END "
    "WHERE id = ?1 AND purged_at IS NULL";
static const char *const pg_purge =
    "UPDATE items SET text = '', author = ''::bytea, purged_at = ?2, verdict = CASE "
    "WHEN jsonb_typeof(sl_jsonb(verdict) -> 'hits') = 'array' THEN "
    "jsonb_set(sl_jsonb(verdict), '{hits}', (SELECT coalesce(jsonb_agg(CASE jsonb_typeof(h) "
    "WHEN 'object' THEN h - 'text' - 'detail' ELSE h END ORDER BY n), '[]') "
    "FROM jsonb_array_elements(sl_jsonb(verdict) -> 'hits') "
    "WITH ORDINALITY AS x(h, n)))::text ELSE verdict END "
    "WHERE id = ?1 AND purged_at IS NULL";

/* The private and free texts of the review workflow go with the post: reviewers' notes and
 * statements, readers' report texts, authors' appeal texts and appeals' reasons. Their hashes
 * stay in the audit entries that recorded them. */
static const char *const sql_purge_workflow[] = {
    "UPDATE decisions SET note = '', statement = NULL WHERE item = ?1",
    "UPDATE reports SET text = NULL, reporter = NULL WHERE item = ?1",
    "UPDATE appeals SET text = '', reason = NULL WHERE item = ?1",
};

typedef struct due_item {
    int64_t id;
    char org[SL_STORE_MAX_ORG_ID + 1];
    char pver[SL_STORE_MAX_POLICY_VERSION + 1];
    char text_sha256[2 * SL_AUDIT_HASH_LEN + 1];
} due_item;

/* Up to limit due items after `after` into out; *more when one more row was there. */
static sl_status read_due(sl__db *s, int64_t cutoff, int64_t after, size_t limit, due_item *out,
                          size_t *n, bool *more, sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_due, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, cutoff);
    sl__db_bind_int64(st, 2, after);
    sl__db_bind_int64(st, 3, (int64_t)limit + 1);
    int rc;
    *n = 0;
    *more = false;
    while ((rc = sl__db_step(st)) == SL_DB_ROW) {
        if (*n == limit) {
            *more = true;
            break;
        }
        due_item *d = &out[(*n)++];
        d->id = sl__db_column_int64(st, 0);
        sl__db_copy_text(d->org, sizeof d->org, sl__db_col_text(st, 1));
        const void *text = sl__db_column_blob(st, 2);
        sl__audit_sha256_hex(text ? text : "", (size_t)sl__db_column_bytes(st, 2), d->text_sha256);
        sl__db_copy_text(d->pver, sizeof d->pver, sl__db_col_text(st, 3));
    }
    sl__db_reset(st);
    return rc == SL_DB_ROW || rc == SL_DB_DONE ? SL_OK
                                               : sl__db_error(s, rc, "find items to purge", err);
}

/* Purges one due item; *done says whether it was (not when another process just did). */
static sl_status purge_one(sl__db *s, const due_item *d, int64_t now, bool *done, sl_error *err)
{
    *done = false;
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, SL_DB_SQL(s, sql_purge, pg_purge), &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, d->id);
    sl__db_bind_int64(st, 2, now);
    if ((status = sl__db_run(s, st, "purge item", err))) return status;
    if (sl__db_changes(s) != 1) return SL_OK; /* purged meanwhile by another process */
    *done = true;
    for (size_t k = 0; k < sizeof sql_purge_workflow / sizeof *sql_purge_workflow; k++) {
        if ((status = sl__db_prepare(s, sql_purge_workflow[k], &st, err))) return status;
        sl__db_bind_int64(st, 1, d->id);
        if ((status = sl__db_run(s, st, "purge review texts", err))) return status;
    }
    status = sl__db_add_event(s, d->id, now, 0, "purged", -1, -1, "", err);
    if (status) return status;
    char target[32], data[96];
    snprintf(target, sizeof target, "item:%" PRId64, d->id);
    snprintf(data, sizeof data, "{\"text_sha256\":\"%s\"}", d->text_sha256);
    sl__audit_rec rec = {.org = d->org,
                         .action = "item.purge",
                         .target = target,
                         .before = "",
                         .after = "",
                         .policy_version = d->pver,
                         .data = data};
    return sl__db_audit_append(s, now, &rec, err);
}

sl_status sl__db_purge_batch(void *db, int64_t cutoff, int64_t after, size_t limit, bool dry_run,
                             int64_t now, size_t *n, int64_t *last, bool *more, sl_error *err)
{
    sl__db *s = db;
    *n = 0;
    *more = false;
    due_item *due = malloc(limit * sizeof *due);
    if (!due) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    /* a dry run reads in its own read transaction; a purge reads under the write lock, so what
       it read is still due when it writes */
    sl_status status = dry_run ? sl__db_exec(s, "BEGIN", err) : sl__db_begin_write(s, err);
    if (!status) status = read_due(s, cutoff, after, limit, due, n, more, err);
    size_t nread = *n, purged = 0;
    for (size_t i = 0; i < nread && !status && !dry_run; i++) {
        bool done;
        status = purge_one(s, &due[i], now, &done, err);
        purged += done;
    }
    status = sl__db_commit(s, status, err);
    if (!status && nread) *last = due[nread - 1].id;
    *n = status ? 0 : dry_run ? nread : purged;
    free(due);
    return status;
}

sl_status sl__db_wal_truncate(void *db, bool *done, sl_error *err)
{
    sl__db *s = db;
    *done = true;
    if (s->kind == SL_DB_POSTGRES) return SL_OK; /* the server owns its write-ahead log */
    *done = false;
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, "PRAGMA wal_checkpoint(TRUNCATE)", &st, err);
    if (status) return status;
    int rc = sl__db_step(st);
    if (rc == SL_DB_ROW) *done = sl__db_column_int(st, 0) == 0;
    sl__db_reset(st);
    if (rc == SL_DB_ROW) return SL_OK;
    /* busy: a reader still needs the log; the next checkpoint empties it */
    status = sl__db_error(s, rc, "checkpoint", err);
    return status == SL_ERR_BUSY ? SL_OK : status;
}
