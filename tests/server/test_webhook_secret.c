/* Webhook secrets (src/server/webhook_secret.c): the file's line is the key (a trailing newline
 * or CRLF dropped), its limits and characters, a missing file made once with mode 0600 (and
 * only when asked), a file others may read refused, the previous secret used only until its
 * mtime, rotation keeping the old one, and signatures against values computed with
 * `openssl dgst -sha256 -hmac KEY` over "TS.BODY". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "sangloc/server.h"
#include "server/webhook_secret.h"

typedef struct dir {
    char path[64], file[128], prev[160];
} dir;

static int setup(void **state)
{
    dir *d = calloc(1, sizeof *d);
    snprintf(d->path, sizeof d->path, "/tmp/sl_hook_test_XXXXXX");
    if (!mkdtemp(d->path)) return -1;
    snprintf(d->file, sizeof d->file, "%s/hook.secret", d->path);
    snprintf(d->prev, sizeof d->prev, "%s.prev", d->file);
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    dir *d = *state;
    unlink(d->file);
    unlink(d->prev);
    rmdir(d->path);
    free(d);
    return 0;
}

static void put(const char *path, const char *text, mode_t mode, time_t mtime)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
    if (mtime) {
        struct timespec t[2] = {{.tv_sec = mtime}, {.tv_sec = mtime}};
        utimensat(AT_FDCWD, path, t, 0);
    }
}

static const char key[] = "abcdefghijklmnopqrstuvwxyz0123456789";
static const char old_key[] = "0123456789abcdef0123456789abcdef-old";
static const char body[] = "{\"event\":\"x\"}";
/* printf '1700000000.{"event":"x"}' | openssl dgst -sha256 -hmac KEY */
static const char sig_key[] = "3436548d900e7f7ce3f09eb363bcbcb2aa44a06b771ad1821ea42dc555d2c70d";
static const char sig_old[] = "c155acabc28a7ac98971cb81265d27c786856796d0bca2520e21095fbbf6df12";

static void test_sign_and_grace(void **state)
{
    dir *d = *state;
    time_t now = time(NULL);
    char want[SL_HOOK_SIG_MAX], got[SL_HOOK_SIG_MAX];
    sl__hook_secret s;
    sl_error err = {0};
    put(d->file, "abcdefghijklmnopqrstuvwxyz0123456789\r\n", 0600, 0);
    assert_int_equal(sl__hook_secret_load(d->file, now, false, &s, &err), SL_OK);
    assert_int_equal(s.cur_len, strlen(key));
    assert_int_equal(s.prev_len, 0);
    sl__hook_sign(&s, now, "1700000000", body, strlen(body), got);
    snprintf(want, sizeof want, "v1=%s", sig_key);
    assert_string_equal(got, want);
    /* the previous secret signs too until its mtime, and is second */
    put(d->prev, "0123456789abcdef0123456789abcdef-old\n", 0600, now + 3600);
    assert_int_equal(sl__hook_secret_load(d->file, now, false, &s, &err), SL_OK);
    assert_int_equal(s.prev_until, now + 3600);
    sl__hook_sign(&s, now, "1700000000", body, strlen(body), got);
    snprintf(want, sizeof want, "v1=%s,v1=%s", sig_key, sig_old);
    assert_string_equal(got, want);
    sl__hook_sign(&s, now + 3600, "1700000000", body, strlen(body), got); /* its grace ended */
    snprintf(want, sizeof want, "v1=%s", sig_key);
    assert_string_equal(got, want);
    assert_int_equal(sl__hook_secret_load(d->file, now + 3600, false, &s, &err), SL_OK);
    assert_int_equal(s.prev_len, 0);
    (void)old_key;
}

