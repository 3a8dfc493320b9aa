/* cli/cmd_model.c — `sangloc model info FILE`: prints a model file's version and header (settings,
 * labels, training data with licences, dev figures), after the loader's full check. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "sangloc/model.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: sangloc model info FILE\n"
                 "Checks a model file as the engine would load it and prints its version and\n"
                 "header: settings, labels, training data with licences, dev figures.\n"
                 "Exit status: 0 the model loads, 1 it does not, 2 usage error.\n");
}

int sl_cmd_model(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return sl__cli_usage_error(argc > 1 && !strcmp(argv[1], "info") ? "model info"
                                                                            : "model",
                                       usage, "unknown option '%s'", argv[i]);
    }
    if (argc < 2) return sl__cli_usage_error("model", usage, "give an action: info");
    if (strcmp(argv[1], "info"))
        return sl__cli_usage_error("model", usage, "unknown action '%s'", argv[1]);
    if (argc != 3) return sl__cli_usage_error("model info", usage, "give exactly one FILE");
    sl_model *m;
    sl_error err = {0};
    if (sl_model_load(argv[2], &m, &err)) {
        sl__cli_error("model info", argv[2], 0, "%s", err.message);
        return 1;
    }
    fputs("file: ", stdout);
    sl__cli_fput_visible(stdout, argv[2], strlen(argv[2]));
    printf("\nversion: %s\n%s", sl_model_version(m), sl_model_info(m));
    sl_model_free(m);
    return 0;
}
