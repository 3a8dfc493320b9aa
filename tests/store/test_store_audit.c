/* The audit log as the store writes it: one entry per state change, in the same transaction,
 * gapless, canonical, with the RFC 6962 leaf hash of the entry; nothing for a duplicate or a
 * failed batch; the text of a post never in an entry; updates and deletes refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>

#include "store_fixture.h"

/* Checks one row: seq n, the entry's own "seq" equals its row, leaf = SHA-256(0 || e). */
static void check_row(long long seq, long long n, const unsigned char *e, size_t len,
                      const unsigned char *leaf, size_t leaf_len)
{
    assert_int_equal(seq, n);
    char want[48];
    snprintf(want, sizeof want, "{\"seq\":%lld,", n);
    assert_true(len > strlen(want) && !memcmp(e, want, strlen(want)));
    unsigned char hash[32];
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const unsigned char *)"\0", 1);
    crypto_hash_sha256_update(&h, e, len);
    crypto_hash_sha256_final(&h, hash);
    assert_int_equal(leaf_len, 32);
    assert_memory_equal(leaf, hash, 32);
}

/* Checks every row (check_row); the number of rows. */
static long long check_rows(const fixture *f)
{
    const char *sql = "SELECT seq, entry, leaf FROM audit_log ORDER BY seq";
    long long n = 0;
    if (fixture_pg_url()) {
        PGresult *r = fixture_pg_exec(sql);
        assert_non_null(r);
        for (; n < PQntuples(r); n++) {
            size_t len, leaf_len;
            unsigned char *e = PQunescapeBytea((unsigned char *)PQgetvalue(r, (int)n, 1), &len);
            unsigned char *leaf =
                PQunescapeBytea((unsigned char *)PQgetvalue(r, (int)n, 2), &leaf_len);
            check_row(atoll(PQgetvalue(r, (int)n, 0)), n, e, len, leaf, leaf_len);
            PQfreemem(e);
            PQfreemem(leaf);
        }
        PQclear(r);
        return n;
    }
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        check_row(sqlite3_column_int64(st, 0), n, sqlite3_column_blob(st, 1),
                  (size_t)sqlite3_column_bytes(st, 1), sqlite3_column_blob(st, 2),
                  (size_t)sqlite3_column_bytes(st, 2));
        n++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void test_each_change_appends_one_entry(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    sl_error err = {0};
    char secret[SL_TOKEN_SECRET_SIZE];
    sl_token_info tok;
    assert_int_equal(
        sl_store_token_create(s, "Trần Thị Bình", SL_ROLE_REVIEWER, "default", secret, &tok, &err),
        SL_OK);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log"), 1);
    sl_store_item items[3] = {make_item("fb", "1", SL_STORE_ALLOW, 0.1),
                              make_item("fb", "2", SL_STORE_HIDE, 0.9),
                              make_item("fb", "3", SL_STORE_REVIEW, 0.5)};
    sl_ingest_result res[3];
    assert_int_equal(sl_store_ingest(s, "default", tok.id, items, 3, res, &err), SL_OK);
    /* three items, and the notice of the automated hide of item 2 */
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log"), 5);
    /* a duplicate changes nothing, so it logs nothing */
    assert_int_equal(sl_store_ingest(s, "default", tok.id, items, 3, res, &err), SL_OK);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log"), 5);
    /* a batch that fails logs nothing either (one transaction) */
    sl_store_item bad[2] = {make_item("fb", "4", SL_STORE_ALLOW, 0.1),
                            make_item("fb", "", SL_STORE_ALLOW, 0.1)};
    assert_int_not_equal(sl_store_ingest(s, "default", tok.id, bad, 2, res, &err), SL_OK);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log"), 5);

    sl_queue_entry got[2];
    size_t n = 0;
    assert_int_equal(sl_store_queue_claim(s, "default", "pending", tok.id, 2, 60, got, &n, &err),
                     SL_OK);
    assert_int_equal(n, 2);
    assert_int_equal(sl_store_token_revoke(s, tok.id, &err), SL_OK);
    assert_int_equal(sl_store_token_revoke(s, tok.id, &err), SL_OK); /* no second entry */
    assert_int_equal(check_rows(f), 8);

    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log WHERE org = 'default'"), 8);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log WHERE "
                                "json_extract(entry, '$.action') = 'item.ingest'"),
                     3);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log WHERE "
                                "json_extract(entry, '$.action') = 'case.claim' AND "
                                "json_extract(entry, '$.actor.name') = 'Trần Thị Bình'"),
                     2);
    assert_int_equal(sql_int(f, "SELECT json_extract(entry, '$.after') = 'hidden' FROM audit_log "
                                "WHERE json_extract(entry, '$.data.id') = '2'"),
                     1);
    /* the entry cites the text by its hash; the text itself is not in the log */
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log WHERE instr(entry, 'cảm ơn')"), 0);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log a JOIN items i ON "
                                "json_extract(a.entry, '$.target') = 'item:' || i.id WHERE "
                                "length(json_extract(a.entry, '$.data.text_sha256')) = 64"),
                     3);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log WHERE "
                                "json_extract(entry, '$.action') = 'token.revoke'"),
                     1);
    sl_store_close(s);
}

static void test_log_refuses_update_and_delete(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    sl_error err = {0};
    sl_store_item it = make_item("fb", "1", SL_STORE_HIDE, 0.9);
    sl_ingest_result r;
    assert_int_equal(sl_store_ingest(s, "default", 0, &it, 1, &r, &err), SL_OK);
    sl_store_close(s);
    assert_int_not_equal(sql_try(f, "UPDATE audit_log SET at = 0"), 0);
    assert_int_not_equal(sql_try(f, "DELETE FROM audit_log"), 0);
    assert_int_equal(check_rows(f), 2); /* the item and the notice of its automated hide */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_each_change_appends_one_entry, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_log_refuses_update_and_delete, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
