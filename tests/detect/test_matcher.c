/* Unit tests of the pattern matcher: whole-word literals on the views of real texts, the
 * plain-only rule for folded terms, regexes with word boundaries, merging of overlapping hits,
 * compile errors, the scan cap, and the on-disk cache (a second build loads, not compiles). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <cmocka.h>

#include "sangloc/matcher.h"
#include "sangloc/text.h"

static const char *const rule_ids[] = {"insult.words", "threat.kill", "other"};

/* A literal in the form of `view`, made the way the rule compiler makes them. */
static char *term_in_view(const char *term, sl_view_kind view)
{
    sl_text *t = sl_text_new();
    assert_non_null(t);
    assert_int_equal(sl_text_build(t, term, strlen(term), NULL), SL_OK);
    const sl_view *v = sl_text_view(t, view);
    char *s = strndup(v->data, v->len);
    sl_text_free(t);
    return s;
}

typedef struct want {
    const char *text;
    const char *rule; /* NULL: no hit */
    const char *span; /* the original bytes of the (first) hit */
    float score;
} want;

static void scan_expect(const sl_matcher *m, const want *w)
{
    sl_matcher_scratch *s;
    assert_int_equal(sl_matcher_scratch_new(m, &s), SL_OK);
    sl_text *t = sl_text_new();
    sl_hits hits = {0};
    assert_int_equal(sl_text_build(t, w->text, strlen(w->text), NULL), SL_OK);
    assert_int_equal(sl_matcher_scan(m, s, t, &hits), SL_OK);
    if (!w->rule) {
        if (hits.count) print_message("unexpected hit %s in '%s'\n", hits.items[0].rule, w->text);
        assert_int_equal(hits.count, 0);
    } else {
        if (hits.count != 1) print_message("'%s': %zu hits\n", w->text, hits.count);
        assert_int_equal(hits.count, 1);
        assert_string_equal(hits.items[0].rule, w->rule);
        char got[128];
        snprintf(got, sizeof got, "%.*s", (int)(hits.items[0].end - hits.items[0].start),
                 w->text + hits.items[0].start);
        assert_string_equal(got, w->span);
        assert_float_equal(hits.items[0].score, w->score, 1e-6);
    }
    sl_hits_free(&hits);
    sl_text_free(t);
    sl_matcher_scratch_free(s);
}

/* Terms added the way rules.c does: NORM always, FOLD (plain-only, 0.9) unless exact. */
typedef struct builder {
    sl_matcher_pattern p[32];
    char *owned[32];
    size_t n;
} builder;

static void add_term(builder *b, uint32_t rule, int32_t term, const char *text, bool exact)
{
    char *norm = term_in_view(text, SL_VIEW_NORM), *fold = term_in_view(text, SL_VIEW_FOLD);
    b->owned[b->n] = norm;
    b->p[b->n++] = (sl_matcher_pattern){norm, strlen(norm), SL_VIEW_NORM, 0, rule, term, 1.0f};
    if (!exact && strcmp(norm, fold)) {
        b->owned[b->n] = fold;
        b->p[b->n++] = (sl_matcher_pattern){fold, strlen(fold), SL_VIEW_FOLD, SL_MATCHER_PLAIN_ONLY,
                                            rule, term,         0.9f};
    } else {
        free(fold);
    }
}

static void add_regex(builder *b, uint32_t rule, const char *re, sl_view_kind view, unsigned fl)
{
    b->owned[b->n] = NULL;
    b->p[b->n++] = (sl_matcher_pattern){re, strlen(re), view, SL_MATCHER_REGEX | fl, rule, 0, 1.0f};
}

static sl_matcher *build(builder *b, const char *cache_dir)
{
    sl_matcher_spec spec = {b->p, b->n, rule_ids, 3, 42, cache_dir};
    sl_matcher *m = NULL;
    sl_error err = {0};
    sl_status st = sl_matcher_build(&spec, &m, &err);
    if (st) print_message("build: %s\n", err.message);
    assert_int_equal(st, SL_OK);
    return m;
}

static void builder_free(builder *b)
{
    for (size_t i = 0; i < b->n; i++) free(b->owned[i]);
}

