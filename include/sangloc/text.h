/* sangloc/text.h — the text layer: validated UTF-8 in, matchable views out, every view byte
 * traceable to the original.
 *
 * From one input text the layer builds four views:
 *   SL_VIEW_NFC       the original in Unicode NFC (case and spelling kept)
 *   SL_VIEW_NORM      case-folded, whitespace collapsed, obfuscation undone (separators inside
 *                     words, repeated letters, digits/symbols used as letters, look-alike letters
 *                     from other scripts, invisible characters) and teencode expanded
 *   SL_VIEW_FOLD      NORM without diacritics ("đ" -> "d")
 *   SL_VIEW_STANDARD  readable standard spelling with case kept ("t thấy k đc" -> "tôi thấy
 *                     không được"), for people reading explanations
 *
 * Every view is valid UTF-8, NUL-terminated for convenience (the NUL is not counted in len),
 * and carries an offset map: view byte i came from original bytes [orig_start[i], orig_end[i]).
 * Use sl_view_span() to turn a match [a, b) in a view into a span of the original.
 *
 * Thread-safety: an sl_text is scratch owned by one thread; build it again for each text (it
 * reuses its memory). Views and maps stay valid until the next sl_text_build() or
 * sl_text_free() on the same object. Different sl_text objects may be used concurrently. */
#ifndef SANGLOC_TEXT_H
#define SANGLOC_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "sangloc/status.h"

/* Largest input sl_text_build() accepts; larger gives SL_ERR_TOO_LARGE. */
#define SL_TEXT_MAX_BYTES (16u * 1024u * 1024u)

typedef enum sl_view_kind {
    SL_VIEW_NFC = 0,
    SL_VIEW_NORM = 1,
    SL_VIEW_FOLD = 2,
    SL_VIEW_STANDARD = 3,
    SL_VIEW_COUNT_ = 4
} sl_view_kind;

typedef struct sl_view {
    const char *data; /* UTF-8, NUL-terminated, len bytes */
    size_t len;
    const uint32_t *orig_start; /* len entries: original span start of each view byte */
    const uint32_t *orig_end;   /* len entries: original span end (exclusive) */
} sl_view;

typedef struct sl_text sl_text;

/* A new, empty text scratch; NULL when out of memory. */
sl_text *sl_text_new(void);

/* Frees the scratch and every view it holds; NULL is a no-op. */
void sl_text_free(sl_text *text);

/* Validates `len` bytes of `data` (no NUL terminator needed) and builds all views.
 * Errors: SL_ERR_INVALID_UTF8 and SL_ERR_NUL_BYTE with err->byte at the first bad byte,
 * SL_ERR_TOO_LARGE above SL_TEXT_MAX_BYTES, SL_ERR_NOMEM. After an error, views are empty. */
sl_status sl_text_build(sl_text *text, const char *data, size_t len, sl_error *err);

/* The view of a kind from the last successful build (empty views before any). */
const sl_view *sl_text_view(const sl_text *text, sl_view_kind kind);

/* The original text of the last build (not copied: the caller's buffer). */
const char *sl_text_original(const sl_text *text, size_t *len);

/* Maps view bytes [vstart, vend) to the original span [*ostart, *oend) that covers them.
 * vstart < vend <= view->len; an empty range maps to an empty span at its position. */
void sl_view_span(const sl_view *view, size_t vstart, size_t vend, size_t *ostart, size_t *oend);

/* Checks UTF-8 validity without building views: SL_OK, or the error with err->byte set to
 * the offset of the first byte of the first invalid sequence. NUL bytes are SL_ERR_NUL_BYTE. */
sl_status sl_utf8_validate(const char *data, size_t len, sl_error *err);

/* Whether code point cp is part of a word in the views: letters, combining marks, digits, and
 * the '*' that NORM keeps as a mask inside a word ("đ*t"). Table lookup, thread-safe (the
 * tables are built by sl_text_new(); before that this builds them on first use). */
int sl_text_is_word_cp(uint32_t cp);

/* The folded form of code point cp: lowercase with its diacritics removed ("Ế" -> "e",
 * "đ" -> "d", "Ω" -> "ω"); what the FOLD view is made of. The one definition of diacritic
 * folding: every layer (views, model features, detectors, matcher) uses it. Table lookup,
 * thread-safe, like sl_text_is_word_cp(). */
uint32_t sl_text_fold_cp(uint32_t cp);

/* Whether byte offset pos of view data is at a word edge: pos is 0 or len, or exactly one of
 * the code points before and at pos is a word code point. For whole-word matching in views. */
int sl_view_is_word_edge(const sl_view *view, size_t pos);

/* Human name of a view kind ("nfc", "norm", "fold", "standard"). */
const char *sl_view_name(sl_view_kind kind);

#endif
