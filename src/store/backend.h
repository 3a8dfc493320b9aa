/* store/backend.h — the seam between the store's contract and a database (internal).
 *
 * src/store/store.c implements sangloc/store.h once for every backend: it checks arguments and
 * limits, reads the clock, derives pseudonyms and token hashes, maps actions to states and
 * encodes cursors. A backend (sqlite.c today, PostgreSQL later) only runs the statements: each
 * operation below is one transaction, receives validated input and the time `now`, and must
 * keep every read and write inside the organization it is given. Adding a backend is a new
 * file with one sl_store_backend and one line in store.c's URL table; callers do not change. */
#ifndef SL_STORE_BACKEND_H
#define SL_STORE_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "sangloc/store.h"
#include "store/cursor.h"

#define SL_STORE_HASH_LEN 32 /* token hashes and author pseudonyms */

/* A notice about to be made: its random id and, when it can be appealed, the appeal token
 * (text for the caller, hash for the table) and the window (store/workflow.c makes them). */
typedef struct sl__notice_new {
    char id[SL_NOTICE_ID_SIZE];
    char token[SL_APPEAL_TOKEN_SIZE]; /* "" for a notice that cannot be appealed */
    unsigned char hash[SL_STORE_HASH_LEN];
    int64_t lookup;
    int64_t window_ms;
} sl__notice_new;

/* One item after validation: the caller's fields plus what the store derived. */
typedef struct sl__store_row {
    const sl_store_item *in;
    unsigned char author[SL_STORE_HASH_LEN]; /* HMAC-SHA-256 pseudonym */
    sl_item_state state;                     /* the state a new item starts in */
    bool opens_case;                         /* review and hide put it in "pending" */
    int64_t severity;                        /* score in millionths */
    sl__notice_new notice;                   /* for a hidden item: its automated-hide notice */
} sl__store_row;

