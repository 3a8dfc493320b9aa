/* Request parsing of the service (src/server/request.c, json.c): envelopes and the byte of each
 * error, items as /v1/items reads them (required fields, parent, ids, limits), claim bodies,
 * query strings and path segments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "server/request.h"

static sl_status envelope(const char *body, sl__envelope *env, sl_error *err)
{
    *err = (sl_error){0};
    return sl__req_envelope(body, strlen(body), 3, env, err);
}

static void test_envelope(void **state)
{
    sl__envelope env;
    sl_error err;
    const char *b = " {\"x\":[1,{\"a\":null}], \"items\" : [ {\"id\":1} ,{}]} ";
    assert_int_equal(envelope(b, &env, &err), SL_OK);
    assert_true(env.has_items);
    assert_false(env.has_text);
    assert_int_equal(env.n, 2);
    assert_memory_equal(b + env.items[0].off, "{\"id\":1}", env.items[0].len);
    assert_memory_equal(b + env.items[1].off, "{}", 2);
    sl__envelope_free(&env);

    assert_int_equal(envelope("{\"text\":\"a\"}", &env, &err), SL_OK);
    assert_true(env.has_text);
    assert_false(env.has_items);
    sl__envelope_free(&env);

    /* each malformed body, and the byte where it goes wrong */
    static const struct {
        const char *body;
        size_t byte;
    } bad[] = {
        {"", 0},
        {"[]", 0},
        {"{\"text\": \"a\",}", 13},
        {"{\"items\":[{\"id\":1}", 18},
        {"{\"items\":[1]}", 10},
        {"{\"items\":{}}", 9},
        {"{\"a\":1,\"a\":2}", 7},
        {"{\"a\":01}", 6},
        {"{\"a\":\"\x01\"}", 6},
        {"{\"a\":\"\xff\"}", 6},
        {"{\"a\":tru}", 5},
        {"{\"a\":1} x", 8},
        {"{\"a\":\"\\x\"}", 6},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(envelope(bad[i].body, &env, &err), SL_ERR_JSON);
        if (err.byte != bad[i].byte)
            fail_msg("%s: byte %zu, want %zu", bad[i].body, err.byte, bad[i].byte);
    }
    /* more items than allowed */
    assert_int_equal(envelope("{\"items\":[{},{},{},{}]}", &env, &err), SL_ERR_TOO_LARGE);
    /* nesting is bounded */
    char deep[300];
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    char body[400];
    snprintf(body, sizeof body, "{\"x\":%s}", deep);
    assert_int_equal(envelope(body, &env, &err), SL_ERR_JSON);
}

static sl_status item(const char *obj, sl__ingest_fields *f, sl_error *err, sl_record *rec,
                      sl_buf *idb, sl_buf *pb)
{
    *err = (sl_error){0};
    sl__span sp = {0, strlen(obj)};
    return sl__req_ingest_item(obj, sp, rec, idb, pb, f, err);
}

static void test_ingest_item(void **state)
{
    sl_record rec = {0};
    sl_buf idb = {0}, pb = {0};
    sl__ingest_fields f;
    sl_error err;
    const char *ok =
        "{\"id\":\"c\\u0031\",\"channel\":\"web\",\"kind\":\"comment\",\"author\":\"u\","
        "\"text\":\"\",\"parent\":\"p\\u00e9\",\"extra\":[1]}";
    assert_int_equal(item(ok, &f, &err, &rec, &idb, &pb), SL_OK);
    assert_int_equal(f.id.len, 2);
    assert_memory_equal(f.id.data, "c1", 2);
    assert_int_equal(f.id_json_len, 9); /* "c\u0031", echoed as written */
    assert_memory_equal(f.parent.data, "p\xc3\xa9", 3);
    assert_non_null(f.text.data);
    assert_int_equal(f.text.len, 0);
    assert_null(f.created_at.data);

    assert_int_equal(
        item("{\"id\":42,\"channel\":\"w\",\"kind\":\"k\",\"author\":\"a\",\"text\":\"x\","
             "\"parent\":null}",
             &f, &err, &rec, &idb, &pb),
        SL_OK);
    assert_memory_equal(f.id.data, "42", 2);
    assert_null(f.parent.data);

    /* required fields, each missing in turn */
    static const char *const missing[] = {
        "{\"channel\":\"w\",\"kind\":\"k\",\"author\":\"a\",\"text\":\"x\"}",
        "{\"id\":\"i\",\"kind\":\"k\",\"author\":\"a\",\"text\":\"x\"}",
        "{\"id\":\"i\",\"channel\":\"w\",\"author\":\"a\",\"text\":\"x\"}",
        "{\"id\":\"i\",\"channel\":\"w\",\"kind\":\"k\",\"text\":\"x\"}",
        "{\"id\":\"i\",\"channel\":\"w\",\"kind\":\"k\",\"author\":\"a\"}",
        "{\"id\":\"\",\"channel\":\"w\",\"kind\":\"k\",\"author\":\"a\",\"text\":\"x\"}",
    };
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        sl_status st = item(missing[i], &f, &err, &rec, &idb, &pb);
        if (st != SL_ERR_MISSING_FIELD && st != SL_ERR_JSON)
            fail_msg("%s: %s", missing[i], sl_status_name(st));
    }
    /* wrong types and duplicate keys carry a byte inside the item */
    const char *bad =
        "{\"id\":\"i\",\"channel\":\"w\",\"kind\":\"k\",\"author\":\"a\",\"text\":\"x\","
        "\"parent\":7}";
    assert_int_equal(item(bad, &f, &err, &rec, &idb, &pb), SL_ERR_JSON);
    assert_int_equal(err.byte, strlen(bad) - 2);
    assert_int_equal(item("{\"id\":\"i\",\"id\":\"j\"}", &f, &err, &rec, &idb, &pb), SL_ERR_JSON);
    assert_true(err.byte < 20);
    /* a kind over the store's limit */
    char big[200];
    snprintf(big, sizeof big,
             "{\"id\":\"i\",\"channel\":\"w\",\"kind\":\"%040d\",\"author\":\"a\",\"text\":\"x\"}",
             0);
    assert_int_equal(item(big, &f, &err, &rec, &idb, &pb), SL_ERR_TOO_LARGE);
    /* the byte of an item's error is an offset in the whole body */
    const char *body = "{\"items\":[{\"id\":1,\"text\":5}]}";
    sl__span sp = {10, 17};
    assert_int_equal(sl__req_ingest_item(body, sp, &rec, &idb, &pb, &f, &err), SL_ERR_JSON);
    assert_true(err.byte >= 10 && err.byte < 27);
    sl_record_free(&rec);
    sl_buf_free(&idb);
    sl_buf_free(&pb);
}

