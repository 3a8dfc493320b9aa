/* text/utf8.h — UTF-8 decoding helpers shared inside the library (internal). */
#ifndef SL_TEXT_UTF8_H
#define SL_TEXT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one code point from s (avail bytes). Returns its length in bytes, or 0 for an
 * invalid sequence (then *cp = U+FFFD). */
size_t sl__utf8_decode(const char *s, size_t avail, uint32_t *cp);

/* Encodes cp (must be a valid scalar value) into out; returns the length 1..4. */
size_t sl__utf8_encode(uint32_t cp, char out[4]);

#endif
