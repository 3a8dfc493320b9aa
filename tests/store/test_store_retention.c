/* Retention (sl_store_purge): an item is purged the configured time after its last decision (or
 * its receipt when nobody decided it), never while a case of it is open; the purge blanks the
 * text and author, drops the quotes from the verdict, logs an "item.purge" entry naming the
 * text's hash in the same transaction, leaves no copy of the text in the files, and a second
 * purge changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>

#include "store_fixture.h"

#define DAY 86400000LL

static const char decided_181[] = "bình luận RETAIN-181 của chị Hoa";
static const char verdict_181[] =
    "{\"id\":\"x181\",\"action\":\"review\",\"hits\":[{\"rule\":\"insult.people\",\"start\":0,"
    "\"end\":9,\"text\":\"bình luận\",\"cite\":\"Điều 2\",\"detail\":\"a.example\"}],\"us\":3}";

/* Ingests one item with its own text (and verdict) at the fixture's clock: its item number. */
static int64_t put(sl_store *s, const char *id, sl_store_action action, const char *text,
                   const char *verdict)
{
    sl_store_item it = make_item("web", id, action, action >= SL_STORE_REVIEW ? 0.8 : 0.1);
    if (text) {
        it.text = text;
        it.text_len = strlen(text);
    }
    if (verdict) {
        it.verdict_json = verdict;
        it.verdict_len = strlen(verdict);
    }
    sl_ingest_result r;
    sl_error err = {0};
    assert_int_equal(sl_store_ingest(s, "default", 0, &it, 1, &r, &err), SL_OK);
    return r.item;
}

static long long q(const fixture *f, const char *fmt, long long a)
{
    char sql[512];
    snprintf(sql, sizeof sql, fmt, a);
    return sql_int(f, sql);
}

