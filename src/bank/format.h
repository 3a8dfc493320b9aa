/* bank/format.h — the on-disk layout of a bank file and the in-memory bank (internal).
 *
 *   [header 128 B][items n*32 B][strings][ids n*4 B][dir (2^bits+1)*4 B][entries m*8 B]  base
 *   [log record][log record]...                                                          log
 *
 * Sections start at multiples of 8. Strings are NUL-terminated. `ids` lists item indexes in
 * id order (binary search by id). The index: entries {32-bit key of the shingle hash, item}
 * sorted by (hash, item) (key = the 32 hash bits below the directory bits); dir[b] is the first
 * entry whose hash has top `dir_bits` bits == b, so a lookup is a bucket plus a short binary
 * search, and the postings of one shingle are a contiguous run sorted by item. A log record is
 * {magic, type, payload length, 0, XXH3 of the payload} followed by the payload padded to 8 bytes:
 * ADD = {kind, 0, 0, 0, id_len, text_len, source_len, added_len} + the four strings each followed
 * by NUL; RM = the id. */
#ifndef SL_BANK_FORMAT_H
#define SL_BANK_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/bank.h"
#include "bank/shingle.h"

#define SL__BANK_MAGIC   "SLBANK\r\n"
#define SL__BANK_VERSION 1u
#define SL__BANK_ENDIAN  0x01020304u
#define SL__LOG_MAGIC    0x474f4c53u /* "SLOG" */
#define SL__LOG_ADD      1u
#define SL__LOG_RM       2u

typedef struct sl__bank_header {
    char magic[8];
    uint32_t version, header_size, endian, k;
    uint32_t dir_bits, stop_df, reserved0, reserved1;
    uint64_t n_items, n_entries;
    uint64_t items_off, strings_off, strings_size, ids_off, dir_off, entries_off;
    uint64_t base_end, base_hash;
    uint64_t header_hash; /* XXH3 of the 120 bytes before it */
} sl__bank_header;

typedef struct sl__item_rec {
    uint32_t text_off, text_len, id_off, source_off, added_off;
    uint16_t id_len, source_len;
    uint8_t added_len, kind;
    uint16_t reserved;
    uint32_t nsh; /* distinct shingles that count (not filler, not stop) */
} sl__item_rec;

/* The 32 hash bits just below the directory bits: within a bucket, entries sorted by the full
 * hash are sorted by this key too. */
static inline uint32_t sl__bank_key(uint64_t hash, unsigned dir_bits)
{
    return (uint32_t)((hash << dir_bits) >> 32);
}

typedef struct sl__entry {
    uint32_t key, item;
} sl__entry;

typedef struct sl__log_hdr {
    uint32_t magic, type, len, reserved;
    uint64_t hash;
} sl__log_hdr;

typedef struct sl__log_add {
    uint8_t kind, r0, r1, r2;
    uint32_t id_len, text_len, source_len, added_len;
} sl__log_add;

/* An item of the log, pointing into the mapping. */
typedef struct sl__log_item {
    sl_bank_item it;
    uint32_t nsh;
} sl__log_item;

typedef struct sl__pair {
    uint64_t hash;
    uint32_t item;
} sl__pair;

struct sl_bank {
    const uint8_t *map;
    size_t size;
    bool mapped;
    sl__bank_header h;
    const sl__item_rec *items;
    const char *strings;
    const uint32_t *ids, *dir;
    const sl__entry *entries;
    size_t n_base;
    /* log replay */
    sl__log_item *log;
    size_t n_log, log_cap, n_records, n_removed;
    size_t log_end; /* end of the last whole log record; size - log_end bytes are a torn tail */
    sl__pair *log_index; /* (shingle hash, n_base + log item) sorted */
    size_t n_log_index;
    uint8_t *dead; /* n_base + n_log flags */
    uint64_t *fillers;
    size_t n_fillers;
    char version[96];
};

/* Checks the header and sections of b->map[0..size) and sets the section pointers. */
sl_status sl__bank_check_mapped(sl_bank *b, sl_error *err);
/* Base item i (< n_base) as a public item. */
void sl__bank_base_item(const sl_bank *b, size_t i, sl_bank_item *out);
/* Item i of base then log. */
void sl__bank_item(const sl_bank *b, size_t i, sl_bank_item *out);
/* Distinct counting shingles of item i. */
uint32_t sl__bank_nsh(const sl_bank *b, size_t i);
/* Live item index by id, or SIZE_MAX. */
size_t sl__bank_lookup_id(const sl_bank *b, const char *id, size_t len);
/* Entries [*lo, *hi) of a shingle in the base index. */
void sl__bank_base_run(const sl_bank *b, uint64_t hash, size_t *lo, size_t *hi);
/* Pairs [*lo, *hi) of a shingle in the log index. */
void sl__bank_log_run(const sl_bank *b, uint64_t hash, size_t *lo, size_t *hi);
bool sl__bank_is_filler(const sl_bank *b, uint64_t hash);

/* Writes a bank made only of a base segment holding items[0..n) to `path` (through a temporary
 * file renamed over it, or, with `create`, linked to a path that must not exist yet: *exists is
 * then set when another writer created it first). The items must already be checked and their
 * ids distinct. */
sl_status sl__bank_write_base(const char *path, const sl_bank_item *items, size_t n, unsigned k,
                              bool create, bool *exists, sl_error *err);

/* ---- atomic replacement (atomic.c) ----
 * A new version of a bank is written to "<target>.sltmp.<pid>.XXXXXX" in the folder of the
 * target (the file a symlink points to, so the link is kept), locked with flock while it is
 * written, fsynced, then renamed over the target (or hard-linked to a new name, which fails if
 * the name exists) and the folder fsynced: a crash leaves the old file or the new one. The
 * temporary files a crash leaves behind are recognized by name, pid and lock. */
typedef struct sl__bank_tmp {
    int fd;       /* the temporary file, open for writing */
    char *tmp;    /* its path */
    char *target; /* the path it will replace (symlinks resolved) */
} sl__bank_tmp;

sl_status sl__bank_tmp_open(const char *path, sl__bank_tmp *t, sl_error *err);
/* fsyncs, renames (or links, when `create`) and fsyncs the folder; always releases t. */
sl_status sl__bank_tmp_commit(sl__bank_tmp *t, bool create, bool *exists, sl_error *err);
/* Removes the temporary file and releases t. */
void sl__bank_tmp_abort(sl__bank_tmp *t);
/* Removes the temporary files of `path` left by writers that died (their pid is gone and their
 * lock is free); returns how many. */
size_t sl__bank_clean_temps(const char *path);

/* Distinct shingle hashes of item texts on their FOLD view, reusing its buffers. */
typedef struct sl__bank_shingler {
    sl_text *text;
    sl__shingles s;
    uint64_t *uniq;
    size_t ucap;
} sl__bank_shingler;

/* *out (sorted, distinct, *n of them) stays valid until the next call. */
sl_status sl__bank_shingler_run(sl__bank_shingler *z, const char *text, size_t len, unsigned k,
                                const uint64_t **out, size_t *n);
void sl__bank_shingler_free(sl__bank_shingler *z);

#endif
