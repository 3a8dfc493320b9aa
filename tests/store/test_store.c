/* Unit tests of the store on real SQLite files: migrations, URLs, idempotent ingest, states and
 * cases per action, item history, limits, pseudonyms and the key file, tokens, organizations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "store_fixture.h"

static void test_migrations_fresh_and_reopen(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    assert_true(sl_store_schema_latest() >= 1);
    assert_int_equal(sl_store_schema_version(s), sl_store_schema_latest());
    sl_store_close(s);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM schema_migrations"),
                     sl_store_schema_latest());
    assert_int_equal(sql_int(f, "SELECT max(version) FROM schema_migrations"),
                     sl_store_schema_latest());
    assert_int_equal(sql_int(f, "SELECT count(*) FROM organizations WHERE id = 'default'"), 1);
    assert_int_equal(sql_int(f, fixture_sql("SELECT count(*) FROM pragma_journal_mode "
                                            "WHERE journal_mode = 'wal'",
                                            "SELECT 1")),
                     1);
    s = fixture_open(f); /* reopen: nothing applied twice */
    assert_int_equal(sl_store_schema_version(s), sl_store_schema_latest());
    sl_store_close(s);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM schema_migrations"),
                     sl_store_schema_latest());
    assert_int_equal(sql_int(f, "SELECT count(*) FROM organizations"), 1);
}

static void test_newer_schema_is_refused(void **state)
{
    fixture *f = *state;
    sl_store_close(fixture_open(f));
    char sql[200];
    snprintf(sql, sizeof sql, "INSERT INTO schema_migrations VALUES (%d, '9999_future', 0)",
             sl_store_schema_latest() + 1);
    sql_exec(f, sql);
    sl_store *s = NULL;
    sl_error err = {0};
    assert_int_equal(sl_store_open(f->db, NULL, &s, &err), SL_ERR_SCHEMA);
    assert_null(s);
    assert_non_null(strstr(err.message, "newer than this sangloc"));
}

static void test_renamed_migration_is_refused(void **state)
{
    fixture *f = *state;
    sl_store_close(fixture_open(f));
    sql_exec(f, "UPDATE schema_migrations SET name = '0001_other' WHERE version = 1");
    sl_store *s = NULL;
    sl_error err = {0};
    assert_int_equal(sl_store_open(f->db, NULL, &s, &err), SL_ERR_SCHEMA);
    assert_non_null(strstr(err.message, "0001_other"));
}

static void test_urls(void **state)
{
    fixture *f = *state;
    sl_store *s = NULL;
    sl_error err = {0};
    /* nothing listens on port 1: a clear error naming the server, never the password */
    assert_int_equal(sl_store_open("postgresql://u:s3cret@127.0.0.1:1/db", NULL, &s, &err),
                     SL_ERR_IO);
    assert_non_null(strstr(err.message, "PostgreSQL at 127.0.0.1:1"));
    assert_null(strstr(err.message, "s3cret"));
    assert_int_equal(sl_store_open("mysql://x", NULL, &s, &err), SL_ERR_UNSUPPORTED);
    assert_int_equal(sl_store_open("sqlite:", NULL, &s, &err), SL_ERR_ARG);
    char path[PATH_MAX], url[PATH_MAX + 8];
    snprintf(path, sizeof path, "%s/url.db", f->dir);
    snprintf(url, sizeof url, "sqlite:%s", path);
    assert_int_equal(sl_store_open(url, NULL, &s, &err), SL_OK);
    sl_store_close(s);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    unlink(path);
}

/* A dump of every stored row, to compare before and after. */
static long long fingerprint(const fixture *f)
{
    return sql_int(f, "SELECT (SELECT coalesce(sum(id * 7 + state * 3 + length(verdict)), 0) "
                      "FROM items) + (SELECT coalesce(sum(id * 11 + severity), 0) FROM cases) * 3 "
                      "+ (SELECT coalesce(sum(id * 13 + at % 1000), 0) FROM item_events) * 5 + "
                      "(SELECT count(*) FROM items) * 1000003");
}

