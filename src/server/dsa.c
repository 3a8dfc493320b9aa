/* server/dsa.c — statements of reasons for the DSA Transparency Database (see dsa.h).
 *
 * The schema's values are the database's API documentation (transparency.dsa.ec.europa.eu,
 * "API documentation" and "Additional explanation for statement attributes", taxonomy of July
 * 2025). The validator is table-driven: one row per field with its type, limit, allowed values
 * and whether it may be null; the required and conditional fields are checked once the whole
 * object has been read, so every message names the field that is wrong. */
#include "server/dsa.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/json.h"
#include "server/verdict_hits.h"
#include "text/utf8.h"

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* ---- allowed values ----------------------------------------------------------------------- */

static const char *const visibilities[] = {"DECISION_VISIBILITY_CONTENT_REMOVED",
                                           "DECISION_VISIBILITY_CONTENT_DISABLED",
                                           "DECISION_VISIBILITY_CONTENT_DEMOTED",
                                           "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
                                           "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
                                           "DECISION_VISIBILITY_CONTENT_LABELLED",
                                           "DECISION_VISIBILITY_OTHER",
                                           NULL};
static const char *const monetaries[] = {"DECISION_MONETARY_SUSPENSION",
                                         "DECISION_MONETARY_TERMINATION", "DECISION_MONETARY_OTHER",
                                         NULL};
static const char *const provisions[] = {
    "DECISION_PROVISION_PARTIAL_SUSPENSION", "DECISION_PROVISION_TOTAL_SUSPENSION",
    "DECISION_PROVISION_PARTIAL_TERMINATION", "DECISION_PROVISION_TOTAL_TERMINATION", NULL};
static const char *const accounts[] = {"DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED",
                                       NULL};
static const char *const account_types[] = {"ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE", NULL};
static const char *const grounds[] = {"DECISION_GROUND_ILLEGAL_CONTENT",
                                      "DECISION_GROUND_INCOMPATIBLE_CONTENT", NULL};
static const char *const yes_no[] = {"Yes", "No", NULL};
static const char *const content_types[] = {
    "CONTENT_TYPE_APP",     "CONTENT_TYPE_AUDIO",           "CONTENT_TYPE_IMAGE",
    "CONTENT_TYPE_PRODUCT", "CONTENT_TYPE_SYNTHETIC_MEDIA", "CONTENT_TYPE_TEXT",
    "CONTENT_TYPE_VIDEO",   "CONTENT_TYPE_OTHER",           NULL};
static const char *const categories[] = {
    "STATEMENT_CATEGORY_ANIMAL_WELFARE",
    "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
    "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "STATEMENT_CATEGORY_SELF_HARM",
    "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
    "STATEMENT_CATEGORY_VIOLENCE",
    NULL};
