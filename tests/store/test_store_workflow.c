/* Review workflow tests on the store: decisions (effects, cases closed, staleness, refusals),
 * notices, grouped reports, appeals (window, one per decision, the same person refused in the
 * store whichever token they use, overturn moving the item), the audit entries written in the
 * same transaction, a refused change leaving nothing behind, and the queues' times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_fixture.h"

#define DAY_MS (86400LL * 1000)

typedef struct people {
    sl_token_info integ, rev, rev_other_token, appeals, appeals_same_person;
} people;

static void token(sl_store *s, const char *name, sl_role role, sl_token_info *t)
{
    char secret[SL_TOKEN_SECRET_SIZE];
    sl_error err = {0};
    assert_int_equal(sl_store_token_create(s, name, role, "default", secret, t, &err), SL_OK);
}

static void make_people(sl_store *s, people *p)
{
    token(s, "integration", SL_ROLE_INTEGRATION, &p->integ);
    token(s, "Lê Văn Cường", SL_ROLE_REVIEWER, &p->rev);
    /* the same person holds an appeals token too */
    token(s, "Lê Văn Cường", SL_ROLE_APPEALS, &p->appeals_same_person);
    token(s, "Phạm Thu Hà", SL_ROLE_APPEALS, &p->appeals);
    token(s, "Đỗ Minh", SL_ROLE_REVIEWER, &p->rev_other_token);
}

static sl_ingest_result ingest(sl_store *s, const people *p, const char *id, sl_store_action a)
{
    static const sl_store_rule_ref hide_rule = {"insult.words", "insult", "No insults."};
    sl_store_item it = make_item("fb", id, a, a == SL_STORE_HIDE ? 0.9 : 0.1);
    it.hide_rule = &hide_rule;
    sl_ingest_result r;
    sl_error err = {0};
    assert_int_equal(sl_store_ingest(s, "default", p->integ.id, &it, 1, &r, &err), SL_OK);
    return r;
}

static int64_t version(sl_store *s, const char *id)
{
    int64_t v = 0;
    sl_error err = {0};
    assert_int_equal(sl_store_item_version(s, "default", "fb", 2, id, strlen(id), &v, &err), SL_OK);
    return v;
}

static sl_store_decision_in decision(const char *id, int64_t ver, sl_store_outcome o)
{
    sl_store_decision_in in = {.channel = "fb",
                               .channel_len = 2,
                               .id = id,
                               .id_len = strlen(id),
                               .version = ver,
                               .outcome = o,
                               .rule = {"insult.words", "insult", "No insults."},
                               .note = "thô tục, nhắm vào người khác",
                               .note_len = strlen("thô tục, nhắm vào người khác"),
                               .engine_version = "{\"engine\":\"test\"}"};
    return in;
}

static sl_item_state state_of(sl_store *s, const char *id)
{
    sl_store_record *rec = NULL;
    sl_error err = {0};
    assert_int_equal(sl_store_item_get(s, "default", "fb", 2, id, strlen(id), &rec, &err), SL_OK);
    sl_item_state st = rec->state;
    sl_store_record_free(rec);
    return st;
}

static long long audit_count(const fixture *f)
{
    return sql_int(f, "SELECT count(*) FROM audit_log");
}

