/* Bank lifetime: open (map + checks in bank.c), log replay into the in-memory log index and
 * tombstones, close, and the read-only queries (version, stats, iteration, find). A torn last
 * record (a crash in the middle of an append) is left out of the view; edits and
 * sl_bank_repair() drop it from the file (edit.c). */
#include "bank/format.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include "bank/shingle.h"
#include "util/file.h"

static sl_status bad_log(sl_error *err, size_t at, const char *what)
{
    return sl_error_set(err, SL_ERR_BANK, at, "bank file corrupt: log record at byte %zu: %s", at,
                        what);
}

static sl_status push_log_item(sl_bank *b, const sl_bank_item *it)
{
    if (b->n_log == b->log_cap) {
        size_t cap = b->log_cap ? b->log_cap * 2 : 16;
        sl__log_item *l = realloc(b->log, cap * sizeof *l);
        if (!l) return SL_ERR_NOMEM;
        b->log = l;
        uint8_t *d = realloc(b->dead, b->n_base + cap);
        if (!d) return SL_ERR_NOMEM;
        b->dead = d;
        b->log_cap = cap;
    }
    b->log[b->n_log] = (sl__log_item){*it, 0};
    b->dead[b->n_base + b->n_log] = 0;
    b->n_log++;
    return SL_OK;
}

/* Parses an ADD payload; every string must be followed by its NUL inside the payload. */
static sl_status replay_add(sl_bank *b, const uint8_t *p, size_t len, size_t at, sl_error *err)
{
    sl__log_add a;
    if (len < sizeof a) return bad_log(err, at, "short add record");
    memcpy(&a, p, sizeof a);
    uint64_t need = sizeof a + (uint64_t)a.id_len + a.text_len + a.source_len + a.added_len + 4;
    if (need != len || a.kind >= SL_BANK_KIND_COUNT_ || a.id_len == 0 ||
        a.id_len > SL_BANK_MAX_ID || a.text_len > SL_BANK_MAX_TEXT ||
        a.source_len > SL_BANK_MAX_SOURCE || a.added_len > SL_BANK_MAX_ADDED)
        return bad_log(err, at, "add record fields out of range");
    const char *s = (const char *)p + sizeof a;
    sl_bank_item it = {.kind = (sl_bank_kind)a.kind};
    it.id = s, it.id_len = a.id_len, s += a.id_len + 1;
    it.text = s, it.text_len = a.text_len, s += a.text_len + 1;
    it.source = s, it.source_len = a.source_len, s += a.source_len + 1;
    it.added = s, it.added_len = a.added_len;
    if (it.id[it.id_len] || it.text[it.text_len] || it.source[it.source_len] ||
        it.added[it.added_len])
        return bad_log(err, at, "add record strings not terminated");
    sl_error e;
    if (sl_bank_check_item(&it, &e)) return bad_log(err, at, "add record item invalid");
    size_t old = sl__bank_lookup_id(b, it.id, it.id_len);
    if (old != SIZE_MAX) {
        b->dead[old] = 1; /* a newer copy replaces it */
        b->n_removed++;
    }
    return push_log_item(b, &it);
}

static void replay_rm(sl_bank *b, const uint8_t *p, size_t len)
{
    size_t i = sl__bank_lookup_id(b, (const char *)p, len);
    if (i == SIZE_MAX) return;
    b->dead[i] = 1;
    b->n_removed++;
}

/* The largest payload a record can have: an ADD of the longest item. */
#define MAX_PAYLOAD                                                                                \
    (sizeof(sl__log_add) + SL_BANK_MAX_ID + SL_BANK_MAX_TEXT + SL_BANK_MAX_SOURCE +                \
     SL_BANK_MAX_ADDED + 4)

/* Does a record header at off frame a record inside the file (magic, type, length)? */
static bool framed_at(const sl_bank *b, size_t off, sl__log_hdr *hd, const char **why)
{
    if (b->size - off < sizeof *hd) return *why = "truncated record header", false;
    memcpy(hd, b->map + off, sizeof *hd);
    size_t room = b->size - off - sizeof *hd;
    if (hd->magic != SL__LOG_MAGIC) return *why = "no record magic", false;
    if (hd->reserved) return *why = "non-zero reserved field", false;
    if (hd->len > MAX_PAYLOAD) return *why = "record length out of range", false;
    if ((((size_t)hd->len + 7) & ~(size_t)7) > room) return *why = "truncated record", false;
    return true;
}

