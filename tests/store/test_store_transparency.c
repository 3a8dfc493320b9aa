/* Statements of reasons listed by the store (sl_store_statements): which restrictions are
 * statements (a person's remove and keep of a restricted item, an automated hide, a reporter's
 * appeal overturned) and which are not (keep of a published item, restore), the source and
 * automation flags, the end dates a restore or an overturned appeal sets, keyset pages that
 * neither repeat nor skip, `since`, malformed cursors, and organizations kept apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_fixture.h"

typedef struct people {
    sl_token_info integ, rev, appeals, other_integ;
} people;

static void token(sl_store *s, const char *name, sl_role role, const char *org, sl_token_info *t)
{
    char secret[SL_TOKEN_SECRET_SIZE];
    sl_error err = {0};
    assert_int_equal(sl_store_token_create(s, name, role, org, secret, t, &err), SL_OK);
}

static void ingest(sl_store *s, const char *org, int64_t actor, const char *id, sl_store_action a)
{
    static const sl_store_rule_ref hide_rule = {"insult.words", "insult", "No insults."};
    sl_store_item it = make_item("fb", id, a, a == SL_STORE_HIDE ? 0.9 : 0.1);
    it.hide_rule = &hide_rule;
    sl_ingest_result r;
    sl_error err = {0};
    assert_int_equal(sl_store_ingest(s, org, actor, &it, 1, &r, &err), SL_OK);
}

static void decide(sl_store *s, const people *p, const char *id, sl_store_outcome o,
                   sl_store_decision_out *out)
{
    int64_t v = 0;
    sl_error err = {0};
    assert_int_equal(sl_store_item_version(s, "default", "fb", 2, id, strlen(id), &v, &err), SL_OK);
    sl_store_decision_in in = {.channel = "fb",
                               .channel_len = 2,
                               .id = id,
                               .id_len = strlen(id),
                               .version = v,
                               .outcome = o,
                               .rule = {"pii.phone", "personal_data", "Không đăng số điện thoại."},
                               .note = "ghi chú riêng của Lê Văn Cường",
                               .note_len = strlen("ghi chú riêng của Lê Văn Cường"),
                               .engine_version = ""};
    sl_store_refusal why;
    assert_int_equal(sl_store_decide(s, "default", p->rev.id, &in, out, &why, &err), SL_OK);
}

static sl_store_report_out report(sl_store *s, const people *p, const char *id)
{
    sl_store_report_in in = {.channel = "fb",
                             .channel_len = 2,
                             .id = id,
                             .id_len = strlen(id),
                             .reason = "personal_data",
                             .reason_len = strlen("personal_data")};
    sl_store_report_out out;
    sl_error err = {0};
    assert_int_equal(sl_store_report(s, "default", p->integ.id, &in, &out, &err), SL_OK);
    return out;
}

static int64_t appeal(sl_store *s, const char *token)
{
    sl_store_appeal_out ao;
    sl_store_refusal why;
    sl_error err = {0};
    assert_int_equal(sl_store_appeal(s, token, SL_APPEAL_TOKEN_LEN, "xin xem lại",
                                     strlen("xin xem lại"), &ao, &why, &err),
                     SL_OK);
    return ao.appeal;
}

static void overturn(sl_store *s, const people *p, int64_t appeal_id)
{
    sl_store_appeal_decision_out ad;
    sl_store_refusal why;
    sl_error err = {0};
    assert_int_equal(sl_store_appeal_decide(s, "default", p->appeals.id, appeal_id,
                                            SL_STORE_OVERTURN, "nhầm", 6, &ad, &why, &err),
                     SL_OK);
}

/* A copy of what a test compares: source, id, item and the facts. */
typedef struct seen {
    sl_statement_source source;
    int64_t id, item, applied_at, ended_at;
    bool reported, detected, automated;
    char rule[64];
} seen;

static size_t list_all(sl_store *s, const char *org, int64_t since, size_t limit, seen *out,
                       size_t cap)
{
    char cursor[SL_STORE_CURSOR_SIZE] = "";
    size_t n = 0;
    for (int pages = 0; pages < 100; pages++) {
        sl_statement_page page;
        sl_error err = {0};
        assert_int_equal(
            sl_store_statements(s, org, since, limit, cursor, strlen(cursor), &page, &err), SL_OK);
        assert_true(page.n <= limit);
        for (size_t k = 0; k < page.n; k++) {
            assert_true(n < cap);
            const sl_store_statement *r = &page.rows[k];
            seen *v = &out[n++];
            *v = (seen){r->source,
                        r->id,
                        r->item,
                        r->applied_at,
                        r->ended_at,
                        r->reported,
                        r->automated_detection,
                        r->automated_decision,
                        ""};
            snprintf(v->rule, sizeof v->rule, "%s", r->rule);
            /* the facts a statement needs are there; the item's text is not a field at all */
            assert_true(r->policy_version[0]);
            assert_string_equal(r->created_at, "2026-11-30T07:00:00Z");
            assert_true(r->received_at > 0);
            assert_true(r->verdict_len > 0);
        }
        snprintf(cursor, sizeof cursor, "%s", page.next_cursor);
        bool last = !page.next_cursor[0];
        sl_statement_page_free(&page);
        if (last) return n;
    }
    fail_msg("too many pages");
    return n;
}

