/* Cells: the NFC view folded to one byte per code point, for the built-in detectors.
 *
 * Letters fold with the text layer's folding (sl_text_fold_cp: lowercase without diacritics)
 * when that gives an ASCII letter; the detectors only need digits, ASCII punctuation and the
 * letters of Vietnamese and English words, so every other code point folds to '~' and is
 * neither a letter nor a digit. The text layer's full normalization (teencode, look-alikes) is for
 * the lexicons; personal data must be read as written. */
#include "detect/pii_cells.h"

#include <stdlib.h>
#include <string.h>

#include "text/chars.h"
#include "text/utf8.h"

/* A letter whose folded form (the text layer's one definition: lowercase without diacritics) is
 * an ASCII letter: that letter, and whether cp is uppercase; 0 for anything else. */
static char fold_latin(uint32_t cp, bool *upper)
{
    sl__cpinfo i;
    sl__cp_get(cp, &i);
    *upper = (i.flags & SL__F_UPPER) != 0;
    if (i.cls != SL__C_LETTER || i.base < 'a' || i.base > 'z') return 0;
    return (char)i.base;
}

uint32_t sl__cp_lower(uint32_t cp)
{
    sl__cpinfo i;
    sl__cp_get(cp, &i);
    return i.lower;
}

static bool is_invisible(uint32_t cp)
{
    if (cp < 0x80) return false;
    sl__cpinfo i;
    sl__cp_get(cp, &i);
    return i.cls == SL__C_INVIS;
}

static bool is_combining(uint32_t cp)
{
    return cp >= 0x300 && cp <= 0x36F;
}

/* Folded byte and flags of a non-ASCII code point that gets a cell. */
static char fold_other(uint32_t cp, uint8_t *fl)
{
    bool up;
    char b = fold_latin(cp, &up);
    if (b) {
        *fl = SL__CF_ALPHA | SL__CF_MARKED | (up ? SL__CF_UPPER : SL__CF_LOWER);
        return b;
    }
    *fl = 0;
    if (cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
        cp == 0x3000)
        return ' ';
    if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212) return '-';
    if (cp >= 0xFF10 && cp <= 0xFF19) {
        *fl = SL__CF_DIGIT;
        return (char)('0' + (cp - 0xFF10));
    }
    if (cp == 0xFF0B) return '+';
    if (cp == 0x2028 || cp == 0x2029 || cp == 0x85) return '\n';
    return '~';
}

static void fold_ascii(char ch, char *f, uint8_t *fl)
{
    uint8_t flags = SL__CF_ASCII;
    if (ch >= 'A' && ch <= 'Z') {
        flags |= SL__CF_ALPHA | SL__CF_UPPER;
        ch = (char)(ch + 32);
    } else if (ch >= 'a' && ch <= 'z') {
        flags |= SL__CF_ALPHA | SL__CF_LOWER;
    } else if (ch >= '0' && ch <= '9') {
        flags |= SL__CF_DIGIT;
    }
    *f = ch;
    *fl = flags;
}

/* One block for the four arrays (spans first, for their alignment): cells are built twice a
 * post (URLs, then personal data), and four allocations each showed in profiles. */
static sl_status cells_alloc(sl__cells *c, size_t cap)
{
    if (c->vs && c->cap >= cap) return SL_OK; /* a scratch's block from an earlier post */
    free(c->vs);
    memset(c, 0, sizeof *c);
    size_t per = 2 * sizeof *c->vs + 2;
    if (cap >= SIZE_MAX / per) return SL_ERR_NOMEM;
    char *block = malloc((cap + 1) * per);
    if (!block) return SL_ERR_NOMEM;
    c->cap = cap;
    c->vs = (uint32_t *)(void *)block;
    c->ve = c->vs + cap + 1;
    c->f = (char *)(c->ve + cap + 1);
    c->fl = (uint8_t *)c->f + cap + 1;
    return SL_OK;
}

