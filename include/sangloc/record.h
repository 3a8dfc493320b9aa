/* sangloc/record.h — one input record (one line of JSON lines) parsed into its id, its text and
 * its optional fields, or into an error with the byte where the line went wrong.
 *
 * The CLI, a server and stream workers all hand their lines here, so every entry point accepts
 * and rejects the same records (docs/verdict.md, "Input"). A record is a JSON object:
 *
 *   {"id": "c1" | 42, "text": "...", "channel": "...", "author": "...", "kind": "...",
 *    "created_at": "..."}   (other keys are allowed and ignored)
 *
 * Rules, each a record-level error (has_error; the line gets an error verdict, the run goes on):
 * - the line is valid UTF-8 without NUL, one JSON object (RFC 8259, strict: no raw control
 *   characters in strings, no leading zeros), and nothing but whitespace after it;
 * - no top-level key appears twice (readers disagree on which copy wins);
 * - `text` is a string; `id` is a string or an integer (no fraction, exponent, bool, null,
 *   object or array), at most SL_RECORD_ID_MAX bytes as written; the optional fields are strings
 *   or null (null means absent);
 * - no string contains \u0000 (C strings would cut there), nor a lone UTF-16 surrogate.
 *
 * The id is never decoded or reformatted: `id` points at its raw JSON bytes in the line (a
 * string's quotes and escapes included, an integer's exact digits), so it is echoed byte for
 * byte. No global state: records on different threads are independent. */
#ifndef SANGLOC_RECORD_H
#define SANGLOC_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "sangloc/status.h"

#define SL_RECORD_ID_MAX           256                 /* bytes of the id as written */
#define SL_RECORD_DEFAULT_MAX_TEXT ((size_t)64 * 1024) /* bytes of decoded text */
#define SL_RECORD_MAX_DEPTH        128                 /* nesting of arrays/objects in a line */

typedef struct sl_record_limits {
    size_t max_text; /* decoded text above this is too_large; 0: SL_RECORD_DEFAULT_MAX_TEXT */
} sl_record_limits;

/* A decoded string field: data is NULL when the field is absent. Not NUL-terminated. */
typedef struct sl_record_str {
    const char *data;
    size_t len;
} sl_record_str;

typedef struct sl_record_mem sl_record_mem;

/* Zero-initialize (`sl_record r = {0};`), parse any number of lines into it, then
 * sl_record_free(). Pointers stay valid until the next parse into the same record, and only
 * while the line itself is alive (the id, and strings without escapes, point into it). */
typedef struct sl_record {
    const char *id; /* raw JSON of the id, or NULL when absent or not valid */
    size_t id_len;
    sl_record_str text; /* decoded UTF-8; data NULL when the record has an error */
    sl_record_str channel, author, kind, created_at;
    bool has_error;
    sl_error error;     /* byte: offset in the line; line: 0 (the caller numbers lines) */
    sl_record_mem *mem; /* private scratch, reused from line to line */
} sl_record;

/* Parses one line of len bytes (no terminator needed; a trailing "\r" or "\n" is whitespace).
 * lim may be NULL for the defaults. A bad record is not a failure: it returns SL_OK with
 * out->has_error set, and still fills out->id when the object was well-formed up to its end and
 * its id valid, so the error verdict can name the post. Returns SL_ERR_NOMEM (out->has_error
 * set too) only when scratch memory could not be had, SL_ERR_ARG for NULL arguments. */
sl_status sl_record_parse(const char *line, size_t len, const sl_record_limits *lim,
                          sl_record *out);

/* Is the line empty or only whitespace? Readers skip such lines (they separate records). */
bool sl_record_is_blank(const char *line, size_t len);

/* Releases the record's scratch; the record may be parsed into again afterwards. */
void sl_record_free(sl_record *rec);

#endif
