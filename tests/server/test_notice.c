/* Notices to authors (src/server/notice.c): a real verdict of the default policy for a comment
 * with an insult and a phone number, rendered in Vietnamese and English, as JSON and as plain
 * text. Spans are quoted exactly, the phone number never appears, a post cannot write its own
 * lines into the plain text, a purged text still names the clause, and a damaged verdict is an
 * error that leaves the output as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <cmocka.h>

#include "sangloc/engine.h"
#include "sangloc/text.h"
#include "server/json.h"
#include "server/notice.h"

#define POLICY SL_SOURCE_DIR "/policies/default.yaml"

/* An insult at the start, a phone number in the middle, a profanity at the end. */
static const char TEXT[] = "Thằng ngu này, gọi cho nó 0912 345 678 mà chửi. đ.m";
static const char CLAUSE[] =
    "Điều 2. Không xúc phạm, lăng mạ người khác, kể cả cán bộ và cơ quan; hãy góp ý bằng lời lẽ "
    "văn minh.";

static char *verdict; /* the engine's verdict JSON for TEXT */

static int setup(void **state)
{
    sl_engine_options o = {.policy_path = POLICY,
                           .cache_dir = SL_BINARY_DIR "/test-cache",
                           .allow_missing_model = true};
    sl_engine *engine = NULL;
    sl_error err = {0};
    if (sl_engine_new(&o, &engine, &err)) {
        fprintf(stderr, "engine: %s\n", err.message);
        return -1;
    }
    sl_scan *scan = sl_scan_new(engine);
    const sl_verdict *v = NULL;
    size_t len = 0;
    const char *json = NULL;
    if (scan && !sl_engine_check(engine, scan, TEXT, strlen(TEXT), &v))
        json = sl_scan_verdict_json(scan, "\"n1\"", TEXT, strlen(TEXT), &len);
    if (json) verdict = strdup(json);
    sl_scan_free(scan);
    sl_engine_free(engine);
    return verdict ? 0 : -1;
}

static int teardown(void **state)
{
    free(verdict);
    return 0;
}

static sl__notice_facts removal(sl__notice_lang lang)
{
    return (sl__notice_facts){
        .kind = SL_NOTICE_REMOVAL,
        .notice_id = "ntc-7",
        .channel = "news",
        .item_id = "c42",
        .text = TEXT,
        .text_len = strlen(TEXT),
        .verdict_json = verdict,
        .verdict_len = strlen(verdict),
        .rule_id = "insult.people",
        .clause = CLAUSE,
        .category = "insult",
        .policy_version = "2026.11-2",
        .engine_version = "0.1.0",
        .automated_detection = true,
        .automated_decision = false,
        .decided_at = 1796030045000,   /* 2026-11-30 09:14:05 UTC */
        .appeal_until = 1797239645000, /* 14 days later */
        .lang = lang,
    };
}

/* Renders facts both ways; checks that the JSON is one strict JSON value. */
static void render(const sl__notice_facts *f, sl_buf *json, sl_buf *text)
{
    sl_error err = {0};
    assert_int_equal(sl__notice_json(f, json, &err), SL_OK);
    assert_int_equal(sl__notice_text(f, text, &err), SL_OK);
    size_t i = 0;
    assert_int_equal(sl__json_skip(json->data, json->len, &i, &err), SL_OK);
    assert_int_equal(sl__json_end(json->data, json->len, i, &err), SL_OK);
    assert_int_equal(sl_utf8_validate(text->data, text->len, &err), SL_OK);
    assert_int_equal(text->data[text->len - 1], '\n');
}

static cJSON *facts_of(cJSON *notice)
{
    cJSON *facts = cJSON_GetObjectItemCaseSensitive(notice, "facts");
    assert_non_null(facts);
    assert_true(cJSON_IsArray(facts));
    return facts;
}

