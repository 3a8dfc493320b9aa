/* The SQLite backend's dashboard statistics (sangloc/store.h, statistics section).
 *
 * Items are counted by the bucket of received_at (index items_received, migration 0011);
 * categories and rules come from the stored verdicts' hits, which triggers copy into item_rules
 * (one row per item and rule) whenever a verdict is written, so that no verdict's JSON is parsed
 * here. Each item counts once per category and per rule whatever its number of hits. No author,
 * reporter or person is selected: only actions, categories, rules, queues and counts. */
#include <stdlib.h>
#include <string.h>

#include "store/sql_db.h"

static const char *const sql_actions =
    "SELECT (received_at - ?2) / ?4, action, count(*) FROM items "
    "WHERE org = ?1 AND received_at >= ?2 AND received_at < ?3 GROUP BY 1, 2";
/* item_rules (migration 0011) holds each (item, rule) once: an item with two rules of one
 * category counts once for it */
static const char *const sql_categories =
    "SELECT (received_at - ?2) / ?4 AS b, category, count(DISTINCT item) FROM item_rules "
    "WHERE org = ?1 AND received_at >= ?2 AND received_at < ?3 GROUP BY category, b "
    "ORDER BY category, b";
static const char *const sql_rules =
    "SELECT rule, count(*) AS n FROM item_rules WHERE org = ?1 AND received_at >= ?2 AND "
    "received_at < ?3 GROUP BY rule ORDER BY n DESC, rule LIMIT ?4";
static const char *const sql_times =
    "SELECT closed_at - opened_at AS t FROM cases WHERE org = ?1 AND queue = ?2 AND "
    "closed_at IS NOT NULL AND closed_at >= ?3 AND closed_at < ?4 ORDER BY t";
static const char *const sql_appeals =
    "SELECT count(*) FILTER (WHERE outcome = 'uphold' AND decided_at >= ?2 AND decided_at < ?3), "
    "count(*) FILTER (WHERE outcome = 'overturn' AND decided_at >= ?2 AND decided_at < ?3), "
    "count(*) FILTER (WHERE outcome IS NULL) FROM appeals WHERE org = ?1";

static void bind_window(sl__dbst *st, int64_t pk, int64_t since, int64_t until)
{
    sl__db_bind_int64(st, 1, pk);
    sl__db_bind_int64(st, 2, since);
    sl__db_bind_int64(st, 3, until);
}

/* A bucket index from the database, checked against the window. */
static bool bucket_of(sl__dbst *st, int col, const sl_stats *out, size_t *b)
{
    int64_t v = sl__db_column_int64(st, col);
    if (v < 0 || (uint64_t)v >= out->nbuckets) return false;
    *b = (size_t)v;
    return true;
}

static sl_status step_done(sl__db *s, sl__dbst *st, int rc, const char *doing, sl_error *err)
{
    sl__db_reset(st);
    return rc == SL_DB_DONE ? SL_OK : sl__db_error(s, rc, doing, err);
}

static sl_status actions(sl__db *s, int64_t pk, int64_t since, int64_t until, int64_t width,
                         sl_stats *out, sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_actions, &st, err);
    if (status) return status;
    bind_window(st, pk, since, until);
    sl__db_bind_int64(st, 4, width);
    int rc;
    size_t b;
    while ((rc = sl__db_step(st)) == SL_DB_ROW) {
        int a = sl__db_column_int(st, 1);
        if (a >= 0 && a < 4 && bucket_of(st, 0, out, &b))
            out->by_action[a][b] += sl__db_column_int64(st, 2);
    }
    return step_done(s, st, rc, "count items by action", err);
}

/* The series of category name (rows come ordered by name: the last one or a new one). */
static sl_stats_series *series(sl_stats *out, const char *name, size_t len, sl_error *err)
{
    if (out->ncategories && !strcmp(out->categories[out->ncategories - 1].name, name))
        return &out->categories[out->ncategories - 1];
    if (out->ncategories == SL_STATS_MAX_CATEGORIES || len > SL_STORE_MAX_RULE) return NULL;
    if (!out->categories) {
        out->categories = calloc(SL_STATS_MAX_CATEGORIES, sizeof *out->categories);
        if (!out->categories) {
            sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
            return NULL;
        }
    }
    sl_stats_series *c = &out->categories[out->ncategories];
    if (!(c->counts = calloc(out->nbuckets, sizeof(int64_t)))) {
        sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        return NULL;
    }
    memcpy(c->name, name, len + 1);
    out->ncategories++;
    return c;
}

