/* The SQLite backend's review workflow: decisions, notices, reports, appeals and the queues'
 * times (sangloc/store.h, docs/workflow.md).
 *
 * Every change runs in one write transaction (BEGIN IMMEDIATE) that also writes the item's
 * history and appends the audit entries: the checks (version, open cases, window, the person)
 * read under the same write lock as the change, so two reviewers cannot both pass them. A
 * refusal rolls everything back and reports SL_ERR_CONFLICT with its reason. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/cursor.h"
#include "store/sql_db.h"
#include "store/sql_rows.h"

/* ---- shared helpers ----------------------------------------------------------------------- */

static sl_status refuse(sl_store_refusal *refusal, sl_store_refusal why, sl_error *err,
                        const char *msg)
{
    if (refusal) *refusal = why;
    return sl_error_set(err, SL_ERR_CONFLICT, SL_NO_POS, "%s", msg);
}

static sl_status oom(sl_error *err)
{
    return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
}

static const char *const sql_actor =
    "SELECT name FROM tokens WHERE id = ?1 AND revoked_at IS NULL AND (org IS NULL OR org = ?2)";

/* The live token acting for the org (or a global one), and its name: the person. */
static sl_status actor_of(sl__db *s, int64_t actor, int64_t org, char name[SL_STORE_MAX_NAME + 1],
                          sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_actor, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, actor);
    sl__db_bind_int64(st, 2, org);
    int rc = sl__db_step(st);
    if (rc == SL_DB_ROW) sl__db_copy_text(name, SL_STORE_MAX_NAME + 1, sl__db_col_text(st, 0));
    sl__db_reset(st);
    if (rc == SL_DB_DONE)
        return sl_error_set(err, SL_ERR_AUTH, SL_NO_POS,
                            "token %lld is revoked or not of this organization", (long long)actor);
    return rc == SL_DB_ROW ? SL_OK : sl__db_error(s, rc, "check token", err);
}

/* An item of the org as the workflow needs it. */
typedef struct item_row {
    int64_t id, version, severity;
    sl_item_state state;
    sl_store_action action;
    char policy_version[SL_STORE_MAX_POLICY_VERSION + 1];
} item_row;

#define ITEM_COLS                                                                                  \
    "i.id, i.state, i.action, i.score, i.policy_version, "                                         \
    "coalesce((SELECT max(e.id) FROM item_events e WHERE e.item = i.id), 0)"

static const char *const sql_item_by_key =
    "SELECT " ITEM_COLS " FROM items i WHERE i.org = ?1 AND i.channel = ?2 AND i.ext_id = ?3";
static const char *const sql_item_by_id =
    "SELECT " ITEM_COLS " FROM items i WHERE i.org = ?1 AND i.id = ?2";

static sl_status read_item(sl__db *s, sl__dbst *st, item_row *it, sl_error *err)
{
    int rc = sl__db_step(st);
    if (rc == SL_DB_ROW) {
        it->id = sl__db_column_int64(st, 0);
        it->state = (sl_item_state)sl__db_column_int(st, 1);
        it->action = (sl_store_action)sl__db_column_int(st, 2);
        it->severity = llround(sl__db_column_double(st, 3) * SL_CURSOR_MAX_SEVERITY);
        sl__db_copy_text(it->policy_version, sizeof it->policy_version, sl__db_col_text(st, 4));
        it->version = sl__db_column_int64(st, 5);
    }
    sl__db_reset(st);
    if (rc == SL_DB_DONE) return sl_error_set(err, SL_ERR_NOT_FOUND, SL_NO_POS, "no such item");
    return rc == SL_DB_ROW ? SL_OK : sl__db_error(s, rc, "read item", err);
}

static sl_status item_by_key(sl__db *s, int64_t org, const char *channel, size_t channel_len,
                             const char *id, size_t id_len, item_row *it, sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_item_by_key, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, org);
    sl__db_bind_str(st, 2, channel, channel_len, 0);
    sl__db_bind_str(st, 3, id, id_len, 0);
    return read_item(s, st, it, err);
}

static sl_status item_by_id(sl__db *s, int64_t org, int64_t item, item_row *it, sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_item_by_id, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, org);
    sl__db_bind_int64(st, 2, item);
    return read_item(s, st, it, err);
}

static const char *const sql_set_state = "UPDATE items SET state = ?2 WHERE id = ?1";

static sl_status set_state(sl__db *s, int64_t item, sl_item_state state, sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_set_state, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, item);
    sl__db_bind_int(st, 2, (int)state);
    return sl__db_run(s, st, "change item state", err);
}

/* One integer from a prepared statement's first row (0 when there is none). */
static sl_status one_int(sl__db *s, sl__dbst *st, int64_t *v, sl_error *err)
{
    int rc = sl__db_step(st);
    *v = rc == SL_DB_ROW ? sl__db_column_int64(st, 0) : 0;
    sl__db_reset(st);
    return rc == SL_DB_ROW || rc == SL_DB_DONE ? SL_OK : sl__db_error(s, rc, "read", err);
}

static sl_status audit(sl__db *s, int64_t now, const char *org, int64_t actor, const char *action,
                       const char *target, const char *before, const char *after, const char *pver,
                       sl_error *err)
{
    sl__audit_rec rec = {.org = org,
                         .actor = actor,
                         .action = action,
                         .target = target,
                         .before = before ? before : "",
                         .after = after ? after : "",
                         .policy_version = pver ? pver : "",
                         .data = s->data.data};
    return sl__db_audit_append(s, now, &rec, err);
}

/* "null" or the quoted SHA-256 hex of a text, into the data buffer. */
static sl_status put_sha(sl_buf *d, const char *key, const char *p, size_t len, bool present)
{
    char hex[2 * SL_AUDIT_HASH_LEN + 1];
    if (!present) return sl_buf_printf(d, ",\"%s\":null", key);
    sl__audit_sha256_hex(p ? p : "", len, hex);
    return sl_buf_printf(d, ",\"%s\":\"%s\"", key, hex);
}

/* ---- cases -------------------------------------------------------------------------------- */

static const char *const sql_case_insert =
    "INSERT INTO cases (org, queue, item, severity, opened_at) VALUES (?1, ?2, ?3, ?4, ?5) "
    "RETURNING id";
static const char *const sql_case_close =
    "UPDATE cases SET closed_at = ?2, close_reason = ?3, lease_until = NULL, leased_by = NULL "
    "WHERE id = ?1 AND closed_at IS NULL";
static const char *const sql_open_cases =
    "SELECT id, queue FROM cases WHERE item = ?1 AND closed_at IS NULL AND queue IN (?2, ?3) "
    "ORDER BY id";
static const char *const sql_open_case_of =
    "SELECT id FROM cases WHERE item = ?1 AND queue = ?2 AND closed_at IS NULL ORDER BY id "
    "LIMIT 1";

