/* The body of POST /v1/admin/rescreen and ISO-8601 times (src/server/rescreen_request.c):
 * defaults, each member, the byte of each error, and times against known epoch values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "server/rescreen_request.h"

#define NOW 1796000000000LL

static sl_status parse(const char *body, sl__rescreen_query *q, sl_error *err)
{
    *err = (sl_error){0};
    return sl__req_rescreen(body, strlen(body), NOW, q, err);
}

static int64_t iso(const char *s)
{
    int64_t ms = -1;
    return sl__iso8601_ms(s, strlen(s), &ms) ? ms : -1;
}

static void test_times(void **state)
{
    assert_int_equal(iso("1970-01-01"), 0);
    assert_int_equal(iso("2026-11-30T00:00:00Z"), 1795996800000LL);
    assert_int_equal(iso("2026-11-30T07:00:00+07:00"), 1795996800000LL);
    assert_int_equal(iso("2026-11-30 07:00+0700"), 1795996800000LL);
    assert_int_equal(iso("2026-11-29T19:00:00.250-05:00"), 1795996800250LL);
    assert_int_equal(iso("2000-02-29T12:34:56Z"), 951827696000LL);
    assert_int_equal(iso("2024-02-29"), 1709164800000LL);
    const char *bad[] = {"",
                         "2026",
                         "2026-13-01",
                         "2023-02-29",
                         "2026-11-31",
                         "2026-11-30T",
                         "2026-11-30T24:00",
                         "2026-11-30T10:00:00+7",
                         "1969-12-31",
                         "2026-11-30T10:00:00.Z",
                         "2026-11-30x",
                         "2026-11-30T10:00:00Zjunk"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) assert_int_equal(iso(bad[k]), -1);
}

static void test_body(void **state)
{
    sl__rescreen_query q;
    sl_error err;
    assert_int_equal(parse("", &q, &err), SL_OK);
    assert_int_equal(q.since, NOW - 7 * 86400000LL);
    assert_false(q.apply);
    assert_int_equal(q.after, 0);
    assert_int_equal(q.limit, SL_RESCREEN_MAX_ITEMS);
    assert_int_equal(parse(" {\"since\":\"2026-11-30\",\"apply\":true,\"cursor\":\"42\","
                           "\"limit\":7} ",
                           &q, &err),
                     SL_OK);
    assert_int_equal(q.since, 1795996800000LL);
    assert_true(q.apply);
    assert_int_equal(q.after, 42);
    assert_int_equal(q.limit, 7);
    assert_int_equal(parse("{\"since\":123,\"cursor\":null}", &q, &err), SL_OK);
    assert_int_equal(q.since, 123);
    assert_int_equal(q.after, 0);

    static const struct {
        const char *body;
        size_t byte;
    } bad[] = {
        {"{\"apply\":1}", 9},
        {"{\"since\":\"soon\"}", 9},
        {"{\"since\":-1}", 9},
        {"{\"cursor\":\"x1\"}", 10},
        {"{\"cursor\":5}", 10},
        {"{\"limit\":0}", 9},
        {"{\"limit\":100001}", 9},
        {"{\"nope\":1}", 8},
        {"{\"apply\":true,}", 14},
        {"{\"apply\":true,\"apply\":false}", 14},
        /* past INT64_MAX: refused before the digit overflows (found by fuzz_rescreen_request) */
        {"{\"cursor\":\"12335900002330000000\"}", 10},
        {"{\"cursor\":\"99999999999999999999\"}", 10},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        assert_int_not_equal(parse(bad[k].body, &q, &err), SL_OK);
        if (err.byte != bad[k].byte) fail_msg("%s: byte %zu", bad[k].body, err.byte);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