static void test_decide_remove_and_notice(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    people p;
    make_people(s, &p);
    sl_ingest_result r = ingest(s, &p, "1", SL_STORE_HIDE);
    assert_int_equal(r.state, SL_ITEM_HIDDEN);
    assert_int_equal(strlen(r.notice.id), SL_NOTICE_ID_LEN);
    assert_int_equal(r.notice.appeal_until, f->clock + 14 * DAY_MS);
    /* the version a GET shows is the one a decision names */
    sl_store_record *rec = NULL;
    sl_error err = {0};
    assert_int_equal(sl_store_item_get(s, "default", "fb", 2, "1", 1, &rec, &err), SL_OK);
    int64_t v = version(s, "1");
    assert_int_equal(rec->version, v);
    sl_store_record_free(rec);

    f->clock += 60000;
    long long before = audit_count(f);
    sl_store_decision_in in = decision("1", v, SL_STORE_REMOVE);
    in.statement = "Vui lòng giữ lời lẽ lịch sự.";
    in.statement_len = strlen(in.statement);
    sl_store_decision_out out;
    sl_store_refusal why;
    assert_int_equal(sl_store_decide(s, "default", p.rev.id, &in, &out, &why, &err), SL_OK);
    assert_int_equal(out.before, SL_ITEM_HIDDEN);
    assert_int_equal(out.after, SL_ITEM_REMOVED);
    assert_int_equal(out.cases_closed, 1);
    assert_true(out.version > v);
    assert_int_equal(out.version, version(s, "1"));
    assert_int_equal(strlen(out.notice.id), SL_NOTICE_ID_LEN);
    assert_int_equal(strlen(out.notice.appeal_token), SL_APPEAL_TOKEN_LEN);
    assert_int_equal(out.notice.appeal_until, f->clock + 14 * DAY_MS);
    assert_int_equal(state_of(s, "1"), SL_ITEM_REMOVED);
    /* item.decide, case.close and notice.create: in the same transaction as the change */
    assert_int_equal(audit_count(f), before + 3);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log WHERE "
                                "json_extract(entry, '$.action') = 'item.decide' AND "
                                "json_extract(entry, '$.before') = 'hidden' AND "
                                "json_extract(entry, '$.after') = 'removed' AND "
                                "json_extract(entry, '$.data.automated_detection') = 1 AND "
                                "length(json_extract(entry, '$.data.note_sha256')) = 64 AND "
                                "length(json_extract(entry, '$.data.statement_sha256')) = 64"),
                     1);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log WHERE "
                                "instr(entry, 'thô tục') OR instr(entry, 'lịch sự')"),
                     0);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM cases WHERE closed_at IS NULL"), 0);
    assert_int_equal(sql_int(f, "SELECT automated_decision = 0 AND automated_detection = 1 AND "
                                "decided_by_name = 'Lê Văn Cường' FROM decisions"),
                     1);
    /* the token itself is not stored, only its hash */
    assert_false(dir_contains(f, out.notice.appeal_token, SL_APPEAL_TOKEN_LEN));

    /* the notice reads back, for the org and for the token's holder; a wrong token is refused */
    sl_store_notice n;
    assert_int_equal(
        sl_store_notice_get(s, "default", out.notice.id, SL_NOTICE_ID_LEN, NULL, 0, &n, &err),
        SL_OK);
    assert_string_equal(n.kind, "decision");
    assert_string_equal(n.outcome, "remove");
    assert_string_equal(n.rule, "insult.words");
    assert_string_equal(n.clause, "No insults.");
    assert_string_equal(n.statement, "Vui lòng giữ lời lẽ lịch sự.");
    assert_true(n.automated_detection);
    assert_false(n.automated_decision);
    assert_int_equal(n.state, SL_ITEM_REMOVED);
    assert_string_equal(n.item_id, "1");
    sl_store_notice_free(&n);
    assert_int_equal(sl_store_notice_get(s, NULL, out.notice.id, SL_NOTICE_ID_LEN,
                                         out.notice.appeal_token, SL_APPEAL_TOKEN_LEN, &n, &err),
                     SL_OK);
    sl_store_notice_free(&n);
    assert_int_equal(sl_store_notice_get(s, NULL, out.notice.id, SL_NOTICE_ID_LEN,
                                         r.notice.appeal_token, SL_APPEAL_TOKEN_LEN, &n, &err),
                     SL_ERR_AUTH);
    assert_int_equal(
        sl_store_notice_get(s, "other", out.notice.id, SL_NOTICE_ID_LEN, NULL, 0, &n, &err),
        SL_ERR_NOT_FOUND);
    /* the automated hide's notice says so */
    assert_int_equal(
        sl_store_notice_get(s, "default", r.notice.id, SL_NOTICE_ID_LEN, NULL, 0, &n, &err), SL_OK);
    assert_string_equal(n.kind, "automated_hide");
    assert_true(n.automated_decision);
    sl_store_notice_free(&n);

    /* decided, no open case: a second decision is refused and writes nothing */
    before = audit_count(f);
    in = decision("1", version(s, "1"), SL_STORE_RESTORE);
    assert_int_equal(sl_store_decide(s, "default", p.rev.id, &in, &out, &why, &err),
                     SL_ERR_CONFLICT);
    assert_int_equal(why, SL_REFUSE_ALREADY_DECIDED);
    assert_int_equal(audit_count(f), before);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM decisions"), 1);
    sl_store_close(s);
}

