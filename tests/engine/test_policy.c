/* Unit tests of the policy parser and linter, and of the rule compiler built on the matcher:
 * a valid policy's fields, one table row per kind of problem (with the line it must name), lint
 * reporting every problem, the hash following referenced files, and the shipped default policy
 * (it must load, and its lexicons must compile and match what they promise). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sangloc/matcher.h"
#include "sangloc/policy.h"
#include "sangloc/text.h"

#define FIXTURES SL_SOURCE_DIR "/tests/fixtures/policies"

static void test_actions(void **state)
{
    for (int a = 0; a < SL_ACTION_COUNT_; a++) {
        const char *n = sl_action_name((sl_action)a);
        assert_int_equal(sl_action_parse(n, strlen(n)), a);
    }
    assert_int_equal(sl_action_parse("delete", 6), -1);
    assert_int_equal(sl_action_parse("hid", 3), -1);
    assert_string_equal(sl_action_name(SL_ACTION_COUNT_), "unknown");
}

static void test_good_policy_fields(void **state)
{
    sl_policy *p = NULL;
    sl_error err = {0};
    sl_status st = sl_policy_load(FIXTURES "/good.yaml", &p, &err);
    if (st) print_message("%zu: %s\n", err.line, err.message);
    assert_int_equal(st, SL_OK);
    assert_string_equal(p->name, "Test policy");
    assert_string_equal(p->version, "test-1");
    assert_int_equal(p->max_text_bytes, 4096);
    assert_float_equal(p->thresholds.at[SL_ACTION_WARN], 0.3, 1e-6);
    assert_int_equal(p->ncategories, 3);
    long insult = sl_policy_category(p, "insult");
    assert_int_equal(insult, 0);
    assert_int_equal(sl_policy_category(p, "nosuch"), -1);
    const sl_category *c = &p->categories[insult];
    assert_true(c->has_thresholds);
    assert_float_equal(c->thresholds.at[SL_ACTION_HIDE], 0.95, 1e-6);
    assert_float_equal(c->thresholds.at[SL_ACTION_WARN], 0.3, 1e-6); /* inherited */
    assert_false(p->categories[1].has_thresholds);
    assert_int_equal(p->nrules, 4);
    assert_int_equal(p->rules[0].kind, SL_RULE_LEXICON);
    assert_non_null(strstr(p->rules[0].source, "lexicons/small.txt"));
    assert_int_equal(p->rules[0].line, 11);
    assert_int_equal(p->rules[1].kind, SL_RULE_REGEX);
    assert_int_equal(p->rules[1].view, SL_VIEW_FOLD);
    assert_true(p->rules[1].word);
    assert_int_equal(p->rules[2].kind, SL_RULE_DETECTOR);
    assert_string_equal(p->rules[2].source, "pii.phone");
    assert_int_equal(p->rules[3].kind, SL_RULE_MODEL);
    assert_float_equal(p->rules[3].min_score, 0.7, 1e-6);
    assert_int_equal(p->rules[3].category, (size_t)insult);
    assert_int_equal(p->ncases, 2);
    assert_int_equal(p->cases[1].expect, SL_ACTION_REVIEW);
    assert_int_not_equal(p->hash, 0);
    sl_policy_free(p);
}

/* One bad policy per row: the first problem's line and a piece of its message. */
typedef struct bad_case {
    const char *name;
    const char *yaml;
    size_t line;
    const char *message;
} bad_case;

#define HEAD        "version: '1'\nname: n\ncategories:\n  insult: {}\nrules:\n"
#define RULE(extra) "  - id: r\n    category: insult\n    weight: 0.5\n    clause: c\n" extra

