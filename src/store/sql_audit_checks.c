/* The derived-table checks of `sangloc audit verify` (SQLite and PostgreSQL).
 *
 * The audit log is the record; tables such as items and decisions are what the service reads.
 * An entry that speaks about a row cites what the row must hold: plain values (an outcome, a
 * rule, a state, the person) or, for texts, their SHA-256 (hex). So a plain SQL UPDATE of a row
 * shows up as a row that no longer matches its entry, and a row inserted behind the log's back
 * as a row without its entry. Each check below reads the entries and the rows of one table and
 * reports the first disagreement with sl__audit_problem, naming the entry's seq; `checks` lists
 * them. Adding one is a function and a line there (docs/audit.md).
 *
 * The entries are read once into a temporary table (seq, action, the item they concern, target,
 * "after", actor, data), indexed by item and by action, so that each check is a join rather than
 * a JSON parse per row and table. Entries that are not JSON are left out: the tree checks, which
 * run first, have then already failed. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "store/sql_db.h"

static const char *const sql_ev_create =
    "CREATE TEMP TABLE IF NOT EXISTS audit_ev (seq INTEGER PRIMARY KEY, action TEXT, "
    "item INTEGER, target TEXT, after TEXT, actor INTEGER, actor_name TEXT, d TEXT);"
    "DELETE FROM temp.audit_ev;"
    "INSERT INTO temp.audit_ev SELECT seq, json_extract(entry, '$.action'), "
    "CASE WHEN json_extract(entry, '$.target') LIKE 'item:%' "
    "THEN CAST(substr(json_extract(entry, '$.target'), 6) AS INTEGER) "
    "ELSE json_extract(entry, '$.data.item') END, json_extract(entry, '$.target'), "
    "json_extract(entry, '$.after'), json_extract(entry, '$.actor.token'), "
    "json_extract(entry, '$.actor.name'), json_extract(entry, '$.data') "
    "FROM audit_log WHERE json_valid(entry);"
    "CREATE INDEX IF NOT EXISTS temp.audit_ev_item ON audit_ev (item, seq);"
    "CREATE INDEX IF NOT EXISTS temp.audit_ev_action ON audit_ev (action, seq);"
    /* the orphan checks look entries up by target: without it each row scans (quadratic) */
    "CREATE INDEX IF NOT EXISTS temp.audit_ev_target ON audit_ev (action, target);";
/* The same on PostgreSQL: d is jsonb, read by the json_extract() of the PostgreSQL schema, so
 * that the checks below run unchanged on both databases. */
static const char *const pg_ev_create =
    "CREATE TEMP TABLE IF NOT EXISTS audit_ev (seq BIGINT PRIMARY KEY, action TEXT, "
    "item BIGINT, target TEXT, after TEXT, actor BIGINT, actor_name TEXT, d JSONB);"
    "DELETE FROM audit_ev;"
    "INSERT INTO audit_ev SELECT seq, e ->> 'action', "
    "CASE WHEN e ->> 'target' LIKE 'item:%' THEN CAST(substr(e ->> 'target', 6) AS BIGINT) "
    "ELSE CAST(e -> 'data' ->> 'item' AS BIGINT) END, e ->> 'target', e ->> 'after', "
    "CAST(e -> 'actor' ->> 'token' AS BIGINT), e -> 'actor' ->> 'name', e -> 'data' "
    "FROM (SELECT seq, sl_jsonb(convert_from(entry, 'UTF8')) AS e FROM audit_log) l "
    "WHERE e IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS audit_ev_item ON audit_ev (item, seq);"
    "CREATE INDEX IF NOT EXISTS audit_ev_action ON audit_ev (action, seq);"
    "CREATE INDEX IF NOT EXISTS audit_ev_target ON audit_ev (action, target);"
    "ANALYZE audit_ev;";

/* Whether the text of column col hashes (SHA-256, lowercase hex) to the text of column hex;
 * both NULL (no text, and the entry says none) match too. */