static const char *const keywords[] = {"KEYWORD_ANIMAL_HARM",
                                       "KEYWORD_ADULT_SEXUAL_MATERIAL",
                                       "KEYWORD_AGE_SPECIFIC_RESTRICTIONS",
                                       "KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS",
                                       "KEYWORD_BIOMETRIC_DATA_BREACH",
                                       "KEYWORD_BULLYING_AGAINST_GIRLS",
                                       "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
                                       "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
                                       "KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS",
                                       "KEYWORD_COORDINATED_HARM",
                                       "KEYWORD_COPYRIGHT_INFRINGEMENT",
                                       "KEYWORD_CYBER_BULLYING_INTIMIDATION",
                                       "KEYWORD_CYBER_HARASSMENT",
                                       "KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN",
                                       "KEYWORD_CYBER_INCITEMENT",
                                       "KEYWORD_CYBER_STALKING",
                                       "KEYWORD_CYBER_STALKING_AGAINST_WOMEN",
                                       "KEYWORD_DATA_FALSIFICATION",
                                       "KEYWORD_DEFAMATION",
                                       "KEYWORD_DESIGN_INFRINGEMENT",
                                       "KEYWORD_DISCRIMINATION",
                                       "KEYWORD_MISINFORMATION_DISINFORMATION",
                                       "KEYWORD_FEMALE_GENDERED_DISINFORMATION",
                                       "KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT",
                                       "KEYWORD_GEOGRAPHICAL_REQUIREMENTS",
                                       "KEYWORD_GOODS_SERVICES_NOT_PERMITTED",
                                       "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",
                                       "KEYWORD_HATE_SPEECH",
                                       "KEYWORD_HIDDEN_ADVERTISEMENT",
                                       "KEYWORD_HUMAN_EXPLOITATION",
                                       "KEYWORD_HUMAN_TRAFFICKING",
                                       "KEYWORD_ILLEGAL_ORGANIZATIONS",
                                       "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING",
                                       "KEYWORD_INAUTHENTIC_ACCOUNTS",
                                       "KEYWORD_INAUTHENTIC_LISTINGS",
                                       "KEYWORD_INAUTHENTIC_USER_REVIEWS",
                                       "KEYWORD_INCITEMENT_AGAINST_WOMEN",
                                       "KEYWORD_INCITEMENT_VIOLENCE_HATRED",
                                       "KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS",
                                       "KEYWORD_LANGUAGE_REQUIREMENTS",
                                       "KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS",
                                       "KEYWORD_MISLEADING_INFO_GOODS_SERVICES",
                                       "KEYWORD_MISSING_PROCESSING_GROUND",
                                       "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
                                       "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN",
                                       "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",
                                       "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
                                       "KEYWORD_NONCOMPLIANCE_PRICING",
                                       "KEYWORD_NUDITY",
                                       "KEYWORD_PATENT_INFRINGEMENT",
                                       "KEYWORD_PHISHING",
                                       "KEYWORD_PROHIBITED_PRODUCTS",
                                       "KEYWORD_PYRAMID_SCHEMES",
                                       "KEYWORD_RIGHT_TO_BE_FORGOTTEN",
                                       "KEYWORD_RISK_ENVIRONMENTAL_DAMAGE",
                                       "KEYWORD_RISK_PUBLIC_HEALTH",
                                       "KEYWORD_SELF_MUTILATION",
                                       "KEYWORD_STALKING",
                                       "KEYWORD_SUICIDE",
                                       "KEYWORD_TERRORIST_CONTENT",
                                       "KEYWORD_TRADE_SECRET_INFRINGEMENT",
                                       "KEYWORD_TRADEMARK_INFRINGEMENT",
                                       "KEYWORD_TRAFFICKING_WOMEN_GIRLS",
                                       "KEYWORD_UNLAWFUL_SALE_ANIMALS",
                                       "KEYWORD_UNSAFE_CHALLENGES",
                                       "KEYWORD_UNSAFE_PRODUCTS",
                                       "KEYWORD_VIOLATION_EU_LAW",
                                       "KEYWORD_VIOLATION_NATIONAL_LAW",
                                       "KEYWORD_OTHER",
                                       NULL};
static const char *const eea[] = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR",
                                  "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MT",
                                  "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK", NULL};
static const char *const sources[] = {"SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER",
                                      "SOURCE_TYPE_OTHER_NOTIFICATION", "SOURCE_VOLUNTARY", NULL};
static const char *const automations[] = {"AUTOMATED_DECISION_NOT_AUTOMATED",
                                          "AUTOMATED_DECISION_PARTIALLY",
                                          "AUTOMATED_DECISION_FULLY", NULL};

static int value_index(const char *const *values, const char *s, size_t len)
{
    for (int k = 0; values[k]; k++)
        if (strlen(values[k]) == len && !memcmp(values[k], s, len)) return k;
    return -1;
}

/* ---- sangloc's categories ----------------------------------------------------------------- */

/* THE mapping of sangloc's categories (the default policy's names and their usual synonyms) to
 * the database's categories, with the keyword that specifies it where one fits. Documented in
 * docs/transparency.md; keep the two in step. A category not listed here is a breach of the
 * organization's own rules: STATEMENT_CATEGORY_OTHER_VIOLATION_TC. */
static const struct {
    const char *sangloc, *category, *keyword;
} category_map[] = {
    {"insult", "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", NULL},
    {"hate", "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "KEYWORD_DISCRIMINATION"},
    {"threat", "STATEMENT_CATEGORY_CYBER_VIOLENCE", "KEYWORD_CYBER_BULLYING_INTIMIDATION"},
    {"personal_data", "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", NULL},
    {"pii", "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", NULL},
    {"confidential", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", NULL},
    {"hoax", "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
     "KEYWORD_MISINFORMATION_DISINFORMATION"},
    {"scam", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "KEYWORD_PHISHING"},
    {"links", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "KEYWORD_PHISHING"},
    {"spam", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", NULL},
};

const char *sl__dsa_category(const char *category)
{
    for (size_t k = 0; category && k < COUNT(category_map); k++)
        if (!strcmp(category, category_map[k].sangloc)) return category_map[k].category;
    return "STATEMENT_CATEGORY_OTHER_VIOLATION_TC";
}

const char *sl__dsa_keyword(const char *category)
{
    for (size_t k = 0; category && k < COUNT(category_map); k++)
        if (!strcmp(category, category_map[k].sangloc)) return category_map[k].keyword;
    return NULL;
}

/* ---- writing a statement ------------------------------------------------------------------ */

void sl__dsa_puid(const char *org, int64_t item, int64_t decision, char out[SL__DSA_PUID_SIZE])
{
    char nums[48];
    int n = snprintf(nums, sizeof nums, "%lld:%lld", (long long)item, (long long)decision);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)"sangloc-puid", 13); /* with its NUL */
    crypto_hash_sha256_update(&st, (const unsigned char *)org, strlen(org) + 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)nums, (unsigned long long)n);
    crypto_hash_sha256_final(&st, h);
    memcpy(out, "sl-", 3);
    sodium_bin2hex(out + 3, SL__DSA_PUID_SIZE - 3, h, 16);
}

