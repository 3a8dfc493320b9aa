/* One batch of a stream worker (worker/screen.h) against a real SQLite store: poison records of
 * every kind are set aside with their error and byte, good ones are stored once (a repeat in the
 * batch and a redelivered batch are "exists" and change nothing), hides carry their notice, and
 * the published form names the post and its stored verdict. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store/store_fixture.h"
#include "worker/screen.h"

#define POLICY SL_SOURCE_DIR "/tests/fixtures/engine/policy.yaml"

static sl_engine *open_engine(void)
{
    sl_engine_options o = {.policy_path = POLICY, .cache_dir = SL_BINARY_DIR "/test-cache"};
    sl_engine *e = NULL;
    sl_error err = {0};
    sl_status st = sl_engine_new(&o, &e, &err);
    if (st) fprintf(stderr, "engine: %s (line %zu)\n", err.message, err.line);
    assert_int_equal(st, SL_OK);
    return e;
}

static int64_t count(fixture *f, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

#define GOOD(id, text)                                                                             \
    "{\"id\":\"" id                                                                                \
    "\",\"channel\":\"web\",\"kind\":\"comment\",\"author\":\"u1\",\"text\":\"" text "\"}"

static void batch_of_every_kind(void **state)
{
    fixture f;
    fixture_init(&f);
    sl_store *store = fixture_open(&f);
    sl_engine *e = open_engine();
    sl__screen *s = NULL;
    assert_int_equal(sl__screen_new(2, &s), SL_OK);

    char longid[400];
    snprintf(longid, sizeof longid,
             "{\"id\":\"%0300d\",\"channel\":\"web\",\"kind\":\"comment\",\"author\":\"u\","
             "\"text\":\"x\"}",
             7);
    static const char nul[] = "{\"id\":\"n\",\"channel\":\"web\",\"kind\":\"comment\","
                              "\"author\":\"u\",\"text\":\"a\0b\"}";
    const char *rec[] = {
        GOOD("a1", "Cảm ơn anh chị đã trả lời rõ ràng."),
        "{\"id\":\"b1\",\"channel\":\"web\",\"text\":", /* bad JSON: ends early */
        GOOD("a2", "tao sẽ đánh chết"),
        "{\"id\":\"u8\",\"channel\":\"web\",\"kind\":\"comment\",\"author\":\"u\","
        "\"text\":\"\xC3\x28\"}",
        nul,
        longid,
        "{\"id\":\"m\",\"channel\":\"web\",\"kind\":\"comment\",\"text\":\"no author\"}",
        NULL,                                        /* an empty value */
        GOOD("a1", "the same id again, other text"), /* a repeat inside the batch */
    };
    size_t lens[] = {0, 0, 0, 0, sizeof nul - 1, 0, 0, 0, 0};
    enum { N = sizeof rec / sizeof rec[0] };
    sl__post posts[N];
    for (size_t i = 0; i < N; i++)
        posts[i] = (sl__post){.data = rec[i],
                              .len = lens[i]  ? lens[i]
                                     : rec[i] ? strlen(rec[i])
                                              : 0};
    assert_int_equal(sl__screen_prepare(s, e, posts, N), SL_OK);
    sl__post_fate want[N] = {SL__POST_NEW,    SL__POST_POISON, SL__POST_NEW,
                             SL__POST_POISON, SL__POST_POISON, SL__POST_POISON,
                             SL__POST_POISON, SL__POST_POISON, SL__POST_NEW};
    for (size_t i = 0; i < N; i++) assert_int_equal(posts[i].fate, want[i]);
    assert_int_equal(posts[1].error.code, SL_ERR_JSON);
    assert_int_equal(posts[1].error.byte, strlen(rec[1])); /* where the record ended */
    assert_int_equal(posts[3].error.code, SL_ERR_JSON);
    assert_int_not_equal(posts[3].error.byte, SL_NO_POS);
    assert_int_equal(posts[4].error.code, SL_ERR_JSON);
    assert_int_equal(posts[5].error.code, SL_ERR_TOO_LARGE);
    assert_int_equal(posts[6].error.code, SL_ERR_MISSING_FIELD);
    assert_int_equal(posts[7].error.code, SL_ERR_JSON);

    sl_error err = {0};
    assert_int_equal(sl__screen_store(s, store, "default", posts, N, &err), SL_OK);
    assert_int_equal(posts[0].fate, SL__POST_STORED);
    assert_int_equal(posts[2].fate, SL__POST_STORED);
    assert_int_equal(posts[8].fate, SL__POST_EXISTS);
    assert_int_equal(posts[8].item, posts[0].item);
    assert_int_equal(count(&f, "SELECT count(*) FROM items"), 2);
    int64_t audit = count(&f, "SELECT count(*) FROM audit_log");

    /* the published form: key ["channel",id], the stored verdict, created / duplicate */
    sl_buf key = {0}, val = {0};
    assert_int_equal(sl__screen_announce(s, store, "default", &posts[0], &key, &val, &err), SL_OK);
    assert_int_equal(key.len, strlen("[\"web\",\"a1\"]"));
    assert_memory_equal(key.data, "[\"web\",\"a1\"]", key.len);
    assert_non_null(strstr(val.data, "\"status\":\"created\""));
    assert_non_null(strstr(val.data, "\"verdict\":{"));
    assert_int_equal(sl__screen_announce(s, store, "default", &posts[8], &key, &val, &err), SL_OK);
    assert_non_null(strstr(val.data, "\"status\":\"duplicate\""));
    assert_non_null(strstr(val.data, "\"id\":\"a1\""));

    /* the batch again (a redelivery): every good post exists, nothing is written */
    assert_int_equal(sl__screen_prepare(s, e, posts, N), SL_OK);
    assert_int_equal(sl__screen_store(s, store, "default", posts, N, &err), SL_OK);
    assert_int_equal(posts[0].fate, SL__POST_EXISTS);
    assert_int_equal(posts[2].fate, SL__POST_EXISTS);
    assert_int_equal(count(&f, "SELECT count(*) FROM items"), 2);
    assert_int_equal(count(&f, "SELECT count(*) FROM audit_log"), audit);

    sl_buf_free(&key);
    sl_buf_free(&val);
    sl__screen_free(s);
    sl_engine_free(e);
    sl_store_close(store);
    fixture_done(&f);
}

