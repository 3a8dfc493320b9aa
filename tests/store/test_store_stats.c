/* Dashboard statistics (sl_store_stats): items counted in their bucket by action and by the
 * categories of their verdict's hits (an item once per category and per rule), the top rules
 * ordered by items then id, the window's edges, a rescreen's new verdict counted instead of the
 * old one (item_rules follows the verdict), another org's items never counted, and bad windows
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_fixture.h"

#define HOUR 3600000LL

static int64_t put(sl_store *s, const char *org, const char *id, sl_store_action action,
                   const char *verdict)
{
    sl_store_item it = make_item("web", id, action, action >= SL_STORE_REVIEW ? 0.8 : 0.1);
    it.verdict_json = verdict;
    it.verdict_len = strlen(verdict);
    sl_ingest_result r;
    sl_error err = {0};
    assert_int_equal(sl_store_ingest(s, org, 0, &it, 1, &r, &err), SL_OK);
    return r.item;
}

static const sl_stats_series *series(const sl_stats *st, const char *name)
{
    for (size_t k = 0; k < st->ncategories; k++)
        if (!strcmp(st->categories[k].name, name)) return &st->categories[k];
    return NULL;
}

static void test_counts(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    sl_error err = {0};
    assert_int_equal(sl_store_org_put(s, "other", "Other", &err), SL_OK);
    int64_t t0 = f->clock - f->clock % HOUR;
    static const char insult2[] =
        "{\"hits\":[{\"rule\":\"insult.a\",\"category\":\"insult\"},"
        "{\"rule\":\"insult.b\",\"category\":\"insult\"},{\"rule\":\"insult.a\",\"category\":"
        "\"insult\"}]}";
    static const char threat[] =
        "{\"hits\":[{\"rule\":\"threat.x\",\"category\":\"threat\"},{\"rule\":\"insult.a\","
        "\"category\":\"insult\"}]}";
    static const char none[] = "{\"hits\":[]}";
    f->clock = t0 + 10; /* bucket 0 */
    put(s, "default", "a", SL_STORE_REVIEW, insult2);
    put(s, "default", "b", SL_STORE_ALLOW, none);
    f->clock = t0 + 2 * HOUR + 5; /* bucket 2 */
    int64_t c = put(s, "default", "c", SL_STORE_HIDE, threat);
    put(s, "default", "d", SL_STORE_HIDE, "not json");
    put(s, "other", "a", SL_STORE_HIDE, threat); /* another org's */
    f->clock = t0 + 3 * HOUR;                    /* the window's end: excluded */
    put(s, "default", "e", SL_STORE_HIDE, threat);

    sl_stats st;
    assert_int_equal(sl_store_stats(s, "default", t0, t0 + 3 * HOUR, HOUR, &st, &err), SL_OK);
    assert_int_equal(st.nbuckets, 3);
    int64_t want_review[3] = {1, 0, 0}, want_allow[3] = {1, 0, 0}, want_hide[3] = {0, 0, 2};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(st.by_action[SL_STORE_REVIEW][k], want_review[k]);
        assert_int_equal(st.by_action[SL_STORE_ALLOW][k], want_allow[k]);
        assert_int_equal(st.by_action[SL_STORE_HIDE][k], want_hide[k]);
        assert_int_equal(st.by_action[SL_STORE_WARN][k], 0);
    }
    assert_int_equal(st.ncategories, 2);
    const sl_stats_series *ins = series(&st, "insult"), *thr = series(&st, "threat");
    assert_non_null(ins);
    assert_non_null(thr);
    /* a has three insult hits and two insult rules: counted once */
    assert_int_equal(ins->counts[0], 1);
    assert_int_equal(ins->counts[1], 0);
    assert_int_equal(ins->counts[2], 1);
    assert_int_equal(thr->counts[0], 0);
    assert_int_equal(thr->counts[2], 1);
    /* insult.a: a and c; then insult.b and threat.x with one each, by id */
    assert_int_equal(st.nrules, 3);
    assert_string_equal(st.top_rules[0].rule, "insult.a");
    assert_int_equal(st.top_rules[0].items, 2);
    assert_string_equal(st.top_rules[1].rule, "insult.b");
    assert_string_equal(st.top_rules[2].rule, "threat.x");
    assert_int_equal(st.top_rules[2].items, 1);
    assert_int_equal(st.appeals_upheld + st.appeals_overturned + st.appeals_open, 0);
    for (int q = 0; q < SL_STATS_NQUEUES; q++) assert_int_equal(st.times[q].closed, 0);
    sl_stats_free(&st);

    /* a rescreen writes c's new verdict: its rules follow */
    static const char nv[] = "{\"hits\":[{\"rule\":\"spam.y\",\"category\":\"spam\"}]}";
    sl_rescreen_update u = {
        c, SL_STORE_HIDE, "default@2026.11-2", nv, sizeof nv - 1, SL_STORE_WARN, 0.5, "B#2", 3};
    sl_rescreen_result r;
    assert_int_equal(sl_store_rescreen_apply(s, "default", 0, &u, 1, &r, &err), SL_OK);
    assert_true(r.applied);
    assert_int_equal(sl_store_stats(s, "default", t0, t0 + 3 * HOUR, HOUR, &st, &err), SL_OK);
    assert_int_equal(st.by_action[SL_STORE_HIDE][2], 1);
    assert_int_equal(st.by_action[SL_STORE_WARN][2], 1);
    assert_null(series(&st, "threat"));
    assert_int_equal(series(&st, "spam")->counts[2], 1);
    assert_int_equal(series(&st, "insult")->counts[2], 0);
    sl_stats_free(&st);

    /* the other org sees its own item only */
    assert_int_equal(sl_store_stats(s, "other", t0, t0 + 3 * HOUR, 3 * HOUR, &st, &err), SL_OK);
    assert_int_equal(st.nbuckets, 1);
    assert_int_equal(st.by_action[SL_STORE_HIDE][0], 1);
    assert_int_equal(st.nrules, 2);
    sl_stats_free(&st);

    /* bad windows */
    assert_int_equal(sl_store_stats(s, "default", t0, t0, HOUR, &st, &err), SL_ERR_ARG);
    assert_int_equal(sl_store_stats(s, "default", t0, t0 + 1, 0, &st, &err), SL_ERR_ARG);
    assert_int_equal(sl_store_stats(s, "default", 0, 1001 * HOUR, HOUR, &st, &err), SL_ERR_ARG);
    assert_int_equal(sl_store_stats(s, "default", 0, 1000 * HOUR, HOUR, &st, &err), SL_OK);
    sl_stats_free(&st);
    assert_int_equal(sl_store_stats(s, "nope", t0, t0 + HOUR, HOUR, &st, &err), SL_ERR_NOT_FOUND);
    sl_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counts, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
