/* The built-in detectors' entry point (sl_detect_run), detector ids, e-mail and passport scans.
 *
 * sl_detect_run folds the NFC view into cells once (detect/pii_cells.h) and hands them to each
 * enabled family. E-mail runs first and claims its cells, so the digits of
 * "0912345678@gmail.com" are not read again as a phone. */
#include <stdlib.h>
#include <string.h>

#include "detect/pii_internal.h"

static const char *const output_names[] = {
#define SL_DETECTOR_NAME_(name, text) text,
    SL_DETECTOR_OUTPUTS(SL_DETECTOR_NAME_)
#undef SL_DETECTOR_NAME_
};
_Static_assert(sizeof output_names / sizeof output_names[0] == SL_DETOUT_COUNT_,
               "one name per detector output");

const char *sl_detector_output_name(int output)
{
    return output >= 0 && output < SL_DETOUT_COUNT_ ? output_names[output] : NULL;
}

int sl_detector_output_find(const char *name)
{
    if (!name) return -1;
    for (int i = 0; i < SL_DETOUT_COUNT_; i++)
        if (!strcmp(name, output_names[i])) return i;
    return -1;
}

/* The detector (SL_DET_* bit) that produces an output. */
static unsigned bit_of_output(int output)
{
    static const unsigned bits[] = {SL_DET_PHONE, SL_DET_CCCD,         SL_DET_CMND,    SL_DET_EMAIL,
                                    SL_DET_CARD,  SL_DET_BANK_ACCOUNT, SL_DET_PASSPORT};
    if (output < 0) return 0;
    return output < (int)(sizeof bits / sizeof bits[0]) ? bits[output] : SL_DET_MARKING;
}

unsigned sl_detector_bit(const char *id)
{
    if (id && !strcmp(id, "marking")) return SL_DET_MARKING;
    return bit_of_output(sl_detector_output_find(id));
}

sl_status sl__push_output(sl_hits *out, int output, uint32_t start, uint32_t end, float score)
{
    return sl_hits_push_rule(out, output, output_names[output], start, end, score, -1);
}

/* ---- e-mail -------------------------------------------------------------------------------- */

static bool local_char(const sl__cells *c, size_t i)
{
    if (i >= c->n || !(c->fl[i] & SL__CF_ASCII)) return false;
    char ch = c->f[i];
    return sl__c_alnum(c, i) || ch == '.' || ch == '_' || ch == '%' || ch == '+' || ch == '-';
}

static bool domain_char(const sl__cells *c, size_t i)
{
    return i < c->n && (c->fl[i] & SL__CF_ASCII) && (sl__c_alnum(c, i) || c->f[i] == '-');
}

/* The domain after '@' at cell at: labels of [a-z0-9-] joined by dots, last label 2+ letters.
 * Returns the cell after it, or 0. */
static size_t email_domain(const sl__cells *c, size_t at)
{
    size_t i = at + 1, end = 0;
    int labels = 0;
    for (;;) {
        size_t s = i;
        while (domain_char(c, i)) i++;
        if (i == s || c->f[s] == '-' || c->f[i - 1] == '-') break;
        labels++;
        bool alpha = i - s >= 2;
        for (size_t k = s; k < i && alpha; k++) alpha = sl__c_alpha(c, k);
        if (labels >= 2 && alpha) end = i;
        if (i + 1 >= c->n || c->f[i] != '.' || !domain_char(c, i + 1)) break;
        i++;
    }
    if (!end || sl__c_alnum(c, end) || c->f[end] == '@' || c->f[end] == '_') return 0;
    return end;
}

/* The local part before '@' at cell at; returns its first cell, or at when none. */
static size_t email_local(const sl__cells *c, size_t at)
{
    size_t s = at;
    while (s > 0 && local_char(c, s - 1) && at - s < 64) s--;
    while (s < at && (c->f[s] == '.' || c->f[s] == '-' || c->f[s] == '+')) s++;
    if (s == at || c->f[at - 1] == '.') return at;
    if (s > 0 && (sl__c_alnum(c, s - 1) || c->f[s - 1] == '@')) return at; /* too long or glued */
    for (size_t k = s; k + 1 < at; k++)
        if (c->f[k] == '.' && c->f[k + 1] == '.') return at;
    return s;
}

sl_status sl__pii_emails(sl__cells *c, sl_hits *out)
{
    for (size_t i = 1; i < c->n; i++) {
        if (c->f[i] != '@') continue;
        size_t s = email_local(c, i);
        size_t e = s < i ? email_domain(c, i) : 0;
        if (!e) continue;
        uint32_t os, oe;
        sl__cells_span(c, s, e, &os, &oe);
        sl_status st = sl__push_output(out, SL_DETOUT_EMAIL, os, oe, 0.95f);
        if (st) return st;
        for (size_t k = s; k < e; k++) c->fl[k] |= SL__CF_USED;
        i = e - 1;
    }
    return SL_OK;
}

