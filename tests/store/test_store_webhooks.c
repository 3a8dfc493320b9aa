/* The webhook outbox of the store: the cursor starts at the end of the log; a take turns the
 * org's entries into deliveries and moves the cursor in one transaction (a failed take leaves
 * neither, a killed taker neither loses nor repeats one); deliveries and cursor survive a
 * reopen; events and bodies per action, with no text, note hash or author; backoff with jitter;
 * giving up; stats. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <cmocka.h>

#include "store/webhooks.h"
#include "store_fixture.h"

static size_t take(sl_store *s, const char *org, size_t *made)
{
    size_t entries = 0, m = 0;
    sl_error err = {0};
    if (sl_store_webhook_take(s, org, 100, &entries, &m, &err)) fail_msg("take: %s", err.message);
    if (made) *made = m;
    return entries;
}

static sl_webhook_delivery *due(sl_store *s, const char *org, size_t *n)
{
    sl_webhook_delivery *d = NULL;
    sl_error err = {0};
    if (sl_store_webhook_due(s, org, 100, &d, n, &err)) fail_msg("due: %s", err.message);
    return d;
}

static void ingest3(sl_store *s, const char *org, const char *prefix)
{
    char ids[3][32];
    sl_store_item items[3];
    sl_store_action actions[3] = {SL_STORE_ALLOW, SL_STORE_HIDE, SL_STORE_REVIEW};
    for (int k = 0; k < 3; k++) {
        snprintf(ids[k], sizeof ids[k], "%s%d", prefix, k);
        items[k] = make_item("fb", ids[k], actions[k], 0.2 + 0.3 * k);
    }
    sl_ingest_result res[3];
    sl_error err = {0};
    if (sl_store_ingest(s, org, 0, items, 3, res, &err)) fail_msg("ingest: %s", err.message);
}

static void test_cursor_starts_at_end_and_take_makes_events(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    ingest3(s, "default", "old"); /* before webhooks: not delivered */
    size_t made = 9;
    assert_int_equal(take(s, "default", &made), 0);
    assert_int_equal(made, 0);
    assert_int_equal(sql_int(f, "SELECT last_seq FROM webhook_cursors WHERE org = 'default'"),
                     sql_int(f, "SELECT max(seq) FROM audit_log"));
    ingest3(s, "default", "new");
    /* three ingest entries and the notice of the automated hide */
    assert_int_equal(take(s, "default", &made), 4);
    /* hide: queue.entered + item.hidden, then notice.ready; review: queue.entered */
    assert_int_equal(made, 4);
    assert_int_equal(take(s, "default", &made), 0);
    size_t n = 0;
    sl_webhook_delivery *d = due(s, "default", &n);
    assert_int_equal(n, 4);
    assert_string_equal(d[0].event, "queue.entered");
    assert_string_equal(d[1].event, "item.hidden");
    assert_string_equal(d[2].event, "notice.ready");
    assert_string_equal(d[3].event, "queue.entered");
    assert_int_equal(d[0].audit_seq, d[1].audit_seq);
    assert_true(d[2].audit_seq > d[1].audit_seq);
    assert_true(d[3].audit_seq > d[2].audit_seq);
    assert_int_equal(d[0].attempts, 0);
    assert_true(strstr(d[0].body, "\"item\":{\"channel\":\"fb\",\"id\":\"new1\"}"));
    assert_true(strstr(d[0].body, "\"state\":\"hidden\""));
    assert_true(strstr(d[0].body, "\"queue\":\"pending\""));
    assert_true(strstr(d[0].body, "\"action\":\"hide\""));
    assert_true(strstr(d[3].body, "\"id\":\"new2\""));
    assert_true(strstr(d[3].body, "\"state\":\"published\""));
    for (size_t k = 0; k < n; k++) {
        char want[64];
        snprintf(want, sizeof want, "{\"event\":\"%s\",\"org\":\"default\",", d[k].event);
        assert_true(!strncmp(d[k].body, want, strlen(want)));
        assert_null(strstr(d[k].body, "sha256")); /* no hash of the text, no author */
        assert_null(strstr(d[k].body, "Nguy"));
        assert_null(strstr(d[k].body, "author"));
    }
    sl_webhook_deliveries_free(d, n);
    /* another org's entries are not this org's deliveries */
    sl_error err = {0};
    assert_int_equal(sl_store_org_put(s, "other", "Other", &err), SL_OK);
    take(s, "other", NULL);
    ingest3(s, "other", "x");
    assert_int_equal(take(s, "default", NULL), 0);
    assert_int_equal(take(s, "other", &made), 4);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM webhook_deliveries WHERE org = 'other'"), 4);
    sl_store_close(s);
}