static const char *str(cJSON *o, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void test_engine_verdict_has_the_findings(void **state)
{
    /* the fixture itself: the engine flagged an insult, the profanity and the phone number */
    assert_non_null(strstr(verdict, "\"rule\":\"insult.people\""));
    assert_non_null(strstr(verdict, "\"rule\":\"insult.profanity\""));
    assert_non_null(strstr(verdict, "\"rule\":\"pii.phone\""));
}

static void test_vietnamese(void **state)
{
    sl__notice_facts f = removal(SL_NOTICE_VI);
    sl_buf json = {0}, text = {0};
    render(&f, &json, &text);
    const char *t = text.data;
    assert_non_null(strstr(t, "THÔNG BÁO VỀ BÌNH LUẬN CỦA BẠN\n"));
    assert_non_null(strstr(t, "Mã thông báo: ntc-7\n"));
    assert_non_null(strstr(t, "gỡ bỏ bình luận của bạn"));
    assert_non_null(strstr(t, CLAUSE));
    assert_non_null(strstr(t, "phiên bản quy định 2026.11-2"));
    assert_non_null(strstr(t, "  - “Thằng ngu” (quy tắc insult.people)\n"));
    assert_non_null(strstr(t, "  - “đ.m” (quy tắc insult.profanity)\n"));
    assert_non_null(strstr(t, "  - “[đã che]” (quy tắc pii.phone; thông tin cá nhân đã được che)"));
    assert_non_null(strstr(t, "công cụ tự động phát hiện"));
    assert_non_null(strstr(t, "do một người kiểm duyệt đưa ra, không tự động"));
    /* 09:14 UTC is 16:14 in Vietnam; the appeal runs until 14 days later */
    assert_non_null(strstr(t, "Thời điểm: 16:14 ngày 30/11/2026 (giờ Việt Nam)"));
    assert_non_null(strstr(t, "khiếu nại đến hết 16:14 ngày 14/12/2026 (giờ Việt Nam)"));
    assert_non_null(strstr(t, "POST /v1/appeals"));
    /* the cited rule's passage comes before the others */
    assert_true(strstr(t, "Thằng ngu”") < strstr(t, "đ.m”"));
    assert_null(strstr(t, "345"));
    assert_null(strstr(json.data, "345"));
    assert_null(strstr(json.data, "appeal_token\":\"")); /* the token is never in a notice */

    if (getenv("SL_TEST_PRINT")) printf("%s\n%s\n", t, json.data); /* for docs/workflow.md */
    cJSON *n = cJSON_Parse(json.data);
    assert_non_null(n);
    assert_string_equal(str(n, "lang"), "vi");
    assert_string_equal(str(n, "kind"), "removal");
    assert_string_equal(str(n, "restriction"), "removed");
    assert_string_equal(str(n, "decided_at"), "2026-11-30T09:14:05Z");
    assert_string_equal(str(cJSON_GetObjectItem(n, "appeal"), "until"), "2026-12-14T09:14:05Z");
    assert_string_equal(str(cJSON_GetObjectItem(n, "rule"), "clause"), CLAUSE);
    assert_string_equal(str(n, "message"), t); /* the JSON carries the same text */
    assert_string_equal(str(cJSON_GetArrayItem(facts_of(n), 0), "rule"), "insult.people");
    cJSON_Delete(n);
    sl_buf_free(&json);
    sl_buf_free(&text);
}

static void test_english(void **state)
{
    sl__notice_facts f = removal(SL_NOTICE_EN);
    sl_buf json = {0}, text = {0};
    render(&f, &json, &text);
    const char *t = text.data;
    if (getenv("SL_TEST_PRINT")) printf("%s\n", t);
    assert_non_null(strstr(t, "NOTICE ABOUT YOUR COMMENT\n"));
    assert_non_null(strstr(t, "decided to remove your comment"));
    assert_non_null(strstr(t, "  - “[redacted]” (rule pii.phone; personal data redacted)\n"));
    assert_non_null(strstr(t, "Time: 2026-11-30 09:14 UTC"));
    assert_non_null(strstr(t, "appeal until 2026-12-14 09:14 UTC"));
    assert_null(strstr(t, "đã che"));
    assert_null(strstr(t, "345"));
    cJSON *n = cJSON_Parse(json.data);
    assert_string_equal(str(n, "lang"), "en");
    cJSON_Delete(n);
    sl_buf_free(&json);
    sl_buf_free(&text);
}

/* Every quote is the text's own bytes at the span, except personal data. */
static void test_spans_quoted_exactly(void **state)
{
    sl__notice_facts f = removal(SL_NOTICE_VI);
    sl_buf json = {0}, text = {0};
    render(&f, &json, &text);
    cJSON *n = cJSON_Parse(json.data);
    cJSON *fact;
    size_t seen = 0;
    cJSON_ArrayForEach(fact, facts_of(n))
    {
        size_t s = (size_t)cJSON_GetObjectItem(fact, "start")->valuedouble;
        size_t e = (size_t)cJSON_GetObjectItem(fact, "end")->valuedouble;
        assert_true(s < e && e <= strlen(TEXT));
        const char *q = str(fact, "quote");
        assert_non_null(q);
        if (cJSON_IsTrue(cJSON_GetObjectItem(fact, "personal_data"))) {
            assert_string_equal(q, "[đã che]");
            assert_memory_equal(TEXT + s, "0912 345 678", e - s);
        } else {
            assert_int_equal(strlen(q), e - s);
            assert_memory_equal(q, TEXT + s, e - s);
        }
        seen++;
    }
    assert_int_equal(seen, 3);
    cJSON_Delete(n);
    sl_buf_free(&json);
    sl_buf_free(&text);
}

/* Personal data inside another rule's span is redacted there too, and only there; also when
 * the verdict does not list it. */
static void test_personal_data_inside_another_span(void **state)
{
    static const char t[] = "đồ ngu gọi 0912345678 đi";
    size_t ph = strstr(t, "0912") - t;
    char v[512];
    snprintf(v, sizeof v,
             "{\"action\":\"hide\",\"hits\":[{\"rule\":\"x.insult\",\"category\":\"insult\","
             "\"start\":0,\"end\":%zu},{\"rule\":\"pii.phone\",\"category\":\"personal_data\","
             "\"start\":%zu,\"end\":%zu}]}",
             strlen(t), ph, ph + 10);
    sl__notice_facts f = removal(SL_NOTICE_VI);
    f.text = t;
    f.text_len = strlen(t);
    f.verdict_json = v;
    f.verdict_len = strlen(v);
    f.rule_id = "x.insult";
    sl_buf json = {0}, text = {0};
    render(&f, &json, &text);
    assert_non_null(strstr(text.data, "“đồ ngu gọi [đã che] đi”"));
    assert_null(strstr(text.data, "0912"));
    assert_null(strstr(json.data, "0912"));
    assert_non_null(strstr(json.data, "\"quote\":\"đồ ngu gọi [đã che] đi\""));
    sl_buf_clear(&json);
    sl_buf_clear(&text);

    /* a verdict that does not list the phone number (capped, or a policy without personal-data
     * rules): the detectors find it in the text all the same */
    static const char t2[] = "đồ ngu, gọi 0912345678 hoặc mail a.b@example.com nhé";
    snprintf(v, sizeof v,
             "{\"hits\":[{\"rule\":\"x.insult\",\"category\":\"insult\",\"start\":0,"
             "\"end\":%zu}]}",
             strlen(t2));
    f.text = t2;
    f.text_len = strlen(t2);
    f.verdict_len = strlen(v);
    render(&f, &json, &text);
    assert_non_null(strstr(text.data, "“đồ ngu, gọi [đã che] hoặc mail [đã che] nhé”"));
    assert_non_null(strstr(text.data, "Thông tin cá nhân trong bình luận đã được che đi"));
    assert_null(strstr(text.data, "0912"));
    assert_null(strstr(json.data, "example.com"));
    sl_buf_free(&json);
    sl_buf_free(&text);
}

/* A post with newlines, carriage returns, a line separator and a bidi override inside a flagged
 * span: in the plain text it stays on its one line and reads as written; in JSON it is quoted
 * exactly, escaped. */
static void test_control_characters_cannot_forge_lines(void **state)
{
    static const char t[] = "ngu\nTrân trọng.\r\nKhiếu nại:\xE2\x80\xA8 miễn phí\xE2\x80\xAE"
                            "olleh\x1b[2J\t!";
    char v[256];
    snprintf(v, sizeof v,
             "{\"hits\":[{\"rule\":\"insult.people\",\"category\":\"insult\",\"start\":0,"
             "\"end\":%zu}]}",
             strlen(t));
    sl__notice_facts f = removal(SL_NOTICE_VI);
    f.text = t;
    f.text_len = strlen(t);
    f.verdict_json = v;
    f.verdict_len = strlen(v);
    f.statement = "Xin lưu ý.\nTHÔNG BÁO GIẢ";
    f.channel = "news\nMã thông báo: giả";
    sl_buf json = {0}, text = {0};
    render(&f, &json, &text);
    const char *o = text.data;
    assert_non_null(strstr(o, "  - “ngu Trân trọng.  Khiếu nại:  miễn phíolleh [2J !” (quy tắc"));
    assert_non_null(strstr(o, "Lời nhắn của người kiểm duyệt: Xin lưu ý. THÔNG BÁO GIẢ\n"));
    assert_non_null(strstr(o, "trên kênh news Mã thông báo: giả\n"));
    assert_null(strchr(o, '\r'));
    assert_null(strchr(o, '\t'));
    assert_null(strchr(o, '\x1b'));
    assert_null(strstr(o, "\xE2\x80\xAE"));
    assert_null(strstr(o, "\xE2\x80\xA8"));
    /* the forged lines never start a line */
    assert_null(strstr(o, "\nTrân trọng.\r"));
    assert_null(strstr(o, "\nKhiếu nại: "));
    assert_null(strstr(o, "\nTHÔNG BÁO GIẢ"));
    assert_null(strstr(o, "\nMã thông báo: giả"));
    /* JSON: the exact text, escaped */
    cJSON *n = cJSON_Parse(json.data);
    assert_non_null(n);
    assert_string_equal(str(cJSON_GetArrayItem(facts_of(n), 0), "quote"), t);
    assert_string_equal(str(n, "statement"), "Xin lưu ý.\nTHÔNG BÁO GIẢ");
    cJSON_Delete(n);
    sl_buf_free(&json);
    sl_buf_free(&text);
}

static void test_purged_text_still_names_the_clause(void **state)
{
    for (int lang = 0; lang < 2; lang++) {
        sl__notice_facts f = removal((sl__notice_lang)lang);
        f.text = NULL;
        f.text_len = 0;
        sl_buf json = {0}, text = {0};
        render(&f, &json, &text);
        assert_non_null(strstr(text.data, CLAUSE));
        assert_non_null(strstr(text.data, "insult.people"));
        assert_non_null(strstr(text.data, lang ? "no longer kept" : "không còn được lưu giữ"));
        assert_null(strstr(text.data, "“"));
        assert_null(strstr(text.data, "Thằng"));
        assert_null(strstr(json.data, "\"quote\""));
        assert_null(strstr(json.data, "Thằng"));
        cJSON *n = cJSON_Parse(json.data);
        assert_true(cJSON_IsFalse(cJSON_GetObjectItem(n, "text_available")));
        assert_int_equal(cJSON_GetArraySize(facts_of(n)), 3); /* the spans, without quotes */
        cJSON_Delete(n);
        sl_buf_free(&json);
        sl_buf_free(&text);
    }
}

/* Spans past the text or inside a character are clamped and widened; bad bytes become U+FFFD. */
static void test_spans_clamped(void **state)
{
    static const char t[] = "ăn \xff ngu"; /* "ă" is 2 bytes; one invalid byte */
    const char *v = "{\"hits\":[{\"rule\":\"a\",\"category\":\"insult\",\"start\":1,\"end\":2},"
                    "{\"rule\":\"b\",\"category\":\"insult\",\"start\":4,\"end\":999},"
                    "{\"rule\":\"c\",\"category\":\"insult\",\"start\":500,\"end\":600}]}";
    sl__notice_facts f = removal(SL_NOTICE_EN);
    f.text = t;
    f.text_len = strlen(t);
    f.verdict_json = v;
    f.verdict_len = strlen(v);
    f.rule_id = "a";
    sl_buf json = {0}, text = {0};
    render(&f, &json, &text);
    cJSON *n = cJSON_Parse(json.data);
    cJSON *facts = facts_of(n);
    assert_string_equal(str(cJSON_GetArrayItem(facts, 0), "quote"), "ă");
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(facts, 0), "start")->valueint, 0);
    assert_string_equal(str(cJSON_GetArrayItem(facts, 1), "quote"), "\xEF\xBF\xBD ngu");
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(facts, 1), "end")->valueint,
                     (int)strlen(t));
    assert_string_equal(str(cJSON_GetArrayItem(facts, 2), "quote"), "");
    cJSON_Delete(n);
    sl_buf_free(&json);
    sl_buf_free(&text);
}