/* A store refusal of one item sets it aside and stores the rest; an unknown org fails the batch
 * with nothing stored. */
static void store_errors(void **state)
{
    fixture f;
    fixture_init(&f);
    sl_store *store = fixture_open(&f);
    sl_engine *e = open_engine();
    sl__screen *s = NULL;
    assert_int_equal(sl__screen_new(1, &s), SL_OK);
    const char *rec[] = {GOOD("x1", "một"), GOOD("x2", "hai")};
    sl__post posts[2];
    for (size_t i = 0; i < 2; i++) posts[i] = (sl__post){.data = rec[i], .len = strlen(rec[i])};
    assert_int_equal(sl__screen_prepare(s, e, posts, 2), SL_OK);
    sl_error err = {0};
    assert_int_not_equal(sl__screen_store(s, store, "no-such-org", posts, 2, &err), SL_OK);
    assert_int_equal(posts[0].fate, SL__POST_NEW);
    assert_int_equal(count(&f, "SELECT count(*) FROM items"), 0);
    assert_int_equal(sl__screen_store(s, store, "default", posts, 2, &err), SL_OK);
    assert_int_equal(count(&f, "SELECT count(*) FROM items"), 2);
    sl__screen_free(s);
    sl_engine_free(e);
    sl_store_close(store);
    fixture_done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(batch_of_every_kind),
        cmocka_unit_test(store_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
