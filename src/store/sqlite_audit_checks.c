/* The derived-table checks of `sangloc audit verify` for the SQLite backend.
 *
 * The audit log is the record; tables such as items are what the service reads. An entry that
 * speaks about a row cites what it must hold by hash (an item's text and verdict as SHA-256
 * hex), so a plain SQL UPDATE of the row shows up as a row that no longer matches its entry,
 * and a row inserted behind the log's back as a row without its entry. Each table with entries
 * about it has one check: a function in `checks` below that reads the entries and the rows and
 * reports the first disagreement with sl__audit_problem (naming the entry's seq). Adding one is a
 * function and a line in the table (docs/audit.md). Entries are read with json_extract only when
 * json_valid: the tree checks run first, but a rewritten entry must not stop this pass. */
#include <inttypes.h>
#include <string.h>

#include "store/sqlite_db.h"

/* The field F of an entry's JSON, or NULL when the entry is not JSON. */
#define FIELD(F) "CASE WHEN json_valid(a.entry) THEN json_extract(a.entry, '" F "') END"

/* Whether column col of st hashes (SHA-256, lowercase hex) to the text of column hex. A NULL
 * value (a purged text) matches anything. */
static bool hash_matches(sqlite3_stmt *st, int col, int hex)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL) return true;
    const void *p = sqlite3_column_blob(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    char got[2 * SL_AUDIT_HASH_LEN + 1];
    sl__audit_sha256_hex(p ? p : "", n, got);
    return strcmp(got, sl__sq_col_text(st, hex)) == 0;
}

/* Runs st to its end, calling row() on each row until it reports a problem. */
static sl_status each_row(sq *s, sqlite3_stmt *st, sl_audit_report *r,
                          void (*row)(sqlite3_stmt *st, sl_audit_report *r), sl_error *err)
{
    int rc;
    while (r->ok && (rc = sqlite3_step(st)) == SQLITE_ROW) row(st, r);
    sl_status status = r->ok && rc != SQLITE_DONE ? sl__sq_error(s, rc, "audit check", err) : SL_OK;
    sqlite3_reset(st);
    return status;
}

/* ---- items: each item.ingest entry cites its item's text and verdict ---------------------------
 */

static const char *const sql_item_entries =
    "SELECT a.seq, " FIELD("$.target") ", " FIELD("$.data.text_sha256") ", " FIELD(
        "$.data.verdict_sha256") ", i.id, i.text, i.verdict FROM audit_log a LEFT JOIN items i "
                                 "ON i.id = CAST(substr(" FIELD(
                                     "$.target") ", 6) AS INTEGER) "
                                                 "WHERE " FIELD(
                                                     "$.action") " = 'item.ingest' ORDER BY a.seq";
static const char *const sql_items_without_entry =
    "SELECT id FROM items WHERE id NOT IN (SELECT coalesce(CAST(substr(" FIELD(
        "$.target") ", 6) AS INTEGER), -1) FROM audit_log a WHERE " FIELD("$.action") " = "
                                                                                      "'item."
                                                                                      "ingest') "
                                                                                      "ORDER BY id "
                                                                                      "LIMIT 1";

static void item_row(sqlite3_stmt *st, sl_audit_report *r)
{
    int64_t seq = sqlite3_column_int64(st, 0);
    const char *target = sl__sq_col_text(st, 1);
    if (sqlite3_column_type(st, 4) == SQLITE_NULL)
        sl__audit_problem(r, seq, -1, "entry %" PRId64 ": %s is not in the items table", seq,
                          target);
    else if (!hash_matches(st, 5, 2))
        sl__audit_problem(r, seq, -1, "entry %" PRId64 ": the text of %s does not match its hash",
                          seq, target);
    else if (!hash_matches(st, 6, 3))
        sl__audit_problem(r, seq, -1,
                          "entry %" PRId64 ": the verdict of %s does not match its hash", seq,
                          target);
}

static sl_status check_items(sq *s, sl_audit_report *r, sl_error *err)
{
    sqlite3_stmt *st;
    sl_status status = sl__sq_prepare(s, sql_item_entries, &st, err);
    if (!status) status = each_row(s, st, r, item_row, err);
    if (status || !r->ok) return status;
    if ((status = sl__sq_prepare(s, sql_items_without_entry, &st, err))) return status;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        sl__audit_problem(r, -1, -1, "item:%" PRId64 " has no item.ingest entry in the log",
                          (int64_t)sqlite3_column_int64(st, 0));
    else if (rc != SQLITE_DONE)
        status = sl__sq_error(s, rc, "audit check", err);
    sqlite3_reset(st);
    return status;
}

/* ---- the table of checks ------------------------------------------------------------------- */

static const struct {
    const char *table;
    sl_status (*run)(sq *s, sl_audit_report *r, sl_error *err);
} checks[] = {
    {"items", check_items},
};

sl_status sl__sq_audit_check_tables(void *db, sl_audit_report *report, sl_error *err)
{
    sq *s = db;
    /* one read transaction: every check sees the same snapshot of log and tables */
    sl_status status = sl__sq_exec(s, "BEGIN", err);
    for (size_t i = 0; !status && report->ok && i < sizeof checks / sizeof checks[0]; i++)
        status = checks[i].run(s, report, err);
    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    return status;
}