sl_status sl__cells_build(sl__cells *c, const sl_view *view)
{
    size_t len = view ? view->len : 0;
    sl_status st = cells_alloc(c, len);
    if (st) return st;
    c->view = view;
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp = (unsigned char)view->data[i];
        size_t k = cp < 0x80 ? 1 : sl__utf8_decode(view->data + i, len - i, &cp);
        if (k == 0) k = 1; /* cannot happen on a built view; stay safe */
        if (is_invisible(cp)) {
            i += k;
            continue;
        }
        if (is_combining(cp) && n > 0) {
            c->ve[n - 1] = (uint32_t)(i + k);
            c->fl[n - 1] |= SL__CF_MARKED;
            i += k;
            continue;
        }
        if (cp < 0x80)
            fold_ascii((char)cp, &c->f[n], &c->fl[n]);
        else
            c->f[n] = fold_other(cp, &c->fl[n]);
        c->vs[n] = (uint32_t)i;
        c->ve[n] = (uint32_t)(i + k);
        n++;
        i += k;
    }
    c->f[n] = '\0';
    c->fl[n] = 0;
    c->n = n;
    return SL_OK;
}

uint32_t sl__cell_cp(const sl__cells *c, size_t i)
{
    uint32_t cp;
    sl__utf8_decode_valid(c->view->data + c->vs[i], &cp);
    return cp;
}

void sl__cells_free(sl__cells *c)
{
    free(c->vs); /* the block of all four (cells_alloc) */
    memset(c, 0, sizeof *c);
}

void sl__cells_span(const sl__cells *c, size_t a, size_t b, uint32_t *os, uint32_t *oe)
{
    size_t s, e;
    sl_view_span(c->view, c->vs[a], c->ve[b - 1], &s, &e);
    *os = (uint32_t)s;
    *oe = (uint32_t)e;
}

static bool word_char(const sl__cells *c, size_t i)
{
    return sl__c_alnum(c, i);
}

size_t sl__kw_at(const sl__cells *c, size_t i, const char *w)
{
    if (i > 0 && word_char(c, i - 1)) return 0;
    size_t j = i;
    for (const char *p = w; *p; p++) {
        if (*p == ' ') {
            if (!sl__c_space(c, j)) return 0;
            while (sl__c_space(c, j)) j++;
            continue;
        }
        if (j >= c->n || c->f[j] != *p) return 0;
        j++;
    }
    if (word_char(c, j)) return 0;
    return j;
}

/* "=mã" must carry its diacritics; "mã" may also be written "ma". */
static bool exact_kw(const sl__cells *c, size_t a, size_t e, const char *exact)
{
    bool strict = exact[0] == '=', bare;
    if (!sl__cells_exact(c, a, e, exact + strict, &bare)) return false;
    return !(strict && bare);
}

int sl__kw_last(const sl__cells *c, size_t from, size_t to, const sl__kw *list, size_t *end)
{
    int best = -1;
    size_t best_end = 0;
    for (size_t i = from; i < to; i++) {
        if (!sl__c_alpha(c, i) || (i > 0 && word_char(c, i - 1))) continue;
        for (int k = 0; list[k].w; k++) {
            if (list[k].w[0] != c->f[i]) continue;
            size_t e = sl__kw_at(c, i, list[k].w);
            if (e && list[k].exact && !exact_kw(c, i, e, list[k].exact)) e = 0;
            if (e && e <= to && e > best_end) { /* ties: the longer, earlier-starting one */
                best = k;
                best_end = e;
            }
        }
    }
    if (best >= 0 && end) *end = best_end;
    return best;
}

bool sl__cells_exact(const sl__cells *c, size_t a, size_t e, const char *exact, bool *bare)
{
    *bare = true;
    const char *p = exact;
    for (size_t i = a; i < e; i++) {
        if (sl__c_space(c, i)) continue;
        while (*p == ' ') p++;
        if (!*p) return false;
        uint32_t want;
        p += sl__utf8_decode_valid(p, &want);
        if (c->fl[i] & SL__CF_MARKED) *bare = false;
        if (sl__cp_lower(sl__cell_cp(c, i)) == want) continue;
        /* written without its diacritic (the caller matched the folded letter already) */
        if ((c->fl[i] & SL__CF_ASCII) && !(c->fl[i] & SL__CF_MARKED)) continue;
        return false;
    }
    return true;
}

size_t sl__line_window(const sl__cells *c, size_t pos, size_t max)
{
    size_t i = pos;
    while (i > 0 && pos - i < max && !sl__c_newline(c, i - 1)) i--;
    return i;
}
