/* sangloc/store.h — the service's store: organizations, tokens, screened items, queues of cases
 * with reviewer leases, and each item's history.
 *
 * A store is opened from a URL: a plain path or "sqlite:PATH" is the embedded SQLite file (WAL,
 * migrated on open); "postgresql://..." is reserved for the PostgreSQL backend (SL_ERR_UNSUPPORTED
 * until it exists). Every backend implements the same contract, written here.
 *
 * The store knows verdicts as JSON text and numbers, never the engine's types: the caller screens
 * an item, then hands the verdict's JSON, action and score to sl_store_ingest().
 *
 * Threads: a handle is used by one thread at a time. Open one handle per thread (they may share
 * one database file; the backend serializes writers and each call is one transaction).
 *
 * Organizations: every item, case and queue belongs to one organization, named by its id; every
 * call that reads or writes them takes the org id, and nothing of another org is ever returned
 * (an item of another org is SL_ERR_NOT_FOUND, as an item that does not exist).
 *
 * Time: milliseconds since the Unix epoch (int64_t), from the store's clock (the system clock
 * unless sl_store_set_clock() says otherwise). 0 means "never" in the *_at fields.
 *
 * Strings are (pointer, length) and need no NUL terminator; each has a limit (SL_STORE_MAX_*)
 * and must be valid text (no NUL byte). Errors fill *err when it is not NULL. */
#ifndef SANGLOC_STORE_H
#define SANGLOC_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/audit.h"
#include "sangloc/status.h"

typedef struct sl_store sl_store;

/* Limits in bytes. Longer input is SL_ERR_TOO_LARGE; an empty required field SL_ERR_ARG. */
#define SL_STORE_MAX_ORG_ID         64
#define SL_STORE_MAX_NAME           200 /* organization and token names */
#define SL_STORE_MAX_ITEM_ID        256
#define SL_STORE_MAX_CHANNEL        128
#define SL_STORE_MAX_KIND           32
#define SL_STORE_MAX_AUTHOR         256 /* the raw author id, before it is pseudonymized */
#define SL_STORE_MAX_TIME_TEXT      64  /* created_at as sent by the caller */
#define SL_STORE_MAX_TEXT           (1024u * 1024u)
#define SL_STORE_MAX_VERDICT        (4u * 1024u * 1024u)
#define SL_STORE_MAX_POLICY_VERSION 256
#define SL_STORE_MAX_QUEUE          32
#define SL_STORE_MAX_BATCH          10000
#define SL_STORE_MAX_PAGE           1000 /* queue_list limit and queue_claim n */
#define SL_STORE_MAX_LEASE_SECONDS  86400

typedef struct sl_store_options {
    /* The pseudonym key: a file of 32 random bytes kept OUTSIDE the database, created with mode
     * 0600 when missing; a key file readable by group or others is refused. NULL: the store
     * opens without one and cannot ingest (SL_ERR_ARG); tokens and reads work. */
    const char *key_file;
    int busy_timeout_ms; /* how long a writer waits for another; 0: 5000 */
} sl_store_options;

/* Opens (and creates and migrates) a store. SL_ERR_UNSUPPORTED for a URL scheme without a
 * backend, SL_ERR_SCHEMA for a database written by a newer sangloc, SL_ERR_STORE or SL_ERR_IO
 * when the file cannot be opened. options may be NULL (no key file). */
sl_status sl_store_open(const char *url, const sl_store_options *options, sl_store **out,
                        sl_error *err);
void sl_store_close(sl_store *store); /* NULL is fine */

/* url as it may be shown in a message or a log: a password in it ("user:PASSWORD@" or a
 * "password=" parameter) becomes "***". Always NUL-terminates out (cap > 0). */
void sl_store_url_redact(const char *url, char *out, size_t cap);

/* The highest schema migration applied, and the highest this program knows. */
int sl_store_schema_version(const sl_store *store);
int sl_store_schema_latest(void);

/* The clock used for received_at, opened_at, leases and token times. NULL restores the system
 * clock. For tests (lease expiry) and replays. */
void sl_store_set_clock(sl_store *store, int64_t (*now_ms)(void *ctx), void *ctx);

/* ---- organizations ------------------------------------------------------------------------ */

/* The organization "default" exists in every store. Creates the org or renames it. */
sl_status sl_store_org_put(sl_store *store, const char *id, const char *name, sl_error *err);
/* SL_OK if the org exists, SL_ERR_NOT_FOUND if not. */
sl_status sl_store_org_exists(sl_store *store, const char *id, sl_error *err);

/* ---- tokens ------------------------------------------------------------------------------- */

typedef enum sl_role {
    SL_ROLE_INTEGRATION = 1, /* check and ingest */
    SL_ROLE_REVIEWER = 2,
    SL_ROLE_APPEALS = 3,
    SL_ROLE_CURATOR = 4, /* banks */
    SL_ROLE_AUDITOR = 5, /* read-only, everything but raw personal data */
    SL_ROLE_ADMIN = 6,
} sl_role;

/* "integration", ...; NULL for a value outside the enum. */
const char *sl_role_name(sl_role role);
/* false when s[0, len) names no role. */
bool sl_role_parse(const char *s, size_t len, sl_role *out);

/* A token secret: "slt_" and 32 random bytes in unpadded base64url (43 characters). */
#define SL_TOKEN_PREFIX      "slt_"
#define SL_TOKEN_SECRET_LEN  47
#define SL_TOKEN_SECRET_SIZE (SL_TOKEN_SECRET_LEN + 1) /* with the NUL */

typedef struct sl_token_info {
    int64_t id;
    char name[SL_STORE_MAX_NAME + 1];
    sl_role role;
    char org[SL_STORE_MAX_ORG_ID + 1]; /* "" for a global token (admin only) */
    int64_t created_at, revoked_at, last_used_at;
} sl_token_info;

/* Creates a token and writes its secret (NUL-terminated) into secret: the only time it exists
 * outside the caller; the store keeps only a hash of it. org NULL or "" makes a global token,
 * allowed for the admin role only (SL_ERR_ARG otherwise); a named org must exist
 * (SL_ERR_NOT_FOUND). info (may be NULL) receives the new token. */
sl_status sl_store_token_create(sl_store *store, const char *name, sl_role role, const char *org,
                                char secret[SL_TOKEN_SECRET_SIZE], sl_token_info *info,
                                sl_error *err);

