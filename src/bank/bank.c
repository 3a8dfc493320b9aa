/* Opening a bank: map the file, check the header and every section's bounds and the base
 * checksum (so later reads through the mapping need no further checks), then replay the log
 * into a small in-memory index and the tombstone flags. Item accessors and id lookup. */
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

_Static_assert(sizeof(sl__bank_header) == 128, "header is 128 bytes");
_Static_assert(sizeof(sl__item_rec) == 32, "item record is 32 bytes");
_Static_assert(sizeof(sl__log_hdr) == 24, "log header is 24 bytes");

static const char *const kind_names[SL_BANK_KIND_COUNT_] = {"hoax", "document", "spam"};

const char *sl_bank_kind_name(sl_bank_kind kind)
{
    return (unsigned)kind < SL_BANK_KIND_COUNT_ ? kind_names[kind] : "unknown";
}

bool sl_bank_kind_parse(const char *name, sl_bank_kind *out)
{
    for (int i = 0; i < SL_BANK_KIND_COUNT_; i++)
        if (name && !strcmp(name, kind_names[i])) {
            *out = (sl_bank_kind)i;
            return true;
        }
    return false;
}

static sl_status bad(sl_error *err, size_t at, const char *what)
{
    return sl_error_set(err, SL_ERR_BANK, at, "bank file corrupt or of another version: %s", what);
}

/* Is [off, off+len) inside [0, limit)? */
static bool within(uint64_t off, uint64_t len, uint64_t limit)
{
    return off <= limit && len <= limit - off;
}

static sl_status check_header(sl_bank *b, sl_error *err)
{
    if (b->size < sizeof b->h) return bad(err, b->size, "file shorter than the header");
    memcpy(&b->h, b->map, sizeof b->h);
    const sl__bank_header *h = &b->h;
    if (memcmp(h->magic, SL__BANK_MAGIC, 8)) return bad(err, 0, "no bank magic");
    if (h->endian != SL__BANK_ENDIAN) return bad(err, 16, "other byte order");
    if (h->version != SL__BANK_VERSION) return bad(err, 8, "unsupported version");
    if (h->header_hash != XXH3_64bits(h, offsetof(sl__bank_header, header_hash)))
        return bad(err, offsetof(sl__bank_header, header_hash), "header checksum mismatch");
    if (h->header_size != sizeof *h || h->k < 1 || h->k > SL__BANK_K_MAX || h->dir_bits > 28 ||
        h->n_items > UINT32_MAX || h->n_entries > UINT32_MAX)
        return bad(err, 12, "header fields out of range");
    if (h->base_end > b->size) return bad(err, b->size, "file truncated");
    uint64_t ndir = ((uint64_t)1 << h->dir_bits) + 1;
    if (!within(h->items_off, h->n_items * sizeof(sl__item_rec), h->base_end) ||
        !within(h->strings_off, h->strings_size, h->base_end) ||
        !within(h->ids_off, h->n_items * 4, h->base_end) ||
        !within(h->dir_off, ndir * 4, h->base_end) ||
        !within(h->entries_off, h->n_entries * sizeof(sl__entry), h->base_end))
        return bad(err, 40, "section out of bounds");
    if ((h->items_off | h->ids_off | h->dir_off | h->entries_off) % 8)
        return bad(err, 40, "misaligned section");
    if (h->n_items && (h->strings_size == 0 || b->map[h->strings_off + h->strings_size - 1]))
        return bad(err, h->strings_off, "strings not terminated");
    return SL_OK;
}

static bool check_string(const sl_bank *b, uint32_t off, uint32_t len)
{
    return within(off, (uint64_t)len + 1, b->h.strings_size) && b->strings[off + len] == '\0';
}