static void test_purge_after_retention(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    sl_error err = {0};
    int64_t t0 = f->clock;
    int64_t x = put(s, "x181", SL_STORE_REVIEW, decided_181, verdict_181);   /* decided at t0+10d */
    int64_t y = put(s, "y179", SL_STORE_REVIEW, "RETAIN-179 còn giữ", NULL); /* at t0+12d */
    int64_t z = put(s, "open", SL_STORE_HIDE, "RETAIN-open", NULL);          /* case never closed */
    int64_t w = put(s, "allowed", SL_STORE_ALLOW, "RETAIN-allowed cũ", NULL); /* never decided */
    int64_t u = put(s, "appealed", SL_STORE_REVIEW, "RETAIN-appeal", NULL);
    f->clock = t0 + 12 * DAY;
    int64_t v = put(s, "allowed-new", SL_STORE_ALLOW, "RETAIN-allowed mới", NULL);
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE cases SET closed_at = %lld WHERE item = %lld",
             (long long)(t0 + 10 * DAY), (long long)x);
    sql_exec(f, sql);
    snprintf(sql, sizeof sql, "UPDATE cases SET closed_at = %lld WHERE item = %lld",
             (long long)(t0 + 12 * DAY), (long long)y);
    sql_exec(f, sql);
    /* u was decided long ago, but an appeal of it is open in another queue */
    snprintf(sql, sizeof sql, "UPDATE cases SET closed_at = %lld WHERE item = %lld",
             (long long)(t0 + 1 * DAY), (long long)u);
    sql_exec(f, sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO cases (org, queue, item, severity, opened_at) VALUES (1, 'appeals', "
             "%lld, 1, %lld)",
             (long long)u, (long long)(t0 + 2 * DAY));
    sql_exec(f, sql);

    f->clock = t0 + 10 * DAY + 181 * DAY; /* x decided 181 days ago, y 179, v received 179 */
    long long entries = sql_int(f, "SELECT count(*) FROM audit_log");
    sl_purge_stats ps;
    assert_int_equal(sl_store_purge(s, 180, true, &ps, &err), SL_OK);
    assert_int_equal(ps.purged, 2); /* x and w */
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log"), entries);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM items WHERE purged_at IS NOT NULL"), 0);

    assert_int_equal(sl_store_purge(s, 180, false, &ps, &err), SL_OK);
    assert_int_equal(ps.purged, 2);
    assert_true(ps.wal_truncated);
    assert_int_equal(q(f,
                       "SELECT count(*) FROM items WHERE id = %lld AND text = '' AND "
                       "length(author) = 0 AND purged_at IS NOT NULL",
                       x),
                     1);
    assert_int_equal(q(f, "SELECT count(*) FROM items WHERE id = %lld AND text = ''", w), 1);
    int64_t kept[] = {y, z, u, v};
    for (size_t k = 0; k < 4; k++)
        assert_int_equal(q(f,
                           "SELECT count(*) FROM items WHERE id = %lld AND text <> '' AND "
                           "length(author) = 32 AND purged_at IS NULL",
                           kept[k]),
                         1);
    /* the verdict keeps its rule and offsets, not the quotes */
    assert_int_equal(q(f,
                       "SELECT json_extract(verdict, '$.hits[0].text') IS NULL AND "
                       "json_extract(verdict, '$.hits[0].detail') IS NULL AND "
                       "json_extract(verdict, '$.hits[0].rule') = 'insult.people' AND "
                       "json_extract(verdict, '$.hits[0].end') = 9 FROM items WHERE id = %lld",
                       x),
                     1);
    /* one entry per purged item, naming the hash of the text, in the same sequence */
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log"), entries + 2);
    char hash[65], want[512];
    unsigned char h[32];
    crypto_hash_sha256(h, (const unsigned char *)decided_181, strlen(decided_181));
    sodium_bin2hex(hash, sizeof hash, h, sizeof h);
    snprintf(want, sizeof want,
             "SELECT count(*) FROM audit_log WHERE json_extract(entry, '$.action') = "
             "'item.purge' AND json_extract(entry, '$.target') = 'item:%lld' AND "
             "json_extract(entry, '$.data.text_sha256') = '%s' AND "
             "json_extract(entry, '$.org') = 'default'",
             (long long)x, hash);
    assert_int_equal(sql_int(f, want), 1);
    /* and the same hash as the ingest entry cited: the log stays verifiable */
    snprintf(want, sizeof want,
             "SELECT count(*) FROM audit_log WHERE json_extract(entry, '$.action') = "
             "'item.ingest' AND json_extract(entry, '$.data.text_sha256') = '%s'",
             hash);
    assert_int_equal(sql_int(f, want), 1);
    assert_int_equal(
        q(f, "SELECT count(*) FROM item_events WHERE item = %lld AND what = 'purged'", x), 1);
    /* no copy of the text is left in the database file or its log */
    assert_false(dir_contains(f, "RETAIN-181", strlen("RETAIN-181")));
    assert_false(dir_contains(f, "RETAIN-allowed cũ", strlen("RETAIN-allowed cũ")));
    assert_true(dir_contains(f, "RETAIN-179", strlen("RETAIN-179"))); /* the search works */

    /* a second purge changes nothing */
    assert_int_equal(sl_store_purge(s, 180, false, &ps, &err), SL_OK);
    assert_int_equal(ps.purged, 0);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log"), entries + 2);
    /* two days later y's retention has run out too */
    f->clock += 2 * DAY;
    assert_int_equal(sl_store_purge(s, 180, false, &ps, &err), SL_OK);
    assert_int_equal(ps.purged, 2); /* y and v */
    assert_int_equal(sl_store_purge(s, 0, false, &ps, &err), SL_ERR_ARG);
    sl_store_close(s);
}

/* More items than one purge transaction holds: every batch is walked, each item once. */
static void test_purge_in_batches(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    sl_error err = {0};
    enum { N = 700 };
    static sl_store_item items[N];
    static char ids[N][16];
    sl_ingest_result *res = calloc(N, sizeof *res);
    assert_non_null(res);
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "b%d", i);
        /* every third one waits for a person: never purged */
        items[i] = make_item("web", ids[i], i % 3 ? SL_STORE_ALLOW : SL_STORE_REVIEW, 0.5);
    }
    assert_int_equal(sl_store_ingest(s, "default", 0, items, N, res, &err), SL_OK);
    free(res);
    long long entries = sql_int(f, "SELECT count(*) FROM audit_log");
    f->clock += 31 * DAY;
    sl_purge_stats ps;
    assert_int_equal(sl_store_purge(s, 30, true, &ps, &err), SL_OK);
    assert_int_equal(ps.purged, N - (N + 2) / 3);
    assert_int_equal(sl_store_purge(s, 30, false, &ps, &err), SL_OK);
    assert_int_equal(ps.purged, N - (N + 2) / 3);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM items WHERE text = ''"), ps.purged);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM items WHERE text = '' AND action <> 0"), 0);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log"), entries + ps.purged);
    assert_int_equal(sql_int(f, "SELECT count(DISTINCT json_extract(entry, '$.target')) FROM "
                                "audit_log WHERE json_extract(entry, '$.action') = 'item.purge'"),
                     ps.purged);
    sl_store_close(s);
}

/* Hits that are not objects (a number, an array) stay as they are, and the objects among them
 * still lose their quotes: the purge does not fail on them. */
