/* Engine lifetime and reload: reference counts (a scan keeps its engine alive), a scan used
 * with another engine, the reload slot under load (threads screening while the policy is
 * swapped many times; every verdict's scores must be those of the policy its versions name), a
 * failed reload keeping the old engine, and the load errors and settings that come with it. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, nanosleep */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "sangloc/engine.h"
#include "sangloc/matcher.h"
#include "sangloc/reload.h"

static char dir[256];

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char *path_of(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

/* A policy whose one insult rule has the given weight: the weight shows in every score. */
static void write_policy(const char *name, const char *version, const char *weight)
{
    char text[1024];
    snprintf(text, sizeof text,
             "version: \"%s\"\n"
             "name: reload-test\n"
             "categories: {insult: {}}\n"
             "rules:\n"
             "  - id: insult.words\n"
             "    category: insult\n"
             "    weight: %s\n"
             "    clause: \"No insults.\"\n"
             "    lexicon: words.txt\n",
             version, weight);
    write_file(name, text);
}

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "%s/test-lifetime-XXXXXX", SL_BINARY_DIR);
    if (!mkdtemp(dir)) return -1;
    write_file("words.txt", "óc chó\nvl\n");
    write_policy("a.yaml", "A", "0.5");
    write_policy("b.yaml", "B", "0.8");
    return 0;
}

static int teardown(void **state)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) ? -1 : 0;
}

static sl_engine_options options(const char *policy)
{
    return (sl_engine_options){.policy_path = path_of(policy), .cache_dir = ""};
}

static sl_engine *new_engine(const char *policy)
{
    sl_engine_options o = options(policy);
    sl_engine *e = NULL;
    sl_error err = {0};
    sl_status st = sl_engine_new(&o, &e, &err);
    if (st) print_message("engine: %s (line %zu)\n", err.message, err.line);
    assert_int_equal(st, SL_OK);
    return e;
}

static void test_scan_of_another_engine(void **state)
{
    sl_engine *a = new_engine("a.yaml"), *b = new_engine("b.yaml");
    sl_scan *scan = sl_scan_new(a);
    assert_non_null(scan);
    const sl_verdict *v = (const sl_verdict *)1;
    assert_int_equal(sl_engine_check(b, scan, "óc chó", strlen("óc chó"), &v),
                     SL_ERR_ENGINE_MISMATCH);
    assert_null(v);
    assert_string_equal(sl_status_name(SL_ERR_ENGINE_MISMATCH), "engine_mismatch");
    /* the scan is untouched and still works with its own engine */
    assert_int_equal(sl_engine_check(a, scan, "óc chó", strlen("óc chó"), &v), SL_OK);
    assert_float_equal(v->score, 0.5f, 1e-6);
    sl_scan_free(scan);
    sl_engine_free(a);
    sl_engine_free(b);
}

static void test_scan_keeps_engine_alive(void **state)
{
    sl_engine *e = new_engine("a.yaml");
    sl_scan *scan = sl_scan_new(e);
    assert_non_null(scan);
    assert_ptr_equal(sl_engine_retain(e), e);
    sl_engine_release(e);
    sl_engine_free(e); /* the owner lets go: the scan's reference keeps it (ASan checks) */
    const sl_engine *held = sl_scan_engine(scan);
    const sl_verdict *v;
    assert_int_equal(sl_engine_check(held, scan, "đồ vl", strlen("đồ vl"), &v), SL_OK);
    assert_float_equal(v->score, 0.5f, 1e-6);
    assert_string_equal(sl_engine_policy(held)->version, "A");
    sl_scan_free(scan); /* the last reference */
    sl_engine_release(NULL);
}

/* ---- reload under load ---------------------------------------------------------------- */

typedef struct worker {
    sl_engine_slot *slot;
    atomic_int *stop;
    size_t checked, bad, engines_seen;
} worker;

/* Screens with the slot's current engine, keeping each scan for a while after a swap (old
 * scans drain), and checks that each verdict's score is that of the policy its versions JSON
 * names. */
