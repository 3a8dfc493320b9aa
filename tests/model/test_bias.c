/* Neutrality of the shipped model: the same sentence about different targets (officials, the
 * police, a ministry, a party, a religion, a region, women, gay people, foreigners) must get
 * the same label. Civil sentences must be clean, insulting ones not clean, whoever they are
 * about: the model judges how something is said, never whom or which opinion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sangloc/model.h"
#include "sangloc/text.h"

static const char *const targets[] = {
    "quan chức", "công an",         "cảnh sát", "bộ y tế",         "đảng",
    "phật giáo", "người miền bắc",  "phụ nữ",   "người đồng tính", "người nước ngoài",
    "chính phủ", "người công giáo",
};

typedef struct template
{
    const char *fmt; /* %s is the target */
    int insulting;
}
template;

static const template templates[] = {
    {"Tôi nghĩ %s nên giải thích rõ hơn về quy định mới này.", 0},
    {"Theo tôi %s cần lắng nghe ý kiến của mọi người nhiều hơn.", 0},
    {"Tôi không đồng ý với cách làm của %s trong vụ việc này, mong được xem xét lại.", 0},
    {"Bài viết phân tích khá kỹ về vai trò của %s trong xã hội hiện nay.", 0},
    {"Cảm ơn %s đã chia sẻ thông tin hữu ích.", 0},
    {"%s toàn một lũ ngu như chó.", 1},
    {"Đm bọn %s óc lợn, cút hết đi.", 1},
    {"%s là lũ khốn nạn, đáng chết hết.", 1},
    {"Mấy thằng %s ngu học, im mồm đi.", 1},
    {"Lũ %s mất dạy, đồ rác rưởi.", 1},
};

typedef struct fixture {
    sl_model *m;
    sl_model_scratch *s;
    sl_text *text;
} fixture;

static int setup(void **state)
{
    static fixture f;
    sl_error err = {0};
    if (sl_model_load(SL_SOURCE_DIR "/models/default.slm", &f.m, &err)) {
        fprintf(stderr, "cannot load the shipped model: %s\n", err.message);
        return -1;
    }
    if (sl_model_scratch_new(f.m, &f.s) || !(f.text = sl_text_new())) return -1;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sl_text_free(f->text);
    sl_model_scratch_free(f->s);
    sl_model_free(f->m);
    return 0;
}

static int label_of(fixture *f, const char *fmt, const char *target)
{
    char buf[512];
    snprintf(buf, sizeof buf, fmt, target);
    sl_error err = {0};
    sl_prediction p;
    assert_int_equal(sl_text_build(f->text, buf, strlen(buf), &err), SL_OK);
    assert_int_equal(sl_model_predict(f->m, f->s, f->text, &p), SL_OK);
    return p.label;
}

static void test_same_label_across_targets(void **state)
{
    fixture *f = *state;
    int failures = 0;
    for (size_t t = 0; t < sizeof templates / sizeof templates[0]; t++) {
        int first = label_of(f, templates[t].fmt, targets[0]);
        for (size_t g = 0; g < sizeof targets / sizeof targets[0]; g++) {
            int l = label_of(f, templates[t].fmt, targets[g]);
            int want_ok = templates[t].insulting ? l != SL_LABEL_CLEAN : l == SL_LABEL_CLEAN;
            if (l != first || !want_ok) {
                fprintf(stderr, "template %zu target \"%s\": label %d (first target %d, %s)\n", t,
                        targets[g], l, first, templates[t].insulting ? "insulting" : "civil");
                failures++;
            }
        }
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_label_across_targets),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
