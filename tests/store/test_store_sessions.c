/* Browser sessions in the store (sangloc/store.h): ids and CSRF secrets made once, only the
 * SHA-256 of an id kept; a session ends at its expiry, at logout and when its token is
 * revoked; it survives a reopen; login and logout are audit entries that name neither the id
 * nor the secret. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>

#include "store_fixture.h"

#define HOUR ((int64_t)3600 * 1000)

static int64_t token(sl_store *s, const char *name, sl_role role, const char *org)
{
    char secret[SL_TOKEN_SECRET_SIZE];
    sl_token_info t;
    sl_error err = {0};
    if (sl_store_token_create(s, name, role, org, secret, &t, &err))
        fail_msg("token: %s", err.message);
    return t.id;
}

static bool b64url(const char *s, size_t n)
{
    if (strlen(s) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", s[i]))
            return false;
    return true;
}

static void test_create_find_end(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    int64_t tid = token(s, "Lê Văn Cường", SL_ROLE_REVIEWER, "default");
    char id[SL_SESSION_ID_SIZE], id2[SL_SESSION_ID_SIZE];
    sl_session ses, got;
    sl_error err = {0};
    assert_int_equal(sl_store_session_create(s, tid, 8 * HOUR, id, &ses, &err), SL_OK);
    assert_true(b64url(id, SL_SESSION_ID_LEN));
    assert_true(b64url(ses.csrf, SL_CSRF_LEN));
    assert_string_not_equal(id, ses.csrf);
    assert_int_equal(ses.created_at, f->clock);
    assert_int_equal(ses.expires_at, f->clock + 8 * HOUR);
    assert_string_equal(ses.token.name, "Lê Văn Cường");
    assert_int_equal(ses.token.role, SL_ROLE_REVIEWER);
    assert_string_equal(ses.token.org, "default");
    /* a second session of the same token is another id and secret */
    sl_session ses2;
    assert_int_equal(sl_store_session_create(s, tid, 8 * HOUR, id2, &ses2, &err), SL_OK);
    assert_string_not_equal(id, id2);
    assert_string_not_equal(ses.csrf, ses2.csrf);

    assert_int_equal(sl_store_session_find(s, id, strlen(id), &got, &err), SL_OK);
    assert_int_equal(got.token.id, tid);
    assert_string_equal(got.csrf, ses.csrf);
    assert_int_equal(got.expires_at, ses.expires_at);
    /* the store keeps the id's SHA-256, never the id */
    assert_false(dir_contains(f, id, strlen(id)));
    unsigned char h[32];
    crypto_hash_sha256(h, (const unsigned char *)id, strlen(id));
    char sql[200] = "SELECT count(*) FROM sessions WHERE id_hash = X'";
    for (int k = 0; k < 32; k++) snprintf(sql + strlen(sql), 3, "%02x", h[k]);
    strcat(sql, "'");
    assert_int_equal(sql_int(f, sql), 1);

    /* logout ends this session only */
    assert_int_equal(sl_store_session_end(s, id, strlen(id), &err), SL_OK);
    assert_int_equal(sl_store_session_find(s, id, strlen(id), &got, &err), SL_ERR_AUTH);
    assert_int_equal(sl_store_session_end(s, id, strlen(id), &err), SL_ERR_AUTH);
    assert_int_equal(sql_int(f, sql), 0);
    assert_int_equal(sl_store_session_find(s, id2, strlen(id2), &got, &err), SL_OK);
    sl_store_close(s);
}

static void test_refusals(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    int64_t tid = token(s, "An", SL_ROLE_ADMIN, NULL);
    char id[SL_SESSION_ID_SIZE];
    sl_session ses;
    sl_error err = {0};
    assert_int_equal(sl_store_session_create(s, tid, 0, id, &ses, &err), SL_ERR_ARG);
    assert_int_equal(sl_store_session_create(s, tid, SL_SESSION_MAX_MS + 1, id, &ses, &err),
                     SL_ERR_ARG);
    assert_int_equal(sl_store_session_create(s, 999, HOUR, id, &ses, &err), SL_ERR_AUTH);
    assert_string_equal(id, "");
    assert_int_equal(sql_int(f, "SELECT count(*) FROM sessions"), 0);
    assert_int_equal(sl_store_session_create(s, tid, HOUR, id, &ses, &err), SL_OK);
    assert_string_equal(ses.token.org, ""); /* a global admin */
    /* malformed ids: short, long, a byte outside base64url, one byte changed */
    char bad[64];
    const char *const cases[] = {"", "abc", "A"};
    for (size_t k = 0; k < 3; k++)
        assert_int_equal(sl_store_session_find(s, cases[k], strlen(cases[k]), &ses, &err),
                         SL_ERR_AUTH);
    snprintf(bad, sizeof bad, "%sA", id);
    assert_int_equal(sl_store_session_find(s, bad, strlen(bad), &ses, &err), SL_ERR_AUTH);
    snprintf(bad, sizeof bad, "%s", id);
    bad[10] = '=';
    assert_int_equal(sl_store_session_find(s, bad, strlen(bad), &ses, &err), SL_ERR_AUTH);
    bad[10] = id[10] == 'A' ? 'B' : 'A';
    assert_int_equal(sl_store_session_find(s, bad, strlen(bad), &ses, &err), SL_ERR_AUTH);
    assert_int_equal(sl_store_session_find(s, NULL, 0, &ses, &err), SL_ERR_AUTH);
    assert_int_equal(sl_store_session_end(s, "x", 1, &err), SL_ERR_AUTH);
    assert_int_equal(sl_store_session_find(s, id, strlen(id), &ses, &err), SL_OK);
    sl_store_close(s);
}

