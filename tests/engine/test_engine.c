/* The engine end to end on a fixture policy: scoring (noisy-or per category, per-category
 * thresholds), spans in the original text through obfuscation, every error verdict, the verdict
 * JSON (parsed back with cJSON), and the same verdicts from scans on several threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "sangloc/engine.h"

#define FIXTURE SL_SOURCE_DIR "/tests/fixtures/engine/policy.yaml"

static sl_engine *engine;

static int setup(void **state)
{
    sl_engine_options o = {.policy_path = FIXTURE, .cache_dir = SL_BINARY_DIR "/test-cache"};
    sl_error err = {0};
    sl_status st = sl_engine_new(&o, &engine, &err);
    if (st) fprintf(stderr, "engine: %s (line %zu)\n", err.message, err.line);
    return st ? -1 : 0;
}

static int teardown(void **state)
{
    sl_engine_free(engine);
    return 0;
}

static const sl_verdict *check(sl_scan *scan, const char *text)
{
    const sl_verdict *v = NULL;
    assert_int_equal(sl_engine_check(engine, scan, text, strlen(text), &v), SL_OK);
    assert_non_null(v);
    return v;
}

typedef struct action_case {
    const char *text;
    sl_action action;
    const char *rule;    /* a rule that must hit, or NULL for none */
    const char *excerpt; /* the original bytes that rule's span must cover exactly */
} action_case;

static void test_actions_and_spans(void **state)
{
    static const action_case cases[] = {
        {"Cảm ơn anh chị đã trả lời rõ ràng.", SL_ACTION_ALLOW, NULL, NULL},
        {"Đề nghị UBND giải thích vì sao chậm tiến độ.", SL_ACTION_ALLOW, NULL, NULL},
        /* one insult: 0.5 -> warn */
        {"Mày đúng là óc chó", SL_ACTION_WARN, "insult.words", "óc chó"},
        /* two insults: 1 - 0.5 * 0.5 = 0.75 -> review */
        {"óc chó, đồ ngốc", SL_ACTION_REVIEW, "insult.words", "óc chó"},
        /* obfuscated and without diacritics: the span is still the original bytes */
        {"thằng o.c c.h.o", SL_ACTION_WARN, "insult.words", "o.c c.h.o"},
        /* threat: 0.9 reaches the category's own hide threshold 0.8 */
        {"tao sẽ đánh chết", SL_ACTION_HIDE, "threat.kill", "đánh chết"},
        {"gọi 0912 345 678 nhé", SL_ACTION_REVIEW, "pii.phone", "0912 345 678"},
        {"Hotline 1900 1234", SL_ACTION_ALLOW, NULL, NULL},
        {"TUYỆT MẬT\nKế hoạch năm sau", SL_ACTION_HIDE, "confidential.marking", NULL},
        {"vào https://lua-dao.example/qua nhận quà", SL_ACTION_REVIEW, "links.bad",
         "https://lua-dao.example/qua"},
        {"vào https://example.org/qua nhận quà", SL_ACTION_ALLOW, NULL, NULL},
    };
    sl_scan *scan = sl_scan_new(engine);
    assert_non_null(scan);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const action_case *c = &cases[i];
        const sl_verdict *v = check(scan, c->text);
        if (v->action != c->action)
            fail_msg("case %zu \"%s\": action %s, expected %s (score %.3f)", i, c->text,
                     sl_action_name(v->action), sl_action_name(c->action), v->score);
        assert_false(v->has_error);
        if (!c->rule) {
            assert_int_equal(v->nhits, 0);
            continue;
        }
        bool found = false;
        for (size_t h = 0; h < v->nhits; h++) {
            const sl_verdict_hit *hit = &v->hits[h];
            assert_true(hit->start < hit->end && hit->end <= strlen(c->text));
            assert_non_null(hit->cite);
            if (strcmp(hit->rule, c->rule)) continue;
            size_t n = hit->end - hit->start;
            if (!c->excerpt ||
                (n == strlen(c->excerpt) && !memcmp(c->text + hit->start, c->excerpt, n)))
                found = true;
        }
        if (!found)
            fail_msg("case %zu \"%s\": no hit of %s covering \"%s\"", i, c->text, c->rule,
                     c->excerpt ? c->excerpt : "(any)");
    }
    sl_scan_free(scan);
}

static void test_scores_are_noisy_or(void **state)
{
    sl_scan *scan = sl_scan_new(engine);
    const sl_verdict *v = check(scan, "óc chó");
    assert_float_equal(v->score, 0.5f, 1e-5);
    v = check(scan, "óc chó óc chó óc chó");
    assert_float_equal(v->score, 1.0f - 0.125f, 1e-5);
    long insult = sl_policy_category(sl_engine_policy(engine), "insult");
    assert_true(insult >= 0);
    assert_float_equal(v->category_scores[insult], v->score, 1e-6);
    sl_scan_free(scan);
}

typedef struct error_case {
    const char *text;
    size_t len;
    sl_status code;
    size_t byte;
} error_case;

