/* model/vectors.c — the vector file ("SLVECS", format 1): writing, checking, lookups.
 *
 * Layout (little-endian). A 64-byte header:
 *   0 magic "SLVECS\0\0"   8 u32 format   12 u32 dim   16 u32 nwords   20 u32 slot_bits
 *   24 u32 bucket_bits   28 u32 minn   32 u32 maxn   36 u32 meta bytes (NUL included)
 *   40 u64 file size   48 u64 checksum of every byte after the header (sl__checksum, the
 *   FNV-1a-64 variant of the model file)   56 u32 flags (SL__VEC_FOLDED: the words and
 *   n-grams are of diacritic-folded code points)   60 u32 zero
 * then, each at the next multiple of 64: keys u64[2^slot_bits], rows u32[2^slot_bits],
 * word_w int8[nwords*dim], word_s float[nwords], ngram_w int8[2^bucket_bits*dim],
 * ngram_s float[2^bucket_bits] (both absent with bucket_bits 0), meta (the file ends with its
 * NUL). Offsets follow from the header alone, so no offset table can point anywhere else.
 *
 * Word keys sit in an open-addressing table at most half full, linear probing from the top
 * slot_bits bits of key * golden ratio: a known word costs one or two cache lines of keys. */
#include "model/vectors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/format.h"
#include "text/chars.h"
#include "text/utf8.h"
#include "util/file.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "vector files are little-endian and read in place: port the reader before using this host"
#endif

#define MAGIC      "SLVECS\0\0"
#define ALIGN      64u
#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME  0x100000001b3ull

typedef struct layout {
    uint64_t keys, rows, word_w, word_s, ngram_w, ngram_s, meta, end;
} layout;

static uint64_t align_up(uint64_t n)
{
    return (n + ALIGN - 1) & ~(uint64_t)(ALIGN - 1);
}

/* Offsets of every section; all counts are bounded by the callers, so nothing overflows. */
static layout make_layout(uint32_t dim, uint32_t nwords, uint32_t slot_bits, uint32_t bucket_bits,
                          uint32_t meta_len)
{
    uint64_t slots = (uint64_t)1 << slot_bits;
    uint64_t buckets = bucket_bits ? (uint64_t)1 << bucket_bits : 0;
    layout l;
    l.keys = SL__VEC_HEADER_BYTES;
    l.rows = align_up(l.keys + 8 * slots);
    l.word_w = align_up(l.rows + 4 * slots);
    l.word_s = align_up(l.word_w + (uint64_t)nwords * dim);
    l.ngram_w = align_up(l.word_s + 4 * (uint64_t)nwords);
    l.ngram_s = align_up(l.ngram_w + buckets * dim);
    l.meta = align_up(l.ngram_s + 4 * buckets);
    l.end = l.meta + meta_len;
    return l;
}

static inline uint64_t slot_of(uint64_t key, uint32_t slot_bits)
{
    return (key * 0x9e3779b97f4a7c15ull) >> (64 - slot_bits);
}

/* ---- n-grams ----------------------------------------------------------------------------- */

static inline uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

size_t sl__vectors_ngrams(const char *s, size_t len, unsigned minn, unsigned maxn,
                          unsigned bucket_bits, int folded, uint32_t *out)
{
    uint32_t cps[SL__NGRAM_MAX_CPS + 2];
    size_t n = 0, i = 0;
    cps[n++] = '<';
    while (i < len && n < SL__NGRAM_MAX_CPS + 1) {
        uint32_t cp;
        size_t k;
        if ((unsigned char)s[i] < 0x80) {
            cp = (unsigned char)s[i];
            k = 1;
        } else {
            k = sl__utf8_decode(s + i, len - i, &cp);
            if (!k) k = 1;
        }
        i += k;
        if (folded) {
            cp = sl__cp_base(cp);
            if (cp == 0 || (cp >= 0x300 && cp < 0x370)) continue; /* marks: FOLD has none */
        }
        cps[n++] = cp;
    }
    cps[n++] = '>';
    size_t k = 0;
    unsigned shift = 64 - bucket_bits;
    for (size_t a = 0; a < n; a++) {
        uint64_t h = FNV_OFFSET;
        size_t stop = n - a < maxn ? n - a : maxn;
        for (size_t m = 0; m < stop; m++) {
            h = (h ^ cps[a + m]) * FNV_PRIME;
            if (m + 1 >= minn) out[k++] = (uint32_t)(mix64(h) >> shift);
        }
    }
    return k;
}

/* ---- lookups ----------------------------------------------------------------------------- */

