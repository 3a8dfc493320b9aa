/* The SQLite backend's rescreen: listing the items a new engine should screen again, and
 * storing the verdicts that changed.
 *
 * The list is keyset-paged by item number over the union of two index ranges: the org's items
 * received since a time (items_unpurged; "+org" keeps SQLite off the org's whole unique index)
 * and the items of its open cases (cases_open). Applying
 * is one transaction per batch; each update is guarded by the action and policy version the
 * item was listed with, so a decision or another rescreen in between is never overwritten. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"
#include "store/sql_db.h"

static const char *const sql_list =
    "WITH todo(id) AS ("
    "SELECT id FROM items WHERE +org = ?1 AND purged_at IS NULL AND received_at >= ?2 AND id > ?3 "
    "UNION SELECT item FROM cases WHERE org = ?1 AND closed_at IS NULL AND item > ?3) "
    "SELECT i.id, i.channel, i.ext_id, i.text, i.verdict, i.policy_version, i.action, "
    "EXISTS (SELECT 1 FROM cases c WHERE c.item = i.id AND c.closed_at IS NULL), "
    "CASE WHEN json_valid(i.verdict) THEN coalesce((SELECT group_concat(r, ' ') FROM "
    "(SELECT DISTINCT json_extract(value, '$.rule') AS r FROM json_each(i.verdict, '$.hits') "
    "WHERE r IS NOT NULL ORDER BY r)), '') ELSE '' END "
    "FROM todo t JOIN items i ON i.id = t.id WHERE i.purged_at IS NULL ORDER BY t.id LIMIT ?4";
static const char *const pg_list =
    "WITH todo(id) AS ("
    "SELECT id FROM items WHERE org = ?1 AND purged_at IS NULL AND received_at >= ?2 AND id > ?3 "
    "UNION SELECT item FROM cases WHERE org = ?1 AND closed_at IS NULL AND item > ?3) "
    "SELECT i.id, i.channel, i.ext_id, i.text, i.verdict, i.policy_version, i.action, "
    "EXISTS (SELECT 1 FROM cases c WHERE c.item = i.id AND c.closed_at IS NULL), "
    "coalesce((SELECT string_agg(DISTINCT h ->> 'rule', ' ' ORDER BY h ->> 'rule') FROM "
    "jsonb_array_elements(CASE jsonb_typeof(sl_jsonb(i.verdict) -> 'hits') WHEN 'array' "
    "THEN sl_jsonb(i.verdict) -> 'hits' ELSE '[]' END) h WHERE h ->> 'rule' IS NOT NULL), '') "
    "FROM todo t JOIN items i ON i.id = t.id WHERE i.purged_at IS NULL ORDER BY t.id LIMIT ?4";

static const char *const sql_update =
    "UPDATE items SET verdict = ?3, action = ?4, score = ?5, policy_version = ?6 "
    "WHERE id = ?1 AND org = ?2 AND action = ?7 AND policy_version = ?8 AND purged_at IS NULL "
    "RETURNING state";
static const char *const sql_has_open =
    "SELECT count(*) FROM cases WHERE item = ?1 AND closed_at IS NULL";
static const char *const sql_open_case =
    "INSERT INTO cases (org, queue, item, severity, opened_at) VALUES (?1, ?2, ?3, ?4, ?5) "
    "RETURNING id";

/* ---- list --------------------------------------------------------------------------------- */

enum { C_ID, C_CHANNEL, C_EXT_ID, C_TEXT, C_VERDICT, C_PVER, C_ACTION, C_OPEN, C_RULES };

/* Copies the row's strings into one block; row->channel is the start of the block (freed by
 * sl_rescreen_page_free). */