static sl_status case_open(sl__db *s, int64_t org, const char *org_id, const char *queue,
                           const item_row *it, int64_t now, int64_t actor, int64_t *case_id,
                           sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_case_insert, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, org);
    sl__db_bind_text(st, 2, queue, -1, SL_DB_STATIC);
    sl__db_bind_int64(st, 3, it->id);
    sl__db_bind_int64(st, 4, it->severity);
    sl__db_bind_int64(st, 5, now);
    if ((status = sl__db_insert(s, st, case_id, "open case", err))) return status;
    if ((status = sl__db_add_event(s, it->id, now, actor, "queued", -1, -1, queue, err)))
        return status;
    char target[32];
    snprintf(target, sizeof target, "case:%" PRId64, *case_id);
    sl_buf_clear(&s->data);
    /* queue names are the store's own constants (no quoting needed) */
    if (sl_buf_printf(&s->data, "{\"item\":%" PRId64 ",\"queue\":\"%s\"}", it->id, queue))
        return oom(err);
    return audit(s, now, org_id, actor, "case.open", target, "", "", it->policy_version, err);
}

static sl_status case_close(sl__db *s, const char *org_id, int64_t case_id, const char *queue,
                            const item_row *it, const char *reason, int64_t now, int64_t actor,
                            sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_case_close, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, case_id);
    sl__db_bind_int64(st, 2, now);
    sl__db_bind_text(st, 3, reason, -1, SL_DB_STATIC);
    if ((status = sl__db_run(s, st, "close case", err))) return status;
    if ((status = sl__db_add_event(s, it->id, now, actor, "closed", -1, -1, queue, err)))
        return status;
    char target[32];
    snprintf(target, sizeof target, "case:%" PRId64, case_id);
    sl_buf_clear(&s->data);
    if (sl_buf_printf(&s->data, "{\"item\":%" PRId64 ",\"queue\":\"%s\",\"reason\":\"%s\"}", it->id,
                      queue, reason))
        return oom(err);
    return audit(s, now, org_id, actor, "case.close", target, "", "", it->policy_version, err);
}

#define MAX_OPEN_CASES 8

typedef struct open_cases {
    size_t n;
    int64_t id[MAX_OPEN_CASES];
    char queue[MAX_OPEN_CASES][SL_STORE_MAX_QUEUE + 1];
} open_cases;

/* The item's open cases in pending and reported (an item has at most one of each). */
static sl_status review_cases(sl__db *s, int64_t item, open_cases *oc, sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_open_cases, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, item);
    sl__db_bind_text(st, 2, SL_QUEUE_PENDING, -1, SL_DB_STATIC);
    sl__db_bind_text(st, 3, SL_QUEUE_REPORTED, -1, SL_DB_STATIC);
    int rc;
    oc->n = 0;
    while ((rc = sl__db_step(st)) == SL_DB_ROW && oc->n < MAX_OPEN_CASES) {
        oc->id[oc->n] = sl__db_column_int64(st, 0);
        sl__db_copy_text(oc->queue[oc->n], sizeof oc->queue[0], sl__db_col_text(st, 1));
        oc->n++;
    }
    sl__db_reset(st);
    return rc == SL_DB_ROW || rc == SL_DB_DONE ? SL_OK : sl__db_error(s, rc, "read cases", err);
}

static sl_status close_review_cases(sl__db *s, const char *org_id, const item_row *it,
                                    const char *reason, int64_t now, int64_t actor, size_t *n,
                                    sl_error *err)
{
    open_cases oc;
    sl_status status = review_cases(s, it->id, &oc, err);
    for (size_t k = 0; k < oc.n && !status; k++)
        status = case_close(s, org_id, oc.id[k], oc.queue[k], it, reason, now, actor, err);
    if (n) *n = oc.n;
    return status;
}

static sl_status open_case_of(sl__db *s, int64_t item, const char *queue, int64_t *case_id,
                              sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_open_case_of, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, item);
    sl__db_bind_text(st, 2, queue, -1, SL_DB_STATIC);
    return one_int(s, st, case_id, err);
}

/* ---- notices ------------------------------------------------------------------------------ */

static const char *const sql_notice_insert =
    "INSERT INTO notices (id, org, item, kind, decision, appeal, rule, rule_category, "
    "rule_clause, created_at, appeal_until, appeal_lookup, appeal_hash) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

/* The notice's row: one deferred INSERT, or gathered with its batch's rows (sql_rows.h). */
static sl_status notice_row(sl__db *s, int64_t org, int64_t item, const char *kind,
                            int64_t decision, int64_t appeal, const sl_store_rule_ref *rule,
                            const sl__notice_new *n, int64_t now, int64_t until, sl_error *err)
{
    bool appealable = n->token[0] != '\0';
    const char *rule_id = rule && rule->id ? rule->id : "";
    const char *category = rule && rule->category ? rule->category : "";
    const char *clause = rule && rule->clause ? rule->clause : "";
    if (s->rows)
        return sl__rows_notice(s->rows, n->id, org, item, kind, decision, appeal, rule_id, category,
                               clause, now, until, n->lookup, appealable ? n->hash : NULL)
                   ? oom(err)
                   : SL_OK;
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_notice_insert, &st, err);
    if (status) return status;
    sl__db_bind_text(st, 1, n->id, -1, SL_DB_STATIC);
    sl__db_bind_int64(st, 2, org);
    sl__db_bind_int64(st, 3, item);
    sl__db_bind_text(st, 4, kind, -1, SL_DB_STATIC);
    sl__db_bind_id(st, 5, decision);
    sl__db_bind_id(st, 6, appeal);
    sl__db_bind_text(st, 7, rule_id, -1, SL_DB_STATIC);
    sl__db_bind_text(st, 8, category, -1, SL_DB_STATIC);
    sl__db_bind_text(st, 9, clause, -1, SL_DB_STATIC);
    sl__db_bind_int64(st, 10, now);
    sl__db_bind_int64(st, 11, until);
    if (appealable) {
        sl__db_bind_int64(st, 12, n->lookup);
        sl__db_bind_blob(st, 13, n->hash, SL_STORE_HASH_LEN, SL_DB_STATIC);
    }
    return sl__db_run_deferred(s, st, "create notice", err);
}

sl_status sl__db_notice_create(sl__db *s, int64_t org, const char *org_id, int64_t item,
                               const char *kind, int64_t decision, int64_t appeal,
                               const sl_store_rule_ref *rule, const sl__notice_new *n, int64_t now,
                               int64_t actor, int64_t *appeal_until, sl_error *err)
{
    int64_t until = n->token[0] ? now + n->window_ms : 0;
    sl_status status = notice_row(s, org, item, kind, decision, appeal, rule, n, now, until, err);
    if (status) return status;
    if ((status = sl__db_add_event(s, item, now, actor, "notice", -1, -1, kind, err)))
        return status;
    char target[48];
    snprintf(target, sizeof target, "notice:%s", n->id);
    sl_buf_clear(&s->data);
    status = sl_buf_printf(&s->data, "{\"item\":%" PRId64, item);
    if (!status && decision) status = sl_buf_printf(&s->data, ",\"decision\":%" PRId64, decision);
    if (!status && appeal) status = sl_buf_printf(&s->data, ",\"appeal\":%" PRId64, appeal);
    if (!status) status = sl_buf_printf(&s->data, ",\"kind\":\"%s\"}", kind);
    if (status) return oom(err);
    if (appeal_until) *appeal_until = until;
    return audit(s, now, org_id, actor, "notice.create", target, "", "", "", err);
}

