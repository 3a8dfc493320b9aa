/* Nothing silently dropped: a flood of one insult ahead of a death threat and a phone number
 * must not hide them. Every category is scored from all its findings, the listed hits keep one
 * of each category that scored, and the verdict says what its caps cut ("truncated"). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
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

static char dir[256];
static sl_engine *engine;

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "%s/test-truncated-XXXXXX", SL_BINARY_DIR);
    if (!mkdtemp(dir)) return -1;
    write_file("words.txt", "vl\n");
    write_file("domains.txt", "lua-dao.example\n");
    /* a mild insult (weight 0.1): however many, it only reaches warn; the threat hides */
    write_file("policy.yaml", "version: \"t1\"\n"
                              "name: truncated-test\n"
                              "max_text_bytes: 65536\n"
                              "thresholds: {warn: 0.3, review: 0.6, hide: 0.9}\n"
                              "categories:\n"
                              "  insult: {thresholds: {warn: 0.3, review: 1.5, hide: 2}}\n"
                              "  threat: {thresholds: {warn: 0.2, review: 0.4, hide: 0.8}}\n"
                              "  personal_data: {}\n"
                              "  links: {}\n"
                              "rules:\n"
                              "  - {id: insult.mild, category: insult, weight: 0.1, clause: c1,"
                              " lexicon: words.txt}\n"
                              "  - {id: threat.kill, category: threat, weight: 0.9, clause: c2,"
                              " regex: '(giet|danh) chet', view: fold}\n"
                              "  - {id: pii.phone, category: personal_data, weight: 0.7,"
                              " clause: c3, detector: pii.phone}\n"
                              "  - {id: links.bad, category: links, weight: 0.8, clause: c4,"
                              " domains: domains.txt}\n");
    char path[512];
    snprintf(path, sizeof path, "%s/policy.yaml", dir);
    sl_engine_options o = {.policy_path = path, .cache_dir = ""};
    sl_error err = {0};
    sl_status st = sl_engine_new(&o, &engine, &err);
    if (st) fprintf(stderr, "engine: %s (line %zu)\n", err.message, err.line);
    return st ? -1 : 0;
}

static int teardown(void **state)
{
    sl_engine_free(engine);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) ? -1 : 0;
}

static char *flood(size_t n, const char *tail, size_t *len)
{
    size_t tl = strlen(tail);
    char *text = malloc(3 * n + tl + 1);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++) memcpy(text + 3 * i, "vl ", 3);
    memcpy(text + 3 * n, tail, tl + 1);
    *len = 3 * n + tl;
    return text;
}

static bool listed(const sl_verdict *v, const char *rule)
{
    for (size_t i = 0; i < v->nhits; i++)
        if (!strcmp(v->hits[i].rule, rule)) return true;
    return false;
}

static void test_flood_then_threat_and_phone(void **state)
{
    size_t len;
    char *text = flood(5000, "tao sẽ giết chết mày, số nó 0912 345 678", &len);
    sl_scan *scan = sl_scan_new(engine);
    const sl_verdict *v;
    assert_int_equal(sl_engine_check(engine, scan, text, len, &v), SL_OK);
    assert_false(v->has_error);
    const sl_policy *p = sl_engine_policy(engine);
    long threat = sl_policy_category(p, "threat"), pd = sl_policy_category(p, "personal_data");
    assert_float_equal(v->category_scores[threat], 0.9f, 1e-5);
    assert_true(v->category_scores[pd] >= 0.5f); /* weight 0.7 x the detector's confidence */
    assert_int_equal(v->action, SL_ACTION_HIDE); /* the threat decides, not the flood */
    assert_true(listed(v, "threat.kill"));
    assert_true(listed(v, "pii.phone"));
    assert_true(listed(v, "insult.mild"));
    assert_true(v->truncated);
    assert_true(v->cut.hits > 0);
    assert_true(v->cut.spans > 0);
    assert_int_equal(v->cut.urls, 0);
    /* the JSON says so, with the counts */
    const char *json = sl_scan_verdict_json(scan, "\"x\"", text, len, NULL);
    assert_non_null(json);
    cJSON *j = cJSON_Parse(json);
    assert_non_null(j);
    cJSON *t = cJSON_GetObjectItem(j, "truncated");
    assert_non_null(t);
    assert_int_equal(cJSON_GetObjectItem(t, "hits")->valuedouble, (double)v->cut.hits);
    assert_int_equal(cJSON_GetObjectItem(t, "spans")->valuedouble, (double)v->cut.spans);
    assert_null(cJSON_GetObjectItem(t, "urls")); /* only what was cut */
    cJSON_Delete(j);
    /* the listed hits plus the cut ones are all the findings: 5000 insults, 1 threat, 1 phone */
    assert_int_equal(v->nhits + v->cut.hits, 5000 + 1 + 1);
    sl_scan_free(scan);
    free(text);
}

/* All evidence counts: the insult score is the noisy-or over every finding, not over the
 * first 256 (1 - 0.9^256 ~ 1 - 2e-12, so test with a weight whose difference shows: the
 * flood's score equals the one of the same flood below the cap, extended). */
static void test_scores_use_every_finding(void **state)
{
    sl_scan *scan = sl_scan_new(engine);
    const sl_verdict *v;
    size_t len;
    char *text = flood(300, "", &len);
    assert_int_equal(sl_engine_check(engine, scan, text, len, &v), SL_OK);
    long insult = sl_policy_category(sl_engine_policy(engine), "insult");
    double want = 1.0;
    for (int i = 0; i < 300; i++) want *= 0.9;
    assert_float_equal(v->category_scores[insult], 1.0 - want, 1e-5);
    assert_int_equal(v->nhits, 256);
    assert_int_equal(v->cut.hits, 300 - 256);
    free(text);
    /* a post without a cap reached: no truncated key */
    assert_int_equal(sl_engine_check(engine, scan, "vl", 2, &v), SL_OK);
    assert_false(v->truncated);
    const char *json = sl_scan_verdict_json(scan, NULL, "vl", 2, NULL);
    assert_null(strstr(json, "\"truncated\":"));
    sl_scan_free(scan);
}

/* Every URL is looked up, not only the first few dozen: a scam link after 200 harmless ones. */
static void test_link_after_many_links(void **state)
{
    char *text = malloc(200 * 16 + 64);
    assert_non_null(text);
    size_t len = 0;
    for (int i = 0; i < 200; i++) len += (size_t)sprintf(text + len, "ok%03d.com ", i);
    len += (size_t)sprintf(text + len, "https://lua-dao.example/qua");
    sl_scan *scan = sl_scan_new(engine);
    const sl_verdict *v;
    assert_int_equal(sl_engine_check(engine, scan, text, len, &v), SL_OK);
    bool found = false;
    for (size_t i = 0; i < v->nhits; i++) found |= !strcmp(v->hits[i].rule, "links.bad");
    assert_true(found);
    assert_false(v->truncated);
    sl_scan_free(scan);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flood_then_threat_and_phone),
        cmocka_unit_test(test_scores_use_every_finding),
        cmocka_unit_test(test_link_after_many_links),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