/* Finds the live token with this secret: SL_OK and *info, or SL_ERR_AUTH for a malformed,
 * unknown or revoked secret (one code for all three, so a caller cannot tell them apart).
 * The comparison with each stored hash takes constant time. Records last_used_at (at most once
 * a minute per token, so that lookups stay reads). */
sl_status sl_store_token_lookup(sl_store *store, const char *secret, size_t len,
                                sl_token_info *info, sl_error *err);

/* All tokens, revoked ones included, by id. *out is malloc'ed (free()); *n its length. */
sl_status sl_store_token_list(sl_store *store, sl_token_info **out, size_t *n, sl_error *err);

/* Revokes a token for good: SL_ERR_NOT_FOUND for an unknown id; revoking twice is SL_OK and
 * keeps the first revocation time. */
sl_status sl_store_token_revoke(sl_store *store, int64_t id, sl_error *err);

/* ---- notices: ids and appeal tokens (used by ingest and the review workflow) ------------- */

/* A notice id: 16 random bytes, unpadded base64url. An appeal token: "sla_" and 32 random
 * bytes, unpadded base64url (only its hash is stored). */
#define SL_NOTICE_ID_LEN       22
#define SL_NOTICE_ID_SIZE      (SL_NOTICE_ID_LEN + 1)
#define SL_APPEAL_TOKEN_PREFIX "sla_"
#define SL_APPEAL_TOKEN_LEN    47
#define SL_APPEAL_TOKEN_SIZE   (SL_APPEAL_TOKEN_LEN + 1)

/* A policy rule as cited by a decision or notice: NUL-terminated, borrowed for the call. The
 * store keeps copies, so a notice reads the same after the policy changes. */
typedef struct sl_store_rule_ref {
    const char *id;
    const char *category;
    const char *clause;
} sl_store_rule_ref;

/* A notice just made: its id and the appeal token, returned once. */
typedef struct sl_store_notice_out {
    char id[SL_NOTICE_ID_SIZE];              /* "" when no notice was made */
    char appeal_token[SL_APPEAL_TOKEN_SIZE]; /* the only time it exists outside the caller */
    int64_t appeal_until;                    /* ms; 0: no appeal */
} sl_store_notice_out;

/* ---- items -------------------------------------------------------------------------------- */

typedef enum sl_item_state {
    SL_ITEM_PUBLISHED = 0, /* visible */
    SL_ITEM_HIDDEN = 1,    /* hidden until a person decides (can be restored) */
    SL_ITEM_REMOVED = 2,   /* removed by a person's decision */
} sl_item_state;

const char *sl_item_state_name(sl_item_state state); /* "published", ...; NULL outside */

/* The verdict's action, as the engine names it. */
typedef enum sl_store_action {
    SL_STORE_ALLOW = 0,
    SL_STORE_WARN = 1,
    SL_STORE_REVIEW = 2,
    SL_STORE_HIDE = 3,
} sl_store_action;

const char *sl_store_action_name(sl_store_action action);
bool sl_store_action_parse(const char *s, size_t len, sl_store_action *out);

/* One screened item to store. All strings are borrowed for the call. parent and created_at may
 * be NULL (absent). */
typedef struct sl_store_item {
    const char *id;
    size_t id_len;
    const char *channel;
    size_t channel_len;
    const char *kind;
    size_t kind_len;
    const char *author; /* raw: only its keyed pseudonym is stored */
    size_t author_len;
    const char *text;
    size_t text_len;
    const char *created_at;
    size_t created_at_len;
    const char *parent;
    size_t parent_len;
    const char *verdict_json; /* the verdict as sent to the caller */
    size_t verdict_len;
    sl_store_action action;
    double score; /* the verdict's score, 0..1: the severity of its case */
    const char *policy_version;
    size_t policy_version_len;
    /* For action hide: the rule the notice of the automated hide cites (the verdict's
     * strongest); NULL: the notice cites none ("" fields). appeal_days: its appeal window
     * (0: SL_STORE_DEFAULT_APPEAL_DAYS). See the review workflow section below. */
    const sl_store_rule_ref *hide_rule;
    int appeal_days;
} sl_store_item;

typedef enum sl_ingest_status {
    SL_INGEST_CREATED = 0,
    SL_INGEST_DUPLICATE = 1, /* (org, channel, id) was already stored: nothing changed */
} sl_ingest_status;

typedef struct sl_ingest_result {
    sl_ingest_status status;
    sl_item_state state; /* the stored item's state (of the earlier item for a duplicate) */
    int64_t item;        /* the stored item's number (stable, for events and cases) */
    /* A new item hidden at ingest gets a notice of the automated hide: its id and appeal
     * token (id "" otherwise). */
    sl_store_notice_out notice;
} sl_ingest_result;

/* Stores a batch of items of one org in ONE transaction: when it returns SL_OK every item is
 * committed to stable storage (it survives kill -9 and power loss); otherwise none is. Each
 * new item gets its state from its action: allow, warn -> published; review -> published and a
 * case in queue "pending"; hide -> hidden and a case in "pending". An item whose (org, channel,
 * id) is already stored, earlier or in this batch, is a duplicate and changes nothing.
 * actor is the token that sent the batch (0: none), recorded in each item's history.
 * results[i] answers items[i]. A bad item (too long, empty id, bad action) fails the whole
 * batch with err->byte set to its index. */
sl_status sl_store_ingest(sl_store *store, const char *org, int64_t actor,
                          const sl_store_item *items, size_t n, sl_ingest_result *results,
                          sl_error *err);

typedef struct sl_item_event {
    int64_t at;
    int64_t actor;    /* token id, 0 for none */
    const char *what; /* "ingested", "claimed", ... */
    int from_state;   /* an sl_item_state, or -1 when the state did not change */
    int to_state;
    const char *detail; /* "" or free text, e.g. the queue */
} sl_item_event;

/* A stored item with its history. One allocation: free with sl_store_record_free(). Strings
 * are NUL-terminated; absent ones are "". */
typedef struct sl_store_record {
    int64_t item;
    const char *org, *id, *channel, *kind, *text, *created_at, *parent, *verdict_json,
        *policy_version;
    char author[65]; /* the pseudonym, hex */
    int64_t received_at;
    sl_item_state state;
    sl_store_action action;
    double score;
    int64_t version;       /* the id of its latest history row: sl_store_item_version() */
    sl_item_event *events; /* oldest first */
    size_t nevents;
} sl_store_record;

