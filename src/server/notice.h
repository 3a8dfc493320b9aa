/* server/notice.h — the statement of reasons an author receives (internal).
 *
 * When a person removes an item, when the engine hides one before any person has looked, and
 * when an appeal is decided, the author is told why (EU DSA Art. 17): what was restricted, the
 * facts (the flagged spans quoted from the item, personal data redacted), the clause and the
 * policy version, whether detection and decision were automated, and how and until when to
 * appeal. This module renders that notice from plain facts, as JSON (the stored notice and the
 * API's answer) or as plain text (GET /v1/notices/{id} with Accept: text/plain); it reads
 * nothing from the store and has no clock, so the same facts always give the same bytes.
 *
 * Hostile text: the item's text and every free-text fact are data. The JSON writer escapes them;
 * the plain text keeps each on one line with control characters, line separators and bidi
 * controls removed, so a post cannot forge a line of the notice. Spans are clamped to the text
 * and widened to whole UTF-8 characters; invalid UTF-8 becomes U+FFFD. Personal data (the
 * verdict's hits that sl__vhit_is_personal() names, and whatever the built-in personal-data
 * detectors of sangloc/detect.h find in the text, in case the verdict was capped or the policy
 * does not screen it) is replaced by a redaction mark wherever it appears inside a quote. The
 * appeal token is never part of a notice: the API returns it once, beside it.
 *
 * Wording: Vietnamese by default (polite, for citizens), English on request. Times are shown
 * in Vietnam time (UTC+7, no daylight saving) in Vietnamese and in UTC in English; the JSON
 * gives them as RFC 3339 UTC. Thread-safe: no shared state. */
#ifndef SL_SERVER_NOTICE_H
#define SL_SERVER_NOTICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/buf.h"
#include "sangloc/status.h"

typedef enum sl__notice_kind {
    SL_NOTICE_REMOVAL = 0,   /* a person decided "remove": hidden for good */
    SL_NOTICE_AUTO_HIDE = 1, /* the engine hid it ("hide") before any person decided */
    SL_NOTICE_APPEAL = 2     /* the outcome of the author's appeal (appeal_outcome) */
} sl__notice_kind;

typedef enum sl__appeal_outcome {
    SL_APPEAL_NONE = 0,
    SL_APPEAL_UPHELD = 1,    /* the decision stands: the item stays removed */
    SL_APPEAL_OVERTURNED = 2 /* the decision is overruled: the item is published again */
} sl__appeal_outcome;

typedef enum sl__notice_lang {
    SL_NOTICE_VI = 0, /* default */
    SL_NOTICE_EN = 1
} sl__notice_lang;

/* The facts of one notice. Strings are NUL-terminated UTF-8 and borrowed for the call; the
 * item's text and verdict are (pointer, length). Required: notice_id, channel, item_id,
 * rule_id, clause, category, policy_version. Optional: NULL (or "") leaves them out. */
typedef struct sl__notice_facts {
    sl__notice_kind kind;
    const char *notice_id;
    const char *channel, *item_id; /* the item as the organization names it */
    const char *text;              /* the item's text; NULL once purged: no quotes */
    size_t text_len;
    const char *verdict_json; /* the item's stored verdict (docs/verdict.md); NULL: no spans */
    size_t verdict_len;
    const char *rule_id;  /* the rule the decision cites (for an automated hide: the verdict's
                             strongest rule, chosen by the caller) */
    const char *clause;   /* that rule's clause, from the policy */
    const char *category; /* that rule's category */
    const char *policy_version;
    const char *engine_version; /* optional, e.g. "0.1.0" */
    bool automated_detection;   /* the engine flagged the item */
    bool automated_decision;    /* false for every person's decision; true only for AUTO_HIDE */
    int64_t decided_at;         /* ms since the epoch */
    int64_t appeal_until;       /* ms since the epoch; 0: no appeal possible */
    const char *statement;      /* the reviewer's optional words to the author */
    sl__appeal_outcome appeal_outcome; /* for SL_NOTICE_APPEAL */
    const char *appeal_reason;         /* for SL_NOTICE_APPEAL: why it was upheld/overturned */
    sl__notice_lang lang;
} sl__notice_facts;

/* Quotes longer than this many bytes are cut at a character boundary and end with "…"; at most
 * SL__NOTICE_MAX_QUOTES spans are quoted (the rest are counted). */
#define SL__NOTICE_MAX_QUOTE  300
#define SL__NOTICE_MAX_QUOTES 20

/* Appends the notice as one JSON object to out:
 *   {"notice","kind","lang","item":{"channel","id"},"restriction","outcome"?,"appeal_reason"?,
 *    "rule":{"id","category","clause"},"policy_version","engine_version"?,
 *    "automated_detection","automated_decision","decided_at","statement"?,
 *    "text_available","facts":[{"rule","category","start","end","personal_data","quote"?}],
 *    "facts_omitted"?,"appeal":{"possible","until"?,"how"?},"message"}
 * restriction: "removed" | "hidden" | "restored". facts lists the spans of the cited rule
 * first, then the others of the verdict, clamped to the text; "quote" is the span's text with
 * personal data replaced by the redaction mark (absent when the text is purged or the appeal
 * was overturned). "message" is the plain text of sl__notice_text().
 * Errors: SL_ERR_ARG (a required fact missing, an unknown kind/outcome/lang, an appeal without
 * its outcome), the errors of sl__vhits_parse() for a damaged verdict (err->byte into it),
 * SL_ERR_TOO_LARGE / SL_ERR_NOMEM from out. On error out keeps its previous length. */
sl_status sl__notice_json(const sl__notice_facts *facts, sl_buf *out, sl_error *err);

/* Appends the notice as plain text (UTF-8, LF line ends, ends with a newline) to out. Same
 * errors as sl__notice_json(). */
sl_status sl__notice_text(const sl__notice_facts *facts, sl_buf *out, sl_error *err);

/* The redaction mark of a language: "[đã che]" or "[redacted]". */
const char *sl__notice_redaction(sl__notice_lang lang);

#endif
