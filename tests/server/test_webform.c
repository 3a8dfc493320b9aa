/* The pages' parsers of outside input and their CSRF decision (server/webform.h): Cookie
 * headers, form bodies, Origin and Referer, the page language, HTML escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "server/ratelimit.h"
#include "server/webform.h"

static bool cookie(const char *h, const char *name, const char *want)
{
    const char *v = NULL;
    size_t n = 0;
    bool found = sl__cookie_find(h, strlen(h), name, &v, &n);
    if (!want) return !found;
    return found && n == strlen(want) && !memcmp(v, want, n);
}

static void test_cookies(void **state)
{
    (void)state;
    assert_true(cookie("sl_session=abc", "sl_session", "abc"));
    assert_true(cookie("lang=en; sl_session=abc; x=1", "sl_session", "abc"));
    assert_true(cookie("lang=en;sl_session=abc ;x=1", "sl_session", "abc"));
    assert_true(cookie("sl_session=\"abc\"", "sl_session", "abc")); /* quoted */
    assert_true(cookie("sl_session=", "sl_session", ""));
    assert_true(cookie("xsl_session=abc", "sl_session", NULL)); /* not a prefix match */
    assert_true(cookie("sl_session_x=abc", "sl_session", NULL));
    assert_true(cookie("sl_session", "sl_session", NULL)); /* no '=' */
    assert_true(cookie("", "sl_session", NULL));
    assert_true(cookie(";;; ;", "sl_session", NULL));
    /* twice (one planted by a sibling domain): neither is used */
    assert_true(cookie("sl_session=a; sl_session=b", "sl_session", NULL));
    /* the value stops at the next ';' */
    assert_true(cookie("sl_session=a=b; c=d", "sl_session", "a=b"));
    /* never past the given length */
    const char h[] = "sl_session=abcdef";
    const char *v;
    size_t n;
    assert_true(sl__cookie_find(h, 13, "sl_session", &v, &n));
    assert_int_equal(n, 2);
    assert_false(sl__cookie_find(NULL, 0, "sl_session", &v, &n));
}

static sl_status field(const char *body, const char *name, size_t max, sl_buf *out, sl_error *err)
{
    return sl__form_field(body, strlen(body), name, max, out, err);
}

static void test_form(void **state)
{
    (void)state;
    sl_buf b = {.max = 1024};
    sl_error err = {0};
    assert_int_equal(field("token=slt_abc", "token", 64, &b, &err), SL_OK);
    assert_string_equal(b.data, "slt_abc");
    assert_int_equal(field("a=1&token=x%2By+z&b=2", "token", 64, &b, &err), SL_OK);
    assert_string_equal(b.data, "x+y z");
    assert_int_equal(field("token=ti%E1%BA%BFng", "token", 64, &b, &err), SL_OK);
    assert_string_equal(b.data, "tiếng");
    assert_int_equal(field("token=", "token", 64, &b, &err), SL_OK);
    assert_int_equal(b.len, 0);
    assert_int_equal(field("token", "token", 64, &b, &err), SL_OK); /* no '=': empty */
    assert_int_equal(b.len, 0);
    assert_int_equal(field("tokens=1&xtoken=2", "token", 64, &b, &err), SL_ERR_NOT_FOUND);
    assert_int_equal(field("", "token", 64, &b, &err), SL_ERR_NOT_FOUND);
    /* refusals, each with its byte */
    assert_int_equal(field("token=a&token=b", "token", 64, &b, &err), SL_ERR_ARG);
    assert_int_equal(err.byte, 8);
    assert_int_equal(field("token=ab%2", "token", 64, &b, &err), SL_ERR_ARG);
    assert_int_equal(err.byte, 8);
    assert_int_equal(field("token=%zz", "token", 64, &b, &err), SL_ERR_ARG);
    assert_int_equal(err.byte, 6);
    assert_int_equal(field("token=a%00b", "token", 64, &b, &err), SL_ERR_ARG); /* NUL */
    assert_int_equal(err.byte, 7);
    assert_int_equal(field("token=%C3%28", "token", 64, &b, &err), SL_ERR_ARG);    /* not UTF-8 */
    assert_int_equal(field("token=%ED%A0%80", "token", 64, &b, &err), SL_ERR_ARG); /* surrogate */
    assert_int_equal(field("token=abcdef", "token", 5, &b, &err), SL_ERR_ARG);     /* over max */
    assert_int_equal(err.byte, 11);
    assert_int_equal(field("token=abcde", "token", 5, &b, &err), SL_OK);
    sl_buf_free(&b);
}

static void test_same_origin(void **state)
{
    (void)state;
    const char *host = "127.0.0.1:8080";
#define O(v, ref, https) sl__same_origin(v, strlen(v), ref, host, https)
    assert_true(O("http://127.0.0.1:8080", false, false));
    assert_true(O("HTTP://127.0.0.1:8080", false, false));
    assert_false(O("https://127.0.0.1:8080", false, false)); /* another scheme */
    assert_true(O("https://127.0.0.1:8080", false, true));
    assert_false(O("http://127.0.0.1:8080", false, true));
    assert_false(O("http://127.0.0.1:80801", false, false)); /* another port */
    assert_false(O("http://127.0.0.1:8080.evil.example", false, false));
    assert_false(O("http://127.0.0.1:8080/", false, false)); /* an Origin has no path */
    assert_false(O("http://127.0.0.1", false, false));
    assert_false(O("null", false, false));
    assert_false(O("", false, false));
    assert_false(O("http://evil.example", false, false));
    /* a Referer: the origin then a path, a query or a fragment */
    assert_true(O("http://127.0.0.1:8080/check", true, false));
    assert_true(O("http://127.0.0.1:8080?x", true, false));
    assert_true(O("http://127.0.0.1:8080", true, false));
    assert_false(O("http://127.0.0.1:8080@evil.example/", true, false));
    assert_false(O("http://127.0.0.1:8080.evil.example/", true, false));
#undef O
    assert_false(sl__same_origin("http://x", 8, false, NULL, false));
    assert_false(sl__same_origin("http://", 7, false, "", false));
}