/* YYYY-MM-DD of ms since the epoch (UTC) and its number YYYYMMDD. */
static long day_of(int64_t ms, char out[16])
{
    out[0] = '\0';
    int64_t sec = ms / 1000 - (ms % 1000 < 0);
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || tm.tm_year < 0 || tm.tm_year > 8000) return -1;
    if (!strftime(out, 16, "%Y-%m-%d", &tm)) return -1;
    return (long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* Appends s as a JSON string of valid UTF-8 (invalid bytes become U+FFFD, controls a space),
 * cut to max_chars characters with "…". */
static sl_status put_text(sl_buf *out, sl_buf *tmp, const char *s, size_t len, size_t max_chars)
{
    sl_buf_clear(tmp);
    sl_status st = SL_OK;
    size_t chars = 0;
    for (size_t i = 0; i < len && !st;) {
        uint32_t cp;
        size_t n = sl__utf8_decode(s + i, len - i, &cp);
        if (++chars == max_chars && i + (n ? n : 1) < len) {
            st = sl_buf_puts(tmp, "…");
            break;
        }
        if (!n)
            st = sl_buf_puts(tmp, "\xEF\xBF\xBD");
        else if (cp < 0x20 || cp == 0x7F)
            st = sl_buf_puts(tmp, " ");
        else
            st = sl_buf_append(tmp, s + i, n);
        i += n ? n : 1;
    }
    if (!st) st = sl_buf_json_string(out, tmp->data ? tmp->data : "", tmp->len);
    return st;
}

static sl_status check_facts(const sl__dsa_facts *f, sl_error *err)
{
    if (!f) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no facts");
    const char *miss = !f->org || !*f->org                         ? "org"
                       : !f->rule_id || !*f->rule_id               ? "rule_id"
                       : !f->clause || !*f->clause                 ? "clause"
                       : !f->category || !*f->category             ? "category"
                       : !f->policy_version || !*f->policy_version ? "policy_version"
                                                                   : NULL;
    if (miss) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "statement: %s is required", miss);
    if ((unsigned)f->kind > SL_DSA_AUTO_HIDE || (unsigned)f->automated_decision > SL_DSA_FULLY)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "statement: unknown kind or automation");
    if (f->territorial_scope)
        for (size_t k = 0; k < f->nterritorial_scope; k++)
            if (!f->territorial_scope[k] ||
                value_index(eea, f->territorial_scope[k], strlen(f->territorial_scope[k])) < 0)
                return sl_error_set(err, SL_ERR_ARG, SL_NO_POS,
                                    "statement: territorial scope %zu is not an EU/EEA code", k);
    if (f->content_language) {
        const char *l = f->content_language;
        if (strlen(l) != 2 || !((l[0] | 32) >= 'a' && (l[0] | 32) <= 'z') ||
            !((l[1] | 32) >= 'a' && (l[1] | 32) <= 'z'))
            return sl_error_set(err, SL_ERR_ARG, SL_NO_POS,
                                "statement: content language is not an ISO 639-1 code");
    }
    if (f->reference_url && strncmp(f->reference_url, "https://", 8) &&
        strncmp(f->reference_url, "http://", 7))
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "statement: reference URL is not http(s)");
    return SL_OK;
}

/* The dates: content, application and (optionally) end, each checked against the schema. */
static sl_status dates(const sl__dsa_facts *f, char content[16], char applied[16], char ended[16],
                       sl_error *err)
{
    long c = day_of(f->content_at, content), a = day_of(f->applied_at, applied);
    long e = f->ended_at ? day_of(f->ended_at, ended) : 0;
    if (c < 20000101 || c > 20380101)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "statement: content date out of range");
    if (a < 20200101 || a > 20380101)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "statement: application date out of range");
    if (f->ended_at && (e < a || e > 20380101))
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "statement: end date out of range");
    return SL_OK;
}

