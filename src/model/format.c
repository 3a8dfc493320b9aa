/* model/format.c — writing, checking and mapping model files (layout in model/format.h).
 *
 * Weights are quantized per block of SL__BLOCK_ROWS rows and per column: scale = max|w| / 127,
 * q = round(w / scale). Blocks keep one rare large weight from flattening all the others, and
 * int8 keeps the default comment table at 5 MB, small enough to stay mostly in cache.
 *
 * Loading maps the file read-only and trusts nothing: sizes, offsets, alignment, the settings
 * and the checksum are all verified, and each failure names what is wrong. */
#include "model/format.h"
#include "text/chars.h"
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "model files are little-endian and read in place: port the loader before using this host"
#endif

_Static_assert(sizeof(sl__params) == 128, "sl__params must have no padding");

typedef struct sec_entry {
    uint32_t id, zero;
    uint64_t off, size;
} sec_entry;

uint64_t sl__checksum(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i = 0;
    /* 8 bytes per step keeps the pass over a 5 MB file at a few milliseconds */
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        h = (h ^ x) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    for (; i < len; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* ---- writing ------------------------------------------------------------------------------- */

static size_t align_up(size_t n)
{
    return (n + SL__ALIGN - 1) & ~(size_t)(SL__ALIGN - 1);
}

static void quantize(const float *w, size_t rows, size_t cols, int8_t *q, float *scales)
{
    for (size_t b = 0; b < rows / SL__BLOCK_ROWS; b++) {
        for (size_t c = 0; c < cols; c++) {
            float mx = 0;
            for (size_t r = b * SL__BLOCK_ROWS; r < (b + 1) * SL__BLOCK_ROWS; r++)
                mx = fmaxf(mx, fabsf(w[r * cols + c]));
            float s = mx > 0 ? mx / 127.0f : 0;
            scales[b * cols + c] = s;
            for (size_t r = b * SL__BLOCK_ROWS; r < (b + 1) * SL__BLOCK_ROWS; r++) {
                float v = s > 0 ? w[r * cols + c] / s : 0;
                q[r * cols + c] = (int8_t)lrintf(fmaxf(-127.0f, fminf(127.0f, v)));
            }
        }
    }
}

typedef struct layout {
    sec_entry sec[SL__MAX_SECTIONS];
    uint32_t n;
    size_t end;
} layout;

static void add_section(layout *l, uint32_t id, size_t size)
{
    l->end = align_up(l->end);
    l->sec[l->n++] = (sec_entry){id, 0, l->end, size};
    l->end += size;
}

size_t sl__dense_floats(const sl__params *p)
{
    return (size_t)p->cls_dense * (2 + SL__CLS_COLS) + (size_t)p->span_dense * 3;
}

static void plan(const sl__weights *w, layout *l)
{
    size_t cls_rows = (size_t)1 << w->params.cls_bits;
    size_t span_rows = (size_t)1 << w->params.span_bits;
    int vecs = w->params.vec_dim > 0;
    memset(l, 0, sizeof *l);
    l->end = SL__HEADER_BYTES + (vecs ? 8 : 6) * sizeof(sec_entry);
    add_section(l, SL__SEC_META, strlen(w->meta) + 1);
    add_section(l, SL__SEC_PARAMS, sizeof(sl__params));
    add_section(l, SL__SEC_CLS_W, cls_rows * SL__CLS_COLS);
    add_section(l, SL__SEC_CLS_S, cls_rows / SL__BLOCK_ROWS * SL__CLS_COLS * sizeof(float));
    add_section(l, SL__SEC_SPAN_W, span_rows);
    add_section(l, SL__SEC_SPAN_S, span_rows / SL__BLOCK_ROWS * sizeof(float));
    if (vecs) {
        add_section(l, SL__SEC_VECS, w->vecs_len);
        add_section(l, SL__SEC_DENSE, sl__dense_floats(&w->params) * sizeof(float));
    }
    l->end = align_up(l->end);
}

static void fill_sections(const sl__weights *w, const layout *l, unsigned char *buf)
{
    size_t cls_rows = (size_t)1 << w->params.cls_bits;
    size_t span_rows = (size_t)1 << w->params.span_bits;
    memcpy(buf + l->sec[0].off, w->meta, l->sec[0].size);
    memcpy(buf + l->sec[1].off, &w->params, sizeof w->params);
    if (w->cls)
        quantize(w->cls, cls_rows, SL__CLS_COLS, (int8_t *)(buf + l->sec[2].off),
                 (float *)(buf + l->sec[3].off));
    if (w->span)
        quantize(w->span, span_rows, 1, (int8_t *)(buf + l->sec[4].off),
                 (float *)(buf + l->sec[5].off));
    if (w->params.vec_dim) {
        memcpy(buf + l->sec[6].off, w->vecs, w->vecs_len);
        memcpy(buf + l->sec[7].off, w->dense, l->sec[7].size);
    }
}

sl_status sl__model_serialize(const sl__weights *w, unsigned char **out, size_t *len, sl_error *err)
{
    const sl__params *p = &w->params;
    if (p->cls_bits < SL__MIN_BITS || p->cls_bits > SL__MAX_BITS || p->span_bits < SL__MIN_BITS ||
        p->span_bits > SL__MAX_BITS)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "feature bits out of range");
    if (p->vec_dim &&
        (!w->vecs || !w->dense || p->cls_dense > 2 * p->vec_dim || p->span_dense > 3 * p->vec_dim))
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "vector settings without vectors");
    layout l;
    plan(w, &l);
    unsigned char *buf = calloc(1, l.end);
    if (!buf) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "no memory for the model file");
    fill_sections(w, &l, buf);
    memcpy(buf + SL__HEADER_BYTES, l.sec, l.n * sizeof(sec_entry));
    memcpy(buf, SL__MODEL_MAGIC, 8);
    uint32_t fmt = SL__MODEL_FORMAT;
    uint64_t size = l.end;
    memcpy(buf + 8, &fmt, 4);
    memcpy(buf + 12, &l.n, 4);
    memcpy(buf + 16, &size, 8);
    uint64_t sum = sl__checksum(buf + SL__HEADER_BYTES, l.end - SL__HEADER_BYTES);
    memcpy(buf + 24, &sum, 8);
    *out = buf;
    *len = l.end;
    return SL_OK;
}