/* The item (org, channel, id): SL_ERR_NOT_FOUND when it does not exist in that org. */
sl_status sl_store_item_get(sl_store *store, const char *org, const char *channel,
                            size_t channel_len, const char *id, size_t id_len,
                            sl_store_record **out, sl_error *err);
void sl_store_record_free(sl_store_record *record);

/* The stored verdict JSON of item number `item` (an sl_ingest_result's item) of the org: what a
 * reply answers for a duplicate, without reading the whole record. *json is malloc'ed and
 * NUL-terminated (free()); SL_ERR_NOT_FOUND when the org has no such item. */
sl_status sl_store_item_verdict(sl_store *store, const char *org, int64_t item, char **json,
                                size_t *len, sl_error *err);

/* ---- queues ------------------------------------------------------------------------------- */

#define SL_QUEUE_PENDING "pending" /* items that review or hide put before a person */

/* A cursor: an opaque printable string (base64url) of at most SL_STORE_CURSOR_LEN bytes. */
#define SL_STORE_CURSOR_LEN  34
#define SL_STORE_CURSOR_SIZE (SL_STORE_CURSOR_LEN + 1)

typedef struct sl_queue_entry {
    int64_t case_id;
    int64_t item;
    char id[SL_STORE_MAX_ITEM_ID + 1];
    char channel[SL_STORE_MAX_CHANNEL + 1];
    sl_item_state state;
    double severity; /* the verdict score, rounded to 1e-6 */
    int64_t opened_at;
    int64_t lease_until; /* 0 when not leased (or the lease has expired) */
    int64_t leased_by;   /* the reviewer's token id while leased, else 0 */
} sl_queue_entry;

typedef struct sl_queue_page {
    sl_queue_entry *entries; /* malloc'ed: sl_queue_page_free() */
    size_t n;
    char next_cursor[SL_STORE_CURSOR_SIZE]; /* "" after the last page */
} sl_queue_page;

/* Lists the open cases of a queue: highest severity first, then oldest, then by case number.
 * limit 1..SL_STORE_MAX_PAGE. cursor NULL or empty starts at the top; otherwise it is a
 * next_cursor from an earlier page (outside input: a malformed one is SL_ERR_CURSOR with the
 * byte). Pagination is keyset: a page starts strictly after the last entry of the previous one,
 * so cases that arrive meanwhile never make an entry repeat or be skipped (a new case ranked
 * above the cursor shows on the next listing from the top). */
sl_status sl_store_queue_list(sl_store *store, const char *org, const char *queue, size_t limit,
                              const char *cursor, size_t cursor_len, sl_queue_page *page,
                              sl_error *err);
void sl_queue_page_free(sl_queue_page *page);

typedef struct sl_queue_stats {
    int64_t open;             /* open cases */
    int64_t leased;           /* of which leased right now */
    int64_t oldest_opened_at; /* of the open cases; 0 when there is none */
} sl_queue_stats;

/* Sizes of a queue, for metrics and queue pages (an unknown queue is empty). */
sl_status sl_store_queue_stats(sl_store *store, const char *org, const char *queue,
                               sl_queue_stats *stats, sl_error *err);

/* Leases, atomically, up to n open cases of the queue that nobody holds (never leased, or the
 * lease has expired), in queue order, to the reviewer's token for lease_seconds
 * (1..SL_STORE_MAX_LEASE_SECONDS). Two calls, from any handles or processes, never get the
 * same case while its lease runs. out must have room for n entries; *n_out says how many were
 * leased (0 when the queue has none free). The reviewer must be a live token of the org (or a
 * global one): SL_ERR_AUTH otherwise. Roles are the caller's business. */
sl_status sl_store_queue_claim(sl_store *store, const char *org, const char *queue,
                               int64_t reviewer, size_t n, int64_t lease_seconds,
                               sl_queue_entry *out, size_t *n_out, sl_error *err);

/* ---- rescreen (src/store/sql_rescreen.c) -------------------------------------------------- */

#define SL_STORE_MAX_RESCREEN_PAGE 1000

/* One stored item to screen again. Strings are NUL-terminated and live as long as the page. */
typedef struct sl_rescreen_row {
    int64_t item;
    const char *channel, *id, *text, *verdict_json, *policy_version;
    size_t text_len, verdict_len;
    /* the stored verdict's distinct hit rule ids, sorted, separated by one space ("" for none);
     * rule ids hold only letters, digits, '.', '_' and '-' (docs/policy.md) */
    const char *rules;
    sl_store_action action;
    bool has_open_case; /* in any queue */
} sl_rescreen_row;

typedef struct sl_rescreen_page {
    sl_rescreen_row *rows; /* sl_rescreen_page_free() */
    size_t n;
    int64_t last; /* the item number of the last row: the next page starts after it */
    bool more;    /* another page follows */
} sl_rescreen_page;

/* The org's items to screen again with a new engine, by item number, after item `after` (0:
 * from the first): every item with an open case in any queue, plus every item received at or
 * after `since` (ms). Purged items (no text left) are skipped. limit 1..SL_STORE_MAX_RESCREEN_PAGE.
 * A read: nothing is written. */
sl_status sl_store_rescreen_list(sl_store *store, const char *org, int64_t since, int64_t after,
                                 size_t limit, sl_rescreen_page *page, sl_error *err);
void sl_rescreen_page_free(sl_rescreen_page *page);

/* A new verdict for a listed item. It applies only while the item still has the action and
 * policy version it was listed with (otherwise someone changed it meanwhile: skipped). */
typedef struct sl_rescreen_update {
    int64_t item;
    sl_store_action old_action;
    const char *old_policy_version; /* NUL-terminated */
    const char *verdict_json;
    size_t verdict_len;
    sl_store_action action;
    double score; /* 0..1 */
    const char *policy_version;
    size_t policy_version_len;
} sl_rescreen_update;

typedef struct sl_rescreen_result {
    bool applied;    /* false: the item changed since it was listed, nothing written */
    int64_t case_id; /* the pending case opened, or 0 */
} sl_rescreen_result;