/* decision_facts: what was done, under which rule, and what the screening flagged, by category
 * (never the text). */
static sl_status write_facts(const sl__dsa_facts *f, const sl__vhits *hits, sl_buf *b)
{
    sl_status st = sl_buf_puts(
        b, f->kind == SL_DSA_REMOVAL
               ? "A comment (text) was reviewed by a person and removed for breaking rule "
               : "A comment (text) was hidden by automated screening, until a person reviews it, "
                 "for breaking rule ");
    if (!st)
        st = sl_buf_printf(b, "%s (category %s) of the organization's posting rules, version %s: ",
                           f->rule_id, f->category, f->policy_version);
    if (!st) st = sl_buf_puts(b, f->clause);
    if (!st && hits->n) {
        st = sl_buf_printf(b, " Automated screening flagged %zu passage%s:", hits->n,
                           hits->n == 1 ? "" : "s");
        for (size_t i = 0; i < hits->n && !st; i++) {
            size_t seen = 0, count = 0;
            for (size_t j = 0; j < hits->n; j++)
                if (!strcmp(hits->v[j].category, hits->v[i].category)) {
                    if (j < i) seen++;
                    count++;
                }
            if (!seen) st = sl_buf_printf(b, "%s %s %zu", i ? "," : "", hits->v[i].category, count);
        }
        if (!st) st = sl_buf_puts(b, ".");
        for (size_t i = 0; i < hits->n && !st; i++)
            if (sl__vhit_is_personal(&hits->v[i])) {
                st = sl_buf_puts(b, " Personal data in the comment is not reproduced here.");
                break;
            }
    }
    if (!st && f->reported) st = sl_buf_puts(b, " The review followed a reader's report.");
    if (!st && f->ended_at)
        st = sl_buf_puts(b, " The restriction has since been lifted (see its end date).");
    return st;
}

static sl_status write_statement(const sl__dsa_facts *f, const sl__vhits *hits, sl_buf *o,
                                 sl_buf *tmp, const char days[3][16])
{
    sl_buf facts = {.max = 64 * 1024};
    sl_status st = sl_buf_printf(o, "{\"decision_visibility\":[\"%s\"]",
                                 visibilities[f->kind == SL_DSA_REMOVAL ? 0 : 1]);
    if (!st && f->ended_at)
        st = sl_buf_printf(o, ",\"end_date_visibility_restriction\":\"%s\"", days[2]);
    if (!st) st = sl_buf_puts(o, ",\"decision_ground\":\"DECISION_GROUND_INCOMPATIBLE_CONTENT\"");
    if (!st && f->reference_url) {
        st = sl_buf_puts(o, ",\"decision_ground_reference_url\":");
        if (!st) st = put_text(o, tmp, f->reference_url, strlen(f->reference_url), 500);
    }
    if (!st) {
        sl_buf ground = {.max = 4096};
        st =
            sl_buf_printf(&ground, "Posting rules of the organization, rule %s (policy version %s)",
                          f->rule_id, f->policy_version);
        if (!st) st = sl_buf_puts(o, ",\"incompatible_content_ground\":");
        if (!st) st = put_text(o, tmp, ground.data, ground.len, 500);
        sl_buf_free(&ground);
    }
    if (!st) st = sl_buf_puts(o, ",\"incompatible_content_explanation\":");
    if (!st) st = put_text(o, tmp, f->clause, strlen(f->clause), 2000);
    if (!st)
        st = sl_buf_printf(o, ",\"content_type\":[\"CONTENT_TYPE_TEXT\"],\"category\":\"%s\"",
                           sl__dsa_category(f->category));
    const char *kw = sl__dsa_keyword(f->category);
    if (!st && kw) st = sl_buf_printf(o, ",\"category_specification\":[\"%s\"]", kw);
    if (!st) st = sl_buf_puts(o, ",\"territorial_scope\":[");
    const char *const *scope = f->territorial_scope ? f->territorial_scope : eea;
    size_t nscope = f->territorial_scope ? f->nterritorial_scope : COUNT(eea) - 1;
    for (size_t k = 0; k < nscope && !st; k++)
        st = sl_buf_printf(o, "%s\"%s\"", k ? "," : "", scope[k]);
    if (!st) st = sl_buf_puts(o, "]");
    if (!st && f->content_language)
        st = sl_buf_printf(o, ",\"content_language\":\"%c%c\"", f->content_language[0] & ~32,
                           f->content_language[1] & ~32);
    if (!st)
        st = sl_buf_printf(o, ",\"content_date\":\"%s\",\"application_date\":\"%s\"", days[0],
                           days[1]);
    if (!st) st = write_facts(f, hits, &facts);
    if (!st) st = sl_buf_puts(o, ",\"decision_facts\":");
    if (!st) st = put_text(o, tmp, facts.data, facts.len, 5000);
    if (!st)
        st = sl_buf_printf(o, ",\"source_type\":\"%s\",\"automated_detection\":\"%s\"",
                           f->reported ? "SOURCE_ARTICLE_16" : "SOURCE_VOLUNTARY",
                           f->automated_detection ? "Yes" : "No");
    if (!st) {
        char puid[SL__DSA_PUID_SIZE];
        sl__dsa_puid(f->org, f->item, f->decision, puid);
        st = sl_buf_printf(o, ",\"automated_decision\":\"%s\",\"puid\":\"%s\"}",
                           automations[f->automated_decision], puid);
    }
    sl_buf_free(&facts);
    return st;
}

