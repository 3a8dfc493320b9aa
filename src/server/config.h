/* server/config.h — the service's configuration file (`sangloc serve --config FILE`): the
 * organizations it serves, each with its policy, optional model and banks (internal).
 *
 *   organizations:
 *     - id: so-y-te            # [A-Za-z0-9._-], 1..SL_STORE_MAX_ORG_ID bytes, unique
 *       name: "Sở Y tế"        # optional (default: the id), at most SL_STORE_MAX_NAME bytes
 *       policy: policies/yte.yaml
 *       model: models/x.slm    # optional: the server's model (--model / shipped)
 *       banks: [banks/hoax.bank]  # optional; base names unique within the org
 *       webhook_url: https://cms.example/hooks/sangloc   # optional, with the next key
 *       webhook_secret_file: secrets/yte.hook            # created 0600 when missing
 *
 * Strict: an unknown key, a key twice, a wrong type, a duplicate id, an alias or an empty path
 * is an error with its line (err->line) and byte (err->byte). Relative paths resolve against
 * the config file's folder. */
#ifndef SL_SERVER_CONFIG_H
#define SL_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "sangloc/status.h"

#define SL_CONFIG_MAX_BYTES ((size_t)1 << 20)
#define SL_CONFIG_MAX_ORGS  256
#define SL_CONFIG_MAX_BANKS 64

typedef struct sl__org_conf {
    char *id, *name, *policy, *model; /* model NULL: the server's default model */
    char **banks;
    size_t nbanks;
    size_t line;                             /* where the org is written */
    char *webhook_url, *webhook_secret_file; /* both NULL, or both set (docs/server.md) */
} sl__org_conf;

typedef struct sl__config {
    sl__org_conf *orgs;
    size_t n;
} sl__config;

/* Parses a config from memory. base_dir (may be NULL: paths are kept as written) is where
 * relative paths resolve; check_files also checks that every path is a regular file
 * (src/util/file.h: a FIFO or a folder is refused). On error *out is empty. */
sl_status sl__config_parse(const char *data, size_t len, const char *base_dir, bool check_files,
                           sl__config *out, sl_error *err);

/* Reads (a regular file, at most SL_CONFIG_MAX_BYTES) and parses path, checking the files. */
sl_status sl__config_load(const char *path, sl__config *out, sl_error *err);

void sl__config_free(sl__config *c);
/* Frees one organization's strings and zeroes it. */
void sl__org_conf_free(sl__org_conf *o);

/* The org's bank named `name` (a bank path's base name), or -1. */
long sl__config_bank(const sl__org_conf *org, const char *name, size_t len);

/* The base name of a path (after its last '/'). */
const char *sl__config_basename(const char *path);

#endif
