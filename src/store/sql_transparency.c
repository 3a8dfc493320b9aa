/* The SQLite backend's statements of reasons (sangloc/store.h, transparency section).
 *
 * One query over three sources, keyset-paged by (application time, source, id): decisions that
 * left their item restricted (to_state hidden or removed), the notices of automated hides, and
 * reporters' appeals that were overturned (the item removed). Nothing personal is selected: no
 * author, reporter, reviewer, note, statement or text.
 *
 * The end of a restriction is the item's next publication in its history (item_events, ordered
 * by id): the first event after the restriction's own event that moved the item from hidden or
 * removed to published (a restore, an appeal overturned). The restriction's own event is the
 * decision's "decided" row (the k-th "decided" row of the item is its k-th decision: one row
 * each), the item's first row for a hide (ingest), the "appeal decided" row that removed it. */
#include <stdlib.h>
#include <string.h>

#include "store/sql_db.h"

static const char *const sql_statements =
    "WITH st(src, sid, item, applied_at, rule, category, clause, pver, detected) AS ("
    /* a person's decision that left the item hidden or removed */
    "SELECT 0, d.id, d.item, d.decided_at, d.rule, d.rule_category, d.rule_clause, "
    "d.policy_version, d.automated_detection FROM decisions d "
    "WHERE d.org = ?1 AND d.to_state IN (1, 2) "
    "UNION ALL "
    /* the engine's hide at ingest */
    "SELECT 1, n.item, n.item, n.created_at, n.rule, n.rule_category, n.rule_clause, "
    "i.policy_version, 1 FROM notices n JOIN items i ON i.id = n.item "
    "WHERE n.org = ?1 AND n.kind = 'automated_hide' "
    "UNION ALL "
    /* a reporter's appeal overturned: the decision that left the item up gave way */
    "SELECT 2, a.id, a.item, a.decided_at, d.rule, d.rule_category, d.rule_clause, "
    "d.policy_version, d.automated_detection FROM appeals a JOIN decisions d ON d.id = a.decision "
    "WHERE a.org = ?1 AND a.outcome = 'overturn' AND a.report IS NOT NULL), "
    /* the page first: the history is read for its statements only */
    "page AS (SELECT * FROM st WHERE applied_at >= ?2 AND (applied_at, src, sid) > (?3, ?4, ?5) "
    "ORDER BY applied_at, src, sid LIMIT ?6), "
    "anchored AS (SELECT p.*, CASE p.src "
    "WHEN 0 THEN (SELECT e.id FROM item_events e WHERE e.item = p.item AND e.what = 'decided' "
    "AND (SELECT count(*) FROM item_events e0 WHERE e0.item = p.item AND e0.what = 'decided' "
    "AND e0.id < e.id) = (SELECT count(*) FROM decisions d0 WHERE d0.item = p.item "
    "AND d0.id < p.sid)) "
    "WHEN 1 THEN (SELECT min(e.id) FROM item_events e WHERE e.item = p.item) "
    "ELSE (SELECT min(e.id) FROM item_events e WHERE e.item = p.item AND e.what = "
    "'appeal decided' AND e.at = p.applied_at AND e.to_state = 2) END AS anchor, "
    /* a decision followed a report when it closed the item's case in "reported" */
    "CASE p.src WHEN 0 THEN (SELECT count(*) FROM cases c WHERE c.item = p.item AND c.queue = "
    "'reported' AND c.closed_at = p.applied_at AND c.close_reason = 'decided') "
    "WHEN 1 THEN 0 ELSE 1 END AS reported FROM page p) "
    "SELECT s.src, s.sid, s.item, s.applied_at, s.rule, s.category, s.clause, s.pver, "
    "s.reported, s.detected, coalesce(i.created_at, ''), i.received_at, i.verdict, "
    "coalesce((SELECT min(e.at) FROM item_events e WHERE e.item = s.item AND e.id > s.anchor "
    "AND e.to_state = 0 AND e.from_state IN (1, 2)), 0) "
    "FROM anchored s JOIN items i ON i.id = s.item ORDER BY s.applied_at, s.src, s.sid";

