/* The record parser: ids come back byte for byte or not at all, every content-hiding trick
 * (duplicate keys, a second object, \u0000) is an error with its byte, fields are typed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sangloc/record.h"

static sl_record rec;
static char *line; /* exactly the bytes of the line: no terminator, so over-reads trip ASan */
static size_t line_len;

static int teardown(void **state)
{
    sl_record_free(&rec);
    free(line);
    line = NULL;
    return 0;
}

static const sl_record *parse_n(const char *s, size_t len, size_t max_text)
{
    free(line);
    line = malloc(len ? len : 1);
    assert_non_null(line);
    memcpy(line, s, len);
    line_len = len;
    sl_record_limits lim = {.max_text = max_text};
    assert_int_equal(sl_record_parse(line, len, &lim, &rec), SL_OK);
    return &rec;
}

static const sl_record *parse(const char *s)
{
    return parse_n(s, strlen(s), 0);
}

static void assert_id(const sl_record *r, const char *want)
{
    if (!want) {
        assert_null(r->id);
        return;
    }
    assert_non_null(r->id);
    assert_int_equal(r->id_len, strlen(want));
    assert_memory_equal(r->id, want, r->id_len);
    /* the id is a slice of the line itself, never a rewritten copy */
    assert_true(r->id >= line && r->id + r->id_len <= line + line_len);
}

static void assert_text(const sl_record *r, const char *want)
{
    assert_false(r->has_error);
    assert_non_null(r->text.data);
    assert_int_equal(r->text.len, strlen(want));
    assert_memory_equal(r->text.data, want, r->text.len);
}

static void assert_error(const sl_record *r, sl_status code, size_t byte)
{
    assert_true(r->has_error);
    assert_int_equal(r->error.code, code);
    assert_int_equal(r->error.byte, byte);
    assert_true(r->error.message[0] != '\0');
    assert_null(r->text.data); /* nothing of a bad record is screened */
}

static void test_numeric_id_beyond_2_pow_53_is_kept_as_written(void **state)
{
    const sl_record *r = parse("{\"id\":10158812345678901,\"text\":\"x\"}");
    assert_text(r, "x");
    assert_id(r, "10158812345678901");
    r = parse("{\"id\":-0,\"text\":\"x\"}");
    assert_id(r, "-0");
    r = parse("{\"id\" : 123456789012345678901234567890 , \"text\":\"x\"}");
    assert_id(r, "123456789012345678901234567890");
}

static void test_string_id_is_echoed_raw(void **state)
{
    const sl_record *r = parse("{\"id\":\"a\\u00e9\\\"b\\/\",\"text\":\"x\"}");
    assert_text(r, "x");
    assert_id(r, "\"a\\u00e9\\\"b\\/\"");
    r = parse("{\"text\":\"x\",\"id\":\"bình\"}");
    assert_id(r, "\"bình\"");
}

static void test_id_length_limit(void **state)
{
    char buf[600];
    /* exactly SL_RECORD_ID_MAX bytes as written (quotes included): kept */
    int n = snprintf(buf, sizeof buf, "{\"id\":\"%0*d\",\"text\":\"x\"}", SL_RECORD_ID_MAX - 2, 7);
    const sl_record *r = parse_n(buf, (size_t)n, 0);
    assert_false(r->has_error);
    assert_int_equal(r->id_len, SL_RECORD_ID_MAX);
    /* one byte more: an error verdict, not a silently dropped id */
    n = snprintf(buf, sizeof buf, "{\"id\":\"%0*d\",\"text\":\"x\"}", SL_RECORD_ID_MAX - 1, 7);
    r = parse_n(buf, (size_t)n, 0);
    assert_error(r, SL_ERR_TOO_LARGE, 6);
    assert_null(r->id);
    n = snprintf(buf, sizeof buf, "{\"text\":\"x\",\"id\":1%0*d}", SL_RECORD_ID_MAX, 0);
    r = parse_n(buf, (size_t)n, 0);
    assert_error(r, SL_ERR_TOO_LARGE, 17);
}

