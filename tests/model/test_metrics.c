/* The public figures of sangloc/metrics.h on hand-computed cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sangloc/metrics.h"

static void test_macro_f1_by_hand(void **state)
{
    /* gold rows, predicted columns: class 0 P 8/10 R 8/9, class 1 P 1/2 R 1/3 */
    const long conf[4] = {8, 1, 2, 1};
    sl_prf prf[2];
    double m = sl_metrics_macro_f1(conf, 2, prf);
    double f0 = 2 * 0.8 * (8.0 / 9) / (0.8 + 8.0 / 9), f1 = 2 * 0.5 * (1.0 / 3) / (0.5 + 1.0 / 3);
    assert_true(prf[0].p > 0.7999 && prf[0].p < 0.8001);
    assert_true(prf[1].r > 0.3333 && prf[1].r < 0.3334);
    assert_true(m > (f0 + f1) / 2 - 1e-9 && m < (f0 + f1) / 2 + 1e-9);
    assert_true(sl_metrics_macro_f1(conf, 2, NULL) == m);
    assert_true(sl_metrics_macro_f1(conf, 17, NULL) == 0); /* beyond the supported size */
}

static void test_pos_f1_by_hand(void **state)
{
    const long conf[4] = {5, 1, 3, 1}; /* tp 1, fp 1, fn 3: P 0.5 R 0.25 */
    double f = sl_metrics_pos_f1(conf);
    assert_true(f > 1.0 / 3 - 1e-9 && f < 1.0 / 3 + 1e-9);
}

static void test_span_f1_counts_code_points(void **state)
{
    const char *t = "đồ ngu"; /* bytes: đ 0-2, ồ 2-5, space, ngu */
    size_t len = strlen(t);
    const uint32_t gold[2] = {0, 5}, pred[2] = {0, 2}; /* gold "đồ", pred "đ" */
    double f = sl_metrics_span_f1(t, len, pred, 1, gold, 1);
    assert_true(f > 2.0 / 3 - 1e-9 && f < 2.0 / 3 + 1e-9); /* P 1, R 1/2 */
    assert_true(sl_metrics_span_f1(t, len, NULL, 0, NULL, 0) == 1);
    assert_true(sl_metrics_span_f1(t, len, pred, 1, NULL, 0) == 0);
}

static void test_span_chars_pool_code_points(void **state)
{
    const char *t = "đồ ngu"; /* 6 code points: đ ồ space n g u */
    size_t len = strlen(t);
    const uint32_t gold[2] = {0, 5}, pred[4] = {0, 2, 6, 9}; /* gold "đồ"; pred "đ", "ngu" */
    long conf[4] = {0};
    assert_int_equal(sl_metrics_span_chars(t, len, pred, 2, gold, 1, conf), 0);
    assert_int_equal(conf[0], 1); /* space: gold 0, predicted 0 */
    assert_int_equal(conf[1], 3); /* n g u */
    assert_int_equal(conf[2], 1); /* ồ */
    assert_int_equal(conf[3], 1); /* đ */
    /* pooled: a second text adds to the same counts */
    assert_int_equal(sl_metrics_span_chars(t, len, NULL, 0, NULL, 0, conf), 0);
    assert_int_equal(conf[0], 7);
    /* class 0: P 7/8 R 7/10; class 1: P 1/4 R 1/2 */
    double f0 = 2.0 * 7 / (8 + 10), f1 = 2.0 * 1 / (4 + 2);
    double m = sl_metrics_macro_f1(conf, 2, NULL);
    assert_true(m > (f0 + f1) / 2 - 1e-9 && m < (f0 + f1) / 2 + 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_macro_f1_by_hand),
        cmocka_unit_test(test_pos_f1_by_hand),
        cmocka_unit_test(test_span_f1_counts_code_points),
        cmocka_unit_test(test_span_chars_pool_code_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
