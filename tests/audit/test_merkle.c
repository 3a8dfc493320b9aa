/* Unit tests of audit/merkle: roots, inclusion and consistency proofs for every tree of 1..64
 * leaves, every index and every old size, against a naive implementation written here straight
 * from the recursive definitions of RFC 9162 section 2.1 (MTH, PATH, PROOF/SUBPROOF), hashing
 * with plain SHA-256 over concatenated buffers. Every proof must verify, and must stop verifying
 * when any one byte of it, the leaf, the index, the sizes or the roots change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "sangloc/audit.h"

#define MAXN 64

/* ---- the naive reference, from the RFC's text ---------------------------------------------- */

typedef struct hashes {
    size_t n;
    uint8_t h[MAXN + 1][32];
} hashes;

static void ref_leaf(const uint8_t *d, size_t len, uint8_t out[32])
{
    uint8_t buf[256] = {0x00};
    memcpy(buf + 1, d, len);
    crypto_hash_sha256(out, buf, len + 1);
}

static void ref_node(const uint8_t l[32], const uint8_t r[32], uint8_t out[32])
{
    uint8_t buf[65] = {0x01};
    memcpy(buf + 1, l, 32);
    memcpy(buf + 33, r, 32);
    crypto_hash_sha256(out, buf, sizeof buf);
}

static size_t ref_k(size_t n) /* the largest power of two smaller than n */
{
    size_t k = 1;
    while (k * 2 < n) k *= 2;
    return k;
}

/* MTH(D[n]) over the leaf hashes d[0, n) */
static void ref_mth(const uint8_t (*d)[32], size_t n, uint8_t out[32])
{
    if (n == 0) {
        crypto_hash_sha256(out, (const uint8_t *)"", 0);
    } else if (n == 1) {
        memcpy(out, d[0], 32);
    } else {
        size_t k = ref_k(n);
        uint8_t l[32], r[32];
        ref_mth(d, k, l);
        ref_mth(d + k, n - k, r);
        ref_node(l, r, out);
    }
}

static void push(hashes *p, const uint8_t h[32])
{
    memcpy(p->h[p->n++], h, 32);
}

/* PATH(m, D[n]) */
static void ref_path(size_t m, const uint8_t (*d)[32], size_t n, hashes *p)
{
    if (n == 1) return;
    size_t k = ref_k(n);
    uint8_t h[32];
    if (m < k) {
        ref_path(m, d, k, p);
        ref_mth(d + k, n - k, h);
    } else {
        ref_path(m - k, d + k, n - k, p);
        ref_mth(d, k, h);
    }
    push(p, h);
}

/* SUBPROOF(m, D[n], b) */
static void ref_subproof(size_t m, const uint8_t (*d)[32], size_t n, int b, hashes *p)
{
    uint8_t h[32];
    if (m == n) {
        if (!b) {
            ref_mth(d, m, h);
            push(p, h);
        }
        return;
    }
    size_t k = ref_k(n);
    if (m <= k) {
        ref_subproof(m, d, k, b, p);
        ref_mth(d + k, n - k, h);
    } else {
        ref_subproof(m - k, d + k, n - k, 0, p);
        ref_mth(d, k, h);
    }
    push(p, h);
}

/* ---- fixtures ------------------------------------------------------------------------------ */

static uint8_t leaves[MAXN + 1][32];
static uint8_t roots[MAXN + 2][32]; /* roots[n]: the naive root of leaves[0, n) */

static int setup(void **state)
{
    if (sodium_init() < 0 || sl_audit_init()) return -1;
    for (size_t i = 0; i <= MAXN; i++) {
        char e[32];
        int len = snprintf(e, sizeof e, "entry %zu", i);
        ref_leaf((const uint8_t *)e, (size_t)len, leaves[i]);
    }
    for (size_t n = 0; n <= MAXN + 1; n++) ref_mth((const uint8_t(*)[32])leaves, n, roots[n]);
    return 0;
}

