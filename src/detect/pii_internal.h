/* detect/pii_internal.h — the personal-data scanners behind sl_detect_run (internal).
 *
 * Each scanner reads cells (detect/pii_cells.h) and appends hits with original spans. They are
 * split by family so each can be unit-tested on its own: numbers (phone, CCCD, CMND, card, bank
 * account) in pii_num.c, e-mail and passport in pii.c, markings in marking.c. */
#ifndef SL_DETECT_PII_INTERNAL_H
#define SL_DETECT_PII_INTERNAL_H

#include <stdbool.h>

#include "detect/pii_cells.h"
#include "sangloc/detect.h"
#include "sangloc/hit.h"

/* Number-shaped personal data: SL_DET_PHONE, CCCD, CMND, CARD, BANK_ACCOUNT bits of enabled.
 * Skips cells flagged SL__CF_USED (e-mail addresses found before). */
/* The detectors' per-thread scratch: the cells of the prepared text. */
struct sl_detect_scratch {
    sl__cells cells;
};

/* Appends a hit of a detector output (its name and index). */
sl_status sl__push_output(sl_hits *out, int output, uint32_t start, uint32_t end, float score);

sl_status sl__pii_numbers(sl__cells *c, unsigned enabled, sl_hits *out);

/* E-mail addresses; flags their cells SL__CF_USED. */
sl_status sl__pii_emails(sl__cells *c, sl_hits *out);

/* Passport numbers (letter + 7 digits, or a capital, one space or dash, 7 digits) after passport
 * context words. */
sl_status sl__pii_passports(sl__cells *c, sl_hits *out);

/* Confidentiality markings. */
sl_status sl__markings(sl__cells *c, sl_hits *out);

/* Validators, exposed for tests. `d` holds n ASCII digits. */
bool sl__luhn_ok(const char *d, size_t n);
bool sl__card_iin_ok(const char *d, size_t n);
/* 12-digit citizen ID structure: province code, century/sex digit, birth year <= this_year. */
bool sl__cccd_ok(const char *d, int this_year);
/* National phone number with its leading 0 (10 or 11 digits): mobile prefix or area code. */
bool sl__phone_national_ok(const char *d, size_t n);

#endif
