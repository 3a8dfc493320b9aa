/* server/request.h — the service's request bodies, query strings and path segments, parsed
 * strictly and without libevent, so that a fuzz target can drive them (internal).
 *
 * Every function takes outside bytes (pointer, length), never reads past them, and reports a
 * malformed input as SL_ERR_JSON / SL_ERR_ARG with err->byte at the offending byte of the body
 * (or query). Nothing here allocates without a bound. */
#ifndef SL_SERVER_REQUEST_H
#define SL_SERVER_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/record.h"
#include "sangloc/status.h"
#include "sangloc/store.h"
#include "sangloc/buf.h"

typedef struct sl__span {
    size_t off, len;
} sl__span;

/* A body that is one JSON object; when it has an "items" member, that member must be an array
 * of objects, and items[] gives the byte extent of each (other members are validated and
 * ignored). */
typedef struct sl__envelope {
    bool has_items;
    bool has_text; /* a top-level "text" member (a single post for /v1/check) */
    sl__span *items;
    size_t n, cap;
} sl__envelope;

/* Parses body as an envelope. More than max_items items: SL_ERR_TOO_LARGE. */
sl_status sl__req_envelope(const char *body, size_t len, size_t max_items, sl__envelope *env,
                           sl_error *err);
void sl__envelope_free(sl__envelope *env);

/* One item of POST /v1/items, decoded. Strings point into the body, the record or the caller's
 * buffers: valid until the next call with the same record and buffers. */
typedef struct sl__ingest_fields {
    const char *id_json; /* the id as written (raw JSON, echoed in replies) */
    size_t id_json_len;
    sl_record_str id; /* decoded: a string id's text, an integer id's digits */
    sl_record_str channel, kind, author, text, created_at, parent;
} sl__ingest_fields;

/* Parses the item at body[sp.off, sp.off + sp.len) with sl_record_parse (the same rules as every
 * other entry point) plus "parent" (a string or null). Required: id, channel, kind, author,
 * text (non-empty strings; text may be empty). SL_ERR_JSON with err->byte in the body for a
 * malformed item, SL_ERR_MISSING_FIELD naming the field, SL_ERR_TOO_LARGE for a field over the
 * store's limit. */
sl_status sl__req_ingest_item(const char *body, sl__span sp, sl_record *rec, sl_buf *idbuf,
                              sl_buf *parentbuf, sl__ingest_fields *f, sl_error *err);

/* POST /v1/queues/pending/claim: {"n": 1..SL_STORE_MAX_PAGE, "lease_seconds":
 * 1..SL_STORE_MAX_LEASE_SECONDS}, both optional (defaults 1 and 300); other keys refused. */
#define SL_CLAIM_DEFAULT_LEASE 300
sl_status sl__req_claim(const char *body, size_t len, uint64_t *n, uint64_t *lease_seconds,
                        sl_error *err);

/* GET /v1/queues/pending?limit=&cursor=: limit 1..SL_STORE_MAX_PAGE (default 50), cursor at
 * most SL_STORE_CURSOR_LEN bytes (its content is the store's to check). Unknown or repeated
 * keys are refused. q may be NULL. */
#define SL_QUEUE_DEFAULT_LIMIT 50
typedef struct sl__queue_query {
    uint64_t limit;
    char cursor[SL_STORE_CURSOR_SIZE];
    size_t cursor_len;
} sl__queue_query;
sl_status sl__req_queue_query(const char *q, size_t len, sl__queue_query *out, sl_error *err);

/* Percent-decodes one path segment into out (NUL-terminated): SL_ERR_ARG for a bad escape, a
 * NUL byte, invalid UTF-8 or more than max bytes decoded. */
sl_status sl__req_path_segment(const char *s, size_t len, size_t max, sl_buf *out);

#endif