static void fill(builder *b)
{
    add_term(b, 0, 0, "cặc", false);
    add_term(b, 0, 1, "óc chó", false);
    add_term(b, 0, 2, "lồn", true);
    add_term(b, 0, 3, "đéo", false);
    add_term(b, 0, 4, "ngu", false);
    add_regex(b, 1, "(giet|danh) chet", SL_VIEW_FOLD, SL_MATCHER_WORD);
}

static const want cases[] = {
    {"thằng cặc", "insult.words", "cặc", 1.0f},
    {"bọn cặcbựa", NULL, NULL, 0}, /* not a whole word */
    {"Đồ ÓC CHÓ!", "insult.words", "ÓC CHÓ", 1.0f},
    {"đồ oc cho", "insult.words", "oc cho", 0.9f}, /* fold only: weaker */
    {"lồn", "insult.words", "lồn", 1.0f},
    {"lon bia", NULL, NULL, 0}, /* exact term: the can does not match */
    {"nhầm lộn", NULL, NULL, 0},
    {"deo biet", "insult.words", "deo", 0.9f},
    {"đeo kính", NULL, NULL, 0}, /* accented differently: plain-only rule */
    {"mày ngu", "insult.words", "ngu", 1.0f},
    {"đi ngủ sớm", NULL, NULL, 0}, /* "ngu" must not match "ngủ" */
    {"tao đánh chết mày", "threat.kill", "đánh chết", 1.0f},
    {"danh chetxx", NULL, NULL, 0}, /* regex words */
    {"Cảm ơn anh chị đã phản hồi", NULL, NULL, 0},
};

static void test_matcher_cases(void **state)
{
    builder b = {0};
    fill(&b);
    sl_matcher *m = build(&b, NULL);
    assert_false(sl_matcher_loaded_from_cache(m));
    assert_int_equal(sl_matcher_pattern_count(m), b.n);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) scan_expect(m, &cases[i]);
    sl_matcher_free(m);
    builder_free(&b);
}

static void test_overlapping_hits_merge(void **state)
{
    builder b = {0};
    add_term(&b, 0, 0, "thằng ngu", false);
    add_term(&b, 0, 1, "ngu", false);
    add_term(&b, 2, 0, "ngu", false);
    sl_matcher *m = build(&b, NULL);
    sl_matcher_scratch *s;
    assert_int_equal(sl_matcher_scratch_new(m, &s), SL_OK);
    sl_text *t = sl_text_new();
    sl_hits hits = {0};
    const char *text = "thằng ngu";
    assert_int_equal(sl_text_build(t, text, strlen(text), NULL), SL_OK);
    assert_int_equal(sl_matcher_scan(m, s, t, &hits), SL_OK);
    /* rule 0: one merged hit over the phrase; rule 2: its own hit on "ngu" */
    assert_int_equal(hits.count, 2);
    assert_string_equal(hits.items[0].rule, "insult.words");
    assert_int_equal(hits.items[0].start, 0);
    assert_int_equal(hits.items[0].end, strlen(text));
    assert_string_equal(hits.items[1].rule, "other");
    assert_int_equal(hits.items[1].start, strlen("thằng "));
    sl_hits_free(&hits);
    sl_text_free(t);
    sl_matcher_scratch_free(s);
    sl_matcher_free(m);
    builder_free(&b);
}

static void test_scan_cap(void **state)
{
    builder b = {0};
    add_term(&b, 0, 0, "a", false);
    add_term(&b, 1, 0, "b", false);
    sl_matcher *m = build(&b, NULL);
    size_t n = SL_MATCHER_MAX_MATCHES + 100;
    char *text = malloc(2 * n + 2);
    for (size_t i = 0; i < n; i++) memcpy(text + 2 * i, "a ", 2);
    text[2 * n] = 'b'; /* another rule after the flood: kept past the cap */
    text[2 * n + 1] = '\0';
    sl_matcher_scratch *s;
    assert_int_equal(sl_matcher_scratch_new(m, &s), SL_OK);
    sl_text *t = sl_text_new();
    sl_hits hits = {.max = 100000};
    assert_int_equal(sl_text_build(t, text, 2 * n + 1, NULL), SL_OK);
    assert_int_equal(sl_matcher_scan(m, s, t, &hits), SL_OK);
    assert_int_equal(hits.count, SL_MATCHER_MAX_MATCHES + 1);
    /* every match given up is counted: 100 "a", and the FOLD-view match of "b" (its rule
     * already has its NORM match) */
    assert_int_equal(hits.dropped, 101);
    const sl_hit *last = &hits.items[hits.count - 1];
    assert_string_equal(last->rule, "threat.kill");
    assert_int_equal(last->rule_index, 1);
    assert_int_equal(last->start, 2 * n);
    assert_int_equal(hits.items[0].rule_index, 0);
    sl_hits_free(&hits);
    sl_text_free(t);
    sl_matcher_scratch_free(s);
    sl_matcher_free(m);
    builder_free(&b);
    free(text);
}

