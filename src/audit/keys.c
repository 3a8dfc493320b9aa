/* Note keys: names, key hashes, verifier key strings, signers and the signing key file.
 *
 * A key name is what a signature line carries to say who signed; the key hash (4 bytes of
 * SHA-256 over the name, the algorithm byte and the public key) lets a verifier skip the
 * signatures of other keys without trying them. Only Ed25519 (algorithm byte 0x01) is known. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/note_internal.h"
#include "sangloc/audit.h"
#include "util/keyfile.h"

#define ALG_ED25519 0x01

size_t sl__note_utf8_error(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        size_t n = c < 0x80             ? 1
                   : (c & 0xE0) == 0xC0 ? 2
                   : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4
                                        : 0;
        if (n == 0 || n > len - i || (n == 2 && c < 0xC2) || (n == 4 && c > 0xF4)) return i;
        for (size_t k = 1; k < n; k++)
            if ((p[i + k] & 0xC0) != 0x80) return i;
        if (n == 3 && ((c == 0xE0 && p[i + 1] < 0xA0) || (c == 0xED && p[i + 1] >= 0xA0)))
            return i; /* overlong, or a surrogate */
        if (n == 4 && ((c == 0xF0 && p[i + 1] < 0x90) || (c == 0xF4 && p[i + 1] >= 0x90)))
            return i; /* overlong, or past U+10FFFF */
        i += n;
    }
    return len;
}

bool sl__note_name_ok(const char *s, size_t len, size_t *bad)
{
    *bad = 0;
    if (len == 0 || len > SL_NOTE_NAME_MAX) return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7F || c == '+') return *bad = i, false;
    }
    *bad = sl__note_utf8_error(s, len);
    return *bad == len;
}

void sl__note_key_hash(const char *name, size_t name_len, const uint8_t pubkey[32],
                       uint8_t out[SL_NOTE_KEYHASH_LEN])
{
    static const uint8_t sep[2] = {'\n', ALG_ED25519};
    crypto_hash_sha256_state st;
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)name, name_len);
    crypto_hash_sha256_update(&st, sep, sizeof sep);
    crypto_hash_sha256_update(&st, pubkey, SL_NOTE_PUBKEY_LEN);
    crypto_hash_sha256_final(&st, h);
    memcpy(out, h, SL_NOTE_KEYHASH_LEN);
}

static void verifier_set(sl_note_verifier *v, const char *name, size_t name_len,
                         const uint8_t pubkey[SL_NOTE_PUBKEY_LEN])
{
    memcpy(v->name, name, name_len);
    v->name[name_len] = 0;
    v->name_len = name_len;
    memcpy(v->pubkey, pubkey, SL_NOTE_PUBKEY_LEN);
    sl__note_key_hash(name, name_len, pubkey, v->key_hash);
}

sl_status sl_note_signer_init(sl_note_signer *s, const char *name, size_t name_len,
                              const uint8_t secret[SL_NOTE_SECRET_LEN], sl_error *err)
{
    memset(s, 0, sizeof *s);
    size_t bad;
    if (!name || !sl__note_name_ok(name, name_len, &bad))
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS,
                            "a key name is 1 to %d bytes of text without space or '+'",
                            SL_NOTE_NAME_MAX);
    uint8_t pk[SL_NOTE_PUBKEY_LEN], sk[SL_NOTE_SECRET_LEN];
    crypto_sign_ed25519_seed_keypair(pk, sk, secret); /* the seed is the secret's first half */
    bool ok = sodium_memcmp(sk, secret, SL_NOTE_SECRET_LEN) == 0;
    sodium_memzero(sk, sizeof sk);
    if (!ok)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS,
                            "not an Ed25519 secret key (its public half does not match its seed)");
    verifier_set(&s->verifier, name, name_len, pk);
    memcpy(s->secret, secret, SL_NOTE_SECRET_LEN);
    return SL_OK;
}

void sl_note_signer_wipe(sl_note_signer *s)
{
    sodium_memzero(s, sizeof *s);
}