static void test_csrf(void **state)
{
    (void)state;
    const char *secret = "prZNjcKAT_cXEaTSjqWmaX02H1Nt73GT30XFhcRFmFw";
    const char *host = "localhost:1234", *me = "http://localhost:1234";
    assert_int_equal(sl__csrf_check(secret, secret, me, NULL, host, false), SL_CSRF_OK);
    assert_int_equal(sl__csrf_check(NULL, secret, me, NULL, host, false), SL_CSRF_NO_TOKEN);
    assert_int_equal(sl__csrf_check("", secret, me, NULL, host, false), SL_CSRF_BAD_TOKEN);
    /* one byte off, a prefix, a longer one */
    char bad[64];
    strcpy(bad, secret);
    bad[42] = 'x';
    assert_int_equal(sl__csrf_check(bad, secret, me, NULL, host, false), SL_CSRF_BAD_TOKEN);
    bad[42] = '\0';
    assert_int_equal(sl__csrf_check(bad, secret, me, NULL, host, false), SL_CSRF_BAD_TOKEN);
    snprintf(bad, sizeof bad, "%sA", secret);
    assert_int_equal(sl__csrf_check(bad, secret, me, NULL, host, false), SL_CSRF_BAD_TOKEN);
    assert_int_equal(sl__csrf_check(secret, "", me, NULL, host, false), SL_CSRF_BAD_TOKEN);
    /* the origin: another one, "null", none at all; a Referer when there is no Origin */
    assert_int_equal(sl__csrf_check(secret, secret, "http://evil.example", NULL, host, false),
                     SL_CSRF_BAD_ORIGIN);
    assert_int_equal(sl__csrf_check(secret, secret, "null", me, host, false), SL_CSRF_BAD_ORIGIN);
    assert_int_equal(sl__csrf_check(secret, secret, NULL, NULL, host, false), SL_CSRF_BAD_ORIGIN);
    assert_int_equal(
        sl__csrf_check(secret, secret, NULL, "http://localhost:1234/check", host, false),
        SL_CSRF_OK);
    assert_int_equal(sl__csrf_check(secret, secret, NULL, "http://evil.example/x", host, false),
                     SL_CSRF_BAD_ORIGIN);
    /* behind TLS (--secure-cookies) the origin is https */
    assert_int_equal(sl__csrf_check(secret, secret, me, NULL, host, true), SL_CSRF_BAD_ORIGIN);
    assert_int_equal(sl__csrf_check(secret, secret, "https://localhost:1234", NULL, host, true),
                     SL_CSRF_OK);
    /* no Host header: nothing is our origin */
    assert_int_equal(sl__csrf_check(secret, secret, me, NULL, NULL, false), SL_CSRF_BAD_ORIGIN);
}

static void test_lang(void **state)
{
    (void)state;
    assert_string_equal(sl__page_lang(NULL, NULL), "vi");
    assert_string_equal(sl__page_lang("lang=en", NULL), "en");
    assert_string_equal(sl__page_lang("next=/x&lang=en", NULL), "en");
    assert_string_equal(sl__page_lang("xlang=en", NULL), "vi");
    assert_string_equal(sl__page_lang("lang=english", NULL), "vi");
    assert_string_equal(sl__page_lang(NULL, "lang=en"), "en");
    assert_string_equal(sl__page_lang(NULL, "a=1; lang=en"), "en");
    assert_string_equal(sl__page_lang(NULL, "lang=fr"), "vi");
    assert_string_equal(sl__page_lang("lang=vi", "lang=en"), "vi"); /* the query wins */
    assert_string_equal(sl__page_lang("lang=en", "lang=vi"), "en");
}

static void test_html_escape(void **state)
{
    (void)state;
    sl_buf b = {.max = 1024};
    const char *s = "<a href=\"x\" onclick='y'>&amp;</a> tiếng";
    assert_int_equal(sl__html_escape(&b, s, strlen(s)), SL_OK);
    assert_int_equal(sl_buf_append(&b, "", 1), SL_OK);
    assert_string_equal(b.data,
                        "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt; "
                        "tiếng");
    sl_buf_free(&b);
}

static void test_peek_does_not_take(void **state)
{
    (void)state;
    sl__ratelimit *rl = sl__ratelimit_new(10.0 / 60, 10.0); /* failed logins: 10 a minute */
    assert_non_null(rl);
    unsigned wait = 0;
    for (int k = 0; k < 50; k++) assert_true(sl__ratelimit_peek(rl, 5, 10.0, &wait));
    for (int k = 0; k < 10; k++) assert_true(sl__ratelimit_take(rl, 5, 10.0, &wait));
    assert_false(sl__ratelimit_peek(rl, 5, 10.0, &wait));
    assert_int_equal(wait, 6);                           /* one refills in 6 s */
    assert_true(sl__ratelimit_peek(rl, 6, 10.0, &wait)); /* another address */
    assert_true(sl__ratelimit_peek(rl, 5, 16.0, &wait));
    sl__ratelimit_free(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cookies),
        cmocka_unit_test(test_form),
        cmocka_unit_test(test_same_origin),
        cmocka_unit_test(test_csrf),
        cmocka_unit_test(test_lang),
        cmocka_unit_test(test_html_escape),
        cmocka_unit_test(test_peek_does_not_take),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
