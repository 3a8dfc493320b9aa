/* `sangloc token`: the service's access tokens, kept in its store (include/sangloc/store.h).
 *   create  prints a new token once (the store keeps only its hash)
 *   list    every token with its role, organization, times and whether it is revoked
 *   revoke  ends a token for good
 * The command opens the store without the pseudonym key: tokens need none. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "sangloc/store.h"

static void help(FILE *out)
{
    fprintf(out,
            "usage: sangloc token create --db PATH --role ROLE --name NAME [--org ID]\n"
            "       sangloc token list --db PATH\n"
            "       sangloc token revoke --db PATH ID\n"
            "\n"
            "create prints a new token on standard output, once: the store keeps only a hash\n"
            "of it. ROLE is integration, reviewer, appeals, curator, auditor or admin. A token\n"
            "belongs to organization ID (default: \"default\"); only an admin token without\n"
            "--org is global. PATH is a SQLite file (created if missing) or sqlite:PATH.\n"
            "list prints one token a line: id, role, organization (- when global), created,\n"
            "last used, revoked (- for never) and name. revoke ends token ID for good.\n"
            "\n"
            "Exit status: 0 fine, 1 the store refused (unknown token or organization), 2 usage\n"
            "error or store failure.\n");
}

typedef struct opts {
    const char *db, *role, *name, *org, *id;
} opts;

static int parse_opts(int argc, char **argv, opts *o, const char *cmd)
{
    *o = (opts){0};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help(stdout);
            return 0;
        }
        const char **slot = !strcmp(a, "--db")     ? &o->db
                            : !strcmp(a, "--role") ? &o->role
                            : !strcmp(a, "--name") ? &o->name
                            : !strcmp(a, "--org")  ? &o->org
                                                   : NULL;
        if (slot) {
            if (i + 1 >= argc)
                return sl__cli_usage_error(cmd, help, "option '%s' needs a value", a);
            *slot = argv[++i];
        } else if (a[0] == '-' && a[1])
            return sl__cli_usage_error(cmd, help, "unknown option '%s'", a);
        else if (o->id)
            return sl__cli_usage_error(cmd, help, "unexpected argument '%s'", a);
        else
            o->id = a;
    }
    if (!o->db) return sl__cli_usage_error(cmd, help, "--db PATH is required");
    return -1;
}

/* list and revoke must not create an empty store by mistake */
static bool store_missing(const char *db)
{
    const char *path = strncmp(db, "sqlite:", 7) ? db : db + 7;
    struct stat st;
    return !strstr(db, "://") && stat(path, &st) != 0;
}

static sl_store *open_store(const char *cmd, const char *db, bool must_exist)
{
    if (must_exist && store_missing(db)) {
        sl__cli_error(cmd, db, 0, "no such database");
        return NULL;
    }
    sl_store *s = NULL;
    sl_error err = {0};
    if (sl_store_open(db, NULL, &s, &err)) sl__cli_error(cmd, db, 0, "%s", err.message);
    return s;
}

static int cmd_create(const opts *o, const char *cmd)
{
    sl_role role;
    if (!o->role || !o->name)
        return sl__cli_usage_error(cmd, help, "--role ROLE and --name NAME are required");
    if (o->id) return sl__cli_usage_error(cmd, help, "unexpected argument '%s'", o->id);
    if (!sl_role_parse(o->role, strlen(o->role), &role))
        return sl__cli_usage_error(cmd, help, "unknown role '%s'", o->role);
    const char *org = o->org ? o->org : role == SL_ROLE_ADMIN ? NULL : "default";
    sl_store *s = open_store(cmd, o->db, false);
    if (!s) return 2;
    char secret[SL_TOKEN_SECRET_SIZE];
    sl_token_info info;
    sl_error err = {0};
    sl_status st = sl_store_token_create(s, o->name, role, org, secret, &info, &err);
    sl_store_close(s);
    if (st) {
        sl__cli_error(cmd, NULL, 0, "%s", err.message);
        return st == SL_ERR_NOT_FOUND || st == SL_ERR_ARG || st == SL_ERR_TOO_LARGE ? 1 : 2;
    }
    printf("%s\n", secret);
    fprintf(stderr, "sangloc token create: token %lld (%s, %s%s): shown once, keep it now\n",
            (long long)info.id, sl_role_name(role), org ? "organization " : "global",
            org ? org : "");
    return 0;
}

static void put_time(int64_t ms)
{
    if (!ms) {
        fputs("\t-", stdout);
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char buf[32];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("\t%s", buf);
}

static int cmd_list(const opts *o, const char *cmd)
{
    if (o->id) return sl__cli_usage_error(cmd, help, "unexpected argument '%s'", o->id);
    sl_store *s = open_store(cmd, o->db, true);
    if (!s) return 2;
    sl_token_info *list = NULL;
    size_t n = 0;
    sl_error err = {0};
    sl_status st = sl_store_token_list(s, &list, &n, &err);
    sl_store_close(s);
    if (st) {
        sl__cli_error(cmd, o->db, 0, "%s", err.message);
        return 2;
    }
    for (size_t i = 0; i < n && !sl__cli_output_failed(); i++) {
        const sl_token_info *t = &list[i];
        printf("%lld\t%s\t", (long long)t->id, sl_role_name(t->role));
        if (t->org[0])
            sl__cli_fput_visible(stdout, t->org, strlen(t->org));
        else
            fputc('-', stdout);
        put_time(t->created_at);
        put_time(t->last_used_at);
        put_time(t->revoked_at);
        fputc('\t', stdout);
        sl__cli_fput_visible(stdout, t->name, strlen(t->name));
        fputc('\n', stdout);
    }
    free(list);
    return 0;
}

static int cmd_revoke(const opts *o, const char *cmd)
{
    unsigned long long id;
    if (!o->id) return sl__cli_usage_error(cmd, help, "give the ID of the token to revoke");
    if (!sl__cli_parse_uint(cmd, "ID", o->id, 1, INT64_MAX, &id)) return 2;
    sl_store *s = open_store(cmd, o->db, true);
    if (!s) return 2;
    sl_error err = {0};
    sl_status st = sl_store_token_revoke(s, (int64_t)id, &err);
    sl_store_close(s);
    if (st) {
        sl__cli_error(cmd, o->db, 0, "%s", err.message);
        return st == SL_ERR_NOT_FOUND ? 1 : 2;
    }
    printf("token %llu revoked\n", id);
    return 0;
}

int sl_cmd_token(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (argv[1][0] == '-')
        return sl__cli_usage_error("token", help, "unknown option '%s'", argv[1]);
    const char *c = argv[1];
    if (strcmp(c, "create") && strcmp(c, "list") && strcmp(c, "revoke"))
        return sl__cli_usage_error("token", help, "unknown action '%s'", c);
    char cmd[32]; /* "token ACTION", the name errors go under */
    snprintf(cmd, sizeof cmd, "token %s", c);
    opts o;
    int rc = parse_opts(argc, argv, &o, cmd);
    if (rc >= 0) return rc;
    return !strcmp(c, "create") ? cmd_create(&o, cmd)
           : !strcmp(c, "list") ? cmd_list(&o, cmd)
                                : cmd_revoke(&o, cmd);
}
