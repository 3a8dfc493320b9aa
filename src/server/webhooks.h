/* server/webhooks.h — the delivery thread of signed webhooks (internal; docs/server.md,
 * "Webhooks").
 *
 * One thread per server, with its own store handle: every 200 ms it turns each webhook org's
 * new audit entries into deliveries (sl_store_webhook_take), then POSTs the deliveries that are
 * due, signed with the org's secret, and records each answer: 2xx delivered, anything else or
 * no answer retried with backoff, given up after the configured attempts. Deliveries are in
 * the store, so a restart resumes them: delivery is at least once (X-Sangloc-Delivery lets the
 * receiver drop a repeat). */
#ifndef SL_SERVER_WEBHOOKS_H
#define SL_SERVER_WEBHOOKS_H

#include <stdbool.h>

#include "sangloc/buf.h"
#include "sangloc/status.h"
#include "sangloc/store.h"

struct sl_server;
typedef struct sl__hooks sl__hooks;

#define SL_HOOK_MAX_URL 2048

/* NULL in *out (and SL_OK) when no org has a webhook URL. Reads every org's secret (creating
 * missing files); a secret file that others may read fails the start. */
sl_status sl__hooks_new(struct sl_server *s, sl__hooks **out, sl_error *err);
sl_status sl__hooks_start(sl__hooks *h, sl_error *err);
/* Wakes the thread at once: a route that appended audit entries calls it so that their
 * webhooks need not wait for the next tick (200 ms). NULL is fine; cheap (no store access). */
void sl__hooks_wake(sl__hooks *h);
/* Asks the thread to read the secret files again (reload). NULL is fine. */
void sl__hooks_reload(sl__hooks *h);
/* Stops the thread (an HTTP request in flight is abandoned: it is retried after a restart). */
void sl__hooks_stop(sl__hooks *h);
void sl__hooks_free(sl__hooks *h);

/* The webhook lines of /metrics for org (NULL: every org), from the store. */
sl_status sl__hooks_metrics(sl_store *store, const char *org, sl_buf *b);

/* Whether url is an http:// or https:// URL of at most SL_HOOK_MAX_URL bytes with a host. */
bool sl__hooks_url_ok(const char *url);

#endif
