/* `sangloc work`: a Kafka stream worker (include/sangloc/worker.h, docs/worker.md). This file is
 * the program's side: options, shipped defaults (found as `serve` finds them), signals.
 * SIGTERM/SIGINT stop the worker after the batch in hand, SIGHUP reloads the engine; all three
 * are taken by sigwait() on a thread of their own, blocked everywhere else (the Kafka clients'
 * and screening threads inherit the mask). */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/defaults.h"
#include "cli/output.h"
#include "sangloc/worker.h"

#define MAX_BANKS 64

static void usage(FILE *out)
{
    fprintf(out,
            "usage: sangloc work --brokers HOST:PORT[,...] --topic POSTS --group NAME --db URL\n"
            "                    [--out-topic VERDICTS] [--dead-letter-topic T] [--org ID]\n"
            "                    [--secret-file F] [--policy F] [--model F | --no-model]\n"
            "                    [--bank F]... [--threads N] [--batch N] [--kafka KEY=VALUE]...\n"
            "                    [--log-seconds N]\n"
            "\n"
            "Consumes posts (JSON records, one item of POST /v1/items each) from a Kafka topic\n"
            "as a member of a consumer group, screens them and stores them: exactly one stored\n"
            "verdict per post (docs/worker.md). Runs until SIGTERM or SIGINT (the batch in hand\n"
            "is finished and committed); SIGHUP reloads the policy, model and banks.\n"
            "  --brokers LIST      Kafka bootstrap servers\n"
            "  --topic T           the topic of posts\n"
            "  --group NAME        the consumer group (workers of one group share the partitions)\n"
            "  --db URL            the store: PATH, sqlite:PATH or postgresql://...\n"
            "  --org ID            the organization the posts belong to (default 'default')\n"
            "  --secret-file F     the key of the author pseudonyms (default PATH.key for a\n"
            "                      SQLite store; required for PostgreSQL); --key-file F too\n"
            "  --out-topic T       publish each stored verdict, keyed [\"CHANNEL\",ID]\n"
            "  --dead-letter-topic T  send records that are not valid posts there, with the\n"
            "                      error in headers (without it they are logged and counted)\n"
            "  --policy F          policy (default: the shipped policies/default.yaml)\n"
            "  --model F           model (default: the shipped models/default.slm)\n"
            "  --no-model          screen without a model\n"
            "  --bank F            a bank to match against (repeatable)\n"
            "  --threads N         screening threads (default 1)\n"
            "  --batch N           posts per store transaction, 1..%d (default 500)\n"
            "  --kafka KEY=VALUE   a librdkafka setting for both clients (repeatable)\n"
            "  --log-seconds N     seconds between progress lines on stderr (default 5)\n"
            "\n"
            "Exit status: 0 stopped by a signal, 1 stopped while a batch could not be stored or\n"
            "delivered (it is redelivered), 2 usage error or start-up failure.\n",
            SL_WORKER_MAX_BATCH);
}

enum { O_BROKERS = 256, O_TOPIC, O_GROUP, O_DB, O_ORG, O_KEY, O_OUT, O_DLQ, O_POLICY, O_MODEL };
enum { O_NO_MODEL = O_MODEL + 1, O_BANK, O_THREADS, O_BATCH, O_KAFKA, O_LOG };

static sl_worker *the_worker;

/* Takes SIGTERM, SIGINT and SIGHUP for the whole process. */
static void *signals(void *arg)
{
    sigset_t *set = arg;
    for (;;) {
        int sig = 0;
        if (sigwait(set, &sig)) continue;
        if (sig == SIGHUP) {
            sl_worker_reload(the_worker);
            continue;
        }
        sl_worker_stop(the_worker);
        return NULL;
    }
}

