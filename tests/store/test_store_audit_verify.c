/* The audit log's store API and sl_store_audit_verify: entries and leaves read back as written
 * (over several pages), appends from outside the store, checkpoints kept and listed, and verify
 * on an untouched log (ok, the root of sangloc/audit.h over the stored leaves) and on logs
 * changed behind the store's back (each report names the entry or checkpoint). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>

#include "sangloc/audit.h"
#include "store_fixture.h"

#define NITEMS 2300 /* > 2 pages of SL_STORE_AUDIT_PAGE entries */

/* Ingests n items with ids "i0", "i1"... in batches of 1000. */
static void ingest(sl_store *s, size_t n)
{
    static sl_store_item items[1000];
    static sl_ingest_result res[1000];
    static char ids[1000][16];
    sl_error err = {0};
    for (size_t done = 0; done < n;) {
        size_t k = n - done < 1000 ? n - done : 1000;
        for (size_t i = 0; i < k; i++) {
            snprintf(ids[i], sizeof ids[i], "i%zu", done + i);
            items[i] = make_item("web", ids[i], SL_STORE_ALLOW, 0.1);
        }
        if (sl_store_ingest(s, "default", 0, items, k, res, &err))
            fail_msg("ingest: %s", err.message);
        done += k;
    }
}

static void sign(sl_store *s, const sl_note_signer *signer, int64_t size, bool forge)
{
    sl_merkle_hash *leaves = NULL;
    sl_error err = {0};
    assert_int_equal(sl_store_audit_leaves(s, 0, size, &leaves, &err), SL_OK);
    sl_checkpoint c = {.origin = "sangloc/test", .origin_len = 12, .size = (uint64_t)size};
    if (forge) leaves[size - 1][0] ^= 1; /* the same key signs another tree */
    sl_merkle_root((const sl_merkle_hash *)leaves, c.size, c.root);
    free(leaves);
    char note[SL_CHECKPOINT_NOTE_SIZE], key[SL_VERIFIER_KEY_SIZE];
    size_t len;
    assert_int_equal(sl_checkpoint_sign(signer, &c, note, &len, &err), SL_OK);
    sl_note_verifier_format(&signer->verifier, key);
    assert_int_equal(sl_store_audit_checkpoint_add(s, size, c.root, note, len, key, &err), SL_OK);
}