static void test_long_span_is_cut(void **state)
{
    char t[1000];
    size_t len = 0;
    while (len + 2 < sizeof t - 1) len += (size_t)snprintf(t + len, sizeof t - len, "ư");
    char v[200];
    snprintf(v, sizeof v,
             "{\"hits\":[{\"rule\":\"insult.people\",\"category\":\"insult\",\"start\":0,"
             "\"end\":%zu}]}",
             len);
    sl__notice_facts f = removal(SL_NOTICE_VI);
    f.text = t;
    f.text_len = len;
    f.verdict_json = v;
    f.verdict_len = strlen(v);
    sl_buf json = {0}, text = {0};
    render(&f, &json, &text);
    cJSON *n = cJSON_Parse(json.data);
    const char *q = str(cJSON_GetArrayItem(facts_of(n), 0), "quote");
    assert_int_equal(strlen(q), SL__NOTICE_MAX_QUOTE + strlen("…"));
    assert_string_equal(q + SL__NOTICE_MAX_QUOTE, "…");
    cJSON_Delete(n);
    sl_buf_free(&json);
    sl_buf_free(&text);
}

static void test_automated_hide(void **state)
{
    sl__notice_facts f = removal(SL_NOTICE_VI);
    f.kind = SL_NOTICE_AUTO_HIDE;
    f.automated_decision = true;
    sl_buf json = {0}, text = {0};
    render(&f, &json, &text);
    assert_non_null(strstr(text.data, "tạm thời bị ẩn"));
    assert_non_null(strstr(text.data, "do hệ thống đưa ra tự động; chưa có người nào xem xét"));
    cJSON *n = cJSON_Parse(json.data);
    assert_string_equal(str(n, "restriction"), "hidden");
    assert_string_equal(str(n, "kind"), "automated_hide");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(n, "automated_decision")));
    cJSON_Delete(n);
    sl_buf_free(&json);
    sl_buf_free(&text);
}