static bool hash_matches(sl__dbst *st, int col, int hex)
{
    bool no_text = sl__db_column_type(st, col) == SL_DB_NULL;
    bool no_hash = sl__db_column_type(st, hex) == SL_DB_NULL;
    if (no_text || no_hash) return no_text && no_hash;
    const void *p = sl__db_column_blob(st, col);
    char got[2 * SL_AUDIT_HASH_LEN + 1];
    sl__audit_sha256_hex(p ? p : "", (size_t)sl__db_column_bytes(st, col), got);
    return strcmp(got, sl__db_col_text(st, hex)) == 0;
}

static bool same_text(sl__dbst *st, int a, int b)
{
    return sl__db_column_type(st, a) != SL_DB_NULL &&
           strcmp(sl__db_col_text(st, a), sl__db_col_text(st, b)) == 0;
}

static bool same_int(sl__dbst *st, int a, int b)
{
    return sl__db_column_type(st, a) != SL_DB_NULL &&
           sl__db_column_int64(st, a) == sl__db_column_int64(st, b);
}

/* Runs sql to its end, calling row() on each row until one reports a problem. */
static sl_status each_row(sl__db *s, const char *sql, sl_audit_report *r,
                          void (*row)(sl__dbst *st, sl_audit_report *r), sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql, &st, err);
    if (status) return status;
    int rc = SL_DB_DONE;
    while (r->ok && (rc = sl__db_step(st)) == SL_DB_ROW) row(st, r);
    if (r->ok && rc != SL_DB_DONE) status = sl__db_error(s, rc, "audit check", err);
    sl__db_reset(st);
    return status;
}

/* A row of `table` (its id in column 0) that no entry speaks of. */
static void orphan_row(sl__dbst *st, sl_audit_report *r, const char *table, const char *action)
{
    sl__audit_problem(r, -1, -1, "%s %" PRId64 " has no %s entry in the log", table,
                      (int64_t)sl__db_column_int64(st, 0), action);
}

#define SEQ(st) ((int64_t)sl__db_column_int64(st, 0))

/* ---- items: ingested, with the text, verdict and state their entries say ------------------- */

static const char *const sql_item_ingest =
    SL_DB_STREAM "SELECT ev.seq, ev.item, i.id, i.purged_at IS NULL, i.text, json_extract(ev.d, "
                 "'$.text_sha256') FROM audit_ev ev LEFT JOIN items i ON i.id = ev.item "
                 "WHERE ev.action = 'item.ingest' ORDER BY ev.seq";
static const char *const sql_item_orphans =
    "SELECT id FROM items WHERE id NOT IN (SELECT coalesce(item, -1) FROM audit_ev "
    "WHERE action = 'item.ingest') ORDER BY id LIMIT 1";
/* a purged item: its text gone, and an item.purge entry citing the text that was ingested */
static const char *const sql_item_purged = SL_DB_STREAM
    "SELECT p.seq, i.id, i.text = '', p.seq IS NOT NULL, json_extract(p.d, '$.text_sha256') IS NOT "
    "DISTINCT FROM json_extract(g.d, '$.text_sha256') FROM items i "
    "LEFT JOIN audit_ev p ON p.seq = (SELECT max(seq) FROM audit_ev "
    "WHERE item = i.id AND action = 'item.purge') "
    "LEFT JOIN audit_ev g ON g.seq = (SELECT min(seq) FROM audit_ev "
    "WHERE item = i.id AND action = 'item.ingest') "
    "WHERE i.purged_at IS NOT NULL ORDER BY i.id";
/* the verdict of the last entry that set it (ingest or rescreen); a purge edits it */
static const char *const sql_item_verdicts = SL_DB_STREAM
    "SELECT ev.seq, i.id, i.verdict, json_extract(ev.d, '$.verdict_sha256') FROM items i "
    "JOIN audit_ev ev ON ev.seq = (SELECT max(seq) FROM audit_ev WHERE item = i.id "
    "AND action IN ('item.ingest', 'item.rescreen')) WHERE i.purged_at IS NULL ORDER BY ev.seq";
