/* Writing a base segment: fold and shingle every item, sort the (shingle, item) pairs, derive
 * the stop shingles from their document frequencies, and lay out the sections described in
 * format.h. The file is written under a temporary name and renamed over the target (atomic.c),
 * so a crash leaves either the old bank or the new one (or none), never a half-written file. */
#include "bank/format.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "bank/shingle.h"
#include "sangloc/buf.h"

sl_status sl__bank_shingler_run(sl__bank_shingler *z, const char *text, size_t len, unsigned k,
                                const uint64_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!z->text && !(z->text = sl_text_new())) return SL_ERR_NOMEM;
    sl_error e;
    sl_status st = sl_text_build(z->text, text, len, &e);
    if (st) return st;
    const sl_view *v = sl_text_view(z->text, SL_VIEW_FOLD);
    st = sl__shingles_build(&z->s, v->data, v->len, k, SL_BANK_MAX_POST_TOKENS);
    if (st) return st;
    if (z->s.nsh > z->ucap) {
        uint64_t *u = realloc(z->uniq, z->s.nsh * sizeof *u);
        if (!u) return SL_ERR_NOMEM;
        z->uniq = u;
        z->ucap = z->s.nsh;
    }
    *n = z->s.nsh ? sl__shingles_distinct(z->s.sh, z->s.nsh, z->uniq) : 0;
    *out = z->uniq;
    return SL_OK;
}

void sl__bank_shingler_free(sl__bank_shingler *z)
{
    sl_text_free(z->text);
    sl__shingles_free(&z->s);
    free(z->uniq);
    memset(z, 0, sizeof *z);
}

sl_status sl_bank_check_item(const sl_bank_item *it, sl_error *err)
{
    if (!it) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "NULL item");
    if (!it->id || it->id_len == 0)
        return sl_error_set(err, SL_ERR_MISSING_FIELD, SL_NO_POS, "item has no id");
    if ((unsigned)it->kind >= SL_BANK_KIND_COUNT_)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "unknown kind");
    if (!it->text) return sl_error_set(err, SL_ERR_MISSING_FIELD, SL_NO_POS, "item has no text");
    struct {
        const char *name, *s;
        size_t len, max;
    } f[] = {{"id", it->id, it->id_len, SL_BANK_MAX_ID},
             {"text", it->text, it->text_len, SL_BANK_MAX_TEXT},
             {"source", it->source, it->source ? it->source_len : 0, SL_BANK_MAX_SOURCE},
             {"added", it->added, it->added ? it->added_len : 0, SL_BANK_MAX_ADDED}};
    for (size_t i = 0; i < 4; i++) {
        if (f[i].len > f[i].max)
            return sl_error_set(err, SL_ERR_TOO_LARGE, SL_NO_POS, "%s is %zu bytes, above %zu",
                                f[i].name, f[i].len, f[i].max);
        sl_error e;
        sl_status st = f[i].len ? sl_utf8_validate(f[i].s, f[i].len, &e) : SL_OK;
        if (st)
            return sl_error_set(err, st, e.byte, "%s: %s at byte %zu", f[i].name, sl_strerror(st),
                                e.byte);
    }
    size_t words = sl__count_words(it->text, it->text_len);
    if (words < SL_BANK_MIN_TOKENS)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS,
                            "text too short to register: %zu words, at least %d needed", words,
                            SL_BANK_MIN_TOKENS);
    return SL_OK;
}

/* ---- layout ---- */

typedef struct builder {
    sl__pair *pairs;
    size_t n, cap;
    sl__item_rec *recs;
    sl_buf strings;
    uint32_t *ids;
    uint32_t *dir;
    sl__entry *entries;
    unsigned dir_bits;
    uint32_t stop_df;
    sl__bank_shingler z;
} builder;

static sl_status add_string(builder *bd, const char *s, size_t len, uint32_t *off)
{
    if (bd->strings.len > UINT32_MAX - len - 1) return SL_ERR_TOO_LARGE;
    *off = (uint32_t)bd->strings.len;
    sl_status st = sl_buf_append(&bd->strings, s ? s : "", s ? len : 0);
    return st ? st : sl_buf_append(&bd->strings, "", 1);
}

