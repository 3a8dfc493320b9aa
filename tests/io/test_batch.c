/* The batch pool: verdicts in input order whatever the thread count, the same bytes as a scan
 * on the caller's thread, error items located, engines switched between batches (and freed
 * after their scans are released), a custom renderer, misuse refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sangloc/batch.h"

#define FIXTURE SL_SOURCE_DIR "/tests/fixtures/engine/policy.yaml"
#define NPOSTS  300

static sl_engine *open_engine(size_t max_text)
{
    sl_engine_options o = {.policy_path = FIXTURE,
                           .cache_dir = SL_BINARY_DIR "/test-cache",
                           .max_text_bytes = max_text};
    sl_engine *e = NULL;
    sl_error err = {0};
    sl_status st = sl_engine_new(&o, &e, &err);
    if (st) fprintf(stderr, "engine: %s (line %zu)\n", err.message, err.line);
    assert_int_equal(st, SL_OK);
    return e;
}

static const char *const texts[] = {
    "Cảm ơn anh chị đã trả lời rõ ràng.",
    "óc chó, đồ ngốc",
    "tao sẽ đánh chết",
    "gọi 0912 345 678 nhé",
    "TUYỆT MẬT\nKế hoạch năm sau",
    "",
};
#define NTEXTS (sizeof texts / sizeof texts[0])

/* A verdict line without its timing, which differs from run to run. */
static char *untimed(const char *json)
{
    char *s = strdup(json);
    char *us = strstr(s, ",\"us\":");
    if (us) {
        char *end = us + 6;
        while (*end >= '0' && *end <= '9') end++;
        memmove(us, end, strlen(end) + 1);
    }
    return s;
}

static void fill(sl_batch_item *items, char ids[][16], size_t n)
{
    memset(items, 0, n * sizeof *items);
    for (size_t i = 0; i < n; i++) {
        snprintf(ids[i], sizeof ids[i], "\"p%zu\"", i);
        items[i].id_json = ids[i];
        items[i].line = i + 1;
        if (i % 7 == 3) { /* a line the reader could not parse */
            items[i].has_error = true;
            sl_error_set(&items[i].error, SL_ERR_JSON, 4, "malformed JSON near byte 4");
            continue;
        }
        items[i].text = texts[i % NTEXTS];
        items[i].text_len = strlen(items[i].text);
    }
}

static void test_threads_give_the_callers_verdicts_in_order(void **state)
{
    sl_engine *e = open_engine(0);
    static sl_batch_item items[NPOSTS];
    static char ids[NPOSTS][16];
    /* the reference: one scan on this thread, the way a single post is screened */
    sl_scan *scan = sl_scan_new(e);
    assert_non_null(scan);
    char *want[NPOSTS];
    fill(items, ids, NPOSTS);
    for (size_t i = 0; i < NPOSTS; i++) {
        const sl_verdict *v;
        if (items[i].has_error) {
            sl_error located = items[i].error;
            located.line = items[i].line;
            v = sl_scan_error_verdict(scan, &located);
        } else {
            assert_int_equal(sl_engine_check(e, scan, items[i].text, items[i].text_len, &v), SL_OK);
        }
        size_t n;
        const char *json =
            sl_scan_verdict_json(scan, items[i].id_json, items[i].has_error ? NULL : items[i].text,
                                 items[i].text_len, &n);
        assert_non_null(json);
        want[i] = untimed(json);
    }
    sl_scan_free(scan);

    const int threads[] = {0, 1, 3, 8};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        sl_batch_pool *pl = NULL;
        assert_int_equal(sl_batch_pool_new(&(sl_batch_options){.threads = threads[t]}, &pl), SL_OK);
        for (int round = 0; round < 3; round++) {
            fill(items, ids, NPOSTS);
            assert_int_equal(sl_batch_run(pl, e, items, NPOSTS), SL_OK);
            for (size_t i = 0; i < NPOSTS; i++) {
                assert_non_null(items[i].out);
                assert_int_equal(strlen(items[i].out), items[i].out_len);
                char *got = untimed(items[i].out);
                assert_string_equal(got, want[i]);
                free(got);
                if (items[i].has_error) {
                    assert_int_equal(items[i].action, SL_ACTION_REVIEW);
                    char line[32];
                    snprintf(line, sizeof line, "\"line\":%zu", i + 1);
                    assert_non_null(strstr(items[i].out, line));
                }
            }
            sl_batch_items_clear(items, NPOSTS);
            assert_null(items[0].out);
        }
        assert_int_equal(sl_batch_run(pl, e, items, 0), SL_OK); /* an empty batch */
        sl_batch_pool_free(pl);
    }
    for (size_t i = 0; i < NPOSTS; i++) free(want[i]);
    sl_engine_free(e);
}

