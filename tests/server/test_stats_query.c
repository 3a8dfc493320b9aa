/* The query of GET /v1/stats (src/server/stats.c): defaults, bucket alignment (UTC hours and
 * days, weeks from Monday), each parameter's error naming it with the byte of its value, and the
 * window's limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sangloc/store.h"
#include "server/stats.h"

#define NOW    1796035170157LL /* 2026-11-30T10:39:30.157Z, a Monday */
#define HOUR   3600000LL
#define DAY    (24 * HOUR)
#define MONDAY 1795996800000LL /* 2026-11-30T00:00:00Z */

static sl_status parse(const char *q, sl__stats_query *out, sl_error *err)
{
    *err = (sl_error){0};
    return sl__req_stats_query(q, q ? strlen(q) : 0, NOW, out, err);
}

static void test_defaults(void **state)
{
    (void)state;
    sl__stats_query q;
    sl_error err;
    assert_int_equal(parse(NULL, &q, &err), SL_OK);
    assert_int_equal(q.bucket, SL_STATS_DAY);
    assert_int_equal(q.width_ms, DAY);
    assert_int_equal(q.until, NOW);
    assert_int_equal(q.since, MONDAY - 30 * DAY); /* 30 days before, from its midnight */
    assert_int_equal(parse("bucket=hour", &q, &err), SL_OK);
    assert_int_equal(q.since, NOW - NOW % HOUR - 48 * HOUR);
    assert_int_equal(parse("bucket=week", &q, &err), SL_OK);
    assert_int_equal(q.since % DAY, 0);
    assert_int_equal((q.since / DAY + 3) % 7, 0); /* a Monday: 1970-01-01 was a Thursday */
    assert_true(q.since <= NOW - 26 * 7 * DAY && q.since > NOW - 27 * 7 * DAY);
}

static void test_times(void **state)
{
    (void)state;
    sl__stats_query q;
    sl_error err;
    assert_int_equal(parse("since=2026-11-25T13:45:00Z&until=2026-11-30&bucket=day", &q, &err),
                     SL_OK);
    assert_int_equal(q.since, MONDAY - 5 * DAY);
    assert_int_equal(q.until, MONDAY);
    /* an offset (percent-encoded or not) and milliseconds */
    assert_int_equal(parse("since=2026-11-30T07:30:00%2B07:00&bucket=hour", &q, &err), SL_OK);
    assert_int_equal(q.since, MONDAY);
    assert_int_equal(parse("since=1795996800001&until=1795996800002&bucket=hour", &q, &err), SL_OK);
    assert_int_equal(q.since, MONDAY);
    assert_int_equal(q.until, MONDAY + 2);
    /* a Wednesday goes back to its Monday */
    assert_int_equal(parse("bucket=week&since=2026-11-25&until=2026-11-26", &q, &err), SL_OK);
    assert_int_equal(q.since, MONDAY - 7 * DAY);
    /* the largest window: 1000 hourly buckets */
    assert_int_equal(parse("bucket=hour&since=0&until=3600000000", &q, &err), SL_OK);
    assert_int_equal(parse("bucket=hour&since=0&until=3600000001", &q, &err), SL_ERR_ARG);
    assert_non_null(strstr(err.message, "since: the window holds 1001 buckets"));
}

static void check_error(const char *query, const char *starts, size_t byte)
{
    sl__stats_query q;
    sl_error err;
    assert_int_equal(parse(query, &q, &err), SL_ERR_ARG);
    if (strncmp(err.message, starts, strlen(starts)))
        fail_msg("%s: message \"%s\" does not start with \"%s\"", query, err.message, starts);
    if (err.byte != byte) fail_msg("%s: byte %zu, want %zu", query, err.byte, byte);
}

static void test_errors(void **state)
{
    (void)state;
    check_error("bucket=month", "bucket:", 7);
    check_error("bucket=", "bucket:", 7);
    check_error("bucket", "bucket:", 6);
    check_error("bucket=day&bucket=day", "bucket: given twice", 11);
    check_error("since=yesterday", "since:", 6);
    check_error("bucket=hour&since=2026-13-01", "since:", 18);
    check_error("until=12x", "until:", 6);
    check_error("until=%zz", "until:", 6);
    check_error("limit=3", "unknown query parameter 'limit'", 0);
    check_error("bucket=day&&since=1", "unknown query parameter ''", 11);
    check_error("since=1796035170157&until=1796035170157", "until: must be after since", SL_NO_POS);
    check_error("until=0", "until: must be after since", SL_NO_POS);
    /* before the first Monday after the epoch (fuzz_stats_query found it) */
    check_error("bucket=week&since=202&until=5026", "until: must be after since", SL_NO_POS);
    check_error("bucket=hour&since=2026-01-01", "since: the window holds", SL_NO_POS);
    check_error("since=99999999999999999999", "since:", 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
