/* sangloc policy test — runs a policy's own test cases through the full engine and reports
 * every case whose action differs from the one the policy expects. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/defaults.h"
#include "cli/output.h"
#include "sangloc/engine.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: sangloc policy test [--model FILE | --no-model] [-v] FILE\n"
                 "Runs the policy's cases through the engine and prints the failing ones as\n"
                 "FILE:LINE: FAIL: expected ACTION, got ACTION (score; rules) TEXT.\n"
                 "  --model FILE   model (default: the shipped models/default.slm if present)\n"
                 "  --no-model     run without a model\n"
                 "  -v, --verbose  print every case\n"
                 "  -h, --help     this help\n"
                 "Exit status: 0 all cases pass, 1 some fail, 2 the policy could not be loaded.\n");
}

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
        if (!ok || verbose) { /* a case's text and rule names are shown visibly */
            sl__cli_fput_visible(stdout, path, strlen(path));
            printf(":%zu: %s: expected %s, got %s (score %.2f", c->line, ok ? "ok" : "FAIL",
                   sl_action_name(c->expect), sl_action_name(v->action), v->score);
            for (size_t h = 0; h < v->nhits; h++) {
                fputs(h ? ", " : "; ", stdout);
                sl__cli_fput_visible(stdout, v->hits[h].rule, strlen(v->hits[h].rule));
            }
            fputs(") ", stdout);
            sl__cli_fput_visible(stdout, c->text, strlen(c->text));
            fputc('\n', stdout);
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
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":vh", longs, NULL)) != -1) {
        if (c == 'm')
            model = optarg;
        else if (c == 'n')
            no_model = true;
        else if (c == 'v')
            verbose = true;
        else if (c == 'h')
            return usage(stdout), 0;
        else
            return sl__cli_getopt_error("policy test", usage, c, argv);
    }
    if (optind != argc - 1)
        return sl__cli_usage_error("policy test", usage, "give exactly one policy FILE");
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
        sl__cli_error("policy test", argv[optind], err.line, "%s", err.message);
    }
    sl_engine_free(engine);
    free(owned_model);
    return status;
}
