/* The reviewer's page's redaction (server/review.h): the query of GET /v1/items/{channel}/{id},
 * the masked spans of a verdict's personal-data hits (widened to whole characters, merged), and
 * the item's text and verdict with those bytes masked: same length, no digit of the number left,
 * every hit's excerpt taken from the masked text, the other members untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/review.h"

static void test_views_query(void **state)
{
    (void)state;
    sl__item_views v;
    sl_error err = {0};
    assert_int_equal(sl__item_views_parse(NULL, &v, &err), SL_OK);
    assert_false(v.redact || v.standard);
    assert_int_equal(sl__item_views_parse("redact=personal_data", &v, &err), SL_OK);
    assert_true(v.redact && !v.standard);
    assert_int_equal(sl__item_views_parse("lang=en&views=standard&redact=personal_data", &v, &err),
                     SL_OK);
    assert_true(v.redact && v.standard);
    assert_int_equal(sl__item_views_parse("redact=all", &v, &err), SL_ERR_ARG);
    assert_int_equal(err.byte, 7);
    assert_int_equal(sl__item_views_parse("views=standard&redact", &v, &err), SL_ERR_ARG);
    assert_int_equal(err.byte, 21);
    assert_int_equal(sl__item_views_parse("views=standardx", &v, &err), SL_ERR_ARG);
}

/* "gọi số 0912345678 nhé": "ọ" is bytes 1..3, "ố" 7..9, the number 11..20, 26 bytes */
static const char text[] = "g\xe1\xbb\x8di s\xe1\xbb\x91 0912345678 nh\xc3\xa9";

static void test_masks(void **state)
{
    (void)state;
    char verdict[1024];
    /* a phone hit; an e-mail-like hit overlapping it; a hit starting inside "ố"; an insult
       (not personal); one past the end */
    snprintf(verdict, sizeof verdict,
             "{\"hits\":[{\"rule\":\"pii.phone\",\"category\":\"personal_data\",\"start\":11,"
             "\"end\":21},{\"rule\":\"pii.email\",\"category\":\"pii\",\"start\":16,\"end\":23},"
             "{\"rule\":\"x.y\",\"category\":\"personal_data\",\"start\":8,\"end\":9},"
             "{\"rule\":\"insult.people\",\"category\":\"insult\",\"start\":0,\"end\":5},"
             "{\"rule\":\"pii.late\",\"category\":\"personal_data\",\"start\":900,\"end\":999}]}");
    sl__mask *m = NULL;
    size_t n = 0;
    sl_error err = {0};
    assert_int_equal(sl__review_masks(text, strlen(text), verdict, strlen(verdict), &m, &n, &err),
                     SL_OK);
    assert_int_equal(n, 2);
    assert_int_equal(m[0].start, 7); /* widened to the whole "ố" */
    assert_int_equal(m[0].end, 10);
    assert_string_equal(m[0].rules, "\"x.y\"");
    assert_int_equal(m[1].start, 11);
    assert_int_equal(m[1].end, 23);
    assert_string_equal(m[1].rules, "\"pii.phone\",\"pii.email\"");
    free(m);
    assert_int_equal(sl__review_masks(text, strlen(text), "{\"hits\":[1]}", 12, &m, &n, &err),
                     SL_ERR_JSON);
    assert_null(m);
}

static void test_item_text(void **state)
{
    (void)state;
    const char *verdict =
        "{\"id\":\"c\",\"action\":\"review\",\"hits\":[{\"rule\":\"pii.phone\",\"category\":"
        "\"personal_data\",\"start\":11,\"end\":21,\"text\":\"0912345678\",\"weight\":0.7},"
        "{\"rule\":\"model.hate\",\"category\":\"hate\",\"start\":0,\"end\":26,\"text\":"
        "\"g\xe1\xbb\x8di s\xe1\xbb\x91 0912345678 nh\xc3\xa9\",\"score\":0.8}],\"label\":"
        "\"hate\",\"offensive_spans\":[[0,26]]}";
    sl_store_record rec = {.text = text, .verdict_json = verdict};
    sl__item_views v = {.redact = true, .standard = true};
    sl_buf b = {0};
    sl_error err = {0};
    assert_int_equal(sl__review_item_text(&rec, &v, &b, &err), SL_OK);
    assert_int_equal(sl_buf_append(&b, "", 1), SL_OK);
    assert_null(strstr(b.data, "0912"));
    assert_non_null(strstr(b.data, ",\"text\":\"g\xe1\xbb\x8di s\xe1\xbb\x91 ********** nh"));
    /* both hits' excerpts from the masked text; everything else as stored */
    assert_non_null(strstr(b.data, "\"end\":21,\"text\":\"**********\",\"weight\":0.7}"));
    assert_non_null(strstr(b.data, "\"end\":26,\"text\":\"g\xe1\xbb\x8di s\xe1\xbb\x91 **********"
                                   " nh\xc3\xa9\",\"score\":0.8}"));
    assert_non_null(strstr(b.data, "\"label\":\"hate\",\"offensive_spans\":[[0,26]]}"));
    assert_non_null(strstr(b.data, ",\"redacted\":[{\"start\":11,\"end\":21,\"rules\":"
                                   "[\"pii.phone\"]}]"));
    assert_non_null(strstr(b.data, ",\"standard\":\""));
    /* unredacted: the verdict byte for byte */
    sl_buf_clear(&b);
    v.redact = false;
    v.standard = false;
    assert_int_equal(sl__review_item_text(&rec, &v, &b, &err), SL_OK);
    assert_int_equal(sl_buf_append(&b, "", 1), SL_OK);
    assert_non_null(strstr(b.data, verdict));
    sl_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_views_query),
        cmocka_unit_test(test_masks),
        cmocka_unit_test(test_item_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
