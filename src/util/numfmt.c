/* Numbers without printf. %.4g is computed in double precision: one correctly rounded scaling
 * by an exact power of ten leaves the four-digit rounding unambiguous unless the scaled value
 * is within a hair of a half, and that case (a possible tie, which printf breaks on the exact
 * binary value) is left to snprintf, as are magnitudes outside 1e-17..1e19, infinities and NaNs. */
#include "util/numfmt.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* 10^0 .. 10^22: every one exact in a double. */
static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* a * 10^(3 - e), with one rounding; -16 <= 3 - e <= 22 for 1e-17 <= a < 1e19. */
static double scale(double a, int e)
{
    int k = 3 - e;
    return k >= 0 ? a * pow10_exact[k] : a / pow10_exact[-k];
}

static size_t fallback(char out[SL__G4_MAX], double x)
{
    int n = snprintf(out, SL__G4_MAX, "%.4g", x);
    return n > 0 ? (size_t)n : 0;
}

size_t sl__fmt_g4(char out[SL__G4_MAX], double x)
{
    double a = fabs(x);
    if (a == 0) return (size_t)(stpcpy(out, signbit(x) ? "-0" : "0") - out); /* most scores */
    if (!(a >= 1e-17 && a < 1e19)) return fallback(out, x);                  /* also 0, inf, nan */
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    int b2 = (int)(bits >> 52) - 1023; /* a in [2^b2, 2^(b2+1)): a is normal here */
    int e = (b2 * 78913) >> 18;        /* floor(b2 * log10 2): the exponent or one less */
    double y = scale(a, e);
    if (y >= 10000) y = scale(a, ++e);
    if (y < 1000) y = scale(a, --e);
    double fl = (double)(uint32_t)y, frac = y - fl; /* floor: 999 < y < 10001 */
    if (fabs(frac - 0.5) < 1e-6 || y < 1000 || y >= 10000) return fallback(out, x);
    unsigned r = (unsigned)fl + (frac > 0.5);
    if (r == 10000) r = 1000, e++;
    char d[4] = {(char)('0' + r / 1000), (char)('0' + r / 100 % 10), (char)('0' + r / 10 % 10),
                 (char)('0' + r % 10)};
    int nd = 4; /* significant digits left once trailing zeros go */
    while (nd > 1 && d[nd - 1] == '0') nd--;
    char *o = out;
    if (x < 0) *o++ = '-';
    if (e < -4 || e >= 4) {
        *o++ = d[0];
        if (nd > 1) {
            *o++ = '.';
            for (int i = 1; i < nd; i++) *o++ = d[i];
        }
        *o++ = 'e';
        *o++ = e < 0 ? '-' : '+';
        int ae = e < 0 ? -e : e;
        if (ae >= 100) *o++ = (char)('0' + ae / 100);
        *o++ = (char)('0' + ae / 10 % 10);
        *o++ = (char)('0' + ae % 10);
    } else if (e >= 0) {
        for (int i = 0; i <= e; i++) *o++ = d[i];
        if (nd > e + 1) {
            *o++ = '.';
            for (int i = e + 1; i < nd; i++) *o++ = d[i];
        }
    } else {
        *o++ = '0';
        *o++ = '.';
        for (int i = -1; i > e; i--) *o++ = '0';
        for (int i = 0; i < nd; i++) *o++ = d[i];
    }
    *o = '\0';
    return (size_t)(o - out);
}

size_t sl__fmt_uint(char out[21], unsigned long long v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

sl_status sl_buf_g4(sl_buf *b, double x)
{
    char s[SL__G4_MAX];
    return sl_buf_append(b, s, sl__fmt_g4(s, x));
}

sl_status sl_buf_uint(sl_buf *b, unsigned long long v)
{
    char s[21];
    return sl_buf_append(b, s, sl__fmt_uint(s, v));
}
