/* Unit tests of the bank: add/rm/list round trip, reopen after log additions and after
 * compaction, corrupt and truncated files rejected with SL_ERR_BANK, match tables (each kind of
 * edit found; generic short posts and shared common phrases not), exact spans. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sangloc/bank.h"
#include "sangloc/text.h"

static const char *const texts[] = {
    "Súc miệng và rửa mũi bằng nước muối ấm mỗi sáng sẽ rửa trôi và tiêu diệt virus corona bám "
    "trong cổ họng, nên người làm như vậy sẽ không thể bị lây COVID-19.",
    "Các trạm phát sóng 5G mới lắp đặt chính là thứ lây lan virus corona. Sóng điện thoại làm "
    "suy yếu hệ miễn dịch. Dịch bùng phát đúng ở những thành phố có mạng 5G.",
    "Uống nước chanh pha với muối nở baking soda mỗi sáng sẽ kiềm hóa cơ thể và chữa khỏi bệnh "
    "ung thư, vì tế bào ung thư không thể sống trong môi trường kiềm.",
    "Tài liệu nội bộ: kế hoạch sáp nhập hai chi nhánh miền Trung sẽ được công bố vào quý ba, "
    "toàn bộ nhân sự phòng kinh doanh được điều chuyển về trụ sở chính tại Đà Nẵng.",
    /* a short item (8 words) */
    "Mọi người cẩn thận uống thuốc lá ổi khỏi tiểu đường",
};
static const char *const ids[] = {"salt", "5g", "lemon", "doc", "short"};
#define NITEMS 5

static char path[256];

static sl_bank_item item(size_t i)
{
    sl_bank_item it = {ids[i],   strlen(ids[i]),   i == 3 ? SL_BANK_DOCUMENT : SL_BANK_HOAX,
                       texts[i], strlen(texts[i]), "WHO",
                       3,        "2020-03",        7};
    return it;
}

static int setup(void **state)
{
    snprintf(path, sizeof path, "/tmp/sl-test-bank-%d.bank", (int)getpid());
    unlink(path);
    return 0;
}

static int teardown(void **state)
{
    unlink(path);
    return 0;
}

static void add_all(size_t from, size_t to)
{
    sl_bank_item items[NITEMS];
    sl_status st[NITEMS];
    sl_error ev[NITEMS], err;
    for (size_t i = from; i < to; i++) items[i - from] = item(i);
    size_t added = 0;
    assert_int_equal(sl_bank_append(path, items, to - from, st, ev, &added, &err), SL_OK);
    assert_int_equal(added, to - from);
}

static sl_bank *open_ok(void)
{
    sl_bank *b = NULL;
    sl_error err;
    sl_status st = sl_bank_open(path, &b, &err);
    if (st) fprintf(stderr, "open: %s\n", err.message);
    assert_int_equal(st, SL_OK);
    return b;
}

/* Best match of a text, or similarity 0 when none. */
static sl_bank_match match1(const sl_bank *b, const char *text)
{
    sl_bank_scratch *s = NULL;
    sl_text *t = sl_text_new();
    sl_error err;
    assert_int_equal(sl_bank_scratch_new(b, &s), SL_OK);
    assert_int_equal(sl_text_build(t, text, strlen(text), &err), SL_OK);
    sl_bank_match m[4] = {0};
    size_t n = 0;
    assert_int_equal(sl_bank_match_text(b, s, t, SL_BANK_DEFAULT_MIN_SIMILARITY, m, 4, &n), SL_OK);
    sl_bank_scratch_free(s);
    sl_text_free(t);
    if (n == 0) m[0] = (sl_bank_match){.id = ""};
    return m[0];
}