static void test_purge_odd_hits(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    sl_error err = {0};
    int64_t x = put(s, "odd", SL_STORE_ALLOW, "RETAIN-odd",
                    "{\"hits\":[5,[\"text\"],{\"rule\":\"r\",\"text\":\"RETAIN-odd\"}]}");
    f->clock += 31 * DAY;
    sl_purge_stats ps;
    assert_int_equal(sl_store_purge(s, 30, false, &ps, &err), SL_OK);
    assert_int_equal(ps.purged, 1);
    assert_int_equal(q(f,
                       "SELECT json_extract(verdict, '$.hits[0]') = 5 AND "
                       "json_extract(verdict, '$.hits[1][0]') = 'text' AND "
                       "json_extract(verdict, '$.hits[2].rule') = 'r' AND "
                       "json_extract(verdict, '$.hits[2].text') IS NULL FROM items WHERE id = %lld",
                       x),
                     1);
    assert_false(dir_contains(f, "RETAIN-odd", strlen("RETAIN-odd")));
    sl_store_close(s);
}

/* The review texts about an item go with it: the reviewer's note and statement, the appeal's
 * text and reason; an appeal decided recently keeps the item (and them) for another term. */
static void test_purge_takes_review_texts(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    sl_error err = {0};
    char secret[SL_TOKEN_SECRET_SIZE];
    sl_token_info rev, apl;
    assert_int_equal(
        sl_store_token_create(s, "Ngô Bảo", SL_ROLE_REVIEWER, "default", secret, &rev, &err),
        SL_OK);
    assert_int_equal(
        sl_store_token_create(s, "Vũ Lan", SL_ROLE_APPEALS, "default", secret, &apl, &err), SL_OK);
    int64_t t0 = f->clock;
    put(s, "noted", SL_STORE_REVIEW, "RETAIN-noted", NULL);
    int64_t ver = 0;
    assert_int_equal(sl_store_item_version(s, "default", "web", 3, "noted", 5, &ver, &err), SL_OK);
    static const char note[] = "NOTE-PRIVATE-181";
    static const char stmt[] = "STATEMENT-181";
    sl_store_decision_in in = {.channel = "web",
                               .channel_len = 3,
                               .id = "noted",
                               .id_len = 5,
                               .version = ver,
                               .outcome = SL_STORE_REMOVE,
                               .rule = {"insult.words", "insult", "No insults."},
                               .note = note,
                               .note_len = sizeof note - 1,
                               .statement = stmt,
                               .statement_len = sizeof stmt - 1,
                               .engine_version = ""};
    sl_store_decision_out out;
    sl_store_refusal why = SL_REFUSE_NONE;
    assert_int_equal(sl_store_decide(s, "default", rev.id, &in, &out, &why, &err), SL_OK);
    static const char appeal_text[] = "APPEAL-TEXT-181";
    sl_store_appeal_out ap;
    assert_int_equal(sl_store_appeal(s, out.notice.appeal_token, SL_APPEAL_TOKEN_LEN, appeal_text,
                                     sizeof appeal_text - 1, &ap, &why, &err),
                     SL_OK);
    f->clock = t0 + 5 * DAY;
    sl_store_appeal_decision_out ad;
    assert_int_equal(sl_store_appeal_decide(s, "default", apl.id, ap.appeal, SL_STORE_UPHOLD,
                                            "REASON-181", 10, &ad, &why, &err),
                     SL_OK);
    sl_purge_stats ps;
    /* 181 days after the decision but 176 after the appeal's: kept */
    f->clock = t0 + 181 * DAY;
    assert_int_equal(sl_store_purge(s, 180, false, &ps, &err), SL_OK);
    assert_int_equal(ps.purged, 0);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM decisions WHERE note = 'NOTE-PRIVATE-181'"),
                     1);
    f->clock = t0 + 5 * DAY + 181 * DAY;
    assert_int_equal(sl_store_purge(s, 180, false, &ps, &err), SL_OK);
    assert_int_equal(ps.purged, 1);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM decisions WHERE note = '' AND "
                                "statement IS NULL"),
                     1);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM appeals WHERE text = '' AND reason IS NULL"),
                     1);
    sl_store_close(s);
    const char *gone[] = {note, stmt, appeal_text, "REASON-181", "RETAIN-noted"};
    for (size_t k = 0; k < sizeof gone / sizeof *gone; k++)
        assert_false(dir_contains(f, gone[k], strlen(gone[k])));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_purge_after_retention, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_purge_in_batches, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_purge_odd_hits, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_purge_takes_review_texts, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
