/* Opening and reading the regular files a loader is given; see util/file.h. */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *sl__file_kind(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG:
        return "a regular file";
    case S_IFDIR:
        return "a directory";
    case S_IFIFO:
        return "a FIFO";
    case S_IFCHR:
        return "a character device";
    case S_IFBLK:
        return "a block device";
    case S_IFSOCK:
        return "a socket";
    default:
        return "not a file";
    }
}

sl_status sl__file_open_regular(const char *path, size_t max, int *fd_out, size_t *size,
                                sl_error *err)
{
    *fd_out = -1;
    *size = 0;
    if (!path) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "NULL path");
    /* O_NONBLOCK: an open of a FIFO without a writer returns at once instead of waiting */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: cannot open: %s", path,
                            strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb)) {
        int e = errno;
        close(fd);
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: not a regular file (%s)", path,
                            sl__file_kind((unsigned)sb.st_mode));
    }
    if (sb.st_size < 0 || (unsigned long long)sb.st_size > max) {
        close(fd);
        return sl_error_set(err, SL_ERR_TOO_LARGE, max, "%s: larger than %zu bytes", path, max);
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK)) {
        int e = errno;
        close(fd);
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: cannot open: %s", path, strerror(e));
    }
    *fd_out = fd;
    *size = (size_t)sb.st_size;
    return SL_OK;
}

sl_status sl__file_read(const char *path, size_t max, char **data, size_t *len, sl_error *err)
{
    *data = NULL;
    *len = 0;
    int fd;
    size_t size;
    sl_status st = sl__file_open_regular(path, max, &fd, &size, err);
    if (st) return st;
    /* the size is a hint: the file may change while it is read, the limit may not */
    size_t cap = (size < max ? size : max) + 1, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        if (n == cap) {
            if (cap > max) break; /* max + 1 bytes read: too large */
            size_t c = cap > max / 2 ? max + 1 : cap * 2;
            char *b = realloc(buf, c + 1);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap = c;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            free(buf);
            return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot read %s: %s", path, strerror(e));
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    if (!buf) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory reading %s", path);
    if (n > max) {
        free(buf);
        return sl_error_set(err, SL_ERR_TOO_LARGE, max, "%s: larger than %zu bytes", path, max);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return SL_OK;
}

sl_status sl__file_write_atomic(const char *path, const void *data, size_t len, sl_error *err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "output path too long");
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f)) ok = 0;
    if (!ok || rename(tmp, path)) {
        int e = errno;
        remove(tmp);
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: %s", path, strerror(e));
    }
    return SL_OK;
}
