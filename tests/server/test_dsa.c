/* Statements of reasons for the DSA Transparency Database (src/server/dsa.c): a statement for
 * every category of the default policy and every kind of restriction passes the schema check,
 * maps its category through the one table, and carries no personal data; the check refuses a
 * statement without a required field, with a value the schema does not allow, or without the
 * field a chosen value requires. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <cmocka.h>

#include "server/dsa.h"

#define DAY         86400000LL
#define NOV_30_2026 1796030045000LL /* 2026-11-30 09:14:05 UTC */

/* A verdict whose hits carry excerpts: a statement must never copy them. */
static const char VERDICT[] =
    "{\"id\":\"c42\",\"action\":\"hide\",\"hits\":[{\"rule\":\"insult.people\",\"category\":"
    "\"insult\",\"start\":0,\"end\":11,\"text\":\"Thằng ngu\"},{\"rule\":\"pii.phone\","
    "\"category\":\"personal_data\",\"start\":32,\"end\":44,\"text\":\"0912 345 678\"},"
    "{\"rule\":\"insult.profanity\",\"category\":\"insult\",\"start\":57,\"end\":61,"
    "\"text\":\"đ.m\"}]}";

static sl__dsa_facts facts(void)
{
    return (sl__dsa_facts){
        .kind = SL_DSA_REMOVAL,
        .org = "so-tttt-binh-dinh",
        .item = 4711,
        .decision = 12,
        .rule_id = "insult.people",
        .clause = "Điều 2. Không xúc phạm, lăng mạ người khác.",
        .category = "insult",
        .verdict_json = VERDICT,
        .verdict_len = strlen(VERDICT),
        .policy_version = "2026.11-2",
        .automated_detection = true,
        .automated_decision = SL_DSA_NOT_AUTOMATED,
        .content_at = NOV_30_2026 - DAY,
        .applied_at = NOV_30_2026,
        .content_language = "vi",
    };
}

/* Builds the statement, checks it against the schema, returns it parsed. */
static cJSON *statement(const sl__dsa_facts *f, sl_buf *out)
{
    sl_error err = {0};
    sl_buf_clear(out);
    assert_int_equal(sl__dsa_statement(f, out, &err), SL_OK);
    sl_status st = sl__dsa_check(out->data, out->len, &err);
    if (st) fprintf(stderr, "%s\n%s\n", err.message, out->data);
    assert_int_equal(st, SL_OK);
    cJSON *j = cJSON_Parse(out->data);
    assert_non_null(j);
    return j;
}