static void test_refused(void **state)
{
    dir *d = *state;
    time_t now = time(NULL);
    sl__hook_secret s;
    sl_error err = {0};
    const struct {
        const char *text;
        mode_t mode;
        const char *msg;
    } bad[] = {
        {"abcdefghijklmnopqrstuvwxyz01234\n", 0600, "32 to 512"},         /* 31 characters */
        {"abcdefghijklmnopqrstuvwxyz01234 6789\n", 0600, "only letters"}, /* a space inside */
        {"abcdefghijklmnopqrstuvwxyz0123456789\n", 0640, "read by others"},
        {"abcdefghijklmnopqrstuvwxyz0123456789\n", 0604, "read by others"},
        {"", 0600, "32 to 512"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        unlink(d->file);
        put(d->file, bad[k].text, bad[k].mode, 0);
        err = (sl_error){0};
        assert_int_not_equal(sl__hook_secret_load(d->file, now, true, &s, &err), SL_OK);
        if (!strstr(err.message, bad[k].msg)) fail_msg("case %zu: %s", k, err.message);
    }
    char big[700];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    unlink(d->file);
    put(d->file, big, 0600, 0);
    assert_int_not_equal(sl__hook_secret_load(d->file, now, true, &s, &err), SL_OK);
    /* a previous secret others may read fails the load too */
    unlink(d->file);
    put(d->file, key, 0600, 0);
    put(d->prev, old_key, 0644, now + 60);
    assert_int_not_equal(sl__hook_secret_load(d->file, now, false, &s, &err), SL_OK);
    assert_non_null(strstr(err.message, ".prev"));
}

static void test_created_only_when_asked(void **state)
{
    dir *d = *state;
    sl__hook_secret s, s2;
    sl_error err = {0};
    assert_int_equal(sl__hook_secret_load(d->file, time(NULL), false, &s, &err), SL_ERR_NOT_FOUND);
    assert_int_not_equal(access(d->file, F_OK), 0);
    assert_int_equal(sl__hook_secret_load(d->file, time(NULL), true, &s, &err), SL_OK);
    struct stat st;
    assert_int_equal(stat(d->file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 65); /* 64 hex digits and a newline */
    assert_int_equal(s.cur_len, 64);
    for (size_t i = 0; i < 64; i++) assert_non_null(strchr("0123456789abcdef", s.cur[i]));
    /* an existing file is read, not replaced */
    assert_int_equal(sl__hook_secret_load(d->file, time(NULL), true, &s2, &err), SL_OK);
    assert_memory_equal(s.cur, s2.cur, 64);
}

static void test_rotate(void **state)
{
    dir *d = *state;
    sl_error err = {0};
    sl__hook_secret a, b;
    assert_int_equal(sl_webhook_secret_rotate(d->file, 5, &err), SL_OK); /* made: nothing kept */
    assert_int_not_equal(access(d->prev, F_OK), 0);
    time_t now = time(NULL);
    assert_int_equal(sl__hook_secret_load(d->file, now, false, &a, &err), SL_OK);
    assert_int_equal(sl_webhook_secret_rotate(d->file, 5, &err), SL_OK);
    assert_int_equal(sl__hook_secret_load(d->file, now, false, &b, &err), SL_OK);
    assert_int_equal(b.prev_len, a.cur_len);
    assert_memory_equal(b.prev, a.cur, a.cur_len);
    assert_memory_not_equal(b.cur, a.cur, 64);
    assert_true(b.prev_until >= now + 5 * 3600 - 2 && b.prev_until <= now + 5 * 3600 + 2);
    struct stat st;
    assert_int_equal(stat(d->prev, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(sl_webhook_secret_rotate(d->file, 0, &err), SL_OK); /* no grace */
    assert_int_not_equal(access(d->prev, F_OK), 0);
    assert_int_equal(sl_webhook_secret_rotate(d->file, -1, &err), SL_ERR_ARG);
    assert_int_equal(sl_webhook_secret_rotate(d->file, SL_WEBHOOK_MAX_GRACE_HOURS + 1, &err),
                     SL_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sign_and_grace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_created_only_when_asked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotate, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