static void test_bad_regex_names_rule(void **state)
{
    builder b = {0};
    add_regex(&b, 1, "(unclosed", SL_VIEW_NORM, 0);
    sl_matcher_spec spec = {b.p, b.n, rule_ids, 3, 0, NULL};
    sl_matcher *m = (sl_matcher *)1;
    sl_error err = {0};
    assert_int_equal(sl_matcher_build(&spec, &m, &err), SL_ERR_PATTERN);
    assert_null(m);
    assert_non_null(strstr(err.message, "threat.kill"));
    assert_int_equal(err.byte, 0);
    assert_int_equal(sl_matcher_check_regex("(unclosed", false, &err), SL_ERR_PATTERN);
    assert_int_equal(sl_matcher_check_regex("đánh|giết", true, &err), SL_OK);
    /* a bad table is refused, not crashed on */
    b.p[0].rule = 7;
    assert_int_equal(sl_matcher_build(&spec, &m, &err), SL_ERR_ARG);
    builder_free(&b);
}

static void test_cache_second_build_loads(void **state)
{
    char dir[] = "/tmp/sl_matcher_cache_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[256];
    snprintf(sub, sizeof sub, "%s/nested/cache", dir); /* created on demand */
    builder b = {0};
    fill(&b);
    sl_matcher *m1 = build(&b, sub);
    assert_false(sl_matcher_loaded_from_cache(m1));
    sl_matcher *m2 = build(&b, sub);
    assert_true(sl_matcher_loaded_from_cache(m2));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) scan_expect(m2, &cases[i]);
    sl_matcher_free(m1);
    sl_matcher_free(m2);
    /* a damaged cache file is ignored: the matcher is compiled again */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "for f in %s/*.hsdb; do printf garbage > \"$f\"; done", sub);
    assert_int_equal(system(cmd), 0);
    sl_matcher *m3 = build(&b, sub);
    assert_false(sl_matcher_loaded_from_cache(m3));
    scan_expect(m3, &cases[0]);
    sl_matcher_free(m3);
    builder_free(&b);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* One matcher, several threads, one scratch each: every thread sees the same hits. */
typedef struct worker {
    const sl_matcher *m;
    size_t hits;
    int status;
} worker;

static void *scan_many(void *arg)
{
    worker *w = arg;
    sl_matcher_scratch *s = NULL;
    sl_text *t = sl_text_new();
    sl_hits hits = {0};
    w->status = sl_matcher_scratch_new(w->m, &s);
    for (int round = 0; !w->status && round < 200; round++)
        for (size_t i = 0; !w->status && i < sizeof cases / sizeof cases[0]; i++) {
            sl_hits_clear(&hits);
            w->status = sl_text_build(t, cases[i].text, strlen(cases[i].text), NULL);
            if (!w->status) w->status = sl_matcher_scan(w->m, s, t, &hits);
            w->hits += hits.count;
        }
    sl_hits_free(&hits);
    sl_text_free(t);
    sl_matcher_scratch_free(s);
    return NULL;
}

static void test_threads_share_a_matcher(void **state)
{
    builder b = {0};
    fill(&b);
    sl_matcher *m = build(&b, NULL);
    size_t want = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) want += cases[i].rule != NULL;
    worker w[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){m, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, scan_many, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].status, SL_OK);
        assert_int_equal(w[i].hits, 200 * want);
    }
    sl_matcher_free(m);
    builder_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matcher_cases),
        cmocka_unit_test(test_overlapping_hits_merge),
        cmocka_unit_test(test_scan_cap),
        cmocka_unit_test(test_bad_regex_names_rule),
        cmocka_unit_test(test_cache_second_build_loads),
        cmocka_unit_test(test_threads_share_a_matcher),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
