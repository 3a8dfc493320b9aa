/* Editing a bank file: additions and removals are appended to the log under an exclusive lock
 * (flock on the bank file; a writer that finds the file renamed under it by a compaction opens
 * it again), and compaction rewrites the live items as a new base segment. A bank that does
 * not exist yet is created directly as a base segment. */
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
#include "util/buf.h"

/* Opens and locks the bank file, creating it empty when absent. */
static sl_status lock_bank(const char *path, bool create, int *fd_out, off_t *size, sl_error *err)
{
    for (int tries = 0; tries < 100; tries++) {
        int fd = open(path, O_RDWR | (create ? O_CREAT : 0) | O_CLOEXEC, 0644);
        if (fd < 0) return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: %s", path, strerror(errno));
        struct stat a, b;
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
    sl_status st = lock_bank(path, false, fd, size, err);
    if (st) return st;
    st = *size > 0 ? sl_bank_open(path, b, err)
                   : sl_error_set(err, SL_ERR_BANK, 0, "%s: no such bank", path);
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
    sl_status st = sl__buf_append(o, &h, sizeof h);
    if (!st) st = sl__buf_append(o, payload, len);
    if (!st) st = sl__buf_append(o, zeros, (8 - len % 8) % 8);
    return st;
}

static sl_status add_record(sl_buf *o, sl_buf *tmp, const sl_bank_item *it)
{
    size_t sl = it->source ? it->source_len : 0, al = it->added ? it->added_len : 0;
    sl__log_add a = {
        (uint8_t)it->kind, 0,           0, 0, (uint32_t)it->id_len, (uint32_t)it->text_len,
        (uint32_t)sl,      (uint32_t)al};
    sl__buf_clear(tmp);
    sl_status st = sl__buf_append(tmp, &a, sizeof a);
    const char *s[4] = {it->id, it->text, it->source, it->added};
    size_t l[4] = {it->id_len, it->text_len, sl, al};
    for (int i = 0; !st && i < 4; i++) {
        st = sl__buf_append(tmp, l[i] ? s[i] : "", l[i]);
        if (!st) st = sl__buf_append(tmp, "", 1);
    }
    return st ? st : put_record(o, SL__LOG_ADD, tmp->data, tmp->len);
}

static sl_status write_all(int fd, off_t at, const sl_buf *o, const char *path, sl_error *err)
{
    size_t done = 0;
    while (done < o->len) {
        ssize_t w = pwrite(fd, o->data + done, o->len - done, at + (off_t)done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            if (ftruncate(fd, at)) { /* best effort: drop the partial record */
            }
            return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: write: %s", path, strerror(errno));
        }
        done += (size_t)w;
    }
    if (fsync(fd)) return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: fsync failed", path);
    return SL_OK;
}

/* Live items of an open bank plus extra ones, written as a fresh base. */
static sl_status rebuild(const char *path, const sl_bank *b, const sl_bank_item *extra,
                         const bool *ok, size_t n_extra, unsigned k, sl_error *err)
{
    size_t n = (b ? sl_bank_count(b) : 0) + n_extra, m = 0, cur = 0;
    sl_bank_item *all = malloc((n ? n : 1) * sizeof *all);
    if (!all) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    while (b && sl_bank_next(b, &cur, &all[m])) m++;
    for (size_t i = 0; i < n_extra; i++)
        if (!ok || ok[i]) all[m++] = extra[i];
    sl_status st = sl__bank_write_base(path, all, m, k, err);
    free(all);
    return st;
}

static bool needs_compaction(const sl_bank *b, size_t new_records)
{
    size_t limit = b->n_base / 8 > 1024 ? b->n_base / 8 : 1024;
    return b->n_records + new_records > limit;
}

sl_status sl_bank_append(const char *path, const sl_bank_item *items, size_t n,
                         sl_status *item_status, sl_error *item_err, size_t *added, sl_error *err)
{
    if (added) *added = 0;
    if (!path || (n && !items)) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "NULL argument");
    int fd = -1;
    off_t size = 0;
    sl_status st = lock_bank(path, true, &fd, &size, err);
    if (st) return st;
    sl_bank *b = NULL;
    if (size > 0) st = sl_bank_open(path, &b, err);
    size_t nok = 0;
    bool *ok = st ? NULL : check_batch(b, items, n, item_status, item_err, &nok);
    if (!st && !ok) st = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    if (!st && nok && (!b || needs_compaction(b, nok))) {
        st = rebuild(path, b, items, ok, n, b ? b->h.k : SL__BANK_K_DEFAULT, err);
    } else if (!st && nok) {
        sl_buf o = {0}, tmp = {0};
        for (size_t i = 0; !st && i < n; i++)
            if (ok[i]) st = add_record(&o, &tmp, &items[i]);
        if (st)
            sl_error_set(err, st, SL_NO_POS, "log record: %s", sl_strerror(st));
        else
            st = write_all(fd, size, &o, path, err);
        sl__buf_free(&o);
        sl__buf_free(&tmp);
    } else if (!st && size == 0) {
        st = rebuild(path, NULL, NULL, NULL, 0, SL__BANK_K_DEFAULT, err); /* empty bank */
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
    if (!st && r) st = write_all(fd, size, &o, path, err);
    sl__buf_free(&o);
    if (!st && r && needs_compaction(b, r)) {
        sl_bank *nb = NULL;
        sl_bank_close(b);
        b = NULL;
        st = sl_bank_open(path, &nb, err);
        if (!st) st = rebuild(path, nb, NULL, NULL, 0, nb->h.k, err);
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
    st = rebuild(path, b, NULL, NULL, 0, b->h.k, err);
    sl_bank_close(b);
    unlock_bank(fd);
    return st;
}