static sl_status add_item(builder *bd, const sl_bank_item *it, size_t i, unsigned k)
{
    sl__item_rec *r = &bd->recs[i];
    memset(r, 0, sizeof *r);
    r->kind = (uint8_t)it->kind;
    r->id_len = (uint16_t)it->id_len;
    r->text_len = (uint32_t)it->text_len;
    r->source_len = (uint16_t)(it->source ? it->source_len : 0);
    r->added_len = (uint8_t)(it->added ? it->added_len : 0);
    sl_status st = add_string(bd, it->text, it->text_len, &r->text_off);
    if (!st) st = add_string(bd, it->id, it->id_len, &r->id_off);
    if (!st) st = add_string(bd, it->source, r->source_len, &r->source_off);
    if (!st) st = add_string(bd, it->added, r->added_len, &r->added_off);
    const uint64_t *h = NULL;
    size_t n = 0;
    if (!st) st = sl__bank_shingler_run(&bd->z, it->text, it->text_len, k, &h, &n);
    if (!st && bd->n + n > bd->cap) {
        size_t c = bd->cap ? bd->cap : 1024;
        while (c < bd->n + n) c *= 2;
        sl__pair *p = realloc(bd->pairs, c * sizeof *p);
        if (p)
            bd->pairs = p, bd->cap = c;
        else
            st = SL_ERR_NOMEM;
    }
    for (size_t j = 0; !st && j < n; j++) bd->pairs[bd->n++] = (sl__pair){h[j], (uint32_t)i};
    return st;
}

/* LSD radix sort of the pairs by (hash, item): pairs of one item are pushed in hash order, and
 * items in index order, so sorting by hash alone with a stable sort keeps items ascending. */
static sl_status sort_pairs(builder *bd)
{
    sl__pair *tmp = malloc((bd->n ? bd->n : 1) * sizeof *tmp);
    size_t *cnt = malloc(65536 * sizeof *cnt);
    if (!tmp || !cnt) {
        free(tmp);
        free(cnt);
        return SL_ERR_NOMEM;
    }
    sl__pair *a = bd->pairs, *b = tmp;
    for (unsigned shift = 0; shift < 64; shift += 16) {
        memset(cnt, 0, 65536 * sizeof *cnt);
        for (size_t i = 0; i < bd->n; i++) cnt[(a[i].hash >> shift) & 0xffff]++;
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = cnt[d];
            cnt[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < bd->n; i++) b[cnt[(a[i].hash >> shift) & 0xffff]++] = a[i];
        sl__pair *t = a;
        a = b;
        b = t;
    }
    /* four passes: the sorted data is back in bd->pairs */
    free(tmp);
    free(cnt);
    return SL_OK;
}

static uint32_t stop_df_for(size_t n_items)
{
    /* a shingle shared by more than this many items is too common to be evidence */
    size_t s = n_items / 200;
    return (uint32_t)(s < 8 ? 8 : s);
}

/* Counting shingles of each item, the directory and the entries. */
static sl_status index_pairs(builder *bd, size_t n_items, unsigned k)
{
    size_t nf = 0;
    uint64_t *fill = sl__filler_hashes(k, &nf);
    unsigned bits = 0;
    while (bits < 26 && ((size_t)1 << bits) * 4 < bd->n) bits++;
    bd->dir_bits = bits;
    bd->stop_df = stop_df_for(n_items);
    bd->dir = calloc(((size_t)1 << bits) + 1, sizeof *bd->dir);
    bd->entries = malloc((bd->n ? bd->n : 1) * sizeof *bd->entries);
    if (!fill || !bd->dir || !bd->entries) {
        free(fill);
        return SL_ERR_NOMEM;
    }
    for (size_t i = 0; i < bd->n;) {
        size_t e = i;
        while (e < bd->n && bd->pairs[e].hash == bd->pairs[i].hash) e++;
        bool counts = e - i <= bd->stop_df &&
                      !bsearch(&bd->pairs[i].hash, fill, nf, sizeof *fill, sl__u64_cmp);
        for (size_t j = i; j < e; j++) {
            if (counts) bd->recs[bd->pairs[j].item].nsh++;
            bd->entries[j] = (sl__entry){sl__bank_key(bd->pairs[j].hash, bits), bd->pairs[j].item};
            size_t d = bits ? (size_t)(bd->pairs[j].hash >> (64 - bits)) : 0;
            bd->dir[d + 1]++;
        }
        i = e;
    }
    for (size_t d = 0; d < ((size_t)1 << bits); d++) bd->dir[d + 1] += bd->dir[d];
    free(fill);
    return SL_OK;
}

typedef struct id_key {
    const char *id;
    uint32_t len, item;
} id_key;