static void test_ingest_is_idempotent(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    char ids[20][16];
    sl_store_item items[20];
    sl_ingest_result res[20];
    for (int i = 0; i < 20; i++) {
        snprintf(ids[i], sizeof ids[i], "c%d", i);
        items[i] = make_item("news/1", ids[i], (sl_store_action)(i % 4), i / 20.0);
    }
    sl_error err = {0};
    assert_int_equal(sl_store_ingest(s, "default", 0, items, 20, res, &err), SL_OK);
    for (int i = 0; i < 20; i++) assert_int_equal(res[i].status, SL_INGEST_CREATED);
    long long before = fingerprint(f);
    f->clock += 5000;
    assert_int_equal(sl_store_ingest(s, "default", 0, items, 20, res, &err), SL_OK);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(res[i].status, SL_INGEST_DUPLICATE);
        assert_int_equal(res[i].state, i % 4 == 3 ? SL_ITEM_HIDDEN : SL_ITEM_PUBLISHED);
    }
    assert_int_equal(fingerprint(f), before);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM items"), 20);
    /* the same item twice in one batch: the second is a duplicate of the first */
    sl_store_item two[2] = {make_item("news/1", "new", SL_STORE_HIDE, 0.9),
                            make_item("news/1", "new", SL_STORE_ALLOW, 0.0)};
    assert_int_equal(sl_store_ingest(s, "default", 0, two, 2, res, &err), SL_OK);
    assert_int_equal(res[0].status, SL_INGEST_CREATED);
    assert_int_equal(res[1].status, SL_INGEST_DUPLICATE);
    assert_int_equal(res[1].state, SL_ITEM_HIDDEN);
    assert_int_equal(res[0].item, res[1].item);
    char *json = NULL;
    size_t len = 0;
    assert_int_equal(sl_store_item_verdict(s, "default", res[1].item, &json, &len, &err), SL_OK);
    assert_string_equal(json, two[0].verdict_json);
    assert_int_equal(len, two[0].verdict_len);
    free(json);
    assert_int_equal(sl_store_item_verdict(s, "default", 99999, &json, &len, &err),
                     SL_ERR_NOT_FOUND);
    assert_null(json);
    /* the same id on another channel is another item */
    sl_store_item other = make_item("news/2", "c0", SL_STORE_ALLOW, 0.0);
    assert_int_equal(sl_store_ingest(s, "default", 0, &other, 1, res, &err), SL_OK);
    assert_int_equal(res[0].status, SL_INGEST_CREATED);
    sl_store_close(s);
}

static void test_states_and_cases_per_action(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    const struct {
        const char *id;
        sl_store_action action;
        sl_item_state state;
        int cases;
    } want[] = {{"a", SL_STORE_ALLOW, SL_ITEM_PUBLISHED, 0},
                {"w", SL_STORE_WARN, SL_ITEM_PUBLISHED, 0},
                {"r", SL_STORE_REVIEW, SL_ITEM_PUBLISHED, 1},
                {"h", SL_STORE_HIDE, SL_ITEM_HIDDEN, 1}};
    for (size_t k = 0; k < 4; k++) {
        sl_store_item it = make_item("ch", want[k].id, want[k].action, 0.25 * (double)k);
        sl_ingest_result r;
        sl_error err = {0};
        assert_int_equal(sl_store_ingest(s, "default", 0, &it, 1, &r, &err), SL_OK);
        assert_int_equal(r.state, want[k].state);
        sl_store_record *rec = NULL;
        assert_int_equal(sl_store_item_get(s, "default", "ch", 2, want[k].id, 1, &rec, &err),
                         SL_OK);
        assert_int_equal(rec->state, want[k].state);
        assert_int_equal(rec->action, want[k].action);
        assert_string_equal(rec->id, want[k].id);
        assert_string_equal(rec->org, "default");
        assert_string_equal(rec->text, it.text);
        assert_string_equal(rec->verdict_json, it.verdict_json);
        assert_string_equal(rec->parent, "");
        assert_int_equal(rec->received_at, f->clock);
        /* ingested, queued, and for a hide the notice to the author */
        bool hidden = want[k].state == SL_ITEM_HIDDEN;
        assert_int_equal(rec->nevents, 1 + (size_t)want[k].cases + (hidden ? 1 : 0));
        assert_int_equal(r.notice.id[0] != '\0', hidden);
        assert_int_equal(strlen(r.notice.appeal_token), hidden ? SL_APPEAL_TOKEN_LEN : 0);
        assert_string_equal(rec->events[0].what, "ingested");
        assert_int_equal(rec->events[0].to_state, want[k].state);
        assert_string_equal(rec->events[0].detail, sl_store_action_name(want[k].action));
        if (want[k].cases) assert_string_equal(rec->events[1].detail, "pending");
        sl_store_record_free(rec);
    }
    assert_int_equal(sql_int(f, "SELECT count(*) FROM cases WHERE queue = 'pending'"), 2);
    sl_queue_page page;
    sl_error err = {0};
    assert_int_equal(sl_store_queue_list(s, "default", "pending", 10, NULL, 0, &page, &err), SL_OK);
    assert_int_equal(page.n, 2);
    assert_string_equal(page.entries[0].id, "h"); /* severity 0.75 before 0.5 */
    assert_int_equal(page.entries[0].state, SL_ITEM_HIDDEN);
    assert_true(page.entries[0].severity == 0.75);
    assert_string_equal(page.entries[1].id, "r");
    assert_string_equal(page.next_cursor, "");
    sl_queue_page_free(&page);
    sl_store_record *rec = NULL;
    assert_int_equal(sl_store_item_get(s, "default", "ch", 2, "zz", 2, &rec, &err),
                     SL_ERR_NOT_FOUND);
    assert_null(rec);
    sl_store_close(s);
}