/* the state of the last entry that says one */
static const char *const sql_item_states = SL_DB_STREAM
    "SELECT ev.seq, i.id, i.state, ev.after FROM items i JOIN audit_ev ev ON ev.seq = "
    "(SELECT max(seq) FROM audit_ev WHERE item = i.id AND after != '') ORDER BY ev.seq";

static void item_ingest_row(sl__dbst *st, sl_audit_report *r)
{
    int64_t seq = SEQ(st), item = sl__db_column_int64(st, 1);
    if (sl__db_column_type(st, 2) == SL_DB_NULL)
        sl__audit_problem(r, seq, -1,
                          "entry %" PRId64 ": item:%" PRId64 " is not in the items "
                          "table",
                          seq, item);
    else if (sl__db_column_int(st, 3) && !hash_matches(st, 4, 5))
        sl__audit_problem(r, seq, -1,
                          "entry %" PRId64 ": the text of item:%" PRId64 " does not match its "
                          "hash",
                          seq, item);
}

static void item_orphan_row(sl__dbst *st, sl_audit_report *r)
{
    orphan_row(st, r, "item", "item.ingest");
}

static void item_purged_row(sl__dbst *st, sl_audit_report *r)
{
    int64_t seq = sl__db_column_type(st, 0) == SL_DB_NULL ? -1 : SEQ(st);
    int64_t item = sl__db_column_int64(st, 1);
    if (!sl__db_column_int(st, 3))
        sl__audit_problem(r, -1, -1,
                          "item:%" PRId64 " is marked purged without an item.purge "
                          "entry",
                          item);
    else if (!sl__db_column_int(st, 2))
        sl__audit_problem(r, seq, -1,
                          "entry %" PRId64 ": item:%" PRId64 " was purged but holds "
                          "a text",
                          seq, item);
    else if (!sl__db_column_int(st, 4))
        sl__audit_problem(r, seq, -1,
                          "entry %" PRId64 ": the purge of item:%" PRId64 " cites "
                          "another text than its ingest",
                          seq, item);
}

static void item_verdict_row(sl__dbst *st, sl_audit_report *r)
{
    if (!hash_matches(st, 2, 3))
        sl__audit_problem(r, SEQ(st), -1,
                          "entry %" PRId64 ": the verdict of item:%" PRId64 " does not match its "
                          "hash",
                          SEQ(st), (int64_t)sl__db_column_int64(st, 1));
}

static void item_state_row(sl__dbst *st, sl_audit_report *r)
{
    const char *name = sl_item_state_name((sl_item_state)sl__db_column_int(st, 2));
    if (!name || strcmp(name, sl__db_col_text(st, 3)))
        sl__audit_problem(r, SEQ(st), -1,
                          "entry %" PRId64 ": item:%" PRId64 " is %s, the log says %s", SEQ(st),
                          (int64_t)sl__db_column_int64(st, 1), name ? name : "of no state",
                          sl__db_col_text(st, 3));
}

static sl_status check_items(sl__db *s, sl_audit_report *r, sl_error *err)
{
    sl_status st = each_row(s, sql_item_ingest, r, item_ingest_row, err);
    if (!st) st = each_row(s, sql_item_orphans, r, item_orphan_row, err);
    if (!st) st = each_row(s, sql_item_purged, r, item_purged_row, err);
    if (!st) st = each_row(s, sql_item_verdicts, r, item_verdict_row, err);
    if (!st) st = each_row(s, sql_item_states, r, item_state_row, err);
    return st;
}

/* ---- decisions: outcome, rule, person, note and statement as decided ------------------------ */

