/* Unit tests of the policy loader's limits on outside input: nesting deeper than 64 levels is
 * refused with its line and column, fast, however deep the input (1,000,000 levels of flow
 * lists used to take minutes in libyaml's scanner); 64 levels are still parsed; a second YAML
 * document is an error at its line; reporting many problems stays linear and each problem's
 * byte offset is where its line and column say; a FIFO or a folder given as policy or lexicon
 * is refused at once. alarm() turns a hang into a failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "sangloc/policy.h"

/* Sanitizer builds run the linear passes (UTF-8 check, line count) ~25x slower. */
#if defined(__SANITIZE_ADDRESS__)
#define SLOW 6.0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLOW 6.0
#endif
#endif
#ifndef SLOW
#define SLOW 1.0
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

#define HEAD "version: '1'\nname: n\ncategories: {a: {}}\nrules: []\ncases: "

/* HEAD then `depth` nested openers and their closers. */
static char *nested(size_t depth, const char *open, const char *close, size_t *len)
{
    size_t h = strlen(HEAD), o = strlen(open), c = strlen(close);
    char *s = malloc(h + depth * (o + c) + 2);
    assert_non_null(s);
    memcpy(s, HEAD, h);
    size_t n = h;
    for (size_t i = 0; i < depth; i++, n += o) memcpy(s + n, open, o);
    for (size_t i = 0; i < depth; i++, n += c) memcpy(s + n, close, c);
    s[n++] = '\n';
    s[n] = '\0';
    *len = n;
    return s;
}

static void test_deep_nesting_refused_fast(void **state)
{
    alarm(20);
    struct {
        size_t depth;
        const char *open, *close;
    } c[] = {{1000000, "[", "]"}, {200000, "{a: ", "}"}, {60000, "[{a: ", "}]"}, {65, "[", "]"}};
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        size_t len;
        char *s = nested(c[i].depth, c[i].open, c[i].close, &len);
        sl_policy *p = NULL;
        sl_error err = {0};
        double t0 = now();
        sl_status st = sl_policy_parse_buffer(s, len, NULL, "deep", &p, &err);
        double dt = now() - t0;
        print_message("depth %zu of '%s': %.4f s: %s\n", c[i].depth, c[i].open, dt, err.message);
        assert_int_equal(st, SL_ERR_POLICY);
        assert_null(p);
        assert_non_null(strstr(err.message, "nested deeper than 64 levels"));
        assert_int_equal(err.line, 5);
        /* the root mapping is level 1: level 65 is the 64th opener of the line */
        size_t col = 0, opened = 0, at = strlen(HEAD) - strlen("cases: ");
        while (opened < 64) opened += s[at + col] == '[' || s[at + col] == '{', col++;
        char want[32];
        snprintf(want, sizeof want, "(column %zu)", col);
        assert_non_null(strstr(err.message, want));
        assert_true(err.byte > strlen(HEAD) && err.byte < len);
        assert_true(dt < 0.5 * SLOW); /* 0.02 s at 1,000,000 levels here */
        free(s);
    }
    alarm(0);
}

static void test_depth_at_limit_parses(void **state)
{
    size_t len;
    char *s = nested(63, "[", "]", &len); /* root + 63 lists = 64 levels */
    sl_policy *p = NULL;
    sl_error err = {0};
    sl_status st = sl_policy_parse_buffer(s, len, NULL, "deep", &p, &err);
    /* the YAML is accepted; the walk then says what is wrong with such a case */
    assert_int_equal(st, SL_ERR_POLICY);
    assert_null(strstr(err.message, "nested deeper"));
    assert_non_null(strstr(err.message, "a case must be a mapping"));
    free(s);
}

