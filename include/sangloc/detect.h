/* sangloc/detect.h — the built-in detectors: personal data, confidentiality markings, URLs.
 *
 * The detectors read the NFC view of a built sl_text (digits and case kept, diacritics composed;
 * invisible characters such as U+200B are skipped) and report spans of the ORIGINAL text, mapped
 * through the view's offset map. A span covers only the number, address or marking itself.
 *
 * Rule ids of the hits they append (score = confidence in 0..1, pattern = -1):
 *   pii.phone         Vietnamese mobile (03/05/07/08/09, 10 digits) and landline (02xx, 11 digits),
 *                     written plain, grouped, with +84 / 84 / (+84) / (028) prefixes
 *   pii.cccd          12-digit citizen ID with a valid province code, century/sex digit and year
 *   pii.cmnd          9-digit old ID number, only with context words ("CMND", "số CM", ...)
 *   pii.email         e-mail addresses
 *   pii.card          13-19 digit payment cards, Luhn-valid, known issuer ranges
 *   pii.bank_account  6-19 digit numbers right after bank context ("STK", "Vietcombank", ...)
 *   pii.passport      one letter + 7 digits after passport context ("hộ chiếu", "passport")
 *   marking.mat, marking.toi_mat, marking.tuyet_mat, marking.noi_bo, marking.confidential,
 *   marking.khong_pho_bien   confidentiality stamps and headers (not the words in a sentence)
 * docs/detectors.md lists the rules and the hard negatives each one rejects.
 *
 * Thread-safety: no function keeps state between calls; sl_detect_run() and sl_detect_urls()
 * allocate their own scratch and may run concurrently on different sl_text objects. A domain set
 * is read-only after loading and may be shared by threads for sl_domain_set_contains(). */
#ifndef SANGLOC_DETECT_H
#define SANGLOC_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/hit.h"
#include "sangloc/status.h"
#include "sangloc/text.h"

/* Bit set of detectors. */
enum {
    SL_DET_PHONE = 1u << 0,
    SL_DET_CCCD = 1u << 1,
    SL_DET_CMND = 1u << 2,
    SL_DET_EMAIL = 1u << 3,
    SL_DET_CARD = 1u << 4,
    SL_DET_BANK_ACCOUNT = 1u << 5,
    SL_DET_PASSPORT = 1u << 6,
    SL_DET_MARKING = 1u << 7,
    SL_DET_ALL = 0xFF
};

/* The detector outputs: the one list of their names. Every hit of sl_detect_run() names one
 * (sl_hit.rule) and carries its index (sl_hit.rule_index); policies cite these names, or
 * "marking" for every marking level (sl_detector_bit(), and the ruleset's map in
 * src/engine/ruleset.c). */
#define SL_DETECTOR_OUTPUTS(X)                                                                     \
    X(PHONE, "pii.phone")                                                                          \
    X(CCCD, "pii.cccd")                                                                            \
    X(CMND, "pii.cmnd")                                                                            \
    X(EMAIL, "pii.email")                                                                          \
    X(CARD, "pii.card")                                                                            \
    X(BANK_ACCOUNT, "pii.bank_account")                                                            \
    X(PASSPORT, "pii.passport")                                                                    \
    X(MARKING_MAT, "marking.mat")                                                                  \
    X(MARKING_TOI_MAT, "marking.toi_mat")                                                          \
    X(MARKING_TUYET_MAT, "marking.tuyet_mat")                                                      \
    X(MARKING_NOI_BO, "marking.noi_bo")                                                            \
    X(MARKING_CONFIDENTIAL, "marking.confidential")                                                \
    X(MARKING_KHONG_PHO_BIEN, "marking.khong_pho_bien")

typedef enum sl_detector_output {
#define SL_DETECTOR_ENUM_(name, text) SL_DETOUT_##name,
    SL_DETECTOR_OUTPUTS(SL_DETECTOR_ENUM_)
#undef SL_DETECTOR_ENUM_
        SL_DETOUT_COUNT_
} sl_detector_output;

/* The name of an output ("pii.phone"), or NULL for a value out of range. */
const char *sl_detector_output_name(int output);

/* The output of a name, or -1 when it names none. */
int sl_detector_output_find(const char *name);

/* Maps a rule/detector id ("pii.phone", "pii.cccd", "pii.cmnd", "pii.email", "pii.card",
 * "pii.bank_account", "pii.passport", "marking" or "marking.<level>") to its bit; 0 if unknown
 * or NULL. */
unsigned sl_detector_bit(const char *id);

