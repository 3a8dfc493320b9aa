/* GET /v1/transparency/statements below the HTTP layer (src/server/transparency.c): the query
 * (since as ISO-8601 or ms, limit, cursor; errors name the parameter and its byte), a listed row
 * to a statement (the content date, the fallbacks for a rule without category or clause, one
 * puid per source), and the whole chain on a real store: every statement of a real workflow
 * passes sl__dsa_check and holds no author, reporter, reviewer, note or text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "server/dsa.h"
#include "server/transparency.h"
#include "store/store_fixture.h"

#define NOV_30_2026 1796030045000LL /* 2026-11-30 09:14:05 UTC */
#define DAY         86400000LL

static sl_status query(const char *q, sl__statements_query *out, sl_error *err)
{
    return sl__req_statements_query(q, q ? strlen(q) : 0, out, err);
}

static void test_query(void **state)
{
    (void)state;
    sl__statements_query q;
    sl_error err = {0};
    assert_int_equal(query(NULL, &q, &err), SL_OK);
    assert_int_equal(q.since, 0);
    assert_int_equal(q.limit, SL_STATEMENTS_DEFAULT_LIMIT);
    assert_int_equal(q.cursor_len, 0);
    assert_int_equal(query("since=2026-11-30T09:14:05Z&limit=1000&cursor=abc", &q, &err), SL_OK);
    assert_int_equal(q.since, NOV_30_2026);
    assert_int_equal(q.limit, 1000);
    assert_string_equal(q.cursor, "abc");
    /* an offset, sent as it is or percent-encoded; milliseconds; a day alone is UTC midnight */
    assert_int_equal(query("since=2026-11-30T16:14:05+07:00", &q, &err), SL_OK);
    assert_int_equal(q.since, NOV_30_2026);
    assert_int_equal(query("since=2026-11-30T16%3A14%3A05%2B07%3A00&&", &q, &err), SL_OK);
    assert_int_equal(q.since, NOV_30_2026);
    assert_int_equal(query("since=1796030045000", &q, &err), SL_OK);
    assert_int_equal(q.since, NOV_30_2026);
    assert_int_equal(query("since=2026-11-30", &q, &err), SL_OK);
    assert_int_equal(q.since, NOV_30_2026 - 9 * 3600000LL - 14 * 60000LL - 5000LL);

    /* errors: the parameter named, the byte at its value (or key) */
    const struct {
        const char *q, *names;
        size_t byte;
        sl_status code;
    } bad[] = {
        {"since=2026-13-01", "since", 6, SL_ERR_ARG},
        {"since=", "since", 6, SL_ERR_ARG},
        {"limit=1&since=yesterday", "since", 14, SL_ERR_ARG},
        {"since=12ab", "since", 6, SL_ERR_ARG},
        {"since=%ZZ", "since", 6, SL_ERR_ARG},
        {"since=99999999999999999999", "since", 6, SL_ERR_ARG},
        {"limit=0", "limit", 6, SL_ERR_ARG},
        {"limit=1001", "limit", 6, SL_ERR_ARG},
        {"limit=-1", "limit", 6, SL_ERR_ARG},
        {"limit=10x", "limit", 6, SL_ERR_ARG},
        {"limit=1&limit=2", "repeated", 8, SL_ERR_ARG},
        {"author=x", "unknown", 0, SL_ERR_ARG},
        {"cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "cursor", 7, SL_ERR_CURSOR},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        err = (sl_error){0};
        assert_int_equal(query(bad[k].q, &q, &err), bad[k].code);
        assert_int_equal(err.byte, bad[k].byte);
        if (!strstr(err.message, bad[k].names)) fail_msg("%s: %s", bad[k].q, err.message);
    }
}

static sl_store_statement row(sl_statement_source src)
{
    return (sl_store_statement){.source = src,
                                .id = 7,
                                .item = 42,
                                .rule = "insult.people",
                                .category = "insult",
                                .clause = "Điều 2. Không xúc phạm người khác.",
                                .policy_version = "2026.11-2",
                                .verdict_json = "{\"hits\":[]}",
                                .verdict_len = 11,
                                .created_at = "2026-11-29T10:00:00Z",
                                .received_at = NOV_30_2026 - 3600000,
                                .automated_detection = true,
                                .automated_decision = src == SL_STATEMENT_AUTOMATED_HIDE,
                                .applied_at = NOV_30_2026};
}

/* Builds and checks the statement of r; returns it (static storage). */
static const char *build(const sl_store_statement *r)
{
    static sl_buf b = {0};
    sl_buf_clear(&b);
    sl_error err = {0};
    assert_int_equal(sl__transparency_statement("default", r, &b, &err), SL_OK);
    if (sl__dsa_check(b.data, b.len, &err)) fail_msg("%s: %s", err.message, b.data);
    return b.data;
}

static void test_statement(void **state)
{
    (void)state;
    sl_store_statement r = row(SL_STATEMENT_DECISION);
    const char *s = build(&r);
    assert_non_null(strstr(s, "\"content_date\":\"2026-11-29\""));
    assert_non_null(strstr(s, "\"application_date\":\"2026-11-30\""));
    assert_non_null(strstr(s, "DECISION_VISIBILITY_CONTENT_REMOVED"));
    assert_non_null(strstr(s, "AUTOMATED_DECISION_NOT_AUTOMATED"));
    assert_null(strstr(s, "end_date_visibility_restriction"));
    char puid_decision[64];
    snprintf(puid_decision, sizeof puid_decision, "%s", strstr(s, "\"puid\""));

    /* content date: a created_at that is not a time, before 2000 or after the application
     * gives way to the time of receipt (2026-11-30) */
    const char *odd[] = {"hôm qua", "1999-12-31T23:59:59Z", "2026-12-01T00:00:00Z", ""};
    for (size_t k = 0; k < 4; k++) {
        r.created_at = odd[k];
        assert_non_null(strstr(build(&r), "\"content_date\":\"2026-11-30\""));
    }
    r.created_at = "1796000000000"; /* ms: 2026-11-30 */
    assert_non_null(strstr(build(&r), "\"content_date\":\"2026-11-30\""));

    /* ended: the end date; a reader's report: Article 16 */
    r.ended_at = NOV_30_2026 + 2 * DAY;
    r.reported = true;
    s = build(&r);
    assert_non_null(strstr(s, "\"end_date_visibility_restriction\":\"2026-12-02\""));
    assert_non_null(strstr(s, "SOURCE_ARTICLE_16"));

    /* the automated hide: disabled, fully automated; a rule without category or clause */
    r = row(SL_STATEMENT_AUTOMATED_HIDE);
    r.rule = r.category = r.clause = "";
    s = build(&r);
    assert_non_null(strstr(s, "DECISION_VISIBILITY_CONTENT_DISABLED"));
    assert_non_null(strstr(s, "AUTOMATED_DECISION_FULLY"));
    assert_non_null(strstr(s, "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"));
    assert_non_null(strstr(s, "rule unspecified"));
    assert_null(strstr(s, puid_decision));
    /* the appeal with the decision's number: another puid still */
    r = row(SL_STATEMENT_APPEAL);
    s = build(&r);
    assert_null(strstr(s, puid_decision));
    assert_non_null(strstr(s, "DECISION_VISIBILITY_CONTENT_REMOVED"));
}

/* ---- the chain on a real store ------------------------------------------------------------ */

static const char *const PERSONAL[] = {"Nguyễn Văn An", "Lê Văn Cường",  "Phạm Thu Hà",
                                       "Hoàng Yến",     "ghi chú riêng", "lời tố cáo",
                                       "xin xem lại",   "Bài viết rất",  "bl-"};

static void decide(sl_store *s, int64_t rev, const char *id, sl_store_outcome o,
                   sl_store_decision_out *out)
{
    int64_t v = 0;
    sl_error err = {0};
    assert_int_equal(sl_store_item_version(s, "default", "fb", 2, id, strlen(id), &v, &err), SL_OK);
    sl_store_decision_in in = {.channel = "fb",
                               .channel_len = 2,
                               .id = id,
                               .id_len = strlen(id),
                               .version = v,
                               .outcome = o,
                               .rule = {"pii.phone", "personal_data", "Không đăng số điện thoại."},
                               .note = "ghi chú riêng",
                               .note_len = strlen("ghi chú riêng"),
                               .statement = "Lê Văn Cường nhắn",
                               .statement_len = strlen("Lê Văn Cường nhắn"),
                               .engine_version = ""};
    sl_store_refusal why;
    assert_int_equal(sl_store_decide(s, "default", rev, &in, out, &why, &err), SL_OK);
}

static void test_real_store(void **state)
{
    fixture *f = malloc(sizeof *f);
    assert_non_null(f);
    fixture_init(f);
    *state = f;
    f->clock = NOV_30_2026;
    sl_store *s = fixture_open(f);
    sl_token_info integ, rev, appeals;
    char secret[SL_TOKEN_SECRET_SIZE];
    sl_error err = {0};
    assert_int_equal(
        sl_store_token_create(s, "CMS", SL_ROLE_INTEGRATION, "default", secret, &integ, &err),
        SL_OK);
    assert_int_equal(
        sl_store_token_create(s, "Lê Văn Cường", SL_ROLE_REVIEWER, "default", secret, &rev, &err),
        SL_OK);
    assert_int_equal(
        sl_store_token_create(s, "Phạm Thu Hà", SL_ROLE_APPEALS, "default", secret, &appeals, &err),
        SL_OK);
    static const sl_store_rule_ref hide_rule = {"threat.violence", "threat", "Không đe dọa."};
    static const char verdict[] =
        "{\"action\":\"hide\",\"hits\":[{\"rule\":\"pii.phone\",\"category\":\"personal_data\","
        "\"start\":0,\"end\":12,\"text\":\"0912 345 678\"}]}";
    const char *ids[] = {"bl-1", "bl-2", "bl-3"};
    sl_store_action acts[] = {SL_STORE_HIDE, SL_STORE_REVIEW, SL_STORE_ALLOW};
    for (int k = 0; k < 3; k++) {
        sl_store_item it = make_item("fb", ids[k], acts[k], 0.5);
        it.verdict_json = verdict;
        it.verdict_len = strlen(verdict);
        it.hide_rule = &hide_rule;
        sl_ingest_result res;
        assert_int_equal(sl_store_ingest(s, "default", integ.id, &it, 1, &res, &err), SL_OK);
    }
    sl_store_decision_out d;
    f->clock += 60000;
    decide(s, rev.id, "bl-2", SL_STORE_REMOVE, &d);
    sl_store_report_in rin = {.channel = "fb",
                              .channel_len = 2,
                              .id = "bl-3",
                              .id_len = 4,
                              .reason = "personal_data",
                              .reason_len = strlen("personal_data"),
                              .text = "lời tố cáo",
                              .text_len = strlen("lời tố cáo"),
                              .reporter = "Hoàng Yến",
                              .reporter_len = strlen("Hoàng Yến")};
    sl_store_report_out rout;
    assert_int_equal(sl_store_report(s, "default", integ.id, &rin, &rout, &err), SL_OK);
    f->clock += 60000;
    decide(s, rev.id, "bl-3", SL_STORE_KEEP, &d);
    sl_store_appeal_out ao;
    sl_store_refusal why;
    f->clock += DAY;
    assert_int_equal(sl_store_appeal(s, rout.appeal_token, SL_APPEAL_TOKEN_LEN, "xin xem lại",
                                     strlen("xin xem lại"), &ao, &why, &err),
                     SL_OK);
    sl_store_appeal_decision_out ad;
    assert_int_equal(sl_store_appeal_decide(s, "default", appeals.id, ao.appeal, SL_STORE_OVERTURN,
                                            "Phạm Thu Hà: vi phạm", strlen("Phạm Thu Hà: vi phạm"),
                                            &ad, &why, &err),
                     SL_OK);

    sl_statement_page page;
    assert_int_equal(sl_store_statements(s, "default", 0, 100, NULL, 0, &page, &err), SL_OK);
    /* the hide of bl-1, the removal of bl-2, the reporter's appeal that removed bl-3 */
    assert_int_equal(page.n, 3);
    sl_buf b = {0};
    for (size_t k = 0; k < page.n; k++) {
        sl_buf_clear(&b);
        assert_int_equal(sl__transparency_statement("default", &page.rows[k], &b, &err), SL_OK);
        if (sl__dsa_check(b.data, b.len, &err)) fail_msg("%s: %s", err.message, b.data);
        for (size_t p = 0; p < sizeof PERSONAL / sizeof PERSONAL[0]; p++)
            if (strstr(b.data, PERSONAL[p])) fail_msg("\"%s\" in %s", PERSONAL[p], b.data);
        if (strstr(b.data, "0912")) fail_msg("a quote of the post in %s", b.data);
        if (getenv("SL_TEST_PRINT")) printf("%s\n", b.data);
    }
    assert_int_equal(page.rows[2].source, SL_STATEMENT_APPEAL);
    assert_true(page.rows[2].reported);
    sl_buf_free(&b);
    sl_statement_page_free(&page);
    sl_store_close(s);
    fixture_done(f);
    free(f);
    *state = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_statement),
        cmocka_unit_test(test_real_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