static const char *str(cJSON *o, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *first(cJSON *o, const char *key)
{
    cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsArray(a) ? cJSON_GetArrayItem(a, 0)->valuestring : NULL;
}

static void test_every_category_and_kind(void **state)
{
    static const struct {
        const char *sangloc, *category, *keyword;
    } expect[] = {
        {"insult", "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", NULL},
        {"hate", "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "KEYWORD_DISCRIMINATION"},
        {"threat", "STATEMENT_CATEGORY_CYBER_VIOLENCE", "KEYWORD_CYBER_BULLYING_INTIMIDATION"},
        {"personal_data", "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", NULL},
        {"confidential", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", NULL},
        {"hoax", "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
         "KEYWORD_MISINFORMATION_DISINFORMATION"},
        {"spam", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", NULL},
        {"links", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "KEYWORD_PHISHING"},
        {"a_category_of_its_own", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", NULL},
    };
    sl_buf out = {0};
    for (size_t k = 0; k < sizeof expect / sizeof *expect; k++) {
        for (int kind = 0; kind < 2; kind++) {
            for (int variant = 0; variant < 2; variant++) {
                sl__dsa_facts f = facts();
                f.category = expect[k].sangloc;
                f.kind = (sl__dsa_kind)kind;
                f.automated_decision = kind ? SL_DSA_FULLY : SL_DSA_NOT_AUTOMATED;
                f.reported = variant;
                f.automated_detection = !variant;
                f.ended_at = variant ? NOV_30_2026 + 3 * DAY : 0;
                if (variant) f.verdict_json = NULL, f.verdict_len = 0;
                cJSON *j = statement(&f, &out);
                assert_string_equal(str(j, "category"), expect[k].category);
                assert_string_equal(str(j, "category"), sl__dsa_category(expect[k].sangloc));
                if (expect[k].keyword)
                    assert_string_equal(first(j, "category_specification"), expect[k].keyword);
                else
                    assert_null(cJSON_GetObjectItem(j, "category_specification"));
                assert_string_equal(first(j, "decision_visibility"),
                                    kind ? "DECISION_VISIBILITY_CONTENT_DISABLED"
                                         : "DECISION_VISIBILITY_CONTENT_REMOVED");
                assert_string_equal(str(j, "automated_decision"),
                                    kind ? "AUTOMATED_DECISION_FULLY"
                                         : "AUTOMATED_DECISION_NOT_AUTOMATED");
                assert_string_equal(str(j, "automated_detection"), variant ? "No" : "Yes");
                assert_string_equal(str(j, "source_type"),
                                    variant ? "SOURCE_ARTICLE_16" : "SOURCE_VOLUNTARY");
                assert_string_equal(str(j, "decision_ground"),
                                    "DECISION_GROUND_INCOMPATIBLE_CONTENT");
                assert_string_equal(str(j, "incompatible_content_explanation"), f.clause);
                assert_string_equal(first(j, "content_type"), "CONTENT_TYPE_TEXT");
                assert_string_equal(str(j, "content_date"), "2026-11-29");
                assert_string_equal(str(j, "application_date"), "2026-11-30");
                assert_string_equal(str(j, "content_language"), "VI");
                if (variant)
                    assert_string_equal(str(j, "end_date_visibility_restriction"), "2026-12-03");
                else
                    assert_null(cJSON_GetObjectItem(j, "end_date_visibility_restriction"));
                assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "territorial_scope")),
                                 30);
                cJSON_Delete(j);
            }
        }
    }
    sl_buf_free(&out);
}

static void test_no_personal_data(void **state)
{
    sl__dsa_facts f = facts();
    sl_buf out = {0};
    cJSON *j = statement(&f, &out);
    if (getenv("SL_TEST_PRINT")) printf("%s\n", out.data); /* for docs/transparency.md */
    const char *facts_text = str(j, "decision_facts");
    assert_non_null(strstr(facts_text, "removed"));
    assert_non_null(strstr(facts_text, "insult.people"));
    assert_non_null(strstr(facts_text, "2026.11-2"));
    assert_non_null(strstr(facts_text, "3 passages: insult 2, personal_data 1."));
    assert_non_null(strstr(facts_text, "Personal data in the comment is not reproduced here."));
    /* no excerpt, no organization, no item or decision number */
    assert_null(strstr(out.data, "0912"));
    assert_null(strstr(out.data, "Thằng"));
    assert_null(strstr(out.data, "đ.m"));
    assert_null(strstr(out.data, "binh-dinh"));
    assert_null(strstr(out.data, "4711"));
    assert_null(strstr(out.data, "c42"));
    cJSON_Delete(j);
    sl_buf_free(&out);
}

static void test_puid(void **state)
{
    char a[SL__DSA_PUID_SIZE], b[SL__DSA_PUID_SIZE], c[SL__DSA_PUID_SIZE], d[SL__DSA_PUID_SIZE];
    sl__dsa_puid("org", 1, 1, a);
    sl__dsa_puid("org", 1, 1, b);
    sl__dsa_puid("org", 1, 2, c);
    sl__dsa_puid("org2", 1, 1, d);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_string_not_equal(a, d);
    assert_int_equal(strlen(a), SL__DSA_PUID_SIZE - 1);
    assert_memory_equal(a, "sl-", 3);
    assert_int_equal(strspn(a + 3, "0123456789abcdef"), 32);
    /* "org", 11 and 1 must not collide with "org", 1 and 11 */
    sl__dsa_puid("org", 11, 1, c);
    sl__dsa_puid("org", 1, 11, d);
    assert_string_not_equal(c, d);
}

static void test_long_free_text_is_cut(void **state)
{
    char clause[9000];
    size_t len = 0;
    while (len + 2 < sizeof clause - 1) len += (size_t)snprintf(clause + len, 4, "ư");
    sl__dsa_facts f = facts();
    f.clause = clause;
    sl_buf out = {0};
    cJSON *j = statement(&f, &out); /* passes the check: every text within its limit */
    const char *e = str(j, "incompatible_content_explanation");
    size_t chars = 0;
    for (const char *p = e; *p; p++) chars += ((unsigned char)*p & 0xC0) != 0x80;
    assert_int_equal(chars, 2000);
    assert_string_equal(e + strlen(e) - strlen("…"), "…");
    cJSON_Delete(j);
    sl_buf_free(&out);
}

static void test_bad_facts(void **state)
{
    sl_buf out = {0};
    sl_error err = {0};
    assert_int_equal(sl_buf_puts(&out, "kept"), SL_OK);
    sl__dsa_facts f = facts();
    f.clause = "";
    assert_int_equal(sl__dsa_statement(&f, &out, &err), SL_ERR_ARG);
    assert_non_null(strstr(err.message, "clause"));
    f = facts();
    f.content_at = 946684800000LL - DAY; /* 1999-12-31 */
    assert_int_equal(sl__dsa_statement(&f, &out, &err), SL_ERR_ARG);
    f = facts();
    f.ended_at = f.applied_at - DAY;
    assert_int_equal(sl__dsa_statement(&f, &out, &err), SL_ERR_ARG);
    f = facts();
    const char *us[] = {"DE", "US"};
    f.territorial_scope = us;
    f.nterritorial_scope = 2;
    assert_int_equal(sl__dsa_statement(&f, &out, &err), SL_ERR_ARG);
    f = facts();
    f.content_language = "vie";
    assert_int_equal(sl__dsa_statement(&f, &out, &err), SL_ERR_ARG);
    f = facts();
    f.verdict_json = "{\"hits\":[{\"rule\":1}]}";
    f.verdict_len = strlen(f.verdict_json);
    assert_int_equal(sl__dsa_statement(&f, &out, &err), SL_ERR_JSON);
    f.verdict_json = "{\"hits\":[";
    f.verdict_len = strlen(f.verdict_json);
    assert_int_equal(sl__dsa_statement(&f, &out, &err), SL_ERR_JSON);
    assert_string_equal(out.data, "kept");
    /* a chosen scope and no language are fine */
    f = facts();
    const char *de[] = {"DE", "FR"};
    f.territorial_scope = de;
    f.nterritorial_scope = 2;
    f.content_language = NULL;
    f.reference_url = "https://example.org/quy-dinh";
    cJSON *j = statement(&f, &out);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "territorial_scope")), 2);
    assert_null(cJSON_GetObjectItem(j, "content_language"));
    assert_string_equal(str(j, "decision_ground_reference_url"), "https://example.org/quy-dinh");
    cJSON_Delete(j);
    sl_buf_free(&out);
}

