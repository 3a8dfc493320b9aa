/* store/secrets.h — the store's cryptography (internal): token secrets and their hashes, the
 * author pseudonym key and pseudonyms. All of it is libsodium. */
#ifndef SL_STORE_SECRETS_H
#define SL_STORE_SECRETS_H

#include <stddef.h>
#include <stdint.h>

#include "sangloc/store.h"
#include "store/backend.h"

#define SL_STORE_KEY_LEN 32

/* A new secret: its text (SL_TOKEN_SECRET_LEN characters and a NUL) and its hash. */
sl_status sl__token_new(char secret[SL_TOKEN_SECRET_SIZE], unsigned char hash[SL_STORE_HASH_LEN]);

/* The hash of a presented secret; SL_ERR_AUTH when it is not of the secret's exact form. */
sl_status sl__token_hash(const char *secret, size_t len, unsigned char hash[SL_STORE_HASH_LEN]);

/* The index key of a hash: its first 8 bytes, big-endian. */
int64_t sl__token_lookup_key(const unsigned char hash[SL_STORE_HASH_LEN]);

/* Reads the key file, or creates it (mode 0600, written whole before it appears under its
 * name, so two processes starting at once agree on one key). Refuses a key file that is not
 * a regular file of SL_STORE_KEY_LEN bytes or that group or others may read. */
sl_status sl__key_load(const char *path, unsigned char key[SL_STORE_KEY_LEN], sl_error *err);

/* HMAC-SHA-256 of the author id under the key. */
void sl__pseudonym(const unsigned char key[SL_STORE_KEY_LEN], const char *author, size_t len,
                   unsigned char out[SL_STORE_HASH_LEN]);

#endif