static void test_api_and_verify(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    sl_error err = {0};
    ingest(s, NITEMS);
    sl_audit_record rec = {.org = "default",
                           .action = "policy.reload",
                           .target = "policy",
                           .before = "v1",
                           .after = "v2",
                           .data = "{\"reloaded\":true}"};
    assert_int_equal(sl_store_audit_append(s, &rec, &err), SL_OK);
    int64_t n = 0;
    assert_int_equal(sl_store_audit_size(s, &n, &err), SL_OK);
    assert_int_equal(n, NITEMS + 1);

    /* entries read back in order, each leaf the hash of its bytes; the last is the append */
    for (int64_t from = 0; from < n; from += SL_STORE_AUDIT_PAGE) {
        sl_audit_entry *e = NULL;
        size_t k = 0;
        assert_int_equal(sl_store_audit_entries(s, from, from + SL_STORE_AUDIT_PAGE, &e, &k, &err),
                         SL_OK);
        for (size_t i = 0; i < k; i++) {
            sl_merkle_hash leaf;
            sl_merkle_leaf_hash(e[i].entry, e[i].entry_len, leaf);
            assert_int_equal(e[i].seq, from + (int64_t)i);
            assert_memory_equal(leaf, e[i].leaf, 32);
            assert_string_equal(e[i].org, "default");
        }
        if (from + SL_STORE_AUDIT_PAGE >= n) {
            assert_int_equal(k, (size_t)(n - from));
            assert_non_null(strstr(e[k - 1].entry,
                                   "\"action\":\"policy.reload\",\"target\":"
                                   "\"policy\",\"before\":\"v1\",\"after\":\"v2\""));
        }
        sl_store_audit_entries_free(e, k);
    }
    sl_audit_entry *e = NULL;
    size_t k = 0;
    assert_int_equal(sl_store_audit_entries(s, 0, SL_STORE_AUDIT_PAGE + 1, &e, &k, &err),
                     SL_ERR_ARG);
    assert_int_equal(sl_store_audit_entries(s, 5, 4, &e, &k, &err), SL_ERR_ARG);
    sl_merkle_hash *leaves = NULL;
    assert_int_equal(sl_store_audit_leaves(s, 0, n + 1, &leaves, &err), SL_ERR_STORE);
    assert_null(leaves);
    sl_audit_record bad = {.action = "x"};
    assert_int_equal(sl_store_audit_append(s, &bad, &err), SL_ERR_ARG);

    /* checkpoints: none yet; a size past the log refused; kept in order */
    sl_audit_checkpoint *cp = NULL;
    assert_int_equal(sl_store_audit_checkpoint_latest(s, &cp, &err), SL_ERR_NOT_FOUND);
    uint8_t pk[32], sk[64];
    crypto_sign_ed25519_keypair(pk, sk);
    sl_note_signer signer;
    assert_int_equal(sl_note_signer_init(&signer, "sangloc/test", 12, sk, &err), SL_OK);
    sl_merkle_hash zero = {0};
    assert_int_equal(sl_store_audit_checkpoint_add(s, n + 1, zero, "x", 1, "k", &err), SL_ERR_ARG);
    sign(s, &signer, 1000, false);
    sign(s, &signer, n, false);
    size_t ncp = 0;
    assert_int_equal(sl_store_audit_checkpoints(s, 0, 10, &cp, &ncp, &err), SL_OK);
    assert_int_equal(ncp, 2);
    assert_int_equal(cp[0].size, 1000);
    assert_int_equal(cp[1].size, n);
    assert_true(cp[0].id < cp[1].id);
    sl_store_audit_checkpoints_free(cp, ncp);
    assert_int_equal(sl_store_audit_checkpoint_latest(s, &cp, &err), SL_OK);
    assert_int_equal(cp->size, n);
    char keep[SL_CHECKPOINT_NOTE_SIZE];
    memcpy(keep, cp->note, cp->note_len + 1);
    sl_store_audit_checkpoints_free(cp, 1);

    /* an untouched log verifies, with the key and the kept checkpoint */
    sl_audit_verify_options o = {
        .key = &signer.verifier, .checkpoint = keep, .checkpoint_len = strlen(keep)};
    sl_audit_report r;
    assert_int_equal(sl_store_audit_verify(s, &o, &r, &err), SL_OK);
    if (!r.ok) fail_msg("%s", r.problem);
    assert_int_equal(r.entries, n);
    assert_int_equal(r.checkpoints, 2);
    assert_int_equal(r.bad_seq, -1);
    assert_int_equal(sl_store_audit_leaves(s, 0, n, &leaves, &err), SL_OK);
    sl_merkle_hash root;
    sl_merkle_root((const sl_merkle_hash *)leaves, (uint64_t)n, root);
    free(leaves);
    assert_memory_equal(r.root, root, 32);

    /* a forged checkpoint (same key, another tree of the same size) is named */
    sign(s, &signer, n, true);
    assert_int_equal(sl_store_audit_verify(s, &o, &r, &err), SL_OK);
    assert_false(r.ok);
    assert_int_equal(r.bad_checkpoint, 3);
    assert_non_null(strstr(r.problem, "a fork"));
    sl_note_signer_wipe(&signer);
    sl_store_close(s);
}