static void notice_out(const sl__notice_new *n, int64_t until, sl_store_notice_out *out)
{
    sl__db_copy_text(out->id, sizeof out->id, n->id);
    sl__db_copy_text(out->appeal_token, sizeof out->appeal_token, n->token);
    out->appeal_until = until;
}

/* ---- item version ------------------------------------------------------------------------- */

sl_status sl__db_item_version(void *db, const char *org, const char *channel, size_t channel_len,
                              const char *id, size_t id_len, int64_t *version, sl_error *err)
{
    sl__db *s = db;
    int64_t pk;
    item_row it;
    sl_status status = sl__db_org_pk(s, org, &pk, err);
    if (!status) status = item_by_key(s, pk, channel, channel_len, id, id_len, &it, err);
    if (!status) *version = it.version;
    return status;
}

/* ---- decisions ---------------------------------------------------------------------------- */

static const char *const sql_has_decision = "SELECT count(*) FROM decisions WHERE item = ?1";
static const char *const sql_decision_insert =
    "INSERT INTO decisions (org, item, case_id, outcome, rule, rule_category, rule_clause, note, "
    "statement, decided_by, decided_by_name, decided_at, from_state, to_state, policy_version, "
    "engine_version, automated_detection, appeal_until) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) "
    "RETURNING id";

static sl_status count_of(sl__db *s, const char *sql, int64_t a, const char *b, int64_t *v,
                          sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, a);
    if (b) sl__db_bind_text(st, 2, b, -1, SL_DB_STATIC);
    return one_int(s, st, v, err);
}

static sl_status insert_decision(sl__db *s, int64_t org, const item_row *it, int64_t case_id,
                                 const sl_store_decision_in *in, int64_t actor, const char *name,
                                 sl_item_state to, bool detected, int64_t appeal_until, int64_t now,
                                 int64_t *id, sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_decision_insert, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, org);
    sl__db_bind_int64(st, 2, it->id);
    sl__db_bind_id(st, 3, case_id);
    sl__db_bind_text(st, 4, sl_store_outcome_name(in->outcome), -1, SL_DB_STATIC);
    sl__db_bind_text(st, 5, in->rule.id, -1, SL_DB_STATIC);
    sl__db_bind_text(st, 6, in->rule.category ? in->rule.category : "", -1, SL_DB_STATIC);
    sl__db_bind_text(st, 7, in->rule.clause ? in->rule.clause : "", -1, SL_DB_STATIC);
    sl__db_bind_str(st, 8, in->note, in->note_len, 0);
    sl__db_bind_str(st, 9, in->statement, in->statement_len, 1);
    sl__db_bind_int64(st, 10, actor);
    sl__db_bind_text(st, 11, name, -1, SL_DB_STATIC);
    sl__db_bind_int64(st, 12, now);
    sl__db_bind_int(st, 13, (int)it->state);
    sl__db_bind_int(st, 14, (int)to);
    sl__db_bind_text(st, 15, it->policy_version, -1, SL_DB_STATIC);
    sl__db_bind_text(st, 16, in->engine_version ? in->engine_version : "", -1, SL_DB_STATIC);
    sl__db_bind_int(st, 17, detected ? 1 : 0);
    sl__db_bind_int64(st, 18, appeal_until);
    return sl__db_insert(s, st, id, "record decision", err);
}

static sl_status audit_decision(sl__db *s, const char *org_id, int64_t actor, int64_t id,
                                const item_row *it, int64_t case_id, const sl_store_decision_in *in,
                                sl_item_state to, bool detected, int64_t now, sl_error *err)
{
    char target[32];
    snprintf(target, sizeof target, "item:%" PRId64, it->id);
    sl_buf *d = &s->data;
    sl_buf_clear(d);
    sl_status st = sl_buf_printf(d, "{\"decision\":%" PRId64 ",\"outcome\":\"%s\",\"rule\":", id,
                                 sl_store_outcome_name(in->outcome));
    if (!st) st = sl_buf_json_string(d, in->rule.id, strlen(in->rule.id));
    if (!st)
        st = case_id ? sl_buf_printf(d, ",\"case\":%" PRId64, case_id)
                     : sl_buf_puts(d, ",\"case\":null");
    if (!st) st = sl_buf_printf(d, ",\"automated_detection\":%s", detected ? "true" : "false");
    if (!st) st = put_sha(d, "note_sha256", in->note, in->note_len, true);
    if (!st) st = put_sha(d, "statement_sha256", in->statement, in->statement_len, in->statement);
    if (!st) st = sl_buf_puts(d, "}");
    if (st) return oom(err);
    return audit(s, now, org_id, actor, "item.decide", target, sl_item_state_name(it->state),
                 sl_item_state_name(to), it->policy_version, err);
}

/* The checks and effects of a decision, inside the write transaction. */
static sl_status decide_in(sl__db *s, const char *org_id, int64_t actor,
                           const sl_store_decision_in *in, sl__notice_new *notice, int64_t now,
                           sl_store_decision_out *out, sl_store_refusal *refusal, sl_error *err)
{
    int64_t org, appeals = 0, decided = 0;
    char name[SL_STORE_MAX_NAME + 1];
    item_row it;
    open_cases oc;
    sl_status status = sl__db_org_pk(s, org_id, &org, err);
    if (!status) status = actor_of(s, actor, org, name, err);
    if (!status)
        status = item_by_key(s, org, in->channel, in->channel_len, in->id, in->id_len, &it, err);
    if (status) return status;
    if (in->version != it.version)
        return refuse(refusal, SL_REFUSE_STALE, err,
                      "the item changed since the version given: read it again");
    if ((status = open_case_of(s, it.id, SL_QUEUE_APPEALS, &appeals, err))) return status;
    if (appeals)
        return refuse(refusal, SL_REFUSE_APPEAL_OPEN, err,
                      "an appeal of this item is open: the appeals decision comes next");
    if ((status = review_cases(s, it.id, &oc, err))) return status;
    if ((status = count_of(s, sql_has_decision, it.id, NULL, &decided, err))) return status;
    if (oc.n == 0 && decided)
        return refuse(refusal, SL_REFUSE_ALREADY_DECIDED, err,
                      "the item was decided and has no open case");
    sl_item_state to = it.state;
    if (in->outcome == SL_STORE_REMOVE) to = SL_ITEM_REMOVED;
    if (in->outcome == SL_STORE_RESTORE) {
        if (it.state == SL_ITEM_PUBLISHED)
            return refuse(refusal, SL_REFUSE_NOT_RESTRICTED, err,
                          "the item is published: there is nothing to restore");
        to = SL_ITEM_PUBLISHED;
    }
    /* the engine flagged it when it put it before a person at ingest */
    bool detected = it.action == SL_STORE_REVIEW || it.action == SL_STORE_HIDE;
    bool restricts = to != SL_ITEM_PUBLISHED;
    int64_t case_id = oc.n ? oc.id[0] : 0, id = 0;
    /* the author appeals a restriction through its notice, a reporter a decision that left the
     * item up through the report: both within the same window */
    int64_t until = now + notice->window_ms;
    status =
        insert_decision(s, org, &it, case_id, in, actor, name, to, detected, until, now, &id, err);
    if (!status && to != it.state) status = set_state(s, it.id, to, err);
    if (!status)
        status = sl__db_add_event(
            s, it.id, now, actor, "decided", to != it.state ? (int)it.state : -1,
            to != it.state ? (int)to : -1, sl_store_outcome_name(in->outcome), err);
    if (!status)
        status = audit_decision(s, org_id, actor, id, &it, case_id, in, to, detected, now, err);
    if (!status)
        status = close_review_cases(s, org_id, &it, "decided", now, actor, &out->cases_closed, err);
    int64_t nuntil = 0;
    if (!status && restricts) {
        status = sl__db_notice_create(s, org, org_id, it.id, "decision", id, 0, &in->rule, notice,
                                      now, actor, &nuntil, err);
        if (!status) notice_out(notice, nuntil, &out->notice);
    }
    if (status) return status;
    out->decision = id;
    out->item = it.id;
    out->before = it.state;
    out->after = to;
    item_row now_it;
    if ((status = item_by_id(s, org, it.id, &now_it, err))) return status;
    out->version = now_it.version;
    return SL_OK;
}