/* ---- passport ------------------------------------------------------------------------------ */

static const sl__kw passport_words[] = {{"ho chieu", 1, NULL}, {"so ho chieu", 1, NULL},
                                        {"passport", 1, NULL}, {"passport no", 1, NULL},
                                        {"so hc", 1, NULL},    {"hc", 1, NULL},
                                        {"pp", 1, NULL},       {NULL, 0, NULL}};

/* One ASCII letter and 7 digits, standing alone: "C1234567", or with one space or dash after a
 * capital letter, "B 1234567", "C-1234567" (a lowercase letter before a space is a chat word:
 * "e" em, "c" chị). Returns the cell after the digits, or 0. */
static size_t passport_at(const sl__cells *c, size_t i)
{
    if (!(c->fl[i] & SL__CF_ASCII) || !sl__c_alpha(c, i)) return 0;
    if (i > 0 && (sl__c_alnum(c, i - 1) || c->f[i - 1] == '_' || c->f[i - 1] == '@')) return 0;
    size_t d = i + 1;
    if (d < c->n && (c->f[d] == ' ' || c->f[d] == '-') && (c->fl[i] & SL__CF_UPPER)) d++;
    for (size_t k = 0; k < 7; k++)
        if (!sl__c_digit(c, d + k)) return 0;
    size_t e = d + 7;
    if (sl__c_alnum(c, e) || (e < c->n && (c->f[e] == '@' || c->f[e] == '_'))) return 0;
    if (e + 1 < c->n && (c->f[e] == '.' || c->f[e] == '-') && sl__c_digit(c, e + 1)) return 0;
    if (d > i + 1 && e + 1 < c->n && c->f[e] == ' ' && sl__c_digit(c, e + 1))
        return 0; /* "C 1234567 89": part of a longer spaced number */
    return e;
}

sl_status sl__pii_passports(sl__cells *c, sl_hits *out)
{
    for (size_t i = 0; i + 8 <= c->n; i++) {
        size_t e = passport_at(c, i);
        if (!e) continue;
        size_t from = sl__line_window(c, i, 48);
        if (sl__kw_last(c, from, i, passport_words, NULL) < 0) continue;
        uint32_t os, oe;
        sl__cells_span(c, i, e, &os, &oe);
        float score = (c->fl[i] & SL__CF_UPPER) ? 0.9f : 0.8f; /* "c1234567" typed in a chat */
        sl_status st = sl__push_output(out, SL_DETOUT_PASSPORT, os, oe, score);
        if (st) return st;
        i = e - 1;
    }
    return SL_OK;
}

/* ---- entry point --------------------------------------------------------------------------- */

sl_detect_scratch *sl_detect_scratch_new(void)
{
    return calloc(1, sizeof(sl_detect_scratch));
}

void sl_detect_scratch_free(sl_detect_scratch *s)
{
    if (!s) return;
    sl__cells_free(&s->cells);
    free(s);
}

sl_status sl_detect_prepare(sl_detect_scratch *s, const sl_text *text)
{
    if (!s || !text) return SL_ERR_ARG;
    sl_status st = sl__cells_build(&s->cells, sl_text_view(text, SL_VIEW_NFC));
    if (st) s->cells.n = 0;
    return st;
}

sl_status sl_detect_run_prepared(sl_detect_scratch *s, unsigned enabled, sl_hits *out)
{
    if (!s || !out) return SL_ERR_ARG;
    sl__cells *c = &s->cells;
    if (c->n == 0) return SL_OK;
    sl_status st = SL_OK;
    if (enabled & SL_DET_EMAIL) st = sl__pii_emails(c, out);
    if (!st &&
        (enabled & (SL_DET_PHONE | SL_DET_CCCD | SL_DET_CMND | SL_DET_CARD | SL_DET_BANK_ACCOUNT)))
        st = sl__pii_numbers(c, enabled, out);
    if (!st && (enabled & SL_DET_PASSPORT)) st = sl__pii_passports(c, out);
    if (!st && (enabled & SL_DET_MARKING)) st = sl__markings(c, out);
    return st;
}

sl_status sl_detect_run(const sl_text *text, unsigned enabled, sl_hits *out)
{
    if (!text || !out) return SL_ERR_ARG;
    sl_detect_scratch s = {0};
    sl_status st = sl_detect_prepare(&s, text);
    if (!st) st = sl_detect_run_prepared(&s, enabled, out);
    sl__cells_free(&s.cells);
    return st;
}
