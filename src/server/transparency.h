/* server/transparency.h — GET /v1/transparency/statements: the organization's restrictions as
 * statements of reasons of the DSA Transparency Database (internal; docs/transparency.md).
 *
 * The store lists what was restricted (sl_store_statements); sl__transparency_statement() turns
 * one listed row into the database's JSON through the pure builder of server/dsa.h; the route
 * runs every statement through sl__dsa_check() before it answers, so the export never holds a
 * statement the database would refuse (a 500 names the one that failed). */
#ifndef SL_SERVER_TRANSPARENCY_H
#define SL_SERVER_TRANSPARENCY_H

#include <stddef.h>
#include <stdint.h>

#include "sangloc/buf.h"
#include "sangloc/status.h"
#include "sangloc/store.h"

#define SL_STATEMENTS_DEFAULT_LIMIT 100

/* The query: since (ISO-8601, no offset meaning UTC, or ms since the epoch; default 0: all),
 * cursor (a next_cursor; the store checks it), limit (1..SL_STORE_MAX_PAGE, default
 * SL_STATEMENTS_DEFAULT_LIMIT). Values are percent-decoded ('+' stays '+', so an offset such
 * as +07:00 may be sent as it is). Unknown or repeated keys, and malformed values, are
 * SL_ERR_ARG naming the parameter, with err->byte at its value. q may be NULL. */
typedef struct sl__statements_query {
    int64_t since;
    uint64_t limit;
    char cursor[SL_STORE_CURSOR_SIZE];
    size_t cursor_len;
} sl__statements_query;
sl_status sl__req_statements_query(const char *q, size_t len, sl__statements_query *out,
                                   sl_error *err);

/* Appends the statement of one listed restriction of org to out (server/dsa.h):
 * - a person's decision and a reporter's appeal overturned: a removal, not automated; an
 *   automated hide: content disabled, fully automated;
 * - content_date: the item's created_at when it is an ISO-8601 time (or ms) from 2000-01-01 and
 *   not after the application, else when it was received;
 * - a rule, category or clause left empty by the policy: "unspecified", "other" (the table's
 *   STATEMENT_CATEGORY_OTHER_VIOLATION_TC) and a sentence naming the posting rules;
 * - the puid's number: the decision's, 0 for the item's automated hide, minus the appeal's.
 * Errors as sl__dsa_statement(); out keeps its length on error. */
sl_status sl__transparency_statement(const char *org, const sl_store_statement *row, sl_buf *out,
                                     sl_error *err);

#endif
