/* server/review.h — what the reviewer's queue page (/review) needs of the API besides the
 * workflow's routes (internal; docs/api.md "The reviewer's page"):
 *   GET  /v1/items/{channel}/{id}?redact=personal_data&views=standard
 *        the personal data of others masked, byte for byte (offsets stay valid), with the masked
 *        spans listed; the standard spelling of the (masked) text;
 *   POST /v1/items/{channel}/{id}/reveal
 *        the masked spans' text, logged as an "item.reveal" audit entry (who, which item, which
 *        rules; never the text);
 *   GET  /v1/policy/rules
 *        the rules of the organization's policy a decision may cite, with model thresholds. */
#ifndef SL_SERVER_REVIEW_H
#define SL_SERVER_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "sangloc/buf.h"
#include "sangloc/status.h"
#include "sangloc/store.h"

struct sl__rq;

/* The byte that replaces each byte of personal data in a redacted text: ASCII, so the masked
 * text has the same length in bytes and every offset of the verdict still points where it did. */
#define SL__REVIEW_MASK '*'

/* What GET /v1/items/{channel}/{id} was asked for in its query string. */
typedef struct sl__item_views {
    bool redact;   /* redact=personal_data */
    bool standard; /* views=standard */
} sl__item_views;

/* Parses the query (NULL: nothing asked); SL_ERR_ARG (err->message names the parameter, err->byte
 * where) for a parameter or value it does not know. */
sl_status sl__item_views_parse(const char *query, sl__item_views *out, sl_error *err);

/* Appends ,"text":...,"verdict":... of rec as v asks: masked and with "redacted":[{start, end,
 * rules}] when v->redact, and ,"standard":... when v->standard. SL_ERR_JSON when the stored
 * verdict cannot be read (err says where), SL_ERR_NOMEM. */
sl_status sl__review_item_text(const sl_store_record *rec, const sl__item_views *v, sl_buf *b,
                               sl_error *err);

/* One masked span: [start, end) bytes of the text, on character boundaries, and the rules of the
 * personal-data hits it covers (merged when they overlap). */
typedef struct sl__mask {
    size_t start, end;
    char rules[256]; /* JSON array body: "pii.phone","pii.email" */
} sl__mask;

/* The masked spans of text[0, len) from the personal-data hits of verdict (sl__vhit_is_personal):
 * *n of them, sorted and disjoint, in a new array (free()). */
sl_status sl__review_masks(const char *text, size_t len, const char *verdict, size_t vlen,
                           sl__mask **out, size_t *n, sl_error *err);

/* POST /v1/items/{channel}/{id}/reveal; rest is what follows "/v1/items/". */
void sl__route_reveal(struct sl__rq *r, const char *rest);
/* GET /v1/policy/rules */
void sl__route_policy_rules(struct sl__rq *r);

#endif