static void test_expiry_revocation_reopen(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    int64_t t1 = token(s, "Bình", SL_ROLE_REVIEWER, "default");
    int64_t t2 = token(s, "Chi", SL_ROLE_AUDITOR, "default");
    char a[SL_SESSION_ID_SIZE], b[SL_SESSION_ID_SIZE], c[SL_SESSION_ID_SIZE];
    sl_session ses;
    sl_error err = {0};
    assert_int_equal(sl_store_session_create(s, t1, HOUR, a, &ses, &err), SL_OK);
    assert_int_equal(sl_store_session_create(s, t2, 2 * HOUR, b, &ses, &err), SL_OK);
    /* a restart: the sessions are still there */
    sl_store_close(s);
    s = fixture_open(f);
    assert_int_equal(sl_store_session_find(s, a, strlen(a), &ses, &err), SL_OK);
    assert_int_equal(sl_store_session_find(s, b, strlen(b), &ses, &err), SL_OK);
    /* at its expiry a session ends (the other lasts) */
    f->clock += HOUR - 1;
    assert_int_equal(sl_store_session_find(s, a, strlen(a), &ses, &err), SL_OK);
    f->clock += 1;
    assert_int_equal(sl_store_session_find(s, a, strlen(a), &ses, &err), SL_ERR_AUTH);
    assert_int_equal(sl_store_session_end(s, a, strlen(a), &err), SL_ERR_AUTH);
    assert_int_equal(sl_store_session_find(s, b, strlen(b), &ses, &err), SL_OK);
    /* a new session sweeps the expired rows */
    assert_int_equal(sql_int(f, "SELECT count(*) FROM sessions"), 2);
    assert_int_equal(sl_store_session_create(s, t2, HOUR, c, &ses, &err), SL_OK);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM sessions"), 2);
    /* revoking the token ends its sessions at once */
    assert_int_equal(sl_store_token_revoke(s, t2, &err), SL_OK);
    assert_int_equal(sl_store_session_find(s, b, strlen(b), &ses, &err), SL_ERR_AUTH);
    assert_int_equal(sl_store_session_find(s, c, strlen(c), &ses, &err), SL_ERR_AUTH);
    assert_int_equal(sl_store_session_create(s, t2, HOUR, c, &ses, &err), SL_ERR_AUTH);
    sl_store_close(s);
}

static void test_audit_entries(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    int64_t tid = token(s, "Dũng", SL_ROLE_APPEALS, "default");
    char id[SL_SESSION_ID_SIZE];
    sl_session ses;
    sl_error err = {0};
    int64_t before = sql_int(f, "SELECT count(*) FROM audit_log");
    assert_int_equal(sl_store_session_create(s, tid, HOUR, id, &ses, &err), SL_OK);
    f->clock += 1000;
    assert_int_equal(sl_store_session_end(s, id, strlen(id), &err), SL_OK);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log"), before + 2);
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit_log WHERE json_extract(entry, '$.action') = "
             "'session.login' AND json_extract(entry, '$.target') = 'token:%lld' AND "
             "json_extract(entry, '$.actor.token') = %lld AND json_extract(entry, '$.org') = "
             "'default' AND json_extract(entry, '$.data.expires_at') = %lld",
             (long long)tid, (long long)tid, (long long)ses.expires_at);
    assert_int_equal(sql_int(f, sql), 1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit_log WHERE json_extract(entry, '$.action') = "
             "'session.logout' AND json_extract(entry, '$.target') = 'token:%lld'",
             (long long)tid);
    assert_int_equal(sql_int(f, sql), 1);
    /* neither the id nor the CSRF secret anywhere in the files */
    assert_false(dir_contains(f, id, strlen(id)));
    /* the log still verifies */
    sl_audit_report rep;
    assert_int_equal(sl_store_audit_verify(s, NULL, &rep, &err), SL_OK);
    assert_true(rep.ok);
    sl_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_find_end, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_refusals, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_expiry_revocation_reopen, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_audit_entries, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