static void test_id_with_escaped_nul_is_an_error(void **state)
{
    const sl_record *r = parse("{\"id\":\"a\\u0000b\",\"text\":\"x\"}");
    assert_error(r, SL_ERR_NUL_BYTE, 8);
    assert_null(r->id);
}

static void test_id_types(void **state)
{
    static const char *const bad[] = {
        "{\"id\":1.5,\"text\":\"x\"}",       "{\"id\":1e3,\"text\":\"x\"}",
        "{\"id\":true,\"text\":\"x\"}",      "{\"id\":null,\"text\":\"x\"}",
        "{\"id\":{\"a\":1},\"text\":\"x\"}", "{\"id\":[1],\"text\":\"x\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const sl_record *r = parse(bad[i]);
        assert_error(r, SL_ERR_MISSING_FIELD, 6);
        assert_null(r->id);
    }
    assert_id(parse("{\"id\":-42,\"text\":\"x\"}"), "-42");
    /* not JSON numbers at all */
    assert_error(parse("{\"id\":007,\"text\":\"x\"}"), SL_ERR_JSON, 7);
    assert_error(parse("{\"id\":+1,\"text\":\"x\"}"), SL_ERR_JSON, 6);
}

static void test_duplicate_keys(void **state)
{
    /* the first text would be screened while jq reads the last */
    const sl_record *r = parse("{\"id\":\"a\",\"text\":\"hello\",\"text\":\"<insult>\"}");
    assert_error(r, SL_ERR_JSON, 25);
    assert_id(r, "\"a\"");
    assert_non_null(strstr(r->error.message, "duplicate"));
    /* the same key spelled with an escape is the same key */
    assert_error(parse("{\"text\":\"a\",\"t\\u0065xt\":\"b\"}"), SL_ERR_JSON, 12);
    /* any top-level key; two ids: no id is trusted */
    assert_error(parse("{\"text\":\"a\",\"x\":1,\"x\":2}"), SL_ERR_JSON, 18);
    r = parse("{\"id\":1,\"text\":\"a\",\"id\":2}");
    assert_error(r, SL_ERR_JSON, 19);
    assert_null(r->id);
    /* duplicates inside nested objects are the value's business */
    assert_text(parse("{\"text\":\"a\",\"o\":{\"k\":1,\"k\":2}}"), "a");
}

static void test_duplicate_among_many_keys(void **state)
{
    char buf[4096];
    size_t n = (size_t)snprintf(buf, sizeof buf, "{\"text\":\"t\"");
    for (int k = 0; k < 100; k++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, ",\"k%d\":%d", k, k);
    const sl_record *r = parse_n(buf, n, 0);
    assert_error(r, SL_ERR_JSON, n); /* the line ends before its "}" */
    buf[n] = '}';
    assert_text(parse_n(buf, n + 1, 0), "t"); /* 101 distinct keys */
    size_t dup = n + 1;
    n += (size_t)snprintf(buf + n, sizeof buf - n, ",\"k50\":0,\"k7\":0}");
    assert_error(parse_n(buf, n, 0), SL_ERR_JSON, dup);
}

static void test_text_after_the_object(void **state)
{
    const sl_record *r = parse("{\"id\":1,\"text\":\"a\"}{\"id\":2,\"text\":\"b\"}");
    assert_error(r, SL_ERR_JSON, 19);
    assert_id(r, "1");
    assert_error(parse("{\"text\":\"a\"} x"), SL_ERR_JSON, 13);
    assert_text(parse(" \t{\"text\":\"a\"} \t\r\n"), "a");
}

static void test_blank_lines(void **state)
{
    assert_true(sl_record_is_blank("", 0));
    assert_true(sl_record_is_blank(" \t\r", 3));
    assert_false(sl_record_is_blank(" {", 2));
    /* the parser itself rejects them: skipping is the reader's decision */
    assert_error(parse("  "), SL_ERR_JSON, 2);
}