static const seen *find(const seen *v, size_t n, sl_statement_source src, int64_t item)
{
    for (size_t k = 0; k < n; k++)
        if (v[k].source == src && v[k].item == item) return &v[k];
    return NULL;
}

static int64_t item_no(const fixture *f, const char *id)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT i.id FROM items i JOIN organizations o ON o.pk = i.org "
             "WHERE o.id = 'default' AND i.ext_id = '%s'",
             id);
    return sql_int(f, sql);
}

static void test_statements(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    sl_error err = {0};
    assert_int_equal(sl_store_org_put(s, "other", "Báo khác", &err), SL_OK);
    people p;
    token(s, "integration", SL_ROLE_INTEGRATION, "default", &p.integ);
    token(s, "Lê Văn Cường", SL_ROLE_REVIEWER, "default", &p.rev);
    token(s, "Phạm Thu Hà", SL_ROLE_APPEALS, "default", &p.appeals);
    token(s, "integration", SL_ROLE_INTEGRATION, "other", &p.other_integ);
    int64_t t0 = f->clock;
    sl_store_decision_out d;

    /* h1: hidden by the engine, restored by a person: a hide statement that ended */
    ingest(s, "default", p.integ.id, "h1", SL_STORE_HIDE);
    /* h2: hidden, then removed, and the removal overturned on the author's appeal */
    f->clock += 1000;
    ingest(s, "default", p.integ.id, "h2", SL_STORE_HIDE);
    /* r1: put to review and kept up: no statement */
    f->clock += 1000;
    ingest(s, "default", p.integ.id, "r1", SL_STORE_REVIEW);
    /* a1: allowed, reported by a reader, removed */
    ingest(s, "default", p.integ.id, "a1", SL_STORE_ALLOW);
    /* k1: hidden and kept hidden by a person */
    ingest(s, "default", p.integ.id, "k1", SL_STORE_HIDE);
    /* p1: allowed, reported, kept up, and the reporter's appeal overturned: removed */
    ingest(s, "default", p.integ.id, "p1", SL_STORE_ALLOW);
    /* the other org's hide is never the default org's statement */
    ingest(s, "other", p.other_integ.id, "o1", SL_STORE_HIDE);

    f->clock = t0 + 10000;
    decide(s, &p, "h1", SL_STORE_RESTORE, &d);
    int64_t h1_restored = f->clock;
    f->clock += 1000;
    decide(s, &p, "h2", SL_STORE_REMOVE, &d);
    int64_t h2_decision = d.decision, h2_removed = f->clock;
    char h2_token[SL_APPEAL_TOKEN_SIZE];
    snprintf(h2_token, sizeof h2_token, "%s", d.notice.appeal_token);
    f->clock += 1000;
    decide(s, &p, "r1", SL_STORE_KEEP, &d);
    assert_string_equal(d.notice.id, "");
    f->clock += 1000;
    report(s, &p, "a1");
    f->clock += 1000;
    decide(s, &p, "a1", SL_STORE_REMOVE, &d);
    int64_t a1_decision = d.decision;
    f->clock += 1000;
    decide(s, &p, "k1", SL_STORE_KEEP, &d);
    int64_t k1_decision = d.decision;
    f->clock += 1000;
    sl_store_report_out pr = report(s, &p, "p1");
    f->clock += 1000;
    decide(s, &p, "p1", SL_STORE_KEEP, &d);
    f->clock += 1000;
    int64_t p1_appeal = appeal(s, pr.appeal_token);
    f->clock += 1000;
    overturn(s, &p, p1_appeal);
    int64_t p1_removed = f->clock;
    f->clock += 1000;
    overturn(s, &p, appeal(s, h2_token));
    int64_t h2_restored = f->clock;

    seen all[32];
    size_t n = list_all(s, "default", 0, 1000, all, 32);
    /* hides of h1, h2, k1; decisions on h2, a1, k1; the appeal on p1 */
    assert_int_equal(n, 7);
    for (size_t k = 1; k < n; k++) assert_true(all[k - 1].applied_at <= all[k].applied_at);

    const seen *v = find(all, n, SL_STATEMENT_AUTOMATED_HIDE, item_no(f, "h1"));
    assert_non_null(v);
    assert_int_equal(v->applied_at, t0);
    assert_int_equal(v->ended_at, h1_restored);
    assert_true(v->automated && v->detected && !v->reported);
    assert_string_equal(v->rule, "insult.words");

    v = find(all, n, SL_STATEMENT_AUTOMATED_HIDE, item_no(f, "h2"));
    assert_non_null(v);
    assert_int_equal(v->ended_at, h2_restored); /* hidden, then removed, until published */
    v = find(all, n, SL_STATEMENT_DECISION, item_no(f, "h2"));
    assert_non_null(v);
    assert_int_equal(v->id, h2_decision);
    assert_int_equal(v->applied_at, h2_removed);
    assert_int_equal(v->ended_at, h2_restored);
    assert_true(!v->automated && v->detected && !v->reported);
    assert_string_equal(v->rule, "pii.phone");

    assert_null(find(all, n, SL_STATEMENT_DECISION, item_no(f, "r1")));
    assert_null(find(all, n, SL_STATEMENT_DECISION, item_no(f, "h1"))); /* a restore */

    v = find(all, n, SL_STATEMENT_DECISION, item_no(f, "a1"));
    assert_non_null(v);
    assert_int_equal(v->id, a1_decision);
    assert_true(v->reported && !v->detected && !v->automated);
    assert_int_equal(v->ended_at, 0);

    v = find(all, n, SL_STATEMENT_DECISION, item_no(f, "k1"));
    assert_non_null(v);
    assert_int_equal(v->id, k1_decision);
    assert_int_equal(v->ended_at, 0);
    assert_non_null(find(all, n, SL_STATEMENT_AUTOMATED_HIDE, item_no(f, "k1")));

    v = find(all, n, SL_STATEMENT_APPEAL, item_no(f, "p1"));
    assert_non_null(v);
    assert_int_equal(v->id, p1_appeal);
    assert_int_equal(v->applied_at, p1_removed);
    assert_true(v->reported && !v->detected && !v->automated);
    assert_null(find(all, n, SL_STATEMENT_DECISION, item_no(f, "p1"))); /* its keep left it up */

    /* pages of 1, 2 and 3 give the same statements in the same order */
    for (size_t limit = 1; limit <= 3; limit++) {
        seen paged[32];
        assert_int_equal(list_all(s, "default", 0, limit, paged, 32), n);
        for (size_t k = 0; k < n; k++) {
            assert_int_equal(paged[k].source, all[k].source);
            assert_int_equal(paged[k].id, all[k].id);
        }
    }
    /* since: only what was applied from then on */
    seen later[32];
    size_t nl = list_all(s, "default", h2_removed, 1000, later, 32);
    assert_int_equal(nl, 4);
    for (size_t k = 0; k < nl; k++) assert_true(later[k].applied_at >= h2_removed);

    /* the other org sees its own hide only; an unknown org is not found */
    seen other[4];
    assert_int_equal(list_all(s, "other", 0, 1000, other, 4), 1);
    assert_int_equal(other[0].source, SL_STATEMENT_AUTOMATED_HIDE);
    sl_statement_page page;
    assert_int_equal(sl_store_statements(s, "nobody", 0, 10, NULL, 0, &page, &err),
                     SL_ERR_NOT_FOUND);
    sl_store_close(s);
}

