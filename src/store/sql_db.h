/* store/sql_db.h — what the SQL backend's files share (internal).
 *
 * The backend runs on SQLite and on PostgreSQL through store/sql.h. It is split by concern:
 * sql_core.c (organizations, tokens, items, queues), sql_audit.c (the audit log) and one file
 * per later concern. Each file keeps its SQL beside its code and prepares it through
 * sl__db_prepare(), which caches one prepared statement per SQL string literal for the life of
 * the connection. */
#ifndef SL_STORE_SQL_DB_H
#define SL_STORE_SQL_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "sangloc/buf.h"
#include "sangloc/store.h"
#include "sangloc/status.h"
#include "store/audit.h"
#include "store/backend.h"
#include "store/sql.h"

/* Binds (p, len) as text; NULL p binds SQL NULL when nullable, else the empty string. */
int sl__db_bind_str(sl__dbst *st, int i, const char *p, size_t len, int nullable);
int sl__db_bind_id(sl__dbst *st, int i, int64_t v); /* 0 means none: NULL */
/* Runs an INSERT ... RETURNING id: *id is the new row's id, or 0 when the statement inserted
 * nothing (ON CONFLICT DO NOTHING). */
sl_status sl__db_insert(sl__db *s, sl__dbst *st, int64_t *id, const char *doing, sl_error *err);
/* Runs a statement that returns no row. */
sl_status sl__db_run(sl__db *s, sl__dbst *st, const char *doing, sl_error *err);
/* The same, for a statement whose changes count is not read: on PostgreSQL its outcome may
 * arrive later (sl__db_step_deferred), failing the transaction then; doing: a string literal. */
sl_status sl__db_run_deferred(sl__db *s, sl__dbst *st, const char *doing, sl_error *err);
const char *sl__db_col_text(sl__dbst *st, int i); /* "" for NULL */
/* Copies src into dst (cap bytes), cut to fit and NUL-terminated. */
void sl__db_copy_text(char *dst, size_t cap, const char *src);

/* A token's columns, in the order sl__db_read_token() reads them (tokens t, organizations o). */
#define SL_DB_TOKEN_COLS                                                                           \
    "t.id, t.name, t.role, coalesce(o.id, ''), t.created_at, coalesce(t.revoked_at, 0), "          \
    "coalesce(t.last_used_at, 0)"
/* Reads the SL_DB_TOKEN_COLS at the start of st's row into t. */
void sl__db_read_token(sl__dbst *st, sl_token_info *t);

/* The internal key of an org: SL_ERR_NOT_FOUND when it does not exist. */
sl_status sl__db_org_pk(sl__db *s, const char *id, int64_t *pk, sl_error *err);
/* Appends to an item's history (item_events); from/to -1: the state did not change. */
sl_status sl__db_add_event(sl__db *s, int64_t item, int64_t at, int64_t actor, const char *what,
                           int from, int to, const char *detail, sl_error *err);

/* Appends rec to the audit log as the next entry, at time now. Call it inside the write
 * transaction of the change it records (sql_audit.c). */
sl_status sl__db_audit_append(sl__db *s, int64_t now, const sl__audit_rec *rec, sl_error *err);

/* The backend's later operations, one file per concern (their contracts: backend.h). */
sl_status sl__db_rescreen_list(void *db, const char *org, int64_t since, int64_t after,
                               size_t limit, sl_rescreen_page *page, sl_error *err);
sl_status sl__db_rescreen_apply(void *db, const char *org, int64_t actor,
                                const sl_rescreen_update *u, const bool *opens_case, size_t n,
                                int64_t now, sl_rescreen_result *res, sl_error *err);
sl_status sl__db_purge_batch(void *db, int64_t cutoff, int64_t after, size_t limit, bool dry_run,
                             int64_t now, size_t *n, int64_t *last, bool *more, sl_error *err);
sl_status sl__db_wal_truncate(void *db, bool *done, sl_error *err);
/* Makes a notice of an item (kind "decision", "automated_hide" or "appeal_outcome"; decision
 * and appeal 0 when none) with its history row and audit entry; *appeal_until receives its
 * window's end (0 when n has no appeal token). Inside the caller's write transaction
 * (sql_workflow.c). */
sl_status sl__db_notice_create(sl__db *s, int64_t org, const char *org_id, int64_t item,
                               const char *kind, int64_t decision, int64_t appeal,
                               const sl_store_rule_ref *rule, const sl__notice_new *n, int64_t now,
                               int64_t actor, int64_t *appeal_until, sl_error *err);

/* The workflow operations of the backend (sql_workflow.c; backend.h says what each does). */
sl_status sl__db_item_version(void *db, const char *org, const char *channel, size_t channel_len,
                              const char *id, size_t id_len, int64_t *version, sl_error *err);
