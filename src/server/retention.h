/* server/retention.h — the server's daily purge (internal): one small thread with its own store
 * handle runs sl_store_purge() at start and then every 24 hours, for --retention-days N, and
 * writes one line to standard error when it purged something or failed (counts and errors only:
 * never a text, an author or an id). */
#ifndef SL_SERVER_RETENTION_H
#define SL_SERVER_RETENTION_H

#include "sangloc/status.h"

struct sl_server;
typedef struct sl__retention sl__retention;

/* Opens the thread's store handle (so that a bad store fails at start); days >= 1. */
sl_status sl__retention_new(const char *db, int days, sl__retention **out, sl_error *err);
sl_status sl__retention_start(sl__retention *r, sl_error *err);
/* Wakes the thread, waits for a purge in progress to end, joins it and frees everything. NULL
 * is fine. */
void sl__retention_free(sl__retention *r);

#endif