static void test_stale_and_refusals_write_nothing(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    people p;
    make_people(s, &p);
    ingest(s, &p, "2", SL_STORE_REVIEW);
    int64_t v = version(s, "2");
    /* someone claims the case meanwhile: the item's version moves */
    sl_queue_entry e;
    size_t n = 0;
    sl_error err = {0};
    assert_int_equal(
        sl_store_queue_claim(s, "default", "pending", p.rev_other_token.id, 1, 60, &e, &n, &err),
        SL_OK);
    long long before = audit_count(f);
    long long events = sql_int(f, "SELECT count(*) FROM item_events");
    sl_store_decision_in in = decision("2", v, SL_STORE_REMOVE);
    sl_store_decision_out out;
    sl_store_refusal why = SL_REFUSE_NONE;
    assert_int_equal(sl_store_decide(s, "default", p.rev.id, &in, &out, &why, &err),
                     SL_ERR_CONFLICT);
    assert_int_equal(why, SL_REFUSE_STALE);
    assert_string_equal(sl_store_refusal_name(why), "stale");
    /* nothing written: no decision, no state change, no entry, no history, the case open */
    assert_int_equal(audit_count(f), before);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM item_events"), events);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM decisions"), 0);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM cases WHERE closed_at IS NULL"), 1);
    assert_int_equal(state_of(s, "2"), SL_ITEM_PUBLISHED);
    /* restore of a published item is refused */
    in = decision("2", version(s, "2"), SL_STORE_RESTORE);
    assert_int_equal(sl_store_decide(s, "default", p.rev.id, &in, &out, &why, &err),
                     SL_ERR_CONFLICT);
    assert_int_equal(why, SL_REFUSE_NOT_RESTRICTED);
    /* a rollback in the middle (an audit entry refused by the database) leaves nothing */
    sql_exec(f, fixture_sql("CREATE TRIGGER no_notices BEFORE INSERT ON notices "
                            "BEGIN SELECT RAISE(ABORT, 'test: no notice'); END;",
                            "CREATE FUNCTION no_notices() RETURNS trigger LANGUAGE plpgsql AS "
                            "$$ BEGIN RAISE EXCEPTION 'test: no notice'; END $$; CREATE TRIGGER "
                            "no_notices BEFORE INSERT ON notices FOR EACH ROW EXECUTE FUNCTION "
                            "no_notices()"));
    in = decision("2", version(s, "2"), SL_STORE_REMOVE);
    before = audit_count(f);
    events = sql_int(f, "SELECT count(*) FROM item_events");
    assert_int_equal(sl_store_decide(s, "default", p.rev.id, &in, &out, &why, &err), SL_ERR_STORE);
    assert_int_equal(audit_count(f), before);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM item_events"), events);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM decisions"), 0);
    assert_int_equal(state_of(s, "2"), SL_ITEM_PUBLISHED);
    sql_exec(f, fixture_sql("DROP TRIGGER no_notices", "DROP TRIGGER no_notices ON notices"));
    /* without the trigger the same removal goes through */
    assert_int_equal(sl_store_decide(s, "default", p.rev.id, &in, &out, &why, &err), SL_OK);
    assert_int_equal(state_of(s, "2"), SL_ITEM_REMOVED);
    /* bad input: an empty note; a token of no org of this one */
    in = decision("2", version(s, "2"), SL_STORE_KEEP);
    in.note_len = 0;
    assert_int_equal(sl_store_decide(s, "default", p.rev.id, &in, &out, &why, &err), SL_ERR_ARG);
    assert_int_equal(sl_store_org_put(s, "other", "Other", &err), SL_OK);
    sl_token_info stranger;
    char secret[SL_TOKEN_SECRET_SIZE];
    assert_int_equal(
        sl_store_token_create(s, "x", SL_ROLE_REVIEWER, "other", secret, &stranger, &err), SL_OK);
    in = decision("2", version(s, "2"), SL_STORE_KEEP);
    assert_int_equal(sl_store_decide(s, "default", stranger.id, &in, &out, &why, &err),
                     SL_ERR_AUTH);
    sl_store_close(s);
}

