/* `sangloc policy check FILE...`: lints policy files and prints every problem as
 * FILE:LINE: message (the format editors and CI logs link to). Exit 0 when every file is
 * clean, 1 when any has problems, 2 on bad usage. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "sangloc/policy.h"

typedef struct lint_ctx {
    const char *path;
    size_t problems;
} lint_ctx;

static void print_problem(const sl_error *err, void *ctx)
{
    lint_ctx *c = ctx;
    c->problems++;
    sl_buf b = {0}; /* messages quote the policy: shown visibly, the path said once */
    sl__cli_put_located(&b, c->path, err->line, err->message);
    sl_buf_puts(&b, "\n");
    if (b.data) fwrite(b.data, 1, b.len, stdout);
    sl_buf_free(&b);
}

static int check_one(const char *path)
{
    lint_ctx c = {path, 0};
    sl_status st = sl_policy_lint(path, print_problem, &c);
    if (st == SL_OK && c.problems == 0) {
        sl__cli_error("policy check", path, 0, "ok");
        return 0;
    }
    sl__cli_error("policy check", path, 0, "%zu problem%s", c.problems, c.problems == 1 ? "" : "s");
    return 1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: sangloc policy check FILE...\n"
            "       sangloc policy test [--model FILE | --no-model] [-v] FILE\n"
            "  check   validate policy files; prints FILE:LINE: message per problem\n"
            "          (exit 0 clean, 1 problems)\n"
            "  test    run the policy's cases through the engine (exit 0 all pass, 1 some fail)\n"
            "  -v, --verbose  (test) print every case, not only the failing ones\n"
            "  -h, --help     this help\n"
            "The policy format is described in docs/policy.md.\n");
}

static int cmd_check(int argc, char **argv)
{
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return sl__cli_usage_error("policy check", usage, "unknown option '%s'", argv[i]);
        nfiles++;
    }
    if (!nfiles) return sl__cli_usage_error("policy check", usage, "give at least one FILE");
    int rc = 0;
    for (int i = 1; i < argc; i++)
        if (check_one(argv[i])) rc = 1;
    return rc;
}

int sl_cmd_policy(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "check")) return cmd_check(argc - 1, argv + 1);
    if (!strcmp(argv[1], "test")) return sl_cmd_policy_test(argc - 1, argv + 1);
    if (argv[1][0] == '-')
        return sl__cli_usage_error("policy", usage, "unknown option '%s'", argv[1]);
    return sl__cli_usage_error("policy", usage, "unknown action '%s'", argv[1]);
}
