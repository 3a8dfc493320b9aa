/* server/tokcache.c — recently authenticated tokens of one worker (see tokcache.h). */
#include "server/tokcache.h"

#include <string.h>

/* Compares without an early exit, so that the time does not say how much of a secret matched. */
static int differ(const char *a, const char *b, size_t n)
{
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++) d |= (unsigned char)(a[i] ^ b[i]);
    return d != 0;
}

sl_status sl__tokcache_lookup(sl__tokcache *c, sl_store *store, const char *secret, size_t len,
                              double now, sl_token_info *info, sl_error *err)
{
    if (len && len < SL_TOKEN_SECRET_SIZE)
        for (unsigned k = 0; k < SL_TOKCACHE_SLOTS; k++)
            if (c->slot[k].len == len && now < c->slot[k].until &&
                !differ(c->slot[k].secret, secret, len)) {
                *info = c->slot[k].info;
                return SL_OK;
            }
    sl_status st = sl_store_token_lookup(store, secret, len, info, err);
    if (st || !len || len >= SL_TOKEN_SECRET_SIZE) return st;
    /* the same secret may sit in an expired slot: reuse it, else the round-robin victim */
    unsigned k = 0;
    while (k < SL_TOKCACHE_SLOTS &&
           !(c->slot[k].len == len && !differ(c->slot[k].secret, secret, len)))
        k++;
    if (k == SL_TOKCACHE_SLOTS) k = c->next++ % SL_TOKCACHE_SLOTS;
    memcpy(c->slot[k].secret, secret, len);
    c->slot[k].len = len;
    c->slot[k].until = now + SL_TOKCACHE_SECONDS;
    c->slot[k].info = *info;
    return SL_OK;
}
