/* Secret key files: created whole under a temporary name and linked into place, read back with
 * checks on their type, size and mode. See util/keyfile.h. */
#include "util/keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Writes a new key to a temporary file and links it to path: either ours appears whole or
 * another process's already did (EEXIST), and then the caller reads theirs. */
static sl_status create_key(const char *path, unsigned char *key, size_t len,
                            sl__keyfile_make_fn *make, sl_error *err)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "key file path too long");
    int fd = mkstemp(tmp); /* mode 0600 */
    if (fd < 0)
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot create key file %s: %s", path,
                            strerror(errno));
    make(key, len);
    bool ok = fchmod(fd, 0600) == 0 && write_all(fd, key, len) && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    int e = errno;
    if (ok && link(tmp, path) && errno != EEXIST) ok = false, e = errno;
    unlink(tmp);
    if (!ok)
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot create key file %s: %s", path,
                            strerror(e));
    return SL_OK;
}

static sl_status read_key(int fd, const char *path, unsigned char *key, size_t len, sl_error *err)
{
    struct stat st;
    if (fstat(fd, &st))
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode) || st.st_size != (off_t)len)
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS,
                            "key file %s must be a regular file of %zu bytes", path, len);
    if (st.st_mode & 077)
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS,
                            "key file %s may be read by others: chmod 600 it", path);
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, key + got, len - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot read key file %s", path);
        got += (size_t)r;
    }
    return SL_OK;
}

sl_status sl__keyfile_load(const char *path, unsigned char *key, size_t len,
                           sl__keyfile_make_fn *make, sl_error *err)
{
    if (!path || !key || !make) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "NULL argument");
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT) {
        sl_status st = create_key(path, key, len, make, err);
        if (st) return st;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    }
    if (fd < 0)
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot open key file %s: %s", path,
                            strerror(errno));
    sl_status st = read_key(fd, path, key, len, err);
    close(fd);
    return st;
}
