/* The service's config parser (src/server/config.c), from memory: what it keeps (ids, names,
 * paths resolved against the folder, banks by base name) and what it refuses, each with the
 * line and the byte of the problem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "server/config.h"

static sl_status parse(const char *text, const char *dir, sl__config *c, sl_error *err)
{
    *err = (sl_error){0};
    return sl__config_parse(text, strlen(text), dir, false, c, err);
}

static void test_good(void **state)
{
    (void)state;
    sl__config c;
    sl_error err;
    const char *t = "organizations:\n"
                    "  - id: so-y-te\n"
                    "    name: \"Sở Y tế\"\n"
                    "    policy: pol/a.yaml\n"
                    "    model: /m/x.slm\n"
                    "    banks: [b/hoax.bank, spam.bank]\n"
                    "  - {id: so-gd, policy: /p/gd.yaml}\n";
    assert_int_equal(parse(t, "/etc/s", &c, &err), SL_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.orgs[0].id, "so-y-te");
    assert_string_equal(c.orgs[0].name, "Sở Y tế");
    assert_string_equal(c.orgs[0].policy, "/etc/s/pol/a.yaml");
    assert_string_equal(c.orgs[0].model, "/m/x.slm");
    assert_int_equal(c.orgs[0].nbanks, 2);
    assert_string_equal(c.orgs[0].banks[0], "/etc/s/b/hoax.bank");
    assert_int_equal(sl__config_bank(&c.orgs[0], "spam.bank", 9), 1);
    assert_int_equal(sl__config_bank(&c.orgs[0], "hoax.bank", 9), 0);
    assert_int_equal(sl__config_bank(&c.orgs[0], "b", 1), -1);
    assert_string_equal(c.orgs[1].name, "so-gd"); /* the id when no name */
    assert_null(c.orgs[1].model);
    assert_int_equal(c.orgs[1].nbanks, 0);
    assert_int_equal(c.orgs[1].line, 7);
    sl__config_free(&c);
    /* without a folder, paths stay as written */
    assert_int_equal(parse("organizations: [{id: a, policy: p.yaml}]", NULL, &c, &err), SL_OK);
    assert_string_equal(c.orgs[0].policy, "p.yaml");
    sl__config_free(&c);
}

/* text must fail on `line`, at the byte where `at` starts, with a message containing `what` */
static void refused(const char *text, size_t line, const char *at, const char *what)
{
    sl__config c;
    sl_error err;
    assert_int_not_equal(parse(text, NULL, &c, &err), SL_OK);
    if (err.line != line || !strstr(err.message, what))
        fail_msg("%s: line %zu (want %zu): %s", text, err.line, line, err.message);
    if (at) assert_int_equal(err.byte, (size_t)(strstr(text, at) - text));
    assert_int_equal(c.n, 0);
    assert_null(c.orgs);
}