sl_status sl__db_decide(void *db, const char *org, int64_t actor, const sl_store_decision_in *in,
                        sl__notice_new *notice, int64_t now, sl_store_decision_out *out,
                        sl_store_refusal *refusal, sl_error *err)
{
    sl__db *s = db;
    sl_status status = sl__db_begin_write(s, err);
    if (status) return status;
    status = decide_in(s, org, actor, in, notice, now, out, refusal, err);
    return sl__db_commit(s, status, err);
}

/* ---- notices: reading --------------------------------------------------------------------- */

static const char *const sql_notice_get =
    "SELECT n.id, o.id, n.kind, n.item, coalesce(n.decision, 0), coalesce(n.appeal, 0), "
    "i.channel, i.ext_id, n.rule, n.rule_category, n.rule_clause, "
    "coalesce(d.policy_version, i.policy_version), coalesce(d.engine_version, ''), "
    "CASE n.kind WHEN 'appeal_outcome' THEN coalesce(a.outcome, '') "
    "ELSE coalesce(d.outcome, '') END, n.lang, i.state, "
    "coalesce(d.automated_detection, CASE WHEN i.action IN (2, 3) THEN 1 ELSE 0 END), n.kind = "
    "'automated_hide', "
    "n.created_at, CASE n.kind WHEN 'appeal_outcome' THEN coalesce(a.decided_at, n.created_at) "
    "ELSE coalesce(d.decided_at, n.created_at) END, n.appeal_until, "
    "CASE n.kind WHEN 'decision' THEN d.statement END, "
    "CASE n.kind WHEN 'appeal_outcome' THEN a.reason END, i.text, i.verdict, "
    "coalesce(n.appeal_hash, an.appeal_hash, r.appeal_hash) "
    "FROM notices n JOIN items i ON i.id = n.item JOIN organizations o ON o.pk = n.org "
    "LEFT JOIN decisions d ON d.id = n.decision LEFT JOIN appeals a ON a.id = n.appeal "
    "LEFT JOIN notices an ON an.id = a.notice LEFT JOIN reports r ON r.id = a.report "
    "WHERE n.id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR o.id = ?2)";

/* A malloc'ed copy of column i, or NULL for SQL NULL (*len its length). */
static char *dup_col(sl__dbst *st, int i, size_t *len, bool *fail)
{
    if (sl__db_column_type(st, i) == SL_DB_NULL) return NULL;
    size_t n = (size_t)sl__db_column_bytes(st, i);
    char *p = malloc(n + 1);
    if (!p) {
        *fail = true;
        return NULL;
    }
    memcpy(p, sl__db_col_text(st, i), n);
    p[n] = '\0';
    if (len) *len = n;
    return p;
}

static void fill_notice(sl__dbst *st, sl_store_notice *n, bool *fail)
{
    sl__db_copy_text(n->id, sizeof n->id, sl__db_col_text(st, 0));
    sl__db_copy_text(n->org, sizeof n->org, sl__db_col_text(st, 1));
    sl__db_copy_text(n->kind, sizeof n->kind, sl__db_col_text(st, 2));
    n->item = sl__db_column_int64(st, 3);
    n->decision = sl__db_column_int64(st, 4);
    n->appeal = sl__db_column_int64(st, 5);
    sl__db_copy_text(n->channel, sizeof n->channel, sl__db_col_text(st, 6));
    sl__db_copy_text(n->item_id, sizeof n->item_id, sl__db_col_text(st, 7));
    sl__db_copy_text(n->rule, sizeof n->rule, sl__db_col_text(st, 8));
    sl__db_copy_text(n->category, sizeof n->category, sl__db_col_text(st, 9));
    sl__db_copy_text(n->clause, sizeof n->clause, sl__db_col_text(st, 10));
    sl__db_copy_text(n->policy_version, sizeof n->policy_version, sl__db_col_text(st, 11));
    sl__db_copy_text(n->engine_version, sizeof n->engine_version, sl__db_col_text(st, 12));
    sl__db_copy_text(n->outcome, sizeof n->outcome, sl__db_col_text(st, 13));
    sl__db_copy_text(n->lang, sizeof n->lang, sl__db_col_text(st, 14));
    n->state = (sl_item_state)sl__db_column_int(st, 15);
    n->automated_detection = sl__db_column_int(st, 16) != 0;
    n->automated_decision = sl__db_column_int(st, 17) != 0;
    n->created_at = sl__db_column_int64(st, 18);
    n->decided_at = sl__db_column_int64(st, 19);
    n->appeal_until = sl__db_column_int64(st, 20);
    n->statement = dup_col(st, 21, NULL, fail);
    n->appeal_reason = dup_col(st, 22, NULL, fail);
    n->text = dup_col(st, 23, &n->text_len, fail);
    n->verdict_json = dup_col(st, 24, &n->verdict_len, fail);
}

sl_status sl__db_notice_get(void *db, const char *org, const char *id,
                            const unsigned char *token_hash, sl_store_notice *out, sl_error *err)
{
    sl__db *s = db;
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_notice_get, &st, err);
    if (status) return status;
    sl__db_bind_text(st, 1, id, -1, SL_DB_STATIC);
    if (org) sl__db_bind_text(st, 2, org, -1, SL_DB_STATIC);
    int rc = sl__db_step(st);
    if (rc == SL_DB_DONE) {
        sl__db_reset(st);
        return sl_error_set(err, SL_ERR_NOT_FOUND, SL_NO_POS, "no such notice");
    }
    if (rc != SL_DB_ROW) {
        sl__db_reset(st);
        return sl__db_error(s, rc, "read notice", err);
    }
    if (token_hash) {
        const void *h = sl__db_column_blob(st, 25);
        bool ok = h && sl__db_column_bytes(st, 25) == SL_STORE_HASH_LEN &&
                  sl__store_hash_equal(h, token_hash);
        if (!ok) {
            sl__db_reset(st);
            return sl_error_set(err, SL_ERR_AUTH, SL_NO_POS,
                                "this appeal token is not the notice's");
        }
    }
    bool fail = false;
    fill_notice(st, out, &fail);
    sl__db_reset(st);
    return fail ? oom(err) : SL_OK;
}

