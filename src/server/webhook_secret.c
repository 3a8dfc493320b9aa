/* Webhook secrets: reading, creating and rotating the files, and signing (webhook_secret.h).
 * Files are written the way the pseudonym key is (store/secrets.c): a temporary file of mode
 * 0600 in the same folder, synced, then linked or renamed to its name, so a reader never sees a
 * half-written secret and the secret file exists at every moment of a rotation. */
#include "server/webhook_secret.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sangloc/server.h"

static bool secret_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '=' || c == '_' || c == '-';
}

/* Reads and checks one secret file; *mtime gets its modification time. ENOENT is left in
 * errno with SL_ERR_NOT_FOUND so that the caller may create it. */
static sl_status read_secret(const char *path, char *out, size_t *len, time_t *mtime, sl_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        sl_status st = sl_error_set(err, e == ENOENT ? SL_ERR_NOT_FOUND : SL_ERR_IO, SL_NO_POS,
                                    "webhook secret %s: %s", path, strerror(e));
        errno = e;
        return st;
    }
    struct stat st;
    sl_status status = SL_OK;
    char buf[SL_HOOK_SECRET_MAX + 8];
    ssize_t got = 0;
    if (fstat(fd, &st))
        status =
            sl_error_set(err, SL_ERR_IO, SL_NO_POS, "webhook secret %s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        status =
            sl_error_set(err, SL_ERR_IO, SL_NO_POS, "webhook secret %s: not a regular file", path);
    else if (st.st_mode & 077)
        status = sl_error_set(err, SL_ERR_IO, SL_NO_POS,
                              "webhook secret %s may be read by others: chmod 600 it", path);
    else if (st.st_size > (off_t)sizeof buf - 1)
        status =
            sl_error_set(err, SL_ERR_IO, SL_NO_POS, "webhook secret %s: longer than %d characters",
                         path, SL_HOOK_SECRET_MAX);
    else {
        do got = read(fd, buf, (size_t)st.st_size);
        while (got < 0 && errno == EINTR);
        if (got != (ssize_t)st.st_size)
            status = sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot read webhook secret %s", path);
    }
    close(fd);
    size_t n = got > 0 ? (size_t)got : 0;
    while (!status && n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) n--;
    for (size_t i = 0; !status && i < n; i++)
        if (!secret_char(buf[i]))
            status = sl_error_set(err, SL_ERR_ARG, i,
                                  "webhook secret %s: only letters, digits and +/=_- "
                                  "(byte %zu)",
                                  path, i);
    if (!status && (n < SL_HOOK_SECRET_MIN || n > SL_HOOK_SECRET_MAX))
        status = sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "webhook secret %s: %d to %d characters",
                              path, SL_HOOK_SECRET_MIN, SL_HOOK_SECRET_MAX);
    if (!status) {
        memcpy(out, buf, n);
        out[n] = '\0';
        *len = n;
        *mtime = st.st_mtime;
    }
    sodium_memzero(buf, sizeof buf);
    return status;
}

/* Writes text to a new temporary file of mode 0600 beside path (its name into tmp), synced,
 * with modification time mtime when it is not 0. */
static sl_status write_temp(const char *path, const char *text, size_t len, time_t mtime,
                            char tmp[PATH_MAX], sl_error *err)
{
    if (snprintf(tmp, PATH_MAX, "%s.XXXXXX", path) >= PATH_MAX)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "webhook secret path too long");
    int fd = mkstemp(tmp);
    if (fd < 0)
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot write webhook secret %s: %s", path,
                            strerror(errno));
    bool ok = fchmod(fd, 0600) == 0;
    for (size_t off = 0; ok && off < len;) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        ok = w > 0;
        off += ok ? (size_t)w : 0;
    }
    if (ok && mtime) {
        struct timespec t[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_sec = mtime}};
        ok = futimens(fd, t) == 0;
    }
    ok = ok && fsync(fd) == 0;
    int e = errno;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        unlink(tmp);
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot write webhook secret %s: %s", path,
                            strerror(e));
    }
    return SL_OK;
}

/* A new secret: 32 random bytes as 64 hex digits and a newline. */
static void new_secret(char out[66])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, 65, raw, sizeof raw);
    out[64] = '\n';
    out[65] = '\0';
    sodium_memzero(raw, sizeof raw);
}

/* Creates path with a new secret unless it exists (another process may create it at once:
 * link() lets exactly one file appear). */