static const bad_case bad_cases[] = {
    {"unknown root key", "version: '1'\nname: n\ncolour: red\n", 3, "unknown key 'colour'"},
    {"unknown rule key", HEAD RULE("    detector: pii.phone\n    colour: x\n"), 11,
     "unknown key 'colour' in a rule"},
    {"unknown category key", "version: '1'\nname: n\ncategories:\n  insult: {desc: x}\n", 4,
     "unknown key 'desc'"},
    {"unknown threshold", "version: '1'\nname: n\nthresholds: {block: 0.5}\n", 3,
     "unknown key 'block'"},
    {"missing name", "version: '1'\ncategories: {a: {}}\nrules: []\n", 1,
     "missing required key 'name'"},
    {"missing rules", "version: '1'\nname: n\ncategories: {a: {}}\n", 1,
     "missing required key 'rules'"},
    {"missing weight", HEAD "  - id: r\n    category: insult\n    clause: c\n    model: hate\n", 6,
     "missing required key 'weight'"},
    {"missing source", HEAD RULE(""), 6, "needs one of lexicon"},
    {"two sources", HEAD RULE("    model: hate\n    bank: hoax\n"), 11, "has both"},
    {"quoted number", HEAD "  - id: r\n    category: insult\n    weight: '0.5'\n", 8,
     "weight must be a number"},
    {"weight range", HEAD "  - id: r\n    category: insult\n    weight: 1.2\n", 8,
     "between 0 and 1"},
    {"rules not a list", HEAD "  a: b\n", 6, "rules must be a list"},
    {"thresholds order", "version: '1'\nname: n\nthresholds: {warn: 0.5, review: 0.4}\n", 3,
     "must increase"},
    {"category thresholds order",
     "version: '1'\nname: n\ncategories:\n  insult: {thresholds: {hide: 0.5}}\n", 4,
     "must increase"},
    {"unknown category", HEAD "  - id: r\n    category: rude\n", 7, "unknown category 'rude'"},
    {"duplicate id", HEAD RULE("    model: hate\n") RULE("    model: toxic\n"), 11,
     "duplicate rule id 'r'"},
    {"bad rule id", HEAD "  - id: 'a b'\n", 6, "rule id 'a b' must be"},
    {"unknown detector", HEAD RULE("    detector: pii.dna\n"), 10, "unknown detector 'pii.dna'"},
    {"unknown model", HEAD RULE("    model: angry\n"), 10, "unknown model output 'angry'"},
    {"unknown bank", HEAD RULE("    bank: rumor\n"), 10, "unknown bank kind 'rumor'"},
    {"missing lexicon", HEAD RULE("    lexicon: lexicons/none.txt\n"), 10, "cannot open"},
    {"bad lexicon line", HEAD RULE("    lexicon: lexicons/bad.txt\n"), 10,
     "lexicons/bad.txt:3: empty term"},
    {"bad regex", HEAD RULE("    regex: 'a(b'\n"), 10, "regex does not compile"},
    {"term empty once normalized", HEAD RULE("    lexicon: lexicons/empty-term.txt\n"), 10,
     "lexicons/empty-term.txt:2: term is empty once normalized"},
    {"bad domain list", HEAD RULE("    domains: lexicons/bad-domains.txt\n"), 10,
     "lexicons/bad-domains.txt:2:"},
    {"regex with \\b", HEAD RULE("    regex: '\\bngu\\b'\n"), 10, "drop \\b"},
    {"bad view", HEAD RULE("    regex: 'x'\n    view: upper\n"), 11, "unknown view 'upper'"},
    {"view on lexicon", HEAD RULE("    detector: pii.phone\n    view: fold\n"), 11,
     "applies only to regex"},
    {"min_score on regex", HEAD RULE("    regex: x\n    min_score: 0.5\n"), 11,
     "applies only to model and bank"},
    {"caseless not bool", HEAD RULE("    regex: x\n    caseless: yes\n"), 11, "true or false"},
    {"bad action", HEAD RULE("    model: hate\n") "cases:\n  - {text: x, action: ban}\n", 12,
     "unknown action 'ban'"},
    {"case missing text", HEAD RULE("    model: hate\n") "cases:\n  - {action: allow}\n", 12,
     "missing required key 'text'"},
    {"duplicate key", "version: '1'\nversion: '2'\n", 2, "duplicate key 'version'"},
    {"syntax error", "version: '1'\nname: [unclosed\n", 2, "YAML syntax error"},
    {"tab indentation", "version: '1'\n\tname: n\n", 2, "YAML syntax error"},
    {"alias", "version: &v '1'\nname: *v\n", 2, "aliases are not supported"},
    {"empty file", "", 1, "empty"},
    {"not a mapping", "- a\n- b\n", 1, "must be a mapping"},
    {"invalid utf-8", "version: '1'\nname: \xC3\x28\n", 2, "invalid UTF-8"},
    {"empty categories", "version: '1'\nname: n\ncategories: {}\nrules: []\n", 3,
     "at least one category"},
    {"bad category name", "version: '1'\nname: n\ncategories: {'a b': {}}\n", 3, "category name"},
};

