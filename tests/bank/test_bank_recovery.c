/* Unit tests of bank recovery and file handling: a torn last log record is left out by readers
 * and cut by sl_bank_repair and by the next edit (every whole record kept); a creation killed
 * with SIGKILL leaves no bank or a whole one, and its temporary file is removed by the next
 * writer; two processes creating the same bank at once both get their items in; compaction
 * through a symlink keeps the link; an empty file and a FIFO are refused at once. Each test
 * runs under alarm() so a hang fails instead of blocking. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "sangloc/bank.h"

static char dir[64], path[128];

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/sl-test-recovery-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/b.bank", dir);
    alarm(60); /* a hang (FIFO, lock) fails the test */
    return 0;
}

static int teardown(void **state)
{
    alarm(0);
    DIR *d = opendir(dir);
    struct dirent *de;
    char p[512];
    while (d && (de = readdir(d)))
        if (de->d_name[0] != '.' || strlen(de->d_name) > 2) {
            snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
            if (unlink(p)) rmdir(p);
        }
    if (d) closedir(d);
    rmdir(dir);
    return 0;
}

/* n distinct items "<prefix><i>" of 12 words each; texts live in one static pool per call. */
typedef struct items {
    sl_bank_item *it;
    char *pool;
    size_t n;
} items;

static items make_items(const char *prefix, size_t from, size_t n)
{
    items r = {calloc(n, sizeof(sl_bank_item)), malloc(n * 200), n};
    assert_non_null(r.it);
    assert_non_null(r.pool);
    for (size_t i = 0; i < n; i++) {
        char *id = r.pool + i * 200, *text = id + 40;
        snprintf(id, 40, "%s%zu", prefix, from + i);
        snprintf(text, 160, "tin đồn số %zu nói rằng uống nước nóng chữa khỏi bệnh %s%zu ngay",
                 from + i, prefix, (from + i) * 7919);
        r.it[i] =
            (sl_bank_item){.id = id, .id_len = strlen(id), .text = text, .text_len = strlen(text)};
    }
    return r;
}

static void free_items(items *r)
{
    free(r->it);
    free(r->pool);
}

static void add(const char *p, const char *prefix, size_t from, size_t n)
{
    items r = make_items(prefix, from, n);
    sl_error err;
    size_t added = 0;
    sl_status st = sl_bank_append(p, r.it, n, NULL, NULL, &added, &err);
    if (st) fprintf(stderr, "append: %s\n", err.message);
    assert_int_equal(st, SL_OK);
    assert_int_equal(added, n);
    free_items(&r);
}

static size_t size_of(const char *p)
{
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    return (size_t)st.st_size;
}

static size_t count(const char *p, size_t *torn)
{
    sl_bank *b = NULL;
    sl_error err;
    sl_status st = sl_bank_open(p, &b, &err);
    if (st) fprintf(stderr, "open: %s\n", err.message);
    assert_int_equal(st, SL_OK);
    sl_bank_stats s;
    sl_bank_get_stats(b, &s);
    if (torn) *torn = s.torn_bytes;
    size_t n = sl_bank_count(b);
    sl_bank_close(b);
    return n;
}

static size_t files_in_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;
    while (d && (de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) n++;
    if (d) closedir(d);
    return n;
}

/* Every cut inside the last record: readers see the other records, repair cuts exactly the
 * torn bytes and reports them, and the repaired file is the old one up to that record. */
