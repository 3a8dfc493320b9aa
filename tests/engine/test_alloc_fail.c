/* Fault injection: fail the Nth allocation, for every N, while building an engine (policy,
 * matcher, model, bank) and while screening posts. Each run must end in a clean error
 * (SL_ERR_NOMEM or an error verdict), never a crash; the sanitizer build also proves that
 * nothing leaks on any of those paths. Allocation calls made inside the library's own objects
 * are wrapped at link time (-Wl,--wrap=malloc,...), so ICU and Hyperscan are not affected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sangloc/engine.h"
#include "sangloc/reload.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

static long countdown = -1; /* allocations left before one fails; -1: never fail */
static long failures;

static bool should_fail(void)
{
    if (countdown < 0) return false;
    if (countdown-- == 0) {
        failures++;
        return true;
    }
    return false;
}

void *__wrap_malloc(size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : __real_realloc(p, n);
}

static const sl_engine_options options = {
    .policy_path = SL_SOURCE_DIR "/policies/default.yaml",
    .model_path = SL_SOURCE_DIR "/models/default.slm",
    .cache_dir = "", /* no cache: the compile path is the one with the most allocations */
};

static void test_engine_build_fails_cleanly_at_every_allocation(void **state)
{
    long n = 0;
    for (;; n++) {
        sl_engine *e = NULL;
        sl_error err = {0};
        failures = 0;
        countdown = n;
        sl_status st = sl_engine_new(&options, &e, &err);
        countdown = -1;
        if (!failures) { /* every allocation succeeded: done */
            assert_int_equal(st, SL_OK);
            sl_engine_free(e);
            break;
        }
        if (st == SL_OK) {
            sl_engine_free(e); /* a failure that was handled by a fallback is fine too */
        } else {
            assert_null(e);
            assert_true(err.message[0] != '\0' || st == SL_ERR_NOMEM);
        }
    }
    printf("engine build: %ld allocation points each failed once\n", n);
    assert_true(n > 10);
}

static void test_screening_fails_cleanly_at_every_allocation(void **state)
{
    static const char *const posts[] = {
        "đ.m thằng ngu vl, gọi 0912.345.678 nhé",
        "TÀI LIỆU MẬT\nhttps://nhan-qua-mien-phi.example/x",
        "Cảm ơn anh chị đã phản hồi rất rõ ràng về dự án",
    };
    sl_engine *e = NULL;
    sl_error err = {0};
    assert_int_equal(sl_engine_new(&options, &e, &err), SL_OK);
    for (size_t p = 0; p < sizeof posts / sizeof posts[0]; p++) {
        long n = 0;
        for (;; n++) {
            failures = 0;
            countdown = n;
            sl_scan *scan = sl_scan_new(e);
            const sl_verdict *v = NULL;
            sl_status st = scan ? sl_engine_check(e, scan, posts[p], strlen(posts[p]), &v) : SL_OK;
            size_t len = 0;
            if (scan && st == SL_OK)
                sl_scan_verdict_json(scan, "1", posts[p], strlen(posts[p]), &len);
            countdown = -1;
            if (st == SL_OK && scan)
                assert_non_null(v);
            else if (scan)
                assert_int_equal(st, SL_ERR_NOMEM);
            sl_scan_free(scan);
            if (!failures) break;
        }
        printf("post %zu: %ld allocation points each failed once\n", p, n);
    }
    sl_engine_free(e);
}

/* A reload slot (small fixture policy, so every point is cheap): making it and reloading it
 * fail cleanly at every allocation, and a failed reload keeps the engine it had. */
static void test_reload_fails_cleanly_at_every_allocation(void **state)
{
    const sl_engine_options fixture = {
        .policy_path = SL_SOURCE_DIR "/tests/fixtures/engine/policy.yaml", .cache_dir = ""};
    long n = 0;
    for (;; n++) {
        sl_engine_slot *slot = NULL;
        sl_error err = {0};
        failures = 0;
        countdown = n;
        sl_status st = sl_engine_slot_new(&fixture, &slot, &err);
        uint64_t gen = st == SL_OK ? sl_engine_slot_generation(slot) : 0;
        const sl_engine *before = st == SL_OK ? sl_engine_slot_get(slot) : NULL;
        sl_status rst = st == SL_OK ? sl_engine_slot_reload(slot, NULL, &err) : SL_OK;
        countdown = -1;
        if (st == SL_OK) {
            const sl_engine *now = sl_engine_slot_get(slot);
            if (rst != SL_OK) { /* the old engine stays */
                assert_ptr_equal(now, before);
                assert_int_equal(sl_engine_slot_generation(slot), gen);
            } else {
                assert_int_equal(sl_engine_slot_generation(slot), gen + 1);
            }
            sl_engine_release(now);
        } else {
            assert_null(slot);
        }
        sl_engine_release(before);
        sl_engine_slot_free(slot);
        if (!failures) break;
    }
    printf("reload slot: %ld allocation points each failed once\n", n);
    assert_true(n > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_build_fails_cleanly_at_every_allocation),
        cmocka_unit_test(test_screening_fails_cleanly_at_every_allocation),
        cmocka_unit_test(test_reload_fails_cleanly_at_every_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
