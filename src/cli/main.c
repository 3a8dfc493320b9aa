/* sangloc — command-line entry: dispatches to one subcommand per file (cmd_*.c). */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

#define SL_VERSION "0.1.0"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static int cmd_version(int argc, char **argv)
{
    printf("sangloc %s\n", SL_VERSION);
    return 0;
}

static const command commands[] = {
    {"check", sl_cmd_check, "screen posts against a policy; one JSON verdict per line"},
    {"version", cmd_version, "print the version"},
    {"bank", sl_cmd_bank, "build banks of known hoaxes/documents and match posts against them"},
    {"policy", sl_cmd_policy, "lint a policy file or run its test cases (policy check|test FILE)"},
    {"normalize", sl_cmd_normalize, "print the normalized views of texts"},
    {"train", sl_cmd_train, "train a model file from JSON-lines data"},
    {"model", sl_cmd_model, "describe a model file (sangloc model info FILE)"},
    {"eval", sl_cmd_eval, "measure a model on labelled dev data"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: sangloc COMMAND [OPTIONS] [FILES...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'sangloc COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        return cmd_version(argc, argv);
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "sangloc: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
