/* `sangloc purge`: the store's retention run by hand or from cron (sl_store_purge): the raw text
 * of items whose retention has run out is purged, each purge logged in the audit log by the
 * hash of the text. `sangloc serve` runs the same purge daily (--retention-days). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "sangloc/store.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: sangloc purge --db PATH [--retention-days N] [--dry-run]\n"
            "\n"
            "Purges the raw text of every item whose retention has run out: no case of it is\n"
            "open (a review, a report, an appeal) and its last decision, or its receipt when\n"
            "nobody decided it, is at least N days old (default 180). A purged item keeps its\n"
            "state, action and history; its text, its author pseudonym and the quotes in its\n"
            "verdict are erased, and an item.purge entry with the SHA-256 of the text is\n"
            "appended to the audit log. Purging again changes nothing.\n"
            "  --db PATH           the store (a SQLite file or sqlite:PATH; it must exist)\n"
            "  --retention-days N  1..36500 (default 180)\n"
            "  --dry-run           count what would be purged, write nothing\n"
            "Prints 'purged N items' (or 'would purge N items') on standard output.\n"
            "\n"
            "Exit status: 0 fine, 2 usage error or store failure.\n");
}

int sl_cmd_purge(int argc, char **argv)
{
    enum { O_DB = 256, O_DAYS, O_DRY };
    static const struct option longs[] = {{"db", required_argument, 0, O_DB},
                                          {"retention-days", required_argument, 0, O_DAYS},
                                          {"dry-run", no_argument, 0, O_DRY},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    const char *db = NULL;
    unsigned long long days = SL_STORE_DEFAULT_RETENTION_DAYS;
    bool dry = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (c) {
        case O_DB:
            db = optarg;
            break;
        case O_DAYS:
            if (!sl__cli_parse_uint("purge", "--retention-days", optarg, 1,
                                    SL_STORE_MAX_RETENTION_DAYS, &days))
                return 2;
            break;
        case O_DRY:
            dry = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            return sl__cli_getopt_error("purge", usage, c, argv);
        }
    }
    if (optind < argc)
        return sl__cli_usage_error("purge", usage, "unexpected argument '%s'", argv[optind]);
    if (!db) return sl__cli_usage_error("purge", usage, "--db PATH is required");
    /* never create an empty store by mistake */
    const char *path = strncmp(db, "sqlite:", 7) ? db : db + 7;
    struct stat sb;
    if (!strstr(db, "://") && stat(path, &sb) != 0) {
        sl__cli_error("purge", db, 0, "no such database");
        return 2;
    }
    sl_store *s = NULL;
    sl_error err = {0};
    sl_purge_stats ps = {0};
    sl_status st = sl_store_open(db, NULL, &s, &err);
    if (!st) st = sl_store_purge(s, (int)days, dry, &ps, &err);
    sl_store_close(s);
    if (st) {
        sl__cli_error("purge", db, 0, "%s", err.message);
        return 2;
    }
    printf("%s %lld items (retention %llu days)\n", dry ? "would purge" : "purged",
           (long long)ps.purged, days);
    return 0;
}
