/* store/sessions.c — browser sessions (sangloc/store.h): ids and CSRF secrets are made here,
 * once for every backend; a backend keeps only the SHA-256 of an id. */
#include <sodium.h>
#include <string.h>

#include "sangloc/store.h"
#include "store/backend.h"

/* 32 random bytes as unpadded base64url (43 characters and a NUL). */
static void random_b64(char out[SL_SESSION_ID_SIZE])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, SL_SESSION_ID_SIZE, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

/* The hash a backend keys a session by; false when id is not of the form of one. */
static bool id_hash(const char *id, size_t len, unsigned char hash[SL_STORE_HASH_LEN])
{
    if (!id || len != SL_SESSION_ID_LEN) return false;
    for (size_t i = 0; i < len; i++) {
        char c = id[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    crypto_hash_sha256(hash, (const unsigned char *)id, len);
    return true;
}

sl_status sl_store_session_create(sl_store *store, int64_t token_id, int64_t lifetime_ms,
                                  char id[SL_SESSION_ID_SIZE], sl_session *out, sl_error *err)
{
    id[0] = '\0';
    if (lifetime_ms < 1 || lifetime_ms > SL_SESSION_MAX_MS || token_id < 1)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "a session lasts 1 ms to 30 days");
    void *db;
    int64_t now;
    const sl_store_backend *be = sl__store_be(store, &db, &now);
    char sid[SL_SESSION_ID_SIZE], csrf[SL_CSRF_SIZE];
    random_b64(sid);
    random_b64(csrf);
    unsigned char hash[SL_STORE_HASH_LEN];
    id_hash(sid, SL_SESSION_ID_LEN, hash);
    sl_session s = {0};
    sl_status st = be->session_insert(db, hash, token_id, csrf, now, now + lifetime_ms, &s, err);
    if (!st) {
        memcpy(id, sid, sizeof sid);
        *out = s;
    }
    sodium_memzero(sid, sizeof sid);
    return st;
}

sl_status sl_store_session_find(sl_store *store, const char *id, size_t len, sl_session *out,
                                sl_error *err)
{
    unsigned char hash[SL_STORE_HASH_LEN];
    if (!id_hash(id, len, hash)) return sl_error_set(err, SL_ERR_AUTH, SL_NO_POS, "no session");
    void *db;
    int64_t now;
    const sl_store_backend *be = sl__store_be(store, &db, &now);
    return be->session_find(db, hash, now, out, err);
}

sl_status sl_store_session_end(sl_store *store, const char *id, size_t len, sl_error *err)
{
    unsigned char hash[SL_STORE_HASH_LEN];
    if (!id_hash(id, len, hash)) return sl_error_set(err, SL_ERR_AUTH, SL_NO_POS, "no session");
    void *db;
    int64_t now;
    const sl_store_backend *be = sl__store_be(store, &db, &now);
    return be->session_end(db, hash, now, err);
}