/* ---- reports ------------------------------------------------------------------------------ */

static const char *const sql_report_insert =
    "INSERT INTO reports (org, item, case_id, reason, text, reporter, created_at, "
    "appeal_lookup, appeal_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id";
static const char *const sql_case_report_count = "SELECT count(*) FROM reports WHERE case_id = ?1";

static sl_status report_in(sl__db *s, const char *org_id, int64_t actor,
                           const sl_store_report_in *in, const unsigned char *reporter,
                           const sl__notice_new *token, int64_t now, sl_store_report_out *out,
                           sl_error *err)
{
    int64_t org, case_id = 0;
    char name[SL_STORE_MAX_NAME + 1];
    item_row it;
    sl_status status = sl__db_org_pk(s, org_id, &org, err);
    if (!status) status = actor_of(s, actor, org, name, err);
    if (!status)
        status = item_by_key(s, org, in->channel, in->channel_len, in->id, in->id_len, &it, err);
    if (!status) status = open_case_of(s, it.id, SL_QUEUE_REPORTED, &case_id, err);
    if (status) return status;
    out->opened = case_id == 0;
    if (out->opened &&
        (status = case_open(s, org, org_id, SL_QUEUE_REPORTED, &it, now, actor, &case_id, err)))
        return status;
    sl__dbst *st;
    if ((status = sl__db_prepare(s, sql_report_insert, &st, err))) return status;
    sl__db_bind_int64(st, 1, org);
    sl__db_bind_int64(st, 2, it.id);
    sl__db_bind_int64(st, 3, case_id);
    sl__db_bind_str(st, 4, in->reason, in->reason_len, 0);
    sl__db_bind_str(st, 5, in->text, in->text_len, 1);
    if (reporter) sl__db_bind_blob(st, 6, reporter, SL_STORE_HASH_LEN, SL_DB_STATIC);
    sl__db_bind_int64(st, 7, now);
    sl__db_bind_int64(st, 8, token->lookup);
    sl__db_bind_blob(st, 9, token->hash, SL_STORE_HASH_LEN, SL_DB_STATIC);
    if ((status = sl__db_insert(s, st, &out->report, "record report", err))) return status;
    out->case_id = case_id;
    /* the reason is a category name (at most SL_STORE_MAX_RULE bytes): kept in the history,
     * the text is not */
    char reason[SL_STORE_MAX_RULE + 1];
    size_t rl = in->reason_len < SL_STORE_MAX_RULE ? in->reason_len : SL_STORE_MAX_RULE;
    memcpy(reason, in->reason, rl);
    reason[rl] = '\0';
    if ((status = sl__db_add_event(s, it.id, now, actor, "reported", -1, -1, reason, err)))
        return status;
    char target[32];
    snprintf(target, sizeof target, "report:%" PRId64, out->report);
    sl_buf *d = &s->data;
    sl_buf_clear(d);
    status = sl_buf_printf(d, "{\"item\":%" PRId64 ",\"reason\":", it.id);
    if (!status) status = sl_buf_json_string(d, in->reason, in->reason_len);
    if (!status) status = put_sha(d, "text_sha256", in->text, in->text_len, in->text);
    if (!status) status = sl_buf_printf(d, ",\"case\":%" PRId64 "}", case_id);
    if (status) return oom(err);
    if ((status =
             audit(s, now, org_id, actor, "report.create", target, "", "", it.policy_version, err)))
        return status;
    return count_of(s, sql_case_report_count, case_id, NULL, &out->reports, err);
}

sl_status sl__db_report(void *db, const char *org, int64_t actor, const sl_store_report_in *in,
                        const unsigned char *reporter, const sl__notice_new *token, int64_t now,
                        sl_store_report_out *out, sl_error *err)
{
    sl__db *s = db;
    sl_status status = sl__db_begin_write(s, err);
    if (status) return status;
    status = report_in(s, org, actor, in, reporter, token, now, out, err);
    return sl__db_commit(s, status, err);
}

static const char *const sql_case_reasons =
    "SELECT r.reason, count(*) FROM reports r JOIN organizations o ON o.pk = r.org "
    "WHERE o.id = ?1 AND r.case_id = ?2 GROUP BY r.reason ORDER BY count(*) DESC, r.reason";

sl_status sl__db_case_reports(void *db, const char *org, int64_t case_id,
                              sl_store_case_reports *out, sl_error *err)
{
    sl__db *s = db;
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_case_reasons, &st, err);
    if (status) return status;
    sl__db_bind_text(st, 1, org, -1, SL_DB_STATIC);
    sl__db_bind_int64(st, 2, case_id);
    int rc;
    while ((rc = sl__db_step(st)) == SL_DB_ROW) {
        int64_t c = sl__db_column_int64(st, 1);
        out->reports += c;
        if (out->nreasons < SL_STORE_MAX_REASONS) {
            sl__db_copy_text(out->reasons[out->nreasons].reason, sizeof out->reasons[0].reason,
                             sl__db_col_text(st, 0));
            out->reasons[out->nreasons++].count = c;
        }
    }
    sl__db_reset(st);
    return rc == SL_DB_DONE ? SL_OK : sl__db_error(s, rc, "read reports", err);
}

/* ---- appeals ------------------------------------------------------------------------------ */

/* What an appeal token opens: a notice or a report, with the decision it contests. */
typedef struct appealed {
    int64_t org, item, report, decision, until;
    char notice[SL_NOTICE_ID_SIZE];
    char kind[16];
    char org_id[SL_STORE_MAX_ORG_ID + 1];
} appealed;

static const char *const sql_notice_by_token =
    "SELECT n.id, n.org, o.id, n.item, n.kind, coalesce(n.decision, 0), n.appeal_until, "
    "n.appeal_hash FROM notices n JOIN organizations o ON o.pk = n.org "
    "WHERE n.appeal_lookup = ?1";
static const char *const sql_report_by_token =
    "SELECT r.id, r.org, o.id, r.item, r.created_at, r.appeal_hash FROM reports r "
    "JOIN organizations o ON o.pk = r.org WHERE r.appeal_lookup = ?1";

/* Finds the notice or report whose appeal token hashes to hash: every candidate is compared
 * in constant time. *found false when none matches. */