static void test_bad_arguments(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    sl_statement_page page;
    sl_error err = {0};
    assert_int_equal(sl_store_statements(s, "default", 0, 0, NULL, 0, &page, &err), SL_ERR_ARG);
    assert_int_equal(
        sl_store_statements(s, "default", 0, SL_STORE_MAX_PAGE + 1, NULL, 0, &page, &err),
        SL_ERR_ARG);
    assert_int_equal(sl_store_statements(s, "default", 0, 10, "abc", 3, &page, &err),
                     SL_ERR_CURSOR);
    assert_int_equal(err.byte, 3);
    char bad[SL_STORE_CURSOR_SIZE];
    memset(bad, 'A', SL_STORE_CURSOR_LEN);
    bad[SL_STORE_CURSOR_LEN] = '\0';
    bad[5] = '*';
    assert_int_equal(
        sl_store_statements(s, "default", 0, 10, bad, SL_STORE_CURSOR_LEN, &page, &err),
        SL_ERR_CURSOR);
    assert_int_equal(err.byte, 5);
    /* an empty store: no statement, no cursor */
    sl_status st0 = sl_store_statements(s, "default", 0, 10, NULL, 0, &page, &err);
    if (st0) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st0, SL_OK);
    assert_int_equal(page.n, 0);
    assert_string_equal(page.next_cursor, "");
    sl_statement_page_free(&page);
    sl_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_statements, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