/* ---- the validator refuses ---------------------------------------------------------------- */

static cJSON *valid(void)
{
    sl__dsa_facts f = facts();
    sl_buf out = {0};
    cJSON *j = statement(&f, &out);
    sl_buf_free(&out);
    return j;
}

static sl_status check(cJSON *j, sl_error *err)
{
    char *s = cJSON_PrintUnformatted(j);
    *err = (sl_error){0};
    sl_status st = sl__dsa_check(s, strlen(s), err);
    free(s);
    return st;
}

static void test_missing_required_fields(void **state)
{
    static const char *const required[] = {"decision_ground",
                                           "incompatible_content_ground",
                                           "incompatible_content_explanation",
                                           "content_type",
                                           "category",
                                           "content_date",
                                           "application_date",
                                           "decision_facts",
                                           "source_type",
                                           "automated_detection",
                                           "automated_decision",
                                           "puid",
                                           "decision_visibility"};
    for (size_t k = 0; k < sizeof required / sizeof *required; k++) {
        cJSON *j = valid();
        cJSON_DeleteItemFromObjectCaseSensitive(j, required[k]);
        sl_error err;
        assert_int_equal(check(j, &err), SL_ERR_MISSING_FIELD);
        assert_non_null(strstr(err.message, required[k]));
        cJSON_Delete(j);
        /* blank text or an empty array is as good as missing */
        j = valid();
        cJSON *v = cJSON_GetObjectItemCaseSensitive(j, required[k]);
        if (cJSON_IsString(v))
            cJSON_ReplaceItemInObjectCaseSensitive(j, required[k], cJSON_CreateString("  "));
        else
            cJSON_ReplaceItemInObjectCaseSensitive(j, required[k], cJSON_CreateArray());
        assert_int_not_equal(check(j, &err), SL_OK);
        cJSON_Delete(j);
    }
    /* another restriction instead of the visibility one is fine */
    cJSON *j = valid();
    cJSON_DeleteItemFromObjectCaseSensitive(j, "decision_visibility");
    cJSON_AddStringToObject(j, "decision_provision", "DECISION_PROVISION_PARTIAL_SUSPENSION");
    sl_error err;
    assert_int_equal(check(j, &err), SL_OK);
    cJSON_Delete(j);
}