/* Stores the new verdicts of a batch (at most SL_STORE_MAX_BATCH) in ONE transaction: each
 * item's verdict, action, score and policy version, an "item.rescreen" audit entry (old and
 * new action and policy version, the new verdict's SHA-256) and a history event. An item newly
 * at review or hide (it was allow or warn) with no open case gets a case in "pending"; its
 * state never changes (a rescreen hides, restores or removes nothing: a person does).
 * actor: the token that asked (0: none). */
sl_status sl_store_rescreen_apply(sl_store *store, const char *org, int64_t actor,
                                  const sl_rescreen_update *updates, size_t n,
                                  sl_rescreen_result *results, sl_error *err);

/* ---- retention (src/store/sql_retention.c) ------------------------------------------------ */

#define SL_STORE_DEFAULT_RETENTION_DAYS 180
#define SL_STORE_MAX_RETENTION_DAYS     36500

typedef struct sl_purge_stats {
    int64_t purged;     /* items purged (with dry_run: that would be) */
    bool wal_truncated; /* the write-ahead log was emptied after the purge (false with dry_run,
                           or while a reader held an old snapshot: it is emptied later) */
} sl_purge_stats;

/* Purges, in every org, the raw text of items whose retention has run out: no case open in
 * any queue, and the later of its receipt and its last closed case (the last decision) at
 * least retention_days (1..SL_STORE_MAX_RETENTION_DAYS) before now. A purged item keeps its
 * row, state, action and history, but its text becomes "", its author pseudonym is erased, the
 * quotes of its text ("text", "detail") leave its verdict's hits, and purged_at is set. Each
 * purge appends an "item.purge" audit entry with the SHA-256 of the text, in the same
 * transaction (batches of a few hundred items). Purging twice changes nothing. dry_run counts
 * without writing. */
sl_status sl_store_purge(sl_store *store, int retention_days, bool dry_run, sl_purge_stats *stats,
                         sl_error *err);
/* ---- review workflow: decisions, notices, reports, appeals (docs/workflow.md) --------------- *
 *
 * Each call below is ONE transaction that also appends its audit entries and the item's
 * history: it happens whole or not at all. Texts (note, statement, report and appeal texts,
 * reasons) are kept in their tables and cited in the audit log only by their SHA-256.
 * A person is the `name` of their tokens: the store records it beside the token id.
 * The server checks roles; the store checks what no route may bypass: the organization, the
 * item's version, the window, and that nobody decides an appeal of their own decision. */

#define SL_QUEUE_REPORTED "reported" /* items readers reported */
#define SL_QUEUE_APPEALS  "appeals"  /* appeals waiting for a person of the appeals role */

#define SL_STORE_MAX_NOTE            4000 /* note, statement, report text, appeal text, reason */
#define SL_STORE_MAX_RULE            128  /* a rule id or a category name */
#define SL_STORE_MAX_CLAUSE          4000
#define SL_STORE_MAX_ENGINE_VERSION  1024
#define SL_STORE_DEFAULT_APPEAL_DAYS 14
#define SL_STORE_MAX_APPEAL_DAYS     365

typedef enum sl_store_outcome {
    SL_STORE_REMOVE = 0,  /* removed for good: state removed */
    SL_STORE_RESTORE = 1, /* a hidden or removed item published */
    SL_STORE_KEEP = 2,    /* the state stays; the cases close */
} sl_store_outcome;

const char *sl_store_outcome_name(sl_store_outcome o); /* "remove", ...; NULL outside */
bool sl_store_outcome_parse(const char *s, size_t len, sl_store_outcome *out);

typedef enum sl_store_appeal_outcome {
    SL_STORE_UPHOLD = 1,   /* the decision stands */
    SL_STORE_OVERTURN = 2, /* the decision is overruled and the item's state follows */
} sl_store_appeal_outcome;

const char *sl_store_appeal_outcome_name(sl_store_appeal_outcome o); /* "uphold", "overturn" */
bool sl_store_appeal_outcome_parse(const char *s, size_t len, sl_store_appeal_outcome *out);

typedef struct sl_store_decision_in {
    const char *channel;
    size_t channel_len;
    const char *id;
    size_t id_len;
    int64_t version; /* the item's version as the reviewer read it (sl_store_item_version) */
    sl_store_outcome outcome;
    sl_store_rule_ref rule;
    const char *note; /* required, 1..SL_STORE_MAX_NOTE bytes */
    size_t note_len;
    const char *statement; /* NULL: none */
    size_t statement_len;
    const char *engine_version; /* NUL-terminated; "" when unknown */
    int appeal_days;            /* the notice's window; 0: SL_STORE_DEFAULT_APPEAL_DAYS */
} sl_store_decision_in;

typedef struct sl_store_decision_out {
    int64_t decision;
    int64_t item;
    sl_item_state before, after;
    int64_t version;            /* the item's version after the decision */
    size_t cases_closed;        /* open cases of the item closed (pending, reported) */
    sl_store_notice_out notice; /* for a decision that restricts (remove; keep of a hidden item) */
} sl_store_decision_out;

/* The item's version: the number of its latest history row. It changes with every event
 * (ingest, claim, case, decision, report, appeal); a decision must name the version it read.
 * SL_ERR_NOT_FOUND when the org has no such item. */
sl_status sl_store_item_version(sl_store *store, const char *org, const char *channel,
                                size_t channel_len, const char *id, size_t id_len, int64_t *version,
                                sl_error *err);

/* Why a workflow call was refused: err->code is SL_ERR_CONFLICT and *refusal names it. */
typedef enum sl_store_refusal {
    SL_REFUSE_NONE = 0,
    SL_REFUSE_STALE,                /* the item changed since the version given */
    SL_REFUSE_ALREADY_DECIDED,      /* decided, and no case of it is open */
    SL_REFUSE_APPEAL_OPEN,          /* an appeal of the item is open: it decides next */
    SL_REFUSE_NOT_RESTRICTED,       /* restore of a published item */
    SL_REFUSE_ALREADY_APPEALED,     /* one appeal per decision (and per notice, per report) */
    SL_REFUSE_WINDOW_CLOSED,        /* the appeal window has passed */
    SL_REFUSE_NOT_APPEALABLE,       /* an appeal outcome; a report not decided, or acted on */
    SL_REFUSE_SUPERSEDED,           /* a person decided after this automated hide */
    SL_REFUSE_APPEAL_DECIDED,       /* the appeal was decided already */
    SL_REFUSE_CONFLICT_OF_INTEREST, /* the decision's own author may not decide its appeal */
} sl_store_refusal;

