/* The JSON-lines reader: every kind of bad line yields a record with its error code, line and
 * byte position, and the lines after it are still read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli/input.h"

static char *write_temp(const char *data, size_t len)
{
    char *path = strdup("/tmp/sl_input_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

typedef struct expected {
    sl_status code;
    size_t line;
    size_t byte; /* SL_NO_POS: not checked */
    const char *text;
    const char *id;
} expected;

static void check_file(const char *data, size_t len, const expected *want, size_t nwant, bool plain,
                       size_t max_line)
{
    char *path = write_temp(data, len);
    char *paths[] = {path};
    sl_input in = {.paths = paths, .npaths = 1, .plain_text = plain, .max_line = max_line};
    sl_input_record rec;
    for (size_t i = 0; i < nwant; i++) {
        assert_int_equal(sl__input_next(&in, &rec), 1);
        assert_int_equal(rec.line, want[i].line);
        if (want[i].code == SL_OK) {
            assert_false(rec.has_error);
            assert_int_equal(rec.text_len, strlen(want[i].text));
            assert_memory_equal(rec.text, want[i].text, rec.text_len);
        } else {
            assert_true(rec.has_error);
            assert_int_equal(rec.error.code, want[i].code);
            assert_int_equal(rec.error.line, want[i].line);
            if (want[i].byte != SL_NO_POS) assert_int_equal(rec.error.byte, want[i].byte);
            assert_true(rec.error.message[0] != '\0');
        }
        if (want[i].id)
            assert_string_equal(rec.id_json, want[i].id);
        else
            assert_null(rec.id_json);
    }
    assert_int_equal(sl__input_next(&in, &rec), 0);
    sl__input_close(&in);
    unlink(path);
    free(path);
}

static void test_json_lines_with_every_kind_of_bad_line(void **state)
{
    static const char data[] = "{\"id\":\"a\",\"text\":\"xin chào\"}\n"
                               "{\"id\":2,\"text\":\"bad \xff byte\"}\n"
                               "{\"id\":3,\"text\":\"nul \\u0000 here\"}\n"
                               "{\"id\":4,\"text\":\n"
                               "{\"id\":5}\n"
                               "{\"id\":6,\"text\":42}\n"
                               "[1,2]\n"
                               "\n"
                               "{\"id\":\"z\",\"text\":\"cuối\"}\r\n";
    const expected want[] = {
        {SL_OK, 1, 0, "xin chào", "\"a\""},      {SL_ERR_INVALID_UTF8, 2, 20, NULL, "2"},
        {SL_ERR_NUL_BYTE, 3, 20, NULL, "3"},     {SL_ERR_JSON, 4, SL_NO_POS, NULL, NULL},
        {SL_ERR_MISSING_FIELD, 5, 0, NULL, "5"}, {SL_ERR_MISSING_FIELD, 6, 15, NULL, "6"},
        {SL_ERR_JSON, 7, 0, NULL, NULL},         {SL_OK, 9, 0, "cuối", "\"z\""},
    };
    check_file(data, sizeof data - 1, want, sizeof want / sizeof want[0], false, 0);
}

static void test_raw_nul_byte_position(void **state)
{
    static const char data[] = "{\"text\":\"a\0b\"}\n{\"text\":\"ok\"}";
    const expected want[] = {
        {SL_ERR_NUL_BYTE, 1, 10, NULL, NULL},
        {SL_OK, 2, 0, "ok", NULL},
    };
    check_file(data, sizeof data - 1, want, 2, false, 0);
}

static void test_too_long_line_is_skipped_not_fatal(void **state)
{
    char data[300];
    memset(data, 'x', 200);
    strcpy(data + 200, "\n{\"text\":\"after\"}\n");
    const expected want[] = {
        {SL_ERR_TOO_LARGE, 1, SL_NO_POS, NULL, NULL},
        {SL_OK, 2, 0, "after", NULL},
    };
    check_file(data, strlen(data), want, 2, false, 64);
}

static void test_plain_text_lines(void **state)
{
    static const char data[] = "một\r\n\nhai";
    const expected want[] = {
        {SL_OK, 1, 0, "một", NULL},
        {SL_OK, 2, 0, "", NULL},
        {SL_OK, 3, 0, "hai", NULL},
    };
    check_file(data, sizeof data - 1, want, 3, true, 0);
}

static void test_missing_file_reports_and_goes_on(void **state)
{
    char *good = write_temp("{\"text\":\"x\"}\n", 13);
    char *paths[] = {"/nonexistent/sangloc/input.jsonl", good};
    sl_input in = {.paths = paths, .npaths = 2};
    sl_input_record rec;
    assert_int_equal(sl__input_next(&in, &rec), -1);
    assert_int_equal(sl__input_next(&in, &rec), 1);
    assert_string_equal(rec.file, good);
    assert_int_equal(sl__input_next(&in, &rec), 0);
    sl__input_close(&in);
    unlink(good);
    free(good);
}

static void test_json_objects_and_raw_ids(void **state)
{
    static const char data[] = "{\"id\":10158812345678901,\"text\":\"a\",\"label\":\"hate\"}\n"
                               "\n"
                               "{\"id\":\"x\",\"text\":\"b\",\"text\":\"c\"}\n";
    char *path = write_temp(data, sizeof data - 1);
    char *paths[] = {path};
    sl_input in = {.paths = paths, .npaths = 1, .json_objects = true};
    sl_input_record rec;
    assert_int_equal(sl__input_next(&in, &rec), 1);
    assert_false(rec.has_error);
    assert_string_equal(rec.id_json, "10158812345678901");
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(rec.object, "label");
    assert_true(cJSON_IsString(label));
    assert_string_equal(label->valuestring, "hate");
    assert_non_null(rec.fields);
    assert_int_equal(sl__input_next(&in, &rec), 1); /* the blank line is skipped, counted */
    assert_int_equal(rec.line, 3);
    assert_true(rec.has_error);
    assert_int_equal(rec.error.code, SL_ERR_JSON);
    assert_int_equal(rec.error.byte, 21);
    assert_int_equal(rec.error.line, 3);
    assert_null(rec.object);
    assert_string_equal(rec.id_json, "\"x\"");
    assert_int_equal(sl__input_next(&in, &rec), 0);
    sl__input_close(&in);
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_lines_with_every_kind_of_bad_line),
        cmocka_unit_test(test_raw_nul_byte_position),
        cmocka_unit_test(test_too_long_line_is_skipped_not_fatal),
        cmocka_unit_test(test_plain_text_lines),
        cmocka_unit_test(test_missing_file_reports_and_goes_on),
        cmocka_unit_test(test_json_objects_and_raw_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