static void test_wrong_values(void **state)
{
    static const struct {
        const char *field, *json;
    } cases[] = {
        {"category", "\"STATEMENT_CATEGORY_MADE_UP\""},
        {"category", "\"STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT\""}, /* v1 only */
        {"category", "\"statement_category_violence\""},
        {"automated_decision", "\"Yes\""}, /* v1's value */
        {"automated_detection", "true"},
        {"source_type", "\"SOURCE_READER\""},
        {"decision_visibility", "[\"DECISION_VISIBILITY_CONTENT_HIDDEN\"]"},
        {"decision_visibility", "\"DECISION_VISIBILITY_CONTENT_REMOVED\""},
        {"content_type", "[\"CONTENT_TYPE_TEXT\",\"CONTENT_TYPE_COMMENT\"]"},
        {"territorial_scope", "[\"VN\"]"},
        {"category_specification", "[\"KEYWORD_INSULT\"]"},
        {"content_language", "\"vi\""},
        {"content_language", "\"VIE\""},
        {"content_date", "\"2026-11-31\""},
        {"content_date", "\"30/11/2026\""},
        {"content_date", "\"1999-12-31\""},
        {"application_date", "\"2019-12-31\""},
        {"application_date", "\"2038-01-02\""},
        {"end_date_visibility_restriction", "\"2026-11-29\""}, /* before the application date */
        {"puid", "\"sl 1\""},
        {"puid", "\"a/b\""},
        {"decision_ground_reference_url", "\"ftp://example.org\""},
        {"decision_ground", "null"},
        {"incompatible_content_illegal", "\"Maybe\""},
        {"a_field_of_our_own", "1"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        cJSON *j = valid();
        cJSON *v = cJSON_Parse(cases[k].json);
        assert_non_null(v);
        cJSON_DeleteItemFromObjectCaseSensitive(j, cases[k].field);
        cJSON_AddItemToObject(j, cases[k].field, v);
        sl_error err;
        sl_status st = check(j, &err);
        if (st != SL_ERR_ARG) fprintf(stderr, "case %zu: %s\n", k, cases[k].field);
        assert_int_equal(st, SL_ERR_ARG);
        assert_non_null(strstr(err.message, cases[k].field));
        assert_int_not_equal(err.byte, SL_NO_POS);
        cJSON_Delete(j);
    }
}

static void test_limits(void **state)
{
    char *big = malloc(5002);
    memset(big, 'a', 5001);
    big[5001] = '\0';
    cJSON *j = valid();
    cJSON_ReplaceItemInObjectCaseSensitive(j, "decision_facts", cJSON_CreateString(big));
    sl_error err;
    assert_int_equal(check(j, &err), SL_ERR_ARG);
    big[5000] = '\0'; /* exactly at the limit */
    cJSON_ReplaceItemInObjectCaseSensitive(j, "decision_facts", cJSON_CreateString(big));
    assert_int_equal(check(j, &err), SL_OK);
    big[501] = '\0';
    cJSON_ReplaceItemInObjectCaseSensitive(j, "incompatible_content_ground",
                                           cJSON_CreateString(big));
    assert_int_equal(check(j, &err), SL_ERR_ARG);
    cJSON_Delete(j);
    free(big);
}

static void test_missing_conditional_fields(void **state)
{
    sl_error err;
    /* DECISION_VISIBILITY_OTHER needs decision_visibility_other */
    cJSON *j = valid();
    cJSON_ReplaceItemInObjectCaseSensitive(j, "decision_visibility",
                                           cJSON_Parse("[\"DECISION_VISIBILITY_OTHER\"]"));
    assert_int_equal(check(j, &err), SL_ERR_MISSING_FIELD);
    assert_non_null(strstr(err.message, "decision_visibility_other"));
    cJSON_AddStringToObject(j, "decision_visibility_other", "hidden from the thread");
    assert_int_equal(check(j, &err), SL_OK);
    cJSON_Delete(j);

    /* CONTENT_TYPE_OTHER needs content_type_other */
    j = valid();
    cJSON_ReplaceItemInObjectCaseSensitive(
        j, "content_type", cJSON_Parse("[\"CONTENT_TYPE_TEXT\",\"CONTENT_TYPE_OTHER\"]"));
    assert_int_equal(check(j, &err), SL_ERR_MISSING_FIELD);
    assert_non_null(strstr(err.message, "content_type_other"));
    cJSON_Delete(j);

    /* DECISION_MONETARY_OTHER needs decision_monetary_other */
    j = valid();
    cJSON_AddStringToObject(j, "decision_monetary", "DECISION_MONETARY_OTHER");
    assert_int_equal(check(j, &err), SL_ERR_MISSING_FIELD);
    assert_non_null(strstr(err.message, "decision_monetary_other"));
    cJSON_Delete(j);

    /* the illegal-content ground needs its legal ground and explanation */
    j = valid();
    cJSON_ReplaceItemInObjectCaseSensitive(j, "decision_ground",
                                           cJSON_CreateString("DECISION_GROUND_ILLEGAL_CONTENT"));
    assert_int_equal(check(j, &err), SL_ERR_MISSING_FIELD);
    assert_non_null(strstr(err.message, "illegal_content_legal_ground"));
    cJSON_AddStringToObject(j, "illegal_content_legal_ground", "Art. 155 Criminal Code");
    assert_int_equal(check(j, &err), SL_ERR_MISSING_FIELD);
    assert_non_null(strstr(err.message, "illegal_content_explanation"));
    cJSON_AddStringToObject(j, "illegal_content_explanation", "an insult of a named person");
    assert_int_equal(check(j, &err), SL_OK);
    cJSON_Delete(j);
}

static void test_malformed(void **state)
{
    static const char *const bad[] = {
        "", "[]", "{", "{\"puid\":\"a\",\"puid\":\"b\"}", "{\"category\":}", "{} x"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        sl_error err = {0};
        assert_int_equal(sl__dsa_check(bad[k], strlen(bad[k]), &err), SL_ERR_JSON);
    }
    sl_error err = {0};
    assert_int_equal(sl__dsa_check("{}", 2, &err), SL_ERR_MISSING_FIELD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_category_and_kind),
        cmocka_unit_test(test_no_personal_data),
        cmocka_unit_test(test_puid),
        cmocka_unit_test(test_long_free_text_is_cut),
        cmocka_unit_test(test_bad_facts),
        cmocka_unit_test(test_missing_required_fields),
        cmocka_unit_test(test_wrong_values),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_missing_conditional_fields),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