sl_status sl__dsa_statement(const sl__dsa_facts *f, sl_buf *out, sl_error *err)
{
    if (!out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output buffer");
    sl_status st = check_facts(f, err);
    char days[3][16] = {{0}};
    if (!st) st = dates(f, days[0], days[1], days[2], err);
    if (st) return st;
    sl__vhits hits = {0};
    st = sl__vhits_parse(f->verdict_json, f->verdict_json ? f->verdict_len : 0, &hits, err);
    if (st) return st;
    if (sodium_init() < 0) {
        sl__vhits_free(&hits);
        return sl_error_set(err, SL_ERR_INTERNAL, SL_NO_POS, "libsodium failed to start");
    }
    size_t mark = out->len;
    sl_buf tmp = {.max = 64 * 1024};
    st = write_statement(f, &hits, out, &tmp, (const char(*)[16])days);
    sl_buf_free(&tmp);
    sl__vhits_free(&hits);
    if (st) {
        out->len = mark;
        if (out->data) out->data[mark] = '\0';
        sl_error_set(err, st, SL_NO_POS, "statement: %s", sl_strerror(st));
    }
    return st;
}

/* ---- the validator ------------------------------------------------------------------------ */

typedef enum ftype {
    T_TEXT,       /* a string of at most max characters */
    T_ENUM,       /* one of values */
    T_ENUM_ARRAY, /* an array of values (at least one) */
    T_DATE,       /* YYYY-MM-DD within [min, 20380101] */
    T_PUID,       /* 1..500 of [A-Za-z0-9_-] */
    T_LANG,       /* two capital letters (ISO 639-1) */
    T_URL,        /* http(s) URL, at most max characters */
    T_CONTENT_ID  /* {"EAN-13": "13 digits"} */
} ftype;

/* Field numbers, in the order of the table below (the checks after reading refer to them). */
enum {
    F_VISIBILITY,
    F_VISIBILITY_OTHER,
    F_MONETARY,
    F_MONETARY_OTHER,
    F_PROVISION,
    F_ACCOUNT,
    F_ACCOUNT_TYPE,
    F_END_VISIBILITY,
    F_END_MONETARY,
    F_END_SERVICE,
    F_END_ACCOUNT,
    F_GROUND,
    F_GROUND_URL,
    F_ILLEGAL_GROUND,
    F_ILLEGAL_EXPLANATION,
    F_INCOMPATIBLE_GROUND,
    F_INCOMPATIBLE_EXPLANATION,
    F_INCOMPATIBLE_ILLEGAL,
    F_CONTENT_TYPE,
    F_CONTENT_TYPE_OTHER,
    F_CATEGORY,
    F_CATEGORY_ADDITION,
    F_CATEGORY_SPECIFICATION,
    F_CATEGORY_SPECIFICATION_OTHER,
    F_TERRITORIAL_SCOPE,
    F_CONTENT_LANGUAGE,
    F_CONTENT_DATE,
    F_CONTENT_ID,
    F_APPLICATION_DATE,
    F_DECISION_FACTS,
    F_SOURCE_TYPE,
    F_SOURCE_IDENTITY,
    F_AUTOMATED_DETECTION,
    F_AUTOMATED_DECISION,
    F_PUID,
    F_COUNT
};

static const struct field {
    const char *name;
    ftype type;
    size_t max;                /* characters (text, url) */
    const char *const *values; /* enums */
    long min_date;             /* dates */
    bool required, nullable;
} fields[F_COUNT] = {
    [F_VISIBILITY] = {"decision_visibility", T_ENUM_ARRAY, 0, visibilities, 0, false, true},
    [F_VISIBILITY_OTHER] = {"decision_visibility_other", T_TEXT, 500, NULL, 0, false, true},
    [F_MONETARY] = {"decision_monetary", T_ENUM, 0, monetaries, 0, false, true},
    [F_MONETARY_OTHER] = {"decision_monetary_other", T_TEXT, 500, NULL, 0, false, true},
    [F_PROVISION] = {"decision_provision", T_ENUM, 0, provisions, 0, false, true},
    [F_ACCOUNT] = {"decision_account", T_ENUM, 0, accounts, 0, false, true},
    [F_ACCOUNT_TYPE] = {"account_type", T_ENUM, 0, account_types, 0, false, true},
    [F_END_VISIBILITY] = {"end_date_visibility_restriction", T_DATE, 0, NULL, 0, false, true},
    [F_END_MONETARY] = {"end_date_monetary_restriction", T_DATE, 0, NULL, 0, false, true},
    [F_END_SERVICE] = {"end_date_service_restriction", T_DATE, 0, NULL, 0, false, true},
    [F_END_ACCOUNT] = {"end_date_account_restriction", T_DATE, 0, NULL, 0, false, true},
    [F_GROUND] = {"decision_ground", T_ENUM, 0, grounds, 0, true, false},
    [F_GROUND_URL] = {"decision_ground_reference_url", T_URL, 500, NULL, 0, false, true},
    [F_ILLEGAL_GROUND] = {"illegal_content_legal_ground", T_TEXT, 500, NULL, 0, false, true},
    [F_ILLEGAL_EXPLANATION] = {"illegal_content_explanation", T_TEXT, 2000, NULL, 0, false, true},
    [F_INCOMPATIBLE_GROUND] = {"incompatible_content_ground", T_TEXT, 500, NULL, 0, false, true},
    [F_INCOMPATIBLE_EXPLANATION] = {"incompatible_content_explanation", T_TEXT, 2000, NULL, 0,
                                    false, true},
    [F_INCOMPATIBLE_ILLEGAL] = {"incompatible_content_illegal", T_ENUM, 0, yes_no, 0, false, true},
    [F_CONTENT_TYPE] = {"content_type", T_ENUM_ARRAY, 0, content_types, 0, true, false},
    [F_CONTENT_TYPE_OTHER] = {"content_type_other", T_TEXT, 500, NULL, 0, false, true},
    [F_CATEGORY] = {"category", T_ENUM, 0, categories, 0, true, false},
    [F_CATEGORY_ADDITION] = {"category_addition", T_ENUM_ARRAY, 0, categories, 0, false, true},
    [F_CATEGORY_SPECIFICATION] = {"category_specification", T_ENUM_ARRAY, 0, keywords, 0, false,
                                  true},
    [F_CATEGORY_SPECIFICATION_OTHER] = {"category_specification_other", T_TEXT, 500, NULL, 0, false,
                                        true},
    [F_TERRITORIAL_SCOPE] = {"territorial_scope", T_ENUM_ARRAY, 0, eea, 0, false, true},
    [F_CONTENT_LANGUAGE] = {"content_language", T_LANG, 0, NULL, 0, false, true},
    [F_CONTENT_DATE] = {"content_date", T_DATE, 0, NULL, 20000101, true, false},
    [F_CONTENT_ID] = {"content_id", T_CONTENT_ID, 0, NULL, 0, false, true},
    [F_APPLICATION_DATE] = {"application_date", T_DATE, 0, NULL, 20200101, true, false},
    [F_DECISION_FACTS] = {"decision_facts", T_TEXT, 5000, NULL, 0, true, false},
    [F_SOURCE_TYPE] = {"source_type", T_ENUM, 0, sources, 0, true, false},
    [F_SOURCE_IDENTITY] = {"source_identity", T_TEXT, 500, NULL, 0, false, true},
    [F_AUTOMATED_DETECTION] = {"automated_detection", T_ENUM, 0, yes_no, 0, true, false},
    [F_AUTOMATED_DECISION] = {"automated_decision", T_ENUM, 0, automations, 0, true, false},
    [F_PUID] = {"puid", T_PUID, 500, NULL, 0, true, false},
};

typedef struct fstate {
    bool present;            /* given and not null (and, for text, not blank) */
    size_t at;               /* byte of its value */
    int value;               /* enums: the index of the value */
    unsigned long long mask; /* enum arrays: the values present (the first 64) */
    long date;               /* dates: YYYYMMDD */
} fstate;

typedef struct vctx {
    fstate f[F_COUNT];
    sl_buf str;
} vctx;

static sl_status wrong(sl_error *err, size_t at, const char *field, const char *why)
{
    return sl_error_set(err, SL_ERR_ARG, at, "field \"%s\" %s (byte %zu)", field, why, at);
}

static size_t chars_of(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') return false;
    return true;
}

static long parse_date(const char *s, size_t len)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (len != 10 || s[4] != '-' || s[7] != '-') return -1;
    for (size_t i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return -1;
    int y = atoi(s), m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap)) return -1;
    return (long)y * 10000 + m * 100 + d;
}