static void *screen(void *arg)
{
    worker *w = arg;
    static const char text[] = "óc chó";
    sl_scan *scan = NULL;
    size_t uses = 0;
    while (!atomic_load(w->stop)) {
        const sl_engine *e = sl_engine_slot_get(w->slot);
        if (!scan || (sl_scan_engine(scan) != e && uses >= 50)) {
            sl_scan_free(scan);
            scan = sl_scan_new(e);
            uses = 0;
            w->engines_seen++;
        }
        sl_engine_release(e); /* the scan holds its own engine from here */
        if (!scan) {
            w->bad++;
            break;
        }
        const sl_engine *mine = sl_scan_engine(scan);
        const sl_verdict *v;
        if (sl_engine_check(mine, scan, text, sizeof text - 1, &v) != SL_OK) {
            w->bad++;
            continue;
        }
        const char *json = sl_scan_verdict_json(scan, NULL, text, sizeof text - 1, NULL);
        bool a = json && strstr(json, "\"policy\":\"reload-test@A#");
        bool b = json && strstr(json, "\"policy\":\"reload-test@B#");
        float want = a ? 0.5f : 0.8f;
        if (a == b || v->score < want - 1e-6f || v->score > want + 1e-6f) w->bad++;
        w->checked++;
        uses++;
    }
    sl_scan_free(scan);
    return NULL;
}

static void test_reload_under_load(void **state)
{
    sl_engine_options o = options("a.yaml");
    sl_engine_slot *slot = NULL;
    sl_error err = {0};
    assert_int_equal(sl_engine_slot_new(&o, &slot, &err), SL_OK);
    atomic_int stop = 0;
    enum { THREADS = 3, RELOADS = 40 };
    worker w[THREADS];
    pthread_t tid[THREADS];
    for (int t = 0; t < THREADS; t++) {
        w[t] = (worker){slot, &stop, 0, 0, 0};
        assert_int_equal(pthread_create(&tid[t], NULL, screen, &w[t]), 0);
    }
    for (int i = 0; i < RELOADS; i++) {
        sl_engine_options next = options(i % 2 ? "a.yaml" : "b.yaml");
        assert_int_equal(sl_engine_slot_reload(slot, &next, &err), SL_OK);
        nanosleep(&(struct timespec){0, 2000000}, NULL);
    }
    atomic_store(&stop, 1);
    size_t checked = 0, seen = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(tid[t], NULL);
        assert_int_equal(w[t].bad, 0);
        checked += w[t].checked;
        seen += w[t].engines_seen;
    }
    assert_true(checked > 0);
    assert_true(seen > THREADS); /* the workers moved to new engines */
    assert_int_equal(sl_engine_slot_generation(slot), 1 + RELOADS);
    const sl_engine *e = sl_engine_slot_get(slot);
    assert_string_equal(sl_engine_policy(e)->version, "A"); /* the last reload (i = 39) */
    sl_engine_release(e);
    sl_engine_slot_free(slot);
}

static void test_failed_reload_keeps_engine(void **state)
{
    write_policy("live.yaml", "A", "0.5");
    sl_engine_options o = options("live.yaml");
    sl_engine_slot *slot = NULL;
    sl_error err = {0};
    assert_int_equal(sl_engine_slot_new(&o, &slot, &err), SL_OK);
    const sl_engine *before = sl_engine_slot_get(slot);
    /* the file changes to a broken policy: an unknown key on line 5 */
    write_file("live.yaml", "version: \"C\"\n"
                            "name: reload-test\n"
                            "categories: {insult: {}}\n"
                            "rules:\n"
                            "  - idd: insult.words\n");
    memset(&err, 0, sizeof err);
    assert_int_equal(sl_engine_slot_reload(slot, NULL, &err), SL_ERR_POLICY);
    assert_int_equal(err.line, 5);
    assert_non_null(strstr(err.message, "idd"));
    const sl_engine *after = sl_engine_slot_get(slot);
    assert_ptr_equal(after, before);
    assert_int_equal(sl_engine_slot_generation(slot), 1);
    sl_scan *scan = sl_scan_new(after);
    const sl_verdict *v;
    assert_int_equal(sl_engine_check(after, scan, "óc chó", strlen("óc chó"), &v), SL_OK);
    assert_float_equal(v->score, 0.5f, 1e-6);
    sl_scan_free(scan);
    /* fixed on disk: a reload with the slot's own options picks up the new file */
    write_policy("live.yaml", "D", "0.8");
    assert_int_equal(sl_engine_slot_reload(slot, NULL, &err), SL_OK);
    const sl_engine *fixed = sl_engine_slot_get(slot);
    assert_string_equal(sl_engine_policy(fixed)->version, "D");
    assert_string_equal(sl_engine_policy(before)->version, "A"); /* still alive: we hold it */
    sl_engine_release(fixed);
    sl_engine_release(after);
    sl_engine_release(before);
    sl_engine_slot_free(slot);
}