static void test_text_decoding(void **state)
{
    assert_text(parse("{\"text\":\"a\\n\\t\\\\\\\"\\/\\b\\f\\r\"}"), "a\n\t\\\"/\b\f\r");
    assert_text(parse("{\"text\":\"vi\\u1ec7t \\ud83d\\ude00\"}"), "việt \xF0\x9F\x98\x80");
    assert_text(parse("{\"text\":\"\"}"), "");
    assert_error(parse("{\"text\":\"a\\ud83d b\"}"), SL_ERR_JSON, 10);
    assert_error(parse("{\"text\":\"\\ude00\"}"), SL_ERR_JSON, 9);
    assert_error(parse("{\"text\":\"a\\x\"}"), SL_ERR_JSON, 11);
    assert_error(parse("{\"text\":\"a\\u12g4\"}"), SL_ERR_JSON, 12);
    assert_error(parse("{\"text\":\"nul \\u0000 here\"}"), SL_ERR_NUL_BYTE, 13);
    /* a raw control character is not JSON; the id is still named */
    const sl_record *r = parse("{\"id\":3,\"text\":\"a\tb\"}");
    assert_error(r, SL_ERR_JSON, 17);
    assert_id(r, "3");
}

static void test_optional_fields(void **state)
{
    const sl_record *r = parse("{\"text\":\"x\",\"channel\":\"news\\/vn\",\"author\":\"u1\","
                               "\"kind\":\"comment\",\"created_at\":\"2026-11-30T06:00:00Z\","
                               "\"label\":[1,{\"a\":null}]}");
    assert_text(r, "x");
    assert_int_equal(r->channel.len, 7);
    assert_memory_equal(r->channel.data, "news/vn", 7);
    assert_memory_equal(r->author.data, "u1", 2);
    assert_memory_equal(r->kind.data, "comment", 7);
    assert_int_equal(r->created_at.len, 20);
    r = parse("{\"text\":\"x\",\"channel\":null}");
    assert_text(r, "x");
    assert_null(r->channel.data);
    assert_null(r->author.data);
    assert_error(parse("{\"text\":\"x\",\"author\":5}"), SL_ERR_MISSING_FIELD, 21);
    assert_error(parse("{\"text\":\"x\",\"created_at\":{}}"), SL_ERR_MISSING_FIELD, 25);
    assert_error(parse("{\"text\":\"x\",\"kind\":false}"), SL_ERR_MISSING_FIELD, 19);
}

static void test_text_field_and_limit(void **state)
{
    const sl_record *r = parse("{\"id\":8}");
    assert_error(r, SL_ERR_MISSING_FIELD, 0);
    assert_id(r, "8");
    assert_error(parse("{\"id\":9,\"text\":[\"a\"]}"), SL_ERR_MISSING_FIELD, 15);
    assert_error(parse("{\"text\":null}"), SL_ERR_MISSING_FIELD, 8);
    const char *s = "{\"text\":\"abcde\"}";
    assert_error(parse_n(s, strlen(s), 4), SL_ERR_TOO_LARGE, 8);
    s = "{\"text\":\"abcd\"}";
    assert_text(parse_n(s, strlen(s), 4), "abcd");
    s = "{\"text\":\"\\u00e9\\u00e9\"}"; /* the limit counts decoded bytes: 4 */
    assert_text(parse_n(s, strlen(s), 4), "éé");
    s = "{\"text\":\"abc\"}"; /* no limit asked: a size_t-wide one works */
    assert_text(parse_n(s, strlen(s), SIZE_MAX), "abc");
}

