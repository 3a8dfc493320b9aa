/* server/sbuf.h — the bounded byte buffer under its public names (sangloc/buf.h, sl_buf_*).
 * Trees from before the buffer became public have it as util/buf.h with sl__buf_* names; this
 * header maps those, so the server builds on both (internal). */
#ifndef SL_SERVER_SBUF_H
#define SL_SERVER_SBUF_H

#if __has_include("sangloc/buf.h")
#include "sangloc/buf.h"
#else
#include "util/buf.h"
#define sl_buf_reserve     sl__buf_reserve
#define sl_buf_append      sl__buf_append
#define sl_buf_puts        sl__buf_puts
#define sl_buf_printf      sl__buf_printf
#define sl_buf_json_string sl__buf_json_string
#define sl_buf_clear       sl__buf_clear
#define sl_buf_free        sl__buf_free
#endif

#endif