static const char *const sql_decisions = SL_DB_STREAM
    "SELECT ev.seq, json_extract(ev.d, '$.decision'), d.id, ev.item, d.item, "
    "json_extract(ev.d, '$.outcome'), d.outcome, json_extract(ev.d, '$.rule'), d.rule, "
    "ev.actor, d.decided_by, ev.actor_name, d.decided_by_name, d.note, "
    "json_extract(ev.d, '$.note_sha256'), d.statement, json_extract(ev.d, '$.statement_sha256') "
    "FROM audit_ev ev LEFT JOIN decisions d "
    "ON d.id = CAST(json_extract(ev.d, '$.decision') AS BIGINT) "
    "WHERE ev.action = 'item.decide' ORDER BY ev.seq";
static const char *const sql_decision_orphans =
    "SELECT id FROM decisions WHERE id NOT IN "
    "(SELECT coalesce(CAST(json_extract(d, '$.decision') AS BIGINT), -1) "
    "FROM audit_ev WHERE action = 'item.decide') ORDER BY id LIMIT 1";

static void decision_row(sl__dbst *st, sl_audit_report *r)
{
    int64_t seq = SEQ(st), id = sl__db_column_int64(st, 1);
    const char *what = sl__db_column_type(st, 2) == SL_DB_NULL          ? "is not in the table"
                       : !same_int(st, 3, 4)                            ? "concerns another item"
                       : !same_text(st, 5, 6)                           ? "has another outcome"
                       : !same_text(st, 7, 8)                           ? "cites another rule"
                       : !same_int(st, 9, 10) || !same_text(st, 11, 12) ? "names another person"
                       : !hash_matches(st, 13, 14)                      ? "has another note"
                       : !hash_matches(st, 15, 16)                      ? "has another statement"
                                                                        : NULL;
    if (what)
        sl__audit_problem(r, seq, -1, "entry %" PRId64 ": decision %" PRId64 " %s", seq, id, what);
}

static void decision_orphan_row(sl__dbst *st, sl_audit_report *r)
{
    orphan_row(st, r, "decision", "item.decide");
}

static sl_status check_decisions(sl__db *s, sl_audit_report *r, sl_error *err)
{
    sl_status st = each_row(s, sql_decisions, r, decision_row, err);
    return st ? st : each_row(s, sql_decision_orphans, r, decision_orphan_row, err);
}

/* ---- reports: item, reason and text as reported --------------------------------------------- */

static const char *const sql_reports = SL_DB_STREAM
    "SELECT ev.seq, CAST(substr(ev.target, 8) AS BIGINT), p.id, ev.item, p.item, "
    "json_extract(ev.d, '$.reason'), p.reason, p.text, json_extract(ev.d, '$.text_sha256') "
    "FROM audit_ev ev LEFT JOIN reports p ON p.id = CAST(substr(ev.target, 8) AS BIGINT) "
    "WHERE ev.action = 'report.create' ORDER BY ev.seq";
static const char *const sql_report_orphans =
    "SELECT id FROM reports WHERE id NOT IN (SELECT CAST(substr(target, 8) AS BIGINT) FROM "
    "audit_ev WHERE action = 'report.create') ORDER BY id LIMIT 1";

static void report_row(sl__dbst *st, sl_audit_report *r)
{
    int64_t seq = SEQ(st), id = sl__db_column_int64(st, 1);
    const char *what = sl__db_column_type(st, 2) == SL_DB_NULL ? "is not in the table"
                       : !same_int(st, 3, 4)                   ? "concerns another item"
                       : !same_text(st, 5, 6)                  ? "has another reason"
                       : !hash_matches(st, 7, 8)               ? "has another text"
                                                               : NULL;
    if (what)
        sl__audit_problem(r, seq, -1, "entry %" PRId64 ": report %" PRId64 " %s", seq, id, what);
}

static void report_orphan_row(sl__dbst *st, sl_audit_report *r)
{
    orphan_row(st, r, "report", "report.create");
}

static sl_status check_reports(sl__db *s, sl_audit_report *r, sl_error *err)
{
    sl_status st = each_row(s, sql_reports, r, report_row, err);
    return st ? st : each_row(s, sql_report_orphans, r, report_orphan_row, err);
}

