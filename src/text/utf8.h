/* text/utf8.h — UTF-8 decoding helpers shared inside the library (internal). */
#ifndef SL_TEXT_UTF8_H
#define SL_TEXT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one code point from s (avail bytes). Returns its length in bytes, or 0 for an
 * invalid sequence (then *cp = U+FFFD). */
size_t sl__utf8_decode(const char *s, size_t avail, uint32_t *cp);

/* Decodes one code point of text already checked by sl_utf8_validate (no checks: the fast path
 * of view building). Returns its length in bytes. */
static inline size_t sl__utf8_decode_valid(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if (u[0] < 0xE0) {
        *cp = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
        return 2;
    }
    if (u[0] < 0xF0) {
        *cp = ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
        return 3;
    }
    *cp = ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
          ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
    return 4;
}

/* Encodes cp (must be a valid scalar value) into out; returns the length 1..4. */
size_t sl__utf8_encode(uint32_t cp, char out[4]);

#endif
