/* bench_audit — the audit layer alone (src/audit): Merkle tree, proofs and checkpoint notes.
 *
 * usage: bench_audit [--seconds S] [--max-log2 K]
 * For logs of 2^10, 2^14, 2^17 and 2^20 leaves (sizes above 2^K are skipped; K defaults to 20),
 * each leaf the hash of a distinct random 200-byte entry, it times: hashing the entries into
 * leaves (sl_merkle_leaf_hash), the root of all leaves (sl_merkle_root), the same tree grown leaf
 * by leaf in a compact range (sl_merkle_range_append, then its root), an inclusion proof of leaf
 * n/3 and a consistency proof from size 2n/3 + 1 to n (both generated from the leaves), the
 * verification of each proof, and signing and verifying (parse + Ed25519) a checkpoint note.
 *
 * The baseline, measured in the same run for each size, is libsodium's crypto_hash_sha256 over n
 * distinct 65-byte inputs: one inner node's input (0x01 || left || right), so a root from n
 * leaves costs at least ~1x the baseline, leaves from 201-byte inputs ~2x (4 SHA-256 blocks
 * against 2), and a whole tree from its entries ~3x. Each figure is the fastest of repeated runs
 * (at least 3, and as many as fit in about S seconds, default 0.3), per operation; the ratio is
 * to the baseline of the same size. The results are checked against each other (the range's
 * root is the tree's, the proofs verify), never the timings. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "sangloc/audit.h"

#define ENTRY_LEN 200
#define NODE_LEN  65

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Everything one size needs; the operations read it and write their outputs into it. */
typedef struct run {
    uint64_t n;
    uint8_t *entries; /* n * ENTRY_LEN random bytes */
    uint8_t *inputs;  /* n * NODE_LEN random bytes: the baseline's inputs */
    sl_merkle_hash *leaves;
    sl_merkle_hash root, range_root, sink;
    uint64_t index, m; /* the inclusion proof's leaf, the consistency proof's older size */
    sl_merkle_hash root_m;
    sl_merkle_hash path[SL_MERKLE_MAX_PROOF], cons[SL_MERKLE_MAX_PROOF];
    size_t path_len, cons_len;
    bool ok; /* every verification so far succeeded */
    sl_note_signer signer;
    sl_checkpoint cp;
    char note[SL_CHECKPOINT_NOTE_SIZE];
    size_t note_len;
} run;

/* Each operation runs `reps` times per call: the cheap ones (verification, notes) loop inside
 * the timed region so that the clock's resolution does not matter. */
typedef struct op {
    const char *name;
    void (*fn)(run *r);
    int inner; /* repetitions inside one timed call */
} op;

static void op_baseline(run *r)
{
    for (uint64_t i = 0; i < r->n; i++)
        crypto_hash_sha256(r->sink, r->inputs + i * NODE_LEN, NODE_LEN);
}

static void op_leaves(run *r)
{
    for (uint64_t i = 0; i < r->n; i++)
        sl_merkle_leaf_hash(r->entries + i * ENTRY_LEN, ENTRY_LEN, r->leaves[i]);
}

static void op_root(run *r)
{
    sl_merkle_root((const sl_merkle_hash *)r->leaves, r->n, r->root);
}

static void op_range(run *r)
{
    sl_merkle_range range;
    sl_merkle_range_init(&range);
    for (uint64_t i = 0; i < r->n; i++)
        if (sl_merkle_range_append(&range, r->leaves[i])) r->ok = false;
    sl_merkle_range_root(&range, r->range_root);
}

static void op_incl(run *r)
{
    if (sl_merkle_inclusion_proof((const sl_merkle_hash *)r->leaves, r->n, r->index, r->path,
                                  &r->path_len))
        r->ok = false;
}

static void op_cons(run *r)
{
    if (sl_merkle_consistency_proof((const sl_merkle_hash *)r->leaves, r->m, r->n, r->cons,
                                    &r->cons_len))
        r->ok = false;
}

static void op_verify_incl(run *r)
{
    if (!sl_merkle_verify_inclusion(r->leaves[r->index], r->index, r->n,
                                    (const sl_merkle_hash *)r->path, r->path_len, r->root))
        r->ok = false;
}

static void op_verify_cons(run *r)
{
    if (!sl_merkle_verify_consistency(r->m, r->n, r->root_m, r->root,
                                      (const sl_merkle_hash *)r->cons, r->cons_len))
        r->ok = false;
}

static void op_sign(run *r)
{
    if (sl_checkpoint_sign(&r->signer, &r->cp, r->note, &r->note_len, NULL)) r->ok = false;
}

static void op_open(run *r)
{
    sl_checkpoint got;
    if (sl_checkpoint_open(r->note, r->note_len, &r->signer.verifier, &got, NULL) ||
        got.size != r->n || memcmp(got.root, r->root, SL_MERKLE_HASH_LEN))
        r->ok = false;
}

/* The fastest time of one call of fn, in seconds: at least 3 timed runs, more while the total
 * stays under budget. */
static double best(run *r, const op *o, double budget)
{
    double min = 1e30, start = now();
    for (int k = 0; k < 3 || now() - start < budget; k++) {
        double t0 = now();
        for (int i = 0; i < o->inner; i++) o->fn(r);
        double t = (now() - t0) / o->inner;
        if (t < min) min = t;
        if (k > 100000) break;
    }
    return min;
}