static sl_status read_row(sl__dbst *st, sl_rescreen_row *row, sl_error *err)
{
    static const int cols[] = {C_CHANNEL, C_EXT_ID, C_TEXT, C_VERDICT, C_PVER, C_RULES};
    size_t size = 0;
    for (size_t k = 0; k < 6; k++) size += (size_t)sl__db_column_bytes(st, cols[k]) + 1;
    char *p = malloc(size);
    if (!p) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    const char **dst[] = {&row->channel,        &row->id,   &row->text, &row->verdict_json,
                          &row->policy_version, &row->rules};
    for (size_t k = 0; k < 6; k++) {
        size_t n = (size_t)sl__db_column_bytes(st, cols[k]);
        memcpy(p, sl__db_col_text(st, cols[k]), n);
        p[n] = '\0';
        *dst[k] = p;
        if (cols[k] == C_TEXT) row->text_len = n;
        if (cols[k] == C_VERDICT) row->verdict_len = n;
        p += n + 1;
    }
    row->item = sl__db_column_int64(st, C_ID);
    row->action = (sl_store_action)sl__db_column_int(st, C_ACTION);
    row->has_open_case = sl__db_column_int(st, C_OPEN) != 0;
    return SL_OK;
}

sl_status sl__db_rescreen_list(void *db, const char *org, int64_t since, int64_t after,
                               size_t limit, sl_rescreen_page *page, sl_error *err)
{
    sl__db *s = db;
    page->rows = calloc(limit, sizeof *page->rows);
    if (!page->rows) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    sl_status status = sl__db_exec(s, "BEGIN", err);
    if (status) return status;
    int64_t pk = 0;
    sl__dbst *st = NULL;
    status = sl__db_org_pk(s, org, &pk, err);
    if (!status) status = sl__db_prepare(s, SL_DB_SQL(s, sql_list, pg_list), &st, err);
    if (!status) {
        sl__db_bind_int64(st, 1, pk);
        sl__db_bind_int64(st, 2, since);
        sl__db_bind_int64(st, 3, after);
        sl__db_bind_int64(st, 4, (int64_t)limit + 1);
        int rc;
        while (!status && (rc = sl__db_step(st)) == SL_DB_ROW) {
            if (page->n == limit) {
                page->more = true;
                break;
            }
            status = read_row(st, &page->rows[page->n], err);
            if (!status) page->last = page->rows[page->n++].item;
        }
        if (!status && rc != SL_DB_ROW && rc != SL_DB_DONE)
            status = sl__db_error(s, rc, "list items to rescreen", err);
        sl__db_reset(st);
    }
    return sl__db_commit(s, status, err);
}

/* ---- apply -------------------------------------------------------------------------------- */

static sl_status open_case(sl__db *s, int64_t org, int64_t item, double score, int64_t now,
                           int64_t actor, int64_t *case_id, sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_has_open, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, item);
    int rc = sl__db_step(st);
    int64_t open = rc == SL_DB_ROW ? sl__db_column_int64(st, 0) : 0;
    sl__db_reset(st);
    if (rc != SL_DB_ROW) return sl__db_error(s, rc, "find open case", err);
    if (open) return SL_OK; /* already before a person */
    if ((status = sl__db_prepare(s, sql_open_case, &st, err))) return status;
    sl__db_bind_int64(st, 1, org);
    sl__db_bind_text(st, 2, SL_QUEUE_PENDING, -1, SL_DB_STATIC);
    sl__db_bind_int64(st, 3, item);
    sl__db_bind_int64(st, 4, llround(score * SL_CURSOR_MAX_SEVERITY));
    sl__db_bind_int64(st, 5, now);
    if ((status = sl__db_insert(s, st, case_id, "open case", err))) return status;
    return sl__db_add_event(s, item, now, actor, "queued", -1, -1, SL_QUEUE_PENDING, err);
}

