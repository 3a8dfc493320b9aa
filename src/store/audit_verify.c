/* `sangloc audit verify`: the whole audit log checked against itself, its signed checkpoints,
 * an auditor's saved checkpoint and the tables derived from it (sangloc/store.h,
 * sl_store_audit_verify).
 *
 * The passes, each stopping at the first problem, which names an entry or a checkpoint:
 *  1. entries: seq runs 0..n-1 without a gap, each entry's own "seq" is its row (an entry moved
 *     to another row says so), each stored leaf is SHA-256(0x00 || entry); the recomputed leaves
 *     are kept (32 bytes per entry) for the next passes;
 *  2. the checkpoints stored before pass 1 began (a live service may sign more meanwhile), in
 *     the order they were signed: the signature verifies, the note matches its row, the log
 *     holds at least its size, the root of the log's first size entries is the signed root,
 *     and each is consistent with the one before;
 *  3. the auditor's checkpoint (options->checkpoint): signed, and the log extends its tree;
 *  4. the derived tables agree with the entries (the backend's table of checks).
 * The store reads through its public calls, so any backend is checked the same way. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sangloc/audit.h"
#include "sangloc/store.h"
#include "store/audit.h"

#define MAX_KEYS 16 /* distinct signing keys remembered from stored checkpoints */

typedef struct verify {
    sl_store *store;
    const sl_audit_verify_options *o;
    sl_audit_report *r;
    sl_merkle_hash *leaves; /* recomputed from the entries */
    size_t n, cap;
    sl_note_verifier keys[MAX_KEYS]; /* the keys stored checkpoints were signed by */
    size_t nkeys;
    int64_t last_checkpoint; /* the last one stored before the entries were read */
} verify;

void sl__audit_problem(sl_audit_report *r, int64_t seq, int64_t checkpoint, const char *fmt, ...)
{
    if (!r->ok) return;
    r->ok = false;
    r->bad_seq = seq;
    r->bad_checkpoint = checkpoint;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->problem, sizeof r->problem, fmt, ap);
    va_end(ap);
}

static sl_status push_leaf(verify *v, const sl_merkle_hash leaf, sl_error *err)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 4096;
        sl_merkle_hash *p = cap < SIZE_MAX / sizeof *p ? realloc(v->leaves, cap * sizeof *p) : NULL;
        if (!p) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        v->leaves = p;
        v->cap = cap;
    }
    memcpy(v->leaves[v->n++], leaf, SL_MERKLE_HASH_LEN);
    return SL_OK;
}

static void check_entry(verify *v, const sl_audit_entry *e)
{
    int64_t seq = (int64_t)v->n;
    char head[48];
    int hl = snprintf(head, sizeof head, "{\"seq\":%" PRId64 ",", seq);
    sl_merkle_hash leaf;
    sl_merkle_leaf_hash(e->entry, e->entry_len, leaf);
    if (e->entry_len < (size_t)hl || memcmp(e->entry, head, (size_t)hl))
        sl__audit_problem(v->r, seq, -1,
                          "entry %" PRId64 ": its \"seq\" field is not %" PRId64
                          " (moved or rewritten)",
                          seq, seq);
    else if (memcmp(leaf, e->leaf, SL_MERKLE_HASH_LEN))
        sl__audit_problem(v->r, seq, -1,
                          "entry %" PRId64 ": the stored leaf is not the hash of the entry", seq);
}

/* Pass 1. */
static sl_status read_entries(verify *v, sl_error *err)
{
    int64_t size = 0;
    sl_status st = sl_store_audit_size(v->store, &size, err);
    while (!st && v->r->ok) {
        int64_t from = (int64_t)v->n;
        sl_audit_entry *e = NULL;
        size_t n = 0;
        if ((st = sl_store_audit_entries(v->store, from, from + SL_STORE_AUDIT_PAGE, &e, &n, err)))
            break;
        for (size_t i = 0; i < n && !st && v->r->ok; i++) {
            if (e[i].seq != (int64_t)v->n) {
                sl__audit_problem(v->r, (int64_t)v->n, -1,
                                  "entry %zu is missing (the next stored entry is %" PRId64 ")",
                                  v->n, e[i].seq);
                break;
            }
            check_entry(v, &e[i]);
            if (v->r->ok) st = push_leaf(v, e[i].leaf, err);
        }
        sl_store_audit_entries_free(e, n);
        if (n == 0) {
            if ((int64_t)v->n < size)
                sl__audit_problem(v->r, (int64_t)v->n, -1,
                                  "entry %zu is missing (the log goes on to entry %" PRId64 ")",
                                  v->n, size - 1);
            break;
        }
    }
    v->r->entries = (int64_t)v->n;
    return st;
}