static sl_status find_by_token(sl__db *s, int64_t lookup, const unsigned char *hash, appealed *a,
                               int64_t *report_at, bool *found, sl_error *err)
{
    sl__dbst *st;
    *found = false;
    sl_status status = sl__db_prepare(s, sql_notice_by_token, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, lookup);
    int rc;
    while ((rc = sl__db_step(st)) == SL_DB_ROW) {
        const void *h = sl__db_column_blob(st, 7);
        if (!h || sl__db_column_bytes(st, 7) != SL_STORE_HASH_LEN) continue;
        if (sl__store_hash_equal(h, hash)) {
            sl__db_copy_text(a->notice, sizeof a->notice, sl__db_col_text(st, 0));
            a->org = sl__db_column_int64(st, 1);
            sl__db_copy_text(a->org_id, sizeof a->org_id, sl__db_col_text(st, 2));
            a->item = sl__db_column_int64(st, 3);
            sl__db_copy_text(a->kind, sizeof a->kind, sl__db_col_text(st, 4));
            a->decision = sl__db_column_int64(st, 5);
            a->until = sl__db_column_int64(st, 6);
            *found = true;
        }
    }
    sl__db_reset(st);
    if (rc != SL_DB_DONE) return sl__db_error(s, rc, "find notice", err);
    if (*found) return SL_OK;
    if ((status = sl__db_prepare(s, sql_report_by_token, &st, err))) return status;
    sl__db_bind_int64(st, 1, lookup);
    while ((rc = sl__db_step(st)) == SL_DB_ROW) {
        const void *h = sl__db_column_blob(st, 5);
        if (!h || sl__db_column_bytes(st, 5) != SL_STORE_HASH_LEN) continue;
        if (sl__store_hash_equal(h, hash)) {
            a->report = sl__db_column_int64(st, 0);
            a->org = sl__db_column_int64(st, 1);
            sl__db_copy_text(a->org_id, sizeof a->org_id, sl__db_col_text(st, 2));
            a->item = sl__db_column_int64(st, 3);
            *report_at = sl__db_column_int64(st, 4);
            sl__db_copy_text(a->kind, sizeof a->kind, "report");
            *found = true;
        }
    }
    sl__db_reset(st);
    return rc == SL_DB_DONE ? SL_OK : sl__db_error(s, rc, "find report", err);
}

static const char *const sql_appeals_of_notice = "SELECT count(*) FROM appeals WHERE notice = ?1";
static const char *const sql_appeals_of_report = "SELECT count(*) FROM appeals WHERE report = ?1";
static const char *const sql_appeals_of_decision =
    "SELECT count(*) FROM appeals WHERE decision = ?1";
static const char *const sql_later_decisions =
    "SELECT count(*) FROM decisions WHERE item = ?1 AND id > ?2";
static const char *const sql_decision_brief =
    "SELECT to_state, appeal_until, overruled_by IS NOT NULL FROM decisions WHERE id = ?1";
/* the decision that closed a report's case: the first on the item made after the report */
static const char *const sql_decision_after =
    "SELECT id FROM decisions WHERE item = ?1 AND decided_at >= ?2 ORDER BY id LIMIT 1";
static const char *const sql_appeal_insert =
    "INSERT INTO appeals (org, item, case_id, notice, report, decision, text, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";

static sl_status decision_brief(sl__db *s, int64_t id, int *to_state, int64_t *until,
                                bool *overruled, sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_decision_brief, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, id);
    int rc = sl__db_step(st);
    if (rc == SL_DB_ROW) {
        *to_state = sl__db_column_int(st, 0);
        *until = sl__db_column_int64(st, 1);
        *overruled = sl__db_column_int(st, 2) != 0;
    }
    sl__db_reset(st);
    if (rc == SL_DB_DONE)
        return sl_error_set(err, SL_ERR_STORE, SL_NO_POS, "database: decision %lld is gone",
                            (long long)id);
    return rc == SL_DB_ROW ? SL_OK : sl__db_error(s, rc, "read decision", err);
}

/* Whether what the token opens may be appealed now; fills a->decision for a report. */
static sl_status appealable(sl__db *s, appealed *a, int64_t report_at, int64_t now,
                            sl_store_refusal *refusal, sl_error *err)
{
    int64_t n = 0;
    sl_status status;
    if (a->report) {
        if ((status = count_of(s, sql_appeals_of_report, a->report, NULL, &n, err))) return status;
        if (n) return refuse(refusal, SL_REFUSE_ALREADY_APPEALED, err, "this report was appealed");
        sl__dbst *st;
        if ((status = sl__db_prepare(s, sql_decision_after, &st, err))) return status;
        sl__db_bind_int64(st, 1, a->item);
        sl__db_bind_int64(st, 2, report_at);
        if ((status = one_int(s, st, &a->decision, err))) return status;
        if (!a->decision)
            return refuse(refusal, SL_REFUSE_NOT_APPEALABLE, err,
                          "the report has not been decided yet");
    } else {
        if (!strcmp(a->kind, "appeal_outcome"))
            return refuse(refusal, SL_REFUSE_NOT_APPEALABLE, err,
                          "the outcome of an appeal cannot be appealed");
        sl__dbst *st;
        if ((status = sl__db_prepare(s, sql_appeals_of_notice, &st, err))) return status;
        sl__db_bind_text(st, 1, a->notice, -1, SL_DB_STATIC);
        if ((status = one_int(s, st, &n, err))) return status;
        if (n) return refuse(refusal, SL_REFUSE_ALREADY_APPEALED, err, "this notice was appealed");
        if (now >= a->until)
            return refuse(refusal, SL_REFUSE_WINDOW_CLOSED, err, "the appeal window has closed");
        /* a person's decision after an automated hide (or after this decision) replaces it */
        sl__dbst *ld;
        if ((status = sl__db_prepare(s, sql_later_decisions, &ld, err))) return status;
        sl__db_bind_int64(ld, 1, a->item);
        sl__db_bind_int64(ld, 2, a->decision);
        if ((status = one_int(s, ld, &n, err))) return status;
        if (n)
            return refuse(refusal, SL_REFUSE_SUPERSEDED, err,
                          a->decision ? "a later decision replaced this one"
                                      : "a person has decided since this automated hide: "
                                        "appeal that decision's notice");
    }
    if (!a->decision) return SL_OK;
    int to_state = 0;
    int64_t until = 0;
    bool overruled = false;
    if ((status = decision_brief(s, a->decision, &to_state, &until, &overruled, err)))
        return status;
    if (overruled)
        return refuse(refusal, SL_REFUSE_NOT_APPEALABLE, err, "the decision was overruled");
    if (a->report && to_state != SL_ITEM_PUBLISHED)
        return refuse(refusal, SL_REFUSE_NOT_APPEALABLE, err,
                      "the report was acted on: the item is not shown");
    if (a->report && now >= until)
        return refuse(refusal, SL_REFUSE_WINDOW_CLOSED, err, "the appeal window has closed");
    if ((status = count_of(s, sql_appeals_of_decision, a->decision, NULL, &n, err))) return status;
    if (n) return refuse(refusal, SL_REFUSE_ALREADY_APPEALED, err, "this decision was appealed");
    return SL_OK;
}