static void test_bad_texts_get_error_verdicts(void **state)
{
    static char big[4096];
    memset(big, 'a', sizeof big);
    const error_case cases[] = {
        {"ab\xc3", 3, SL_ERR_INVALID_UTF8, 2},
        {"\xed\xa0\x80", 3, SL_ERR_INVALID_UTF8, 0},
        {"a\0b", 3, SL_ERR_NUL_BYTE, 1},
        {big, sizeof big, SL_ERR_TOO_LARGE, SL_NO_POS},
    };
    sl_scan *scan = sl_scan_new(engine);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const sl_verdict *v = NULL;
        assert_int_equal(sl_engine_check(engine, scan, cases[i].text, cases[i].len, &v), SL_OK);
        assert_true(v->has_error);
        assert_int_equal(v->error.code, cases[i].code);
        if (cases[i].byte != SL_NO_POS) assert_int_equal(v->error.byte, cases[i].byte);
        assert_int_equal(v->action, SL_ACTION_REVIEW);
        size_t n = 0;
        const char *json = sl_scan_verdict_json(scan, "\"x\"", NULL, 0, &n);
        cJSON *j = cJSON_ParseWithLength(json, n);
        assert_non_null(j);
        const cJSON *err = cJSON_GetObjectItem(j, "error");
        assert_string_equal(cJSON_GetObjectItem(err, "code")->valuestring,
                            sl_status_name(cases[i].code));
        cJSON_Delete(j);
    }
    /* the scan is reusable after errors */
    assert_int_equal(check(scan, "óc chó")->action, SL_ACTION_WARN);
    sl_scan_free(scan);
}

static void test_verdict_json_round_trip(void **state)
{
    sl_scan *scan = sl_scan_new(engine);
    const char *text = "Ê \"bạn\"\n óc chó, gọi 0912.345.678";
    check(scan, text);
    size_t n = 0;
    const char *json = sl_scan_verdict_json(scan, "{\"k\":1}", text, strlen(text), &n);
    assert_non_null(json);
    assert_int_equal(strlen(json), n);
    cJSON *j = cJSON_ParseWithLength(json, n);
    assert_non_null(j);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "id"), "k")->valueint, 1);
    assert_string_equal(cJSON_GetObjectItem(j, "action")->valuestring, "review");
    const cJSON *hits = cJSON_GetObjectItem(j, "hits");
    assert_int_equal(cJSON_GetArraySize(hits), 2);
    const cJSON *h;
    cJSON_ArrayForEach(h, hits)
    {
        int s = cJSON_GetObjectItem(h, "start")->valueint;
        int e = cJSON_GetObjectItem(h, "end")->valueint;
        const char *excerpt = cJSON_GetObjectItem(h, "text")->valuestring;
        assert_int_equal(strlen(excerpt), e - s);
        assert_memory_equal(excerpt, text + s, e - s);
        assert_non_null(cJSON_GetObjectItem(h, "cite"));
    }
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "categories"), "insult"));
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "versions"), "policy"));
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(j, "us")));
    assert_null(cJSON_GetObjectItem(j, "label")); /* no model loaded */
    cJSON_Delete(j);
    sl_scan_free(scan);
}

#define THREADS 4
static const char *const thread_texts[] = {"óc chó", "tao sẽ đánh chết", "Cảm ơn",
                                           "gọi 0912 345 678", "o.c c.h.o và đồ ngốc"};
#define NTEXTS (sizeof thread_texts / sizeof thread_texts[0])

static void *screen_many(void *arg)
{
    sl_action *out = arg;
    sl_scan *scan = sl_scan_new(engine);
    for (int round = 0; round < 200; round++)
        for (size_t i = 0; i < NTEXTS; i++) {
            const sl_verdict *v = NULL;
            sl_engine_check(engine, scan, thread_texts[i], strlen(thread_texts[i]), &v);
            if (round == 0)
                out[i] = v->action;
            else if (out[i] != v->action)
                out[i] = (sl_action)-1;
        }
    sl_scan_free(scan);
    return NULL;
}

static void test_threads_share_one_engine(void **state)
{
    pthread_t tid[THREADS];
    sl_action actions[THREADS][NTEXTS];
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&tid[t], NULL, screen_many, actions[t]), 0);
    for (int t = 0; t < THREADS; t++) pthread_join(tid[t], NULL);
    sl_scan *scan = sl_scan_new(engine);
    for (size_t i = 0; i < NTEXTS; i++) {
        sl_action want = check(scan, thread_texts[i])->action;
        for (int t = 0; t < THREADS; t++) assert_int_equal(actions[t][i], want);
    }
    sl_scan_free(scan);
}

static void test_bad_policy_is_rejected_with_line(void **state)
{
    sl_engine_options o = {.policy_path =
                               SL_SOURCE_DIR "/tests/fixtures/policies/broken_regex.yaml"};
    sl_engine *e = NULL;
    sl_error err = {0};
    assert_int_not_equal(sl_engine_new(&o, &e, &err), SL_OK);
    assert_null(e);
    assert_true(err.line > 0);
    o.policy_path = "/nonexistent/policy.yaml";
    assert_int_not_equal(sl_engine_new(&o, &e, &err), SL_OK);
    assert_null(e);
    assert_int_equal(sl_engine_new(NULL, &e, &err), SL_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_actions_and_spans),
        cmocka_unit_test(test_scores_are_noisy_or),
        cmocka_unit_test(test_bad_texts_get_error_verdicts),
        cmocka_unit_test(test_verdict_json_round_trip),
        cmocka_unit_test(test_threads_share_one_engine),
        cmocka_unit_test(test_bad_policy_is_rejected_with_line),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