static void test_survives_reopen(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    take(s, "default", NULL);
    ingest3(s, "default", "a");
    assert_int_equal(take(s, "default", NULL), 4);
    sl_store_close(s); /* as if the process stopped between take and delivery */
    s = fixture_open(f);
    assert_int_equal(take(s, "default", NULL), 0); /* no entry made twice */
    size_t n = 0;
    sl_webhook_delivery *d = due(s, "default", &n);
    assert_int_equal(n, 4); /* none lost */
    sl_error err = {0};
    assert_int_equal(sl_store_webhook_delivered(s, d[0].id, 200, &err), SL_OK);
    sl_webhook_deliveries_free(d, n);
    sl_store_close(s);
    s = fixture_open(f);
    d = due(s, "default", &n);
    assert_int_equal(n, 3);
    sl_webhook_deliveries_free(d, n);
    /* committed but not yet taken when the process stopped: taken after the restart */
    ingest3(s, "default", "b");
    sl_store_close(s);
    s = fixture_open(f);
    size_t made = 0;
    assert_int_equal(take(s, "default", &made), 4);
    assert_int_equal(made, 4);
    d = due(s, "default", &n);
    assert_int_equal(n, 7);
    sl_webhook_deliveries_free(d, n);
    sl_store_close(s);
}

/* A take that fails half-way (here: a trigger refuses the second delivery) leaves no delivery
 * and the cursor where it was: the next take makes them all. */
static void test_take_is_atomic(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    take(s, "default", NULL);
    long long cursor = sql_int(f, "SELECT last_seq FROM webhook_cursors");
    ingest3(s, "default", "a");
    sql_exec(f, fixture_sql("CREATE TRIGGER no_hidden BEFORE INSERT ON webhook_deliveries "
                            "WHEN NEW.event = 'item.hidden' BEGIN SELECT RAISE(ABORT, 'refused'); "
                            "END",
                            "CREATE FUNCTION no_hidden() RETURNS trigger LANGUAGE plpgsql AS "
                            "$$ BEGIN RAISE EXCEPTION 'refused'; END $$; CREATE TRIGGER no_hidden "
                            "BEFORE INSERT ON webhook_deliveries FOR EACH ROW WHEN "
                            "(NEW.event = 'item.hidden') EXECUTE FUNCTION no_hidden()"));
    size_t entries = 9, made = 9;
    sl_error err = {0};
    assert_int_not_equal(sl_store_webhook_take(s, "default", 100, &entries, &made, &err), SL_OK);
    assert_int_equal(entries, 0);
    assert_int_equal(made, 0);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM webhook_deliveries"), 0);
    assert_int_equal(sql_int(f, "SELECT last_seq FROM webhook_cursors"), cursor);
    sql_exec(f,
             fixture_sql("DROP TRIGGER no_hidden", "DROP TRIGGER no_hidden ON webhook_deliveries"));
    assert_int_equal(take(s, "default", &made), 4);
    assert_int_equal(made, 4);
    sl_store_close(s);
}

/* A child takes in a loop while the parent ingests; the child is killed with SIGKILL several
 * times; in the end every event of the log is a delivery exactly once. */
