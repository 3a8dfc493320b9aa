/* Queue tests: order, cursor pagination while cases arrive, the cursor parser, two threads with
 * two handles claiming at once, and leases that expire on the store's clock. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "store/cursor.h"
#include "store_fixture.h"

/* Ingests n review/hide items named PREFIX-k with pseudo-random scores (many ties). */
static void add_cases(fixture *f, sl_store *s, const char *prefix, int n, unsigned *seed)
{
    for (int k = 0; k < n; k++) {
        char id[64];
        snprintf(id, sizeof id, "%s-%d", prefix, k);
        *seed = *seed * 1103515245u + 12345u;
        double score = (double)((*seed >> 16) % 5) / 4.0; /* 0, .25, .5, .75, 1 */
        sl_store_item it = make_item("ch", id, k % 2 ? SL_STORE_HIDE : SL_STORE_REVIEW, score);
        sl_ingest_result r;
        sl_error err = {0};
        assert_int_equal(sl_store_ingest(s, "default", 0, &it, 1, &r, &err), SL_OK);
        f->clock += (k % 3 == 0); /* some cases share their opening time */
    }
}

/* a comes before b in queue order */
static int before(const sl_queue_entry *a, const sl_queue_entry *b)
{
    if (a->severity != b->severity) return a->severity > b->severity;
    if (a->opened_at != b->opened_at) return a->opened_at < b->opened_at;
    return a->case_id < b->case_id;
}

static void test_pagination_while_cases_arrive(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    unsigned seed = 7;
    add_cases(f, s, "first", 60, &seed);
    long long initial = sql_int(f, "SELECT max(id) FROM cases");
    assert_int_equal(initial, 60);
    int seen[400] = {0};
    char cursor[SL_STORE_CURSOR_SIZE] = "";
    sl_queue_entry prev = {0};
    int pages = 0, total = 0;
    for (;;) {
        sl_queue_page page;
        sl_error err = {0};
        assert_int_equal(
            sl_store_queue_list(s, "default", "pending", 7, cursor, strlen(cursor), &page, &err),
            SL_OK);
        for (size_t i = 0; i < page.n; i++) {
            const sl_queue_entry *e = &page.entries[i];
            assert_true(e->case_id > 0 && e->case_id < 400);
            assert_int_equal(seen[e->case_id], 0); /* never repeated */
            seen[e->case_id] = 1;
            if (total) assert_true(before(&prev, e)); /* strictly in order */
            prev = *e;
            total++;
        }
        strcpy(cursor, page.next_cursor);
        sl_queue_page_free(&page);
        pages++;
        if (!*cursor) break;
        char prefix[16];
        snprintf(prefix, sizeof prefix, "late%d", pages);
        add_cases(f, s, prefix, 5, &seed); /* arrive between pages, all over the order */
    }
    for (int c = 1; c <= initial; c++) assert_int_equal(seen[c], 1); /* none skipped */
    assert_true(pages >= 9);
    assert_true(total >= 60);
    /* a fresh listing from the top shows everything, the late ones included */
    long long all = sql_int(f, "SELECT count(*) FROM cases");
    sl_queue_page page;
    sl_error err = {0};
    assert_int_equal(sl_store_queue_list(s, "default", "pending", 1000, NULL, 0, &page, &err),
                     SL_OK);
    assert_int_equal(page.n, all);
    for (size_t i = 1; i < page.n; i++) assert_true(before(&page.entries[i - 1], &page.entries[i]));
    sl_queue_page_free(&page);
    sl_store_close(s);
}

