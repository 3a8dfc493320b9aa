/* Atomic replacement of a bank file (see format.h): the new content goes to a locked temporary
 * file next to the target, which is fsynced and renamed (or hard-linked, for a creation that
 * must not overwrite) over it, and the folder is fsynced so the rename itself survives a crash.
 * Temporary files of writers that died are removed by the next writer. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "bank/format.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_TAG ".sltmp."

/* The file `path` names, through symlinks; `path` itself when it does not exist yet. */
static char *resolve_target(const char *path)
{
    char *r = realpath(path, NULL);
    if (r) return r;
    size_t n = strlen(path) + 1;
    r = malloc(n);
    if (r) memcpy(r, path, n);
    return r;
}

/* A copy of the folder part of `path` ("." when none). */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 1;
    if (slash && n == 0) n = 1; /* "/x": the root */
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, slash ? path : ".", n);
    d[n] = '\0';
    return d;
}

static void sync_folder(const char *path)
{
    char *dir = folder_of(path);
    int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        if (fsync(fd)) { /* best effort: some file systems refuse fsync on a folder */
        }
        close(fd);
    }
    free(dir);
}

static void release(sl__bank_tmp *t)
{
    if (t->fd >= 0) close(t->fd); /* also drops the lock */
    free(t->tmp);
    free(t->target);
    *t = (sl__bank_tmp){.fd = -1};
}

sl_status sl__bank_tmp_open(const char *path, sl__bank_tmp *t, sl_error *err)
{
    *t = (sl__bank_tmp){.fd = -1};
    t->target = resolve_target(path);
    size_t n = t->target ? strlen(t->target) + sizeof TMP_TAG + 32 : 0;
    t->tmp = n ? malloc(n) : NULL;
    if (!t->tmp) {
        release(t);
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    }
    snprintf(t->tmp, n, "%s" TMP_TAG "%ld.XXXXXX", t->target, (long)getpid());
    t->fd = mkstemp(t->tmp);
    if (t->fd < 0) {
        int e = errno;
        release(t);
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: cannot create a temporary file: %s",
                            path, strerror(e));
    }
    /* the lock tells a cleaner that this file is being written (pids can be reused); the mode
     * is the replaced file's, or 0644 for a new bank (mkstemp's 0600 would hide it) */
    struct stat old;
    mode_t mode = stat(t->target, &old) ? 0644 : (old.st_mode & 07777);
    if (flock(t->fd, LOCK_EX) || fchmod(t->fd, mode)) {
        int e = errno;
        sl__bank_tmp_abort(t);
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: temporary file: %s", path, strerror(e));
    }
    return SL_OK;
}

void sl__bank_tmp_abort(sl__bank_tmp *t)
{
    if (t->tmp) unlink(t->tmp);
    release(t);
}

/* link() where the file system has no hard links: rename when the name is still free (a
 * small window remains there, which a file system with links does not have). */
static int link_new(const char *from, const char *to)
{
    if (!link(from, to)) return 0;
    struct stat st;
    if ((errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP) && lstat(to, &st) &&
        errno == ENOENT)
        return rename(from, to);
    return -1;
}

sl_status sl__bank_tmp_commit(sl__bank_tmp *t, bool create, bool *exists, sl_error *err)
{
    if (exists) *exists = false;
    int rc = fsync(t->fd);
    if (!rc) rc = create ? link_new(t->tmp, t->target) : rename(t->tmp, t->target);
    int e = errno;
    if (rc) {
        if (exists) *exists = create && e == EEXIST;
        sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: %s", t->target, strerror(e));
        sl__bank_tmp_abort(t);
        return SL_ERR_IO;
    }
    if (create) unlink(t->tmp); /* the bank now has its own name */
    sync_folder(t->target);
    release(t);
    return SL_OK;
}

/* "<base>.sltmp.<pid>.XXXXXX": the pid, or 0 when the name is not one of ours. */
static long tmp_pid(const char *name, const char *base, size_t blen)
{
    if (strncmp(name, base, blen) || strncmp(name + blen, TMP_TAG, sizeof TMP_TAG - 1)) return 0;
    const char *p = name + blen + sizeof TMP_TAG - 1;
    char *end = NULL;
    long pid = strtol(p, &end, 10);
    if (end == p || pid <= 0 || *end != '.' || strlen(end + 1) != 6) return 0;
    return pid;
}

size_t sl__bank_clean_temps(const char *path)
{
    char *target = resolve_target(path), *dir = target ? folder_of(target) : NULL;
    const char *slash = target ? strrchr(target, '/') : NULL;
    const char *base = slash ? slash + 1 : target;
    DIR *d = dir ? opendir(dir) : NULL;
    size_t removed = 0, blen = base ? strlen(base) : 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        long pid = tmp_pid(de->d_name, base, blen);
        if (!pid || pid == (long)getpid()) continue;
        if (kill((pid_t)pid, 0) == 0 || errno == EPERM) continue; /* its writer is alive */
        int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) continue;
        struct stat st;
        /* a free lock: no writer (in another pid namespace, say) holds it */
        if (!fstat(fd, &st) && S_ISREG(st.st_mode) && !flock(fd, LOCK_EX | LOCK_NB) &&
            !unlinkat(dirfd(d), de->d_name, 0))
            removed++;
        close(fd);
    }
    if (d) closedir(d);
    free(dir);
    free(target);
    return removed;
}
