/* server/bank_request.h — one item of POST /v1/banks/{name}/items, parsed strictly and without
 * libevent so that a fuzz target can drive it (internal).
 *
 * {"id": STRING, "kind": "hoax"|"document"|"spam", "text": STRING, "source"?: STRING|null,
 *  "added"?: STRING|null}; other keys are ignored (as `sangloc bank add` ignores them), a key
 * twice is malformed JSON. */
#ifndef SL_SERVER_BANK_REQUEST_H
#define SL_SERVER_BANK_REQUEST_H

#include <stdbool.h>

#include "sangloc/bank.h"
#include "sangloc/buf.h"
#include "server/request.h"

typedef struct sl__bank_req_item {
    sl_buf id, kind, text, source, added; /* decoded, NUL-terminated when present */
    bool has_id, has_kind, has_text;
    /* Why the item is refused before the bank sees it (a wrong type, a missing field, an
     * unknown kind), or NULL: then `item` is the item to hand to sl_bank_append (pointing into
     * the buffers above; sl_bank_check_item is the bank's business). */
    const char *bad;
    sl_bank_item item;
} sl__bank_req_item;

/* Parses the item at body[sp.off, sp.off + sp.len) into *it (zeroed first: free it with
 * sl__bank_req_item_free whatever this returns). SL_OK also for a refused item (it->bad).
 * Errors that fail the whole request: SL_ERR_JSON (err->byte in the body), SL_ERR_TOO_LARGE
 * (a string over SL_BANK_MAX_TEXT bytes), SL_ERR_NOMEM. */
sl_status sl__req_bank_item(const char *body, sl__span sp, sl__bank_req_item *it, sl_error *err);
void sl__bank_req_item_free(sl__bank_req_item *it);

#endif