static void test_bad_policies(void **state)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        sl_policy *p = (sl_policy *)1;
        sl_error err = {0};
        sl_status st =
            sl_policy_parse_buffer(c->yaml, strlen(c->yaml), FIXTURES, "bad.yaml", &p, &err);
        if (st == SL_OK || err.line != c->line || !strstr(err.message, c->message))
            print_message("case '%s': status %d, line %zu (want %zu): %s\n", c->name, st, err.line,
                          c->line, err.message);
        assert_int_not_equal(st, SL_OK);
        assert_null(p);
        assert_int_equal(err.line, c->line);
        assert_non_null(strstr(err.message, c->message));
    }
}

static void test_syntax_error_has_byte(void **state)
{
    const char *y = "version: '1'\nname: [unclosed\n";
    sl_policy *p;
    sl_error err = {0};
    assert_int_equal(sl_policy_parse_buffer(y, strlen(y), ".", NULL, &p, &err), SL_ERR_POLICY);
    assert_true(err.byte <= strlen(y));
    const char *bad = "version: '1'\nname: \xC3\x28\n";
    assert_int_equal(sl_policy_parse_buffer(bad, strlen(bad), ".", NULL, &p, &err), SL_ERR_POLICY);
    assert_int_equal(err.byte, 19);
}

typedef struct collected {
    size_t n;
    size_t lines[32];
} collected;

static void collect(const sl_error *err, void *ctx)
{
    collected *c = ctx;
    if (c->n < 32) c->lines[c->n] = err->line;
    c->n++;
}