static void hex(const uint8_t *h, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", h[i]);
}

static void assert_hash(const uint8_t a[32], const uint8_t b[32], const char *what, size_t x,
                        size_t y)
{
    if (memcmp(a, b, 32)) {
        char ha[65], hb[65];
        hex(a, 32, ha);
        hex(b, 32, hb);
        fail_msg("%s (%zu, %zu): got %s, want %s", what, x, y, ha, hb);
    }
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_empty_tree(void **state)
{
    uint8_t root[32], want[32];
    sl_merkle_root(NULL, 0, root);
    crypto_hash_sha256(want, (const uint8_t *)"", 0);
    assert_hash(root, want, "empty root", 0, 0);
    char h[65];
    hex(root, 32, h); /* the well-known SHA-256 of no bytes (FIPS 180-2 test value) */
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sl_merkle_range r;
    sl_merkle_range_init(&r);
    sl_merkle_range_root(&r, root);
    assert_hash(root, want, "empty range", 0, 0);
}

static void test_one_leaf(void **state)
{
    uint8_t leaf[32], want[32], root[32];
    sl_merkle_leaf_hash("", 0, leaf);
    const uint8_t zero = 0;
    crypto_hash_sha256(want, &zero, 1);
    assert_hash(leaf, want, "leaf of the empty entry", 0, 0);
    sl_merkle_leaf_hash("hello", 5, leaf);
    ref_leaf((const uint8_t *)"hello", 5, want);
    assert_hash(leaf, want, "leaf", 0, 0);
    sl_merkle_root((const sl_merkle_hash *)&leaf, 1, root);
    assert_hash(root, leaf, "root of one leaf is the leaf", 0, 0);
    uint8_t l[32], r[32], node[32], buf[65] = {0x01};
    memcpy(l, leaves[0], 32), memcpy(r, leaves[1], 32);
    sl_merkle_node_hash(l, r, node);
    memcpy(buf + 1, l, 32), memcpy(buf + 33, r, 32);
    crypto_hash_sha256(want, buf, sizeof buf);
    assert_hash(node, want, "node", 0, 1);
}

static void test_roots_every_size(void **state)
{
    sl_merkle_range r;
    sl_merkle_range_init(&r);
    for (size_t n = 0; n <= MAXN; n++) {
        uint8_t root[32];
        sl_merkle_root((const sl_merkle_hash *)leaves, n, root);
        assert_hash(root, roots[n], "root", n, 0);
        sl_merkle_range_root(&r, root);
        assert_hash(root, roots[n], "range root", n, 0);
        assert_int_equal(r.size, n);
        assert_int_equal(r.count, __builtin_popcountll(n));
        assert_int_equal(sl_merkle_range_append(&r, leaves[n]), SL_OK);
    }
}

static void test_range_limit(void **state)
{
    sl_merkle_range r;
    sl_merkle_range_init(&r);
    r.size = (uint64_t)INT64_MAX; /* pretend it is full: the bits set are the stack entries */
    r.count = 63;
    for (unsigned i = 0; i < 63; i++) memset(r.stack[i], (int)i, 32);
    assert_int_equal(sl_merkle_range_append(&r, leaves[0]), SL_ERR_TOO_LARGE);
    assert_int_equal(r.size, (uint64_t)INT64_MAX);
}

/* Every change of one byte (every bit of it, in turn a different bit) breaks the proof. */
static void flip_each_byte_inclusion(const uint8_t leaf[32], size_t i, size_t n,
                                     sl_merkle_hash *path, size_t len)
{
    for (size_t h = 0; h < len; h++)
        for (size_t b = 0; b < 32; b++) {
            path[h][b] ^= (uint8_t)(1u << (b % 8));
            if (sl_merkle_verify_inclusion(leaf, i, n, (const sl_merkle_hash *)path, len, roots[n]))
                fail_msg("inclusion (%zu of %zu) verified with hash %zu byte %zu flipped", i, n, h,
                         b);
            path[h][b] ^= (uint8_t)(1u << (b % 8));
        }
}

static void test_inclusion_every_index(void **state)
{
    for (size_t n = 1; n <= MAXN; n++)
        for (size_t i = 0; i < n; i++) {
            hashes want = {0};
            ref_path(i, (const uint8_t(*)[32])leaves, n, &want);
            sl_merkle_hash path[SL_MERKLE_MAX_PROOF];
            size_t len = 99;
            assert_int_equal(
                sl_merkle_inclusion_proof((const sl_merkle_hash *)leaves, n, i, path, &len), SL_OK);
            assert_int_equal(len, want.n);
            for (size_t h = 0; h < len; h++) assert_hash(path[h], want.h[h], "path", n, i);
            const sl_merkle_hash *p = (const sl_merkle_hash *)path;
            if (!sl_merkle_verify_inclusion(leaves[i], i, n, p, len, roots[n]))
                fail_msg("inclusion (%zu of %zu) does not verify", i, n);
            flip_each_byte_inclusion(leaves[i], i, n, path, len);
            uint8_t leaf[32];
            memcpy(leaf, leaves[i], 32);
            leaf[i % 32] ^= 0x80;
            assert_false(sl_merkle_verify_inclusion(leaf, i, n, p, len, roots[n]));
            assert_false(sl_merkle_verify_inclusion(leaves[i], i, n, p, len, roots[n - 1]));
            assert_false(sl_merkle_verify_inclusion(leaves[i], i, n + 1, p, len, roots[n + 1]));
            assert_false(sl_merkle_verify_inclusion(leaves[i], i, n, p, len, roots[n + 1]));
            if (i + 1 < n)
                assert_false(sl_merkle_verify_inclusion(leaves[i], i + 1, n, p, len, roots[n]));
            if (i > 0)
                assert_false(sl_merkle_verify_inclusion(leaves[i], i - 1, n, p, len, roots[n]));
            assert_false(sl_merkle_verify_inclusion(leaves[i], n, n, p, len, roots[n]));
            if (len > 0)
                assert_false(sl_merkle_verify_inclusion(leaves[i], i, n, p, len - 1, roots[n]));
            memcpy(path[len], leaves[0], 32);
            assert_false(sl_merkle_verify_inclusion(leaves[i], i, n, p, len + 1, roots[n]));
        }
}

static void flip_each_byte_consistency(size_t m, size_t n, sl_merkle_hash *proof, size_t len)
{
    for (size_t h = 0; h < len; h++)
        for (size_t b = 0; b < 32; b++) {
            proof[h][b] ^= (uint8_t)(1u << (b % 8));
            if (sl_merkle_verify_consistency(m, n, roots[m], roots[n],
                                             (const sl_merkle_hash *)proof, len))
                fail_msg("consistency (%zu, %zu) verified with hash %zu byte %zu flipped", m, n, h,
                         b);
            proof[h][b] ^= (uint8_t)(1u << (b % 8));
        }
}

/* A tree of n leaves that agrees with leaves[0, n) but for leaf `at`. */
static void forked_root(size_t n, size_t at, uint8_t out[32])
{
    uint8_t d[MAXN][32];
    memcpy(d, leaves, sizeof d);
    d[at][0] ^= 1;
    ref_mth((const uint8_t(*)[32])d, n, out);
}

static void test_consistency_every_pair(void **state)
{
    for (size_t n = 1; n <= MAXN; n++)
        for (size_t m = 0; m <= n; m++) {
            hashes want = {0};
            if (m > 0) ref_subproof(m, (const uint8_t(*)[32])leaves, n, 1, &want);
            sl_merkle_hash proof[SL_MERKLE_MAX_PROOF];
            size_t len = 99;
            assert_int_equal(
                sl_merkle_consistency_proof((const sl_merkle_hash *)leaves, m, n, proof, &len),
                SL_OK);
            assert_int_equal(len, want.n);
            for (size_t h = 0; h < len; h++) assert_hash(proof[h], want.h[h], "proof", m, n);
            const sl_merkle_hash *p = (const sl_merkle_hash *)proof;
            if (!sl_merkle_verify_consistency(m, n, roots[m], roots[n], p, len))
                fail_msg("consistency (%zu, %zu) does not verify", m, n);
            flip_each_byte_consistency(m, n, proof, len);
            if (m == 0) continue; /* every tree extends the empty one: nothing more to break */
            uint8_t fork[32];
            forked_root(n, n - 1, fork); /* the new tree rewrote its last leaf */
            if (m < n) assert_false(sl_merkle_verify_consistency(m, n, roots[m], fork, p, len));
            forked_root(n, m - 1, fork); /* the old tree's last leaf differs */
            assert_false(sl_merkle_verify_consistency(m, n, roots[m], fork, p, len));
            assert_false(sl_merkle_verify_consistency(m, n, roots[m - 1], roots[n], p, len));
            assert_false(sl_merkle_verify_consistency(m, n, roots[m], roots[n - 1], p, len));
            assert_false(sl_merkle_verify_consistency(m, n + 1, roots[m], roots[n + 1], p, len));
            if (m > 1)
                assert_false(
                    sl_merkle_verify_consistency(m - 1, n, roots[m - 1], roots[n], p, len));
            if (m < n)
                assert_false(
                    sl_merkle_verify_consistency(m + 1, n, roots[m + 1], roots[n], p, len));
            assert_false(sl_merkle_verify_consistency(n + 1, n, roots[n + 1], roots[n], p, len));
            if (len > 0)
                assert_false(sl_merkle_verify_consistency(m, n, roots[m], roots[n], p, len - 1));
            memcpy(proof[len], leaves[0], 32);
            assert_false(sl_merkle_verify_consistency(m, n, roots[m], roots[n], p, len + 1));
        }
}

static void test_bad_arguments(void **state)
{
    sl_merkle_hash proof[SL_MERKLE_MAX_PROOF];
    size_t len = 7;
    const sl_merkle_hash *l = (const sl_merkle_hash *)leaves;
    assert_int_equal(sl_merkle_inclusion_proof(l, 5, 5, proof, &len), SL_ERR_ARG);
    assert_int_equal(len, 0);
    assert_int_equal(sl_merkle_inclusion_proof(l, 0, 0, proof, &len), SL_ERR_ARG);
    assert_int_equal(sl_merkle_consistency_proof(l, 6, 5, proof, &len), SL_ERR_ARG);
    /* sizes from outside: huge values run no longer than the proof is long */
    sl_merkle_hash big[SL_MERKLE_MAX_PROOF + 1];
    memset(big, 0, sizeof big);
    assert_false(sl_merkle_verify_inclusion(leaves[0], UINT64_MAX - 1, UINT64_MAX,
                                            (const sl_merkle_hash *)big, SL_MERKLE_MAX_PROOF,
                                            roots[1]));
    assert_false(sl_merkle_verify_inclusion(leaves[0], 0, 1, (const sl_merkle_hash *)big,
                                            SL_MERKLE_MAX_PROOF + 1, roots[1]));
    assert_false(sl_merkle_verify_consistency(3, UINT64_MAX, roots[3], roots[4],
                                              (const sl_merkle_hash *)big, SL_MERKLE_MAX_PROOF));
    assert_false(sl_merkle_verify_consistency(3, 4, roots[3], roots[4], (const sl_merkle_hash *)big,
                                              SL_MERKLE_MAX_PROOF + 1));
    assert_false(
        sl_merkle_verify_consistency(0, 4, roots[0], roots[4], (const sl_merkle_hash *)big, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_tree),
        cmocka_unit_test(test_one_leaf),
        cmocka_unit_test(test_roots_every_size),
        cmocka_unit_test(test_range_limit),
        cmocka_unit_test(test_inclusion_every_index),
        cmocka_unit_test(test_consistency_every_pair),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
