/* On-disk cache of compiled matcher databases.
 *
 * Compiling a large lexicon takes Hyperscan seconds; loading its serialized form takes
 * milliseconds. One file per matcher, named by its cache key (a hash of the patterns, the
 * caller's key, the Hyperscan version and the CPU platform), so a changed policy, library or
 * machine simply misses. File layout (little-endian host order; the key covers the platform):
 *     "SLHSDB01" | key u64 | count u32 | count x (view u8, kind u8, pad u16, size u64, bytes)
 *     | XXH3 of everything before, u64
 * Files are written to a temporary name and renamed, so readers never see half a file. Every
 * failure here is silent: the caller compiles instead. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "detect/matcher_internal.h"
#include "sangloc/buf.h"
#include "util/file.h"

#define CACHE_MAGIC     "SLHSDB01"
#define CACHE_MAX_BYTES ((size_t)1 << 30)

bool sl_matcher_default_cache_dir(char *buf, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (xdg && *xdg)
        n = snprintf(buf, size, "%s/sangloc", xdg);
    else if (home && *home)
        n = snprintf(buf, size, "%s/.cache/sangloc", home);
    else
        return false;
    return n > 0 && (size_t)n < size;
}

static bool cache_path(const sl_matcher *m, const char *dir, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/%016llx.hsdb", dir, (unsigned long long)m->cache_key);
    return n > 0 && (size_t)n < size;
}

/* ---- reading ----------------------------------------------------------------------------- */

static char *read_all(const char *path, size_t *len)
{
    int fd;
    size_t size;
    sl_error e;
    if (sl__file_open_regular(path, CACHE_MAX_BYTES, &fd, &size, &e)) return NULL;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        return NULL;
    }
    sl_buf b = {.max = CACHE_MAX_BYTES};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (sl_buf_append(&b, chunk, n)) break;
    bool bad = ferror(f) || !feof(f);
    fclose(f);
    if (bad) {
        sl_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return b.data;
}

typedef struct reader {
    const char *p;
    size_t left;
} reader;

static bool take(reader *r, void *out, size_t n)
{
    if (r->left < n) return false;
    memcpy(out, r->p, n);
    r->p += n;
    r->left -= n;
    return true;
}

static bool needs_db(const sl_matcher *m, int view, int kind)
{
    for (size_t i = 0; i < m->npats; i++)
        if (m->pats[i].view == view && ((m->pats[i].flags & SL_MATCHER_REGEX) != 0) == kind)
            return true;
    return false;
}

static void drop_all(sl_matcher *m)
{
    for (int v = 0; v < SL_VIEW_COUNT_; v++)
        for (int k = 0; k < SL_MATCHER_KINDS; k++) {
            hs_free_database(m->db[v][k]);
            m->db[v][k] = NULL;
        }
}

static bool parse_entry(sl_matcher *m, reader *r)
{
    uint8_t view, kind;
    uint16_t pad;
    uint64_t size;
    if (!take(r, &view, 1) || !take(r, &kind, 1) || !take(r, &pad, 2) || !take(r, &size, 8))
        return false;
    if (view >= SL_VIEW_COUNT_ || kind >= SL_MATCHER_KINDS || m->db[view][kind] || size > r->left ||
        !needs_db(m, view, kind))
        return false;
    if (hs_deserialize_database(r->p, (size_t)size, &m->db[view][kind]) != HS_SUCCESS) {
        m->db[view][kind] = NULL;
        return false;
    }
    r->p += size;
    r->left -= size;
    return true;
}

static bool parse_cache(sl_matcher *m, const char *data, size_t len)
{
    if (len < 8 + 8 + 4 + 8 || memcmp(data, CACHE_MAGIC, 8)) return false;
    uint64_t sum;
    memcpy(&sum, data + len - 8, 8);
    if (XXH3_64bits(data, len - 8) != sum) return false;
    reader r = {data + 8, len - 16};
    uint64_t key;
    uint32_t count;
    if (!take(&r, &key, 8) || key != m->cache_key || !take(&r, &count, 4)) return false;
    for (uint32_t i = 0; i < count; i++)
        if (!parse_entry(m, &r)) return false;
    if (r.left) return false;
    for (int v = 0; v < SL_VIEW_COUNT_; v++) /* every needed database must be there */
        for (int k = 0; k < SL_MATCHER_KINDS; k++)
            if (needs_db(m, v, k) && !m->db[v][k]) return false;
    return true;
}

bool sl__matcher_cache_load(sl_matcher *m, const char *cache_dir)
{
    char path[4096];
    size_t len = 0;
    if (!cache_path(m, cache_dir, path, sizeof path)) return false;
    char *data = read_all(path, &len);
    if (!data) return false;
    bool ok = parse_cache(m, data, len);
    free(data);
    if (!ok) drop_all(m);
    return ok;
}

/* ---- writing ----------------------------------------------------------------------------- */

/* mkdir -p, mode 0700: the cache is private to the user. */
static bool make_dirs(const char *dir)
{
    char buf[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf) return false;
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST) return false;
        buf[i] = c;
    }
    return true;
}

static sl_status append_db(sl_buf *b, const hs_database_t *db, int view, int kind)
{
    char *bytes = NULL;
    size_t size = 0;
    if (hs_serialize_database(db, &bytes, &size) != HS_SUCCESS) return SL_ERR_INTERNAL;
    uint8_t head[4] = {(uint8_t)view, (uint8_t)kind, 0, 0};
    uint64_t size64 = size;
    sl_status st = sl_buf_append(b, head, 4);
    if (!st) st = sl_buf_append(b, &size64, 8);
    if (!st) st = sl_buf_append(b, bytes, size);
    free(bytes); /* hs_serialize_database uses the misc allocator: malloc by default */
    return st;
}

static sl_status serialize(const sl_matcher *m, sl_buf *b)
{
    uint32_t count = 0;
    for (int v = 0; v < SL_VIEW_COUNT_; v++)
        for (int k = 0; k < SL_MATCHER_KINDS; k++) count += m->db[v][k] != NULL;
    sl_status st = sl_buf_append(b, CACHE_MAGIC, 8);
    if (!st) st = sl_buf_append(b, &m->cache_key, 8);
    if (!st) st = sl_buf_append(b, &count, 4);
    for (int v = 0; !st && v < SL_VIEW_COUNT_; v++)
        for (int k = 0; !st && k < SL_MATCHER_KINDS; k++)
            if (m->db[v][k]) st = append_db(b, m->db[v][k], v, k);
    uint64_t sum = st ? 0 : XXH3_64bits(b->data, b->len);
    if (!st) st = sl_buf_append(b, &sum, 8);
    return st;
}

void sl__matcher_cache_save(const sl_matcher *m, const char *cache_dir)
{
    char path[4096], tmp[4200];
    if (!cache_path(m, cache_dir, path, sizeof path) || !make_dirs(cache_dir)) return;
    snprintf(tmp, sizeof tmp, "%s.XXXXXX", path); /* unique even for threads of one process */
    sl_buf b = {.max = CACHE_MAX_BYTES};
    int fd = serialize(m, &b) == SL_OK ? mkstemp(tmp) : -1;
    if (fd >= 0) {
        FILE *f = fdopen(fd, "wb");
        bool ok = f && fwrite(b.data, 1, b.len, f) == b.len;
        if (f ? fclose(f) != 0 : close(fd) != 0) ok = false;
        if (!ok || rename(tmp, path) != 0) unlink(tmp);
    }
    sl_buf_free(&b);
}
