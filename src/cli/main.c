/* sangloc — command-line entry: dispatches to one subcommand per file (cmd_*.c), then checks
 * that the subcommand's output was written (cli/output.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/output.h"

#define SL_VERSION "0.1.0"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static void usage(FILE *out);

static bool is_help(const char *arg)
{
    return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

static int cmd_version(int argc, char **argv)
{
    if (argc > 1 && is_help(argv[1])) {
        printf("usage: sangloc version (or sangloc --version, sangloc -V)\n");
        return 0;
    }
    if (argc > 1) return sl__cli_usage_error("version", usage, "unknown option '%s'", argv[1]);
    printf("sangloc %s\n", SL_VERSION);
    return 0;
}

static int cmd_help(int argc, char **argv);

static const command commands[] = {
    {"check", sl_cmd_check, "screen posts against a policy; one JSON verdict per line"},
    {"bank", sl_cmd_bank, "build banks of known hoaxes/documents and match posts against them"},
    {"policy", sl_cmd_policy, "lint a policy file or run its test cases (policy check|test FILE)"},
    {"normalize", sl_cmd_normalize, "print the normalized views of texts"},
    {"train", sl_cmd_train, "train a model file from JSON-lines data"},
    {"pretrain", sl_cmd_pretrain, "learn word vectors from unlabeled JSON-lines text"},
    {"model", sl_cmd_model, "describe a model file (sangloc model info FILE)"},
    {"eval", sl_cmd_eval, "measure a model on labelled dev data"},
    {"token", sl_cmd_token, "create, list and revoke the service's access tokens"},
    {"serve", sl_cmd_serve, "run the HTTP service (API, store, tokens, queues)"},
    {"work", sl_cmd_work, "screen and store the posts of a Kafka topic (a consumer group)"},
    {"purge", sl_cmd_purge, "purge the raw text of items past their retention"},
    {"webhook", sl_cmd_webhook, "rotate the secret that signs the service's webhooks"},
    {"audit", sl_cmd_audit, "verify the store's audit log; sign checkpoints of it"},
    {"help", cmd_help, "describe sangloc or one command (sangloc help COMMAND)"},
    {"version", cmd_version, "print the version (also --version, -V)"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: sangloc COMMAND [OPTIONS] [FILES...]\n"
                 "       sangloc --help | --version\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'sangloc help COMMAND' or 'sangloc COMMAND --help' describes a command;\n"
                 "'man sangloc' describes them all.\n");
}

static const command *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(name, commands[i].name)) return &commands[i];
    return NULL;
}

/* `sangloc help [COMMAND]`: the same text as --help, on stdout. */
static int cmd_help(int argc, char **argv)
{
    if (argc < 2 || is_help(argv[1])) {
        usage(stdout);
        return 0;
    }
    if (argv[1][0] == '-')
        return sl__cli_usage_error("help", usage, "unknown option '%s'", argv[1]);
    const command *c = find(argv[1]);
    if (!c) return sl__cli_usage_error("help", usage, "unknown command '%s'", argv[1]);
    if (c->run == cmd_help || c->run == cmd_version) {
        usage(stdout);
        return 0;
    }
    char *args[] = {argv[1], "--help", NULL};
    return c->run(2, args);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (is_help(name)) {
        usage(stdout);
        return sl__cli_finish_output(NULL, 0);
    }
    if (!strcmp(name, "--version") || !strcmp(name, "-V"))
        return sl__cli_finish_output(NULL, cmd_version(argc - 1, argv + 1));
    const command *c = find(name);
    if (!c) return sl__cli_usage_error(NULL, usage, "unknown command '%s'", name);
    return sl__cli_finish_output(c->name, c->run(argc - 1, argv + 1));
}
