/* Fuzz target: the query of GET /v1/stats (src/server/stats.c) on arbitrary bytes. Nothing may
 * read past the input; an error's byte lies inside it; an accepted window is aligned, ordered
 * and holds at most SL_STATS_MAX_BUCKETS buckets. */
#include <stdlib.h>
#include <string.h>

#include "sangloc/store.h"
#include "server/stats.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *s = malloc(size ? size : 1); /* exact size: ASan catches a read past the end */
    if (!s) return 0;
    memcpy(s, data, size);
    sl_error err = {0};
    sl__stats_query q;
    sl_status st = sl__req_stats_query(s, size, 1796035170157LL, &q, &err);
    if (st && err.byte != SL_NO_POS && err.byte > size) abort();
    if (!st) {
        int64_t origin = q.bucket == SL_STATS_WEEK ? 4 * 86400000LL : 0;
        if (q.width_ms <= 0 || q.since < 0 || q.until <= q.since ||
            (q.since - origin) % q.width_ms != 0 ||
            (q.until - q.since + q.width_ms - 1) / q.width_ms > SL_STATS_MAX_BUCKETS)
            abort();
    }
    free(s);
    return 0;
}