static inline void add_row(float *restrict out, const int8_t *restrict w, float s, uint32_t dim)
{
    for (uint32_t d = 0; d < dim; d++) out[d] += s * (float)w[d];
}

static inline void set_row(float *restrict out, const int8_t *restrict w, float s, uint32_t dim)
{
    for (uint32_t d = 0; d < dim; d++) out[d] = s * (float)w[d];
}

int sl__vectors_token(const sl__vectors *v, const sl__tok *t, const sl_view *norm, float *out)
{
    const uint32_t dim = v->dim;
    const uint64_t key = sl__vectors_key(v->flags & SL__VEC_FOLDED ? t->fh : t->h);
    const uint64_t mask = ((uint64_t)1 << v->slot_bits) - 1;
    /* bind checked that a slot is empty, so the probe ends */
    for (uint64_t i = slot_of(key, v->slot_bits);; i = (i + 1) & mask) {
        uint64_t k = v->keys[i];
        if (k == key) {
            uint32_t r = v->rows[i];
            set_row(out, v->word_w + (size_t)r * dim, v->word_s[r], dim);
            return 1;
        }
        if (!k) break;
    }
    uint32_t b[SL__VEC_MAX_NGRAMS];
    size_t n = 0;
    if (t->word && v->bucket_bits && t->ve <= norm->len && t->vs < t->ve)
        n = sl__vectors_ngrams(norm->data + t->vs, t->ve - t->vs, v->minn, v->maxn, v->bucket_bits,
                               (int)(v->flags & SL__VEC_FOLDED), b);
    if (!n) {
        memset(out, 0, dim * sizeof *out);
        return 0;
    }
    /* the mean: the scale of each row divided by n once, no division per element */
    const float inv = 1.0f / (float)n;
    set_row(out, v->ngram_w + (size_t)b[0] * dim, v->ngram_s[b[0]] * inv, dim);
    for (size_t j = 1; j < n; j++)
        add_row(out, v->ngram_w + (size_t)b[j] * dim, v->ngram_s[b[j]] * inv, dim);
    return 2;
}

/* The slot holding key, or -1 when the key is not a word. */
static inline long find_slot(const sl__vectors *v, uint64_t key)
{
    const uint64_t mask = ((uint64_t)1 << v->slot_bits) - 1;
    for (uint64_t i = slot_of(key, v->slot_bits);; i = (i + 1) & mask) {
        uint64_t k = v->keys[i];
        if (k == key) return (long)i;
        if (!k) return -1;
    }
}

void sl__vectors_rows(const sl__vectors *v, const sl__tok *toks, size_t n, int32_t *rows)
{
    const int folded = (v->flags & SL__VEC_FOLDED) != 0;
    /* two passes so that the tokens' cache misses overlap: the key slots, then the rows */
    for (size_t i = 0; i < n; i++) {
        uint64_t key = sl__vectors_key(folded ? toks[i].fh : toks[i].h);
        __builtin_prefetch(&v->keys[slot_of(key, v->slot_bits)]);
    }
    for (size_t i = 0; i < n; i++) {
        long s = find_slot(v, sl__vectors_key(folded ? toks[i].fh : toks[i].h));
        rows[i] = s < 0 ? -1 : (int32_t)v->rows[s];
        if (s < 0) continue;
        __builtin_prefetch(v->word_w + (size_t)rows[i] * v->dim);
        __builtin_prefetch(&v->word_s[rows[i]]);
    }
}

void sl__vectors_tokens(const sl__vectors *v, const sl__tok *toks, size_t n, const sl_view *norm,
                        float *out, uint8_t *kind)
{
    const uint32_t dim = v->dim;
    int32_t rows[64];
    /* in chunks, so that the chunk's lookups (sl__vectors_rows) overlap their cache misses */
    for (size_t c = 0; c < n; c += 64) {
        size_t m = n - c < 64 ? n - c : 64;
        sl__vectors_rows(v, toks + c, m, rows);
        for (size_t i = 0; i < m; i++) {
            float *o = out + (c + i) * dim;
            if (rows[i] >= 0) {
                set_row(o, v->word_w + (size_t)rows[i] * dim, v->word_s[rows[i]], dim);
                kind[c + i] = 1;
            } else {
                kind[c + i] = (uint8_t)sl__vectors_token(v, &toks[c + i], norm, o);
            }
        }
    }
}

/* ---- writing ----------------------------------------------------------------------------- */

