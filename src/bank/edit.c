/* Editing a bank file: additions and removals are appended to the log under an exclusive lock
 * (flock on the bank file; a writer that finds the file renamed under it by a compaction opens
 * it again), and compaction rewrites the live items as a new base segment. A bank that does
 * not exist yet is created directly as a base segment, whole, under a temporary name linked
 * into place. A torn last record is dropped by rewriting the file up to the last whole record
 * (never by truncating it: readers map the file without a lock). */
#include "bank/format.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include "bank/shingle.h"
#include "sangloc/buf.h"
#include "util/file.h"

/* Opens and locks an existing bank file. When it does not exist, *missing (if not NULL) is set
 * and nothing is locked: a bank is created whole under another name and linked into place, so
 * there is never an empty bank file to lock. */
static sl_status lock_bank(const char *path, int *fd_out, off_t *size, bool *missing, sl_error *err)
{
    if (missing) *missing = false;
    for (int tries = 0; tries < 100; tries++) {
        /* O_NONBLOCK: a FIFO in the bank's place must not hang the open */
        int fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        struct stat a, b;
        if (fd < 0 && errno == ENOENT && missing && lstat(path, &a)) {
            *missing = true;
            return SL_OK;
        }
        if (fd < 0 && errno == EISDIR)
            return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: not a regular file (a directory)",
                                path);
        if (fd < 0)
            return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: cannot open: %s", path,
                                strerror(errno));
        if (fstat(fd, &a) || !S_ISREG(a.st_mode)) {
            close(fd);
            return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: not a regular file (%s)", path,
                                sl__file_kind((unsigned)a.st_mode));
        }
        if (flock(fd, LOCK_EX) || fstat(fd, &a)) {
            close(fd);
            return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: lock: %s", path, strerror(errno));
        }
        if (stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
            *fd_out = fd;
            *size = a.st_size;
            return SL_OK;
        }
        close(fd); /* replaced by a compaction meanwhile: lock the new file */
    }
    return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: could not lock", path);
}

static void unlock_bank(int fd)
{
    flock(fd, LOCK_UN);
    close(fd);
}

/* Locks an existing bank and opens it; on failure nothing stays locked or open. */
static sl_status lock_existing_bank(const char *path, int *fd, off_t *size, sl_bank **b,
                                    sl_error *err)
{
    *b = NULL;
    sl_status st = lock_bank(path, fd, size, NULL, err);
    if (st) return st;
    st = sl_bank_open(path, b, err); /* an empty file is reported as one */
    if (st) unlock_bank(*fd);
    return st;
}

static sl_status item_error(sl_status st, sl_error *e, size_t i, sl_status *stv, sl_error *ev)
{
    if (stv) stv[i] = st;
    if (ev) ev[i] = *e;
    return st;
}

typedef struct id_ref {
    const char *id;
    size_t len, i;
} id_ref;

static int ref_cmp(const void *x, const void *y)
{
    const id_ref *a = x, *b = y;
    int c = memcmp(a->id, b->id, a->len < b->len ? a->len : b->len);
    if (c) return c;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Marks items whose id appeared earlier in the batch (sorting keeps this O(n log n)). */
static bool *batch_duplicates(const sl_bank_item *items, size_t n)
{
    bool *dup = calloc(n ? n : 1, sizeof *dup);
    id_ref *r = malloc((n ? n : 1) * sizeof *r);
    for (size_t i = 0; dup && r && i < n; i++)
        r[i] = (id_ref){items[i].id ? items[i].id : "", items[i].id ? items[i].id_len : 0, i};
    if (dup && r) qsort(r, n, sizeof *r, ref_cmp);
    for (size_t i = 1; dup && r && i < n; i++)
        if (r[i].len == r[i - 1].len && !memcmp(r[i].id, r[i - 1].id, r[i].len)) dup[r[i].i] = true;
    free(r);
    return dup;
}

static bool *check_batch(const sl_bank *b, const sl_bank_item *items, size_t n, sl_status *stv,
                         sl_error *ev, size_t *nok)
{
    bool *ok = calloc(n ? n : 1, sizeof *ok), *dup = batch_duplicates(items, n);
    *nok = 0;
    for (size_t i = 0; ok && dup && i < n; i++) {
        sl_error e = {0};
        sl_status st = sl_bank_check_item(&items[i], &e);
        if (!st &&
            (dup[i] || (b && sl__bank_lookup_id(b, items[i].id, items[i].id_len) != SIZE_MAX)))
            st = sl_error_set(&e, SL_ERR_ARG, SL_NO_POS, "id \"%.*s\" is already in the bank",
                              (int)(items[i].id_len > 64 ? 64 : items[i].id_len), items[i].id);
        item_error(st, &e, i, stv, ev);
        ok[i] = st == SL_OK;
        *nok += ok[i];
    }
    if (!dup) {
        free(ok);
        ok = NULL;
    }
    free(dup);
    return ok;
}

static sl_status put_record(sl_buf *o, uint32_t type, const void *payload, size_t len)
{
    sl__log_hdr h = {SL__LOG_MAGIC, type, (uint32_t)len, 0, XXH3_64bits(payload, len)};
    static const char zeros[8];
    sl_status st = sl_buf_append(o, &h, sizeof h);
    if (!st) st = sl_buf_append(o, payload, len);
    if (!st) st = sl_buf_append(o, zeros, (8 - len % 8) % 8);
    return st;
}

static sl_status add_record(sl_buf *o, sl_buf *tmp, const sl_bank_item *it)
{
    size_t sl = it->source ? it->source_len : 0, al = it->added ? it->added_len : 0;
    sl__log_add a = {
        (uint8_t)it->kind, 0,           0, 0, (uint32_t)it->id_len, (uint32_t)it->text_len,
        (uint32_t)sl,      (uint32_t)al};
    sl_buf_clear(tmp);
    sl_status st = sl_buf_append(tmp, &a, sizeof a);
    const char *s[4] = {it->id, it->text, it->source, it->added};
    size_t l[4] = {it->id_len, it->text_len, sl, al};
    for (int i = 0; !st && i < 4; i++) {
        st = sl_buf_append(tmp, l[i] ? s[i] : "", l[i]);
        if (!st) st = sl_buf_append(tmp, "", 1);
    }
    return st ? st : put_record(o, SL__LOG_ADD, tmp->data, tmp->len);
}

static sl_status write_all(int fd, off_t at, const sl_buf *o, const char *path, sl_error *err)
{
    size_t done = 0;
    while (done < o->len) {
        ssize_t w = pwrite(fd, o->data + done, o->len - done, at + (off_t)done);
        if (w < 0 && errno == EINTR) continue;
        /* a partial record stays: it is a torn tail that readers skip and the next edit drops
         * (truncating here could fault a reader that mapped the longer file) */
        if (w <= 0)
            return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: write: %s", path,
                                w < 0 ? strerror(errno) : "no space written");
        done += (size_t)w;
    }
    if (fsync(fd)) return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: fsync failed", path);
    return SL_OK;
}