static sl_status categories(sl__db *s, int64_t pk, int64_t since, int64_t until, int64_t width,
                            sl_stats *out, sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_categories, &st, err);
    if (status) return status;
    bind_window(st, pk, since, until);
    sl__db_bind_int64(st, 4, width);
    int rc;
    size_t b;
    err->code = SL_OK;
    while ((rc = sl__db_step(st)) == SL_DB_ROW) {
        const char *name = sl__db_col_text(st, 1);
        sl_stats_series *c = series(out, name, (size_t)sl__db_column_bytes(st, 1), err);
        if (!c && err->code == SL_ERR_NOMEM) {
            sl__db_reset(st);
            return SL_ERR_NOMEM;
        }
        if (c && bucket_of(st, 0, out, &b)) c->counts[b] += sl__db_column_int64(st, 2);
    }
    return step_done(s, st, rc, "count items by category", err);
}

static sl_status rules(sl__db *s, int64_t pk, int64_t since, int64_t until, sl_stats *out,
                       sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_rules, &st, err);
    if (status) return status;
    bind_window(st, pk, since, until);
    sl__db_bind_int64(st, 4, SL_STATS_TOP_RULES);
    int rc;
    while ((rc = sl__db_step(st)) == SL_DB_ROW && out->nrules < SL_STATS_TOP_RULES) {
        size_t len = (size_t)sl__db_column_bytes(st, 0);
        if (len > SL_STORE_MAX_RULE) continue;
        sl_stats_rule *r = &out->top_rules[out->nrules++];
        memcpy(r->rule, sl__db_col_text(st, 0), len + 1);
        r->items = sl__db_column_int64(st, 1);
    }
    if (rc == SL_DB_ROW) rc = SL_DB_DONE;
    return step_done(s, st, rc, "count items by rule", err);
}

/* Nearest rank: the value at ceil(p/100 n) - 1 of n sorted values. */
static int64_t rank_of(const int64_t *v, size_t n, int p)
{
    size_t k = (n * (size_t)p + 99) / 100;
    return v[k ? k - 1 : 0];
}

static sl_status times(sl__db *s, int64_t pk, int64_t since, int64_t until, sl_stats_times *t,
                       sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_times, &st, err);
    if (status) return status;
    sl__db_bind_int64(st, 1, pk);
    sl__db_bind_text(st, 2, t->queue, -1, SL_DB_STATIC);
    sl__db_bind_int64(st, 3, since);
    sl__db_bind_int64(st, 4, until);
    int64_t *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sl__db_step(st)) == SL_DB_ROW) {
        if (n == cap) {
            size_t c2 = cap ? cap * 2 : 256;
            int64_t *p = realloc(v, c2 * sizeof *v);
            if (!p) {
                free(v);
                sl__db_reset(st);
                return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
            }
            v = p, cap = c2;
        }
        v[n++] = sl__db_column_int64(st, 0);
    }
    status = step_done(s, st, rc, "read times to decision", err);
    if (!status && n) {
        t->closed = (int64_t)n;
        t->p50_ms = rank_of(v, n, 50);
        t->p90_ms = rank_of(v, n, 90);
        t->p99_ms = rank_of(v, n, 99);
    }
    free(v);
    return status;
}

static sl_status appeals(sl__db *s, int64_t pk, int64_t since, int64_t until, sl_stats *out,
                         sl_error *err)
{
    sl__dbst *st;
    sl_status status = sl__db_prepare(s, sql_appeals, &st, err);
    if (status) return status;
    bind_window(st, pk, since, until);
    int rc = sl__db_step(st);
    if (rc == SL_DB_ROW) {
        out->appeals_upheld = sl__db_column_int64(st, 0);
        out->appeals_overturned = sl__db_column_int64(st, 1);
        out->appeals_open = sl__db_column_int64(st, 2);
        rc = SL_DB_DONE;
    }
    return step_done(s, st, rc, "count appeals", err);
}

sl_status sl__db_stats(void *db, const char *org, int64_t since, int64_t until, int64_t width_ms,
                       sl_stats *out, sl_error *err)
{
    sl__db *s = db;
    sl_status status = sl__db_exec(s, "BEGIN", err); /* one snapshot for every figure */
    if (status) return status;
    int64_t pk = 0;
    status = sl__db_org_pk(s, org, &pk, err);
    if (!status) status = actions(s, pk, since, until, width_ms, out, err);
    if (!status) status = categories(s, pk, since, until, width_ms, out, err);
    if (!status) status = rules(s, pk, since, until, out, err);
    for (int q = 0; q < SL_STATS_NQUEUES && !status; q++)
        status = times(s, pk, since, until, &out->times[q], err);
    if (!status) status = appeals(s, pk, since, until, out, err);
    return sl__db_commit(s, status, err);
}