/* Is there a whole record at off: framed, checksum, zero padding? */
static bool whole_record_at(const sl_bank *b, size_t off, sl__log_hdr *hd, const char **why)
{
    if (!framed_at(b, off, hd, why)) return false;
    const uint8_t *p = b->map + off + sizeof *hd;
    if (XXH3_64bits(p, hd->len) != hd->hash) return *why = "record checksum mismatch", false;
    for (size_t z = hd->len; z < ((hd->len + 7u) & ~7u); z++)
        if (p[z]) return *why = "non-zero record padding", false;
    return true;
}

/* A damaged record at `off` starts a torn tail (an append cut short by a crash, or one still
 * being written) when no record follows it: appends only add at the end, so nothing written
 * and acknowledged lies after it. Damage followed by a framed record header is corruption
 * (the check is on framing only, so it stays linear and errs towards reporting). */
static bool torn_tail_from(const sl_bank *b, size_t off)
{
    sl__log_hdr hd;
    const char *why;
    for (size_t o = off + 8; o < b->size && b->size - o >= sizeof hd; o += 8)
        if (framed_at(b, o, &hd, &why) && (hd.type == SL__LOG_ADD || hd.type == SL__LOG_RM))
            return false;
    return true;
}

static sl_status replay_log(sl_bank *b, sl_error *err)
{
    size_t off = b->h.base_end;
    while (off < b->size) {
        sl__log_hdr hd;
        const char *why = NULL;
        if (!whole_record_at(b, off, &hd, &why)) {
            if (torn_tail_from(b, off)) break; /* skipped: every whole record is kept */
            return bad_log(err, off, why);
        }
        const uint8_t *p = b->map + off + sizeof hd;
        if (hd.type == SL__LOG_ADD) {
            sl_status st = replay_add(b, p, hd.len, off, err);
            if (st) return st;
        } else if (hd.type == SL__LOG_RM && hd.len >= 1 && hd.len <= SL_BANK_MAX_ID) {
            replay_rm(b, p, hd.len);
        } else {
            return bad_log(err, off, "unknown record type");
        }
        b->n_records++;
        off += sizeof hd + (((size_t)hd.len + 7) & ~(size_t)7);
    }
    b->log_end = off;
    return SL_OK;
}

static int pair_cmp(const void *x, const void *y)
{
    const sl__pair *a = x, *b = y;
    if (a->hash != b->hash) return a->hash < b->hash ? -1 : 1;
    return a->item < b->item ? -1 : a->item > b->item;
}

static sl_status push_pairs(sl_bank *b, size_t item, const uint64_t *h, size_t n, size_t *cap)
{
    if (b->n_log_index + n > *cap) {
        size_t c = (*cap ? *cap : 256);
        while (c < b->n_log_index + n) c *= 2;
        sl__pair *p = realloc(b->log_index, c * sizeof *p);
        if (!p) return SL_ERR_NOMEM;
        b->log_index = p;
        *cap = c;
    }
    for (size_t i = 0; i < n; i++)
        b->log_index[b->n_log_index++] = (sl__pair){h[i], (uint32_t)item};
    return SL_OK;
}

/* Shingles of the live log items, sorted, then each item's count of shingles that count. */
static sl_status index_log(sl_bank *b)
{
    size_t cap = 0;
    sl__bank_shingler z = {0};
    for (size_t j = 0; j < b->n_log; j++) {
        if (b->dead[b->n_base + j]) continue;
        const uint64_t *h = NULL;
        size_t n = 0;
        const sl_bank_item *it = &b->log[j].it;
        sl_status st = sl__bank_shingler_run(&z, it->text, it->text_len, b->h.k, &h, &n);
        if (!st) st = push_pairs(b, b->n_base + j, h, n, &cap);
        if (st) {
            sl__bank_shingler_free(&z);
            return st;
        }
    }
    sl__bank_shingler_free(&z);
    if (b->n_log_index > 1) qsort(b->log_index, b->n_log_index, sizeof *b->log_index, pair_cmp);
    for (size_t i = 0; i < b->n_log_index;) {
        size_t e = i, lo, hi;
        while (e < b->n_log_index && b->log_index[e].hash == b->log_index[i].hash) e++;
        sl__bank_base_run(b, b->log_index[i].hash, &lo, &hi);
        bool counts =
            (hi - lo) + (e - i) <= b->h.stop_df && !sl__bank_is_filler(b, b->log_index[i].hash);
        for (; counts && i < e; i++) b->log[b->log_index[i].item - b->n_base].nsh++;
        i = e;
    }
    return SL_OK;
}

