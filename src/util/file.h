/* util/file.h — opening the files a loader is given (lexicons, lists, policies, models, banks)
 * (internal).
 *
 * A path given by a user may name a FIFO, a directory or a device: opening a FIFO for reading
 * blocks until a writer appears, and reading a device may never end. Every loader goes through
 * these helpers, which open without blocking, refuse anything that is not a regular file with
 * an error naming the path, and bound the size. */
#ifndef SL_UTIL_FILE_H
#define SL_UTIL_FILE_H

#include <stddef.h>

#include "sangloc/status.h"

/* Opens `path` read-only (close-on-exec, blocking mode restored after the open) and checks that
 * it is a regular file of at most `max` bytes. On success *fd is open and *size is the size
 * at the check. Errors: SL_ERR_IO ("PATH: cannot open: reason", "PATH: not a regular file (a
 * FIFO)"), SL_ERR_TOO_LARGE ("PATH: larger than MAX bytes"); nothing stays open. */
sl_status sl__file_open_regular(const char *path, size_t max, int *fd, size_t *size, sl_error *err);

/* Reads a whole regular file (as sl__file_open_regular checks it) into a malloc'd buffer,
 * NUL-terminated (not counted in *len). A file that grows past `max` while being read is
 * refused too. */
sl_status sl__file_read(const char *path, size_t max, char **data, size_t *len, sl_error *err);

/* Writes len bytes to path.tmp, then renames it to path, so that a reader never sees half a
 * file. SL_ERR_ARG for a path too long, SL_ERR_IO ("PATH: reason"); path.tmp is removed on
 * failure. */
sl_status sl__file_write_atomic(const char *path, const void *data, size_t len, sl_error *err);

/* "a FIFO", "a directory", ... for an st_mode, for messages. */
const char *sl__file_kind(unsigned mode);

#endif
