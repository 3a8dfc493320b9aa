/* server/json.h — a strict JSON scanner for the service's request envelopes (internal).
 *
 * The service reads request bodies such as {"items": [{...}, ...]}: it needs the byte extent of
 * each element (handed to sl_record_parse), a few scalar members and a byte position for every
 * error. This scanner validates as it goes (RFC 8259: UTF-8, no raw control characters in
 * strings, no leading zeros, bounded nesting) and never builds a tree. Positions are offsets
 * into the scanned buffer. */
#ifndef SL_SERVER_JSON_H
#define SL_SERVER_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/status.h"
#include "sangloc/buf.h"

#define SL_JSON_MAX_DEPTH 64

/* The value of a hexadecimal digit (in JSON "uXXXX" escapes and URL %XX escapes), or -1. */
int sl__json_hexval(char c);

/* Skips JSON whitespace from *i. */
void sl__json_ws(const char *s, size_t len, size_t *i);

/* Validates one value starting at s[*i] (no leading whitespace) and moves *i past it.
 * SL_ERR_JSON (err->byte: where) when it is malformed or nests deeper than SL_JSON_MAX_DEPTH. */
sl_status sl__json_skip(const char *s, size_t len, size_t *i, sl_error *err);

/* Decodes the string at s[*i] == '"' into out (replacing its contents; NUL-terminated) and moves
 * *i past it. Refuses \u0000, lone surrogates and invalid UTF-8 with SL_ERR_JSON. out->max
 * bounds the decoded size (SL_ERR_TOO_LARGE). */
sl_status sl__json_string(const char *s, size_t len, size_t *i, sl_buf *out, sl_error *err);

/* Parses a non-negative integer (digits only: no sign, fraction or exponent) at s[*i] into
 * *out; SL_ERR_JSON when the value is not one, SL_ERR_TOO_LARGE above max. */
sl_status sl__json_uint(const char *s, size_t len, size_t *i, uint64_t max, uint64_t *out,
                        sl_error *err);

/* Walks the members of the object at s[*i] == '{'. For each member, fn gets the decoded key and
 * *i at the start of its value; fn must move *i past the value (sl__json_skip when it does not
 * want it). Refuses a key that appears twice (SL_ERR_JSON at the second copy) and more than
 * max_keys members. Moves *i past the object. */
typedef sl_status (*sl__json_member_fn)(void *ctx, const char *key, size_t key_len, const char *s,
                                        size_t len, size_t *i, sl_error *err);
sl_status sl__json_object(const char *s, size_t len, size_t *i, size_t max_keys,
                          sl__json_member_fn fn, void *ctx, sl_error *err);

/* The whole of s must be one value followed only by whitespace: checks the tail after *i. */
sl_status sl__json_end(const char *s, size_t len, size_t i, sl_error *err);

#endif
