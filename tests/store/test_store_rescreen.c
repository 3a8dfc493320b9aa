/* Rescreen (sl_store_rescreen_list / _apply): the list holds the org's open-case items and its
 * recent items, keyset-paged, with the stored verdict's rules; applying stores new verdicts
 * with an "item.rescreen" entry each, opens a pending case for an item newly at review or hide
 * (never changing its state), and skips an item changed since it was listed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_fixture.h"

#define DAY 86400000LL

static int64_t put(sl_store *s, const char *org, const char *id, sl_store_action action,
                   const char *verdict)
{
    sl_store_item it = make_item("web", id, action, action >= SL_STORE_REVIEW ? 0.8 : 0.1);
    if (verdict) {
        it.verdict_json = verdict;
        it.verdict_len = strlen(verdict);
    }
    sl_ingest_result r;
    sl_error err = {0};
    assert_int_equal(sl_store_ingest(s, org, 0, &it, 1, &r, &err), SL_OK);
    return r.item;
}

static void test_list_and_apply(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    sl_error err = {0};
    assert_int_equal(sl_store_org_put(s, "other", "Other", &err), SL_OK);
    int64_t t0 = f->clock;
    int64_t old_open = put(s, "default", "old-open", SL_STORE_REVIEW, NULL);
    put(s, "default", "old-allowed", SL_STORE_ALLOW, NULL); /* before since, no case: not listed */
    f->clock = t0 + 10 * DAY;
    int64_t a = put(s, "default", "a", SL_STORE_ALLOW,
                    "{\"action\":\"allow\",\"hits\":[{\"rule\":\"z.last\"},{\"rule\":\"a.first\"},"
                    "{\"rule\":\"z.last\"}]}");
    int64_t b = put(s, "default", "b", SL_STORE_REVIEW, NULL);
    int64_t c = put(s, "default", "c", SL_STORE_ALLOW, NULL);
    put(s, "other", "a", SL_STORE_ALLOW, NULL); /* another org's: never listed */

    sl_rescreen_page p;
    assert_int_equal(sl_store_rescreen_list(s, "default", t0 + 5 * DAY, 0, 2, &p, &err), SL_OK);
    assert_int_equal(p.n, 2);
    assert_true(p.more);
    assert_int_equal(p.rows[0].item, old_open);
    assert_true(p.rows[0].has_open_case);
    assert_int_equal(p.rows[1].item, a);
    assert_string_equal(p.rows[1].rules, "a.first z.last");
    assert_string_equal(p.rows[1].id, "a");
    assert_string_equal(p.rows[1].channel, "web");
    assert_int_equal(p.rows[1].text_len, strlen(p.rows[1].text));
    assert_false(p.rows[1].has_open_case);
    int64_t last = p.last;
    sl_rescreen_page_free(&p);
    assert_int_equal(sl_store_rescreen_list(s, "default", t0 + 5 * DAY, last, 10, &p, &err), SL_OK);
    assert_int_equal(p.n, 2);
    assert_false(p.more);
    assert_int_equal(p.rows[0].item, b);
    assert_int_equal(p.rows[1].item, c);
    assert_string_equal(p.rows[1].rules, "");
    assert_string_equal(p.rows[1].policy_version, "default@2026.11-2");
    sl_rescreen_page_free(&p);

    long long entries = sql_int(f, "SELECT count(*) FROM audit_log");
    static const char nv[] = "{\"action\":\"hide\",\"hits\":[{\"rule\":\"threat.new\"}]}";
    sl_rescreen_update u[3] = {
        {a, SL_STORE_ALLOW, "default@2026.11-2", nv, sizeof nv - 1, SL_STORE_HIDE, 0.9, "B#2", 3},
        {b, SL_STORE_REVIEW, "default@2026.11-2", nv, sizeof nv - 1, SL_STORE_HIDE, 0.9, "B#2", 3},
        /* stale: c is allow, not warn, so it changed since it was "listed" */
        {c, SL_STORE_WARN, "default@2026.11-2", nv, sizeof nv - 1, SL_STORE_HIDE, 0.9, "B#2", 3},
    };
    sl_rescreen_result r[3];
    assert_int_equal(sl_store_rescreen_apply(s, "default", 0, u, 3, r, &err), SL_OK);
    assert_true(r[0].applied);
    assert_true(r[0].case_id > 0); /* a: allow -> hide, newly before a person */
    assert_true(r[1].applied);
    assert_int_equal(r[1].case_id, 0); /* b: already in the queue */
    assert_false(r[2].applied);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM items WHERE id = %lld AND action = 3 AND state = 0 AND "
             "policy_version = 'B#2' AND verdict LIKE '%%threat.new%%'",
             (long long)a);
    assert_int_equal(sql_int(f, sql), 1); /* hide, but still published: a person decides */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM items WHERE id = %lld AND action = 0",
             (long long)c);
    assert_int_equal(sql_int(f, sql), 1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM cases WHERE item = %lld AND queue = 'pending' AND "
             "closed_at IS NULL",
             (long long)a);
    assert_int_equal(sql_int(f, sql), 1);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log"), entries + 2);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit_log WHERE json_extract(entry, '$.action') = "
             "'item.rescreen' AND json_extract(entry, '$.target') = 'item:%lld' AND "
             "json_extract(entry, '$.data.old_action') = 'allow' AND "
             "json_extract(entry, '$.data.new_action') = 'hide' AND "
             "json_extract(entry, '$.data.new_policy_version') = 'B#2' AND "
             "json_extract(entry, '$.data.queue') = 'pending' AND "
             "length(json_extract(entry, '$.data.verdict_sha256')) = 64 AND "
             "json_extract(entry, '$.before') = 'published'",
             (long long)a);
    assert_int_equal(sql_int(f, sql), 1);
    /* applying the same again: the items no longer have the listed version, nothing changes */
    assert_int_equal(sl_store_rescreen_apply(s, "default", 0, u, 2, r, &err), SL_OK);
    assert_false(r[0].applied);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log"), entries + 2);
    sl_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_list_and_apply, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