static void test_round_trip(void **state)
{
    add_all(0, 3); /* new file: base segment */
    add_all(3, 5); /* log segment */
    sl_bank *b = open_ok();
    assert_int_equal(sl_bank_count(b), 5);
    sl_bank_item it;
    assert_true(sl_bank_find(b, "doc", 3, &it));
    assert_int_equal(it.kind, SL_BANK_DOCUMENT);
    assert_memory_equal(it.text, texts[3], strlen(texts[3]));
    assert_string_equal(it.source, "WHO");
    size_t cur = 0, n = 0;
    while (sl_bank_next(b, &cur, &it)) n++;
    assert_int_equal(n, 5);
    assert_string_equal(match1(b, texts[4]).id, "short"); /* log item matches */
    sl_bank_close(b);

    const char *rm[] = {"5g", "short", "nope"};
    size_t removed = 0, missing = 0;
    sl_error err;
    assert_int_equal(sl_bank_remove(path, rm, 3, &removed, &missing, &err), SL_OK);
    assert_int_equal(removed, 2);
    assert_int_equal(missing, 1);
    b = open_ok();
    assert_int_equal(sl_bank_count(b), 3);
    assert_false(sl_bank_find(b, "5g", 2, &it));
    assert_string_equal(match1(b, texts[1]).id, ""); /* removed items do not match */
    assert_string_equal(match1(b, texts[0]).id, "salt");
    sl_bank_close(b);

    assert_int_equal(sl_bank_compact(path, &err), SL_OK);
    b = open_ok();
    sl_bank_stats s;
    sl_bank_get_stats(b, &s);
    assert_int_equal(s.base_items, 3);
    assert_int_equal(s.log_records, 0);
    assert_string_equal(match1(b, texts[3]).id, "doc");
    sl_bank_close(b);
    add_all(1, 2); /* re-adding a removed id is allowed */
    b = open_ok();
    assert_int_equal(sl_bank_count(b), 4);
    sl_bank_close(b);
}

static void test_bad_items_rejected(void **state)
{
    sl_bank_item items[3] = {item(0), item(0), item(1)};
    items[2].text = "quá ngắn";
    items[2].text_len = strlen(items[2].text);
    sl_status st[3];
    sl_error ev[3], err;
    size_t added = 0;
    assert_int_equal(sl_bank_append(path, items, 3, st, ev, &added, &err), SL_OK);
    assert_int_equal(added, 1);
    assert_int_equal(st[0], SL_OK);
    assert_int_equal(st[1], SL_ERR_ARG); /* duplicate id */
    assert_non_null(strstr(ev[1].message, "already"));
    assert_int_equal(st[2], SL_ERR_ARG);
    assert_non_null(strstr(ev[2].message, "too short"));
    sl_bank_item bad = item(0);
    bad.text = "\xff\xfe";
    bad.text_len = 2;
    assert_int_equal(sl_bank_check_item(&bad, &err), SL_ERR_INVALID_UTF8);
}

static unsigned char *slurp(size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *d = malloc(*len);
    assert_int_equal(fread(d, 1, *len, f), *len);
    fclose(f);
    return d;
}

static size_t file_size(void)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    size_t n = (size_t)ftell(f);
    fclose(f);
    return n;
}

/* A cut or a flipped byte in the base or in a log record followed by another record is an
 * error; in the last record it is a torn tail, left out of the view. */
static void test_corrupt_and_truncated(void **state)
{
    add_all(0, 3);
    size_t base_end = file_size();
    add_all(3, 4); /* log record 1 */
    size_t last = file_size();
    add_all(4, 5); /* log record 2, the last */
    size_t len = 0;
    unsigned char *d = slurp(&len);
    sl_bank *b = NULL;
    sl_error err;
    sl_bank_stats s;
    assert_int_equal(sl_bank_open_memory(d, len, &b, &err), SL_OK);
    sl_bank_close(b);
    for (size_t cut = 0; cut < len; cut += (cut < 200 || cut > base_end ? 1 : 37)) {
        b = NULL;
        sl_status st = sl_bank_open_memory(d, cut, &b, &err);
        if (cut < base_end) {
            assert_int_equal(st, SL_ERR_BANK);
            assert_null(b);
            continue;
        }
        assert_int_equal(st, SL_OK); /* every whole record kept, the torn one left out */
        sl_bank_get_stats(b, &s);
        assert_int_equal(sl_bank_count(b), cut < last ? 3 : 4);
        assert_int_equal(s.torn_bytes, cut - (cut < last ? base_end : last));
        sl_bank_close(b);
    }
    for (size_t at = 0; at < len; at += at < base_end ? 13 : 1) {
        d[at] ^= 0x5a;
        b = NULL;
        sl_status st = sl_bank_open_memory(d, len, &b, &err);
        bool type_field = at >= last + 4 && at < last + 8;
        if (at >= last && !type_field && st == SL_OK) { /* the last record: torn */
            sl_bank_get_stats(b, &s);
            assert_int_equal(sl_bank_count(b), 4);
            assert_int_equal(s.torn_bytes, len - last);
            sl_bank_close(b);
        } else {
            if (st != SL_ERR_BANK) fprintf(stderr, "flip at %zu not detected\n", at);
            assert_int_equal(st, SL_ERR_BANK);
            assert_non_null(strstr(err.message, "corrupt"));
            if (at >= base_end && at < last) assert_true(err.byte >= base_end && err.byte < last);
        }
        d[at] ^= 0x5a;
    }
    free(d);
    FILE *f = fopen(path, "wb");
    fputs("not a bank at all", f);
    fclose(f);
    assert_int_equal(sl_bank_open(path, &b, &err), SL_ERR_BANK);
    assert_int_equal(sl_bank_open("/nonexistent/x.bank", &b, &err), SL_ERR_IO);
}