static void test_reports_grouped(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    people p;
    make_people(s, &p);
    ingest(s, &p, "3", SL_STORE_ALLOW);
    const char *reasons[] = {"insult", "personal_data", "insult"};
    sl_store_report_out out[3];
    sl_error err = {0};
    for (int k = 0; k < 3; k++) {
        sl_store_report_in in = {.channel = "fb",
                                 .channel_len = 2,
                                 .id = "3",
                                 .id_len = 1,
                                 .reason = reasons[k],
                                 .reason_len = strlen(reasons[k]),
                                 .text = "số điện thoại của tôi ở đây",
                                 .text_len = strlen("số điện thoại của tôi ở đây"),
                                 .reporter = "reader-Hoàng Yến",
                                 .reporter_len = strlen("reader-Hoàng Yến")};
        assert_int_equal(sl_store_report(s, "default", p.integ.id, &in, &out[k], &err), SL_OK);
        assert_int_equal(out[k].opened, k == 0);
        assert_int_equal(out[k].case_id, out[0].case_id);
        assert_int_equal(out[k].reports, k + 1);
        assert_int_equal(strlen(out[k].appeal_token), SL_APPEAL_TOKEN_LEN);
    }
    assert_int_equal(sql_int(f, "SELECT count(*) FROM cases WHERE queue = 'reported'"), 1);
    sl_store_case_reports cr;
    assert_int_equal(sl_store_case_reports_get(s, "default", out[0].case_id, &cr, &err), SL_OK);
    assert_int_equal(cr.reports, 3);
    assert_int_equal(cr.nreasons, 2);
    assert_string_equal(cr.reasons[0].reason, "insult");
    assert_int_equal(cr.reasons[0].count, 2);
    /* the reporter is a pseudonym; the case.open and report.create entries are there */
    assert_false(dir_contains(f, "Hoàng Yến", strlen("Hoàng Yến")));
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log WHERE "
                                "json_extract(entry, '$.action') = 'report.create'"),
                     3);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log WHERE "
                                "json_extract(entry, '$.action') = 'case.open' AND "
                                "json_extract(entry, '$.data.queue') = 'reported'"),
                     1);
    /* the reporter cannot appeal before a decision; after a keep, they can (once) */
    sl_store_appeal_out ao;
    sl_store_refusal why;
    assert_int_equal(sl_store_appeal(s, out[0].appeal_token, SL_APPEAL_TOKEN_LEN, "xin xem lại",
                                     strlen("xin xem lại"), &ao, &why, &err),
                     SL_ERR_CONFLICT);
    assert_int_equal(why, SL_REFUSE_NOT_APPEALABLE);
    f->clock += 1000;
    sl_store_decision_in in = decision("3", version(s, "3"), SL_STORE_KEEP);
    sl_store_decision_out dout;
    assert_int_equal(sl_store_decide(s, "default", p.rev.id, &in, &dout, &why, &err), SL_OK);
    assert_int_equal(dout.cases_closed, 1);
    assert_string_equal(dout.notice.id, ""); /* keep of a published item restricts nothing */
    assert_int_equal(sl_store_appeal(s, out[1].appeal_token, SL_APPEAL_TOKEN_LEN, "xin xem lại",
                                     strlen("xin xem lại"), &ao, &why, &err),
                     SL_OK);
    assert_int_equal(sl_store_appeal(s, out[2].appeal_token, SL_APPEAL_TOKEN_LEN, "tôi nữa",
                                     strlen("tôi nữa"), &ao, &why, &err),
                     SL_ERR_CONFLICT);
    assert_int_equal(why, SL_REFUSE_ALREADY_APPEALED);
    /* overturned: the item the decision left up is removed */
    sl_store_appeal_decision_out ad;
    assert_int_equal(sl_store_appeal_decide(s, "default", p.appeals.id, 1, SL_STORE_OVERTURN,
                                            "vi phạm rõ", strlen("vi phạm rõ"), &ad, &why, &err),
                     SL_OK);
    assert_int_equal(ad.before, SL_ITEM_PUBLISHED);
    assert_int_equal(ad.after, SL_ITEM_REMOVED);
    sl_store_close(s);
}