/* "stale", "already_decided", ...: the error codes of the API. */
const char *sl_store_refusal_name(sl_store_refusal r);

/* A person's decision on the item of the org, by the live token `actor` (of the org or
 * global). Effects: remove -> removed; restore -> published (SL_REFUSE_NOT_RESTRICTED for a
 * published item); keep -> unchanged. Closes the item's open cases in pending and reported.
 * Refused (SL_ERR_CONFLICT, *refusal set, nothing written) when the version is not the item's,
 * when an appeal of the item is open, or when the item has a decision and no open case.
 * automated_detection is 1 when the engine flagged the item at ingest (review or hide). */
sl_status sl_store_decide(sl_store *store, const char *org, int64_t actor,
                          const sl_store_decision_in *in, sl_store_decision_out *out,
                          sl_store_refusal *refusal, sl_error *err);

/* A stored notice, as GET /v1/notices/{id} shows it. */
typedef struct sl_store_notice {
    char id[SL_NOTICE_ID_SIZE];
    char org[SL_STORE_MAX_ORG_ID + 1];
    char kind[16];                  /* "decision", "automated_hide", "appeal_outcome" */
    int64_t item, decision, appeal; /* 0 when none */
    char channel[SL_STORE_MAX_CHANNEL + 1];
    char item_id[SL_STORE_MAX_ITEM_ID + 1];
    char rule[SL_STORE_MAX_RULE + 1], category[SL_STORE_MAX_RULE + 1];
    char clause[SL_STORE_MAX_CLAUSE + 1];
    char policy_version[SL_STORE_MAX_POLICY_VERSION + 1];
    char engine_version[SL_STORE_MAX_ENGINE_VERSION + 1];
    char outcome[16]; /* the decision's, or the appeal's ("uphold"/"overturn") */
    char lang[8];
    sl_item_state state; /* the item's state now */
    bool automated_detection, automated_decision;
    int64_t created_at, decided_at, appeal_until;
    char *statement;     /* malloc'ed, NUL-terminated; NULL when none */
    char *appeal_reason; /* the appeal's reason (appeal_outcome); NULL otherwise */
    char *text;          /* the item's text, malloc'ed */
    char *verdict_json;  /* the item's verdict, malloc'ed */
    size_t text_len, verdict_len;
} sl_store_notice;

/* The notice `id` of the org (org NULL: of any org, for a caller proving the appeal token).
 * When token is not NULL it must be the appeal token of this notice (or, for an appeal's
 * outcome, of the notice or report appealed): SL_ERR_AUTH otherwise, compared in constant time.
 * SL_ERR_NOT_FOUND for an unknown id or another org's. Free with sl_store_notice_free(). */
sl_status sl_store_notice_get(sl_store *store, const char *org, const char *id, size_t id_len,
                              const char *token, size_t token_len, sl_store_notice *out,
                              sl_error *err);
void sl_store_notice_free(sl_store_notice *n);

typedef struct sl_store_report_in {
    const char *channel;
    size_t channel_len;
    const char *id;
    size_t id_len;
    const char *reason; /* a category of the org's policy (the server checks which) */
    size_t reason_len;
    const char *text; /* NULL: none */
    size_t text_len;
    const char *reporter; /* the reader's id, raw (only its keyed pseudonym is stored); NULL */
    size_t reporter_len;
} sl_store_report_in;

typedef struct sl_store_report_out {
    int64_t report;
    int64_t case_id;
    bool opened;     /* this report opened the case (the first open report of the item) */
    int64_t reports; /* open reports grouped in the case, this one included */
    char appeal_token[SL_APPEAL_TOKEN_SIZE]; /* lets the reporter appeal a decision to keep */
} sl_store_report_out;

/* Records a report on the item: the first open report of an item opens a case in "reported";
 * later ones join it. Needs the pseudonym key when reporter is given. */
sl_status sl_store_report(sl_store *store, const char *org, int64_t actor,
                          const sl_store_report_in *in, sl_store_report_out *out, sl_error *err);

/* Reports grouped in a case: how many, and the distinct reasons with their counts. */
#define SL_STORE_MAX_REASONS 16
typedef struct sl_store_case_reports {
    int64_t reports;
    size_t nreasons;
    struct {
        char reason[SL_STORE_MAX_RULE + 1];
        int64_t count;
    } reasons[SL_STORE_MAX_REASONS];
} sl_store_case_reports;
sl_status sl_store_case_reports_get(sl_store *store, const char *org, int64_t case_id,
                                    sl_store_case_reports *out, sl_error *err);

/* An appeal: with the appeal token of a notice (the author) or of a report (the reporter).
 * token is the credential: SL_ERR_AUTH when it matches nothing. Refusals (SL_ERR_CONFLICT):
 * already appealed, window closed (now >= appeal_until), not appealable, superseded. Opens a
 * case in "appeals". */
typedef struct sl_store_appeal_out {
    int64_t appeal;
    int64_t case_id;
    char org[SL_STORE_MAX_ORG_ID + 1];
} sl_store_appeal_out;
sl_status sl_store_appeal(sl_store *store, const char *token, size_t token_len, const char *text,
                          size_t text_len, sl_store_appeal_out *out, sl_store_refusal *refusal,
                          sl_error *err);

/* An appeal with the decision it contests, for the appeals queue and its decision. */
typedef struct sl_store_appeal_info {
    int64_t id, item, case_id, decision, report;
    char notice[SL_NOTICE_ID_SIZE];
    char channel[SL_STORE_MAX_CHANNEL + 1];
    char item_id[SL_STORE_MAX_ITEM_ID + 1];
    char text[SL_STORE_MAX_NOTE + 1];
    int64_t created_at;
    /* the decision appealed (decision 0: an automated hide; these are then "") */
    char decision_outcome[16];
    char decision_rule[SL_STORE_MAX_RULE + 1];
    char decided_by_name[SL_STORE_MAX_NAME + 1];
    /* the appeal's own decision, once made */
    char outcome[16];
    char appeal_decided_by_name[SL_STORE_MAX_NAME + 1];
    int64_t decided_at;
} sl_store_appeal_info;
/* By appeal id (case_id 0) or by the case that holds it (id 0). */
sl_status sl_store_appeal_get(sl_store *store, const char *org, int64_t id, int64_t case_id,
                              sl_store_appeal_info *out, sl_error *err);