/* Runs the enabled detectors (SL_DET_* bits) over the last successful build of `text` and
 * appends hits to `out` (the caller owns it; the hit cap of sl_hits applies). Hits come in text
 * order per detector family. SL_ERR_ARG for NULL arguments, SL_ERR_NOMEM. A text never built, or
 * whose build failed, has empty views and yields no hits. */
sl_status sl_detect_run(const sl_text *text, unsigned enabled, sl_hits *out);

/* A URL or bare domain found in the original text: [start, end) is the whole URL (scheme, host,
 * path; trailing sentence punctuation excluded), [host_start, host_end) its host name (with any
 * "www." kept; sl_domain_set_contains() ignores it). Offsets into the ORIGINAL text. */
typedef struct sl_url {
    uint32_t start, end, host_start, host_end;
} sl_url;

/* Finds URLs: "http(s)://...", "www....", and bare domains whose last label is a known TLD
 * (.com .vn .net .org .info .xyz .top .link .me .io .co and others) or a known shortener
 * (bit.ly, t.co, ...). Domains of e-mail addresses are not URLs. Writes at most `max` entries
 * to `out` (out may be NULL when max is 0) in text order and returns how many it wrote. */
size_t sl_detect_urls(const sl_text *text, sl_url *out, size_t max);

/* A scratch for one thread: the detectors' reading of a text (one folded cell per code point of
 * its NFC view), built once by sl_detect_prepare() and shared by sl_detect_run_prepared() and
 * sl_detect_urls_prepared(), its memory reused from text to text. Prepare again after every
 * sl_text_build() of the text: the scratch points into its views. */
typedef struct sl_detect_scratch sl_detect_scratch;
sl_detect_scratch *sl_detect_scratch_new(void); /* NULL when out of memory */
void sl_detect_scratch_free(sl_detect_scratch *scratch);
sl_status sl_detect_prepare(sl_detect_scratch *scratch, const sl_text *text); /* SL_ERR_NOMEM */
/* sl_detect_run() and sl_detect_urls() over the prepared text. */
sl_status sl_detect_run_prepared(sl_detect_scratch *scratch, unsigned enabled, sl_hits *out);
size_t sl_detect_urls_prepared(sl_detect_scratch *scratch, sl_url *out, size_t max);

/* A set of domain names. Matching is case-insensitive, ignores a leading "www." and a trailing
 * dot, and a host matches when it equals an entry or is a subdomain of one ("m.evil.com" matches
 * "evil.com"; "notevil.com" does not). */
typedef struct sl_domain_set sl_domain_set;

/* Most entries a set holds, and the longest domain accepted (RFC 1035). */
#define SL_DOMAIN_SET_MAX   (4u * 1024u * 1024u)
#define SL_DOMAIN_MAX_BYTES 253u

/* A new empty set, or NULL when out of memory. Free with sl_domain_set_free(). */
sl_domain_set *sl_domain_set_new(void);

/* Adds one domain (len bytes, no NUL needed). Accepts "Example.COM", "www.example.com",
 * "*.example.com", ".example.com" and "http://example.com/path" (scheme and path dropped).
 * SL_ERR_PATTERN when it is not a domain name (empty, bad characters, too long),
 * SL_ERR_TOO_LARGE past SL_DOMAIN_SET_MAX entries, SL_ERR_NOMEM. Duplicates are ignored. */
sl_status sl_domain_set_add(sl_domain_set *set, const char *domain, size_t len);

/* Loads a list file: one domain per line, '#' starts a comment (whole line or trailing), blank
 * lines ignored. On error *out is NULL and err has the line (1-based) and byte offset:
 * SL_ERR_IO (cannot read), SL_ERR_PATTERN (bad entry), SL_ERR_TOO_LARGE, SL_ERR_NOMEM. */
sl_status sl_domain_set_load(const char *path, sl_domain_set **out, sl_error *err);

/* Like sl_domain_set_load on a list held in memory (len bytes, no NUL needed): for callers that
 * read the file once themselves (the policy, which hashes the same bytes). */
sl_status sl_domain_set_parse(const char *data, size_t len, sl_domain_set **out, sl_error *err);

/* True when the host (len bytes, any case) is in the set or a subdomain of an entry.
 * NULL set or empty host: false. */
bool sl_domain_set_contains(const sl_domain_set *set, const char *host, size_t len);

/* Number of distinct domains in the set (0 for NULL). */
size_t sl_domain_set_size(const sl_domain_set *set);

/* Frees the set; NULL is a no-op. */
void sl_domain_set_free(sl_domain_set *set);

#endif
