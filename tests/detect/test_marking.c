/* Unit tests of the confidentiality-marking detector: stamps, headers, bracketed and "Độ mật:"
 * markings with exact spans (also through decomposed diacritics and zero-width characters),
 * the most specific level winning, and hard negatives where the same words are ordinary
 * Vietnamese or English ("bí mật", "mật ong", "mật khẩu", "nội bộ đội bóng", "confidential"
 * in a sentence, "MẶT"/"MẤT"/"MÁT"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sangloc/detect.h"
#include "sangloc/text.h"

typedef struct mark_case {
    const char *text;
    const char *rule; /* NULL: no marking at all */
    const char *span;
} mark_case;

static void run(sl_text *t, const char *text, sl_hits *h)
{
    sl_error err;
    sl_hits_clear(h);
    assert_int_equal(sl_text_build(t, text, strlen(text), &err), SL_OK);
    assert_int_equal(sl_detect_run(t, SL_DET_MARKING, h), SL_OK);
}

static void print_hits(const char *text, const sl_hits *h)
{
    for (size_t i = 0; i < h->count; i++)
        fprintf(stderr, "    hit %s [%u,%u) '%.*s' %.2f\n", h->items[i].rule, h->items[i].start,
                h->items[i].end, (int)(h->items[i].end - h->items[i].start),
                text + h->items[i].start, h->items[i].score);
}

/* Positive rows: the rule with the exact span must be there. Negative rows: no hit at all. */
static int check(const mark_case *cases, size_t n)
{
    sl_text *t = sl_text_new();
    sl_hits h = {0};
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const mark_case *m = &cases[i];
        run(t, m->text, &h);
        bool ok;
        if (!m->rule) {
            ok = h.count == 0;
        } else {
            const char *at = strstr(m->text, m->span);
            assert_non_null(at);
            uint32_t s = (uint32_t)(at - m->text), e = s + (uint32_t)strlen(m->span);
            ok = false;
            for (size_t k = 0; k < h.count; k++)
                ok |= strcmp(h.items[k].rule, m->rule) == 0 && h.items[k].start == s &&
                      h.items[k].end == e && h.items[k].score > 0 && h.items[k].score <= 1;
        }
        if (!ok) {
            fprintf(stderr, "%s %s in '%s'\n", m->rule ? "MISSED" : "FALSE", m->rule ? m->rule : "",
                    m->text);
            print_hits(m->text, &h);
            bad++;
        }
    }
    sl_hits_free(&h);
    sl_text_free(t);
    return bad;
}

static const mark_case positives[] = {
    {"MẬT\nKế hoạch kiểm tra quý 3", "marking.mat", "MẬT"},
    {"[MẬT] Báo cáo tình hình", "marking.mat", "MẬT"},
    {"***TỐI MẬT***", "marking.toi_mat", "TỐI MẬT"},
    {"Độ mật: Mật", "marking.mat", "Mật"},
    {"Độ khẩn: Hỏa tốc; Độ mật: TUYỆT MẬT", "marking.tuyet_mat", "TUYỆT MẬT"},
    {"TÀI LIỆU MẬT\nKhông sao chép", "marking.mat", "TÀI LIỆU MẬT"},
    {"Tài liệu nội bộ - không phổ biến", "marking.noi_bo", "Tài liệu nội bộ"},
    {"Tài liệu nội bộ - không phổ biến", "marking.khong_pho_bien", "không phổ biến"},
    {"CONFIDENTIAL\nQ3 revenue plan", "marking.confidential", "CONFIDENTIAL"},
    {"TOI MAT", "marking.toi_mat", "TOI MAT"},
    {"TUYET MAT - Ke hoach", "marking.tuyet_mat", "TUYET MAT"},
    {"TUYỆT MẬT", "marking.tuyet_mat", "TUYỆT MẬT"},
    {"Gửi anh chị\nNỘI BỘ\nNội dung cuộc họp", "marking.noi_bo", "NỘI BỘ"},
    {"KHÔNG PHỔ BIẾN", "marking.khong_pho_bien", "KHÔNG PHỔ BIẾN"},
    {"Tài liệu này chỉ lưu hành nội bộ.", "marking.noi_bo", "lưu hành nội bộ"},
    {"(Confidential) Draft agreement", "marking.confidential", "Confidential"},
    {"M\x41\xcc\xa3\xcc\x82T\nabc", "marking.mat", "M\x41\xcc\xa3\xcc\x82T"},
    {"T\xe1\xbb\x90I\xe2\x80\x8b M\xe1\xba\xacT", "marking.toi_mat",
     "T\xe1\xbb\x90I\xe2\x80\x8b M\xe1\xba\xacT"},
    {"STRICTLY CONFIDENTIAL - do not forward", "marking.confidential", "STRICTLY CONFIDENTIAL"},
    {"Confidential\nPlease do not share", "marking.confidential", "Confidential"},
    {"Report Q3 | CONFIDENTIAL", "marking.confidential", "CONFIDENTIAL"},
    {"VĂN BẢN TỐI MẬT SỐ 12", "marking.toi_mat", "VĂN BẢN TỐI MẬT"},
    {"<<NỘI BỘ>> lịch công tác", "marking.noi_bo", "NỘI BỘ"},
    {"MẬT - Kế hoạch tuyển dụng", "marking.mat", "MẬT"},
    {"Classification: Confidential", "marking.confidential", "Confidential"},
    {"Phân loại: Nội bộ", "marking.noi_bo", "Nội bộ"},
    {"🔒 TỐI MẬT 🔒", "marking.toi_mat", "TỐI MẬT"},
    {"[tuyệt mật] kế hoạch", "marking.tuyet_mat", "tuyệt mật"},
    {"Tài liệu MẬT không được sao chụp", "marking.mat", "Tài liệu MẬT"},
    {"Văn bản này là TỐI MẬT", "marking.toi_mat", "TỐI MẬT"},
    {"Company Confidential", "marking.confidential", "Company Confidential"},
    {"KHÔNG PHỔ BIẾN RA NGOÀI", "marking.khong_pho_bien", "KHÔNG PHỔ BIẾN RA NGOÀI"},
    {"BỘ Y TẾ          MẬT\nSố: 12/BYT", "marking.mat", "MẬT"},
    {"CHỈ LƯU HÀNH NỘI BỘ", "marking.noi_bo", "LƯU HÀNH NỘI BỘ"},
};

