/* detect/pii_cells.h — the scanning surface shared by the built-in detectors (internal).
 *
 * The NFC view is turned into "cells", one per code point, each with a one-byte folded form
 * (ASCII lowercase without diacritics: "Ố" -> 'o', "đ" -> 'd', full-width digits -> ASCII,
 * no-break spaces -> ' ', Unicode dashes -> '-', anything unknown -> '~'), class flags and its
 * span in the view (10 bytes a code point; the code point itself is read back from the view).
 * Invisible characters (U+200B.., U+FEFF, soft hyphen) get no cell, and a leftover combining mark
 * joins the cell before it, so "0912\u200b345" scans as one number and spans still land on exact
 * original bytes.
 *
 * Because every cell folds to exactly one byte, the folded string f can be searched with plain
 * byte loops ("số tài khoản" is "so tai khoan") while cell i stays cell i. */
#ifndef SL_DETECT_PII_CELLS_H
#define SL_DETECT_PII_CELLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/status.h"
#include "sangloc/text.h"

enum {
    SL__CF_UPPER = 0x01,  /* uppercase letter */
    SL__CF_LOWER = 0x02,  /* lowercase letter */
    SL__CF_ALPHA = 0x04,  /* a letter (ASCII or Latin with diacritics) */
    SL__CF_ASCII = 0x08,  /* written as an ASCII character */
    SL__CF_DIGIT = 0x10,  /* a decimal digit (ASCII or full-width) */
    SL__CF_MARKED = 0x20, /* carries a diacritic */
    SL__CF_USED = 0x40    /* already claimed by a hit of this family */
};

typedef struct sl__cells {
    char *f;           /* folded byte per cell, NUL-terminated */
    uint8_t *fl;       /* SL__CF_* per cell */
    uint32_t *vs, *ve; /* span of the cell in the view */
    size_t n;
    const sl_view *view;
    size_t cap; /* cells the block holds */
} sl__cells;

/* Builds cells from a view (NULL or empty view: zero cells) into c, which is zeroed or holds
 * cells of an earlier build (their memory is reused when large enough). Frees with
 * sl__cells_free. SL_ERR_NOMEM. */
sl_status sl__cells_build(sl__cells *c, const sl_view *view);
void sl__cells_free(sl__cells *c);

/* Original span [*os, *oe) of cells [a, b), a < b <= n. */
void sl__cells_span(const sl__cells *c, size_t a, size_t b, uint32_t *os, uint32_t *oe);

/* The code point of cell i as written in the view (NFC). */
uint32_t sl__cell_cp(const sl__cells *c, size_t i);

/* Lowercase of a Latin/Vietnamese code point (others unchanged). */
uint32_t sl__cp_lower(uint32_t cp);

static inline bool sl__c_digit(const sl__cells *c, size_t i)
{
    return i < c->n && (c->fl[i] & SL__CF_DIGIT);
}
static inline bool sl__c_alpha(const sl__cells *c, size_t i)
{
    return i < c->n && (c->fl[i] & SL__CF_ALPHA);
}
static inline bool sl__c_alnum(const sl__cells *c, size_t i)
{
    return i < c->n && (c->fl[i] & (SL__CF_ALPHA | SL__CF_DIGIT));
}
static inline bool sl__c_space(const sl__cells *c, size_t i)
{
    return i < c->n && (c->f[i] == ' ' || c->f[i] == '\t');
}
static inline bool sl__c_newline(const sl__cells *c, size_t i)
{
    return i < c->n && (c->f[i] == '\n' || c->f[i] == '\r');
}

/* A context keyword: folded words separated by single spaces, and a category tag. */
typedef struct sl__kw {
    const char *w;
    int tag;
    const char *exact; /* NULL, or the spelling with diacritics the match must have ("mã" is
                          not "má"); letters written without any diacritic also pass,
                          unless it starts with '=' ("=mã": "ma" is not enough) */
} sl__kw;

/* The keyword of `list` (terminated by w == NULL) whose match inside f[from, to) ends last
 * (whole words only; runs of spaces in the text match one space in the keyword). Returns its
 * index or -1; *end gets the cell after the match. */
int sl__kw_last(const sl__cells *c, size_t from, size_t to, const sl__kw *list, size_t *end);

/* Does a keyword match whole-word at cell i? Returns the cell after it, or 0. */
size_t sl__kw_at(const sl__cells *c, size_t i, const char *w);

/* Do cells [a, e) spell `exact` (lowercase UTF-8, spaces between words), letter by letter, each
 * letter either as written there or without its diacritic? *bare: no diacritic at all. */
bool sl__cells_exact(const sl__cells *c, size_t a, size_t e, const char *exact, bool *bare);

/* Start of the window of up to `max` cells before `pos` that stays on pos's line. */
size_t sl__line_window(const sl__cells *c, size_t pos, size_t max);

#endif
