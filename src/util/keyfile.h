/* util/keyfile.h — secret key files kept outside the database (internal): the store's pseudonym
 * key, the audit log's signing key.
 *
 * A key file is created atomically: the key is written whole to a temporary file (mode 0600)
 * that is then linked to its name, so a reader never sees half a key and two processes starting
 * at once agree on one key (the loser of the link reads the winner's). A key file that group or
 * others may read is refused rather than used. */
#ifndef SL_UTIL_KEYFILE_H
#define SL_UTIL_KEYFILE_H

#include <stddef.h>

#include "sangloc/status.h"

/* Fills key[0, len) with a fresh secret key. */
typedef void sl__keyfile_make_fn(unsigned char *key, size_t len);

/* Reads the key file at path into key[0, len), or, when it does not exist, creates it with a key
 * from make() first. SL_ERR_IO (message naming the path) when the file cannot be created or read,
 * is not a regular file of exactly len bytes, or may be read by group or others. key may hold
 * secret bytes even on failure: the caller wipes it. */
sl_status sl__keyfile_load(const char *path, unsigned char *key, size_t len,
                           sl__keyfile_make_fn *make, sl_error *err);

#endif
