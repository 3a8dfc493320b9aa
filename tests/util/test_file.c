/* Unit tests of util/file.c: a regular file is read whole and NUL-terminated; a FIFO (no
 * writer), a folder and a device are refused at once with the path and the kind named; a file
 * above the limit is refused. alarm() makes a hang fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/file.h"

static char dir[64], reg[128], fifo[128];

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/sl-test-file-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(reg, sizeof reg, "%s/r.txt", dir);
    snprintf(fifo, sizeof fifo, "%s/f", dir);
    FILE *f = fopen(reg, "wb");
    fputs("hello\nworld\n", f);
    fclose(f);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(10);
    return 0;
}

static int teardown(void **state)
{
    alarm(0);
    unlink(reg);
    unlink(fifo);
    rmdir(dir);
    return 0;
}

static void test_reads_regular(void **state)
{
    char *d = NULL;
    size_t n = 0;
    sl_error err;
    assert_int_equal(sl__file_read(reg, 100, &d, &n, &err), SL_OK);
    assert_int_equal(n, 12);
    assert_string_equal(d, "hello\nworld\n");
    free(d);
    assert_int_equal(sl__file_read(reg, 12, &d, &n, &err), SL_OK); /* exactly the limit */
    free(d);
    assert_int_equal(sl__file_read(reg, 11, &d, &n, &err), SL_ERR_TOO_LARGE);
    assert_null(d);
    assert_non_null(strstr(err.message, reg));
    assert_int_equal(sl__file_read("/nonexistent/x", 100, &d, &n, &err), SL_ERR_IO);
    assert_non_null(strstr(err.message, "/nonexistent/x: cannot open"));
}

static void test_refuses_other_kinds(void **state)
{
    struct {
        const char *path, *kind;
    } c[] = {{fifo, "a FIFO"}, {dir, "a directory"}, {"/dev/zero", "a character device"}};
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        char *d = NULL;
        size_t n = 0;
        sl_error err;
        assert_int_equal(sl__file_read(c[i].path, 1 << 20, &d, &n, &err), SL_ERR_IO);
        assert_null(d);
        assert_non_null(strstr(err.message, c[i].path));
        assert_non_null(strstr(err.message, "not a regular file"));
        assert_non_null(strstr(err.message, c[i].kind));
        int fd = -1;
        assert_int_equal(sl__file_open_regular(c[i].path, 1 << 20, &fd, &n, &err), SL_ERR_IO);
        assert_int_equal(fd, -1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reads_regular, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_other_kinds, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
