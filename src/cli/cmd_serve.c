/* `sangloc serve`: the HTTP service (include/sangloc/server.h, docs/server.md). This file is the
 * program's side: options, shipped defaults, signals. SIGTERM/SIGINT stop the server (in-flight
 * replies finish), SIGHUP reloads the engine; all three are taken by sigwait() on the main
 * thread, so the workers never run signal handlers. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/defaults.h"
#include "cli/output.h"
#include "sangloc/server.h"
#include "sangloc/store.h"

#define MAX_BANKS 64

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: sangloc serve [--listen HOST:PORT] [--db PATH|URL] [--secret-file F] [--policy F]\n"
        "                     [--model F | --no-model] [--bank F]... [--threads N]\n"
        "                     [--max-body BYTES] [--config FILE]\n"
        "                     [--rate-limit N/s|N/m [--rate-burst B]] [--retention-days N]\n"
        "                     [--webhook-url URL --webhook-secret-file F]\n"
        "                     [--webhook-attempts N] [--audit-key F] [--audit-name NAME]\n"
        "                     [--session-hours N] [--public-check] [--secure-cookies]\n"
        "\n"
        "Runs the HTTP JSON API (docs/server.md) until SIGTERM or SIGINT; SIGHUP and\n"
        "POST /v1/admin/reload rebuild the engine from the same files.\n"
        "  --listen HOST:PORT  address (default 127.0.0.1:8080; port 0 picks a free one)\n"
        "  --db PATH|URL       the store: a SQLite file (default sangloc.db) or\n"
        "                      postgresql://... shared by several servers (then\n"
        "                      --secret-file and --audit-key are required); created and\n"
        "                      migrated\n"
        "  --secret-file F     the key of the author pseudonyms (HMAC-SHA-256), kept outside\n"
        "                      the database, created with mode 0600 (default PATH.key);\n"
        "                      --key-file F is the same option\n"
        "  --policy F          policy (default: the shipped policies/default.yaml)\n"
        "  --model F           model (default: the shipped models/default.slm)\n"
        "  --no-model          screen without a model\n"
        "  --bank F            a bank to match against (repeatable)\n"
        "  --threads N         worker threads (default 2)\n"
        "  --max-body BYTES    largest request body (default 4194304)\n"
        "  --config FILE       organizations, each with its policy, model and banks (YAML);\n"
        "                      without it one org, 'default', uses the options above\n"
        "  --rate-limit N/s    requests a token may send a second (or N/m: a minute); over\n"
        "                      it the reply is 429 with Retry-After (default: no limit)\n"
        "  --rate-burst B      requests a token may send at once (default: one second's)\n"
        "  --retention-days N  purge raw text N days after the last decision, at start and\n"
        "                      daily (default 180; 0: never, see sangloc purge)\n"
        "  --webhook-url URL   POST signed events of the org to URL (http or https; with\n"
        "                      --config each organization names its own)\n"
        "  --webhook-secret-file F  the signing secret (created 0600 when missing;\n"
        "                      rotate it with 'sangloc webhook rotate')\n"
        "  --webhook-attempts N  attempts before a delivery is given up (default 12)\n"
        "  --audit-key F       Ed25519 key that signs the audit log's checkpoints, kept\n"
        "                      outside the database (default PATH.audit.key)\n"
        "  --audit-name NAME   checkpoint origin \"sangloc/NAME\" (default: the host name)\n"
        "  --session-hours N   a page session lasts N hours (default 8; docs/pages.md)\n"
        "  --public-check      open the draft checker (/check) to anyone, without a\n"
        "                      token, limited per address\n"
        "  --secure-cookies    the pages are reached over https (a TLS proxy): Secure\n"
        "                      session cookie, https:// origin\n"
        "Prints 'listening on http://HOST:PORT' on standard error once it accepts.\n"
        "Tokens: sangloc token create --db PATH --role ROLE --name NAME.\n"
        "\n"
        "Exit status: 0 stopped by a signal, 2 usage error or start-up failure.\n");
}

enum { O_LISTEN = 256, O_DB, O_KEY, O_POLICY, O_MODEL, O_NO_MODEL, O_BANK, O_THREADS, O_BODY };
enum { O_CONFIG = O_BODY + 64 };
enum { O_RATE = 320, O_BURST };
enum { O_RETENTION = 340 };
enum { O_WH_URL = 341, O_WH_KEY, O_WH_TRIES };
enum { O_AUDIT_KEY = 360, O_AUDIT_NAME };
enum { O_SESSION_HOURS = 380, O_PUBLIC_CHECK, O_SECURE_COOKIES };

/* N/s or N/m (N a positive integer, or N alone: a second) as requests a second. */
static bool parse_rate(const char *s, double *rate)
{
    char *end;
    unsigned long long n = strtoull(s, &end, 10);
    if (end == s || *s == '-' || n == 0 || n > 1000000000ull) return false;
    if (!*end || !strcmp(end, "/s")) {
        *rate = (double)n;
        return true;
    }
    if (!strcmp(end, "/m")) {
        *rate = (double)n / 60.0;
        return true;
    }
    return false;
}