typedef struct sl_store_backend {
    const char *name;
    sl_status (*open)(const char *target, const sl_store_options *options, void **db,
                      sl_error *err);
    void (*close)(void *db);
    int (*schema_version)(void *db);

    sl_status (*org_put)(void *db, const char *id, const char *name, sl_error *err);
    sl_status (*org_exists)(void *db, const char *id, sl_error *err);

    /* org NULL: a global token. Fills info (id, times) from what was inserted. */
    sl_status (*token_insert)(void *db, const char *name, sl_role role, const char *org,
                              int64_t lookup, const unsigned char hash[SL_STORE_HASH_LEN],
                              int64_t now, sl_token_info *info, sl_error *err);
    /* The live token whose hash equals hash (compared with sl__store_hash_equal); records
     * last_used_at when it is older than a minute. SL_ERR_AUTH when none. */
    sl_status (*token_find)(void *db, int64_t lookup, const unsigned char hash[SL_STORE_HASH_LEN],
                            int64_t now, sl_token_info *info, sl_error *err);
    sl_status (*token_list)(void *db, sl_token_info **out, size_t *n, sl_error *err);
    sl_status (*token_revoke)(void *db, int64_t id, int64_t now, sl_error *err);

    sl_status (*ingest)(void *db, const char *org, int64_t actor, const sl__store_row *rows,
                        size_t n, int64_t now, sl_ingest_result *results, sl_error *err);
    sl_status (*item_get)(void *db, const char *org, const char *channel, size_t channel_len,
                          const char *id, size_t id_len, sl_store_record **out, sl_error *err);
    sl_status (*item_verdict)(void *db, const char *org, int64_t item, char **json, size_t *len,
                              sl_error *err);

    /* Entries strictly after `after` (NULL: from the top), at most limit; *more says whether
     * another entry follows, and *last is the sort key of the last entry returned. */
    sl_status (*queue_list)(void *db, const char *org, const char *queue, size_t limit,
                            const sl__cursor *after, int64_t now, sl_queue_page *page, bool *more,
                            sl__cursor *last, sl_error *err);
    sl_status (*queue_claim)(void *db, const char *org, const char *queue, int64_t reviewer,
                             size_t n, int64_t lease_until, int64_t now, sl_queue_entry *out,
                             size_t *n_out, sl_error *err);
    sl_status (*queue_stats)(void *db, const char *org, const char *queue, int64_t now,
                             sl_queue_stats *stats, sl_error *err);

    /* rescreen (sql_rescreen.c): list reads; apply is one transaction. opens_case[i]: the
     * update moves item i from allow/warn to review/hide (a case opens if none is open). */
    sl_status (*rescreen_list)(void *db, const char *org, int64_t since, int64_t after,
                               size_t limit, sl_rescreen_page *page, sl_error *err);
    sl_status (*rescreen_apply)(void *db, const char *org, int64_t actor,
                                const sl_rescreen_update *u, const bool *opens_case, size_t n,
                                int64_t now, sl_rescreen_result *res, sl_error *err);

    /* retention (sql_retention.c): purges (or counts, dry_run) up to limit eligible items
     * numbered above after, in one transaction; *n how many were purged (counted), *last the
     * number of the last one read, *more whether more may follow. */
    sl_status (*purge_batch)(void *db, int64_t cutoff, int64_t after, size_t limit, bool dry_run,
                             int64_t now, size_t *n, int64_t *last, bool *more, sl_error *err);
    /* Empties the write-ahead log into the file when no reader needs it (*done). */
    sl_status (*wal_truncate)(void *db, bool *done, sl_error *err);
    /* ---- the review workflow (sangloc/store.h says what each does); a refusal is
     * SL_ERR_CONFLICT with *refusal set and nothing written ---- */
    sl_status (*item_version)(void *db, const char *org, const char *channel, size_t channel_len,
                              const char *id, size_t id_len, int64_t *version, sl_error *err);
    sl_status (*decide)(void *db, const char *org, int64_t actor, const sl_store_decision_in *in,
                        sl__notice_new *notice, int64_t now, sl_store_decision_out *out,
                        sl_store_refusal *refusal, sl_error *err);
    /* token_hash NULL: no token check (the caller is a token of the org) */
    sl_status (*notice_get)(void *db, const char *org, const char *id,
                            const unsigned char *token_hash, sl_store_notice *out, sl_error *err);
    /* reporter NULL: none given; token: the report's appeal token (hash and lookup) */
    sl_status (*report)(void *db, const char *org, int64_t actor, const sl_store_report_in *in,
                        const unsigned char *reporter, const sl__notice_new *token, int64_t now,
                        sl_store_report_out *out, sl_error *err);
    sl_status (*case_reports)(void *db, const char *org, int64_t case_id,
                              sl_store_case_reports *out, sl_error *err);
    sl_status (*appeal)(void *db, int64_t lookup, const unsigned char hash[SL_STORE_HASH_LEN],
                        const char *text, size_t text_len, int64_t now, sl_store_appeal_out *out,
                        sl_store_refusal *refusal, sl_error *err);
    sl_status (*appeal_get)(void *db, const char *org, int64_t id, int64_t case_id,
                            sl_store_appeal_info *out, sl_error *err);
    sl_status (*appeal_decide)(void *db, const char *org, int64_t actor, int64_t id,
                               sl_store_appeal_outcome outcome, const char *reason,
                               size_t reason_len, sl__notice_new *notice, int64_t now,
                               sl_store_appeal_decision_out *out, sl_store_refusal *refusal,
                               sl_error *err);
    sl_status (*queue_times)(void *db, const char *org, const char *queue, int64_t since,
                             sl_queue_times *out, sl_error *err);
    /* webhooks: the events, bodies and backoff come from store/webhooks.h */
    sl_status (*webhook_take)(void *db, const char *org, size_t max, int64_t now, size_t *entries,
                              size_t *made, sl_error *err);
    sl_status (*webhook_due)(void *db, const char *org, size_t max, int64_t now,
                             sl_webhook_delivery **out, size_t *n, sl_error *err);
    /* outcomes in one transaction; SL_ERR_NOT_FOUND when n is 1 and its id is not pending */
    sl_status (*webhook_record)(void *db, sl_webhook_outcome *o, size_t n, int max_attempts,
                                int64_t now, sl_error *err);
    sl_status (*webhook_stats)(void *db, const char *org, sl_webhook_stats *stats, sl_error *err);
    /* transparency (sql_transparency.c): statements strictly after `after` (NULL: from the
     * first) applied at or after since; *more and *last as queue_list */
    sl_status (*statements)(void *db, const char *org, int64_t since, const sl__cursor *after,
                            size_t limit, sl_statement_page *page, bool *more, sl__cursor *last,
                            sl_error *err);
    /* The audit log (see sangloc/store.h). entries: rows with seq in [from, to), gaps allowed;
     * leaves: exactly to - from leaves into out, SL_ERR_STORE for a missing row; checkpoints:
     * id > after_id in id order, or (latest) only the last one, SL_ERR_NOT_FOUND if none;
     * check_tables: the derived-table checks, the first disagreement into report. */
    sl_status (*audit_size)(void *db, int64_t *size, sl_error *err);
    sl_status (*audit_entries)(void *db, int64_t from, int64_t to, sl_audit_entry **out, size_t *n,
                               sl_error *err);
    sl_status (*audit_leaves)(void *db, int64_t from, int64_t to, sl_merkle_hash *out,
                              sl_error *err);
    sl_status (*audit_record)(void *db, const sl_audit_record *rec, int64_t now, sl_error *err);
    sl_status (*checkpoint_add)(void *db, int64_t size, const sl_merkle_hash root, const char *note,
                                size_t note_len, const char *key, int64_t now, sl_error *err);
    sl_status (*checkpoints)(void *db, int64_t after_id, size_t limit, bool latest,
                             sl_audit_checkpoint **out, size_t *n, sl_error *err);
    sl_status (*audit_check_tables)(void *db, sl_audit_report *report, sl_error *err);
    /* browser sessions (sql_sessions.c): hash is the SHA-256 of the session id. insert
     * checks that the token is live (SL_ERR_AUTH) and appends session.login; find answers
     * SL_ERR_AUTH for no live session; end deletes it and appends session.logout. */
    sl_status (*session_insert)(void *db, const unsigned char hash[SL_STORE_HASH_LEN],
                                int64_t token_id, const char *csrf, int64_t now, int64_t expires_at,
                                sl_session *out, sl_error *err);
    sl_status (*session_find)(void *db, const unsigned char hash[SL_STORE_HASH_LEN], int64_t now,
                              sl_session *out, sl_error *err);
    sl_status (*session_end)(void *db, const unsigned char hash[SL_STORE_HASH_LEN], int64_t now,
                             sl_error *err);
    /* dashboard statistics (sql_stats.c): out->nbuckets and its arrays are set up by the
     * caller (store/stats.c), zeroed; the backend fills them */
    sl_status (*stats)(void *db, const char *org, int64_t since, int64_t until, int64_t width_ms,
                       sl_stats *out, sl_error *err);
} sl_store_backend;