static void test_lint_reports_every_problem(void **state)
{
    collected c = {0};
    assert_int_equal(sl_policy_lint(FIXTURES "/many_problems.yaml", collect, &c), SL_ERR_POLICY);
    static const size_t want[] = {3, 8, 9, 11, 16, 19, 21, 21, 21, 22, 26, 31, 34};
    assert_int_equal(c.n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < c.n; i++) assert_int_equal(c.lines[i], want[i]);
    /* load stops at the first */
    sl_policy *p;
    sl_error err = {0};
    assert_int_equal(sl_policy_load(FIXTURES "/many_problems.yaml", &p, &err), SL_ERR_POLICY);
    assert_int_equal(err.line, 3);
    collected ok = {0};
    assert_int_equal(sl_policy_lint(FIXTURES "/good.yaml", collect, &ok), SL_OK);
    assert_int_equal(ok.n, 0);
    assert_int_equal(sl_policy_lint(FIXTURES "/does-not-exist.yaml", collect, &ok), SL_ERR_IO);
    assert_int_equal(ok.n, 1);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static uint64_t hash_of(const char *dir, const char *yaml)
{
    sl_policy *p = NULL;
    sl_error err = {0};
    assert_int_equal(sl_policy_parse_buffer(yaml, strlen(yaml), dir, NULL, &p, &err), SL_OK);
    uint64_t h = p->hash;
    sl_policy_free(p);
    return h;
}

static void test_hash_covers_referenced_files(void **state)
{
    char dir[] = "/tmp/sl_policy_hash_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char lex[300];
    snprintf(lex, sizeof lex, "%s/words.txt", dir);
    const char *yaml = HEAD RULE("    lexicon: words.txt\n");
    write_file(lex, "đéo\n");
    uint64_t h1 = hash_of(dir, yaml);
    assert_int_equal(hash_of(dir, yaml), h1);
    write_file(lex, "đéo\nvãi\n");
    uint64_t h2 = hash_of(dir, yaml);
    assert_int_not_equal(h1, h2);
    unlink(lex);
    rmdir(dir);
}

/* ---- rules -> matcher ---------------------------------------------------------------------- */

typedef struct scan_case {
    const char *text;
    const char *rule; /* NULL: no lexicon/regex hit */
} scan_case;

static void expect_scans(const sl_matcher *m, const scan_case *cases, size_t n)
{
    sl_matcher_scratch *s;
    assert_int_equal(sl_matcher_scratch_new(m, &s), SL_OK);
    sl_text *t = sl_text_new();
    sl_hits hits = {0};
    for (size_t i = 0; i < n; i++) {
        sl_hits_clear(&hits);
        assert_int_equal(sl_text_build(t, cases[i].text, strlen(cases[i].text), NULL), SL_OK);
        assert_int_equal(sl_matcher_scan(m, s, t, &hits), SL_OK);
        bool found = false;
        for (size_t h = 0; h < hits.count; h++)
            found |= cases[i].rule && !strcmp(hits.items[h].rule, cases[i].rule);
        bool ok = cases[i].rule ? found : hits.count == 0;
        if (!ok)
            print_message("'%s': want %s, got %zu hits (first %s)\n", cases[i].text,
                          cases[i].rule ? cases[i].rule : "none", hits.count,
                          hits.count ? hits.items[0].rule : "-");
        assert_true(ok);
    }
    sl_hits_free(&hits);
    sl_text_free(t);
    sl_matcher_scratch_free(s);
}

static void test_rules_build_matcher(void **state)
{
    sl_policy *p;
    sl_error err = {0};
    assert_int_equal(sl_policy_load(FIXTURES "/good.yaml", &p, &err), SL_OK);
    sl_matcher *m = NULL;
    assert_int_equal(sl_rules_build_matcher(p, "", &m, &err), SL_OK);
    assert_non_null(m);
    sl_policy_free(p); /* the matcher must not point into the policy */
    static const scan_case cases[] = {
        {"đồ óc chó", "insult.words"},
        {"mày ngu thế", "insult.words"},
        {"đi ngủ thôi", NULL},
        {"lon bia", NULL},
        {"tao danh chet may", "threat.kill"},
        {"Cảm ơn anh chị", NULL},
    };
    expect_scans(m, cases, sizeof cases / sizeof cases[0]);
    sl_matcher_free(m);
}

static void test_rules_no_patterns_no_matcher(void **state)
{
    const char *yaml = HEAD RULE("    detector: pii.phone\n");
    sl_policy *p;
    sl_error err = {0};
    assert_int_equal(sl_policy_parse_buffer(yaml, strlen(yaml), ".", NULL, &p, &err), SL_OK);
    sl_matcher *m = (sl_matcher *)1;
    assert_int_equal(sl_rules_build_matcher(p, "", &m, &err), SL_OK);
    assert_null(m);
    sl_policy_free(p);
}

/* ---- the shipped default policy ------------------------------------------------------------ */

static void test_default_policy(void **state)
{
    sl_policy *p;
    sl_error err = {0};
    sl_status st = sl_policy_load(SL_SOURCE_DIR "/policies/default.yaml", &p, &err);
    if (st) print_message("default.yaml:%zu: %s\n", err.line, err.message);
    assert_int_equal(st, SL_OK);
    assert_true(p->ncases >= 20);
    static const char *const cats[] = {"insult",       "threat", "hate", "personal_data",
                                       "confidential", "hoax",   "spam", "links"};
    for (size_t i = 0; i < sizeof cats / sizeof cats[0]; i++)
        assert_true(sl_policy_category(p, cats[i]) >= 0);
    size_t allow = 0;
    for (size_t i = 0; i < p->ncases; i++) allow += p->cases[i].expect == SL_ACTION_ALLOW;
    assert_true(allow >= 8);
    sl_matcher *m = NULL;
    assert_int_equal(sl_rules_build_matcher(p, "", &m, &err), SL_OK);
    assert_non_null(m);
    static const scan_case cases[] = {
        {"đm thằng ngu", "insult.profanity"},
        {"Đề nghị UBND tỉnh giải thích rõ vì sao dự án chậm tiến độ", NULL},
        {"Chính sách này chưa hợp lý, cần lấy ý kiến người dân", NULL},
        {"mấy ông cán bộ óc chó", "insult.people"},
        {"tao sẽ đánh chết mày", "threat.violence"},
        {"uống lon bia cho mát", NULL},
        {"đi ngủ sớm đi", NULL},
        {"con chó nhà tôi rất ngoan", NULL},
        /* typed without diacritics: the bare forms are ordinary words */
        {"dau buoi hop hom nay", NULL},     /* đầu buổi, not đầu buồi */
        {"gui thang cho anh ay", NULL},     /* gửi thẳng cho */
        {"mua do cho be", NULL},            /* đồ cho bé */
        {"du ma troi mua van di", NULL},    /* dù mà */
        {"con di hoc chua", NULL},          /* con đi học */
        {"cac ban oi", NULL},               /* các bạn */
        {"ban do bong da chau au", NULL},   /* bản đồ bóng đá */
        {"thang cho ngu", "insult.people"}, /* bare, and an insult all the same */
        {"dit me may", "insult.profanity"},
    };
    expect_scans(m, cases, sizeof cases / sizeof cases[0]);
    sl_matcher_free(m);
    sl_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_actions),
        cmocka_unit_test(test_good_policy_fields),
        cmocka_unit_test(test_bad_policies),
        cmocka_unit_test(test_syntax_error_has_byte),
        cmocka_unit_test(test_lint_reports_every_problem),
        cmocka_unit_test(test_hash_covers_referenced_files),
        cmocka_unit_test(test_rules_build_matcher),
        cmocka_unit_test(test_rules_no_patterns_no_matcher),
        cmocka_unit_test(test_default_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