static void fmt_time(char *out, size_t cap, double s)
{
    if (s >= 1e-1)
        snprintf(out, cap, "%.0f ms", s * 1e3);
    else if (s >= 1e-3)
        snprintf(out, cap, "%.2f ms", s * 1e3);
    else
        snprintf(out, cap, "%.1f us", s * 1e6);
}

int main(int argc, char **argv)
{
    double budget = 0.3;
    int max_log2 = 20;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            budget = atof(argv[++i]);
        else if (!strcmp(argv[i], "--max-log2") && i + 1 < argc)
            max_log2 = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_audit [--seconds S] [--max-log2 K]\n");
            return 2;
        }
    }
    if (sl_audit_init()) return 1;
    printf("command:");
    for (int i = 0; i < argc; i++) printf(" %s", argv[i]);
    printf("\nmachine: %ld cores online, SHA-256 from libsodium %s\n",
           sysconf(_SC_NPROCESSORS_ONLN), sodium_version_string());

    static const op ops[] = {
        {"baseline: sha256 n x 65 B", op_baseline, 1},
        {"leaf hashes (200 B entries)", op_leaves, 1},
        {"root from leaves", op_root, 1},
        {"compact range, leaf by leaf", op_range, 1},
        {"inclusion proof (generate)", op_incl, 1},
        {"consistency proof (generate)", op_cons, 1},
        {"inclusion proof (verify)", op_verify_incl, 200},
        {"consistency proof (verify)", op_verify_cons, 200},
        {"checkpoint note (sign)", op_sign, 50},
        {"checkpoint note (verify)", op_open, 50},
    };
    enum { NOPS = sizeof ops / sizeof ops[0] };
    static const int log2s[] = {10, 14, 17, 20};
    enum { NSIZES = sizeof log2s / sizeof log2s[0] };
    double t[NSIZES][NOPS] = {{0}};
    size_t proof_len[NSIZES][2] = {{0}};
    int nsizes = 0;

    uint8_t sk[SL_NOTE_SECRET_LEN], pk[SL_NOTE_PUBKEY_LEN];
    crypto_sign_keypair(pk, sk);
    for (int s = 0; s < NSIZES && log2s[s] <= max_log2; s++, nsizes++) {
        run *r = calloc(1, sizeof *r);
        if (!r) return 1;
        r->n = (uint64_t)1 << log2s[s];
        r->entries = malloc(r->n * ENTRY_LEN);
        r->inputs = malloc(r->n * NODE_LEN);
        r->leaves = malloc(r->n * sizeof *r->leaves);
        if (!r->entries || !r->inputs || !r->leaves) return 1;
        randombytes_buf(r->entries, r->n * ENTRY_LEN);
        randombytes_buf(r->inputs, r->n * NODE_LEN);
        r->ok = true;
        r->index = r->n / 3;
        r->m = 2 * r->n / 3 + 1;
        if (sl_note_signer_init(&r->signer, "sangloc/bench.example", 21, sk, NULL)) return 1;
        /* the inputs of the later operations: leaves, roots, proofs, a signed note */
        op_leaves(r);
        op_root(r);
        sl_merkle_root((const sl_merkle_hash *)r->leaves, r->m, r->root_m);
        op_incl(r);
        op_cons(r);
        memcpy(r->cp.origin, "sangloc/bench.example", 22);
        r->cp.origin_len = 21;
        r->cp.size = r->n;
        memcpy(r->cp.root, r->root, SL_MERKLE_HASH_LEN);
        op_sign(r);
        for (int o = 0; o < NOPS; o++) t[s][o] = best(r, &ops[o], budget);
        proof_len[s][0] = r->path_len;
        proof_len[s][1] = r->cons_len;
        if (memcmp(r->range_root, r->root, SL_MERKLE_HASH_LEN)) r->ok = false;
        bool ok = r->ok;
        sl_note_signer_wipe(&r->signer);
        free(r->entries);
        free(r->inputs);
        free(r->leaves);
        free(r);
        if (!ok) {
            fprintf(stderr, "bench_audit: a result did not check at 2^%d leaves\n", log2s[s]);
            return 1;
        }
    }
    sodium_memzero(sk, sizeof sk);

    printf("\nfastest of repeated runs; (x) = the time / the baseline of the same size\n");
    printf("%-30s", "leaves");
    for (int s = 0; s < nsizes; s++) {
        char h[32];
        snprintf(h, sizeof h, "2^%d = %" PRIu64, log2s[s], (uint64_t)1 << log2s[s]);
        printf(" %21s", h);
    }
    printf("\n");
    for (int o = 0; o < NOPS; o++) {
        printf("%-30s", ops[o].name);
        for (int s = 0; s < nsizes; s++) {
            char tm[24], cell[48];
            fmt_time(tm, sizeof tm, t[s][o]);
            if (o == 0)
                snprintf(cell, sizeof cell, "%s", tm);
            else
                snprintf(cell, sizeof cell, "%s (%.3gx)", tm, t[s][o] / t[s][0]);
            printf(" %21s", cell);
        }
        printf("\n");
    }
    printf("%-30s", "proof hashes (incl / cons)");
    for (int s = 0; s < nsizes; s++) {
        char cell[32];
        snprintf(cell, sizeof cell, "%zu / %zu", proof_len[s][0], proof_len[s][1]);
        printf(" %21s", cell);
    }
    printf("\n");
    return 0;
}
