/* `sangloc webhook rotate`: a new webhook signing secret, the old one kept for a grace
 * (include/sangloc/server.h, sl_webhook_secret_rotate; docs/server.md, "Webhooks"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "sangloc/server.h"

static void help(FILE *out)
{
    fprintf(out, "usage: sangloc webhook rotate --secret-file F [--grace-hours H]\n"
                 "\n"
                 "Writes a new secret to F (mode 0600; created when missing) and keeps the one it\n"
                 "replaces in F.prev until the grace ends (default 24 hours; 0: at once). Until\n"
                 "then every delivery carries two signatures, X-Sangloc-Signature: v1=NEW,v1=OLD,\n"
                 "so a receiver may switch to the new secret at any time within the grace. A\n"
                 "running server reads the files again on reload (POST /v1/admin/reload, SIGHUP)\n"
                 "and every minute.\n"
                 "\n"
                 "Exit status: 0 rotated, 2 usage error or the files could not be written.\n");
}

int sl_cmd_webhook(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        help(stdout);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "rotate"))
        return sl__cli_usage_error(
            "webhook", help, argc < 2 ? "name a subcommand (rotate)" : "unknown subcommand '%s'",
            argc < 2 ? "" : argv[1]);
    const char *file = NULL;
    unsigned long long grace = 24;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help(stdout);
            return 0;
        }
        if (!strcmp(a, "--secret-file") || !strcmp(a, "--grace-hours")) {
            if (i + 1 >= argc)
                return sl__cli_usage_error("webhook", help, "option '%s' needs a value", a);
            if (a[2] == 's')
                file = argv[++i];
            else if (!sl__cli_parse_uint("webhook", "--grace-hours", argv[++i], 0,
                                         SL_WEBHOOK_MAX_GRACE_HOURS, &grace))
                return 2;
        } else {
            return sl__cli_usage_error("webhook", help, "unexpected argument '%s'", a);
        }
    }
    if (!file) return sl__cli_usage_error("webhook", help, "--secret-file is required");
    sl_error err = {0};
    if (sl_webhook_secret_rotate(file, (double)grace, &err)) {
        sl__cli_error("webhook", NULL, 0, "%s", err.message);
        return 2;
    }
    if (grace)
        fprintf(stderr,
                "sangloc webhook: new secret in %s; the old one stays valid for %llu h "
                "(%s.prev)\n",
                file, grace, file);
    else
        fprintf(stderr, "sangloc webhook: new secret in %s; the old one is no longer valid\n",
                file);
    return 0;
}