/* HOST:PORT, [V6]:PORT or :PORT; host is written into buf. */
static bool split_listen(const char *s, char *host, size_t hsize, unsigned long long *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon) return false;
    const char *h = s;
    size_t hl = (size_t)(colon - s);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl >= hsize) return false;
    memcpy(host, h, hl);
    host[hl] = '\0';
    if (!hl) snprintf(host, hsize, "127.0.0.1");
    return sl__cli_parse_uint("serve", "--listen", colon + 1, 0, 65535, port);
}

int sl_cmd_serve(int argc, char **argv)
{
    static const struct option longs[] = {{"listen", required_argument, 0, O_LISTEN},
                                          {"db", required_argument, 0, O_DB},
                                          {"key-file", required_argument, 0, O_KEY},
                                          {"secret-file", required_argument, 0, O_KEY},
                                          {"retention-days", required_argument, 0, O_RETENTION},
                                          {"policy", required_argument, 0, O_POLICY},
                                          {"model", required_argument, 0, O_MODEL},
                                          {"no-model", no_argument, 0, O_NO_MODEL},
                                          {"bank", required_argument, 0, O_BANK},
                                          {"threads", required_argument, 0, O_THREADS},
                                          {"max-body", required_argument, 0, O_BODY},
                                          {"config", required_argument, 0, O_CONFIG},
                                          {"rate-limit", required_argument, 0, O_RATE},
                                          {"rate-burst", required_argument, 0, O_BURST},
                                          {"webhook-url", required_argument, 0, O_WH_URL},
                                          {"webhook-secret-file", required_argument, 0, O_WH_KEY},
                                          {"webhook-attempts", required_argument, 0, O_WH_TRIES},
                                          {"audit-key", required_argument, 0, O_AUDIT_KEY},
                                          {"audit-name", required_argument, 0, O_AUDIT_NAME},
                                          {"session-hours", required_argument, 0, O_SESSION_HOURS},
                                          {"public-check", no_argument, 0, O_PUBLIC_CHECK},
                                          {"secure-cookies", no_argument, 0, O_SECURE_COOKIES},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    const char *listen = "127.0.0.1:8080", *db = "sangloc.db", *key = NULL, *policy = NULL,
               *model = NULL, *config = NULL, *hook_url = NULL, *hook_secret = NULL,
               *audit_key = NULL, *audit_name = NULL;
    unsigned long long hook_attempts = 0;
    const char *banks[MAX_BANKS];
    size_t nbanks = 0;
    bool no_model = false, public_check = false, secure_cookies = false;
    unsigned long long session_hours = 8;
    unsigned long long threads = 2, max_body = SL_SERVER_DEFAULT_BODY, burst = 0;
    unsigned long long retention = SL_STORE_DEFAULT_RETENTION_DAYS;
    double rate = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (c) {
        case O_LISTEN:
            listen = optarg;
            break;
        case O_DB:
            db = optarg;
            break;
        case O_KEY:
            key = optarg;
            break;
        case O_AUDIT_KEY:
            audit_key = optarg;
            break;
        case O_AUDIT_NAME:
            audit_name = optarg;
            break;
        case O_POLICY:
            policy = optarg;
            break;
        case O_MODEL:
            model = optarg;
            break;
        case O_NO_MODEL:
            no_model = true;
            break;
        case O_BANK:
            if (nbanks == MAX_BANKS)
                return sl__cli_usage_error("serve", usage, "at most %d banks", MAX_BANKS);
            banks[nbanks++] = optarg;
            break;
        case O_THREADS:
            if (!sl__cli_parse_uint("serve", "--threads", optarg, 1, SL_SERVER_MAX_THREADS,
                                    &threads))
                return 2;
            break;
        case O_BODY:
            if (!sl__cli_parse_uint("serve", "--max-body", optarg, 1024, (1ull << 30), &max_body))
                return 2;
            break;
        case O_CONFIG:
            config = optarg;
            break;
        case O_RATE:
            if (!parse_rate(optarg, &rate))
                return sl__cli_usage_error("serve", usage, "--rate-limit: '%s' is not N/s or N/m",
                                           optarg);
            break;
        case O_BURST:
            if (!sl__cli_parse_uint("serve", "--rate-burst", optarg, 1, 1000000000ull, &burst))
                return 2;
            break;
        case O_RETENTION:
            if (!sl__cli_parse_uint("serve", "--retention-days", optarg, 0,
                                    SL_STORE_MAX_RETENTION_DAYS, &retention))
                return 2;
            break;
        case O_WH_URL:
            hook_url = optarg;
            break;
        case O_WH_KEY:
            hook_secret = optarg;
            break;
        case O_WH_TRIES:
            if (!sl__cli_parse_uint("serve", "--webhook-attempts", optarg, 1,
                                    SL_WEBHOOK_MAX_ATTEMPTS, &hook_attempts))
                return 2;
            break;
        case O_SESSION_HOURS:
            if (!sl__cli_parse_uint("serve", "--session-hours", optarg, 1, 720, &session_hours))
                return 2;
            break;
        case O_PUBLIC_CHECK:
            public_check = true;
            break;
        case O_SECURE_COOKIES:
            secure_cookies = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            return sl__cli_getopt_error("serve", usage, c, argv);
        }
    }
    if (optind < argc)
        return sl__cli_usage_error("serve", usage, "unexpected argument '%s'", argv[optind]);
    if (config && (policy || nbanks))
        return sl__cli_usage_error("serve", usage,
                                   "--config names each organization's policy and banks: "
                                   "not with --policy or --bank");
    if (config && (hook_url || hook_secret))
        return sl__cli_usage_error("serve", usage,
                                   "--config names each organization's webhook: not with "
                                   "--webhook-url or --webhook-secret-file");
    if (!hook_url != !hook_secret)
        return sl__cli_usage_error("serve", usage,
                                   "--webhook-url and --webhook-secret-file go together");
    if (hook_url && strncmp(hook_url, "http://", 7) && strncmp(hook_url, "https://", 8))
        return sl__cli_usage_error("serve", usage, "--webhook-url: '%s' is not http(s)://",
                                   hook_url);
    char host[256];
    unsigned long long port;
    if (!split_listen(listen, host, sizeof host, &port)) {
        if (!strrchr(listen, ':'))
            sl__cli_error("serve", NULL, 0, "--listen: '%s' is not HOST:PORT", listen);
        return 2;
    }
    char *owned_policy = NULL, *owned_model = NULL, *owned_key = NULL, *owned_audit = NULL;
    if (!policy) {
        policy = owned_policy = sl__cli_find_default("policies/default.yaml");
        if (!policy) {
            sl__cli_error("serve", NULL, 0, "the default policy was not found; use --policy FILE");
            return 2;
        }
    }
    if (!model && !no_model) model = owned_model = sl__cli_find_default("models/default.slm");
    if (strstr(db, "://") && (!key || !audit_key)) {
        free(owned_policy);
        free(owned_model);
        return sl__cli_usage_error("serve", usage,
                                   "a PostgreSQL store needs --secret-file and --audit-key: "
                                   "every server sharing it must use the same two keys");
    }
    if (!key) key = owned_key = sl__cli_beside_db(db, ".key");
    if (!audit_key) audit_key = owned_audit = sl__cli_beside_db(db, ".audit.key");
    if (!key || !audit_key) {
        sl__cli_error("serve", NULL, 0, "out of memory");
        free(owned_policy);
        free(owned_model);
        free(owned_key);
        free(owned_audit);
        return 2;
    }
    sl_server_options o = {.host = host,
                           .port = (uint16_t)port,
                           .db = db,
                           .key_file = key,
                           .engine = {.policy_path = policy,
                                      .model_path = model,
                                      .bank_paths = banks,
                                      .nbanks = nbanks,
                                      .allow_missing_model = no_model},
                           .threads = (int)threads,
                           .max_body = (size_t)max_body,
                           .config = config,
                           .rate_limit = rate,
                           .rate_burst = (double)burst,
                           .retention_days = (int)retention,
                           .webhook_url = hook_url,
                           .webhook_secret_file = hook_secret,
                           .webhook_attempts = (int)hook_attempts,
                           .audit_key = audit_key,
                           .audit_name = audit_name,
                           .session_hours = (int)session_hours,
                           .public_check = public_check,
                           .secure_cookies = secure_cookies};
    /* the workers inherit this mask: only the main thread takes these signals */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    int rc = 2;
    sl_server *srv = NULL;
    sl_error err = {0};
    if (sl_server_new(&o, &srv, &err) || sl_server_start(srv, &err)) {
        /* a config error names the config's line; an org's policy error names its org */
        bool in_config = config && err.code == SL_ERR_ARG;
        sl__cli_error("serve",
                      err.line && (in_config || !config) ? (config ? config : policy) : NULL,
                      err.line && (in_config || !config) ? err.line : 0, "%s", err.message);
        goto out;
    }
    fprintf(stderr, "listening on http://%s%s%s:%u\n", strchr(host, ':') ? "[" : "", host,
            strchr(host, ':') ? "]" : "", (unsigned)sl_server_port(srv));
    fflush(stderr);
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig)) continue;
        if (sig == SIGHUP) {
            sl_error rerr = {0};
            if (sl_server_reload(srv, &rerr))
                sl__cli_error("serve", rerr.line && !config ? policy : NULL, rerr.line,
                              "reload failed, the old engine keeps screening: %s", rerr.message);
            else
                fprintf(stderr, "sangloc serve: reloaded\n");
            continue;
        }
        fprintf(stderr, "sangloc serve: stopping\n");
        break;
    }
    sl_server_stop(srv);
    rc = 0;
out:
    sl_server_free(srv);
    free(owned_policy);
    free(owned_model);
    free(owned_key);
    free(owned_audit);
    return rc;
}