static void test_kill_9_while_taking(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    take(s, "default", NULL);
    for (int round = 0; round < 4; round++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            sl_store_options o = {.key_file = f->key};
            sl_store *c = NULL;
            if (sl_store_open(f->db, &o, &c, NULL)) _exit(3);
            for (;;) {
                size_t e, m;
                if (sl_store_webhook_take(c, "default", 2, &e, &m, NULL)) _exit(4);
            }
        }
        for (int b = 0; b < 5; b++) {
            char prefix[32];
            snprintf(prefix, sizeof prefix, "r%db%d-", round, b);
            ingest3(s, "default", prefix);
        }
        struct timespec ts = {0, 1000000L * (round * 3 + 1)};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        assert_true(WIFSIGNALED(status));
    }
    while (take(s, "default", NULL)) {
    }
    /* 60 items: 20 hide (3 events each, with the notice) and 20 review (1 each) */
    assert_int_equal(sql_int(f, "SELECT count(*) FROM webhook_deliveries"), 80);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM (SELECT DISTINCT audit_seq, event "
                                "FROM webhook_deliveries) d"),
                     80);
    assert_int_equal(sql_int(f, "SELECT last_seq FROM webhook_cursors"),
                     sql_int(f, "SELECT max(seq) FROM audit_log"));
    sl_store_close(s);
}

static void test_backoff_and_give_up(void **state)
{
    fixture *f = *state;
    for (int a = 1; a <= 20; a++) { /* 1 s, 2 s, 4 s ... capped at 1 h, 50..100 % of it */
        int64_t step = a >= 13 ? 3600000 : 1000LL << (a - 1);
        assert_int_equal(sl__webhook_backoff_ms(a, 0), step / 2);
        assert_int_equal(sl__webhook_backoff_ms(a, 1000), step);
        int64_t mid = sl__webhook_backoff_ms(a, 500);
        assert_true(mid > step / 2 && mid < step);
    }
    sl_store *s = fixture_open(f);
    take(s, "default", NULL);
    ingest3(s, "default", "a");
    take(s, "default", NULL);
    size_t n = 0;
    sl_webhook_delivery *d = due(s, "default", &n);
    assert_int_equal(n, 4);
    int64_t id = d[0].id;
    sl_webhook_deliveries_free(d, n);
    sl_error err = {0};
    bool gave_up = true;
    for (int a = 1; a <= 3; a++) {
        assert_int_equal(sl_store_webhook_failed(s, id, 500, "HTTP 500", 3, &gave_up, &err), SL_OK);
        assert_int_equal(gave_up, a == 3);
        char q[128];
        snprintf(q, sizeof q, "SELECT next_attempt_at FROM webhook_deliveries WHERE id = %lld",
                 (long long)id);
        long long wait = sql_int(f, q) - f->clock;
        if (a < 3) {
            assert_true(wait >= (500LL << (a - 1)) && wait <= (1000LL << (a - 1)));
            d = due(s, "default", &n); /* not due until the wait is over */
            for (size_t k = 0; k < n; k++) assert_int_not_equal(d[k].id, id);
            sl_webhook_deliveries_free(d, n);
            f->clock += wait;
            d = due(s, "default", &n);
            assert_int_equal(d[0].id, id);
            assert_int_equal(d[0].attempts, a);
            sl_webhook_deliveries_free(d, n);
        }
    }
    /* given up: never due again, but kept and counted */
    f->clock += 10LL * 3600000;
    d = due(s, "default", &n);
    assert_int_equal(n, 3);
    for (size_t k = 0; k < n; k++) assert_int_not_equal(d[k].id, id);
    assert_int_equal(sl_store_webhook_delivered(s, d[0].id, 204, &err), SL_OK);
    assert_int_equal(sl_store_webhook_failed(s, d[1].id, 0, "timeout", 12, &gave_up, &err), SL_OK);
    assert_false(gave_up);
    int64_t pending_since = d[1].created_at;
    sl_webhook_deliveries_free(d, n);
    assert_int_equal(sl_store_webhook_failed(s, id, 500, NULL, 3, NULL, &err), SL_ERR_NOT_FOUND);
    sl_webhook_stats st;
    assert_int_equal(sl_store_webhook_stats(s, "default", &st, &err), SL_OK);
    assert_int_equal(st.delivered, 1);
    assert_int_equal(st.given_up, 1);
    assert_int_equal(st.pending, 2);
    assert_int_equal(st.failed_attempts, 4);
    assert_int_equal(st.oldest_pending_at, pending_since);
    assert_int_equal(sl_store_webhook_stats(s, NULL, &st, &err), SL_OK);
    assert_int_equal(st.delivered + st.pending + st.given_up, 4);
    assert_int_equal(sl_store_webhook_stats(s, "nobody", &st, &err), SL_OK);
    assert_int_equal(st.pending, 0);
    assert_int_equal(sl_store_webhook_failed(s, id, 500, NULL, 0, NULL, &err), SL_ERR_ARG);
    sl_store_close(s);
}