static void test_appeal_window_and_conflict_of_interest(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    people p;
    make_people(s, &p);
    ingest(s, &p, "4", SL_STORE_HIDE);
    ingest(s, &p, "5", SL_STORE_HIDE);
    sl_error err = {0};
    sl_store_refusal why;
    sl_store_decision_out d4, d5;
    sl_store_decision_in in = decision("4", version(s, "4"), SL_STORE_REMOVE);
    in.appeal_days = 2;
    assert_int_equal(sl_store_decide(s, "default", p.rev.id, &in, &d4, &why, &err), SL_OK);
    in = decision("5", version(s, "5"), SL_STORE_KEEP);
    assert_int_equal(sl_store_decide(s, "default", p.rev.id, &in, &d5, &why, &err), SL_OK);
    assert_int_equal(d5.after, SL_ITEM_HIDDEN);
    assert_true(d5.notice.id[0]); /* keep of a hidden item restricts it: a notice */

    /* item 4's window (2 days) closes exactly at its end */
    f->clock += 2 * DAY_MS;
    sl_store_appeal_out ao;
    assert_int_equal(
        sl_store_appeal(s, d4.notice.appeal_token, SL_APPEAL_TOKEN_LEN, "x", 1, &ao, &why, &err),
        SL_ERR_CONFLICT);
    assert_int_equal(why, SL_REFUSE_WINDOW_CLOSED);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM appeals"), 0);
    /* a made-up token is an auth error */
    char fake[SL_APPEAL_TOKEN_SIZE];
    memcpy(fake, d5.notice.appeal_token, sizeof fake);
    fake[10] = fake[10] == 'A' ? 'B' : 'A';
    assert_int_equal(sl_store_appeal(s, fake, SL_APPEAL_TOKEN_LEN, "x", 1, &ao, &why, &err),
                     SL_ERR_AUTH);
    /* item 5 (14 days) is still open to appeal */
    const char *text = "Tôi chỉ trích dẫn lời người khác.";
    assert_int_equal(sl_store_appeal(s, d5.notice.appeal_token, SL_APPEAL_TOKEN_LEN, text,
                                     strlen(text), &ao, &why, &err),
                     SL_OK);
    assert_string_equal(ao.org, "default");
    sl_store_appeal_out again;
    assert_int_equal(sl_store_appeal(s, d5.notice.appeal_token, SL_APPEAL_TOKEN_LEN, text,
                                     strlen(text), &again, &why, &err),
                     SL_ERR_CONFLICT);
    assert_int_equal(why, SL_REFUSE_ALREADY_APPEALED);
    /* while the appeal is open, a reviewer's decision on the item waits */
    in = decision("5", version(s, "5"), SL_STORE_RESTORE);
    sl_store_decision_out dd;
    assert_int_equal(sl_store_decide(s, "default", p.rev_other_token.id, &in, &dd, &why, &err),
                     SL_ERR_CONFLICT);
    assert_int_equal(why, SL_REFUSE_APPEAL_OPEN);
    sl_store_appeal_info ai;
    assert_int_equal(sl_store_appeal_get(s, "default", 0, ao.case_id, &ai, &err), SL_OK);
    assert_int_equal(ai.id, ao.appeal);
    assert_string_equal(ai.text, text);
    assert_string_equal(ai.decision_outcome, "keep");
    assert_string_equal(ai.decided_by_name, "Lê Văn Cường");

    /* the reviewer, with their own appeals token, may not decide it: refused by the store */
    long long before = audit_count(f);
    sl_store_appeal_decision_out ad;
    assert_int_equal(sl_store_appeal_decide(s, "default", p.appeals_same_person.id, ao.appeal,
                                            SL_STORE_OVERTURN, "ok", 2, &ad, &why, &err),
                     SL_ERR_CONFLICT);
    assert_int_equal(why, SL_REFUSE_CONFLICT_OF_INTEREST);
    assert_int_equal(audit_count(f), before);
    assert_int_equal(state_of(s, "5"), SL_ITEM_HIDDEN);
    /* another person overturns: overruled, published, the appeals case closed, a notice */
    const char *reason = "Trích dẫn để phản bác, không xúc phạm.";
    assert_int_equal(sl_store_appeal_decide(s, "default", p.appeals.id, ao.appeal,
                                            SL_STORE_OVERTURN, reason, strlen(reason), &ad, &why,
                                            &err),
                     SL_OK);
    assert_int_equal(ad.before, SL_ITEM_HIDDEN);
    assert_int_equal(ad.after, SL_ITEM_PUBLISHED);
    assert_int_equal(state_of(s, "5"), SL_ITEM_PUBLISHED);
    assert_string_equal(ad.notice.appeal_token, "");
    assert_int_equal(sql_int(f, "SELECT overruled_by FROM decisions WHERE item = "
                                "(SELECT id FROM items WHERE ext_id = '5')"),
                     ao.appeal);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM cases WHERE queue = 'appeals' AND "
                                "closed_at IS NOT NULL AND close_reason = 'appeal_overturned'"),
                     1);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_log WHERE "
                                "json_extract(entry, '$.action') = 'appeal.decide' AND "
                                "json_extract(entry, '$.after') = 'published' AND "
                                "json_extract(entry, '$.actor.name') = 'Phạm Thu Hà'"),
                     1);
    sl_store_notice n;
    assert_int_equal(sl_store_notice_get(s, NULL, ad.notice.id, SL_NOTICE_ID_LEN,
                                         d5.notice.appeal_token, SL_APPEAL_TOKEN_LEN, &n, &err),
                     SL_OK);
    assert_string_equal(n.kind, "appeal_outcome");
    assert_string_equal(n.outcome, "overturn");
    assert_string_equal(n.appeal_reason, reason);
    assert_int_equal(n.appeal_until, 0);
    sl_store_notice_free(&n);
    /* decided once */
    assert_int_equal(sl_store_appeal_decide(s, "default", p.appeals.id, ao.appeal, SL_STORE_UPHOLD,
                                            "x", 1, &ad, &why, &err),
                     SL_ERR_CONFLICT);
    assert_int_equal(why, SL_REFUSE_APPEAL_DECIDED);
    sl_store_close(s);
}