static int id_order(const void *x, const void *y)
{
    const id_key *a = x, *b = y;
    int c = memcmp(a->id, b->id, a->len < b->len ? a->len : b->len);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static sl_status sort_ids(builder *bd, const sl_bank_item *items, size_t n)
{
    id_key *keys = malloc((n ? n : 1) * sizeof *keys);
    bd->ids = malloc((n ? n : 1) * sizeof *bd->ids);
    if (!keys || !bd->ids) {
        free(keys);
        return SL_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) keys[i] = (id_key){items[i].id, (uint32_t)items[i].id_len, i};
    qsort(keys, n, sizeof *keys, id_order);
    for (size_t i = 0; i < n; i++) bd->ids[i] = keys[i].item;
    free(keys);
    return SL_OK;
}

typedef struct out_file {
    FILE *f;
    XXH3_state_t *hs;
    uint64_t off;
    bool failed;
} out_file;

static void put(out_file *o, const void *p, size_t len)
{
    if (len && fwrite(p, 1, len, o->f) != len) o->failed = true;
    XXH3_64bits_update(o->hs, p, len);
    o->off += len;
}

static void pad8(out_file *o)
{
    static const char zeros[8];
    put(o, zeros, (8 - o->off % 8) % 8);
}

static void write_sections(out_file *o, builder *bd, size_t n, sl__bank_header *h)
{
    h->items_off = o->off;
    put(o, bd->recs, n * sizeof *bd->recs);
    h->strings_off = o->off;
    h->strings_size = bd->strings.len;
    put(o, bd->strings.data, bd->strings.len);
    pad8(o);
    h->ids_off = o->off;
    put(o, bd->ids, n * sizeof *bd->ids);
    pad8(o);
    h->dir_off = o->off;
    put(o, bd->dir, (((size_t)1 << bd->dir_bits) + 1) * sizeof *bd->dir);
    pad8(o);
    h->entries_off = o->off;
    put(o, bd->entries, bd->n * sizeof *bd->entries);
    h->base_end = o->off;
}

static sl_status write_file(const char *path, builder *bd, size_t n, unsigned k, bool create,
                            bool *exists, sl_error *err)
{
    sl__bank_tmp t;
    sl_status st = sl__bank_tmp_open(path, &t, err);
    if (st) return st;
    int fd = dup(t.fd); /* the stream closes its own descriptor; t.fd keeps the lock */
    out_file o = {fd >= 0 ? fdopen(fd, "wb") : NULL, XXH3_createState(), 0, false};
    sl__bank_header h = {.version = SL__BANK_VERSION,
                         .header_size = sizeof h,
                         .endian = SL__BANK_ENDIAN,
                         .k = k,
                         .dir_bits = bd->dir_bits,
                         .stop_df = bd->stop_df,
                         .n_items = n,
                         .n_entries = bd->n};
    memcpy(h.magic, SL__BANK_MAGIC, 8);
    if (o.f && o.hs && !XXH3_64bits_reset(o.hs)) {
        if (fwrite(&h, sizeof h, 1, o.f) != 1) o.failed = true;
        o.off = sizeof h;
        write_sections(&o, bd, n, &h);
        h.base_hash = XXH3_64bits_digest(o.hs);
        h.header_hash = XXH3_64bits(&h, offsetof(sl__bank_header, header_hash));
        if (fseek(o.f, 0, SEEK_SET) || fwrite(&h, sizeof h, 1, o.f) != 1 || fflush(o.f))
            o.failed = true;
    } else {
        o.failed = true;
    }
    int e = errno;
    if (o.f && fclose(o.f)) o.failed = true, e = errno;
    if (!o.f && fd >= 0) close(fd);
    XXH3_freeState(o.hs);
    if (o.failed) {
        sl__bank_tmp_abort(&t);
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: %s", path, strerror(e));
    }
    return sl__bank_tmp_commit(&t, create, exists, err); /* fsync, rename or link */
}

sl_status sl__bank_write_base(const char *path, const sl_bank_item *items, size_t n, unsigned k,
                              bool create, bool *exists, sl_error *err)
{
    builder bd = {.strings.max = (size_t)UINT32_MAX};
    sl_status st = SL_OK;
    if (exists) *exists = false;
    if (n > UINT32_MAX / 2) return sl_error_set(err, SL_ERR_TOO_LARGE, SL_NO_POS, "too many items");
    bd.recs = calloc(n ? n : 1, sizeof *bd.recs);
    if (!bd.recs) st = SL_ERR_NOMEM;
    for (size_t i = 0; !st && i < n; i++) st = add_item(&bd, &items[i], i, k);
    if (!st && bd.n > UINT32_MAX) st = SL_ERR_TOO_LARGE;
    if (!st) st = sort_pairs(&bd);
    if (!st) st = index_pairs(&bd, n, k);
    if (!st) st = sort_ids(&bd, items, n);
    free(bd.pairs);
    bd.pairs = NULL;
    sl__bank_shingler_free(&bd.z);
    if (st)
        sl_error_set(err, st, SL_NO_POS, "building the bank: %s", sl_strerror(st));
    else
        st = write_file(path, &bd, n, k, create, exists, err);
    free(bd.recs);
    sl_buf_free(&bd.strings);
    free(bd.ids);
    free(bd.dir);
    free(bd.entries);
    return st;
}