static sl_status check_string(vctx *c, const struct field *fd, fstate *fs, sl_error *err)
{
    const char *s = c->str.data;
    size_t len = c->str.len;
    if (fd->type == T_ENUM) {
        if ((fs->value = value_index(fd->values, s, len)) < 0)
            return wrong(err, fs->at, fd->name, "has a value the schema does not allow");
    } else if (fd->type == T_DATE) {
        if ((fs->date = parse_date(s, len)) < 0)
            return wrong(err, fs->at, fd->name, "is not a date YYYY-MM-DD");
        if (fs->date < fd->min_date || fs->date > 20380101)
            return wrong(err, fs->at, fd->name, "is out of the allowed range");
    } else if (fd->type == T_PUID) {
        if (!len || len > fd->max ||
            strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "0123456789-_") != len)
            return wrong(err, fs->at, fd->name, "must be 1 to 500 of a-z, A-Z, 0-9, '-', '_'");
    } else if (fd->type == T_LANG) {
        if (len != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
            return wrong(err, fs->at, fd->name, "is not an ISO 639-1 code in capitals");
    } else {
        if (chars_of(s, len) > fd->max)
            return wrong(err, fs->at, fd->name, "is longer than the schema allows");
        if (fd->type == T_URL &&
            ((strncmp(s, "https://", 8) && strncmp(s, "http://", 7)) || strpbrk(s, " \t\r\n")))
            return wrong(err, fs->at, fd->name, "is not an http(s) URL");
    }
    fs->present = !blank(s, len);
    return SL_OK;
}