typedef struct sl_store_appeal_decision_out {
    sl_item_state before, after;
    sl_store_notice_out notice; /* of the outcome, to the author (no appeal: no token) */
} sl_store_appeal_decision_out;

/* Decides appeal `id` of the org by the live token `actor`. The person who made the decision
 * appealed (the same token name, whichever token) is refused with SL_ERR_CONFLICT and
 * SL_REFUSE_CONFLICT_OF_INTEREST: a rule of the store, not only of the route. Overturn marks
 * the decision overruled and moves the item: removed or hidden -> published; published (a
 * decision that left it up, appealed by the reporter) -> removed. Both outcomes close the
 * appeals case; a notice of the outcome (kind appeal_outcome, no further appeal) is made for
 * the author, except when a reporter's appeal is upheld (nothing changed for the author).
 * An overturned automated hide also closes the item's open pending and reported cases. */
sl_status sl_store_appeal_decide(sl_store *store, const char *org, int64_t actor, int64_t id,
                                 sl_store_appeal_outcome outcome, const char *reason,
                                 size_t reason_len, sl_store_appeal_decision_out *out,
                                 sl_store_refusal *refusal, sl_error *err);

/* The figures of a queue over its closed cases: time to decision (closed_at - opened_at) of
 * cases closed in the window [now - window_ms, now]: count, p50 and p90 (nearest rank), ms. */
typedef struct sl_queue_times {
    int64_t closed;
    int64_t p50_ms, p90_ms; /* 0 when closed is 0 */
} sl_queue_times;
sl_status sl_store_queue_times(sl_store *store, const char *org, const char *queue,
                               int64_t window_ms, sl_queue_times *out, sl_error *err);

/* The store's clock (for oldest-age figures that agree with the store's own times). */
int64_t sl_store_now(sl_store *store);
/* ---- webhooks ----------------------------------------------------------------------------- */

/* The audit log is the webhooks' outbox: sl_store_webhook_take() turns the org's audit entries
 * after its cursor into deliveries and advances the cursor in one transaction, so an entry is
 * never lost between a commit and an enqueue and never turned into deliveries twice. Events
 * (docs/server.md, "Webhooks"): item.ingest that opened a case -> "queue.entered" (and
 * "item.hidden" when it hid the item), case.open -> "queue.entered", case.close ->
 * "queue.left", item.decide -> "decision.made", appeal.create -> "appeal.received",
 * appeal.decide -> "appeal.decided", notice.create -> "notice.ready". A body names the item by
 * channel and id and never holds an author, a text or a note. */

#define SL_WEBHOOK_MAX_EVENT        32
#define SL_WEBHOOK_DEFAULT_ATTEMPTS 12
#define SL_WEBHOOK_MAX_ATTEMPTS     100
#define SL_WEBHOOK_MAX_ERROR        200 /* bytes of last_error kept */
#define SL_WEBHOOK_MAX_BACKOFF_MS   3600000

typedef struct sl_webhook_delivery {
    int64_t id; /* X-Sangloc-Delivery: the receiver drops a repeated id (at-least-once) */
    char org[SL_STORE_MAX_ORG_ID + 1];
    int64_t audit_seq;
    char event[SL_WEBHOOK_MAX_EVENT + 1];
    char *body; /* NUL-terminated JSON, malloc'ed (sl_webhook_deliveries_free) */
    size_t body_len;
    int attempts; /* made so far */
    int64_t created_at, next_attempt_at;
} sl_webhook_delivery;

/* Turns at most max (1..SL_STORE_MAX_PAGE) audit entries of the org after its cursor into
 * deliveries due now, and advances the cursor past them, in one transaction. An org without a
 * cursor starts at the end of the log (webhooks deliver what happens after they are enabled).
 * *entries says how many entries were read (max: call again), *made how many deliveries. */
sl_status sl_store_webhook_take(sl_store *store, const char *org, size_t max, size_t *entries,
                                size_t *made, sl_error *err);

/* The org's deliveries due now (not delivered, not given up, next_attempt_at <= now), oldest
 * first, at most max (1..SL_STORE_MAX_PAGE). *out is malloc'ed. */
sl_status sl_store_webhook_due(sl_store *store, const char *org, size_t max,
                               sl_webhook_delivery **out, size_t *n, sl_error *err);
void sl_webhook_deliveries_free(sl_webhook_delivery *d, size_t n);

/* Records a 2xx answer: the delivery is done. SL_ERR_NOT_FOUND when id is not pending. */
sl_status sl_store_webhook_delivered(sl_store *store, int64_t id, int status, sl_error *err);

/* Records a failed attempt (status: the HTTP status, 0 when none came; error: why, may be
 * NULL) and schedules the next one after the backoff (1 s, 2 s, 4 s ... at most an hour, each
 * with jitter), or gives up after max_attempts attempts (1..SL_WEBHOOK_MAX_ATTEMPTS). *gave_up
 * (may be NULL) says which. */
sl_status sl_store_webhook_failed(sl_store *store, int64_t id, int status, const char *error,
                                  int max_attempts, bool *gave_up, sl_error *err);

/* The outcome of one attempt, for sl_store_webhook_record. */
typedef struct sl_webhook_outcome {
    int64_t id;
    bool delivered;    /* a 2xx answer */
    int status;        /* the HTTP status; 0 when none came */
    const char *error; /* why it failed (may be NULL); kept when it is printable ASCII */
    bool gave_up;      /* set by the call: that failure was the last attempt */
} sl_webhook_outcome;

/* Records n outcomes in one transaction (what sl_store_webhook_delivered and _failed do one at
 * a time): a delivery thread records a round of POSTs with one commit. A crash before it
 * leaves them due, and they are sent again under the same ids (at least once). An id that is
 * not pending is skipped. */
sl_status sl_store_webhook_record(sl_store *store, sl_webhook_outcome *o, size_t n,
                                  int max_attempts, sl_error *err);

typedef struct sl_webhook_stats {
    int64_t delivered, pending, given_up; /* deliveries by state */
    int64_t failed_attempts;              /* attempts that did not deliver */
    int64_t oldest_pending_at;            /* created_at of the oldest pending; 0: none */
} sl_webhook_stats;

/* Counts of the org's deliveries (org NULL: every org's), for /metrics. */
sl_status sl_store_webhook_stats(sl_store *store, const char *org, sl_webhook_stats *stats,
                                 sl_error *err);