static sl_status audit_rescreen(sl__db *s, const char *org, int64_t actor,
                                const sl_rescreen_update *u, int state, int64_t case_id,
                                int64_t now, sl_error *err)
{
    char target[32], hash[2 * SL_AUDIT_HASH_LEN + 1], pver[SL_STORE_MAX_POLICY_VERSION + 1];
    snprintf(target, sizeof target, "item:%" PRId64, u->item);
    sl__audit_sha256_hex(u->verdict_json, u->verdict_len, hash);
    size_t pl = u->policy_version_len < SL_STORE_MAX_POLICY_VERSION ? u->policy_version_len
                                                                    : SL_STORE_MAX_POLICY_VERSION;
    memcpy(pver, u->policy_version, pl);
    pver[pl] = '\0';
    sl_buf *d = &s->data;
    sl_buf_clear(d);
    sl_status st =
        sl_buf_printf(d, "{\"old_action\":\"%s\",\"new_action\":\"%s\"",
                      sl_store_action_name(u->old_action), sl_store_action_name(u->action));
    if (!st) st = sl_buf_puts(d, ",\"old_policy_version\":");
    if (!st) st = sl_buf_json_string(d, u->old_policy_version, strlen(u->old_policy_version));
    if (!st) st = sl_buf_puts(d, ",\"new_policy_version\":");
    if (!st) st = sl_buf_json_string(d, pver, pl);
    if (!st) st = sl_buf_printf(d, ",\"verdict_sha256\":\"%s\"", hash);
    if (!st && case_id)
        st = sl_buf_printf(d, ",\"case\":%" PRId64 ",\"queue\":\"%s\"", case_id, SL_QUEUE_PENDING);
    if (!st) st = sl_buf_puts(d, "}");
    if (st) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    const char *name = sl_item_state_name((sl_item_state)state);
    sl__audit_rec rec = {.org = org,
                         .actor = actor,
                         .action = "item.rescreen",
                         .target = target,
                         .before = name ? name : "",
                         .after = name ? name : "",
                         .policy_version = pver,
                         .data = d->data};
    return sl__db_audit_append(s, now, &rec, err);
}

static sl_status apply_one(sl__db *s, int64_t org, const char *org_id, int64_t actor,
                           const sl_rescreen_update *u, bool opens_case, int64_t now,
                           sl_rescreen_result *res, sl_error *err)
{
    *res = (sl_rescreen_result){0};
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_update, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, u->item);
    sl__db_bind_int64(st, 2, org);
    sl__db_bind_str(st, 3, u->verdict_json, u->verdict_len, 0);
    sl__db_bind_int(st, 4, (int)u->action);
    sl__db_bind_double(st, 5, u->score);
    sl__db_bind_str(st, 6, u->policy_version, u->policy_version_len, 0);
    sl__db_bind_int(st, 7, (int)u->old_action);
    sl__db_bind_text(st, 8, u->old_policy_version, -1, SL_DB_STATIC);
    int rc = sl__db_step(st);
    int state = rc == SL_DB_ROW ? sl__db_column_int(st, 0) : -1;
    sl__db_reset(st);
    if (rc == SL_DB_DONE) return SL_OK; /* changed since it was listed: skipped */
    if (rc != SL_DB_ROW) return sl__db_error(s, rc, "store verdict", err);
    res->applied = true;
    char detail[32];
    snprintf(detail, sizeof detail, "%s->%s", sl_store_action_name(u->old_action),
             sl_store_action_name(u->action));
    status = sl__db_add_event(s, u->item, now, actor, "rescreened", -1, -1, detail, err);
    if (!status && opens_case)
        status = open_case(s, org, u->item, u->score, now, actor, &res->case_id, err);
    if (!status) status = audit_rescreen(s, org_id, actor, u, state, res->case_id, now, err);
    return status;
}

sl_status sl__db_rescreen_apply(void *db, const char *org, int64_t actor,
                                const sl_rescreen_update *u, const bool *opens_case, size_t n,
                                int64_t now, sl_rescreen_result *res, sl_error *err)
{
    sl__db *s = db;
    sl_status status = sl__db_begin_write(s, err);
    if (status) return status;
    int64_t pk = 0;
    status = sl__db_org_pk(s, org, &pk, err);
    for (size_t i = 0; i < n && !status; i++) {
        status = apply_one(s, pk, org, actor, &u[i], opens_case[i], now, &res[i], err);
        if (status && err) err->byte = i;
    }
    status = sl__db_commit(s, status, err);
    if (status)
        for (size_t i = 0; i < n; i++) res[i] = (sl_rescreen_result){0};
    return status;
}
