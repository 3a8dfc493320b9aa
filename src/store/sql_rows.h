/* store/sql_rows.h — the rows of an ingest batch gathered for multi-row INSERTs (internal).
 *
 * On PostgreSQL each statement costs the server a parse-bind-execute cycle even when it is
 * deferred (sql.h), and the writer lock is held meanwhile: a batch of n items would run some
 * 3.5 n statements. While s->rows is set (sql_core.c, ingest of a batch on PostgreSQL), the
 * new items, cases, item events and audit entries are gathered here instead, in order, and
 * sl__rows_flush sends one INSERT per table (deferred), the rows in the order they were
 * gathered: what row-by-row statements would have stored, with the same identity numbers. */
#ifndef SL_STORE_SQL_ROWS_H
#define SL_STORE_SQL_ROWS_H

#include <stdint.h>

#include "sangloc/buf.h"
#include "store/backend.h"
#include "store/sql.h"

typedef struct sl__db_rows {
    sl_buf items, cases, notices, events, audit; /* JSON arrays being written, "" when empty */
} sl__db_rows;

/* Each adds one row; SL_ERR_NOMEM (or too large) on failure. */
sl_status sl__rows_item(sl__db_rows *b, int64_t id, int64_t org, const sl__store_row *r,
                        int64_t now);
sl_status sl__rows_case(sl__db_rows *b, int64_t id, int64_t org, const char *queue, int64_t item,
                        int64_t severity, int64_t opened_at);
/* actor 0, from -1, to -1: NULL (as sl__db_add_event) */
sl_status sl__rows_event(sl__db_rows *b, int64_t item, int64_t at, int64_t actor, const char *what,
                         int from, int to, const char *detail);
sl_status sl__rows_audit(sl__db_rows *b, int64_t seq, int64_t at, const char *org,
                         const void *entry, size_t entry_len, const void *leaf, size_t leaf_len);

/* A notice (as sl__db_notice_create writes it); decision, appeal 0: NULL; hash NULL: no appeal
 * token (lookup and hash NULL). */
sl_status sl__rows_notice(sl__db_rows *b, const char *id, int64_t org, int64_t item,
                          const char *kind, int64_t decision, int64_t appeal, const char *rule,
                          const char *category, const char *clause, int64_t created_at,
                          int64_t appeal_until, int64_t lookup, const unsigned char *hash);

/* Sends the gathered rows, items first (the others cite them), then cases, notices, events and
 * audit entries, each table as one deferred INSERT; empties b. PostgreSQL only. */
sl_status sl__rows_flush(sl__db *s, sl__db_rows *b, sl_error *err);
void sl__rows_free(sl__db_rows *b);

#endif
