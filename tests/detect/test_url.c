/* Unit tests of URL finding and domain sets: URLs with scheme, "www." and bare domains with
 * exact spans and hosts in the original text; look-alikes that are not URLs ("v.v.", file names,
 * e-mail domains, a capitalized word after a dot); domain-set matching of subdomains and case,
 * and list-file errors with their line number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sangloc/detect.h"
#include "sangloc/text.h"

typedef struct url_case {
    const char *text;
    const char *url;  /* exact bytes of the first URL, NULL: none */
    const char *host; /* exact bytes of its host */
} url_case;

static const url_case cases[] = {
    {"xem https://example.com/a?b=1.", "https://example.com/a?b=1", "example.com"},
    {"vào www.abc.vn mà xem", "www.abc.vn", "www.abc.vn"},
    {"link bit.ly/3xYzAb nhé", "bit.ly/3xYzAb", "bit.ly"},
    {"mua trên shopee.vn nha", "shopee.vn", "shopee.vn"},
    {"link: t.co/abc", "t.co/abc", "t.co"},
    {"HTTPS://EXAMPLE.COM", "HTTPS://EXAMPLE.COM", "EXAMPLE.COM"},
    {"(xem http://tin.vn/bai-viet-1)", "http://tin.vn/bai-viet-1", "tin.vn"},
    {"nhận quà tại qua-tang-mien-phi.xyz/nhan ngay", "qua-tang-mien-phi.xyz/nhan",
     "qua-tang-mien-phi.xyz"},
    {"Trang vnexpress.net đưa tin", "vnexpress.net", "vnexpress.net"},
    {"http://localhost:8080/x", "http://localhost:8080/x", "localhost"},
    {"http://192.168.1.1/admin", "http://192.168.1.1/admin", "192.168.1.1"},
    {"https://vi.wikipedia.org/wiki/Hà_Nội rồi", "https://vi.wikipedia.org/wiki/Hà_Nội",
     "vi.wikipedia.org"},
    {"Shopee.vn", "Shopee.vn", "Shopee.vn"},
    {"https://ex\xe2\x80\x8b"
     "ample.com",
     "https://ex\xe2\x80\x8b"
     "ample.com",
     "ex\xe2\x80\x8b"
     "ample.com"},
    {"v.v. và vân vân", NULL, NULL},
    {"gửi file baocao.doc qua", NULL, NULL},
    {"email a.b@gmail.com nhé", NULL, NULL},
    {"pi = 3.14", NULL, NULL},
    {"xong rồi.Me nói vậy", NULL, NULL},
    {"Hello.Com", NULL, NULL},
    {"a.co", NULL, NULL},
    {"index.html", NULL, NULL},
    {"về.mẹ nói", NULL, NULL},
    {"", NULL, NULL},
};

