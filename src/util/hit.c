/* Growable hit list with a hard cap. */
#include "sangloc/hit.h"

#include <stdlib.h>
#include <string.h>

sl_status sl_hits_push(sl_hits *hits, const char *rule, uint32_t start, uint32_t end, float score,
                       int32_t pattern)
{
    return sl_hits_push_rule(hits, -1, rule, start, end, score, pattern);
}

sl_status sl_hits_push_rule(sl_hits *hits, int32_t rule_index, const char *rule, uint32_t start,
                            uint32_t end, float score, int32_t pattern)
{
    size_t max = hits->max ? hits->max : SL_HITS_DEFAULT_MAX;
    if (hits->count >= max) {
        hits->dropped++;
        return SL_OK;
    }
    if (hits->count == hits->cap) {
        size_t cap = hits->cap ? hits->cap * 2 : 16;
        if (cap > max) cap = max;
        sl_hit *items = realloc(hits->items, cap * sizeof *items);
        if (!items) return SL_ERR_NOMEM;
        hits->items = items;
        hits->cap = cap;
    }
    sl_hit *h = &hits->items[hits->count++];
    size_t n = strlen(rule);
    if (n >= SL_RULE_ID_MAX) n = SL_RULE_ID_MAX - 1;
    memcpy(h->rule, rule, n);
    h->rule[n] = '\0';
    h->start = start;
    h->end = end;
    h->score = score;
    h->pattern = pattern;
    h->rule_index = rule_index;
    return SL_OK;
}

void sl_hits_clear(sl_hits *hits)
{
    hits->count = 0;
    hits->dropped = 0;
}

void sl_hits_free(sl_hits *hits)
{
    free(hits->items);
    size_t max = hits->max;
    memset(hits, 0, sizeof *hits);
    hits->max = max;
}