static void test_refused(void **state)
{
    (void)state;
    refused("organizations:\n  - id: x\n    polcy: p\n", 3, "polcy", "unknown key");
    refused("organizations:\n  - {id: x, policy: p}\n  - {id: x, policy: q}\n", 3, "x, policy: q",
            "given twice (first on line 2)");
    refused("organizations:\n  - {id: x, policy: p, id: y}\n", 2, "id: y", "given twice");
    refused("organizations:\n  - {id: x, policy: p, banks: b}\n", 2, "b}", "must be a list");
    refused("organizations:\n  - {id: x, policy: [p]}\n", 2, "[p]", "must be a string");
    refused("organizations:\n  - {id: x, policy: ~}\n", 2, "~", "not null");
    refused("organizations:\n  - {id: \"\", policy: p}\n", 2, "\"\"", "empty");
    refused("organizations:\n  - {id: \"a b\", policy: p}\n", 2, "\"a b\"", "letters, digits");
    refused("organizations:\n  - {id: x}\n", 2, "{id", "needs a policy");
    refused("organizations:\n  - {policy: p}\n", 2, "{policy", "needs an id");
    refused("organizations:\n  - {id: x, policy: p, banks: [a/h.bank, b/h.bank]}\n", 2, "b/h.bank",
            "two banks named \"h.bank\"");
    /* an alias in a list: reported at the list (the document API keeps no mark of the alias) */
    refused("organizations:\n  - &o {id: x, policy: p}\n  - *o\n", 2, "- &o", "aliases");
    refused("organizations:\n  - &p {id: x, policy: p}\n  - {id: y, policy: p, banks: *p}\n", 3,
            "banks: *p", "aliases");
    refused("organizations: []\n", 1, "[]", "empty");
    refused("orgs: []\n", 1, "orgs", "unknown key");
    refused("organizations: [{id: x, policy: p}]\n---\na: 1\n", 2, "---", "one YAML document");
    refused("organizations: [{id: x, policy: p\n", 2, NULL, "YAML");
    /* nesting is bounded before libyaml builds the tree (quadratic in the depth otherwise) */
    char deep[200000];
    size_t n = 0;
    n += (size_t)sprintf(deep, "organizations: ");
    while (n < 100000) deep[n++] = '[';
    deep[n] = '\0';
    refused(deep, 1, NULL, "nested deeper than 64");
    sl__config c;
    sl_error err;
    assert_int_not_equal(parse(deep, NULL, &c, &err), SL_OK);
    /* the 64th list is the 65th level (the root mapping is the first) */
    assert_int_equal(err.byte, strlen("organizations: ") + 63);
    refused("", 1, NULL, "empty");
    refused("- a\n", 1, "- a", "must be a mapping");
    refused("organizations:\n  - {id: Sở, policy: p}\n", 2, "Sở", "letters, digits");
}

/* webhook_url and webhook_secret_file: kept together, the secret's path resolved against the
 * folder and not required to exist (the server creates it); refused alone or with a URL that is
 * not http(s), each on its line. */
static void test_webhooks(void **state)
{
    (void)state;
    sl__config c;
    sl_error err;
    const char *t = "organizations:\n"
                    "  - id: a\n"
                    "    policy: p.yaml\n"
                    "    webhook_url: https://cms.example/hooks?x=1\n"
                    "    webhook_secret_file: secrets/a.hook\n"
                    "  - {id: b, policy: p.yaml}\n";
    assert_int_equal(parse(t, "/etc/s", &c, &err), SL_OK);
    assert_string_equal(c.orgs[0].webhook_url, "https://cms.example/hooks?x=1");
    assert_string_equal(c.orgs[0].webhook_secret_file, "/etc/s/secrets/a.hook");
    assert_null(c.orgs[1].webhook_url);
    assert_null(c.orgs[1].webhook_secret_file);
    sl__config_free(&c);
    /* the files of the config are checked, the secret file is not (it is created) */
    err = (sl_error){0};
    const char *nofile = "organizations:\n  - {id: a, policy: /nonexistent/p.yaml, "
                         "webhook_url: http://h/, webhook_secret_file: /nonexistent/s}\n";
    assert_int_not_equal(sl__config_parse(nofile, strlen(nofile), NULL, true, &c, &err), SL_OK);
    assert_non_null(strstr(err.message, "policy"));
    refused("organizations:\n  - id: a\n    policy: p\n    webhook_url: http://h/x\n", 4,
            "http://h/x", "needs a webhook_secret_file");
    refused("organizations:\n  - id: a\n    policy: p\n    webhook_secret_file: k.hook\n", 4,
            "k.hook", "needs a webhook_url");
    refused("organizations:\n  - id: a\n    policy: p\n    webhook_url: ftp://h/x\n"
            "    webhook_secret_file: s\n",
            4, "ftp://", "http:// or https://");
    refused("organizations:\n  - id: a\n    policy: p\n    webhook_url: \"http://h/a b\"\n"
            "    webhook_secret_file: s\n",
            4, "\"http://h/a b\"", "without spaces");
    refused("organizations:\n  - id: a\n    policy: p\n    webhook_url: http://h/\n"
            "    webhook_secret_file: [s]\n",
            5, "[s]", "must be a string");
    refused("organizations:\n  - {id: a, policy: p, webhook_url: \"http://\", "
            "webhook_secret_file: s}\n",
            2, "\"http://\"", "http:// or https://");
    refused("organizations:\n  - {id: a, policy: p, webhook_url: http://h/, webhook_url: "
            "http://i/, webhook_secret_file: s}\n",
            2, "webhook_url: http://i/", "given twice");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_webhooks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
