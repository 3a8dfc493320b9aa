/* UTF-8 validation with the position of the first bad byte (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). NUL is reported apart because a C string would end there. */
#include "sangloc/text.h"

#include "text/utf8.h"

#include <string.h>

static inline size_t sequence_length(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c == 0xE0)
        n = 3, lo = 0xA0;
    else if (c == 0xED)
        n = 3, hi = 0x9F;
    else if (c >= 0xE1 && c <= 0xEF)
        n = 3;
    else if (c == 0xF0)
        n = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3)
        n = 4;
    else if (c == 0xF4)
        n = 4, hi = 0x8F;
    else
        return 0;
    if (avail < n) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    return n;
}

size_t sl__utf8_decode(const char *s, size_t avail, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = sequence_length(u, avail);
    switch (n) {
    case 1:
        *cp = u[0];
        break;
    case 2:
        *cp = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
        break;
    case 3:
        *cp = ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
        break;
    case 4:
        *cp = ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
              ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
        break;
    default:
        *cp = 0xFFFD;
        break;
    }
    return n;
}

size_t sl__utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

sl_status sl_utf8_validate(const char *data, size_t len, sl_error *err)
{
    const unsigned char *s = (const unsigned char *)data;
    size_t i = 0;
    while (i < len) {
        /* ASCII run, eight bytes at a time when no byte is 0 or >= 0x80: the common case */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (((w - 0x0101010101010101ull) | w) & 0x8080808080808080ull) break;
            i += 8;
        }
        if (i >= len) break;
        if (s[i] && s[i] < 0x80) {
            i++;
            continue;
        }
        /* the two- and three-byte forms of Latin and Vietnamese letters, without table */
        if (s[i] >= 0xC2 && s[i] <= 0xDF && i + 1 < len && (s[i + 1] & 0xC0) == 0x80) {
            i += 2;
            continue;
        }
        if (s[i] >= 0xE1 && s[i] <= 0xEC && i + 2 < len && (s[i + 1] & 0xC0) == 0x80 &&
            (s[i + 2] & 0xC0) == 0x80) {
            i += 3;
            continue;
        }
        if (s[i] == 0) return sl_error_set(err, SL_ERR_NUL_BYTE, i, "NUL byte at byte %zu", i);
        size_t n = sequence_length(s + i, len - i);
        if (!n)
            return sl_error_set(err, SL_ERR_INVALID_UTF8, i,
                                "invalid UTF-8 sequence at byte %zu (0x%02X)", i, s[i]);
        i += n;
    }
    return SL_OK;
}
