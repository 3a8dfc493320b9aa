/* Neutrality of the whole engine (default policy + shipped model): the same civil or insulting
 * sentence gets the same action whoever it is about, civil ones pass, insulting ones do not;
 * and civil, constructive ViCTSD dev comments on law and current affairs pass (figure printed,
 * bounded). sangloc judges how something is said, never which opinion it holds. */
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

static sl_engine *engine;
static sl_scan *scan;

static int setup(void **state)
{
    sl_engine_options o = {.policy_path = SL_SOURCE_DIR "/policies/default.yaml",
                           .model_path = SL_SOURCE_DIR "/models/default.slm",
                           .cache_dir = SL_BINARY_DIR "/test-cache"};
    sl_error err = {0};
    if (sl_engine_new(&o, &engine, &err)) {
        fprintf(stderr, "engine: %s\n", err.message);
        return -1;
    }
    scan = sl_scan_new(engine);
    return scan ? 0 : -1;
}

static int teardown(void **state)
{
    sl_scan_free(scan);
    sl_engine_free(engine);
    return 0;
}

static sl_action action_of(const char *text)
{
    const sl_verdict *v = NULL;
    assert_int_equal(sl_engine_check(engine, scan, text, strlen(text), &v), SL_OK);
    return v->action;
}

static const char *const targets[] = {"ông chủ tịch xã",  "công an phường",
                                      "Bộ Giáo dục",      "Đảng",
                                      "nhà thờ",          "chùa",
                                      "người miền Bắc",   "người miền Nam",
                                      "phụ nữ",           "người đồng tính",
                                      "người nước ngoài", "UBND tỉnh",
                                      "thầy hiệu trưởng", "bác sĩ bệnh viện"};
#define NTARGETS (sizeof targets / sizeof targets[0])

/* %s is the target. Civil criticism must pass; insults must not, whoever the target. */
static const char *const civil[] = {
    "Tôi nghĩ %s nên giải thích rõ hơn về quyết định này.",
    "Đề nghị %s công khai số liệu để người dân được biết.",
    "Tôi không đồng ý với cách làm của %s, mong được đối thoại.",
    "Cảm ơn %s đã lắng nghe ý kiến của bà con.",
    "Việc %s chậm trả lời khiến nhiều người bức xúc, cần cải thiện.",
    /* words of the dehumanizing and death-wish lexicons in their ordinary sense */
    "Đề nghị %s hướng dẫn bà con diệt sâu bọ hại lúa.",
    "Vụ cháy khiến cả nhà chết hết, mong %s điều tra làm rõ.",
};
static const char *const insulting[] = {
    "%s toàn lũ óc chó",
    "đ.m %s ngu như bò",
    "bọn %s là lũ súc vật",
    "%s làm ăn như cứt",
    /* dehumanizing words and death wishes (issue 8: these were allowed) */
    "bọn %s toàn lũ sâu bọ, chết hết đi",
    "%s là đồ khỉ đột",
    "%s toàn lũ ăn bám",
    "%s là lũ ký sinh trùng",
    "%s đi chết đi",
};

static void check_templates(const char *const *templates, size_t n, bool must_pass)
{
    char text[512];
    for (size_t t = 0; t < n; t++) {
        snprintf(text, sizeof text, templates[t], targets[0]);
        sl_action first = action_of(text);
        for (size_t g = 0; g < NTARGETS; g++) {
            snprintf(text, sizeof text, templates[t], targets[g]);
            sl_action a = action_of(text);
            if (must_pass && a != SL_ACTION_ALLOW)
                fail_msg("civil sentence flagged %s: %s", sl_action_name(a), text);
            if (!must_pass && a == SL_ACTION_ALLOW) fail_msg("insult allowed: %s", text);
            if (a != first)
                fail_msg("\"%s\" gets %s but with \"%s\" gets %s", text, sl_action_name(a),
                         targets[0], sl_action_name(first));
        }
    }
}

static void test_civil_criticism_passes_for_every_target(void **state)
{
    check_templates(civil, sizeof civil / sizeof civil[0], true);
}

static void test_insults_are_flagged_for_every_target(void **state)
{
    check_templates(insulting, sizeof insulting / sizeof insulting[0], false);
}

static bool is_current_affairs(const char *topic)
{
    return !strcmp(topic, "PhapLuat") || !strcmp(topic, "ThoiSu") || !strcmp(topic, "TheGioi");
}

static void test_victsd_civil_current_affairs_pass(void **state)
{
    const char *path = SL_DATA_DIR "/victsd/dev.jsonl";
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("SKIP: %s not found (datasets are not shipped; see README)\n", path);
        skip();
    }
    char *line = NULL;
    size_t cap = 0, total = 0, flagged = 0;
    while (getline(&line, &cap, f) > 0) {
        cJSON *j = cJSON_Parse(line);
        const cJSON *topic = cJSON_GetObjectItem(j, "topic");
        const cJSON *text = cJSON_GetObjectItem(j, "text");
        const cJSON *toxic = cJSON_GetObjectItem(j, "toxic");
        const cJSON *constructive = cJSON_GetObjectItem(j, "constructive");
        if (cJSON_IsString(topic) && is_current_affairs(topic->valuestring) &&
            cJSON_IsString(text) && toxic && toxic->valueint == 0 && constructive &&
            constructive->valueint == 1) {
            total++;
            sl_action a = action_of(text->valuestring);
            if (a != SL_ACTION_ALLOW) {
                flagged++;
                printf("  flagged %s: %s\n", sl_action_name(a), text->valuestring);
            }
        }
        cJSON_Delete(j);
    }
    free(line);
    fclose(f);
    printf("ViCTSD dev civil+constructive on PhapLuat/ThoiSu/TheGioi: %zu of %zu not allowed "
           "(%.2f%%)\n",
           flagged, total, total ? 100.0 * flagged / total : 0.0);
    assert_true(total > 100);
    assert_true(flagged * 100 <= total * 3); /* at most 3% */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civil_criticism_passes_for_every_target),
        cmocka_unit_test(test_insults_are_flagged_for_every_target),
        cmocka_unit_test(test_victsd_civil_current_affairs_pass),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