sl_status sl__model_write(const sl__weights *w, const char *path, sl_error *err)
{
    unsigned char *buf;
    size_t len;
    sl_status st = sl__model_serialize(w, &buf, &len, err);
    if (st) return st;
    st = sl__file_write_atomic(path, buf, len, err);
    free(buf);
    return st;
}

/* ---- checking and binding -------------------------------------------------------------------- */

#define BAD(...) sl_error_set(err, SL_ERR_MODEL, SL_NO_POS, __VA_ARGS__)

static sl_status check_header(const sl_model *m, uint32_t *nsec, sl_error *err)
{
    if (m->len < SL__HEADER_BYTES) return BAD("model file truncated: %zu bytes", m->len);
    if (memcmp(m->base, SL__MODEL_MAGIC, 8)) return BAD("not a sangloc model file (bad magic)");
    uint32_t fmt;
    uint64_t size, sum;
    memcpy(&fmt, m->base + 8, 4);
    memcpy(nsec, m->base + 12, 4);
    memcpy(&size, m->base + 16, 8);
    memcpy(&sum, m->base + 24, 8);
    if (fmt < 1 || fmt > SL__MODEL_FORMAT)
        return BAD("model format %u, this build reads formats 1 to %u", fmt, SL__MODEL_FORMAT);
    if (size != m->len)
        return BAD("model file truncated or padded: header says %llu bytes, file has %zu",
                   (unsigned long long)size, m->len);
    if (*nsec == 0 || *nsec > SL__MAX_SECTIONS) return BAD("bad section count %u", *nsec);
    if (SL__HEADER_BYTES + (size_t)*nsec * sizeof(sec_entry) > m->len)
        return BAD("section table past the end of the file");
    if (sl__checksum(m->base + SL__HEADER_BYTES, m->len - SL__HEADER_BYTES) != sum)
        return BAD("model file corrupt: checksum mismatch");
    return SL_OK;
}