static void test_torn_tail_repaired(void **state)
{
    add(path, "a", 0, 3);
    add(path, "b", 0, 2); /* log records 1 and 2 */
    size_t whole = size_of(path);
    add(path, "c", 0, 1); /* log record 3 */
    size_t full = size_of(path);
    for (size_t cut = whole + 1; cut < full; cut += 5) {
        assert_int_equal(truncate(path, (off_t)cut), 0);
        size_t torn = 0;
        assert_int_equal(count(path, &torn), 5);
        assert_int_equal(torn, cut - whole);
        sl_bank_repair_report r;
        sl_error err;
        assert_int_equal(sl_bank_repair(path, &r, &err), SL_OK);
        assert_int_equal(r.cut_bytes, cut - whole);
        assert_int_equal(r.cut_at, whole);
        assert_int_equal(r.records_kept, 2);
        assert_int_equal(size_of(path), whole);
        assert_int_equal(count(path, &torn), 5);
        assert_int_equal(torn, 0);
        assert_int_equal(sl_bank_repair(path, &r, &err), SL_OK); /* nothing left to cut */
        assert_int_equal(r.cut_bytes, 0);
        add(path, "c", 0, 1); /* the whole record again, for the next cut */
        assert_int_equal(size_of(path), full);
    }
    assert_int_equal(files_in_dir(), 1); /* no temporary file left */
}

/* An edit over a torn tail drops it and keeps every whole record. */
static void test_edit_drops_torn_tail(void **state)
{
    add(path, "a", 0, 3);
    add(path, "b", 0, 1);
    add(path, "c", 0, 1);
    assert_int_equal(truncate(path, (off_t)(size_of(path) - 7)), 0);
    add(path, "d", 0, 1);
    size_t torn = 1;
    assert_int_equal(count(path, &torn), 5); /* a0-2, b0, d0; c0 was torn */
    assert_int_equal(torn, 0);
    sl_bank *b = NULL;
    sl_error err;
    sl_bank_item it;
    assert_int_equal(sl_bank_open(path, &b, &err), SL_OK);
    assert_true(sl_bank_find(b, "b0", 2, &it));
    assert_true(sl_bank_find(b, "d0", 2, &it));
    assert_false(sl_bank_find(b, "c0", 2, &it));
    sl_bank_close(b);
    /* removal over a torn tail too */
    add(path, "e", 0, 1);
    assert_int_equal(truncate(path, (off_t)(size_of(path) - 1)), 0);
    const char *ids[] = {"a1"};
    size_t removed = 0, missing = 0;
    assert_int_equal(sl_bank_remove(path, ids, 1, &removed, &missing, &err), SL_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(count(path, &torn), 4);
    assert_int_equal(torn, 0);
}

/* A creation killed at some moment leaves no bank or a whole one, never an empty file; the
 * dead writer's temporary file is removed by the next creation. */
static void test_create_killed(void **state)
{
    const size_t n = 3000;
    items r = make_items("k", 0, n);
    unsigned delays_us[] = {0, 500, 2000, 5000, 10000, 20000, 40000, 80000, 300000};
    size_t seen_none = 0, seen_whole = 0;
    for (size_t d = 0; d < sizeof delays_us / sizeof *delays_us; d++) {
        unlink(path);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            sl_error err;
            _exit(sl_bank_append(path, r.it, n, NULL, NULL, NULL, &err) ? 1 : 0);
        }
        struct timespec ts = {0, (long)delays_us[d] * 1000};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        struct stat st;
        if (stat(path, &st)) {
            assert_int_equal(errno, ENOENT);
            seen_none++;
        } else {
            assert_true(st.st_size > 0);
            assert_int_equal(count(path, NULL), n);
            seen_whole++;
        }
        /* the next creation (or compaction) removes what the killed writer left */
        unlink(path);
        add(path, "z", 0, 1);
        assert_int_equal(files_in_dir(), 1);
    }
    free_items(&r);
    fprintf(stderr, "killed creates: %zu left no bank, %zu a whole one\n", seen_none, seen_whole);
    assert_true(seen_none + seen_whole == sizeof delays_us / sizeof *delays_us);
}

/* A stale temporary file made by hand (a dead pid in the name) next to an empty bank file:
 * the empty file is named as such, repair removes the temporary file, add makes it a bank. */