static void test_appeal_of_automated_hide(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    people p;
    make_people(s, &p);
    sl_ingest_result r = ingest(s, &p, "6", SL_STORE_HIDE);
    sl_error err = {0};
    sl_store_refusal why;
    /* the author appeals the engine's hide before any person has looked */
    sl_store_appeal_out ao;
    assert_int_equal(sl_store_appeal(s, r.notice.appeal_token, SL_APPEAL_TOKEN_LEN, "trích dẫn",
                                     strlen("trích dẫn"), &ao, &why, &err),
                     SL_OK);
    sl_store_appeal_info ai;
    assert_int_equal(sl_store_appeal_get(s, "default", ao.appeal, 0, &ai, &err), SL_OK);
    assert_int_equal(ai.decision, 0);
    assert_string_equal(ai.notice, r.notice.id);
    /* no decision to protect: the reviewer who would have decided may judge it */
    sl_store_appeal_decision_out ad;
    assert_int_equal(sl_store_appeal_decide(s, "default", p.appeals_same_person.id, ao.appeal,
                                            SL_STORE_OVERTURN, "không vi phạm",
                                            strlen("không vi phạm"), &ad, &why, &err),
                     SL_OK);
    assert_int_equal(ad.after, SL_ITEM_PUBLISHED);
    /* its wait in pending ends too */
    assert_int_equal(sql_int(f, "SELECT count(*) FROM cases WHERE closed_at IS NULL"), 0);
    assert_int_equal(sql_int(f, "SELECT count(*) FROM cases WHERE queue = 'pending' AND "
                                "close_reason = 'appeal_overturned'"),
                     1);
    sl_store_notice n;
    assert_int_equal(
        sl_store_notice_get(s, "default", ad.notice.id, SL_NOTICE_ID_LEN, NULL, 0, &n, &err),
        SL_OK);
    assert_string_equal(n.kind, "appeal_outcome");
    assert_string_equal(n.rule, "insult.words"); /* the hide's rule */
    sl_store_notice_free(&n);
    /* a second ingest of a hidden item, decided by a person: its hide notice is superseded */
    sl_ingest_result r7 = ingest(s, &p, "7", SL_STORE_HIDE);
    sl_store_decision_in in = decision("7", version(s, "7"), SL_STORE_REMOVE);
    sl_store_decision_out d7;
    assert_int_equal(sl_store_decide(s, "default", p.rev.id, &in, &d7, &why, &err), SL_OK);
    assert_int_equal(
        sl_store_appeal(s, r7.notice.appeal_token, SL_APPEAL_TOKEN_LEN, "x", 1, &ao, &why, &err),
        SL_ERR_CONFLICT);
    assert_int_equal(why, SL_REFUSE_SUPERSEDED);
    sl_store_close(s);
}