static sl_status write_fd(int fd, const void *p, size_t len)
{
    const char *c = p;
    while (len) {
        ssize_t w = write(fd, c, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return SL_ERR_IO;
        c += w;
        len -= (size_t)w;
    }
    return SL_OK;
}

/* The bank's bytes up to its last whole record, then `more` (new records), as a new file
 * renamed over the old one: drops a torn tail without truncating a file readers may map. */
static sl_status rewrite_log(const char *path, const sl_bank *b, const sl_buf *more, sl_error *err)
{
    sl__bank_tmp t;
    sl_status st = sl__bank_tmp_open(path, &t, err);
    if (st) return st;
    if (write_fd(t.fd, b->map, b->log_end) || write_fd(t.fd, more->data, more->len)) {
        int e = errno;
        sl__bank_tmp_abort(&t);
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: write: %s", path, strerror(e));
    }
    return sl__bank_tmp_commit(&t, false, NULL, err);
}

/* Appends records to a locked bank: in place, or through rewrite_log when a torn tail must go. */
static sl_status append_records(int fd, const char *path, const sl_bank *b, const sl_buf *o,
                                sl_error *err)
{
    if (b->log_end < b->size) return rewrite_log(path, b, o, err);
    return write_all(fd, (off_t)b->size, o, path, err);
}

/* Live items of an open bank plus extra ones, written as a fresh base (see
 * sl__bank_write_base for `create`). Temporary files of dead writers go first. */
static sl_status rebuild(const char *path, const sl_bank *b, const sl_bank_item *extra,
                         const bool *ok, size_t n_extra, unsigned k, bool create, bool *exists,
                         sl_error *err)
{
    sl__bank_clean_temps(path);
    size_t n = (b ? sl_bank_count(b) : 0) + n_extra, m = 0, cur = 0;
    sl_bank_item *all = malloc((n ? n : 1) * sizeof *all);
    if (!all) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    while (b && sl_bank_next(b, &cur, &all[m])) m++;
    for (size_t i = 0; i < n_extra; i++)
        if (!ok || ok[i]) all[m++] = extra[i];
    sl_status st = sl__bank_write_base(path, all, m, k, create, exists, err);
    free(all);
    return st;
}

static bool needs_compaction(const sl_bank *b, size_t new_records)
{
    size_t limit = b->n_base / 8 > 1024 ? b->n_base / 8 : 1024;
    return b->n_records + new_records > limit;
}

/* A new bank holding the valid items, linked into place unless someone created it first. */
static sl_status create_bank(const char *path, const sl_bank_item *items, size_t n,
                             sl_status *item_status, sl_error *item_err, size_t *added,
                             bool *exists, sl_error *err)
{
    size_t nok = 0;
    bool *ok = check_batch(NULL, items, n, item_status, item_err, &nok);
    sl_status st = ok ? rebuild(path, NULL, items, ok, n, SL__BANK_K_DEFAULT, true, exists, err)
                      : sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    if (!st && added) *added = nok;
    free(ok);
    return st;
}

sl_status sl_bank_append(const char *path, const sl_bank_item *items, size_t n,
                         sl_status *item_status, sl_error *item_err, size_t *added, sl_error *err)
{
    if (added) *added = 0;
    if (!path || (n && !items)) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "NULL argument");
    int fd = -1;
    off_t size = 0;
    sl_status st = SL_OK;
    for (int tries = 0;; tries++) {
        bool missing = false, exists = false;
        st = lock_bank(path, &fd, &size, &missing, err);
        if (st || !missing) break;
        st = create_bank(path, items, n, item_status, item_err, added, &exists, err);
        if (!exists || tries == 8) return st;
        /* created by another writer meanwhile: add to that bank instead */
    }
    if (st) return st;
    sl_bank *b = NULL;
    if (size > 0) st = sl_bank_open(path, &b, err);
    size_t nok = 0;
    bool *ok = st ? NULL : check_batch(b, items, n, item_status, item_err, &nok);
    if (!st && !ok) st = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    if (!st && nok && (!b || needs_compaction(b, nok))) {
        st = rebuild(path, b, items, ok, n, b ? b->h.k : SL__BANK_K_DEFAULT, false, NULL, err);
    } else if (!st && nok) {
        sl_buf o = {0}, tmp = {0};
        for (size_t i = 0; !st && i < n; i++)
            if (ok[i]) st = add_record(&o, &tmp, &items[i]);
        if (st)
            sl_error_set(err, st, SL_NO_POS, "log record: %s", sl_strerror(st));
        else
            st = append_records(fd, path, b, &o, err);
        sl_buf_free(&o);
        sl_buf_free(&tmp);
    } else if (!st && size == 0) {
        /* an empty file left by an older, non-atomic create: make it an empty bank */
        st = rebuild(path, NULL, NULL, NULL, 0, SL__BANK_K_DEFAULT, false, NULL, err);
    }
    if (!st && added) *added = nok;
    free(ok);
    sl_bank_close(b);
    unlock_bank(fd);
    return st;
}