static void test_invalid_utf8_and_raw_nul(void **state)
{
    const sl_record *r = parse("{\"id\":\"x\",\"text\":\"caf\xe9\"}");
    assert_error(r, SL_ERR_INVALID_UTF8, 21);
    assert_id(r, "\"x\""); /* recovered so the error verdict names the post */
    r = parse("{\"id\":\"\xff\",\"text\":\"a\"}");
    assert_error(r, SL_ERR_INVALID_UTF8, 7);
    assert_null(r->id); /* never echo bytes that would make the verdict invalid */
    static const char raw_nul[] = "{\"id\":1,\"text\":\"a\0b\"}";
    r = parse_n(raw_nul, sizeof raw_nul - 1, 0);
    assert_error(r, SL_ERR_NUL_BYTE, 17);
    assert_id(r, "1");
}

static void test_syntax_errors_carry_their_byte(void **state)
{
    const sl_record *r = parse("{\"id\":7,\"text\":\"bad json\",}");
    assert_error(r, SL_ERR_JSON, 26);
    assert_null(r->id); /* a broken line names no id */
    assert_error(parse("{\"id\":4,\"text\":"), SL_ERR_JSON, 15);
    assert_error(parse("not json"), SL_ERR_JSON, 0);
    assert_error(parse("[1,2]"), SL_ERR_JSON, 0);
    assert_non_null(strstr(rec.error.message, "JSON object"));
    assert_error(parse("{\"text\":\"a\" \"b\":1}"), SL_ERR_JSON, 12);
    assert_error(parse("{\"text\":\"abc"), SL_ERR_JSON, 12);
    assert_error(parse("{\"text\":tru}"), SL_ERR_JSON, 8);
}

static void test_nesting_is_bounded(void **state)
{
    char buf[1024];
    size_t n = 0;
    n += (size_t)sprintf(buf, "{\"text\":\"a\",\"v\":");
    size_t at = n;
    for (int d = 0; d < 200; d++) buf[n++] = '[';
    for (int d = 0; d < 200; d++) buf[n++] = ']';
    buf[n++] = '}';
    assert_error(parse_n(buf, n, 0), SL_ERR_JSON, at + SL_RECORD_MAX_DEPTH - 1);
    n = at;
    for (int d = 0; d < 100; d++) buf[n++] = '[';
    for (int d = 0; d < 100; d++) buf[n++] = ']';
    buf[n++] = '}';
    assert_text(parse_n(buf, n, 0), "a");
}

static void test_bom_and_reuse(void **state)
{
    assert_text(parse("\xEF\xBB\xBF{\"text\":\"a\"}"), "a");
    /* one record parsed many times: each result is that line's */
    assert_text(parse("{\"text\":\"\\u0041\"}"), "A");
    assert_text(parse("{\"text\":\"plain\"}"), "plain");
    assert_text(parse("{\"text\":\"\\u0042\\u0043\"}"), "BC");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_numeric_id_beyond_2_pow_53_is_kept_as_written, teardown),
        cmocka_unit_test_teardown(test_string_id_is_echoed_raw, teardown),
        cmocka_unit_test_teardown(test_id_length_limit, teardown),
        cmocka_unit_test_teardown(test_id_with_escaped_nul_is_an_error, teardown),
        cmocka_unit_test_teardown(test_id_types, teardown),
        cmocka_unit_test_teardown(test_duplicate_keys, teardown),
        cmocka_unit_test_teardown(test_duplicate_among_many_keys, teardown),
        cmocka_unit_test_teardown(test_text_after_the_object, teardown),
        cmocka_unit_test_teardown(test_blank_lines, teardown),
        cmocka_unit_test_teardown(test_text_decoding, teardown),
        cmocka_unit_test_teardown(test_optional_fields, teardown),
        cmocka_unit_test_teardown(test_text_field_and_limit, teardown),
        cmocka_unit_test_teardown(test_invalid_utf8_and_raw_nul, teardown),
        cmocka_unit_test_teardown(test_syntax_errors_carry_their_byte, teardown),
        cmocka_unit_test_teardown(test_nesting_is_bounded, teardown),
        cmocka_unit_test_teardown(test_bom_and_reuse, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