static void test_bad_items_fail_the_whole_batch(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    char longid[SL_STORE_MAX_ITEM_ID + 2];
    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    sl_store_item items[3] = {make_item("c", "ok1", SL_STORE_ALLOW, 0),
                              make_item("c", "ok2", SL_STORE_ALLOW, 0),
                              make_item("c", longid, SL_STORE_ALLOW, 0)};
    sl_ingest_result res[3];
    sl_error err = {0};
    assert_int_equal(sl_store_ingest(s, "default", 0, items, 3, res, &err), SL_ERR_TOO_LARGE);
    assert_int_equal(err.byte, 2);
    items[2] = make_item("c", "", SL_STORE_ALLOW, 0);
    assert_int_equal(sl_store_ingest(s, "default", 0, items, 3, res, &err), SL_ERR_ARG);
    items[2] = make_item("c", "bad\xff", SL_STORE_ALLOW, 0);
    assert_int_equal(sl_store_ingest(s, "default", 0, items, 3, res, &err), SL_ERR_ARG);
    items[2] = make_item("c", "ok3", (sl_store_action)7, 0);
    assert_int_equal(sl_store_ingest(s, "default", 0, items, 3, res, &err), SL_ERR_ARG);
    items[2] = make_item("c", "ok3", SL_STORE_ALLOW, 1.5);
    assert_int_equal(sl_store_ingest(s, "default", 0, items, 3, res, &err), SL_ERR_ARG);
    items[2] = make_item("c", "ok3", SL_STORE_ALLOW, 0.5);
    assert_int_equal(sl_store_ingest(s, "nobody", 0, items, 3, res, &err), SL_ERR_NOT_FOUND);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM items"), 0);
    assert_int_equal(sl_store_ingest(s, "bad org!", 0, items, 3, res, &err), SL_ERR_ARG);
    assert_int_equal(sl_store_ingest(s, "default", 0, items, 3, res, &err), SL_OK);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM items"), 3);
    sl_store_close(s);
}

