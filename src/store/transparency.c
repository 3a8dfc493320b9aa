/* The store's front for the statements of reasons (sangloc/store.h, transparency section):
 * argument checks and the cursor. The cursor reuses the queue cursor's record (store/cursor.h)
 * with other meanings: "severity" holds the source (0..2), "opened_at" the application time and
 * "case_id" the statement's id, the listing's sort key. */
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"

sl_status sl_store_statements(sl_store *store, const char *org, int64_t since, size_t limit,
                              const char *cursor, size_t cursor_len, sl_statement_page *page,
                              sl_error *err)
{
    if (!page) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *page = (sl_statement_page){0};
    if (!store || !org || !*org || strlen(org) > SL_STORE_MAX_ORG_ID)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no organization");
    if (limit < 1 || limit > SL_STORE_MAX_PAGE)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "limit must be 1 to %d", SL_STORE_MAX_PAGE);
    if (since < 0) since = 0;
    sl__cursor after, last;
    bool has_cursor = cursor && cursor_len > 0, more = false;
    if (has_cursor) {
        sl_status st = sl__cursor_parse(cursor, cursor_len, &after, err);
        if (st) return st;
        if (after.severity > SL_STATEMENT_APPEAL)
            return sl_error_set(err, SL_ERR_CURSOR, 1, "not a cursor of statements");
    }
    void *db;
    int64_t now;
    const sl_store_backend *be = sl__store_be(store, &db, &now);
    sl_status st =
        be->statements(db, org, since, has_cursor ? &after : NULL, limit, page, &more, &last, err);
    if (st) {
        sl_statement_page_free(page);
        return st;
    }
    if (more) sl__cursor_encode(&last, page->next_cursor);
    return SL_OK;
}

void sl_statement_page_free(sl_statement_page *page)
{
    if (!page) return;
    /* each row's strings are one block starting at its rule (sql_transparency.c) */
    for (size_t k = 0; k < page->n; k++) free((void *)page->rows[k].rule);
    free(page->rows);
    *page = (sl_statement_page){0};
}