sl_status sl_bank_remove(const char *path, const char *const *ids, size_t n, size_t *removed,
                         size_t *missing, sl_error *err)
{
    size_t r = 0, miss = 0;
    if (!path || (n && !ids)) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "NULL argument");
    int fd = -1;
    off_t size = 0;
    sl_bank *b = NULL;
    if (removed) *removed = 0;
    if (missing) *missing = 0;
    sl_status st = lock_existing_bank(path, &fd, &size, &b, err);
    if (st) return st;
    sl_buf o = {0};
    for (size_t i = 0; !st && i < n; i++) {
        size_t len = strlen(ids[i]), j = 0;
        bool again = false; /* the same id twice in one call */
        for (j = 0; j < i && !again; j++) again = !strcmp(ids[j], ids[i]);
        if (again || sl__bank_lookup_id(b, ids[i], len) == SIZE_MAX) {
            miss++;
            continue;
        }
        st = put_record(&o, SL__LOG_RM, ids[i], len);
        r++;
    }
    if (!st && r) st = append_records(fd, path, b, &o, err);
    sl_buf_free(&o);
    if (!st && r && needs_compaction(b, r)) {
        sl_bank *nb = NULL;
        sl_bank_close(b);
        b = NULL;
        st = sl_bank_open(path, &nb, err);
        if (!st) st = rebuild(path, nb, NULL, NULL, 0, nb->h.k, false, NULL, err);
        sl_bank_close(nb);
    }
    sl_bank_close(b);
    unlock_bank(fd);
    if (removed) *removed = st ? 0 : r;
    if (missing) *missing = miss;
    return st;
}

sl_status sl_bank_compact(const char *path, sl_error *err)
{
    if (!path) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "NULL argument");
    int fd = -1;
    off_t size = 0;
    sl_bank *b = NULL;
    sl_status st = lock_existing_bank(path, &fd, &size, &b, err);
    if (st) return st;
    st = rebuild(path, b, NULL, NULL, 0, b->h.k, false, NULL, err);
    sl_bank_close(b);
    unlock_bank(fd);
    return st;
}

sl_status sl_bank_repair(const char *path, sl_bank_repair_report *report, sl_error *err)
{
    sl_bank_repair_report r = {0};
    if (report) *report = r;
    if (!path) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "NULL argument");
    r.temps_removed = sl__bank_clean_temps(path);
    int fd = -1;
    off_t size = 0;
    sl_bank *b = NULL;
    sl_status st = lock_existing_bank(path, &fd, &size, &b, err);
    if (!st) {
        r.records_kept = b->n_records;
        r.cut_at = b->log_end;
        r.cut_bytes = b->size - b->log_end;
        sl_buf none = {0};
        if (r.cut_bytes) st = rewrite_log(path, b, &none, err);
        if (st) r.cut_bytes = 0;
        sl_bank_close(b);
        unlock_bank(fd);
    }
    if (report) *report = r;
    return st;
}