static void test_empty_file_and_stale_temp(void **state)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fclose(f);
    pid_t dead = fork();
    if (dead == 0) _exit(0);
    waitpid(dead, NULL, 0);
    char tmp[200], live[200];
    snprintf(tmp, sizeof tmp, "%s.sltmp.%d.Ab12Cd", path, (int)dead);
    snprintf(live, sizeof live, "%s.sltmp.%d.Ab12Cd", path, (int)getppid()); /* alive */
    f = fopen(tmp, "wb");
    fputs("half a bank", f);
    fclose(f);
    f = fopen(live, "wb");
    fclose(f);
    sl_bank *b = NULL;
    sl_error err;
    assert_int_equal(sl_bank_open(path, &b, &err), SL_ERR_BANK);
    assert_non_null(strstr(err.message, "empty file, not a bank (interrupted create?)"));
    sl_bank_repair_report r;
    assert_int_equal(sl_bank_repair(path, &r, &err), SL_ERR_BANK);
    assert_int_equal(r.temps_removed, 1);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(access(live, F_OK), 0); /* a live writer's file stays */
    add(path, "a", 0, 2);
    assert_int_equal(count(path, NULL), 2);
}

/* Two processes creating the same bank at once: one creates it, the other adds to it. */
static void test_concurrent_create(void **state)
{
    for (int round = 0; round < 5; round++) {
        unlink(path);
        pid_t kids[2];
        for (int k = 0; k < 2; k++) {
            kids[k] = fork();
            assert_true(kids[k] >= 0);
            if (kids[k] == 0) {
                items r = make_items(k ? "q" : "p", 0, 200);
                sl_error err;
                size_t added = 0;
                sl_status st = sl_bank_append(path, r.it, r.n, NULL, NULL, &added, &err);
                _exit(st || added != 200);
            }
        }
        for (int k = 0; k < 2; k++) {
            int status;
            assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
            assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        assert_int_equal(count(path, NULL), 400);
    }
}

/* Compaction through a symlink replaces the file it points to, keeping the link and the mode. */
static void test_symlink_kept(void **state)
{
    char sub[128], real[160], link[160];
    snprintf(sub, sizeof sub, "%s/real", dir);
    snprintf(real, sizeof real, "%s/real/t.bank", dir);
    snprintf(link, sizeof link, "%s/l.bank", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    add(real, "a", 0, 3);
    assert_int_equal(symlink("real/t.bank", link), 0);
    add(link, "b", 0, 2);
    assert_int_equal(chmod(real, 0640), 0);
    sl_error err;
    assert_int_equal(sl_bank_compact(link, &err), SL_OK);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(stat(real, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640); /* the replaced file's mode is kept */
    size_t torn;
    assert_int_equal(count(real, &torn), 5);
    sl_bank *b = NULL;
    assert_int_equal(sl_bank_open(real, &b, &err), SL_OK);
    sl_bank_stats s;
    sl_bank_get_stats(b, &s);
    assert_int_equal(s.log_records, 0);
    assert_int_equal(s.base_items, 5);
    sl_bank_close(b);
    unlink(link);
    unlink(real);
    rmdir(sub);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* A FIFO or a folder in the bank's place is refused at once (no writer ever opens the FIFO). */
static void test_not_regular_refused(void **state)
{
    char fifo[160];
    snprintf(fifo, sizeof fifo, "%s/f.bank", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    const char *paths[] = {fifo, dir};
    for (size_t i = 0; i < 2; i++) {
        double t0 = now();
        sl_bank *b = NULL;
        sl_error err;
        assert_int_equal(sl_bank_open(paths[i], &b, &err), SL_ERR_IO);
        assert_non_null(strstr(err.message, "not a regular file"));
        assert_non_null(strstr(err.message, paths[i]));
        items r = make_items("a", 0, 1);
        assert_int_equal(sl_bank_append(paths[i], r.it, 1, NULL, NULL, NULL, &err), SL_ERR_IO);
        assert_non_null(strstr(err.message, "not a regular file"));
        assert_int_equal(sl_bank_compact(paths[i], &err), SL_ERR_IO);
        free_items(&r);
        assert_true(now() - t0 < 1.0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_torn_tail_repaired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_drops_torn_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_killed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_file_and_stale_temp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_regular_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