static void test_engine_is_chosen_per_batch(void **state)
{
    sl_engine *a = open_engine(0);
    sl_engine *b = open_engine(5); /* texts above 5 bytes are too large for this one */
    sl_batch_pool *pl = NULL;
    assert_int_equal(sl_batch_pool_new(&(sl_batch_options){.threads = 2}, &pl), SL_OK);
    sl_batch_item items[8];
    char ids[8][16];
    for (int round = 0; round < 6; round++) {
        sl_engine *e = round % 2 ? b : a;
        fill(items, ids, 3); /* items 0..2 have texts longer than 5 bytes */
        assert_int_equal(sl_batch_submit(pl, e, items, 3), SL_OK);
        assert_int_equal(sl_batch_submit(pl, e, items, 3), SL_ERR_ARG); /* one at a time */
        assert_int_equal(sl_batch_wait(pl), SL_OK);
        for (int i = 0; i < 3; i++) {
            bool too_large = strstr(items[i].out, "\"too_large\"") != NULL;
            assert_int_equal(too_large, e == b);
        }
        sl_batch_items_clear(items, 3);
    }
    /* the pool holds scans of b; once released, b can go while the pool stays */
    sl_batch_release_scans(pl);
    sl_engine_free(b);
    fill(items, ids, 8);
    assert_int_equal(sl_batch_run(pl, a, items, 8), SL_OK);
    assert_null(strstr(items[0].out, "too_large"));
    sl_batch_items_clear(items, 8);
    sl_batch_pool_free(pl);
    sl_engine_free(a);
}

static atomic_int calls;

static char *short_render(void *ctx, sl_scan *scan, const sl_verdict *v, const sl_batch_item *it,
                          size_t *len)
{
    atomic_fetch_add(&calls, 1);
    char *s = malloc(64);
    int n = snprintf(s, 64, "%s %s %s", (const char *)ctx, it->id_json,
                     v->has_error ? "error" : sl_action_name(v->action));
    *len = (size_t)n;
    return s;
}

static void test_custom_renderer(void **state)
{
    sl_engine *e = open_engine(0);
    sl_batch_pool *pl = NULL;
    sl_batch_options o = {.threads = 4, .render = short_render, .render_ctx = "ctx"};
    assert_int_equal(sl_batch_pool_new(&o, &pl), SL_OK);
    sl_batch_item items[20];
    char ids[20][16];
    fill(items, ids, 20);
    atomic_store(&calls, 0);
    assert_int_equal(sl_batch_run(pl, e, items, 20), SL_OK);
    assert_int_equal(atomic_load(&calls), 20);
    assert_string_equal(items[1].out, "ctx \"p1\" review"); /* two insults: review */
    assert_string_equal(items[3].out, "ctx \"p3\" error");
    assert_string_equal(items[0].out, "ctx \"p0\" allow");
    sl_batch_items_clear(items, 20);
    sl_batch_pool_free(pl);
    sl_engine_free(e);
}

static void test_bad_arguments(void **state)
{
    sl_batch_pool *pl = NULL;
    assert_int_equal(sl_batch_pool_new(&(sl_batch_options){.threads = -1}, &pl), SL_ERR_ARG);
    assert_int_equal(
        sl_batch_pool_new(&(sl_batch_options){.threads = SL_BATCH_MAX_THREADS + 1}, &pl),
        SL_ERR_ARG);
    assert_null(pl);
    assert_int_equal(sl_batch_pool_new(&(sl_batch_options){.threads = 2}, &pl), SL_OK);
    assert_int_equal(sl_batch_submit(pl, NULL, NULL, 0), SL_ERR_ARG);
    assert_int_equal(sl_batch_wait(pl), SL_OK); /* nothing submitted */
    sl_batch_pool_free(pl);
    sl_batch_pool_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_give_the_callers_verdicts_in_order),
        cmocka_unit_test(test_engine_is_chosen_per_batch),
        cmocka_unit_test(test_custom_renderer),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
