/* store/cursor.h — the queue pagination cursor (internal).
 *
 * A cursor names the last entry of a page by its sort key (severity desc, opened_at asc,
 * case id asc), so the next page starts strictly after it whatever arrived meanwhile. On the
 * wire it is 25 bytes (version 1, then three big-endian int64) in unpadded base64url: 34
 * printable characters, opaque to clients. It comes back from outside, so the parser accepts
 * exactly what the encoder produces and says at which byte anything else goes wrong. */
#ifndef SL_STORE_CURSOR_H
#define SL_STORE_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#include "sangloc/status.h"
#include "sangloc/store.h"

#define SL_CURSOR_MAX_SEVERITY 1000000 /* severities are millionths of a score in [0, 1] */

typedef struct sl__cursor {
    int64_t severity;  /* 0..SL_CURSOR_MAX_SEVERITY */
    int64_t opened_at; /* >= 0 */
    int64_t case_id;   /* >= 1 */
} sl__cursor;

/* Writes the cursor's text (SL_STORE_CURSOR_LEN characters and a NUL) into out. */
void sl__cursor_encode(const sl__cursor *c, char out[SL_STORE_CURSOR_SIZE]);

/* Parses s[0, len): SL_OK, or SL_ERR_CURSOR with err->byte at the first bad byte. */
sl_status sl__cursor_parse(const char *s, size_t len, sl__cursor *out, sl_error *err);

#endif
