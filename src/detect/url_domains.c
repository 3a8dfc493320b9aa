/* Domain sets: the lists of scam, spam or allowed domains that URL rules match hosts against.
 *
 * An open-addressing hash table (XXH3, linear probing, load <= 1/2) of normalized domains:
 * ASCII lowercased, without scheme, path, port, leading "www." / "*." / "." and trailing dot.
 * A lookup normalizes the host the same way and tries it and every parent domain ("a.b.evil.com",
 * "b.evil.com", "evil.com", "com"), so subdomains match without storing them. Entries are
 * copied; the set is read-only while looked up, so threads may share it. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "sangloc/detect.h"
#include "util/file.h"

/* A list file may hold at most SL_DOMAIN_SET_MAX names; this bounds the bytes read first. */
#define SL_DOMAIN_FILE_MAX_BYTES ((size_t)256 * 1024 * 1024)

struct sl_domain_set {
    char **slots; /* cap entries, NULL when empty */
    size_t cap, count;
};

sl_domain_set *sl_domain_set_new(void)
{
    sl_domain_set *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->cap = 64;
    s->slots = calloc(s->cap, sizeof *s->slots);
    if (!s->slots) {
        free(s);
        return NULL;
    }
    return s;
}

void sl_domain_set_free(sl_domain_set *set)
{
    if (!set) return;
    for (size_t i = 0; i < set->cap; i++) free(set->slots[i]);
    free(set->slots);
    free(set);
}

size_t sl_domain_set_size(const sl_domain_set *set)
{
    return set ? set->count : 0;
}

static bool starts_with_ci(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);
    if (n < k) return false;
    for (size_t i = 0; i < k; i++)
        if (tolower((unsigned char)s[i]) != p[i]) return false;
    return true;
}

/* Normalizes a domain into out (lowercase, bare host); returns its length, 0 when invalid. */
static size_t normalize(const char *s, size_t n, char out[SL_DOMAIN_MAX_BYTES + 1])
{
    if (starts_with_ci(s, n, "https://"))
        s += 8, n -= 8;
    else if (starts_with_ci(s, n, "http://"))
        s += 7, n -= 7;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '/' || s[i] == ':' || s[i] == '?' || s[i] == '#') n = i;
    if (starts_with_ci(s, n, "*.")) s += 2, n -= 2;
    while (n && s[0] == '.') s++, n--;
    if (starts_with_ci(s, n, "www.")) s += 4, n -= 4;
    while (n && s[n - 1] == '.') n--;
    if (n == 0 || n > SL_DOMAIN_MAX_BYTES) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        bool ok = isalnum(ch) || ch == '-' || ch == '_' || ch >= 0x80 ||
                  (ch == '.' && i + 1 < n && s[i + 1] != '.');
        if (!ok) return 0;
        out[i] = (char)(ch < 0x80 ? tolower(ch) : ch);
    }
    out[n] = '\0';
    return n;
}

/* The table is kept at most half full (sl_domain_set_add grows it first), so a probe meets an
 * empty slot; the probe count is bounded all the same, so a broken invariant is a miss and an
 * error, never an endless loop. Doubling from 64 reaches SL_DOMAIN_SET_MAX * 2 without
 * overflowing. */
_Static_assert(SL_DOMAIN_SET_MAX <= SIZE_MAX / 4 / sizeof(char *), "domain table size overflows");

/* The slot holding d, or the empty slot where it goes; cap when the table is full. */
static size_t find_slot(char *const *slots, size_t cap, const char *d, size_t n)
{
    size_t i = (size_t)XXH3_64bits(d, n) & (cap - 1);
    for (size_t probes = 0; probes < cap; probes++, i = (i + 1) & (cap - 1))
        if (!slots[i] || (strlen(slots[i]) == n && memcmp(slots[i], d, n) == 0)) return i;
    return cap;
}

