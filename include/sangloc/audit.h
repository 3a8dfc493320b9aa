/* sangloc/audit.h — the audit log's cryptography: a Merkle tree hashed as in RFC 6962 / RFC 9162
 * section 2.1, its inclusion and consistency proofs, and checkpoints (origin, size, root) signed
 * with Ed25519 in the C2SP tlog-checkpoint and signed-note formats.
 *
 * Hashes are SHA-256, SL_MERKLE_HASH_LEN bytes: a leaf is SHA-256(0x00 || entry), an inner node
 * SHA-256(0x01 || left || right), the empty tree SHA-256(""). A tree of n leaves splits at k, the
 * largest power of two below n (RFC 9162 MTH). Functions over a tree take its leaf hashes as an
 * array of n hashes; none recurses: sizes may come from outside, so every loop is bounded by the
 * tree's height (at most 64) or by n.
 *
 * A signed note is text (UTF-8, no control character but newline, ending in a newline), a blank
 * line, then lines "— NAME BASE64(keyhash(4) || signature)\n". An Ed25519 key's hash is the
 * first 4 bytes of SHA-256(NAME || "\n" || 0x01 || public key), and its verifier key string is
 * "NAME+HEX8(keyhash)+BASE64(0x01 || public key)". A checkpoint is a note whose text is
 * "ORIGIN\nSIZE\nBASE64(ROOT)\n" (plus extension lines, kept in the signed text but not
 * interpreted); sangloc names its key after the origin. Notes come from outside: the parsers
 * accept only the exact form, bound every size, and every error carries the byte where it was
 * found (err->byte, an offset into the input). Errors use SL_ERR_NOTE unless said otherwise.
 *
 * Threads: every function is reentrant; call sl_audit_init() (libsodium's init) once first. */
#ifndef SANGLOC_AUDIT_H
#define SANGLOC_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/status.h"

#define SL_MERKLE_HASH_LEN  32
#define SL_MERKLE_MAX_PROOF 64 /* hashes in any proof: the height of a tree of 2^64 leaves */

typedef uint8_t sl_merkle_hash[SL_MERKLE_HASH_LEN];

/* libsodium's initialization; SL_ERR_INTERNAL if it fails. Idempotent and thread-safe. */
sl_status sl_audit_init(void);

/* ---- hashing ------------------------------------------------------------------------------- */

/* SHA-256(0x00 || entry[0, len)). */
void sl_merkle_leaf_hash(const void *entry, size_t len, sl_merkle_hash out);
/* SHA-256(0x01 || left || right). */
void sl_merkle_node_hash(const sl_merkle_hash left, const sl_merkle_hash right, sl_merkle_hash out);

/* The root of the tree of leaves[0, n) (SHA-256("") when n is 0). O(n) time, O(log n) space. */
void sl_merkle_root(const sl_merkle_hash *leaves, uint64_t n, sl_merkle_hash out);

/* A compact range: the roots of the full subtrees that make up a tree of `size` leaves, largest
 * (leftmost) first, one per bit set in size. It extends a tree leaf by leaf and gives its root
 * without keeping the leaves. A plain value: copy it, compare sizes, no freeing. */
typedef struct sl_merkle_range {
    uint64_t size;
    unsigned count; /* entries in stack: the number of bits set in size */
    sl_merkle_hash stack[64];
} sl_merkle_range;

void sl_merkle_range_init(sl_merkle_range *r); /* the empty tree */
/* Adds one leaf hash. SL_ERR_TOO_LARGE when the tree already holds 2^63 - 1 leaves. */
sl_status sl_merkle_range_append(sl_merkle_range *r, const sl_merkle_hash leaf);
void sl_merkle_range_root(const sl_merkle_range *r, sl_merkle_hash out);

/* ---- proofs -------------------------------------------------------------------------------- */

/* The audit path of leaf `index` in the tree of leaves[0, n) (RFC 9162 2.1.3.1, PATH), nearest
 * sibling first, into path[0, *path_len). SL_ERR_ARG when index >= n. O(n) time. */
sl_status sl_merkle_inclusion_proof(const sl_merkle_hash *leaves, uint64_t n, uint64_t index,
                                    sl_merkle_hash path[SL_MERKLE_MAX_PROOF], size_t *path_len);

/* Whether path proves that `leaf` is leaf `index` of the tree of `size` leaves whose root is
 * `root` (RFC 9162 2.1.3.2). False for index >= size and for a path of the wrong length. */
bool sl_merkle_verify_inclusion(const sl_merkle_hash leaf, uint64_t index, uint64_t size,
                                const sl_merkle_hash *path, size_t path_len,
                                const sl_merkle_hash root);

/* The consistency proof between the trees of leaves[0, m) and leaves[0, n), m <= n (RFC 9162
 * 2.1.4.1, PROOF). Empty when m is 0 or m == n. SL_ERR_ARG when m > n. O(n) time. */
sl_status sl_merkle_consistency_proof(const sl_merkle_hash *leaves, uint64_t m, uint64_t n,
                                      sl_merkle_hash proof[SL_MERKLE_MAX_PROOF], size_t *len);

/* Whether proof shows that the tree of size m and root root_m is a prefix of the tree of size n
 * and root root_n (RFC 9162 2.1.4.2). With m == 0 the proof must be empty (every tree extends
 * the empty one); with m == n it must be empty and the roots equal; m > n is false. */
bool sl_merkle_verify_consistency(uint64_t m, uint64_t n, const sl_merkle_hash root_m,
                                  const sl_merkle_hash root_n, const sl_merkle_hash *proof,
                                  size_t len);

/* ---- keys ---------------------------------------------------------------------------------- */

