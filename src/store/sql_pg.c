/* Placeholder until the PostgreSQL driver (branch pg) is merged: every call fails. */
#include "store/sql_pg.h"

sl_status sl__pg_open(sl__db *s, const char *url, sl_error *err)
{
    (void)s;
    (void)url;
    return sl_error_set(err, SL_ERR_UNSUPPORTED, SL_NO_POS, "the PostgreSQL store is not built");
}
void sl__pg_close(sl__db *s)
{
    (void)s;
}
sl_status sl__pg_prepare(sl__db *s, const char *sql, sl__pgst **out, sl_error *err)
{
    (void)s, (void)sql, (void)out;
    return sl_error_set(err, SL_ERR_UNSUPPORTED, SL_NO_POS, "the PostgreSQL store is not built");
}
void sl__pg_finalize(sl__pgst *st)
{
    (void)st;
}
int sl__pg_bind(sl__pgst *st, int i, int type, int64_t iv, double dv, const void *p, int n,
                sl__db_lifetime life)
{
    (void)st, (void)i, (void)type, (void)iv, (void)dv, (void)p, (void)n, (void)life;
    return SL_DB_PG_ERROR;
}
int sl__pg_step(sl__pgst *st)
{
    (void)st;
    return SL_DB_PG_ERROR;
}
void sl__pg_reset(sl__pgst *st)
{
    (void)st;
}
void sl__pg_clear(sl__pgst *st)
{
    (void)st;
}
int sl__pg_column_type(sl__pgst *st, int i)
{
    (void)st, (void)i;
    return SL_DB_NULL;
}
int64_t sl__pg_column_int64(sl__pgst *st, int i)
{
    (void)st, (void)i;
    return 0;
}
double sl__pg_column_double(sl__pgst *st, int i)
{
    (void)st, (void)i;
    return 0;
}
const unsigned char *sl__pg_column_text(sl__pgst *st, int i)
{
    (void)st, (void)i;
    return NULL;
}
const void *sl__pg_column_blob(sl__pgst *st, int i)
{
    (void)st, (void)i;
    return NULL;
}
int sl__pg_column_bytes(sl__pgst *st, int i)
{
    (void)st, (void)i;
    return 0;
}
const char *sl__pg_errmsg(sl__db *s)
{
    (void)s;
    return "the PostgreSQL store is not built";
}
int sl__pg_exec(sl__db *s, const char *sql)
{
    (void)s, (void)sql;
    return SL_DB_PG_ERROR;
}
int sl__pg_begin_write(sl__db *s)
{
    (void)s;
    return SL_DB_PG_ERROR;
}