static void test_tampered_rows_named(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    ingest(s, 1500);
    sl_store_close(s);
    sl_error err = {0};
    sl_audit_report r;
    /* the text of the item of entry 1200 */
    sql_exec(f, "UPDATE items SET text = 'sửa' WHERE ext_id = 'i1200'");
    s = fixture_open(f);
    assert_int_equal(sl_store_audit_verify(s, NULL, &r, &err), SL_OK);
    assert_false(r.ok);
    assert_int_equal(r.bad_seq, 1200);
    sl_store_close(s);
    /* then entry 1100 rewritten: it comes first */
    sql_exec(f, fixture_sql("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET entry = "
                            "replace(entry, '\"i1100\"', '\"x1100\"') WHERE seq = 1100",
                            "DROP TRIGGER audit_log_no_update ON audit_log; UPDATE audit_log "
                            "SET entry = convert_to(replace(convert_from(entry, 'UTF8'), "
                            "'\"i1100\"', '\"x1100\"'), 'UTF8') WHERE seq = 1100"));
    s = fixture_open(f);
    assert_int_equal(sl_store_audit_verify(s, NULL, &r, &err), SL_OK);
    assert_int_equal(r.bad_seq, 1100);
    assert_non_null(strstr(r.problem, "entry 1100: the stored leaf"));
    sl_store_close(s);
    /* entry 999 gone: the gap at a page boundary */
    sql_exec(f,
             fixture_sql("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 999",
                         "DROP TRIGGER audit_log_no_delete ON audit_log; "
                         "DELETE FROM audit_log WHERE seq = 999"));
    s = fixture_open(f);
    assert_int_equal(sl_store_audit_verify(s, NULL, &r, &err), SL_OK);
    assert_int_equal(r.bad_seq, 999);
    assert_non_null(strstr(r.problem, "entry 999 is missing"));
    assert_int_equal(r.entries, 999);
    sl_store_close(s);
}

/* A log with rescreens and purges verifies; a purged item whose text comes back does not. */
static void test_rescreen_and_purge(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    sl_error err = {0};
    sl_store_item items[2] = {make_item("web", "a", SL_STORE_ALLOW, 0.1),
                              make_item("web", "b", SL_STORE_ALLOW, 0.2)};
    sl_ingest_result res[2];
    assert_int_equal(sl_store_ingest(s, "default", 0, items, 2, res, &err), SL_OK);
    static const char nv[] = "{\"action\":\"warn\",\"hits\":[{\"rule\":\"x\",\"text\":\"q\"}]}";
    sl_rescreen_update u = {res[1].item, SL_STORE_ALLOW, "default@2026.11-2",
                            nv,          sizeof nv - 1,  SL_STORE_WARN,
                            0.4,         "B#2",          3};
    sl_rescreen_result rr;
    assert_int_equal(sl_store_rescreen_apply(s, "default", 0, &u, 1, &rr, &err), SL_OK);
    assert_true(rr.applied);
    f->clock += 200LL * 86400 * 1000;
    sl_purge_stats ps;
    assert_int_equal(sl_store_purge(s, 180, false, &ps, &err), SL_OK);
    assert_int_equal(ps.purged, 2);
    sl_audit_report r;
    assert_int_equal(sl_store_audit_verify(s, NULL, &r, &err), SL_OK);
    if (!r.ok) fail_msg("%s", r.problem);
    sl_store_close(s);
    sql_exec(f, "UPDATE items SET text = 'trả lại' WHERE ext_id = 'a'");
    s = fixture_open(f);
    assert_int_equal(sl_store_audit_verify(s, NULL, &r, &err), SL_OK);
    assert_false(r.ok);
    assert_non_null(strstr(r.problem, "was purged but holds a text"));
    assert_int_equal(r.bad_seq, sql_int(f, "SELECT min(seq) FROM audit_log WHERE "
                                           "json_extract(entry, '$.action') = 'item.purge'"));
    sl_store_close(s);
}

int main(void)
{
    if (sl_audit_init()) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_api_and_verify, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_tampered_rows_named, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_rescreen_and_purge, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