static sl_status create_secret(const char *path, sl_error *err)
{
    char text[66], tmp[PATH_MAX];
    new_secret(text);
    sl_status st = write_temp(path, text, 65, 0, tmp, err);
    sodium_memzero(text, sizeof text);
    if (st) return st;
    int rc = link(tmp, path), e = errno;
    unlink(tmp);
    if (rc && e != EEXIST)
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot create webhook secret %s: %s", path,
                            strerror(e));
    return SL_OK;
}

sl_status sl__hook_secret_load(const char *path, time_t now, bool create, sl__hook_secret *out,
                               sl_error *err)
{
    sl__hook_secret s = {.cur_len = 0};
    time_t mtime;
    sl_status st = read_secret(path, s.cur, &s.cur_len, &mtime, err);
    if (st == SL_ERR_NOT_FOUND && create) {
        if ((st = create_secret(path, err))) return st;
        st = read_secret(path, s.cur, &s.cur_len, &mtime, err);
    }
    if (st) return st;
    char prev[PATH_MAX];
    if (snprintf(prev, sizeof prev, "%s.prev", path) >= (int)sizeof prev)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "webhook secret path too long");
    st = read_secret(prev, s.prev, &s.prev_len, &s.prev_until, err);
    if (st == SL_ERR_NOT_FOUND || (!st && s.prev_until <= now)) { /* none, or its grace ended */
        st = SL_OK;
        s.prev[0] = '\0';
        s.prev_len = 0;
        s.prev_until = 0;
    }
    if (!st) *out = s;
    sodium_memzero(&s, sizeof s);
    return st;
}

static void sign_one(const char *key, size_t klen, const char *ts, const char *body, size_t len,
                     char hex[65])
{
    crypto_auth_hmacsha256_state h;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&h, (const unsigned char *)key, klen);
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&h, mac);
    sodium_bin2hex(hex, 65, mac, sizeof mac);
}

void sl__hook_sign(const sl__hook_secret *s, time_t now, const char *ts, const char *body,
                   size_t len, char out[SL_HOOK_SIG_MAX])
{
    char a[65], b[65];
    sign_one(s->cur, s->cur_len, ts, body, len, a);
    if (s->prev_len && s->prev_until > now) {
        sign_one(s->prev, s->prev_len, ts, body, len, b);
        snprintf(out, SL_HOOK_SIG_MAX, "v1=%s,v1=%s", a, b);
    } else {
        snprintf(out, SL_HOOK_SIG_MAX, "v1=%s", a);
    }
}

/* ---- sangloc/server.h: rotation ----------------------------------------------------------- */

static sl_status sync_dir(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        strcpy(dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    return SL_OK;
}

sl_status sl_webhook_secret_rotate(const char *path, double grace_hours, sl_error *err)
{
    if (!path || !*path) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no secret file");
    if (!(grace_hours >= 0 && grace_hours <= SL_WEBHOOK_MAX_GRACE_HOURS))
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "the grace is 0 to %d hours",
                            SL_WEBHOOK_MAX_GRACE_HOURS);
    if (sodium_init() < 0)
        return sl_error_set(err, SL_ERR_INTERNAL, SL_NO_POS, "libsodium failed to start");
    char cur[SL_HOOK_SECRET_MAX + 2], prev[PATH_MAX], tmp[PATH_MAX];
    size_t len = 0;
    time_t mtime;
    if (snprintf(prev, sizeof prev, "%s.prev", path) >= (int)sizeof prev)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "secret file path too long");
    sl_status st = read_secret(path, cur, &len, &mtime, err);
    if (st == SL_ERR_NOT_FOUND) return create_secret(path, err); /* nothing to keep */
    if (st) return st;
    /* the old secret first, valid until the grace ends; then the new one replaces it */
    time_t until = time(NULL) + (time_t)(grace_hours * 3600.0 + 0.5);
    cur[len++] = '\n';
    if (grace_hours > 0) {
        st = write_temp(prev, cur, len, until, tmp, err);
        if (!st && rename(tmp, prev)) {
            st = sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot write %s: %s", prev,
                              strerror(errno));
            unlink(tmp);
        }
    } else if (unlink(prev) && errno != ENOENT) {
        st = sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot remove %s: %s", prev, strerror(errno));
    }
    sodium_memzero(cur, sizeof cur);
    if (st) return st;
    char text[66];
    new_secret(text);
    st = write_temp(path, text, 65, 0, tmp, err);
    sodium_memzero(text, sizeof text);
    if (!st && rename(tmp, path)) {
        st =
            sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot replace %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    if (!st) sync_dir(path);
    return st;
}