typedef struct mcase {
    const char *post, *want; /* want "" = no match */
} mcase;

static void test_match_table(void **state)
{
    add_all(0, 5);
    sl_bank *b = open_ok();
    static const mcase cases[] = {
        /* exact, excerpt, commentary, reorder, dropped words, teencode, no diacritics */
        {"Súc miệng và rửa mũi bằng nước muối ấm mỗi sáng sẽ rửa trôi và tiêu diệt virus corona "
         "bám trong cổ họng, nên người làm như vậy sẽ không thể bị lây COVID-19.",
         "salt"},
        {"rửa mũi bằng nước muối ấm mỗi sáng sẽ rửa trôi và tiêu diệt virus corona bám trong",
         "salt"},
        {"Mọi người cẩn thận!!! Súc miệng và rửa mũi bằng nước muối ấm mỗi sáng sẽ rửa trôi và "
         "tiêu diệt virus corona bám trong cổ họng, nên người làm như vậy sẽ không thể bị lây "
         "COVID-19. Share ngay cho người thân, tôi thấy nhiều người chưa biết chuyện này đâu.",
         "salt"},
        {"Dịch bùng phát đúng ở những thành phố có mạng 5G. Sóng điện thoại làm suy yếu hệ miễn "
         "dịch. Các trạm phát sóng 5G mới lắp đặt chính là thứ lây lan virus corona.",
         "5g"},
        {"Uống nước chanh pha muối nở baking soda mỗi sáng kiềm hóa cơ thể và chữa khỏi bệnh ung "
         "thư, vì tế bào ung thư không sống trong môi trường kiềm.",
         "lemon"},
        {"Uống nc chanh pha vs muối nở baking soda mỗi sáng sẽ kiềm hóa cơ thể và chữa khỏi bệnh "
         "ung thư, vì tế bào ung thư k thể sống trong môi trường kiềm.",
         "lemon"},
        {"tai lieu noi bo: ke hoach sap nhap hai chi nhanh mien trung se duoc cong bo vao quy ba, "
         "toan bo nhan su phong kinh doanh duoc dieu chuyen ve tru so chinh tai da nang",
         "doc"},
        /* negatives: generic short posts, a common phrase of the short item, unrelated news */
        {"Mọi người cẩn thận nhé", ""},
        {"Share cho mọi người cùng biết", ""},
        {"Mọi người cẩn thận, trời mưa to đường trơn lắm, đi chậm thôi nhé các bạn.", ""},
        {"Bộ Y tế cho biết đã ghi nhận thêm 5 ca nhiễm COVID-19 mới, đều là người nhập cảnh và "
         "được cách ly ngay khi đến Việt Nam.",
         ""},
        {"Virus corona lây qua giọt bắn, hãy đeo khẩu trang và rửa tay bằng xà phòng.", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sl_bank_match m = match1(b, cases[i].post);
        if (strcmp(m.id, cases[i].want))
            fprintf(stderr, "case %zu: got \"%s\" (%.3f) want \"%s\"\n", i, m.id,
                    (double)m.similarity, cases[i].want);
        assert_string_equal(m.id, cases[i].want);
    }
    sl_bank_close(b);
}

static void test_span_exact(void **state)
{
    add_all(0, 3);
    sl_bank *b = open_ok();
    const char *pre = "MỌI NGƯỜI ƠI, cẩn thận!!! 😱 ";
    const char *post = " (sưu tầm) ai biết thì chia sẻ ạ";
    char buf[1024];
    snprintf(buf, sizeof buf, "%s%s%s", pre, texts[1], post);
    sl_bank_match m = match1(b, buf);
    assert_string_equal(m.id, "5g");
    assert_int_equal(m.start, strlen(pre));
    /* the item ends with "5G." : the span ends at the last word, before the period */
    assert_int_equal(m.end, strlen(pre) + strlen(texts[1]) - 1);
    assert_true(m.similarity > 0.99f);
    sl_bank_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_items_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_and_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_match_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_span_exact, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
