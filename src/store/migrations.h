/* store/migrations.h — the schema migrations compiled into the program (internal).
 *
 * The SQL files in src/store/migrations/ are turned into C arrays at build time
 * (embed_migrations.cmake); migration k (1-based) is sl__store_migrations[k - 1]. PostgreSQL has
 * its own list, from src/store/migrations_pg/ (sl__store_pg_migrations): the same schema in its
 * dialect, which grows by one file whenever the SQLite list does (docs/store.md). */
#ifndef SL_STORE_MIGRATIONS_H
#define SL_STORE_MIGRATIONS_H

#include <stddef.h>

typedef struct sl_store_migration {
    int version;
    const char *name; /* "0001_init" */
    const char *sql;  /* NUL-terminated */
    size_t len;
} sl_store_migration;

extern const sl_store_migration sl__store_migrations[];
extern const int sl__store_nmigrations;
extern const sl_store_migration sl__store_pg_migrations[];
extern const int sl__store_pg_nmigrations;

#include "sangloc/status.h"

/* One applied migration (version v, named name) read back from schema_migrations, checked
 * against a driver's compiled-in list of n: the next after *version, not newer than the list,
 * and of the same name. On success *version becomes v; else SL_ERR_SCHEMA saying which. */
sl_status sl__migration_check(const sl_store_migration *list, int n, int v, const char *name,
                              int *version, sl_error *err);

#endif