static int quantize_rows(const float *x, size_t rows, uint32_t dim, int8_t *q, float *scales)
{
    for (size_t r = 0; r < rows; r++) {
        const float *row = x + r * dim;
        float m = 0;
        for (uint32_t d = 0; d < dim; d++) {
            if (!isfinite(row[d])) return -1;
            if (fabsf(row[d]) > m) m = fabsf(row[d]);
        }
        float s = m > 0 ? m / 127.0f : 1.0f;
        if (!(s > 0) || !isfinite(s)) s = 1.0f; /* denormal maxima */
        for (uint32_t d = 0; d < dim; d++) {
            long v = lrintf(row[d] / s);
            q[r * dim + d] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
        }
        scales[r] = s;
    }
    return 0;
}

static uint32_t slot_bits_for(uint32_t nwords)
{
    uint32_t b = 1;
    while (((uint64_t)1 << b) < 2 * (uint64_t)nwords + 2) b++;
    return b;
}

sl_status sl__vectors_serialize(const sl__vectors_src *src, unsigned char **out, size_t *len,
                                sl_error *err)
{
    *out = NULL;
    *len = 0;
    if (src->dim < 1 || src->dim > SL__VEC_MAX_DIM)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "vector dimension %u not in 1..%u",
                            src->dim, SL__VEC_MAX_DIM);
    if (src->bucket_bits > SL__VEC_MAX_BUCKET_BITS || src->minn < 1 || src->minn > src->maxn ||
        src->maxn > SL__VEC_MAX_N)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "n-gram settings out of range");
    uint32_t sb = slot_bits_for(src->nwords);
    if (sb > SL__VEC_MAX_SLOT_BITS)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "too many words (%u)", src->nwords);
    size_t meta_len = strlen(src->meta ? src->meta : "") + 1;
    if (meta_len > UINT32_MAX / 2)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "meta text too long");
    layout l = make_layout(src->dim, src->nwords, sb, src->bucket_bits, (uint32_t)meta_len);
    unsigned char *buf = calloc(1, l.end);
    if (!buf) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "no memory for the vector file");
    uint64_t *keys = (uint64_t *)(buf + l.keys);
    uint32_t *rows = (uint32_t *)(buf + l.rows);
    uint64_t mask = ((uint64_t)1 << sb) - 1;
    for (uint32_t r = 0; r < src->nwords; r++) {
        uint64_t key = sl__vectors_key(src->keys[r]);
        uint64_t i = slot_of(key, sb);
        while (keys[i] && keys[i] != key) i = (i + 1) & mask;
        if (keys[i]) {
            free(buf);
            return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "duplicate word key %016llx",
                                (unsigned long long)key);
        }
        keys[i] = key;
        rows[i] = r;
    }
    size_t buckets = src->bucket_bits ? (size_t)1 << src->bucket_bits : 0;
    if (quantize_rows(src->word_vecs, src->nwords, src->dim, (int8_t *)(buf + l.word_w),
                      (float *)(buf + l.word_s)) ||
        quantize_rows(src->ngram_vecs, buckets, src->dim, (int8_t *)(buf + l.ngram_w),
                      (float *)(buf + l.ngram_s))) {
        free(buf);
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "a vector is not finite");
    }
    memcpy(buf + l.meta, src->meta ? src->meta : "", meta_len);
    uint32_t hdr[8] = {SL__VEC_FORMAT,   src->dim,  src->nwords, sb,
                       src->bucket_bits, src->minn, src->maxn,   (uint32_t)meta_len};
    memcpy(buf, MAGIC, 8);
    memcpy(buf + 8, hdr, sizeof hdr);
    uint64_t size = l.end,
             sum = sl__checksum(buf + SL__VEC_HEADER_BYTES, l.end - SL__VEC_HEADER_BYTES);
    uint32_t flags = src->flags;
    memcpy(buf + 40, &size, 8);
    memcpy(buf + 48, &sum, 8);
    memcpy(buf + 56, &flags, 4);
    *out = buf;
    *len = l.end;
    return SL_OK;
}

sl_status sl__vectors_write(const sl__vectors_src *src, const char *path, sl_error *err)
{
    unsigned char *buf;
    size_t len;
    sl_status st = sl__vectors_serialize(src, &buf, &len, err);
    if (st) return st;
    st = sl__file_write_atomic(path, buf, len, err);
    free(buf);
    return st;
}

/* ---- checking ---------------------------------------------------------------------------- */

#define BAD(...) sl_error_set(err, SL_ERR_MODEL, SL_NO_POS, __VA_ARGS__)

static int scales_ok(const float *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(s[i] > 0) || !isfinite(s[i])) return 0;
    return 1;
}