sl_status sl__db_decide(void *db, const char *org, int64_t actor, const sl_store_decision_in *in,
                        sl__notice_new *notice, int64_t now, sl_store_decision_out *out,
                        sl_store_refusal *refusal, sl_error *err);
sl_status sl__db_notice_get(void *db, const char *org, const char *id,
                            const unsigned char *token_hash, sl_store_notice *out, sl_error *err);
sl_status sl__db_report(void *db, const char *org, int64_t actor, const sl_store_report_in *in,
                        const unsigned char *reporter, const sl__notice_new *token, int64_t now,
                        sl_store_report_out *out, sl_error *err);
sl_status sl__db_case_reports(void *db, const char *org, int64_t case_id,
                              sl_store_case_reports *out, sl_error *err);
sl_status sl__db_appeal(void *db, int64_t lookup, const unsigned char hash[SL_STORE_HASH_LEN],
                        const char *text, size_t text_len, int64_t now, sl_store_appeal_out *out,
                        sl_store_refusal *refusal, sl_error *err);
sl_status sl__db_appeal_get(void *db, const char *org, int64_t id, int64_t case_id,
                            sl_store_appeal_info *out, sl_error *err);
sl_status sl__db_appeal_decide(void *db, const char *org, int64_t actor, int64_t id,
                               sl_store_appeal_outcome outcome, const char *reason,
                               size_t reason_len, sl__notice_new *notice, int64_t now,
                               sl_store_appeal_decision_out *out, sl_store_refusal *refusal,
                               sl_error *err);
sl_status sl__db_queue_times(void *db, const char *org, const char *queue, int64_t since,
                             sl_queue_times *out, sl_error *err);
/* The webhook outbox (sql_webhooks.c): the backend's webhook_* operations. */
sl_status sl__db_webhook_take(void *db, const char *org, size_t max, int64_t now, size_t *entries,
                              size_t *made, sl_error *err);
sl_status sl__db_webhook_due(void *db, const char *org, size_t max, int64_t now,
                             sl_webhook_delivery **out, size_t *n, sl_error *err);
sl_status sl__db_webhook_record(void *db, sl_webhook_outcome *o, size_t n, int max_attempts,
                                int64_t now, sl_error *err);
sl_status sl__db_webhook_stats(void *db, const char *org, sl_webhook_stats *stats, sl_error *err);
/* The statements of reasons (sql_transparency.c). */
sl_status sl__db_statements(void *db, const char *org, int64_t since, const sl__cursor *after,
                            size_t limit, sl_statement_page *page, bool *more, sl__cursor *last,
                            sl_error *err);
/* The audit log's reads, checkpoints and appends from outside the store (sql_audit.c) and its
 * derived-table checks (sql_audit_checks.c): the backend ops of backend.h. */
sl_status sl__db_audit_size(void *db, int64_t *size, sl_error *err);
sl_status sl__db_audit_entries(void *db, int64_t from, int64_t to, sl_audit_entry **out, size_t *n,
                               sl_error *err);
sl_status sl__db_audit_leaves(void *db, int64_t from, int64_t to, sl_merkle_hash *out,
                              sl_error *err);
sl_status sl__db_audit_record(void *db, const sl_audit_record *rec, int64_t now, sl_error *err);
sl_status sl__db_checkpoint_add(void *db, int64_t size, const sl_merkle_hash root, const char *note,
                                size_t note_len, const char *key, int64_t now, sl_error *err);
sl_status sl__db_checkpoints(void *db, int64_t after_id, size_t limit, bool latest,
                             sl_audit_checkpoint **out, size_t *n, sl_error *err);
sl_status sl__db_audit_check_tables(void *db, sl_audit_report *report, sl_error *err);
/* Browser sessions (sql_sessions.c): the backend's session_* operations. */
sl_status sl__db_session_insert(void *db, const unsigned char hash[SL_STORE_HASH_LEN],
                                int64_t token_id, const char *csrf, int64_t now, int64_t expires_at,
                                sl_session *out, sl_error *err);
sl_status sl__db_session_find(void *db, const unsigned char hash[SL_STORE_HASH_LEN], int64_t now,
                              sl_session *out, sl_error *err);
sl_status sl__db_session_end(void *db, const unsigned char hash[SL_STORE_HASH_LEN], int64_t now,
                             sl_error *err);
/* Dashboard statistics (sql_stats.c): the backend's stats operation. */
sl_status sl__db_stats(void *db, const char *org, int64_t since, int64_t until, int64_t width_ms,
                       sl_stats *out, sl_error *err);

#endif
