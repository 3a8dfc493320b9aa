/* cli/cmd_model.c — `sangloc model info FILE`: prints a model file's version and header (settings,
 * labels, training data with licences, dev figures), after the loader's full check. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "sangloc/model.h"

int sl_cmd_model(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "info")) {
        fprintf(stderr, "usage: sangloc model info FILE\n");
        return 2;
    }
    sl_model *m;
    sl_error err = {0};
    if (sl_model_load(argv[2], &m, &err)) {
        fprintf(stderr, "sangloc model: %s: %s\n", argv[2], err.message);
        return 1;
    }
    printf("file: %s\nversion: %s\n%s", argv[2], sl_model_version(m), sl_model_info(m));
    sl_model_free(m);
    return 0;
}