/* Finds section id; its bounds and alignment are checked, its size must equal `want`
 * (0: any size). */
static sl_status find_section(const sl_model *m, uint32_t nsec, uint32_t id, size_t want,
                              const unsigned char **out, size_t *size, sl_error *err)
{
    for (uint32_t i = 0; i < nsec; i++) {
        sec_entry e;
        memcpy(&e, m->base + SL__HEADER_BYTES + i * sizeof e, sizeof e);
        if (e.id != id) continue;
        if (e.off % SL__ALIGN || e.off > m->len || e.size > m->len - e.off)
            return BAD("section %u out of bounds or misaligned", id);
        if (want && e.size != want)
            return BAD("section %u has %llu bytes, expected %zu", id, (unsigned long long)e.size,
                       want);
        *out = m->base + e.off;
        *size = (size_t)e.size;
        return SL_OK;
    }
    return BAD("section %u missing", id);
}

static sl_status check_params(const sl__params *p, sl_error *err)
{
    if (p->cls_bits < SL__MIN_BITS || p->cls_bits > SL__MAX_BITS || p->span_bits < SL__MIN_BITS ||
        p->span_bits > SL__MAX_BITS)
        return BAD("feature table size out of range");
    if (p->cls_cols != SL__CLS_COLS || p->block_rows != SL__BLOCK_ROWS)
        return BAD("unsupported table shape");
    const float *f = p->cls_bias;
    for (size_t i = 0; i < 11; i++)
        if (!isfinite(f[i])) return BAD("non-finite decision constant");
    if (p->vec_dim > SL__VEC_MAX_DIM || (p->cls_dense != 0 && p->cls_dense != 2 * p->vec_dim) ||
        (p->span_dense != 0 && p->span_dense != 3 * p->vec_dim))
        return BAD("unsupported vector settings");
    return SL_OK;
}

/* The dots of one vector x (vec_dim floats) with the folded weights, SL__WORD_DOTS to out. */
void sl__model_vector_dots(const sl_model *m, const float *x, float *out)
{
    size_t dim = m->p->vec_dim, cd = m->p->cls_dense, sd = m->p->span_dense;
    for (size_t k = 0; k < SL__WORD_DOTS; k++) {
        const float *w = k < SL__CLS_COLS ? (cd ? m->cls_wd + k * cd : NULL)
                                          : (sd ? m->span_wd + (k - SL__CLS_COLS) * dim : NULL);
        float acc = 0;
        for (size_t i = 0; w && i < dim; i++) acc += x[i] * w[i];
        out[k] = acc;
    }
}

/* Every vocabulary word's dots (model/format.h). -1 when out of memory. */
static int word_dots(sl_model *m)
{
    const sl__vectors *v = &m->vec;
    m->word_dots = malloc(((size_t)v->nwords + 1) * SL__WORD_DOTS * sizeof *m->word_dots);
    float *x = malloc(v->dim * sizeof *x);
    if (!m->word_dots || !x) {
        free(x);
        return -1;
    }
    for (size_t r = 0; r < v->nwords; r++) {
        const int8_t *q = v->word_w + r * v->dim;
        for (size_t i = 0; i < v->dim; i++) x[i] = v->word_s[r] * (float)q[i];
        sl__model_vector_dots(m, x, m->word_dots + r * SL__WORD_DOTS);
    }
    free(x);
    return 0;
}

/* Folds each dense feature's standardization into its weight (model/format.h), so prediction
 * computes plain dot products over contiguous rows. -1 when out of memory. */