sl_status sl__vectors_bind(sl__vectors *v, const void *bytes, size_t len, sl_error *err)
{
    memset(v, 0, sizeof *v);
    const unsigned char *p = bytes;
    if (!p) return BAD("vector file: no bytes");
    if ((uintptr_t)p % ALIGN) return BAD("vector file: bytes not 64-byte aligned in memory");
    if (len < SL__VEC_HEADER_BYTES) return BAD("vector file truncated: %zu bytes", len);
    if (memcmp(p, MAGIC, 8)) return BAD("not a sangloc vector file (bad magic)");
    uint32_t h[8];
    uint64_t size, sum;
    uint32_t flags, zero;
    memcpy(h, p + 8, sizeof h);
    memcpy(&size, p + 40, 8);
    memcpy(&sum, p + 48, 8);
    memcpy(&flags, p + 56, 4);
    memcpy(&zero, p + 60, 4);
    if (h[0] != SL__VEC_FORMAT)
        return BAD("vector file format %u, this build reads format %u", h[0], SL__VEC_FORMAT);
    if (size != len)
        return BAD("vector file truncated or padded: header says %llu bytes, given %zu",
                   (unsigned long long)size, len);
    uint32_t dim = h[1], nwords = h[2], sb = h[3], bb = h[4], minn = h[5], maxn = h[6];
    uint32_t meta_len = h[7];
    if (dim < 1 || dim > SL__VEC_MAX_DIM)
        return BAD("vector file: dimension %u not in 1..%u", dim, SL__VEC_MAX_DIM);
    if (sb < 1 || sb > SL__VEC_MAX_SLOT_BITS)
        return BAD("vector file: slot bits %u not in 1..%u", sb, SL__VEC_MAX_SLOT_BITS);
    if ((uint64_t)nwords >= (uint64_t)1 << sb)
        return BAD("vector file: %u words do not fit 2^%u slots", nwords, sb);
    if (bb > SL__VEC_MAX_BUCKET_BITS)
        return BAD("vector file: bucket bits %u above %u", bb, SL__VEC_MAX_BUCKET_BITS);
    if (minn < 1 || minn > maxn || maxn > SL__VEC_MAX_N)
        return BAD("vector file: n-gram lengths %u..%u not within 1..%u", minn, maxn,
                   SL__VEC_MAX_N);
    if (meta_len < 1 || zero || (flags & ~(uint32_t)SL__VEC_FOLDED))
        return BAD("vector file: bad header (meta size, flags or reserved bytes)");
    layout l = make_layout(dim, nwords, sb, bb, meta_len);
    if (l.end != len)
        return BAD("vector file: sizes say %llu bytes, the file has %zu", (unsigned long long)l.end,
                   len);
    if (sl__checksum(p + SL__VEC_HEADER_BYTES, len - SL__VEC_HEADER_BYTES) != sum)
        return BAD("vector file corrupt: checksum mismatch");
    if (p[len - 1] != '\0') return BAD("vector file: meta text not NUL-terminated");
    const uint64_t *keys = (const uint64_t *)(p + l.keys);
    const uint32_t *rows = (const uint32_t *)(p + l.rows);
    uint64_t slots = (uint64_t)1 << sb, used = 0;
    for (uint64_t i = 0; i < slots; i++) {
        if (!keys[i]) continue;
        if (rows[i] >= nwords)
            return BAD("vector file: slot %llu names row %u of %u", (unsigned long long)i, rows[i],
                       nwords);
        used++;
    }
    if (used != nwords)
        return BAD("vector file: %llu keys for %u words", (unsigned long long)used, nwords);
    size_t buckets = bb ? (size_t)1 << bb : 0;
    if (!scales_ok((const float *)(p + l.word_s), nwords) ||
        !scales_ok((const float *)(p + l.ngram_s), buckets))
        return BAD("vector file: a row scale is not a finite positive number");
    v->dim = dim;
    v->nwords = nwords;
    v->slot_bits = sb;
    v->bucket_bits = bb;
    v->minn = minn;
    v->maxn = maxn;
    v->flags = flags;
    v->keys = keys;
    v->rows = rows;
    v->word_w = (const int8_t *)(p + l.word_w);
    v->word_s = (const float *)(p + l.word_s);
    v->ngram_w = bb ? (const int8_t *)(p + l.ngram_w) : NULL;
    v->ngram_s = bb ? (const float *)(p + l.ngram_s) : NULL;
    v->meta = (const char *)(p + l.meta);
    return SL_OK;
}
