/* Rewrites ?N into $N outside literals, identifiers and comments (see sql_pg_params.h). */
#include <string.h>

#include "store/sql_pg_params.h"

#define UNTERMINATED ((size_t)-1)

/* The end of the quoted run starting at sql[i] (a ' or "), a doubled quote standing for
 * itself; backslash escapes when esc (E'...'). UNTERMINATED when it never ends. */
static size_t skip_quoted(const char *sql, size_t i, int esc)
{
    char q = sql[i++];
    for (; sql[i]; i++) {
        if (esc && sql[i] == '\\' && sql[i + 1]) {
            i++;
        } else if (sql[i] == q) {
            if (sql[i + 1] != q) return i + 1;
            i++;
        }
    }
    return UNTERMINATED;
}

/* The length of a dollar-quote tag at sql[i] ("$$" or "$name$"), or 0 when it is none (a
 * positional $1 is not a tag). */
static size_t dollar_tag(const char *sql, size_t i)
{
    size_t k = i + 1;
    if (sql[k] >= '0' && sql[k] <= '9') return 0;
    while ((sql[k] >= 'a' && sql[k] <= 'z') || (sql[k] >= 'A' && sql[k] <= 'Z') ||
           (sql[k] >= '0' && sql[k] <= '9') || sql[k] == '_' || (unsigned char)sql[k] >= 0x80)
        k++;
    return sql[k] == '$' ? k + 1 - i : 0;
}

/* The end of the construct at sql[i] that is copied as is, i itself when none starts there,
 * or UNTERMINATED. */
static size_t skip_verbatim(const char *sql, size_t i)
{
    char c = sql[i];
    if (c == '\'' || c == '"') return skip_quoted(sql, i, 0);
    if ((c == 'E' || c == 'e') && sql[i + 1] == '\'' &&
        !(i > 0 &&
          ((sql[i - 1] >= 'a' && sql[i - 1] <= 'z') || (sql[i - 1] >= 'A' && sql[i - 1] <= 'Z') ||
           sql[i - 1] == '_' || (sql[i - 1] >= '0' && sql[i - 1] <= '9'))))
        return skip_quoted(sql, i + 1, 1);
    if (c == '-' && sql[i + 1] == '-') {
        const char *nl = strchr(sql + i, '\n');
        return nl ? (size_t)(nl - sql) + 1 : i + strlen(sql + i);
    }
    if (c == '/' && sql[i + 1] == '*') {
        const char *end = strstr(sql + i + 2, "*/");
        return end ? (size_t)(end - sql) + 2 : UNTERMINATED;
    }
    if (c == '$') {
        size_t tag = dollar_tag(sql, i);
        if (!tag) return i;
        for (size_t k = i + tag; sql[k]; k++)
            if (sql[k] == '$' && !strncmp(sql + k, sql + i, tag)) return k + tag;
        return UNTERMINATED;
    }
    return i;
}

sl_status sl__pg_translate(const char *sql, sl_buf *out, int *nparams, unsigned char *used,
                           sl_error *err)
{
    memset(used, 0, SL_PG_MAX_PARAMS);
    *nparams = 0;
    size_t i = 0;
    while (sql[i]) {
        size_t end = skip_verbatim(sql, i);
        if (end == UNTERMINATED)
            return sl_error_set(err, SL_ERR_ARG, i, "SQL: unterminated literal or comment");
        if (end > i) {
            sl_status st = sl_buf_append(out, sql + i, end - i);
            if (st) return sl_error_set(err, st, SL_NO_POS, "SQL: too long");
            i = end;
            continue;
        }
        if (sql[i] != '?') {
            sl_status st = sl_buf_append(out, sql + i++, 1);
            if (st) return sl_error_set(err, st, SL_NO_POS, "SQL: too long");
            continue;
        }
        size_t at = i++;
        long n = 0;
        int digits = 0;
        while (sql[i] >= '0' && sql[i] <= '9') {
            if (n <= SL_PG_MAX_PARAMS) n = n * 10 + (sql[i] - '0');
            i++, digits++;
        }
        if (!digits) n = *nparams + 1;
        if (n < 1 || n > SL_PG_MAX_PARAMS)
            return sl_error_set(err, SL_ERR_ARG, at, "SQL: parameter number out of range");
        used[n - 1] = 1;
        if (n > *nparams) *nparams = (int)n;
        sl_status st = sl_buf_printf(out, "$%ld", n);
        if (st) return sl_error_set(err, st, SL_NO_POS, "SQL: too long");
    }
    return sl_buf_append(out, "", 0);
}