/* The later actions (decisions, appeals, notices, cases), written as raw entries. */
static void append(const fixture *f, const char *org, const char *action, const char *target,
                   const char *after, const char *data)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO audit_log (seq, at, org, entry, leaf) SELECT coalesce(max(seq) + 1, 0), "
             "1700000000123, '%s', '{\"seq\":0,\"at\":1700000000123,\"org\":\"%s\",\"actor\":"
             "{\"token\":1,\"name\":\"Reviewer A\"},\"action\":\"%s\",\"target\":\"%s\",\"before\":"
             "\"hidden\",\"after\":\"%s\",\"policy_version\":\"p\",\"data\":%s}', zeroblob(32) "
             "FROM audit_log",
             org, org, action, target, after, data);
    sql_exec(f, sql);
}

/* The body of the LAST delivery of the event (the raw entries come after the ingest's). */
static const char *body_of(sl_webhook_delivery *d, size_t n, const char *event)
{
    for (size_t k = n; k-- > 0;)
        if (!strcmp(d[k].event, event)) return d[k].body;
    fail_msg("no %s delivery", event);
    return NULL;
}

static void test_events_of_each_action(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    take(s, "default", NULL);
    ingest3(s, "default", "a"); /* item 2 is a1 (hidden) */
    take(s, "default", NULL);
    long long item = sql_int(f, "SELECT id FROM items WHERE ext_id = 'a1'");
    char target[32], data[512];
    snprintf(target, sizeof target, "item:%lld", item);
    append(f, "default", "item.decide", target, "removed",
           "{\"decision\":4,\"outcome\":\"remove\",\"rule\":\"doxxing\",\"case\":1,"
           "\"automated_detection\":true,\"note_sha256\":\"abc\",\"statement_sha256\":\"def\"}");
    snprintf(data, sizeof data, "{\"item\":%lld,\"queue\":\"pending\",\"reason\":\"decided\"}",
             item);
    append(f, "default", "case.close", "case:1", "closed", data);
    snprintf(data, sizeof data, "{\"item\":%lld,\"decision\":4,\"kind\":\"decision\"}", item);
    append(f, "default", "notice.create", "notice:n-7", "", data);
    snprintf(data, sizeof data, "{\"decision\":4,\"item\":%lld,\"text_sha256\":\"aa\"}", item);
    append(f, "default", "appeal.create", "appeal:3", "", data);
    snprintf(data, sizeof data, "{\"item\":%lld,\"queue\":\"appeals\"}", item);
    append(f, "default", "case.open", "case:2", "open", data);
    snprintf(data, sizeof data, "{\"item\":%lld,\"outcome\":\"overturn\",\"reason_sha256\":\"b\"}",
             item);
    append(f, "default", "appeal.decide", "appeal:3", "published", data);
    append(f, "default", "engine.reload", "engine", "", "{}");
    append(f, "default", "item.purge", target, "", "{\"text_sha256\":\"cc\"}");
    append(f, "other", "item.decide", target, "removed", "{\"outcome\":\"remove\"}");
    size_t made = 0;
    assert_int_equal(take(s, "default", &made), 8);
    assert_int_equal(made, 6);
    size_t n = 0;
    sl_webhook_delivery *d = due(s, "default", &n);
    assert_int_equal(n, 10);
    const char *b = body_of(d, n, "decision.made");
    assert_true(strstr(b, "\"item\":{\"channel\":\"fb\",\"id\":\"a1\"},\"state\":\"removed\""));
    assert_true(strstr(b, "\"outcome\":\"remove\",\"rule\":\"doxxing\",\"case\":1,"
                          "\"automated_detection\":true}"));
    assert_true(strstr(b, "\"decision\":4"));
    assert_null(strstr(b, "sha256"));
    assert_null(strstr(b, "Reviewer"));
    b = body_of(d, n, "queue.left");
    assert_true(strstr(b, "\"case\":1,\"queue\":\"pending\",\"reason\":\"decided\"}"));
    assert_true(strstr(b, "\"state\":\"hidden\"")); /* the item's state when it was read */
    b = body_of(d, n, "notice.ready");
    assert_true(strstr(b, "\"notice\":\"n-7\",\"decision\":4,\"kind\":\"decision\"}"));
    b = body_of(d, n, "appeal.received");
    assert_true(strstr(b, "\"appeal\":3,\"decision\":4}"));
    b = body_of(d, n, "appeal.decided");
    assert_true(strstr(b, "\"appeal\":3,\"outcome\":\"overturn\"}"));
    assert_true(strstr(b, "\"state\":\"published\"")); /* the state the appeal left it in */
    int entered = 0;
    for (size_t k = 0; k < n; k++)
        if (!strcmp(d[k].event, "queue.entered") && strstr(d[k].body, "\"queue\":\"appeals\"")) {
            entered++; /* a case's own after-state is not the item's */
            assert_true(strstr(d[k].body, "\"state\":\"hidden\""));
        }
    assert_int_equal(entered, 1);
    sl_webhook_deliveries_free(d, n);
    sl_store_close(s);
}