/* ---- load-time checks ------------------------------------------------------------------- */

static void test_model_rule_needs_model(void **state)
{
    write_file("model.yaml", "version: \"1\"\n"
                             "name: model-test\n"
                             "categories: {insult: {}}\n"
                             "rules:\n"
                             "  - id: insult.words\n"
                             "    category: insult\n"
                             "    weight: 0.5\n"
                             "    clause: \"No insults.\"\n"
                             "    lexicon: words.txt\n"
                             "  - id: insult.model\n"
                             "    category: insult\n"
                             "    weight: 0.5\n"
                             "    clause: \"No insults.\"\n"
                             "    model: offensive\n");
    sl_engine_options o = options("model.yaml");
    sl_engine *e = NULL;
    sl_error err = {0};
    assert_int_equal(sl_engine_new(&o, &e, &err), SL_ERR_POLICY);
    assert_null(e);
    assert_int_equal(err.line, 10);
    assert_non_null(strstr(err.message, "insult.model"));
    assert_non_null(strstr(err.message, "no model"));
    o.allow_missing_model = true;
    assert_int_equal(sl_engine_new(&o, &e, &err), SL_OK);
    sl_engine_free(e);
}

static void test_settings(void **state)
{
    /* fold_confidence scales a match made only without diacritics */
    write_file("settings.yaml", "version: \"1\"\n"
                                "name: settings-test\n"
                                "settings: {fold_confidence: 0.5, bank_min_similarity: 0.7, "
                                "appeal_days: 3}\n"
                                "categories: {insult: {}}\n"
                                "rules:\n"
                                "  - id: insult.words\n"
                                "    category: insult\n"
                                "    weight: 1\n"
                                "    clause: \"No insults.\"\n"
                                "    lexicon: words.txt\n");
    sl_engine *e = new_engine("settings.yaml");
    const sl_policy *p = sl_engine_policy(e);
    assert_float_equal(p->settings.fold_confidence, 0.5f, 1e-6);
    assert_float_equal(p->settings.bank_min_similarity, 0.7f, 1e-6);
    assert_int_equal(p->settings.appeal_days, 3);
    sl_scan *scan = sl_scan_new(e);
    const sl_verdict *v;
    assert_int_equal(sl_engine_check(e, scan, "oc cho", 6, &v), SL_OK);
    assert_int_equal(v->nhits, 1);
    assert_float_equal(v->hits[0].score, 0.5f, 1e-6);
    sl_scan_free(scan);
    sl_engine_free(e);
    /* defaults, and a bad value named with its line */
    e = new_engine("a.yaml");
    assert_float_equal(sl_engine_policy(e)->settings.fold_confidence,
                       SL_POLICY_DEFAULT_FOLD_CONFIDENCE, 1e-6);
    assert_int_equal(sl_engine_policy(e)->settings.appeal_days, SL_POLICY_DEFAULT_APPEAL_DAYS);
    sl_engine_free(e);
    write_file("bad.yaml", "version: \"1\"\n"
                           "name: settings-test\n"
                           "categories: {insult: {}}\n"
                           "settings:\n"
                           "  fold_confidence: 2\n"
                           "rules: []\n");
    sl_policy *pol = NULL;
    sl_error err = {0};
    assert_int_equal(sl_policy_load(path_of("bad.yaml"), &pol, &err), SL_ERR_POLICY);
    assert_int_equal(err.line, 5);
    assert_non_null(strstr(err.message, "fold_confidence"));
    write_file("bad.yaml", "version: \"1\"\n"
                           "name: settings-test\n"
                           "settings: {similarity: 0.5}\n"
                           "categories: {insult: {}}\n"
                           "rules: []\n");
    assert_int_equal(sl_policy_load(path_of("bad.yaml"), &pol, &err), SL_ERR_POLICY);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.message, "similarity"));
    /* appeal_days: whole days, 1..365, named with its line */
    const char *bad_days[] = {"0", "2.5", "366"};
    for (size_t k = 0; k < 3; k++) {
        char yaml[200];
        snprintf(yaml, sizeof yaml,
                 "version: \"1\"\nname: settings-test\ncategories: {insult: {}}\n"
                 "settings:\n  appeal_days: %s\nrules: []\n",
                 bad_days[k]);
        write_file("bad.yaml", yaml);
        assert_int_equal(sl_policy_load(path_of("bad.yaml"), &pol, &err), SL_ERR_POLICY);
        assert_int_equal(err.line, 5);
        assert_non_null(strstr(err.message, "appeal_days"));
    }
}