enum {
    C_SRC,
    C_ID,
    C_ITEM,
    C_APPLIED,
    C_RULE,
    C_CAT,
    C_CLAUSE,
    C_PVER,
    C_REPORTED,
    C_DETECTED,
    C_CREATED,
    C_RECEIVED,
    C_VERDICT,
    C_ENDED
};

/* Copies the row's strings into one block that starts at row->rule (freed by
 * sl_statement_page_free). */
static sl_status read_row(sl__dbst *st, sl_store_statement *row, sl_error *err)
{
    static const int cols[] = {C_RULE, C_CAT, C_CLAUSE, C_PVER, C_CREATED, C_VERDICT};
    const char **dst[] = {&row->rule,           &row->category,   &row->clause,
                          &row->policy_version, &row->created_at, &row->verdict_json};
    size_t size = 0;
    for (size_t k = 0; k < 6; k++) size += (size_t)sl__db_column_bytes(st, cols[k]) + 1;
    char *p = malloc(size);
    if (!p) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    for (size_t k = 0; k < 6; k++) {
        size_t n = (size_t)sl__db_column_bytes(st, cols[k]);
        memcpy(p, sl__db_col_text(st, cols[k]), n);
        p[n] = '\0';
        *dst[k] = p;
        if (cols[k] == C_VERDICT) row->verdict_len = n;
        p += n + 1;
    }
    row->source = (sl_statement_source)sl__db_column_int(st, C_SRC);
    row->id = sl__db_column_int64(st, C_ID);
    row->item = sl__db_column_int64(st, C_ITEM);
    row->applied_at = sl__db_column_int64(st, C_APPLIED);
    row->reported = sl__db_column_int(st, C_REPORTED) != 0;
    row->automated_detection = sl__db_column_int(st, C_DETECTED) != 0;
    row->automated_decision = row->source == SL_STATEMENT_AUTOMATED_HIDE;
    row->received_at = sl__db_column_int64(st, C_RECEIVED);
    row->ended_at = sl__db_column_int64(st, C_ENDED);
    return SL_OK;
}

sl_status sl__db_statements(void *db, const char *org, int64_t since, const sl__cursor *after,
                            size_t limit, sl_statement_page *page, bool *more, sl__cursor *last,
                            sl_error *err)
{
    sl__db *s = db;
    page->rows = calloc(limit, sizeof *page->rows);
    if (!page->rows) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    sl_status status = sl__db_exec(s, "BEGIN", err);
    if (status) return status;
    int64_t pk = 0;
    sl__dbst *st = NULL;
    status = sl__db_org_pk(s, org, &pk, err);
    if (!status) status = sl__db_prepare(s, sql_statements, &st, err);
    if (!status) {
        sl__db_bind_int64(st, 1, pk);
        sl__db_bind_int64(st, 2, since);
        /* from the start: a key below every statement's */
        sl__db_bind_int64(st, 3, after ? after->opened_at : INT64_MIN);
        sl__db_bind_int64(st, 4, after ? after->severity : 0);
        sl__db_bind_int64(st, 5, after ? after->case_id : 0);
        sl__db_bind_int64(st, 6, (int64_t)limit + 1);
        int rc;
        while (!status && (rc = sl__db_step(st)) == SL_DB_ROW) {
            if (page->n == limit) {
                *more = true;
                break;
            }
            sl_store_statement *row = &page->rows[page->n];
            status = read_row(st, row, err);
            if (status) break;
            page->n++;
            *last = (sl__cursor){row->source, row->applied_at, row->id};
        }
        if (!status && rc != SL_DB_ROW && rc != SL_DB_DONE)
            status = sl__db_error(s, rc, "list statements", err);
        sl__db_reset(st);
    }
    return sl__db_commit(s, status, err);
}
