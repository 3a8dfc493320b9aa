/* sangloc policy test — runs a policy's own test cases through the full engine and reports
 * every case whose action differs from the one the policy expects. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/defaults.h"
#include "sangloc/engine.h"

static int run_cases(const sl_engine *engine, const char *path, bool verbose)
{
    const sl_policy *p = sl_engine_policy(engine);
    sl_scan *scan = sl_scan_new(engine);
    if (!scan) return 2;
    size_t failed = 0;
    for (size_t i = 0; i < p->ncases; i++) {
        const sl_policy_case *c = &p->cases[i];
        const sl_verdict *v = NULL;
        if (sl_engine_check(engine, scan, c->text, strlen(c->text), &v) != SL_OK) {
            sl_scan_free(scan);
            return 2;
        }
        bool ok = v->action == c->expect;
        if (!ok) failed++;
        if (!ok || verbose) {
            printf("%s:%zu: %s: expected %s, got %s (score %.2f", path, c->line, ok ? "ok" : "FAIL",
                   sl_action_name(c->expect), sl_action_name(v->action), v->score);
            for (size_t h = 0; h < v->nhits; h++) printf("%s%s", h ? ", " : "; ", v->hits[h].rule);
            printf(") %s\n", c->text);
        }
    }
    sl_scan_free(scan);
    printf("%zu passed, %zu failed\n", p->ncases - failed, failed);
    return failed ? 1 : 0;
}

int sl_cmd_policy_test(int argc, char **argv)
{
    static const struct option longs[] = {{"model", required_argument, 0, 'm'},
                                          {"no-model", no_argument, 0, 'n'},
                                          {"verbose", no_argument, 0, 'v'},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    const char *model = NULL;
    bool no_model = false, verbose = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "vh", longs, NULL)) != -1) {
        if (c == 'm')
            model = optarg;
        else if (c == 'n')
            no_model = true;
        else if (c == 'v')
            verbose = true;
        else {
            fprintf(c == 'h' ? stdout : stderr,
                    "usage: sangloc policy test [--model FILE | --no-model] [-v] FILE\n"
                    "Runs the policy's cases; exit 0 when all pass, 1 when some fail.\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "usage: sangloc policy test [--model FILE | --no-model] [-v] FILE\n");
        return 2;
    }
    char *owned_model = NULL;
    if (!model && !no_model) model = owned_model = sl__cli_find_default("models/default.slm");
    sl_engine_options eo = {.policy_path = argv[optind],
                            .model_path = no_model ? NULL : model,
                            .allow_missing_model = no_model};
    sl_engine *engine = NULL;
    sl_error err = {0};
    int status = 2;
    if (sl_engine_new(&eo, &engine, &err) == SL_OK) {
        status = run_cases(engine, argv[optind], verbose);
    } else {
        fprintf(stderr, "%s:%zu: %s\n", argv[optind], err.line, err.message);
    }
    sl_engine_free(engine);
    free(owned_model);
    return status;
}