static void test_pseudonyms_and_key_file(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    struct stat st;
    assert_int_equal(stat(f->key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 32);
    sl_store_item items[3] = {make_item("c", "1", SL_STORE_ALLOW, 0),
                              make_item("c", "2", SL_STORE_ALLOW, 0),
                              make_item("c", "3", SL_STORE_ALLOW, 0)};
    items[2].author = "tran.thi.b@example.vn";
    items[2].author_len = strlen(items[2].author);
    sl_ingest_result res[3];
    sl_error err = {0};
    assert_int_equal(sl_store_ingest(s, "default", 0, items, 3, res, &err), SL_OK);
    sl_store_record *a, *b, *c;
    assert_int_equal(sl_store_item_get(s, "default", "c", 1, "1", 1, &a, &err), SL_OK);
    assert_int_equal(sl_store_item_get(s, "default", "c", 1, "2", 1, &b, &err), SL_OK);
    assert_int_equal(sl_store_item_get(s, "default", "c", 1, "3", 1, &c, &err), SL_OK);
    assert_int_equal(strlen(a->author), 64);
    assert_string_equal(a->author, b->author);
    assert_string_not_equal(a->author, c->author);
    sl_store_record_free(a);
    sl_store_record_free(b);
    sl_store_record_free(c);
    sl_store_close(s);
    assert_false(dir_contains(f, "Nguyễn Văn An", strlen("Nguyễn Văn An")));
    assert_false(dir_contains(f, "tran.thi.b@example.vn", 21));
    assert_true(
        dir_contains(f, "Bài viết rất hay", strlen("Bài viết rất hay"))); /* the check works */
    /* a key others may read is refused; without a key there is no ingest */
    chmod(f->key, 0644);
    sl_store_options o = {.key_file = f->key};
    assert_int_equal(sl_store_open(f->db, &o, &s, &err), SL_ERR_IO);
    assert_non_null(strstr(err.message, "chmod 600"));
    assert_int_equal(sl_store_open(f->db, NULL, &s, &err), SL_OK);
    assert_int_equal(sl_store_ingest(s, "default", 0, items, 1, res, &err), SL_ERR_ARG);
    sl_store_close(s);
}

static void test_tokens(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    char secret[SL_TOKEN_SECRET_SIZE];
    sl_token_info info, found;
    sl_error err = {0};
    assert_int_equal(sl_store_org_put(s, "so-y-te", "Sở Y tế", &err), SL_OK);
    assert_int_equal(
        sl_store_token_create(s, "Chị Lan", SL_ROLE_REVIEWER, "so-y-te", secret, &info, &err),
        SL_OK);
    assert_int_equal(strlen(secret), SL_TOKEN_SECRET_LEN);
    assert_memory_equal(secret, "slt_", 4);
    assert_true(info.id > 0);
    assert_string_equal(info.org, "so-y-te");
    assert_int_equal(sl_store_token_lookup(s, secret, strlen(secret), &found, &err), SL_OK);
    assert_int_equal(found.id, info.id);
    assert_int_equal(found.role, SL_ROLE_REVIEWER);
    assert_string_equal(found.name, "Chị Lan");
    assert_string_equal(found.org, "so-y-te");
    assert_int_equal(found.last_used_at, f->clock);
    /* wrong secrets: one changed character, truncated, another prefix, garbage */
    char bad[SL_TOKEN_SECRET_SIZE];
    memcpy(bad, secret, sizeof bad);
    bad[10] = bad[10] == 'A' ? 'B' : 'A';
    assert_int_equal(sl_store_token_lookup(s, bad, strlen(bad), &found, &err), SL_ERR_AUTH);
    assert_int_equal(sl_store_token_lookup(s, secret, strlen(secret) - 1, &found, &err),
                     SL_ERR_AUTH);
    memcpy(bad, secret, sizeof bad);
    bad[0] = 'x';
    assert_int_equal(sl_store_token_lookup(s, bad, strlen(bad), &found, &err), SL_ERR_AUTH);
    assert_int_equal(sl_store_token_lookup(s, "", 0, &found, &err), SL_ERR_AUTH);
    /* global tokens are for admins only; orgs must exist */
    char admin[SL_TOKEN_SECRET_SIZE];
    assert_int_equal(sl_store_token_create(s, "ops", SL_ROLE_INTEGRATION, NULL, admin, NULL, &err),
                     SL_ERR_ARG);
    assert_int_equal(sl_store_token_create(s, "ops", SL_ROLE_ADMIN, "nope", admin, NULL, &err),
                     SL_ERR_NOT_FOUND);
    assert_int_equal(sl_store_token_create(s, "ops", SL_ROLE_ADMIN, NULL, admin, NULL, &err),
                     SL_OK);
    assert_string_not_equal(admin, secret);
    /* list, revoke */
    sl_token_info *list;
    size_t n;
    assert_int_equal(sl_store_token_list(s, &list, &n, &err), SL_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[1].org, "");
    assert_int_equal(list[1].role, SL_ROLE_ADMIN);
    free(list);
    f->clock += 1000;
    assert_int_equal(sl_store_token_revoke(s, info.id, &err), SL_OK);
    assert_int_equal(sl_store_token_lookup(s, secret, strlen(secret), &found, &err), SL_ERR_AUTH);
    f->clock += 1000;
    assert_int_equal(sl_store_token_revoke(s, info.id, &err), SL_OK);
    assert_int_equal(sl_store_token_revoke(s, 999, &err), SL_ERR_NOT_FOUND);
    assert_int_equal(sl_store_token_list(s, &list, &n, &err), SL_OK);
    assert_int_equal(list[0].revoked_at, f->clock - 1000); /* the first revocation stays */
    assert_int_equal(list[1].revoked_at, 0);
    free(list);
    assert_int_equal(sl_store_token_lookup(s, admin, strlen(admin), &found, &err), SL_OK);
    sl_store_close(s);
    /* the secret is nowhere in the files: neither its text nor its random bytes */
    assert_false(dir_contains(f, secret, strlen(secret)));
    assert_false(dir_contains(f, secret + 4, 20));
    assert_false(dir_contains(f, admin + 4, 20));
    assert_true(dir_contains(f, "Chị Lan", strlen("Chị Lan")));
}

static void test_roles_and_names(void **state)
{
    const char *names[] = {"integration", "reviewer", "appeals", "curator", "auditor", "admin"};
    for (int i = 0; i < 6; i++) {
        sl_role r;
        assert_true(sl_role_parse(names[i], strlen(names[i]), &r));
        assert_int_equal(r, i + 1);
        assert_string_equal(sl_role_name(r), names[i]);
    }
    sl_role r;
    assert_false(sl_role_parse("root", 4, &r));
    assert_false(sl_role_parse("admi", 4, &r));
    assert_null(sl_role_name((sl_role)0));
    sl_store_action a;
    assert_true(sl_store_action_parse("hide", 4, &a));
    assert_int_equal(a, SL_STORE_HIDE);
    assert_false(sl_store_action_parse("hid", 3, &a));
    assert_string_equal(sl_item_state_name(SL_ITEM_REMOVED), "removed");
    assert_null(sl_item_state_name((sl_item_state)3));
}

static void test_organizations_are_isolated(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    sl_error err = {0};
    assert_int_equal(sl_store_org_put(s, "a", "Org A", &err), SL_OK);
    assert_int_equal(sl_store_org_put(s, "b", "Org B", &err), SL_OK);
    assert_int_equal(sl_store_org_exists(s, "b", &err), SL_OK);
    assert_int_equal(sl_store_org_exists(s, "c", &err), SL_ERR_NOT_FOUND);
    sl_store_item shared = make_item("ch", "same", SL_STORE_HIDE, 0.9);
    sl_store_item only_a = make_item("ch", "only-a", SL_STORE_REVIEW, 0.8);
    sl_ingest_result r;
    assert_int_equal(sl_store_ingest(s, "a", 0, &shared, 1, &r, &err), SL_OK);
    assert_int_equal(r.status, SL_INGEST_CREATED);
    assert_int_equal(sl_store_ingest(s, "a", 0, &only_a, 1, &r, &err), SL_OK);
    assert_int_equal(sl_store_ingest(s, "b", 0, &shared, 1, &r, &err), SL_OK);
    assert_int_equal(r.status, SL_INGEST_CREATED); /* (org, channel, id): another item */
    sl_store_record *rec = NULL;
    assert_int_equal(sl_store_item_get(s, "b", "ch", 2, "only-a", 6, &rec, &err), SL_ERR_NOT_FOUND);
    assert_int_equal(sl_store_item_get(s, "a", "ch", 2, "only-a", 6, &rec, &err), SL_OK);
    int64_t rec_item_a = rec->item;
    sl_store_record_free(rec);
    char *json = NULL;
    size_t len;
    assert_int_equal(sl_store_item_verdict(s, "b", rec_item_a, &json, &len, &err),
                     SL_ERR_NOT_FOUND);
    sl_queue_page page;
    assert_int_equal(sl_store_queue_list(s, "b", "pending", 10, NULL, 0, &page, &err), SL_OK);
    assert_int_equal(page.n, 1);
    assert_string_equal(page.entries[0].id, "same");
    sl_queue_page_free(&page);
    char secret[SL_TOKEN_SECRET_SIZE];
    sl_token_info rev;
    assert_int_equal(sl_store_token_create(s, "rb", SL_ROLE_REVIEWER, "b", secret, &rev, &err),
                     SL_OK);
    sl_queue_entry got[10];
    size_t n;
    assert_int_equal(sl_store_queue_claim(s, "b", "pending", rev.id, 10, 60, got, &n, &err), SL_OK);
    assert_int_equal(n, 1);
    /* b's reviewer cannot lease a's cases; a revoked token cannot lease at all */
    assert_int_equal(sl_store_queue_claim(s, "a", "pending", rev.id, 10, 60, got, &n, &err),
                     SL_ERR_AUTH);
    assert_int_equal(n, 0);
    sl_token_info rev_a;
    assert_int_equal(sl_store_token_create(s, "ra", SL_ROLE_REVIEWER, "a", secret, &rev_a, &err),
                     SL_OK);
    assert_int_equal(sl_store_token_revoke(s, rev_a.id, &err), SL_OK);
    assert_int_equal(sl_store_queue_claim(s, "a", "pending", rev_a.id, 10, 60, got, &n, &err),
                     SL_ERR_AUTH);
    assert_int_equal(sl_store_queue_list(s, "a", "pending", 10, NULL, 0, &page, &err), SL_OK);
    assert_int_equal(page.n, 2);
    for (size_t i = 0; i < page.n; i++) assert_int_equal(page.entries[i].leased_by, 0);
    sl_queue_page_free(&page);
    sl_store_close(s);
}

static void test_limits_of_arguments(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    sl_error err = {0};
    sl_queue_page page;
    assert_int_equal(sl_store_queue_list(s, "default", "pending", 0, NULL, 0, &page, &err),
                     SL_ERR_ARG);
    assert_int_equal(
        sl_store_queue_list(s, "default", "pending", SL_STORE_MAX_PAGE + 1, NULL, 0, &page, &err),
        SL_ERR_ARG);
    assert_int_equal(sl_store_queue_list(s, "default", "pen ding", 5, NULL, 0, &page, &err),
                     SL_ERR_ARG);
    assert_int_equal(sl_store_queue_list(s, "default", "pending", 5, "AAAA", 4, &page, &err),
                     SL_ERR_CURSOR);
    sl_queue_entry e[2];
    size_t n;
    assert_int_equal(sl_store_queue_claim(s, "default", "pending", 1, 2, 0, e, &n, &err),
                     SL_ERR_ARG);
    assert_int_equal(sl_store_queue_claim(s, "default", "pending", 0, 2, 60, e, &n, &err),
                     SL_ERR_ARG);
    char name[SL_STORE_MAX_NAME + 2];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    assert_int_equal(sl_store_org_put(s, "x", name, &err), SL_ERR_TOO_LARGE);
    char secret[SL_TOKEN_SECRET_SIZE];
    assert_int_equal(sl_store_token_create(s, name, SL_ROLE_ADMIN, NULL, secret, NULL, &err),
                     SL_ERR_TOO_LARGE);
    sl_store_close(s);
}

/* A writer that holds the lock past the busy timeout makes ingest fail cleanly: SL_ERR_BUSY,
 * nothing stored, and the handle works again once the lock is free. */
static void test_busy_database(void **state)
{
    fixture *f = *state;
    sl_store_options o = {.key_file = f->key, .busy_timeout_ms = 50};
    sl_store *s = NULL;
    sl_error err = {0};
    assert_int_equal(sl_store_open(f->db, &o, &s, &err), SL_OK);
    fixture_lock other;
    fixture_hold_write_lock(f, &other);
    sl_store_item it = make_item("c", "1", SL_STORE_HIDE, 0.9);
    sl_ingest_result r;
    assert_int_equal(sl_store_ingest(s, "default", 0, &it, 1, &r, &err), SL_ERR_BUSY);
    fixture_unlock(&other);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM items"), 0);
    assert_int_equal(sl_store_ingest(s, "default", 0, &it, 1, &r, &err), SL_OK);
    assert_int_equal(r.status, SL_INGEST_CREATED);
    sl_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrations_fresh_and_reopen, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_is_refused, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_renamed_migration_is_refused, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_urls, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_ingest_is_idempotent, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_states_and_cases_per_action, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bad_items_fail_the_whole_batch, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_pseudonyms_and_key_file, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_tokens, fixture_setup, fixture_teardown),
        cmocka_unit_test(test_roles_and_names),
        cmocka_unit_test_setup_teardown(test_organizations_are_isolated, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_limits_of_arguments, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_busy_database, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