static sl_status read_enum_array(vctx *c, const struct field *fd, fstate *fs, const char *s,
                                 size_t len, size_t *i, sl_error *err)
{
    size_t p = *i + 1;
    sl__json_ws(s, len, &p);
    bool any = false;
    while (p < len && s[p] != ']') {
        size_t at = p;
        if (p >= len || s[p] != '"')
            return wrong(err, at, fd->name, "holds a value that is not a string");
        sl_status st = sl__json_string(s, len, &p, &c->str, err);
        if (st) return st;
        int k = value_index(fd->values, c->str.data, c->str.len);
        if (k < 0) return wrong(err, at, fd->name, "holds a value the schema does not allow");
        if (k < 64) fs->mask |= 1ULL << k;
        any = true;
        sl__json_ws(s, len, &p);
        if (p < len && s[p] == ',') {
            p++;
            sl__json_ws(s, len, &p);
            if (p < len && s[p] == ']')
                return sl_error_set(err, SL_ERR_JSON, p, "expected a value (byte %zu)", p);
        } else if (p >= len || s[p] != ']') {
            return sl_error_set(err, SL_ERR_JSON, p, "expected ',' or ']' (byte %zu)", p);
        }
    }
    if (p >= len) return sl_error_set(err, SL_ERR_JSON, p, "unterminated array (byte %zu)", p);
    *i = p + 1;
    if (!any && !fd->nullable) return wrong(err, fs->at, fd->name, "must not be empty");
    fs->present = any;
    return SL_OK;
}

static sl_status read_content_id(vctx *c, const struct field *fd, fstate *fs, const char *s,
                                 size_t len, size_t *i, sl_error *err);

static sl_status member(void *ctx, const char *key, size_t key_len, const char *s, size_t len,
                        size_t *i, sl_error *err)
{
    vctx *c = ctx;
    size_t at = *i;
    int k = 0;
    while (k < F_COUNT &&
           !(strlen(fields[k].name) == key_len && !memcmp(fields[k].name, key, key_len)))
        k++;
    if (k == F_COUNT)
        return sl_error_set(err, SL_ERR_ARG, at, "unknown field \"%.60s\" (byte %zu)", key, at);
    const struct field *fd = &fields[k];
    fstate *fs = &c->f[k];
    fs->at = at;
    size_t end = at; /* malformed JSON is reported as such before any schema problem */
    sl_status st = sl__json_skip(s, len, &end, err);
    if (st) return st;
    if (len - at >= 4 && !memcmp(s + at, "null", 4)) {
        if (!fd->nullable) return wrong(err, at, fd->name, "must not be null");
        *i = at + 4;
        return SL_OK;
    }
    if (fd->type == T_ENUM_ARRAY) {
        if (s[at] != '[') return wrong(err, at, fd->name, "must be an array");
        return read_enum_array(c, fd, fs, s, len, i, err);
    }
    if (fd->type == T_CONTENT_ID) return read_content_id(c, fd, fs, s, len, i, err);
    if (s[at] != '"') return wrong(err, at, fd->name, "must be a string");
    st = sl__json_string(s, len, i, &c->str, err);
    if (st) return st;
    return check_string(c, fd, fs, err);
}