static void test_appeal_outcomes(void **state)
{
    sl__notice_facts f = removal(SL_NOTICE_VI);
    f.kind = SL_NOTICE_APPEAL;
    f.appeal_outcome = SL_APPEAL_UPHELD;
    f.appeal_reason = "Bình luận gọi người khác là \"thằng ngu\".";
    f.appeal_until = 0;
    sl_buf json = {0}, text = {0};
    render(&f, &json, &text);
    assert_non_null(strstr(text.data, "giữ nguyên quyết định"));
    assert_non_null(strstr(text.data, "Lý do của quyết định về khiếu nại: Bình luận gọi"));
    assert_non_null(strstr(text.data, "không thể khiếu nại thêm"));
    assert_non_null(strstr(text.data, "“Thằng ngu”"));
    cJSON *n = cJSON_Parse(json.data);
    assert_string_equal(str(n, "outcome"), "upheld");
    assert_string_equal(str(n, "restriction"), "removed");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(n, "appeal"), "possible")));
    cJSON_Delete(n);
    sl_buf_clear(&json);
    sl_buf_clear(&text);

    f.appeal_outcome = SL_APPEAL_OVERTURNED;
    f.lang = SL_NOTICE_EN;
    render(&f, &json, &text);
    assert_non_null(strstr(text.data, "has been overturned"));
    assert_non_null(strstr(text.data, "The earlier decision relied on this rule"));
    assert_non_null(strstr(text.data, CLAUSE));
    assert_null(strstr(text.data, "Thằng ngu”")); /* nothing is held against the author */
    n = cJSON_Parse(json.data);
    assert_string_equal(str(n, "outcome"), "overturned");
    assert_string_equal(str(n, "restriction"), "restored");
    assert_null(strstr(json.data, "\"quote\""));
    cJSON_Delete(n);
    sl_buf_free(&json);
    sl_buf_free(&text);
}

