/* cli/defaults.h — where the CLI finds its shipped defaults (policy, model). */
#ifndef SL_CLI_DEFAULTS_H
#define SL_CLI_DEFAULTS_H

/* Finds a shipped file by its path relative to the project root (e.g. "policies/default.yaml"):
 * next to the binary in the build tree (<exe dir>/../REL), under the install prefix
 * (<exe dir>/../share/sangloc/REL), then in the source tree the binary was built from.
 * Returns a malloc'd path the caller frees, or NULL when none exists. */
char *sl__cli_find_default(const char *rel);

/* The path of a key file kept beside the database file: PATH + suffix, for a plain path or
 * sqlite:PATH (malloc'ed; NULL when out of memory). */
char *sl__cli_beside_db(const char *db, const char *suffix);

/* The data set a file of ../shared/data belongs to, from its folder ("vihsd/", "unlabeled/"
 * ...): its name, with its licence in *licence; NULL for a file of no known data set. */
const char *sl__cli_data_set(const char *path, const char **licence);

#endif
