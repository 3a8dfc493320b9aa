/* Token secrets, token hashes, the pseudonym key file and author pseudonyms.
 *
 * A token is 32 random bytes shown once as "slt_" + unpadded base64url. The store keeps
 * BLAKE2b-256 of the random bytes (keyed with a fixed public label, only to separate this use
 * of the hash from any other): the secret has 256 bits of entropy, so a plain hash cannot be
 * reversed and needs no secret key of its own. Author ids become HMAC-SHA-256 under a key that
 * lives in a file outside the database: a copy of the database alone does not say who wrote
 * what, and the same author gets the same pseudonym so that reviewers can see repeat posting. */
#include "store/secrets.h"

#include <sodium.h>
#include <string.h>

#include "util/keyfile.h"

static const unsigned char hash_label[] = "sangloc-token-v1";

static void hash_raw(const unsigned char raw[32], unsigned char hash[SL_STORE_HASH_LEN])
{
    crypto_generichash(hash, SL_STORE_HASH_LEN, raw, 32, hash_label, sizeof hash_label - 1);
}

sl_status sl__token_new(char secret[SL_TOKEN_SECRET_SIZE], unsigned char hash[SL_STORE_HASH_LEN])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    memcpy(secret, SL_TOKEN_PREFIX, 4);
    sodium_bin2base64(secret + 4, SL_TOKEN_SECRET_SIZE - 4, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    hash_raw(raw, hash);
    sodium_memzero(raw, sizeof raw);
    return SL_OK;
}

sl_status sl__token_hash(const char *secret, size_t len, unsigned char hash[SL_STORE_HASH_LEN])
{
    if (!secret || len != SL_TOKEN_SECRET_LEN || memcmp(secret, SL_TOKEN_PREFIX, 4))
        return SL_ERR_AUTH;
    unsigned char raw[32];
    size_t rawlen = 0;
    const char *end = NULL;
    if (sodium_base642bin(raw, sizeof raw, secret + 4, len - 4, NULL, &rawlen, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
        rawlen != sizeof raw || end != secret + len)
        return SL_ERR_AUTH;
    hash_raw(raw, hash);
    sodium_memzero(raw, sizeof raw);
    return SL_OK;
}

int64_t sl__token_lookup_key(const unsigned char hash[SL_STORE_HASH_LEN])
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++) u = u << 8 | hash[i];
    return (int64_t)u;
}

bool sl__store_hash_equal(const unsigned char a[SL_STORE_HASH_LEN],
                          const unsigned char b[SL_STORE_HASH_LEN])
{
    return sodium_memcmp(a, b, SL_STORE_HASH_LEN) == 0;
}

static void random_key(unsigned char *key, size_t len)
{
    randombytes_buf(key, len);
}

sl_status sl__key_load(const char *path, unsigned char key[SL_STORE_KEY_LEN], sl_error *err)
{
    return sl__keyfile_load(path, key, SL_STORE_KEY_LEN, random_key, err);
}

void sl__pseudonym(const unsigned char key[SL_STORE_KEY_LEN], const char *author, size_t len,
                   unsigned char out[SL_STORE_HASH_LEN])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, SL_STORE_KEY_LEN);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)author, len);
    crypto_auth_hmacsha256_final(&st, out);
}