static void test_second_document(void **state)
{
    static const struct {
        const char *yaml;
        size_t line;
    } c[] = {
        {HEAD "[]\n---\nversion: '2'\n", 6},
        {"---\n" HEAD "[]\n...\n---\nname: other\n", 8},
        {HEAD "[]\n--- {}\n", 6},
    };
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        sl_policy *p = NULL;
        sl_error err = {0};
        sl_status st = sl_policy_parse_buffer(c[i].yaml, strlen(c[i].yaml), NULL, "two", &p, &err);
        assert_int_equal(st, SL_ERR_POLICY);
        assert_non_null(strstr(err.message, "second YAML document"));
        assert_int_equal(err.line, c[i].line);
    }
    /* one document, explicitly started and ended, is fine */
    const char *one = "---\n" HEAD "[]\n...\n";
    sl_policy *p = NULL;
    sl_error err = {0};
    assert_int_equal(sl_policy_parse_buffer(one, strlen(one), NULL, "one", &p, &err), SL_OK);
    sl_policy_free(p);
}

typedef struct seen {
    const char *data;
    size_t n, bad_bytes;
} seen;

/* Every problem here is "a case must be a mapping" at the start of a "- N" item: the byte
 * must be the '1' after "- " on the problem's line. */
static void on_problem(const sl_error *e, void *ctx)
{
    seen *s = ctx;
    size_t line = 1, i = 0;
    while (line < e->line && s->data[i]) line += s->data[i++] == '\n';
    if (e->byte != i + 2) s->bad_bytes++;
    s->n++;
}

static void count_problem(const sl_error *e, void *ctx)
{
    ((seen *)ctx)->n++;
}

static void test_many_problems_linear(void **state)
{
    alarm(20);
    const size_t n = 200000;
    size_t h = strlen(HEAD);
    char *s = malloc(h + 4 * n + 2);
    memcpy(s, HEAD, h);
    s[h] = '\n';
    size_t len = h + 1;
    for (size_t i = 0; i < n; i++, len += 4) memcpy(s + len, "- 1\n", 4);
    s[len] = '\0';
    seen z = {s, 0, 0};
    double t0 = now();
    assert_int_equal(sl_policy_lint_buffer(s, len, NULL, count_problem, &z), SL_ERR_POLICY);
    double dt = now() - t0;
    print_message("%zu problems reported in %.3f s\n", z.n, dt);
    assert_true(z.n >= n);
    /* 0.35 s here; when quadratic it took 1.5 s per 10,000 problems, minutes for these */
    assert_true(dt < 2.0 * SLOW);
    alarm(0);
    /* the check of each byte offset walks the text: done on a smaller copy */
    len = h + 1 + 4 * 2000;
    s[len] = '\0';
    z = (seen){s, 0, 0};
    assert_int_equal(sl_policy_lint_buffer(s, len, NULL, on_problem, &z), SL_ERR_POLICY);
    assert_true(z.n >= 2000);
    assert_int_equal(z.bad_bytes, 0);
    free(s);
}

static void test_fifo_and_folder_refused(void **state)
{
    char dir[] = "/tmp/sl-test-plim-XXXXXX", fifo[64], pol[64];
    assert_non_null(mkdtemp(dir));
    snprintf(fifo, sizeof fifo, "%s/f", dir);
    snprintf(pol, sizeof pol, "%s/p.yaml", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(10);
    const char *paths[] = {fifo, dir};
    for (size_t i = 0; i < 2; i++) {
        sl_policy *p = NULL;
        sl_error err = {0};
        assert_int_not_equal(sl_policy_load(paths[i], &p, &err), SL_OK);
        assert_non_null(strstr(err.message, "not a regular file"));
        /* the same file cited as a lexicon */
        FILE *f = fopen(pol, "w");
        fprintf(f,
                "version: '1'\nname: n\ncategories: {a: {}}\nrules:\n  - id: r\n"
                "    category: a\n    weight: 0.5\n    clause: c\n    lexicon: %s\n",
                paths[i]);
        fclose(f);
        assert_int_not_equal(sl_policy_load(pol, &p, &err), SL_OK);
        assert_non_null(strstr(err.message, "not a regular file"));
        assert_int_equal(err.line, 9);
    }
    alarm(0);
    unlink(pol);
    unlink(fifo);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deep_nesting_refused_fast),
        cmocka_unit_test(test_depth_at_limit_parses),
        cmocka_unit_test(test_second_document),
        cmocka_unit_test(test_many_problems_linear),
        cmocka_unit_test(test_fifo_and_folder_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