/* An engine compiles each regex once, in its matcher: a bad one is still reported in the
 * policy's words, naming the rule and its line. */
static void test_bad_regex_at_engine_load(void **state)
{
    write_file("regex.yaml",
               "version: \"1\"\n"
               "name: regex-test\n"
               "categories: {insult: {}}\n"
               "rules:\n"
               "  - {id: good.re, category: insult, weight: 1, clause: c, regex: 'abc'}\n"
               "  - {id: bad.re, category: insult, weight: 1, clause: c, regex: 'a(b'}\n");
    sl_engine_options o = options("regex.yaml");
    sl_engine *e = NULL;
    sl_error err = {0};
    assert_int_equal(sl_engine_new(&o, &e, &err), SL_ERR_POLICY);
    assert_null(e);
    assert_int_equal(err.line, 6);
    assert_non_null(strstr(err.message, "bad.re"));
    assert_non_null(strstr(err.message, "regex does not compile"));
    /* the policy alone (lint, policy tools) still checks each regex on its own */
    sl_policy *p = NULL;
    assert_int_equal(sl_policy_load(path_of("regex.yaml"), &p, &err), SL_ERR_POLICY);
    assert_int_equal(err.line, 6);
    assert_non_null(strstr(err.message, "regex does not compile"));
}

/* The bytes hashed at load are the bytes compiled: a lexicon edited after the policy was read
 * does not leak into a matcher built from that policy. */
static void test_lexicon_read_once(void **state)
{
    write_file("once.txt", "óc chó\n");
    write_file("once.yaml", "version: \"1\"\n"
                            "name: once\n"
                            "categories: {insult: {}}\n"
                            "rules:\n"
                            "  - {id: insult.words, category: insult, weight: 1, clause: c, "
                            "lexicon: once.txt}\n");
    sl_policy *p = NULL;
    sl_error err = {0};
    assert_int_equal(sl_policy_load(path_of("once.yaml"), &p, &err), SL_OK);
    write_file("once.txt", "đồ ngốc\n"); /* edited in between */
    sl_matcher *m = NULL;
    assert_int_equal(sl_rules_build_matcher(p, "", &m, &err), SL_OK);
    sl_matcher_scratch *s = NULL;
    assert_int_equal(sl_matcher_scratch_new(m, &s), SL_OK);
    sl_text *t = sl_text_new();
    sl_hits hits = {0};
    assert_int_equal(sl_text_build(t, "óc chó", strlen("óc chó"), NULL), SL_OK);
    assert_int_equal(sl_matcher_scan(m, s, t, &hits), SL_OK);
    assert_int_equal(hits.count, 1);
    assert_int_equal(hits.items[0].rule_index, 0);
    sl_hits_clear(&hits);
    assert_int_equal(sl_text_build(t, "đồ ngốc", strlen("đồ ngốc"), NULL), SL_OK);
    assert_int_equal(sl_matcher_scan(m, s, t, &hits), SL_OK);
    assert_int_equal(hits.count, 0);
    sl_hits_free(&hits);
    sl_text_free(t);
    sl_matcher_scratch_free(s);
    sl_matcher_free(m);
    sl_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_of_another_engine),
        cmocka_unit_test(test_scan_keeps_engine_alive),
        cmocka_unit_test(test_reload_under_load),
        cmocka_unit_test(test_failed_reload_keeps_engine),
        cmocka_unit_test(test_model_rule_needs_model),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_lexicon_read_once),
        cmocka_unit_test(test_bad_regex_at_engine_load),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