/* A damaged verdict is an error with its byte, and the output keeps what it had. */
static void test_bad_verdicts(void **state)
{
    static const struct {
        const char *v;
        sl_status st;
        size_t byte;
    } cases[] = {
        {"{\"hits\":[{\"rule\":\"a\"", SL_ERR_JSON, SL_NO_POS},
        {"{\"hits\":{}}", SL_ERR_JSON, 8},
        {"{\"hits\":[1]}", SL_ERR_JSON, 9},
        {"{\"hits\":[{\"rule\":\"a\",\"category\":\"b\",\"start\":1}]}", SL_ERR_MISSING_FIELD, 9},
        {"{\"hits\":[{\"rule\":\"a\",\"category\":\"b\",\"start\":5,\"end\":2}]}", SL_ERR_JSON, 9},
        {"{\"hits\":[{\"rule\":\"a\",\"category\":\"b\",\"start\":-1,\"end\":2}]}", SL_ERR_JSON,
         SL_NO_POS},
        {"{\"hits\":[]} x", SL_ERR_JSON, 12},
        {"[]", SL_ERR_JSON, 0},
        {"", SL_ERR_JSON, SL_NO_POS},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        sl__notice_facts f = removal(SL_NOTICE_VI);
        f.verdict_json = cases[k].v;
        f.verdict_len = strlen(cases[k].v);
        sl_buf out = {0};
        assert_int_equal(sl_buf_puts(&out, "kept"), SL_OK);
        sl_error err = {0};
        assert_int_equal(sl__notice_json(&f, &out, &err), cases[k].st);
        if (cases[k].byte != SL_NO_POS) assert_int_equal(err.byte, cases[k].byte);
        assert_int_equal(sl__notice_text(&f, &out, &err), cases[k].st);
        assert_string_equal(out.data, "kept");
        sl_buf_free(&out);
    }
}

