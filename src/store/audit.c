/* The canonical audit entry and its hashes (store/audit.h). */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "store/audit.h"

static sl_status put_str(sl_buf *b, const char *key, const char *v)
{
    sl_status st = sl_buf_puts(b, key);
    return st ? st : sl_buf_json_string(b, v ? v : "", v ? strlen(v) : 0);
}

sl_status sl__audit_encode(sl_buf *b, int64_t seq, int64_t at, const char *actor_name,
                           const sl__audit_rec *rec)
{
    char num[96];
    snprintf(num, sizeof num, "{\"seq\":%" PRId64 ",\"at\":%" PRId64, seq, at);
    sl_status st = sl_buf_puts(b, num);
    if (!st) st = put_str(b, ",\"org\":", rec->org);
    if (!st) {
        snprintf(num, sizeof num, ",\"actor\":{\"token\":%" PRId64, rec->actor);
        st = sl_buf_puts(b, num);
    }
    if (!st) st = put_str(b, ",\"name\":", actor_name);
    if (!st) st = put_str(b, "},\"action\":", rec->action);
    if (!st) st = put_str(b, ",\"target\":", rec->target);
    if (!st) st = put_str(b, ",\"before\":", rec->before);
    if (!st) st = put_str(b, ",\"after\":", rec->after);
    if (!st) st = put_str(b, ",\"policy_version\":", rec->policy_version);
    if (!st) st = sl_buf_puts(b, ",\"data\":");
    if (!st) st = sl_buf_puts(b, rec->data && *rec->data ? rec->data : "{}");
    if (!st) st = sl_buf_puts(b, "}");
    return st;
}

void sl__audit_sha256_hex(const void *p, size_t len, char out[2 * SL_AUDIT_HASH_LEN + 1])
{
    unsigned char h[SL_AUDIT_HASH_LEN];
    crypto_hash_sha256(h, p, len);
    sodium_bin2hex(out, 2 * SL_AUDIT_HASH_LEN + 1, h, sizeof h);
}