static void test_cursor_round_trip_and_errors(void **state)
{
    const sl__cursor cases[] = {
        {0, 0, 1}, {1000000, INT64_MAX, INT64_MAX}, {750000, 1700000000000, 42}};
    for (size_t i = 0; i < 3; i++) {
        char text[SL_STORE_CURSOR_SIZE];
        sl__cursor_encode(&cases[i], text);
        assert_int_equal(strlen(text), SL_STORE_CURSOR_LEN);
        sl__cursor back;
        sl_error err = {0};
        assert_int_equal(sl__cursor_parse(text, strlen(text), &back, &err), SL_OK);
        assert_memory_equal(&back, &cases[i], sizeof back);
    }
    char good[SL_STORE_CURSOR_SIZE];
    sl__cursor_encode(&cases[2], good);
    sl__cursor out;
    sl_error err = {0};
    char bad[SL_STORE_CURSOR_SIZE + 1];
    /* wrong length */
    assert_int_equal(sl__cursor_parse(good, SL_STORE_CURSOR_LEN - 1, &out, &err), SL_ERR_CURSOR);
    assert_int_equal(err.byte, SL_STORE_CURSOR_LEN - 1);
    snprintf(bad, sizeof bad, "%sA", good);
    assert_int_equal(sl__cursor_parse(bad, strlen(bad), &out, &err), SL_ERR_CURSOR);
    /* a byte outside the alphabet, with its position */
    strcpy(bad, good);
    bad[5] = '=';
    assert_int_equal(sl__cursor_parse(bad, strlen(bad), &out, &err), SL_ERR_CURSOR);
    assert_int_equal(err.byte, 5);
    bad[5] = '\0';
    assert_int_equal(sl__cursor_parse(bad, SL_STORE_CURSOR_LEN, &out, &err), SL_ERR_CURSOR);
    assert_int_equal(err.byte, 5);
    /* stray low bits in the last character: another text for the same bytes is refused */
    strcpy(bad, good);
    bad[SL_STORE_CURSOR_LEN - 1] = bad[SL_STORE_CURSOR_LEN - 1] == 'B' ? 'C' : 'B';
    assert_int_equal(sl__cursor_parse(bad, strlen(bad), &out, &err), SL_ERR_CURSOR);
    /* fields out of range: version, severity, case */
    const sl__cursor out_of_range[] = {{1000001, 0, 1}, {-1, 0, 1}, {0, -5, 1}, {0, 0, 0}};
    for (size_t i = 0; i < 4; i++) {
        sl__cursor_encode(&out_of_range[i], bad);
        assert_int_equal(sl__cursor_parse(bad, strlen(bad), &out, &err), SL_ERR_CURSOR);
    }
    strcpy(bad, good);
    bad[0] = 'B'; /* version byte 0x04.. */
    assert_int_equal(sl__cursor_parse(bad, strlen(bad), &out, &err), SL_ERR_CURSOR);
    assert_non_null(strstr(err.message, "version"));
}

typedef struct claimer {
    const fixture *f;
    int64_t reviewer;
    int64_t got[200];
    int n;
    int failures;
    pthread_barrier_t *start;
} claimer;

static void *claim_loop(void *arg)
{
    claimer *c = arg;
    sl_store_options o = {.key_file = c->f->key};
    sl_store *s = NULL;
    sl_error err = {0};
    if (sl_store_open(c->f->db, &o, &s, &err)) {
        c->failures++;
        pthread_barrier_wait(c->start);
        return NULL;
    }
    pthread_barrier_wait(c->start);             /* both handles open: claim at the same time */
    for (int round = 0; round < 100; round++) { /* 40 rounds of 3 empty the queue */
        sl_queue_entry e[3];
        size_t n = 0;
        if (sl_store_queue_claim(s, "default", "pending", c->reviewer, 3, 300, e, &n, &err)) {
            c->failures++;
            break;
        }
        if (n == 0) break;
        for (size_t i = 0; i < n && c->n < 200; i++) {
            if (e[i].leased_by != c->reviewer) c->failures++;
            c->got[c->n++] = e[i].case_id;
        }
        /* a reviewer reads before claiming more: lets the other one in */
        nanosleep(&(struct timespec){0, 2000000}, NULL);
    }
    sl_store_close(s);
    return NULL;
}

static void test_two_reviewers_claim_disjoint_cases(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    unsigned seed = 3;
    add_cases(f, s, "c", 120, &seed);
    char secret[SL_TOKEN_SECRET_SIZE];
    sl_token_info r1, r2;
    sl_error err = {0};
    assert_int_equal(sl_store_token_create(s, "r1", SL_ROLE_REVIEWER, "default", secret, &r1, &err),
                     SL_OK);
    assert_int_equal(sl_store_token_create(s, "r2", SL_ROLE_REVIEWER, "default", secret, &r2, &err),
                     SL_OK);
    sl_store_close(s);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, 2);
    claimer a = {.f = f, .reviewer = r1.id, .start = &start};
    claimer b = {.f = f, .reviewer = r2.id, .start = &start};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, claim_loop, &a);
    pthread_create(&tb, NULL, claim_loop, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&start);
    print_message("reviewer 1 got %d cases, reviewer 2 got %d\n", a.n, b.n);
    assert_int_equal(a.failures + b.failures, 0);
    assert_true(a.n > 0 && b.n > 0); /* they did compete */
    assert_int_equal(a.n + b.n, 120);
    int owner[121] = {0};
    for (int i = 0; i < a.n; i++) owner[a.got[i]] += 1;
    for (int i = 0; i < b.n; i++) owner[b.got[i]] += 1;
    for (int c = 1; c <= 120; c++) assert_int_equal(owner[c], 1); /* each exactly once */
    assert_int_equal(sql_int(f, "SELECT count(*) FROM item_events WHERE what = 'claimed'"), 120);
    char q[128];
    snprintf(q, sizeof q, "SELECT count(*) FROM cases WHERE leased_by = %lld", (long long)r1.id);
    assert_int_equal(sql_int(f, q), a.n);
}