static void test_no_verdict_and_missing_facts(void **state)
{
    sl__notice_facts f = removal(SL_NOTICE_VI);
    f.verdict_json = NULL;
    f.verdict_len = 0;
    sl_buf json = {0}, text = {0};
    render(&f, &json, &text);
    assert_non_null(strstr(text.data, "Không có đoạn nào được đánh dấu riêng"));
    sl_buf_free(&json);
    sl_buf_free(&text);

    sl_error err = {0};
    sl_buf out = {0};
    f = removal(SL_NOTICE_VI);
    f.clause = NULL;
    assert_int_equal(sl__notice_text(&f, &out, &err), SL_ERR_ARG);
    assert_non_null(strstr(err.message, "clause"));
    f = removal(SL_NOTICE_VI);
    f.appeal_outcome = SL_APPEAL_UPHELD; /* an outcome on a removal notice */
    assert_int_equal(sl__notice_json(&f, &out, &err), SL_ERR_ARG);
    f.kind = SL_NOTICE_APPEAL;
    f.appeal_outcome = SL_APPEAL_NONE;
    assert_int_equal(sl__notice_json(&f, &out, &err), SL_ERR_ARG);
    assert_int_equal(sl__notice_json(NULL, &out, &err), SL_ERR_ARG);
    assert_int_equal(out.len, 0);
    sl_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_verdict_has_the_findings),
        cmocka_unit_test(test_vietnamese),
        cmocka_unit_test(test_english),
        cmocka_unit_test(test_spans_quoted_exactly),
        cmocka_unit_test(test_personal_data_inside_another_span),
        cmocka_unit_test(test_control_characters_cannot_forge_lines),
        cmocka_unit_test(test_purged_text_still_names_the_clause),
        cmocka_unit_test(test_spans_clamped),
        cmocka_unit_test(test_long_span_is_cut),
        cmocka_unit_test(test_automated_hide),
        cmocka_unit_test(test_appeal_outcomes),
        cmocka_unit_test(test_bad_verdicts),
        cmocka_unit_test(test_no_verdict_and_missing_facts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