size_t sl_note_verifier_format(const sl_note_verifier *v, char out[SL_VERIFIER_KEY_SIZE])
{
    uint8_t key[1 + SL_NOTE_PUBKEY_LEN] = {ALG_ED25519};
    memcpy(key + 1, v->pubkey, SL_NOTE_PUBKEY_LEN);
    char b64[sodium_base64_ENCODED_LEN(sizeof key, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, key, sizeof key, sodium_base64_VARIANT_ORIGINAL);
    int n = snprintf(out, SL_VERIFIER_KEY_SIZE, "%s+%02x%02x%02x%02x+%s", v->name, v->key_hash[0],
                     v->key_hash[1], v->key_hash[2], v->key_hash[3], b64);
    return n < 0 ? 0 : (size_t)n;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool b64_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

/* The alphabet and padding are checked here: libsodium 1.0.18 takes some bytes above 0x7F for
 * base64 digits. libsodium then checks the padding bits. */
bool sl__note_b64_decode(const char *s, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    *out_len = 0;
    if (len % 4) return false;
    size_t pad = len >= 1 && s[len - 1] == '=' ? (len >= 2 && s[len - 2] == '=' ? 2 : 1) : 0;
    for (size_t i = 0; i < len - pad; i++)
        if (!b64_char(s[i])) return false;
    return sodium_base642bin(out, cap, s, len, NULL, out_len, NULL,
                             sodium_base64_VARIANT_ORIGINAL) == 0;
}

sl_status sl_note_verifier_parse(const char *s, size_t len, sl_note_verifier *out, sl_error *err)
{
    memset(out, 0, sizeof *out);
    const char *plus = memchr(s, '+', len < SL_NOTE_NAME_MAX + 1 ? len : SL_NOTE_NAME_MAX + 1);
    if (!plus) return sl_error_set(err, SL_ERR_NOTE, 0, "verifier key: no '+' after a name");
    size_t name_len = (size_t)(plus - s);
    size_t bad;
    if (!sl__note_name_ok(s, name_len, &bad))
        return sl_error_set(err, SL_ERR_NOTE, bad, "verifier key: bad name");
    size_t p = name_len + 1;
    uint8_t hash[SL_NOTE_KEYHASH_LEN];
    for (size_t i = 0; i < 8; i++) {
        int h = p + i < len ? hexval(s[p + i]) : -1;
        if (h < 0)
            return sl_error_set(err, SL_ERR_NOTE, p + i,
                                "verifier key: 8 lowercase hex digits expected");
        if (i % 2 == 0)
            hash[i / 2] = (uint8_t)(h << 4);
        else
            hash[i / 2] |= (uint8_t)h;
    }
    p += 8;
    if (p >= len || s[p] != '+')
        return sl_error_set(err, SL_ERR_NOTE, p, "verifier key: '+' expected");
    p++;
    uint8_t key[1 + SL_NOTE_PUBKEY_LEN + 1];
    size_t key_len;
    if (!sl__note_b64_decode(s + p, len - p, key, sizeof key, &key_len) ||
        key_len != sizeof key - 1)
        return sl_error_set(err, SL_ERR_NOTE, p, "verifier key: base64 of 33 bytes expected");
    if (key[0] != ALG_ED25519)
        return sl_error_set(err, SL_ERR_NOTE, p, "verifier key: not an Ed25519 key");
    verifier_set(out, s, name_len, key + 1);
    if (memcmp(hash, out->key_hash, SL_NOTE_KEYHASH_LEN))
        return sl_error_set(err, SL_ERR_NOTE, name_len + 1,
                            "verifier key: key hash does not match the name and key");
    return SL_OK;
}

static void make_key(unsigned char *key, size_t len)
{
    uint8_t pk[SL_NOTE_PUBKEY_LEN];
    (void)len; /* SL_NOTE_SECRET_LEN */
    crypto_sign_ed25519_keypair(pk, key);
}

sl_status sl_audit_key_load(const char *path, uint8_t secret[SL_NOTE_SECRET_LEN], sl_error *err)
{
    if (sodium_init() < 0) return sl_error_set(err, SL_ERR_INTERNAL, SL_NO_POS, "libsodium init");
    sl_status st = sl__keyfile_load(path, secret, SL_NOTE_SECRET_LEN, make_key, err);
    if (st) {
        sodium_memzero(secret, SL_NOTE_SECRET_LEN);
        return st;
    }
    sl_note_signer s;
    st = sl_note_signer_init(&s, "k", 1, secret, NULL); /* checks that it is a key pair */
    sl_note_signer_wipe(&s);
    if (st) {
        sodium_memzero(secret, SL_NOTE_SECRET_LEN);
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS,
                            "key file %s does not hold an Ed25519 secret key", path);
    }
    return SL_OK;
}

sl_status sl_audit_origin(const char *deployment, char out[SL_NOTE_NAME_MAX + 1], sl_error *err)
{
    char host[256] = "";
    if (!deployment || !*deployment) {
        if (gethostname(host, sizeof host - 1))
            return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot read the host name");
        deployment = host;
    }
    int n = snprintf(out, SL_NOTE_NAME_MAX + 1, "sangloc/%s", deployment);
    size_t bad;
    if (n < 0 || n > SL_NOTE_NAME_MAX || !sl__note_name_ok(out, (size_t)n, &bad)) {
        out[0] = '\0';
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS,
                            "the deployment name \"%.64s\" makes no valid origin (at most %d "
                            "bytes, no space or '+')",
                            deployment, SL_NOTE_NAME_MAX - 8);
    }
    return SL_OK;
}
