/* The queue cursor's text form: a fixed 25-byte record in unpadded base64url. The decoder is
 * written out (rather than a library's lenient one) so that exactly one text names each cursor:
 * the length is fixed, the alphabet is strict and the unused low bits of the last character must
 * be zero, and the decoded fields must be in range. */
#include "store/cursor.h"

#include <string.h>

#define RAW_LEN        25
#define CURSOR_VERSION 1

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int sextet(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '-') return 62;
    if (ch == '_') return 63;
    return -1;
}

static void put_be64(unsigned char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--, u >>= 8) p[i] = (unsigned char)(u & 0xff);
}

static int64_t get_be64(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++) u = u << 8 | p[i];
    return (int64_t)u;
}

void sl__cursor_encode(const sl__cursor *c, char out[SL_STORE_CURSOR_SIZE])
{
    unsigned char raw[RAW_LEN + 2] = {CURSOR_VERSION}; /* two zero bytes pad the last group */
    put_be64(raw + 1, c->severity);
    put_be64(raw + 9, c->opened_at);
    put_be64(raw + 17, c->case_id);
    size_t o = 0;
    for (size_t i = 0; i < RAW_LEN; i += 3) {
        uint32_t v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | raw[i + 2];
        for (int k = 3; k >= 0 && o < SL_STORE_CURSOR_LEN; k--)
            out[o++] = alphabet[(v >> (6 * k)) & 63];
    }
    out[o] = '\0';
}

sl_status sl__cursor_parse(const char *s, size_t len, sl__cursor *out, sl_error *err)
{
    if (len != SL_STORE_CURSOR_LEN)
        return sl_error_set(err, SL_ERR_CURSOR,
                            len < SL_STORE_CURSOR_LEN ? len : SL_STORE_CURSOR_LEN,
                            "cursor must be %d characters, not %zu", SL_STORE_CURSOR_LEN, len);
    unsigned char raw[RAW_LEN + 2] = {0};
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int v = sextet((unsigned char)s[i]);
        if (v < 0)
            return sl_error_set(err, SL_ERR_CURSOR, i, "cursor has a byte outside base64url");
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            raw[o++] = (unsigned char)(acc >> bits);
        }
    }
    if (o != RAW_LEN || (acc & ((1u << bits) - 1)) != 0)
        return sl_error_set(err, SL_ERR_CURSOR, len - 1, "cursor has stray bits at its end");
    if (raw[0] != CURSOR_VERSION)
        return sl_error_set(err, SL_ERR_CURSOR, 0, "cursor of an unknown version %u", raw[0]);
    sl__cursor c = {get_be64(raw + 1), get_be64(raw + 9), get_be64(raw + 17)};
    /* byte positions: the text characters that carry each field's first bits */
    if (c.severity < 0 || c.severity > SL_CURSOR_MAX_SEVERITY)
        return sl_error_set(err, SL_ERR_CURSOR, 1, "cursor severity out of range");
    if (c.opened_at < 0) return sl_error_set(err, SL_ERR_CURSOR, 12, "cursor time out of range");
    if (c.case_id < 1) return sl_error_set(err, SL_ERR_CURSOR, 22, "cursor case out of range");
    *out = c;
    return SL_OK;
}