static int fold_dense(sl_model *m)
{
    const sl__params *p = m->p;
    const sl__dense *d = &m->dense;
    size_t cd = p->cls_dense, sd = p->span_dense;
    m->cls_wd = malloc((cd ? cd : 1) * SL__CLS_COLS * sizeof *m->cls_wd);
    m->span_wd = malloc((sd ? sd : 1) * sizeof *m->span_wd);
    if (!m->cls_wd || !m->span_wd) return -1;
    for (size_t c = 0; c < SL__CLS_COLS; c++) {
        double b = 0;
        for (size_t i = 0; i < cd; i++) {
            float w = d->cls_w[i * SL__CLS_COLS + c] * d->cls_inv[i];
            m->cls_wd[c * cd + i] = w;
            b -= (double)d->cls_mu[i] * w;
        }
        m->cls_bd[c] = (float)b;
    }
    double b = 0;
    for (size_t i = 0; i < sd; i++) {
        m->span_wd[i] = d->span_w[i] * d->span_inv[i];
        b -= (double)d->span_mu[i] * m->span_wd[i];
    }
    m->span_bd = (float)b;
    return word_dots(m);
}

/* The embedded vectors and the dense weights, when the model has them. */
static sl_status bind_vectors(sl_model *m, uint32_t nsec, sl_error *err)
{
    const sl__params *p = m->p;
    if (!p->vec_dim) return SL_OK;
    const unsigned char *a, *b;
    size_t sz, nd = sl__dense_floats(p);
    sl_status st = find_section(m, nsec, SL__SEC_VECS, 0, &a, &sz, err);
    if (!st) st = sl__vectors_bind(&m->vec, a, sz, err);
    if (st) return st;
    if (m->vec.dim != p->vec_dim)
        return BAD("vectors have %u dimensions, expected %u", m->vec.dim, p->vec_dim);
    st = find_section(m, nsec, SL__SEC_DENSE, nd * sizeof(float), &b, &sz, err);
    if (st) return st;
    const float *f = (const float *)(const void *)b;
    for (size_t i = 0; i < nd; i++)
        if (!isfinite(f[i])) return BAD("non-finite dense weight %zu", i);
    sl__dense *d = &m->dense;
    d->cls_mu = f;
    d->cls_inv = d->cls_mu + p->cls_dense;
    d->cls_w = d->cls_inv + p->cls_dense;
    d->span_mu = d->cls_w + (size_t)p->cls_dense * SL__CLS_COLS;
    d->span_inv = d->span_mu + p->span_dense;
    d->span_w = d->span_inv + p->span_dense;
    return fold_dense(m) ? sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "no memory for the model")
                         : SL_OK;
}

static sl_status check_scales(const float *s, size_t n, sl_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(s[i]) || s[i] < 0) return BAD("invalid weight scale in block %zu", i);
    return SL_OK;
}

static sl_status bind_tables(sl_model *m, uint32_t nsec, sl_error *err)
{
    const sl__params *p = m->p;
    size_t cr = (size_t)1 << p->cls_bits, sr = (size_t)1 << p->span_bits;
    size_t cb = cr / SL__BLOCK_ROWS * SL__CLS_COLS, sb = sr / SL__BLOCK_ROWS;
    const unsigned char *a, *b, *c, *d;
    size_t sz;
    sl_status st = find_section(m, nsec, SL__SEC_CLS_W, cr * SL__CLS_COLS, &a, &sz, err);
    if (!st) st = find_section(m, nsec, SL__SEC_CLS_S, cb * sizeof(float), &b, &sz, err);
    if (!st) st = find_section(m, nsec, SL__SEC_SPAN_W, sr, &c, &sz, err);
    if (!st) st = find_section(m, nsec, SL__SEC_SPAN_S, sb * sizeof(float), &d, &sz, err);
    if (st) return st;
    m->cls_w = (const int8_t *)a;
    m->cls_s = (const float *)(const void *)b;
    m->span_w = (const int8_t *)c;
    m->span_s = (const float *)(const void *)d;
    st = check_scales(m->cls_s, cb, err);
    if (!st) st = check_scales(m->span_s, sb, err);
    return st;
}

