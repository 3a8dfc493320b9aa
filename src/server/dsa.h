/* server/dsa.h — one restriction as a statement of reasons of the EU DSA Transparency Database
 * (internal).
 *
 * GET /v1/transparency/statements exports each decision that restricted an item in the
 * database's statement schema (API v2, the taxonomy in force since July 2025): the visibility
 * decision, the ground (always the organization's posting rules: DECISION_GROUND_INCOMPATIBLE_
 * CONTENT with the rule as ground and its clause as explanation), the facts, the category, the
 * dates, the source, whether detection and decision were automated, and a platform unique id.
 *
 * No personal data, by construction: the statement never holds the item's text, the author,
 * the reporter, the reviewer or the organization's item id. decision_facts is written from the
 * rule, the clause, the policy version and the categories of the verdict's spans (counted, never
 * quoted); the puid is a hash of the organization, the item number and the decision number.
 * sangloc's categories map to STATEMENT_CATEGORY_* in one table (dsa.c, documented in
 * docs/transparency.md).
 *
 * sl__dsa_check() validates one statement against the schema's required fields, allowed values,
 * limits and conditional fields; the export's tests run every statement through it. */
#ifndef SL_SERVER_DSA_H
#define SL_SERVER_DSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/buf.h"
#include "sangloc/status.h"

typedef enum sl__dsa_kind {
    SL_DSA_REMOVAL = 0,  /* a person decided "remove": DECISION_VISIBILITY_CONTENT_REMOVED */
    SL_DSA_AUTO_HIDE = 1 /* the engine hid it until review: DECISION_VISIBILITY_CONTENT_DISABLED */
} sl__dsa_kind;

typedef enum sl__dsa_automation {
    SL_DSA_NOT_AUTOMATED = 0, /* a person decided (every decision of a reviewer) */
    SL_DSA_PARTIALLY = 1,     /* automated means took part of the decision */
    SL_DSA_FULLY = 2          /* the engine decided alone (an automated hide) */
} sl__dsa_automation;

/* The facts of one statement. Strings are NUL-terminated and borrowed for the call. Required:
 * org, rule_id, clause, category, policy_version. Dates are ms since the epoch, shown as UTC
 * days: content_at from 2000-01-01, applied_at from 2020-01-01, both before 2038-01-02;
 * ended_at 0 or not before applied_at. */
typedef struct sl__dsa_facts {
    sl__dsa_kind kind;
    const char *org;  /* the organization's id: only hashed into the puid */
    int64_t item;     /* the store's item number: only hashed into the puid */
    int64_t decision; /* a number of the restriction, one puid each (transparency.h) */
    const char *rule_id, *clause, *category; /* the cited rule, from the policy */
    const char *verdict_json;                /* the item's stored verdict; NULL: no spans counted */
    size_t verdict_len;
    const char *policy_version;
    bool reported;            /* a reader's report started it: SOURCE_ARTICLE_16, else VOLUNTARY */
    bool automated_detection; /* the engine flagged it */
    sl__dsa_automation automated_decision;
    int64_t content_at; /* when the item was posted (its created_at, else when it was received) */
    int64_t applied_at; /* when the restriction took effect */
    int64_t ended_at;   /* when it was lifted (restored, appeal overturned); 0: still in force */
    const char *content_language;         /* ISO 639-1, any case ("vi"); NULL: left out */
    const char *const *territorial_scope; /* EU/EEA ISO codes; NULL: all 30 EEA countries */
    size_t nterritorial_scope;            /* (removal is worldwide, so the EEA included) */
    const char *reference_url; /* the public posting rules (http/https); NULL: left out */
} sl__dsa_facts;

/* The STATEMENT_CATEGORY_* of a sangloc category (the one table, dsa.c); anything the table
 * does not name is STATEMENT_CATEGORY_OTHER_VIOLATION_TC. Static storage, never NULL. */
const char *sl__dsa_category(const char *category);

/* The KEYWORD_* that specifies a sangloc category within its statement category, or NULL. */
const char *sl__dsa_keyword(const char *category);

/* The puid of a statement: "sl-" and 32 hex digits of SHA-256(org, item, decision). */
#define SL__DSA_PUID_SIZE 36
void sl__dsa_puid(const char *org, int64_t item, int64_t decision, char out[SL__DSA_PUID_SIZE]);

/* Appends one statement (a JSON object) to out. Errors: SL_ERR_ARG (a required fact missing, a
 * date out of range, a territorial code outside the EEA), the errors of sl__vhits_parse() for a
 * damaged verdict, SL_ERR_TOO_LARGE / SL_ERR_NOMEM. Free text is cut to the schema's limits.
 * On error out keeps its previous length. */
sl_status sl__dsa_statement(const sl__dsa_facts *facts, sl_buf *out, sl_error *err);

/* Checks json[0..len), one statement, against the schema: unknown fields, required fields
 * (SL_ERR_MISSING_FIELD, the message names the field), types, allowed values, lengths, date
 * formats and ranges (SL_ERR_ARG, err->byte at the value), the conditional fields a value
 * requires (SL_ERR_MISSING_FIELD), and malformed JSON (SL_ERR_JSON). SL_OK when it passes. */
sl_status sl__dsa_check(const char *json, size_t len, sl_error *err);

#endif