static sl_status grow(sl_domain_set *set)
{
    size_t cap = set->cap * 2;
    char **slots = calloc(cap, sizeof *slots);
    if (!slots) return SL_ERR_NOMEM;
    for (size_t i = 0; i < set->cap; i++)
        if (set->slots[i])
            slots[find_slot(slots, cap, set->slots[i], strlen(set->slots[i]))] =
                set->slots[i]; /* a quarter full at most: a free slot exists */
    free(set->slots);
    set->slots = slots;
    set->cap = cap;
    return SL_OK;
}

sl_status sl_domain_set_add(sl_domain_set *set, const char *domain, size_t len)
{
    char d[SL_DOMAIN_MAX_BYTES + 1];
    if (!set || (!domain && len)) return SL_ERR_ARG;
    size_t n = normalize(domain, len, d);
    if (!n) return SL_ERR_PATTERN;
    size_t i = find_slot(set->slots, set->cap, d, n);
    if (i < set->cap && set->slots[i]) return SL_OK;
    if (set->count >= SL_DOMAIN_SET_MAX) return SL_ERR_TOO_LARGE;
    if ((set->count + 1) * 2 > set->cap) {
        sl_status st = grow(set);
        if (st) return st;
        i = find_slot(set->slots, set->cap, d, n);
    }
    if (i == set->cap) return SL_ERR_INTERNAL; /* never: the table is at most half full */
    set->slots[i] = malloc(n + 1);
    if (!set->slots[i]) return SL_ERR_NOMEM;
    memcpy(set->slots[i], d, n + 1);
    set->count++;
    return SL_OK;
}

bool sl_domain_set_contains(const sl_domain_set *set, const char *host, size_t len)
{
    char d[SL_DOMAIN_MAX_BYTES + 1];
    if (!set || !host || !len) return false;
    size_t n = normalize(host, len, d);
    for (size_t off = 0; off < n;) {
        size_t i = find_slot(set->slots, set->cap, d + off, n - off);
        if (i < set->cap && set->slots[i]) return true;
        const char *dot = memchr(d + off, '.', n - off);
        if (!dot) break;
        off = (size_t)(dot - d) + 1;
    }
    return false;
}

/* The bounds of a line without its comment and surrounding blanks: [*lead, *lead + result). */
static size_t clean_line(const char *line, size_t n, size_t *lead)
{
    const char *hash = memchr(line, '#', n);
    if (hash) n = (size_t)(hash - line);
    while (n && isspace((unsigned char)line[n - 1])) n--;
    *lead = 0;
    while (*lead < n && isspace((unsigned char)line[*lead])) (*lead)++;
    return n - *lead;
}

sl_status sl_domain_set_parse(const char *data, size_t len, sl_domain_set **out, sl_error *err)
{
    if (!out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *out = NULL;
    if (!data && len) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no data");
    sl_domain_set *set = sl_domain_set_new();
    sl_status st = set ? SL_OK : SL_ERR_NOMEM;
    size_t lineno = 0;
    for (size_t off = 0; !st && off < len;) {
        const char *nl = memchr(data + off, '\n', len - off);
        size_t got = nl ? (size_t)(nl - (data + off)) + 1 : len - off;
        lineno++;
        size_t lead, n = clean_line(data + off, got, &lead);
        if (n) st = sl_domain_set_add(set, data + off + lead, n);
        if (st) {
            sl_error_set(err, st, off + lead, "line %zu: %s", lineno,
                         st == SL_ERR_PATTERN ? "not a domain name" : sl_strerror(st));
            if (err) err->line = lineno;
        }
        off += got;
    }
    if (st) {
        sl_domain_set_free(set);
        return st;
    }
    *out = set;
    return SL_OK;
}

sl_status sl_domain_set_load(const char *path, sl_domain_set **out, sl_error *err)
{
    if (!out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *out = NULL;
    if (!path) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no path");
    char *data = NULL;
    size_t len = 0;
    sl_status st = sl__file_read(path, SL_DOMAIN_FILE_MAX_BYTES, &data, &len, err);
    if (!st) st = sl_domain_set_parse(data, len, out, err);
    free(data);
    return st;
}