static const mark_case negatives[] = {
    {"Em giữ bí mật cho anh nhé, bí mật của đôi ta", NULL, NULL},
    {"BÍ MẬT", NULL, NULL},
    {"mật ong rừng nguyên chất", NULL, NULL},
    {"MẬT ONG RỪNG NGUYÊN CHẤT 100%", NULL, NULL},
    {"CẢNH BÁO: MẬT ONG GIẢ", NULL, NULL},
    {"đổi mật khẩu ngay", NULL, NULL},
    {"MẬT KHẨU: 123456", NULL, NULL},
    {"mật độ dân số cao", NULL, NULL},
    {"hai người rất thân mật", NULL, NULL},
    {"quan hệ mật thiết", NULL, NULL},
    {"nội bộ đội bóng đang lục đục", NULL, NULL},
    {"NỘI BỘ ĐỘI BÓNG ĐANG LỤC ĐỤC", NULL, NULL},
    {"This is confidential information about the deal", NULL, NULL},
    {"món này không phổ biến lắm", NULL, NULL},
    {"MẶT TRỜI", NULL, NULL},
    {"MẤT", NULL, NULL},
    {"[MẶT]", NULL, NULL},
    {"trời mát", NULL, NULL},
    {"Bảo mật thông tin khách hàng", NULL, NULL},
    {"BẢO MẬT", NULL, NULL},
    {"yoga mat", NULL, NULL},
    {"MAT TROI", NULL, NULL},
    {"buổi tối mật thiết bên nhau", NULL, NULL},
    {"tài liệu mật mã học", NULL, NULL},
    {"Mật", NULL, NULL},
    {"mật", NULL, NULL},
    {"anh ấy giữ bí mật (mật ong)", NULL, NULL},
    {"TUI MẬT", NULL, NULL},
    {"lộ thông tin mật của khách", NULL, NULL},
    {"đây là tài liệu mật của công ty", NULL, NULL},
    {"Chuyện nội bộ của nhà người ta", NULL, NULL},
    {"Đừng nói confidential nữa", NULL, NULL},
    {"Độ mật: thường", NULL, NULL},
    {"MẬT THƯ", NULL, NULL},
    {"ĐƯỜNG MẬT", NULL, NULL},
    {"thông tin này không phổ biến ra ngoài đâu", NULL, NULL},
    {"SỎI MẬT", NULL, NULL},
    {"Bí Mật", NULL, NULL},
    {"KHÔNG PHỔ BIẾN ở Việt Nam", NULL, NULL},
    {"TIN MẬT: sắp tăng giá xăng", NULL, NULL},
    {"TỐI MẶT", NULL, NULL},
    {"Hàng ngon giá MẬT", NULL, NULL},
    {"Ngọt như mật. MẬT NGỌT CHẾT RUỒI", NULL, NULL},
    {"Mật danh của anh ấy là X", NULL, NULL},
    {"Confidential information is protected by law", NULL, NULL},
    {"noi bo", NULL, NULL},
    {"Thông báo nội bộ: lịch nghỉ Tết", NULL, NULL},
    {"CHUYỆN TỐI MẬT CỦA SAO VIỆT", NULL, NULL},
};

static void test_marking_positives(void **state)
{
    assert_int_equal(check(positives, sizeof positives / sizeof positives[0]), 0);
}

static void test_marking_hard_negatives(void **state)
{
    assert_int_equal(check(negatives, sizeof negatives / sizeof negatives[0]), 0);
}

/* TUYỆT MẬT is one marking, not also a MẬT; separate markings are all reported. */
static void test_most_specific_level(void **state)
{
    sl_text *t = sl_text_new();
    sl_hits h = {0};
    run(t, "TUYỆT MẬT", &h);
    assert_int_equal(h.count, 1);
    assert_string_equal(h.items[0].rule, "marking.tuyet_mat");
    run(t, "***TỐI MẬT***\nnội dung\n[MẬT]", &h);
    assert_int_equal(h.count, 2);
    assert_string_equal(h.items[0].rule, "marking.toi_mat");
    assert_string_equal(h.items[1].rule, "marking.mat");
    run(t, "TUYỆT MẬT", &h);
    assert_true(h.items[0].score >= 0.9f);
    run(t, "TUYET MAT", &h);
    assert_int_equal(h.count, 1);
    assert_true(h.items[0].score < 0.9f); /* no diacritics: a little less sure */
    sl_hits_free(&h);
    sl_text_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marking_positives),
        cmocka_unit_test(test_marking_hard_negatives),
        cmocka_unit_test(test_most_specific_level),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