static void remember_key(verify *v, const sl_note_verifier *k)
{
    for (size_t i = 0; i < v->nkeys; i++)
        if (!memcmp(&v->keys[i], k, sizeof *k)) return;
    if (v->nkeys < MAX_KEYS) v->keys[v->nkeys++] = *k;
}

/* The root of the first size leaves: `at` moves forward over the leaves (checkpoints come in
 * growing sizes), or the root is computed afresh for a size behind it. */
static void root_at(verify *v, sl_merkle_range *at, uint64_t size, sl_merkle_hash out)
{
    if (size < at->size) {
        sl_merkle_root((const sl_merkle_hash *)v->leaves, size, out);
        return;
    }
    while (at->size < size) sl_merkle_range_append(at, v->leaves[at->size]);
    sl_merkle_range_root(at, out);
}

typedef struct signed_tree {
    int64_t id;
    sl_checkpoint cp;
} signed_tree;

/* Checks one stored checkpoint against the log and the one before it (prev, NULL for none). */
static void check_checkpoint(verify *v, const sl_audit_checkpoint *c, sl_merkle_range *at,
                             const signed_tree *prev, signed_tree *out)
{
    sl_note_verifier key;
    sl_error e = {0};
    if (v->o && v->o->key) {
        key = *v->o->key;
    } else if (sl_note_verifier_parse(c->key, strlen(c->key), &key, &e)) {
        sl__audit_problem(v->r, -1, c->id, "checkpoint %" PRId64 ": its recorded key: %s", c->id,
                          e.message);
        return;
    }
    remember_key(v, &key);
    sl_checkpoint *cp = &out->cp;
    out->id = c->id;
    if (sl_checkpoint_open(c->note, c->note_len, &key, cp, &e)) {
        sl__audit_problem(v->r, -1, c->id, "checkpoint %" PRId64 ": %s (byte %zu)", c->id,
                          e.message, e.byte);
        return;
    }
    if ((int64_t)cp->size != c->size || memcmp(cp->root, c->root, SL_MERKLE_HASH_LEN)) {
        sl__audit_problem(v->r, -1, c->id,
                          "checkpoint %" PRId64 ": its row's size or root differ from its note",
                          c->id);
        return;
    }
    if (cp->size > v->n) {
        sl__audit_problem(v->r, (int64_t)v->n, c->id,
                          "checkpoint %" PRId64 " signs %" PRIu64 " entries, the log has %zu "
                          "(truncated)",
                          c->id, cp->size, v->n);
        return;
    }
    sl_merkle_hash root;
    root_at(v, at, cp->size, root);
    uint64_t from = prev && prev->cp.size <= cp->size ? prev->cp.size : 0;
    if (memcmp(root, cp->root, SL_MERKLE_HASH_LEN)) {
        if (from < cp->size)
            sl__audit_problem(v->r, (int64_t)from, c->id,
                              "checkpoint %" PRId64 " (size %" PRIu64 "): the log's root differs "
                              "from the signed one: an entry in [%" PRIu64 ", %" PRIu64
                              ") was rewritten",
                              c->id, cp->size, from, cp->size);
        else
            sl__audit_problem(v->r, -1, c->id,
                              "checkpoint %" PRId64 " (size %" PRIu64 "): the log's root differs "
                              "from the signed one: it signs another tree of that size (a fork)",
                              c->id, cp->size);
        return;
    }
    if (!prev) return;
    sl_merkle_hash proof[SL_MERKLE_MAX_PROOF];
    size_t len = 0;
    if (prev->cp.size > cp->size ||
        sl_merkle_consistency_proof((const sl_merkle_hash *)v->leaves, prev->cp.size, cp->size,
                                    proof, &len) ||
        !sl_merkle_verify_consistency(prev->cp.size, cp->size, prev->cp.root, cp->root,
                                      (const sl_merkle_hash *)proof, len))
        sl__audit_problem(v->r, -1, c->id,
                          "checkpoint %" PRId64 " (size %" PRIu64 ") is not consistent with "
                          "checkpoint %" PRId64 " (size %" PRIu64 ") before it",
                          c->id, cp->size, prev->id, prev->cp.size);
}