int sl_cmd_work(int argc, char **argv)
{
    static const struct option longs[] = {{"brokers", required_argument, 0, O_BROKERS},
                                          {"topic", required_argument, 0, O_TOPIC},
                                          {"group", required_argument, 0, O_GROUP},
                                          {"db", required_argument, 0, O_DB},
                                          {"org", required_argument, 0, O_ORG},
                                          {"secret-file", required_argument, 0, O_KEY},
                                          {"key-file", required_argument, 0, O_KEY},
                                          {"out-topic", required_argument, 0, O_OUT},
                                          {"dead-letter-topic", required_argument, 0, O_DLQ},
                                          {"policy", required_argument, 0, O_POLICY},
                                          {"model", required_argument, 0, O_MODEL},
                                          {"no-model", no_argument, 0, O_NO_MODEL},
                                          {"bank", required_argument, 0, O_BANK},
                                          {"threads", required_argument, 0, O_THREADS},
                                          {"batch", required_argument, 0, O_BATCH},
                                          {"kafka", required_argument, 0, O_KAFKA},
                                          {"log-seconds", required_argument, 0, O_LOG},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    sl_worker_options o = {.org = "default"};
    const char *banks[MAX_BANKS], *kafka[SL_WORKER_MAX_KAFKA];
    size_t nbanks = 0, nkafka = 0;
    const char *policy = NULL, *model = NULL;
    bool no_model = false;
    unsigned long long threads = 1, batch = 500, log_seconds = 5;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (c) {
        case O_BROKERS:
            o.brokers = optarg;
            break;
        case O_TOPIC:
            o.topic = optarg;
            break;
        case O_GROUP:
            o.group = optarg;
            break;
        case O_DB:
            o.db = optarg;
            break;
        case O_ORG:
            o.org = optarg;
            break;
        case O_KEY:
            o.key_file = optarg;
            break;
        case O_OUT:
            o.out_topic = optarg;
            break;
        case O_DLQ:
            o.dead_letter_topic = optarg;
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
                return sl__cli_usage_error("work", usage, "at most %d banks", MAX_BANKS);
            banks[nbanks++] = optarg;
            break;
        case O_KAFKA:
            if (nkafka == SL_WORKER_MAX_KAFKA)
                return sl__cli_usage_error("work", usage, "at most %d --kafka settings",
                                           SL_WORKER_MAX_KAFKA);
            if (!strchr(optarg, '=') || optarg[0] == '=')
                return sl__cli_usage_error("work", usage, "--kafka: '%s' is not KEY=VALUE", optarg);
            kafka[nkafka++] = optarg;
            break;
        case O_THREADS:
            if (!sl__cli_parse_uint("work", "--threads", optarg, 1, SL_WORKER_MAX_THREADS,
                                    &threads))
                return 2;
            break;
        case O_BATCH:
            if (!sl__cli_parse_uint("work", "--batch", optarg, 1, SL_WORKER_MAX_BATCH, &batch))
                return 2;
            break;
        case O_LOG:
            if (!sl__cli_parse_uint("work", "--log-seconds", optarg, 1, 86400, &log_seconds))
                return 2;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            return sl__cli_getopt_error("work", usage, c, argv);
        }
    }
    if (optind < argc)
        return sl__cli_usage_error("work", usage, "unexpected argument '%s'", argv[optind]);
    const char *missing = !o.brokers ? "--brokers"
                          : !o.topic ? "--topic"
                          : !o.group ? "--group"
                          : !o.db    ? "--db"
                                     : NULL;
    if (missing) return sl__cli_usage_error("work", usage, "%s is required", missing);
    bool pg = !strncmp(o.db, "postgresql://", 13) || !strncmp(o.db, "postgres://", 11);
    if (pg && !o.key_file)
        return sl__cli_usage_error("work", usage,
                                   "--secret-file is required with a PostgreSQL store (the key "
                                   "must be the one the servers use)");
    char *owned_policy = NULL, *owned_model = NULL, *owned_key = NULL;
    int rc = 2;
    if (!policy) {
        policy = owned_policy = sl__cli_find_default("policies/default.yaml");
        if (!policy) {
            sl__cli_error("work", NULL, 0, "the default policy was not found; use --policy FILE");
            goto out;
        }
    }
    if (!model && !no_model) model = owned_model = sl__cli_find_default("models/default.slm");
    if (!o.key_file) o.key_file = owned_key = sl__cli_beside_db(o.db, ".key");
    if (!o.key_file) {
        sl__cli_error("work", NULL, 0, "out of memory");
        goto out;
    }
    o.engine = (sl_engine_options){.policy_path = policy,
                                   .model_path = model,
                                   .bank_paths = banks,
                                   .nbanks = nbanks,
                                   .allow_missing_model = no_model};
    o.threads = (int)threads;
    o.batch = (size_t)batch;
    o.kafka = kafka;
    o.nkafka = nkafka;
    o.log_seconds = (int)log_seconds;
    /* every thread started from here on (Kafka's, the pool's) inherits this mask */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    sl_error err = {0};
    if (sl_worker_new(&o, &the_worker, &err)) {
        sl__cli_error("work", err.line ? policy : NULL, err.line, "%s", err.message);
        goto out;
    }
    pthread_t sig_thread;
    if (pthread_create(&sig_thread, NULL, signals, &set)) {
        sl__cli_error("work", NULL, 0, "cannot start the signal thread");
        goto out;
    }
    rc = sl_worker_run(the_worker, &err) ? 1 : 0;
    /* a stop that did not come from a signal: wake the signal thread so that it ends */
    pthread_kill(sig_thread, SIGTERM);
    pthread_join(sig_thread, NULL);
out:
    sl_worker_free(the_worker);
    the_worker = NULL;
    free(owned_policy);
    free(owned_model);
    free(owned_key);
    return rc;
}