static void test_url_table(void **state)
{
    sl_text *t = sl_text_new();
    sl_error err;
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const url_case *c = &cases[i];
        assert_int_equal(sl_text_build(t, c->text, strlen(c->text), &err), SL_OK);
        sl_url u[4];
        size_t n = sl_detect_urls(t, u, 4);
        bool ok;
        if (!c->url) {
            ok = n == 0;
        } else {
            const char *a = strstr(c->text, c->url), *h = strstr(c->text, c->host);
            assert_non_null(a);
            assert_non_null(h);
            ok = n >= 1 && u[0].start == (uint32_t)(a - c->text) &&
                 u[0].end == u[0].start + strlen(c->url) &&
                 u[0].host_start == (uint32_t)(h - c->text) &&
                 u[0].host_end == u[0].host_start + strlen(c->host);
        }
        if (!ok) {
            fprintf(stderr, "URL case '%s': %zu found\n", c->text, n);
            for (size_t k = 0; k < n && k < 4; k++)
                fprintf(stderr, "    [%u,%u) host [%u,%u)\n", u[k].start, u[k].end, u[k].host_start,
                        u[k].host_end);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
    sl_text_free(t);
}

static void test_url_limits(void **state)
{
    sl_text *t = sl_text_new();
    sl_error err;
    const char *s = "aa.com bb.com cc.com dd.com";
    assert_int_equal(sl_text_build(t, s, strlen(s), &err), SL_OK);
    sl_url u[2];
    assert_int_equal(sl_detect_urls(t, u, 2), 2);
    assert_int_equal(sl_detect_urls(t, NULL, 0), 0);
    assert_int_equal(sl_detect_urls(NULL, u, 2), 0);
    assert_int_equal(u[1].start, 7);
    sl_text_free(t);
}

static void test_domain_set_matching(void **state)
{
    sl_domain_set *s = sl_domain_set_new();
    assert_non_null(s);
    assert_int_equal(sl_domain_set_add(s, "Evil.COM", 8), SL_OK);
    assert_int_equal(sl_domain_set_add(s, "www.scam.vn", 11), SL_OK);
    assert_int_equal(sl_domain_set_add(s, "http://bit.ly/abc", 17), SL_OK);
    assert_int_equal(sl_domain_set_add(s, "*.lure.xyz", 10), SL_OK);
    assert_int_equal(sl_domain_set_add(s, "evil.com", 8), SL_OK); /* duplicate */
    assert_int_equal(sl_domain_set_size(s), 4);
    static const struct {
        const char *host;
        bool in;
    } q[] = {{"evil.com", true},     {"EVIL.com", true},   {"www.evil.com", true},
             {"m.a.evil.com", true}, {"evil.com.", true},  {"notevil.com", false},
             {"evil.co", false},     {"scam.vn", true},    {"www.scam.vn", true},
             {"bit.ly", true},       {"x.lure.xyz", true}, {"lure.xyz", true},
             {"com", false},         {"", false},          {"evil.com.vn", false}};
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
        assert_int_equal(sl_domain_set_contains(s, q[i].host, strlen(q[i].host)), q[i].in);
    assert_int_equal(sl_domain_set_add(s, "bad domain", 10), SL_ERR_PATTERN);
    assert_int_equal(sl_domain_set_add(s, "", 0), SL_ERR_PATTERN);
    assert_int_equal(sl_domain_set_add(s, "a..b", 4), SL_ERR_PATTERN);
    assert_false(sl_domain_set_contains(NULL, "evil.com", 8));
    /* many entries: the table grows and keeps them all */
    char d[32];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(d, sizeof d, "site%d.example", i);
        assert_int_equal(sl_domain_set_add(s, d, (size_t)n), SL_OK);
    }
    assert_int_equal(sl_domain_set_size(s), 5004);
    assert_true(sl_domain_set_contains(s, "x.site4999.example", 18));
    assert_true(sl_domain_set_contains(s, "evil.com", 8));
    sl_domain_set_free(s);
    sl_domain_set_free(NULL);
}

static char *write_temp(const char *content)
{
    char *path = strdup("/tmp/sl_domains_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    return path;
}

static void test_domain_set_load(void **state)
{
    char *p = write_temp("# scam list\n\nevil.com   # trailing comment\r\n  www.Scam.VN\n");
    sl_domain_set *s = NULL;
    sl_error err = {0};
    assert_int_equal(sl_domain_set_load(p, &s, &err), SL_OK);
    assert_int_equal(sl_domain_set_size(s), 2);
    assert_true(sl_domain_set_contains(s, "login.evil.com", 14));
    assert_true(sl_domain_set_contains(s, "scam.vn", 7));
    sl_domain_set_free(s);
    unlink(p);
    free(p);

    p = write_temp("ok.com\n# fine\nnot a domain\n");
    assert_int_equal(sl_domain_set_load(p, &s, &err), SL_ERR_PATTERN);
    assert_null(s);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.byte, 14);
    assert_non_null(strstr(err.message, "line 3"));
    unlink(p);
    free(p);

    assert_int_equal(sl_domain_set_load("/nonexistent/list.txt", &s, &err), SL_ERR_IO);
    assert_null(s);
    assert_int_equal(sl_domain_set_load(NULL, &s, &err), SL_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_table),
        cmocka_unit_test(test_url_limits),
        cmocka_unit_test(test_domain_set_matching),
        cmocka_unit_test(test_domain_set_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