static void test_leases_expire(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    unsigned seed = 11;
    add_cases(f, s, "c", 6, &seed);
    char secret[SL_TOKEN_SECRET_SIZE];
    sl_token_info r1, r2;
    sl_error err = {0};
    assert_int_equal(sl_store_token_create(s, "r1", SL_ROLE_REVIEWER, "default", secret, &r1, &err),
                     SL_OK);
    assert_int_equal(sl_store_token_create(s, "r2", SL_ROLE_REVIEWER, "default", secret, &r2, &err),
                     SL_OK);
    sl_queue_entry first[4], second[4], third[6];
    size_t n1, n2, n3;
    assert_int_equal(sl_store_queue_claim(s, "default", "pending", r1.id, 4, 60, first, &n1, &err),
                     SL_OK);
    assert_int_equal(n1, 4);
    assert_int_equal(first[0].lease_until, f->clock + 60000);
    f->clock += 59999; /* still leased: only the other two are free */
    assert_int_equal(sl_store_queue_claim(s, "default", "pending", r2.id, 4, 60, second, &n2, &err),
                     SL_OK);
    assert_int_equal(n2, 2);
    for (size_t i = 0; i < n2; i++)
        for (size_t j = 0; j < n1; j++) assert_int_not_equal(second[i].case_id, first[j].case_id);
    sl_queue_page page;
    assert_int_equal(sl_store_queue_list(s, "default", "pending", 10, NULL, 0, &page, &err), SL_OK);
    for (size_t i = 0; i < page.n; i++) assert_true(page.entries[i].leased_by != 0);
    sl_queue_page_free(&page);
    sl_queue_stats qs;
    assert_int_equal(sl_store_queue_stats(s, "default", "pending", &qs, &err), SL_OK);
    assert_int_equal(qs.open, 6);
    assert_int_equal(qs.leased, 6);
    assert_int_equal(qs.oldest_opened_at, 1700000000000);
    f->clock += 1; /* r1's leases end now; r2's run for another minute */
    assert_int_equal(sl_store_queue_stats(s, "default", "pending", &qs, &err), SL_OK);
    assert_int_equal(qs.leased, 2);
    assert_int_equal(sl_store_queue_stats(s, "default", "appeals", &qs, &err), SL_OK);
    assert_int_equal(qs.open, 0);
    assert_int_equal(qs.oldest_opened_at, 0);
    assert_int_equal(sl_store_queue_claim(s, "default", "pending", r2.id, 6, 60, third, &n3, &err),
                     SL_OK);
    assert_int_equal(n3, 4);
    for (size_t i = 0; i < n3; i++) {
        int was_r1 = 0;
        for (size_t j = 0; j < n1; j++) was_r1 |= third[i].case_id == first[j].case_id;
        assert_true(was_r1);
        assert_int_equal(third[i].leased_by, r2.id);
    }
    /* the listing shows an expired lease as free */
    f->clock += 60000;
    assert_int_equal(sl_store_queue_list(s, "default", "pending", 10, NULL, 0, &page, &err), SL_OK);
    assert_int_equal(page.n, 6);
    for (size_t i = 0; i < page.n; i++) {
        assert_int_equal(page.entries[i].leased_by, 0);
        assert_int_equal(page.entries[i].lease_until, 0);
    }
    sl_queue_page_free(&page);
    sl_store_close(s);
}

typedef struct opener {
    const fixture *f;
    pthread_barrier_t *start;
    sl_status status;
    int version;
} opener;

static void *open_at_once(void *arg)
{
    opener *o = arg;
    sl_store_options opt = {.key_file = o->f->key};
    sl_store *s = NULL;
    pthread_barrier_wait(o->start);
    o->status = sl_store_open(o->f->db, &opt, &s, NULL);
    if (s) o->version = sl_store_schema_version(s);
    sl_store_close(s);
    return NULL;
}

/* Four processes' worth of handles create and migrate one fresh file (and one key) at once. */
static void test_first_open_races(void **state)
{
    fixture *f = *state;
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, 4);
    opener o[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        o[i] = (opener){.f = f, .start = &start, .status = SL_ERR_INTERNAL};
        pthread_create(&t[i], NULL, open_at_once, &o[i]);
    }
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(o[i].status, SL_OK);
        assert_int_equal(o[i].version, sl_store_schema_latest());
    }
    assert_int_equal(sql_int(f, "SELECT count(*) FROM schema_migrations"),
                     sl_store_schema_latest());
    assert_int_equal(sql_int(f, "SELECT count(*) FROM organizations"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pagination_while_cases_arrive, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test(test_cursor_round_trip_and_errors),
        cmocka_unit_test_setup_teardown(test_two_reviewers_claim_disjoint_cases, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_leases_expire, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_first_open_races, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
