/* Unit tests of the util layer: every status has a name and a message; the buffer's cap and
 * JSON string escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sangloc/hit.h"
#include "sangloc/status.h"
#include "sangloc/buf.h"

static void test_every_status_has_name_and_message(void **state)
{
    for (int s = 0; s < SL_STATUS_COUNT_; s++) {
        assert_string_not_equal(sl_strerror((sl_status)s), "unknown status");
        assert_string_not_equal(sl_status_name((sl_status)s), "unknown");
        for (int t = 0; t < s; t++)
            assert_string_not_equal(sl_status_name((sl_status)s), sl_status_name((sl_status)t));
    }
    assert_string_equal(sl_strerror(SL_STATUS_COUNT_), "unknown status");
    assert_string_equal(sl_strerror((sl_status)-1), "unknown status");
}

static void test_error_set_formats_and_returns_code(void **state)
{
    sl_error err;
    memset(&err, 0xAA, sizeof err);
    assert_int_equal(sl_error_set(&err, SL_ERR_JSON, 7, "at %d", 7), SL_ERR_JSON);
    assert_int_equal(err.code, SL_ERR_JSON);
    assert_int_equal(err.byte, 7);
    assert_int_equal(err.line, 0);
    assert_string_equal(err.message, "at 7");
    assert_int_equal(sl_error_set(NULL, SL_ERR_IO, 0, "x"), SL_ERR_IO);
}

static void test_buf_respects_max(void **state)
{
    sl_buf b = {.max = 10};
    assert_int_equal(sl_buf_puts(&b, "0123456789"), SL_OK);
    assert_int_equal(sl_buf_puts(&b, "x"), SL_ERR_TOO_LARGE);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    assert_int_equal(sl_buf_reserve(&b, SIZE_MAX), SL_ERR_TOO_LARGE);
    sl_buf_free(&b);
}

static void test_buf_printf_long(void **state)
{
    sl_buf b = {0};
    char big[600];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(sl_buf_printf(&b, "<%s>", big), SL_OK);
    assert_int_equal(b.len, 601);
    assert_int_equal(b.data[600], '>');
    sl_buf_free(&b);
}

static void test_json_string_escapes(void **state)
{
    static const struct {
        const char *in;
        size_t len;
        const char *out;
    } cases[] = {
        {"abc", 3, "\"abc\""},
        {"a\"b\\c", 5, "\"a\\\"b\\\\c\""},
        {"\n\r\t", 3, "\"\\n\\r\\t\""},
        {"\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\""},
        {"đm", 3, "\"đm\""},
        {"", 0, "\"\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sl_buf b = {0};
        assert_int_equal(sl_buf_json_string(&b, cases[i].in, cases[i].len), SL_OK);
        assert_string_equal(b.data, cases[i].out);
        sl_buf_free(&b);
    }
}

static void test_hits_cap_counts_dropped(void **state)
{
    sl_hits h = {.max = 3};
    for (int i = 0; i < 5; i++) assert_int_equal(sl_hits_push(&h, "r", 0, 1, 1.0f, i), SL_OK);
    assert_int_equal(h.count, 3);
    assert_int_equal(h.dropped, 2);
    char longid[100];
    memset(longid, 'x', 99);
    longid[99] = '\0';
    sl_hits_clear(&h);
    assert_int_equal(sl_hits_push(&h, longid, 0, 1, 1.0f, -1), SL_OK);
    assert_int_equal(strlen(h.items[0].rule), SL_RULE_ID_MAX - 1);
    sl_hits_free(&h);
    assert_int_equal(h.max, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_status_has_name_and_message),
        cmocka_unit_test(test_error_set_formats_and_returns_code),
        cmocka_unit_test(test_buf_respects_max),
        cmocka_unit_test(test_buf_printf_long),
        cmocka_unit_test(test_json_string_escapes),
        cmocka_unit_test(test_hits_cap_counts_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