static sl_status appeal_in(sl__db *s, int64_t lookup, const unsigned char *hash, const char *text,
                           size_t text_len, int64_t now, sl_store_appeal_out *out,
                           sl_store_refusal *refusal, sl_error *err)
{
    appealed a = {0};
    int64_t report_at = 0;
    bool found = false;
    sl_status status = find_by_token(s, lookup, hash, &a, &report_at, &found, err);
    if (status) return status;
    if (!found) return sl_error_set(err, SL_ERR_AUTH, SL_NO_POS, "unknown appeal token");
    if ((status = appealable(s, &a, report_at, now, refusal, err))) return status;
    item_row it;
    if ((status = item_by_id(s, a.org, a.item, &it, err))) return status;
    int64_t case_id = 0;
    if ((status = case_open(s, a.org, a.org_id, SL_QUEUE_APPEALS, &it, now, 0, &case_id, err)))
        return status;
    sl__dbst *st;
    if ((status = sl__db_prepare(s, sql_appeal_insert, &st, err))) return status;
    sl__db_bind_int64(st, 1, a.org);
    sl__db_bind_int64(st, 2, a.item);
    sl__db_bind_int64(st, 3, case_id);
    if (a.notice[0]) sl__db_bind_text(st, 4, a.notice, -1, SL_DB_STATIC);
    sl__db_bind_id(st, 5, a.report);
    sl__db_bind_id(st, 6, a.decision);
    sl__db_bind_str(st, 7, text, text_len, 0);
    sl__db_bind_int64(st, 8, now);
    if ((status = sl__db_insert(s, st, &out->appeal, "record appeal", err))) return status;
    out->case_id = case_id;
    sl__db_copy_text(out->org, sizeof out->org, a.org_id);
    if ((status = sl__db_add_event(s, a.item, now, 0, "appealed", -1, -1,
                                   a.report ? "report" : "notice", err)))
        return status;
    char target[32];
    snprintf(target, sizeof target, "appeal:%" PRId64, out->appeal);
    sl_buf *d = &s->data;
    sl_buf_clear(d);
    status = a.decision ? sl_buf_printf(d, "{\"decision\":%" PRId64, a.decision)
                        : sl_buf_puts(d, "{\"decision\":null");
    if (!status) status = sl_buf_printf(d, ",\"item\":%" PRId64, a.item);
    if (!status) status = put_sha(d, "text_sha256", text, text_len, true);
    if (!status) status = sl_buf_puts(d, "}");
    if (status) return oom(err);
    return audit(s, now, a.org_id, 0, "appeal.create", target, "", "", it.policy_version, err);
}

sl_status sl__db_appeal(void *db, int64_t lookup, const unsigned char hash[SL_STORE_HASH_LEN],
                        const char *text, size_t text_len, int64_t now, sl_store_appeal_out *out,
                        sl_store_refusal *refusal, sl_error *err)
{
    sl__db *s = db;
    sl_status status = sl__db_begin_write(s, err);
    if (status) return status;
    status = appeal_in(s, lookup, hash, text, text_len, now, out, refusal, err);
    return sl__db_commit(s, status, err);
}

static const char *const sql_appeal_get =
    "SELECT a.id, a.item, a.case_id, coalesce(a.decision, 0), coalesce(a.report, 0), "
    "coalesce(a.notice, ''), i.channel, i.ext_id, a.text, a.created_at, "
    "coalesce(d.outcome, ''), coalesce(d.rule, ''), coalesce(d.decided_by_name, ''), "
    "coalesce(a.outcome, ''), coalesce(a.decided_by_name, ''), coalesce(a.decided_at, 0) "
    "FROM appeals a JOIN items i ON i.id = a.item JOIN organizations o ON o.pk = a.org "
    "LEFT JOIN decisions d ON d.id = a.decision "
    "WHERE o.id = ?1 AND (a.id = ?2 OR a.case_id = ?3)";

sl_status sl__db_appeal_get(void *db, const char *org, int64_t id, int64_t case_id,
                            sl_store_appeal_info *out, sl_error *err)
{
    sl__db *s = db;
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_appeal_get, &st, err);
    if (status) return status;
    sl__db_bind_text(st, 1, org, -1, SL_DB_STATIC);
    sl__db_bind_int64(st, 2, id);
    sl__db_bind_int64(st, 3, case_id);
    int rc = sl__db_step(st);
    if (rc == SL_DB_ROW) {
        out->id = sl__db_column_int64(st, 0);
        out->item = sl__db_column_int64(st, 1);
        out->case_id = sl__db_column_int64(st, 2);
        out->decision = sl__db_column_int64(st, 3);
        out->report = sl__db_column_int64(st, 4);
        sl__db_copy_text(out->notice, sizeof out->notice, sl__db_col_text(st, 5));
        sl__db_copy_text(out->channel, sizeof out->channel, sl__db_col_text(st, 6));
        sl__db_copy_text(out->item_id, sizeof out->item_id, sl__db_col_text(st, 7));
        sl__db_copy_text(out->text, sizeof out->text, sl__db_col_text(st, 8));
        out->created_at = sl__db_column_int64(st, 9);
        sl__db_copy_text(out->decision_outcome, sizeof out->decision_outcome,
                         sl__db_col_text(st, 10));
        sl__db_copy_text(out->decision_rule, sizeof out->decision_rule, sl__db_col_text(st, 11));
        sl__db_copy_text(out->decided_by_name, sizeof out->decided_by_name,
                         sl__db_col_text(st, 12));
        sl__db_copy_text(out->outcome, sizeof out->outcome, sl__db_col_text(st, 13));
        sl__db_copy_text(out->appeal_decided_by_name, sizeof out->appeal_decided_by_name,
                         sl__db_col_text(st, 14));
        out->decided_at = sl__db_column_int64(st, 15);
    }
    sl__db_reset(st);
    if (rc == SL_DB_DONE) return sl_error_set(err, SL_ERR_NOT_FOUND, SL_NO_POS, "no such appeal");
    return rc == SL_DB_ROW ? SL_OK : sl__db_error(s, rc, "read appeal", err);
}

static const char *const sql_appeal_rule =
    "SELECT coalesce(d.rule, n.rule, ''), coalesce(d.rule_category, n.rule_category, ''), "
    "coalesce(d.rule_clause, n.rule_clause, ''), coalesce(d.to_state, -1) FROM appeals a "
    "LEFT JOIN decisions d ON d.id = a.decision LEFT JOIN notices n ON n.id = a.notice "
    "WHERE a.id = ?1";
static const char *const sql_appeal_set =
    "UPDATE appeals SET decided_by = ?2, decided_by_name = ?3, decided_at = ?4, outcome = ?5, "
    "reason = ?6 WHERE id = ?1 AND outcome IS NULL";
static const char *const sql_overrule = "UPDATE decisions SET overruled_by = ?2 WHERE id = ?1";

typedef struct rule_copy {
    char id[SL_STORE_MAX_RULE + 1], category[SL_STORE_MAX_RULE + 1];
    char clause[SL_STORE_MAX_CLAUSE + 1];
} rule_copy;

static sl_status appeal_rule(sl__db *s, int64_t appeal, rule_copy *r, sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_appeal_rule, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, appeal);
    int rc = sl__db_step(st);
    if (rc == SL_DB_ROW) {
        sl__db_copy_text(r->id, sizeof r->id, sl__db_col_text(st, 0));
        sl__db_copy_text(r->category, sizeof r->category, sl__db_col_text(st, 1));
        sl__db_copy_text(r->clause, sizeof r->clause, sl__db_col_text(st, 2));
    }
    sl__db_reset(st);
    return rc == SL_DB_ROW ? SL_OK : sl__db_error(s, rc, "read appeal", err);
}