sl_status sl__model_bind(sl_model *m, sl_error *err)
{
    uint32_t nsec = 0;
    const unsigned char *sec;
    size_t size;
    sl_status st = check_header(m, &nsec, err);
    if (!st) st = find_section(m, nsec, SL__SEC_META, 0, &sec, &size, err);
    if (st) return st;
    if (size == 0 || sec[size - 1] != '\0' || memchr(sec, '\0', size) != sec + size - 1)
        return BAD("metadata section is not one NUL-terminated text");
    m->meta = (const char *)sec;
    st = find_section(m, nsec, SL__SEC_PARAMS, sizeof(sl__params), &sec, &size, err);
    if (st) return st;
    m->p = (const sl__params *)(const void *)sec;
    st = check_params(m->p, err);
    if (!st) st = bind_tables(m, nsec, err);
    if (!st) st = bind_vectors(m, nsec, err);
    if (st) return st;
    uint64_t sum;
    memcpy(&sum, m->base + 24, 8);
    snprintf(m->version, sizeof m->version, "slm1-%016llx", (unsigned long long)sum);
    if (sl__targets_init(&m->targets))
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "no memory for the model");
    return SL_OK;
}

/* ---- public load/free ------------------------------------------------------------------------ */

static sl_status finish_load(sl_model *m, sl_model **out, sl_error *err)
{
    sl_status st = sl__model_bind(m, err);
    if (st) {
        sl_model_free(m);
        return st;
    }
    *out = m;
    return SL_OK;
}

sl_status sl_model_load_memory(const void *data, size_t len, sl_model **out, sl_error *err)
{
    if (!out || (!data && len)) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "NULL argument");
    *out = NULL;
    if (len > SL_MODEL_MAX_BYTES)
        return sl_error_set(err, SL_ERR_TOO_LARGE, SL_NO_POS, "model too large");
    sl__chars_init(); /* features fold and classify code points with the text layer's tables */
    sl_model *m = calloc(1, sizeof *m);
    /* aligned copy: sections are 64-byte aligned relative to the start */
    size_t cap = align_up(len ? len : 1);
    unsigned char *copy = m ? aligned_alloc(SL__ALIGN, cap) : NULL;
    if (!copy) {
        free(m);
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "no memory for the model");
    }
    if (len) memcpy(copy, data, len);
    m->base = copy;
    m->len = len;
    return finish_load(m, out, err);
}

sl_status sl_model_load(const char *path, sl_model **out, sl_error *err)
{
    if (!path || !out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "NULL argument");
    *out = NULL;
    int fd;
    size_t size;
    /* a FIFO, folder or device is refused here instead of hanging or failing later */
    sl_status fst = sl__file_open_regular(path, SL_MODEL_MAX_BYTES, &fd, &size, err);
    if (fst) return fst;
    if (size < SL__HEADER_BYTES) {
        close(fd);
        return sl_error_set(err, SL_ERR_MODEL, SL_NO_POS, "%s: model file truncated (%zu bytes)",
                            path, size);
    }
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "%s: mmap: %s", path, strerror(errno));
    sl_model *m = calloc(1, sizeof *m);
    if (!m) {
        munmap(map, size);
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "no memory for the model");
    }
    m->base = map;
    m->len = size;
    m->mapped = 1;
    return finish_load(m, out, err);
}

void sl_model_free(sl_model *m)
{
    if (!m) return;
    if (m->mapped)
        munmap(m->base, m->len);
    else
        free(m->base);
    sl__targets_free(&m->targets);
    free(m->cls_wd);
    free(m->span_wd);
    free(m->word_dots);
    free(m);
}

const char *sl_model_version(const sl_model *m)
{
    return m ? m->version : "none";
}

const char *sl_model_info(const sl_model *m)
{
    return m ? m->meta : "";
}
