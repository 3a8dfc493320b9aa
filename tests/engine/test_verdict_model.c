/* The model fields of a verdict (default policy + shipped model): `toxic` is the model's toxic
 * head, the same number a direct sl_model_predict() gives, and the JSON carries it next to
 * "constructive"; a toxic comment scores higher than a civil one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "sangloc/engine.h"
#include "sangloc/model.h"
#include "sangloc/text.h"

static sl_engine *engine;
static sl_scan *scan;
static sl_model *model;
static sl_model_scratch *ms;
static sl_text *text;

static int setup(void **state)
{
    sl_engine_options o = {.policy_path = SL_SOURCE_DIR "/policies/default.yaml",
                           .model_path = SL_SOURCE_DIR "/models/default.slm",
                           .cache_dir = SL_BINARY_DIR "/test-cache"};
    sl_error err = {0};
    if (sl_engine_new(&o, &engine, &err) || sl_model_load(o.model_path, &model, &err)) {
        fprintf(stderr, "setup: %s\n", err.message);
        return -1;
    }
    scan = sl_scan_new(engine);
    text = sl_text_new();
    return scan && text && !sl_model_scratch_new(model, &ms) ? 0 : -1;
}

static int teardown(void **state)
{
    sl_scan_free(scan);
    sl_engine_free(engine);
    sl_model_scratch_free(ms);
    sl_model_free(model);
    sl_text_free(text);
    return 0;
}

static const sl_verdict *check(const char *s)
{
    const sl_verdict *v = NULL;
    assert_int_equal(sl_engine_check(engine, scan, s, strlen(s), &v), SL_OK);
    assert_true(v->has_model);
    return v;
}

static void test_toxic_is_the_models_toxic_head(void **state)
{
    static const char *const texts[] = {
        "Đề nghị UBND tỉnh giải thích rõ vì sao dự án chậm tiến độ",
        "đ.m bọn này ngu vl, làm ăn như c*t",
        "Bài viết rất hay, cảm ơn tác giả",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const sl_verdict *v = check(texts[i]);
        sl_error err = {0};
        sl_prediction p;
        assert_int_equal(sl_text_build(text, texts[i], strlen(texts[i]), &err), SL_OK);
        assert_int_equal(sl_model_predict(model, ms, text, &p), SL_OK);
        assert_true(v->toxic == p.toxic);
        assert_true(v->toxic >= 0 && v->toxic <= 1);
    }
}

static void test_toxic_orders_insult_above_civil(void **state)
{
    float civil = check("Đề nghị UBND tỉnh giải thích rõ vì sao dự án chậm tiến độ")->toxic;
    float rude = check("đ.m bọn này ngu vl, làm ăn như c*t")->toxic;
    assert_true(rude > 0.5f);
    assert_true(civil < 0.5f);
}

static void test_json_carries_toxic_after_constructive(void **state)
{
    const char *s = "đ.m bọn này ngu vl, làm ăn như c*t";
    const sl_verdict *v = check(s);
    float toxic = v->toxic;
    size_t n = 0;
    const char *json = sl_scan_verdict_json(scan, "\"x\"", s, strlen(s), &n);
    assert_non_null(json);
    const char *c = strstr(json, "\"constructive\":"), *t = strstr(json, "\"toxic\":");
    assert_non_null(c);
    assert_non_null(t);
    assert_true(c < t);
    cJSON *j = cJSON_ParseWithLength(json, n);
    assert_non_null(j);
    const cJSON *jt = cJSON_GetObjectItemCaseSensitive(j, "toxic");
    assert_true(cJSON_IsNumber(jt));
    assert_true(jt->valuedouble > toxic - 1e-3 && jt->valuedouble < toxic + 1e-3);
    cJSON_Delete(j);
}

/* A non-clean label says whether the policy acted on it, and when not, which rule needs what. */
static void test_label_acted_explains_the_action(void **state)
{
    static const char *const texts[] = {
        "thằng này ngáo vãi", "bọn này toàn lũ ngu học, cút hết đi",
        "Đề nghị UBND tỉnh giải thích rõ vì sao dự án chậm tiến độ"};
    int seen_acted = 0, seen_not = 0;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const sl_verdict *v = check(texts[i]);
        size_t len;
        const char *json = sl_scan_verdict_json(scan, NULL, texts[i], strlen(texts[i]), &len);
        assert_non_null(json);
        if (v->label == 0) {
            assert_null(strstr(json, "\"label_acted\""));
            continue;
        }
        float p = v->probs[v->label];
        if (v->label_acted) {
            seen_acted++;
            assert_true(p >= 0.7f); /* model.offensive / model.hate fire from 0.7 */
            assert_non_null(strstr(json, "\"label_acted\":true"));
            assert_null(strstr(json, "\"label_rule\""));
        } else {
            seen_not++;
            assert_true(p < 0.7f);
            assert_non_null(v->label_rule);
            assert_string_equal(v->label_rule, v->label == 1 ? "model.offensive" : "model.hate");
            assert_true(v->label_min_score > 0.69f && v->label_min_score < 0.71f);
            assert_non_null(strstr(json, "\"label_acted\":false,\"label_rule\":\"model."));
        }
    }
    assert_int_equal(seen_acted, 1);
    assert_int_equal(seen_not, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_toxic_is_the_models_toxic_head),
        cmocka_unit_test(test_toxic_orders_insult_above_civil),
        cmocka_unit_test(test_json_carries_toxic_after_constructive),
        cmocka_unit_test(test_label_acted_explains_the_action),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
