/* The Merkle tree of RFC 9162 section 2.1 over an array of leaf hashes, its proofs and their
 * verification.
 *
 * The RFC defines MTH, PATH and PROOF recursively, splitting a tree of n leaves at k, the largest
 * power of two below n. Here each is a loop that walks from the whole tree down to the leaf (or
 * to the old tree's boundary), hashing the sibling subtree it leaves behind at each level with a
 * compact range: the walk is at most 64 levels deep and the siblings together hold at most n
 * leaves, so a proof costs O(n) hashes and no stack depth that an outside size could choose. The
 * verifiers are the RFC's iterative algorithms (2.1.3.2, 2.1.4.2) word for word. */
#include <sodium.h>
#include <string.h>

#include "sangloc/audit.h"

/* Bounds every tree: its height, hence every proof, stays within SL_MERKLE_MAX_PROOF hashes. */
#define MAX_TREE_SIZE ((uint64_t)INT64_MAX)

sl_status sl_audit_init(void)
{
    return sodium_init() < 0 ? SL_ERR_INTERNAL : SL_OK;
}

void sl_merkle_leaf_hash(const void *entry, size_t len, sl_merkle_hash out)
{
    static const uint8_t prefix = 0x00;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    crypto_hash_sha256_update(&st, entry, len);
    crypto_hash_sha256_final(&st, out);
}

/* out may be left or right: both are read before out is written. */
void sl_merkle_node_hash(const sl_merkle_hash left, const sl_merkle_hash right, sl_merkle_hash out)
{
    static const uint8_t prefix = 0x01;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    crypto_hash_sha256_update(&st, left, SL_MERKLE_HASH_LEN);
    crypto_hash_sha256_update(&st, right, SL_MERKLE_HASH_LEN);
    crypto_hash_sha256_final(&st, out);
}

void sl_merkle_range_init(sl_merkle_range *r)
{
    r->size = 0;
    r->count = 0;
}

/* Each bit set in the old size that the carry of +1 clears is a full subtree that the new leaf
 * completes: merge it with the entry above it, as many times as the size has trailing ones. */
sl_status sl_merkle_range_append(sl_merkle_range *r, const sl_merkle_hash leaf)
{
    if (r->size >= MAX_TREE_SIZE) return SL_ERR_TOO_LARGE;
    memcpy(r->stack[r->count++], leaf, SL_MERKLE_HASH_LEN);
    for (uint64_t s = r->size; s & 1; s >>= 1) {
        r->count--;
        sl_merkle_node_hash(r->stack[r->count - 1], r->stack[r->count], r->stack[r->count - 1]);
    }
    r->size++;
    return SL_OK;
}

void sl_merkle_range_root(const sl_merkle_range *r, sl_merkle_hash out)
{
    if (r->count == 0) {
        crypto_hash_sha256(out, (const unsigned char *)"", 0);
        return;
    }
    sl_merkle_hash h;
    memcpy(h, r->stack[r->count - 1], SL_MERKLE_HASH_LEN);
    for (unsigned i = r->count - 1; i > 0; i--) sl_merkle_node_hash(r->stack[i - 1], h, h);
    memcpy(out, h, SL_MERKLE_HASH_LEN);
}

void sl_merkle_root(const sl_merkle_hash *leaves, uint64_t n, sl_merkle_hash out)
{
    sl_merkle_range r;
    sl_merkle_range_init(&r);
    for (uint64_t i = 0; i < n && i < MAX_TREE_SIZE; i++) sl_merkle_range_append(&r, leaves[i]);
    sl_merkle_range_root(&r, out);
}