static sl_status content_id_member(void *ctx, const char *key, size_t key_len, const char *s,
                                   size_t len, size_t *i, sl_error *err)
{
    vctx *c = ctx;
    size_t at = *i;
    if (key_len != 6 || memcmp(key, "EAN-13", 6))
        return wrong(err, at, "content_id", "has a key other than \"EAN-13\"");
    if (s[at] != '"') return wrong(err, at, "content_id", "must map to a string");
    sl_status st = sl__json_string(s, len, i, &c->str, err);
    if (!st && (c->str.len != 13 || strspn(c->str.data, "0123456789") != 13))
        st = wrong(err, at, "content_id", "EAN-13 is not 13 digits");
    return st;
}

static sl_status read_content_id(vctx *c, const struct field *fd, fstate *fs, const char *s,
                                 size_t len, size_t *i, sl_error *err)
{
    if (s[*i] != '{') return wrong(err, *i, fd->name, "must be an object");
    sl_status st = sl__json_object(s, len, i, 4, content_id_member, c, err);
    fs->present = !st;
    return st;
}

static sl_status missing(sl_error *err, const char *field, const char *when)
{
    return sl_error_set(err, SL_ERR_MISSING_FIELD, SL_NO_POS, "field \"%s\" is required%s", field,
                        when);
}

/* The required fields, the conditional ones, and the end dates against the application date. */
static sl_status check_whole(const vctx *c, sl_error *err)
{
    const fstate *f = c->f;
    for (int k = 0; k < F_COUNT; k++)
        if (fields[k].required && !f[k].present) return missing(err, fields[k].name, "");
    if (!f[F_VISIBILITY].present && !f[F_MONETARY].present && !f[F_PROVISION].present &&
        !f[F_ACCOUNT].present)
        return missing(err, "decision_visibility",
                       " when none of decision_monetary, decision_provision, decision_account is");
    if ((f[F_VISIBILITY].mask & (1ULL << 6)) && !f[F_VISIBILITY_OTHER].present)
        return missing(err, "decision_visibility_other", " with DECISION_VISIBILITY_OTHER");
    if (f[F_MONETARY].present && f[F_MONETARY].value == 2 && !f[F_MONETARY_OTHER].present)
        return missing(err, "decision_monetary_other", " with DECISION_MONETARY_OTHER");
    if ((f[F_CONTENT_TYPE].mask & (1ULL << 7)) && !f[F_CONTENT_TYPE_OTHER].present)
        return missing(err, "content_type_other", " with CONTENT_TYPE_OTHER");
    bool illegal = f[F_GROUND].value == 0;
    int need[2] = {illegal ? F_ILLEGAL_GROUND : F_INCOMPATIBLE_GROUND,
                   illegal ? F_ILLEGAL_EXPLANATION : F_INCOMPATIBLE_EXPLANATION};
    for (int k = 0; k < 2; k++)
        if (!f[need[k]].present)
            return missing(err, fields[need[k]].name,
                           illegal ? " with DECISION_GROUND_ILLEGAL_CONTENT"
                                   : " with DECISION_GROUND_INCOMPATIBLE_CONTENT");
    for (int k = F_END_VISIBILITY; k <= F_END_ACCOUNT; k++)
        if (f[k].present && f[k].date < f[F_APPLICATION_DATE].date)
            return wrong(err, f[k].at, fields[k].name, "is before the application date");
    return SL_OK;
}

sl_status sl__dsa_check(const char *json, size_t len, sl_error *err)
{
    if (!json) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no statement");
    vctx c = {.str = {.max = 64 * 1024}};
    size_t i = 0;
    sl__json_ws(json, len, &i);
    sl_status st = sl__json_object(json, len, &i, F_COUNT, member, &c, err);
    if (!st) st = sl__json_end(json, len, i, err);
    if (!st) st = check_whole(&c, err);
    sl_buf_free(&c.str);
    return st;
}
