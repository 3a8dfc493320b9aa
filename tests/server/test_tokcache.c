/* The workers' token cache (server/tokcache.h) over a real store: a cached token is answered
 * without the store until its second runs out, a revoked token is refused once it has, an
 * unknown token is never cached, and a full cache drops an old entry rather than growing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/tokcache.h"

typedef struct fixture {
    char dir[64], db[128];
    sl_store *store;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_tokcache.XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->db, sizeof f->db, "%s/s.db", f->dir);
    sl_error err = {0};
    if (sl_store_open(f->db, NULL, &f->store, &err)) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sl_store_close(f->store);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd)) return -1;
    free(f);
    return 0;
}

static void test_revoked_within_the_ttl(void **state)
{
    fixture *f = *state;
    sl_error err = {0};
    char secret[SL_TOKEN_SECRET_SIZE];
    sl_token_info made, got;
    assert_int_equal(
        sl_store_token_create(f->store, "a", SL_ROLE_INTEGRATION, "default", secret, &made, &err),
        SL_OK);
    sl__tokcache c = {0};
    size_t len = strlen(secret);
    assert_int_equal(sl__tokcache_lookup(&c, f->store, secret, len, 100.0, &got, &err), SL_OK);
    assert_int_equal(got.id, made.id);
    assert_int_equal(got.role, SL_ROLE_INTEGRATION);
    assert_int_equal(sl_store_token_revoke(f->store, made.id, &err), SL_OK);
    /* still in the cache for the rest of its second */
    memset(&got, 0, sizeof got);
    assert_int_equal(sl__tokcache_lookup(&c, f->store, secret, len, 100.5, &got, &err), SL_OK);
    assert_int_equal(got.id, made.id);
    /* then the store is asked again, and says no */
    assert_int_equal(
        sl__tokcache_lookup(&c, f->store, secret, len, 100.0 + SL_TOKCACHE_SECONDS, &got, &err),
        SL_ERR_AUTH);
    assert_int_equal(sl__tokcache_lookup(&c, f->store, secret, len, 101.2, &got, &err),
                     SL_ERR_AUTH);
}

static void test_unknown_and_near_misses(void **state)
{
    fixture *f = *state;
    sl_error err = {0};
    char secret[SL_TOKEN_SECRET_SIZE];
    sl_token_info got;
    assert_int_equal(
        sl_store_token_create(f->store, "b", SL_ROLE_REVIEWER, "default", secret, NULL, &err),
        SL_OK);
    sl__tokcache c = {0};
    size_t len = strlen(secret);
    assert_int_equal(sl__tokcache_lookup(&c, f->store, secret, len, 5.0, &got, &err), SL_OK);
    /* one byte changed, one byte short, empty: never the cached token */
    char other[SL_TOKEN_SECRET_SIZE];
    memcpy(other, secret, sizeof other);
    other[len - 1] = other[len - 1] == 'A' ? 'B' : 'A';
    assert_int_equal(sl__tokcache_lookup(&c, f->store, other, len, 5.1, &got, &err), SL_ERR_AUTH);
    assert_int_equal(sl__tokcache_lookup(&c, f->store, secret, len - 1, 5.1, &got, &err),
                     SL_ERR_AUTH);
    assert_int_equal(sl__tokcache_lookup(&c, f->store, "", 0, 5.1, &got, &err), SL_ERR_AUTH);
    /* more tokens than slots: the cache keeps working, each answers its own role */
    char many[SL_TOKCACHE_SLOTS + 3][SL_TOKEN_SECRET_SIZE];
    for (int k = 0; k < SL_TOKCACHE_SLOTS + 3; k++) {
        assert_int_equal(sl_store_token_create(f->store, "m",
                                               k % 2 ? SL_ROLE_AUDITOR : SL_ROLE_REVIEWER,
                                               "default", many[k], NULL, &err),
                         SL_OK);
        assert_int_equal(
            sl__tokcache_lookup(&c, f->store, many[k], strlen(many[k]), 6.0, &got, &err), SL_OK);
        assert_int_equal(got.role, k % 2 ? SL_ROLE_AUDITOR : SL_ROLE_REVIEWER);
    }
    for (int k = SL_TOKCACHE_SLOTS + 2; k >= 0; k--) {
        assert_int_equal(
            sl__tokcache_lookup(&c, f->store, many[k], strlen(many[k]), 6.5, &got, &err), SL_OK);
        assert_int_equal(got.role, k % 2 ? SL_ROLE_AUDITOR : SL_ROLE_REVIEWER);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_revoked_within_the_ttl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_and_near_misses, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