static sl_status appeal_decide_in(sl__db *s, const char *org_id, int64_t actor, int64_t id,
                                  sl_store_appeal_outcome outcome, const char *reason,
                                  size_t reason_len, sl__notice_new *notice, int64_t now,
                                  sl_store_appeal_decision_out *out, sl_store_refusal *refusal,
                                  sl_error *err)
{
    int64_t org;
    char name[SL_STORE_MAX_NAME + 1];
    sl_store_appeal_info a = {0};
    sl_status status = sl__db_org_pk(s, org_id, &org, err);
    if (!status) status = actor_of(s, actor, org, name, err);
    if (!status) status = sl__db_appeal_get(s, org_id, id, 0, &a, err);
    if (status) return status;
    if (a.outcome[0]) return refuse(refusal, SL_REFUSE_APPEAL_DECIDED, err, "already decided");
    /* the person, whichever of their tokens: never the judge of their own decision */
    if (a.decision && !strcmp(a.decided_by_name, name))
        return refuse(refusal, SL_REFUSE_CONFLICT_OF_INTEREST, err,
                      "the person who made the decision may not decide its appeal");
    item_row it;
    if ((status = item_by_id(s, org, a.item, &it, err))) return status;
    sl_item_state to = it.state;
    if (outcome == SL_STORE_OVERTURN)
        to = it.state == SL_ITEM_PUBLISHED ? SL_ITEM_REMOVED : SL_ITEM_PUBLISHED;
    sl__dbst *st;
    if ((status = sl__db_prepare(s, sql_appeal_set, &st, err))) return status;
    sl__db_bind_int64(st, 1, id);
    sl__db_bind_int64(st, 2, actor);
    sl__db_bind_text(st, 3, name, -1, SL_DB_STATIC);
    sl__db_bind_int64(st, 4, now);
    sl__db_bind_text(st, 5, sl_store_appeal_outcome_name(outcome), -1, SL_DB_STATIC);
    sl__db_bind_str(st, 6, reason, reason_len, 0);
    if ((status = sl__db_run(s, st, "decide appeal", err))) return status;
    if (outcome == SL_STORE_OVERTURN && a.decision) {
        if ((status = sl__db_prepare(s, sql_overrule, &st, err))) return status;
        sl__db_bind_int64(st, 1, a.decision);
        sl__db_bind_int64(st, 2, id);
        if ((status = sl__db_run(s, st, "overrule decision", err))) return status;
    }
    if (to != it.state && (status = set_state(s, it.id, to, err))) return status;
    if ((status = sl__db_add_event(
             s, it.id, now, actor, "appeal decided", to != it.state ? (int)it.state : -1,
             to != it.state ? (int)to : -1, sl_store_appeal_outcome_name(outcome), err)))
        return status;
    char target[32];
    snprintf(target, sizeof target, "appeal:%" PRId64, id);
    sl_buf *d = &s->data;
    sl_buf_clear(d);
    status = sl_buf_printf(d, "{\"item\":%" PRId64 ",\"outcome\":\"%s\"", it.id,
                           sl_store_appeal_outcome_name(outcome));
    if (!status) status = put_sha(d, "reason_sha256", reason, reason_len, true);
    if (!status) status = sl_buf_puts(d, "}");
    if (status) return oom(err);
    if ((status =
             audit(s, now, org_id, actor, "appeal.decide", target, sl_item_state_name(it.state),
                   sl_item_state_name(to), it.policy_version, err)))
        return status;
    const char *why = outcome == SL_STORE_OVERTURN ? "appeal_overturned" : "appeal_upheld";
    if ((status = case_close(s, org_id, a.case_id, SL_QUEUE_APPEALS, &it, why, now, actor, err)))
        return status;
    /* an overturned automated hide also ends its wait in pending */
    if (outcome == SL_STORE_OVERTURN && !a.decision &&
        (status = close_review_cases(s, org_id, &it, why, now, actor, NULL, err)))
        return status;
    out->before = it.state;
    out->after = to;
    /* the author hears of the outcome; a reader's appeal upheld changed nothing for them */
    if (a.report && outcome == SL_STORE_UPHOLD) return SL_OK;
    rule_copy rc;
    if ((status = appeal_rule(s, id, &rc, err))) return status;
    sl_store_rule_ref ref = {rc.id, rc.category, rc.clause};
    notice->token[0] = '\0'; /* the outcome of an appeal is final here */
    if ((status = sl__db_notice_create(s, org, org_id, it.id, "appeal_outcome", a.decision, id,
                                       &ref, notice, now, actor, NULL, err)))
        return status;
    notice_out(notice, 0, &out->notice);
    return SL_OK;
}

sl_status sl__db_appeal_decide(void *db, const char *org, int64_t actor, int64_t id,
                               sl_store_appeal_outcome outcome, const char *reason,
                               size_t reason_len, sl__notice_new *notice, int64_t now,
                               sl_store_appeal_decision_out *out, sl_store_refusal *refusal,
                               sl_error *err)
{
    sl__db *s = db;
    sl_status status = sl__db_begin_write(s, err);
    if (status) return status;
    status = appeal_decide_in(s, org, actor, id, outcome, reason, reason_len, notice, now, out,
                              refusal, err);
    return sl__db_commit(s, status, err);
}

/* ---- queue times -------------------------------------------------------------------------- */

static const char *const sql_closed_count =
    "SELECT count(*) FROM cases c JOIN organizations o ON o.pk = c.org WHERE o.id = ?1 AND "
    "c.queue = ?2 AND c.closed_at IS NOT NULL AND c.closed_at >= ?3";
static const char *const sql_closed_rank =
    "SELECT c.closed_at - c.opened_at AS t FROM cases c JOIN organizations o ON o.pk = c.org "
    "WHERE o.id = ?1 AND c.queue = ?2 AND c.closed_at IS NOT NULL AND c.closed_at >= ?3 "
    "ORDER BY t LIMIT 1 OFFSET ?4";

/* The nearest-rank percentile p (0..100) of n sorted values: the value at ceil(p/100 n) - 1. */
static sl_status rank(sl__db *s, const char *org, const char *queue, int64_t since, int64_t n,
                      int p, int64_t *v, sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_closed_rank, &st, err);
    if (status) return status;
    int64_t k = (n * p + 99) / 100 - 1;
    sl__db_bind_text(st, 1, org, -1, SL_DB_STATIC);
    sl__db_bind_text(st, 2, queue, -1, SL_DB_STATIC);
    sl__db_bind_int64(st, 3, since);
    sl__db_bind_int64(st, 4, k < 0 ? 0 : k);
    return one_int(s, st, v, err);
}

sl_status sl__db_queue_times(void *db, const char *org, const char *queue, int64_t since,
                             sl_queue_times *out, sl_error *err)
{
    sl__db *s = db;
    sl_status status = sl__db_exec(s, "BEGIN", err);
    if (status) return status;
    sl__dbst *st;
    if (!(status = sl__db_prepare(s, sql_closed_count, &st, err))) {
        sl__db_bind_text(st, 1, org, -1, SL_DB_STATIC);
        sl__db_bind_text(st, 2, queue, -1, SL_DB_STATIC);
        sl__db_bind_int64(st, 3, since);
        status = one_int(s, st, &out->closed, err);
    }
    if (!status && out->closed)
        status = rank(s, org, queue, since, out->closed, 50, &out->p50_ms, err);
    if (!status && out->closed)
        status = rank(s, org, queue, since, out->closed, 90, &out->p90_ms, err);
    return sl__db_commit(s, status, err);
}