/* ---- appeals: the text appealed with, and the outcome, reason and person of its decision ---- */

static const char *const sql_appeal_entries = SL_DB_STREAM
    "SELECT ev.seq, CAST(substr(ev.target, 8) AS BIGINT), a.id, ev.item, a.item, ev.action, "
    "a.text, json_extract(ev.d, '$.text_sha256'), json_extract(ev.d, '$.outcome'), a.outcome, "
    "a.reason, json_extract(ev.d, '$.reason_sha256'), ev.actor, a.decided_by, ev.actor_name, "
    "a.decided_by_name FROM audit_ev ev LEFT JOIN appeals a ON a.id = "
    "CAST(substr(ev.target, 8) AS BIGINT) WHERE ev.action IN ('appeal.create', "
    "'appeal.decide') ORDER BY ev.seq";
/* an appeal without its creation, or decided without the decision's entry */
static const char *const sql_appeal_orphans =
    "SELECT id, outcome IS NOT NULL FROM appeals a WHERE NOT EXISTS (SELECT 1 FROM "
    "audit_ev WHERE action = 'appeal.create' AND target = 'appeal:' || a.id) OR (outcome "
    "IS NOT NULL AND NOT EXISTS (SELECT 1 FROM audit_ev WHERE action = 'appeal.decide' "
    "AND target = 'appeal:' || a.id)) ORDER BY id LIMIT 1";

static void appeal_row(sl__dbst *st, sl_audit_report *r)
{
    int64_t seq = SEQ(st), id = sl__db_column_int64(st, 1);
    bool created = !strcmp(sl__db_col_text(st, 5), "appeal.create");
    const char *what = sl__db_column_type(st, 2) == SL_DB_NULL           ? "is not in the table"
                       : !same_int(st, 3, 4)                             ? "concerns another item"
                       : created && !hash_matches(st, 6, 7)              ? "has another text"
                       : created                                         ? NULL
                       : !same_text(st, 8, 9)                            ? "has another outcome"
                       : !hash_matches(st, 10, 11)                       ? "has another reason"
                       : !same_int(st, 12, 13) || !same_text(st, 14, 15) ? "names another person"
                                                                         : NULL;
    if (what)
        sl__audit_problem(r, seq, -1, "entry %" PRId64 ": appeal %" PRId64 " %s", seq, id, what);
}

static void appeal_orphan_row(sl__dbst *st, sl_audit_report *r)
{
    orphan_row(st, r, "appeal",
               sl__db_column_int(st, 1) ? "appeal.create or appeal.decide" : "appeal.create");
}

static sl_status check_appeals(sl__db *s, sl_audit_report *r, sl_error *err)
{
    sl_status st = each_row(s, sql_appeal_entries, r, appeal_row, err);
    return st ? st : each_row(s, sql_appeal_orphans, r, appeal_orphan_row, err);
}

/* ---- the table of checks ------------------------------------------------------------------- */

static const struct {
    const char *table; /* what it checks, for the error of a failed query */
    sl_status (*run)(sl__db *s, sl_audit_report *r, sl_error *err);
} checks[] = {
    {"items", check_items},
    {"decisions", check_decisions},
    {"reports", check_reports},
    {"appeals", check_appeals},
};

sl_status sl__db_audit_check_tables(void *db, sl_audit_report *report, sl_error *err)
{
    sl__db *s = db;
    /* one read transaction: the entries and every table from the same snapshot */
    sl_status status = sl__db_exec(s, "BEGIN", err);
    if (!status) status = sl__db_exec(s, SL_DB_SQL(s, sql_ev_create, pg_ev_create), err);
    for (size_t i = 0; !status && report->ok && i < sizeof checks / sizeof checks[0]; i++) {
        status = checks[i].run(s, report, err);
        if (status && err)
            snprintf(err->message + strlen(err->message),
                     sizeof err->message - strlen(err->message), " (checking %s)", checks[i].table);
    }
    sl__db_rollback(s); /* nothing to keep: only temp rows */
    return status;
}
