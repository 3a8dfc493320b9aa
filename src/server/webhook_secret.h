/* server/webhook_secret.h — the webhook signing secrets (internal): one file per organization,
 * kept outside the database, and its predecessor during a rotation.
 *
 * A secret file holds one line: at least 32 characters of [A-Za-z0-9+/=_-] (the server and
 * `sangloc webhook rotate` write 32 random bytes as 64 hex digits). The HMAC key is that text,
 * as written, so a receiver verifies with the same line (`openssl dgst -sha256 -hmac "$(cat F)"`).
 * A file that group or others may read is refused, as the pseudonym key is (store/secrets.c).
 * Rotation keeps the old secret in F.prev; that file's modification time is when its grace
 * ends, and until then every delivery carries both signatures. */
#ifndef SL_SERVER_WEBHOOK_SECRET_H
#define SL_SERVER_WEBHOOK_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sangloc/status.h"

#define SL_HOOK_SECRET_MIN 32
#define SL_HOOK_SECRET_MAX 512
#define SL_HOOK_SIG_MAX    160 /* "v1=" + 64 hex, twice, a comma and the NUL */

typedef struct sl__hook_secret {
    char cur[SL_HOOK_SECRET_MAX + 1];
    size_t cur_len;
    char prev[SL_HOOK_SECRET_MAX + 1]; /* "" when no rotation's grace is running */
    size_t prev_len;
    time_t prev_until; /* when the grace ends (F.prev's mtime); 0: no previous secret */
} sl__hook_secret;

/* Reads the secret file at path, and path.prev when its grace has not ended at `now`. A missing
 * secret file is created (mode 0600, a new secret) when `create` (at start); later a missing
 * file is an error (SL_ERR_NOT_FOUND), so that a file removed by mistake does not silently
 * become a secret no receiver knows. */
sl_status sl__hook_secret_load(const char *path, time_t now, bool create, sl__hook_secret *out,
                               sl_error *err);

/* The X-Sangloc-Signature value for a body sent at unix time ts (its decimal text):
 * "v1=HEX(HMAC-SHA-256(secret, TS "." BODY))", then ",v1=..." under the previous secret while
 * its grace runs at `now`. out has SL_HOOK_SIG_MAX bytes. */
void sl__hook_sign(const sl__hook_secret *s, time_t now, const char *ts, const char *body,
                   size_t len, char out[SL_HOOK_SIG_MAX]);

#endif