/* ---- transparency: statements of reasons (src/store/sql_transparency.c) ------------------- *
 *
 * Every restriction of an item of the org, as the DSA statement of reasons needs it
 * (server/dsa.h): a person's decision that left the item restricted (remove; keep of a hidden or
 * removed item), an automated hide at ingest, and a reporter's appeal that overturned a decision
 * to leave the item up (the item is removed). Never the author, the reporter, the reviewer, the
 * note or any text: only the rule cited, the verdict (for counts of its spans) and dates. */

typedef enum sl_statement_source {
    SL_STATEMENT_DECISION = 0,       /* id: the decision's number */
    SL_STATEMENT_AUTOMATED_HIDE = 1, /* id: the item's number (one hide per item, at ingest) */
    SL_STATEMENT_APPEAL = 2,         /* id: the appeal's number */
} sl_statement_source;

/* One statement's facts. Strings are NUL-terminated and live as long as the page. */
typedef struct sl_store_statement {
    sl_statement_source source;
    int64_t id, item;
    const char *rule, *category, *clause; /* as cited (copied at the time); may be "" */
    const char *policy_version;
    const char *verdict_json; /* the item's verdict now (quotes gone once purged) */
    size_t verdict_len;
    const char *created_at; /* the item's created_at as the caller sent it; "" when absent */
    int64_t received_at;
    bool reported;            /* a reader's report led to it */
    bool automated_detection; /* the engine flagged the item */
    bool automated_decision;  /* the engine decided alone: only the automated hide */
    int64_t applied_at;       /* when the restriction took effect */
    int64_t ended_at;         /* the item's next publication (restore, appeal overturned); 0 */
} sl_store_statement;

typedef struct sl_statement_page {
    sl_store_statement *rows; /* sl_statement_page_free() */
    size_t n;
    char next_cursor[SL_STORE_CURSOR_SIZE]; /* "" after the last page */
} sl_statement_page;

/* The org's statements applied at or after `since` (ms), oldest first (by application time,
 * then source, then id), at most limit (1..SL_STORE_MAX_PAGE). cursor: NULL or "" from the
 * start, else a next_cursor (keyset: a page starts strictly after the previous one's last
 * statement; a malformed one is SL_ERR_CURSOR with its byte). A read: nothing is written. */
sl_status sl_store_statements(sl_store *store, const char *org, int64_t since, size_t limit,
                              const char *cursor, size_t cursor_len, sl_statement_page *page,
                              sl_error *err);
void sl_statement_page_free(sl_statement_page *page);
/* ---- audit log ---------------------------------------------------------------------------- */
/* Every state change the store makes appends one entry to the audit log in the same transaction
 * (docs/audit.md): entries are numbered seq = 0, 1, 2... without gaps, each is canonical JSON
 * naming its org, actor, action, target, states and policy version, and its leaf is
 * sl_merkle_leaf_hash(entry). The log only grows (the database refuses updates and deletes);
 * signed checkpoints of its Merkle root are kept beside it, and sl_store_audit_verify() checks
 * the whole. */

#define SL_STORE_AUDIT_PAGE     1000 /* entries per sl_store_audit_entries call */
#define SL_STORE_MAX_AUDIT_DATA (64u * 1024u)

typedef struct sl_audit_entry {
    int64_t seq;
    int64_t at;
    char org[SL_STORE_MAX_ORG_ID + 1]; /* "" for the deployment */
    char *entry;                       /* the canonical JSON (NUL-terminated), owned by the list */
    size_t entry_len;
    sl_merkle_hash leaf; /* as stored */
} sl_audit_entry;

/* A change the store does not make itself (a policy reload, ...), to log as the next entry. */
typedef struct sl_audit_record {
    const char *org;            /* "" or NULL for the deployment */
    int64_t actor;              /* token id; 0: the system */
    const char *action;         /* "policy.reload", ... (required) */
    const char *target;         /* "policy", ... (required) */
    const char *before, *after; /* states; NULL for none */
    const char *policy_version; /* NULL for none */
    const char *data;           /* a JSON object's text (not checked), or NULL for {} */
} sl_audit_record;

/* The number of entries. */
sl_status sl_store_audit_size(sl_store *store, int64_t *size, sl_error *err);

/* The entries whose seq is in [from, to), in seq order, into a new array (*n of them, fewer
 * than to - from only if the log is shorter or has lost rows); 0 <= from <= to and
 * to - from <= SL_STORE_AUDIT_PAGE. Free with sl_store_audit_entries_free. */
sl_status sl_store_audit_entries(sl_store *store, int64_t from, int64_t to, sl_audit_entry **out,
                                 size_t *n, sl_error *err);
void sl_store_audit_entries_free(sl_audit_entry *entries, size_t n);

/* The stored leaf hashes of entries [from, to) into a new array (free()); SL_ERR_STORE when any
 * of those rows is missing. */
sl_status sl_store_audit_leaves(sl_store *store, int64_t from, int64_t to, sl_merkle_hash **out,
                                sl_error *err);

/* Appends rec as the next entry, in a transaction of its own. */
sl_status sl_store_audit_append(sl_store *store, const sl_audit_record *rec, sl_error *err);

/* A signed checkpoint as stored. */
typedef struct sl_audit_checkpoint {
    int64_t id; /* 1, 2, ... in the order they were added */
    int64_t at;
    int64_t size;
    sl_merkle_hash root;
    char *note; /* the signed note (NUL-terminated), owned by the list */
    size_t note_len;
    char key[SL_VERIFIER_KEY_SIZE]; /* the signer's verifier key string */
} sl_audit_checkpoint;

/* Keeps a checkpoint note (at most SL_NOTE_MAX bytes) signed over the log's first size entries
 * with root root, by the key whose verifier key string is key. The caller signs; the store
 * checks only lengths and that size is at most the log's size. */
sl_status sl_store_audit_checkpoint_add(sl_store *store, int64_t size, const sl_merkle_hash root,
                                        const char *note, size_t note_len, const char *key,
                                        sl_error *err);

/* Checkpoints with id > after_id, in id order, at most limit (1..SL_STORE_AUDIT_PAGE). Free with
 * sl_store_audit_checkpoints_free. */
sl_status sl_store_audit_checkpoints(sl_store *store, int64_t after_id, size_t limit,
                                     sl_audit_checkpoint **out, size_t *n, sl_error *err);
