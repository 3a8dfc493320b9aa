/* server/ingest.c — the stored fields derived from a verdict (server/ingest.h). */
#include "server/ingest.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void sl__ingest_policy_version(const sl_policy *pol, char out[SL_STORE_MAX_POLICY_VERSION])
{
    snprintf(out, SL_STORE_MAX_POLICY_VERSION, "%.200s#%016" PRIx64,
             pol->version ? pol->version : "", pol->hash);
}

double sl__ingest_score(const sl_verdict *v)
{
    return v->score < 0 ? 0 : v->score > 1 ? 1 : v->score;
}

void sl__ingest_hide_rule(const sl_verdict *v, const char *f[3], size_t n[3])
{
    const sl_verdict_hit *best = NULL;
    for (size_t k = 0; k < v->nhits; k++)
        if (!best || v->hits[k].weight * v->hits[k].score > best->weight * best->score)
            best = &v->hits[k];
    f[0] = best ? best->rule : "";
    f[1] = best ? best->category : "";
    f[2] = best && best->cite ? best->cite : "";
    for (int k = 0; k < 3; k++) {
        size_t max = k == 2 ? SL_STORE_MAX_CLAUSE : SL_STORE_MAX_RULE;
        n[k] = strnlen(f[k], max);
        /* a text cut at the store's limit ends on a whole UTF-8 character */
        while (n[k] == max && n[k] > 0 && ((unsigned char)f[k][n[k]] & 0xC0) == 0x80) n[k]--;
    }
}