/* k: the largest power of two smaller than n (n >= 2). */
static uint64_t split(uint64_t n)
{
    return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

static void reverse_into(sl_merkle_hash *dst, const sl_merkle_hash *src, size_t n)
{
    for (size_t i = 0; i < n; i++) memcpy(dst[i], src[n - 1 - i], SL_MERKLE_HASH_LEN);
}

sl_status sl_merkle_inclusion_proof(const sl_merkle_hash *leaves, uint64_t n, uint64_t index,
                                    sl_merkle_hash path[SL_MERKLE_MAX_PROOF], size_t *path_len)
{
    *path_len = 0;
    if (index >= n || n > MAX_TREE_SIZE) return SL_ERR_ARG;
    sl_merkle_hash top_down[SL_MERKLE_MAX_PROOF];
    size_t c = 0;
    uint64_t lo = 0, size = n, m = index; /* the subtree leaves[lo, lo + size) holds leaf m */
    while (size > 1) {
        uint64_t k = split(size);
        if (m < k) {
            sl_merkle_root(leaves + lo + k, size - k, top_down[c++]);
            size = k;
        } else {
            sl_merkle_root(leaves + lo, k, top_down[c++]);
            lo += k, m -= k, size -= k;
        }
    }
    reverse_into(path, top_down, c);
    *path_len = c;
    return SL_OK;
}

sl_status sl_merkle_consistency_proof(const sl_merkle_hash *leaves, uint64_t m, uint64_t n,
                                      sl_merkle_hash proof[SL_MERKLE_MAX_PROOF], size_t *len)
{
    *len = 0;
    if (m > n || n > MAX_TREE_SIZE) return SL_ERR_ARG;
    if (m == 0 || m == n) return SL_OK;
    sl_merkle_hash top_down[SL_MERKLE_MAX_PROOF];
    size_t c = 0;
    uint64_t lo = 0, size = n;
    bool whole = true; /* SUBPROOF's b: the old tree is still a whole subtree on the left */
    while (m != size) {
        uint64_t k = split(size);
        if (m <= k) {
            sl_merkle_root(leaves + lo + k, size - k, top_down[c++]);
            size = k;
        } else {
            sl_merkle_root(leaves + lo, k, top_down[c++]);
            lo += k, m -= k, size -= k;
            whole = false;
        }
    }
    size_t out = 0;
    if (!whole) sl_merkle_root(leaves + lo, m, proof[out++]);
    reverse_into(proof + out, top_down, c);
    *len = out + c;
    return SL_OK;
}

static bool hash_equal(const sl_merkle_hash a, const sl_merkle_hash b)
{
    return memcmp(a, b, SL_MERKLE_HASH_LEN) == 0;
}

/* Right-shifts fn and sn together until fn's lowest bit is set or fn is 0. */
static void shift_to_set_bit(uint64_t *fn, uint64_t *sn)
{
    while (!(*fn & 1) && *fn != 0) *fn >>= 1, *sn >>= 1;
}

bool sl_merkle_verify_inclusion(const sl_merkle_hash leaf, uint64_t index, uint64_t size,
                                const sl_merkle_hash *path, size_t path_len,
                                const sl_merkle_hash root)
{
    if (index >= size || path_len > SL_MERKLE_MAX_PROOF) return false;
    uint64_t fn = index, sn = size - 1;
    sl_merkle_hash r;
    memcpy(r, leaf, SL_MERKLE_HASH_LEN);
    for (size_t i = 0; i < path_len; i++) {
        if (sn == 0) return false;
        if ((fn & 1) || fn == sn) {
            sl_merkle_node_hash(path[i], r, r);
            if (!(fn & 1)) shift_to_set_bit(&fn, &sn);
        } else {
            sl_merkle_node_hash(r, path[i], r);
        }
        fn >>= 1, sn >>= 1;
    }
    return sn == 0 && hash_equal(r, root);
}

bool sl_merkle_verify_consistency(uint64_t m, uint64_t n, const sl_merkle_hash root_m,
                                  const sl_merkle_hash root_n, const sl_merkle_hash *proof,
                                  size_t len)
{
    if (m > n || len > SL_MERKLE_MAX_PROOF) return false;
    if (m == 0) return len == 0;
    if (m == n) return len == 0 && hash_equal(root_m, root_n);
    if (len == 0) return false;
    sl_merkle_hash fr, sr;
    size_t i = 0;
    if ((m & (m - 1)) == 0) { /* the old tree is a whole subtree: its root starts the path */
        memcpy(fr, root_m, SL_MERKLE_HASH_LEN);
    } else {
        memcpy(fr, proof[0], SL_MERKLE_HASH_LEN);
        i = 1;
    }
    memcpy(sr, fr, SL_MERKLE_HASH_LEN);
    uint64_t fn = m - 1, sn = n - 1;
    while (fn & 1) fn >>= 1, sn >>= 1;
    for (; i < len; i++) {
        if (sn == 0) return false;
        if ((fn & 1) || fn == sn) {
            sl_merkle_node_hash(proof[i], fr, fr);
            sl_merkle_node_hash(proof[i], sr, sr);
            if (!(fn & 1)) shift_to_set_bit(&fn, &sn);
        } else {
            sl_merkle_node_hash(sr, proof[i], sr);
        }
        fn >>= 1, sn >>= 1;
    }
    return sn == 0 && hash_equal(fr, root_m) && hash_equal(sr, root_n);
}