/* The last checkpoint added; SL_ERR_NOT_FOUND when there is none. Free with n = 1. */
sl_status sl_store_audit_checkpoint_latest(sl_store *store, sl_audit_checkpoint **out,
                                           sl_error *err);
void sl_store_audit_checkpoints_free(sl_audit_checkpoint *cps, size_t n);

typedef struct sl_audit_verify_options {
    /* The key checkpoints must be signed by; NULL: each stored checkpoint's own recorded key
     * (which an attacker who rewrote the database could have replaced: pass the key). */
    const sl_note_verifier *key;
    /* A checkpoint note kept outside the database (an auditor's copy), or NULL: the log must
     * extend the tree it signs. Its signature is checked with key, or else with a stored
     * checkpoint's key of the same name and key hash. */
    const char *checkpoint;
    size_t checkpoint_len;
} sl_audit_verify_options;

typedef struct sl_audit_report {
    bool ok;
    int64_t entries;        /* entries checked */
    int64_t checkpoints;    /* stored checkpoints checked */
    sl_merkle_hash root;    /* of the whole log */
    int64_t bad_seq;        /* the first entry that does not match, or -1 */
    int64_t bad_checkpoint; /* the first checkpoint (its id; 0: options->checkpoint), or -1 */
    char problem[512];      /* what does not match, naming the seq or checkpoint */
} sl_audit_report;

/* Checks the log: seq runs 0..n-1 without gap, each entry's own "seq" is its row, each stored
 * leaf is the hash of its entry; every stored checkpoint's root is the root of the log's first
 * size entries, its signature verifies, and it is consistent with the next; the log extends
 * options->checkpoint; and the derived tables agree with the entries about them (docs/audit.md
 * lists the table checks). Stops at the first problem: report->ok false, problem and
 * bad_seq/bad_checkpoint say which. Returns an error only when the check could not run (a
 * database error, no memory); options may be NULL. */
sl_status sl_store_audit_verify(sl_store *store, const sl_audit_verify_options *options,
                                sl_audit_report *report, sl_error *err);

/* ---- browser sessions (the pages: docs/pages.md) -------------------------------------------- */

/* A session id and a CSRF secret: 32 random bytes each, unpadded base64url (43 characters). */
#define SL_SESSION_ID_LEN  43
#define SL_SESSION_ID_SIZE (SL_SESSION_ID_LEN + 1)
#define SL_CSRF_LEN        43
#define SL_CSRF_SIZE       (SL_CSRF_LEN + 1)
#define SL_SESSION_MAX_MS  ((int64_t)30 * 24 * 3600 * 1000) /* a session lasts at most 30 days */

typedef struct sl_session {
    sl_token_info token; /* the token that logged in (a person is its name) */
    char csrf[SL_CSRF_SIZE];
    int64_t created_at, expires_at; /* ms since the epoch */
} sl_session;

/* Opens a session for the live token token_id, lasting lifetime_ms (1 ms .. SL_SESSION_MAX_MS):
 * writes its new id (NUL-terminated) into id, the only time it exists outside the caller (the
 * store keeps its SHA-256), and the session into *out. Appends the audit entry session.login
 * (target token:ID, data {"expires_at":MS}; never the id). SL_ERR_AUTH for a revoked or
 * unknown token. Expired sessions are deleted on the way. */
sl_status sl_store_session_create(sl_store *store, int64_t token_id, int64_t lifetime_ms,
                                  char id[SL_SESSION_ID_SIZE], sl_session *out, sl_error *err);

/* The live session whose id is id[0, len): not ended, not expired, its token not revoked.
 * SL_ERR_AUTH for anything else (malformed, unknown, expired, ended: one code for all). */
sl_status sl_store_session_find(sl_store *store, const char *id, size_t len, sl_session *out,
                                sl_error *err);

/* Ends a live session (audit entry session.logout, target token:ID). SL_ERR_AUTH when id names
 * no live session. */
sl_status sl_store_session_end(sl_store *store, const char *id, size_t len, sl_error *err);

/* ---- dashboard statistics (src/store/sql_stats.c; docs/api.md, GET /v1/stats) ---------- */

/* Counts of an organization over a window [since, until) cut into buckets of width_ms: items
 * received by their action and by the categories their verdict's hits name, the rules that
 * flagged most items, time to decision per queue and appeal outcomes. Nothing in it names or
 * ranks authors, reporters or reviewers: only actions, categories, rules, queues and counts. */
#define SL_STATS_MAX_BUCKETS    1000
#define SL_STATS_MAX_CATEGORIES 64 /* categories kept; the rest add to "other" */
#define SL_STATS_TOP_RULES      10
#define SL_STATS_NQUEUES        3 /* pending, reported, appeals */

typedef struct sl_stats_series {
    char name[SL_STORE_MAX_RULE + 1]; /* a category */
    int64_t *counts;                  /* nbuckets counts */
} sl_stats_series;

typedef struct sl_stats_rule {
    char rule[SL_STORE_MAX_RULE + 1];
    int64_t items; /* items received in the window whose verdict hit the rule */
} sl_stats_rule;

typedef struct sl_stats_times {
    const char *queue;
    int64_t closed;                 /* cases of the queue closed in the window */
    int64_t p50_ms, p90_ms, p99_ms; /* closed_at - opened_at, nearest rank; 0 when closed is 0 */
} sl_stats_times;

typedef struct sl_stats {
    size_t nbuckets;             /* bucket k is [since + k width, since + (k+1) width) */
    int64_t *by_action[4];       /* by sl_action: nbuckets counts each */
    sl_stats_series *categories; /* by name */
    size_t ncategories;
    sl_stats_rule top_rules[SL_STATS_TOP_RULES]; /* most items first, then by rule id */
    size_t nrules;
    sl_stats_times times[SL_STATS_NQUEUES];
    int64_t appeals_upheld, appeals_overturned; /* appeals decided in the window */
    int64_t appeals_open;                       /* undecided now */
} sl_stats;

/* Fills *out for org over [since, until) (since < until, at most SL_STATS_MAX_BUCKETS buckets
 * of width_ms >= 1); free it with sl_stats_free. SL_ERR_ARG for a bad window. */
sl_status sl_store_stats(sl_store *store, const char *org, int64_t since, int64_t until,
                         int64_t width_ms, sl_stats *out, sl_error *err);
void sl_stats_free(sl_stats *s);

#endif
