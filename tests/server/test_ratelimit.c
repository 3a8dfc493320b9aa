/* Token buckets of the service's per-token rate limit (server/ratelimit.h), on a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "server/ratelimit.h"

static void test_burst_then_rate(void **state)
{
    (void)state;
    sl__ratelimit *rl = sl__ratelimit_new(2.0, 3.0); /* 2 a second, 3 at once */
    assert_non_null(rl);
    unsigned wait = 0;
    for (int k = 0; k < 3; k++) assert_true(sl__ratelimit_take(rl, 7, 100.0, &wait));
    assert_false(sl__ratelimit_take(rl, 7, 100.0, &wait));
    assert_int_equal(wait, 1); /* half a second, rounded up */
    assert_false(sl__ratelimit_take(rl, 7, 100.2, &wait));
    assert_true(sl__ratelimit_take(rl, 7, 100.5, &wait)); /* one refilled */
    assert_false(sl__ratelimit_take(rl, 7, 100.5, &wait));
    /* a long pause refills to the burst, not more */
    for (int k = 0; k < 3; k++) assert_true(sl__ratelimit_take(rl, 7, 200.0, &wait));
    assert_false(sl__ratelimit_take(rl, 7, 200.0, &wait));
    /* a clock that goes back does not refill */
    assert_false(sl__ratelimit_take(rl, 7, 150.0, &wait));
    sl__ratelimit_free(rl);
}

static void test_tokens_are_independent(void **state)
{
    (void)state;
    sl__ratelimit *rl = sl__ratelimit_new(1.0 / 60, 1.0); /* 1 a minute */
    assert_non_null(rl);
    unsigned wait = 0;
    /* many tokens: the table grows, each keeps its own bucket */
    for (int64_t id = 1; id <= 1000; id++) assert_true(sl__ratelimit_take(rl, id, 10.0, &wait));
    for (int64_t id = 1; id <= 1000; id++) {
        wait = 0;
        assert_false(sl__ratelimit_take(rl, id, 11.0, &wait));
        assert_int_equal(wait, 59);
    }
    assert_true(sl__ratelimit_take(rl, 1, 70.0, &wait));
    assert_false(sl__ratelimit_take(rl, 2, 69.0, &wait));
    sl__ratelimit_free(rl);
}

static void test_refuses_bad_settings(void **state)
{
    (void)state;
    assert_null(sl__ratelimit_new(0, 1));
    assert_null(sl__ratelimit_new(1, 0.5));
    sl__ratelimit_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_rate),
        cmocka_unit_test(test_tokens_are_independent),
        cmocka_unit_test(test_refuses_bad_settings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
