/* Crash test: a child process ingests batches in a loop and reports each acknowledged batch
 * number on a pipe; the parent kills it with SIGKILL at a random moment, reopens the store and
 * checks that every acknowledged item is stored exactly once (with one history entry and at
 * most one case), and that the file is intact. Several rounds; each new child starts by sending
 * the last acknowledged batch again, as a client retrying after a crash would. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <cmocka.h>

#include "store_fixture.h"

#define BATCH  50
#define ROUNDS 4

static void child(const fixture *f, int fd, int start)
{
    sl_store_options o = {.key_file = f->key};
    sl_store *s = NULL;
    if (sl_store_open(f->db, &o, &s, NULL)) _exit(3);
    char ids[BATCH][32];
    sl_store_item items[BATCH];
    sl_ingest_result res[BATCH];
    for (int b = start;; b++) {
        for (int k = 0; k < BATCH; k++) {
            snprintf(ids[k], sizeof ids[k], "b%d-%d", b, k);
            items[k] = make_item("crash", ids[k], (sl_store_action)((b + k) % 4), k / 64.0);
        }
        if (sl_store_ingest(s, "default", 0, items, BATCH, res, NULL)) _exit(4);
        if (write(fd, &b, sizeof b) != sizeof b) _exit(5);
    }
}

/* Reads acknowledged batch numbers until `want` arrived or the child ended; returns the
 * highest (or -1). */
static int read_acks(int fd, int want, int *acked, int *nacked)
{
    int b, high = -1, got = 0;
    ssize_t r;
    while ((want < 0 || got < want) && (r = read(fd, &b, sizeof b)) != 0) {
        if (r < 0 && errno == EINTR) continue;
        if (r != sizeof b) break;
        acked[(*nacked)++] = b;
        if (b > high) high = b;
        got++;
    }
    return high;
}

static long long count_batch(const fixture *f, int b)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM items WHERE channel = 'crash' AND ext_id "
             "GLOB 'b%d-*'",
             b);
    return sql_int(f, sql);
}

static void test_kill_9_loses_no_acknowledged_item(void **state)
{
    fixture f;
    fixture_init(&f);
    sl_store_close(fixture_open(&f)); /* create the file and key before the children race */
    static int acked[100000];
    int nacked = 0, start = 0;
    srand((unsigned)time(NULL));
    for (int round = 0; round < ROUNDS; round++) {
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(p[0]);
            child(&f, p[1], start);
        }
        close(p[1]);
        int high = read_acks(p[0], 5 + rand() % 20, acked, &nacked);
        nanosleep(&(struct timespec){0, (rand() % 3000) * 1000L}, NULL); /* mid-batch, likely */
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        assert_true(WIFSIGNALED(status));               /* it was killed, not failed on its own */
        int rest = read_acks(p[0], -1, acked, &nacked); /* written before it died */
        if (rest > high) high = rest;
        close(p[0]);
        assert_true(high >= 0);
        print_message("round %d: batches %d..%d acknowledged\n", round, start, high);
        start = high; /* the next child resends the last acknowledged batch */
    }
    for (int i = 0; i < nacked; i++) assert_int_equal(count_batch(&f, acked[i]), BATCH);
    long long items = sql_int(&f, "SELECT count(*) FROM items");
    assert_true(items >= (long long)(start + 1) * BATCH);
    assert_int_equal(sql_int(&f, "SELECT count(*) FROM item_events WHERE what = 'ingested'"),
                     items);
    assert_int_equal(sql_int(&f, "SELECT count(*) FROM (SELECT item FROM cases GROUP BY item "
                                 "HAVING count(*) > 1) dup"),
                     0);
    assert_int_equal(sql_int(&f, "SELECT count(*) FROM items i WHERE i.action >= 2 AND NOT "
                                 "EXISTS (SELECT 1 FROM cases c WHERE c.item = i.id)"),
                     0);
    /* PostgreSQL has no integrity check in SQL: its WAL replay is what a crash tests there */
    assert_int_equal(sql_int(&f, fixture_sql("SELECT count(*) FROM pragma_integrity_check "
                                             "WHERE integrity_check = 'ok'",
                                             "SELECT 1")),
                     1);
    fixture_done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_9_loses_no_acknowledged_item),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
