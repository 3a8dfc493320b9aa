/* server/rescreen_request.h — the body of POST /v1/admin/rescreen and ISO-8601 times, parsed
 * strictly without libevent (internal; fuzz/fuzz_rescreen_request.c drives it).
 *
 * Body: a JSON object, every member optional (an empty body is {}):
 *   "since":  an ISO-8601 time ("2026-11-23", "2026-11-23T08:00:00Z", "...+07:00") or a
 *             non-negative integer of milliseconds since the epoch; default: 7 days before now
 *   "apply":  true or false (default false: a dry run that writes nothing)
 *   "cursor": the "next_cursor" of an earlier reply (a string of digits): continue after it
 *   "limit":  items to rescreen in this call, 1..SL_RESCREEN_MAX_ITEMS (the default)
 * Unknown or repeated keys are refused; errors carry the byte in the body. */
#ifndef SL_SERVER_RESCREEN_REQUEST_H
#define SL_SERVER_RESCREEN_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/status.h"

#define SL_RESCREEN_MAX_ITEMS      100000 /* items one call screens again */
#define SL_RESCREEN_DEFAULT_WINDOW (7 * 86400000LL)

typedef struct sl__rescreen_query {
    int64_t since; /* ms since the epoch */
    bool apply;
    int64_t after; /* the cursor: item number to continue after; 0 from the start */
    uint64_t limit;
} sl__rescreen_query;

/* Parses the body; now_ms gives the default "since". */
sl_status sl__req_rescreen(const char *body, size_t len, int64_t now_ms, sl__rescreen_query *out,
                           sl_error *err);

/* An ISO-8601 date or date-time (YYYY-MM-DD, optionally followed by 'T' or ' ', hh:mm, :ss,
 * a fraction of a second, and Z or an offset ±hh:mm / ±hhmm; no offset means UTC) as ms since
 * the epoch. Years 1970..9999. false when s[0, len) is not one. */
bool sl__iso8601_ms(const char *s, size_t len, int64_t *ms);

#endif
