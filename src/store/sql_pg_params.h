/* store/sql_pg_params.h — SQLite's parameters ?N rewritten as PostgreSQL's $N (internal).
 *
 * The backend's SQL is written once with SQLite's numbered parameters; PostgreSQL numbers them
 * $1, $2, ... A '?' is a parameter only outside string literals ('...', E'...'), quoted
 * identifiers ("..."), dollar-quoted strings ($tag$...$tag$) and comments, so that '??' or a
 * JSON path in a literal stays as written. A bare '?' is numbered as SQLite does: one more than
 * the highest number so far. */
#ifndef SL_STORE_SQL_PG_PARAMS_H
#define SL_STORE_SQL_PG_PARAMS_H

#include "sangloc/buf.h"
#include "sangloc/status.h"

#define SL_PG_MAX_PARAMS 999 /* the highest ?N accepted (SQLite's historical limit) */

/* Appends the rewritten sql to out; *nparams is the highest parameter number and used[k - 1]
 * is 1 when ?k occurs (used holds SL_PG_MAX_PARAMS bytes). ?0, a number above
 * SL_PG_MAX_PARAMS, or an unterminated literal, identifier or comment is SL_ERR_ARG with the
 * byte where it starts. */
sl_status sl__pg_translate(const char *sql, sl_buf *out, int *nparams, unsigned char *used,
                           sl_error *err);

#endif
