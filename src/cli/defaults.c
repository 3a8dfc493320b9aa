/* Locating shipped defaults relative to the running binary, so `sangloc check` with no options
 * works from the build tree and from an installed prefix alike. */
#include "cli/defaults.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SL_SOURCE_DIR
#define SL_SOURCE_DIR "."
#endif

static int exe_dir(char *out, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", out, size - 1);
    if (n <= 0) return -1;
    out[n] = '\0';
    char *slash = strrchr(out, '/');
    if (!slash) return -1;
    *slash = '\0';
    return 0;
}

static char *existing(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *p = malloc(n);
    if (!p) return NULL;
    snprintf(p, n, "%s%s%s", a, b, c);
    if (access(p, R_OK) == 0) return p;
    free(p);
    return NULL;
}

char *sl__cli_find_default(const char *rel)
{
    char dir[PATH_MAX];
    char *p = NULL;
    if (exe_dir(dir, sizeof dir) == 0) {
        p = existing(dir, "/../", rel);
        if (!p) p = existing(dir, "/../share/sangloc/", rel);
    }
    if (!p) p = existing(SL_SOURCE_DIR, "/", rel);
    return p;
}

char *sl__cli_beside_db(const char *db, const char *suffix)
{
    const char *path = strncmp(db, "sqlite:", 7) ? db : db + 7;
    size_t n = strlen(path) + strlen(suffix) + 1;
    char *out = malloc(n);
    if (out) snprintf(out, n, "%s%s", path, suffix);
    return out;
}

const char *sl__cli_data_set(const char *path, const char **licence)
{
    static const struct {
        const char *folder, *name, *licence;
    } sets[] = {
        {"vihsd/", "ViHSD", "research only"},
        {"vlsp2019/", "VLSP2019 hate speech", "research only"},
        {"vihos/", "ViHOS", "MIT"},
        {"victsd/", "UIT-ViCTSD", "research only"},
        {"unlabeled/", "Vietnamese Wikipedia", "CC BY-SA 3.0, https://vi.wikipedia.org/"},
    };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (strstr(path, sets[i].folder)) {
            *licence = sets[i].licence;
            return sets[i].name;
        }
    return NULL;
}