static void test_queue_times(void **state)
{
    fixture *f = *state;
    sl_store *s = fixture_open(f);
    people p;
    make_people(s, &p);
    /* five cases decided after 1, 2, 3, 4 and 10 minutes */
    const int minutes[] = {1, 2, 3, 4, 10};
    for (int k = 0; k < 5; k++) {
        char id[8];
        snprintf(id, sizeof id, "q%d", k);
        ingest(s, &p, id, SL_STORE_REVIEW);
        f->clock += minutes[k] * 60000LL;
        sl_store_decision_in in = decision(id, version(s, id), SL_STORE_KEEP);
        sl_store_decision_out out;
        sl_error err = {0};
        assert_int_equal(sl_store_decide(s, "default", p.rev.id, &in, &out, NULL, &err), SL_OK);
    }
    sl_queue_times t;
    sl_error err = {0};
    assert_int_equal(sl_store_queue_times(s, "default", "pending", 30 * DAY_MS, &t, &err), SL_OK);
    assert_int_equal(t.closed, 5);
    assert_int_equal(t.p50_ms, 3 * 60000); /* nearest rank: the 3rd of 5 */
    assert_int_equal(t.p90_ms, 10 * 60000);
    /* 31 days later they are out of the window */
    f->clock += 31 * DAY_MS;
    assert_int_equal(sl_store_queue_times(s, "default", "pending", 30 * DAY_MS, &t, &err), SL_OK);
    assert_int_equal(t.closed, 0);
    assert_int_equal(t.p50_ms, 0);
    sl_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_decide_remove_and_notice, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_stale_and_refusals_write_nothing, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_reports_grouped, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_appeal_window_and_conflict_of_interest, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_appeal_of_automated_hide, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_queue_times, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