extern const sl_store_backend sl__store_sqlite, sl__store_pg;

/* store.c, for the other front files: the handle's backend, database and clock reading; the
 * keyed pseudonym of an id (SL_ERR_ARG when the store has no key file). */
const sl_store_backend *sl__store_be(sl_store *store, void **db, int64_t *now);
sl_status sl__store_pseudonym(sl_store *store, const char *id, size_t len,
                              unsigned char out[SL_STORE_HASH_LEN], sl_error *err);

/* store/workflow.c: checks a rule a notice or decision cites (required: its id non-empty). */
sl_status sl__store_check_rule(const sl_store_rule_ref *r, bool required, sl_error *err);

/* store/workflow.c: a new notice id (16 random bytes, base64url) and, when appeal_days > 0, an
 * appeal token with its hash and a window of appeal_days days. */
void sl__notice_new_make(sl__notice_new *n, int appeal_days);
/* The hash of a presented appeal token; SL_ERR_AUTH when it is not of the token's form. */
sl_status sl__appeal_token_hash(const char *token, size_t len,
                                unsigned char hash[SL_STORE_HASH_LEN]);

/* Valid UTF-8 without NUL bytes (overlongs, surrogates and values past U+10FFFF rejected): the
 * store's rule for every text it keeps (store.c). */
bool sl__store_is_text(const char *s, size_t len);

/* Constant-time equality of two hashes (libsodium's sodium_memcmp). */
bool sl__store_hash_equal(const unsigned char a[SL_STORE_HASH_LEN],
                          const unsigned char b[SL_STORE_HASH_LEN]);

#endif
