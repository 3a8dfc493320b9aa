/* The check of applied migrations that both drivers run on open (migrations.h). */
#include <string.h>

#include "store/migrations.h"

sl_status sl__migration_check(const sl_store_migration *list, int n, int v, const char *name,
                              int *version, sl_error *err)
{
    if (v != *version + 1)
        return sl_error_set(err, SL_ERR_SCHEMA, SL_NO_POS,
                            "database schema has a gap before migration %d", v);
    if (v > n)
        return sl_error_set(err, SL_ERR_SCHEMA, SL_NO_POS,
                            "database schema version %d (%s) is newer than this sangloc (%d): "
                            "upgrade sangloc",
                            v, name, n);
    if (strcmp(name, list[v - 1].name))
        return sl_error_set(err, SL_ERR_SCHEMA, SL_NO_POS,
                            "database migration %d is '%s', this sangloc's is '%s'", v, name,
                            list[v - 1].name);
    *version = v;
    return SL_OK;
}
