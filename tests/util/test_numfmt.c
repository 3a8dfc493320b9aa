/* Unit tests of util/numfmt: the printf-free writers must print byte for byte what printf
 * prints, over special values, decimal boundaries and ties, and many random values of every
 * magnitude (floats, as verdicts hold, and doubles). */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util/numfmt.h"

static void same_as_printf(double x)
{
    char want[64], got[SL__G4_MAX];
    snprintf(want, sizeof want, "%.4g", x);
    size_t n = sl__fmt_g4(got, x);
    if (strcmp(want, got) || n != strlen(want))
        fail_msg("%a: printf \"%s\", sl__fmt_g4 \"%s\" (length %zu)", x, want, got, n);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_g4_special_values(void **state)
{
    double v[] = {0.0,       -0.0,      1.0,      -1.0,      0.5,     1.0625,     2.5,
                  1e-5,      1e-4,      9.9995,   9999.5,    99995.0, 0.00012345, 0.00099995,
                  123456789, 1e18,      1e19,     1e-17,     1e-18,   1e300,      -1e-300,
                  DBL_MIN,   DBL_MAX,   FLT_MIN,  FLT_MAX,   1234.5,  12345.0,    0.1,
                  0.3,       2.0 / 3.0, INFINITY, -INFINITY, NAN};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) same_as_printf(v[i]);
}

/* k * 10^j and the halves between them, with their neighbouring doubles and floats. */
static void test_g4_decimal_boundaries(void **state)
{
    for (int j = -20; j <= 20; j++)
        for (int k = 1; k <= 20000; k += (k < 1100 || (k > 9900 && k < 10100)) ? 1 : 37) {
            double base = k * pow(10, j - 4);
            double cands[] = {base, nextafter(base, 0), nextafter(base, INFINITY),
                              base + 0.5 * pow(10, j - 4)};
            for (size_t c = 0; c < 4; c++) {
                same_as_printf(cands[c]);
                same_as_printf(-cands[c]);
                same_as_printf((float)cands[c]);
                same_as_printf(nextafterf((float)cands[c], 0));
                same_as_printf(nextafterf((float)cands[c], INFINITY));
            }
        }
}

static void test_g4_random_values(void **state)
{
    for (int i = 0; i < 100000; i++) {
        uint64_t r = next();
        uint32_t fb = (uint32_t)r;
        float f;
        memcpy(&f, &fb, sizeof f); /* any float bit pattern */
        same_as_printf(f);
        double d;
        memcpy(&d, &r, sizeof d); /* any double bit pattern */
        same_as_printf(d);
        same_as_printf((float)((r >> 40) * 0x1p-24)); /* a probability */
    }
}

static void test_uint_same_as_printf(void **state)
{
    unsigned long long v[] = {0, 1, 9, 10, 99, 100, 4294967295ull, 4294967296ull, ~0ull};
    char want[32], got[21];
    for (size_t i = 0; i < sizeof v / sizeof v[0] + 100000; i++) {
        unsigned long long x = i < sizeof v / sizeof v[0] ? v[i] : next() >> (next() % 64);
        snprintf(want, sizeof want, "%llu", x);
        assert_int_equal(sl__fmt_uint(got, x), strlen(want));
        assert_string_equal(got, want);
    }
}

static void test_buf_appends(void **state)
{
    sl_buf b = {0};
    assert_int_equal(sl_buf_g4(&b, 0.031944), SL_OK);
    assert_int_equal(sl_buf_puts(&b, ","), SL_OK);
    assert_int_equal(sl_buf_uint(&b, 1234567), SL_OK);
    assert_string_equal(b.data, "0.03194,1234567");
    sl_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_g4_special_values), cmocka_unit_test(test_g4_decimal_boundaries),
        cmocka_unit_test(test_g4_random_values),  cmocka_unit_test(test_uint_same_as_printf),
        cmocka_unit_test(test_buf_appends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
