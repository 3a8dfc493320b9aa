/* util/numfmt.h — numbers written into output without printf (internal).
 *
 * A verdict carries a dozen numbers and was spending more time in vsnprintf than in some
 * detectors. These writers print exactly what printf prints for the same conversion, so the
 * output does not change by a byte. */
#ifndef SL_UTIL_NUMFMT_H
#define SL_UTIL_NUMFMT_H

#include <stddef.h>

#include "sangloc/buf.h"

/* Room for any %.4g output, including the NUL ("-1.234e+308" and "-nan" fit with room). */
#define SL__G4_MAX 32

/* Writes x as printf("%.4g", x) does into out (NUL-terminated); returns the length. */
size_t sl__fmt_g4(char out[SL__G4_MAX], double x);

/* Writes v in decimal as printf("%llu", v) does (at most 20 digits and a NUL); returns the
 * length. */
size_t sl__fmt_uint(char out[21], unsigned long long v);

/* Appends x as "%.4g" / v as "%llu". */
sl_status sl_buf_g4(sl_buf *b, double x);
sl_status sl_buf_uint(sl_buf *b, unsigned long long v);

#endif