#define SL_NOTE_NAME_MAX     255 /* bytes of a key name (and of a checkpoint origin) */
#define SL_NOTE_KEYHASH_LEN  4
#define SL_NOTE_PUBKEY_LEN   32
#define SL_NOTE_SECRET_LEN   64 /* libsodium's Ed25519 secret key: seed || public key */
#define SL_NOTE_SIG_LEN      64
#define SL_VERIFIER_KEY_SIZE (SL_NOTE_NAME_MAX + 64) /* a verifier key string and its NUL */

/* A public key as a note verifier knows it. */
typedef struct sl_note_verifier {
    char name[SL_NOTE_NAME_MAX + 1]; /* NUL-terminated */
    size_t name_len;
    uint8_t key_hash[SL_NOTE_KEYHASH_LEN];
    uint8_t pubkey[SL_NOTE_PUBKEY_LEN];
} sl_note_verifier;

/* A signing key and its verifier. Holds the secret: wipe it with sl_note_signer_wipe(). */
typedef struct sl_note_signer {
    sl_note_verifier verifier;
    uint8_t secret[SL_NOTE_SECRET_LEN];
} sl_note_signer;

/* The signer named `name` (a valid key name: 1..SL_NOTE_NAME_MAX bytes of UTF-8 with no space,
 * control character or '+') for an Ed25519 secret key. SL_ERR_ARG for a bad name or a secret
 * key whose second half is not the public key of its seed. */
sl_status sl_note_signer_init(sl_note_signer *s, const char *name, size_t name_len,
                              const uint8_t secret[SL_NOTE_SECRET_LEN], sl_error *err);
void sl_note_signer_wipe(sl_note_signer *s);

/* Writes "NAME+HEX8+BASE64(0x01||pubkey)" and a NUL into out; returns its length. */
size_t sl_note_verifier_format(const sl_note_verifier *v, char out[SL_VERIFIER_KEY_SIZE]);
/* Parses a verifier key string s[0, len): only Ed25519 keys (algorithm byte 0x01) whose key hash
 * matches the name and key. Errors carry the byte. */
sl_status sl_note_verifier_parse(const char *s, size_t len, sl_note_verifier *out, sl_error *err);

/* Reads the Ed25519 secret key file at path, or creates it when missing (a fresh key, mode 0600,
 * written whole before it appears under its name, so two processes starting at once agree on
 * one key). Refuses (SL_ERR_IO) a file that is not a regular file of SL_NOTE_SECRET_LEN bytes or
 * that group or others may read, and (SL_ERR_ARG) a key that is not a valid Ed25519 key. */
sl_status sl_audit_key_load(const char *path, uint8_t secret[SL_NOTE_SECRET_LEN], sl_error *err);

/* The origin (and key name) of this deployment's checkpoints: "sangloc/" + deployment, or
 * "sangloc/" + the host name when deployment is NULL or empty. SL_ERR_ARG when the result is not
 * a valid key name (too long, or holding a space or '+'). */
sl_status sl_audit_origin(const char *deployment, char out[SL_NOTE_NAME_MAX + 1], sl_error *err);

/* ---- notes and checkpoints ----------------------------------------------------------------- */

#define SL_NOTE_MAX      16384 /* bytes of a whole note */
#define SL_NOTE_MAX_SIGS 16
#define SL_NOTE_SIG_MAX  128 /* bytes of a signature after its key hash (any algorithm) */

typedef struct sl_note_sig {
    size_t name_off, name_len; /* the signer's name: bytes of the parsed input */
    uint8_t key_hash[SL_NOTE_KEYHASH_LEN];
    size_t sig_len;
    uint8_t sig[SL_NOTE_SIG_MAX];
} sl_note_sig;

/* A parsed note: its text is the input's bytes [0, text_len), the final newline included. */
typedef struct sl_note {
    size_t text_len;
    size_t nsigs; /* 1..SL_NOTE_MAX_SIGS */
    sl_note_sig sigs[SL_NOTE_MAX_SIGS];
} sl_note;

/* Parses a signed note s[0, len) (at most SL_NOTE_MAX bytes, else SL_ERR_TOO_LARGE). Signatures
 * of any key are kept (they are checked only by sl_note_verify). */
sl_status sl_note_parse(const char *s, size_t len, sl_note *out, sl_error *err);

/* Checks that note (parsed from s[0, len)) carries a valid signature by v: SL_OK, or SL_ERR_NOTE
 * when no signature has v's name and key hash or when one that has them does not verify. */
sl_status sl_note_verify(const char *s, size_t len, const sl_note *note, const sl_note_verifier *v,
                         sl_error *err);

typedef struct sl_checkpoint {
    char origin[SL_NOTE_NAME_MAX + 1]; /* NUL-terminated */
    size_t origin_len;
    uint64_t size;
    sl_merkle_hash root;
} sl_checkpoint;

/* Parses a checkpoint's text s[0, len) (the note's text, final newline included). The size has
 * no leading zero and is at most 2^63 - 1. */
sl_status sl_checkpoint_parse(const char *s, size_t len, sl_checkpoint *out, sl_error *err);

/* Parses and verifies a signed checkpoint note in one call. */
sl_status sl_checkpoint_open(const char *s, size_t len, const sl_note_verifier *v,
                             sl_checkpoint *out, sl_error *err);

#define SL_CHECKPOINT_NOTE_SIZE 1024 /* a note signed by sl_checkpoint_sign and its NUL */

/* Writes the note of checkpoint c signed by s and a NUL into out; *len is its length. SL_ERR_ARG
 * for an origin that is not a valid key name (sangloc's origins are key names). */
sl_status sl_checkpoint_sign(const sl_note_signer *s, const sl_checkpoint *c,
                             char out[SL_CHECKPOINT_NOTE_SIZE], size_t *len, sl_error *err);

#endif
