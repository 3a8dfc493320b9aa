/* The CLI's shared output helpers: what reaches a terminal from outside text, the one shape of
 * located messages, and the checks every numeric option goes through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/output.h"

static void visible_is(const char *in, size_t len, const char *want)
{
    sl_buf b = {0};
    assert_int_equal(sl__cli_put_visible(&b, in, len), SL_OK);
    assert_non_null(b.data);
    assert_string_equal(b.data, want);
    sl_buf_free(&b);
}

#define VISIBLE(in, want) visible_is(in, sizeof in - 1, want)

static void test_controls_become_escapes(void **state)
{
    (void)state;
    VISIBLE("a\x1b[2Jb", "a\\x1b[2Jb");
    VISIBLE("x\ry\nz\tw", "x\\ry\\nz\\tw");
    VISIBLE("\a\b\f\v", "\\x07\\x08\\x0c\\x0b");
    VISIBLE("del\x7f", "del\\x7f");
    visible_is("nul\0end", 7, "nul\\x00end");
    /* C1: U+0085 (NEL), U+009B (CSI) as UTF-8 */
    VISIBLE("\xc2\x85\xc2\x9b", "\\u0085\\u009b");
    /* bidi overrides and isolates, marks, separators */
    VISIBLE("\xe2\x80\xae", "\\u202e");
    VISIBLE("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", "\\u202a\\u202b\\u202c\\u202d");
    VISIBLE("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", "\\u2066\\u2067\\u2068\\u2069");
    VISIBLE("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "\\u200e\\u200f\\u061c");
    VISIBLE("\xe2\x80\xa8\xe2\x80\xa9", "\\u2028\\u2029");
}

static void test_text_is_kept(void **state)
{
    (void)state;
    VISIBLE("Chính sách này chưa hợp lý", "Chính sách này chưa hợp lý");
    VISIBLE("\xc2\xa0\xc2\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80",
            "\xc2\xa0\xc2\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80");
    VISIBLE("\xe2\x80\x8b", "\xe2\x80\x8b"); /* zero width space: not a control of the terminal */
    VISIBLE("a\\x1b", "a\\x1b");             /* an escape written out stays as written */
}

static void test_bad_utf8_bytes_are_shown(void **state)
{
    (void)state;
    VISIBLE("\x9b", "\\x9b");                            /* a lone C1 byte (8-bit CSI) */
    VISIBLE("\xc2", "\\xc2");                            /* cut short */
    VISIBLE("\xc0\x9b", "\\xc0\\x9b");                   /* overlong */
    VISIBLE("\xe0\x82\x9b", "\\xe0\\x82\\x9b");          /* overlong, 3 bytes */
    VISIBLE("\xed\xa0\x80", "\\xed\\xa0\\x80");          /* surrogate */
    VISIBLE("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* beyond U+10FFFF */
    VISIBLE("\xff\xfe", "\\xff\\xfe");
    VISIBLE("\xe2\x80", "\\xe2\\x80");
}

static void located_is(const char *path, size_t line, const char *msg, const char *want)
{
    sl_buf b = {0};
    sl__cli_put_located(&b, path, line, msg);
    assert_non_null(b.data);
    assert_string_equal(b.data, want);
    sl_buf_free(&b);
}

static void test_path_said_once(void **state)
{
    (void)state;
    located_is("p.yaml", 3, "unknown key", "p.yaml:3: unknown key");
    located_is("p.yaml", 0, "unknown key", "p.yaml: unknown key");
    located_is(NULL, 0, "out of memory", "out of memory");
    located_is("/x/m.slm", 0, "/x/m.slm: No such file", "/x/m.slm: No such file");
    located_is("/x/p.yaml", 0, "cannot open /x/p.yaml: No such file",
               "/x/p.yaml: cannot open: No such file");
    /* a path that only looks alike is not removed */
    located_is("/x/p", 0, "/x/p.yaml: bad", "/x/p: /x/p.yaml: bad");
    /* path and message from outside are shown visibly */
    located_is("a\x1b.yaml", 1, "key '\xe2\x80\xae'", "a\\x1b.yaml:1: key '\\u202e'");
}

static void test_numbers(void **state)
{
    (void)state;
    unsigned long long u = 7;
    assert_true(sl__cli_parse_uint("t", "--n", "0", 0, 10, &u) && u == 0);
    assert_true(sl__cli_parse_uint("t", "--n", "10", 0, 10, &u) && u == 10);
    assert_true(sl__cli_parse_uint("t", "--n", "18446744073709551615", 0, UINT64_MAX, &u) &&
                u == UINT64_MAX);
    const char *bad[] = {
        "", "-1", "+1", " 1", "1 ", "1x", "0x10", "11", "1.0", "abc", "18446744073709551616"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        u = 7;
        assert_false(sl__cli_parse_uint("t", "--n", bad[i], 0, 10, &u));
        assert_int_equal(u, 7);
    }
    double d = 0;
    assert_true(sl__cli_parse_real("t", "--x", "0.5", 0, 1, &d) && d == 0.5);
    assert_true(sl__cli_parse_real("t", "--x", ".5", 0, 1, &d) && d == 0.5);
    assert_true(sl__cli_parse_real("t", "--x", "1e-1", 0, 1, &d) && d > 0.09 && d < 0.11);
    assert_true(sl__cli_parse_real("t", "--x", "-0.5", -1, 1, &d) && d == -0.5);
    const char *badr[] = {"", "-0.5", "1.5", "nan", "inf", "1e400", "0.5x", " 0.5", "0x1p-1"};
    for (size_t i = 0; i < sizeof badr / sizeof badr[0]; i++)
        assert_false(sl__cli_parse_real("t", "--x", badr[i], 0, 1, &d));
    int when = 5;
    assert_true(sl__cli_parse_color("t", "always", &when) && when == 1);
    assert_true(sl__cli_parse_color("t", "never", &when) && when == 0);
    assert_true(sl__cli_parse_color("t", "auto", &when) && when == -1);
    assert_false(sl__cli_parse_color("t", "yes", &when));
    assert_false(sl__cli_parse_color("t", "", &when));
}

static void test_no_color(void **state)
{
    (void)state;
    setenv("NO_COLOR", "1", 1);
    assert_true(sl__cli_use_color(1, 1));
    assert_false(sl__cli_use_color(0, 1));
    assert_false(sl__cli_use_color(-1, 1));
    unsetenv("NO_COLOR");
    /* not a terminal: auto gives no colour whatever the environment */
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_false(sl__cli_use_color(-1, fileno(f)));
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controls_become_escapes),
        cmocka_unit_test(test_text_is_kept),
        cmocka_unit_test(test_bad_utf8_bytes_are_shown),
        cmocka_unit_test(test_path_said_once),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_no_color),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