static sl_status finish_open(sl_bank *b, sl_error *err)
{
    sl_status st = sl__bank_check_mapped(b, err);
    if (st) return st;
    b->dead = calloc(b->n_base + 1, 1);
    b->fillers = sl__filler_hashes(b->h.k, &b->n_fillers);
    if (!b->dead || !b->fillers) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    st = replay_log(b, err);
    if (st) return st;
    st = index_log(b);
    if (st) return sl_error_set(err, st, SL_NO_POS, "indexing the log: %s", sl_strerror(st));
    uint64_t v =
        XXH3_64bits_withSeed(b->map + b->h.base_end, b->log_end - b->h.base_end, b->h.base_hash);
    snprintf(b->version, sizeof b->version, "items=%zu base=%zu log=%zu xxh=%016llx",
             sl_bank_count(b), b->n_base, b->n_log, (unsigned long long)v);
    return SL_OK;
}

sl_status sl_bank_open_memory(const void *data, size_t len, sl_bank **out, sl_error *err)
{
    if (!out || (!data && len)) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "NULL argument");
    *out = NULL;
    sl_bank *b = calloc(1, sizeof *b);
    if (!b) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    b->map = data;
    b->size = len;
    sl_status st = finish_open(b, err);
    if (st) {
        sl_bank_close(b);
        return st;
    }
    *out = b;
    return SL_OK;
}

sl_status sl_bank_open(const char *path, sl_bank **out, sl_error *err)
{
    if (!path || !out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "NULL argument");
    *out = NULL;
    int fd;
    size_t size;
    sl_status fst = sl__file_open_regular(path, SIZE_MAX, &fd, &size, err);
    if (fst) return fst;
    if (size == 0) {
        close(fd);
        return sl_error_set(err, SL_ERR_BANK, 0, "%s: empty file, not a bank (interrupted create?)",
                            path);
    }
    void *m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: mmap: %s", path, strerror(errno));
    sl_status s = sl_bank_open_memory(m, size, out, err);
    if (s) {
        munmap(m, size);
        return s;
    }
    (*out)->mapped = true;
    return SL_OK;
}

void sl_bank_close(sl_bank *b)
{
    if (!b) return;
    if (b->mapped) munmap((void *)b->map, b->size);
    free(b->log);
    free(b->log_index);
    free(b->dead);
    free(b->fillers);
    free(b);
}

const char *sl_bank_version(const sl_bank *b)
{
    return b ? b->version : "";
}

size_t sl_bank_count(const sl_bank *b)
{
    return b ? b->n_base + b->n_log - b->n_removed : 0;
}

void sl_bank_get_stats(const sl_bank *b, sl_bank_stats *o)
{
    *o = (sl_bank_stats){
        b->n_base,     b->n_log,     b->n_removed, sl_bank_count(b), b->h.n_entries,
        b->h.dir_bits, b->h.stop_df, b->size,      b->n_records,     b->size - b->log_end};
}

bool sl_bank_next(const sl_bank *b, size_t *cursor, sl_bank_item *out)
{
    while (*cursor < b->n_base + b->n_log) {
        size_t i = (*cursor)++;
        if (b->dead[i]) continue;
        sl__bank_item(b, i, out);
        return true;
    }
    return false;
}

bool sl_bank_find(const sl_bank *b, const char *id, size_t len, sl_bank_item *out)
{
    size_t i = sl__bank_lookup_id(b, id, len);
    if (i == SIZE_MAX) return false;
    sl__bank_item(b, i, out);
    return true;
}