/* Pass 2: the checkpoints stored before the entries were read (a live service may sign a
 * larger log meanwhile: that one is not "truncated", only newer than what was read). */
static sl_status check_checkpoints(verify *v, sl_error *err)
{
    sl_merkle_range at;
    sl_merkle_range_init(&at);
    signed_tree trees[2];
    int cur = 0;
    bool have_prev = false;
    int64_t after = 0;
    while (v->r->ok) {
        sl_audit_checkpoint *c = NULL;
        size_t n = 0;
        sl_status st =
            sl_store_audit_checkpoints(v->store, after, SL_STORE_AUDIT_PAGE, &c, &n, err);
        if (st) return st;
        for (size_t i = 0; i < n && v->r->ok && c[i].id <= v->last_checkpoint; i++) {
            check_checkpoint(v, &c[i], &at, have_prev ? &trees[1 - cur] : NULL, &trees[cur]);
            v->r->checkpoints++;
            have_prev = true;
            cur = 1 - cur;
            after = c[i].id;
        }
        sl_store_audit_checkpoints_free(c, n);
        if (n < SL_STORE_AUDIT_PAGE || after >= v->last_checkpoint) break;
    }
    return SL_OK;
}

/* Pass 3: the log must extend the tree of the auditor's checkpoint. */
static void check_outside(verify *v)
{
    const char *s = v->o->checkpoint;
    size_t len = v->o->checkpoint_len;
    sl_note note;
    sl_checkpoint cp;
    sl_error e = {0};
    if (sl_note_parse(s, len, &note, &e)) {
        sl__audit_problem(v->r, -1, 0, "checkpoint file: %s (byte %zu)", e.message, e.byte);
        return;
    }
    const sl_note_verifier *key = v->o->key;
    for (size_t i = 0; !key && i < v->nkeys; i++)
        for (size_t k = 0; k < note.nsigs; k++)
            if (!memcmp(note.sigs[k].key_hash, v->keys[i].key_hash, SL_NOTE_KEYHASH_LEN))
                key = &v->keys[i];
    if (!key) {
        sl__audit_problem(
            v->r, -1, 0, "checkpoint file: signed by no key of the log's checkpoints (give --key)");
        return;
    }
    if (sl_checkpoint_open(s, len, key, &cp, &e)) {
        sl__audit_problem(v->r, -1, 0, "checkpoint file: %s (byte %zu)", e.message, e.byte);
        return;
    }
    if (cp.size > v->n) {
        sl__audit_problem(v->r, (int64_t)v->n, 0,
                          "checkpoint file signs %" PRIu64 " entries, the log has %zu (truncated)",
                          cp.size, v->n);
        return;
    }
    sl_merkle_hash proof[SL_MERKLE_MAX_PROOF];
    size_t plen = 0;
    sl_merkle_consistency_proof((const sl_merkle_hash *)v->leaves, cp.size, v->n, proof, &plen);
    if (!sl_merkle_verify_consistency(cp.size, v->n, cp.root, v->r->root,
                                      (const sl_merkle_hash *)proof, plen))
        sl__audit_problem(v->r, -1, 0,
                          "checkpoint file (size %" PRIu64
                          "): the log does not extend its tree: an "
                          "entry below %" PRIu64 " was rewritten, or the log forked",
                          cp.size, cp.size);
}

sl_status sl_store_audit_verify(sl_store *store, const sl_audit_verify_options *options,
                                sl_audit_report *report, sl_error *err)
{
    if (!store || !report) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "NULL argument");
    *report = (sl_audit_report){.ok = true, .bad_seq = -1, .bad_checkpoint = -1};
    verify v = {.store = store, .o = options, .r = report};
    sl_audit_checkpoint *last = NULL;
    sl_status st = sl_store_audit_checkpoint_latest(store, &last, err);
    if (st == SL_ERR_NOT_FOUND) st = SL_OK;
    v.last_checkpoint = last ? last->id : 0;
    sl_store_audit_checkpoints_free(last, last ? 1 : 0);
    if (!st) st = read_entries(&v, err);
    sl_merkle_root((const sl_merkle_hash *)v.leaves, v.n, report->root);
    if (!st && report->ok) st = check_checkpoints(&v, err);
    if (!st && report->ok && options && options->checkpoint) check_outside(&v);
    if (!st && report->ok) st = sl__store_audit_check_tables(store, report, err);
    free(v.leaves);
    return st;
}
