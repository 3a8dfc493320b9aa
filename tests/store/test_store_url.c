/* sl_store_url_redact: a password never reaches a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "sangloc/store.h"

static void expect_shown(const char *url, const char *want)
{
    char out[256];
    sl_store_url_redact(url, out, sizeof out);
    assert_string_equal(out, want);
}

static void test_passwords_hidden(void **state)
{
    (void)state;
    expect_shown("postgresql://u:s3cret@db.example:5432/sangloc",
                 "postgresql://u:***@db.example:5432/sangloc");
    expect_shown("postgres://u:p%40ss@h/x?sslmode=require", "postgres://u:***@h/x?sslmode=require");
    expect_shown("postgresql://h/x?user=u&password=s3cret&sslmode=verify-full",
                 "postgresql://h/x?user=u&password=***&sslmode=verify-full");
    expect_shown("postgresql:///x?password=a", "postgresql:///x?password=***");
}

static void test_others_unchanged(void **state)
{
    (void)state;
    expect_shown("postgresql://u@h/x", "postgresql://u@h/x");
    expect_shown("postgresql://h/x?note=a@b:c", "postgresql://h/x?note=a@b:c");
    expect_shown("/var/lib/sangloc/store.db", "/var/lib/sangloc/store.db");
    expect_shown("sqlite:a:b@c", "sqlite:a:b@c");
    expect_shown("postgresql://h/x?mypassword=a", "postgresql://h/x?mypassword=a");
}

static void test_cut_to_fit(void **state)
{
    (void)state;
    char out[12];
    sl_store_url_redact("postgresql://u:s3cret@h/x", out, sizeof out);
    assert_string_equal(out, "postgresql:");
    char one[1];
    sl_store_url_redact("postgresql://u:s@h/x", one, sizeof one);
    assert_string_equal(one, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_passwords_hidden),
        cmocka_unit_test(test_others_unchanged),
        cmocka_unit_test(test_cut_to_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