/* Every offset the matcher and accessors follow is checked once here. */
static sl_status check_sections(sl_bank *b, sl_error *err)
{
    const sl__bank_header *h = &b->h;
    if (XXH3_64bits(b->map + h->header_size, h->base_end - h->header_size) != h->base_hash)
        return bad(err, h->header_size, "base segment checksum mismatch");
    b->items = (const sl__item_rec *)(b->map + h->items_off);
    b->strings = (const char *)(b->map + h->strings_off);
    b->ids = (const uint32_t *)(b->map + h->ids_off);
    b->dir = (const uint32_t *)(b->map + h->dir_off);
    b->entries = (const sl__entry *)(b->map + h->entries_off);
    b->n_base = h->n_items;
    for (size_t i = 0; i < b->n_base; i++) {
        const sl__item_rec *r = &b->items[i];
        if (!check_string(b, r->text_off, r->text_len) || !check_string(b, r->id_off, r->id_len) ||
            !check_string(b, r->source_off, r->source_len) ||
            !check_string(b, r->added_off, r->added_len) || r->kind >= SL_BANK_KIND_COUNT_)
            return bad(err, h->items_off + i * sizeof *r, "item record out of range");
        if (b->ids[i] >= b->n_base) return bad(err, h->ids_off + 4 * i, "id table out of range");
    }
    size_t ndir = ((size_t)1 << h->dir_bits);
    for (size_t d = 0; d < ndir; d++)
        if (b->dir[d] > b->dir[d + 1] || b->dir[d + 1] > h->n_entries)
            return bad(err, h->dir_off + 4 * d, "index directory out of range");
    if (b->dir[0] != 0 || b->dir[ndir] != h->n_entries)
        return bad(err, h->dir_off, "index directory does not cover the entries");
    for (size_t e = 0; e < h->n_entries; e++)
        if (b->entries[e].item >= b->n_base)
            return bad(err, h->entries_off + 8 * e, "index entry out of range");
    return SL_OK;
}

void sl__bank_base_item(const sl_bank *b, size_t i, sl_bank_item *out)
{
    const sl__item_rec *r = &b->items[i];
    *out = (sl_bank_item){b->strings + r->id_off,
                          r->id_len,
                          (sl_bank_kind)r->kind,
                          b->strings + r->text_off,
                          r->text_len,
                          b->strings + r->source_off,
                          r->source_len,
                          b->strings + r->added_off,
                          r->added_len};
}

void sl__bank_item(const sl_bank *b, size_t i, sl_bank_item *out)
{
    if (i < b->n_base)
        sl__bank_base_item(b, i, out);
    else
        *out = b->log[i - b->n_base].it;
}

uint32_t sl__bank_nsh(const sl_bank *b, size_t i)
{
    return i < b->n_base ? b->items[i].nsh : b->log[i - b->n_base].nsh;
}

static int id_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

size_t sl__bank_lookup_id(const sl_bank *b, const char *id, size_t len)
{
    for (size_t j = b->n_log; j-- > 0;) /* newest first */
        if (!b->dead[b->n_base + j] && !id_cmp(id, len, b->log[j].it.id, b->log[j].it.id_len))
            return b->n_base + j;
    size_t lo = 0, hi = b->n_base;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const sl__item_rec *r = &b->items[b->ids[mid]];
        int c = id_cmp(b->strings + r->id_off, r->id_len, id, len);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < b->n_base) {
        size_t i = b->ids[lo];
        const sl__item_rec *r = &b->items[i];
        if (!id_cmp(b->strings + r->id_off, r->id_len, id, len) && !b->dead[i]) return i;
    }
    return SIZE_MAX;
}

void sl__bank_base_run(const sl_bank *b, uint64_t hash, size_t *lo, size_t *hi)
{
    *lo = *hi = 0;
    if (!b->h.n_entries) return;
    size_t d = b->h.dir_bits ? (size_t)(hash >> (64 - b->h.dir_bits)) : 0;
    uint32_t key = sl__bank_key(hash, b->h.dir_bits);
    size_t l = b->dir[d], h = b->dir[d + 1];
    while (l < h) {
        size_t m = l + (h - l) / 2;
        if (b->entries[m].key < key)
            l = m + 1;
        else
            h = m;
    }
    size_t e = l;
    while (e < b->dir[d + 1] && b->entries[e].key == key) e++;
    *lo = l;
    *hi = e;
}

void sl__bank_log_run(const sl_bank *b, uint64_t hash, size_t *lo, size_t *hi)
{
    size_t l = 0, h = b->n_log_index;
    while (l < h) {
        size_t m = l + (h - l) / 2;
        if (b->log_index[m].hash < hash)
            l = m + 1;
        else
            h = m;
    }
    size_t e = l;
    while (e < b->n_log_index && b->log_index[e].hash == hash) e++;
    *lo = l;
    *hi = e;
}

sl_status sl__bank_check_mapped(sl_bank *b, sl_error *err)
{
    sl_status st = check_header(b, err);
    return st ? st : check_sections(b, err);
}

bool sl__bank_is_filler(const sl_bank *b, uint64_t hash)
{
    return b->n_fillers && bsearch(&hash, b->fillers, b->n_fillers, sizeof hash, sl__u64_cmp);
}