static void test_claim(void **state)
{
    uint64_t n, lease;
    sl_error err;
#define CLAIM(s) sl__req_claim(s, strlen(s), &n, &lease, &err)
    assert_int_equal(CLAIM("{}"), SL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(lease, SL_CLAIM_DEFAULT_LEASE);
    assert_int_equal(CLAIM(" {\"n\": 1000, \"lease_seconds\": 86400} "), SL_OK);
    assert_int_equal(n, 1000);
    assert_int_equal(lease, 86400);
    assert_int_equal(CLAIM("{\"n\":1001}"), SL_ERR_JSON);
    assert_int_equal(CLAIM("{\"n\":0}"), SL_ERR_JSON);
    assert_int_equal(CLAIM("{\"n\":-1}"), SL_ERR_JSON);
    assert_int_equal(CLAIM("{\"n\":1.5}"), SL_ERR_JSON);
    assert_int_equal(CLAIM("{\"n\":\"2\"}"), SL_ERR_JSON);
    assert_int_equal(CLAIM("{\"n\":99999999999999999999999}"), SL_ERR_JSON);
    assert_int_equal(CLAIM("{\"lease_seconds\":86401}"), SL_ERR_JSON);
    assert_int_equal(CLAIM("{\"who\":1}"), SL_ERR_JSON);
    assert_int_equal(err.byte, 7);
    assert_int_equal(CLAIM("{\"n\":1,\"n\":2}"), SL_ERR_JSON);
    assert_int_equal(CLAIM(""), SL_ERR_JSON);
#undef CLAIM
}

static void test_query_and_path(void **state)
{
    sl__queue_query q;
    sl_error err;
#define Q(s) sl__req_queue_query(s, strlen(s), &q, &err)
    assert_int_equal(sl__req_queue_query(NULL, 0, &q, &err), SL_OK);
    assert_int_equal(q.limit, SL_QUEUE_DEFAULT_LIMIT);
    assert_int_equal(q.cursor_len, 0);
    assert_int_equal(Q("limit=7&cursor=ab%2Dc_"), SL_OK);
    assert_int_equal(q.limit, 7);
    assert_string_equal(q.cursor, "ab-c_");
    assert_int_equal(Q("cursor=&limit=1000"), SL_OK);
    assert_int_equal(q.limit, 1000);
    assert_int_equal(Q("limit=0"), SL_ERR_ARG);
    assert_int_equal(Q("limit=1001"), SL_ERR_ARG);
    assert_int_equal(Q("limit=1x"), SL_ERR_ARG);
    assert_int_equal(Q("limit="), SL_ERR_ARG);
    assert_int_equal(Q("limit=1&limit=2"), SL_ERR_ARG);
    assert_int_equal(err.byte, 8);
    assert_int_equal(Q("sort=age"), SL_ERR_ARG);
    assert_int_equal(Q("cursor=%zz"), SL_ERR_ARG);
    assert_int_equal(Q("cursor=a%00"), SL_ERR_ARG);
    assert_int_equal(Q("cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), SL_ERR_CURSOR); /* 35 */
#undef Q
    sl_buf out = {0};
    assert_int_equal(sl__req_path_segment("w%65b%2F%C3%A9", 14, 16, &out), SL_OK);
    assert_string_equal(out.data, "web/\xc3\xa9");
    assert_int_equal(sl__req_path_segment("", 0, 16, &out), SL_ERR_ARG);
    assert_int_equal(sl__req_path_segment("%", 1, 16, &out), SL_ERR_ARG);
    assert_int_equal(sl__req_path_segment("%00", 3, 16, &out), SL_ERR_ARG);
    assert_int_equal(sl__req_path_segment("%ff", 3, 16, &out), SL_ERR_ARG);
    assert_int_equal(sl__req_path_segment("abcde", 5, 4, &out), SL_ERR_ARG);
    sl_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_envelope),
        cmocka_unit_test(test_ingest_item),
        cmocka_unit_test(test_claim),
        cmocka_unit_test(test_query_and_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