/* A round of outcomes in one call: each recorded, an id that is not pending skipped. */
static void test_record_a_round(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    take(s, "default", NULL);
    ingest3(s, "default", "a");
    take(s, "default", NULL);
    size_t n = 0;
    sl_webhook_delivery *d = due(s, "default", &n);
    assert_int_equal(n, 4);
    sl_webhook_outcome o[5] = {{.id = d[0].id, .delivered = true, .status = 200},
                               {.id = d[1].id, .status = 502, .error = "HTTP 502"},
                               {.id = 999999, .delivered = true, .status = 200},
                               {.id = d[2].id, .status = 0, .error = "timeout \xc3\xa9"},
                               {.id = d[3].id, .delivered = true, .status = 204}};
    sl_error err = {0};
    assert_int_equal(sl_store_webhook_record(s, o, 5, 1, &err), SL_OK);
    assert_false(o[0].gave_up);
    assert_true(o[1].gave_up); /* one attempt allowed */
    assert_true(o[3].gave_up);
    char q[160];
    snprintf(q, sizeof q, "SELECT delivered_at IS NOT NULL FROM webhook_deliveries WHERE id = %lld",
             (long long)d[0].id);
    assert_int_equal(sql_int(f, q), 1);
    snprintf(q, sizeof q, "SELECT last_status FROM webhook_deliveries WHERE id = %lld",
             (long long)d[1].id);
    assert_int_equal(sql_int(f, q), 502);
    snprintf(q, sizeof q,
             "SELECT last_error = '(error text not kept)' FROM webhook_deliveries WHERE id = %lld",
             (long long)d[2].id);
    assert_int_equal(sql_int(f, q), 1);
    /* delivered again, or an unknown id alone: not pending */
    assert_int_equal(sl_store_webhook_delivered(s, d[0].id, 200, &err), SL_ERR_NOT_FOUND);
    assert_int_equal(sl_store_webhook_record(s, o, 0, 12, &err), SL_OK);
    sl_webhook_deliveries_free(d, n);
    d = due(s, "default", &n);
    assert_int_equal(n, 0);
    sl_webhook_deliveries_free(d, n);
    sl_store_close(s);
}

static void test_arguments(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    size_t e, m, n;
    sl_webhook_delivery *d;
    sl_error err = {0};
    assert_int_equal(sl_store_webhook_take(s, "", 10, &e, &m, &err), SL_ERR_ARG);
    assert_int_equal(sl_store_webhook_take(s, "a b", 10, &e, &m, &err), SL_ERR_ARG);
    assert_int_equal(sl_store_webhook_take(s, "default", 0, &e, &m, &err), SL_ERR_ARG);
    assert_int_equal(sl_store_webhook_due(s, "default", SL_STORE_MAX_PAGE + 1, &d, &n, &err),
                     SL_ERR_ARG);
    assert_int_equal(sl_store_webhook_delivered(s, 0, 200, &err), SL_ERR_ARG);
    sl_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cursor_starts_at_end_and_take_makes_events,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_survives_reopen, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_take_is_atomic, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_kill_9_while_taking, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_backoff_and_give_up, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_events_of_each_action, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_record_a_round, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_arguments, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
